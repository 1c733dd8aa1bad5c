//! `docker pause`/`unpause` (the cgroup freezer), `docker stats` (cgroup
//! counters) and `docker events` (the engine's event log), each against
//! Docker 20.10's outputs, errors and exit codes.

mod common;

use std::io::BufRead;
use std::process::Stdio;

use common::Lab;

/// The freezer's state of a container's cgroup, as the kernel reports it.
fn frozen(id: &str) -> bool {
    let v1 = std::fs::read_to_string(format!("/sys/fs/cgroup/freezer/whaleshell/{id}/freezer.state"));
    match v1 {
        Ok(state) => state.trim() == "FROZEN",
        Err(_) => std::fs::read_to_string(format!("/sys/fs/cgroup/whaleshell/{id}/cgroup.freeze")).is_ok_and(|s| s.trim() == "1"),
    }
}

/// What differs from run to run in a transcript: IDs, names, times, durations.
fn normalized(text: &str) -> String {
    let rules = [
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d)", "[TIME]"),
        (r"\b[0-9a-f]{64}\b", "[ID64]"),
        (r"\b[0-9a-f]{12}\b", "[ID]"),
        (r"Up (Less than a second|\d+ seconds?)", "Up [DURATION]"),
    ];
    rules.iter().fold(text.to_owned(), |t, (re, with)| regex::Regex::new(re).unwrap().replace_all(&t, *with).into_owned())
}

/// Each line run in turn, written down as a learner sees it: the line,
/// what it printed, and its exit code when not 0.
fn transcript(lab: &Lab, lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        let run = lab.run(line);
        out.push_str(&format!("$ {line}\n{}{}", run.stdout, run.stderr));
        if run.code != 0 {
            out.push_str(&format!("[exit {}]\n", run.code));
        }
    }
    normalized(&out)
}

/// Now as Unix seconds with nanoseconds, for `--until`: a duration such
/// as `0s` is cut to the second, in Docker as here.
fn now() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    format!("{}.{:09}", t.as_secs(), t.subsec_nanos())
}

/// `docker events` from the first event up to now, with more flags.
fn events(flags: &str) -> String {
    format!("docker events --since 0 --until {} {flags}", now())
}

