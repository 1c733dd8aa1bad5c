//! Real containers, as root: each test has its own state root and checks
//! real effects — output, exit codes, files, and what is left behind.

mod common;

use common::Lab;

#[test]
fn hello_docker_pulls_runs_and_removes() {
    let lab = Lab::new();
    let run = lab.run(r#"docker run --rm busybox:latest /bin/echo "Hello Docker""#);
    assert_eq!(run.stdout, "Hello Docker\n");
    assert_eq!(run.code, 0);
    assert_normalized_snapshot!("hello_docker_stderr", run.stderr);
    assert!(lab.container_ids().is_empty(), "--rm must remove the container");
    let images = lab.runtime().images.list().unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].tags[0].full(), "docker.io/library/busybox:latest");
    lab.assert_clean();
}

#[test]
fn the_container_has_its_own_namespaces_and_root() {
    let lab = Lab::new();
    let line = "docker run --rm busybox sh -c 'echo pid=$$; hostname; for ns in uts pid mnt net ipc; do readlink /proc/self/ns/$ns; done; head -1 /proc/self/mountinfo'";
    let run = lab.run(line);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "pid=1", "the command is PID 1 in its own PID namespace");
    assert_eq!(lines[1].len(), 12, "the hostname is the short container ID: {}", lines[1]);
    for (ns, line) in ["uts", "pid", "mnt", "net", "ipc"].iter().zip(&lines[2..7]) {
        let host = std::fs::read_link(format!("/proc/self/ns/{ns}")).unwrap();
        assert_ne!(*line, host.to_string_lossy(), "{ns} namespace is shared with the host");
    }
    assert!(lines[7].contains(" / / ") && lines[7].contains("overlay"), "root is overlayfs: {}", lines[7]);
    lab.assert_clean();
}

#[test]
fn exit_codes_are_dockers() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run --rm busybox sh -c 'exit 3'").code, 3);
    let missing = lab.run("docker run --rm busybox nosuch");
    assert_eq!(missing.code, 127);
    assert!(missing.stderr.contains(r#"exec: "nosuch": executable file not found in $PATH"#), "{}", missing.stderr);
    let not_executable = lab.run("docker run --rm busybox /etc/passwd");
    assert_eq!(not_executable.code, 126);
    assert!(not_executable.stderr.contains("permission denied"), "{}", not_executable.stderr);
    // PID 1 ignores even SIGKILL sent from inside its namespace; any other process dies of it.
    let pid1 = lab.run(r#"docker run --rm busybox sh -c 'kill -9 $$; sh -c "kill -9 \$\$"; echo "PID 1 survived, child got $?"'"#);
    assert_eq!((pid1.stdout.as_str(), pid1.code), ("PID 1 survived, child got 137\n", 0), "{}", pid1.stderr);
    lab.assert_clean();
}

#[test]
fn unknown_image_gives_dockers_error() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm nosuchimage");
    assert_eq!(run.code, 125);
    assert_normalized_snapshot!("unknown_image", run.stderr);
    let pull = lab.run("docker pull busybox:nosuchtag");
    assert_eq!(pull.code, 1);
    assert_normalized_snapshot!("unknown_tag", pull.stderr);
}

#[test]
fn containers_are_ephemeral() {
    let lab = Lab::new();
    let first = lab.run("docker run busybox sh -c 'mkdir /data && echo hi > /data/hello.txt'");
    assert_eq!(first.code, 0, "{}", first.stderr);
    let ids = lab.container_ids();
    assert_eq!(ids.len(), 1);
    // The file lives in the first container's own writable layer…
    let upper = lab.root().join("containers").join(&ids[0]).join("upper/data/hello.txt");
    assert_eq!(std::fs::read_to_string(upper).unwrap(), "hi\n");
    // …and the next container from the same image does not see it.
    let second = lab.run("docker run --rm busybox cat /data/hello.txt");
    assert_eq!(second.code, 1);
    assert_eq!(second.stderr, "cat: can't open '/data/hello.txt': No such file or directory\n");
    lab.assert_clean();
}

#[test]
fn whalesay_draws_the_whale_on_a_shared_base_layer() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let run = lab.run("docker run docker/whalesay cowsay Hello Docker");
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("whalesay", run.stdout);
    assert_normalized_snapshot!("whalesay_pull", run.stderr);
    let rt = lab.runtime();
    let images = rt.images.list().unwrap();
    let layers = |name: &str| images.iter().find(|i| i.tags.iter().any(|t| t.familiar_name() == name)).unwrap().record.layers.clone();
    assert_eq!(layers("busybox")[0], layers("docker/whalesay")[0], "whalesay is built on busybox's layer");
    assert_eq!(layers("docker/whalesay").len(), 2);
    lab.assert_clean();
}

