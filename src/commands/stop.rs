//! `docker stop [-t N]` and `docker restart [-t N]`: SIGTERM, then SIGKILL
//! after the grace period (10 s by default), as Docker does.

use std::time::Duration;

use whaleshell_runtime::container::StartFailure;
use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandResult};
use crate::grammar::docker::StopArgs;
use crate::io::Io;

const DEFAULT_GRACE: u64 = 10;

pub fn run(rt: &Runtime, args: &StopArgs, io: &mut Io<'_>) -> CommandResult {
    each(rt, args, io, false)
}

pub fn restart(rt: &Runtime, args: &StopArgs, io: &mut Io<'_>) -> CommandResult {
    each(rt, args, io, true)
}

fn each(rt: &Runtime, args: &StopArgs, io: &mut Io<'_>, start_again: bool) -> CommandResult {
    each_target(&args.containers, |target| {
        let c = rt.containers.find(target)?;
        // -t, else the container's --stop-timeout (negative: wait for ever), else 10 s.
        let grace = match (args.time, c.config.security.stop_timeout) {
            (Some(t), _) => Duration::from_secs(t),
            (None, Some(t)) => Duration::from_secs(u64::try_from(t).unwrap_or(u64::from(u32::MAX))),
            (None, None) => Duration::from_secs(DEFAULT_GRACE),
        };
        rt.stop(&c, grace)?;
        if start_again {
            let c = rt.containers.get(&c.id)?;
            rt.start_detached(&c).map_err(|e| match e {
                StartFailure::Engine(e) => e,
                StartFailure::Process { message, .. } | StartFailure::Refused { message, .. } => whaleshell_runtime::Error::Monitor(message),
            })?;
        }
        io.out(target);
        Ok(())
    })
}
