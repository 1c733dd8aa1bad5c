//! `docker container prune [-f]`: removes every stopped container, after
//! Docker's confirmation prompt.

use std::io::{BufRead, Write};

use whaleshell_runtime::container::Status;
use whaleshell_runtime::image::pull::dir_size;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::PruneArgs;
use crate::io::{Input, Io};
use crate::output::human_size;

pub fn containers(rt: &Runtime, args: &PruneArgs, io: &mut Io<'_>) -> i32 {
    if !args.force && !confirm("WARNING! This will remove all stopped containers.", io) {
        return 0;
    }
    let all = match rt.containers.list() {
        Ok(c) => c,
        Err(e) => {
            io.err(daemon_error(&e));
            return 1;
        }
    };
    let mut deleted = Vec::new();
    let mut reclaimed = 0;
    for c in all.into_iter().filter(|c| c.status() != Status::Running) {
        let size = dir_size(&rt.layout.container_dir(&c.id).join("upper"));
        if rt.containers.remove(&c.id, false, false).is_ok() {
            deleted.push(c.id);
            reclaimed += size;
        }
    }
    if !deleted.is_empty() {
        io.out("Deleted Containers:");
        for id in &deleted {
            io.out(id);
        }
        io.out("");
    }
    io.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    0
}

/// Docker's `[y/N]` question; the answer comes from the command's stdin.
pub fn confirm(warning: &str, io: &mut Io<'_>) -> bool {
    let _ = write!(io.stdout, "{warning}\nAre you sure you want to continue? [y/N] ");
    let _ = io.stdout.flush();
    let answer = match std::mem::replace(&mut io.stdin, Input::Terminal) {
        Input::Bytes(bytes) => String::from_utf8_lossy(&bytes).lines().next().unwrap_or("").to_owned(),
        Input::Terminal => {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            line
        }
    };
    matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
}
