//! Networks: Docker's `bridge`, `host` and `none`, and the user's bridge
//! networks, kept as records under `ROOT/networks/<id>.json`. A bridge
//! network's bridge name and subnet are the host's, handed out host-wide
//! (see [`host`]); netavark makes the network real when a container joins
//! it (see [`netavark`] and `container::net`).

pub mod host;
pub mod netavark;
pub mod subnet;

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{read_json, write_json_atomic, StateLock};
use crate::layout::Layout;
pub use subnet::Subnet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Driver {
    Bridge,
    Host,
    Null,
}

impl Driver {
    pub fn as_str(self) -> &'static str {
        match self {
            Driver::Bridge => "bridge",
            Driver::Host => "host",
            Driver::Null => "null",
        }
    }
}

/// The networks every engine has, as Docker names them.
pub const PREDEFINED: [(&str, Driver); 3] = [("bridge", Driver::Bridge), ("host", Driver::Host), ("none", Driver::Null)];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkRecord {
    /// 64 hex digits.
    pub id: String,
    pub name: String,
    pub driver: Driver,
    pub created: DateTime<Utc>,
    pub subnet: Option<Subnet>,
    pub gateway: Option<Ipv4Addr>,
    /// Whether Docker shows the gateway in IPAM.Config: asked for, or
    /// chosen for a user network (not for `--subnet` alone, nor the default bridge).
    #[serde(default)]
    pub show_gateway: bool,
    /// Its subnet was given (`--subnet`): only then may a container ask for an `--ip`, as in Docker.
    #[serde(default)]
    pub configured_subnet: bool,
    #[serde(default)]
    pub internal: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The host's bridge for it (bridge driver only).
    pub bridge: Option<String>,
    /// One of [`PREDEFINED`].
    #[serde(default)]
    pub predefined: bool,
}

impl NetworkRecord {
    pub fn short_id(&self) -> &str {
        &self.id[..12]
    }

    pub fn event(&self, action: &str) -> crate::events::Event {
        crate::events::Event::network(action, &self.id, &self.name, self.driver.as_str())
    }

    /// Containers find each other by name on user networks only, as in Docker.
    pub fn dns_enabled(&self) -> bool {
        self.driver == Driver::Bridge && !self.predefined
    }
}

/// What `docker network create` asks for.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub name: String,
    /// `-d`; None is bridge.
    pub driver: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
}

pub(crate) fn record_path(root: &Path, id: &str) -> PathBuf {
    root.join("networks").join(format!("{id}.json"))
}

pub struct NetworkStore {
    layout: Layout,
}

impl NetworkStore {
    pub fn new(layout: Layout) -> NetworkStore {
        NetworkStore { layout }
    }

    fn dir(&self) -> PathBuf {
        self.layout.root().join("networks")
    }

    /// netavark's config directory for this root (aardvark-dns's records live there).
    pub fn netavark_dir(&self) -> PathBuf {
        self.layout.root().join("netavark")
    }

