//! The hub's Debian layer: a root made by `debootstrap` from the mirror the
//! machine's apt already uses, as one gzipped tar. It takes ~20 s and ~200 MB,
//! so it is made once per machine and kept in a content-addressed cache
//! (`WHALESHELL_HUB_CACHE`, else `/var/cache/whaleshell/hub`) that every
//! state root's hub links from.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::digest::sha256;
use crate::error::{Error, Result};
use crate::fsutil::{read_json, remove_tree, write_json_atomic, StateLock};
use crate::image::commit::{append_diff, Clock};
use crate::image::pull::PullEvent;

/// Bump when what is done to the root changes, so old cache entries are not reused.
const RECIPE_VERSION: &str = "1";
const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";

#[derive(Debug, Deserialize)]
pub struct Debootstrap {
    pub suite: String,
    pub variant: String,
}

/// A cached layer: (digest, diffID, size) of `blobs/sha256/<digest>`.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    digest: String,
    diff_id: String,
    size: u64,
}

pub fn cache_dir() -> PathBuf {
    std::env::var_os("WHALESHELL_HUB_CACHE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/var/cache/whaleshell/hub"))
}

impl Debootstrap {
    /// The layer, from the machine's cache or made now, linked into
    /// `blobs_dir`. Returns (digest, diffID, size).
    pub fn layer(&self, blobs_dir: &Path, on_event: &mut dyn FnMut(PullEvent)) -> Result<(String, String, u64)> {
        let cache = cache_dir();
        let mirror = apt_mirror(&self.suite);
        let key = sha256(format!("debootstrap\0{RECIPE_VERSION}\0{}\0{}\0{mirror}", self.variant, self.suite).as_bytes());
        let entry_path = cache.join(format!("{}.json", key.trim_start_matches("sha256:")));
        let cache_blobs = cache.join("blobs/sha256");
        fs::create_dir_all(&cache_blobs).map_err(Error::io("creating", &cache_blobs))?;
        // One builder per machine; the others wait for its result.
        let _lock = StateLock::acquire(&cache.join("lock"))?;
        let entry = match read_json::<Entry>(&entry_path, "hub cache entry")? {
            Some(e) if cache_blobs.join(e.digest.trim_start_matches("sha256:")).exists() => e,
            _ => {
                let e = self.make(&cache, &cache_blobs, &mirror, on_event)?;
                write_json_atomic(&entry_path, &e)?;
                e
            }
        };
        let hex = entry.digest.trim_start_matches("sha256:");
        fs::create_dir_all(blobs_dir).map_err(Error::io("creating", blobs_dir))?;
        let target = blobs_dir.join(hex);
        if !target.exists() && fs::hard_link(cache_blobs.join(hex), &target).is_err() {
            let tmp = blobs_dir.join(format!(".{hex}.{}", std::process::id()));
            fs::copy(cache_blobs.join(hex), &tmp).map_err(Error::io("copying layer", &tmp))?;
            fs::rename(&tmp, &target).map_err(Error::io("storing layer", &target))?;
        }
        Ok((entry.digest, entry.diff_id, entry.size))
    }

    /// Runs debootstrap into a temporary directory of the cache and writes
    /// the root as one layer blob; the directory goes in any case.
    fn make(&self, cache: &Path, blobs: &Path, mirror: &str, on_event: &mut dyn FnMut(PullEvent)) -> Result<Entry> {
        // Under the lock no one else builds: work directories here are a
        // crashed builder's, and go.
        for old in fs::read_dir(cache).map_err(Error::io("reading", cache))?.flatten() {
            if old.file_name().to_string_lossy().starts_with(".debootstrap-") {
                release_mounts(&old.path());
                remove_tree(&old.path())?;
            }
        }
        let work = cache.join(format!(".debootstrap-{}", std::process::id()));
        let root = work.join("root");
        fs::create_dir_all(&work).map_err(Error::io("creating", &work))?;
        on_event(PullEvent::Building(format!("debootstrap --variant={} {} from {mirror} (once per machine)", self.variant, self.suite)));
        let result = self.run(&root, mirror, on_event).and_then(|()| {
            on_event(PullEvent::Building("Writing the layer".into()));
            tidy(&root)?;
            let (digest, diff_id, size) =
                crate::image::layer::write_blob(blobs, |tar| append_diff(tar, &root, Path::new(""), Clock::Now).map_err(Error::io("reading", &root)))?;
            Ok(Entry { digest, diff_id, size })
        });
        release_mounts(&work);
        let _ = remove_tree(&work);
        result
    }

