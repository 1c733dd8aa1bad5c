//! A lesson in progress inside the REPL: its words (`lessons`, `lesson N`,
//! `hint`, `solution`, `next`, `back`, `skip`, `reset`, `progress`,
//! `leave`), the check after every line the learner types, and saved
//! progress. A lesson runs on a state root of its own, so its containers
//! and images never mix with the learner's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use colored::Colorize;
use serde::{Deserialize, Serialize};
use whaleshell_ecr::lab;
use whaleshell_runtime::Runtime;

use super::checks::same_image;
use super::text::{for_locale, Text};
use super::{all, find, Lesson, Step};
use crate::grammar::docker::{parse_literal, Docker};
use crate::grammar::line::parse_line;
use crate::grammar::{Arg, LESSON_WORDS};
use crate::io::{Input, Io, Output};
use crate::last_command::LastCommand;
use crate::shell::Shell;

/// The REPL as a learner has it: the shell, and the lesson being followed.
/// Lesson words are its own; every other line goes to the shell, and then
/// the step's checks say whether it was done.
pub struct Tutor {
    pub shell: Shell,
    pub lesson: Option<LessonSession>,
}

impl Tutor {
    pub fn new(shell: Shell) -> Tutor {
        Tutor { shell, lesson: None }
    }

    /// Runs one line typed at the terminal; returns its exit status.
    pub fn run_line(&mut self, line: &str) -> i32 {
        let (mut stdout, mut stderr) = (Output::Stdout, Output::Stderr);
        let mut io = Io { stdin: Input::Terminal, stdout: &mut stdout, stderr: &mut stderr };
        if let Some(status) = self.lesson_word(line, &mut io) {
            self.shell.last_status = status;
            return status;
        }
        let nudged = self.lesson.is_some() && before_line(self, line, &mut io);
        let status = self.shell.run_line(line);
        if self.lesson.is_some() {
            after_line(self, nudged, &mut io);
        }
        status
    }

    /// A line that is a lesson word (`hint`, `lesson 3` …) runs here; None for any other line.
    fn lesson_word(&mut self, line: &str, io: &mut Io<'_>) -> Option<i32> {
        let script = parse_line(line).ok()?;
        let pipeline = script.first.as_ref().filter(|_| script.rest.is_empty())?;
        let [command] = pipeline.commands.as_slice() else { return None };
        let words = command.words.iter().map(|w| w.as_literal().map(|text| Arg { text, span: w.span.clone() })).collect::<Option<Vec<_>>>()?;
        let (word, args) = words.split_first()?;
        LESSON_WORDS.contains(&word.text.as_str()).then(|| builtin(self, &word.text, args, io).unwrap_or(1))
    }
}

pub struct LessonSession {
    pub lesson: Lesson,
    pub step: usize,
    hints_shown: usize,
    /// The learner's own state root, restored by `leave`.
    home_root: PathBuf,
    /// The learner's own working directory, restored with it (a lesson
    /// with `files` works in a directory of its own).
    home_cwd: Option<PathBuf>,
    /// The containers there were when the step was shown: one made since
    /// is the learner's own try at this step.
    before_step: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    lessons: BTreeMap<String, LessonProgress>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct LessonProgress {
    step: usize,
    completed: bool,
}

/// `$XDG_DATA_HOME/whaleshell/progress.json`, or under `~/.local/share`.
fn progress_file() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("whaleshell/progress.json"))
}

fn load_progress() -> Progress {
    progress_file().and_then(|p| std::fs::read(p).ok()).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn save_progress(id: &str, step: usize, completed: bool) {
    let Some(path) = progress_file() else { return };
    let mut progress = load_progress();
    let entry = progress.lessons.entry(id.to_owned()).or_default();
    entry.step = step;
    entry.completed |= completed;
    if let (Some(dir), Ok(bytes)) = (path.parent(), serde_json::to_vec_pretty(&progress)) {
        let _ = std::fs::create_dir_all(dir);
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(tmp, &path);
        }
    }
}

