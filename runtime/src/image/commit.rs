//! `docker commit`: a container's writable layer becomes an image layer.
//! The clearest way to see that a layer is just a diff: the files the
//! container added or changed, and whiteouts for the ones it deleted.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use libcontainer::oci_spec::image::{Arch, Config, HistoryBuilder, ImageConfigurationBuilder, ImageManifest, MediaType, Os};

use crate::container::ContainerRecord;
use crate::digest::sha256;
use crate::error::{Error, Result};
use crate::image::config::ContainerConfig;
use crate::image::store::{ImageRecord, ImageStore, LayerInfo};
use crate::image::{layer, manifest};
use crate::reference::Reference;

/// What `docker commit` records besides the layer: the new image's tag,
/// history comment and author, and the `-c` instructions applied to the
/// container's config.
pub struct CommitOptions<'a> {
    pub tag: Option<&'a Reference>,
    pub comment: Option<&'a str>,
    pub author: Option<&'a str>,
    pub changes: &'a [String],
}

/// Makes an image of `container`'s image plus its writable layer, whose
/// config is `config` (the container's, as Docker's commit keeps it) changed
/// by the `-c` instructions (those `docker import -c` takes). Returns the new image.
pub fn commit(store: &ImageStore, container: &ContainerRecord, config: &ContainerConfig, options: &CommitOptions<'_>) -> Result<ImageRecord> {
    // Refused changes fail before any layer is written.
    let mut config = config.clone();
    crate::image::change::apply_changes(&mut config, options.changes)?;
    let parent = store.get(&container.image_id)?.ok_or_else(|| Error::NoSuchImage(container.image_id.clone()))?;
    let upper = store.layout().container_dir(&container.id).join("upper");
    let layer = layer_from_dir(store, &upper, Clock::Now)?;
    let created_by = container.config.args.join(" ");
    let entry = Entry { created_by: &created_by, comment: options.comment, author: options.author };
    let image = derive_image(store, Clock::Now, Some(&parent), Some(layer), entry, |inner| *inner = config)?;
    let image = ImageRecord { intermediate: false, ..image };
    store.add_named(image.clone(), options.tag)?;
    Ok(image)
}

/// The time a new image and its layer files are stamped with: now, or a
/// fixed time (Docker's SOURCE_DATE_EPOCH) so the same inputs always give
/// the same digests, as the offline hub needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    Now,
    Fixed(DateTime<Utc>),
}

impl Clock {
    fn now(self) -> DateTime<Utc> {
        match self {
            Clock::Now => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }

    /// Files newer than a fixed time are clamped to it, as BuildKit does.
    fn file_time(self, mtime: u64) -> u64 {
        match self {
            Clock::Now => mtime,
            Clock::Fixed(t) => mtime.min(t.timestamp().max(0) as u64),
        }
    }
}

/// Turns a directory holding a diff (a container's writable layer, or files
/// staged by COPY) into a stored, unpacked layer.
pub fn layer_from_dir(store: &ImageStore, dir: &Path, clock: Clock) -> Result<LayerInfo> {
    let layout = store.layout();
    let (digest, diff_id, _) =
        layer::write_blob(&layout.blobs_dir(), |tar| append_diff(tar, dir, Path::new(""), clock).map_err(Error::io("reading layer files in", dir)))?;
    let blob = layout.blob(&digest);
    let dest = layout.layer_dir(&diff_id);
    let size = if dest.exists() { crate::fsutil::dir_size(&dest) } else { layer::unpack(&blob, &dest)?.1 };
    Ok(LayerInfo { digest, diff_id, size })
}

/// The history line of a new image, and who made it (Docker's `Author`,
/// never inherited from the parent).
pub struct Entry<'a> {
    pub created_by: &'a str,
    pub comment: Option<&'a str>,
    pub author: Option<&'a str>,
}

