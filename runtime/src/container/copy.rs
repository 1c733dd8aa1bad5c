//! `docker cp` and `docker export`: a container's files read and written
//! from outside it, with Docker's path rules.
//!
//! A container's files are seen as its processes see them: the overlay
//! root (mounted for the copy when the container is not running, so a
//! copy into a stopped container lands in its writable layer), with its
//! volumes, bind mounts and `/etc/hosts`/`/etc/hostname` over it. Symlinks
//! are followed inside that view only: an absolute link means the
//! container's `/`, and nothing resolves to a host path outside it.
//!
//! Both directions move a tar, as Docker's API does: the source side packs
//! the resource ([`ContainerView::archive`], [`archive_local`]), the
//! destination side unpacks it ([`ContainerView::extract`],
//! [`extract_local`]), renaming the top entry as the destination asks
//! ([`prepare_copy`]). What the `docker cp` client decides (trailing `/`,
//! `/.`, a destination that exists or not) is here too, so the app only
//! wires paths and streams together.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use crate::container::{rootfs, ContainerRecord};
use crate::error::Error;
use crate::fsutil::StateLock;
use crate::layout::Layout;
use crate::volume::{MountKind, VolumeStore};

/// Why a copy failed, in Docker's words. [`CopyError::from_daemon`] says
/// whether Docker's engine or its client reports it.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("Could not find the file {path} in container {container}")]
    NotFound { path: String, container: String },
    #[error("bad parameter: pathcannot be empty")]
    EmptyPath,
    #[error("extraction point is not a directory")]
    ExtractPointNotDirectory,
    #[error("mounted volume is marked read-only")]
    ReadOnly,
    /// The engine's own failure text (`lstat …: not a directory` …).
    #[error("{0}")]
    Daemon(String),
    /// Unpacking into the container failed (an entry outside the
    /// destination, a directory in the way …).
    #[error("Error processing tar file(exit status 1): {0}")]
    Unpack(String),
    #[error("no such directory")]
    DirNotExists,
    #[error("cannot copy directory")]
    CannotCopyDir,
    #[error("not a directory")]
    NotADirectory,
    #[error("destination \"{container}:{path}\" must be a directory")]
    MustBeDirectory { container: String, path: String },
    #[error("destination \"{container}:{path}\" must be a directory or a regular file: {kind}")]
    NotFileOrDirectory { container: String, path: String, kind: &'static str },
    /// The client's own failure text about a local path (`lstat …`,
    /// `invalid output path: …`, `invalid symlink …`).
    #[error("{0}")]
    Local(String),
    #[error(transparent)]
    Engine(#[from] Error),
}

impl CopyError {
    /// Docker prints these after `Error response from daemon: `.
    pub fn from_daemon(&self) -> bool {
        matches!(
            self,
            CopyError::NotFound { .. }
                | CopyError::EmptyPath
                | CopyError::ExtractPointNotDirectory
                | CopyError::ReadOnly
                | CopyError::Daemon(_)
                | CopyError::Unpack(_)
                | CopyError::Engine(_)
        )
    }
}

pub type CopyResult<T> = std::result::Result<T, CopyError>;

/// What a copy source is, as Docker's `CopyInfo` says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// The path packed (symlinks before its last element resolved).
    pub path: String,
    pub is_dir: bool,
    /// The name the top entry takes instead of `path`'s last element
    /// (a followed symlink keeps the name it was asked by).
    pub rebase_name: Option<String>,
}

/// What a copy destination is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestInfo {
    pub path: String,
    pub exists: bool,
    pub is_dir: bool,
}

/// Docker's `ContainerPathStat`, what `docker cp` asks of a container path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStat {
    pub is_dir: bool,
    pub is_symlink: bool,
    pub is_device: bool,
    /// For a symlink: its target, resolved inside the container, absolute.
    pub link_target: String,
}

/// A tar, in memory, and its length: what `Successfully copied …` counts.
pub struct Archive {
    pub bytes: Vec<u8>,
    pub source: SourceInfo,
}

/// Who owns what a copy creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// As the archive says (Docker's engine, running as root).
    FromArchive,
    /// The user doing the copy (Docker's client writing local files).
    Caller,
    /// `docker cp -a` into a container with a `USER`.
    Fixed(u32, u32),
}

/// Where a copy's paths live: the container (errors are the engine's, as
/// Docker's daemon reports them) or the local machine (the client's).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Container,
    Local,
}

struct MountPoint {
    target: Vec<OsString>,
    source: PathBuf,
    readonly: bool,
}

/// A container's filesystem opened for a copy. While it lives, the
/// container's root stays mounted (it is mounted here if the container is
/// not running) and no monitor mounts or unmounts it.
pub struct ContainerView {
    rootfs: PathBuf,
    mounts: Vec<MountPoint>,
    mounted_here: bool,
    /// The container as the user named it, for messages.
    name: String,
    _lock: StateLock,
}

impl Drop for ContainerView {
    fn drop(&mut self) {
        if self.mounted_here {
            rootfs::unmount_locked(&self.rootfs);
        }
    }
}

/// Normal components of a path, `..` kept (resolved later against a root).
fn components(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect()
}

