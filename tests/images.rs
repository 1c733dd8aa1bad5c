//! Images made and named locally: `commit` (a container's diff becomes a
//! layer), `tag`, `history`.

mod common;

use common::Lab;

#[test]
fn commit_turns_a_containers_changes_into_a_layer() {
    let lab = Lab::new();
    let run = lab.run("docker run --name c busybox sh -c 'echo hi > /hello.txt; rm /etc/group'");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let commit = lab.run("docker commit -m 'my change' c mine:v1");
    assert_eq!(commit.code, 0, "{}", commit.stderr);
    assert!(commit.stdout.starts_with("sha256:"), "{}", commit.stdout);
    // The new image is busybox's layer plus one: what the container added, and the deletion.
    let rt = lab.runtime();
    let mine = rt.images.resolve("mine:v1").unwrap();
    let busybox = rt.images.resolve("busybox").unwrap();
    assert_eq!(mine.layers.len(), 2);
    assert_eq!(mine.layers[0], busybox.layers[0]);
    let next = lab.run("docker run --rm mine:v1 sh -c 'cat /hello.txt; test -e /etc/group || echo gone'");
    assert_eq!(next.stdout, "hi\ngone\n", "{}", next.stderr);
    let history = lab.run("docker history mine:v1");
    let rows: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", history.stdout);
    // The step below is busybox's, which Docker names by busybox's ID, the commit's parent.
    let busybox_id = busybox.id.trim_start_matches("sha256:")[..12].to_owned();
    assert!(rows[1].contains("my change") && rows[2].starts_with(&busybox_id), "{}", history.stdout);
    lab.assert_clean();
}

#[test]
fn tag_gives_the_same_image_another_name() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    assert_eq!(lab.run("docker tag busybox myrepo/box:1.0").code, 0);
    let rt = lab.runtime();
    assert_eq!(rt.images.resolve("myrepo/box:1.0").unwrap().id, rt.images.resolve("busybox").unwrap().id);
    // Removing one name only untags.
    let rmi = lab.run("docker rmi myrepo/box:1.0");
    assert_eq!(rmi.stdout, "Untagged: myrepo/box:1.0\n");
    assert!(lab.runtime().images.resolve("busybox").is_ok());
    let missing = lab.run("docker tag nosuch x");
    assert_eq!((missing.stderr.as_str(), missing.code), ("Error response from daemon: No such image: nosuch:latest\n", 1));
}

#[test]
fn save_and_load_round_trip() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull docker/whalesay").code, 0);
    let archive = lab.root().join("whalesay.tar");
    assert_eq!(lab.run(&format!("docker save -o {} docker/whalesay", archive.display())).code, 0);
    let other = Lab::new();
    let load = other.run(&format!("docker load -i {}", archive.display()));
    assert_eq!((load.stdout.as_str(), load.code), ("Loaded image: docker/whalesay:latest\n", 0), "{}", load.stderr);
    assert_eq!(other.runtime().images.resolve("docker/whalesay").unwrap().id, lab.runtime().images.resolve("docker/whalesay").unwrap().id);
    assert!(other.run("docker run --rm docker/whalesay cowsay moo").stdout.contains("< moo >"));
    // Through a pipe, as `docker save IMAGE | docker load`.
    let third = Lab::new();
    let piped = third.run(&format!("cat {} | docker load", archive.display()));
    assert_eq!(piped.stdout, "Loaded image: docker/whalesay:latest\n", "{}", piped.stderr);
    let refused = lab.run("docker save docker/whalesay");
    assert_eq!(refused.stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
}

/// Both directions with a real Docker engine (`../shared/tools/real-docker`
/// starts one here): `cargo test --test images -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn images_move_between_whaleshell_and_real_docker() {
    let docker = |args: &[&str]| std::process::Command::new("docker").args(args).output().expect("docker");
    assert!(docker(&["info"]).status.success(), "no Docker engine is running");
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull docker/whalesay").code, 0);
    let ours = lab.root().join("ours.tar");
    assert_eq!(lab.run(&format!("docker save -o {} docker/whalesay", ours.display())).code, 0);
    assert!(docker(&["load", "-i", &ours.to_string_lossy()]).status.success());
    let said = docker(&["run", "--rm", "docker/whalesay", "cowsay", "from whaleshell"]);
    assert!(String::from_utf8_lossy(&said.stdout).contains("< from whaleshell >"));
    let _ = docker(&["rmi", "docker/whalesay"]);
    let theirs = lab.root().join("theirs.tar");
    assert!(docker(&["save", "-o", &theirs.to_string_lossy(), "busybox:latest"]).status.success());
    let other = Lab::new();
    assert_eq!(other.run(&format!("docker load -i {}", theirs.display())).stdout, "Loaded image: busybox:latest\n");
    assert_eq!(other.run("docker run --rm busybox echo from docker").stdout, "from docker\n");
}

