//! What `docker info` and `docker version` report about this machine and
//! this state root, read from the kernel and the stores as Docker's daemon
//! reads them.

use std::path::Path;

use crate::container::{spec::INIT_HOST_PATH, Status};
use crate::error::Result;
use crate::Runtime;

/// libcontainer's version, the engine's runc.
pub const LIBCONTAINER_VERSION: &str = "0.7.0";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfo {
    pub containers: usize,
    pub running: usize,
    pub paused: usize,
    /// Created or exited.
    pub stopped: usize,
    /// Distinct images (by ID), as Docker counts them.
    pub images: usize,
    /// `extfs`, `xfs`, `btrfs` … as Docker names the root's filesystem.
    pub backing_filesystem: String,
    /// 1 on a v1 or hybrid host (Docker uses the v1 controllers there), 2 on a unified one.
    pub cgroup_version: u8,
    pub kernel_version: String,
    pub operating_system: String,
    pub os_version: String,
    pub architecture: String,
    pub cpus: usize,
    pub memory_bytes: u64,
    pub hostname: String,
    pub root_dir: String,
    /// `tini version 0.19.0` → `0.19.0`; empty when tini is not installed.
    pub init_version: String,
    /// This root's engine ID, made once, in the shape of Docker 20.10's.
    pub id: String,
}

impl SystemInfo {
    pub fn read(rt: &Runtime) -> Result<SystemInfo> {
        let containers = rt.containers.list()?;
        let count = |s: Status| containers.iter().filter(|c| c.status() == s).count();
        let mut image_ids: Vec<String> = rt.images.list()?.into_iter().map(|i| i.record.id).collect();
        image_ids.sort();
        image_ids.dedup();
        let uname = nix::sys::utsname::uname().ok();
        let field = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| uname.as_ref().map(|u| f(u).to_string_lossy().into_owned()).unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        Ok(SystemInfo {
            containers: containers.len(),
            // A restarting container counts as running, as in Docker.
            running: count(Status::Running) + count(Status::Restarting),
            paused: count(Status::Paused),
            stopped: containers.len() - count(Status::Running) - count(Status::Restarting) - count(Status::Paused),
            images: image_ids.len(),
            backing_filesystem: backing_filesystem(rt.layout.root()),
            cgroup_version: if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() { 2 } else { 1 },
            kernel_version: field(|u| u.release()),
            operating_system: os_release_value(&os_release, "PRETTY_NAME"),
            os_version: os_release_value(&os_release, "VERSION_ID"),
            architecture: field(|u| u.machine()),
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            memory_bytes: crate::container::stats::mem_total(),
            hostname: field(|u| u.nodename()),
            root_dir: rt.layout.root().display().to_string(),
            init_version: init_version(),
            id: engine_id(rt.layout.root())?,
        })
    }
}

fn os_release_value(text: &str, key: &str) -> String {
    text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(|v| v.trim_matches('"').to_owned()).unwrap_or_default()
}

/// Docker's names for the filesystems it finds under its root.
fn backing_filesystem(root: &Path) -> String {
    use nix::sys::statfs::{statfs, BTRFS_SUPER_MAGIC, EXT4_SUPER_MAGIC, TMPFS_MAGIC, XFS_SUPER_MAGIC};
    let Ok(fs) = statfs(root) else { return "unknown".into() };
    let kind = fs.filesystem_type();
    let name = if kind == EXT4_SUPER_MAGIC {
        "extfs"
    } else if kind == XFS_SUPER_MAGIC {
        "xfs"
    } else if kind == BTRFS_SUPER_MAGIC {
        "btrfs"
    } else if kind == TMPFS_MAGIC {
        "tmpfs"
    } else {
        return format!("0x{:x}", kind.0);
    };
    name.into()
}

fn init_version() -> String {
    let out = std::process::Command::new(INIT_HOST_PATH).arg("--version").output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.trim().strip_prefix("tini version ").map(|v| v.split_whitespace().next().unwrap_or("").to_owned()).unwrap_or_default()
}

/// Twelve groups of four base32 letters, kept in `ROOT/engine-id`.
fn engine_id(root: &Path) -> Result<String> {
    use rand::Rng;
    let path = root.join("engine-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        return Ok(id.trim().to_owned());
    }
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::thread_rng();
    let groups: Vec<String> = (0..12).map(|_| (0..4).map(|_| ALPHABET[rng.gen_range(0..32)] as char).collect()).collect();
    let id = groups.join(":");
    crate::fsutil::write_atomic(&path, id.as_bytes())?;
    Ok(id)
}
