//! `docker top CONTAINER`: the container's processes as the host sees them —
//! PID 1 inside is an ordinary process with another PID outside.

use std::process::Command;

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::TopArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &TopArgs, io: &mut Io<'_>) -> CommandResult {
    let container = rt.containers.find(&args.container)?;
    let (true, Some(pid1)) = (container.status().is_running(), container.state.pid) else {
        return Err(CommandError::Daemon(whaleshell_runtime::Error::NotRunning(container.id)));
    };
    let pids = processes_in_pid_namespace_of(pid1);
    let list = pids.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
    let out = Command::new("ps").args(["-f", "-p", &list]).output().map_err(|e| CommandError::Client(format!("Error response from daemon: ps: {e}")))?;
    let _ = std::io::Write::write_all(io.stdout, &out.stdout);
    Ok(0)
}

/// Host PIDs of every process sharing `pid`'s PID namespace.
fn processes_in_pid_namespace_of(pid: i32) -> Vec<i32> {
    let Ok(ns) = std::fs::read_link(format!("/proc/{pid}/ns/pid")) else { return vec![pid] };
    let mut pids: Vec<i32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
                .filter(|p| std::fs::read_link(format!("/proc/{p}/ns/pid")).is_ok_and(|l| l == ns))
                .collect()
        })
        .unwrap_or_default();
    pids.sort();
    pids
}