#[test]
fn history_and_system_df_take_go_templates() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull -q busybox").code, 0);
    let table = lab.run("docker history --format 'table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedAt}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}' busybox");
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert_normalized_snapshot!("history_format_table", table.stdout);
    let json = lab.run("docker history --format '{{json .}}' busybox");
    assert_normalized_snapshot!("history_format_json", json.stdout);
    let bogus = lab.run("docker history --format '{{.Bogus}}' busybox");
    assert_eq!(
        (bogus.stderr.as_str(), bogus.code),
        ("template parsing error: template: :1:2: executing \"\" at <.Bogus>: can't evaluate field Bogus in type *image.historyContext\n", 1)
    );
    let df = lab.run("docker system df --format 'table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}'");
    assert_eq!(df.code, 0, "{}", df.stderr);
    assert_eq!(df.stdout, lab.run("docker system df").stdout, "the same table as without --format");
    assert_normalized_snapshot!("system_df_format_json", lab.run("docker system df --format '{{json .}}'").stdout);
    let bogus = lab.run("docker system df --format '{{.Bogus}}'");
    assert_eq!(
        (bogus.stderr.as_str(), bogus.code),
        ("template parsing error: template: :1:2: executing \"\" at <.Bogus>: can't evaluate field Bogus in type *formatter.diskUsageImagesContext\n", 1)
    );
    lab.assert_clean();
}

/// `system df -v --format`: one run of the template on Docker's
/// `diskUsageContext`, its lists holding `images`', `ps`'s and `volume ls`'s contexts.
#[test]
fn system_df_verbose_takes_a_template_over_everything() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull -q busybox").code, 0);
    assert_eq!(lab.run("docker create --name box -v data:/data busybox true").code, 0);
    let id = lab.run("docker image inspect -f '{{.Id}}' busybox").stdout.trim().to_owned();
    let run = lab.run(
        "docker system df -v --format '{{range .Images}}{{.Repository}}:{{.Tag}} {{.ID}} {{.Containers}} {{.UniqueSize}}|{{end}}{{range .Containers}}{{.Names}} {{.Size}} {{.LocalVolumes}} {{.Command}}|{{end}}{{range .Volumes}}{{.Name}} {{.Links}} {{.Driver}}{{end}}{{len .BuildCache}}'",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Alone, its layers are all its own; no newline after it, as Docker's.
    assert_eq!(run.stdout, format!("busybox:latest {id} 1 1.983MB|box 0B 1 \"true\"|data 1 local0"));
    let json: serde_json::Value = serde_json::from_str(&lab.run("docker system df -v --format '{{json .}}'").stdout).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Images", "Containers", "Volumes", "BuildCache"]);
    assert_eq!(json["Containers"][0]["Size"], "0B", "no virtual size");
    assert_eq!(json["BuildCache"], serde_json::json!([]));
    let bad = lab.run("docker system df -v --format 'x{{.Type}}'");
    assert_eq!(
        (bad.stdout.as_str(), bad.stderr.as_str(), bad.code),
        ("x", "template: :1:3: executing \"\" at <.Type>: can't evaluate field Type in type *formatter.diskUsageContext\n", 1)
    );
    assert_eq!(lab.run("docker system df -v --format 'table'").stdout, lab.run("docker system df -v").stdout);
    assert_eq!(lab.run("docker rm -v box").code, 0);
    assert_eq!(lab.run("docker volume rm data").code, 0);
    lab.assert_clean();
}