/// The actions logged so far, oldest first (`docker events` up to now).
fn actions(lab: &Lab, filter: &str) -> Vec<String> {
    let run = lab.run(&events(&format!("{filter} --format '{{{{.Action}}}}'")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn pause_freezes_and_unpause_thaws() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name web busybox sleep 1000");
    assert_eq!(lab.run("docker pause web").stdout, "web\n");
    assert!(frozen(&id), "the freezer holds the container");
    let prefix = &id[..4];
    let paused = transcript(
        &lab,
        &[
            "docker pause web",
            "docker exec web true",
            &format!("docker exec {prefix} true"),
            "docker ps --format '{{.Names}} {{.Status}} {{.State}}'",
            "docker ps -f status=paused -q",
            "docker inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' web",
            "docker info -f '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}}'",
            "docker start web",
            "docker attach web",
            "docker rm web",
            "docker unpause web",
            "docker unpause web",
            "docker ps --format '{{.Names}} {{.Status}}'",
        ],
    );
    insta::assert_snapshot!("pause_unpause", paused.replace(&format!(" {prefix} "), " [PREFIX] "));
    assert!(!frozen(&id), "thawed");
    // It runs again: an exec works.
    assert_eq!(lab.run("docker exec web echo thawed").stdout, "thawed\n");
    let created = lab.run("docker create --name idle busybox true");
    assert_eq!(created.code, 0, "{}", created.stderr);
    let several = transcript(&lab, &["docker pause web idle nosuch", "docker container unpause web idle"]);
    insta::assert_snapshot!("pause_several", several);
    assert_eq!(lab.run("docker rm -f web idle").code, 0);
    lab.assert_clean();
}

#[test]
fn a_paused_container_can_be_stopped_killed_and_removed() {
    let lab = Lab::new();
    lab.run_detached("docker run -d --name box busybox sleep 1000");
    let lines = ["docker pause box", "docker stop -t 1 box", "docker ps -a --format '{{.Status}}'"];
    let stopped = transcript(&lab, &lines);
    assert!(stopped.contains("Exited (137)"), "{stopped}");
    // Docker's stop: the stop signal, the container thawed to take it, then SIGKILL after the grace time.
    assert_eq!(actions(&lab, "-f event=kill -f event=unpause -f event=die -f event=stop"), ["kill", "unpause", "kill", "die", "stop"]);
    let signals = lab.run(&events("-f event=kill --format '{{.Actor.Attributes.signal}}'")).stdout;
    assert_eq!(signals, "15\n9\n");
    for line in ["docker start box", "docker pause box", "docker kill box"] {
        let run = lab.run(line);
        assert_eq!((run.code, run.stdout.as_str()), (0, "box\n"), "{line}: {}", run.stderr);
    }
    assert_eq!(lab.run("docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}' box").stdout, "exited 137 false\n");
    for line in ["docker start box", "docker pause box", "docker rm -f box"] {
        let run = lab.run(line);
        assert_eq!((run.code, run.stdout.as_str()), (0, "box\n"), "{line}: {}", run.stderr);
    }
    assert!(lab.container_ids().is_empty());
    lab.assert_clean();
}

#[test]
fn stats_reads_the_cgroup() {
    let lab = Lab::new();
    lab.run_detached("docker run -d --name idle busybox sleep 1000");
    lab.run_detached("docker run -d --name busy busybox sh -c 'while :; do :; done'");
    let created = lab.run("docker create --name fresh busybox true");
    assert_eq!(created.code, 0, "{}", created.stderr);

    let table = lab.run("docker stats --no-stream idle busy");
    assert_eq!(table.code, 0, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O"), "{}", table.stdout);
    let row =
        regex::Regex::new(r"^[0-9a-f]{12}   (idle|busy) +\d+\.\d\d% +\d+(\.\d+)?(B|KiB|MiB) / \d+(\.\d+)?GiB +\d+\.\d\d% +\S+ / \S+ +\S+ / \S+ +1$").unwrap();
    assert_eq!(lines.len(), 3, "{}", table.stdout);
    assert!(lines[1..].iter().all(|l| row.is_match(l)), "{}", table.stdout);

    let fields = |line: &str| -> Vec<String> { lab.run(line).stdout.trim_end().split('|').map(str::to_owned).collect() };
    let busy = fields("docker stats --no-stream --format '{{.CPUPerc}}|{{.PIDs}}|{{.Name}}|{{.Container}}' busy");
    let cpu: f64 = busy[0].trim_end_matches('%').parse().unwrap();
    assert!(cpu > 1.0, "a busy loop uses CPU: {busy:?}");
    assert_eq!(&busy[1..], ["1", "busy", "busy"]);
    // A container that is not running reads zeros, as Docker's do.
    let fresh = lab.run("docker stats --no-stream -a --format '{{.Name}}: {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDs}}' fresh");
    assert_eq!(fresh.stdout, "fresh: 0.00% 0B / 0B 0.00% 0B / 0B 0B / 0B 0\n");
    // Without names: the running ones (every one with -a), named by short ID.
    let listed = lab.run("docker stats --no-stream --format '{{.Name}} {{.Container}}'").stdout;
    let mut names: Vec<&str> = listed.lines().map(|l| l.split(' ').next().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["busy", "idle"]);
    assert!(listed.lines().all(|l| regex::Regex::new(r"^\w+ [0-9a-f]{12}$").unwrap().is_match(l)), "{listed}");
    assert_eq!(lab.run("docker container stats --no-stream -a --format '{{.Name}}'").stdout.lines().count(), 3);
    let json: serde_json::Value = serde_json::from_str(&lab.run("docker stats --no-stream --format '{{json .}}' idle").stdout).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"]);

    let errors = transcript(
        &lab,
        &[
            "docker stats --no-stream nosuch idle",
            "docker stats --no-stream --format '{{.Foo}}' idle",
            "docker stats --no-stream --format '{{.Foo' idle",
            "docker stats --no-stream --format 'table {{.Name}}\\t{{.PIDs}}' idle",
        ],
    );
    insta::assert_snapshot!("stats_errors_and_tables", errors);
    assert_eq!(lab.run("docker rm -f idle busy fresh").code, 0);
    lab.assert_clean();
}

/// `{{.}}` prints the Go struct behind the context, as Docker 20.10 does:
/// `ps`'s `ContainerContext` with the API's `types.Container`, `stats`'s
/// `statsContext` with its `StatsEntry` of floats.
#[test]
fn the_raw_dot_prints_dockers_go_structs() {
    let lab = Lab::new();
    let port = common::free_port();
    let id = lab.run_detached(&format!("docker run -d --name web -l tier=front -v /tmp:/data -p {port}:80 busybox sleep 1000"));
    let image = lab.run("docker inspect -f '{{.Image}}' web").stdout;
    let created = lab.run("docker inspect -f '{{.Created}}' web").stdout;
    let created = chrono::DateTime::parse_from_rfc3339(created.trim()).unwrap().timestamp();
    let ps = lab.run("docker ps --format '{{.}}'");
    assert_eq!(ps.code, 0, "{}", ps.stderr);
    let ps = regex::Regex::new(r"Up [^{]+ \{default\} 0xc[0-9a-f]{10}").unwrap().replace(&ps.stdout, "Up [DURATION] {default} [ADDRESS]").into_owned();
    assert_eq!(
        ps,
        format!(
            "{{{{<nil>}} true {{{id} [/web] busybox {} sleep 1000 {created} [{{0.0.0.0 80 {port} tcp}}] 0 0 map[tier:front] running Up [DURATION] {{default}} [ADDRESS] [{{bind  /tmp /data   true rprivate}}]}} map[]}}\n",
            image.trim()
        )
    );
    assert!(lab.run("docker ps --no-trunc --format '{{.}}'").stdout.starts_with("{{<nil>} false {"));
    let stats = lab.run("docker stats --no-stream --format '{{.}}' web");
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    let entry = regex::Regex::new(&format!(
        r"^\{{\{{<nil>\}} \{{web /web {id} [0-9.e+-]+ [0-9.e+-]+ [0-9.e+-]+ [0-9.e+-]+ [0-9.e+-]+ [0-9.e+-]+ [0-9.e+-]+ [0-9.e+-]+ 1 false\}} linux true\}}\n$"
    ))
    .unwrap();
    assert!(entry.is_match(&stats.stdout), "{}", stats.stdout);
    assert_eq!(lab.run("docker rm -f web").code, 0);
    lab.assert_clean();
}

#[test]
fn stats_redraws_until_interrupted() {
    let lab = Lab::new();
    lab.run_detached("docker run -d --name idle busybox sleep 1000");
    let mut child = lab.command().args(["-c", "docker stats idle"]).stdin(Stdio::null()).stdout(Stdio::piped()).spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    // Two frames: the screen cleared, then each redraw from the top.
    let mut seen = String::new();
    while seen.matches("\x1b[H").count() < 2 {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "stats ended: {seen:?}");
        seen.push_str(&line);
    }
    assert!(seen.starts_with("\x1b[2J\x1b[HCONTAINER ID   NAME"), "{seen:?}");
    assert!(seen.contains("\x1b[J\x1b[HCONTAINER ID"), "{seen:?}");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(lab.run("docker rm -f idle").code, 0);
    lab.assert_clean();
}

#[test]
fn events_tell_what_happened_in_dockers_words() {
    let lab = Lab::new();
    let lines = [
        "docker run -d --name web -l tier=front busybox sleep 1000",
        "docker exec web true",
        "docker exec web sh -c 'exit 3'",
        "docker rename web site",
        "docker rm -f site",
        "docker tag busybox mybox:1",
        "docker rmi mybox:1",
        "docker volume create data",
        "docker volume rm data",
        "docker run --rm --name once busybox true",
    ];
    for line in lines {
        let code = if line.contains("exit 3") { 3 } else { 0 };
        assert_eq!(lab.run(line).code, code, "{line}");
    }
    let all = lab.run(&events(""));
    assert_eq!(all.code, 0, "{}", all.stderr);
    insta::assert_snapshot!("events_plain", normalized(&all.stdout));
    let filters = [
        "-f event=die --format '{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}'",
        "-f container=site -f event=kill -f event=rename",
        "-f type=image --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}'",
        "-f type=volume --format '{{json .}}'",
        "-f label=tier=front -f event=create --format json",
        "-f event=exec_create --format '{{.Action}}|{{.From}}|{{.Scope}}'",
        "-f image=busybox -f type=container --format '{{.Action}}'",
        "-f type=nothing",
    ];
    let mut filtered = String::new();
    for flags in filters {
        let run = lab.run(&events(flags));
        assert_eq!(run.code, 0, "{flags}: {}", run.stderr);
        filtered.push_str(&format!("$ docker events --since 0 --until NOW {flags}\n{}", run.stdout));
    }
    let filtered = regex::Regex::new(r#""(time|timeNano)":\d+"#).unwrap().replace_all(&filtered, r#""$1":[N]"#).into_owned();
    insta::assert_snapshot!("events_filtered", normalized(&filtered));
    let errors = transcript(
        &lab,
        &[
            "docker events --since bogus",
            "docker events --until 2026-13-01",
            "docker events --since 2026-12-0x",
            "docker events --since 1796289306 --until 1796289305.5",
            "docker events -f type",
            "docker events --format '{{.Foo}}'",
            "docker events --format '{{.Foo'",
            "docker system events --since 0 --until 1796289305 -f type=nothing",
        ],
    );
    insta::assert_snapshot!("events_errors", errors);
    lab.assert_clean();
}

#[test]
fn events_follow_the_log_until_interrupted() {
    let lab = Lab::new();
    let run = lab.run("docker run --name first busybox true");
    assert_eq!(run.code, 0, "{}", run.stderr);
    // --since without --until: the past, then what comes, until Ctrl-C.
    let mut child = lab
        .command()
        .args(["-c", "docker events --since 0 -f event=start -f event=die --format '{{.Action}} {{.Actor.Attributes.name}}'"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut read = |n: usize| -> Vec<String> {
        (0..n)
            .map(|_| {
                let mut line = String::new();
                assert!(out.read_line(&mut line).unwrap() > 0, "events ended");
                line.trim_end().to_owned()
            })
            .collect()
    };
    assert_eq!(read(2), ["start first", "die first"]);
    let run = lab.run("docker run --name second busybox true");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(2), ["start second", "die second"]);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(lab.run("docker rm first second").code, 0);
    lab.assert_clean();
}

/// The lines whose events the next two tests compare; `{dir}` is a scratch directory.
fn more_event_lines(docker: &str, dir: &std::path::Path, builder: &str) -> Vec<String> {
    let dir = dir.display();
    vec![
        format!("{docker} run -d --name whaleshell-ev -v whaleshell-ev:/data busybox sleep 1000"),
        format!("{docker} exec whaleshell-ev sh -c 'exit 2'"),
        format!("{docker} exec -d whaleshell-ev true"),
        format!("{docker} export -o {dir}/fs.tar whaleshell-ev"),
        format!("{docker} save -o {dir}/busybox.tar busybox"),
        format!("{docker} load -i {dir}/busybox.tar"),
        format!("{docker} import {dir}/fs.tar whaleshell-ev-imported:1"),
        format!("printf 'FROM busybox\\n' > {dir}/Dockerfile && {builder}{docker} build -q -t whaleshell-ev-built {dir}"),
        format!("{docker} rm -f whaleshell-ev"),
    ]
}

/// Type, action and attribute keys of the events these lines cause.
const MORE_EVENTS: &str = "-f event=exec_die -f event=mount -f event=unmount -f event=export -f event=save -f event=load -f event=import -f event=tag";
const EVENT_SHAPE: &str = "{{.Type}} {{.Action}}:{{range $k, $v := .Actor.Attributes}} {{$k}}{{end}}";

#[test]
fn events_of_exec_d_volumes_export_save_load_import_and_build() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    for line in more_event_lines("docker", lab.root(), "") {
        let run = lab.run(&line);
        assert!(run.code == 0 || line.contains("exit 2"), "{line}: {}", run.stderr);
    }
    // `exec -d`'s process ends on its own; its helper logs exec_die then.
    lab.wait_until("exec -d's exec_die", || lab.events_so_far("-f event=exec_die", "{{.Action}}").len() == 2);
    let template = "{{.Type}} {{.Action}} {{.Actor.ID}} {{json .Actor.Attributes}}";
    let events = lab.events_so_far(MORE_EVENTS, template).join("\n");
    let events = regex::Regex::new(r"[0-9a-f]{64}").unwrap().replace_all(&events, "[ID]");
    insta::assert_snapshot!("events_more", events);
    assert_eq!(lab.run("docker volume rm whaleshell-ev").code, 0);
    lab.assert_clean();
}

/// The same lines on real Docker cause the same events, with the same
/// attributes: `cargo test --test stats_events -- --ignored`. Only the
/// events of these lines' objects count: others may use that engine meanwhile.
#[test]
#[ignore = "needs a running Docker engine"]
fn more_events_as_real_dockers() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let since = common::real_docker("date +%s").stdout.trim().to_owned();
    for line in more_event_lines("docker", lab.root(), "DOCKER_BUILDKIT=0 ") {
        common::real_docker(&line);
    }
    for line in more_event_lines("docker", lab.root(), "") {
        lab.run(&line);
    }
    lab.wait_until("exec -d's exec_die", || lab.events_so_far("-f event=exec_die", "{{.Action}}").len() == 2);
    let ids = "docker inspect -f '{{.Id}}' busybox whaleshell-ev-imported:1";
    let template = format!("{{{{.Actor.ID}}}}|{{{{.Actor.Attributes.name}}}}|{EVENT_SHAPE}");
    let theirs = common::real_docker(&format!("sleep 1; docker events --since {since} --until $(date +%s) {MORE_EVENTS} --format '{template}'"));
    let their_ids = common::real_docker(ids).stdout;
    common::real_docker("docker volume rm whaleshell-ev; docker rmi whaleshell-ev-imported:1 whaleshell-ev-built");
    let our_ids = lab.run(ids).stdout;
    let ours = lab.events_so_far(MORE_EVENTS, &template).join("\n");
    let of_these_lines = |events: &str, ids: &str| -> Vec<String> {
        let mut shapes: Vec<String> = events
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, '|');
                let (id, name, shape) = (parts.next()?, parts.next()?, parts.next()?);
                (name.starts_with("whaleshell-ev") || id == "whaleshell-ev" || ids.lines().any(|i| i == id)).then(|| shape.to_owned())
            })
            .collect();
        // Real Docker may log an image's events in another order: compare as sets.
        shapes.sort();
        shapes
    };
    let ours = of_these_lines(&ours, &our_ids);
    assert_eq!(ours.len(), 10, "{ours:?}");
    assert_eq!(ours, of_these_lines(&theirs.stdout, &their_ids));
    assert_eq!(lab.run("docker volume rm whaleshell-ev").code, 0);
    lab.assert_clean();
}
