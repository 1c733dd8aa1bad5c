//! `whaleshell lessons check`: every lesson file in every locale parses,
//! its commands parse, both locales have the same steps, and playing each
//! lesson's commands on a fresh state root makes every check hold — and
//! that no step's checks hold before its own command is played.

use std::net::{Ipv4Addr, TcpListener};

use whaleshell_ecr::lab;
use whaleshell_runtime::Runtime;

use super::{parse, LESSON_FILES, LOCALES};
use crate::grammar::line::parse_line;
use crate::shell::Shell;

/// Returns the problems found, one line each (empty: all good).
pub fn check_all(scratch: &std::path::Path, play: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_locale = Vec::new();
    for locale in LOCALES {
        let mut lessons = Vec::new();
        for (_, stem, text) in LESSON_FILES.iter().filter(|(l, _, _)| l == locale) {
            match parse(stem, text) {
                Ok(lesson) => lessons.push((stem.to_string(), lesson)),
                Err(e) => problems.push(format!("lessons/{locale}/{stem}.toml: {e}")),
            }
        }
        by_locale.push((*locale, lessons));
    }
    for (locale, lessons) in &by_locale {
        for (stem, lesson) in lessons {
            let at = |i: usize| format!("lessons/{locale}/{stem}.toml step {}", i + 1);
            if lesson.lab.as_deref().is_some_and(|l| l != "ecr") {
                problems.push(format!("lessons/{locale}/{stem}.toml: lab = {:?}, the only lab is \"ecr\"", lesson.lab.as_deref().unwrap_or_default()));
            }
            for path in lesson.files.keys().filter(|p| !super::safe_relative(p)) {
                problems.push(format!("lessons/{locale}/{stem}.toml: file {path:?} must be a relative path inside the work directory"));
            }
            if lesson.steps.is_empty() {
                problems.push(format!("lessons/{locale}/{stem}.toml: no steps"));
            }
            for (i, step) in lesson.steps.iter().enumerate() {
                if step.commands.is_empty() {
                    problems.push(format!("{}: no accepted command", at(i)));
                }
                if step.checks.is_empty() {
                    problems.push(format!("{}: no checks, so it could never be done", at(i)));
                }
                for line in step.commands.iter().chain(&step.play) {
                    if let Err(e) = parse_line(line) {
                        problems.push(format!("{}: `{line}` does not parse: {}", at(i), e.message));
                    } else if line.starts_with("docker ") && crate::grammar::docker::parse_literal(line).is_none() {
                        problems.push(format!("{}: `{line}` is not a docker command Whaleshell knows", at(i)));
                    }
                }
            }
        }
    }
    // Every locale mirrors English: same files, same steps, same commands and checks.
    let (_, english) = &by_locale[0];
    for (locale, lessons) in &by_locale[1..] {
        for (stem, en) in english {
            match lessons.iter().find(|(s, _)| s == stem) {
                None => problems.push(format!("lessons/{locale}/{stem}.toml is missing")),
                Some((_, other)) => {
                    if other.steps.len() != en.steps.len() {
                        problems.push(format!("lessons/{locale}/{stem}.toml has {} steps, English has {}", other.steps.len(), en.steps.len()));
                        continue;
                    }
                    for (i, (a, b)) in en.steps.iter().zip(&other.steps).enumerate() {
                        let detour_checks = |s: &super::Step| s.detour.as_ref().map(|d| d.checks.clone());
                        if a.commands != b.commands || a.checks != b.checks || a.play != b.play || detour_checks(a) != detour_checks(b) {
                            problems.push(format!("lessons/{locale}/{stem}.toml step {}: commands, play or checks differ from English", i + 1));
                        }
                        if a.hints.len() != b.hints.len() {
                            problems.push(format!("lessons/{locale}/{stem}.toml step {}: {} hints, English has {}", i + 1, b.hints.len(), a.hints.len()));
                        }
                    }
                    if other.needs != en.needs || other.files != en.files || other.lab != en.lab || other.ports != en.ports {
                        problems.push(format!("lessons/{locale}/{stem}.toml: needs, files, lab or ports differ from English"));
                    }
                }
            }
        }
        for (stem, _) in lessons {
            if !english.iter().any(|(s, _)| s == stem) {
                problems.push(format!("lessons/{locale}/{stem}.toml has no English original"));
            }
        }
    }
    if play {
        // Lessons with problems above are not played; the others still are.
        let broken: Vec<&String> = english.iter().map(|(stem, _)| stem).filter(|stem| problems.iter().any(|p| p.contains(&format!("/{stem}.toml")))).collect();
        let playable: Vec<&(String, super::Lesson)> = english.iter().filter(|(stem, _)| !broken.contains(&stem)).collect();
        // Lessons with files are played in their work directory; come back after.
        let cwd = std::env::current_dir().ok();
        for (stem, lesson) in playable {
            let root = scratch.join(stem);
            let runtime = match Runtime::open(&root) {
                Ok(rt) => rt,
                Err(e) => {
                    problems.push(format!("{stem}: {e}"));
                    continue;
                }
            };
            let mut shell = Shell::new(runtime);
            if !lesson.files.is_empty() {
                let work = super::Lesson::work_dir(shell.runtime.layout.root());
                if let Err(e) = lesson.write_files(&work).and_then(|()| std::env::set_current_dir(&work)) {
                    problems.push(format!("lessons/en/{stem}.toml: writing its files: {e}"));
                    continue;
                }
            }
            // The lab always, even for someone with AWS keys: a check never touches real AWS.
            if lesson.lab.is_some() {
                match lab::up(&shell.runtime.layout, &mut |_| {}) {
                    Ok(_) => shell.started_labs.push(shell.runtime.layout.clone()),
                    Err(e) => {
                        problems.push(format!("lessons/en/{stem}.toml: the ECR lab did not start: {e}"));
                        continue;
                    }
                }
            }
            let moved = moved_ports(&lesson.ports);
            for image in &lesson.needs {
                shell.run_quietly(&format!("docker pull {image}"));
            }
            for (i, step) in lesson.steps.iter().enumerate() {
                let line = moved.iter().fold(step.play_line().to_owned(), |line, (from, to)| line.replace(&from.to_string(), &to.to_string()));
                // A step whose checks already hold would be done before the learner does it.
                if step.checks.iter().all(|c| c.holds(&shell.runtime, &shell.last)) {
                    problems.push(format!("lessons/en/{stem}.toml step {}: its checks hold before `{line}` is played", i + 1));
                }
                let (status, _, stderr) = shell.run_quietly(&line);
                let _ = super::checks::settle(&step.checks, &shell.runtime, &shell.last);
                for check in step.checks.iter().filter(|c| !c.holds(&shell.runtime, &shell.last)) {
                    problems.push(format!(
                        "lessons/en/{stem}.toml step {}: after `{}` (status {status}{}) the check {check:?} does not hold; containers: {}",
                        i + 1,
                        line,
                        if stderr.is_empty() { String::new() } else { format!(", stderr: {}", stderr.trim()) },
                        super::checks::describe_containers(&shell.runtime)
                    ));
                }
            }
            for c in shell.runtime.containers.list().unwrap_or_default() {
                let _ = shell.runtime.containers.remove(&c.id, true, true);
            }
            let _ = shell.runtime.prune_networks();
            // Dropping the shell stops the lab it started.
            drop(shell);
        }
        if let Some(dir) = &cwd {
            let _ = std::env::set_current_dir(dir);
        }
    }
    problems
}

/// The lesson's host ports that something on this machine already holds,
/// each with a free port to play instead.
fn moved_ports(ports: &[u16]) -> Vec<(u16, u16)> {
    ports
        .iter()
        .filter(|p| TcpListener::bind((Ipv4Addr::UNSPECIFIED, **p)).is_err())
        .filter_map(|p| {
            let free = TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0)).and_then(|l| l.local_addr()).ok()?;
            Some((*p, free.port()))
        })
        .collect()
}