/// A new image: `parent` (none: FROM scratch) plus an optional layer, its
/// config changed by `edit`, and one more history line. Stored, not tagged.
pub fn derive_image(
    store: &ImageStore,
    clock: Clock,
    parent: Option<&ImageRecord>,
    layer: Option<LayerInfo>,
    entry: Entry<'_>,
    edit: impl FnOnce(&mut ContainerConfig),
) -> Result<ImageRecord> {
    let Entry { created_by, comment, author } = entry;
    let layout = store.layout().clone();
    let bad = |e: String| Error::Spec(e);
    let now = clock.now();
    let mut config = match parent {
        Some(p) => store.config(p)?,
        None => ImageConfigurationBuilder::default().architecture(Arch::Amd64).os(Os::Linux).build().map_err(|e| bad(e.to_string()))?,
    };
    let mut rootfs = config.rootfs().clone();
    let mut diff_ids = rootfs.diff_ids().clone();
    if let Some(l) = &layer {
        diff_ids.push(l.diff_id.clone());
    }
    rootfs.set_diff_ids(diff_ids);
    config.set_rootfs(rootfs);
    config.set_created(Some(now.to_rfc3339_opts(SecondsFormat::Nanos, true)));
    config.set_author(author.map(str::to_owned));
    let mut inner = match parent {
        Some(p) => store.container_config(p)?,
        None => ContainerConfig::default(),
    };
    edit(&mut inner);
    // A placeholder keeps `config` where OCI puts it; Docker's fields go in below.
    config.set_config(Some(Config::default()));
    let mut history = config.history().clone().unwrap_or_default();
    let mut entry = HistoryBuilder::default().created(now.to_rfc3339_opts(SecondsFormat::Nanos, true)).created_by(created_by.to_owned());
    if let Some(c) = comment {
        entry = entry.comment(c.to_owned());
    }
    if layer.is_none() {
        entry = entry.empty_layer(true);
    }
    history.push(entry.build().map_err(|e| bad(e.to_string()))?);
    config.set_history(Some(history));
    let mut whole = serde_json::to_value(&config).map_err(|e| bad(e.to_string()))?;
    whole["config"] = serde_json::to_value(&inner).map_err(|e| bad(e.to_string()))?;
    let config_bytes = serde_json::to_vec(&whole).map_err(|e| bad(e.to_string()))?;
    let config_digest = sha256(&config_bytes);
    store.put_blob(&config_digest, &config_bytes)?;

    let mut descriptors = match parent {
        Some(p) => {
            let bytes = crate::image::store::read_blob(&layout, &p.manifest_digest)?;
            ImageManifest::from_reader(bytes.as_slice()).map_err(|e| bad(e.to_string()))?.layers().clone()
        }
        None => Vec::new(),
    };
    if let Some(l) = &layer {
        let size = fs::metadata(layout.blob(&l.digest)).map(|m| m.len()).unwrap_or(0);
        descriptors.push(manifest::descriptor(MediaType::ImageLayerGzip, &l.digest, size)?);
    }
    let (manifest_bytes, manifest_digest) = manifest::manifest(&config_digest, config_bytes.len() as u64, descriptors)?;
    store.put_blob(&manifest_digest, &manifest_bytes)?;
    let mut layers = parent.map(|p| p.layers.clone()).unwrap_or_default();
    layers.extend(layer);
    let record = ImageRecord {
        id: config_digest,
        manifest_digest,
        layers,
        created: Some(now),
        repo_digests: Vec::new(),
        intermediate: true,
        parent: parent.map(|p| p.id.clone()),
    };
    store.add(record.clone(), None)?;
    Ok(record)
}

/// Adds `dir` (a writable layer) to the tar under `prefix`, turning
/// overlayfs's deletion marks back into the `.wh.` entries of the layer
/// format. Symlinks are stored as links; times as `clock` says.
pub fn append_diff<W: std::io::Write>(tar: &mut tar::Builder<W>, dir: &Path, prefix: &Path, clock: Clock) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = prefix.join(entry.file_name());
        let meta = fs::symlink_metadata(&path)?;
        if meta.file_type().is_char_device() && meta.rdev() == 0 {
            let whiteout = prefix.join(format!(".wh.{}", entry.file_name().to_string_lossy()));
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(0);
            h.set_mode(0o644);
            tar.append_data(&mut h, whiteout, std::io::empty())?;
            continue;
        }
        let kind = meta.file_type();
        if kind.is_socket() {
            continue; // not archivable; Docker leaves them out too
        }
        let mut h = tar::Header::new_gnu();
        h.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
        h.set_mtime(clock.file_time(h.mtime()?));
        if kind.is_file() {
            tar.append_data(&mut h, &name, fs::File::open(&path)?)?;
        } else if kind.is_symlink() {
            tar.append_link(&mut h, &name, fs::read_link(&path)?)?;
        } else {
            if kind.is_char_device() || kind.is_block_device() {
                h.set_device_major(nix::sys::stat::major(meta.rdev()) as u32)?;
                h.set_device_minor(nix::sys::stat::minor(meta.rdev()) as u32)?;
            }
            tar.append_data(&mut h, &name, std::io::empty())?;
        }
        if meta.is_dir() {
            if xattr::get(&path, "trusted.overlay.opaque").ok().flatten().as_deref() == Some(b"y") {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(0);
                h.set_mode(0o644);
                tar.append_data(&mut h, name.join(".wh..wh..opq"), std::io::empty())?;
            }
            append_diff(tar, &path, &name, clock)?;
        }
    }
    Ok(())
}
