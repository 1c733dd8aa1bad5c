//! Restart policies (`--restart`) as Docker 20.10 applies them: the
//! monitor starts PID 1 again with Docker's back-off, counts the restarts,
//! and `docker stop`/`kill` end the loop; after a reboot (a boot ID in the
//! record that is not this boot's) the containers whose policy says so
//! come back. Every wait is on the engine's state, bounded.

mod common;

use std::time::{Duration, Instant};

use common::Lab;
use whaleshell_runtime::container::Status;

/// Polls the container's record until `done` holds (at most a minute).
/// The actions logged so far for the container, oldest first.
fn actions(lab: &Lab, name: &str) -> Vec<String> {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let until = format!("{}.{:09}", t.as_secs(), t.subsec_nanos());
    let run = lab.run(&format!("docker events --since 0 --until {until} -f container={name} --format '{{{{.Action}}}}'"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn on_failure_restarts_at_most_n_times_then_stays_exited() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name crash --restart on-failure:2 busybox sh -c 'exit 3'");
    let record = lab.wait_for_record(&id, "exited for good", |r| r.status() == Status::Exited);
    assert_eq!((record.state.restart_count, record.state.exit_code), (2, Some(3)));
    assert!(!record.monitor_alive());
    assert_eq!(
        lab.inspect("{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{json .HostConfig.RestartPolicy}}", &id),
        r#"exited 3 2 {"Name":"on-failure","MaximumRetryCount":2}"#
    );
    let ps = lab.run("docker ps -a --format '{{.Status}}'").stdout;
    assert!(ps.starts_with("Exited (3) "), "{ps}");
    // Docker logs a start and a die for every run, and no `restart` for a policy's.
    let events = actions(&lab, "crash");
    assert_eq!(events.iter().filter(|a| *a == "start").count(), 3, "{events:?}");
    assert_eq!(events.iter().filter(|a| *a == "die").count(), 3, "{events:?}");
    // A success is no failure: on-failure leaves it exited at once.
    let ok = lab.run_detached("docker run -d --restart on-failure busybox true");
    let record = lab.wait_for_record(&ok, "exited", |r| r.status() == Status::Exited);
    assert_eq!(record.state.restart_count, 0);
    lab.run("docker rm crash");
    lab.run(&format!("docker rm {ok}"));
    lab.assert_clean();
}

#[test]
fn always_restarts_until_docker_stop_even_during_its_back_off() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name flappy --restart always busybox sh -c 'exit 1'");
    // 100, 200, 400, 800, 1600, 3200 ms: a back-off long enough to be seen.
    let record = lab.wait_for_record(&id, "waited out a long back-off", |r| r.state.status == Some(Status::Restarting) && r.state.restart_delay_ms >= 3200);
    assert!(record.state.restart_count >= 6, "{:?}", record.state);
    let seen = lab.run("docker ps --format '{{.Status}}' -f status=restarting").stdout;
    // Docker's words while it waits (unless the back-off ended meanwhile, on a slow machine).
    if !seen.is_empty() {
        assert!(seen.starts_with("Restarting (1) ") && seen.trim_end().ends_with(" ago"), "{seen}");
        assert_eq!(lab.inspect("{{.State.Status}} {{.State.Running}} {{.State.Restarting}} {{.State.Pid}}", &id), "restarting true true 0");
    }
    let stop = lab.run("docker stop flappy");
    assert_eq!(stop.code, 0, "{}", stop.stderr);
    let record = lab.record(&id);
    assert_eq!((record.status(), record.state.exit_code), (Status::Exited, Some(1)));
    // No monitor is left to start it again: stopped stays stopped.
    assert!(!record.monitor_alive());
    lab.run("docker rm flappy");

    // A running one: `docker kill` ends it and no restart follows.
    let id = lab.run_detached("docker run -d --name server --restart always busybox sleep 1000");
    lab.run("docker kill server");
    let record = lab.record(&id);
    assert_eq!((record.status(), record.state.exit_code, record.state.restart_count), (Status::Exited, Some(137), 0));
    lab.run("docker rm server");
    lab.assert_clean();
}

#[test]
fn rm_force_ends_a_restarting_container() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --restart always busybox sh -c 'exit 2'");
    lab.wait_for_record(&id, "restarted", |r| r.state.restart_count >= 2);
    let rm = lab.run(&format!("docker rm -f {id}"));
    assert_eq!(rm.code, 0, "{}", rm.stderr);
    assert!(lab.container_ids().is_empty());
    lab.assert_clean();
}

