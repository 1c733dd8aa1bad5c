//! Images made and named locally: `commit` (a container's diff becomes a
//! layer), `tag`, `history`.

mod common;

use common::Lab;

#[test]
fn commit_turns_a_containers_changes_into_a_layer() {
    let lab = Lab::new();
    let run = lab.run("docker run --name c busybox sh -c 'echo hi > /hello.txt; rm /etc/group'");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let commit = lab.run("docker commit -m 'my change' c mine:v1");
    assert_eq!(commit.code, 0, "{}", commit.stderr);
    assert!(commit.stdout.starts_with("sha256:"), "{}", commit.stdout);
    // The new image is busybox's layer plus one: what the container added, and the deletion.
    let rt = lab.runtime();
    let mine = rt.images.resolve("mine:v1").unwrap();
    let busybox = rt.images.resolve("busybox").unwrap();
    assert_eq!(mine.layers.len(), 2);
    assert_eq!(mine.layers[0], busybox.layers[0]);
    let next = lab.run("docker run --rm mine:v1 sh -c 'cat /hello.txt; test -e /etc/group || echo gone'");
    assert_eq!(next.stdout, "hi\ngone\n", "{}", next.stderr);
    let history = lab.run("docker history mine:v1");
    let rows: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", history.stdout);
    assert!(rows[1].contains("my change") && rows[2].starts_with("<missing>"), "{}", history.stdout);
    lab.assert_clean();
}

#[test]
fn tag_gives_the_same_image_another_name() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox").code, 0);
    assert_eq!(lab.run("docker tag busybox myrepo/box:1.0").code, 0);
    let rt = lab.runtime();
    assert_eq!(rt.images.resolve("myrepo/box:1.0").unwrap().id, rt.images.resolve("busybox").unwrap().id);
    // Removing one name only untags.
    let rmi = lab.run("docker rmi myrepo/box:1.0");
    assert_eq!(rmi.stdout, "Untagged: myrepo/box:1.0\n");
    assert!(lab.runtime().images.resolve("busybox").is_ok());
    let missing = lab.run("docker tag nosuch x");
    assert_eq!((missing.stderr.as_str(), missing.code), ("Error response from daemon: No such image: nosuch:latest\n", 1));
}