/// Runs a lesson word; None when `name` is not one.
fn builtin(tutor: &mut Tutor, name: &str, args: &[Arg], io: &mut Io<'_>) -> Option<i32> {
    let t = for_locale(tutor.shell.locale);
    let status = match name {
        "lessons" => list(tutor.shell.locale, io),
        "lesson" => match args.first() {
            Some(which) => start(tutor, &which.text, io),
            None => list(tutor.shell.locale, io),
        },
        "progress" => match &tutor.lesson {
            Some(s) => {
                io.out(format!("{} {} · {} · {} {}/{}", t.lesson, s.lesson.number, s.lesson.title, t.step, s.step + 1, s.lesson.steps.len()));
                0
            }
            None => list(tutor.shell.locale, io),
        },
        "hint" | "solution" | "next" | "back" | "skip" | "reset" | "leave" => {
            if tutor.lesson.is_none() {
                io.err(t.no_lesson);
                return Some(1);
            }
            match name {
                "hint" => hint(tutor, io),
                "solution" => {
                    let s = tutor.lesson.as_ref()?;
                    io.out(format!("{}: {}", t.solution, s.lesson.steps[s.step].commands[0].bold()));
                    0
                }
                "next" | "skip" => move_to(tutor, 1, io),
                "back" => move_to(tutor, -1, io),
                "reset" => reset(tutor, io),
                _ => leave(tutor, io),
            }
        }
        _ => return None,
    };
    Some(status)
}

fn list(locale: &str, io: &mut Io<'_>) -> i32 {
    let t = for_locale(locale);
    let progress = load_progress();
    io.out(t.list_header);
    for l in all(locale) {
        let state = match progress.lessons.get(&l.id) {
            Some(p) if p.completed => t.completed.green().to_string(),
            Some(p) => format!("{} {}/{}", t.step, p.step + 1, l.steps.len()).yellow().to_string(),
            None => t.not_started.dimmed().to_string(),
        };
        io.out(format!("  {:>2}. {:<44} {}", l.number, l.title, state));
        io.out(format!("      {}", l.summary.dimmed()));
    }
    0
}

fn lesson_root(home: &std::path::Path, lesson: &Lesson) -> PathBuf {
    home.join("lessons").join(&lesson.id)
}

fn start(tutor: &mut Tutor, which: &str, io: &mut Io<'_>) -> i32 {
    let t = for_locale(tutor.shell.locale);
    let Some(lesson) = find(tutor.shell.locale, which) else {
        io.err(format!("{} '{which}'.", t.unknown_lesson));
        return 1;
    };
    let (home_root, home_cwd) = match end(tutor) {
        Some(previous) => (previous.home_root, previous.home_cwd),
        None => (tutor.shell.runtime.layout.root().to_owned(), std::env::current_dir().ok()),
    };
    let saved = load_progress().lessons.get(&lesson.id).cloned().unwrap_or_default();
    let step = if saved.completed { 0 } else { saved.step.min(lesson.steps.len() - 1) };
    match Runtime::open(lesson_root(&home_root, &lesson)) {
        Ok(rt) => tutor.shell.runtime = rt,
        Err(e) => {
            io.err(format!("whaleshell: {e}"));
            return 1;
        }
    }
    let lab_started = lesson.lab.as_deref() == Some("ecr") && start_lab(&mut tutor.shell, io);
    let work = Lesson::work_dir(tutor.shell.runtime.layout.root());
    let has_files = !lesson.files.is_empty();
    tutor.lesson = Some(LessonSession { lesson, step, hints_shown: 0, home_root, home_cwd, before_step: Vec::new() });
    // What was typed before the lesson does not count toward its steps.
    tutor.shell.last.forget_commands();
    // A fresh start begins from a clean lesson root with what the lesson
    // needs; so does a resumed one whose lab just started empty.
    if step == 0 || lab_started || (has_files && !work.exists()) {
        prepare(tutor, step);
    } else if has_files {
        enter(&work, io);
    }
    show_step(tutor, io);
    io.out(t.commands_help.dimmed().to_string());
    let root = tutor.shell.runtime.layout.root().display().to_string();
    let program = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "whaleshell".into());
    io.out(format!("{} {}", t.second_terminal, format!("sudo {program} --root {root}").bold()).dimmed().to_string());
    0
}

