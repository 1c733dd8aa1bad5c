//! `docker exec [-it] [-e K=V] [-w DIR] CONTAINER COMMAND…`: a new process
//! in a running container; `exec -it ID sh` gives a real terminal, and
//! exiting it leaves the container running.

use std::io::IsTerminal;

use whaleshell_runtime::container::exec::ExecRequest;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use super::run::{follow_foreground, foreground_stdio, wait_started};
use crate::grammar::docker::ExecArgs;
use crate::io::{Input, Io};

pub fn run(rt: &Runtime, args: &ExecArgs, io: &mut Io<'_>) -> CommandResult {
    let container = rt.containers.find(&args.container)?;
    if args.interactive && args.tty && !(matches!(io.stdin, Input::Terminal) && std::io::stdin().is_terminal()) {
        return Err(CommandError::Client("the input device is not a TTY".into()));
    }
    let request =
        ExecRequest { args: args.command.clone(), env: args.env.clone(), working_dir: args.workdir.clone(), tty: args.tty, interactive: args.interactive };
    let stdio = if args.detach { super::null_stdio() } else { foreground_stdio(io, args.interactive) };
    let monitor = rt.exec(&container, &request, stdio)?;
    let result = if args.detach { wait_started(monitor).map(|_| 0) } else { follow_foreground(monitor, io).map(|done| done.code) };
    result.map_err(|(message, code)| CommandError::Exec { message, code })
}
