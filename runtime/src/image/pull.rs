//! `docker pull`: where images come from (an [`ImageSource`]: a registry,
//! the offline hub) and the progress a pull reports, in Docker's words.
//! Sources depend on this module, never the other way round.

use crate::error::Result;
use crate::image::store::{ImageRecord, ImageStore};
use crate::reference::Reference;

/// Something images can be pulled from into a store.
pub trait ImageSource {
    /// Copies `reference` into `store`, layer by layer, reusing the layers
    /// the store already has; tags it there.
    fn pull(&self, store: &ImageStore, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome>;
}

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
