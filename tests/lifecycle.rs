//! The container lifecycle on real containers: detached runs that outlive
//! the shell that started them, logs, exec, stop/kill/start, attach, PID 1.
//! Every `lab.run` is a separate whaleshell process, as if the learner had
//! quit and reopened the REPL between commands.

mod common;

use common::Lab;
use whaleshell_runtime::container::Status;

#[test]
fn detached_containers_outlive_the_shell_and_stop_like_dockers() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d busybox tail -f /dev/null");
    let record = lab.record(&id);
    assert_eq!(record.status(), Status::Running);
    let ps = lab.run("docker ps");
    assert!(ps.stdout.contains(&id[..12]) && ps.stdout.contains("Up "), "{}", ps.stdout);
    // PID 1 has no handler for SIGTERM: killing it from inside does nothing…
    assert_eq!(lab.run(&format!("docker exec {id} kill 1")).code, 0);
    assert_eq!(lab.run(&format!("docker exec {id} kill -9 1")).code, 0);
    assert_eq!(lab.record(&id).status(), Status::Running, "PID 1 ignores signals from inside");
    // …and `docker stop` waits out the grace period, then SIGKILLs from the host.
    let started = std::time::Instant::now();
    let stop = lab.run(&format!("docker stop -t 1 {}", &id[..12]));
    assert_eq!((stop.stdout.trim(), stop.code), (&id[..12], 0));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "stop must wait for the grace period");
    let record = lab.record(&id);
    assert_eq!((record.status(), record.state.exit_code), (Status::Exited, Some(137)));
    assert!(lab.run("docker ps -a").stdout.contains("Exited (137)"));
    lab.assert_clean();
}

#[test]
fn a_pid_1_that_handles_sigterm_stops_at_once() {
    let lab = Lab::new();
    let id = lab.run_detached(r#"docker run -d busybox sh -c 'trap "exit 0" TERM; touch /trapped; while true; do sleep 0.1; done'"#);
    // Stop only once the handler is in place (it marks that with a file).
    assert_eq!(lab.run(&format!("docker exec {id} sh -c 'until [ -e /trapped ]; do sleep 0.01; done'")).code, 0);
    let started = std::time::Instant::now();
    assert_eq!(lab.run(&format!("docker stop {id}")).code, 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "it handled SIGTERM, no 10 s wait");
    assert_eq!(lab.record(&id).state.exit_code, Some(0));
    lab.assert_clean();
}

#[test]
fn logs_keep_stdout_and_stderr() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name talker busybox sh -c 'echo one; echo two >&2; echo three'");
    // -f follows until the container exits, so no waiting is needed.
    let follow = lab.run("docker logs -f talker");
    assert_eq!(follow.code, 0);
    assert_eq!(follow.stdout, "one\nthree\n");
    assert_eq!(follow.stderr, "two\n");
    // stdout and stderr are separate pipes, so only each stream's own order is kept.
    assert_eq!(lab.run("docker run --name counter busybox sh -c 'echo 1; echo 2; echo 3'").code, 0);
    assert_eq!(lab.run("docker logs --tail 2 counter").stdout, "2\n3\n");
    let stamped = lab.run(&format!("docker logs -t {}", &id[..6]));
    let stamped_lines: Vec<&str> = stamped.stdout.lines().chain(stamped.stderr.lines()).collect();
    assert_eq!(stamped_lines.len(), 3, "every line, each stamped: {stamped_lines:?}");
    assert!(stamped_lines.iter().all(|l| l.len() > 30 && l.contains('T') && l.contains("Z ")), "{stamped_lines:?}");
    assert!(stamped.stdout.lines().map(|l| l.split_once("Z ").map(|(_, text)| text)).eq([Some("one"), Some("three")]), "{}", stamped.stdout);
    // Foreground runs are logged too, as in Docker.
    assert_eq!(lab.run("docker run --name fg busybox echo hello").stdout, "hello\n");
    assert_eq!(lab.run("docker logs fg").stdout, "hello\n");
}

