//! Volumes and published ports on real containers.

mod common;

use common::Lab;
use whaleshell_runtime::container::Status;

#[test]
fn a_file_on_a_volume_survives_rm_and_one_elsewhere_does_not() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm -v notes:/notes busybox sh -c 'echo kept > /notes/a; echo lost > /b'");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let next = lab.run("docker run --rm -v notes:/notes busybox sh -c 'cat /notes/a; cat /b'");
    assert_eq!(next.stdout, "kept\n");
    assert_eq!(next.stderr, "cat: can't open '/b': No such file or directory\n");
    assert_eq!(lab.run("docker volume ls -q").stdout, "notes\n");
    let data = lab.runtime().volumes.data_dir("notes").join("a");
    assert_eq!(std::fs::read_to_string(data).unwrap(), "kept\n");
    lab.assert_clean();
}

#[test]
fn bind_mounts_show_host_files_and_can_be_read_only() {
    let lab = Lab::new();
    let host = lab.root().join("site");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("index.html"), "hi\n").unwrap();
    let read = lab.run(&format!("docker run --rm -v {}:/www:ro busybox cat /www/index.html", host.display()));
    assert_eq!(read.stdout, "hi\n");
    let write = lab.run(&format!("docker run --rm -v {}:/www:ro busybox touch /www/x", host.display()));
    assert_eq!((write.stderr.as_str(), write.code), ("touch: /www/x: Read-only file system\n", 1));
    let mount = lab.run(&format!("docker run --rm --mount type=bind,source={},target=/w busybox sh -c 'echo new > /w/new'", host.display()));
    assert_eq!(mount.code, 0, "{}", mount.stderr);
    assert_eq!(std::fs::read_to_string(host.join("new")).unwrap(), "new\n");
    let missing = lab.run("docker run --rm --mount type=bind,source=/no/such/dir,target=/x busybox true");
    assert_eq!(missing.code, 125);
    assert!(missing.stderr.contains("bind source path does not exist: /no/such/dir"), "{}", missing.stderr);
    lab.assert_clean();
}

#[test]
fn volumes_in_use_are_kept_and_anonymous_ones_go_with_rm_v() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker run --name user -v named:/n -v /anon busybox true").code, 0);
    assert_eq!(lab.run("docker volume ls -q").stdout.lines().count(), 2);
    let refused = lab.run("docker volume rm named");
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.starts_with("Error response from daemon: remove named: volume is in use - ["), "{}", refused.stderr);
    assert_eq!(lab.run("docker rm -v user").code, 0);
    assert_eq!(lab.run("docker volume ls -q").stdout, "named\n", "the anonymous volume went with the container");
    let inspect: serde_json::Value = serde_json::from_str(&lab.run("docker volume inspect named").stdout).unwrap();
    assert_eq!(inspect[0]["Driver"], "local");
    assert_eq!(lab.run("docker volume prune -a -f").stdout, "Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n");
}

#[test]
fn a_published_port_answers_curl_and_is_released_after() {
    let lab = Lab::new();
    let site = lab.root().join("www");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>Hello from a container</h1>\n").unwrap();
    // Port 0: let the system pick a free host port, so parallel tests never collide.
    let id = lab.run_detached(&format!("docker run -d -p 127.0.0.1:0:80 -v {}:/www busybox httpd -f -p 80 -h /www", site.display()));
    let port = lab.published_port(&id, 80);
    lab.wait_listening(&id, 80);
    let response = common::http_get(port);
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with("<h1>Hello from a container</h1>\n"), "{response}");
    assert!(lab.run("docker ps").stdout.contains(&format!("127.0.0.1:{port}->80/tcp")));
    // The same port again is Docker's error, and the first container is untouched.
    let clash = lab.run(&format!("docker run -d -p 127.0.0.1:{port}:80 busybox true"));
    assert_eq!(clash.code, 125);
    assert!(clash.stderr.contains("port is already allocated"), "{}", clash.stderr);
    assert_eq!(lab.record(&id).status(), Status::Running);
    assert_eq!(lab.run(&format!("docker rm -f {id}")).code, 0);
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free again");
    lab.assert_clean();
}

#[test]
fn loopback_is_up_inside() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm busybox sh -c 'ip link show lo | grep -o UP, | head -1'");
    assert_eq!(run.stdout, "UP,\n", "{}", run.stderr);
}

#[test]
fn volume_ls_filters_by_name_dangling_and_driver() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker volume create notes-a").code, 0);
    assert_eq!(lab.run("docker volume create other").code, 0);
    assert_eq!(lab.run("docker create --name user -v other:/o busybox").code, 0);
    assert_eq!(lab.run("docker volume ls -q --filter name=notes").stdout, "notes-a\n");
    assert_eq!(lab.run("docker volume ls -q -f dangling=true").stdout, "notes-a\n");
    assert_eq!(lab.run("docker volume ls -q -f dangling=false -f driver=local").stdout, "other\n");
    assert_eq!(lab.run("docker volume ls -q -f label=team").stdout, "");
    let bad = lab.run("docker volume ls -f color=red");
    assert_eq!((bad.stderr.as_str(), bad.code), ("Error response from daemon: Invalid filter 'color'\n", 1));
    assert!(lab
        .run("docker volume ls -f nope")
        .stderr
        .starts_with("invalid argument \"nope\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n"));
    assert_eq!(lab.run("docker rm user").code, 0);
    assert_eq!(lab.run("docker volume rm notes-a other").code, 0);
    lab.assert_clean();
}
