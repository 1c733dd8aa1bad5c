//! `docker save` / `docker load`: images as a tar in Docker's archive
//! format (`manifest.json`, the config as `<id>.json`, each layer as an
//! uncompressed `<diffid>/layer.tar`), which every Docker version loads, and
//! loading that format or the OCI layout newer Dockers write.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use libcontainer::oci_spec::image::{ImageConfiguration, MediaType};
use serde::{Deserialize, Serialize};

use crate::digest::{sha256, HashingReader};
use crate::error::{Error, Result};
use crate::fsutil::remove_tree;
use crate::image::store::{ImageRecord, ImageStore, LayerInfo};
use crate::image::{layer, manifest};
use crate::reference::Reference;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// Writes `images` (each with the names to save it under) as one archive.
pub fn save(store: &ImageStore, images: &[(ImageRecord, Vec<Reference>)], out: impl Write) -> Result<()> {
    let layout = store.layout();
    let mut tar = tar::Builder::new(out);
    let werr = |e: io::Error| Error::io("writing archive", "-")(e);
    let mut manifest = Vec::new();
    let mut written: Vec<String> = Vec::new();
    for (image, tags) in images {
        let config_hex = image.id.trim_start_matches("sha256:");
        let config = fs::read(layout.blob(&image.id)).map_err(Error::io("reading", layout.blob(&image.id)))?;
        append_bytes(&mut tar, &format!("{config_hex}.json"), &config).map_err(werr)?;
        let mut layer_paths = Vec::new();
        for l in &image.layers {
            let hex = l.diff_id.trim_start_matches("sha256:").to_owned();
            let path = format!("{hex}/layer.tar");
            if !written.contains(&hex) {
                // Layers are stored compressed; the archive holds them as plain tars.
                let blob = layout.blob(&l.digest);
                let tmp = layout.root().join("tmp").join(format!("save-{hex}.tar"));
                fs::create_dir_all(tmp.parent().unwrap_or(Path::new("/"))).map_err(Error::io("creating", &tmp))?;
                {
                    let mut input = open_maybe_gzip(&blob)?;
                    let mut file = File::create(&tmp).map_err(Error::io("creating", &tmp))?;
                    io::copy(&mut input, &mut file).map_err(Error::io("decompressing", &blob))?;
                }
                let mut header = tar::Header::new_gnu();
                header.set_size(fs::metadata(&tmp).map(|m| m.len()).unwrap_or(0));
                header.set_mode(0o644);
                header.set_mtime(0);
                tar.append_data(&mut header, &path, File::open(&tmp).map_err(Error::io("opening", &tmp))?).map_err(werr)?;
                let _ = fs::remove_file(&tmp);
                append_bytes(&mut tar, &format!("{hex}/VERSION"), b"1.0").map_err(werr)?;
                written.push(hex.clone());
            }
            layer_paths.push(path);
        }
        manifest.push(ManifestEntry {
            config: format!("{config_hex}.json"),
            repo_tags: Some(tags.iter().map(|t| t.familiar()).collect()),
            layers: layer_paths,
        });
    }
    let json = serde_json::to_vec(&manifest).map_err(|e| Error::Spec(e.to_string()))?;
    append_bytes(&mut tar, "manifest.json", &json).map_err(werr)?;
    tar.finish().map_err(werr)?;
    for (image, _) in images {
        crate::events::log(layout, crate::events::Event::image("save", &image.id, &image.id));
    }
    Ok(())
}

fn append_bytes<W: Write>(tar: &mut tar::Builder<W>, path: &str, bytes: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    tar.append_data(&mut header, path, bytes)
}

fn open_maybe_gzip(path: &Path) -> Result<Box<dyn Read>> {
    let mut magic = [0u8; 2];
    let gz = File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && magic == [0x1f, 0x8b];
    let file = BufReader::new(File::open(path).map_err(Error::io("opening", path))?);
    Ok(if gz { Box::new(GzDecoder::new(file)) } else { Box::new(file) })
}

/// What loading found: each image and the names it got.
pub struct Loaded {
    pub image: ImageRecord,
    pub tags: Vec<Reference>,
}

