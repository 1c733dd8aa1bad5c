//! Logging in, pushing and pulling against a real registry server
//! (Debian's docker-registry, started per test on 127.0.0.1).

mod common;

use common::{Lab, Registry, REGISTRY_PASSWORD, REGISTRY_USER};
use whaleshell_runtime::image::pull::{LayerStatus, PullEvent};

#[test]
fn login_push_and_pull_through_a_real_registry() {
    let registry = Registry::start();
    let server = &registry.address;
    let lab = Lab::new();

    let wrong = lab.run(&format!("docker login -u {REGISTRY_USER} -p wrong {server}"));
    assert_eq!(wrong.code, 1);
    assert_eq!(
        wrong.stderr,
        format!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\nError response from daemon: login attempt to http://{server}/v2/ failed with status: 401 Unauthorized\n")
    );
    let login = lab.run(&format!("echo {REGISTRY_PASSWORD} | docker login --username {REGISTRY_USER} --password-stdin {server}"));
    assert_eq!((login.stdout.as_str(), login.code), ("Login Succeeded\n", 0), "{}", login.stderr);
    let config = lab.root().join("docker-config/config.json");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&config).unwrap().permissions()) & 0o777;
    assert_eq!(mode, 0o600);
    assert!(std::fs::read_to_string(&config).unwrap().contains("bGVhcm5lcjpzM2NyZXQ="), "base64 of learner:s3cret");

    assert_eq!(lab.run(&format!("docker pull busybox && docker tag busybox {server}/learn/box:v1")).code, 0);
    let push = lab.run(&format!("docker push {server}/learn/box:v1"));
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert_normalized_snapshot!("push_first", push.stdout.replace(server.as_str(), "REGISTRY"));
    let again = lab.run(&format!("docker push {server}/learn/box:v1"));
    assert!(again.stdout.contains(": Layer already exists\n"), "{}", again.stdout);
    // Docker's push event names the reference pushed, as a pull's does.
    let pushes = lab.events_so_far("-f event=push", "{{.Actor.ID}} {{.Actor.Attributes.name}}");
    assert_eq!(pushes, vec![format!("{server}/learn/box:v1 {server}/learn/box"); 2]);

    // Another machine, so to speak: same login file, empty store.
    let other = Lab::new();
    std::fs::create_dir_all(other.root().join("docker-config")).unwrap();
    std::fs::copy(&config, other.root().join("docker-config/config.json")).unwrap();
    let pull = other.run(&format!("docker pull {server}/learn/box:v1"));
    assert_eq!(pull.code, 0, "{}", pull.stderr);
    assert!(pull.stdout.contains("Pull complete") && pull.stdout.contains("Status: Downloaded newer image"), "{}", pull.stdout);
    assert_eq!(other.run(&format!("docker run --rm {server}/learn/box:v1 echo from the registry")).stdout, "from the registry\n");
    let missing = other.run(&format!("docker pull {server}/learn/nope"));
    assert_eq!(missing.code, 1);
    assert_eq!(missing.stderr, format!("Error response from daemon: manifest for {server}/learn/nope:latest not found: manifest unknown: manifest unknown\n"));

    assert_eq!(lab.run(&format!("docker logout {server}")).stdout, format!("Removing login credentials for {server}\n"));
    let anonymous = lab.run(&format!("docker push {server}/learn/box:v1"));
    assert_eq!(anonymous.code, 1, "{}", anonymous.stdout);
    lab.assert_clean();
}

