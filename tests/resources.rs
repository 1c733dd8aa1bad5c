//! `docker run`'s resource flags and `docker update`: each limit checked
//! where the kernel keeps it (the container's cgroup files, on whichever
//! layout this host has: v1 controllers or v2), from inside the container
//! (`ulimit`, `df /dev/shm`), and in `inspect` and `stats`; the OOM kill
//! of a container over its memory limit; Docker's errors for bad values.

mod common;

use common::Lab;
use whaleshell_runtime::container::cgroup::{Cgroup, Hierarchy};
use whaleshell_runtime::container::resources::shares_to_weight;

/// A cgroup file of the container: `v1` (controller, file) on a v1 host, `v2` on a unified one.
fn cgroup_file(id: &str, v1: (&str, &str), v2: &str) -> String {
    let cgroup = Cgroup::of(id);
    let path = match cgroup.hierarchy() {
        Hierarchy::V1 => cgroup.controller_dir(v1.0).join(v1.1),
        Hierarchy::Unified => cgroup.controller_dir("").join(v2),
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).trim().to_owned()
}

fn v1() -> bool {
    Hierarchy::detect() == Hierarchy::V1
}

fn memory_limit(id: &str) -> String {
    cgroup_file(id, ("memory", "memory.limit_in_bytes"), "memory.max")
}

fn cpu_quota(id: &str) -> String {
    if v1() {
        format!("{} {}", cgroup_file(id, ("cpu", "cpu.cfs_quota_us"), ""), cgroup_file(id, ("cpu", "cpu.cfs_period_us"), ""))
    } else {
        cgroup_file(id, ("", ""), "cpu.max")
    }
}

fn cpu_weight(id: &str) -> String {
    cgroup_file(id, ("cpu", "cpu.shares"), "cpu.weight")
}

/// What the kernel shows for shares `n`: v1 keeps them, v2 has a weight.
fn shares(n: i64) -> String {
    if v1() {
        n.to_string()
    } else {
        shares_to_weight(n).to_string()
    }
}

fn out(lab: &Lab, line: &str) -> String {
    let run = lab.run(line);
    assert_eq!(run.code, 0, "{line}: {}", run.stderr);
    run.stdout
}

const HOST_CONFIG: &str = "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} \
{{.HostConfig.CpuShares}} {{json .HostConfig.CpusetCpus}} {{json .HostConfig.Ulimits}} {{.HostConfig.ShmSize}}";

#[test]
fn run_resource_flags_reach_the_cgroup_and_the_process() {
    let lab = Lab::new();
    let id = lab.run_detached(
        "docker run -d --name limited -m 64m --memory-reservation 32m --cpus 1.5 --cpu-shares 512 --cpuset-cpus 0 \
         --ulimit nofile=1024:2048 --ulimit nproc=100 --shm-size 32m busybox sleep 1000",
    );
    // The kernel's limits, where it keeps them.
    assert_eq!(memory_limit(&id), "67108864");
    // No --memory-swap: as much swap as memory, Docker's default.
    let swap = cgroup_file(&id, ("memory", "memory.memsw.limit_in_bytes"), "memory.swap.max");
    assert_eq!(swap, if v1() { "134217728" } else { "67108864" });
    assert_eq!(cgroup_file(&id, ("memory", "memory.soft_limit_in_bytes"), "memory.low"), "33554432");
    assert_eq!(cpu_quota(&id), "150000 100000");
    assert_eq!(cpu_weight(&id), shares(512));
    assert_eq!(cgroup_file(&id, ("cpuset", "cpuset.cpus"), "cpuset.cpus"), "0");
    // From inside: rlimits, /dev/shm's size (1K blocks), and the cgroup the container sees.
    assert_eq!(out(&lab, "docker exec limited sh -c 'ulimit -n; ulimit -Hn; ulimit -u'"), "1024\n2048\n100\n");
    let df = out(&lab, "docker exec limited df /dev/shm");
    assert!(df.lines().nth(1).is_some_and(|l| l.split_whitespace().nth(1) == Some("32768")), "{df}");
    let inside = if v1() { "/sys/fs/cgroup/memory/memory.limit_in_bytes" } else { "/sys/fs/cgroup/memory.max" };
    assert_eq!(out(&lab, &format!("docker exec limited cat {inside}")), "67108864\n");
    // As Docker's inspect shows them.
    assert_eq!(
        out(&lab, &format!("docker inspect -f '{HOST_CONFIG}' limited")),
        "67108864 134217728 33554432 1500000000 512 \"0\" \
         [{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024},{\"Name\":\"nproc\",\"Hard\":100,\"Soft\":100}] 33554432\n"
    );
    // stats' MEM LIMIT is the container's.
    assert!(out(&lab, "docker stats --no-stream --format '{{.MemUsage}}' limited").trim_end().ends_with(" / 64MiB"));
    assert_eq!(lab.run("docker rm -f limited").code, 0);
    lab.assert_clean();
}

