//! The engine's event log, as Docker's daemon keeps one for `docker events`:
//! `ROOT/events.jsonl`, one JSON object per line, only ever appended. Each
//! line is written with one `write` on an `O_APPEND` file, so lines from
//! several processes never interleave.
//!
//! Logged, with Docker's actions and attributes: a container's `create`,
//! `attach`, `start`, `exec_create: CMD`, `exec_start: CMD`, `exec_die`
//! (`execID`, `exitCode`; for `exec -d` too), `kill` (`signal`), `die`
//! (`exitCode`), `stop`, `pause`, `unpause`, `rename` (`oldName`), `commit`
//! (`comment`, `imageID`, `imageRef`), `export` and `destroy`, each with the
//! container's labels, `image` and `name`; an image's `pull`, `push`, `tag`
//! (`docker tag`, `build -t`, `commit`, `import`), `untag`, `delete`,
//! `save`, `load` and `import`; a volume's `create`, `mount` (`container`,
//! `destination`, `read/write`), `unmount` and `destroy`.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::layout::Layout;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Event {
    pub time: DateTime<Utc>,
    /// Docker's `Type`: `container`, `image`, `volume` …
    #[serde(rename = "type")]
    pub kind: String,
    pub action: String,
    /// Docker's `Actor.ID`: a container's full ID, an image's `sha256:…` ID
    /// (a pulled reference for `pull`), a volume's name.
    pub id: String,
    /// Docker's `Actor.Attributes` (`name`, `image`, labels …).
    pub attributes: BTreeMap<String, String>,
}

impl Event {
    pub fn new(kind: &str, action: &str, id: &str) -> Event {
        Event { time: Utc::now(), kind: kind.into(), action: action.into(), id: id.into(), attributes: BTreeMap::new() }
    }

    pub fn container(action: &str, id: &str, name: &str, image: &str) -> Event {
        Event::new("container", action, id).with("name", name).with("image", image)
    }

    /// An image event; Docker names the image in `name`.
    pub fn image(action: &str, id: &str, name: &str) -> Event {
        Event::new("image", action, id).with("name", name)
    }

    /// A volume event; every volume here has Docker's `local` driver.
    pub fn volume(action: &str, name: &str) -> Event {
        Event::new("volume", action, name).with("driver", "local")
    }

    /// Docker's network events: `name` and `type` (the driver).
    pub fn network(action: &str, id: &str, name: &str, driver: &str) -> Event {
        Event::new("network", action, id).with("name", name).with("type", driver)
    }

    /// One more attribute.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Event {
        self.attributes.insert(key.to_owned(), value.into());
        self
    }

    /// Nanoseconds since the epoch (Docker's `timeNano`).
    pub fn time_nano(&self) -> i64 {
        self.time.timestamp_nanos_opt().unwrap_or(i64::MAX)
    }
}

fn path(layout: &Layout) -> PathBuf {
    layout.root().join("events.jsonl")
}

pub fn append(layout: &Layout, event: &Event) -> Result<()> {
    let path = path(layout);
    let mut line = serde_json::to_vec(event).map_err(|e| Error::Io { context: "encoding an event", path: path.clone(), source: e.into() })?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(Error::io("opening", &path))?;
    file.write_all(&line).map_err(Error::io("writing", &path))
}

/// Logs an event where the action it tells of has happened already and
/// must not fail for want of a log line (a full disk, say).
pub fn log(layout: &Layout, event: Event) {
    let _ = append(layout, &event);
}

/// Every event so far, oldest first; a line that does not parse (a write cut
/// short by a full disk) is skipped.
pub fn read(layout: &Layout) -> Result<Vec<Event>> {
    Ok(read_from(layout, 0)?.0)
}

/// The events written from byte `offset` of the log on (0: all of them),
/// and the offset after the last whole line, to read on from. A line still
/// being written is left for the next read.
pub fn read_from(layout: &Layout, offset: u64) -> Result<(Vec<Event>, u64)> {
    let path = path(layout);
    let mut file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(Error::io("reading", path)(e)),
    };
    file.seek(std::io::SeekFrom::Start(offset)).map_err(Error::io("reading", &path))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Error::io("reading", &path))?;
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..whole]);
    let events = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    Ok((events, offset + whole as u64))
}

/// The log's path, for a follower to watch.
pub fn log_path(layout: &Layout) -> PathBuf {
    path(layout)
}
