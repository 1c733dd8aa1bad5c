//! Health checks as Docker 20.10 runs them: an exec in the container at
//! each interval, `State.Health` (starting → healthy / unhealthy after
//! `retries` failures, the last 5 results), `(healthy)` in `ps`,
//! `health_status` events and `ps --filter health=`. Short intervals; every
//! wait is on the engine's state, bounded.

mod common;

use common::Lab;
use whaleshell_runtime::container::health::HealthStatus;
use whaleshell_runtime::container::{ContainerRecord, Status};

fn health(r: &ContainerRecord) -> Option<HealthStatus> {
    r.state.health.as_ref().map(|h| h.status)
}

fn actions(lab: &Lab, name: &str) -> Vec<String> {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let until = format!("{}.{:09}", t.as_secs(), t.subsec_nanos());
    let run = lab.run(&format!("docker events --since 0 --until {until} -f container={name} --format '{{{{.Action}}}}'"));
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn a_check_that_succeeds_turns_healthy() {
    let lab = Lab::new();
    // The check sees the container's own files: it runs inside it.
    let id = lab.run_detached("docker run -d --name web --health-cmd 'test -f /tmp/ready' --health-interval 1s busybox sh -c 'touch /tmp/ready; sleep 1000'");
    assert_eq!(lab.inspect("{{json .Config.Healthcheck}}", &id), r#"{"Test":["CMD-SHELL","test -f /tmp/ready"],"Interval":1000000000}"#);
    let record = lab.wait_for_record(&id, "turned healthy", |r| health(r) == Some(HealthStatus::Healthy));
    let h = record.state.health.unwrap();
    assert_eq!((h.failing_streak, h.log[0].exit_code, h.log[0].output.as_str()), (0, 0, ""));
    assert_eq!(lab.inspect("{{.State.Health.Status}} {{.State.Health.FailingStreak}}", &id), "healthy 0");
    let ps = lab.run("docker ps --format '{{.Status}}'").stdout;
    assert!(ps.starts_with("Up ") && ps.trim_end().ends_with(" (healthy)"), "{ps}");
    assert_eq!(lab.run("docker ps -q --filter health=healthy").stdout.trim(), &id[..12]);
    assert_eq!(lab.run("docker ps -q --filter health=unhealthy").stdout, "");
    let events = actions(&lab, "web");
    assert!(events.contains(&"health_status: healthy".to_owned()), "{events:?}");
    assert!(events.contains(&"exec_start: /bin/sh -c test -f /tmp/ready".to_owned()), "{events:?}");
    // Not running is not healthy, as Docker says after a stop.
    lab.run("docker kill web");
    assert_eq!(lab.inspect("{{.State.Health.Status}}", &id), "unhealthy");
    lab.run("docker rm web");
    lab.assert_clean();
}

#[test]
fn a_check_that_fails_turns_unhealthy_after_its_retries() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name sick --health-cmd 'echo bad; exit 1' --health-interval 1s --health-retries 2 busybox sleep 1000");
    let record = lab.wait_for_record(&id, "turned unhealthy", |r| health(r) == Some(HealthStatus::Unhealthy));
    let h = record.state.health.unwrap();
    // Two failures in a row, never healthy before.
    assert_eq!(h.failing_streak, 2);
    assert!(h.log.iter().all(|r| r.exit_code == 1 && r.output == "bad\n"), "{:?}", h.log);
    let ps = lab.run("docker ps --format '{{.Status}}'").stdout;
    assert!(ps.trim_end().ends_with(" (unhealthy)"), "{ps}");
    assert_eq!(lab.run("docker ps -q --filter health=unhealthy").stdout.trim(), &id[..12]);
    // The log keeps Docker's last 5 results.
    let record = lab.wait_for_record(&id, "logged 6 checks", |r| r.state.health.as_ref().is_some_and(|h| h.failing_streak >= 6));
    assert_eq!(record.state.health.unwrap().log.len(), 5);
    lab.run("docker rm -f sick");
    lab.assert_clean();
}

#[test]
fn the_image_healthcheck_applies_unless_disabled() {
    let lab = Lab::new();
    let dir = lab.root().join("ctx");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM busybox\nHEALTHCHECK --interval=1s CMD [\"true\"]\nCMD [\"sleep\", \"1000\"]\n").unwrap();
    let build = lab.run(&format!("docker build -q -t checked {}", dir.display()));
    assert_eq!(build.code, 0, "{}", build.stderr);
    let id = lab.run_detached("docker run -d checked");
    lab.wait_for_record(&id, "turned healthy", |r| health(r) == Some(HealthStatus::Healthy));
    // Until its first check (an hour away here), a container is starting.
    let later = lab.run_detached("docker run -d --health-interval 1h checked");
    assert_eq!(lab.inspect("{{.State.Health.Status}} {{len .State.Health.Log}}", &later), "starting 0");
    let ps = lab.run(&format!("docker ps --format '{{{{.Status}}}}' -f id={later}")).stdout;
    assert!(ps.trim_end().ends_with(" (health: starting)"), "{ps}");
    lab.run(&format!("docker rm -f {later}"));
    let off = lab.run_detached("docker run -d --no-healthcheck checked");
    assert_eq!(lab.inspect("{{json .State.Health}} {{index .Config.Healthcheck.Test 0}}", &off), "null NONE");
    assert_eq!(lab.run("docker ps -q --filter health=none").stdout.trim(), &off[..12]);
    assert_eq!(lab.record(&off).status(), Status::Running);
    lab.run(&format!("docker rm -f {id} {off}"));
    lab.assert_clean();
}

#[test]
fn health_flag_errors_are_dockers() {
    let lab = Lab::new();
    let run = lab.run("docker run --health-interval 1 busybox true");
    assert_eq!(run.code, 125);
    assert!(run.stderr.starts_with("invalid argument \"1\" for \"--health-interval\" flag: time: missing unit in duration \"1\"\n"), "{}", run.stderr);
    let run = lab.run("docker run --health-retries -2 busybox true");
    assert!(run.stderr.starts_with("docker: --health-retries cannot be negative\n"), "{}", run.stderr);
    let run = lab.run("docker run --no-healthcheck --health-cmd true busybox true");
    assert!(run.stderr.starts_with("docker: --no-healthcheck conflicts with --health-* options\n"), "{}", run.stderr);
    let run = lab.run("docker ps --filter health=bogus");
    assert_eq!(run.stderr, "Error response from daemon: Unrecognised filter value for health: bogus\n");
    assert!(lab.container_ids().is_empty());
    lab.assert_clean();
}
