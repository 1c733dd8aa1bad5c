//! Docker's documentation examples (the reference pages of run, inspect, ps,
//! cp, diff, wait, rename, pause, update, commit, export/import, build …,
//! adapted to busybox) played through Whaleshell and through a real Docker
//! engine: the same output, once IDs, digests and times are normalised, and
//! the same exit status. Opt-in, as it needs the engine:
//! `../shared/tools/real-docker`, then `cargo test --test docs_examples -- --ignored`.
//! It prints how many examples behave the same and fails on any that do not,
//! except the differences listed in [`KNOWN`] with their reason.

mod common;

use common::Lab;

/// One example per line; names start with `docs-` so that the real engine's
/// other containers are left alone. Errors go to stdout (`2>&1`) where the
/// message is part of what Docker's docs show.
const EXAMPLES: &[&str] = &[
    // docker run
    r#"docker run --rm busybox:latest /bin/echo "Hello Docker""#,
    "docker run --rm busybox sh -c 'echo $HOME; id'",
    "docker run --rm -u 1000:1000 busybox id",
    "docker run --rm -u nobody busybox sh -c 'id; echo $HOME'",
    "docker run --rm -e MYVAR1 -e MYVAR2=foo busybox sh -c 'echo ${MYVAR2}'",
    "docker run --rm -w /path/to/dir busybox pwd",
    "docker run --rm -h myhost busybox hostname",
    "docker run --rm --entrypoint /bin/echo busybox from-entrypoint",
    "docker run --rm busybox sh -c 'exit 3'; echo $?",
    "docker run --rm busybox /etc/passwd 2>&1; echo $?",
    "docker run --rm busybox no-such-program 2>&1; echo $?",
    "docker run --rm --read-only busybox touch /x 2>&1; echo $?",
    "docker run --rm --tmpfs /run:rw,size=1m busybox sh -c 'touch /run/ok && echo ok'",
    "docker run --rm --add-host db:10.0.0.5 busybox grep db /etc/hosts",
    "docker run --rm --cap-drop ALL busybox grep CapEff /proc/self/status",
    "docker run --rm busybox grep Seccomp: /proc/self/status",
    "docker run --rm --pids-limit 50 busybox cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || echo v2",
    "docker run --rm --ulimit nofile=1024:2048 busybox sh -c 'ulimit -n; ulimit -Hn'",
    "docker run --rm -m 6m busybox true 2>&1 | tail -1; echo $?",
    "docker run --rm -m 5m busybox true 2>&1; echo $?",
    "docker run --rm --cpus 99 busybox true 2>&1; echo $?",
    "docker run --rm --restart always busybox true 2>&1; echo $?",
    "docker run --rm --no-such-flag busybox true 2>&1 | head -1; echo $?",
    "docker run --rm -v /etc:/host-etc:ro busybox ls /host-etc/hostname",
    "docker run --name docs-ln --log-driver none busybox echo hi; docker logs docs-ln 2>&1; docker rm docs-ln",
    // docker create, start, wait, rename, rm
    "docker create --name docs-c busybox echo created >/dev/null; docker start -a docs-c; docker rm docs-c",
    "docker run -d --name docs-w busybox sh -c 'exit 7' >/dev/null; docker wait docs-w; docker rm docs-w",
    "docker create --name docs-r1 busybox >/dev/null; docker rename docs-r1 docs-r2; docker ps -a --filter name=docs-r --format '{{.Names}}'; docker rm docs-r2",
    "docker rename docs-none docs-other 2>&1; echo $?",
    "docker rm docs-none 2>&1; echo $?",
    "docker run -d --name docs-running busybox sleep 100 >/dev/null; docker rm docs-running 2>&1 | sed 's/ [0-9a-f]\\{64\\}//'; docker rm -f docs-running",
    // docker inspect and Go templates
    "docker run -d --name docs-i busybox sleep 100 >/dev/null; docker inspect -f '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Path}} {{.Args}}' docs-i; docker rm -f docs-i >/dev/null",
    "docker run -d --name docs-i busybox sleep 100 >/dev/null; docker inspect --format='{{range .Config.Env}}{{println .}}{{end}}' docs-i; docker rm -f docs-i >/dev/null",
    "docker run -d --name docs-i busybox sleep 100 >/dev/null; docker inspect -f '{{json .Config.Cmd}} {{join .Args \",\"}} {{len .Args}} {{index .Args 0}} {{upper .Name}}' docs-i; docker rm -f docs-i >/dev/null",
    "docker run -d --name docs-i busybox sleep 100 >/dev/null; docker inspect -f '{{if .State.Running}}up{{else}}down{{end}} {{printf \"%s-%d\" .Name 5}} {{lower \"ABC\"}} {{title \"hello world\"}} {{split \"a:b:c\" \":\"}}' docs-i; docker rm -f docs-i >/dev/null",
    "docker run -d --name docs-i busybox sleep 100 >/dev/null; docker inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.Memory}} {{.HostConfig.NetworkMode}} {{.RestartCount}} {{.Config.Tty}} {{.Config.OpenStdin}}' docs-i; docker rm -f docs-i >/dev/null",
    "docker run -d --name docs-i -l team=blue busybox sleep 100 >/dev/null; docker inspect -f '{{json .Config.Labels}} {{.Config.Labels.team}}' docs-i; docker rm -f docs-i >/dev/null",
    "docker run --name docs-x busybox sh -c 'exit 2'; docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.State.Pid}}' docs-x; docker rm docs-x >/dev/null",
    "docker inspect -f '{{json .Config.Cmd}} {{.Os}} {{.Architecture}} {{json .RepoTags}}' busybox",
    "docker image inspect -f '{{.Config.Entrypoint}} {{.Config.WorkingDir}} {{len .RootFS.Layers}}' busybox",
    "docker inspect docs-none 2>&1; echo $?",
    "docker inspect -f '{{.NoSuchField}}' busybox 2>&1; echo $?",
    "docker inspect --type container busybox 2>&1; echo $?",
    // docker ps and images
    "docker run -d --name docs-p1 -l app=web busybox sleep 100 >/dev/null; docker ps --filter label=app=web --format '{{.Names}} {{.Image}} {{.Command}} {{.Labels}}'; docker rm -f docs-p1 >/dev/null",
    "docker run -d --name docs-p1 busybox sleep 100 >/dev/null; docker ps --filter name=docs-p1 --format 'table {{.Names}}\\t{{.Image}}'; docker rm -f docs-p1 >/dev/null",
    "docker run --name docs-p2 busybox sh -c 'exit 4'; docker ps -a --filter name=docs-p2 --filter exited=4 --format '{{.Names}}'; docker ps -a --filter name=docs-p2 --filter status=exited -q | wc -l; docker rm docs-p2 >/dev/null",
    "docker run -d --name docs-p3 busybox sleep 100 >/dev/null; docker ps --filter ancestor=busybox --filter name=docs-p3 --format '{{.Names}} {{.Status}}' | sed 's/Up .*/Up/'; docker rm -f docs-p3 >/dev/null",
    "docker ps --filter status=nonsense 2>&1; echo $?",
    "docker run -d --name docs-f busybox sleep 100 >/dev/null; docker ps --format '{{.Nope}}' 2>&1; echo $?; docker rm -f docs-f >/dev/null",
    "docker images busybox --format '{{.Repository}}:{{.Tag}}'",
    "docker images --filter reference=busy* --format '{{.Repository}}'",
    "docker images --format 'table {{.Repository}}\\t{{.Tag}}' busybox",
    "docker image ls -q busybox | wc -c",
    // docker cp, diff, export, import, commit
    "docker run --name docs-cp busybox sh -c 'mkdir /d; echo hi > /d/f'; docker cp docs-cp:/d/f - | tar -xO; docker rm docs-cp >/dev/null",
    "docker run --name docs-cp busybox sh -c 'mkdir /d; echo hi > /d/f'; rm -rf /tmp/docs-cp-out; docker cp docs-cp:/d /tmp/docs-cp-out; cat /tmp/docs-cp-out/f; rm -rf /tmp/docs-cp-out; docker rm docs-cp >/dev/null",
    "docker create --name docs-cp2 busybox cat /in.txt >/dev/null; echo copied-in > /tmp/docs-in.txt; docker cp /tmp/docs-in.txt docs-cp2:/in.txt; docker start -a docs-cp2; rm /tmp/docs-in.txt; docker rm docs-cp2 >/dev/null",
    "docker cp docs-none:/x /tmp 2>&1; echo $?",
    "docker run --name docs-cp3 busybox true; docker cp docs-cp3:/no/such /tmp 2>&1; echo $?; docker rm docs-cp3 >/dev/null",
    "docker run --name docs-d busybox sh -c 'mkdir /x; touch /x/y; rm /etc/group; echo >> /etc/passwd'; docker diff docs-d | sort; docker rm docs-d >/dev/null",
    "docker run --name docs-e busybox sh -c 'echo exported > /e.txt'; docker export docs-e | tar -xO e.txt; docker rm docs-e >/dev/null",
    "docker run --name docs-e busybox sh -c 'echo imported > /e.txt'; docker export docs-e | docker import - docs-imported:1 >/dev/null; docker run --rm docs-imported:1 cat /e.txt; docker rm docs-e >/dev/null; docker rmi docs-imported:1 >/dev/null",
    "docker run --name docs-cm busybox sh -c 'echo committed > /c.txt'; docker commit --change 'CMD [\"cat\",\"/c.txt\"]' docs-cm docs-committed:1 >/dev/null; docker run --rm docs-committed:1; docker rm docs-cm >/dev/null; docker rmi docs-committed:1 >/dev/null",
    "docker run --name docs-cm2 -e A=1 -w /tmp busybox true; docker commit docs-cm2 docs-committed:2 >/dev/null; docker image inspect -f '{{json .Config.Env}} {{.Config.WorkingDir}} {{json .Config.Cmd}}' docs-committed:2; docker rm docs-cm2 >/dev/null; docker rmi docs-committed:2 >/dev/null",
    // docker exec, pause, update, logs, stats, top
    "docker run -d --name docs-x1 busybox sleep 100 >/dev/null; docker exec docs-x1 echo in-exec; docker exec -u 1000 docs-x1 id; docker exec -w /tmp docs-x1 pwd; docker exec -e V=1 docs-x1 sh -c 'echo $V'; docker rm -f docs-x1 >/dev/null",
    "docker run -d --name docs-x1 busybox sleep 100 >/dev/null; docker exec docs-x1 /etc/passwd 2>&1; echo $?; docker exec docs-x1 nope 2>&1; echo $?; docker rm -f docs-x1 >/dev/null",
    "docker run --name docs-x2 busybox true; docker exec docs-x2 true 2>&1 | sed 's/[0-9a-f]\\{64\\}/ID/'; echo $?; docker rm docs-x2 >/dev/null",
    "docker run -d --name docs-pz busybox sleep 100 >/dev/null; docker pause docs-pz; docker inspect -f '{{.State.Status}} {{.State.Paused}}' docs-pz; docker exec docs-pz true 2>&1 | sed 's/[0-9a-f]\\{64\\}/ID/'; docker unpause docs-pz; docker inspect -f '{{.State.Status}}' docs-pz; docker rm -f docs-pz >/dev/null",
    "docker run -d --name docs-u busybox sleep 100 >/dev/null; docker update --cpus 0.5 -m 64m --memory-swap 128m docs-u; docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' docs-u; docker rm -f docs-u >/dev/null",
    "docker update docs-none --cpus 1 2>&1; echo $?",
    // Each stream alone: how stdout and stderr interleave is a race in Docker too.
    "docker run --name docs-lg busybox sh -c 'echo one; echo two >&2; echo three'; docker logs docs-lg 2>/dev/null; docker logs docs-lg 2>&1 >/dev/null; docker rm docs-lg >/dev/null",
    "docker run --name docs-lg2 busybox sh -c 'echo one; echo two; echo three'; docker logs -n 1 docs-lg2; docker logs --tail 2 docs-lg2; docker rm docs-lg2 >/dev/null",
    "docker run -d --name docs-st busybox sleep 100 >/dev/null; docker stats --no-stream --format '{{.Name}} {{.PIDs}}' docs-st; docker rm -f docs-st >/dev/null",
    "docker run -d --name docs-tp busybox sleep 100 >/dev/null; docker top docs-tp | awk '{print $1, $NF}'; docker rm -f docs-tp >/dev/null",
    "docker run -d --name docs-k busybox sleep 100 >/dev/null; docker kill -s TERM docs-k; docker wait docs-k; docker rm docs-k >/dev/null",
    "docker run -d --name docs-sp busybox sleep 100 >/dev/null; docker stop -t 1 docs-sp; docker inspect -f '{{.State.ExitCode}}' docs-sp; docker rm docs-sp >/dev/null",
    "docker run -d --name docs-rs busybox sleep 100 >/dev/null; docker restart -t 1 docs-rs; docker inspect -f '{{.State.Running}} {{.RestartCount}}' docs-rs; docker rm -f docs-rs >/dev/null",
    // docker build: the Dockerfile reference's instructions
    "rm -rf /tmp/docs-b && mkdir /tmp/docs-b && printf 'FROM busybox\\nLABEL a=b c=\"d e\"\\nEXPOSE 80 53/udp\\nENV X=1 Y=\"two words\" Z=${X:-none}\\nVOLUME /data\\nWORKDIR /app\\nUSER nobody\\nSTOPSIGNAL SIGINT\\nCMD [\"sh\"]\\n' > /tmp/docs-b/Dockerfile && docker build -q -t docs-build /tmp/docs-b >/dev/null && docker image inspect -f '{{json .Config.Labels}} {{json .Config.ExposedPorts}} {{json .Config.Env}} {{json .Config.Volumes}} {{.Config.WorkingDir}} {{.Config.User}} {{.Config.StopSignal}}' docs-build; docker rmi docs-build >/dev/null; rm -rf /tmp/docs-b",
    "rm -rf /tmp/docs-b && mkdir /tmp/docs-b && printf 'FROM busybox\\nARG V=3\\nRUN echo v=$V > /v\\nCMD cat /v\\n' > /tmp/docs-b/Dockerfile && docker build -q --build-arg V=9 -t docs-build /tmp/docs-b >/dev/null && docker run --rm docs-build; docker rmi docs-build >/dev/null; rm -rf /tmp/docs-b",
    "rm -rf /tmp/docs-b && mkdir /tmp/docs-b && printf 'FROM busybox\\nNOSUCH thing\\n' > /tmp/docs-b/Dockerfile && docker build -q -t docs-build /tmp/docs-b 2>&1 | tail -1; echo $?; rm -rf /tmp/docs-b",
    "rm -rf /tmp/docs-b && mkdir /tmp/docs-b && printf 'FROM busybox\\nRUN exit 5\\n' > /tmp/docs-b/Dockerfile && docker build -q -t docs-build /tmp/docs-b 2>&1 | tail -1; echo $?; rm -rf /tmp/docs-b",
    // images: tag, rmi, history, save/load
    "docker tag busybox docs-tagged:v1; docker images docs-tagged --format '{{.Repository}}:{{.Tag}}'; docker rmi docs-tagged:v1",
    "docker rmi docs-none:1 2>&1; echo $?",
    "docker tag docs-none docs-x 2>&1; echo $?",
    "docker history --format '{{.CreatedBy}}' busybox | wc -l",
    "docker save busybox | tar -t | grep -c manifest.json",
    "docker pull docs-no-such-image 2>&1 | tail -1; echo $?",
    // volumes
    "docker volume create docs-vol; docker volume ls -q --filter name=docs-vol; docker run --rm -v docs-vol:/v busybox sh -c 'echo kept > /v/f'; docker run --rm -v docs-vol:/v busybox cat /v/f; docker volume rm docs-vol",
    "docker volume inspect -f '{{.Name}} {{.Driver}}' docs-vol2 2>&1; echo $?",
    // events
    "docker run --name docs-ev busybox true; docker events --since 1m --until 0s --filter container=docs-ev --format '{{.Type}} {{.Action}}'; docker rm docs-ev >/dev/null",
];

