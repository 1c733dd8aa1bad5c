//! Whaleshell: a shell that teaches Docker by running your commands on real
//! containers. `whaleshell` opens the REPL; `whaleshell -c LINE` runs one
//! line; lines on a non-terminal stdin run in order.

mod commands;
mod credentials;
mod explain;
mod grammar;
mod interrupt;
mod io;
mod last_command;
mod lessons;
mod output;
mod repl;
mod shell;
mod template;
mod timetypes;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use whaleshell_runtime::layout::DEFAULT_ROOT;
use whaleshell_runtime::Runtime;

use crate::lessons::session::Tutor;
use crate::shell::Shell;

#[derive(Parser)]
#[command(name = "whaleshell", version, about = "Learn Docker by running real containers")]
struct Cli {
    /// Run one line and exit with its status
    #[arg(short = 'c', value_name = "LINE")]
    command: Option<String>,
    /// Keep all state (images, containers) under DIR
    #[arg(long, env = "WHALESHELL_ROOT", default_value = DEFAULT_ROOT, value_name = "DIR", global = true)]
    root: PathBuf,
    /// Language of the lessons: en or pt-BR (default: from LANG)
    #[arg(long, value_name = "LANG", global = true)]
    lang: Option<String>,
    /// Start (or resume) a lesson right away
    #[arg(long, value_name = "NAME|NUMBER")]
    lesson: Option<String>,
    #[command(subcommand)]
    tool: Option<Tool>,
}

#[derive(clap::Subcommand)]
enum Tool {
    /// Validate every lesson and play it on a scratch state root
    Lessons {
        #[command(subcommand)]
        action: LessonsAction,
    },
    /// The offline hub of well-known images
    Hub {
        #[command(subcommand)]
        action: HubAction,
    },
    /// The local ECR lab: `lab ecr up|down|status|expire-tokens`
    Lab {
        /// e.g. `ecr up`
        #[arg(num_args = 1.., required = true)]
        words: Vec<String>,
    },
    /// Play a lesson for a class: commands typed visibly, explanations shown
    Demo {
        /// The lesson, by number or name
        lesson: String,
        /// Milliseconds per typed character
        #[arg(long, default_value_t = 40)]
        speed: u64,
        /// Do not wait for Enter between steps
        #[arg(long)]
        no_pause: bool,
    },
}

#[derive(clap::Subcommand)]
enum HubAction {
    /// Push the hub's images to a registry, for a class to pull through `registry-mirrors`
    Push {
        /// The registry, e.g. 127.0.0.1:5000 (log in first with `docker login`)
        registry: String,
    },
}

#[derive(clap::Subcommand)]
enum LessonsAction {
    /// Check every lesson file and play every lesson
    Check,
}

/// An exit status as the shell sees it (the low 8 bits, as `exit()` keeps).
fn exit_status(code: i32) -> ExitCode {
    ExitCode::from(code as u8)
}

