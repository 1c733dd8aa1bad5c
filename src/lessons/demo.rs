//! `whaleshell demo LESSON`: a lesson played for a class on a scratch state
//! root — each command typed out visibly, run for real, then explained, with
//! a pause for the presenter between steps.

use std::io::{BufRead, Write};
use std::time::Duration;

use colored::Colorize;
use whaleshell_runtime::Runtime;

use super::session::{from_state, render};
use super::text::for_locale;
use crate::io::{Input, Io, Output};
use crate::shell::Shell;

pub fn run(home: &Runtime, locale: &'static str, which: &str, speed_ms: u64, pause: bool) -> i32 {
    let t = for_locale(locale);
    let Some(lesson) = super::find(locale, which) else {
        eprintln!("{} '{which}'.", t.unknown_lesson);
        return 1;
    };
    let scratch = home.layout.root().join("demo").join(&lesson.id);
    let _ = std::fs::remove_dir_all(&scratch);
    let runtime = match Runtime::open(&scratch) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("whaleshell: {e}");
            return 1;
        }
    };
    let mut shell = Shell::new(runtime);
    shell.locale = locale;
    println!("{}", format!("══ {} {} · {} ══", t.lesson, lesson.number, lesson.title).bold().cyan());
    println!("{}\n", lesson.summary);
    let cwd = std::env::current_dir().ok();
    if !lesson.files.is_empty() {
        let work = super::Lesson::work_dir(&scratch);
        if let Err(e) = lesson.write_files(&work).and_then(|()| std::env::set_current_dir(&work)) {
            eprintln!("whaleshell: {}: {e}", work.display());
            return 1;
        }
    }
    if lesson.lab.is_some() {
        let (mut out, mut err) = (Output::Stdout, Output::Stderr);
        super::session::start_lab(&mut shell, &mut Io { stdin: Input::Terminal, stdout: &mut out, stderr: &mut err });
    }
    for image in &lesson.needs {
        shell.run_quietly(&format!("docker pull {image}"));
    }
    let mut status = 0;
    for (i, step) in lesson.steps.iter().enumerate() {
        println!("{}", format!("── {} {}/{} ──", t.step, i + 1, lesson.steps.len()).bold().cyan());
        println!("{}\n", render(&from_state(&step.text, &shell.runtime)));
        // Without a presenter there is no terminal to type into: play the non-interactive form.
        let line = if pause { step.commands[0].as_str() } else { step.play_line() };
        type_out(line, speed_ms);
        status = shell.run_line(line);
        // What the explanation describes may come a moment later (a restart,
        // a health check): once it has, the step's command shows it, as the
        // step tells a learner to run it again.
        if super::checks::settle(&step.checks, &shell.runtime, &shell.last) {
            println!();
            type_out(line, speed_ms);
            status = shell.run_line(line);
        }
        println!("\n{} {}", "✔".green().bold(), render(&from_state(step.explanation(&shell.runtime, &shell.last), &shell.runtime)));
        if pause {
            print!("{}", "  ⏎ ".dimmed());
            let _ = std::io::stdout().flush();
            let _ = std::io::stdin().lock().read_line(&mut String::new());
        }
        println!();
    }
    for c in shell.runtime.containers.list().unwrap_or_default() {
        let _ = shell.runtime.containers.remove(&c.id, true, true);
    }
    // Dropping the shell stops the lab it started.
    drop(shell);
    if let Some(dir) = cwd {
        let _ = std::env::set_current_dir(dir);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    status
}

/// Types a command out at a readable speed, as if someone were typing it.
fn type_out(line: &str, speed_ms: u64) {
    print!("{} ", "whaleshell$".bold().blue());
    for c in line.chars() {
        print!("{c}");
        let _ = std::io::stdout().flush();
        if speed_ms > 0 {
            std::thread::sleep(Duration::from_millis(speed_ms));
        }
    }
    println!();
}
