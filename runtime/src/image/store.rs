//! The local image store: tags → image IDs → image records, in one JSON
//! file written atomically under the state lock.

use std::collections::BTreeMap;
use std::fs;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::digest;
use crate::error::{Error, Result};
use crate::fsutil::{read_json, remove_tree, write_json_atomic, StateLock};
use crate::layout::Layout;
use crate::reference::Reference;

/// One layer of an image, as the manifest and config describe it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LayerInfo {
    /// Digest of the blob as stored (compressed).
    pub digest: String,
    /// Digest of the uncompressed tar: names the unpacked directory.
    pub diff_id: String,
    /// Size of the unpacked files.
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageRecord {
    /// `sha256:` digest of the image config: Docker's IMAGE ID.
    pub id: String,
    pub manifest_digest: String,
    /// Bottom layer first.
    pub layers: Vec<LayerInfo>,
    pub created: Option<DateTime<Utc>>,
    /// `name@sha256:…` digests this image is known by in registries.
    #[serde(default)]
    pub repo_digests: Vec<String>,
    /// Made by a build step on the way to another image: `docker images`
    /// shows it only with `-a` while it has no name.
    #[serde(default)]
    pub intermediate: bool,
    /// The local image this one was made on (a build's previous step, a
    /// committed container's image): Docker's `Parent`, which `docker
    /// history` follows. None for a pulled, loaded or imported image.
    #[serde(default)]
    pub parent: Option<String>,
}

impl ImageRecord {
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    /// Full reference (`docker.io/library/busybox:latest`) → image ID.
    tags: BTreeMap<String, String>,
    images: BTreeMap<String, ImageRecord>,
}

impl Index {
    /// Points `tag` at image `id`. An image the tag moves off that has no
    /// other name stays, dangling: `<none>` in `docker images`, as Docker
    /// leaves it (a build step's image too, once it was a build's result).
    fn point(&mut self, tag: &Reference, id: &str) {
        let previous = self.tags.insert(tag.full(), id.to_owned());
        if let Some(old) = previous.filter(|old| old != id) {
            if !self.tags.values().any(|other| *other == old) {
                if let Some(record) = self.images.get_mut(&old) {
                    record.intermediate = false;
                }
            }
        }
    }
}

/// An image with the tags that point at it, for listings.
#[derive(Debug, Clone)]
pub struct TaggedImage {
    pub record: ImageRecord,
    pub tags: Vec<Reference>,
}

/// What removing a reference or an image did, in Docker's order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Removal {
    pub untagged: Vec<String>,
    pub deleted: Vec<String>,
}

pub struct ImageStore {
    layout: Layout,
}

impl ImageStore {
    pub fn new(layout: Layout) -> ImageStore {
        ImageStore { layout }
    }

    fn load(&self) -> Result<Index> {
        Ok(read_json(&self.layout.images_file(), "image index")?.unwrap_or_default())
    }

    /// Runs `change` on the index under the state lock and saves it.
    fn update<T>(&self, change: impl FnOnce(&mut Index) -> Result<T>) -> Result<T> {
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        let mut index = self.load()?;
        let out = change(&mut index)?;
        write_json_atomic(&self.layout.images_file(), &index)?;
        Ok(out)
    }

    pub fn list(&self) -> Result<Vec<TaggedImage>> {
        let index = self.load()?;
        let mut out: Vec<TaggedImage> = index
            .images
            .values()
            .map(|record| TaggedImage {
                record: record.clone(),
                tags: index.tags.iter().filter(|(_, id)| **id == record.id).filter_map(|(r, _)| Reference::parse(r).ok()).collect(),
            })
            .collect();
        out.sort_by(|a, b| b.record.created.cmp(&a.record.created).then(a.record.id.cmp(&b.record.id)));
        Ok(out)
    }

    /// The image a tag points at, if any.
    pub fn by_reference(&self, reference: &Reference) -> Result<Option<ImageRecord>> {
        let index = self.load()?;
        Ok(index.tags.get(&reference.full()).and_then(|id| index.images.get(id)).cloned())
    }

    /// Finds an image the way `docker` does: by name[:tag], by full ID, or by an ID prefix.
    pub fn resolve(&self, name_or_id: &str) -> Result<ImageRecord> {
        let index = self.load()?;
        find(&index, name_or_id).map(|(record, _)| record.clone())
    }

    pub fn get(&self, id: &str) -> Result<Option<ImageRecord>> {
        Ok(self.load()?.images.get(id).cloned())
    }