#[test]
fn a_blob_that_does_not_match_its_digest_is_refused() {
    let registry = Registry::start();
    let server = &registry.address;
    let lab = Lab::new();
    assert_eq!(lab.run(&format!("echo {REGISTRY_PASSWORD} | docker login -u {REGISTRY_USER} --password-stdin {server}")).code, 0);
    assert_eq!(lab.run(&format!("docker pull docker/whalesay && docker tag docker/whalesay {server}/w:v1 && docker push {server}/w:v1")).code, 0);
    // Tamper with the top layer's bytes in the registry's own storage.
    let top = lab.runtime().images.resolve("docker/whalesay").unwrap().layers[1].digest.clone();
    let file = registry.blob_file(&top);
    assert!(file.exists(), "{}", file.display());
    std::fs::write(&file, b"not the layer you pushed").unwrap();
    let other = Lab::new();
    std::fs::create_dir_all(other.root().join("docker-config")).unwrap();
    std::fs::copy(lab.root().join("docker-config/config.json"), other.root().join("docker-config/config.json")).unwrap();
    let pull = other.run(&format!("docker pull {server}/w:v1"));
    assert_eq!(pull.code, 1);
    assert_eq!(pull.stderr, format!("Error response from daemon: filesystem layer verification failed for digest {top}\n"));
    assert!(other.runtime().images.resolve(&format!("{server}/w:v1")).is_err(), "no image from a bad blob");
}

/// With a real Docker engine (`../shared/tools/real-docker` starts one):
/// `cargo test --test registry -- --ignored`. Images cross both ways
/// through the same registry.
#[test]
#[ignore = "needs a running Docker engine"]
fn real_docker_and_whaleshell_share_a_registry() {
    let registry = Registry::start();
    let server = registry.address.clone();
    let lab = Lab::new();
    let docker_config = lab.root().join("real-docker-config");
    let docker = |args: &[&str]| std::process::Command::new("docker").args(args).env("DOCKER_CONFIG", &docker_config).output().expect("docker");
    assert!(docker(&["info"]).status.success(), "no Docker engine is running");
    let login = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("echo {REGISTRY_PASSWORD} | docker login -u {REGISTRY_USER} --password-stdin {server}"))
        .env("DOCKER_CONFIG", &docker_config)
        .output()
        .unwrap();
    assert!(login.status.success(), "{}", String::from_utf8_lossy(&login.stderr));
    // Real Docker pushes; Whaleshell pulls and runs.
    assert!(docker(&["tag", "busybox:latest", &format!("{server}/from-docker:v1")]).status.success());
    let pushed = docker(&["push", &format!("{server}/from-docker:v1")]);
    assert!(pushed.status.success(), "{}", String::from_utf8_lossy(&pushed.stderr));
    assert_eq!(lab.run(&format!("echo {REGISTRY_PASSWORD} | docker login -u {REGISTRY_USER} --password-stdin {server}")).code, 0);
    let run = lab.run(&format!("docker run --rm {server}/from-docker:v1 echo pushed by docker"));
    assert_eq!(run.stdout, "pushed by docker\n", "{}", run.stderr);
    // Whaleshell pushes; real Docker pulls and runs.
    assert_eq!(lab.run(&format!("docker pull docker/whalesay && docker tag docker/whalesay {server}/from-whaleshell:v1")).code, 0);
    assert_eq!(lab.run(&format!("docker push {server}/from-whaleshell:v1")).code, 0);
    let said = docker(&["run", "--rm", &format!("{server}/from-whaleshell:v1"), "cowsay", "pushed by whaleshell"]);
    assert!(String::from_utf8_lossy(&said.stdout).contains("< pushed by whaleshell >"), "{}", String::from_utf8_lossy(&said.stderr));
    let _ = docker(&["rmi", &format!("{server}/from-docker:v1"), &format!("{server}/from-whaleshell:v1")]);
}

