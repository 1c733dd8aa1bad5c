//! `docker run`'s resource flags, as the container record keeps them:
//! `-m/--memory`, `--memory-swap`, `--memory-reservation`, `--cpus`,
//! `--cpu-shares`, `--cpuset-cpus`, `--ulimit`, `--shm-size`; and what
//! `docker update` changes of them in a running container's cgroup.
//! Values parse and are checked the way Docker's client and daemon do
//! (go-units sizes, `big.Rat` CPUs, moby's `verifyPlatformContainerResources`);
//! turned into the OCI spec's `linux.resources` and `process.rlimits` by
//! `spec::build`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::container::cgroup::{Cgroup, Hierarchy};
use crate::error::{Error, Result};

/// moby's `linuxMinMemory`.
pub const MIN_MEMORY: i64 = 6 * 1024 * 1024;
/// moby's `DefaultShmSize`: the size of a container's /dev/shm.
pub const DEFAULT_SHM_SIZE: i64 = 64 * 1024 * 1024;
/// The CFS period `--cpus` is a share of, as in Docker.
pub const CPU_PERIOD: u64 = 100_000;

/// What the flags asked for, as Docker's HostConfig keeps it (after the
/// daemon's adjustments: `--memory-swap` twice the memory when unset, the
/// default /dev/shm size). Every field has a default, so a record from
/// before these flags reads as a container that used none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    /// The cgroup limits, which `docker update` can change too.
    #[serde(flatten)]
    pub limits: Limits,
    /// `--ulimit`, in the order given, the last of a name winning.
    pub ulimits: Vec<Ulimit>,
    /// `--shm-size` in bytes; 0 (a record from before the flag) is the default.
    pub shm_size: i64,
}

/// The cgroup limits of `docker run` and `docker update`; 0 (or "") is
/// Docker's "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// `-m`: bytes, 0 unlimited.
    pub memory: i64,
    /// `--memory-swap`: memory plus swap in bytes; -1 unlimited swap, 0 unset.
    pub memory_swap: i64,
    /// `--memory-reservation`: the soft limit in bytes, 0 none.
    pub memory_reservation: i64,
    /// `--cpus` in billionths of a CPU, 0 unlimited.
    pub nano_cpus: i64,
    /// `--cpu-shares`: the relative weight, 0 the kernel's default (1024).
    pub cpu_shares: i64,
    /// `--cpuset-cpus`: the CPUs the container may run on, "" any.
    pub cpuset_cpus: String,
}

/// One `--ulimit NAME=SOFT[:HARD]`, as Docker's `units.Ulimit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// The resource names `--ulimit` takes (go-units' `ulimitNameMapping`).
const ULIMIT_NAMES: &[&str] =
    &["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

/// A size as go-units' `RAMInBytes` reads it: a number, an optional space,
/// then b, or k/m/g/t/p with an optional `b` or `ib` (all powers of 1024).
/// The error is go-units' own.
pub fn parse_size(text: &str) -> std::result::Result<i64, String> {
    let Some(sep) = text.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ') else {
        return Err(format!("invalid size: '{text}'"));
    };
    let (num, suffix) = if text.as_bytes()[sep] == b' ' { (&text[..sep], &text[sep + 1..]) } else { (&text[..=sep], &text[sep + 1..]) };
    let size: f64 = go_parse_float(num)?;
    if size < 0.0 {
        return Err(format!("invalid size: '{text}'"));
    }
    if suffix.is_empty() {
        return Ok(size as i64);
    }
    let bad = || format!("invalid suffix: '{}'", suffix.to_lowercase());
    let sfx = suffix.to_lowercase();
    if sfx.len() > 3 {
        return Err(bad());
    }
    let mut chars = sfx.chars();
    let multiplier: f64 = match chars.next() {
        Some('b') if sfx.len() == 1 => return Ok(size as i64),
        Some('k') => 1024.0,
        Some('m') => 1024.0 * 1024.0,
        Some('g') => 1024.0 * 1024.0 * 1024.0,
        Some('t') => 1024.0_f64.powi(4),
        Some('p') => 1024.0_f64.powi(5),
        _ => return Err(bad()),
    };
    let rest: String = chars.collect();
    if !matches!(rest.as_str(), "" | "b" | "ib") {
        return Err(bad());
    }
    Ok((size * multiplier) as i64)
}

