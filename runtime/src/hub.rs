//! The offline hub. No registry is reachable here, so the well-known images
//! of the tutorials are built locally, as real OCI images, from the recipes
//! in `runtime/fixtures/hub/` (compiled in): layers described in the recipe, a
//! Dockerfile built by Whaleshell's own builder, or a Debian root made by
//! debootstrap. The hub keeps them as blobs under `ROOT/hub/`, and
//! `docker pull` copies from there into the image store exactly as it would
//! from a registry.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use libcontainer::oci_spec::image::{
    Arch, ConfigBuilder, HistoryBuilder, ImageConfiguration, ImageConfigurationBuilder, ImageManifest, MediaType, Os, RootFsBuilder,
};
use serde::{Deserialize, Serialize};

use crate::build::builder::{BuildEnv, BuildEvent, BuildOptions};
use crate::container::ContainerStore;
use crate::digest::sha256;
use crate::error::{Error, Result};
use crate::fsutil::{read_json, write_atomic, write_json_atomic, StateLock};
use crate::image::commit::Clock;
use crate::image::layer;
use crate::image::pull::{ImageSource, LayerStatus, PullEvent, PullOutcome};
use crate::image::store::{ImageRecord, ImageStore, LayerInfo};
use crate::layout::Layout;
use crate::reference::Reference;

/// Recipes, by file name. The first line of each says what it builds.
const RECIPES: &[(&str, &str)] = &[
    ("busybox.toml", include_str!("../fixtures/hub/busybox.toml")),
    ("whalesay.toml", include_str!("../fixtures/hub/whalesay.toml")),
    ("httpd.toml", include_str!("../fixtures/hub/httpd.toml")),
    ("debian.toml", include_str!("../fixtures/hub/debian.toml")),
];

/// Build contexts of the Dockerfile recipes: (directory, [(file, content, mode)]).
type Context = (&'static str, &'static [(&'static str, &'static str, u32)]);
const CONTEXTS: &[Context] = &[(
    "httpd",
    &[
        ("Dockerfile", include_str!("../fixtures/hub/httpd/Dockerfile"), 0o644),
        ("httpd-foreground", include_str!("../fixtures/hub/httpd/httpd-foreground"), 0o755),
        ("index.html", include_str!("../fixtures/hub/httpd/index.html"), 0o644),
    ],
)];

#[derive(Debug, Deserialize)]
struct Recipe {
    repository: String,
    /// The first is the image's own; the others name the same image.
    tags: Vec<String>,
    created: String,
    base: Option<String>,
    #[serde(default)]
    config: RecipeConfig,
    #[serde(default)]
    layers: Vec<RecipeLayer>,
    /// A build context under `runtime/fixtures/hub/`, built by the builder.
    dockerfile: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RecipeConfig {
    cmd: Option<Vec<String>>,
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    env: Vec<String>,
    working_dir: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RecipeLayer {
    created_by: String,
    /// Host path of a static busybox to install with its applet links.
    busybox: Option<String>,
    #[serde(default)]
    dirs: Vec<String>,
    /// World-writable sticky directories, like /tmp.
    #[serde(default)]
    tmp_dirs: Vec<String>,
    #[serde(default)]
    files: Vec<RecipeFile>,
    /// A whole Debian root, made by debootstrap.
    debootstrap: Option<crate::debootstrap::Debootstrap>,
}

#[derive(Debug, Deserialize)]
struct RecipeFile {
    path: String,
    #[serde(default = "default_file_mode")]
    mode: u32,
    content: String,
}

fn default_file_mode() -> u32 {
    0o644
}

/// An image as the hub serves it: what a registry's manifest endpoint gives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HubImage {
    pub manifest_digest: String,
    pub manifest: ImageManifest,
    pub config: ImageConfiguration,
    pub config_digest: String,
}

pub struct Hub {
    dir: PathBuf,
}

impl Hub {
    pub fn new(dir: PathBuf) -> Hub {
        Hub { dir }
    }

    pub fn blob(&self, digest: &str) -> PathBuf {
        self.dir.join("blobs/sha256").join(digest.trim_start_matches("sha256:"))
    }

