//! `docker run`'s security flags, as the container record keeps them:
//! `--read-only`, `--cap-add/--cap-drop`, `--security-opt
//! no-new-privileges|seccomp=`, `--privileged`, `--tmpfs`, `--sysctl`,
//! `--add-host`, `--group-add`, `--stop-signal`, `--stop-timeout`.
//! Parsed and checked here the way Docker does; turned into the OCI spec by
//! `spec::build`.

use std::collections::{BTreeMap, HashSet};

use libcontainer::oci_spec::runtime::Capability;
use serde::{Deserialize, Serialize};

use crate::container::seccomp::Seccomp;
use crate::error::{Error, Result};

/// What the flags asked for. Every field has a default, so a record from
/// before these flags reads as a container that used none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    /// `--read-only`: the root filesystem is mounted read-only.
    pub read_only: bool,
    /// `--cap-add`, normalised to Docker's `CAP_X` spelling (or `ALL`).
    pub cap_add: Vec<String>,
    /// `--cap-drop`, normalised the same way.
    pub cap_drop: Vec<String>,
    /// `--security-opt` values as given (HostConfig.SecurityOpt).
    pub security_opt: Vec<String>,
    /// `--security-opt no-new-privileges[:true]`.
    pub no_new_privileges: bool,
    /// `--security-opt seccomp=`: Docker's default profile unless it said.
    pub seccomp: Seccomp,
    /// `--privileged`: every capability, no masked or read-only paths.
    pub privileged: bool,
    /// `--tmpfs PATH[:OPTIONS]`: path to its mount options.
    pub tmpfs: BTreeMap<String, String>,
    /// `--sysctl KEY=VALUE`, namespaced ones only.
    pub sysctls: BTreeMap<String, String>,
    /// `--add-host NAME:IP`, as given.
    pub extra_hosts: Vec<String>,
    /// `--group-add GROUP`: names or gids, resolved in the image's /etc/group.
    pub group_add: Vec<String>,
    /// `--stop-signal`: over the image's STOPSIGNAL.
    pub stop_signal: Option<String>,
    /// `--stop-timeout` in seconds: `docker stop`'s default wait.
    pub stop_timeout: Option<i64>,
}

/// Every capability by its name, in the order of linux/capability.h.
const ALL_CAPABILITIES: &[(&str, Capability)] = &[
    ("CAP_CHOWN", Capability::Chown),
    ("CAP_DAC_OVERRIDE", Capability::DacOverride),
    ("CAP_DAC_READ_SEARCH", Capability::DacReadSearch),
    ("CAP_FOWNER", Capability::Fowner),
    ("CAP_FSETID", Capability::Fsetid),
    ("CAP_KILL", Capability::Kill),
    ("CAP_SETGID", Capability::Setgid),
    ("CAP_SETUID", Capability::Setuid),
    ("CAP_SETPCAP", Capability::Setpcap),
    ("CAP_LINUX_IMMUTABLE", Capability::LinuxImmutable),
    ("CAP_NET_BIND_SERVICE", Capability::NetBindService),
    ("CAP_NET_BROADCAST", Capability::NetBroadcast),
    ("CAP_NET_ADMIN", Capability::NetAdmin),
    ("CAP_NET_RAW", Capability::NetRaw),
    ("CAP_IPC_LOCK", Capability::IpcLock),
    ("CAP_IPC_OWNER", Capability::IpcOwner),
    ("CAP_SYS_MODULE", Capability::SysModule),
    ("CAP_SYS_RAWIO", Capability::SysRawio),
    ("CAP_SYS_CHROOT", Capability::SysChroot),
    ("CAP_SYS_PTRACE", Capability::SysPtrace),
    ("CAP_SYS_PACCT", Capability::SysPacct),
    ("CAP_SYS_ADMIN", Capability::SysAdmin),
    ("CAP_SYS_BOOT", Capability::SysBoot),
    ("CAP_SYS_NICE", Capability::SysNice),
    ("CAP_SYS_RESOURCE", Capability::SysResource),
    ("CAP_SYS_TIME", Capability::SysTime),
    ("CAP_SYS_TTY_CONFIG", Capability::SysTtyConfig),
    ("CAP_MKNOD", Capability::Mknod),
    ("CAP_LEASE", Capability::Lease),
    ("CAP_AUDIT_WRITE", Capability::AuditWrite),
    ("CAP_AUDIT_CONTROL", Capability::AuditControl),
    ("CAP_SETFCAP", Capability::Setfcap),
    ("CAP_MAC_OVERRIDE", Capability::MacOverride),
    ("CAP_MAC_ADMIN", Capability::MacAdmin),
    ("CAP_SYSLOG", Capability::Syslog),
    ("CAP_WAKE_ALARM", Capability::WakeAlarm),
    ("CAP_BLOCK_SUSPEND", Capability::BlockSuspend),
    ("CAP_AUDIT_READ", Capability::AuditRead),
    ("CAP_PERFMON", Capability::Perfmon),
    ("CAP_BPF", Capability::Bpf),
    ("CAP_CHECKPOINT_RESTORE", Capability::CheckpointRestore),
];