#[test]
fn exec_runs_in_the_containers_namespaces() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d -e FROM_RUN=1 busybox sleep 1000");
    let exec = lab.run(&format!("docker exec -e EXTRA=2 -w /tmp {id} sh -c 'echo $FROM_RUN $EXTRA $(pwd) $(hostname)'"));
    assert_eq!(exec.stdout, format!("1 2 /tmp {}\n", &id[..12]));
    let code = lab.run(&format!("docker exec {id} sh -c 'exit 4'"));
    assert_eq!(code.code, 4);
    // Docker 20.10's exec says 126 where run says 127.
    let missing = lab.run(&format!("docker exec {id} bash"));
    assert_eq!(missing.code, 126);
    assert!(missing.stderr.contains(r#"exec: "bash": executable file not found in $PATH"#), "{}", missing.stderr);
    // PID 1 inside is an ordinary host process outside: top and inspect show its host PID.
    let pid = lab.record(&id).state.pid.unwrap();
    let top = lab.run(&format!("docker top {id}"));
    assert!(top.stdout.lines().any(|l| l.split_whitespace().nth(1) == Some(&pid.to_string())), "{}", top.stdout);
    let inspect: serde_json::Value = serde_json::from_str(&lab.run(&format!("docker inspect {id}")).stdout).unwrap();
    assert_eq!(inspect[0]["State"]["Pid"], pid);
    assert_eq!(inspect[0]["State"]["Status"], "running");
    assert_eq!(lab.run(&format!("docker rm -f {id}")).code, 0);
    let stopped = lab.run(&format!("docker exec {id} true"));
    assert_eq!(stopped.code, 1);
    lab.assert_clean();
}

#[test]
fn start_keeps_the_writable_layer_and_kill_sends_signals() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run --name keep busybox sh -c 'echo kept > /note'").code, 0);
    assert_eq!(lab.run("docker start keep").stdout, "keep\n");
    let id = lab.record("keep").id;
    // The restarted container sees the file its first run wrote.
    let exec = lab.run("docker start -a keep");
    assert_eq!(exec.code, 0);
    lab.run_detached("docker run -d --name sleeper busybox sleep 1000");
    let kill = lab.run("docker kill -s TERM sleeper");
    assert_eq!(kill.code, 0, "{}", kill.stderr);
    assert_eq!(lab.record("sleeper").status(), Status::Running, "sleep as PID 1 ignores SIGTERM");
    assert_eq!(lab.run("docker kill sleeper").stdout, "sleeper\n");
    assert_eq!(lab.record("sleeper").state.exit_code, Some(137));
    let again = lab.run("docker kill sleeper");
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("is not running"), "{}", again.stderr);
    let upper = lab.root().join("containers").join(id).join("upper/note");
    assert_eq!(std::fs::read_to_string(upper).unwrap(), "kept\n");
    lab.assert_clean();
}

#[test]
fn rm_refuses_a_running_container_unless_forced() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name busy busybox sleep 1000");
    let refused = lab.run("docker rm busy");
    assert_eq!(refused.code, 1);
    assert_eq!(
        refused.stderr,
        format!("Error response from daemon: You cannot remove a running container {id}. Stop the container before attempting removal or force remove\n")
    );
    assert_eq!(lab.record(&id).status(), Status::Running);
    assert_eq!(lab.run("docker rm -f busy").stdout, "busy\n");
    assert!(lab.container_ids().is_empty());
    lab.assert_clean();
}

#[test]
fn rm_applies_to_detached_containers_when_they_exit() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --rm busybox sleep 1000");
    assert_eq!(lab.run(&format!("docker stop -t 0 {id}")).code, 0);
    assert!(lab.container_ids().is_empty(), "--rm removed it on exit");
    lab.assert_clean();
}

#[test]
fn a_container_whose_monitor_died_shows_as_exited() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d busybox sleep 1000");
    let monitor = lab.record(&id).state.monitor_pid.unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(monitor), nix::sys::signal::Signal::SIGKILL).unwrap();
    whaleshell_runtime::process::wait_exit(monitor);
    // The first look at it ends what the monitor left running (PID 1, SIGKILLed: 137).
    assert_eq!(lab.record(&id).status(), Status::Exited);
    assert!(lab.run("docker ps -a").stdout.contains("Exited (137)"));
    // Removing it cleans up the rest.
    assert_eq!(lab.run(&format!("docker rm {id}")).code, 0);
    lab.assert_clean();
}

