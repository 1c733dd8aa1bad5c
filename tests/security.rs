//! `docker run`'s security flags, each checked inside the container (what
//! /proc/self/status, /proc/mounts, /etc/hosts, `sysctl` and `id` say
//! there) and in `inspect`, with Docker's values and errors.

mod common;

use common::Lab;

/// Runs a line that must succeed; returns its output.
fn ok(lab: &Lab, line: &str) -> String {
    let run = lab.run(line);
    assert_eq!(run.code, 0, "{line}: {}", run.stderr);
    run.stdout
}

/// Runs a line that must fail with Docker's 125; returns its error.
fn refused(lab: &Lab, line: &str) -> String {
    let run = lab.run(line);
    assert_eq!(run.code, 125, "{line}: {}{}", run.stdout, run.stderr);
    run.stderr
}

fn status_line(output: &str, key: &str) -> String {
    output.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("no {key} in {output}")).split_whitespace().nth(1).unwrap_or("").to_owned()
}

#[test]
fn read_only_makes_the_root_read_only_but_not_dev_tmpfs_or_etc_hosts_mounts() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm --read-only --tmpfs /run:size=1m busybox sh -c 'touch /x; touch /run/y && echo tmpfs-ok; echo hi > /dev/null && echo dev-ok; grep \" /run \" /proc/mounts'");
    assert!(run.stderr.contains("touch: /x: Read-only file system"), "{}", run.stderr);
    let hosts = lab.run("docker run --rm --read-only busybox sh -c 'touch /etc/hosts; touch /etc/hostname; touch /dev/shm/a && echo shm-ok'");
    assert!(
        hosts.stderr.contains("touch: /etc/hosts: Read-only file system") && hosts.stderr.contains("touch: /etc/hostname: Read-only file system"),
        "{}",
        hosts.stderr
    );
    assert!(hosts.stdout.contains("shm-ok"), "{}", hosts.stdout);
    assert!(run.stdout.contains("tmpfs-ok") && run.stdout.contains("dev-ok"), "{}", run.stdout);
    // Docker's defaults for --tmpfs, then the size asked for.
    assert!(run.stdout.contains("tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k"), "{}", run.stdout);
    let id = ok(&lab, "docker create --read-only --tmpfs /run:size=1m busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.ReadonlyRootfs}} {{json .HostConfig.Tmpfs}}", &id), r#"true {"/run":"size=1m"}"#);
    let plain = ok(&lab, "docker create busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.ReadonlyRootfs}}", &plain), "false");
    assert!(ok(&lab, "docker run --rm busybox sh -c 'touch /x && echo writable'").contains("writable"));
    let err = refused(&lab, "docker run --rm --tmpfs run busybox true");
    assert!(err.contains("Error response from daemon: invalid mount path: 'run' mount path must be absolute"), "{err}");
    ok(&lab, &format!("docker rm {id} {plain}"));
    lab.assert_clean();
}