/// Loads every image of an archive (Docker's format, or an OCI layout with
/// a `manifest.json`, as Docker 25+ writes).
pub fn load(store: &ImageStore, input: impl Read) -> Result<Vec<Loaded>> {
    let layout = store.layout().clone();
    let staging = layout.root().join("tmp").join(format!("load-{}", std::process::id()));
    remove_tree(&staging)?;
    fs::create_dir_all(&staging).map_err(Error::io("creating", &staging))?;
    let result = (|| {
        tar::Archive::new(input).unpack(&staging).map_err(|e| Error::Corrupt { what: "image archive", path: PathBuf::from("-"), detail: e.to_string() })?;
        let manifest_path = staging.join("manifest.json");
        let bytes = fs::read(&manifest_path).map_err(|_| Error::Corrupt {
            what: "image archive",
            path: PathBuf::from("-"),
            detail: "no manifest.json: is this a file made by docker save?".into(),
        })?;
        let entries: Vec<ManifestEntry> =
            serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt { what: "manifest.json", path: manifest_path.clone(), detail: e.to_string() })?;
        let mut loaded = Vec::new();
        for entry in entries {
            loaded.push(load_one(store, &staging, &entry)?);
        }
        Ok(loaded)
    })();
    let _ = remove_tree(&staging);
    result
}

fn load_one(store: &ImageStore, dir: &Path, entry: &ManifestEntry) -> Result<Loaded> {
    let layout = store.layout();
    let inside = |rel: &str| -> Result<PathBuf> {
        let p = dir.join(rel);
        if rel.split('/').any(|part| part == "..") {
            return Err(Error::Corrupt { what: "image archive", path: p, detail: "path leaves the archive".into() });
        }
        Ok(p)
    };
    let config_bytes = fs::read(inside(&entry.config)?).map_err(Error::io("reading", dir.join(&entry.config)))?;
    let config = ImageConfiguration::from_reader(config_bytes.as_slice()).map_err(|e| Error::Corrupt {
        what: "image config",
        path: dir.join(&entry.config),
        detail: e.to_string(),
    })?;
    let config_digest = sha256(&config_bytes);
    store.put_blob(&config_digest, &config_bytes)?;
    let expected = config.rootfs().diff_ids().clone();
    let mut layers = Vec::new();
    let mut descriptors = Vec::new();
    for (i, rel) in entry.layers.iter().enumerate() {
        let path = inside(rel)?;
        // Stored as an uncompressed tar blob: its digest is its diffID.
        let mut reader = HashingReader::new(open_maybe_gzip(&path)?);
        let tmp = layout.blobs_dir().join(format!(".load-{}.tmp", std::process::id()));
        fs::create_dir_all(layout.blobs_dir()).map_err(Error::io("creating", layout.blobs_dir()))?;
        {
            let mut out = File::create(&tmp).map_err(Error::io("creating", &tmp))?;
            io::copy(&mut reader, &mut out).map_err(Error::io("reading layer", &path))?;
        }
        let (diff_id, size) = reader.finish();
        if expected.get(i) != Some(&diff_id) {
            let _ = fs::remove_file(&tmp);
            return Err(Error::Corrupt { what: "layer", path, detail: format!("content {diff_id} is not the diffID the config lists") });
        }
        let blob = layout.blob(&diff_id);
        fs::rename(&tmp, &blob).map_err(Error::io("storing layer", &blob))?;
        let dest = layout.layer_dir(&diff_id);
        let unpacked = if dest.exists() { crate::fsutil::dir_size(&dest) } else { layer::unpack(&blob, &dest)?.1 };
        descriptors.push(manifest::descriptor(MediaType::ImageLayer, &diff_id, size)?);
        layers.push(LayerInfo { digest: diff_id.clone(), diff_id, size: unpacked });
    }
    let (manifest_bytes, manifest_digest) = manifest::manifest(&config_digest, config_bytes.len() as u64, descriptors)?;
    store.put_blob(&manifest_digest, &manifest_bytes)?;
    let image = ImageRecord {
        id: config_digest,
        manifest_digest,
        layers,
        created: config.created().as_deref().and_then(|c| c.parse().ok()),
        repo_digests: Vec::new(),
        intermediate: false,
        parent: None,
    };
    let tags: Vec<Reference> = entry.repo_tags.clone().unwrap_or_default().iter().filter_map(|t| Reference::parse(t).ok()).collect();
    store.add(image.clone(), None)?;
    for t in &tags {
        store.add(image.clone(), Some(t))?;
    }
    // Docker names the image by its ID (`load sha256:… (name=sha256:…)`).
    crate::events::log(store.layout(), crate::events::Event::image("load", &image.id, &image.id));
    Ok(Loaded { image, tags })
}
