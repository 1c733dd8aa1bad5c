//! Small filesystem helpers shared by the stores: atomic writes, a state lock, directory sizes.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use fs2::FileExt;
use serde::{de::DeserializeOwned, Serialize};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` so that readers see either the old or the new
/// content, never half of it, even if this process is killed mid-write.
/// (The rename is what makes it atomic for a killed process; no fsync, which
/// would only add power-loss safety and cost milliseconds per container.)
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(Error::io("creating directory", dir))?;
    let tmp = dir.join(format!(".{}.tmp{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("file"), std::process::id()));
    let mut file = File::create(&tmp).map_err(Error::io("creating", &tmp))?;
    file.write_all(bytes).map_err(Error::io("writing", &tmp))?;
    fs::rename(&tmp, path).map_err(Error::io("renaming into place", path))
}

pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Corrupt { what: "record", path: path.to_owned(), detail: e.to_string() })?;
    write_atomic(path, &bytes)
}

/// Reads a JSON record; `Ok(None)` when it does not exist.
pub fn read_json<T: DeserializeOwned>(path: &Path, what: &'static str) -> Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::Corrupt { what, path: path.to_owned(), detail: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("reading", path)(e)),
    }
}

/// An exclusive lock on the state root, held while a record is read,
/// changed and written back, so two REPLs on one root never lose an update.
pub struct StateLock(File);

impl StateLock {
    pub fn acquire(path: &Path) -> Result<StateLock> {
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(Error::io("opening lock", path))?;
        file.lock_exclusive().map_err(Error::io("locking", path))?;
        Ok(StateLock(file))
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = fs2::FileExt::unlock(&self.0);
    }
}

/// Removes a directory tree; a missing tree is not an error.
pub fn remove_tree(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("removing", path)(e)),
    }
}

/// Size of a directory's regular files (an unpacked layer, a container's
/// writable layer), counting hard-linked files once as a tar does.
pub fn dir_size(dir: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => {
                    if let Ok(m) = e.metadata() {
                        if seen.insert(m.ino()) {
                            total += m.len();
                        }
                    }
                }
                _ => {}
            }
        }
    }
    total
}

/// Copies a tree keeping modes, owners and symlinks (into `dst`, which may
/// exist): a volume's first contents from its image.
pub fn copy_preserving(src: &Path, dst: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{lchown, MetadataExt, PermissionsExt};
    let meta = fs::symlink_metadata(src)?;
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(src)?, dst)?;
    } else if meta.is_dir() {
        if !dst.is_dir() {
            fs::create_dir(dst)?;
        }
        for entry in fs::read_dir(src)? {
            let entry = entry?;
            copy_preserving(&entry.path(), &dst.join(entry.file_name()))?;
        }
    } else if meta.is_file() {
        fs::copy(src, dst)?;
    } else {
        return Ok(()); // devices, sockets, fifos: not what volumes are seeded with
    }
    lchown(dst, Some(meta.uid()), Some(meta.gid()))?;
    if !meta.file_type().is_symlink() {
        fs::set_permissions(dst, fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    Ok(())
}
