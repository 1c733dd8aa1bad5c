//! `docker run`'s security flags, as the container record keeps them:
//! `--read-only`, `--cap-add/--cap-drop`, `--security-opt
//! no-new-privileges`, `--privileged`, `--tmpfs`, `--sysctl`,
//! `--add-host`, `--group-add`, `--stop-signal`, `--stop-timeout`.
//! Parsed and checked here the way Docker does; turned into the OCI spec by
//! `spec::build`.

use std::collections::{BTreeMap, HashSet};

use libcontainer::oci_spec::runtime::Capability;
use serde::{Deserialize, Serialize};

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

/// Every capability with its number, the order of linux/capability.h.
const ALL_CAPABILITIES: &[(&str, Capability)] = &[
    ("CHOWN", Capability::Chown),
    ("DAC_OVERRIDE", Capability::DacOverride),
    ("DAC_READ_SEARCH", Capability::DacReadSearch),
    ("FOWNER", Capability::Fowner),
    ("FSETID", Capability::Fsetid),
    ("KILL", Capability::Kill),
    ("SETGID", Capability::Setgid),
    ("SETUID", Capability::Setuid),
    ("SETPCAP", Capability::Setpcap),
    ("LINUX_IMMUTABLE", Capability::LinuxImmutable),
    ("NET_BIND_SERVICE", Capability::NetBindService),
    ("NET_BROADCAST", Capability::NetBroadcast),
    ("NET_ADMIN", Capability::NetAdmin),
    ("NET_RAW", Capability::NetRaw),
    ("IPC_LOCK", Capability::IpcLock),
    ("IPC_OWNER", Capability::IpcOwner),
    ("SYS_MODULE", Capability::SysModule),
    ("SYS_RAWIO", Capability::SysRawio),
    ("SYS_CHROOT", Capability::SysChroot),
    ("SYS_PTRACE", Capability::SysPtrace),
    ("SYS_PACCT", Capability::SysPacct),
    ("SYS_ADMIN", Capability::SysAdmin),
    ("SYS_BOOT", Capability::SysBoot),
    ("SYS_NICE", Capability::SysNice),
    ("SYS_RESOURCE", Capability::SysResource),
    ("SYS_TIME", Capability::SysTime),
    ("SYS_TTY_CONFIG", Capability::SysTtyConfig),
    ("MKNOD", Capability::Mknod),
    ("LEASE", Capability::Lease),
    ("AUDIT_WRITE", Capability::AuditWrite),
    ("AUDIT_CONTROL", Capability::AuditControl),
    ("SETFCAP", Capability::Setfcap),
    ("MAC_OVERRIDE", Capability::MacOverride),
    ("MAC_ADMIN", Capability::MacAdmin),
    ("SYSLOG", Capability::Syslog),
    ("WAKE_ALARM", Capability::WakeAlarm),
    ("BLOCK_SUSPEND", Capability::BlockSuspend),
    ("AUDIT_READ", Capability::AuditRead),
    ("PERFMON", Capability::Perfmon),
    ("BPF", Capability::Bpf),
    ("CHECKPOINT_RESTORE", Capability::CheckpointRestore),
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
    if ALL_CAPABILITIES.iter().any(|(n, _)| *n == bare) {
        Ok(format!("CAP_{bare}"))
    } else {
        Err(Error::Spec(format!("invalid {which}: unknown capability: \"CAP_{bare}\"")))
    }
}

fn capability(name: &str) -> Option<Capability> {
    let bare = name.strip_prefix("CAP_").unwrap_or(name);
    ALL_CAPABILITIES.iter().find(|(n, _)| *n == bare).map(|(_, c)| *c)
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
