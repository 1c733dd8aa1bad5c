//! The monitor: one small single-threaded process per running container.
//!
//! libcontainer forks with raw clone3 and changes process-wide state, which
//! is unsafe in a multi-threaded process, so the app never calls it itself.
//! It re-executes its own binary as `whaleshell __whaleshell-monitor ROOT ID`
//! (the app's `main` hands that over to [`main_if_monitor`]). The monitor
//! mounts the container's overlay root, creates and starts the container,
//! relays its terminal, forwards signals, waits for PID 1, records the exit
//! code, and cleans up: mounts, cgroup, libcontainer state, and the whole
//! container under `--rm`. It reports progress to the app as JSON lines on
//! fd 3.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};

use chrono::Utc;
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::Container;
use libcontainer::syscall::syscall::SyscallType;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, sigaction, SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, UnixAddr};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg, Termios};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::container::{spec, ContainerRecord, ContainerStore, Status};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::process;

/// The first argument that turns the app's binary into a monitor.
pub const MONITOR_ARG: &str = "__whaleshell-monitor";
const STATUS_FD: RawFd = 3;
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub fn default_path() -> &'static str {
    DEFAULT_PATH
}

/// What the monitor tells the app, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MonitorEvent {
    /// PID 1 is running; `pid` is its host PID.
    Started { pid: i32 },
    /// The container could not start; Docker's exit code for it (125, 126, 127).
    Failed { message: String, exit_code: i32 },
    /// PID 1 exited with this code (128 + signal when killed).
    Exited { code: i32 },
    /// `--rm` removed the container.
    Removed,
}

/// Where the container's stdio goes: the app's terminal, pipes, or /dev/null.
pub struct MonitorStdio {
    pub stdin: Stdio,
    pub stdout: Stdio,
    pub stderr: Stdio,
}

/// A running monitor, seen from the app.
pub struct MonitorHandle {
    pub child: Child,
    pub events: MonitorEvents,
}

/// The monitor's reports, readable on another thread than the child's output.
pub struct MonitorEvents(BufReader<File>);

impl MonitorEvents {
    /// The next event, or None once the monitor has said everything.
    pub fn next_event(&mut self) -> Option<MonitorEvent> {
        let mut line = String::new();
        loop {
            line.clear();
            match self.0.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {
                    if let Ok(event) = serde_json::from_str(line.trim()) {
                        return Some(event);
                    }
                }
            }
        }
    }
}

/// Starts the monitor for a created container.
pub fn spawn(layout: &Layout, id: &str, stdio: MonitorStdio) -> Result<MonitorHandle> {
    let exe = std::env::current_exe().map_err(Error::io("finding own executable", "/proc/self/exe"))?;
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(Error::sys("pipe2"))?;
    let write_raw = write.as_raw_fd();
    let mut cmd = Command::new(&exe);
    cmd.arg(MONITOR_ARG).arg(layout.root()).arg(id).stdin(stdio.stdin).stdout(stdio.stdout).stderr(stdio.stderr);
    // SAFETY: only async-signal-safe calls (dup2) run between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(write_raw, STATUS_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(Error::io("starting monitor", exe))?;
    drop(write);
    Ok(MonitorHandle { child, events: MonitorEvents(BufReader::new(File::from(read))) })
}

/// If this process was started as a monitor, runs it and returns its exit code.
pub fn main_if_monitor() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != MONITOR_ARG {
        return None;
    }
    let (Some(root), Some(id)) = (args.next(), args.next()) else {
        return Some(125);
    };
    Some(run(Path::new(&root), &id.to_string_lossy()))
}

struct StatusPipe(Option<File>);