    fn run(&self, root: &Path, mirror: &str, on_event: &mut dyn FnMut(PullEvent)) -> Result<()> {
        let failed = |detail: String| Error::HubBuild { image: format!("debian:{}", self.suite), detail };
        // stdout carries debootstrap's I:/W:/E: lines; stderr joins it for early errors.
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(Error::sys("pipe2"))?;
        let write2 = write.try_clone().map_err(Error::io("duplicating", "pipe"))?;
        let mut child = Command::new("debootstrap")
            .arg(format!("--variant={}", self.variant))
            .arg(&self.suite)
            .arg(root)
            .arg(mirror)
            .stdin(Stdio::null())
            .stdout(Stdio::from(write))
            .stderr(Stdio::from(write2))
            .spawn()
            .map_err(|e| failed(format!("cannot run debootstrap ({e}): install it with apt-get install debootstrap")))?;
        let mut shown = std::collections::HashSet::new();
        let mut tail: Vec<String> = Vec::new();
        for line in BufReader::new(fs::File::from(read)).lines().map_while(std::result::Result::ok) {
            // Retrieving and Validating alternate per package: each phase once.
            if let Some(phase) = phase(&line).filter(|p| shown.insert(p.clone())) {
                on_event(PullEvent::Building(phase));
            }
            tail.push(line);
            if tail.len() > 8 {
                tail.remove(0);
            }
        }
        let status = child.wait().map_err(Error::io("waiting for", "debootstrap"))?;
        if !status.success() {
            return Err(failed(format!("debootstrap exited with {status}:\n{}", tail.join("\n"))));
        }
        Ok(())
    }
}

/// What a debootstrap line says is going on: per-package lines become one
/// phase ("Retrieving packages"), so the progress stays a few lines long.
fn phase(line: &str) -> Option<String> {
    let text = line.strip_prefix("I: ")?.trim();
    let (verb, rest) = text.split_once(' ').unwrap_or((text, ""));
    let words: Vec<&str> = rest.split_whitespace().collect();
    let per_package = matches!(verb, "Retrieving" | "Validating" | "Extracting" | "Unpacking" | "Configuring")
        && words.first().is_some_and(|w| w.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && (words.len() == 2 || (words.len() == 1 && words[0].ends_with("...")));
    Some(if per_package { format!("{verb} packages") } else { text.to_owned() })
}

/// What the official image leaves out: device nodes (the runtime gives its
/// own /dev), downloaded packages and package lists.
fn tidy(root: &Path) -> Result<()> {
    for dir in ["dev", "var/cache/apt/archives", "var/lib/apt/lists"] {
        let dir = root.join(dir);
        for entry in fs::read_dir(&dir).map_err(Error::io("reading", &dir))?.flatten() {
            let path = entry.path();
            if entry.file_name() == "partial" || entry.file_name() == "lock" {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_tree(&path)?;
            } else {
                fs::remove_file(&path).map_err(Error::io("removing", &path))?;
            }
        }
    }
    Ok(())
}

/// Unmounts what a failed debootstrap left mounted under `dir` (/proc, /sys).
fn release_mounts(dir: &Path) {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut inside: Vec<&str> = mounts.lines().filter_map(|l| l.split_whitespace().nth(1)).filter(|m| Path::new(m).starts_with(dir)).collect();
    inside.sort_by_key(|m| std::cmp::Reverse(m.len()));
    for m in inside {
        let _ = nix::mount::umount2(m, nix::mount::MntFlags::MNT_DETACH);
    }
}

/// The Debian mirror the machine's apt uses for `suite` (deb822 `.sources`
/// files or the one-line `sources.list`), else deb.debian.org.
fn apt_mirror(suite: &str) -> String {
    let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir("/etc/apt/sources.list.d")
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sources")).collect())
        .unwrap_or_default();
    files.sort();
    for file in files {
        for stanza in fs::read_to_string(&file).unwrap_or_default().split("\n\n") {
            let field = |name: &str| {
                stanza
                    .lines()
                    .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(':')))
                    .map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            };
            if field("Types").is_some_and(|t| t.iter().any(|t| t == "deb")) && field("Enabled").is_none_or(|e| e != ["no"]) {
                for uri in field("URIs").unwrap_or_default() {
                    candidates.push((uri, field("Suites").unwrap_or_default()));
                }
            }
        }
    }
    for line in fs::read_to_string("/etc/apt/sources.list").unwrap_or_default().lines() {
        let mut words = line.split_whitespace().filter(|w| !w.starts_with('[') && !w.ends_with(']'));
        if words.next() == Some("deb") {
            if let (Some(uri), Some(s)) = (words.next(), words.next()) {
                candidates.push((uri.to_owned(), vec![s.to_owned()]));
            }
        }
    }
    let main = |uri: &str| !uri.contains("security");
    candidates
        .iter()
        .find(|(uri, suites)| main(uri) && suites.iter().any(|s| s == suite))
        .or_else(|| candidates.iter().find(|(uri, _)| main(uri)))
        .map(|(uri, _)| uri.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| DEFAULT_MIRROR.to_owned())
}

#[cfg(test)]
mod tests {
    use super::phase;

    #[test]
    fn per_package_lines_make_one_phase() {
        assert_eq!(phase("I: Retrieving InRelease ").as_deref(), Some("Retrieving InRelease"));
        assert_eq!(phase("I: Retrieving bash 5.2.15-2+b13").as_deref(), Some("Retrieving packages"));
        assert_eq!(phase("I: Extracting apt...").as_deref(), Some("Extracting packages"));
        assert_eq!(phase("I: Configuring the base system...").as_deref(), Some("Configuring the base system..."));
        assert_eq!(phase("W: something"), None);
    }
}
