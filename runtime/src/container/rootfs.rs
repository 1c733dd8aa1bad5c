//! A container's root filesystem: the overlay mount over its image's
//! layers, and finding its program inside it the way exec will.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use nix::mount::{umount2, MntFlags, MsFlags};

use crate::container::ContainerRecord;
use crate::error::{exit_code, Error, Result};
use crate::fsutil::StateLock;
use crate::layout::Layout;

pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Why the container's program cannot run, with Docker's exit code (126, 127).
pub struct ExecError {
    pub message: String,
    pub exit_code: i32,
}

/// Mounts the container's root: its image layers read-only below, its own
/// writable layer on top.
pub fn mount(layout: &Layout, record: &ContainerRecord, dir: &Path) -> Result<()> {
    let _lock = lock(dir)?;
    mount_locked(layout, record, dir)
}

/// Held while a container's root is mounted, unmounted or worked on from
/// outside (`docker cp`, `docker export`), so none of them races another.
pub(crate) fn lock(dir: &Path) -> Result<StateLock> {
    StateLock::acquire(&dir.join(LOCK))
}

const LOCK: &str = "rootfs.lock";

/// [`mount`] for a caller holding [`lock`].
pub(crate) fn mount_locked(layout: &Layout, record: &ContainerRecord, dir: &Path) -> Result<()> {
    let rootfs = dir.join("rootfs");
    unmount_locked(&rootfs);
    let mut lower: Vec<String> = Vec::new();
    for layer in record.layers.iter().rev() {
        // A layer twice in the stack (two steps with the same diff) makes
        // overlayfs refuse the mount (ELOOP); its topmost copy already
        // shows all it holds, so the one below is left out.
        let path = layout.layer_dir(layer).to_string_lossy().into_owned();
        if !lower.contains(&path) {
            lower.push(path);
        }
    }
    if lower.is_empty() {
        // overlayfs needs a lower dir even for an image FROM scratch.
        let empty = dir.join("empty");
        fs::create_dir_all(&empty).map_err(Error::io("creating", &empty))?;
        lower.push(empty.to_string_lossy().into_owned());
    }
    let options = format!("lowerdir={},upperdir={},workdir={}", lower.join(":"), dir.join("upper").display(), dir.join("work").display());
    nix::mount::mount(Some("overlay"), &rootfs, Some("overlay"), MsFlags::empty(), Some(options.as_str())).map_err(Error::sys("mount overlay"))
}

/// Unmounts a container root if mounted; not mounted is fine.
pub fn unmount(rootfs: &Path) {
    // A container directory already gone has nothing mounted to wait for.
    let _lock = rootfs.parent().filter(|d| d.is_dir()).and_then(|d| lock(d).ok());
    unmount_locked(rootfs);
}

/// [`unmount`] for a caller holding [`lock`].
pub(crate) fn unmount_locked(rootfs: &Path) {
    let _ = umount2(rootfs, MntFlags::MNT_DETACH);
}

/// Whether the container's root is mounted now (its monitor runs it).
pub(crate) fn is_mounted(rootfs: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(rootfs), rootfs.parent().map(fs::metadata)) {
        (Ok(r), Some(Ok(p))) => r.dev() != p.dev(),
        _ => false,
    }
}

/// Finds the container's executable the way exec does, inside the
/// container's root, to fail with Docker's message and exit code.
pub fn check_executable(args: &[String], env: &[String], working_dir: &str, rootfs: &Path) -> Result<(), ExecError> {
    let Some(program) = args.first() else {
        return Err(ExecError { message: "no command specified".into(), exit_code: exit_code::DOCKER });
    };
    let not_found = |detail: String| ExecError { message: format!("exec: \"{program}\": {detail}"), exit_code: exit_code::NOT_FOUND };
    let found = if program.contains('/') {
        let in_ctr = if program.starts_with('/') { PathBuf::from(program) } else { Path::new(working_dir).join(program) };
        let host = resolve_in_root(rootfs, &in_ctr).filter(|p| p.exists()).ok_or_else(|| not_found(format!("stat {program}: no such file or directory")))?;
        host
    } else {
        let path_var = env.iter().find_map(|e| e.strip_prefix("PATH=")).unwrap_or(DEFAULT_PATH);
        path_var
            .split(':')
            .filter_map(|d| resolve_in_root(rootfs, &Path::new(d).join(program)))
            .find(|p| p.is_file())
            .ok_or_else(|| not_found("executable file not found in $PATH".into()))?
    };
    let executable = fs::metadata(&found).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if executable.unwrap_or(false) {
        Ok(())
    } else {
        Err(ExecError { message: format!("exec: \"{program}\": permission denied"), exit_code: exit_code::CANNOT_INVOKE })
    }
}

/// Creates the working directory inside the container's root if missing,
/// as Docker does for `-w` and `WORKDIR`; symlinks are followed inside the
/// root only, so an image cannot point this at the host's directories.
pub fn ensure_dir(rootfs: &Path, dir: &str) -> Result<()> {
    let mut in_container = PathBuf::from("/");
    for part in Path::new(dir).components() {
        let Component::Normal(name) = part else { continue };
        in_container.push(name);
        match resolve_in_root(rootfs, &in_container) {
            Some(host) if host.is_dir() => continue,
            Some(host) if host.exists() => return Err(Error::Spec(format!("the working directory {dir} is not a directory in the image"))),
            _ => {
                let parent = resolve_in_root(rootfs, in_container.parent().unwrap_or(Path::new("/")))
                    .ok_or_else(|| Error::Spec(format!("cannot create the working directory {dir}")))?;
                let host = parent.join(name);
                fs::create_dir(&host).map_err(Error::io("creating working directory", &host))?;
            }
        }
    }
    Ok(())
}

/// Resolves a path as the container will see it, following symlinks inside
/// `root` (an absolute link target means the container's /, not the host's).
pub(crate) fn resolve_in_root(root: &Path, path: &Path) -> Option<PathBuf> {
    let mut pending: Vec<std::ffi::OsString> = path
        .components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    let mut current: Vec<std::ffi::OsString> = Vec::new();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            current.pop();
            continue;
        }
        let candidate: PathBuf = std::iter::once(root.as_os_str().to_owned()).chain(current.iter().cloned()).chain([part.clone()]).collect();
        match fs::symlink_metadata(&candidate) {
            Ok(m) if m.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return None;
                }
                let target = fs::read_link(&candidate).ok()?;
                if target.is_absolute() {
                    current.clear();
                }
                pending.extend(target.components().rev().filter_map(|c| match c {
                    Component::Normal(p) => Some(p.to_owned()),
                    Component::ParentDir => Some("..".into()),
                    _ => None,
                }));
            }
            Ok(_) => current.push(part),
            Err(_) => return None,
        }
    }
    Some(std::iter::once(root.as_os_str().to_owned()).chain(current).collect())
}