#[test]
fn unset_resources_are_dockers_zero_values() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name plain busybox sleep 1000");
    assert_eq!(out(&lab, &format!("docker inspect -f '{HOST_CONFIG} {{{{.State.OOMKilled}}}}' plain")), "0 0 0 0 0 \"\" null 67108864 false\n");
    // Docker's 64 MiB /dev/shm, no CPU quota.
    let df = out(&lab, "docker exec plain df /dev/shm");
    assert!(df.lines().nth(1).is_some_and(|l| l.split_whitespace().nth(1) == Some("65536")), "{df}");
    assert_eq!(cpu_quota(&id), if v1() { "-1 100000" } else { "max 100000" });
    // --memory-swap -1: unlimited swap, kept as Docker keeps it.
    lab.run_detached("docker run -d --name noswap -m 64m --memory-swap -1 busybox sleep 1000");
    assert_eq!(out(&lab, "docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' noswap"), "67108864 -1\n");
    assert_eq!(lab.run("docker rm -f plain noswap").code, 0);
    lab.assert_clean();
}

#[test]
fn a_container_over_its_memory_limit_is_oom_killed() {
    let lab = Lab::new();
    // A shell variable holding 64 MiB: the shell really allocates it.
    let run = lab.run(r#"docker run --name hog -m 8m busybox sh -c 'x=$(head -c 64m /dev/zero | tr "\0" a); echo survived'"#);
    assert_eq!(run.code, 137, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("survived"));
    assert_eq!(out(&lab, "docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog"), "true 137\n");
    assert!(out(&lab, "docker ps -a --format '{{.Status}}'").starts_with("Exited (137)"));
    // Under its limit, a normal exit.
    let run = lab.run("docker run --name fine -m 8m busybox true");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(out(&lab, "docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' fine"), "false 0\n");
    assert_eq!(lab.run("docker rm hog fine").code, 0);
    lab.assert_clean();
}

#[test]
fn update_changes_a_running_containers_limits() {
    let lab = Lab::new();
    let id = lab.run_detached("docker run -d --name web -m 64m busybox sleep 1000");
    let other = lab.run_detached("docker run -d --name idle busybox sleep 1000");
    // Each container printed as it was named.
    assert_eq!(
        out(&lab, &format!("docker update --cpus 0.5 --cpu-shares 100 --cpuset-cpus 0 --pids-limit 50 web {}", &other[..12])),
        format!("web\n{}\n", &other[..12])
    );
    for c in [&id, &other] {
        assert_eq!(cpu_quota(c), "50000 100000");
        assert_eq!(cpu_weight(c), shares(100));
        assert_eq!(cgroup_file(c, ("cpuset", "cpuset.cpus"), "cpuset.cpus"), "0");
        assert_eq!(Cgroup::of(c).pids_max().as_deref(), Some("50"));
    }
    let fields = "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}}";
    assert_eq!(out(&lab, &format!("docker inspect -f '{fields}' web idle")), "500000000 100 0 50\n500000000 100 0 50\n");
    // Unlimited by an update: pids.max is max, and Docker's inspect says 0 (null only at creation).
    assert_eq!(out(&lab, "docker update --pids-limit -1 idle"), "idle\n");
    assert_eq!(Cgroup::of(&other).pids_max().as_deref(), Some("max"));
    assert_eq!(out(&lab, "docker inspect -f '{{json .HostConfig.PidsLimit}}' idle"), "0\n");
    // Memory within the recorded swap (twice 64m), then both at once.
    assert_eq!(out(&lab, "docker update -m 100m web"), "web\n");
    assert_eq!(memory_limit(&id), "104857600");
    assert_eq!(out(&lab, "docker update -m 300m --memory-swap 400m --memory-reservation 200m web"), "web\n");
    assert_eq!(memory_limit(&id), "314572800");
    assert_eq!(cgroup_file(&id, ("memory", "memory.soft_limit_in_bytes"), "memory.low"), "209715200");
    assert_eq!(
        out(&lab, "docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}}' web"),
        "314572800 419430400 209715200\n"
    );
    // Docker's refusals: over the recorded swap, and the request's own checks; the others still go through.
    let run = lab.run("docker update -m 500m web nope idle");
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    let cannot = |id: &str| {
        format!(
            "Error response from daemon: Cannot update container {id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time"
        )
    };
    assert_eq!(run.stderr, format!("{}\nError response from daemon: No such container: nope\n{}\n", cannot(&id), cannot(&other)));
    let run = lab.run("docker update -m 5m web");
    assert_eq!((run.code, run.stderr.as_str()), (1, "Error response from daemon: Minimum memory limit allowed is 6MB\n"));
    // The kernel's bound, which v1 would clamp silently, checked as runc does for a running container.
    let run = lab.run("docker update --cpu-shares 1 web");
    assert_eq!((run.code, run.stderr), (1, format!("Error response from daemon: Cannot update container {id}: the minimum allowed cpu-shares is 2\n")));
    let run = lab.run("docker update web");
    assert_eq!((run.code, run.stderr.as_str()), (1, "you must provide one or more flags when using this command\n"));
    // The restart policy is checked as Docker's daemon does (its updates: tests/restart.rs).
    let run = lab.run("docker update --restart bogus web");
    assert_eq!((run.code, run.stderr.as_str()), (1, "Error response from daemon: invalid restart policy 'bogus'\n"));
    let run = lab.run("docker update -m 3x web");
    assert_eq!(run.code, 125);
    assert!(
        run.stderr
            .starts_with("invalid argument \"3x\" for \"-m, --memory\" flag: invalid suffix: 'x'\n\nUsage:  docker update [OPTIONS] CONTAINER [CONTAINER...]"),
        "{}",
        run.stderr
    );
    // A stopped container's record changes; its next start uses it.
    assert_eq!(lab.run("docker stop -t 0 idle").code, 0);
    assert_eq!(out(&lab, "docker update -m 32m --memory-swap 64m idle"), "idle\n");
    assert_eq!(out(&lab, "docker start idle"), "idle\n");
    assert_eq!(memory_limit(&other), "33554432");
    assert_eq!(lab.run("docker rm -f web idle").code, 0);
    lab.assert_clean();
}

#[test]
fn bad_resource_values_fail_with_dockers_errors() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let cpus = whaleshell_runtime::container::resources::num_cpus();
    let daemon = |m: &str| format!("docker: Error response from daemon: {m}\nSee 'docker run --help'.\n");
    let cases = [
        ("-m 5m", daemon("Minimum memory limit allowed is 6MB")),
        ("-m 10m --memory-swap 5m", daemon("Minimum memoryswap limit should be larger than memory limit, see usage")),
        ("--memory-swap 20m", daemon("You should always set the Memory limit when using Memoryswap limit, see usage")),
        ("-m 10m --memory-reservation 20m", daemon("Minimum memory limit can not be less than memory reservation limit, see usage")),
        ("--memory-reservation 1k", daemon("Minimum memory reservation allowed is 6MB")),
        ("--cpus 99", daemon(&format!("Range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available"))),
        ("--cpuset-cpus x", daemon("Invalid value x for cpuset cpus: invalid format: x")),
        ("--cpuset-cpus 999", daemon(&format!("Requested CPUs are not available - requested 999, available: 0-{}", cpus - 1))),
    ];
    for (flags, expected) in cases {
        let run = lab.run(&format!("docker run --rm {flags} busybox true"));
        assert_eq!((run.code, run.stderr), (125, expected), "{flags}");
    }
    let usage = "\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n";
    let flag_errors = [
        ("-m 3x", "invalid argument \"3x\" for \"-m, --memory\" flag: invalid suffix: 'x'"),
        ("-m -1", "invalid argument \"-1\" for \"-m, --memory\" flag: invalid size: '-1'"),
        ("--shm-size 3x", "invalid argument \"3x\" for \"--shm-size\" flag: invalid suffix: 'x'"),
        ("--cpus abc", "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number"),
        ("--ulimit nofile", "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile"),
        ("--ulimit foo=1", "invalid argument \"foo=1\" for \"--ulimit\" flag: invalid ulimit type: foo"),
        (
            "--ulimit nofile=20:10",
            "invalid argument \"nofile=20:10\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: 20 > 10",
        ),
    ];
    for (flags, expected) in flag_errors {
        let run = lab.run(&format!("docker run --rm {flags} busybox true"));
        assert_eq!((run.code, run.stderr), (125, format!("{expected}{usage}")), "{flags}");
    }
    assert!(lab.container_ids().is_empty(), "no container was made");
    // runc's bound, at start: the container stays created, as in Docker.
    let run = lab.run("docker run --name low -c 1 busybox true");
    assert_eq!(run.code, 125);
    assert!(run.stderr.contains("unable to start container process: the minimum allowed cpu-shares is 2"), "{}", run.stderr);
    assert_eq!(lab.run("docker rm low").code, 0);
    lab.assert_clean();
}