fn join_parts(base: &Path, parts: &[OsString]) -> PathBuf {
    parts.iter().fold(base.to_path_buf(), |p, c| p.join(c))
}

/// `/` followed by the parts.
fn absolute(parts: &[OsString]) -> PathBuf {
    join_parts(Path::new("/"), parts)
}

impl ContainerView {
    /// Opens `record`'s filesystem; `name` is how the user named it.
    /// With `with_mounts`, its volumes and bind mounts are seen where the
    /// container sees them (`docker cp`); without, only its root
    /// (`docker export`, as Docker's).
    pub fn open(layout: &Layout, record: &ContainerRecord, name: &str, with_mounts: bool) -> crate::Result<ContainerView> {
        let dir = layout.container_dir(&record.id);
        let lock = rootfs::lock(&dir)?;
        let root = dir.join("rootfs");
        let mounted_here = !rootfs::is_mounted(&root);
        if mounted_here {
            rootfs::mount_locked(layout, record, &dir)?;
        }
        let mut mounts = Vec::new();
        if with_mounts {
            for (file, target) in [("hosts", "/etc/hosts"), ("hostname", "/etc/hostname")] {
                if dir.join(file).is_file() {
                    mounts.push(MountPoint { target: components(Path::new(target)), source: dir.join(file), readonly: false });
                }
            }
            let volumes = VolumeStore::new(layout.clone());
            for m in &record.config.mounts {
                let source = match m.kind {
                    MountKind::Bind => PathBuf::from(&m.source),
                    MountKind::Volume => volumes.data_dir(&m.source),
                };
                mounts.push(MountPoint { target: components(Path::new(&m.target)), source, readonly: m.readonly });
            }
        }
        Ok(ContainerView { rootfs: root, mounts, mounted_here, name: name.to_owned(), _lock: lock })
    }

    fn mount_of(&self, parts: &[OsString]) -> Option<&MountPoint> {
        self.mounts.iter().filter(|m| !m.target.is_empty() && parts.starts_with(&m.target)).max_by_key(|m| m.target.len())
    }

    /// The host path of a resolved container path.
    fn host(&self, parts: &[OsString]) -> PathBuf {
        match self.mount_of(parts) {
            Some(m) => join_parts(&m.source, &parts[m.target.len()..]),
            None => join_parts(&self.rootfs, parts),
        }
    }