    /// The pull itself, with the hub's lock held by the caller.
    fn pull_locked(&self, store: &ImageStore, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        let (file, recipe) = find_recipe(reference)?;
        on_event(PullEvent::PullingFrom { tag: reference.tag_or_latest().to_owned(), repository: reference.path.clone() });
        let remote = self.build(file, &recipe, on_event)?;
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
            let short = crate::digest::short(&blob_digest).to_owned();
            let dest = store.layout().layer_dir(diff_id);
            let size = if store.has_layer(diff_id) {
                on_event(PullEvent::Layer { short, status: LayerStatus::AlreadyExists });
                crate::fsutil::dir_size(&dest)
            } else {
                let src = self.blob(&blob_digest);
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
        let config_bytes = fs::read(self.blob(&remote.config_digest)).map_err(Error::io("reading hub blob", self.blob(&remote.config_digest)))?;
        store.put_blob(&remote.config_digest, &config_bytes)?;
        let manifest_bytes = fs::read(self.blob(&remote.manifest_digest)).map_err(Error::io("reading hub blob", self.blob(&remote.manifest_digest)))?;
        store.put_blob(&remote.manifest_digest, &manifest_bytes)?;
        let image = ImageRecord {
            id: remote.config_digest.clone(),
            manifest_digest: remote.manifest_digest.clone(),
            layers,
            created: remote.config.created().as_deref().and_then(|c| c.parse().ok()),
            repo_digests: vec![format!("{}@{}", reference.familiar_name(), remote.manifest_digest)],
            intermediate: false,
            parent: None,
        };
        store.add(image.clone(), Some(reference))?;
        on_event(PullEvent::Digest(remote.manifest_digest));
        Ok(PullOutcome { image, downloaded: true })
    }

    fn index_path(&self) -> PathBuf {
        self.dir.join("index.json")
    }

    /// Builds a recipe (and its base) unless already built; idempotent.
    fn build(&self, file: &str, recipe: &Recipe, on_event: &mut dyn FnMut(PullEvent)) -> Result<HubImage> {
        let mut index: BTreeMap<String, HubImage> = read_json(&self.index_path(), "hub index")?.unwrap_or_default();
        if let Some(image) = index.get(file) {
            if image.manifest.layers().iter().all(|l| self.blob(l.digest().as_ref()).exists()) {
                return Ok(image.clone());
            }
        }
        let base = match &recipe.base {
            Some(base_file) => {
                let base_recipe = parse_recipe(base_file, recipe_text(base_file)?)?;
                Some(self.build(base_file, &base_recipe, on_event)?)
            }
            None => None,
        };
        let image = match &recipe.dockerfile {
            Some(context) => self.build_dockerfile(file, recipe, context, on_event)?,
            None => self.build_image(file, recipe, base.as_ref(), on_event)?,
        };
        index = read_json(&self.index_path(), "hub index")?.unwrap_or_default();
        index.insert(file.to_owned(), image.clone());
        write_json_atomic(&self.index_path(), &index)?;
        Ok(image)
    }

    fn build_image(&self, file: &str, recipe: &Recipe, base: Option<&HubImage>, on_event: &mut dyn FnMut(PullEvent)) -> Result<HubImage> {
        let bad = |detail: String| Error::Recipe { name: file.to_owned(), detail };
        let created: DateTime<Utc> = recipe.created.parse().map_err(|e| bad(format!("created: {e}")))?;
        let mut layer_descs = base.map(|b| b.manifest.layers().clone()).unwrap_or_default();
        let mut diff_ids = base.map(|b| b.config.rootfs().diff_ids().clone()).unwrap_or_default();
        let mut history = base.and_then(|b| b.config.history().clone()).unwrap_or_default();
        for layer in &recipe.layers {
            let (digest, diff_id, size) = match &layer.debootstrap {
                Some(debootstrap) => debootstrap.layer(&self.dir.join("blobs/sha256"), on_event)?,
                None => self.build_layer(file, layer, created.timestamp() as u64)?,
            };
            layer_descs.push(crate::image::manifest::descriptor(MediaType::ImageLayerGzip, &digest, size)?);
            diff_ids.push(diff_id);
            history
                .push(HistoryBuilder::default().created(recipe.created.clone()).created_by(layer.created_by.clone()).build().map_err(|e| bad(e.to_string()))?);
        }
        let mut config = ConfigBuilder::default().env(recipe.config.env.clone());
        if let Some(cmd) = &recipe.config.cmd {
            config = config.cmd(cmd.clone());
        }
        if let Some(ep) = &recipe.config.entrypoint {
            config = config.entrypoint(ep.clone());
        }
        if let Some(wd) = &recipe.config.working_dir {
            config = config.working_dir(wd.clone());
        }
        let config = ImageConfigurationBuilder::default()
            .created(recipe.created.clone())
            .architecture(Arch::Amd64)
            .os(Os::Linux)
            .config(config.build().map_err(|e| bad(e.to_string()))?)
            .rootfs(RootFsBuilder::default().diff_ids(diff_ids).build().map_err(|e| bad(e.to_string()))?)
            .history(history)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let config_bytes = config.to_string().map_err(|e| bad(e.to_string()))?.into_bytes();
        let config_digest = sha256(&config_bytes);
        write_atomic(&self.blob(&config_digest), &config_bytes)?;
        let (manifest_bytes, manifest_digest) = crate::image::manifest::manifest(&config_digest, config_bytes.len() as u64, layer_descs)?;
        let manifest = ImageManifest::from_reader(manifest_bytes.as_slice()).map_err(|e| bad(e.to_string()))?;
        write_atomic(&self.blob(&manifest_digest), &manifest_bytes)?;
        Ok(HubImage { manifest_digest, manifest, config, config_digest })
    }

    /// Builds a Dockerfile recipe with the builder, in a state root of its
    /// own that is removed afterwards; its blobs become the hub's.
    fn build_dockerfile(&self, file: &str, recipe: &Recipe, context_name: &str, on_event: &mut dyn FnMut(PullEvent)) -> Result<HubImage> {
        let bad = |detail: String| Error::Recipe { name: file.to_owned(), detail };
        let created: DateTime<Utc> = recipe.created.parse().map_err(|e| bad(format!("created: {e}")))?;
        let (_, files) = CONTEXTS.iter().find(|(name, _)| *name == context_name).ok_or_else(|| bad(format!("no build context {context_name}")))?;
        let scratch = self.dir.join(format!("build-{}", std::process::id()));
        crate::fsutil::remove_tree(&scratch)?;
        let result = (|| {
            let context = scratch.join("context");
            for (name, content, mode) in *files {
                let path = context.join(name);
                write_atomic(&path, content.as_bytes())?;
                fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).map_err(Error::io("chmod", &path))?;
            }
            // A state root of its own; FROM lines pull from this hub.
            let layout = Layout::open(scratch.join("root"))?;
            let (images, containers) = (ImageStore::new(layout.clone()), ContainerStore::new(layout.clone()));
            let env = BuildEnv { layout: &layout, images: &images, containers: &containers, source: &HeldHub(self) };
            let options = BuildOptions {
                context,
                dockerfile: None,
                tags: Vec::new(),
                build_args: Vec::new(),
                no_cache: true,
                target: None,
                clock: Clock::Fixed(created),
            };
            let image = crate::build::builder::build(&env, &options, &mut |event| {
                if let BuildEvent::Step { index, total, text } = event {
                    on_event(PullEvent::Building(format!("Step {index}/{total} : {text}")));
                }
            })
            .map_err(|e| Error::HubBuild { image: recipe.repository.clone(), detail: e.to_string() })?;
            let manifest_bytes = crate::image::store::read_blob(&layout, &image.manifest_digest)?;
            let config_bytes = crate::image::store::read_blob(&layout, &image.id)?;
            let manifest = ImageManifest::from_reader(manifest_bytes.as_slice()).map_err(|e| bad(e.to_string()))?;
            let config = ImageConfiguration::from_reader(config_bytes.as_slice()).map_err(|e| bad(e.to_string()))?;
            let blobs = self.dir.join("blobs/sha256");
            fs::create_dir_all(&blobs).map_err(Error::io("creating", &blobs))?;
            for layer in &image.layers {
                let blob = self.blob(&layer.digest);
                if !blob.exists() {
                    fs::copy(layout.blob(&layer.digest), &blob).map_err(Error::io("copying layer", &blob))?;
                }
            }
            write_atomic(&self.blob(&image.id), &config_bytes)?;
            write_atomic(&self.blob(&image.manifest_digest), &manifest_bytes)?;
            Ok(HubImage { manifest_digest: image.manifest_digest, manifest, config, config_digest: image.id })
        })();
        crate::fsutil::remove_tree(&scratch)?;
        result
    }

