//! The offline hub's tutorial images on real containers: httpd (built by
//! Whaleshell's builder) serving a page on a published port, the tutorial's
//! apache-app built on it, and Debian made by debootstrap.

mod common;

use common::{free_port, http_get, Lab};

const IT_WORKS: &str = "<html><body><h1>It works!</h1></body></html>\n";

#[test]
fn httpd_is_built_with_fixed_digests_and_serves_it_works() {
    let lab = Lab::new();
    let pull = lab.run("docker pull httpd");
    assert_eq!(pull.code, 0, "{}", pull.stderr);
    assert_normalized_snapshot!("httpd_pull", pull.stdout);
    // Another state root builds it again: the same bytes, the same digest.
    let other = Lab::new();
    assert_eq!(other.run("docker pull httpd:2.4").code, 0);
    let digest = |lab: &Lab, name: &str| lab.runtime().images.resolve(name).unwrap().manifest_digest;
    assert_eq!(digest(&lab, "httpd:latest"), digest(&other, "httpd:2.4"));

    // The tutorial's line, on a free port.
    let port = free_port();
    let id = lab.run_detached(&format!("docker run -p {port}:80 -d httpd"));
    lab.wait_listening(&id, 80);
    let response = http_get(port);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("Content-type: text/html\r\n"), "{response}");
    assert!(response.ends_with(&format!("\r\n\r\n{IT_WORKS}")), "{response}");
    assert_eq!(lab.run(&format!("docker rm -f {id}")).code, 0);
    lab.assert_clean();
    other.assert_clean();
}

#[test]
fn the_tutorials_apache_app_builds_on_httpd_and_serves_its_page() {
    let lab = Lab::new();
    let context = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apache-app");
    let build = lab.run(&format!("cd {} && docker build . -t chucks/apache-app", context.display()));
    assert_eq!(build.code, 0, "{}\n{}", build.stdout, build.stderr);
    assert!(build.stdout.contains("Successfully tagged chucks/apache-app:latest"), "{}", build.stdout);
    let images = lab.run("docker images --filter reference=chucks/apache-app");
    assert!(images.stdout.contains("chucks/apache-app   latest"), "{}", images.stdout);

    let port = free_port();
    let id = lab.run_detached(&format!("docker run -p {port}:80 -d chucks/apache-app"));
    lab.wait_listening(&id, 80);
    let response = http_get(port);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("<h1>Hello from chucks/apache-app</h1>"), "{response}");
    assert_eq!(lab.run(&format!("docker kill {id}")).code, 0);
    assert_eq!(lab.run(&format!("docker rm {id}")).code, 0);
    lab.assert_clean();
}

#[test]
fn debian_gives_bash_and_apt() {
    // The machine-wide cache: debootstrap runs once per machine, not per test.
    let lab = Lab::new();
    let pull = lab.run("docker pull debian:bookworm");
    assert_eq!(pull.code, 0, "{}\n{}", pull.stdout, pull.stderr);
    assert!(pull.stdout.starts_with("bookworm: Pulling from library/debian\n"), "{}", pull.stdout);
    assert!(pull.stdout.contains(": Pull complete\n"), "{}", pull.stdout);
    let bash = lab.run("docker run --rm debian:bookworm /bin/bash -c 'echo $BASH_VERSION'");
    assert_eq!(bash.code, 0, "{}", bash.stderr);
    assert!(bash.stdout.starts_with("5.2.") && bash.stdout.ends_with("-release\n"), "{:?}", bash.stdout);
    let apt = lab.run("docker run --rm debian:latest apt --version");
    assert!(apt.stdout.starts_with("apt 2."), "{}{}", apt.stdout, apt.stderr);
    let digest = |name: &str| lab.runtime().images.resolve(name).unwrap().manifest_digest;
    assert_eq!(digest("debian:bookworm"), digest("debian:latest"));

    // The tutorial's interactive shell, on a terminal.
    let (screen, code) = lab.run_on_terminal("docker run -it --rm debian:12", &[("# ", b"echo $((6*7))-from-bash\n"), ("42-from-bash", b"exit 3\n")]);
    assert_eq!(code, Some(3), "{screen}");
    assert!(screen.contains("root@"), "bash's prompt: {screen}");
    lab.assert_clean();
}

#[test]
fn debian_is_built_on_first_pull_with_progress_and_cached() {
    let cache = tempfile::Builder::new().prefix("wsh-hub-cache-").tempdir().unwrap();
    let pull = |lab: &Lab| {
        let out = lab.command().env("WHALESHELL_HUB_CACHE", cache.path()).args(["-c", "docker pull debian"]).output().unwrap();
        common::Run::from(out)
    };
    let first_lab = Lab::new();
    let first = pull(&first_lab);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    for step in [
        "Building: debootstrap --variant=minbase bookworm from http",
        "Building: Retrieving packages\n",
        "Building: Base system installed successfully.\n",
        "Building: Writing the layer\n",
    ] {
        assert!(first.stdout.contains(step), "no {step:?} in\n{}", first.stdout);
    }
    assert_eq!(first.stdout.matches("Building: Retrieving packages").count(), 1, "one line per phase");
    // Another state root finds it in the cache: no second debootstrap.
    let second_lab = Lab::new();
    let second = pull(&second_lab);
    assert!(!second.stdout.contains("Building:"), "{}", second.stdout);
    let digest = |lab: &Lab| lab.runtime().images.resolve("debian").unwrap().manifest_digest;
    assert_eq!(digest(&first_lab), digest(&second_lab));
    let names: Vec<String> = std::fs::read_dir(cache.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with(".debootstrap-")), "work directory left: {names:?}");
}

#[test]
fn a_failed_debian_build_says_why_and_leaves_nothing() {
    let cache = tempfile::Builder::new().prefix("wsh-hub-cache-").tempdir().unwrap();
    // What a builder that crashed would have left.
    std::fs::create_dir_all(cache.path().join(".debootstrap-999999/root/etc")).unwrap();
    let lab = Lab::new();
    // No debootstrap on this PATH.
    let out = lab.command().env("WHALESHELL_HUB_CACHE", cache.path()).env("PATH", "/nonexistent").args(["-c", "docker pull debian"]).output().unwrap();
    let run = common::Run::from(out);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("building debian:bookworm for the offline hub failed: cannot run debootstrap"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(cache.path()).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().starts_with('.')).collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(lab.runtime().images.resolve("debian").is_err());
}
