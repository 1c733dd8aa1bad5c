//! `docker kill [-s SIGNAL] CONTAINER…`: a signal to PID 1, from the host
//! (where even a PID 1 without handlers cannot ignore SIGKILL).

use whaleshell_runtime::process::parse_signal;
use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandError, CommandResult};
use crate::grammar::docker::KillArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &KillArgs, io: &mut Io<'_>) -> CommandResult {
    let signal = parse_signal(&args.signal).ok_or_else(|| CommandError::Client(format!("invalid signal: {}", args.signal)))?;
    each_target(&args.containers, |target| {
        rt.containers.find(target).and_then(|c| rt.kill(&c, signal))?;
        io.out(target);
        Ok(())
    })
}