impl StatusPipe {
    fn open() -> StatusPipe {
        // fd 3 is ours only when the app passed it; never let it leak into the container.
        if nix::fcntl::fcntl(STATUS_FD, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC)).is_err() {
            return StatusPipe(None);
        }
        // SAFETY: fd 3 was set up by `spawn` for this process and nothing else owns it.
        StatusPipe(Some(unsafe { File::from_raw_fd(STATUS_FD) }))
    }

    fn send(&mut self, event: &MonitorEvent) {
        if let (Some(f), Ok(line)) = (self.0.as_mut(), serde_json::to_string(event)) {
            // The app may have gone away; the container's life does not depend on it.
            let _ = writeln!(f, "{line}");
        }
    }
}

/// An error that keeps the container from starting, with Docker's exit code.
struct StartError {
    message: String,
    exit_code: i32,
}

impl From<Error> for StartError {
    fn from(e: Error) -> Self {
        StartError { message: e.to_string(), exit_code: 125 }
    }
}

fn run(root: &Path, id: &str) -> i32 {
    let mut status = StatusPipe::open();
    reset_signals();
    let setup = Layout::open(root).and_then(|layout| {
        let store = ContainerStore::new(layout.clone());
        let record = store.get(id)?;
        Ok((layout, store, record))
    });
    let (layout, store, record) = match setup {
        Ok(v) => v,
        Err(e) => {
            status.send(&MonitorEvent::Failed { message: e.to_string(), exit_code: 125 });
            return 125;
        }
    };
    let _ = store.update(id, |r| {
        r.state.monitor_pid = Some(std::process::id() as i32);
        r.state.monitor_start = process::start_time(std::process::id() as i32);
    });
    let dir = layout.container_dir(id);
    let rootfs = dir.join("rootfs");
    let outcome = mount_rootfs(&layout, &record, &dir)
        .map_err(StartError::from)
        .and_then(|()| run_container(&layout, &store, &record, &dir, &rootfs, &mut status));
    cleanup_runtime_state(&layout, id);
    unmount_rootfs(&rootfs);
    let code = match &outcome {
        Ok(code) => *code,
        Err(e) => e.exit_code,
    };
    let _ = store.update(id, |r| match &outcome {
        Ok(code) => {
            r.state.status = Some(Status::Exited);
            r.state.exit_code = Some(*code);
            r.state.finished_at = Some(Utc::now());
        }
        // Docker leaves a container that failed to start in Created, with the error.
        Err(e) => {
            r.state.exit_code = Some(e.exit_code);
            r.state.error = Some(e.message.clone());
        }
    });
    if let Err(e) = &outcome {
        status.send(&MonitorEvent::Failed { message: e.message.clone(), exit_code: e.exit_code });
    }
    if record.config.auto_remove && store.remove_files(&record).is_ok() {
        status.send(&MonitorEvent::Removed);
    }
    if outcome.is_ok() {
        status.send(&MonitorEvent::Exited { code });
    }
    code
}

