//! `docker logs [-f] [-n N] [-t] CONTAINER`: what the container wrote, from
//! the json-file log its monitor keeps; `-f` then follows the live output.

use std::io::Write;

use whaleshell_runtime::container::logs::Stream;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::LogsArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &LogsArgs, io: &mut Io<'_>) -> CommandResult {
    let tail = match args.tail.as_deref() {
        None | Some("all") => None,
        Some(n) => Some(n.parse::<usize>().map_err(|_| CommandError::Client(format!("invalid value for \"tail\": {n}")))?),
    };
    let container = rt.containers.find(&args.container)?;
    rt.logs(&container, args.follow, tail, &mut |stream, time, bytes| {
        let out: &mut dyn Write = match stream {
            Stream::Stdout => &mut *io.stdout,
            Stream::Stderr => &mut *io.stderr,
        };
        if args.timestamps {
            let _ = write!(out, "{time} ");
        }
        // Flushed at once: a learner following a log sees each line as it comes.
        let _ = out.write_all(bytes).and_then(|()| out.flush());
    })?;
    Ok(0)
}
