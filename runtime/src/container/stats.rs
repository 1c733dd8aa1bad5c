//! What `docker stats` shows of a container, read as Docker's daemon reads
//! it: from the container's cgroup (v1: `cpuacct.usage`,
//! `memory.usage_in_bytes` and `memory.stat`, `blkio.throttle.*`,
//! `pids.current`; v2: `cpu.stat`, `memory.current`, `io.stat`,
//! `pids.current`), the host's `/proc/stat` for the system's CPU time, and
//! the interfaces of PID 1's network namespace (`/proc/PID/net/dev`).
//! One [`Sample`] is one reading; CPU % needs two (see [`cpu_percent`]).

use std::fs;

use crate::container::cgroup::{Cgroup, Hierarchy};
use crate::container::ContainerRecord;

/// One reading of a container's counters. A container that is not running
/// reads all zeros, as Docker's stats of a stopped container do.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    /// CPU time the container's processes used, in nanoseconds.
    pub cpu_ns: u64,
    /// CPU time the whole machine spent (all CPUs, idle too), in nanoseconds.
    pub system_ns: u64,
    pub online_cpus: u32,
    /// Memory in use less the inactive page cache (Docker's CLI subtracts it too).
    pub memory: u64,
    /// The cgroup's limit, no more than the machine's memory; 0 when not running.
    pub memory_limit: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
}

impl Sample {
    /// Reads the counters of a running container now.
    pub fn read(record: &ContainerRecord) -> Sample {
        if !record.status().is_running() {
            return Sample::default();
        }
        let cgroup = Cgroup::of(&record.id);
        let (memory, memory_limit) = memory(&cgroup);
        let (net_rx, net_tx) = record.state.pid.map(network).unwrap_or_default();
        let (block_read, block_write) = block_io(&cgroup);
        Sample {
            cpu_ns: cpu_usage(&cgroup),
            system_ns: system_cpu_ns(),
            online_cpus: online_cpus(),
            memory,
            memory_limit,
            net_rx,
            net_tx,
            block_read,
            block_write,
            pids: read_u64(&cgroup.controller_dir("pids").join("pids.current")).unwrap_or(0),
        }
    }
}

/// Docker's `calculateCPUPercentUnix`: the container's share of the
/// machine's CPU time between two samples, times the CPUs online (a busy
/// loop on one of two CPUs is 100%).
pub fn cpu_percent(before: &Sample, now: &Sample) -> f64 {
    let cpu = now.cpu_ns as f64 - before.cpu_ns as f64;
    let system = now.system_ns as f64 - before.system_ns as f64;
    if system > 0.0 && cpu > 0.0 {
        cpu / system * f64::from(now.online_cpus) * 100.0
    } else {
        0.0
    }
}

/// Docker's MEM %.
pub fn memory_percent(sample: &Sample) -> f64 {
    if sample.memory_limit == 0 {
        0.0
    } else {
        sample.memory as f64 / sample.memory_limit as f64 * 100.0
    }
}

fn read_u64(path: &std::path::Path) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// A `key value` line of a stat file (`memory.stat`, `cpu.stat`).
fn stat_value(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
}

fn cpu_usage(cgroup: &Cgroup) -> u64 {
    match cgroup.hierarchy() {
        Hierarchy::V1 => read_u64(&cgroup.controller_dir("cpuacct").join("cpuacct.usage")).unwrap_or(0),
        Hierarchy::Unified => {
            let stat = fs::read_to_string(cgroup.controller_dir("").join("cpu.stat")).unwrap_or_default();
            stat_value(&stat, "usage_usec").unwrap_or(0) * 1000
        }
    }
}