#[test]
fn ps_lists_and_rm_removes_exited_containers() {
    let lab = Lab::new();
    for i in 0..2 {
        assert_eq!(lab.run(&format!("docker run busybox echo {i}")).code, 0);
    }
    assert_eq!(lab.run("docker run --name keeper busybox true").code, 0);
    let ps = lab.run("docker ps -a");
    assert_normalized_snapshot!("ps_a", ps.stdout);
    assert_eq!(lab.run("docker ps").stdout.lines().count(), 1, "nothing runs: only the header");
    let quiet = lab.run("docker ps -a -q -f status=exited");
    assert_eq!(quiet.stdout.lines().count(), 3);
    let rm = lab.run("docker rm keeper");
    assert_eq!((rm.stdout.as_str(), rm.code), ("keeper\n", 0));
    let rm_all = lab.run("docker rm $(docker ps -a -q -f status=exited)");
    assert_eq!(rm_all.code, 0, "{}", rm_all.stderr);
    assert_eq!(rm_all.stdout.lines().count(), 2);
    assert!(lab.container_ids().is_empty());
    let missing = lab.run("docker rm keeper");
    assert_eq!((missing.stderr.as_str(), missing.code), ("Error response from daemon: No such container: keeper\n", 1));
    lab.assert_clean();
}

#[test]
fn names_must_be_unique() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run --name web busybox true").code, 0);
    let again = lab.run("docker run --name web busybox true");
    assert_eq!(again.code, 125);
    assert_normalized_snapshot!("name_in_use", again.stderr);
    assert_eq!(lab.container_ids().len(), 1);
}

#[test]
fn rmi_refuses_an_image_a_container_uses() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run busybox true").code, 0);
    let refused = lab.run("docker rmi busybox");
    assert_eq!(refused.code, 1);
    assert_normalized_snapshot!("rmi_conflict", refused.stderr);
    assert_eq!(lab.runtime().images.list().unwrap().len(), 1, "the image is still there");
    assert_eq!(lab.run("docker rm $(docker ps -aq)").code, 0);
    let removed = lab.run("docker rmi busybox");
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_normalized_snapshot!("rmi_removed", removed.stdout);
    assert!(lab.runtime().images.list().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(lab.root().join("layers")).unwrap().count(), 0, "its layer is gone too");
}

#[test]
fn rmi_of_one_tag_keeps_a_shared_layer() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull docker/whalesay && docker pull busybox").code, 0);
    let removed = lab.run("docker rmi docker/whalesay");
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(removed.stdout.lines().filter(|l| l.starts_with("Deleted:")).count(), 2, "image + its own layer: {}", removed.stdout);
    let run = lab.run("docker run --rm busybox echo still here");
    assert_eq!(run.stdout, "still here\n");
}

#[test]
fn run_flags_reach_the_container() {
    let lab = Lab::new();
    let env_file = lab.root().join("env.list");
    std::fs::write(&env_file, "# comment\nFROM_FILE=yes\n").unwrap();
    let line = format!(
        "docker run --rm -e GREETING=hi -e 'SPACED=a b' --env-file {} -w /tmp --entrypoint /bin/sh busybox -c 'echo $GREETING $SPACED $FROM_FILE $(pwd)'",
        env_file.display()
    );
    let run = lab.run(&line);
    assert_eq!((run.stdout.as_str(), run.code), ("hi a b yes /tmp\n", 0), "{}", run.stderr);
}

#[test]
fn pipelines_and_lists_mix_docker_and_host_programs() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm busybox echo one two | grep -o two && echo ok; false || echo recovered");
    assert_eq!(run.stdout, "two\nok\nrecovered\n");
    let stdin = lab.run_stdin("docker run --rm busybox echo first\necho second\nexit 4\necho never\n");
    assert_eq!((stdin.stdout.as_str(), stdin.code), ("first\nsecond\n", 4));
    let piped_in = lab.run("echo from-host | docker run --rm -i busybox cat");
    assert_eq!(piped_in.stdout, "from-host\n");
}