    /// Resolves a container path to its components with every symlink
    /// followed inside the container (the last one only with
    /// `follow_last`); missing components are kept as they are.
    fn resolve(&self, path: &Path, follow_last: bool) -> CopyResult<Vec<OsString>> {
        let mut pending: Vec<OsString> = components(path).into_iter().rev().collect();
        let mut current: Vec<OsString> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                current.pop();
                continue;
            }
            current.push(part);
            if pending.is_empty() && !follow_last {
                break;
            }
            let host = self.host(&current);
            let Ok(meta) = fs::symlink_metadata(&host) else { continue };
            if !meta.file_type().is_symlink() {
                continue;
            }
            links += 1;
            if links > 255 {
                return Err(CopyError::Daemon(format!("too many links in {}", path.display())));
            }
            let target = fs::read_link(&host).map_err(|e| CopyError::Daemon(format!("readlink {}: {}", absolute(&current).display(), os_text(&e))))?;
            current.pop();
            if target.is_absolute() {
                current.clear();
            }
            pending.extend(components(&target).into_iter().rev());
        }
        Ok(current)
    }

    /// Docker's `ResolvePath`: the directory part resolved inside the
    /// container, the last element as it is. Returns the resolved parts
    /// and whether the path asserts a directory (`/` or `/.` at its end).
    fn resolve_path(&self, path: &str) -> CopyResult<(Vec<OsString>, bool)> {
        let asserts_dir = asserts_directory(path);
        let abs = Path::new("/").join(path.trim_start_matches('/'));
        // A trailing `/` makes the kernel follow a last symlink, as Docker's lstat does.
        Ok((self.resolve(&abs, asserts_dir)?, asserts_dir))
    }

    /// `docker cp`'s stat of a container path (Docker's `ContainerStatPath`).
    pub fn stat(&self, path: &str) -> CopyResult<PathStat> {
        if path.is_empty() {
            return Err(CopyError::EmptyPath);
        }
        let (parts, asserts_dir) = self.resolve_path(path)?;
        let meta = self.lstat(&parts, asserts_dir, path)?;
        let link_target = if meta.file_type().is_symlink() {
            let abs = Path::new("/").join(path.trim_start_matches('/'));
            absolute(&self.resolve(&abs, true)?).to_string_lossy().into_owned()
        } else {
            String::new()
        };
        Ok(PathStat {
            is_dir: meta.is_dir(),
            is_symlink: meta.file_type().is_symlink(),
            is_device: meta.file_type().is_block_device() || meta.file_type().is_char_device(),
            link_target,
        })
    }

    fn lstat(&self, parts: &[OsString], asserts_dir: bool, asked: &str) -> CopyResult<fs::Metadata> {
        let host = self.host(parts);
        match fs::symlink_metadata(&host) {
            Ok(m) if asserts_dir && !m.is_dir() => Err(CopyError::Daemon(format!("lstat {}/: not a directory", host.display()))),
            Ok(m) => Ok(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(CopyError::NotFound { path: asked.to_owned(), container: self.name.clone() }),
            Err(e) => Err(CopyError::Daemon(format!("lstat {}: {}", host.display(), os_text(&e)))),
        }
    }

    /// A container path as a tar (Docker's `ContainerArchivePath`): entries
    /// named after the path's last element as asked (`.` for `dir/.`).
    pub fn archive(&self, path: &str) -> CopyResult<Archive> {
        if path.is_empty() {
            return Err(CopyError::EmptyPath);
        }
        let (parts, asserts_dir) = self.resolve_path(path)?;
        let meta = self.lstat(&parts, asserts_dir, path)?;
        let name = entry_base(path);
        let mut tar = TarWriter::new(Vec::new());
        let tree = |logical: &Path| self.host(&components(logical));
        tar.write_tree(&tree, &absolute(&parts), &name).map_err(|e| CopyError::Daemon(os_text(&e)))?;
        let bytes = tar.finish().map_err(|e| CopyError::Daemon(os_text(&e)))?;
        Ok(Archive { bytes, source: SourceInfo { path: path.to_owned(), is_dir: meta.is_dir(), rebase_name: None } })
    }

    /// The whole root as `docker export` writes it: entries relative to
    /// `/`, without a root entry.
    pub fn export(&self, out: &mut dyn Write) -> crate::Result<()> {
        let mut tar = TarWriter::new(out);
        let tree = |logical: &Path| self.host(&components(logical));
        let io_err = Error::io("exporting", &self.rootfs);
        let written = tar.write_children(&tree, Path::new("/"), "").and_then(|()| tar.finish().map(|_| ()));
        match written {
            // A reader that stopped early (`| head`) is not the export's failure.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(io_err),
        }
    }

    /// Unpacks `archive` into the container directory `dest` (Docker's
    /// `ContainerExtractToDir`): the directory is resolved inside the
    /// container, last symlink included, and must exist.
    pub fn extract(&self, dest: &str, archive: &mut dyn Read, rebase: &[(String, String)], owner: Owner) -> CopyResult<()> {
        let abs = Path::new("/").join(dest.trim_start_matches('/'));
        let parts = self.resolve(&abs, true)?;
        match fs::symlink_metadata(self.host(&parts)) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(CopyError::ExtractPointNotDirectory),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(CopyError::NotFound { path: dest.to_owned(), container: self.name.clone() }),
            Err(e) => return Err(CopyError::Daemon(os_text(&e))),
        }
        if self.mount_of(&parts).is_some_and(|m| m.readonly) {
            return Err(CopyError::ReadOnly);
        }
        let place = |logical: &Path| -> CopyResult<PathBuf> {
            let leaf = components(logical);
            let Some((name, parent)) = leaf.split_last() else { return Ok(self.host(&[])) };
            let mut resolved = self.resolve(&absolute(parent), true)?;
            resolved.push(name.clone());
            if self.mount_of(&resolved).is_some_and(|m| m.readonly) {
                return Err(CopyError::ReadOnly);
            }
            Ok(self.host(&resolved))
        };
        unpack(archive, &absolute(&parts), &place, rebase, owner, Side::Container)
    }
}

/// What `docker cp` writes to on the local side: a path (absolute, with
/// the `/` or `/.` the user typed), or a tar stream (`-`).
pub enum LocalDest<'a> {
    Path(String),
    Stream(&'a mut dyn Write),
}

/// What `docker cp` reads on the local side.
pub enum LocalSource<'a> {
    Path(String),
    Stream(&'a mut dyn Read),
}

/// `docker cp`'s flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct CopyOptions {
    /// `-L`: a symlink source is copied as what it points to.
    pub follow_link: bool,
    /// `-a`: files copied in belong to the container's `USER`.
    pub archive: bool,
}

/// `docker cp CONTAINER:SRC DEST|-` (`name` is the container as the user
/// named it). Returns the size of the tar moved, which Docker reports.
pub fn copy_from(layout: &Layout, record: &ContainerRecord, name: &str, src: &str, dest: LocalDest<'_>, options: CopyOptions) -> CopyResult<u64> {
    if let LocalDest::Path(p) = &dest {
        validate_output_path(p)?;
    }
    let view = ContainerView::open(layout, record, name, true)?;
    let mut src_path = src.to_owned();
    let mut renamed = None;
    if options.follow_link {
        if let Ok(stat) = view.stat(&src_path) {
            if stat.is_symlink {
                let (resolved, rebase) = rebase_name(&src_path, &stat.link_target);
                src_path = resolved;
                renamed = rebase;
            }
        }
    }
    let mut archive = view.archive(&src_path)?;
    drop(view);
    let size = archive.bytes.len() as u64;
    match dest {
        LocalDest::Stream(out) => match out.write_all(&archive.bytes).and_then(|()| out.flush()) {
            // A reader that stopped early (`| head`) is not the copy's failure.
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(CopyError::Local(os_text(&e))),
            _ => {}
        },
        LocalDest::Path(path) => {
            let mut rules = Vec::new();
            if let Some(r) = &renamed {
                rules.push((split_path_dir_entry(&src_path).1, r.clone()));
            }
            archive.source.rebase_name = renamed;
            let dest = local_dest(&path)?;
            let (dir, more) = prepare_copy(&archive.source, &dest)?;
            rules.extend(more);
            extract_local(&mut archive.bytes.as_slice(), &dir, &rules)?;
        }
    }
    Ok(size)
}

