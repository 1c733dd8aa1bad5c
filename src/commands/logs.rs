//! `docker logs [-f] [-n N] [-t] [--since T] [--until T] CONTAINER`: what the
//! container wrote, from the json-file log its monitor keeps; `-f` then
//! follows the live output. `--since`/`--until` take what `docker events`
//! takes (RFC 3339, Unix seconds, a duration before now) and keep the lines
//! logged in between, both ends included, as Docker's json-file reader;
//! `-f --until T` stops following at the first line after T (exit 0), as
//! Docker's follower does (a container silent after T is followed on).

use std::io::Write;
use std::ops::ControlFlow;

use whaleshell_runtime::container::logs::Stream;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::LogsArgs;
use crate::io::Io;
use crate::timetypes::{nanos, timestamp};

pub fn run(rt: &Runtime, args: &LogsArgs, io: &mut Io<'_>) -> CommandResult {
    let tail = match args.tail.as_deref() {
        None | Some("all") => None,
        Some(n) => Some(n.parse::<usize>().map_err(|_| CommandError::Client(format!("invalid value for \"tail\": {n}")))?),
    };
    let now = chrono::Local::now();
    let bound = |name: &str, value: Option<&str>| -> Result<Option<i64>, CommandError> {
        let t = value.map(|v| timestamp(v, now)).transpose().map_err(|e| CommandError::Client(format!("invalid value for \"{name}\": {e}")))?;
        // 0 is no bound at all.
        Ok(t.map(|t| nanos(&t)).filter(|n| *n != 0))
    };
    let since = bound("since", args.since.as_deref())?;
    let until = bound("until", args.until.as_deref())?;
    let container = rt.containers.find(&args.container)?;
    rt.logs(&container, args.follow, tail, &mut |stream, time, bytes| {
        if since.is_some() || until.is_some() {
            let at = chrono::DateTime::parse_from_rfc3339(time).ok().and_then(|t| t.timestamp_nanos_opt()).unwrap_or(0);
            // Past --until: the end, of following too, as Docker's follower stops at such a line.
            if until.is_some_and(|u| at > u) {
                return ControlFlow::Break(());
            }
            if since.is_some_and(|s| at < s) {
                return ControlFlow::Continue(());
            }
        }
        let out: &mut dyn Write = match stream {
            Stream::Stdout => &mut *io.stdout,
            Stream::Stderr => &mut *io.stderr,
        };
        if args.timestamps {
            let _ = write!(out, "{time} ");
        }
        // Flushed at once: a learner following a log sees each line as it comes.
        let _ = out.write_all(bytes).and_then(|()| out.flush());
        ControlFlow::Continue(())
    })?;
    Ok(0)
}