/// Usage and limit as Docker's CLI shows them.
fn memory(cgroup: &Cgroup) -> (u64, u64) {
    let dir = cgroup.controller_dir("memory");
    let (usage, limit, stat, inactive_key) = match cgroup.hierarchy() {
        Hierarchy::V1 => (
            read_u64(&dir.join("memory.usage_in_bytes")),
            read_u64(&dir.join("memory.limit_in_bytes")),
            fs::read_to_string(dir.join("memory.stat")).unwrap_or_default(),
            "total_inactive_file",
        ),
        // `max` (no limit) does not parse: the machine's memory stands for it.
        Hierarchy::Unified => (
            read_u64(&dir.join("memory.current")),
            read_u64(&dir.join("memory.max")),
            fs::read_to_string(dir.join("memory.stat")).unwrap_or_default(),
            "inactive_file",
        ),
    };
    let usage = usage.unwrap_or(0);
    let used = match stat_value(&stat, inactive_key) {
        Some(inactive) if inactive < usage => usage - inactive,
        _ => usage,
    };
    let machine = mem_total();
    let limit = match limit {
        Some(l) if machine == 0 || l < machine => l,
        _ => machine,
    };
    (used, limit)
}

/// Bytes read and written by the container's processes (Docker's BLOCK I/O).
fn block_io(cgroup: &Cgroup) -> (u64, u64) {
    match cgroup.hierarchy() {
        Hierarchy::V1 => {
            let dir = cgroup.controller_dir("blkio");
            // The proportional controller's file when the kernel has it, else the throttle one's.
            let text = ["blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive"]
                .iter()
                .filter_map(|f| fs::read_to_string(dir.join(f)).ok())
                .find(|t| t.lines().any(|l| l.split_whitespace().count() == 3))
                .unwrap_or_default();
            let (mut read, mut write) = (0, 0);
            for line in text.lines() {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if let [_, op, value] = fields.as_slice() {
                    let value: u64 = value.parse().unwrap_or(0);
                    match op.chars().next() {
                        Some('r' | 'R') => read += value,
                        Some('w' | 'W') => write += value,
                        _ => {}
                    }
                }
            }
            (read, write)
        }
        Hierarchy::Unified => {
            let text = fs::read_to_string(cgroup.controller_dir("").join("io.stat")).unwrap_or_default();
            let (mut read, mut write) = (0, 0);
            for field in text.split_whitespace() {
                if let Some(v) = field.strip_prefix("rbytes=") {
                    read += v.parse::<u64>().unwrap_or(0);
                } else if let Some(v) = field.strip_prefix("wbytes=") {
                    write += v.parse::<u64>().unwrap_or(0);
                }
            }
            (read, write)
        }
    }
}

/// Bytes received and sent on the interfaces of PID 1's network namespace.
/// Docker counts the container's own interfaces, not its loopback; a
/// Whaleshell container has only the loopback (published ports reach the
/// container through it), so when there is nothing else the loopback is
/// what is counted.
fn network(pid: i32) -> (u64, u64) {
    let text = fs::read_to_string(format!("/proc/{pid}/net/dev")).unwrap_or_default();
    let mut lo = (0, 0);
    let mut others: Option<(u64, u64)> = None;
    // `  eth0: rx_bytes rx_packets … (8 receive fields) tx_bytes …`
    for line in text.lines().skip(2) {
        let Some((name, counters)) = line.split_once(':') else { continue };
        let fields: Vec<u64> = counters.split_whitespace().filter_map(|f| f.parse().ok()).collect();
        let (Some(rx), Some(tx)) = (fields.first(), fields.get(8)) else { continue };
        if name.trim() == "lo" {
            lo = (*rx, *tx);
        } else {
            let sum = others.get_or_insert((0, 0));
            sum.0 += rx;
            sum.1 += tx;
        }
    }
    others.unwrap_or(lo)
}

/// The machine's CPU time from the first line of /proc/stat (user, nice,
/// system, idle, iowait, irq, softirq, as Docker's daemon adds them), in ns.
fn system_cpu_ns() -> u64 {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else { return 0 };
    let ticks: u64 = line.split_whitespace().skip(1).take(7).filter_map(|f| f.parse::<u64>().ok()).sum();
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = if per_second > 0 { per_second as u64 } else { 100 };
    ticks * (1_000_000_000 / per_second)
}

fn online_cpus() -> u32 {
    // SAFETY: sysconf only reads a configuration value.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    if n > 0 {
        n as u32
    } else {
        1
    }
}

/// The machine's memory in bytes (MemTotal in /proc/meminfo).
pub fn mem_total() -> u64 {
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok());
    kib.unwrap_or(0) * 1024
}