    /// Writes one layer as a gzipped tar with fixed owners and times, so the
    /// same inputs always give the same digests. Returns (digest, diffID, size).
    fn build_layer(&self, file: &str, layer: &RecipeLayer, mtime: u64) -> Result<(String, String, u64)> {
        let (digest, diff_id, size) = crate::image::layer::write_blob(&self.dir.join("blobs/sha256"), |tar| {
            let werr = |e: std::io::Error| Error::io("writing layer", &self.dir)(e);
            let mut dirs: Vec<(&str, u32)> = layer.dirs.iter().map(|d| (d.as_str(), 0o755)).collect();
            dirs.extend(layer.tmp_dirs.iter().map(|d| (d.as_str(), 0o1777)));
            dirs.sort();
            for (dir, mode) in dirs {
                let mut h = header(tar::EntryType::Directory, mode, 0, mtime);
                tar.append_data(&mut h, format!("{dir}/"), std::io::empty()).map_err(werr)?;
            }
            if let Some(host_busybox) = &layer.busybox {
                append_busybox(tar, Path::new(host_busybox), mtime, file)?;
            }
            for f in &layer.files {
                let mut h = header(tar::EntryType::Regular, f.mode, f.content.len() as u64, mtime);
                tar.append_data(&mut h, &f.path, f.content.as_bytes()).map_err(werr)?;
            }
            Ok(())
        })?;
        Ok((digest, diff_id, size))
    }
}

fn header(kind: tar::EntryType, mode: u32, size: u64, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// `/bin/busybox` plus a hard link per applet, as the official image has.
fn append_busybox<W: Write>(tar: &mut tar::Builder<W>, host: &Path, mtime: u64, recipe: &str) -> Result<()> {
    let missing = || Error::Recipe {
        name: recipe.to_owned(),
        detail: format!("{} is missing: install Debian's busybox-static (apt-get install busybox-static)", host.display()),
    };
    let bytes = fs::read(host).map_err(|_| missing())?;
    let list = Command::new(host).arg("--list").output().map_err(|_| missing())?;
    let werr = |e: std::io::Error| Error::io("writing layer", host)(e);
    let mut h = header(tar::EntryType::Regular, 0o755, bytes.len() as u64, mtime);
    tar.append_data(&mut h, "bin/busybox", bytes.as_slice()).map_err(werr)?;
    let mut applets: Vec<&str> =
        std::str::from_utf8(&list.stdout).unwrap_or("").lines().map(str::trim).filter(|a| !a.is_empty() && *a != "busybox" && !a.contains('/')).collect();
    applets.sort();
    applets.dedup();
    for applet in applets {
        let mut h = header(tar::EntryType::Link, 0o755, 0, mtime);
        tar.append_link(&mut h, format!("bin/{applet}"), "bin/busybox").map_err(werr)?;
    }
    Ok(())
}

fn recipe_text(file: &str) -> Result<&'static str> {
    RECIPES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
        .ok_or_else(|| Error::Recipe { name: file.to_owned(), detail: "no such recipe".into() })
}

fn parse_recipe(file: &str, text: &str) -> Result<Recipe> {
    toml::from_str(text).map_err(|e| Error::Recipe { name: file.to_owned(), detail: e.to_string() })
}

/// The hub is an image source; a pull builds the image on first use, and
/// `on_event` hears how a long build goes.
impl ImageSource for Hub {
    fn pull(&self, store: &ImageStore, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        find_recipe(reference)?;
        fs::create_dir_all(&self.dir).map_err(Error::io("creating hub", &self.dir))?;
        let _lock = StateLock::acquire(&self.dir.join("lock"))?;
        self.pull_locked(store, reference, on_event)
    }
}

/// The hub as its own Dockerfile builds pull from it: the lock is already held.
struct HeldHub<'a>(&'a Hub);

