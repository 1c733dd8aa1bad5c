//! Whaleshell: a shell that teaches Docker by running your commands on real
//! containers. `whaleshell` opens the REPL; `whaleshell -c LINE` runs one
//! line; lines on a non-terminal stdin run in order.

mod commands;
mod grammar;
mod io;
mod output;
mod repl;
mod shell;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use clap::Parser;
use whaleshell_runtime::layout::DEFAULT_ROOT;
use whaleshell_runtime::Runtime;

use crate::shell::Shell;

#[derive(Parser)]
#[command(name = "whaleshell", version, about = "Learn Docker by running real containers")]
struct Cli {
    /// Run one line and exit with its status
    #[arg(short = 'c', value_name = "LINE")]
    command: Option<String>,
    /// Keep all state (images, containers) under DIR
    #[arg(long, env = "WHALESHELL_ROOT", default_value = DEFAULT_ROOT, value_name = "DIR")]
    root: PathBuf,
}

fn main() {
    // A container's monitor (and an exec helper) is this same binary,
    // re-executed: hand over before anything else.
    if let Some(code) = whaleshell_runtime::container::monitor::main_if_helper() {
        std::process::exit(code);
    }
    let cli = Cli::parse();
    if !nix::unistd::geteuid().is_root() {
        eprintln!("whaleshell: real containers need root (namespaces, cgroups, overlayfs): run it with sudo");
        std::process::exit(1);
    }
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || !std::io::stdout().is_terminal() {
        colored::control::set_override(false);
    }
    let runtime = match Runtime::open(&cli.root) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("whaleshell: cannot use state root {}: {e}", cli.root.display());
            std::process::exit(1);
        }
    };
    let mut shell = Shell::new(runtime);
    let status = if let Some(line) = cli.command {
        shell.run_line(&line)
    } else if std::io::stdin().is_terminal() {
        repl::run(shell)
    } else {
        run_lines(&mut shell)
    };
    std::process::exit(status);
}

/// Lines from a pipe or file, in order; the status is the last line's.
/// A line ending in a backslash continues on the next.
fn run_lines(shell: &mut Shell) -> i32 {
    let mut status = 0;
    let mut pending = String::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        pending.push_str(&line);
        if line.ends_with('\\') {
            pending.push('\n');
            continue;
        }
        status = shell.run_line(&std::mem::take(&mut pending));
        if let Some(code) = shell.exit_requested {
            return code;
        }
    }
    status
}