/// `{{.}}` in `images` and `history` prints the Go struct behind Docker
/// 20.10's context: `imageContext` with the API's `types.ImageSummary`,
/// `historyContext` with its `HistoryResponseItem`.
#[test]
fn the_raw_dot_of_images_and_history_is_dockers_go_struct() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull -q busybox").code, 0);
    let inspect = |f: &str| lab.run(&format!("docker image inspect -f '{f}' busybox")).stdout.trim().to_owned();
    let (id, size, digest) = (inspect("{{.Id}}"), inspect("{{.Size}}"), inspect("{{index .RepoDigests 0}}"));
    let created = chrono::DateTime::parse_from_rfc3339(&inspect("{{.Created}}")).unwrap().timestamp();
    let manifest = digest.split_once('@').unwrap().1.to_owned();
    assert_eq!(
        lab.run("docker images --format '{{.}}'").stdout,
        format!("{{{{<nil>}} true {{-1 {created} {id} map[]  [{digest}] [busybox:latest] -1 {size} {size}}} busybox latest {manifest}}}\n")
    );
    assert_eq!(
        lab.run("docker history --no-trunc -H=false --format '{{.}}' busybox").stdout,
        format!("{{{{<nil>}} false false {{ {created} /bin/sh -c #(nop) ADD file:busybox-static in /  {id} {size} [busybox:latest]}}}}\n")
    );
    lab.assert_clean();
}

/// `history -q`, `-H=false` (bytes, RFC 3339 under CREATED AT) and
/// `--no-trunc`, as Docker 20.10's `NewHistoryFormat` picks them.
#[test]
fn history_quiet_raw_and_untruncated() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull -q busybox").code, 0);
    let id = lab.run("docker image inspect -f '{{.Id}}' busybox").stdout.trim().to_owned();
    let size = lab.run("docker image inspect -f '{{.Size}}' busybox").stdout.trim().to_owned();
    let created = lab.run("docker image inspect -f '{{.Created}}' busybox").stdout;
    let created = chrono::DateTime::parse_from_rfc3339(created.trim()).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let short = &id["sha256:".len()..][..12];
    assert_eq!(lab.run("docker history -q busybox").stdout, format!("{short}\n"));
    assert_eq!(lab.run("docker history -q --no-trunc busybox").stdout, format!("{id}\n"));
    // The quiet format gives way to an explicit one.
    assert_eq!(lab.run("docker history -q --format '{{.ID}}:{{.Size}}' busybox").stdout, format!("{short}:1.98MB\n"));
    let raw = lab.run("docker history -H=false busybox");
    assert_eq!(raw.code, 0, "{}", raw.stderr);
    let lines: Vec<&str> = raw.stdout.lines().collect();
    assert_eq!(lines[0], "IMAGE          CREATED AT             CREATED BY                                      SIZE      COMMENT");
    assert_eq!(lines[1], format!("{short}   {created}   /bin/sh -c #(nop) ADD file:busybox-static in…   {size:<9} "));
    assert_eq!(lab.run("docker history --human=false --format '{{.CreatedSince}}|{{.Size}}' busybox").stdout, format!("{created}|{size}\n"));
    assert_eq!(lab.run("docker history -H --format '{{.Size}}' busybox").stdout, "1.98MB\n");
    let full = lab.run("docker history --no-trunc --format '{{.ID}}|{{.CreatedBy}}' busybox").stdout;
    assert_eq!(full, format!("{id}|/bin/sh -c #(nop) ADD file:busybox-static in / \n"));
    let bad = lab.run("docker history -H=maybe busybox");
    assert_eq!(bad.code, 125);
    assert!(
        bad.stderr.starts_with("invalid argument \"maybe\" for \"-H, --human\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n"),
        "{}",
        bad.stderr
    );
    lab.assert_clean();
}

#[test]
fn commit_change_sets_the_new_images_config() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker create --name box busybox true").code, 0);
    let line = "docker commit -c 'ENV A=1' -c 'LABEL k=v' -c 'EXPOSE 8080' -c 'ENTRYPOINT [\"echo\"]' --change 'WORKDIR srv' box changed:1";
    let run = lab.run(line);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let config = lab.run(
        "docker inspect -f '{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{.Config.Env}} {{.Config.Labels}} {{.Config.ExposedPorts}} {{.Config.WorkingDir}}' changed:1",
    );
    // What Docker 20.10 printed for the same commit: ENTRYPOINT resets CMD.
    assert_eq!(config.stdout, "null [\"echo\"] [PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin A=1] map[k:v] map[8080/tcp:{}] /srv\n");
    assert_eq!(lab.run("docker commit -c 'CMD [\"hi\"]' box changed:2").code, 0);
    assert_eq!(lab.run("docker inspect -f '{{json .Config.Cmd}} {{json .Config.Entrypoint}}' changed:2").stdout, "[\"hi\"] null\n");
    let refused = lab.run("docker commit -c 'RUN true' box changed:3");
    assert_eq!((refused.stderr.as_str(), refused.code), ("Error response from daemon: run is not a valid change command\n", 1));
    assert_eq!(lab.run("docker images -q changed:3").stdout, "", "nothing is stored for a refused change");
    assert_eq!(lab.run("docker rm box").code, 0);
    lab.assert_clean();
}

