//! `docker cp`, `docker export` and `docker import` on real containers,
//! with Docker's path rules, texts and exit codes (checked side by side
//! with Docker 20.10's engine and its 28 client).

mod common;

use common::Lab;

/// A scratch directory for the local side of copies, and a function that
/// puts `[TMP]` for it in outputs.
fn scratch() -> (tempfile::TempDir, impl Fn(&str) -> String) {
    let dir = tempfile::Builder::new().prefix("wsh-cp-local-").tempdir().expect("temp dir");
    let path = dir.path().to_string_lossy().into_owned();
    (dir, move |text: &str| text.replace(&path, "[TMP]"))
}

/// Runs each line and writes down what Docker's user would see: the line,
/// its exit status, its output.
fn transcript(lab: &Lab, lines: &[String], tidy: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    for line in lines {
        let run = lab.run(line);
        out.push_str(&format!("$ {}    # exit {}\n{}{}\n", tidy(line), run.code, tidy(&run.stdout), tidy(&run.stderr)));
    }
    regex::Regex::new(r"/containers/[0-9a-f]{64}/").unwrap().replace_all(&out, "/containers/[ID64]/").into_owned()
}

#[test]
fn cp_follows_dockers_path_rules_both_ways() {
    let lab = Lab::new();
    let (dir, tidy) = scratch();
    let d = dir.path().display().to_string();
    std::fs::write(dir.path().join("f.txt"), "hello\n").unwrap();
    std::fs::create_dir_all(dir.path().join("d/sub")).unwrap();
    std::fs::write(dir.path().join("d/a"), "a\n").unwrap();
    std::fs::write(dir.path().join("d/sub/b"), "b\n").unwrap();
    lab.run_detached("docker run -d --name web busybox sleep 3600");
    let lines: Vec<String> = [
        "docker cp {d}/f.txt web:/tmp/",
        "docker cp {d}/f.txt web:/tmp/new.txt",
        "docker cp {d}/f.txt web:/nonexist/x",
        "docker cp {d}/f.txt web:/nonexist/",
        "docker cp {d}/d web:/tmp/",
        "docker cp {d}/d web:/tmp/d2",
        "docker cp {d}/d/. web:/tmp/d3",
        "docker cp {d}/d/ web:/tmp/new.txt",
        "docker cp {d}/f.txt web:/tmp/new.txt/",
        "docker cp {d}/nosuch web:/tmp",
        "docker cp {d}/f.txt nosuch:/tmp",
        "docker exec web find /tmp/d /tmp/d2 /tmp/d3",
        "docker cp web:/tmp/d {d}/out",
        "docker cp web:/tmp/d/. {d}/out2",
        "docker cp web:/tmp/d {d}/f.txt",
        "docker cp web:/etc/nosuch {d}",
        "docker cp web:/tmp/new.txt {d}/nodir/x",
        "docker cp web:/tmp/new.txt {d}/nodir/",
        "docker cp web:/tmp/new.txt /dev/null",
        "docker cp web:/tmp/new.txt {d}/copied.txt",
        "cat {d}/copied.txt {d}/out/sub/b {d}/out2/a",
        "docker cp a b",
        "docker cp a:/x b:/y",
        "docker cp a",
        "docker container cp web:/tmp/d - | tar t",
        "docker cp web:/tmp/d/. - | tar t",
    ]
    .iter()
    .map(|l| l.replace("{d}", &d))
    .collect();
    assert_normalized_snapshot!("cp_path_rules", transcript(&lab, &lines, &tidy));
    lab.run("docker rm -f web");
    lab.assert_clean();
}