/// Starts the local ECR lab on the lesson's root, unless the learner has
/// real AWS configured (then the lesson's `aws` commands go to AWS, as they
/// would outside the lesson). True when it started the lab just now.
pub fn start_lab(shell: &mut Shell, io: &mut Io<'_>) -> bool {
    if real_aws_configured() {
        return false;
    }
    match crate::commands::lab::up(&shell.runtime, shell.locale, io) {
        Ok(true) => {
            shell.started_labs.push(shell.runtime.layout.clone());
            true
        }
        // Already running (another lesson start), or it could not start:
        // `up` said why, and the `aws` commands will too.
        Ok(false) | Err(()) => false,
    }
}

/// Credentials AWS's own chain would find without asking the network: keys
/// or a profile in the environment, or a credentials file. (An instance
/// role is not probed: that would mean calling the metadata service.)
fn real_aws_configured() -> bool {
    let env = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if env("AWS_ACCESS_KEY_ID") || env("AWS_PROFILE") || env("AWS_ENDPOINT_URL") {
        return true;
    }
    let file = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".aws/credentials")));
    file.is_some_and(|f| f.is_file())
}

/// Ends the lesson in progress, if any, and stops the lab it started: that
/// lab lives on the lesson's root and nothing outside the lesson uses it.
fn end(tutor: &mut Tutor) -> Option<LessonSession> {
    let session = tutor.lesson.take()?;
    let root = tutor.shell.runtime.layout.root().to_owned();
    if tutor.shell.started_labs.iter().any(|l| l.root() == root) {
        let _ = lab::down(&tutor.shell.runtime.layout);
        tutor.shell.started_labs.retain(|l| l.root() != root);
    }
    Some(session)
}

/// Ends the lesson and gives the learner back their state root and directory.
fn go_home(tutor: &mut Tutor) -> bool {
    let Some(s) = end(tutor) else { return false };
    if let Ok(rt) = Runtime::open(&s.home_root) {
        tutor.shell.runtime = rt;
    }
    if let Some(dir) = &s.home_cwd {
        let _ = std::env::set_current_dir(dir);
    }
    true
}

fn enter(dir: &std::path::Path, io: &mut Io<'_>) {
    if let Err(e) = std::env::set_current_dir(dir) {
        io.err(format!("whaleshell: cd {}: {e}", dir.display()));
    }
}

/// Before replaying steps, a lab this shell runs for the lesson starts over
/// empty (down, then up), as the lesson's first step expects it.
fn empty_lab(tutor: &mut Tutor) {
    let here = tutor.shell.runtime.layout.clone();
    if tutor.shell.started_labs.iter().any(|l| l.root() == here.root()) {
        let _ = lab::down(&here);
        if lab::up(&here, &mut |_| {}).is_err() {
            tutor.shell.started_labs.retain(|l| l.root() != here.root());
        }
    }
}

/// Empties the lesson's root and replays its steps before `step`, quietly:
/// the runtime is then as the learner would have left it.
fn prepare(tutor: &mut Tutor, step: usize) {
    let Some(session) = &tutor.lesson else { return };
    let lesson = session.lesson.clone();
    let root = lesson_root(&session.home_root, &lesson);
    if !lesson.files.is_empty() {
        let work = Lesson::work_dir(tutor.shell.runtime.layout.root());
        if lesson.write_files(&work).is_ok() {
            let _ = std::env::set_current_dir(&work);
        }
    }
    for c in tutor.shell.runtime.containers.list().unwrap_or_default() {
        let _ = tutor.shell.runtime.containers.remove(&c.id, true, true);
    }
    // With its containers gone, no network is in use: the learner's go too.
    let _ = tutor.shell.runtime.prune_networks();
    for v in tutor.shell.runtime.volumes.list().unwrap_or_default() {
        let _ = tutor.shell.runtime.volumes.remove(&v.name);
    }
    // Images too, so pulls happen (and are explained) as the lesson says.
    for i in tutor.shell.runtime.images.list().unwrap_or_default() {
        let _ = tutor.shell.runtime.remove_image(&i.record.id, true);
    }
    let _ = std::fs::remove_dir_all(root.join("containers"));
    for image in &lesson.needs {
        tutor.shell.run_quietly(&format!("docker pull {image}"));
    }
    for s in &lesson.steps[..step] {
        tutor.shell.run_quietly(s.play_line());
    }
}

