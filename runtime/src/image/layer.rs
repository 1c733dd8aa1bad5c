//! Unpacking layer tars into directories overlayfs can stack.
//!
//! Layer tars mark a deleted file with `.wh.<name>` and an opaque directory
//! with `.wh..wh..opq`; overlayfs wants a 0/0 character device and the
//! `trusted.overlay.opaque` xattr instead, so those entries are translated.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use nix::sys::stat::{makedev, mknod, Mode, SFlag};

use crate::digest::{HashingReader, HashingWriter};
use crate::error::{Error, Result};
use crate::fsutil::remove_tree;

const WHITEOUT_PREFIX: &str = ".wh.";

/// The tar a new layer is written through: hashed (diffID), gzipped, hashed again (digest).
pub type LayerTar = tar::Builder<HashingWriter<GzEncoder<HashingWriter<BufWriter<File>>>>>;

/// Writes a layer as a gzipped tar into `blobs_dir`, named by its digest;
/// `fill` adds the entries. Returns (digest, diffID, blob size).
pub fn write_blob(blobs_dir: &Path, fill: impl FnOnce(&mut LayerTar) -> Result<()>) -> Result<(String, String, u64)> {
    fs::create_dir_all(blobs_dir).map_err(Error::io("creating", blobs_dir))?;
    let tmp = blobs_dir.join(format!(".layer-{}.tmp", std::process::id()));
    let out = File::create(&tmp).map_err(Error::io("creating", &tmp))?;
    let mut tar = tar::Builder::new(HashingWriter::new(GzEncoder::new(HashingWriter::new(BufWriter::new(out)), Compression::default())));
    let filled = fill(&mut tar);
    let written = filled.and_then(|()| {
        let werr = |e| Error::io("writing layer", &tmp)(e);
        let (gz, diff_id, _) = tar.into_inner().map_err(werr)?.finish();
        let (mut buf, digest, size) = gz.finish().map_err(werr)?.finish();
        buf.flush().map_err(werr)?;
        Ok((digest, diff_id, size))
    });
    let (digest, diff_id, size) = match written {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let blob = blobs_dir.join(digest.trim_start_matches("sha256:"));
    fs::rename(&tmp, &blob).map_err(Error::io("storing layer", &blob))?;
    Ok((digest, diff_id, size))
}
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// Unpacks the (possibly gzipped) layer blob into `dest`, atomically: the
/// directory appears complete or not at all. Returns the diffID (sha256 of
/// the uncompressed tar) and the unpacked size.
pub fn unpack(blob: &Path, dest: &Path) -> Result<(String, u64)> {
    unpack_with_progress(blob, dest, &mut |_| {})
}

/// `unpack`, telling `progress` how many bytes of the blob it has read.
pub fn unpack_with_progress(blob: &Path, dest: &Path, progress: &mut dyn FnMut(u64)) -> Result<(String, u64)> {
    let parent = dest.parent().unwrap_or(Path::new("/"));
    fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
    let tmp = parent.join(format!(".tmp-{}-{}", dest.file_name().and_then(|n| n.to_str()).unwrap_or("layer"), std::process::id()));
    remove_tree(&tmp)?;
    fs::create_dir(&tmp).map_err(Error::io("creating", &tmp))?;
    let result = unpack_into(blob, &tmp, progress);
    match result {
        Ok(v) => {
            fs::rename(&tmp, dest).map_err(Error::io("moving layer into place", dest))?;
            Ok(v)
        }
        Err(e) => {
            let _ = remove_tree(&tmp);
            Err(e)
        }
    }
}

fn unpack_into(blob: &Path, dest: &Path, progress: &mut dyn FnMut(u64)) -> Result<(String, u64)> {
    let mut file = BufReader::new(File::open(blob).map_err(Error::io("opening layer", blob))?);
    let mut magic = [0u8; 2];
    let gzipped = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    let file = BufReader::new(Counting { inner: File::open(blob).map_err(Error::io("opening layer", blob))?, read: 0, progress });
    let tar_stream: Box<dyn Read + '_> = if gzipped { Box::new(GzDecoder::new(file)) } else { Box::new(file) };
    let mut hashing = HashingReader::new(tar_stream);
    let mut size = 0u64;
    {
        let mut archive = tar::Archive::new(&mut hashing);
        archive.set_preserve_permissions(true);
        archive.set_preserve_ownerships(true);
        archive.set_unpack_xattrs(true);
        archive.set_preserve_mtime(true);
        archive.set_overwrite(true);
        let corrupt = |detail: String| Error::Corrupt { what: "layer", path: blob.to_owned(), detail };
        for entry in archive.entries().map_err(|e| corrupt(e.to_string()))? {
            let mut entry = entry.map_err(|e| corrupt(e.to_string()))?;
            let path = entry.path().map_err(|e| corrupt(e.to_string()))?.into_owned();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                entry.unpack_in(dest).map_err(|e| corrupt(e.to_string()))?;
                continue;
            };
            if name == OPAQUE_MARKER {
                let dir = safe_join(dest, path.parent().unwrap_or(Path::new(""))).ok_or_else(|| corrupt(format!("unsafe path {}", path.display())))?;
                fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
                xattr::set(&dir, "trusted.overlay.opaque", b"y").map_err(Error::io("marking opaque", &dir))?;
            } else if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
                let target = safe_join(dest, &path.with_file_name(hidden)).ok_or_else(|| corrupt(format!("unsafe path {}", path.display())))?;
                if let Some(p) = target.parent() {
                    fs::create_dir_all(p).map_err(Error::io("creating", p))?;
                }
                mknod(&target, SFlag::S_IFCHR, Mode::empty(), makedev(0, 0)).map_err(Error::sys("mknod whiteout"))?;
            } else {
                size += entry.header().size().unwrap_or(0);
                entry.unpack_in(dest).map_err(|e| corrupt(e.to_string()))?;
            }
        }
        // Drain padding so the digest covers the whole tar stream.
        std::io::copy(archive.into_inner(), &mut std::io::sink()).map_err(|e| corrupt(e.to_string()))?;
    }
    let (diff_id, _) = hashing.finish();
    Ok((diff_id, size))
}

/// Reports the bytes read so far after each read.
struct Counting<'a, R> {
    inner: R,
    read: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.progress)(self.read);
        Ok(n)
    }
}

/// Joins a path from a tar entry under `root`, refusing `..` and absolute escapes.
fn safe_join(root: &Path, rel: &Path) -> Option<PathBuf> {
    let mut out = root.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}