/// Go's `strconv.ParseFloat` on a plain decimal, with its error text.
fn go_parse_float(num: &str) -> std::result::Result<f64, String> {
    let plain = !num.is_empty() && num.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit() || c == '.');
    match num.parse::<f64>() {
        Ok(v) if plain => Ok(v),
        _ => Err(format!("strconv.ParseFloat: parsing {num:?}: invalid syntax")),
    }
}

/// `--memory-swap`: a size, or -1 for unlimited swap (Docker's `MemSwapBytes`).
pub fn parse_memory_swap(text: &str) -> std::result::Result<i64, String> {
    if text == "-1" {
        Ok(-1)
    } else {
        parse_size(text)
    }
}

/// `--cpus`: a rational number (`1.5`, `3/2`) in billionths of a CPU, as
/// Docker's `NanoCPUs` reads it with Go's `big.Rat`.
pub fn parse_nano_cpus(text: &str) -> std::result::Result<i64, String> {
    let not_rational = || format!("failed to parse {text} as a rational number");
    let (num, den) = match text.split_once('/') {
        Some((p, q)) => {
            let p: i128 = p.parse().map_err(|_| not_rational())?;
            let q: i128 = q.parse().map_err(|_| not_rational())?;
            if q <= 0 {
                return Err(not_rational());
            }
            (p, q)
        }
        None => {
            let (sign, digits) = match text.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, text.strip_prefix('+').unwrap_or(text)),
            };
            let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
            let valid = !(whole.is_empty() && frac.is_empty()) && (whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit()) && frac.len() <= 30;
            if !valid {
                return Err(not_rational());
            }
            let joined = format!("{whole}{frac}");
            let n: i128 = joined.parse().map_err(|_| not_rational())?;
            (sign * n, 10i128.pow(frac.len() as u32))
        }
    };
    let scaled = num.checked_mul(1_000_000_000).ok_or_else(not_rational)?;
    if scaled % den != 0 {
        return Err("value is too precise".into());
    }
    i64::try_from(scaled / den).map_err(|_| not_rational())
}

/// `--ulimit NAME=SOFT[:HARD]` as go-units' `ParseUlimit`, with its errors.
pub fn parse_ulimit(text: &str) -> std::result::Result<Ulimit, String> {
    let (name, values) = text.split_once('=').ok_or_else(|| format!("invalid ulimit argument: {text}"))?;
    if !ULIMIT_NAMES.contains(&name) {
        return Err(format!("invalid ulimit type: {name}"));
    }
    let int = |v: &str| v.parse::<i64>().map_err(|_| format!("strconv.ParseInt: parsing {v:?}: invalid syntax"));
    let parts: Vec<&str> = values.split(':').collect();
    let (soft, hard) = match parts.as_slice() {
        [soft] => (int(soft)?, int(soft)?),
        [soft, hard] => {
            let hard = int(hard)?;
            (int(soft)?, hard)
        }
        _ => return Err(format!("too many limit value arguments - {values}, can only have up to two, `soft[:hard]`")),
    };
    if hard != -1 && soft > hard {
        return Err(format!("ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"));
    }
    Ok(Ulimit { name: name.to_owned(), soft, hard })
}

/// `--ulimit` flags as Docker's `UlimitOpt` keeps them: one per name, the last given.
pub fn add_ulimit(list: &mut Vec<Ulimit>, ulimit: Ulimit) {
    list.retain(|u| u.name != ulimit.name);
    list.push(ulimit);
}

