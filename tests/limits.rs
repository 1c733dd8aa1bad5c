//! A container can never take the machine down: every container has a
//! pids limit (2048 by default, as Podman), and a container's end is the
//! end of all its processes — when PID 1 exits, and when its monitor was
//! killed. Checked on this machine's cgroup layout through the same
//! module the engine uses (`container::cgroup`). No test here forks more
//! than a few dozen processes, and each bomb runs under `timeout`.

mod common;

use common::Lab;
use whaleshell_runtime::container::cgroup::Cgroup;
use whaleshell_runtime::container::Status;

/// The host can still start a process.
fn host_can_spawn() -> bool {
    std::process::Command::new("true").status().is_ok_and(|s| s.success())
}

#[test]
fn a_bounded_fork_bomb_fails_inside_its_container() {
    let lab = Lab::new();
    // A hundred background sleeps under a limit of 50: the shell cannot fork the 50th.
    let run = lab.run("docker run --name bomb --pids-limit 50 busybox timeout -s KILL 60 sh -c 'for i in $(seq 100); do sleep 30 & done; wait'");
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("can't fork"), "{}", run.stderr);
    let record = lab.record("bomb");
    assert_eq!(record.status(), Status::Exited);
    // Its sleeps ended with it: nothing in its cgroup, which is gone.
    let cgroup = Cgroup::of(&record.id);
    assert_eq!((cgroup.procs(), cgroup.exists()), (Vec::new(), false));
    assert!(host_can_spawn());
    assert_eq!(lab.run("docker ps -a -q").code, 0, "the shell still answers");
    lab.assert_clean();
}

#[test]
fn a_real_fork_bomb_meets_the_default_limit_and_leaves_nothing() {
    let lab = Lab::new();
    // The default from daemon.json, small here so the bomb stays small.
    std::fs::write(lab.root().join("daemon.json"), r#"{"default-pids-limit": 40}"#).unwrap();
    let run = lab.run("docker run --rm --name bomb busybox timeout -s KILL 20 sh -c 'f(){ f|f& }; f; sleep 5'");
    assert!(run.stderr.contains("can't fork"), "{}", run.stderr);
    assert!(lab.container_ids().is_empty(), "--rm removed it");
    assert!(host_can_spawn());
    lab.assert_clean();
}

#[test]
fn every_container_gets_a_pids_limit_unless_told_otherwise() {
    let lab = Lab::new();
    let default = lab.run_detached("docker run -d busybox sleep 1000");
    assert_eq!(Cgroup::of(&default).pids_max().as_deref(), Some("2048"));
    assert_eq!(lab.inspect("{{.HostConfig.PidsLimit}}", &default), "2048");
    let small = lab.run_detached("docker run -d --pids-limit 100 busybox sleep 1000");
    assert_eq!(Cgroup::of(&small).pids_max().as_deref(), Some("100"));
    assert_eq!(lab.inspect("{{.HostConfig.PidsLimit}}", &small), "100");
    for unlimited in ["-1", "0"] {
        let id = lab.run_detached(&format!("docker run -d --pids-limit {unlimited} busybox sleep 1000"));
        assert_eq!(Cgroup::of(&id).pids_max().as_deref(), Some("max"), "--pids-limit {unlimited}");
        assert_eq!(lab.inspect("{{json .HostConfig.PidsLimit}}", &id), "null", "Docker's null is unlimited");
    }
    std::fs::write(lab.root().join("daemon.json"), r#"{"default-pids-limit": 300}"#).unwrap();
    let configured = lab.run_detached("docker run -d busybox sleep 1000");
    assert_eq!(Cgroup::of(&configured).pids_max().as_deref(), Some("300"));
    assert_eq!(lab.run("docker rm -f $(docker ps -q)").code, 0);
    lab.assert_clean();
}

#[test]
fn a_builds_run_steps_have_the_default_limit() {
    let lab = Lab::new();
    std::fs::write(lab.root().join("daemon.json"), r#"{"default-pids-limit": 30}"#).unwrap();
    let ctx = lab.root().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), "FROM busybox\nRUN timeout -s KILL 60 sh -c 'for i in $(seq 100); do sleep 30 & done; wait'\n").unwrap();
    let run = lab.run(&format!("docker build -t bomb {}", ctx.display()));
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("can't fork") || run.stderr.contains("can't fork"), "{}\n{}", run.stdout, run.stderr);
    assert!(lab.container_ids().is_empty(), "the step's container is gone");
    assert!(host_can_spawn());
    lab.assert_clean();
}

