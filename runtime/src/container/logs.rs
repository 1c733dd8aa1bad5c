//! `docker logs`: what a container wrote, from the json-file log its
//! monitor keeps, then (following) its live output from the monitor.

use std::ops::ControlFlow;
use std::os::unix::net::UnixStream;

use chrono::{SecondsFormat, Utc};

use crate::container::attach::{read_frame, write_frame, Frame};
use crate::container::session::LogEntry;
pub use crate::container::session::Stream;
use crate::container::{ContainerRecord, LogDriver};
use crate::error::Result;
use crate::layout::Layout;

/// What `read` hands each piece of a log to: its stream, its time and
/// bytes; `Break` to stop.
pub type OnLine<'a> = dyn FnMut(Stream, &str, &[u8]) -> ControlFlow<()> + 'a;

/// Reads a container's log: the last `tail` entries (all when None), then,
/// with `follow` and while it runs, its output as it comes until it exits.
/// `on_line` gets each piece with its stream and time (RFC 3339, as logged);
/// its `Break` ends the logged part, and ends following (`--until` passed:
/// Docker's json-file follower stops at the first line after it).
pub fn read(layout: &Layout, container: &ContainerRecord, follow: bool, tail: Option<usize>, on_line: &mut OnLine<'_>) -> Result<()> {
    if container.config.log_driver == LogDriver::None {
        return Err(crate::Error::LogsNotReadable);
    }
    // Following: subscribe first, so nothing falls between the file and the live stream.
    let mut live = if follow && container.status().is_running() { attach(layout, container).ok() } else { None };
    let mut logged_up_to = None;
    if let Some(stream) = &mut live {
        let _ = write_frame(stream, &Frame::Hello { stdin: false });
        if let Ok(Some(Frame::LogOffset(n))) = read_frame(stream) {
            logged_up_to = Some(n as usize);
        }
    }
    let bytes = std::fs::read(layout.container_log(&container.id)).unwrap_or_default();
    let bytes = &bytes[..logged_up_to.unwrap_or(bytes.len()).min(bytes.len())];
    let entries: Vec<LogEntry> = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).filter_map(|l| serde_json::from_slice(l).ok()).collect();
    let skip = tail.map_or(0, |n| entries.len().saturating_sub(n));
    for entry in &entries[skip..] {
        if on_line(entry.stream, &entry.time, entry.log.as_bytes()).is_break() {
            break;
        }
    }
    if let Some(mut stream) = live {
        while let Ok(Some(frame)) = read_frame(&mut stream) {
            let now = || Utc::now().to_rfc3339_opts(SecondsFormat::Nanos, true);
            let flow = match frame {
                Frame::Stdout(b) => on_line(Stream::Stdout, &now(), &b),
                Frame::Stderr(b) => on_line(Stream::Stderr, &now(), &b),
                Frame::Exit(_) => break,
                _ => ControlFlow::Continue(()),
            };
            if flow.is_break() {
                break;
            }
        }
    }
    Ok(())
}

/// Connects to a running container's monitor (attach, logs -f).
pub fn attach(layout: &Layout, container: &ContainerRecord) -> Result<UnixStream> {
    if !container.status().is_running() {
        return Err(crate::Error::NotRunning(container.id.clone()));
    }
    let dir = layout.container_dir(&container.id);
    // Socket paths must fit in 108 bytes: go through an fd of the directory.
    let dir_fd = std::fs::File::open(&dir).map_err(crate::Error::io("opening", &dir))?;
    let short = format!("/proc/self/fd/{}/attach.sock", std::os::fd::AsRawFd::as_raw_fd(&dir_fd));
    UnixStream::connect(&short).map_err(crate::Error::io("attaching to", dir.join("attach.sock")))
}