#[test]
fn redirections_send_output_to_files_and_files_to_input() {
    let lab = Lab::new();
    // Pulled first: with 2>&1 the pull's messages would go to the file too, as with Docker.
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let out = lab.root().join("out.txt");
    let line = format!(
        "docker run --rm busybox sh -c 'echo out; echo err >&2' > {0} 2>&1 && docker ps -a -q >> {0} && docker run --rm -i busybox wc -l < {0}",
        out.display()
    );
    let run = lab.run(&line);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "out\nerr\n");
    assert_eq!(run.stdout.trim(), "2");
    let joined = lab.run("docker run --rm busybox sh -c 'echo a; echo b >&2' 2>&1 | wc -l");
    assert_eq!(joined.stdout.trim(), "2");
    // To the shell's own stdout too, for a container and a host program alike.
    let to_stdout = lab.run("docker run --rm busybox sh -c 'echo b >&2' 2>&1; sh -c 'echo c >&2' 2>&1");
    assert_eq!((to_stdout.stdout.as_str(), to_stdout.stderr.as_str()), ("b\nc\n", ""));
    let quiet = lab.run("docker images > /dev/null && echo listed");
    assert_eq!(quiet.stdout, "listed\n");
    let bad = lab.run("echo x > /no/such/dir/file");
    assert_eq!((bad.code, bad.stderr.as_str()), (1, "whaleshell: /no/such/dir/file: No such file or directory (os error 2)\n"));
}

#[test]
fn an_interactive_terminal_session() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let (text, code) = lab.run_on_terminal("docker run -it --rm busybox", &[("# ", b"echo $((6*7)) $(tty)\nexit 5\n")]);
    assert!(text.contains("42 /dev/pts/0"), "the shell ran on its own terminal: {text:?}");
    assert_eq!(code, Some(5));
    lab.assert_clean();
}

#[test]
fn parse_errors_point_at_the_token() {
    let lab = Lab::new();
    let cases = [
        ("unknown_command", "docker imagse"),
        ("unknown_flag", "docker run --rn busybox"),
        ("missing_argument", "docker rm"),
        ("unclosed_quote", "docker run busybox echo \"hello"),
        ("typo_command", "dokcer ps -a"),
        ("placeholder", "docker rmi <image name>:<tag>"),
    ];
    for (name, line) in cases {
        let run = lab.run(line);
        assert_ne!(run.code, 0, "{line}");
        assert!(run.stdout.is_empty(), "{line}");
        insta::assert_snapshot!(name, run.stderr);
    }
}

#[test]
fn without_root_it_says_so() {
    let lab = Lab::new();
    let setpriv = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_whaleshell"))
        .args(["-c", "docker ps"])
        .arg("--root")
        .arg(lab.root())
        .output()
        .expect("setpriv (util-linux) is needed for this test");
    assert_eq!(setpriv.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&setpriv.stderr), "whaleshell: real containers need root (namespaces, cgroups, overlayfs): run it with sudo\n");
}

/// `help` lists every docker command there is, and `help run` says what
/// each of run's arguments is.
#[test]
fn help_lists_every_command_and_describes_arguments() {
    let lab = Lab::new();
    let help = lab.run("help");
    assert_eq!(help.code, 0);
    insta::assert_snapshot!("help", help.stdout);
    let run = lab.run("help run").stdout;
    assert!(run.contains("<IMAGE>       The image to start from"), "{run}");
    assert!(run.contains("[COMMAND]...  The program to run"), "{run}");
}