/// `docker cp SRC|- CONTAINER:DEST`. Returns the size of the tar moved (0
/// for a stream, as Docker counts it) and the destination as Docker names
/// it in `Successfully copied … to CONTAINER:PATH`.
pub fn copy_to(layout: &Layout, record: &ContainerRecord, name: &str, src: LocalSource<'_>, dest: &str, options: CopyOptions) -> CopyResult<(u64, String)> {
    let view = ContainerView::open(layout, record, name, true)?;
    let mut dest_info = DestInfo { path: dest.to_owned(), exists: false, is_dir: false };
    let mut stat = view.stat(dest);
    if let Ok(s) = &stat {
        if s.is_symlink {
            dest_info.path = s.link_target.clone();
            stat = view.stat(&dest_info.path);
        }
    }
    if let Ok(s) = &stat {
        if s.is_device {
            return Err(CopyError::NotFileOrDirectory { container: name.to_owned(), path: dest.to_owned(), kind: "got a device" });
        }
        dest_info.exists = true;
        dest_info.is_dir = s.is_dir;
    }
    let owner = match (options.archive, record.config.user.as_str()) {
        (true, user) if !user.is_empty() => {
            let read = |file: &str| view.resolve(Path::new(file), true).ok().and_then(|p| fs::read_to_string(view.host(&p)).ok());
            let resolved = crate::container::user::resolve(user, read("/etc/passwd").as_deref(), read("/etc/group").as_deref()).map_err(CopyError::Daemon)?;
            Owner::Fixed(resolved.uid, resolved.gid)
        }
        _ => Owner::FromArchive,
    };
    let size = match src {
        LocalSource::Stream(input) => {
            if !dest_info.is_dir {
                return Err(CopyError::MustBeDirectory { container: name.to_owned(), path: dest.to_owned() });
            }
            view.extract(&dest_info.path, input, &[], owner)?;
            0
        }
        LocalSource::Path(path) => {
            let source = local_source(&path, options.follow_link)?;
            let archive = archive_local(&source)?;
            let (dir, rules) = prepare_copy(&source, &dest_info)?;
            view.extract(&dir, &mut archive.bytes.as_slice(), &rules, owner)?;
            archive.bytes.len() as u64
        }
    };
    Ok((size, format!("{name}:{}", dest_info.path)))
}

/// Docker's `SplitPathDirEntry`: the cleaned path's directory and last
/// element, `.` kept when the path ends in `/.`.
pub fn split_path_dir_entry(path: &str) -> (String, String) {
    let mut cleaned = clean(path);
    if specifies_current_dir(path) {
        cleaned = if cleaned == "/" { "/.".into() } else { format!("{cleaned}/.") };
    }
    match cleaned.rfind('/') {
        Some(0) => ("/".into(), cleaned[1..].to_owned()),
        Some(i) => (cleaned[..i].to_owned(), cleaned[i + 1..].to_owned()),
        None => (".".into(), cleaned),
    }
}

/// Go's `filepath.Clean`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn base_name(path: &str) -> String {
    split_path_dir_entry(path).1
}

fn specifies_current_dir(path: &str) -> bool {
    let trimmed = path.trim_end_matches('/');
    trimmed == "." || trimmed.ends_with("/.") || path.is_empty()
}

fn has_trailing_separator(path: &str) -> bool {
    path.len() > 1 && path.ends_with('/') || path == "/"
}

/// A path that says it is a directory: it ends in `/` or `/.`.
pub fn asserts_directory(path: &str) -> bool {
    has_trailing_separator(path) || specifies_current_dir(path)
}

/// Docker's `PreserveTrailingDotOrSeparator`: a cleaned path given back
/// the `/` or `/.` the user typed.
pub fn preserve_trailing(cleaned: &str, original: &str) -> String {
    let mut out = cleaned.to_owned();
    if !specifies_current_dir(&out) && specifies_current_dir(original) && !original.is_empty() {
        if !out.ends_with('/') {
            out.push('/');
        }
        out.push('.');
    }
    if !out.ends_with('/') && has_trailing_separator(original) {
        out.push('/');
    }
    out
}

/// The name a container path's entries get: its last element as asked,
/// `/` for the root itself.
fn entry_base(path: &str) -> String {
    let abs = preserve_trailing(&clean(&format!("/{path}")), path);
    if clean(&abs) == "/" && !specifies_current_dir(path) {
        return "/".into();
    }
    base_name(&abs)
}