/// Every capability this kernel knows (up to /proc/sys/kernel/cap_last_cap),
/// which is what Docker's `ALL` and `--privileged` give — less those this
/// process's own bounding set lacks (Whaleshell in a container), which no
/// container of its could get: Docker fails there ("unable to apply caps").
pub fn all_capabilities() -> Vec<Capability> {
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap").ok().and_then(|s| s.trim().parse::<usize>().ok()).unwrap_or(40);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let bounding = status.lines().find_map(|l| l.strip_prefix("CapBnd:")).and_then(|h| u64::from_str_radix(h.trim(), 16).ok()).unwrap_or(u64::MAX);
    ALL_CAPABILITIES.iter().enumerate().take(last + 1).filter(|(bit, _)| bounding & (1 << bit) != 0).map(|(_, (_, c))| *c).collect()
}

/// `net_admin`, `CAP_NET_ADMIN`, `Net_Admin` → `CAP_NET_ADMIN`; `all` → `ALL`.
/// `which` is Docker's field name for the error (`CapAdd`, `CapDrop`).
pub fn normalize_capability(name: &str, which: &str) -> Result<String> {
    let upper = name.to_uppercase();
    if upper == "ALL" {
        return Ok(upper);
    }
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if ALL_CAPABILITIES.iter().any(|(n, _)| n.strip_prefix("CAP_") == Some(bare)) {
        Ok(format!("CAP_{bare}"))
    } else {
        Err(Error::Spec(format!("invalid {which}: unknown capability: \"CAP_{bare}\"")))
    }
}

fn capability(name: &str) -> Option<Capability> {
    let bare = name.strip_prefix("CAP_").unwrap_or(name);
    ALL_CAPABILITIES.iter().find(|(n, _)| n.strip_prefix("CAP_") == Some(bare)).map(|(_, c)| *c)
}

impl Security {
    /// The container's capability set, as moby's `TweakCapabilities`:
    /// `--privileged` or `--cap-add ALL` (less the drops) start from all;
    /// `--cap-drop ALL` keeps only the adds; else the defaults less the
    /// drops plus the adds.
    pub fn capabilities(&self, defaults: &[Capability]) -> HashSet<Capability> {
        let all = |list: &[String]| list.iter().any(|c| c == "ALL");
        let named = |list: &[String]| list.iter().filter_map(|c| capability(c)).collect::<HashSet<_>>();
        if self.privileged {
            return all_capabilities().into_iter().collect();
        }
        let drops = named(&self.cap_drop);
        if all(&self.cap_add) {
            all_capabilities().into_iter().filter(|c| !drops.contains(c)).collect()
        } else if all(&self.cap_drop) {
            named(&self.cap_add)
        } else {
            defaults.iter().copied().filter(|c| !drops.contains(c)).chain(named(&self.cap_add)).collect()
        }
    }
}