#[test]
fn a_class_pulls_docker_hub_names_through_the_teachers_registry() {
    let registry = Registry::start();
    let server = &registry.address;
    // The teacher seeds the registry with the hub's images…
    let teacher = Lab::new();
    assert_eq!(teacher.run(&format!("echo {REGISTRY_PASSWORD} | docker login -u {REGISTRY_USER} --password-stdin {server}")).code, 0);
    let seed = teacher.command().args(["hub", "push", server]).output().unwrap();
    assert!(seed.status.success(), "{}", String::from_utf8_lossy(&seed.stderr));
    let seeded = String::from_utf8_lossy(&seed.stdout);
    assert!(seeded.contains(&format!("busybox:latest → {server}/library/busybox:latest")), "{seeded}");
    assert!(seeded.contains(&format!("httpd:2.4 → {server}/library/httpd:2.4")), "every tag, not only latest: {seeded}");
    // …and a learner's Whaleshell, set to use it as a mirror, pulls `busybox` from it.
    let learner = Lab::new();
    std::fs::write(learner.root().join("daemon.json"), format!("{{\"registry-mirrors\": [\"http://{server}\"]}}")).unwrap();
    std::fs::create_dir_all(learner.root().join("docker-config")).unwrap();
    std::fs::copy(teacher.root().join("docker-config/config.json"), learner.root().join("docker-config/config.json")).unwrap();
    let pull = learner.run("docker pull busybox");
    assert_eq!(pull.code, 0, "{}", pull.stderr);
    assert!(pull.stdout.contains("latest: Pulling from library/busybox"), "{}", pull.stdout);
    assert!(!learner.root().join("hub").exists(), "the offline hub was not needed");
    assert_eq!(learner.run("docker run --rm busybox echo via the mirror").stdout, "via the mirror\n");
}

/// Builds a four-layer image (busybox and three RUN layers of random bytes)
/// and pushes it as `server/layered:v1`; returns a second lab with the same
/// login and an empty store.
fn push_layered(registry: &Registry) -> (Lab, Lab) {
    let server = &registry.address;
    let lab = Lab::new();
    let ctx = lab.root().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    let runs: String = ["one", "two", "three"].iter().map(|f| format!("RUN head -c 1500000 /dev/urandom > /{f}\n")).collect();
    std::fs::write(ctx.join("Dockerfile"), format!("FROM busybox\n{runs}")).unwrap();
    let line = format!(
        "echo {REGISTRY_PASSWORD} | docker login -u {REGISTRY_USER} --password-stdin {server} && docker build -q -t {server}/layered:v1 {} && docker push {server}/layered:v1",
        ctx.display()
    );
    let pushed = lab.run(&line);
    assert_eq!(pushed.code, 0, "{}", pushed.stderr);
    let other = Lab::new();
    std::fs::create_dir_all(other.root().join("docker-config")).unwrap();
    std::fs::copy(lab.root().join("docker-config/config.json"), other.root().join("docker-config/config.json")).unwrap();
    (lab, other)
}

#[test]
fn a_pull_shows_each_layer_and_downloads_three_at_once() {
    let registry = Registry::start();
    let server = &registry.address;
    let (_pusher, puller) = push_layered(&registry);
    let pull = puller.run(&format!("docker pull {server}/layered:v1"));
    assert_eq!(pull.code, 0, "{}", pull.stderr);
    // Downloads run in parallel, so lines of different layers interleave
    // from run to run; each layer's own lines, and the extractions, keep their order.
    let lines: Vec<&str> = pull.stdout.lines().collect();
    let ids: Vec<&str> = lines.iter().filter(|l| l.ends_with(": Pulling fs layer")).map(|l| &l[..12]).collect();
    assert_eq!(ids.len(), 4, "{}", pull.stdout);
    let completed: Vec<&str> = lines.iter().filter(|l| l.ends_with(": Pull complete")).map(|l| &l[..12]).collect();
    assert_eq!(completed, ids, "layers are unpacked in order");
    assert!(lines[1..5].iter().all(|l| l.ends_with(": Pulling fs layer")), "{}", pull.stdout);
    let mut by_layer = vec![lines[0].to_owned()];
    for id in &ids {
        by_layer.extend(lines.iter().filter(|l| l.starts_with(id)).map(|l| l.to_string()));
    }
    by_layer.extend(lines.iter().filter(|l| !ids.iter().any(|id| l.starts_with(id))).skip(1).map(|l| l.to_string()));
    assert_normalized_snapshot!("pull_layers", by_layer.join("\n").replace(server.as_str(), "REGISTRY"));
    assert_eq!(puller.run(&format!("docker run --rm {server}/layered:v1 stat -c %s /one /two /three")).stdout, "1500000\n1500000\n1500000\n");

    // At most three downloads at once (Docker's default), or what daemon.json says.
    for (setting, expected) in [(None, 3), (Some(1), 1)] {
        let lab = Lab::new();
        if let Some(n) = setting {
            std::fs::write(lab.root().join("daemon.json"), format!("{{\"max-concurrent-downloads\": {n}}}")).unwrap();
        }
        let reference = whaleshell_runtime::reference::Reference::parse(&format!("{server}/layered:v1")).unwrap();
        let creds = whaleshell_runtime::registry::Credentials { username: REGISTRY_USER.into(), password: REGISTRY_PASSWORD.into() };
        let (mut downloading, mut most) = (std::collections::HashSet::new(), 0);
        lab.runtime()
            .pull(&reference, &|_| Some(creds.clone()), &mut |event| {
                if let PullEvent::Layer { short, status } = event {
                    match status {
                        LayerStatus::Downloading { .. } => drop(downloading.insert(short)),
                        LayerStatus::DownloadComplete => drop(downloading.remove(&short)),
                        _ => {}
                    }
                    most = most.max(downloading.len());
                }
            })
            .unwrap();
        assert_eq!(most, expected, "max-concurrent-downloads {setting:?}");
    }
}