#[test]
fn logs_since_and_until_keep_the_lines_logged_between() {
    let lab = Lab::new();
    let run = lab.run("docker run --name talk busybox sh -c 'echo one; echo two'");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stamped = lab.run("docker logs -t talk").stdout;
    let times: Vec<&str> = stamped.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(times.len(), 2, "{stamped}");
    let logs = |flags: &str| {
        let run = lab.run(&format!("docker logs {flags} talk"));
        assert_eq!(run.code, 0, "{flags}: {}", run.stderr);
        run.stdout
    };
    assert_eq!(logs("--since 10m"), "one\ntwo\n");
    assert_eq!(logs("--since 0 --until 0"), "one\ntwo\n");
    assert_eq!(logs("--until 10m"), "");
    assert_eq!(logs("--since 2099-01-01"), "");
    assert_eq!(logs("--since 4070908800"), "", "Unix seconds, in 2099");
    assert_eq!(logs("--until 2000-01-01T00:00:00Z"), "");
    assert_eq!(logs(&format!("--until {}", times[0])), if times[0] == times[1] { "one\ntwo\n" } else { "one\n" });
    assert_eq!(logs(&format!("--since {}", times[1])), if times[0] == times[1] { "one\ntwo\n" } else { "two\n" });
    assert_eq!(logs(&format!("-t --since {} --until {}", times[0], times[0])).lines().next(), stamped.lines().next());
    let bogus = lab.run("docker logs --since bogus talk");
    assert_eq!((bogus.stderr.as_str(), bogus.code), ("invalid value for \"since\": failed to parse value as time or duration: \"bogus\"\n", 1));
    let bogus = lab.run("docker logs --until bogus talk");
    assert_eq!((bogus.stderr.as_str(), bogus.code), ("invalid value for \"until\": failed to parse value as time or duration: \"bogus\"\n", 1));
    assert_eq!(lab.run("docker rm talk").code, 0);
    lab.assert_clean();
}

/// `logs -f --until T` ends by itself at the first line after T, exit 0,
/// as Docker's json-file follower does, having printed only lines up to T.
#[test]
fn logs_follow_stops_at_until() {
    let lab = Lab::new();
    lab.run_detached("docker run -d --name tick busybox sh -c 'while :; do echo tick; sleep 0.2; done'");
    let until = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap() + std::time::Duration::from_secs(1);
    let until_text = format!("{}.{:09}", until.as_secs(), until.subsec_nanos());
    let mut child = lab
        .command()
        .args(["-c", &format!("docker logs -f -t --until {until_text} tick")])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A bounded wait for it to end on its own.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("docker logs -f --until did not stop following");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.lines().count() >= 1, "{out}");
    let until_nanos = i64::try_from(until.as_nanos()).unwrap();
    for line in out.lines() {
        let (time, text) = line.split_once(' ').unwrap();
        assert_eq!(text, "tick");
        let at = chrono::DateTime::parse_from_rfc3339(time).unwrap().timestamp_nanos_opt().unwrap();
        assert!(at <= until_nanos, "{line} is after --until {until_text}");
    }
    assert_eq!(lab.run("docker rm -f tick").code, 0);
    lab.assert_clean();
}

#[test]
fn log_driver_none_keeps_nothing_and_others_are_refused() {
    let lab = Lab::new();
    let run = lab.run("docker run --name quiet --log-driver none busybox echo hi");
    assert_eq!((run.stdout.as_str(), run.code), ("hi\n", 0), "the foreground still sees the output: {}", run.stderr);
    let logs = lab.run("docker logs quiet");
    assert_eq!((logs.stderr.as_str(), logs.code), ("Error response from daemon: configured logging driver does not support reading\n", 1));
    assert_eq!(lab.run("docker inspect -f '{{json .HostConfig.LogConfig}}' quiet").stdout, "{\"Type\":\"none\",\"Config\":{}}\n");
    let kept = lab.run("docker run --name kept --log-driver json-file busybox echo yo");
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert_eq!(lab.run("docker logs kept").stdout, "yo\n");
    let unknown = lab.run("docker run --rm --log-driver syslog2 busybox true");
    assert_eq!(
        (unknown.stderr.as_str(), unknown.code),
        ("docker: Error response from daemon: error looking up logging plugin syslog2: plugin \"syslog2\" not found\nSee 'docker run --help'.\n", 125)
    );
    let other = lab.run("docker run --rm --log-driver journald busybox true");
    assert_eq!(other.code, 125);
    assert!(other.stderr.contains("json-file driver only (or none, to keep nothing), not journald"), "{}", other.stderr);
    assert_eq!(lab.run("docker rm quiet kept").code, 0);
    lab.assert_clean();
}

#[test]
fn the_history_suggestion_is_drawn_dimmed_not_as_typed_text() {
    let lab = Lab::new();
    // After `echo hello-hint`, typing `ech` suggests the rest from history, dimmed (SGR 2).
    let (screen, code) =
        lab.repl_on_color_terminal(&[("whaleshell$", b"echo hello-hint\n"), ("hello-hint\r\n", b"ech"), ("\x1b[2mo hello-hint", b"\x15exit\n")]);
    assert_eq!(code, Some(0), "{screen:?}");
    lab.assert_clean();
}