#[test]
fn detach_keys_leave_it_running_and_attach_comes_back() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let (text, code) = lab.run_on_terminal("docker run -it --name box busybox", &[("# ", b"touch /here; echo rea\"dy\"\n"), ("ready", b"\x10\x11")]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(lab.record("box").status(), Status::Running, "Ctrl-P Ctrl-Q detached: {text}");
    let (text, code) = lab.run_on_terminal("docker attach box", &[("", b"ls /here && exit 3\n")]);
    assert!(text.contains("/here"), "{text:?}");
    assert_eq!(code, Some(3));
    assert_eq!(lab.record("box").status(), Status::Exited);
    lab.assert_clean();
}

#[test]
fn exec_it_gives_a_terminal_and_leaves_the_container_running() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d busybox tail -f /dev/null");
    let (text, code) = lab.run_on_terminal(&format!("docker exec -it {id} sh"), &[("# ", b"echo $$ $(tty)\nexit\n")]);
    assert!(text.contains("/dev/pts/"), "{text:?}");
    assert_eq!(code, Some(0));
    assert_eq!(lab.record(&id).status(), Status::Running);
}

#[test]
fn prune_removes_stopped_containers_only() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run busybox sh -c 'echo x > /x'").code, 0);
    let running = lab.run_detached("docker run -d busybox sleep 1000");
    let prune = lab.run("docker container prune -f");
    assert_eq!(prune.code, 0);
    assert!(prune.stdout.starts_with("Deleted Containers:\n"), "{}", prune.stdout);
    assert!(prune.stdout.ends_with("\nTotal reclaimed space: 2B\n"), "{}", prune.stdout);
    assert_eq!(lab.container_ids(), vec![running]);
    let declined = lab.run("echo n | docker container prune");
    assert!(declined.stdout.contains("Are you sure you want to continue? [y/N]"));
}

#[test]
fn two_shells_at_once_never_lose_a_container() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let children: Vec<_> = (0..6).map(|i| lab.command().arg("-c").arg(format!("docker run --name c{i} busybox true")).spawn().unwrap()).collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let names: std::collections::BTreeSet<String> = lab.runtime().containers.list().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names.len(), 6);
    lab.assert_clean();
}

#[test]
fn init_forwards_signals_and_runs_as_pid_1() {
    let lab = Lab::new();
    let ps = lab.run("docker run --rm --init busybox ps -o pid,args");
    assert!(ps.stdout.contains("1 /sbin/docker-init -- ps"), "{}", ps.stdout);
    let id = lab.run_detached("docker run -d --init busybox sleep 1000");
    // Stop once tini has started its child (and so handles signals).
    assert_eq!(lab.run(&format!("docker exec {id} sh -c 'until pidof sleep >/dev/null; do sleep 0.01; done'")).code, 0);
    let started = std::time::Instant::now();
    assert_eq!(lab.run(&format!("docker stop {id}")).code, 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "tini passed SIGTERM on to sleep");
    assert_eq!(lab.record(&id).state.exit_code, Some(143));
    lab.assert_clean();
}

#[test]
fn create_makes_a_container_that_start_runs_and_wait_reports() {
    let lab = Lab::new();
    let created = lab.run("docker create --name later busybox sh -c 'exit 3'");
    assert_eq!(created.code, 0, "{}", created.stderr);
    let id = created.stdout.trim().to_owned();
    assert_eq!(id.len(), 64, "create prints the full ID: {id}");
    assert_eq!(lab.record(&id).status(), Status::Created);
    assert!(lab.run("docker ps -a").stdout.contains("Created"));
    // create has run's flags except -d, refused in pflag's words.
    let detach = lab.run("docker create -d busybox");
    assert_eq!(detach.code, 125);
    assert_normalized_snapshot!("create_detach", detach.stderr);
    assert_eq!(lab.run("docker start later").code, 0);
    // wait prints each exit code as the container ends, then the errors.
    let wait = lab.run("docker wait later nosuch");
    assert_eq!((wait.stdout.as_str(), wait.stderr.as_str(), wait.code), ("3\n", "Error response from daemon: No such container: nosuch\n", 1));
    assert_eq!(lab.record(&id).state.exit_code, Some(3));
    lab.assert_clean();
}

