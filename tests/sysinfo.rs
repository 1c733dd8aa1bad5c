//! `docker version` and `docker info`: Docker's sections, keys and template
//! errors, with the counts of the real state root.

mod common;

use common::Lab;
use serde_json::Value;

/// What differs from machine to machine and build to build.
fn machine_independent(text: &str) -> String {
    let rules = [(
        r"(?m)^(\s*(Version|Server Version|Git commit|Built|Rust version|Kernel Version|Operating System|Architecture|CPUs|Total Memory|Name|ID|Docker Root Dir|Backing Filesystem|Cgroup Version|GitCommit|OS/Arch|API version|runc version)):( +).*$",
        "$1:$3[…]",
    )];
    rules.iter().fold(text.to_owned(), |t, (re, with)| regex::Regex::new(re).unwrap().replace_all(&t, *with).into_owned())
}

/// The object keys at every path, in order.
fn keys(value: &Value, path: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        out.push(format!("{path}: {}", map.keys().cloned().collect::<Vec<_>>().join(",")));
        for (k, v) in map {
            keys(v, format!("{path}.{k}").trim_start_matches('.'), out);
        }
    }
}

#[test]
fn version_has_dockers_sections_and_names_the_engine() {
    let lab = Lab::new();
    let run = lab.run("docker version");
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("version", machine_independent(&run.stdout));
    // The JSON has Docker's keys and order (components are Whaleshell's own).
    let ours: Value = serde_json::from_str(&lab.run("docker version -f json").stdout).unwrap();
    let dockers: Value = serde_json::from_str(include_str!("../src/template/testdata/version.json")).unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    keys(&ours["Client"], "Client", &mut a);
    keys(&dockers["Client"], "Client", &mut b);
    assert_eq!(a, b);
    let server_keys = |v: &Value| v["Server"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(server_keys(&ours), server_keys(&dockers));
    assert_eq!(lab.run("docker version -f '{{.Server.Platform.Name}}'").stdout, "Whaleshell\n");
}

#[test]
fn info_counts_what_the_root_holds() {
    let lab = Lab::new();
    let count = |lab: &Lab| lab.run("docker info -f '{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}} {{.Images}}'").stdout;
    assert_eq!(count(&lab), "0 0 0 0\n");
    let created = lab.run("docker create busybox true");
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(count(&lab), "1 0 1 1\n");
    let running = lab.run_detached("docker run -d busybox sleep 1000");
    assert_eq!(count(&lab), "2 1 1 1\n");
    let run = lab.run("docker info");
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("info", machine_independent(&run.stdout));
    assert!(run.stdout.contains(&format!(" Docker Root Dir: {}\n", lab.root().display())), "{}", run.stdout);
    // Every key is one of Docker's, at its place in Docker's order.
    let ours: Value = serde_json::from_str(&lab.run("docker info -f json").stdout).unwrap();
    let dockers: Value = serde_json::from_str(include_str!("../src/template/testdata/info.json")).unwrap();
    let theirs: Vec<&String> = dockers.as_object().unwrap().keys().collect();
    let positions: Vec<usize> =
        ours.as_object().unwrap().keys().map(|k| theirs.iter().position(|t| *t == k).unwrap_or_else(|| panic!("{k} is not Docker's"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "keys out of Docker's order: {positions:?}");
    assert_eq!(lab.run(&format!("docker rm -f {running}")).code, 0);
    lab.assert_clean();
}

#[test]
fn format_errors_are_dockers() {
    let lab = Lab::new();
    let mut seen = String::new();
    for line in [
        "docker version -f '{{.Foo'",
        "docker version -f 'abc{{.Foo}}'",
        "docker info -f '{{.Foo'",
        "docker info -f 'abc{{.Foo}}'",
        "docker info --format '{{.Plugins.Volume}} {{.Driver}} {{.Swarm.LocalNodeState}}'",
        "docker version --format '{{range .Server.Components}}{{.Name}} {{end}}'",
    ] {
        let run = lab.run(line);
        seen += &format!("$ {line}\n[stdout]\n{}[stderr]\n{}[exit {}]\n\n", run.stdout, run.stderr, run.code);
    }
    insta::assert_snapshot!("format_errors", seen);
}

/// `docker system info` is `docker info`, flags and errors with its own name.
#[test]
fn system_info_is_info() {
    let lab = Lab::new();
    let info = lab.run("docker info");
    let system = lab.run("docker system info");
    assert_eq!(system.code, 0, "{}", system.stderr);
    assert_eq!(machine_independent(&system.stdout), machine_independent(&info.stdout));
    let format = "--format '{{.Containers}} {{.Images}} {{.Driver}}'";
    assert_eq!(lab.run(&format!("docker system info {format}")).stdout, lab.run(&format!("docker info {format}")).stdout);
    let json: Value = serde_json::from_str(&lab.run("docker system info -f json").stdout).unwrap();
    assert_eq!(json["Driver"], "overlay2");
    let bad = lab.run("docker system info --nope");
    assert_eq!(bad.code, 125);
    assert!(bad.stderr.starts_with("unknown flag: --nope\n"), "{}", bad.stderr);
    assert!(bad.stderr.ends_with("See 'docker system info --help'.\n"), "{}", bad.stderr);
    assert!(lab.run("docker system --help").stdout.contains("  info    Display system-wide information\n"));
    lab.assert_clean();
}
