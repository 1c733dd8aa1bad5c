//! `docker pull`: copy an image from the hub into the store, layer by layer,
//! reusing layers the store already has.

use std::fs;

use crate::digest;
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::image::layer;
use crate::image::store::{ImageRecord, ImageStore, LayerInfo};
use crate::reference::Reference;

/// Progress of a pull, in the order Docker prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullEvent {
    /// `latest: Pulling from library/busybox`
    PullingFrom { tag: String, repository: String },
    /// `<12 hex>: <status>` — one layer (by its blob digest) moves on.
    Layer { short: String, status: LayerStatus },
    /// `Digest: sha256:…`
    Digest(String),
    /// A step of making an image the offline hub builds on first pull.
    Building(String),
}

/// Where one layer of a pull is, in Docker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerStatus {
    /// Another image brought this layer.
    AlreadyExists,
    PullingFsLayer,
    /// Queued behind the other downloads (`max-concurrent-downloads`).
    Waiting,
    /// Bytes of the compressed blob received so far, of `total`.
    Downloading {
        current: u64,
        total: u64,
    },
    VerifyingChecksum,
    DownloadComplete,
    /// Bytes of the compressed blob unpacked so far, of `total`.
    Extracting {
        current: u64,
        total: u64,
    },
    PullComplete,
}

impl LayerStatus {
    /// Docker's words for this status (without the progress bar).
    pub fn words(&self) -> &'static str {
        match self {
            LayerStatus::AlreadyExists => "Already exists",
            LayerStatus::PullingFsLayer => "Pulling fs layer",
            LayerStatus::Waiting => "Waiting",
            LayerStatus::Downloading { .. } => "Downloading",
            LayerStatus::VerifyingChecksum => "Verifying Checksum",
            LayerStatus::DownloadComplete => "Download complete",
            LayerStatus::Extracting { .. } => "Extracting",
            LayerStatus::PullComplete => "Pull complete",
        }
    }

    /// (done, total) for the statuses Docker draws a bar for.
    pub fn progress(&self) -> Option<(u64, u64)> {
        match *self {
            LayerStatus::Downloading { current, total } | LayerStatus::Extracting { current, total } => Some((current, total)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PullOutcome {
    pub image: ImageRecord,
    /// False when the store already had this exact image under this tag.
    pub downloaded: bool,
}

pub fn pull(store: &ImageStore, hub: &Hub, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
    hub.check(reference)?;
    on_event(PullEvent::PullingFrom { tag: reference.tag_or_latest().to_owned(), repository: reference.path.clone() });
    let remote = hub.fetch(reference, on_event)?;
    if let Some(existing) = store.by_reference(reference)? {
        if existing.manifest_digest == remote.manifest_digest {
            on_event(PullEvent::Digest(remote.manifest_digest.clone()));
            return Ok(PullOutcome { image: existing, downloaded: false });
        }
    }
    let diff_ids = remote.config.rootfs().diff_ids();
    let mut layers = Vec::new();
    for (desc, diff_id) in remote.manifest.layers().iter().zip(diff_ids) {
        let blob_digest = desc.digest().to_string();
        let short = digest::short(&blob_digest).to_owned();
        let dest = store.layout().layer_dir(diff_id);
        let size = if store.has_layer(diff_id) {
            on_event(PullEvent::Layer { short, status: LayerStatus::AlreadyExists });
            crate::fsutil::dir_size(&dest)
        } else {
            let src = hub.blob(&blob_digest);
            let stored = store.layout().blob(&blob_digest);
            if !stored.exists() {
                let bytes = fs::read(&src).map_err(Error::io("reading hub blob", &src))?;
                store.put_blob(&blob_digest, &bytes)?;
            }
            let (actual, size) = layer::unpack(&stored, &dest)?;
            if actual != *diff_id {
                let _ = crate::fsutil::remove_tree(&dest);
                return Err(Error::Corrupt { what: "layer", path: stored, detail: format!("diffID {actual}, config says {diff_id}") });
            }
            on_event(PullEvent::Layer { short, status: LayerStatus::PullComplete });
            size
        };
        layers.push(LayerInfo { digest: blob_digest, diff_id: diff_id.clone(), size });
    }
    let config_bytes = fs::read(hub.blob(&remote.config_digest)).map_err(Error::io("reading hub blob", hub.blob(&remote.config_digest)))?;
    store.put_blob(&remote.config_digest, &config_bytes)?;
    let manifest_bytes = fs::read(hub.blob(&remote.manifest_digest)).map_err(Error::io("reading hub blob", hub.blob(&remote.manifest_digest)))?;
    store.put_blob(&remote.manifest_digest, &manifest_bytes)?;
    let image = ImageRecord {
        id: remote.config_digest.clone(),
        manifest_digest: remote.manifest_digest.clone(),
        layers,
        created: remote.config.created().as_deref().and_then(|c| c.parse().ok()),
        repo_digests: vec![format!("{}@{}", reference.familiar_name(), remote.manifest_digest)],
        intermediate: false,
    };
    store.add(image.clone(), Some(reference))?;
    on_event(PullEvent::Digest(remote.manifest_digest));
    Ok(PullOutcome { image, downloaded: true })
}