/// Docker's `GetRebaseName`: the resolved path given back the trailing `/`
/// or `/.` of the asked one, and the asked last element when it differs.
pub fn rebase_name(asked: &str, resolved: &str) -> (String, Option<String>) {
    let mut resolved = resolved.to_owned();
    if specifies_current_dir(asked) && !specifies_current_dir(&resolved) {
        resolved.push_str("/.");
    }
    if has_trailing_separator(asked) && !has_trailing_separator(&resolved) {
        resolved.push('/');
    }
    let rebase = (base_name(asked) != base_name(&resolved)).then(|| base_name(asked));
    (resolved, rebase)
}

/// Docker's `PrepareArchiveCopy`: where the archive of `src` is unpacked
/// for `dst`, and how its top entry is renamed.
pub fn prepare_copy(src: &SourceInfo, dst: &DestInfo) -> CopyResult<(String, Vec<(String, String)>)> {
    let (dst_dir, dst_base) = split_path_dir_entry(&dst.path);
    let (_, mut src_base) = split_path_dir_entry(&src.path);
    if let Some(r) = &src.rebase_name {
        src_base = r.clone();
    }
    let rename = |dir: String| Ok((dir, vec![(src_base.clone(), dst_base.clone())]));
    if dst.exists && dst.is_dir {
        Ok((dst.path.clone(), Vec::new()))
    } else if dst.exists && src.is_dir {
        Err(CopyError::CannotCopyDir)
    } else if dst.exists || src.is_dir {
        rename(dst_dir)
    } else if asserts_directory(&dst.path) {
        Err(CopyError::DirNotExists)
    } else {
        rename(dst_dir)
    }
}

fn os_text(e: &io::Error) -> String {
    // Go's texts: lower case, no "(os error N)".
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => text,
    }
}

/// Docker's client side: a local path as a copy source (Docker's
/// `CopyInfoSourcePath`): symlinks before the last element resolved, the
/// last one too with `follow_link`. `path` is absolute.
pub fn local_source(path: &str, follow_link: bool) -> CopyResult<SourceInfo> {
    let (resolved, rebase) = if follow_link {
        let real = fs::canonicalize(path).map_err(|e| CopyError::Local(format!("lstat {path}: {}", os_text(&e))))?;
        rebase_name(path, &real.to_string_lossy())
    } else {
        let (dir, base) = match path.rfind('/') {
            Some(i) => (&path[..=i], &path[i + 1..]),
            None => ("./", path),
        };
        let real_dir = fs::canonicalize(dir).map_err(|e| CopyError::Local(format!("lstat {dir}: {}", os_text(&e))))?;
        let real_dir = real_dir.to_string_lossy();
        let resolved = if real_dir == "/" { format!("/{base}") } else { format!("{real_dir}/{base}") };
        let rebase = (has_trailing_separator(path) && base_name(path) != base_name(&resolved)).then(|| base_name(path));
        (resolved, rebase)
    };
    let meta = fs::symlink_metadata(&resolved).map_err(|e| CopyError::Local(format!("lstat {resolved}: {}", os_text(&e))))?;
    Ok(SourceInfo { path: resolved, is_dir: meta.is_dir(), rebase_name: rebase })
}

/// A local source as a tar (Docker's `TarResource`).
pub fn archive_local(src: &SourceInfo) -> CopyResult<Archive> {
    let mut name = base_name(&src.path);
    if let Some(r) = &src.rebase_name {
        name = r.clone();
    }
    let mut tar = TarWriter::new(Vec::new());
    let tree = |logical: &Path| logical.to_path_buf();
    let local = |e: io::Error| CopyError::Local(os_text(&e));
    let path = clean(&src.path);
    tar.write_tree(&tree, Path::new(&path), &name).map_err(local)?;
    let bytes = tar.finish().map_err(local)?;
    Ok(Archive { bytes, source: src.clone() })
}

/// Docker's `ValidateOutputPath`, for a local destination.
pub fn validate_output_path(path: &str) -> CopyResult<()> {
    let cleaned = clean(path);
    let dir = split_path_dir_entry(&cleaned).0;
    if dir != "." && fs::metadata(&dir).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
        return Err(CopyError::Local(format!("invalid output path: directory {dir:?} does not exist")));
    }
    match fs::metadata(path) {
        Ok(m) if m.is_dir() || m.is_file() => Ok(()),
        Ok(m) => {
            let kind = if m.file_type().is_block_device() || m.file_type().is_char_device() { "got a device" } else { "got an irregular file" };
            Err(CopyError::Local(format!("invalid output path: {path:?} must be a directory or a regular file: {kind}")))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CopyError::Local(format!("stat {path}: {}", os_text(&e)))),
    }
}

/// Docker's `CopyInfoDestinationPath`: a local destination, symlinks at
/// its end followed; a missing one needs its parent directory.
pub fn local_dest(path: &str) -> CopyResult<DestInfo> {
    let mut path = path.to_owned();
    let original = path.clone();
    let mut n = 0;
    loop {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                n += 1;
                if n > 10 {
                    return Err(CopyError::Local(format!("too many symlinks in {original}")));
                }
                let target = fs::read_link(&path).map_err(|e| CopyError::Local(format!("readlink {path}: {}", os_text(&e))))?;
                let target = target.to_string_lossy().into_owned();
                path = if target.starts_with('/') { target } else { clean(&format!("{}/{target}", split_path_dir_entry(&path).0)) };
            }
            Ok(m) => return Ok(DestInfo { path, exists: true, is_dir: m.is_dir() }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let (parent, _) = split_path_dir_entry(&path);
                return match fs::metadata(&parent) {
                    Ok(m) if m.is_dir() => Ok(DestInfo { path, exists: false, is_dir: false }),
                    Ok(_) => Err(CopyError::NotADirectory),
                    Err(e) => Err(CopyError::Local(format!("stat {parent}: {}", os_text(&e)))),
                };
            }
            Err(e) => return Err(CopyError::Local(format!("lstat {path}: {}", os_text(&e)))),
        }
    }
}

