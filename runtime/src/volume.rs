//! Volumes: named directories under `ROOT/volumes/<name>/_data` that outlive
//! the containers using them, and the parsing of `-v` and `--mount`.

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{read_json, remove_tree, write_json_atomic, StateLock};
use crate::layout::Layout;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    Bind,
    Volume,
}

/// One mount a container asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountSpec {
    pub kind: MountKind,
    /// A host path (bind) or a volume name (volume).
    pub source: String,
    pub target: String,
    pub readonly: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Volume {
    pub name: String,
    pub created: DateTime<Utc>,
    /// Made for one container (`-v /dir`), not named by the user.
    pub anonymous: bool,
}

/// Docker's `-v` forms: `/host:/ctr[:ro|rw]`, `name:/ctr[:ro|rw]`, `/ctr`.
pub fn parse_volume_flag(text: &str) -> Result<MountSpec> {
    let invalid = || Error::Spec(format!("invalid volume specification: '{text}'"));
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => ("", *target, ""),
        [source, target] => (*source, *target, ""),
        [source, target, mode] => (*source, *target, *mode),
        _ => return Err(invalid()),
    };
    if !target.starts_with('/') {
        return Err(Error::Spec(format!(
            "invalid volume specification: '{text}': invalid mount config for type \"volume\": invalid mount path: '{target}' mount path must be absolute"
        )));
    }
    let readonly = match mode {
        "" | "rw" => false,
        "ro" => true,
        _ => return Err(invalid()),
    };
    let kind = if source.starts_with('/') || source.starts_with('.') { MountKind::Bind } else { MountKind::Volume };
    if kind == MountKind::Volume && !source.is_empty() && !valid_name(source) {
        return Err(Error::Spec(format!(
            "create {source}: \"{source}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
        )));
    }
    Ok(MountSpec { kind, source: source.to_owned(), target: target.to_owned(), readonly })
}

/// Docker's `--mount type=bind|volume,source=…,target=…[,readonly]`.
pub fn parse_mount_flag(text: &str) -> Result<MountSpec> {
    let mut kind = MountKind::Volume;
    let (mut source, mut target, mut readonly) = (String::new(), None, false);
    for field in text.split(',') {
        let (key, value) = field.split_once('=').map_or((field, None), |(k, v)| (k, Some(v)));
        match (key, value) {
            ("type", Some("bind")) => kind = MountKind::Bind,
            ("type", Some("volume")) => kind = MountKind::Volume,
            ("type", Some(other)) => {
                return Err(Error::Spec(format!("invalid argument \"{text}\" for \"--mount\" flag: mount type '{other}' is not supported yet")))
            }
            ("source" | "src", Some(v)) => source = v.to_owned(),
            ("target" | "destination" | "dst", Some(v)) => target = Some(v.to_owned()),
            ("readonly" | "ro", None | Some("true" | "1")) => readonly = true,
            ("readonly" | "ro", Some("false" | "0")) => readonly = false,
            _ => return Err(Error::Spec(format!("invalid argument \"{text}\" for \"--mount\" flag: unexpected key '{key}' in '{field}'"))),
        }
    }
    let target = target.ok_or_else(|| Error::Spec("invalid argument for \"--mount\" flag: target is required".into()))?;
    if kind == MountKind::Bind {
        if source.is_empty() {
            return Err(Error::Spec("invalid argument for \"--mount\" flag: source is required for a bind mount".into()));
        }
        if !PathBuf::from(&source).exists() {
            return Err(Error::Spec(format!("invalid mount config for type \"bind\": bind source path does not exist: {source}")));
        }
    }
    Ok(MountSpec { kind, source, target, readonly })
}

fn valid_name(name: &str) -> bool {
    crate::container::names::is_valid(name) && name.len() > 1
}

pub struct VolumeStore {
    layout: Layout,
}

impl VolumeStore {
    pub fn new(layout: Layout) -> VolumeStore {
        VolumeStore { layout }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.layout.root().join("volumes").join(name)
    }

    /// Where a volume's files are on the host.
    pub fn data_dir(&self, name: &str) -> PathBuf {
        self.dir(name).join("_data")
    }

    /// Creates a volume (no-op when it exists); None for a name makes an anonymous one.
    pub fn create(&self, name: Option<&str>) -> Result<Volume> {
        let (name, anonymous) = match name {
            Some(n) if !valid_name(n) => {
                return Err(Error::Spec(format!(
                    "create {n}: \"{n}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed"
                )))
            }
            Some(n) => (n.to_owned(), false),
            None => {
                let mut bytes = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut bytes);
                (hex::encode(bytes), true)
            }
        };
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        if let Some(existing) = self.get(&name)? {
            return Ok(existing);
        }
        let data = self.data_dir(&name);
        fs::create_dir_all(&data).map_err(Error::io("creating volume", &data))?;
        let volume = Volume { name, created: Utc::now(), anonymous };
        write_json_atomic(&self.dir(&volume.name).join("volume.json"), &volume)?;
        crate::events::log(&self.layout, crate::events::Event::volume("create", &volume.name));
        Ok(volume)
    }

    pub fn get(&self, name: &str) -> Result<Option<Volume>> {
        if !valid_name(name) {
            return Ok(None);
        }
        read_json(&self.dir(name).join("volume.json"), "volume record")
    }

    pub fn list(&self) -> Result<Vec<Volume>> {
        let dir = self.layout.root().join("volumes");
        let mut out = Vec::new();
        if let Ok(entries) = fs::read_dir(&dir) {
            for e in entries.flatten() {
                if let Some(v) = read_json::<Volume>(&e.path().join("volume.json"), "volume record")? {
                    out.push(v);
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Removes a volume and its files. The caller checks it is unused.
    pub fn remove(&self, name: &str) -> Result<()> {
        if self.get(name)?.is_none() {
            return Err(Error::NoSuchVolume(name.to_owned()));
        }
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        let _ = fs::remove_file(self.dir(name).join("volume.json"));
        remove_tree(&self.dir(name))?;
        crate::events::log(&self.layout, crate::events::Event::volume("destroy", name));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_flags() {
        let bind = parse_volume_flag("/srv/www:/www:ro").unwrap();
        assert_eq!((bind.kind, bind.source.as_str(), bind.target.as_str(), bind.readonly), (MountKind::Bind, "/srv/www", "/www", true));
        let named = parse_volume_flag("data:/data").unwrap();
        assert_eq!((named.kind, named.source.as_str()), (MountKind::Volume, "data"));
        let anonymous = parse_volume_flag("/cache").unwrap();
        assert_eq!((anonymous.kind, anonymous.source.as_str()), (MountKind::Volume, ""));
        assert!(parse_volume_flag("data:relative").is_err());
        assert!(parse_volume_flag("a:/b:xx").is_err());
    }

    #[test]
    fn mount_flags() {
        let m = parse_mount_flag("type=volume,source=data,target=/data,readonly").unwrap();
        assert_eq!((m.kind, m.source.as_str(), m.target.as_str(), m.readonly), (MountKind::Volume, "data", "/data", true));
        let b = parse_mount_flag("type=bind,src=/tmp,dst=/host-tmp").unwrap();
        assert_eq!((b.kind, b.target.as_str(), b.readonly), (MountKind::Bind, "/host-tmp", false));
        assert!(parse_mount_flag("type=bind,source=/no/such/dir,target=/x").is_err());
        assert!(parse_mount_flag("source=data").is_err());
    }
}
