//! Where everything lives under a state root (default `/var/lib/whaleshell`).
//!
//! ```text
//! ROOT/blobs/sha256/<hex>      content-addressed blobs: layers, configs, manifests
//! ROOT/layers/<diffid hex>/    each layer unpacked once, shared by every image that has it
//! ROOT/images.json             tags and image records
//! ROOT/containers/<id>/        a container's record, writable layer, bundle and logs
//! ROOT/hub/                    the offline hub: images built from runtime/fixtures/hub recipes
//! ROOT/run/                    libcontainer's own state
//! ROOT/daemon.json             Docker's daemon settings (registry-mirrors, default-pids-limit …)
//! ROOT/events.jsonl            the event log (see `events`)
//! ROOT/routes/<owner>.json     registry hosts a local server stands in for (see `routes`)
//! ROOT/lab/ecr/                the ECR lab (crate whaleshell-ecr)
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const DEFAULT_ROOT: &str = "/var/lib/whaleshell";

#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// Opens (creating if needed) a state root. The root is made absolute
    /// because overlayfs and libcontainer need absolute paths.
    pub fn open(root: impl AsRef<Path>) -> Result<Layout> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(Error::io("creating state root", root))?;
        let root = std::fs::canonicalize(root).map_err(Error::io("resolving state root", root))?;
        Ok(Layout { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs/sha256")
    }

    /// Path of a blob by its digest (`sha256:<hex>`).
    pub fn blob(&self, digest: &str) -> PathBuf {
        self.blobs_dir().join(digest.trim_start_matches("sha256:"))
    }

    pub fn layers_dir(&self) -> PathBuf {
        self.root.join("layers")
    }

    pub fn layer_dir(&self, diff_id: &str) -> PathBuf {
        self.layers_dir().join(diff_id.trim_start_matches("sha256:"))
    }

    pub fn images_file(&self) -> PathBuf {
        self.root.join("images.json")
    }

    pub fn containers_dir(&self) -> PathBuf {
        self.root.join("containers")
    }

    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.containers_dir().join(id)
    }

    /// A container's output, in Docker's json-file log format.
    pub fn container_log(&self, id: &str) -> PathBuf {
        self.container_dir(id).join(format!("{id}-json.log"))
    }

    pub fn hub_dir(&self) -> PathBuf {
        self.root.join("hub")
    }

    pub fn libcontainer_dir(&self) -> PathBuf {
        self.root.join("run")
    }

    /// `ROOT/daemon.json`, Docker's daemon settings file (none: no settings).
    pub fn daemon_settings(&self) -> serde_json::Value {
        let path = self.root.join("daemon.json");
        std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    pub fn lock_file(&self) -> PathBuf {
        self.root.join("lock")
    }
}