/// Unpacks an archive into the local directory `dest` (Docker's client
/// `CopyTo`): files are the caller's, as Docker's client leaves them.
pub fn extract_local(archive: &mut dyn Read, dest: &str, rebase: &[(String, String)]) -> CopyResult<()> {
    let place = |logical: &Path| -> CopyResult<PathBuf> { Ok(logical.to_path_buf()) };
    unpack(archive, Path::new(dest), &place, rebase, Owner::Caller, Side::Local)
}

/// Docker's `RebaseArchiveEntries`: the first `old` in a name becomes
/// `new` (`/` as `old` means the names' start).
fn rebase(name: &str, rules: &[(String, String)]) -> String {
    rules.iter().fold(name.to_owned(), |n, (old, new)| {
        let old = if old == "/" { "" } else { old.as_str() };
        n.replacen(old, new, 1)
    })
}

/// Unpacks a tar under `dest` (a logical path: in the container, or local),
/// as Docker's `Unpack` does with `NoOverwriteDirNonDir`: names cleaned,
/// none outside `dest`, links checked against `dest`, a directory merged
/// with one already there, anything else replaced; directory times last.
fn unpack(
    archive: &mut dyn Read,
    dest: &Path,
    place: &dyn Fn(&Path) -> CopyResult<PathBuf>,
    rules: &[(String, String)],
    owner: Owner,
    side: Side,
) -> CopyResult<()> {
    let fail = |text: String| match side {
        Side::Container => CopyError::Unpack(text),
        Side::Local => CopyError::Local(text),
    };
    let io_fail = |e: io::Error| fail(os_text(&e));
    let dest_text = dest.to_string_lossy().into_owned();
    let mut tar = tar::Archive::new(archive);
    let mut dirs: Vec<(PathBuf, u64)> = Vec::new();
    for entry in tar.entries().map_err(io_fail)? {
        let mut entry = entry.map_err(io_fail)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = clean(&rebase(&raw, rules));
        let logical = PathBuf::from(clean(&format!("{dest_text}/{name}")));
        if !logical.starts_with(dest) {
            return Err(fail(format!("{name:?} is outside of {dest_text:?}")));
        }
        let header = entry.header().clone();
        let kind = header.entry_type();
        let target = place(&logical)?;
        if let Some(parent) = target.parent() {
            if fs::symlink_metadata(parent).is_err() {
                fs::create_dir_all(parent).map_err(io_fail)?;
            }
        }
        let logical_text = logical.to_string_lossy().into_owned();
        if let Ok(existing) = fs::symlink_metadata(&target) {
            if existing.is_dir() && !kind.is_dir() {
                return Err(fail(format!("cannot overwrite directory {logical_text:?} with non-directory {dest_text:?}")));
            }
            if !existing.is_dir() && kind.is_dir() {
                return Err(fail(format!("cannot overwrite non-directory {logical_text:?} with directory {dest_text:?}")));
            }
            if existing.is_dir() && name == "." {
                continue;
            }
            if !existing.is_dir() {
                fs::remove_file(&target).map_err(io_fail)?;
            }
        }
        let mode = header.mode().unwrap_or(0o644) & 0o7777;
        let link = || header.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned()).unwrap_or_default();
        match kind {
            tar::EntryType::Directory => {
                if !target.is_dir() {
                    fs::create_dir(&target).map_err(io_fail)?;
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                let mut file = fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&target).map_err(io_fail)?;
                io::copy(&mut entry, &mut file).map_err(io_fail)?;
            }
            tar::EntryType::Symlink => {
                let link = link();
                let resolved = clean(&format!("{}/{link}", logical.parent().unwrap_or(dest).display()));
                if !resolved.starts_with(&dest_text) {
                    return Err(fail(format!("invalid symlink {logical_text:?} -> {link:?}")));
                }
                std::os::unix::fs::symlink(&link, &target).map_err(io_fail)?;
            }
            tar::EntryType::Link => {
                let link = link();
                let linked = PathBuf::from(clean(&format!("{dest_text}/{link}")));
                if !linked.to_string_lossy().starts_with(&dest_text) {
                    return Err(fail(format!("invalid hardlink {logical_text:?} -> {link:?}")));
                }
                fs::hard_link(place(&linked)?, &target).map_err(io_fail)?;
            }
            tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                use nix::sys::stat::{makedev, mknod, Mode, SFlag};
                let flag = match kind {
                    tar::EntryType::Char => SFlag::S_IFCHR,
                    tar::EntryType::Block => SFlag::S_IFBLK,
                    _ => SFlag::S_IFIFO,
                };
                let dev = makedev(header.device_major().ok().flatten().unwrap_or(0).into(), header.device_minor().ok().flatten().unwrap_or(0).into());
                mknod(&target, flag, Mode::from_bits_truncate(mode), dev).map_err(|e| fail(format!("mknod {logical_text}: {}", e.desc().to_lowercase())))?;
            }
            // PAX and GNU extension headers are read by `entries()`; other kinds Docker skips too.
            _ => continue,
        }
        let ids = match owner {
            Owner::FromArchive => Some((header.uid().unwrap_or(0) as u32, header.gid().unwrap_or(0) as u32)),
            Owner::Fixed(u, g) => Some((u, g)),
            Owner::Caller => None,
        };
        if let Some((uid, gid)) = ids {
            std::os::unix::fs::lchown(&target, Some(uid), Some(gid)).map_err(io_fail)?;
        }
        let mtime = header.mtime().unwrap_or(0);
        if kind != tar::EntryType::Symlink {
            fs::set_permissions(&target, fs::Permissions::from_mode(mode)).map_err(io_fail)?;
        }
        if kind.is_dir() {
            dirs.push((target, mtime));
        } else {
            set_times(&target, mtime, kind == tar::EntryType::Symlink);
        }
    }
    for (dir, mtime) in dirs {
        set_times(&dir, mtime, false);
    }
    Ok(())
}

