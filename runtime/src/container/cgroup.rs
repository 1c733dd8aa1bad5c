//! A container's cgroup, as libcontainer makes it from the spec's
//! `cgroupsPath` (`/whaleshell/<id>`), on either layout the kernel offers:
//!
//! - unified (cgroup v2 at /sys/fs/cgroup): one directory,
//!   `/sys/fs/cgroup/whaleshell/<id>`;
//! - legacy or hybrid (v1 controllers under /sys/fs/cgroup/<controller>,
//!   and on a hybrid host v2 at /sys/fs/cgroup/unified, which libcontainer
//!   leaves alone): one directory per controller,
//!   `/sys/fs/cgroup/<controller>/whaleshell/<id>`.
//!
//! Everything the engine knows about cgroups is here: where a container's
//! are, which processes they hold, how to kill them all (a fork bomb
//! included) and how to remove them. The monitor uses it when PID 1 ends,
//! and the cleanup of a container whose monitor died uses it too.

use std::fs;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const ROOT: &str = "/sys/fs/cgroup";
/// The parent of every container's cgroup (the spec's cgroupsPath is `/whaleshell/<id>`).
pub const PARENT: &str = "whaleshell";

/// How long [`Cgroup::kill_all`] keeps at it before it reports what is left.
const KILL_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hierarchy {
    /// cgroup v2 mounted at /sys/fs/cgroup.
    Unified,
    /// cgroup v1 controllers, each at /sys/fs/cgroup/<controller> (legacy or hybrid).
    V1,
}

impl Hierarchy {
    /// The layout of this host, as libcontainer detects it.
    pub fn detect() -> Hierarchy {
        if Path::new(ROOT).join("cgroup.controllers").exists() {
            Hierarchy::Unified
        } else {
            Hierarchy::V1
        }
    }
}

/// The cgroup(s) of one container.
#[derive(Debug, Clone)]
pub struct Cgroup {
    id: String,
    hierarchy: Hierarchy,
}

impl Cgroup {
    pub fn of(id: &str) -> Cgroup {
        Cgroup { id: id.to_owned(), hierarchy: Hierarchy::detect() }
    }

    pub fn hierarchy(&self) -> Hierarchy {
        self.hierarchy
    }

    /// The spec's `linux.cgroupsPath` for this container.
    pub fn spec_path(&self) -> PathBuf {
        Path::new("/").join(PARENT).join(&self.id)
    }

    /// The container's directory for a v1 controller (`pids`, `memory`,
    /// `freezer` …); on a unified host, its one directory.
    pub fn controller_dir(&self, controller: &str) -> PathBuf {
        match self.hierarchy {
            Hierarchy::Unified => Path::new(ROOT).join(PARENT).join(&self.id),
            Hierarchy::V1 => Path::new(ROOT).join(controller).join(PARENT).join(&self.id),
        }
    }

    /// Every directory of this container's cgroup that exists now.
    pub fn dirs(&self) -> Vec<PathBuf> {
        match self.hierarchy {
            Hierarchy::Unified => {
                let dir = self.controller_dir("");
                if dir.is_dir() {
                    vec![dir]
                } else {
                    Vec::new()
                }
            }
            Hierarchy::V1 => {
                let mut dirs: Vec<PathBuf> = Vec::new();
                let mut seen: Vec<PathBuf> = Vec::new();
                for entry in fs::read_dir(ROOT).into_iter().flatten().flatten() {
                    let dir = entry.path().join(PARENT).join(&self.id);
                    // Co-mounted controllers (cpu,cpuacct) appear under several names.
                    let Ok(real) = fs::canonicalize(&dir) else { continue };
                    if real.is_dir() && !seen.contains(&real) {
                        seen.push(real);
                        dirs.push(dir);
                    }
                }
                dirs
            }
        }
    }

    /// Whether a process is in the cgroup, by one look at the pids
    /// controller's list (libcontainer puts every process in every controller).
    pub fn holds_processes(&self) -> bool {
        !read_pids(&self.controller_dir("pids").join("cgroup.procs")).is_empty()
    }