#[test]
fn wait_blocks_until_a_running_container_ends() {
    let lab = Lab::new();
    // The go signal comes from the host through a bind mount: an exec'd
    // `touch` could itself be killed as the container ends (its PID 1 exits
    // at once), as in Docker.
    let signals = lab.root().join("signals");
    std::fs::create_dir_all(&signals).unwrap();
    let id = lab.run_detached(&format!("docker run -d -v {}:/sig busybox sh -c 'until [ -e /sig/go ]; do sleep 0.05; done; exit 7'", signals.display()));
    assert_eq!(lab.record(&id).status(), Status::Running);
    let mut wait = lab.command();
    wait.args(["-c", &format!("docker wait {id}")]).stdout(std::process::Stdio::piped());
    let waiting = wait.spawn().expect("whaleshell starts");
    std::fs::write(signals.join("go"), "").unwrap();
    let out = waiting.wait_with_output().expect("wait ends");
    assert_eq!((String::from_utf8_lossy(&out.stdout).as_ref(), out.status.code()), ("7\n", Some(0)));
    lab.assert_clean();
}

#[test]
fn rename_keeps_the_container_and_refuses_taken_names() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name first busybox true");
    assert_eq!(lab.run("docker run --name other busybox true").code, 0);
    assert_eq!(lab.run("docker rename first second").code, 0);
    assert_eq!(lab.record(&id).name, "second");
    assert!(lab.run("docker ps -a --no-trunc").stdout.contains("second"));
    let same = lab.run("docker rename second second");
    let taken = lab.run("docker rename second other");
    let invalid = lab.run("docker rename second 'bad name'");
    assert_eq!((same.code, taken.code, invalid.code), (1, 1, 1));
    assert_normalized_snapshot!("rename_errors", format!("{}{}{}", same.stderr, taken.stderr, invalid.stderr));
    assert_eq!(lab.record(&id).name, "second", "a refused rename changes nothing");
    lab.assert_clean();
}

#[test]
fn diff_lists_what_the_writable_layer_added_changed_and_deleted() {
    let lab = Lab::new();
    let made = lab.run("docker run --name changer busybox sh -c 'mkdir /tmp/new; echo hi > /tmp/new/file; rm /etc/group; echo x >> /etc/passwd'");
    assert_eq!(made.code, 0, "{}", made.stderr);
    let diff = lab.run("docker diff changer");
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert_eq!(diff.stdout, "C /etc\nD /etc/group\nC /etc/passwd\nC /tmp\nA /tmp/new\nA /tmp/new/file\n");
    assert_eq!(lab.run("docker container diff nosuch").stderr, "Error response from daemon: No such container: nosuch\n");
    lab.assert_clean();
}

/// The leak check every test ends with knows removed containers too, and
/// fails while a container still runs.
#[test]
fn assert_clean_covers_every_container_ever_created() {
    let lab = Lab::new();
    let gone = lab.run("docker create busybox true").stdout.trim().to_owned();
    assert_eq!(lab.run(&format!("docker rm {gone}")).code, 0);
    assert!(lab.every_container_id().contains(&gone), "{gone} missing from {:?}", lab.every_container_id());
    let running = lab.run_detached("docker run -d busybox sleep 1000");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lab.assert_clean()));
    assert!(caught.is_err(), "assert_clean passed with {running} running");
    assert_eq!(lab.run(&format!("docker rm -f {running}")).code, 0);
    lab.assert_clean();
}

