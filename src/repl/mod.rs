//! The interactive loop: rustyline with history, completion and hints.

mod complete;

use std::path::PathBuf;

use colored::Colorize;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

use crate::lessons::session::Tutor;

pub fn run(mut tutor: Tutor) -> i32 {
    let config = Config::builder().auto_add_history(true).max_history_size(10_000).map(|b| b.build());
    let config = config.unwrap_or_default();
    let mut editor: Editor<complete::Helper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("whaleshell: cannot open the terminal: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(complete::Helper::new(tutor.shell.runtime.layout.root().to_owned())));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let banner = if tutor.shell.locale == "pt-BR" {
        "— Docker de verdade, um comando de cada vez. Digite {help} para começar, {exit} para sair."
    } else {
        "— Docker, for real, one command at a time. Type {help} to start, {exit} to leave."
    };
    let banner = banner.replace("{help}", &"help".bold().to_string()).replace("{exit}", &"exit".bold().to_string());
    println!("{} {banner}", "Whaleshell".bold().cyan());
    let prompt = format!("{} ", "whaleshell$".bold().blue());
    let mut status = 0;
    loop {
        match editor.readline(&prompt) {
            Ok(line) => {
                status = tutor.run_line(&line);
                if let Some(code) = tutor.shell.exit_requested {
                    status = code;
                    break;
                }
            }
            // Ctrl-C drops the line being typed, as in a shell.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("whaleshell: {e}");
                status = 1;
                break;
            }
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    status
}

/// `$XDG_DATA_HOME/whaleshell/history`, or `~/.local/share/whaleshell/history`.
fn history_file() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("whaleshell/history"))
}
