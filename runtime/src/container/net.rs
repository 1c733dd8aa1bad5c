//! A container's networks: how `--network` set it up (its own namespace
//! with `lo` only, the host's, another container's, or bridge networks),
//! the address it holds on each network while it runs, and joining and
//! leaving them with netavark around its run. While joined, the
//! container's network namespace is pinned (see
//! [`netavark::pin_netns`]) and the options of each join are kept in
//! `ROOT/containers/<id>/networks/`, so a teardown works even after its
//! processes are gone, from whichever process finds it ended.

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::container::{ContainerRecord, ContainerStore};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::network::{host, netavark, NetworkRecord, NetworkStore};

/// `--network`, as the container keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    /// No `--network`: its own namespace with `lo` only (Whaleshell does not
    /// put containers on the default bridge unless asked, yet).
    #[default]
    Default,
    None,
    Host,
    /// `container:NAME`: the network namespace of that container (its ID).
    Container(String),
    /// Bridge networks: the ones in [`super::RunConfig::networks`].
    Bridge,
}

/// A network the container is connected to (Docker's EndpointSettings as configured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub network_id: String,
    /// The network's name when connected (Docker names a removed network by it).
    #[serde(default)]
    pub network_name: String,
    /// `--network-alias` (and `network connect --alias`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `--ip`.
    #[serde(default)]
    pub ip: Option<Ipv4Addr>,
}

/// The address a running container holds on one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub network_id: String,
    pub endpoint_id: String,
    pub ip: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Option<Ipv4Addr>,
    pub mac: String,
}

impl NetworkMode {
    /// Docker's HostConfig.NetworkMode.
    pub fn docker_name(&self, networks: &[Attachment], store: &NetworkStore) -> String {
        match self {
            NetworkMode::Default => "default".into(),
            NetworkMode::None => "none".into(),
            NetworkMode::Host => "host".into(),
            NetworkMode::Container(id) => format!("container:{id}"),
            NetworkMode::Bridge => match networks.first() {
                Some(a) => store.get(&a.network_id).ok().flatten().map_or_else(|| a.network_name.clone(), |n| n.name),
                None => "bridge".into(),
            },
        }
    }
}

/// Docker's MAC address for an IP: 02:42 and the address's four bytes.
pub fn mac_for(ip: Ipv4Addr) -> String {
    let [a, b, c, d] = ip.octets();
    format!("02:42:{a:02x}:{b:02x}:{c:02x}:{d:02x}")
}

/// `--network`, `--network-alias` and `--ip` checked as Docker's daemon
/// checks them, resolved to the mode and the networks to join.
pub fn resolve(
    networks: &NetworkStore,
    containers: &ContainerStore,
    network: Option<&str>,
    aliases: &[String],
    ip: Option<&str>,
) -> Result<(NetworkMode, Vec<Attachment>)> {
    let ip = ip.map(|s| s.parse::<Ipv4Addr>().map_err(|_| Error::Spec(format!("invalid IPv4 address: {s}")))).transpose()?;
    let user_defined_only = |what: &str| Error::Spec(format!("{what} is supported only for containers in user defined networks"));
    let mode = match network {
        None => NetworkMode::Default,
        Some("none") => NetworkMode::None,
        Some("host") => NetworkMode::Host,
        Some(other) => match other.strip_prefix("container:") {
            Some(target) => NetworkMode::Container(containers.find(target)?.id),
            None => NetworkMode::Bridge,
        },
    };
    if mode != NetworkMode::Bridge {
        if !aliases.is_empty() {
            return Err(user_defined_only("network-scoped alias"));
        }
        if ip.is_some() {
            return Err(Error::Spec("user specified IP address is supported on user defined networks only".into()));
        }
        return Ok((mode, Vec::new()));
    }
    let name = match network {
        Some("default") => "bridge",
        Some(n) => n,
        None => "bridge",
    };
    let record = networks.find(name)?;
    if record.predefined {
        if !aliases.is_empty() {
            return Err(user_defined_only("network-scoped alias"));
        }
        if ip.is_some() {
            return Err(Error::Spec("user specified IP address is supported on user defined networks only".into()));
        }
    }
    if ip.is_some() && !record.configured_subnet {
        return Err(Error::Spec("user specified IP address is supported only when connecting to networks with user configured subnets".into()));
    }
    if let (Some(ip), Some(subnet)) = (ip, record.subnet) {
        if !subnet.contains(ip) {
            return Err(Error::Spec(format!("no configured subnet or ip-range contain the IP address {ip}")));
        }
    }
    Ok((NetworkMode::Bridge, vec![Attachment { network_id: record.id, network_name: record.name, aliases: aliases.to_vec(), ip }]))
}

fn joins_dir(layout: &Layout, id: &str) -> PathBuf {
    layout.container_dir(id).join("networks")
}