#[test]
fn commit_keeps_the_containers_config_and_pauses_it() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name c -e A=1 -w /tmp -u nobody -l x=y -v /data --stop-signal SIGUSR1 busybox sleep 300");
    let commit = lab.run("docker commit -c 'ENV B=2' c kept:1");
    assert_eq!(commit.code, 0, "{}", commit.stderr);
    let template = "{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{.Config.WorkingDir}} {{.Config.User}} {{.Config.Labels}} {{.Config.Volumes}} {{.Config.StopSignal}} {{.Config.Hostname}} {{.Config.Image}}";
    let short = &id[..12];
    // As Docker 20.10 printed for the same commit (the container's own config, the change on top).
    assert_eq!(lab.inspect(template, "kept:1"), format!("[\"sleep\",\"300\"] null /tmp nobody map[x:y] map[/data:{{}}] SIGUSR1 {short} busybox"));
    let env = lab.inspect("{{json .Config.Env}}", "kept:1");
    assert!(env.contains("\"A=1\"") && env.ends_with("\"B=2\"]"), "{env}");
    // The image runs as the container did.
    assert_eq!(lab.run("docker run --rm kept:1 sh -c 'echo $A $B; pwd; id -un'").stdout, "1 2\n/tmp\nnobody\n");
    // Paused while its files were read, as Docker's --pause (its default); not with -p=false.
    assert_eq!(lab.run("docker commit -p=false c kept:2").code, 0);
    let actions = lab.events_so_far("-f container=c -f event=pause -f event=unpause -f event=commit", "{{.Action}} {{.Actor.Attributes.imageRef}}");
    assert_eq!(actions, ["pause <no value>", "commit kept:1", "unpause <no value>", "commit kept:2"]);
    assert_eq!(lab.record(&id).state.status, Some(whaleshell_runtime::container::Status::Running));
    assert_eq!(lab.run("docker rm -f c").code, 0);
    lab.assert_clean();
}

/// Real Docker's commit of the same container, field by field:
/// `cargo test --test images -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn commit_keeps_the_config_as_real_docker_does() {
    let template = "{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{json .Config.Env}} {{.Config.WorkingDir}} {{.Config.User}} {{.Config.Labels}} {{.Config.Volumes}} {{.Config.StopSignal}}";
    let line = |docker: &str| {
        format!(
            "{docker} run -d --name whaleshell-commit-cmp -e A=1 -w /tmp -u 65534 -l x=y -v /data --stop-signal SIGUSR1 busybox sleep 300 >/dev/null && \
             {docker} commit -c 'ENV B=2' whaleshell-commit-cmp whaleshell-commit-cmp:1 >/dev/null && {docker} inspect -f '{template}' whaleshell-commit-cmp:1; \
             {docker} rm -f whaleshell-commit-cmp >/dev/null; {docker} rmi whaleshell-commit-cmp:1 >/dev/null"
        )
    };
    let lab = Lab::new();
    let ours = lab.run(&line("docker"));
    let theirs = common::real_docker(&line("docker"));
    assert_eq!(ours.stdout, theirs.stdout, "{}", theirs.stderr);
    lab.assert_clean();
}