#[test]
fn cap_add_and_cap_drop_change_the_capability_sets_as_docker() {
    let lab = Lab::new();
    let caps = |flags: &str| status_line(&ok(&lab, &format!("docker run --rm {flags} busybox grep Cap /proc/self/status")), "CapEff:");
    // Docker 20.10's numbers for the same flags.
    assert_eq!(caps(""), "00000000a80425fb");
    assert_eq!(caps("--cap-drop ALL --cap-add net_admin"), "0000000000001000");
    assert_eq!(caps("--cap-add CAP_SYS_ADMIN --cap-drop chown"), "00000000a82425fa");
    assert_eq!(caps("--cap-drop all"), "0000000000000000");
    let all = u64::from_str_radix(&caps("--cap-add ALL --cap-drop Net_Raw"), 16).unwrap();
    assert_eq!((all & (1 << 13), all & (1 << 21)), (0, 1 << 21), "all but NET_RAW: {all:x}");
    let id = ok(&lab, "docker create --cap-add net_admin --cap-drop CAP_chown busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}}", &id), r#"["CAP_NET_ADMIN"] ["CAP_CHOWN"]"#);
    ok(&lab, &format!("docker rm {id}"));
    let err = refused(&lab, "docker run --rm --cap-add foo busybox true");
    assert!(err.contains(r#"Error response from daemon: invalid CapAdd: unknown capability: "CAP_FOO""#), "{err}");
    lab.assert_clean();
}

#[test]
fn no_new_privileges_security_opt_and_unsupported_ones_refused() {
    let lab = Lab::new();
    let nnp = |flags: &str| status_line(&ok(&lab, &format!("docker run --rm {flags} busybox grep NoNewPrivs /proc/self/status")), "NoNewPrivs:");
    assert_eq!(nnp(""), "0");
    assert_eq!(nnp("--security-opt no-new-privileges"), "1");
    assert_eq!(nnp("--security-opt no-new-privileges:true"), "1");
    assert_eq!(nnp("--security-opt no-new-privileges=false"), "0");
    let id = ok(&lab, "docker create --security-opt no-new-privileges busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.SecurityOpt}}", &id), r#"["no-new-privileges"]"#);
    ok(&lab, &format!("docker rm {id}"));
    let err = refused(&lab, "docker run --rm --security-opt apparmor=unconfined busybox true");
    assert!(err.contains("does not support apparmor options yet"), "{err}");
    let err = refused(&lab, "docker run --rm --security-opt foo busybox true");
    assert!(err.contains(r#"Invalid --security-opt: "foo""#), "{err}");
    let err = refused(&lab, "docker run --rm --security-opt no-new-privileges:maybe busybox true");
    assert!(err.contains(r#"invalid --security-opt 2: "no-new-privileges:maybe""#), "{err}");
    assert!(lab.container_ids().is_empty(), "a refused run leaves nothing");
    lab.assert_clean();
}

#[test]
fn sysctl_sets_namespaced_keys_and_refuses_others_as_docker() {
    let lab = Lab::new();
    let out = ok(&lab, "docker run --rm --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=12345 busybox sysctl net.ipv4.ip_forward kernel.shmmax");
    assert_eq!(out, "net.ipv4.ip_forward = 1\nkernel.shmmax = 12345\n");
    let id = ok(&lab, "docker create --sysctl net.ipv4.ip_forward=1 busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.Sysctls}}", &id), r#"{"net.ipv4.ip_forward":"1"}"#);
    ok(&lab, &format!("docker rm {id}"));
    for bad in ["kernel.hostname=x", "vm.swappiness=1"] {
        let err = refused(&lab, &format!("docker run --rm --sysctl {bad} busybox true"));
        assert!(err.contains(&format!(r#"invalid argument "{bad}" for "--sysctl" flag: sysctl '{bad}' is not allowed"#)), "{err}");
        assert!(err.contains("\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"), "Docker's flag error: {err}");
    }
    lab.assert_clean();
}

#[test]
fn add_host_lines_go_into_etc_hosts() {
    let lab = Lab::new();
    let hosts = ok(&lab, "docker run --rm --add-host foo:1.2.3.4 --add-host bar:::1 busybox cat /etc/hosts");
    let lines: Vec<&str> = hosts.lines().collect();
    assert_eq!(lines[6..8], ["1.2.3.4\tfoo", "::1\tbar"], "{hosts}");
    let id = ok(&lab, "docker create --add-host foo:1.2.3.4 busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.ExtraHosts}}", &id), r#"["foo:1.2.3.4"]"#);
    ok(&lab, &format!("docker rm {id}"));
    let err = refused(&lab, "docker run --rm --add-host foo busybox true");
    assert!(err.contains(r#"invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo""#), "{err}");
    lab.assert_clean();
}

#[test]
fn group_add_gives_extra_groups_by_gid_or_name() {
    let lab = Lab::new();
    let id = ok(&lab, "docker run --rm --group-add 1234 --group-add root busybox id");
    assert!(id.starts_with("uid=0(root) gid=0(root) groups=0(root),") && id.trim_end().ends_with(",1234"), "{id}");
    let user = ok(&lab, "docker run --rm -u nobody --group-add 1234 busybox id -G");
    assert_eq!(user.split_whitespace().collect::<Vec<_>>().last(), Some(&"1234"), "{user}");
    let created = ok(&lab, "docker create --group-add 10 --group-add root busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.GroupAdd}}", &created), r#"["10","root"]"#);
    ok(&lab, &format!("docker rm {created}"));
    let err = refused(&lab, "docker run --rm --group-add nosuch busybox id");
    assert!(err.contains("Unable to find group nosuch: no matching entries in group file"), "{err}");
    assert!(lab.container_ids().is_empty(), "--rm removed the container that could not start");
    lab.assert_clean();
}

#[test]
fn stop_signal_and_stop_timeout_are_what_docker_stop_uses() {
    let lab = Lab::new();
    // sleep as PID 1 ignores SIGTERM: only the signal asked for ends it,
    // long before stop's 100 s would.
    let id = lab.run_detached("docker run -d --stop-signal KILL busybox sleep 1000");
    assert_eq!(lab.inspect("{{json .Config.StopSignal}}", &id), r#""KILL""#);
    ok(&lab, &format!("docker stop -t 100 {id}"));
    assert_eq!(lab.inspect("{{.State.ExitCode}}", &id), "137");
    // --stop-timeout 0: SIGKILL at once, with no -t.
    let quick = lab.run_detached("docker run -d --stop-timeout 0 busybox sleep 1000");
    assert_eq!(lab.inspect("{{json .Config.StopTimeout}}", &quick), "0");
    ok(&lab, &format!("docker stop {quick}"));
    assert_eq!(lab.inspect("{{.State.ExitCode}}", &quick), "137");
    let plain = ok(&lab, "docker create busybox").trim().to_owned();
    assert!(!lab.inspect("{{json .Config}}", &plain).contains("StopTimeout"), "Docker leaves it out when unset");
    let err = refused(&lab, "docker run --rm --stop-signal FOO busybox true");
    assert!(err.contains("Error response from daemon: Invalid signal: FOO"), "{err}");
    ok(&lab, &format!("docker rm {id} {quick} {plain}"));
    lab.assert_clean();
}

#[test]
fn privileged_has_every_capability_and_no_masked_paths() {
    let lab = Lab::new();
    let out = ok(
        &lab,
        "docker run --rm --privileged busybox sh -c 'grep CapEff /proc/self/status; grep \" /sys \" /proc/mounts; grep -c \" /proc/sys \" /proc/mounts || true'",
    );
    let eff = u64::from_str_radix(&status_line(&out, "CapEff:"), 16).unwrap();
    assert_ne!(eff & (1 << 21), 0, "CAP_SYS_ADMIN: {out}");
    assert!(out.contains("sysfs /sys sysfs rw,"), "{out}");
    assert!(out.trim_end().ends_with('0'), "/proc/sys not read-only: {out}");
    let id = ok(&lab, "docker create --privileged busybox").trim().to_owned();
    assert_eq!(lab.inspect("{{json .HostConfig.Privileged}} {{json .HostConfig.MaskedPaths}}", &id), "true null");
    ok(&lab, &format!("docker rm {id}"));
    lab.assert_clean();
}

#[test]
fn docker_default_seccomp_profile_filters_run_exec_and_build_as_docker() {
    let lab = Lab::new();
    let seccomp = |line: &str| status_line(&ok(&lab, line), "Seccomp:");
    assert_eq!(seccomp("docker run --rm busybox grep Seccomp: /proc/self/status"), "2");
    // The profile blocks namespaces without CAP_SYS_ADMIN; unconfined, the kernel allows a user namespace.
    let blocked = lab.run("docker run --rm busybox unshare -r true");
    assert_eq!((blocked.code, blocked.stderr.trim()), (1, "unshare: unshare(0x10000000): Operation not permitted"));
    ok(&lab, "docker run --rm --security-opt seccomp=unconfined busybox unshare -r true");
    ok(&lab, "docker run --rm --cap-add SYS_ADMIN busybox unshare -r true");
    assert_eq!(seccomp("docker run --rm --security-opt seccomp=unconfined busybox grep Seccomp: /proc/self/status"), "0");
    assert_eq!(seccomp("docker run --rm --privileged busybox grep Seccomp: /proc/self/status"), "0");
    assert_eq!(seccomp("docker run --rm --security-opt no-new-privileges busybox grep Seccomp: /proc/self/status"), "2");

    // An exec'd process is under the same filter, with the container's own capabilities.
    let id = ok(&lab, "docker run -d busybox sleep 300").trim().to_owned();
    assert_eq!(seccomp(&format!("docker exec {id} grep Seccomp: /proc/self/status")), "2");
    let caps = |line: &str| status_line(&ok(&lab, line), "CapEff:");
    assert_eq!(caps(&format!("docker exec {id} grep CapEff /proc/self/status")), caps(&format!("docker exec {id} cat /proc/1/status")));
    assert_eq!(caps(&format!("docker exec -u 1000 {id} grep CapEff /proc/self/status")), "0000000000000000");
    assert_eq!(lab.run(&format!("docker exec {id} unshare -r true")).code, 1);
    assert_eq!(lab.inspect("{{json .HostConfig.SecurityOpt}}", &id), "null");
    ok(&lab, &format!("docker rm -f {id}"));

    // A build's RUN steps too, as Docker's builder runs them.
    let context = lab.root().join("ctx");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join("Dockerfile"), "FROM busybox\nRUN grep Seccomp: /proc/self/status\n").unwrap();
    let build = ok(&lab, &format!("docker build --no-cache {}", context.display()));
    assert!(build.contains("Seccomp:\t2"), "{build}");
    lab.assert_clean();
}

#[test]
fn seccomp_profile_files_are_read_when_created_and_bad_ones_refused_as_docker() {
    let lab = Lab::new();
    let profile = lab.root().join("no-mkdir.json");
    std::fs::write(
        &profile,
        "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]\n}\n",
    )
    .unwrap();
    let id = ok(&lab, &format!("docker create --security-opt seccomp={} busybox mkdir /x", profile.display())).trim().to_owned();
    // Docker's client sends the profile's text: the file is not needed after create.
    std::fs::remove_file(&profile).unwrap();
    let run = lab.run(&format!("docker start -a {id}"));
    assert_eq!((run.code, run.stderr.trim()), (1, "mkdir: can't create directory '/x': Operation not permitted"));
    assert_eq!(
        lab.inspect("{{json .HostConfig.SecurityOpt}}", &id),
        r#"["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"]"#
    );
    ok(&lab, &format!("docker rm {id}"));

    let err = refused(&lab, "docker run --rm --security-opt seccomp=/nope.json busybox true");
    assert!(err.starts_with("docker: opening seccomp profile (/nope.json) failed: open /nope.json: no such file or directory"), "{err}");
    let bad = lab.root().join("bad.json");
    std::fs::write(&bad, "{bad").unwrap();
    let err = refused(&lab, &format!("docker run --rm --security-opt seccomp={} busybox true", bad.display()));
    assert!(err.starts_with(&format!("docker: compacting json for seccomp profile ({}) failed: ", bad.display())), "{err}");
    std::fs::write(&bad, r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","names":["mkdirat"],"action":"SCMP_ACT_ERRNO"}]}"#).unwrap();
    let err = refused(&lab, &format!("docker run --rm --security-opt seccomp={} busybox true", bad.display()));
    assert!(err.contains("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'"), "{err}");
    assert!(lab.container_ids().is_empty(), "refused runs leave nothing");
    lab.assert_clean();
}

/// The same lines on a real Docker engine (`../shared/tools/real-docker`
/// starts one here, with busybox): the seccomp filter and what it refuses,
/// capabilities, read-only roots, in containers and their execs.
/// `cargo test --test security -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn security_flags_and_seccomp_do_what_real_dockers_do() {
    let docker = common::real_docker;
    assert_eq!(docker("docker info").code, 0, "no Docker engine is running");
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let profile = lab.root().join("no-mkdir.json");
    std::fs::write(&profile, r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}"#).unwrap();
    let lines = [
        "docker run --rm busybox grep -E 'Seccomp:|CapEff|NoNewPrivs' /proc/self/status".to_owned(),
        "docker run --rm busybox unshare -r true 2>&1; echo $?".to_owned(),
        "docker run --rm --security-opt seccomp=unconfined busybox sh -c 'grep Seccomp: /proc/self/status; unshare -r true; echo $?'".to_owned(),
        "docker run --rm --cap-add SYS_ADMIN busybox unshare -r true; echo $?".to_owned(),
        "docker run --rm --security-opt no-new-privileges busybox grep -E 'Seccomp:|NoNewPrivs' /proc/self/status".to_owned(),
        "docker run --rm --cap-drop ALL busybox sh -c 'grep CapEff /proc/self/status; chown 1000 /tmp 2>&1; echo $?'".to_owned(),
        "docker run --rm --read-only busybox touch /hello 2>&1; echo $?".to_owned(),
        format!("docker run --rm --security-opt seccomp={} busybox mkdir /x 2>&1; echo $?", profile.display()),
        "docker run -d --name sec-cmp busybox sleep 100 >/dev/null; docker exec sec-cmp grep -E 'Seccomp:|CapEff' /proc/self/status; docker exec -u 1000 sec-cmp grep CapEff /proc/self/status; docker exec sec-cmp unshare -r true 2>&1; docker rm -f sec-cmp".to_owned(),
        "docker info --format '{{json .SecurityOptions}}'".to_owned(),
    ];
    for line in &lines {
        let (ours, theirs) = (lab.run(line), docker(line));
        assert_eq!((ours.stdout, ours.code), (theirs.stdout, theirs.code), "{line}");
    }
    lab.assert_clean();
}
