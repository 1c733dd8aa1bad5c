//! `docker kill [-s SIGNAL] CONTAINER…`: a signal to PID 1, from the host
//! (where even a PID 1 without handlers cannot ignore SIGKILL).

use whaleshell_runtime::process::parse_signal;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::KillArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &KillArgs, io: &mut Io<'_>) -> i32 {
    let Some(signal) = parse_signal(&args.signal) else {
        io.err(format!("invalid signal: {}", args.signal));
        return 1;
    };
    let mut status = 0;
    for target in &args.containers {
        match rt.containers.find(target).and_then(|c| rt.kill(&c, signal)) {
            Ok(()) => io.out(target),
            Err(e) => {
                io.err(daemon_error(&e));
                status = 1;
            }
        }
    }
    status
}