#[test]
fn restart_flag_errors_are_dockers() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm --restart always busybox true");
    assert_eq!(run.code, 125);
    assert!(run.stderr.starts_with("docker: conflicting options: cannot specify both --restart and --rm\n"), "{}", run.stderr);
    let run = lab.run("docker run --restart bogus busybox true");
    assert_eq!(run.code, 125);
    assert!(run.stderr.starts_with("docker: Error response from daemon: invalid restart policy 'bogus'\n"), "{}", run.stderr);
    let run = lab.run("docker run --restart on-failure:x busybox true");
    assert!(run.stderr.starts_with("docker: invalid restart policy format: maximum retry count must be an integer\n"), "{}", run.stderr);
    let run = lab.run("docker create --rm --restart on-failure busybox true");
    assert_eq!((run.stderr.as_str(), run.code), ("docker: conflicting options: cannot specify both --restart and --rm\nSee 'docker create --help'.\n", 125));
    let run = lab.run("docker create --restart always:3 busybox true");
    assert_eq!(run.stderr, "Error response from daemon: maximum retry count cannot be used with restart policy 'always'\n");
    assert!(lab.container_ids().is_empty());
    lab.assert_clean();
}

#[test]
fn docker_update_restart_applies_at_the_next_exit() {
    let lab = Lab::new();
    // PID 1 exits with 3 once told to (a file the test's exec makes).
    let id = lab.run_detached("docker run -d --name later busybox sh -c 'while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 3'");
    assert_eq!(lab.run("docker update --restart on-failure:1 later").stdout, "later\n");
    assert_eq!(lab.inspect("{{json .HostConfig.RestartPolicy}}", &id), r#"{"Name":"on-failure","MaximumRetryCount":1}"#);
    assert_eq!(lab.run("docker exec later touch /tmp/go").code, 0);
    // Restarted once (the file is still there, so it exits at once), then left exited.
    let record = lab.wait_for_record(&id, "exited for good", |r| r.status() == Status::Exited);
    assert_eq!((record.state.restart_count, record.state.exit_code), (1, Some(3)));
    let run = lab.run("docker update --restart always:2 later");
    assert_eq!((run.code, run.stderr.as_str()), (1, "Error response from daemon: maximum retry count cannot be used with restart policy 'always'\n"));
    let run = lab.run("docker update --restart on-failure:x later");
    assert_eq!((run.code, run.stderr.as_str()), (1, "invalid restart policy format: maximum retry count must be an integer\n"));
    let auto = lab.run_detached("docker run -d --rm busybox sleep 1000");
    let run = lab.run(&format!("docker update --restart always {auto}"));
    assert_eq!(
        run.stderr,
        format!(
            "Error response from daemon: Cannot update container {auto}: Restart policy cannot be updated because AutoRemove is enabled for the container\n"
        )
    );
    lab.run(&format!("docker rm -f later {auto}"));
    lab.assert_clean();
}

/// Makes the record say the container last started on another boot, and
/// ends its monitor and processes as a power cut would.
fn as_if_rebooted(lab: &Lab, id: &str) {
    let record = lab.record(id);
    if let Some(monitor) = record.state.monitor_pid.filter(|_| record.monitor_alive()) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(monitor), nix::sys::signal::Signal::SIGKILL);
        whaleshell_runtime::process::wait_exit(monitor);
    }
    let path = lab.root().join("containers").join(id).join("container.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["state"]["boot_id"] = "00000000-0000-0000-0000-000000000000".into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
}

