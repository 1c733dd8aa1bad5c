//! `docker start [-a] [-i] CONTAINER…`: runs a created or exited container
//! again, with the same writable layer.

use whaleshell_runtime::container::{StartFailure, Status};
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use super::run::streams;
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
        if container.status() == Status::Paused {
            errors.push(CommandError::Daemon(whaleshell_runtime::Error::StartPaused));
            failed.push(target.as_str());
            continue;
        }
        // Restarting is running too, as in Docker: its monitor starts it.
        if matches!(container.status(), Status::Running | Status::Restarting) {
            // Docker treats starting a running container as done.
            if !(args.attach || args.interactive) {
                io.out(target);
            }
            continue;
        }
        if args.attach || args.interactive {
            let interactive = args.interactive && container.config.open_stdin;
            return rt.run_foreground(&container, streams(io, interactive)).map(|done| done.code).map_err(|e| match e {
                StartFailure::Engine(e) => CommandError::Daemon(e),
                StartFailure::Process { message, code } | StartFailure::Refused { message, code } => {
                    CommandError::WithStatus { message: format!("Error response from daemon: {message}"), code }
                }
            });
        }
        let started = rt.start_detached(&container).map_err(|e| match e {
            StartFailure::Engine(e) => CommandError::Daemon(e),
            StartFailure::Process { message, .. } | StartFailure::Refused { message, .. } => {
                CommandError::Client(format!("Error response from daemon: {message}"))
            }
        });
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