/// The same lines on a real Docker engine (`../shared/tools/real-docker`
/// starts one here, with busybox): what the container sees, inspect's
/// fields, the OOM kill, and the first line of each error, alike.
/// `cargo test --test resources -- --ignored`.
#[test]
#[ignore = "needs a running Docker engine"]
fn resource_flags_do_what_real_dockers_do() {
    let docker = common::real_docker;
    assert_eq!(docker("docker info").code, 0, "no Docker engine is running");
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let probe = if v1() {
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus"
    } else {
        "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.low /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpuset.cpus"
    };
    let flags = "-m 64m --memory-reservation 32m --cpus 1.5 --cpu-shares 512 --cpuset-cpus 0 --ulimit nofile=1024:2048 --ulimit nproc=100 --shm-size 32m";
    let lines = [
        format!("docker run --rm {flags} busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -u; df /dev/shm | tail -1; {probe}'"),
        format!(r"docker create --name rsc-cmp {flags} busybox true >/dev/null && docker inspect -f '{HOST_CONFIG}' rsc-cmp | sed 's/\[.*\]/ULIMITS/'; docker rm rsc-cmp"),
        // Alone: with the fields above, Docker's CLI falls back to the raw JSON, whose keys Go sorts.
        format!("docker create --name rsc-cmp {flags} busybox true >/dev/null && docker inspect -f '{{{{json .HostConfig.Ulimits}}}}' rsc-cmp; docker rm rsc-cmp"),
        "docker run --rm busybox df /dev/shm".to_owned(),
        r#"docker run --name rsc-oom -m 8m busybox sh -c 'x=$(head -c 64m /dev/zero | tr "\0" a)'; echo $?; docker inspect -f '{{.State.OOMKilled}}' rsc-oom; docker rm rsc-oom"#.to_owned(),
        "docker run -d --name rsc-up -m 64m busybox sleep 100 >/dev/null; docker update --cpus 0.5 -m 100m rsc-up; docker update -m 200m rsc-up 2>&1 | cut -d: -f1,3; docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}' rsc-up; docker rm -f rsc-up".to_owned(),
    ];
    for line in &lines {
        let (ours, theirs) = (lab.run(line), docker(line));
        assert_eq!((ours.stdout, ours.code), (theirs.stdout, theirs.code), "{line}");
    }
    for flags in ["-m 5m", "-m 3x", "-m 10m --memory-swap 5m", "--cpus 99", "--cpus abc", "--cpuset-cpus 99", "--ulimit nofile=2:1", "--memory-reservation 1k"]
    {
        let line = format!("docker run --rm {flags} busybox true");
        let (ours, theirs) = (lab.run(&line), docker(&line));
        assert_eq!((ours.stderr.lines().next(), ours.code), (theirs.stderr.lines().next(), theirs.code), "{line}");
    }
    lab.assert_clean();
}