#[test]
fn cp_into_a_stopped_container_writes_its_writable_layer() {
    let lab = Lab::new();
    let (dir, _) = scratch();
    std::fs::write(dir.path().join("note.txt"), "kept\n").unwrap();
    let id = lab.run("docker create --name box busybox cat /note.txt /data/v.txt").stdout.trim().to_owned();
    let copied = lab.run(&format!("docker cp {}/note.txt box:/", dir.path().display()));
    assert_eq!((copied.code, copied.stderr.as_str()), (0, ""));
    let upper = lab.root().join("containers").join(&id).join("upper/note.txt");
    assert_eq!(std::fs::read_to_string(&upper).expect("in the writable layer"), "kept\n");
    assert_eq!(lab.run("docker diff box").stdout, "A /note.txt\n");
    // Nothing stays mounted once the copy is done.
    assert!(!std::fs::read_to_string("/proc/mounts").unwrap().contains(&lab.root().display().to_string()));
    // Copied out of the stopped container the same way, image files too.
    let out = lab.run("docker cp box:/etc/passwd - | tar t");
    assert_eq!(out.stdout, "passwd\n");
    let started = lab.run("docker start -a box");
    assert_eq!((started.stdout.as_str(), started.stderr.as_str()), ("kept\n", "cat: can't open '/data/v.txt': No such file or directory\n"));
    lab.assert_clean();
}

#[test]
fn symlinks_resolve_inside_the_container_and_volumes_are_seen() {
    let lab = Lab::new();
    let (dir, _) = scratch();
    let d = dir.path().display().to_string();
    std::fs::write(dir.path().join("f.txt"), "inside\n").unwrap();
    lab.run_detached("docker run -d --name web -v data:/data busybox sleep 3600");
    let made = lab.run("docker exec web sh -c 'ln -s / /tmp/root && ln -s /etc/hostname /tmp/hn && ln -s ../../../../etc/passwd /tmp/up'");
    assert_eq!(made.code, 0, "{}", made.stderr);
    // A link to `/` is the container's root, never the host's.
    assert_eq!(lab.run(&format!("docker cp {d}/f.txt web:/tmp/root/escaped.txt")).code, 0);
    assert!(!std::path::Path::new("/escaped.txt").exists());
    assert_eq!(lab.run("docker exec web cat /escaped.txt").stdout, "inside\n");
    // -L copies what the link points to, read in the container.
    assert_eq!(lab.run(&format!("docker cp -L web:/tmp/hn {d}/hn")).code, 0);
    let hostname = lab.run("docker exec web hostname").stdout;
    assert_eq!(std::fs::read_to_string(dir.path().join("hn")).unwrap(), hostname);
    // Without -L the link itself; one pointing out of the destination is refused locally, as Docker does.
    let up = lab.run(&format!("docker cp web:/tmp/up {d}/up"));
    assert_eq!((up.code, up.stderr.replace(&d, "[TMP]")), (1, "invalid symlink \"[TMP]/up\" -> \"../../../../etc/passwd\"\n".into()));
    // A volume's files are where the container sees them.
    assert_eq!(lab.run(&format!("docker cp {d}/f.txt web:/data/")).code, 0);
    let volume = lab.root().join("volumes/data/_data/f.txt");
    assert_eq!(std::fs::read_to_string(volume).expect("in the volume"), "inside\n");
    assert_eq!(lab.run("docker cp web:/data - | tar t").stdout, "data/\ndata/f.txt\n");
    lab.run("docker rm -f web");
    lab.assert_clean();
}

#[test]
fn streams_and_ownership_as_docker_keeps_them() {
    let lab = Lab::new();
    let (dir, _) = scratch();
    let d = dir.path().display().to_string();
    let owned = dir.path().join("owned.txt");
    std::fs::write(&owned, "x\n").unwrap();
    std::os::unix::fs::chown(&owned, Some(1234), Some(5678)).unwrap();
    let tar = std::process::Command::new("tar").args(["cf", "in.tar", "owned.txt"]).current_dir(dir.path()).status().unwrap();
    assert!(tar.success());
    lab.run("docker create --name nobody -u nobody busybox");
    // Without -a the archive's owner is kept; with -a the container's USER owns what comes in.
    assert_eq!(lab.run(&format!("docker cp {d}/owned.txt nobody:/kept")).code, 0);
    assert_eq!(lab.run(&format!("docker cp -a {d}/owned.txt nobody:/theirs")).code, 0);
    let listing = |path: &str| lab.run(&format!("docker cp nobody:{path} - | tar tv --numeric-owner")).stdout.split_whitespace().nth(1).map(str::to_owned);
    assert_eq!(listing("/kept").as_deref(), Some("1234/5678"));
    assert_eq!(listing("/theirs").as_deref(), Some("65534/65534"));
    // `-` reads a tar from stdin into a directory, and only a directory.
    let streamed = lab.run(&format!("cat {d}/in.tar | docker cp - nobody:/tmp"));
    assert_eq!((streamed.code, streamed.stderr.as_str()), (0, ""));
    assert_eq!(listing("/tmp/owned.txt").as_deref(), Some("1234/5678"));
    let refused = lab.run(&format!("docker cp - nobody:/kept < {d}/in.tar"));
    assert_eq!((refused.code, refused.stderr.as_str()), (1, "destination \"nobody:/kept\" must be a directory\n"));
    lab.assert_clean();
}