    /// The image and its parents while they are here, newest first: whose
    /// IDs `docker history` shows, one a step.
    pub fn lineage(&self, image: &ImageRecord) -> Result<Vec<ImageRecord>> {
        let index = self.load()?;
        let mut out = vec![image.clone()];
        while let Some(parent) = out.last().and_then(|i| i.parent.as_ref()).and_then(|id| index.images.get(id)) {
            if out.iter().any(|i| i.id == parent.id) {
                break;
            }
            out.push(parent.clone());
        }
        Ok(out)
    }

    /// The parsed OCI config of an image.
    pub fn config(&self, record: &ImageRecord) -> Result<libcontainer::oci_spec::image::ImageConfiguration> {
        let path = self.layout.blob(&record.id);
        libcontainer::oci_spec::image::ImageConfiguration::from_file(&path).map_err(|e| Error::Corrupt { what: "image config", path, detail: e.to_string() })
    }

    /// The image's `config` object with Docker's fields (Healthcheck, OnBuild, Shell).
    pub fn container_config(&self, record: &ImageRecord) -> Result<crate::image::config::ContainerConfig> {
        let path = self.layout.blob(&record.id);
        let bytes = fs::read(&path).map_err(Error::io("reading image config", &path))?;
        crate::image::config::ContainerConfig::from_blob(&bytes).map_err(|e| Error::Corrupt { what: "image config", path, detail: e.to_string() })
    }

    pub fn has_layer(&self, diff_id: &str) -> bool {
        self.layout.layer_dir(diff_id).is_dir()
    }

    /// Adds (or replaces) an image record and points `tag` at it (none: a dangling image).
    pub fn add(&self, record: ImageRecord, tag: Option<&Reference>) -> Result<()> {
        self.update(|index| {
            index.images.insert(record.id.clone(), record.clone());
            if let Some(tag) = tag {
                index.point(tag, &record.id);
            }
            Ok(())
        })
    }

    /// [`Self::add`] with a name given by the user (`build -t`, `commit`,
    /// `import`), which Docker logs as a `tag` event (a pull or load does not).
    pub fn add_named(&self, record: ImageRecord, tag: Option<&Reference>) -> Result<()> {
        self.add(record.clone(), tag)?;
        if let Some(tag) = tag {
            crate::events::log(&self.layout, crate::events::Event::image("tag", &record.id, &tag.familiar()));
        }
        Ok(())
    }

    /// `docker tag SOURCE TARGET`: one more name for an existing image.
    pub fn tag(&self, source: &str, target: &Reference) -> Result<()> {
        let id = self.update(|index| {
            let (record, _) = find(index, source)?;
            let id = record.id.clone();
            index.point(target, &id);
            Ok(id)
        })?;
        crate::events::log(&self.layout, crate::events::Event::image("tag", &id, &target.familiar()));
        Ok(())
    }

    /// Removes what `docker rmi NAME_OR_ID` names. `in_use(id)` tells whether a
    /// container uses an image and which one (Docker refuses then, unless forced).
    pub fn remove(&self, name_or_id: &str, force: bool, in_use: impl Fn(&str) -> Option<(String, bool)>) -> Result<Removal> {
        let mut image_id = String::new();
        let removal = self.update(|index| {
            let (record, by_tag) = find(index, name_or_id)?;
            let record = record.clone();
            image_id = record.id.clone();
            let tags: Vec<String> = index.tags.iter().filter(|(_, id)| **id == record.id).map(|(t, _)| t.clone()).collect();
            let short_id = digest::short(&record.id).to_owned();
            let mut removal = Removal::default();
            let user = in_use(&record.id);
            if let Some((container, true)) = &user {
                // A running container's image can lose a name (-f), never its content.
                if force && by_tag.is_some() {
                    let tag = by_tag.clone().unwrap_or_default();
                    index.tags.remove(&tag);
                    removal.untagged.push(familiar(&tag));
                    return Ok(removal);
                }
                if force || by_tag.is_none() {
                    return Err(Error::Conflict(format!(
                        "unable to delete {short_id} (cannot be forced) - image is being used by running container {container}"
                    )));
                }
            }
            match by_tag {
                // Untagging one of several names never deletes the image.
                Some(tag) if tags.len() > 1 => {
                    index.tags.remove(&tag);
                    removal.untagged.push(familiar(&tag));
                    return Ok(removal);
                }
                None if tags.len() > 1 && !force => {
                    return Err(Error::Conflict(format!("unable to delete {short_id} (must be forced) - image is referenced in multiple repositories")));
                }
                _ => {}
            }
            if let Some((container, _)) = &user {
                if !force {
                    return Err(Error::Conflict(match &by_tag {
                        Some(tag) => format!(
                            "unable to remove repository reference \"{}\" (must force) - container {container} is using its referenced image {short_id}",
                            familiar_as_typed(name_or_id, tag)
                        ),
                        None => format!("unable to delete {short_id} (must be forced) - image is being used by stopped container {container}"),
                    }));
                }
                // Forced while a stopped container uses it: untag, keep the image (it becomes <none>).
                for tag in &tags {
                    index.tags.remove(tag);
                    removal.untagged.push(familiar(tag));
                }
                return Ok(removal);
            }
            for tag in &tags {
                index.tags.remove(tag);
                removal.untagged.push(familiar(tag));
            }
            for d in &record.repo_digests {
                removal.untagged.push(d.clone());
            }
            index.images.remove(&record.id);
            removal.deleted.push(record.id.clone());
            for layer in record.layers.iter().rev() {
                let shared = index.images.values().any(|other| other.layers.iter().any(|l| l.diff_id == layer.diff_id));
                if !shared {
                    removal.deleted.push(layer.diff_id.clone());
                }
            }
            Ok(removal)
        })?;
        // Docker names the image by its ID in both (`untag sha256:… (name=sha256:…)`).
        for _ in &removal.untagged {
            crate::events::log(&self.layout, crate::events::Event::image("untag", &image_id, &image_id));
        }
        if !removal.deleted.is_empty() {
            crate::events::log(&self.layout, crate::events::Event::image("delete", &image_id, &image_id));
        }
        // Files go after the index no longer names them, so a crash leaves
        // at worst an unused directory, never an image with a missing layer.
        for deleted in removal.deleted.iter().skip(1) {
            remove_tree(&self.layout.layer_dir(deleted))?;
        }
        Ok(removal)
    }

