//! `docker ps -f` and `docker images -f` filters, as Docker 20.10 applies
//! them (checked against a real engine): every filter must hold.

mod common;

use common::Lab;

fn names(lab: &Lab, filters: &str) -> String {
    let run = lab.run(&format!("docker ps -a --format '{{{{.Names}}}}' {filters}"));
    assert_eq!(run.code, 0, "{filters}: {}", run.stderr);
    run.stdout.lines().collect::<Vec<_>>().join(" ")
}

#[test]
fn ps_filters_by_label_order_volume_and_ports() {
    let lab = Lab::new();
    let port = common::free_port();
    for line in [
        "docker create --name fa -l app=web -l tier busybox true".to_owned(),
        format!("docker create --name fb -p {port}:80 -v fvol:/data busybox true"),
        "docker create --name fc busybox true".to_owned(),
    ] {
        let run = lab.run(&line);
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
    }
    assert_eq!(names(&lab, "-f label=app"), "fa");
    assert_eq!(names(&lab, "-f label=app=web"), "fa");
    assert_eq!(names(&lab, "-f label=app=db"), "");
    assert_eq!(names(&lab, "-f label=tier="), "fa");
    assert_eq!(names(&lab, "-f label=app -f label=tier"), "fa");
    assert_eq!(names(&lab, "-f before=fb"), "fa");
    assert_eq!(names(&lab, "-f since=fa"), "fc fb");
    assert_eq!(names(&lab, "-f since=fa -f before=fc"), "fb");
    assert_eq!(names(&lab, "-f volume=fvol"), "fb");
    assert_eq!(names(&lab, "-f volume=/data"), "fb");
    assert_eq!(names(&lab, "-f volume=/nodata"), "");
    assert_eq!(names(&lab, &format!("-f publish={port}")), "fb");
    assert_eq!(names(&lab, &format!("-f publish={port}/tcp")), "fb");
    assert_eq!(names(&lab, &format!("-f publish={port}/udp")), "");
    assert_eq!(names(&lab, "-f publish=80"), "", "publish= is the host's port");
    assert_eq!(names(&lab, "-f expose=80"), "fb");
    assert_eq!(names(&lab, "-f expose=70-90/tcp"), "fb");
    assert_eq!(names(&lab, "-f expose=81-90"), "");
    assert_eq!(names(&lab, "-f label=app -f volume=fvol"), "");
    assert_eq!(lab.run("docker ps -q -f since=fa").stdout, "", "without -a only running containers");

    let refusals = [
        ("docker ps -f bogus=1", "Error response from daemon: Invalid filter 'bogus'\n", 1),
        ("docker ps -f before=nosuch", "Error response from daemon: no such container nosuch\n", 1),
        ("docker ps -f status=bogus", "Error response from daemon: Invalid filter 'status=bogus'\n", 1),
        ("docker ps -f exited=abc", "Error response from daemon: strconv.Atoi: parsing \"abc\": invalid syntax\n", 1),
        (
            "docker ps -f publish=abc",
            "Error response from daemon: error while looking up for publish abc: strconv.ParseUint: parsing \"abc\": invalid syntax\n",
            1,
        ),
        (
            "docker ps -f label",
            "invalid argument \"label\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n",
            125,
        ),
    ];
    for (line, stderr, code) in refusals {
        let run = lab.run(line);
        assert_eq!((run.stderr.as_str(), run.code), (stderr, code), "{line}");
    }
    assert_eq!(lab.run("docker rm fa fb fc").code, 0);
    lab.assert_clean();
}

fn images(lab: &Lab, filters: &str) -> String {
    let run = lab.run(&format!("docker images --format '{{{{.Repository}}}}:{{{{.Tag}}}}' {filters}"));
    assert_eq!(run.code, 0, "{filters}: {}", run.stderr);
    run.stdout.lines().collect::<Vec<_>>().join(" ")
}

#[test]
fn images_filters_dangling_label_and_order() {
    let lab = Lab::new();
    let ctx = tempfile::tempdir().unwrap();
    for (dockerfile, tag) in [("LABEL app=web", "one"), ("LABEL tier=x", "two")] {
        std::fs::write(ctx.path().join("Dockerfile"), format!("FROM busybox\n{dockerfile}\n")).unwrap();
        let run = lab.run(&format!("docker build -q -t {tag} {}", ctx.path().display()));
        assert_eq!(run.code, 0, "{dockerfile}: {}", run.stderr);
    }
    // Committing twice to one name leaves the first image dangling.
    for line in ["docker create --name box busybox true", "docker commit box snap", "docker commit box snap", "docker rm box"] {
        let run = lab.run(line);
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
    }
    assert_eq!(images(&lab, ""), "snap:latest <none>:<none> two:latest one:latest busybox:latest");
    assert_eq!(images(&lab, "-f dangling=true"), "<none>:<none>");
    assert_eq!(images(&lab, "-f dangling=false"), "snap:latest two:latest one:latest busybox:latest");
    assert_eq!(images(&lab, "-f label=app"), "one:latest");
    assert_eq!(images(&lab, "-f label=app=web"), "one:latest");
    assert_eq!(images(&lab, "-f label=app=db"), "");
    assert_eq!(images(&lab, "-f label=tier -f dangling=false"), "two:latest");
    assert_eq!(images(&lab, "-f before=two"), "one:latest busybox:latest");
    assert_eq!(images(&lab, "-f since=two"), "snap:latest <none>:<none>");
    assert_eq!(images(&lab, "-f since=busybox -f before=snap"), "<none>:<none> two:latest one:latest");
    assert_eq!(images(&lab, "-f since=busybox -f dangling=true"), "<none>:<none>");
    let refusals = [
        ("docker images -f bogus=1", "Error response from daemon: Invalid filter 'bogus'\n", 1),
        ("docker images -f dangling=maybe", "Error response from daemon: Invalid filter 'dangling=[maybe]'\n", 1),
        ("docker images -f before=nosuch", "Error response from daemon: No such image: nosuch:latest\n", 1),
        (
            "docker images -f label",
            "invalid argument \"label\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n\nUsage:  docker images [OPTIONS] [REPOSITORY[:TAG]]\n\nRun 'docker images --help' for more information\n",
            125,
        ),
    ];
    for (line, stderr, code) in refusals {
        let run = lab.run(line);
        assert_eq!((run.stderr.as_str(), run.code), (stderr, code), "{line}");
    }
    lab.assert_clean();
}