/// `docker exec` as Docker 20.10's: `-u` from the container's files,
/// `HOSTNAME` in the environment, 126 for a program that cannot start.
#[test]
fn exec_takes_a_user_sets_hostname_and_fails_as_docker() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d busybox sleep 1000");
    let out = |line: &str| {
        let run = lab.run(line);
        (run.stdout, run.stderr, run.code)
    };
    let env = out(&format!("docker exec {id} env")).0;
    assert!(env.lines().any(|l| l == format!("HOSTNAME={}", &id[..12])), "{env}");
    assert_eq!(out(&format!("docker exec -u 1000 {id} id")).0, "uid=1000 gid=0(root) groups=0(root)\n");
    assert_eq!(out(&format!("docker exec -u 1000:1000 {id} id")).0, "uid=1000 gid=1000 groups=1000\n");
    assert_eq!(out(&format!("docker exec --user nobody {id} id -un")).0, "nobody\n");
    assert_eq!(out(&format!("docker exec -u ghost {id} id")), (String::new(), "unable to find user ghost: no matching entries in passwd file\n".into(), 126));
    assert_eq!(
        out(&format!("docker exec {id} nosuch")),
        (
            String::new(),
            "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown\n".into(),
            126
        )
    );
    assert_eq!(out(&format!("docker exec {id} /etc/passwd")).2, 126);
    // Config.Env is the image's and the user's, as in Docker: no HOSTNAME, no HOME.
    assert_eq!(out(&format!("docker inspect -f '{{{{.Config.Env}}}}' {id}")).0, "[PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin]\n");
    assert_eq!(lab.run(&format!("docker rm -f {id}")).code, 0);
    lab.assert_clean();
}

/// The environment as Docker 20.10 makes it: PATH, HOSTNAME, TERM (with
/// -t), the container's Config.Env, `exec -e`, then HOME from the user's
/// /etc/passwd entry (busybox's nobody lives in /home), unless set.
#[test]
fn home_follows_the_user_and_env_is_in_dockers_order() {
    let lab = Lab::new();
    let run = |line: &str| {
        let run = lab.run(line);
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
        run.stdout
    };
    let env = run("docker run --rm -h h -e A=1 busybox env");
    assert_eq!(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=h\nA=1\nHOME=/root\n");
    assert_eq!(run("docker run --rm -u nobody busybox sh -c 'echo $HOME'"), "/home\n");
    assert_eq!(run("docker run --rm -u 1234 busybox sh -c 'echo $HOME'"), "/\n");
    assert_eq!(run("docker run --rm -u nobody -e HOME=/x busybox sh -c 'echo $HOME'"), "/x\n");
    let id = lab.run_detached("docker run -d -h h -e A=1 -u nobody busybox sleep 1000");
    // Config.Env: the -e variables, then the image's; no HOSTNAME, TERM or HOME.
    assert_eq!(lab.inspect("{{json .Config.Env}}", &id), r#"["A=1","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]"#);
    assert_eq!(run(&format!("docker exec {id} sh -c 'echo $HOME'")), "/home\n");
    assert_eq!(run(&format!("docker exec -u root {id} sh -c 'echo $HOME'")), "/root\n");
    let exec_env = run(&format!("docker exec -e B=2 -e A=3 {id} env"));
    assert_eq!(exec_env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=h\nA=3\nB=2\nHOME=/home\n");
    assert_eq!(lab.run(&format!("docker rm -f {id}")).code, 0);
    lab.assert_clean();
}

/// The same lines on real Docker, whose busybox has no `nobody` (an image
/// built on it adds one): `cargo test --test lifecycle -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn home_and_env_order_match_real_docker() {
    let lab = Lab::new();
    let ctx = lab.root().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nRUN grep -q ^nobody: /etc/passwd || echo nobody:x:65534:65534:nobody:/home:/bin/false >> /etc/passwd\n",
    )
    .unwrap();
    let lines = |docker: &str| {
        [
            format!("{docker} run --rm -h h -e A=1 whaleshell-home env"),
            format!("{docker} run --rm -h h -t -e A=1 whaleshell-home env"),
            format!("{docker} run --rm -u nobody whaleshell-home sh -c 'echo $HOME'"),
            format!("{docker} run --rm -u 1234 whaleshell-home sh -c 'echo $HOME'"),
            format!("{docker} run -d --name whaleshell-home -h h -e A=1 -u nobody whaleshell-home sleep 1000 >/dev/null; {docker} inspect -f '{{{{json .Config.Env}}}}' whaleshell-home; {docker} exec -t -e B=2 whaleshell-home env; {docker} exec -u root whaleshell-home sh -c 'echo $HOME'; {docker} rm -f whaleshell-home >/dev/null"),
        ]
    };
    assert!(common::real_docker(&format!("DOCKER_BUILDKIT=0 docker build -q -t whaleshell-home {} >/dev/null", ctx.display())).code == 0);
    assert_eq!(lab.run(&format!("docker build -q -t whaleshell-home {}", ctx.display())).code, 0);
    for (ours, theirs) in lines("docker").iter().zip(lines("docker")) {
        // Hostnames and \r of -t aside, the same environment.
        assert_eq!(lab.run(ours).stdout.replace('\r', ""), common::real_docker(&theirs).stdout.replace('\r', ""), "{ours}");
    }
    common::real_docker("docker rmi whaleshell-home >/dev/null");
    lab.assert_clean();
}

/// A foreground container whose PID 1 ignores Ctrl-C: the signal goes to
/// PID 1 as in Docker, then one line says why nothing happened, and a
/// second Ctrl-C leaves the container running in the background.
#[test]
fn ctrl_c_that_pid_1_ignores_is_explained_and_a_second_one_detaches() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let (screen, code) = lab.run_on_controlling_terminal(
        // tail is PID 1 from the start; what it prints says it runs.
        "docker run --name keeper busybox tail -f /etc/passwd",
        &[("nobody:x:65534", b"\x03"), ("then ends it.", b"\x03")],
    );
    assert!(
        screen.contains("whaleshell: keeper keeps running: its PID 1 does not handle Ctrl-C (SIGINT), and a PID 1 ignores the signals it does not handle. Ctrl-C again within 2 seconds leaves it running in the background; `docker stop keeper` then ends it."),
        "{screen}"
    );
    assert_eq!(code, Some(0), "{screen}");
    assert_eq!(lab.record("keeper").status(), Status::Running);
    // A PID 1 that does stop on SIGINT just stops: no line.
    let (screen, _) =
        lab.run_on_controlling_terminal("docker run --rm busybox sh -c 'trap \"exit 130\" INT; echo ready; while :; do sleep 1; done'", &[("ready", b"\x03")]);
    assert!(!screen.contains("keeps running"), "{screen}");
    assert_eq!(lab.run("docker rm -f keeper").code, 0);
    lab.assert_clean();
}