/// How many CPUs this process may use (Go's `runtime.NumCPU`: its affinity mask).
pub fn num_cpus() -> i64 {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity fills it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            return i64::from(libc::CPU_COUNT(&set));
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get() as i64)
}

/// The CPUs a cpuset may name: the root cpuset's, as Docker's sysinfo reads them.
fn available_cpus() -> String {
    let file = match Hierarchy::detect() {
        Hierarchy::V1 => "/sys/fs/cgroup/cpuset/cpuset.cpus",
        Hierarchy::Unified => "/sys/fs/cgroup/cpuset.cpus.effective",
    };
    std::fs::read_to_string(file).map(|s| s.trim().to_owned()).unwrap_or_else(|_| format!("0-{}", num_cpus() - 1))
}

/// Whether the kernel limits swap (v1's `memory.memsw.*` files come with
/// swap accounting only); without it Docker limits the memory alone.
pub fn swap_accounting() -> bool {
    match Hierarchy::detect() {
        Hierarchy::V1 => Path::new("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").exists(),
        Hierarchy::Unified => true,
    }
}

/// Docker's `parsers.ParseUintList`: `0-2,4`.
fn parse_uint_list(text: &str) -> std::result::Result<BTreeSet<u32>, String> {
    let invalid = || format!("invalid format: {text}");
    let mut set = BTreeSet::new();
    if text.is_empty() {
        return Ok(set);
    }
    for part in text.split(',') {
        match part.split_once('-') {
            None => {
                set.insert(part.parse().map_err(|_| invalid())?);
            }
            Some((lo, hi)) => {
                let lo: u32 = lo.parse().map_err(|_| invalid())?;
                let hi: u32 = hi.parse().map_err(|_| invalid())?;
                if hi < lo {
                    return Err(invalid());
                }
                set.extend(lo..=hi);
            }
        }
    }
    Ok(set)
}

/// The daemon's checks of the values asked for (moby's
/// `verifyPlatformContainerResources`), for `docker run`/`create` and, with
/// `update`, for `docker update`'s request alone (which may omit the memory).
pub fn verify(r: &Resources, update: bool) -> Result<()> {
    let fail = |m: String| Err(Error::Spec(m));
    if r.limits.memory != 0 && r.limits.memory < MIN_MEMORY {
        return fail("Minimum memory limit allowed is 6MB".into());
    }
    if r.limits.memory > 0 && r.limits.memory_swap > 0 && r.limits.memory_swap < r.limits.memory {
        return fail("Minimum memoryswap limit should be larger than memory limit, see usage".into());
    }
    if r.limits.memory == 0 && r.limits.memory_swap > 0 && !update {
        return fail("You should always set the Memory limit when using Memoryswap limit, see usage".into());
    }
    if r.limits.memory_reservation > 0 && r.limits.memory_reservation < MIN_MEMORY {
        return fail("Minimum memory reservation allowed is 6MB".into());
    }
    if r.limits.memory > 0 && r.limits.memory_reservation > 0 && r.limits.memory < r.limits.memory_reservation {
        return fail("Minimum memory limit can not be less than memory reservation limit, see usage".into());
    }
    let cpus = num_cpus();
    if r.limits.nano_cpus < 0 || r.limits.nano_cpus > cpus * 1_000_000_000 {
        return fail(format!("Range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available"));
    }
    if !r.limits.cpuset_cpus.is_empty() {
        let asked = parse_uint_list(&r.limits.cpuset_cpus).map_err(|e| Error::Spec(format!("Invalid value {} for cpuset cpus: {e}", r.limits.cpuset_cpus)))?;
        let available_text = available_cpus();
        let available = parse_uint_list(&available_text).unwrap_or_default();
        if !asked.is_subset(&available) {
            return fail(format!("Requested CPUs are not available - requested {}, available: {available_text}", r.limits.cpuset_cpus));
        }
    }
    if r.shm_size < 0 {
        return fail("SHM size can not be less than 0".into());
    }
    Ok(())
}

