//! Accounting and cleanup: `system df`, `system prune`, `image prune`.

mod common;

use common::Lab;

#[test]
fn system_df_counts_shared_layers_once() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull docker/whalesay; docker pull busybox").code, 0);
    assert_eq!(lab.run("docker run -v v1:/v busybox sh -c 'echo hello > /v/x; echo abc > /y'").code, 0);
    let df = lab.run("docker system df");
    assert_normalized_snapshot!("system_df", df.stdout);
    let usage = whaleshell_runtime::usage::Usage::measure(&lab.runtime()).unwrap();
    let busybox_layer = usage.images.iter().find(|i| i.image.tags[0].familiar_name() == "busybox").unwrap().size;
    assert!(usage.layers_size < 2 * busybox_layer, "the shared busybox layer is counted once");
    assert_normalized_snapshot!("system_df_v", lab.run("docker system df -v").stdout);
}

#[test]
fn system_prune_asks_then_removes_what_nothing_uses() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull docker/whalesay").code, 0);
    assert_eq!(lab.run("docker run -v /anon busybox true").code, 0);
    let running = lab.run_detached("docker run -d busybox sleep 1000");
    let declined = lab.run("echo n | docker system prune -a --volumes");
    assert!(declined.stdout.ends_with("Are you sure you want to continue? [y/N] "), "{}", declined.stdout);
    assert_eq!(lab.container_ids().len(), 2, "nothing removed on 'n'");
    let pruned = lab.run("echo y | docker system prune -a --volumes");
    assert_eq!(pruned.code, 0);
    assert_normalized_snapshot!("system_prune", pruned.stdout);
    assert_eq!(lab.container_ids(), vec![running], "the running container stays");
    let images = lab.runtime().images.list().unwrap();
    assert_eq!(images.len(), 1, "busybox stays: a container uses it");
    assert!(lab.run("docker volume ls -q").stdout.is_empty());
}

#[test]
fn image_prune_removes_dangling_images_and_with_a_all_unused() {
    let lab = Lab::new();
    assert_eq!(lab.run("docker pull busybox; docker pull docker/whalesay").code, 0);
    let dangling_only = lab.run("docker image prune -f");
    assert_eq!(dangling_only.stdout, "Total reclaimed space: 0B\n");
    let all = lab.run("docker image prune -a -f");
    assert!(all.stdout.starts_with("Deleted Images:\nuntagged: "), "{}", all.stdout);
    assert!(all.stdout.ends_with("Total reclaimed space: 1.98MB\n"), "{}", all.stdout);
    assert!(lab.runtime().images.list().unwrap().is_empty());
}