fn run_container(
    layout: &Layout,
    store: &ContainerStore,
    record: &ContainerRecord,
    dir: &Path,
    rootfs: &Path,
    status: &mut StatusPipe,
) -> Result<i32, StartError> {
    let host_files = write_host_files(record, dir)?;
    check_executable(record, rootfs)?;
    let spec = spec::build(record, rootfs, &host_files)?;
    let config = dir.join("config.json");
    spec.save(&config).map_err(|e| Error::Spec(e.to_string()))?;

    let lc = |e: libcontainer::error::LibcontainerError| Error::Libcontainer(e.to_string());
    let mut builder = ContainerBuilder::new(record.id.clone(), SyscallType::default())
        .with_root_path(layout.libcontainer_dir())
        .map_err(lc)?;
    if !record.config.open_stdin && !record.config.tty {
        let null = File::open("/dev/null").map_err(Error::io("opening", "/dev/null"))?;
        builder = builder.with_stdin(null);
    }
    let console = if record.config.tty {
        let path = dir.join("console.sock");
        let _ = fs::remove_file(&path);
        // A socket path must fit in 108 bytes: bind by a relative name from
        // inside the container dir (this process is single-threaded).
        std::env::set_current_dir(dir).map_err(Error::io("entering", dir))?;
        let bound = UnixListener::bind("console.sock");
        let _ = std::env::set_current_dir("/");
        let listener = bound.map_err(Error::io("binding console socket", &path))?;
        builder = builder.with_console_socket(Some(&path));
        Some(listener)
    } else {
        None
    };
    let mut container = builder
        .as_init(dir)
        .with_systemd(false)
        .with_detach(record.config.tty)
        .build()
        .map_err(lc)?;
    let master = match &console {
        Some(listener) => Some(receive_pty_master(listener)?),
        None => None,
    };
    let pid = container.pid().ok_or_else(|| Error::Libcontainer("container has no PID".into()))?;
    // Block before start so no exit or signal is missed; the container's
    // init was forked by build() and keeps the normal mask.
    let signals = block_signals()?;
    container.start().map_err(lc)?;
    let _ = store.update(&record.id, |r| {
        r.state.status = Some(Status::Running);
        r.state.pid = Some(pid.as_raw());
        r.state.started_at = Some(Utc::now());
    });
    status.send(&MonitorEvent::Started { pid: pid.as_raw() });
    let code = match master {
        Some(master) => relay_terminal(&master, pid, &signals, record.config.open_stdin),
        None => wait_forwarding(pid, &signals),
    };
    Ok(code)
}

/// Docker gives every container an /etc/hosts and /etc/hostname of its own.
fn write_host_files(record: &ContainerRecord, dir: &Path) -> Result<spec::HostFiles> {
    let hostname = &record.config.hostname;
    let files = spec::HostFiles { hosts: dir.join("hosts"), hostname: dir.join("hostname") };
    let hosts = format!(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n127.0.1.1\t{hostname}\n"
    );
    fs::write(&files.hosts, hosts).map_err(Error::io("writing", &files.hosts))?;
    fs::write(&files.hostname, format!("{hostname}\n")).map_err(Error::io("writing", &files.hostname))?;
    Ok(files)
}

/// Mounts the container's root: its image layers read-only below, its own
/// writable layer on top.
fn mount_rootfs(layout: &Layout, record: &ContainerRecord, dir: &Path) -> Result<()> {
    let rootfs = dir.join("rootfs");
    unmount_rootfs(&rootfs);
    let mut lower: Vec<String> =
        record.layers.iter().rev().map(|l| layout.layer_dir(l).to_string_lossy().into_owned()).collect();
    if lower.is_empty() {
        // overlayfs needs a lower dir even for an image FROM scratch.
        let empty = dir.join("empty");
        fs::create_dir_all(&empty).map_err(Error::io("creating", &empty))?;
        lower.push(empty.to_string_lossy().into_owned());
    }
    let options = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.join(":"),
        dir.join("upper").display(),
        dir.join("work").display()
    );
    mount(Some("overlay"), &rootfs, Some("overlay"), MsFlags::empty(), Some(options.as_str()))
        .map_err(Error::sys("mount overlay"))
}

/// Unmounts a container root if mounted; not mounted is fine.
pub fn unmount_rootfs(rootfs: &Path) {
    let _ = umount2(rootfs, MntFlags::MNT_DETACH);
}

/// Removes libcontainer's state and the container's cgroup, killing anything left.
pub fn cleanup_runtime_state(layout: &Layout, id: &str) {
    let state = layout.libcontainer_dir().join(id);
    if !state.exists() {
        return;
    }
    match Container::load(state.clone()) {
        Ok(mut c) => {
            let _ = c.delete(true);
        }
        Err(_) => {
            let _ = fs::remove_dir_all(&state);
        }
    }
}