#[test]
fn a_tampered_or_interrupted_pull_leaves_no_half_image() {
    let registry = Registry::start();
    let server = &registry.address;
    let (pusher, puller) = push_layered(&registry);
    let layers = pusher.runtime().images.resolve(&format!("{server}/layered:v1")).unwrap().layers;
    let nothing_left = |what: &str| {
        assert!(puller.runtime().images.list().unwrap().is_empty(), "{what}: an image was recorded");
        for dir in ["layers", "blobs/sha256"] {
            let left: Vec<_> = std::fs::read_dir(puller.root().join(dir)).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
            assert!(left.is_empty(), "{what}: {dir} keeps {left:?}");
        }
        puller.assert_clean();
    };
    // The third layer's bytes changed in the registry: refused, with Docker's words.
    let tampered = registry.blob_file(&layers[2].digest);
    let original = std::fs::read(&tampered).unwrap();
    std::fs::write(&tampered, b"not the layer you pushed").unwrap();
    let pull = puller.run(&format!("docker pull {server}/layered:v1"));
    assert_eq!(pull.code, 1, "{}", pull.stdout);
    assert_eq!(pull.stderr, format!("Error response from daemon: filesystem layer verification failed for digest {}\n", layers[2].digest));
    nothing_left("tampered");
    // The last layer is gone from the registry while the others download.
    std::fs::write(&tampered, original).unwrap();
    std::fs::remove_file(registry.blob_file(&layers[3].digest)).unwrap();
    let pull = puller.run(&format!("docker pull {server}/layered:v1"));
    assert_eq!(pull.code, 1, "{}", pull.stdout);
    assert!(pull.stderr.starts_with("Error response from daemon: "), "{}", pull.stderr);
    nothing_left("interrupted");
}

/// skopeo (`apt-get install skopeo`, or scripts/install-deps.sh) reads an
/// image Whaleshell built and pushed: the same manifest digest and layers.
#[test]
fn skopeo_inspect_accepts_what_whaleshell_pushed() {
    if std::process::Command::new("skopeo").arg("--version").output().is_err() {
        eprintln!("skipped: skopeo is not installed (apt-get install skopeo, or scripts/install-deps.sh)");
        return;
    }
    let registry = Registry::start();
    let server = &registry.address;
    let (pusher, _) = push_layered(&registry);
    let ours = pusher.runtime().images.resolve(&format!("{server}/layered:v1")).unwrap();
    let inspect = std::process::Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--creds", &format!("{REGISTRY_USER}:{REGISTRY_PASSWORD}")])
        .arg(format!("docker://{server}/layered:v1"))
        .output()
        .unwrap();
    assert!(inspect.status.success(), "{}", String::from_utf8_lossy(&inspect.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(seen["Digest"], ours.manifest_digest.as_str());
    let layers: Vec<&str> = ours.layers.iter().map(|l| l.digest.as_str()).collect();
    assert_eq!(seen["Layers"], serde_json::json!(layers));
    assert_eq!(seen["Name"], format!("{server}/layered"));
}