    /// Stores a blob under its digest (no-op when present).
    /// Removes the unpacked directories and blobs of these layers that no
    /// image uses (what a failed pull brought).
    pub fn remove_unused_layers(&self, layers: &[LayerInfo]) -> Result<()> {
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        let index = self.load()?;
        for layer in layers {
            if !index.images.values().any(|image| image.layers.iter().any(|l| l.diff_id == layer.diff_id)) {
                remove_tree(&self.layout.layer_dir(&layer.diff_id))?;
            }
            if !index.images.values().any(|image| image.layers.iter().any(|l| l.digest == layer.digest)) {
                let blob = self.layout.blob(&layer.digest);
                if let Err(e) = std::fs::remove_file(&blob) {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        return Err(Error::io("removing", blob)(e));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn put_blob(&self, digest: &str, bytes: &[u8]) -> Result<()> {
        let path = self.layout.blob(digest);
        if !path.exists() {
            crate::fsutil::write_atomic(&path, bytes)?;
        }
        Ok(())
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

fn familiar(full: &str) -> String {
    Reference::parse(full).map(|r| r.familiar()).unwrap_or_else(|_| full.to_owned())
}

/// Docker's conflict message quotes the reference as the user typed it, minus `:latest`.
fn familiar_as_typed(typed: &str, full: &str) -> String {
    match Reference::parse(full) {
        Ok(r) if typed.ends_with(r.tag_or_latest()) => r.familiar(),
        Ok(r) => r.familiar_name(),
        Err(_) => typed.to_owned(),
    }
}

/// Looks an image up; the second value is the tag used, when found by tag.
fn find<'a>(index: &'a Index, name_or_id: &str) -> Result<(&'a ImageRecord, Option<String>)> {
    if let Ok(reference) = Reference::parse(name_or_id) {
        if let Some(record) = index.tags.get(&reference.full()).and_then(|id| index.images.get(id)) {
            return Ok((record, Some(reference.full())));
        }
    }
    let hex = name_or_id.strip_prefix("sha256:").unwrap_or(name_or_id);
    if !hex.is_empty() && hex.len() <= 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        let matches: Vec<&ImageRecord> = index.images.values().filter(|r| r.id.trim_start_matches("sha256:").starts_with(hex)).collect();
        match matches.as_slice() {
            [one] => return Ok((one, None)),
            [] => {}
            _ => return Err(Error::AmbiguousPrefix(name_or_id.to_owned())),
        }
    }
    let shown = match Reference::parse(name_or_id) {
        Ok(r) if !name_or_id.contains(':') && r.tag.is_some() => r.familiar(),
        _ => name_or_id.to_owned(),
    };
    Err(Error::NoSuchImage(shown))
}

/// Reads a blob's bytes.
pub fn read_blob(layout: &Layout, digest: &str) -> Result<Vec<u8>> {
    let path = layout.blob(digest);
    fs::read(&path).map_err(Error::io("reading blob", path))
}
