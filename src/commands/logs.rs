//! `docker logs [-f] [-n N] [-t] CONTAINER`: what the container wrote, from
//! the json-file log its monitor keeps; `-f` then follows the live output.

use std::io::Write;

use whaleshell_runtime::container::attach::{read_frame, write_frame, Frame};
use whaleshell_runtime::container::session::{LogEntry, Stream};
use whaleshell_runtime::container::Status;
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
    let path = rt.layout.container_dir(&container.id).join(format!("{}-json.log", container.id));
    // Following: subscribe first, so nothing falls between the file and the live stream.
    let mut live = if args.follow && container.status() == Status::Running { rt.attach(&container).ok() } else { None };
    let mut limit = None;
    if let Some(stream) = &mut live {
        let _ = write_frame(stream, &Frame::Hello { stdin: false });
        if let Ok(Some(Frame::LogOffset(n))) = read_frame(stream) {
            limit = Some(n as usize);
        }
    }
    let bytes = std::fs::read(&path).unwrap_or_default();
    let bytes = &bytes[..limit.unwrap_or(bytes.len()).min(bytes.len())];
    let entries: Vec<LogEntry> = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).filter_map(|l| serde_json::from_slice(l).ok()).collect();
    let skip = tail.map_or(0, |n| entries.len().saturating_sub(n));
    for entry in &entries[skip..] {
        let text = if args.timestamps { format!("{} {}", entry.time, entry.log) } else { entry.log.clone() };
        let _ = match entry.stream {
            Stream::Stdout => io.stdout.write_all(text.as_bytes()),
            Stream::Stderr => io.stderr.write_all(text.as_bytes()),
        };
    }
    if let Some(mut stream) = live {
        while let Ok(Some(frame)) = read_frame(&mut stream) {
            let stamp = || if args.timestamps { format!("{} ", chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)) } else { String::new() };
            match frame {
                Frame::Stdout(b) => {
                    let _ = write!(io.stdout, "{}", stamp()).and_then(|()| io.stdout.write_all(&b)).and_then(|()| io.stdout.flush());
                }
                Frame::Stderr(b) => {
                    let _ = write!(io.stderr, "{}", stamp()).and_then(|()| io.stderr.write_all(&b));
                }
                Frame::Exit(_) => break,
                _ => {}
            }
        }
    }
    Ok(0)
}