/// Finds the container's executable the way exec does, inside the
/// container's root, to fail with Docker's message and exit code.
fn check_executable(record: &ContainerRecord, rootfs: &Path) -> Result<(), StartError> {
    let Some(program) = record.config.args.first() else {
        return Err(StartError { message: "no command specified".into(), exit_code: 125 });
    };
    let not_found = |detail: String| StartError { message: format!("exec: \"{program}\": {detail}"), exit_code: 127 };
    let found = if program.contains('/') {
        let in_ctr = if program.starts_with('/') {
            PathBuf::from(program)
        } else {
            Path::new(&record.config.working_dir).join(program)
        };
        let host = resolve_in_root(rootfs, &in_ctr)
            .filter(|p| p.exists())
            .ok_or_else(|| not_found(format!("stat {program}: no such file or directory")))?;
        host
    } else {
        let path_var = record
            .config
            .env
            .iter()
            .find_map(|e| e.strip_prefix("PATH="))
            .unwrap_or(DEFAULT_PATH);
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
        Err(StartError { message: format!("exec: \"{program}\": permission denied"), exit_code: 126 })
    }
}

/// Resolves a path as the container will see it, following symlinks inside
/// `root` (an absolute link target means the container's /, not the host's).
fn resolve_in_root(root: &Path, path: &Path) -> Option<PathBuf> {
    let mut pending: Vec<std::ffi::OsString> =
        path.components().rev().filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        }).collect();
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

fn receive_pty_master(listener: &UnixListener) -> Result<OwnedFd> {
    let (stream, _) = listener.accept().map_err(Error::io("accepting console", "console.sock"))?;
    let mut buf = [0u8; 4096];
    let mut iov = [std::io::IoSliceMut::new(&mut buf)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<UnixAddr>(stream.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::empty())
        .map_err(Error::sys("recvmsg pty master"))?;
    for cmsg in msg.cmsgs().map_err(Error::sys("reading pty master"))? {
        if let ControlMessageOwned::ScmRights(fds) = cmsg {
            if let Some(&fd) = fds.first() {
                // SAFETY: SCM_RIGHTS gave this process a new fd that nothing else owns.
                return Ok(unsafe { OwnedFd::from_raw_fd(fd) });
            }
        }
    }
    Err(Error::Monitor("the container did not send its terminal".into()))
}

const FORWARDED: [Signal; 6] =
    [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP, Signal::SIGQUIT, Signal::SIGUSR1, Signal::SIGUSR2];

/// The app may have set handlers; the container must start with defaults.
fn reset_signals() {
    for sig in FORWARDED.iter().chain(&[Signal::SIGPIPE, Signal::SIGWINCH, Signal::SIGCHLD]) {
        // SAFETY: installing SIG_DFL has no handler code to be unsafe.
        let _ = unsafe { sigaction(*sig, &SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty())) };
    }
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
}

fn block_signals() -> Result<SignalFd> {
    let mut set = SigSet::empty();
    for sig in FORWARDED.iter().chain(&[Signal::SIGCHLD, Signal::SIGWINCH]) {
        set.add(*sig);
    }
    nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None).map_err(Error::sys("sigprocmask"))?;
    SignalFd::new(&set).map_err(Error::sys("signalfd"))
}

/// Reaps children; returns PID 1's exit code once it has exited.
fn reap(pid: Pid) -> Option<i32> {
    let mut code = None;
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(_) => return code,
            Ok(status) if status.pid() == Some(pid) => code = process::exit_code(status),
            Ok(_) => {}
        }
    }
}

/// Waits for PID 1, forwarding the signals the app's user sends, as Docker's sig-proxy does.
fn wait_forwarding(pid: Pid, signals: &SignalFd) -> i32 {
    if let Some(code) = reap(pid) {
        return code;
    }
    loop {
        match signals.read_signal() {
            Ok(Some(info)) => match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) => {
                    if let Some(code) = reap(pid) {
                        return code;
                    }
                }
                Ok(Signal::SIGWINCH) => {}
                Ok(sig) => {
                    let _ = kill(pid, sig);
                }
                Err(_) => {}
            },
            Ok(None) | Err(_) => {
                if let Some(code) = reap(pid) {
                    return code;
                }
            }
        }
    }
}

