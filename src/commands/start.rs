//! `docker start [-a] [-i] CONTAINER…`: runs a created or exited container
//! again, with the same writable layer.

use whaleshell_runtime::container::monitor::Mode;
use whaleshell_runtime::container::Status;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use super::run::{follow_foreground, foreground_stdio, wait_started};
use crate::grammar::docker::StartArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &StartArgs, io: &mut Io<'_>) -> i32 {
    if (args.attach || args.interactive) && args.containers.len() > 1 {
        io.err("Error response from daemon: you cannot start and attach multiple containers at once");
        return 1;
    }
    let mut status = 0;
    for target in &args.containers {
        let container = match rt.containers.find(target) {
            Ok(c) => c,
            Err(e) => {
                io.err(daemon_error(&e));
                status = 1;
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
            return match rt.start(&container, Mode::Foreground, foreground_stdio(io, interactive)) {
                Ok(monitor) => match follow_foreground(monitor, io) {
                    Ok(done) => done.code,
                    Err((message, code)) => {
                        io.err(format!("Error response from daemon: {message}"));
                        code
                    }
                },
                Err(e) => {
                    io.err(daemon_error(&e));
                    1
                }
            };
        }
        let started = rt
            .start(&container, Mode::Detached, super::null_stdio())
            .map_err(|e| daemon_error(&e))
            .and_then(|m| wait_started(m).map(|_| ()).map_err(|(message, _)| format!("Error response from daemon: {message}")));
        match started {
            Ok(()) => io.out(target),
            Err(message) => {
                io.err(message);
                io.err(format!("Error: failed to start containers: {target}"));
                status = 1;
            }
        }
    }
    status
}