/// Repository, tag and whether the ID is `id` for each row of `docker images ARGS`.
fn listed(lab: &Lab, args: &str) -> Vec<String> {
    let run = lab.run(&format!("docker images {args} --format '{{{{.Repository}}}}:{{{{.Tag}}}}'"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut rows: Vec<String> = run.stdout.lines().map(str::to_owned).collect();
    rows.sort();
    rows
}

#[test]
fn an_image_a_tag_moves_off_stays_dangling_until_pruned() {
    let lab = Lab::new();
    let ctx = lab.root().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    let build = |content: &str| {
        std::fs::write(ctx.join("Dockerfile"), format!("FROM busybox\nRUN echo {content} > /f\n")).unwrap();
        let run = lab.run(&format!("docker build -q -t built {}", ctx.display()));
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.trim().to_owned()
    };
    // build -t: the first result loses its name to the second.
    let first_build = build("one");
    build("two");
    // commit: the same.
    assert_eq!(lab.run("docker create --name c busybox true").code, 0);
    let first_commit = lab.run("docker commit c committed").stdout.trim().to_owned();
    assert_eq!(lab.run("docker commit c committed").code, 0);
    // tag: busybox takes `built`, so the second build's image has no name either.
    assert_eq!(lab.run("docker tag busybox built").code, 0);
    assert_eq!(listed(&lab, ""), ["<none>:<none>", "<none>:<none>", "<none>:<none>", "built:latest", "busybox:latest", "committed:latest"]);
    let dangling = lab.run("docker images -q --no-trunc -f dangling=true").stdout;
    assert!(dangling.contains(&first_build) && dangling.contains(&first_commit), "{dangling}");
    // load: the archive's tag moves back off busybox, which keeps its own.
    let archive = lab.root().join("committed.tar");
    assert_eq!(lab.run(&format!("docker save -o {} committed", archive.display())).code, 0);
    assert_eq!(lab.run("docker tag busybox committed").code, 0);
    assert_eq!(lab.run(&format!("docker load -i {}", archive.display())).code, 0);
    assert_eq!(listed(&lab, "-f dangling=true").len(), 3);
    // image prune removes what dangles, and only that.
    let prune = lab.run("docker image prune -f");
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert_eq!(listed(&lab, ""), ["built:latest", "busybox:latest", "committed:latest"]);
    assert_eq!(lab.run("docker rm c").code, 0);
    lab.assert_clean();
}

/// The same moves on real Docker leave the same images dangling (counted
/// by their IDs, removed by them: others may use that engine meanwhile):
/// `cargo test --test images -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn dangling_images_as_real_docker_leaves_them() {
    let lab = Lab::new();
    let ctx = lab.root().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    // `builder` names the classic builder for real Docker's client (Whaleshell has only that one).
    let line = |docker: &str, builder: &str| {
        let dockerfile = |n: &str| format!("printf 'FROM busybox\\nRUN echo {n} > /f\\n' > {}/Dockerfile", ctx.display());
        let build = format!("{builder}{docker} build -q -t whaleshell-dangling {}", ctx.display());
        format!(
            "{} && b=$({build}) && {} && {build} >/dev/null && {docker} create --name whaleshell-dangling busybox true >/dev/null && \
             c=$({docker} commit whaleshell-dangling whaleshell-dangling-c) && {docker} commit whaleshell-dangling whaleshell-dangling-c >/dev/null && \
             {docker} images -f dangling=true -q --no-trunc | grep -c -e $b -e $c; \
             {docker} rm whaleshell-dangling >/dev/null; {docker} rmi whaleshell-dangling whaleshell-dangling-c $b $c >/dev/null",
            dockerfile("one"),
            dockerfile("two")
        )
    };
    let theirs = common::real_docker(&line("docker", "DOCKER_BUILDKIT=0 "));
    let ours = lab.run(&line("docker", ""));
    assert_eq!((ours.stdout.as_str(), theirs.stdout.as_str()), ("2\n", "2\n"), "{}\n{}", ours.stderr, theirs.stderr);
    lab.assert_clean();
}

/// Docker 20.10's client words for a wrong number of arguments, and its exit code 1.
#[test]
fn commit_with_too_many_arguments_fails_as_dockers_client() {
    let lab = Lab::new();
    let run = lab.run("docker commit a b c");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("\"docker commit\" requires at least 1 and at most 2 arguments.\n"), "{}", run.stderr);
    let usage =
        "See 'docker commit --help'.\n\nUsage:  docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nCreate a new image from a container's changes\n";
    assert!(run.stderr.ends_with(usage), "{}", run.stderr);
}

/// Real Docker's client exits 1 too: `cargo test --test images -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn commit_with_too_many_arguments_exits_as_real_dockers_client() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker commit a b c").code, common::real_docker("docker commit a b c").code);
}
