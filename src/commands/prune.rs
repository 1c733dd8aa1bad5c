//! `docker container prune [-f]`: removes every stopped container, after
//! Docker's confirmation prompt.

use std::io::{BufRead, Write};

use whaleshell_runtime::fsutil::dir_size;
use whaleshell_runtime::Runtime;

use super::error::CommandResult;
use crate::grammar::docker::PruneArgs;
use crate::io::{Input, Io};
use crate::output::human_size;

pub fn containers(rt: &Runtime, args: &PruneArgs, io: &mut Io<'_>) -> CommandResult {
    if !args.force && !confirm("WARNING! This will remove all stopped containers.", io) {
        return Ok(0);
    }
    let reclaimed = remove_stopped_containers(rt, io);
    io.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    Ok(0)
}

/// Removes every container that is not running, printing Docker's
/// `Deleted Containers:` block; returns the bytes their layers held.
pub fn remove_stopped_containers(rt: &Runtime, io: &mut Io<'_>) -> u64 {
    let stopped = rt.containers.list().unwrap_or_default().into_iter().filter(|c| !c.status().is_running());
    let mut reclaimed = 0;
    let deleted: Vec<String> = stopped
        .filter_map(|c| {
            let size = dir_size(&rt.layout.container_dir(&c.id).join("upper"));
            rt.containers.remove(&c.id, false, false).ok()?;
            reclaimed += size;
            Some(c.id)
        })
        .collect();
    print_block(io, "Deleted Containers:", &deleted);
    reclaimed
}

/// Removes unused volumes (anonymous ones only, unless `all`), printing
/// `Deleted Volumes:`; returns the bytes they held.
pub fn remove_unused_volumes(rt: &Runtime, all: bool, io: &mut Io<'_>) -> u64 {
    let mut reclaimed = 0;
    let deleted: Vec<String> = rt
        .volumes
        .list()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| all || v.anonymous)
        .filter_map(|v| {
            let size = dir_size(&rt.volumes.data_dir(&v.name));
            rt.remove_volume(&v.name).ok()?;
            reclaimed += size;
            Some(v.name)
        })
        .collect();
    print_block(io, "Deleted Volumes:", &deleted);
    reclaimed
}

/// A heading, the items, and a blank line — nothing when there are none.
pub fn print_block(io: &mut Io<'_>, heading: &str, items: &[String]) {
    if !items.is_empty() {
        io.out(heading);
        items.iter().for_each(|i| io.out(i));
        io.out("");
    }
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