#[test]
fn after_a_reboot_always_and_unless_stopped_come_back() {
    let lab = Lab::new();
    let always = lab.run_detached("docker run -d --name always --restart always busybox sleep 1000");
    let unless = lab.run_detached("docker run -d --name unless --restart unless-stopped busybox sleep 1000");
    let stopped = lab.run_detached("docker run -d --name stopped --restart unless-stopped busybox sleep 1000");
    let plain = lab.run_detached("docker run -d --name plain busybox sleep 1000");
    lab.run("docker kill stopped");
    for id in [&always, &unless, &stopped, &plain] {
        as_if_rebooted(&lab, id);
    }
    // Whaleshell opening the state root again is the daemon starting.
    let ps = lab.run("docker ps --format '{{.Names}} {{.Status}}'");
    let mut up: Vec<&str> = ps.stdout.lines().filter_map(|l| l.split_once(' ')).map(|(name, _)| name).collect();
    up.sort();
    assert_eq!(up, ["always", "unless"], "{}", ps.stdout);
    for id in [&always, &unless] {
        let record = lab.record(id);
        assert_eq!(record.status(), Status::Running);
        assert_eq!(record.state.boot_id, whaleshell_runtime::container::restart::boot_id());
    }
    assert_eq!(lab.record(&stopped).status(), Status::Exited);
    assert_eq!(lab.record(&plain).status(), Status::Exited);
    // Looked at once: opening again starts nothing more.
    assert_eq!(lab.run("docker ps -q").stdout.lines().count(), 2);
    lab.run("docker rm -f always unless stopped plain");
    lab.assert_clean();
}

/// The same lines on a real Docker engine (`../shared/tools/real-docker`
/// starts one here) and on Whaleshell print the same:
/// `cargo test --test restart -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn restart_and_health_match_real_docker() {
    let docker = |line: &str| {
        let run = common::real_docker(line);
        (run.stdout, run.stderr)
    };
    assert!(std::process::Command::new("docker").arg("info").output().is_ok_and(|o| o.status.success()), "no Docker engine is running");
    let lab = Lab::new();
    let ours = |line: &str| {
        let run = lab.run(line);
        (run.stdout, run.stderr)
    };
    // Polls `inspect -f template` on an engine until it prints `want`.
    let settle = |engine: &dyn Fn(&str) -> (String, String), name: &str, template: &str, want: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (out, _) = engine(&format!("docker inspect -f '{template}' {name}"));
            if out.trim() == want {
                return;
            }
            assert!(Instant::now() < deadline, "{name}: {template} printed {out:?}, never {want:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let name = format!("wsh-cmp-{}", std::process::id());
    for engine in [&docker as &dyn Fn(&str) -> (String, String), &ours] {
        let _ = engine(&format!("docker rm -f {name}-crash {name}-sick"));
        engine(&format!("docker run -d --name {name}-crash --restart on-failure:2 busybox sh -c 'exit 3'"));
        engine(&format!("docker run -d --name {name}-sick --health-cmd 'echo bad; exit 1' --health-interval 1s --health-retries 2 busybox sleep 100"));
        settle(
            engine,
            &format!("{name}-crash"),
            "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{json .HostConfig.RestartPolicy}}",
            r#"exited 3 2 {"Name":"on-failure","MaximumRetryCount":2}"#,
        );
        settle(engine, &format!("{name}-sick"), "{{.State.Health.Status}}", "unhealthy");
        let (out, _) = engine(&format!("docker inspect -f '{{{{json .Config.Healthcheck}}}} {{{{(index .State.Health.Log 0).ExitCode}}}} {{{{printf \"%q\" (index .State.Health.Log 0).Output}}}}' {name}-sick"));
        assert_eq!(out.trim(), r#"{"Test":["CMD-SHELL","echo bad; exit 1"],"Interval":1000000000,"Retries":2} 1 "bad\n""#);
        let (out, _) = engine(&format!("docker ps -a --filter name={name} --format '{{{{.Names}}}} {{{{.Status}}}}'"));
        let shapes: Vec<String> = out.lines().map(|l| l.replace(&name, "N")).collect();
        assert!(shapes.iter().any(|l| l.starts_with("N-crash Exited (3) ")), "{shapes:?}");
        assert!(shapes.iter().any(|l| l.starts_with("N-sick Up ") && l.ends_with(" (unhealthy)")), "{shapes:?}");
        engine(&format!("docker rm -f {name}-crash {name}-sick"));
    }
    for line in [
        "docker run --rm --restart always busybox true",
        "docker run --restart bogus busybox true",
        "docker create --restart always:3 busybox true",
        "docker run --no-healthcheck --health-cmd true busybox true",
        "docker run --health-retries -2 busybox true",
        "docker ps --filter health=bogus",
    ] {
        // The first line of the message; Docker's help pointer differs between its versions.
        let first = |(_, err): (String, String)| err.lines().next().unwrap_or("").to_owned();
        assert_eq!(first(ours(line)), first(docker(line)), "{line}");
    }
    lab.assert_clean();
}