fn show_step(tutor: &mut Tutor, io: &mut Io<'_>) {
    let ids = tutor.shell.runtime.containers.list().unwrap_or_default().into_iter().map(|c| c.id).collect();
    let Some(s) = &mut tutor.lesson else { return };
    s.before_step = ids;
    let s = &*s;
    let t = for_locale(tutor.shell.locale);
    let step = &s.lesson.steps[s.step];
    let header = format!("── {} {} · {} ── {} {}/{} ", t.lesson, s.lesson.number, s.lesson.title, t.step, s.step + 1, s.lesson.steps.len());
    io.out("");
    io.out(header.bold().cyan().to_string());
    io.out(render(&from_state(&step.text, &tutor.shell.runtime)));
}

/// Lesson text names what really is there: `{id:NAME}` is the short ID of
/// the container of that name (or, newest first, of that image), `{pid:NAME}`
/// the host PID of its PID 1. Without one, the tutorials' placeholder
/// (`<container-id>`, `<pid>`) stays, which the shell explains if typed.
pub fn from_state(text: &str, rt: &Runtime) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        let inner = &rest[start + 1..start + len];
        let value = match inner.split_once(':') {
            Some(("id", target)) => Some(container(rt, target).map_or("<container-id>".to_owned(), |c| c.id[..12].to_owned())),
            Some(("name", target)) => Some(container(rt, target).map_or("<name>".to_owned(), |c| c.name)),
            Some(("pid", target)) => Some(container(rt, target).and_then(|c| c.state.pid).map_or("<pid>".to_owned(), |p| p.to_string())),
            _ => None,
        };
        out.push_str(&rest[..start]);
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn container(rt: &Runtime, target: &str) -> Option<whaleshell_runtime::container::ContainerRecord> {
    let mut all = rt.containers.list().unwrap_or_default();
    all.sort_by_key(|c| std::cmp::Reverse(c.created));
    let by_name = all.iter().position(|c| c.name == target);
    let by_image = || all.iter().position(|c| same_image(target, &c.image));
    by_name.or_else(by_image).map(|i| all.swap_remove(i))
}

/// Lesson text is light Markdown: `**bold**` and `` `code` ``.
pub fn render(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.trim_end().split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&part.cyan().bold().to_string());
            continue;
        }
        for (j, piece) in part.split("**").enumerate() {
            if j % 2 == 1 {
                out.push_str(&piece.bold().to_string());
            } else {
                out.push_str(piece);
            }
        }
    }
    out
}

fn hint(tutor: &mut Tutor, io: &mut Io<'_>) -> i32 {
    let t = for_locale(tutor.shell.locale);
    let Some(s) = &mut tutor.lesson else { return 1 };
    let hints = &s.lesson.steps[s.step].hints;
    match hints.get(s.hints_shown) {
        Some(h) => {
            s.hints_shown += 1;
            io.out(format!("{} {}/{}: {}", t.hint.yellow().bold(), s.hints_shown, hints.len(), render(&from_state(h, &tutor.shell.runtime))));
        }
        None => io.out(t.no_more_hints),
    }
    0
}