/// Puts the user's terminal in raw mode for the time of a `-it` session.
struct RawTerminal {
    saved: Option<Termios>,
}

impl RawTerminal {
    fn enter() -> RawTerminal {
        let stdin = std::io::stdin();
        let saved = tcgetattr(stdin.as_fd()).ok();
        if let Some(t) = &saved {
            let mut raw = t.clone();
            cfmakeraw(&mut raw);
            let _ = tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw);
        }
        RawTerminal { saved }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if let Some(t) = &self.saved {
            let _ = tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, t);
        }
    }
}

fn copy_window_size(from: BorrowedFd<'_>, to: BorrowedFd<'_>) {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ/TIOCSWINSZ read and write a winsize struct we own.
    unsafe {
        if libc::ioctl(from.as_raw_fd(), libc::TIOCGWINSZ, &mut ws) == 0 {
            libc::ioctl(to.as_raw_fd(), libc::TIOCSWINSZ, &ws);
        }
    }
}

/// Relays between the user's terminal and the container's pty until PID 1
/// exits, then drains what it printed last.
fn relay_terminal(master: &OwnedFd, pid: Pid, signals: &SignalFd, open_stdin: bool) -> i32 {
    let _raw = open_stdin.then(RawTerminal::enter);
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    copy_window_size(stdin.as_fd(), master.as_fd());
    let mut stdin_open = open_stdin;
    let mut master_open = true;
    let mut exit_code = None;
    let mut buf = [0u8; 8192];
    while master_open || exit_code.is_none() {
        let mut fds = vec![PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
        if master_open {
            fds.push(PollFd::new(master.as_fd(), PollFlags::POLLIN));
        }
        if stdin_open && exit_code.is_none() {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        // Once PID 1 is gone, only drain what is already buffered.
        let timeout = if exit_code.is_some() { PollTimeout::ZERO } else { PollTimeout::NONE };
        match poll(&mut fds, timeout) {
            Ok(0) => break,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
        }
        let ready: Vec<bool> = fds.iter().map(|f| f.revents().is_some_and(|r| !r.is_empty())).collect();
        if ready[0] {
            if let Ok(Some(info)) = signals.read_signal() {
                match Signal::try_from(info.ssi_signo as i32) {
                    Ok(Signal::SIGCHLD) => {}
                    Ok(Signal::SIGWINCH) => copy_window_size(stdin.as_fd(), master.as_fd()),
                    Ok(sig) => {
                        let _ = kill(pid, sig);
                    }
                    Err(_) => {}
                }
            }
            if exit_code.is_none() {
                exit_code = reap(pid);
            }
        }
        let mut next = 1;
        if master_open {
            if ready[next] {
                match nix::unistd::read(master.as_raw_fd(), &mut buf) {
                    Ok(0) | Err(_) => master_open = false,
                    Ok(n) => {
                        let mut out = stdout.lock();
                        let _ = out.write_all(&buf[..n]).and_then(|()| out.flush());
                    }
                }
            } else if exit_code.is_some() {
                master_open = false;
            }
            next += 1;
        }
        if stdin_open && next < ready.len() && ready[next] {
            match nix::unistd::read(stdin.as_raw_fd(), &mut buf) {
                Ok(0) | Err(_) => stdin_open = false,
                Ok(n) => {
                    let _ = nix::unistd::write(master, &buf[..n]);
                }
            }
        }
        if exit_code.is_none() && !master_open {
            // The pty closed: PID 1 is exiting; wait for it.
            return exit_code.unwrap_or_else(|| wait_forwarding(pid, signals));
        }
    }
    exit_code.unwrap_or_else(|| wait_forwarding(pid, signals))
}