impl ImageSource for HeldHub<'_> {
    fn pull(&self, store: &ImageStore, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        self.0.pull_locked(store, reference, on_event)
    }
}

/// The recipe that builds `reference`; Docker's errors when none does.
fn find_recipe(reference: &Reference) -> Result<(&'static str, Recipe)> {
    if reference.domain == crate::reference::DEFAULT_DOMAIN {
        for (file, text) in RECIPES {
            let recipe = parse_recipe(file, text)?;
            if recipe.repository == reference.path {
                if !recipe.tags.iter().any(|t| reference.tag.as_deref() == Some(t.as_str())) {
                    return Err(Error::ManifestUnknown(reference.familiar()));
                }
                return Ok((file, recipe));
            }
        }
    }
    Err(Error::PullAccessDenied(reference.familiar_name()))
}

/// The repositories the hub can serve, for completion and help.
/// Every `name:tag` the hub serves (`httpd:latest`, `httpd:2.4` …).
pub fn references() -> Vec<String> {
    RECIPES
        .iter()
        .filter_map(|(f, t)| parse_recipe(f, t).ok())
        .flat_map(|r| {
            let name = Reference::parse(&r.repository).map(|x| x.familiar_name()).unwrap_or(r.repository);
            r.tags.into_iter().map(move |tag| format!("{name}:{tag}"))
        })
        .collect()
}

pub fn repositories() -> Vec<String> {
    RECIPES
        .iter()
        .filter_map(|(f, t)| parse_recipe(f, t).ok())
        .map(|r| Reference::parse(&r.repository).map(|x| x.familiar_name()).unwrap_or(r.repository))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipe_parses() {
        for (file, text) in RECIPES {
            parse_recipe(file, text).unwrap();
        }
        assert_eq!(repositories(), vec!["busybox", "docker/whalesay", "httpd", "debian"]);
    }
}
