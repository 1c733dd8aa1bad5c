//! `docker start [-a] [-i] CONTAINER…`: runs a created or exited container
//! again, with the same writable layer.

use whaleshell_runtime::container::monitor::Mode;
use whaleshell_runtime::container::Status;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use super::run::{follow_foreground, foreground_stdio, wait_started};
use crate::grammar::docker::StartArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &StartArgs, io: &mut Io<'_>) -> CommandResult {
    if (args.attach || args.interactive) && args.containers.len() > 1 {
        return Err(CommandError::Client("Error response from daemon: you cannot start and attach multiple containers at once".into()));
    }
    // As Docker: each failure's reason, then one line naming every container that failed.
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    for target in &args.containers {
        let container = match rt.containers.find(target) {
            Ok(c) => c,
            Err(e) => {
                errors.push(CommandError::Daemon(e));
                failed.push(target.as_str());
                continue;
            }
        };
        if container.status() == Status::Running {
            // Docker treats starting a running container as done.
            if !(args.attach || args.interactive) {
                io.out(target);
            }
            continue;
        }
        if args.attach || args.interactive {
            let interactive = args.interactive && container.config.open_stdin;
            let monitor = rt.start(&container, Mode::Foreground, foreground_stdio(io, interactive))?;
            return follow_foreground(monitor, io)
                .map(|done| done.code)
                .map_err(|(message, code)| CommandError::WithStatus { message: format!("Error response from daemon: {message}"), code });
        }
        let started = rt
            .start(&container, Mode::Detached, super::null_stdio())
            .map_err(CommandError::Daemon)
            .and_then(|m| wait_started(m).map_err(|(message, _)| CommandError::Client(format!("Error response from daemon: {message}"))));
        match started {
            Ok(_) => io.out(target),
            Err(e) => {
                errors.push(e);
                failed.push(target.as_str());
            }
        }
    }
    if failed.is_empty() {
        return Ok(0);
    }
    errors.push(CommandError::Client(format!("Error: failed to start containers: {}", failed.join(", "))));
    Err(CommandError::Several(errors))
}