/// Sets a file's access and modification times (a symlink's own).
fn set_times(path: &Path, mtime: u64, symlink: bool) {
    use nix::sys::stat::{utimensat, UtimensatFlags};
    use nix::sys::time::TimeSpec;
    let t = TimeSpec::new(mtime as i64, 0);
    let flag = if symlink { UtimensatFlags::NoFollowSymlink } else { UtimensatFlags::FollowSymlink };
    // Times are best effort, as for Docker on filesystems that refuse them.
    let _ = utimensat(None, path, &t, &t, flag);
}

/// Writes tar entries with Docker's names (`./`, `/`, directories with a
/// trailing `/`), which the tar crate's path handling would normalise away.
struct TarWriter<W: Write> {
    out: W,
    /// Files with more than one link, by (device, inode): the first name they were written under.
    links: HashMap<(u64, u64), String>,
    /// The host's user and group names by ID, which Docker's engine writes
    /// in each header (for a container's files too).
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

/// `name:x:id:…` lines of a passwd or group file, by ID.
fn id_names(file: &str) -> HashMap<u32, String> {
    let text = fs::read_to_string(file).unwrap_or_default();
    let mut names = HashMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        if let (Some(name), Some(Ok(id))) = (fields.first(), fields.get(2).map(|f| f.parse::<u32>())) {
            names.entry(id).or_insert_with(|| (*name).to_owned());
        }
    }
    names
}

impl<W: Write> TarWriter<W> {
    fn new(out: W) -> TarWriter<W> {
        TarWriter { out, links: HashMap::new(), users: id_names("/etc/passwd"), groups: id_names("/etc/group") }
    }

    fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; 1024])?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// A GNU long-name (or long-link) record for a name over 100 bytes.
    fn long_name(&mut self, kind: tar::EntryType, name: &[u8]) -> io::Result<()> {
        let mut h = tar::Header::new_gnu();
        if let Some(g) = h.as_gnu_mut() {
            g.name[..13].copy_from_slice(b"././@LongLink");
        }
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(name.len() as u64 + 1);
        h.set_entry_type(kind);
        h.set_cksum();
        self.out.write_all(h.as_bytes())?;
        self.data(&mut [name, &[0u8]].concat().as_slice(), name.len() as u64 + 1)
    }

    fn data(&mut self, data: &mut dyn Read, size: u64) -> io::Result<()> {
        let copied = io::copy(&mut data.take(size), &mut self.out)?;
        if copied != size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file changed size while being copied"));
        }
        let pad = (512 - (size % 512)) % 512;
        self.out.write_all(&vec![0u8; pad as usize])
    }

    fn entry(&mut self, mut header: tar::Header, name: &str, link: Option<&[u8]>, data: &mut dyn Read) -> io::Result<()> {
        let bytes = name.as_bytes();
        if bytes.len() > 100 {
            self.long_name(tar::EntryType::GNULongName, bytes)?;
        }
        let n = bytes.len().min(100);
        header.as_old_mut().name = [0; 100];
        header.as_old_mut().name[..n].copy_from_slice(&bytes[..n]);
        if let Some(link) = link {
            if link.len() > 100 {
                self.long_name(tar::EntryType::GNULongLink, link)?;
            }
            let n = link.len().min(100);
            header.as_old_mut().linkname = [0; 100];
            header.as_old_mut().linkname[..n].copy_from_slice(&link[..n]);
        }
        header.set_cksum();
        self.out.write_all(header.as_bytes())?;
        let size = header.size()?;
        self.data(data, size)
    }

    /// Writes `logical` (through `tree`, its host path) named `name`, and
    /// what is under it.
    fn write_tree(&mut self, tree: &dyn Fn(&Path) -> PathBuf, logical: &Path, name: &str) -> io::Result<()> {
        let host = tree(logical);
        let meta = fs::symlink_metadata(&host)?;
        let kind = meta.file_type();
        if kind.is_socket() {
            return Ok(()); // not archivable; Docker leaves them out too
        }
        let mut h = tar::Header::new_gnu();
        h.set_mode(meta.mode() & 0o7777);
        h.set_uid(meta.uid().into());
        h.set_gid(meta.gid().into());
        h.set_mtime(meta.mtime().max(0) as u64);
        h.set_size(0);
        if let Some(name) = self.users.get(&meta.uid()) {
            h.set_username(name)?;
        }
        if let Some(name) = self.groups.get(&meta.gid()) {
            h.set_groupname(name)?;
        }
        if kind.is_dir() {
            let dir_name = if name.ends_with('/') { name.to_owned() } else { format!("{name}/") };
            h.set_entry_type(tar::EntryType::Directory);
            self.entry(h, &dir_name, None, &mut io::empty())?;
            return self.write_children(tree, logical, &dir_name);
        }
        if kind.is_symlink() {
            h.set_entry_type(tar::EntryType::Symlink);
            let target = fs::read_link(&host)?;
            return self.entry(h, name, Some(target.as_os_str().as_bytes()), &mut io::empty());
        }
        if meta.nlink() > 1 {
            let key = (meta.dev(), meta.ino());
            if let Some(first) = self.links.get(&key).cloned() {
                h.set_entry_type(tar::EntryType::Link);
                return self.entry(h, name, Some(first.as_bytes()), &mut io::empty());
            }
            self.links.insert(key, name.to_owned());
        }
        if kind.is_file() {
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(meta.len());
            let mut file = fs::File::open(&host)?;
            return self.entry(h, name, None, &mut file);
        }
        let kind_flag = if kind.is_char_device() {
            tar::EntryType::Char
        } else if kind.is_block_device() {
            tar::EntryType::Block
        } else {
            tar::EntryType::Fifo
        };
        h.set_entry_type(kind_flag);
        if kind.is_char_device() || kind.is_block_device() {
            h.set_device_major(nix::sys::stat::major(meta.rdev()) as u32)?;
            h.set_device_minor(nix::sys::stat::minor(meta.rdev()) as u32)?;
        }
        self.entry(h, name, None, &mut io::empty())
    }

    /// The entries under directory `logical`, by name, each `prefix` + its name.
    fn write_children(&mut self, tree: &dyn Fn(&Path) -> PathBuf, logical: &Path, prefix: &str) -> io::Result<()> {
        let mut names: Vec<OsString> = fs::read_dir(tree(logical))?.map(|e| e.map(|e| e.file_name())).collect::<io::Result<_>>()?;
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for child in names {
            let name = format!("{prefix}{}", child.to_string_lossy());
            self.write_tree(tree, &logical.join(&child), &name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_path_rules() {
        assert_eq!(split_path_dir_entry("/tmp/d/."), ("/tmp/d".into(), ".".into()));
        assert_eq!(split_path_dir_entry("/tmp/d/"), ("/tmp".into(), "d".into()));
        assert_eq!(split_path_dir_entry("/f"), ("/".into(), "f".into()));
        assert_eq!(split_path_dir_entry(""), (".".into(), ".".into()));
        assert_eq!(entry_base("/"), "/");
        assert_eq!(entry_base("/tmp/d/."), ".");
        assert_eq!(entry_base("tmp/d/"), "d");
        assert_eq!(preserve_trailing("/tmp/cpx/d", "d/."), "/tmp/cpx/d/.");
        assert_eq!(preserve_trailing("/tmp/cpx/d", "d/"), "/tmp/cpx/d/");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(rebase("./a", &[(".".into(), "d3".into())]), "d3/a");
        assert_eq!(rebase("/tmp/rel", &[("/".into(), "nothing".into())]), "nothing/tmp/rel");
    }

    #[test]
    fn prepare_copy_follows_docker() {
        let file = SourceInfo { path: "/h/f.txt".into(), is_dir: false, rebase_name: None };
        let dir = SourceInfo { path: "/h/d".into(), is_dir: true, rebase_name: None };
        let missing = |p: &str| DestInfo { path: p.into(), exists: false, is_dir: false };
        let existing_dir = DestInfo { path: "/tmp".into(), exists: true, is_dir: true };
        let existing_file = DestInfo { path: "/tmp/x".into(), exists: true, is_dir: false };
        assert_eq!(prepare_copy(&file, &existing_dir).unwrap(), ("/tmp".into(), vec![]));
        assert_eq!(prepare_copy(&file, &missing("/tmp/new")).unwrap(), ("/tmp".into(), vec![("f.txt".into(), "new".into())]));
        assert!(matches!(prepare_copy(&file, &missing("/nonexist/")), Err(CopyError::DirNotExists)));
        assert!(matches!(prepare_copy(&dir, &existing_file), Err(CopyError::CannotCopyDir)));
        assert_eq!(prepare_copy(&dir, &missing("/tmp/d2")).unwrap(), ("/tmp".into(), vec![("d".into(), "d2".into())]));
    }
}
