//! Lessons: the files are valid and their facts hold on the real runtime;
//! a learner can complete one at a real terminal; demo mode plays one.

mod common;

use common::Lab;

/// The REPL fed these lines on stdin, with the lab's own progress file:
/// what it printed. It must end well.
fn play_lines(lab: &Lab, lines: &str) -> String {
    use std::io::Write;
    let mut child =
        lab.command().env("XDG_DATA_HOME", lab.root().join("xdg")).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{screen}");
    screen
}

#[test]
fn every_lesson_checks_out() {
    let lab = Lab::new();
    let out = lab.command().args(["lessons", "check"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "lessons check found problems:\n{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("lessons check: "));
    lab.assert_clean();
}

#[test]
fn a_learner_completes_lesson_1_with_a_mistake_and_a_hint() {
    let lab = Lab::new();
    let (screen, code) = lab.repl_on_terminal(&[
        ("whaleshell$ ", b"lesson 1\n"),
        ("Step 1/5", b"docker run busybox:latest /bin/echo \"Hello Docker\"\n"),
        ("this step uses --rm", b"hint\n"),
        ("Hint 1/2", b"docker run --rm busybox:latest /bin/echo \"Hello Docker\"\n"),
        ("Step 2/5", b"docker images\n"),
        // Plain `docker ps` lists no stopped container: the step waits for `-a`.
        ("Step 3/5", b"docker ps\n"),
        ("NAMES", b"docker ps -a\n"),
        ("Step 4/5", b"docker run busybox /bin/echo \"Hello again\"\n"),
        ("Step 5/5", b"docker ps -a\n"),
        ("Lesson complete", b"exit\n"),
    ]);
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("Close, but not quite: this step uses --rm."), "{screen}");
    assert_eq!(screen.matches("✔ Done!").count(), 5, "{screen}");
    // The try without --rm pulled busybox: step 1's Done text says it was found, not pulled.
    let step_1 = &screen[screen.find("Step 1/5").unwrap()..screen.find("Step 2/5").unwrap()];
    assert!(step_1.contains("and found it"), "{step_1}");
    assert!(!step_1.contains("did not find it"), "{step_1}");
    let step_3 = &screen[screen.find("Step 3/5").unwrap()..screen.find("Step 4/5").unwrap()];
    assert_eq!(step_3.matches("CONTAINER ID").count(), 2, "both listings belong to step 3: {step_3}");
    // The first run, without --rm, left a container: step 3 says so, by its real name.
    let left = whaleshell_runtime::Runtime::open(lab.root().join("lessons/hello-busybox")).unwrap().containers.list().unwrap();
    let first = left.iter().min_by_key(|c| c.created).unwrap();
    assert!(step_3.contains(&format!("The one still listed, {}, is left from a run", first.name)), "{step_3}");
    assert!(!step_3.contains("The list is empty"), "{step_3}");
    let progress = std::fs::read_to_string(lab.root().join("xdg/whaleshell/progress.json")).unwrap();
    assert!(progress.contains("\"completed\": true"), "{progress}");
    // The lesson ran in a state root of its own, not the learner's.
    assert!(lab.runtime().images.list().unwrap().is_empty());
    lab.assert_clean();
}

#[test]
fn a_lesson_in_portuguese() {
    let lab = Lab::new();
    let run = lab.command().args(["--lang", "pt-BR", "-c", "lesson 1"]).env("XDG_DATA_HOME", lab.root().join("xdg")).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("Lição 1 · Olá, busybox ── Passo 1/5"), "{text}");
    // A second terminal can reach the lesson's containers: the banner says how.
    let root = std::fs::canonicalize(lab.root()).unwrap().join("lessons/hello-busybox");
    assert!(text.contains("para vê-los de outro terminal:") && text.contains(&format!(" --root {}", root.display())), "{text}");
    // help too: its overview and every command's summary.
    let help = lab.command().args(["--lang", "pt-BR", "-c", "help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.starts_with("O Whaleshell roda os seus comandos docker"), "{help}");
    assert!(help.contains("  docker ps          Lista os contêineres\n") && help.contains("Para aprender:"), "{help}");
}

#[test]
fn demo_mode_plays_a_lesson_to_the_end() {
    let lab = Lab::new();
    let out = lab.command().args(["demo", "1", "--no-pause", "--speed", "0"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Hello Docker") && text.contains("Hello again"), "{text}");
    assert_eq!(text.matches('✔').count(), 5, "{text}");
    lab.assert_clean();
}

#[test]
fn explain_tells_what_the_last_run_did() {
    let lab = Lab::new();
    let run = lab.run("docker run --rm busybox true; explain");
    assert!(run.stdout.contains("reference  busybox → docker.io/library/busybox:latest"), "{}", run.stdout);
    assert!(run.stdout.contains("not found locally, so pulled from the hub first"), "{}", run.stdout);
    assert!(run.stdout.contains("--rm removed the container"), "{}", run.stdout);
    assert_eq!(lab.run("docker pull docker/whalesay").code, 0);
    let picture = lab.run("explain image docker/whalesay").stdout;
    assert!(picture.contains("shared with busybox:latest") && picture.contains("only in this image"), "{picture}");
    // Every layer's command whole, inside the box, and why these IDs are not pull's.
    assert!(picture.contains(" COPY file:cowsay in /usr/local/bin/cowsay │"), "{picture}");
    assert!(picture.contains("docker pull shows the digests of the compressed downloads instead"), "{picture}");
}

#[test]
fn a_learner_completes_lesson_10_on_the_ecr_lab_it_starts() {
    let lab = Lab::new();
    let ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    let lines: Vec<(String, String)> = vec![
        ("whaleshell$ ".into(), "lesson 10\n".into()),
        ("Step 1/16".into(), "aws sts get-caller-identity\n".into()),
        ("Step 2/16".into(), "docker build . -t chucks/apache-app\n".into()),
        ("Step 3/16".into(), format!("aws ecr get-login-password | docker login --username AWS --password-stdin {ecr}\n")),
        ("Step 4/16".into(), format!("docker tag chucks/apache-app:latest {ecr}/apache-app\n")),
        ("Step 5/16".into(), format!("docker push {ecr}/apache-app\n")),
        ("Step 6/16".into(), "aws ecr create-repository --repository-name apache-app --image-scanning-configuration scanOnPush=true\n".into()),
        ("Step 7/16".into(), "aws ecr describe-repositories\n".into()),
        ("Step 8/16".into(), format!("docker push {ecr}/apache-app\n")),
        ("Step 9/16".into(), format!("docker image build -t {ecr}/apache-app:v2 .\n")),
        ("Step 10/16".into(), format!("docker push {ecr}/apache-app:v2\n")),
        ("Step 11/16".into(), "aws ecr list-images --repository-name apache-app\n".into()),
        ("Step 12/16".into(), "aws ecr put-lifecycle-policy --repository-name apache-app --lifecycle-policy-text file://policy.json\n".into()),
        ("Step 13/16".into(), "eval $(aws ecr get-login --no-include-email)\n".into()),
        ("Step 14/16".into(), format!("docker pull {ecr}/apache-app:latest\n")),
        ("Step 15/16".into(), "aws ecr batch-delete-image --repository-name apache-app --image-ids imageTag=latest\n".into()),
        // The tutorial's delete, refused while `v2` is in the repository; then with --force.
        ("Step 16/16".into(), "aws ecr delete-repository --repository-name apache-app\n".into()),
        ("RepositoryNotEmptyException".into(), "aws ecr delete-repository --repository-name apache-app --force\n".into()),
        ("Lesson complete".into(), "exit\n".into()),
    ];
    let steps: Vec<(&str, &[u8])> = lines.iter().map(|(after, keys)| (after.as_str(), keys.as_bytes())).collect();
    let (screen, code) = lab.repl_on_terminal(&steps);
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("Local ECR lab running (not real AWS)"), "{screen}");
    assert!(screen.contains("name unknown: The repository with name 'apache-app' does not exist"), "{screen}");
    assert!(screen.contains("Layer already exists"), "{screen}");
    assert_eq!(screen.matches("✔ Done!").count(), 16, "{screen}");
    // The lab the lesson started stopped with it.
    let lesson_root = lab.root().join("lessons/registries-and-ecr");
    let layout = whaleshell_runtime::layout::Layout::open(&lesson_root).unwrap();
    assert!(whaleshell_ecr::lab::status(&layout).is_none());
    assert!(!whaleshell_ecr::lab::dir(&layout).exists());
    lab.assert_clean();
}

#[test]
fn lesson_7_does_not_take_a_sleep_that_ends_or_a_file_read_without_the_mount() {
    let lab = Lab::new();
    let lines = [
        "lesson 7",
        // `sleep` with no duration prints its usage and exits: nothing to watch.
        "docker run -d --name watched busybox sleep",
        "docker rm -f watched",
        "docker run -d --name watched busybox sleep 1000",
        "next",
        "next",
        "next",
        "next",
        // The container's own /etc/passwd also starts with root: — not what the step is about.
        "docker run --rm busybox head -1 /etc/passwd",
        "docker run --rm -v /etc:/host-etc:ro busybox head -1 /host-etc/passwd",
        "docker rm -f watched",
        "exit",
    ];
    let screen = play_lines(&lab, &lines.map(|l| format!("{l}\n")).concat());
    let between = |from: &str, to: &str| screen[screen.find(from).unwrap()..screen.find(to).unwrap()].to_owned();
    // Each step is done only after its right command: after `rm` printed the name, after the host's line.
    let step_1 = between("Step 1/7", "Step 2/7");
    assert!(step_1.find("\nwatched\n") < step_1.find("✔ Done!"), "only the sleep that lasts does step 1: {step_1}");
    let step_6 = between("Step 6/7", "Step 7/7");
    let host_line = std::fs::read_to_string("/etc/passwd").unwrap().lines().next().unwrap().to_owned();
    let (own, host) = (step_6.find("root:x:0:0:root:/root:/bin/sh\n"), step_6.find(&format!("{host_line}\n")));
    assert!(own.is_some() && own < host && host < step_6.find("✔ Done!"), "only the read through the mount does step 6: {step_6}");
    assert!(screen.contains("Lesson complete"), "{screen}");
    // Each `next` says it rebuilt the state the step starts from.
    assert!(screen.contains("Replaying what the earlier steps leave behind (this lesson's containers and images), as at the start of step 6…"), "{screen}");
    lab.assert_clean();
}

#[test]
fn lesson_texts_name_the_learners_real_container_and_pid() {
    let lab = Lab::new();
    let lines = "lesson 5\ndocker run -d --name keeper busybox tail -f /dev/null\nnext\ndocker top keeper\ndocker rm -f keeper\nleave\nexit\n";
    let screen = play_lines(&lab, lines);
    // docker top's row for tail: UID PID PPID …
    let row = screen.lines().find(|l| l.ends_with("tail -f /dev/null") && !l.contains("docker")).unwrap_or_else(|| panic!("{screen}"));
    let pid = row.split_whitespace().nth(1).unwrap();
    assert!(screen.contains(&format!("now with an everyday PID: {pid}. It is")), "{screen}");
    assert!(!screen.contains("{pid:"), "{screen}");
    lab.assert_clean();
}

#[test]
fn a_flag_after_the_image_is_named_with_a_caret_and_does_not_do_the_step() {
    let lab = Lab::new();
    let lines = "lesson 1\ndocker run busybox:latest --rm /bin/echo \"Hello Docker\"\nleave\nexit\n";
    let screen = play_lines(&lab, lines);
    let nudge = "Close, but not quite: --rm came after the image, so Docker handed it to the container as its command: flags go before the image.\n  docker run busybox:latest --rm /bin/echo \"Hello Docker\"\n                            ^^^^\n";
    assert!(screen.contains(nudge), "{screen}");
    assert!(!screen.contains("✔ Done!"), "{screen}");
    // Docker leaves the container it could not start; leaving the lesson keeps it in the lesson's root.
    let lesson_root = lab.root().join("lessons/hello-busybox");
    let rm = std::process::Command::new(env!("CARGO_BIN_EXE_whaleshell"))
        .arg("--root")
        .arg(&lesson_root)
        .args(["-c", "docker rm $(docker ps -aq)"])
        .status()
        .unwrap();
    assert!(rm.success());
    lab.assert_clean();
}

#[test]
fn a_run_without_d_is_told_the_way_out_at_once_and_its_leftover_goes_on_the_retry() {
    let lab = Lab::new();
    let (screen, code) = lab.repl_on_controlling_terminal(&[
        ("whaleshell$ ", b"lesson 5\n"),
        // tail prints, so the test knows it runs; it ignores Ctrl-C as PID 1.
        ("Step 1/7", b"docker run --name keeper busybox tail -f /etc/passwd\n"),
        ("nobody:x:65534", b"\x03"),
        ("then ends it.", b"\x03"),
        ("then ends it.", b"docker run -d --name keeper busybox tail -f /dev/null\n"),
        ("Step 2/7", b"leave\n"),
        ("You left the lesson", b"exit\n"),
    ]);
    assert_eq!(code, Some(0), "{screen}");
    let nudge = "Close, but not quite: this step uses -d. Without it this container keeps the terminal until it ends: Ctrl-C twice leaves it running and gives you the prompt back; then try again with -d.";
    let (told, ran) = (screen.find(nudge), screen.find("nobody:x:65534"));
    assert!(told.is_some() && told < ran, "the way out comes before the container holds the terminal: {screen}");
    assert_eq!(screen.matches("this step uses -d").count(), 1, "said once: {screen}");
    assert!(screen.contains("Removed the container your earlier try at this step left, so the name is free again: keeper"), "{screen}");
    let lesson_root = lab.root().join("lessons/pid-1");
    let rm = std::process::Command::new(env!("CARGO_BIN_EXE_whaleshell")).arg("--root").arg(&lesson_root).args(["-c", "docker rm -f keeper"]).status().unwrap();
    assert!(rm.success());
    lab.assert_clean();
}

#[test]
fn a_container_prune_kept_because_it_runs_is_named_not_called_gone() {
    let lab = Lab::new();
    let lines = "lesson 6\nnext\nnext\nnext\nnext\nnext\ndocker run -d --name extra busybox tail -f /dev/null\ndocker container prune -f\ndocker rm -f extra\nleave\nexit\n";
    let screen = play_lines(&lab, lines);
    let prune = &screen[screen.find("Total reclaimed space").unwrap_or_else(|| panic!("{screen}"))..];
    assert!(prune.contains("extra is still running, so it stayed"), "{prune}");
    assert!(!prune.contains("and box are gone"), "{prune}");
    lab.assert_clean();
}

#[test]
fn a_forgotten_name_a_wrong_tag_and_swapped_ports_are_named_with_a_caret_and_do_not_do_the_step() {
    let lab = Lab::new();
    let lines = "lesson 5\ndocker run -d busybox tail -f /dev/null\ndocker rm -f $(docker ps -aq)\nleave\n\
                 lesson 8\nnext\ndocker build -t learner/greeter .\nleave\n\
                 lesson 9\nnext\nnext\ndocker run -d -p 80:8050 chucks/apache-app\ndocker rm -f $(docker ps -aq)\nleave\nexit\n";
    let screen = play_lines(&lab, lines);
    for nudge in [
        "Close, but not quite: this step names its container; add --name keeper.\n  docker run -d busybox tail -f /dev/null\n                ^^^^^^^\n",
        "Close, but not quite: this step tags the image learner/greeter:1.0.\n  docker build -t learner/greeter .\n                  ^^^^^^^^^^^^^^^\n",
        "Close, but not quite: -p takes HOST:CONTAINER, the host's port first; this step uses -p 8050:80.\n  docker run -d -p 80:8050 chucks/apache-app\n                   ^^^^^^^\n",
    ] {
        assert!(screen.contains(nudge), "{nudge}\nnot in:\n{screen}");
    }
    // None of the three did its step.
    assert!(!screen.contains("✔ Done!"), "{screen}");
    lab.assert_clean();
}

#[test]
fn a_reset_in_lesson_12_takes_away_the_learners_networks_and_replays_the_lessons() {
    let lab = Lab::new();
    let lines = "lesson 12\ndocker network ls\ndocker run --rm --network bridge busybox ip addr\ndocker network create shopnet\n\
                 docker network create stray\nreset\nleave\nexit\n";
    let screen = play_lines(&lab, lines);
    assert!(screen.contains("Step 4/10"), "{screen}");
    let lesson = whaleshell_runtime::Runtime::open(lab.root().join("lessons/networks")).unwrap();
    let names: Vec<String> = lesson.networks.list().unwrap().into_iter().map(|n| n.name).collect();
    // The replay of step 3 made shopnet again; stray was no step's.
    assert_eq!(names, ["bridge", "host", "none", "shopnet"], "{screen}");
    lesson.remove_network("shopnet").unwrap();
    lab.assert_clean();
}
