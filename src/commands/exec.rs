//! `docker exec [-it] [-e K=V] [-w DIR] CONTAINER COMMAND…`: a new process
//! in a running container; `exec -it ID sh` gives a real terminal, and
//! exiting it leaves the container running.

use std::io::IsTerminal;

use whaleshell_runtime::container::exec::ExecRequest;
use whaleshell_runtime::container::StartFailure;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use super::run::streams;
use crate::grammar::docker::ExecArgs;
use crate::io::{Input, Io};

pub fn run(rt: &Runtime, args: &ExecArgs, io: &mut Io<'_>) -> CommandResult {
    let container = rt.containers.find(&args.container)?;
    if args.interactive && args.tty && !(matches!(io.stdin, Input::Terminal) && std::io::stdin().is_terminal()) {
        return Err(CommandError::Client("the input device is not a TTY".into()));
    }
    // Docker names the container as it was typed here.
    if container.status() == whaleshell_runtime::container::Status::Paused {
        return Err(CommandError::Daemon(whaleshell_runtime::Error::ExecPaused(args.container.clone())));
    }
    let request = ExecRequest {
        args: args.command.clone(),
        env: args.env.clone(),
        working_dir: args.workdir.clone(),
        user: args.user.clone(),
        tty: args.tty,
        interactive: args.interactive,
        exec_id: None,
    };
    let result = if args.detach {
        rt.exec_detached(&container, &request).map(|_| 0)
    } else {
        rt.exec_foreground(&container, &request, streams(io, args.interactive)).map(|done| done.code)
    };
    result.map_err(|e| match e {
        StartFailure::Engine(e) => CommandError::Daemon(e),
        StartFailure::Process { message, code } => CommandError::Exec { message, code },
        StartFailure::Refused { message, code } => CommandError::WithStatus { message, code },
    })
}