    /// Every network, by name, Docker's three predefined ones made first when missing.
    pub fn list(&self) -> Result<Vec<NetworkRecord>> {
        let mut all = self.list_unlocked()?;
        if PREDEFINED.iter().any(|(name, _)| !all.iter().any(|n| n.predefined && n.name == *name)) {
            let _lock = StateLock::acquire(&self.layout.lock_file())?;
            all = self.list_unlocked()?;
            for (name, driver) in PREDEFINED {
                if !all.iter().any(|n| n.predefined && n.name == name) {
                    all.push(self.make(name, driver, None, None, false, BTreeMap::new(), true)?);
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    fn list_unlocked(&self) -> Result<Vec<NetworkRecord>> {
        let entries = match fs::read_dir(self.dir()) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("listing networks", self.dir())(e)),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") && !entry.file_name().to_string_lossy().starts_with('.') {
                if let Some(record) = read_json::<NetworkRecord>(&path, "network record")? {
                    out.push(record);
                }
            }
        }
        Ok(out)
    }

    /// As Docker finds a network: full ID, exact name, then unique ID prefix.
    pub fn find(&self, id_or_name: &str) -> Result<NetworkRecord> {
        let all = self.list()?;
        if let Some(n) = all.iter().find(|n| n.id == id_or_name).or_else(|| all.iter().find(|n| n.name == id_or_name)) {
            return Ok(n.clone());
        }
        let matches: Vec<&NetworkRecord> = all.iter().filter(|n| !id_or_name.is_empty() && n.id.starts_with(id_or_name)).collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::NoSuchNetwork(id_or_name.to_owned())),
            _ => Err(Error::Network(format!("network {id_or_name} is ambiguous ({} matches found based on ID prefix)", matches.len()))),
        }
    }

    pub fn get(&self, id: &str) -> Result<Option<NetworkRecord>> {
        read_json(&record_path(self.layout.root(), id), "network record")
    }

    /// `docker network create`, with Docker's checks and words.
    pub fn create(&self, options: &CreateOptions) -> Result<NetworkRecord> {
        let driver = match options.driver.as_deref() {
            None | Some("bridge") => Driver::Bridge,
            Some(d @ ("host" | "null")) => return Err(Error::Network(format!("only one instance of \"{d}\" network is allowed"))),
            Some(d @ ("overlay" | "macvlan" | "ipvlan")) => {
                return Err(Error::Network(format!("Whaleshell has bridge networks only, not the {d} driver")));
            }
            Some(d) => return Err(Error::Network(format!("plugin \"{d}\" not found"))),
        };
        let subnet = options
            .subnet
            .as_deref()
            .map(|s| s.parse::<Subnet>().map_err(|_| Error::Network(format!("Invalid subnet {s} : invalid CIDR address: {s}"))))
            .transpose()?;
        let gateway = match options.gateway.as_deref() {
            None => None,
            Some(g) => Some(g.parse::<Ipv4Addr>().map_err(|_| Error::Network(format!("invalid gateway address {g}")))?),
        };
        match (subnet, gateway) {
            (None, Some(_)) => return Err(Error::Network("every ip-range or gateway must have a corresponding subnet".into())),
            (Some(s), Some(g)) if !s.contains(g) => return Err(Error::Network(format!("no matching subnet for gateway {g}"))),
            _ => {}
        }
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        if self.list_unlocked()?.iter().any(|n| n.name == options.name) || PREDEFINED.iter().any(|(p, _)| *p == options.name) {
            return Err(Error::Network(format!("network with name {} already exists", options.name)));
        }
        let mut record = self.make(&options.name, driver, subnet, gateway, options.internal, options.labels.clone(), false)?;
        // Docker shows the gateway it chose for a user network, not one --subnet implies.
        record.show_gateway = gateway.is_some() || subnet.is_none();
        record.configured_subnet = subnet.is_some();
        write_json_atomic(&record_path(self.layout.root(), &record.id), &record)?;
        crate::events::log(&self.layout, record.event("create"));
        Ok(record)
    }

    /// A new record, written; a bridge gets its subnet and bridge name host-wide.
    #[allow(clippy::too_many_arguments)]
    fn make(
        &self,
        name: &str,
        driver: Driver,
        subnet: Option<Subnet>,
        gateway: Option<Ipv4Addr>,
        internal: bool,
        labels: BTreeMap<String, String>,
        predefined: bool,
    ) -> Result<NetworkRecord> {
        let id = crate::id::new_id();
        let mut record = NetworkRecord {
            id: id.clone(),
            name: name.to_owned(),
            driver,
            created: Utc::now(),
            subnet: None,
            gateway: None,
            show_gateway: false,
            configured_subnet: false,
            internal,
            labels,
            bridge: None,
            predefined,
        };
        if driver == Driver::Bridge {
            // Under the host lock until the record is written, so no other
            // root takes the entry for a stale one meanwhile.
            let host = host::lock()?;
            let entry = host.allocate(self.layout.root(), &id, subnet)?;
            record.gateway = Some(gateway.unwrap_or_else(|| entry.subnet.first_host()));
            record.subnet = Some(entry.subnet);
            record.bridge = Some(entry.bridge);
            write_json_atomic(&record_path(self.layout.root(), &id), &record)?;
        } else {
            write_json_atomic(&record_path(self.layout.root(), &id), &record)?;
        }
        Ok(record)
    }

    /// Removes a network's record and gives its subnet back to the host.
    /// Whether containers still use it is the caller's to check.
    pub fn remove(&self, record: &NetworkRecord) -> Result<()> {
        if record.predefined {
            return Err(Error::Network(format!("{} is a pre-defined network and cannot be removed", record.name)));
        }
        let path = record_path(self.layout.root(), &record.id);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("removing network", path)(e)),
        }
        if record.bridge.is_some() {
            host::lock()?.release(&record.id)?;
        }
        crate::events::log(&self.layout, record.event("destroy"));
        Ok(())
    }
}