    pub fn exists(&self) -> bool {
        !self.dirs().is_empty()
    }

    /// The host PIDs of every process in the container's cgroup.
    pub fn procs(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = self.dirs().iter().flat_map(|d| read_pids(&d.join("cgroup.procs"))).collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }

    /// The pids limit the kernel enforces (`pids.max`: a number or `max`),
    /// while the cgroup exists.
    pub fn pids_max(&self) -> Option<String> {
        fs::read_to_string(self.controller_dir("pids").join("pids.max")).ok().map(|s| s.trim().to_owned())
    }

    /// Kills every process in the cgroup and returns once it holds none.
    /// v2: `cgroup.kill` (or freeze, kill, thaw on kernels without it);
    /// v1: freeze the freezer cgroup so nothing forks meanwhile, SIGKILL
    /// each process, thaw so the signals are delivered, wait until empty.
    /// Fails when processes are still there after a while (stuck in the
    /// kernel, say); a caller may try again.
    pub fn kill_all(&self) -> Result<()> {
        let deadline = Instant::now() + KILL_DEADLINE;
        loop {
            let left = self.procs();
            if left.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::CgroupNotEmpty { id: self.id.clone(), left: left.len() });
            }
            let killed_by_kernel = self.hierarchy == Hierarchy::Unified && write(&self.controller_dir("").join("cgroup.kill"), "1");
            if !killed_by_kernel {
                self.freeze_and_kill();
            }
            self.wait_empty(deadline);
        }
    }

    /// The freezer's state file and what freezes and thaws it.
    fn freezer(&self) -> (PathBuf, &'static str, &'static str) {
        match self.hierarchy {
            Hierarchy::Unified => (self.controller_dir("").join("cgroup.freeze"), "1", "0"),
            Hierarchy::V1 => (self.controller_dir("freezer").join("freezer.state"), "FROZEN", "THAWED"),
        }
    }

    /// `docker pause`: freezes every process in the cgroup (the v1 freezer's
    /// `FROZEN`, v2's `cgroup.freeze`) and returns once the kernel says all
    /// of them are (or after a second, as [`wait_frozen`] does).
    pub fn freeze(&self) -> Result<()> {
        let (state_file, frozen, _) = self.freezer();
        fs::write(&state_file, frozen).map_err(Error::io("freezing the container's cgroup", &state_file))?;
        wait_frozen(self.hierarchy, &state_file);
        Ok(())
    }

    /// `docker unpause`: lets the frozen processes run again.
    pub fn thaw(&self) -> Result<()> {
        let (state_file, _, thawed) = self.freezer();
        fs::write(&state_file, thawed).map_err(Error::io("thawing the container's cgroup", &state_file))
    }

    /// Whether the cgroup is frozen (or freezing) now.
    pub fn is_frozen(&self) -> bool {
        let (state_file, _, _) = self.freezer();
        let state = fs::read_to_string(&state_file).unwrap_or_default();
        match self.hierarchy {
            Hierarchy::V1 => matches!(state.trim(), "FROZEN" | "FREEZING"),
            Hierarchy::Unified => state.trim() == "1",
        }
    }

    fn freeze_and_kill(&self) {
        let (state_file, frozen, thawed) = self.freezer();
        let froze = write(&state_file, frozen);
        if froze {
            wait_frozen(self.hierarchy, &state_file);
        }
        for pid in self.procs() {
            kill_pid(pid);
        }
        if froze {
            write(&state_file, thawed);
        }
    }

    /// Waits (on each process's pidfd, no polling of the list) until the
    /// cgroup is empty or the deadline has passed.
    fn wait_empty(&self, deadline: Instant) {
        loop {
            let left = self.procs();
            let Some(&pid) = left.first() else { return };
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            if !crate::process::wait_exit_timeout(pid, Some(deadline - now)) {
                return;
            }
            if self.procs().first() == Some(&pid) {
                // Exited but still listed for a moment (or a new process
                // has its PID): the kernel is releasing it; look again soon.
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Makes this cgroup for processes that are not a container's (the ECR
    /// lab's servers), with a pids limit and a freezer so that
    /// [`Cgroup::kill_all`] works on it; libcontainer makes containers' own.
    pub fn create_for_helpers(&self, pids_max: u32) -> Result<()> {
        let controllers: &[&str] = match self.hierarchy {
            Hierarchy::Unified => &[""],
            Hierarchy::V1 => &["pids", "freezer"],
        };
        if self.hierarchy == Hierarchy::Unified {
            // Children of the root and of whaleshell/ may use the pids controller.
            for dir in [Path::new(ROOT).to_path_buf(), Path::new(ROOT).join(PARENT)] {
                fs::create_dir_all(&dir).map_err(Error::io("creating cgroup", &dir))?;
                write(&dir.join("cgroup.subtree_control"), "+pids");
            }
        }
        for controller in controllers {
            let dir = self.controller_dir(controller);
            fs::create_dir_all(&dir).map_err(Error::io("creating cgroup", &dir))?;
        }
        let limit = self.controller_dir("pids").join("pids.max");
        fs::write(&limit, pids_max.to_string()).map_err(Error::io("setting the pids limit", &limit))
    }

    /// Makes `cmd`'s process join this cgroup before it execs, so that
    /// nothing it starts escapes the cgroup's limits.
    pub fn join_before_exec(&self, cmd: &mut std::process::Command) {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::process::CommandExt;
        let joins: Vec<std::ffi::CString> =
            self.dirs().iter().filter_map(|d| std::ffi::CString::new(d.join("cgroup.procs").as_os_str().as_bytes()).ok()).collect();
        // SAFETY: open, write and close are async-signal-safe; the paths were made before the fork.
        unsafe {
            cmd.pre_exec(move || {
                for path in &joins {
                    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                    if fd < 0 || libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(fd);
                }
                Ok(())
            });
        }
    }

    /// Removes the container's cgroup directories (each must be empty).
    pub fn remove(&self) {
        for dir in self.dirs() {
            remove_dir(&dir);
        }
    }
}

fn read_pids(path: &Path) -> Vec<i32> {
    fs::read_to_string(path).map(|s| s.lines().filter_map(|l| l.trim().parse().ok()).collect()).unwrap_or_default()
}

fn write(path: &Path, value: &str) -> bool {
    fs::write(path, value).is_ok()
}

/// A freezer takes a moment to reach every task (v1 reads FREEZING until
/// then, v2 reports `frozen 1` in cgroup.events); there is no event on v1,
/// so this looks again for up to a second, then goes on regardless.
fn wait_frozen(hierarchy: Hierarchy, state_file: &Path) {
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        let frozen = match hierarchy {
            Hierarchy::V1 => fs::read_to_string(state_file).is_ok_and(|s| s.trim() == "FROZEN"),
            Hierarchy::Unified => {
                let events = state_file.with_file_name("cgroup.events");
                fs::read_to_string(events).is_ok_and(|s| s.lines().any(|l| l.trim() == "frozen 1"))
            }
        };
        if frozen {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// SIGKILL through a pidfd when the kernel has them, so a PID reused in
/// the meantime is never hit.
fn kill_pid(pid: i32) {
    match pidfd(pid) {
        Some(fd) => {
            // SAFETY: pidfd_send_signal takes a pidfd we own, a signal number, a null info and flags.
            unsafe {
                libc::syscall(libc::SYS_pidfd_send_signal, fd.as_raw_fd(), libc::SIGKILL, std::ptr::null::<libc::siginfo_t>(), 0);
            }
        }
        None => {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

fn pidfd(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: a non-negative result is a fresh fd that we now own.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// A cgroup is busy until the kernel has released the last of the
/// container's killed processes, which can take a moment after they are
/// reaped; there is no event for that, so this retries for up to 2 s.
fn remove_dir(path: &Path) {
    for _ in 0..200 {
        match fs::remove_dir(path) {
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => std::thread::sleep(Duration::from_millis(10)),
            _ => return,
        }
    }
}