fn move_to(tutor: &mut Tutor, delta: isize, io: &mut Io<'_>) -> i32 {
    let t = for_locale(tutor.shell.locale);
    let Some(s) = &mut tutor.lesson else { return 1 };
    let target = s.step as isize + delta;
    if target < 0 {
        io.out(t.first_step);
        return 0;
    }
    if target as usize >= s.lesson.steps.len() {
        save_progress(&s.lesson.id, s.step, true);
        io.out(t.lesson_complete.green().bold().to_string());
        return 0;
    }
    s.step = target as usize;
    s.hints_shown = 0;
    save_progress(&s.lesson.id, s.step, false);
    let step = s.step;
    io.out(format!("{} {}…", t.moving, step + 1).dimmed().to_string());
    // The runtime must look as it would had the learner done the steps before.
    empty_lab(tutor);
    prepare(tutor, step);
    show_step(tutor, io);
    0
}

fn reset(tutor: &mut Tutor, io: &mut Io<'_>) -> i32 {
    let t = for_locale(tutor.shell.locale);
    io.out(t.resetting.dimmed().to_string());
    let step = tutor.lesson.as_ref().map_or(0, |s| s.step);
    empty_lab(tutor);
    prepare(tutor, step);
    show_step(tutor, io);
    0
}

fn leave(tutor: &mut Tutor, io: &mut Io<'_>) -> i32 {
    let t = for_locale(tutor.shell.locale);
    if go_home(tutor) {
        io.out(t.left);
    }
    0
}

/// Before a `docker run` of the step runs: a container the learner's
/// earlier try at this step left under the step's name goes (one line says
/// so), and a run that will hold the terminal where the step uses `-d` is
/// told so now, with the way out, not once the learner has escaped. Says
/// whether it nudged.
fn before_line(tutor: &mut Tutor, line: &str, io: &mut Io<'_>) -> bool {
    let t = for_locale(tutor.shell.locale);
    let Some(s) = &tutor.lesson else { return false };
    let Some(Docker::Run(got)) = parse_literal(line) else { return false };
    let expected = s.lesson.steps[s.step].commands.iter().filter_map(|c| parse_literal(c)).find_map(|d| if let Docker::Run(r) = d { Some(r) } else { None });
    let Some(want) = expected else { return false };
    if let Some(name) = got.name.as_ref().filter(|n| want.name.as_ref() == Some(*n)) {
        let rt = &tutor.shell.runtime;
        let left = rt.containers.list().unwrap_or_default().into_iter().find(|c| &c.name == name && !s.before_step.contains(&c.id));
        if let Some(c) = left {
            if rt.containers.remove(&c.id, true, true).is_ok() {
                io.out(format!("{} {}", t.removed_earlier_try, name.bold()).dimmed().to_string());
            }
        }
    }
    if want.detach && !got.detach && !got.tty {
        io.out(format!("{} {} {}. {}", t.near_miss.yellow().bold(), t.missing_flag, "-d".bold(), t.holds_terminal));
        return true;
    }
    false
}

/// After each line the learner types in a lesson: is the step done? If not,
/// and the command was close to the one expected, say what differs (unless
/// `before_line` already did).
pub fn after_line(tutor: &mut Tutor, nudged: bool, io: &mut Io<'_>) {
    let locale = tutor.shell.locale;
    let t = for_locale(locale);
    let Some(session) = &tutor.lesson else { return };
    let step = &session.lesson.steps[session.step];
    if step.checks.iter().all(|c| c.holds(&tutor.shell.runtime, &tutor.shell.last)) {
        io.out(format!("{} {}", "✔".green().bold(), t.done.green().bold()));
        io.out(render(&from_state(step.explanation(&tutor.shell.runtime, &tutor.shell.last), &tutor.shell.runtime)));
        let Some(s) = &mut tutor.lesson else { return };
        if s.step + 1 >= s.lesson.steps.len() {
            save_progress(&s.lesson.id, s.step, true);
            io.out(t.lesson_complete.green().bold().to_string());
            // Done: back to the learner's own containers, images and directory.
            go_home(tutor);
            return;
        }
        s.step += 1;
        s.hints_shown = 0;
        save_progress(&s.lesson.id, s.step, false);
        show_step(tutor, io);
    } else if let Some((advice, at)) = near_miss(step, &tutor.shell.last, t).filter(|_| !nudged) {
        let last = &tutor.shell.last;
        io.out(format!("{} {advice}", t.near_miss.yellow().bold()));
        // The caret under the word at fault, as under a parse error.
        if let Some(arg) = at.and_then(|i| last.docker_args.get(i)) {
            let caret = crate::grammar::ParseError { message: String::new(), span: arg.span.clone(), footer: None }.render(&last.docker_line);
            io.out(caret.trim_start_matches('\n').yellow().to_string());
        }
    }
}

