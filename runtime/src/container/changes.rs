//! `docker diff`: what a container changed, read from its writable layer
//! (overlayfs's upper directory) against the image's layers below it.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::container::ContainerRecord;
use crate::layout::Layout;

/// Docker's letters: `A` added, `C` changed, `D` deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Changed,
    Deleted,
}

impl Kind {
    pub fn letter(self) -> char {
        match self {
            Kind::Added => 'A',
            Kind::Changed => 'C',
            Kind::Deleted => 'D',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    /// Absolute inside the container, e.g. `/etc/hosts`.
    pub path: String,
    pub is_dir: bool,
}

/// Every path in the container's writable layer, sorted: a 0/0 character
/// device is overlayfs's mark of a deletion; anything the image's layers
/// also have is a change (directories holding changes included, as Docker
/// lists them); the rest was added.
pub fn of(layout: &Layout, container: &ContainerRecord) -> Vec<Change> {
    let upper = layout.container_dir(&container.id).join("upper");
    let lower: Vec<PathBuf> = container.layers.iter().map(|l| layout.layer_dir(l)).collect();
    let mut out = Vec::new();
    let mut stack = vec![upper.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else { continue };
            let rel = entry.path().strip_prefix(&upper).map(Path::to_path_buf).unwrap_or_default();
            let in_image = lower.iter().any(|l| l.join(&rel).symlink_metadata().is_ok());
            let kind = if meta.file_type().is_char_device() && meta.rdev() == 0 {
                Kind::Deleted
            } else if in_image {
                Kind::Changed
            } else {
                Kind::Added
            };
            if meta.is_dir() {
                stack.push(entry.path());
            }
            out.push(Change { kind, path: format!("/{}", rel.display()), is_dir: meta.is_dir() });
        }
    }
    // A directory, then what is in it, each level by name.
    out.sort_by(|a, b| Path::new(&a.path).components().cmp(Path::new(&b.path).components()));
    out
}
