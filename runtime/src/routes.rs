//! Registry hosts served by a local program while it runs: the ECR lab, for
//! one, routes `<account>.dkr.ecr.<region>.amazonaws.com` to its own front on
//! 127.0.0.1. The engine knows nothing of who routes what: a route is a host
//! pattern, an address, and the process that serves it; a route whose
//! process has gone is no route.
//!
//! ```
//! # use whaleshell_runtime::routes::host_matches;
//! assert!(host_matches("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com"));
//! assert!(!host_matches("*.dkr.ecr.*.amazonaws.com", "a.b.dkr.ecr.us-east-1.amazonaws.com"));
//! ```

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{read_json, write_json_atomic};
use crate::layout::Layout;
use crate::process::start_time;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Route {
    /// A host name where each `*` stands for one label (no dots).
    pub pattern: String,
    /// `host:port` that serves it.
    pub address: String,
    /// The serving process, as pid and start time (a reused pid is not it).
    pub pid: i32,
    pub start_time: u64,
}

fn dir(layout: &Layout) -> PathBuf {
    layout.root().join("routes")
}

/// Sets `owner`'s routes (replacing those it set before).
pub fn set(layout: &Layout, owner: &str, routes: &[Route]) -> Result<()> {
    let dir = dir(layout);
    std::fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
    write_json_atomic(&dir.join(format!("{owner}.json")), &routes)
}

/// Removes `owner`'s routes; nothing to remove is not an error.
pub fn remove(layout: &Layout, owner: &str) -> Result<()> {
    let path = dir(layout).join(format!("{owner}.json"));
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io { context: "removing", path, source: e }),
        _ => Ok(()),
    }
}

/// The address serving `host`, if a live route matches it.
pub fn address_for(layout: &Layout, host: &str) -> Option<String> {
    let entries = std::fs::read_dir(dir(layout)).ok()?;
    entries
        .flatten()
        .filter_map(|e| read_json::<Vec<Route>>(&e.path(), "registry routes").ok().flatten())
        .flatten()
        .find(|r| host_matches(&r.pattern, host) && start_time(r.pid) == Some(r.start_time))
        .map(|r| r.address)
}

/// Whether `host` fits `pattern`, label by label; `*` is any one non-empty label.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let (want, have): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), host.split('.').collect());
    want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| (*w == "*" && !h.is_empty()) || w.eq_ignore_ascii_case(h))
}
