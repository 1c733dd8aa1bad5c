//! `docker exec [-it] [-e K=V] [-w DIR] CONTAINER COMMAND…`: a new process
//! in a running container; `exec -it ID sh` gives a real terminal, and
//! exiting it leaves the container running.

use std::io::IsTerminal;

use whaleshell_runtime::container::exec::ExecRequest;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use super::run::{follow_foreground, foreground_stdio, wait_started};
use crate::grammar::docker::ExecArgs;
use crate::io::{Input, Io};

pub fn run(rt: &Runtime, args: &ExecArgs, io: &mut Io<'_>) -> i32 {
    let container = match rt.containers.find(&args.container) {
        Ok(c) => c,
        Err(e) => {
            io.err(daemon_error(&e));
            return 1;
        }
    };
    if args.interactive && args.tty && !(matches!(io.stdin, Input::Terminal) && std::io::stdin().is_terminal()) {
        io.err("the input device is not a TTY");
        return 1;
    }
    let request =
        ExecRequest { args: args.command.clone(), env: args.env.clone(), working_dir: args.workdir.clone(), tty: args.tty, interactive: args.interactive };
    let stdio = if args.detach { super::null_stdio() } else { foreground_stdio(io, args.interactive) };
    let monitor = match rt.exec(&container, &request, stdio) {
        Ok(m) => m,
        Err(whaleshell_runtime::Error::NotRunning(id)) => {
            io.err(format!("Error response from daemon: container {id} is not running"));
            return 1;
        }
        Err(e) => {
            io.err(daemon_error(&e));
            return 1;
        }
    };
    let result = if args.detach { wait_started(monitor).map(|_| 0) } else { follow_foreground(monitor, io).map(|done| done.code) };
    match result {
        Ok(code) => code,
        Err((message, code)) => {
            io.err(format!("OCI runtime exec failed: exec failed: unable to start container process: {message}: unknown"));
            code
        }
    }
}
