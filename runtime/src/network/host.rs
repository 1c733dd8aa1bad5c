//! What the state roots of this machine share of its network: bridge
//! names and subnets are the host's, so they are handed out host-wide from
//! one registry under `/run/whaleshell/` (gone at reboot, as the bridges
//! are), never twice, whichever root asks. The lock also serialises
//! netavark's runs, which add and remove rules in chains all its networks
//! share.

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::subnet::{default_pools, Subnet};
use crate::error::{Error, Result};
use crate::fsutil::{read_json, write_json_atomic, StateLock};

pub const HOST_DIR: &str = "/run/whaleshell";

/// A bridge network some state root holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostNetwork {
    pub id: String,
    pub root: PathBuf,
    pub bridge: String,
    pub subnet: Subnet,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Registry {
    pub networks: Vec<HostNetwork>,
}

fn registry_path() -> PathBuf {
    Path::new(HOST_DIR).join("networks.json")
}

/// Reads the registry without the lock: a snapshot, as the tests' checks want.
pub fn snapshot() -> Result<Registry> {
    Ok(read_json(&registry_path(), "host network registry")?.unwrap_or_default())
}

/// The host-wide lock; while held, the registry and netavark are this process's.
pub struct HostLock {
    _lock: StateLock,
}

pub fn lock() -> Result<HostLock> {
    fs::create_dir_all(HOST_DIR).map_err(Error::io("creating", HOST_DIR))?;
    Ok(HostLock { _lock: StateLock::acquire(&Path::new(HOST_DIR).join("networks.lock"))? })
}

impl HostLock {
    fn load(&self) -> Result<Registry> {
        let mut registry = snapshot()?;
        // A root removed (a test's, a lesson's) or a network whose record is
        // gone leaves its entry behind: reclaim it, and its bridge if left.
        registry.networks.retain(|n| {
            let live = super::record_path(&n.root, &n.id).exists();
            if !live && link_exists(&n.bridge) {
                let _ = Command::new("ip").args(["link", "delete", &n.bridge]).status();
            }
            live
        });
        Ok(registry)
    }

    /// A bridge name and a subnet for network `id` of `root`: `requested`,
    /// when it overlaps nothing, else the first of Docker's pools free on
    /// this host (neither another root's nor routed here already).
    pub fn allocate(&self, root: &Path, id: &str, requested: Option<Subnet>) -> Result<HostNetwork> {
        let mut registry = self.load()?;
        let routed = host_routes();
        let taken = |s: &Subnet| registry.networks.iter().any(|n| n.subnet.overlaps(s)) || routed.iter().any(|r| r.overlaps(s));
        let subnet = match requested {
            Some(s) if taken(&s) => return Err(Error::Network("Pool overlaps with other one on this address space".into())),
            Some(s) => s,
            None => default_pools().find(|s| !taken(s)).ok_or_else(|| {
                Error::Network("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network".into())
            })?,
        };
        // Docker's name for a user network's bridge: unique, as IDs are.
        let entry = HostNetwork { id: id.to_owned(), root: root.to_owned(), bridge: format!("br-{}", &id[..12]), subnet };
        registry.networks.push(entry.clone());
        write_json_atomic(&registry_path(), &registry)?;
        Ok(entry)
    }

    /// Puts a network made earlier back in the registry if it is missing
    /// (after a reboot `/run` is empty, the records under the roots are
    /// not), unless another root holds its subnet meanwhile.
    pub fn claim(&self, root: &Path, id: &str, bridge: &str, subnet: Subnet) -> Result<()> {
        let mut registry = self.load()?;
        if registry.networks.iter().any(|n| n.id == id) {
            return Ok(());
        }
        if registry.networks.iter().any(|n| n.subnet.overlaps(&subnet)) {
            return Err(Error::Network(format!(
                "Pool overlaps with other one on this address space: {subnet} is another network's now; remove this network and create it again"
            )));
        }
        registry.networks.push(HostNetwork { id: id.to_owned(), root: root.to_owned(), bridge: bridge.to_owned(), subnet });
        write_json_atomic(&registry_path(), &registry)
    }

    pub fn release(&self, id: &str) -> Result<()> {
        let mut registry = self.load()?;
        registry.networks.retain(|n| n.id != id);
        write_json_atomic(&registry_path(), &registry)
    }

    /// netavark's teardown leaves the chains all its networks share; once
    /// none of them holds a rule of a network, they go, with the jumps to them.
    pub fn remove_shared_rules_if_unused(&self) {
        let rules = |table: &str, chain: &str| -> Option<usize> {
            let out = Command::new("iptables").args(["-w", "-t", table, "-S", chain]).output().ok()?;
            out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("-A")).count())
        };
        let ipt = |args: &[&str]| {
            let _ = Command::new("iptables").arg("-w").args(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).status();
        };
        if rules("filter", "NETAVARK_FORWARD") == Some(0) {
            ipt(&["-D", "FORWARD", "-m", "comment", "--comment", "netavark firewall plugin rules", "-j", "NETAVARK_FORWARD"]);
            ipt(&["-X", "NETAVARK_FORWARD"]);
        }
        if rules("nat", "NETAVARK-HOSTPORT-DNAT") == Some(0) {
            ipt(&["-t", "nat", "-D", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "NETAVARK-HOSTPORT-DNAT"]);
            ipt(&["-t", "nat", "-D", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "NETAVARK-HOSTPORT-DNAT"]);
            ipt(&["-t", "nat", "-D", "POSTROUTING", "-j", "NETAVARK-HOSTPORT-MASQ"]);
            for chain in ["NETAVARK-HOSTPORT-DNAT", "NETAVARK-HOSTPORT-MASQ", "NETAVARK-HOSTPORT-SETMARK"] {
                ipt(&["-t", "nat", "-F", chain]);
                ipt(&["-t", "nat", "-X", chain]);
            }
        }
    }
}

pub fn link_exists(name: &str) -> bool {
    Path::new("/sys/class/net").join(name).exists()
}

/// The subnets this host routes already (its own networks, Docker's
/// bridges), from /proc/net/route; the default route is not one.
fn host_routes() -> Vec<Subnet> {
    let table = fs::read_to_string("/proc/net/route").unwrap_or_default();
    // The kernel writes each address as its bytes in memory read as a number.
    let hex = |s: &str| u32::from_str_radix(s, 16).ok().map(|v| Ipv4Addr::from(v.to_ne_bytes()));
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (dest, mask) = (hex(fields.get(1)?)?, hex(fields.get(7)?)?);
            let prefix = u32::from(mask).leading_ones() as u8;
            (prefix > 0).then(|| Subnet::new(dest, prefix)).flatten()
        })
        .collect()
}
