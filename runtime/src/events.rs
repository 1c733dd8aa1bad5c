//! The engine's event log, as Docker's daemon keeps one for `docker events`:
//! `ROOT/events.jsonl`, one JSON object per line, only ever appended. Each
//! line is written with one `write` on an `O_APPEND` file, so lines from
//! several processes never interleave.
//!
//! Logged today: a container's `create` and `destroy`.

use std::collections::BTreeMap;
use std::io::Write;
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
    /// The object's ID (a container's full ID).
    pub id: String,
    /// Docker's `Actor.Attributes` (`name`, `image` …).
    pub attributes: BTreeMap<String, String>,
}

impl Event {
    pub fn container(action: &str, id: &str, name: &str, image: &str) -> Event {
        let attributes = BTreeMap::from([("name".to_owned(), name.to_owned()), ("image".to_owned(), image.to_owned())]);
        Event { time: Utc::now(), kind: "container".into(), action: action.into(), id: id.into(), attributes }
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

/// Every event so far, oldest first; a line that does not parse (a write cut
/// short by a full disk) is skipped.
pub fn read(layout: &Layout) -> Result<Vec<Event>> {
    let path = path(layout);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("reading", path)(e)),
    }
}