/// Works out, from what the command really did, why it was not what the
/// step wants: the advice, and which of the typed words it is about.
fn near_miss(step: &Step, last: &LastCommand, t: &Text) -> Option<(String, Option<usize>)> {
    let (typed, _) = last.docker.as_ref()?;
    let expected: Vec<Docker> = step.commands.iter().filter_map(|c| parse_literal(c)).collect();
    let same_kind: Vec<&Docker> = expected.iter().filter(|e| e.name() == typed.name()).collect();
    let words = last.docker_words();
    let position = |text: &str| words.iter().position(|w| w == text);
    if let (Docker::Build(got), Some(Docker::Build(want))) = (typed, same_kind.first().copied()) {
        let tag = want.tags.first()?;
        let typed_tag = got.tags.iter().find(|g| !same_image(g, tag));
        return typed_tag.filter(|_| !got.tags.iter().any(|g| same_image(g, tag))).map(|g| (format!("{} {}.", t.wrong_tag, tag.bold()), position(g)));
    }
    let (Docker::Run(got), Some(Docker::Run(want))) = (typed, same_kind.first().copied()) else {
        return None;
    };
    // `docker run --rm busybox -v x:/y …`: the flag went to the container.
    let image_at = words.iter().rposition(|w| same_image(w, &got.image));
    if let (Some(first), Some(i)) = (got.command.first(), image_at) {
        // `--volume=x` → `--volume`; a cluster `-it` → `-i`.
        let flag = if first.starts_with("--") { first.split('=').next().unwrap_or(first).to_owned() } else { first.chars().take(2).collect() };
        let probe = [vec!["run".to_owned(), first.clone()], want_value(first)].concat();
        let is_flag_of_run = first.starts_with('-') && first.len() > 1 && crate::grammar::docker::typed_with_flag(&probe, &flag);
        if is_flag_of_run && want.command.first() != Some(first) {
            return Some((format!("{} {}", first.bold(), t.flag_after_image), Some(i + 1)));
        }
    }
    if let Some(run) = &last.run {
        let exited_at_once = run.exit_code == Some(0) && run.output.is_empty() && !run.tty && !run.detached;
        if want.tty && !got.tty && exited_at_once && got.command.is_empty() {
            return Some((t.no_terminal_shell.to_owned(), None));
        }
    }
    let mut missing = Vec::new();
    if !same_image(&got.image, &want.image) {
        return Some((format!("{} {}.", t.other_image, want.image.bold()), image_at));
    }
    if let (Some(name), None) = (&want.name, &got.name) {
        return Some((format!("{} {}.", t.forgot_name, format!("--name {name}").bold()), image_at));
    }
    // `-p 80:8050` for `-p 8050:80`.
    for wanted in &want.publish {
        let swapped = wanted.rsplit_once(':').map(|(host, container)| format!("{container}:{host}"));
        if let Some(typed_p) = got.publish.iter().find(|p| Some(p.as_str()) == swapped.as_deref() && !got.publish.contains(wanted)) {
            let at = words.iter().position(|w| w == typed_p || w.ends_with(&format!("p{typed_p}")) || w.ends_with(&format!("={typed_p}")));
            return Some((format!("{} {}.", t.swapped_port, format!("-p {wanted}").bold()), at));
        }
    }
    if want.rm && !got.rm {
        missing.push("--rm");
    }
    if (want.interactive || want.tty) && !(got.interactive && got.tty) {
        missing.push("-it");
    }
    if want.detach && !got.detach {
        missing.push("-d");
    }
    if !missing.is_empty() {
        return Some((format!("{} {}.", t.missing_flag, missing.join(" ").bold()), None));
    }
    let mut extra = Vec::new();
    if got.rm && !want.rm {
        extra.push("--rm");
    }
    if got.detach && !want.detach {
        extra.push("-d");
    }
    (!extra.is_empty()).then(|| (format!("{} {}.", t.extra_flag, extra.join(" ").bold()), None))
}