#[test]
fn a_container_ends_with_its_pid_1_children_included() {
    let lab = Lab::new();
    // The child ignores SIGHUP and would outlive its parent.
    let id = lab.run_detached(r#"docker run -d busybox sh -c 'trap "" HUP; sleep 1000 & sleep 1000 & exit 0'"#);
    assert_eq!(lab.run(&format!("docker wait {id}")).stdout, "0\n");
    let record = lab.record(&id);
    assert_eq!(record.status(), Status::Exited);
    let cgroup = Cgroup::of(&id);
    assert_eq!((cgroup.procs(), cgroup.exists()), (Vec::new(), false), "nothing of the container is left");
    assert!(lab.run("docker ps -a").stdout.contains("Exited (0)"));
    lab.assert_clean();
}

#[test]
fn a_killed_monitors_container_is_ended_not_left_running() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d busybox sh -c 'sleep 1000 & sleep 1000 & wait'");
    let record = lab.record(&id);
    let cgroup = Cgroup::of(&id);
    // sh starts its two sleeps after `run -d` has returned.
    lab.wait_until("PID 1 and its two sleeps", || cgroup.procs().len() == 3);
    let procs = cgroup.procs();
    let monitor = record.state.monitor_pid.expect("a monitor");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(monitor), nix::sys::signal::Signal::SIGKILL).unwrap();
    whaleshell_runtime::process::wait_exit(monitor);
    // The container outlived its monitor; the next look at it ends it.
    assert_eq!(cgroup.procs(), procs, "the monitor's death alone kills nothing");
    let ps = lab.run("docker ps -a");
    assert!(ps.stdout.contains("Exited (137)"), "{}", ps.stdout);
    assert_eq!((cgroup.procs(), cgroup.exists()), (Vec::new(), false), "ps said exited: nothing may run");
    for pid in procs {
        assert_eq!(whaleshell_runtime::process::start_time(pid), None, "process {pid} still runs");
    }
    let record = lab.record(&id);
    assert_eq!((record.status(), record.state.exit_code), (Status::Exited, Some(137)));
    lab.assert_clean();
}

/// A shell that cannot start any process (its own pids cgroup is full, as
/// a whole machine is under a fork bomb) says so in one line per command
/// and goes on; nothing panics or hangs.
#[test]
fn the_shell_answers_in_one_line_when_nothing_can_fork() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let starved = Cgroup::of(&format!("test-starved-{}", std::process::id()));
    starved.create_for_helpers(1).expect("a pids cgroup of the test's own");
    let mut cmd = lab.command();
    cmd.arg("-c").arg("docker run --rm busybox echo hi; ls -d /; docker ps -q").stdin(std::process::Stdio::null());
    starved.join_before_exec(&mut cmd);
    let out = cmd.output().expect("run whaleshell in the starved cgroup");
    starved.remove();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cannot_fork = "cannot fork: the machine cannot start another process now (Resource temporarily unavailable); find what is forking with `docker ps` and end it with `docker rm -f`";
    assert_eq!(stderr, format!("docker: Error response from daemon: {cannot_fork}\nSee 'docker run --help'.\nwhaleshell: ls: {cannot_fork}\n"), "{stderr}");
    // docker ps needs no process of its own: it still answers.
    assert_eq!((String::from_utf8_lossy(&out.stdout).as_ref(), out.status.code()), ("", Some(0)));
    assert!(host_can_spawn());
    lab.assert_clean();
}