impl Resources {
    /// The daemon's adjustments at creation (moby's `adaptContainerSettings`):
    /// swap as much as the memory when `--memory-swap` is unset, the default
    /// /dev/shm size when `--shm-size` is.
    pub fn adapt(&mut self) {
        if self.limits.memory > 0 && self.limits.memory_swap == 0 {
            self.limits.memory_swap = self.limits.memory * 2;
        }
        if self.shm_size == 0 {
            self.shm_size = DEFAULT_SHM_SIZE;
        }
    }

    /// The size of /dev/shm in bytes.
    pub fn shm_size(&self) -> i64 {
        if self.shm_size > 0 {
            self.shm_size
        } else {
            DEFAULT_SHM_SIZE
        }
    }
}

impl Limits {
    /// The CFS quota for `--cpus`, in microseconds per [`CPU_PERIOD`].
    pub fn cpu_quota(&self) -> Option<i64> {
        (self.nano_cpus > 0).then(|| self.nano_cpus * CPU_PERIOD as i64 / 1_000_000_000)
    }
}

/// What `docker update` asks to change; Docker's 0 (or None) leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceUpdate {
    pub limits: Limits,
    /// `--pids-limit`: 0 or less is unlimited.
    pub pids_limit: Option<i64>,
}

impl ResourceUpdate {
    /// Checked as the daemon checks an update's request on its own.
    pub fn verify(&self) -> Result<()> {
        verify(&Resources { limits: self.limits.clone(), ..Resources::default() }, true)
    }

    /// The record's resources with this update applied, as moby's
    /// `UpdateContainer` merges them; its conflict is an error message.
    pub fn apply(&self, current: &Resources) -> std::result::Result<Resources, String> {
        let mut r = current.clone();
        if self.limits.cpu_shares != 0 {
            r.limits.cpu_shares = self.limits.cpu_shares;
        }
        if self.limits.nano_cpus != 0 {
            r.limits.nano_cpus = self.limits.nano_cpus;
        }
        if !self.limits.cpuset_cpus.is_empty() {
            r.limits.cpuset_cpus = self.limits.cpuset_cpus.clone();
        }
        if self.limits.memory != 0 {
            // Docker compares with the swap as recorded, -1 and 0 included.
            if self.limits.memory > current.limits.memory_swap && self.limits.memory_swap == 0 {
                return Err("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time".into());
            }
            r.limits.memory = self.limits.memory;
        }
        if self.limits.memory_swap != 0 {
            r.limits.memory_swap = self.limits.memory_swap;
        }
        if self.limits.memory_reservation != 0 {
            r.limits.memory_reservation = self.limits.memory_reservation;
        }
        Ok(r)
    }

