//! Podman's network backend, driven as Podman drives it: netavark's
//! `setup`/`teardown` with the container's network namespace and a JSON
//! description of the networks on stdin. netavark makes the bridge, the
//! veth pair, the addresses and the firewall rules, and starts
//! aardvark-dns, which answers the containers' names on each network with
//! DNS on (its records live under the config directory given here).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::host::HOST_DIR;
use crate::error::{Error, Result};

pub const NETAVARK: &str = "/usr/lib/podman/netavark";
pub const AARDVARK: &str = "/usr/lib/podman/aardvark-dns";

/// One network a container joins, in netavark's terms.
pub struct Join<'a> {
    pub network: &'a super::NetworkRecord,
    pub ip: std::net::Ipv4Addr,
    pub mac: String,
    pub aliases: Vec<String>,
}

/// netavark's options (its `NetworkOptions`) for a container joining one
/// network as interface `interface`. netavark knows a network by its
/// bridge's name, which is unique on the host, so its per-network chains
/// and DNS records never meet another root's.
pub fn options(container_id: &str, container_name: &str, interface: &str, join: &Join<'_>) -> Value {
    let n = join.network;
    let bridge = n.bridge.clone().unwrap_or_default();
    let subnets: Vec<Value> = n.subnet.map(|s| json!({"subnet": s.to_string(), "gateway": n.gateway.map(|g| g.to_string())})).into_iter().collect();
    json!({
        "container_id": container_id,
        "container_name": container_name,
        "networks": {&bridge: {"interface_name": interface, "static_ips": [join.ip.to_string()], "static_mac": join.mac, "aliases": join.aliases}},
        "network_info": {&bridge: {
            "name": bridge, "id": n.id, "driver": "bridge", "network_interface": bridge, "subnets": subnets,
            "ipv6_enabled": false, "internal": n.internal, "dns_enabled": n.dns_enabled(),
        }},
    })
}

/// Runs `netavark VERB NETNS` with `options`; its output (setup's status) as JSON.
pub fn run(config_dir: &Path, verb: &str, netns: &Path, options: &Value) -> Result<Value> {
    fs::create_dir_all(config_dir).map_err(Error::io("creating", config_dir))?;
    let mut child = Command::new(NETAVARK)
        .arg("--config")
        .arg(config_dir)
        .arg("--aardvark-binary")
        .arg(AARDVARK)
        .arg(verb)
        .arg(netns)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Network(format!("cannot run {NETAVARK} (install Debian's netavark and aardvark-dns: scripts/install-deps.sh): {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(options.to_string().as_bytes());
    }
    let out = child.wait_with_output().map_err(Error::io("waiting for", NETAVARK))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Network(format!("netavark {verb}: {}", err.trim())));
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap_or(Value::Null))
}

fn netns_dir() -> PathBuf {
    Path::new(HOST_DIR).join("netns")
}

/// Where a container's network namespace is kept open while it is set up.
pub fn netns_path(container_id: &str) -> PathBuf {
    netns_dir().join(container_id)
}

/// Keeps the network namespace of `pid` open at [`netns_path`], so a
/// teardown after its processes are gone still finds it (as Podman does).
pub fn pin_netns(container_id: &str, pid: i32) -> Result<PathBuf> {
    let dir = netns_dir();
    fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
    let path = netns_path(container_id);
    fs::write(&path, b"").map_err(Error::io("creating", &path))?;
    let source = format!("/proc/{pid}/ns/net");
    nix::mount::mount(Some(source.as_str()), &path, None::<&str>, nix::mount::MsFlags::MS_BIND, None::<&str>)
        .map_err(Error::sys("bind-mounting a network namespace"))?;
    Ok(path)
}

pub fn unpin_netns(container_id: &str) {
    let path = netns_path(container_id);
    let _ = nix::mount::umount2(&path, nix::mount::MntFlags::MNT_DETACH);
    let _ = fs::remove_file(&path);
}