/// Where Whaleshell differs from Docker on purpose or for a reason outside
/// its reach; each names the example by a part of its line.
const KNOWN: &[(&str, &str)] = &[
    ("sh -c 'echo $HOME; id'", "the engine's busybox is a bare import: /etc/group has only root, so no 10(wheel) as in Docker Hub's busybox and Whaleshell's"),
    ("-u nobody", "the engine's busybox is a bare import: /etc/passwd has only root, so Docker cannot find nobody"),
    ("busybox /etc/passwd 2>&1", "Whaleshell has no containerd shim: its start errors say `failed to create task for container:` without 20.10's `shim task: OCI runtime create failed: runc create failed:` chain"),
    ("busybox no-such-program 2>&1", "the same missing shim chain"),
    ("inspect --type container busybox", "client 28 passes the daemon's `No such container`; Whaleshell answers as for a plain inspect"),
    ("docs-no-such-image", "this engine cannot reach Docker Hub; Whaleshell's offline hub says the image does not exist"),
];

/// The parts two engines' outputs may differ in: IDs, digests, times; and
/// what the client here (Docker 28) words otherwise than the 20.10 client
/// Whaleshell follows (API 1.41): the line after a usage error, and the
/// `\r` its exec errors end with.
fn normalise(text: &str) -> String {
    let patterns = [
        (r"\r\n", "\n"),
        (r"\nRun '(docker [a-z ]+) --help' for more information", "See '$1 --help'."),
        (r"sha256:[0-9a-f]{64}", "<digest>"),
        (r"\b[0-9a-f]{64}\b", "<id>"),
        (r"\b[0-9a-f]{12}\b", "<id>"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", "<time>"),
        (r"(Less than a second|About a minute|About an hour|\d+ (seconds|minutes|hours)) ago", "<ago>"),
        (r"\d+(\.\d+)?(B|kB|KiB|MB|MiB)\b", "<size>"),
    ];
    let mut out = text.to_owned();
    for (pattern, with) in patterns {
        out = regex::Regex::new(pattern).unwrap().replace_all(&out, with).into_owned();
    }
    out
}

#[test]
#[ignore = "needs a running Docker engine"]
fn docker_docs_examples_behave_as_real_docker() {
    let docker = common::real_docker;
    assert_eq!(docker("docker info").code, 0, "no Docker engine is running");
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let mut same = 0;
    let mut differ = Vec::new();
    for line in EXAMPLES {
        let (ours, theirs) = (lab.run(line), docker(line));
        let (ours, theirs) = ((normalise(&ours.stdout), ours.code), (normalise(&theirs.stdout), theirs.code));
        let known = KNOWN.iter().find(|(part, _)| line.contains(part));
        match (ours == theirs, known) {
            (true, None) => same += 1,
            (true, Some((part, _))) => differ.push(format!("listed as known but now the same, take it off KNOWN: {part}")),
            (false, Some(_)) => {}
            (false, None) => differ.push(format!("$ {line}\n--- whaleshell (exit {}):\n{}--- docker (exit {}):\n{}", ours.1, ours.0, theirs.1, theirs.0)),
        }
    }
    println!("{same} of {} documentation examples behave as real Docker's; {} known differences", EXAMPLES.len(), KNOWN.len());
    assert!(differ.is_empty(), "{} examples differ:\n\n{}", differ.len(), differ.join("\n\n"));
    lab.assert_clean();
}
