//! `docker build` on real containers: RUN steps in containers, COPY/ADD
//! layers, metadata-only steps, the cache, multi-stage, and failures.

mod common;

use common::Lab;

fn context(lab: &Lab, dockerfile: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = lab.root().join(format!("ctx-{}", lab.root().read_dir().map(|d| d.count()).unwrap_or(0)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
    dir
}

const APP: &str = r#"FROM busybox AS base
ARG GREETING=hello
ENV APP_HOME=/app
WORKDIR $APP_HOME
COPY hello.txt .
RUN echo "$GREETING from RUN" > run.txt && \
    cat hello.txt
CMD ["cat", "/app/run.txt"]

FROM busybox
COPY --from=base /app/run.txt /copied.txt
CMD ["cat", "/copied.txt"]
"#;

#[test]
fn builds_layers_caches_and_multi_stage() {
    let lab = Lab::new();
    let ctx = context(&lab, APP, &[("hello.txt", "hi from the context\n"), ("secret.log", "no\n"), (".dockerignore", "*.log\n")]);
    let first = lab.run(&format!("docker build -t app:v1 {}", ctx.display()));
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert_normalized_snapshot!("build_first", first.stdout);
    assert_eq!(lab.run("docker run --rm app:v1").stdout, "hello from RUN\n");
    // Same inputs: every step from the cache, the same image.
    let again = lab.run(&format!("docker build -t app:v1 {}", ctx.display()));
    assert_eq!(again.stdout.matches(" ---> Using cache").count(), 8, "{}", again.stdout);
    // Another build argument: the RUN and what follows are built anew.
    let hola = lab.run(&format!("docker build --build-arg GREETING=hola -t app:v2 {}", ctx.display()));
    assert_eq!(hola.code, 0, "{}", hola.stderr);
    assert_eq!(lab.run("docker run --rm app:v2").stdout, "hola from RUN\n");
    // A changed file in the context: COPY misses the cache.
    std::fs::write(ctx.join("hello.txt"), "changed\n").unwrap();
    let changed = lab.run(&format!("docker build -t app:v3 {}", ctx.display()));
    assert!(changed.stdout.contains("Step 5/10 : COPY hello.txt .\n ---> "), "{}", changed.stdout);
    assert!(changed.stdout.contains("changed\n"), "the RUN ran again and printed the new file: {}", changed.stdout);
    // The target stage, and what .dockerignore kept out.
    assert_eq!(lab.run(&format!("docker build -q --target base -t app:base {}", ctx.display())).code, 0);
    let inside = lab.run("docker run --rm app:base ls /app");
    assert_eq!(inside.stdout, "hello.txt\nrun.txt\n");
    // Metadata steps add no layer; WORKDIR makes its directory in one, as
    // Docker 20.10's classic builder: busybox's layer + WORKDIR + COPY + RUN.
    assert_eq!(lab.runtime().images.resolve("app:base").unwrap().layers.len(), 4);
    lab.assert_clean();
}

#[test]
fn a_failing_step_stops_the_build_with_its_code() {
    let lab = Lab::new();
    let ctx = context(&lab, "FROM busybox\nRUN echo before\nRUN exit 3\nRUN echo never\n", &[]);
    let run = lab.run(&format!("docker build -t broken {}", ctx.display()));
    assert_eq!(run.code, 3);
    assert_eq!(run.stderr, "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n");
    assert!(!run.stdout.contains("never"));
    assert!(lab.runtime().images.resolve("broken").is_err(), "no tagged half-image");
    assert!(lab.container_ids().is_empty(), "the step's container is gone");
    lab.assert_clean();
}

#[test]
fn dockerfile_errors_name_the_line() {
    let lab = Lab::new();
    let ctx = context(&lab, "FROM busybox\nRUN true\nFROB x\n", &[]);
    let run = lab.run(&format!("docker build {}", ctx.display()));
    assert_eq!(run.code, 1);
    // Docker 20.10's words; the context was sent before the daemon parsed the file.
    assert_eq!(run.stderr, "Error response from daemon: dockerfile parse error line 3: unknown instruction: FROB\n");
    assert!(run.stdout.starts_with("Sending build context to Docker daemon"), "{}", run.stdout);
    let url = context(&lab, "FROM busybox\nADD https://example.com/x.tar.gz /x\n", &[]);
    let no_net = lab.run(&format!("docker build {}", url.display()));
    assert_eq!(no_net.code, 1);
    assert!(no_net.stderr.contains("no network here"), "{}", no_net.stderr);
}

#[test]
fn add_extracts_a_local_tar() {
    let lab = Lab::new();
    let ctx = context(&lab, "FROM busybox\nADD files.tar /unpacked/\nCMD [\"cat\", \"/unpacked/inner.txt\"]\n", &[]);
    let mut tar = tar::Builder::new(std::fs::File::create(ctx.join("files.tar")).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_size(6);
    header.set_mode(0o644);
    tar.append_data(&mut header, "inner.txt", "inside".as_bytes()).unwrap();
    tar.finish().unwrap();
    drop(tar);
    assert_eq!(lab.run(&format!("docker build -q -t unpacked {}", ctx.display())).code, 0);
    assert_eq!(lab.run("docker run --rm unpacked").stdout, "inside");
}

/// Every config-only instruction, as Docker 20.10's classic builder stores it.
const METADATA: &str = r#"ARG BASE=busybox
FROM $BASE
ARG WHO=world
ENV A=a\ b B="two words" C='$single' D=${WHO:-none} E=${NOPE:-dflt} F=${WHO:+set} G=${NOPE:+set} H=\$WHO
ENV OLD value with "quotes" and $WHO
ENV abc=hello
ENV abc=bye def=$abc
ENV ghi=$abc
LABEL maintainer.x="me" version=1.0 "spaced key"="v v" multi=$abc
EXPOSE 80 443/udp ${PORT:-8080}
VOLUME /data ["/logs"]
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=4 CMD wget -q localhost || exit 1
MAINTAINER Jane <j@x.y>
SHELL ["/bin/sh", "-ec"]
RUN echo shell is $0 && mkdir -p /data && echo seeded > /data/seed
ONBUILD RUN echo from onbuild $abc > /tmp/onbuild.txt
USER www-data:www-data
WORKDIR /w/$abc
CMD env
"#;

fn image_config(lab: &Lab, image: &str) -> serde_json::Value {
    let inspect = lab.run(&format!("docker image inspect {image}"));
    assert_eq!(inspect.code, 0, "{}", inspect.stderr);
    let all: serde_json::Value = serde_json::from_str(&inspect.stdout).unwrap();
    all[0].clone()
}

#[test]
fn metadata_survives_build_inspect_and_run() {
    let lab = Lab::new();
    let ctx = context(&lab, METADATA, &[]);
    let built = lab.run(&format!("docker build --build-arg WHO=learner -t meta {}", ctx.display()));
    assert_eq!(built.code, 0, "{}\n{}", built.stdout, built.stderr);
    assert_normalized_snapshot!("build_metadata", built.stdout);
    let image = image_config(&lab, "meta");
    assert_eq!(image["Author"], "Jane <j@x.y>");
    let config = &image["Config"];
    // What real Docker 20.10 printed for the same Dockerfile (with WHO=world there).
    assert_eq!(
        config["Env"],
        serde_json::json!([
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "A=a b",
            "B=two words",
            "C=$single",
            "D=learner",
            "E=dflt",
            "F=set",
            "G=",
            "H=$WHO",
            "OLD=value with quotes and learner",
            "abc=bye",
            "def=hello",
            "ghi=bye"
        ])
    );
    assert_eq!(config["Labels"], serde_json::json!({"maintainer.x": "me", "multi": "bye", "spaced key": "v v", "version": "1.0"}));
    assert_eq!(config["ExposedPorts"], serde_json::json!({"443/udp": {}, "80/tcp": {}, "8080/tcp": {}}));
    assert_eq!(config["Volumes"], serde_json::json!({"/data": {}, "[/logs]": {}}));
    assert_eq!(config["StopSignal"], "SIGUSR1");
    assert_eq!(
        config["Healthcheck"],
        serde_json::json!({"Test": ["CMD-SHELL", "wget -q localhost || exit 1"], "Interval": 5_000_000_000u64, "Timeout": 3_000_000_000u64, "StartPeriod": 2_000_000_000u64, "Retries": 4})
    );
    assert_eq!(config["OnBuild"], serde_json::json!(["RUN echo from onbuild $abc > /tmp/onbuild.txt"]));
    assert_eq!(config["Shell"], serde_json::json!(["/bin/sh", "-ec"]));
    assert_eq!(config["User"], "www-data:www-data");
    assert_eq!(config["WorkingDir"], "/w/bye");
    assert_eq!(config["Cmd"], serde_json::json!(["/bin/sh", "-ec", "env"]));
    let history = lab.run("docker history --no-trunc meta").stdout;
    assert!(history.contains("/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"wget -q localhost || exit 1\"] \"5s\" \"3s\" \"2s\" '\\x04'}"), "{history}");
    assert!(history.contains("|1 WHO=learner /bin/sh -ec echo shell is $0"), "{history}");

    // Run: the environment, the user by name, the VOLUME as an anonymous volume seeded from the image.
    let env = lab.run("docker run --rm meta");
    assert_eq!(env.code, 0, "{}", env.stderr);
    for line in ["A=a b", "OLD=value with quotes and learner", "def=hello"] {
        assert!(env.stdout.lines().any(|l| l == line), "{line} in {}", env.stdout);
    }
    assert!(!env.stdout.contains("WHO="), "an ARG is not in the image's environment: {}", env.stdout);
    assert_eq!(lab.run("docker run --rm meta id").stdout, "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n");
    assert_eq!(lab.run("docker run --rm meta pwd").stdout, "/w/bye\n");
    let mounted = lab.run("docker run --rm meta sh -c 'grep -c \" /data \" /proc/mounts; cat /data/seed'");
    assert_eq!(mounted.stdout, "1\nseeded\n", "{}", mounted.stderr);
    assert_eq!(lab.run("docker volume ls -q").stdout, "", "--rm removed the anonymous volumes");

    // A child build runs the trigger, and its image no longer has it.
    let child = context(&lab, "FROM meta\nRUN cat /tmp/onbuild.txt\n", &[]);
    let built = lab.run(&format!("docker build -t meta-child {}", child.display()));
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(built.stdout.contains("Step 1/2 : FROM meta\n# Executing 1 build trigger\n ---> Running in "), "{}", built.stdout);
    assert!(built.stdout.contains("from onbuild bye\n"), "{}", built.stdout);
    assert_eq!(image_config(&lab, "meta-child")["Config"]["OnBuild"], serde_json::Value::Null);
    lab.assert_clean();
}

#[test]
fn user_names_resolve_in_the_image() {
    let lab = Lab::new();
    let dockerfile = "FROM busybox\nRUN echo 'app:x:1001:1002:App:/home/app:/bin/sh' >> /etc/passwd && echo 'appgrp:x:1002:' >> /etc/group && echo 'extra:x:1003:app' >> /etc/group\nUSER app\nRUN id > /tmp/built-as\nCMD [\"id\"]\n";
    let ctx = context(&lab, dockerfile, &[]);
    assert_eq!(lab.run(&format!("docker build -q -t users {}", ctx.display())).code, 0);
    // As real Docker 20.10 printed them for the same image.
    assert_eq!(lab.run("docker run --rm users").stdout, "uid=1001(app) gid=1002(appgrp) groups=1002(appgrp),1003(extra)\n");
    assert_eq!(lab.run("docker run --rm users cat /tmp/built-as").stdout, "uid=1001(app) gid=1002(appgrp) groups=1002(appgrp),1003(extra)\n");
    assert_eq!(lab.run("docker run --rm -u app:extra users").stdout, "uid=1001(app) gid=1003(extra) groups=1003(extra)\n");
    assert_eq!(lab.run("docker run --rm -u 1000:1000 users").stdout, "uid=1000 gid=1000 groups=1000\n");
    assert_eq!(lab.run("docker run --rm -u 0 users").stdout, "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n");
    let ghost = lab.run("docker run --rm -u ghost users");
    assert_eq!(ghost.code, 125);
    assert!(ghost.stderr.contains("unable to find user ghost: no matching entries in passwd file"), "{}", ghost.stderr);
    lab.assert_clean();
}

#[test]
fn copy_and_add_chown() {
    let lab = Lab::new();
    let dockerfile = "FROM busybox\nARG OWNER=www-data\nCOPY --chown=$OWNER:$OWNER f.txt /srv/named/\nCOPY --chown=1000:1000 dir /srv/numeric\nADD --chown=nobody:nogroup f.txt /srv/add.txt\nCOPY f.txt /tmp/\nCMD [\"sh\", \"-c\", \"stat -c '%n %u:%g %a' /srv/named /srv/named/f.txt /srv/numeric /srv/numeric/inner.txt /srv/add.txt /tmp /tmp/f.txt\"]\n";
    let ctx = context(&lab, dockerfile, &[("f.txt", "x\n")]);
    std::fs::create_dir(ctx.join("dir")).unwrap();
    std::fs::write(ctx.join("dir/inner.txt"), "y\n").unwrap();
    let built = lab.run(&format!("docker build -q -t owned {}", ctx.display()));
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert_eq!(
        lab.run("docker run --rm owned").stdout,
        "/srv/named 33:33 755\n/srv/named/f.txt 33:33 644\n/srv/numeric 1000:1000 755\n/srv/numeric/inner.txt 1000:1000 644\n/srv/add.txt 65534:65534 644\n/tmp 0:0 1777\n/tmp/f.txt 0:0 644\n"
    );
    let unknown = context(&lab, "FROM busybox\nCOPY --chown=bad f.txt /\n", &[("f.txt", "x\n")]);
    let run = lab.run(&format!("docker build {}", unknown.display()));
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "unable to convert uid/gid chown string to host mapping: can't find uid for user bad: no such user: bad\n");
    lab.assert_clean();
}

#[test]
fn stop_sends_the_images_stopsignal() {
    let lab = Lab::new();
    let dockerfile =
        "FROM busybox\nSTOPSIGNAL SIGUSR1\nCMD [\"sh\", \"-c\", \"trap 'echo got USR1; exit 0' USR1; touch /trapped; while :; do sleep 0.1; done\"]\n";
    let ctx = context(&lab, dockerfile, &[]);
    assert_eq!(lab.run(&format!("docker build -q -t usr1 {}", ctx.display())).code, 0);
    let id = lab.run_detached("docker run -d usr1");
    assert_eq!(lab.run(&format!("docker exec {id} sh -c 'until [ -e /trapped ]; do sleep 0.01; done'")).code, 0);
    // With SIGTERM the trap would not run and stop would SIGKILL after 10 s (exit 137).
    assert_eq!(lab.run(&format!("docker stop {id}")).code, 0);
    assert_eq!(lab.record(&id).state.exit_code, Some(0));
    assert_eq!(lab.run(&format!("docker logs {id}")).stdout, "got USR1\n");
    lab.assert_clean();
}

/// What Docker 20.10's classic builder cannot do either fails as it fails there.
#[test]
fn unsupported_instructions_fail_as_in_docker() {
    let lab = Lab::new();
    for (dockerfile, stderr) in [
        (
            "FROM busybox\nRUN --mount=type=cache,target=/x true\n",
            "the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled\n",
        ),
        (
            "FROM busybox\nCOPY --chmod=755 f.txt /\n",
            "the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled\n",
        ),
        ("FROM busybox\nRUN <<EOF\necho hi\nEOF\n", "Error response from daemon: dockerfile parse error line 3: unknown instruction: ECHO\n"),
        ("FROM busybox\nSTOPSIGNAL FOO\n", "Invalid signal: FOO\n"),
        ("FROM busybox\nENV X=${Y:?oops}\n", "failed to process \"${Y:?oops}\": Y: oops\n"),
        ("FROM busybox\nEXPOSE 80/xyz\n", "Invalid proto: xyz\n"),
    ] {
        let ctx = context(&lab, dockerfile, &[("f.txt", "x\n")]);
        let run = lab.run(&format!("docker build -t refused {}", ctx.display()));
        assert_eq!((run.code, run.stderr.as_str()), (1, stderr), "{dockerfile}");
    }
    assert!(lab.runtime().images.resolve("refused").is_err());
    lab.assert_clean();
}

const STEPS: &str = "FROM busybox\nRUN echo 2 > /a\nWORKDIR /x\nWORKDIR /x\nRUN true\nRUN true\nCOPY f /f\nCOPY f /f\nRUN cat /f\n";

/// The image each step made, as Docker 20.10's classic builder makes them:
/// WORKDIR a layer when it makes its directory, a step that changes nothing
/// an empty layer, and `docker history` naming each step's image.
#[test]
fn workdir_and_unchanged_steps_layer_as_docker_and_history_names_each_step() {
    let lab = Lab::new();
    let ctx = context(&lab, STEPS, &[("f", "the file\n")]);
    let build = lab.run(&format!("docker build -t steps {}", ctx.display()));
    assert_eq!(build.code, 0, "{}\n{}", build.stdout, build.stderr);
    // Two identical COPY layers in one stack, then a RUN over them: overlayfs takes the stack.
    assert!(build.stdout.contains("the file\n"), "{}", build.stdout);
    // busybox's layer, RUN echo, the first WORKDIR, the COPY (twice the same diff).
    let layers = lab.inspect("{{range .RootFS.Layers}}{{println .}}{{end}}", "steps");
    assert_eq!(layers.lines().count(), 5, "{layers}");
    let history = lab.run("docker history --format '{{.ID}} {{.Size}} {{.CreatedBy}}' steps").stdout;
    let rows: Vec<&str> = history.lines().collect();
    assert_eq!(rows.len(), 9, "{history}");
    let busybox = lab.inspect("{{.Id}}", "busybox");
    // Each row names the image its step made, down to busybox's own.
    assert!(rows.iter().all(|r| !r.starts_with("<missing>")), "{history}");
    assert!(rows[8].starts_with(&busybox[7..19]), "{history}");
    let sizes: Vec<&str> = rows[..8].iter().map(|r| r.split(' ').nth(1).unwrap()).collect();
    assert_eq!(sizes, ["0B", "9B", "9B", "0B", "0B", "0B", "0B", "2B"], "{history}");
    assert_eq!(lab.run("docker run --rm steps pwd").stdout, "/x\n");
    lab.assert_clean();
}

/// The same Dockerfile on real Docker: the same layers and history rows
/// above the base image (COPY's aside: Docker names the copied file by a
/// hash of its own). `cargo test --test build -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn workdir_and_unchanged_steps_as_real_docker() {
    let lab = Lab::new();
    let ctx = context(&lab, STEPS, &[("f", "the file\n")]);
    let check = |docker: &str, builder: &str| {
        format!(
            "{builder}{docker} build -q -t whaleshell-steps {} >/dev/null && {docker} inspect -f '{{{{len .RootFS.Layers}}}}' whaleshell-steps && \
             {docker} history --format '{{{{.Size}}}} {{{{.CreatedBy}}}}' whaleshell-steps | head -8 | grep -v COPY; {docker} rmi whaleshell-steps >/dev/null",
            ctx.display()
        )
    };
    let theirs = common::real_docker(&check("docker", "DOCKER_BUILDKIT=0 "));
    let ours = lab.run(&check("docker", ""));
    assert_eq!(ours.stdout, theirs.stdout, "{}", theirs.stderr);
    lab.assert_clean();
}
