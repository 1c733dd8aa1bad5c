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
    // Metadata steps add no layer: busybox's layer + COPY + RUN.
    assert_eq!(lab.runtime().images.resolve("app:base").unwrap().layers.len(), 3);
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
    assert!(run.stderr.starts_with("Error response from daemon: dockerfile parse error on line 3: unknown instruction: FROB\n"), "{}", run.stderr);
    assert!(run.stderr.contains("Dockerfile:3:1\n  FROB x\n  ^"), "{}", run.stderr);
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