#[test]
fn a_terminal_is_told_how_much_was_copied() {
    let lab = Lab::new();
    let (dir, _) = scratch();
    let d = dir.path().display().to_string();
    std::fs::write(dir.path().join("f.txt"), "hello\n").unwrap();
    lab.run("docker create --name box busybox");
    let (screen, code) =
        lab.run_on_terminal(&format!("docker cp {d}/f.txt box:/tmp/f.txt && docker cp box:/tmp/f.txt {d}/back.txt && docker cp -q {d}/f.txt box:/q"), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(screen.replace(&d, "[TMP]").replace('\r', ""), "Successfully copied 2.05kB to box:/tmp/f.txt\nSuccessfully copied 2.05kB to [TMP]/back.txt\n");
    lab.assert_clean();
}

#[test]
fn export_then_import_makes_an_image_of_the_files() {
    let lab = Lab::new();
    let (dir, tidy) = scratch();
    let d = dir.path().display().to_string();
    std::fs::write(dir.path().join("f.txt"), "exported\n").unwrap();
    lab.run("docker create --name box busybox");
    assert_eq!(lab.run(&format!("docker cp {d}/f.txt box:/")).code, 0);
    assert_eq!(lab.run(&format!("docker export box > {d}/box.tar")).code, 0);
    assert_eq!(lab.run(&format!("docker container export -o {d}/box2.tar box")).code, 0);
    assert_eq!(std::fs::read(dir.path().join("box.tar")).unwrap(), std::fs::read(dir.path().join("box2.tar")).unwrap());
    let names = lab.run(&format!("tar tf {d}/box.tar")).stdout;
    assert!(names.lines().any(|l| l == "f.txt") && names.lines().any(|l| l == "bin/busybox") && names.lines().any(|l| l == "etc/"), "{names}");
    let lines: Vec<String> = [
        "docker import -m 'from box' -c 'CMD [\"cat\", \"/f.txt\"]' -c 'ENV A=1 B=2' -c 'WORKDIR tmp' -c 'EXPOSE 80' {d}/box.tar imported:v1",
        "docker run --rm imported:v1",
        "docker image inspect -f '{{json .Config.Cmd}} {{json .Config.Env}} {{.Config.WorkingDir}} {{json .Config.ExposedPorts}} {{len .RootFS.Layers}}' imported:v1",
        "docker history imported:v1",
        "cat {d}/box.tar | docker image import - imported:v2",
        "docker import -c 'RUN true' {d}/box.tar",
        "docker import -c 'ENV A' {d}/box.tar",
        "docker import {d}/nosuch.tar",
        "docker import {d}/f.txt",
        "docker import {d}/box.tar Bad:Name",
        "docker export -o /nonexist/x box",
        "docker export nosuch",
        "docker export",
    ]
    .iter()
    .map(|l| l.replace("{d}", &d))
    .collect();
    assert_normalized_snapshot!("export_import", transcript(&lab, &lines, &tidy));
    let (screen, code) = lab.run_on_terminal("docker export box", &[]);
    assert_eq!((screen.trim_end(), code), ("cowardly refusing to save to a terminal. Use the -o flag or redirect", Some(1)));
    lab.assert_clean();
}