    /// Writes the changed limits into a running container's cgroup, in
    /// the files of whichever layout the host has.
    pub fn write_cgroup(&self, cgroup: &Cgroup, r: &Resources, pids_limit: i64) -> Result<()> {
        let v1 = cgroup.hierarchy() == Hierarchy::V1;
        let dir = |controller: &str| cgroup.controller_dir(controller);
        check_cpu_shares(r.limits.cpu_shares)?;
        if self.limits.memory != 0 || self.limits.memory_swap != 0 {
            let mem = dir("memory");
            if v1 {
                let limit = if r.limits.memory > 0 { r.limits.memory.to_string() } else { "-1".into() };
                let swap = if r.limits.memory > 0 && r.limits.memory_swap != 0 { r.limits.memory_swap.to_string() } else { "-1".into() };
                let memsw = mem.join("memory.memsw.limit_in_bytes");
                // memsw may never be below the memory limit: raise it first, lower it last.
                let current_memsw = std::fs::read_to_string(&memsw).ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(i64::MAX);
                let raise_swap_first = r.limits.memory > current_memsw || swap == "-1";
                if raise_swap_first && memsw.exists() {
                    write(&memsw, &swap)?;
                }
                write(&mem.join("memory.limit_in_bytes"), &limit)?;
                if !raise_swap_first && memsw.exists() {
                    write(&memsw, &swap)?;
                }
            } else {
                write(&mem.join("memory.max"), &if r.limits.memory > 0 { r.limits.memory.to_string() } else { "max".into() })?;
                let swap = if r.limits.memory > 0 && r.limits.memory_swap > 0 { (r.limits.memory_swap - r.limits.memory).to_string() } else { "max".into() };
                if mem.join("memory.swap.max").exists() {
                    write(&mem.join("memory.swap.max"), &swap)?;
                }
            }
        }
        if self.limits.memory_reservation != 0 {
            let file = if v1 { "memory.soft_limit_in_bytes" } else { "memory.low" };
            write(&dir("memory").join(file), &r.limits.memory_reservation.to_string())?;
        }
        if self.limits.nano_cpus != 0 {
            let quota = r.limits.cpu_quota();
            if v1 {
                write(&dir("cpu").join("cpu.cfs_period_us"), &CPU_PERIOD.to_string())?;
                write(&dir("cpu").join("cpu.cfs_quota_us"), &quota.unwrap_or(-1).to_string())?;
            } else {
                let quota = quota.map_or("max".to_owned(), |q| q.to_string());
                write(&dir("cpu").join("cpu.max"), &format!("{quota} {CPU_PERIOD}"))?;
            }
        }
        if self.limits.cpu_shares != 0 {
            if v1 {
                write(&dir("cpu").join("cpu.shares"), &r.limits.cpu_shares.to_string())?;
            } else {
                write(&dir("cpu").join("cpu.weight"), &shares_to_weight(r.limits.cpu_shares).to_string())?;
            }
        }
        if !self.limits.cpuset_cpus.is_empty() {
            write(&dir("cpuset").join("cpuset.cpus"), &r.limits.cpuset_cpus)?;
        }
        if self.pids_limit.is_some() {
            let value = if pids_limit > 0 { pids_limit.to_string() } else { "max".into() };
            write(&dir("pids").join("pids.max"), &value)?;
        }
        Ok(())
    }
}

/// The kernel's bounds for `--cpu-shares`, which v1 would clamp silently:
/// runc's check when it sets the cgroup (at start, or a running container's
/// update), not the daemon's, so a stopped container may record any value.
pub fn check_cpu_shares(shares: i64) -> Result<()> {
    match shares {
        0 => Ok(()),
        s if s < 2 => Err(Error::Spec("the minimum allowed cpu-shares is 2".into())),
        s if s > 262_144 => Err(Error::Spec("the maximum allowed cpu-shares is 262144".into())),
        _ => Ok(()),
    }
}

/// cgroup v2's `cpu.weight` for v1's shares, as libcontainer converts them
/// when it creates the cgroup (runc's formula: 2 → 1, 1024 → 100, 262144 → 10000),
/// so an update gives what a run with the same shares gets.
pub fn shares_to_weight(shares: i64) -> i64 {
    match shares {
        0 => 100,
        s if s <= 2 => 1,
        s if s >= 262_144 => 10_000,
        s => {
            let log = (s as f64).log2();
            let exponent = (log * log + 125.0 * log) / 612.0 - 7.0 / 34.0;
            (10f64.powf(exponent).ceil() as i64).clamp(1, 10_000)
        }
    }
}

/// As runc words a failed cgroup write.
fn write(path: &Path, value: &str) -> Result<()> {
    std::fs::write(path, value).map_err(|e| {
        let why = match e.raw_os_error() {
            Some(libc::EINVAL) => "invalid argument".to_owned(),
            Some(libc::EBUSY) => "device or resource busy".to_owned(),
            _ => e.to_string(),
        };
        Error::Spec(format!("failed to write {value:?}: write {}: {why}", path.display()))
    })
}