/// Gives a starting container an address on each of its networks (or,
/// with `only`, on that one network more): the one `--ip` asked for, else
/// the lowest free one, never one another container of this root holds
/// there. Recorded under the state lock.
pub fn assign_addresses(store: &ContainerStore, networks: &NetworkStore, id: &str, only: Option<&str>) -> Result<ContainerRecord> {
    let records: Vec<NetworkRecord> =
        store.get(id)?.config.networks.iter().map(|a| networks.get(&a.network_id)).collect::<Result<Vec<_>>>()?.into_iter().flatten().collect();
    let mut failure = None;
    let updated = store.update_with_others(id, |record, others| {
        if only.is_none() {
            record.state.endpoints.clear();
        }
        for attachment in record.config.networks.clone().into_iter().filter(|a| only.is_none_or(|n| n == a.network_id)) {
            let Some(network) = records.iter().find(|n| n.id == attachment.network_id) else {
                let name = if attachment.network_name.is_empty() { &attachment.network_id } else { &attachment.network_name };
                failure = Some(Error::NoSuchNetwork(name.clone()));
                return;
            };
            let (Some(subnet), gateway) = (network.subnet, network.gateway) else { continue };
            let taken = |ip: Ipv4Addr| Some(ip) == gateway || others.iter().flat_map(|o| &o.state.endpoints).any(|e| e.network_id == network.id && e.ip == ip);
            let ip = match attachment.ip {
                Some(ip) if taken(ip) => {
                    failure = Some(Error::Spec(format!("Address already in use: {ip}")));
                    return;
                }
                Some(ip) => ip,
                None => match subnet.hosts().find(|ip| !taken(*ip)) {
                    Some(ip) => ip,
                    None => {
                        failure = Some(Error::Spec(format!("no available IPv4 addresses on this network's address pools: {} ({})", network.name, network.id)));
                        return;
                    }
                },
            };
            record.state.endpoints.push(Endpoint {
                network_id: network.id.clone(),
                endpoint_id: super::new_id(),
                ip,
                prefix: subnet.prefix(),
                gateway,
                mac: mac_for(ip),
            });
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    updated.ok_or_else(|| Error::NoSuchContainer(id.to_owned()))
}

/// `docker network connect` of a running container: an address, then netavark's setup.
pub fn connect_running(layout: &Layout, store: &ContainerStore, networks: &NetworkStore, id: &str, network_id: &str) -> Result<()> {
    let record = assign_addresses(store, networks, id, Some(network_id))?;
    let pid = record.state.pid.ok_or_else(|| Error::NotRunning(id.to_owned()))?;
    let netns = netavark::netns_path(id);
    if !netns.exists() {
        netavark::pin_netns(id, pid)?;
    }
    let index = record.state.endpoints.iter().position(|e| e.network_id == network_id).unwrap_or(0);
    match record.state.endpoints.get(index) {
        Some(endpoint) => join(layout, networks, &record, endpoint, index, &netns),
        None => Ok(()),
    }
}

/// The names, besides its own (netavark gives aardvark-dns that one), that
/// another container finds this one by: its aliases and its short ID, as
/// Docker's embedded DNS answers.
fn dns_names(record: &ContainerRecord, attachment: &Attachment) -> Vec<String> {
    attachment.aliases.iter().cloned().chain([record.short_id().to_owned()]).collect()
}

/// Joins the networks the container has an address on, in the network
/// namespace of its PID 1 (created, not started yet).
pub fn join_all(layout: &Layout, networks: &NetworkStore, record: &ContainerRecord, pid: i32) -> Result<()> {
    if record.state.endpoints.is_empty() {
        return Ok(());
    }
    let netns = netavark::pin_netns(&record.id, pid)?;
    for (index, endpoint) in record.state.endpoints.iter().enumerate() {
        join(layout, networks, record, endpoint, index, &netns)?;
    }
    Ok(())
}

/// netavark's setup of one network, its options kept for the teardown.
pub fn join(layout: &Layout, networks: &NetworkStore, record: &ContainerRecord, endpoint: &Endpoint, index: usize, netns: &Path) -> Result<()> {
    let network = networks.get(&endpoint.network_id)?.ok_or_else(|| Error::NoSuchNetwork(endpoint.network_id.clone()))?;
    let attachment = record.config.networks.iter().find(|a| a.network_id == endpoint.network_id);
    let aliases = attachment.map(|a| dns_names(record, a)).unwrap_or_default();
    let join = netavark::Join { network: &network, ip: endpoint.ip, mac: endpoint.mac.clone(), aliases };
    // eth0 is the first network's, as in Docker.
    let options = netavark::options(&record.id, &record.name, &format!("eth{index}"), &join);
    let host = host::lock()?;
    if let (Some(bridge), Some(subnet)) = (&network.bridge, network.subnet) {
        host.claim(layout.root(), &network.id, bridge, subnet)?;
    }
    let dir = joins_dir(layout, &record.id);
    fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
    let kept = dir.join(format!("{}.json", network.id));
    crate::fsutil::write_atomic(&kept, options.to_string().as_bytes())?;
    if let Err(e) = netavark::run(&networks.netavark_dir(), "setup", netns, &options) {
        let _ = fs::remove_file(&kept);
        return Err(e);
    }
    if let (true, Some(gateway)) = (network.dns_enabled(), network.gateway) {
        wait_for_dns(gateway, &record.name);
    }
    crate::events::log(layout, network.event("connect").with("container", &record.id));
    Ok(())
}

/// netavark tells aardvark-dns of a new container by SIGHUP, on which it
/// reads its records and binds its sockets again: until then, a container
/// that looks a name up at once would be refused, or told the name is
/// not there. So the join waits (briefly, bounded) for it to answer the
/// container's own name with its address — a plain DNS query for an A
/// record, from the host, where aardvark-dns listens on the gateway.
fn wait_for_dns(gateway: Ipv4Addr, name: &str) {
    let mut query = vec![0x57, 0x53, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.').filter(|l| !l.is_empty() && l.len() < 64) {
        query.push(label.len() as u8);
        query.extend_from_slice(label.as_bytes());
    }
    query.extend_from_slice(&[0, 0, 1, 0, 1]);
    let Ok(socket) = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)) else { return };
    if socket.connect((gateway, 53)).is_err() || socket.set_read_timeout(Some(std::time::Duration::from_millis(100))).is_err() {
        return;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut reply = [0u8; 512];
    while std::time::Instant::now() < deadline {
        // A refused query fails at once; an unanswered one after the timeout.
        // Only an answer with the address will do: until aardvark-dns has
        // read its records again, it answers for the old ones (no such name).
        let answered = |reply: &[u8]| reply.len() >= 8 && reply[..2] == query[..2] && reply[3] & 0x0f == 0 && u16::from_be_bytes([reply[6], reply[7]]) > 0;
        if socket.send(&query).is_ok() && socket.recv(&mut reply).is_ok_and(|n| answered(&reply[..n])) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Leaves one network (`network_id`), or all of them: netavark's teardown,
/// then the namespace is unpinned once nothing is joined. Safe to call
/// again, and for a container that never joined any.
pub fn leave(layout: &Layout, networks: &NetworkStore, id: &str, network_id: Option<&str>) {
    let dir = joins_dir(layout, id);
    let netns = netavark::netns_path(id);
    // Most containers never joined a network: no need for the host's lock.
    if !dir.exists() && !netns.exists() {
        return;
    }
    // Under the lock before looking, so two processes ending the same
    // container (its monitor, a `rm -f`) never tear one join down twice.
    let host = host::lock();
    let entries: Vec<PathBuf> = fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    for path in entries {
        if network_id.is_some_and(|n| path.file_stem().is_none_or(|s| s != n)) {
            continue;
        }
        let Some(options) = fs::read(&path).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok()) else { continue };
        let _ = netavark::run(&networks.netavark_dir(), "teardown", &netns, &options);
        let _ = fs::remove_file(&path);
        let network = path.file_stem().and_then(|s| networks.get(&s.to_string_lossy()).ok().flatten());
        if let Some(network) = network {
            crate::events::log(layout, network.event("disconnect").with("container", id));
        }
    }
    if let Ok(host) = &host {
        host.remove_shared_rules_if_unused();
    }
    let empty = fs::read_dir(&dir).map(|mut d| d.next().is_none()).unwrap_or(true);
    if empty {
        let _ = fs::remove_dir(&dir);
        netavark::unpin_netns(id);
    }
}

/// `/etc/resolv.conf` as Docker writes it: on a network with DNS its
/// server (aardvark-dns, on the gateway, where Docker's is 127.0.0.11),
/// else the host's servers that a container can reach (not 127.x).
pub fn resolv_conf(record: &ContainerRecord, networks: &NetworkStore) -> Option<String> {
    let host = fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let kept: Vec<&str> = host.lines().filter(|l| l.starts_with("search ") || l.starts_with("options ")).collect();
    let servers: Vec<&str> = host.lines().filter(|l| l.starts_with("nameserver ") && !l.contains(" 127.") && !l.contains(" ::1")).collect();
    match record.config.network {
        NetworkMode::Host => Some(host),
        NetworkMode::Bridge => {
            let first = record.state.endpoints.first()?;
            let network = networks.get(&first.network_id).ok().flatten()?;
            let mut out: Vec<String> = kept.iter().filter(|l| l.starts_with("search ")).map(|l| l.to_string()).collect();
            if network.dns_enabled() {
                out.push(format!("nameserver {}", first.gateway?));
                out.push("options ndots:0".into());
            } else {
                out.extend(servers.iter().map(|l| l.to_string()));
                out.extend(kept.iter().filter(|l| l.starts_with("options ")).map(|l| l.to_string()));
            }
            Some(out.join("\n") + "\n")
        }
        _ => None,
    }
}