/// A placeholder value for a flag that takes one, so that asking the grammar
/// whether `-v` is one of run's flags parses (`run -v x busybox`).
fn want_value(flag: &str) -> Vec<String> {
    let mut words = Vec::new();
    if !flag.contains('=') {
        words.push("x".to_owned());
    }
    words.push("busybox".to_owned());
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::line::WordPart;

    fn step(command: &str) -> Step {
        Step {
            text: String::new(),
            commands: vec![command.to_owned()],
            checks: Vec::new(),
            hints: Vec::new(),
            explain: String::new(),
            play: None,
            detour: None,
        }
    }

    /// What the shell records for a typed docker line (literal words only).
    fn typed(line: &str) -> LastCommand {
        let script = parse_line(line).unwrap();
        let words = &script.first.unwrap().commands[0].words;
        let args: Vec<Arg> = words[1..]
            .iter()
            .map(|w| {
                let text = w.parts.iter().map(|p| if let WordPart::Literal(s) = &p.kind { s.clone() } else { String::new() }).collect();
                Arg { text, span: w.span.clone() }
            })
            .collect();
        LastCommand { docker: Some((parse_literal(line).unwrap(), 0)), docker_args: args, docker_line: line.to_owned(), ..LastCommand::default() }
    }

    /// The advice, and the word its caret is under.
    fn nudge(expected: &str, line: &str) -> Option<(String, Option<String>)> {
        let last = typed(line);
        let plain = |s: String| regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(&s, "").into_owned();
        near_miss(&step(expected), &last, for_locale("en")).map(|(advice, at)| (plain(advice), at.map(|i| last.docker_args[i].text.clone())))
    }

    #[test]
    fn common_mistakes_get_one_line_naming_them_with_the_word_at_fault() {
        let (advice, at) = nudge("docker run --rm -v notes:/notes busybox ls /notes", "docker run --rm busybox -v notes:/notes ls /notes").unwrap();
        assert!(advice.starts_with("-v came after the image"), "{advice}");
        assert_eq!(at.as_deref(), Some("-v"));
        let (advice, at) = nudge("docker run -d --name keeper busybox tail -f /dev/null", "docker run -d busybox tail -f /dev/null").unwrap();
        assert_eq!((advice.as_str(), at.as_deref()), ("this step names its container; add --name keeper.", Some("busybox")));
        let (advice, at) = nudge("docker run -d -p 8050:80 chucks/apache-app", "docker run -d -p 80:8050 chucks/apache-app").unwrap();
        assert_eq!((advice.as_str(), at.as_deref()), ("-p takes HOST:CONTAINER, the host's port first; this step uses -p 8050:80.", Some("80:8050")));
        let (advice, at) = nudge("docker build -t chucks/apache-app .", "docker build -t chucks/apache .").unwrap();
        assert_eq!((advice.as_str(), at.as_deref()), ("this step tags the image chucks/apache-app.", Some("chucks/apache")));
        // The right command, or a harmless difference, gets no nudge.
        assert_eq!(nudge("docker run -d -p 8050:80 chucks/apache-app", "docker run -p 8050:80 -d chucks/apache-app"), None);
        assert_eq!(nudge("docker run --rm busybox ls -la", "docker run --rm busybox ls -la"), None);
    }
}