/// Whether the kernel OOM-killed a process of the container's cgroup:
/// `oom_kill` in v1's `memory.oom_control` or v2's `memory.events`.
pub fn oom_killed(cgroup: &Cgroup) -> bool {
    let file = match cgroup.hierarchy() {
        Hierarchy::V1 => "memory.oom_control",
        Hierarchy::Unified => "memory.events",
    };
    let text = std::fs::read_to_string(cgroup.controller_dir("memory").join(file)).unwrap_or_default();
    text.lines().filter_map(|l| l.strip_prefix("oom_kill ")).any(|n| n.trim().parse::<u64>().is_ok_and(|n| n > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_as_go_units_does() {
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("64MB"), Ok(64 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("10 m"), Ok(10 << 20));
        assert_eq!(parse_size("7b"), Ok(7));
        assert_eq!(parse_size("3x"), Err("invalid suffix: 'x'".into()));
        assert_eq!(parse_size("3mbb"), Err("invalid suffix: 'mbb'".into()));
        assert_eq!(parse_size("-1"), Err("invalid size: '-1'".into()));
        assert_eq!(parse_size("abc"), Err("invalid size: 'abc'".into()));
        assert_eq!(parse_memory_swap("-1"), Ok(-1));
    }

    #[test]
    fn cpus_parse_as_big_rat_does() {
        assert_eq!(parse_nano_cpus("1.5"), Ok(1_500_000_000));
        assert_eq!(parse_nano_cpus("3/2"), Ok(1_500_000_000));
        assert_eq!(parse_nano_cpus(".5"), Ok(500_000_000));
        assert_eq!(parse_nano_cpus("-1"), Ok(-1_000_000_000));
        assert_eq!(parse_nano_cpus("abc"), Err("failed to parse abc as a rational number".into()));
        assert_eq!(parse_nano_cpus("0.0000000001"), Err("value is too precise".into()));
    }

    #[test]
    fn ulimits_parse_as_go_units_does() {
        assert_eq!(parse_ulimit("nofile=1024:2048"), Ok(Ulimit { name: "nofile".into(), soft: 1024, hard: 2048 }));
        assert_eq!(parse_ulimit("nproc=50"), Ok(Ulimit { name: "nproc".into(), soft: 50, hard: 50 }));
        assert_eq!(parse_ulimit("nofile"), Err("invalid ulimit argument: nofile".into()));
        assert_eq!(parse_ulimit("foo=1"), Err("invalid ulimit type: foo".into()));
        assert_eq!(parse_ulimit("nofile=20:10"), Err("ulimit soft limit must be less than or equal to hard limit: 20 > 10".into()));
        assert_eq!(parse_ulimit("nofile=x"), Err("strconv.ParseInt: parsing \"x\": invalid syntax".into()));
    }

    #[test]
    fn shares_become_weights_as_libcontainer_converts_them() {
        assert_eq!([2, 1024, 262_144].map(shares_to_weight), [1, 100, 10_000]);
    }

    #[test]
    fn an_update_is_merged_as_docker_merges_it() {
        let current = Resources { limits: Limits { memory: 64 << 20, memory_swap: 128 << 20, ..Limits::default() }, ..Resources::default() };
        let up = update(Limits { memory: 100 << 20, ..Limits::default() });
        assert_eq!(up.apply(&current).map(|r| r.limits.memory), Ok(100 << 20));
        let up = update(Limits { memory: 200 << 20, ..Limits::default() });
        assert!(up.apply(&current).is_err(), "over the recorded swap without --memory-swap");
        let up = update(Limits { memory: 200 << 20, memory_swap: -1, ..Limits::default() });
        assert_eq!(up.apply(&current).map(|r| (r.limits.memory, r.limits.memory_swap)), Ok((200 << 20, -1)));
        // No memory limit yet: Docker refuses -m alone too.
        let up = update(Limits { memory: 100 << 20, ..Limits::default() });
        assert!(up.apply(&Resources::default()).is_err());
    }

    fn update(limits: Limits) -> ResourceUpdate {
        ResourceUpdate { limits, pids_limit: None }
    }
}
