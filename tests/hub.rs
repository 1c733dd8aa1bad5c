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
    let response = http_get(port);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("<h1>Hello from chucks/apache-app</h1>"), "{response}");
    assert_eq!(lab.run(&format!("docker kill {id}")).code, 0);
    assert_eq!(lab.run(&format!("docker rm {id}")).code, 0);
    lab.assert_clean();
}
