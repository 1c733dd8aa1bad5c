//! `docker stop [-t N]` and `docker restart [-t N]`: SIGTERM, then SIGKILL
//! after the grace period (10 s by default), as Docker does.

use std::time::Duration;

use whaleshell_runtime::container::monitor::Mode;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use super::run::wait_started;
use crate::grammar::docker::StopArgs;
use crate::io::Io;

const DEFAULT_GRACE: u64 = 10;

pub fn run(rt: &Runtime, args: &StopArgs, io: &mut Io<'_>) -> i32 {
    each(rt, args, io, false)
}

pub fn restart(rt: &Runtime, args: &StopArgs, io: &mut Io<'_>) -> i32 {
    each(rt, args, io, true)
}

fn each(rt: &Runtime, args: &StopArgs, io: &mut Io<'_>, start_again: bool) -> i32 {
    let grace = Duration::from_secs(args.time.unwrap_or(DEFAULT_GRACE));
    let mut status = 0;
    for target in &args.containers {
        let result = rt.containers.find(target).and_then(|c| {
            rt.stop(&c, grace)?;
            if start_again {
                let c = rt.containers.get(&c.id)?;
                let monitor = rt.start(&c, Mode::Detached, super::null_stdio())?;
                wait_started(monitor).map_err(|(message, _)| whaleshell_runtime::Error::Monitor(message))?;
            }
            Ok(())
        });
        match result {
            Ok(()) => io.out(target),
            Err(e) => {
                io.err(daemon_error(&e));
                status = 1;
            }
        }
    }
    status
}