fn main() -> ExitCode {
    // A container's monitor (and an exec helper) is this same binary,
    // re-executed: hand over before anything else.
    if let Some(code) = whaleshell_runtime::container::main_if_helper().or_else(whaleshell_ecr::main_if_helper) {
        return exit_status(code);
    }
    let cli = Cli::parse();
    if !nix::unistd::geteuid().is_root() {
        eprintln!("whaleshell: real containers need root (namespaces, cgroups, overlayfs): run it with sudo");
        return ExitCode::FAILURE;
    }
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || !std::io::stdout().is_terminal() {
        colored::control::set_override(false);
    }
    let runtime = match Runtime::open(&cli.root) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("whaleshell: cannot use state root {}: {e}", cli.root.display());
            return ExitCode::FAILURE;
        }
    };
    // Containers whose restart policy says so come back after a reboot, as
    // Docker's come back with its daemon.
    runtime.restore_after_reboot();
    let locale = lessons::locale_from(cli.lang.as_deref());
    let status = match cli.tool {
        Some(Tool::Lessons { action: LessonsAction::Check }) => lessons_check(&runtime),
        Some(Tool::Hub { action: HubAction::Push { registry } }) => hub_push(&runtime, &registry),
        Some(Tool::Lab { words }) => {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let (mut out, mut err) = (io::Output::Stdout, io::Output::Stderr);
            let lifetime = whaleshell_ecr::lab::Lifetime::UntilDown;
            commands::lab::run(&runtime, &words, lifetime, locale, &mut io::Io { stdin: io::Input::Terminal, stdout: &mut out, stderr: &mut err }).0
        }
        Some(Tool::Demo { lesson, speed, no_pause }) => lessons::demo::run(&runtime, locale, &lesson, speed, !no_pause),
        None => {
            let mut shell = Shell::new(runtime);
            shell.locale = locale;
            let mut tutor = Tutor::new(shell);
            if let Some(lesson) = &cli.lesson {
                tutor.run_line(&format!("lesson {lesson}"));
            }
            // The tutor is dropped on return: a lab this run started stops with it
            // (labs meant to stay: `whaleshell lab ecr up`).
            match cli.command {
                Some(line) => tutor.run_line(&line),
                None if std::io::stdin().is_terminal() => repl::run(tutor),
                None => run_lines(&mut tutor),
            }
        }
    };
    exit_status(status)
}

/// `whaleshell hub push REGISTRY`: every hub image, under each of its names and tags.
fn hub_push(runtime: &Runtime, registry: &str) -> i32 {
    use whaleshell_runtime::reference::Reference;
    let registry = registry.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/');
    for reference in whaleshell_runtime::hub::references() {
        let Ok(name) = Reference::parse(&reference) else { continue };
        let result = runtime.pull(&name, &credentials::get, &mut |_| {}).and_then(|outcome| {
            let mut target = name.clone();
            target.domain = registry.to_owned();
            let creds = credentials::get(registry);
            runtime.push(&outcome.image, &target, creds.as_ref(), &mut |_| {}).map(|(digest, _)| (target, digest))
        });
        match result {
            Ok((target, digest)) => println!("{} → {}/{}:{}  {digest}", name.familiar(), target.domain, target.path, target.tag_or_latest()),
            Err(e) => {
                eprintln!("whaleshell: hub push {}: {e}", name.familiar());
                return 1;
            }
        }
    }
    0
}

/// `whaleshell lessons check`: problems listed one per line, non-zero if any.
fn lessons_check(runtime: &Runtime) -> i32 {
    let scratch = runtime.layout.root().join("lessons-check");
    let _ = std::fs::remove_dir_all(&scratch);
    // Lessons that log in to a registry must not write the user's ~/.docker.
    std::env::set_var("DOCKER_CONFIG", scratch.join("docker-config"));
    let problems = lessons::validate::check_all(&scratch, true);
    let _ = std::fs::remove_dir_all(&scratch);
    for p in &problems {
        eprintln!("{p}");
    }
    if problems.is_empty() {
        let count = lessons::LOCALES.iter().map(|l| lessons::all(l).len()).sum::<usize>();
        println!("lessons check: {count} lesson files in {} languages, all commands parse, all checks pass", lessons::LOCALES.len());
        0
    } else {
        1
    }
}

/// Lines from a pipe or file, in order; the status is the last line's.
/// A line ending in a backslash continues on the next.
fn run_lines(tutor: &mut Tutor) -> i32 {
    let mut status = 0;
    let mut pending = String::new();
    // One line at a time, never holding stdin: a command may read the next
    // line itself (prune's "Are you sure?"), as it would from a shell script.
    let mut buf = String::new();
    loop {
        buf.clear();
        match std::io::stdin().read_line(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = buf.trim_end_matches(['\n', '\r']);
        pending.push_str(line);
        if line.ends_with('\\') {
            pending.push('\n');
            continue;
        }
        status = tutor.run_line(&std::mem::take(&mut pending));
        if let Some(code) = tutor.shell.exit_requested {
            return code;
        }
    }
    status
}