/// `-h/--hostname` names the container's host as Docker's does: hostname,
/// /etc/hostname, /etc/hosts, HOSTNAME, and inspect's Config.Hostname.
#[test]
fn hostname_flag_names_the_containers_host() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm -h my-host busybox sh -c 'hostname; cat /etc/hostname; grep -c my-host /etc/hosts; echo $HOSTNAME'");
    assert_eq!((run.stdout.as_str(), run.code), ("my-host\nmy-host\n1\nmy-host\n", 0), "{}", run.stderr);
    let id = lab.run_detached("docker run -d --hostname web1 busybox sleep 1000");
    assert_eq!(lab.run(&format!("docker inspect -f '{{{{.Config.Hostname}}}}' {id}")).stdout, "web1\n");
    assert_eq!(lab.run(&format!("docker exec {id} hostname")).stdout, "web1\n");
    assert_eq!(lab.run(&format!("docker rm -f {id}")).code, 0);
    lab.assert_clean();
}

#[test]
fn a_detached_container_holds_none_of_the_apps_open_files() {
    use std::io::Read;
    let lab = Lab::new();
    // A pipe the app inherits as its fd 7, as a script's `7>file` would give it; CLOEXEC
    // here, so the processes other tests start meanwhile do not get it too.
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let write_raw = std::os::fd::AsRawFd::as_raw_fd(&write);
    let mut cmd = lab.command();
    // SAFETY: dup2 is async-signal-safe; the copy it makes has no CLOEXEC.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || match libc::dup2(write_raw, 7) {
            7 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        });
    }
    let run = cmd.args(["-c", "docker run -d --name held busybox sleep 1000"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    drop(write);
    nix::fcntl::fcntl(std::os::fd::AsRawFd::as_raw_fd(&read), nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK)).unwrap();
    // End of file: no process (the container's monitor above all) still holds the write end.
    let got = std::fs::File::from(read).read(&mut [0u8; 1]);
    assert_eq!(got.map_err(|e| e.kind()), Ok(0), "the detached monitor kept the app's pipe open");
    assert_eq!(lab.run("docker rm -f held").code, 0);
    lab.assert_clean();
}
