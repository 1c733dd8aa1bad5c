//! What the container's helper processes share — the monitor, the exec
//! helper — and how the app starts them and hears from them: the binary
//! they run as, the status pipe on their fd 3 with its events, and the
//! signal and socket plumbing each helper needs.
//!
//! libcontainer forks with raw clone3 and changes process-wide state, which
//! is unsafe in a multi-threaded process, so the app never calls it itself:
//! it starts a helper, a single-threaded process of its own.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, UnixAddr};
use serde::{Deserialize, Serialize};

use crate::container::rootfs;
use crate::error::{exit_code, Error, Result};
use crate::process;

const STATUS_FD: RawFd = 3;

/// What the monitor tells the app, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MonitorEvent {
    /// PID 1 is running; `pid` is its host PID.
    Started { pid: i32 },
    /// The container could not start; Docker's exit code for it (125, 126, 127).
    Failed { message: String, exit_code: i32 },
    /// The foreground user detached (Ctrl-P Ctrl-Q); the container runs on.
    Detached,
    /// PID 1 exited with this code (128 + signal when killed); `output` is
    /// the end of what the container wrote on stdout.
    Exited { code: i32, output: String },
    /// `--rm` removed the container.
    Removed,
}

/// A monitor seen from the app.
pub(crate) struct MonitorHandle {
    pub(crate) child: Child,
    pub(crate) events: MonitorEvents,
}

/// The monitor's reports, readable on another thread than the child's output.
pub(crate) struct MonitorEvents(BufReader<File>);

impl MonitorEvents {
    /// The next event, or None once the monitor has said everything.
    pub(crate) fn next_event(&mut self) -> Option<MonitorEvent> {
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

/// This same binary — by /proc/self/exe, which still works if the file was
/// replaced (rebuilt, upgraded) while the REPL runs.
pub(crate) fn helper_command(arg: &str) -> Result<Command> {
    let mut cmd = Command::new(helper_binary());
    cmd.arg(arg);
    Ok(cmd)
}

/// `whaleshell-monitor` from beside this binary when it is there (built with
/// it: it links only the container code, so every long-lived monitor maps
/// and relocates less), else this binary itself.
fn helper_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name("whaleshell-monitor"))
        .filter(|small| small.is_file())
        .unwrap_or_else(|| PathBuf::from("/proc/self/exe"))
}

/// Spawns a helper with a status pipe on its fd 3.
pub(crate) fn spawn_with_status(mut cmd: Command, new_session: bool) -> Result<MonitorHandle> {
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(Error::sys("pipe2"))?;
    let write_raw = write.as_raw_fd();
    // SAFETY: only async-signal-safe calls (dup2, close_range, setsid) run between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(write_raw, STATUS_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Nothing else of the app's goes along (a terminal, a pipe, a
            // socket it opened without CLOEXEC): a detached monitor would
            // hold it open for the container's whole life.
            libc::syscall(libc::SYS_close_range, STATUS_FD + 1, libc::c_uint::MAX, 0);
            // A detached monitor leaves the terminal's session, so closing
            // the terminal or killing the app cannot take the container down.
            if new_session && libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(Error::spawn("starting monitor"))?;
    drop(write);
    Ok(MonitorHandle { child, events: MonitorEvents(BufReader::new(File::from(read))) })
}

pub(crate) struct StatusPipe(Option<File>);

impl StatusPipe {
    pub(crate) fn open() -> StatusPipe {
        // fd 3 is ours only when the app passed it; never let it leak into the container.
        if nix::fcntl::fcntl(STATUS_FD, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC)).is_err() {
            return StatusPipe(None);
        }
        // SAFETY: fd 3 was set up by `spawn_with_status` for this process and nothing else owns it.
        StatusPipe(Some(unsafe { File::from_raw_fd(STATUS_FD) }))
    }

    /// Nobody reads this pipe (a restarting monitor's): closed, so no send
    /// can meet a reader gone (SIGPIPE), and fd 3 never reaches the container.
    pub(crate) fn close(&mut self) {
        self.0 = None;
    }

    pub(crate) fn send(&mut self, event: &MonitorEvent) {
        if let (Some(f), Ok(line)) = (self.0.as_mut(), serde_json::to_string(event)) {
            // The app may have gone away; the container's life does not depend on it.
            if writeln!(f, "{line}").is_err() {
                self.0 = None;
            }
        }
    }
}

/// An error that keeps the container from starting, with Docker's exit code.
pub(crate) struct StartError {
    pub message: String,
    pub exit_code: i32,
}

impl From<Error> for StartError {
    fn from(e: Error) -> Self {
        StartError { message: e.to_string(), exit_code: exit_code::DOCKER }
    }
}

impl From<rootfs::ExecError> for StartError {
    fn from(e: rootfs::ExecError) -> Self {
        StartError { message: e.message, exit_code: e.exit_code }
    }
}

/// Binds a Unix socket in `dir` by a relative name: socket paths must fit
/// in 108 bytes, and state roots can be long. (This process is single-threaded.)
pub(crate) fn bind_here(dir: &Path, name: &str) -> Result<UnixListener> {
    let path = dir.join(name);
    let _ = fs::remove_file(&path);
    std::env::set_current_dir(dir).map_err(Error::io("entering", dir))?;
    let bound = UnixListener::bind(name);
    let _ = std::env::set_current_dir("/");
    bound.map_err(Error::io("binding socket", path))
}

pub(crate) fn receive_pty_master(listener: &UnixListener) -> Result<OwnedFd> {
    let (stream, _) = listener.accept().map_err(Error::io("accepting console", "console.sock"))?;
    let mut buf = [0u8; 4096];
    let mut iov = [std::io::IoSliceMut::new(&mut buf)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<UnixAddr>(stream.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::empty()).map_err(Error::sys("recvmsg pty master"))?;
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

const FORWARDED: [Signal; 6] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP, Signal::SIGQUIT, Signal::SIGUSR1, Signal::SIGUSR2];

/// The app may have set handlers; the container must start with defaults.
pub(crate) fn reset_signals() {
    for sig in FORWARDED.iter().chain(&[Signal::SIGPIPE, Signal::SIGWINCH, Signal::SIGCHLD]) {
        // SAFETY: installing SIG_DFL has no handler code to be unsafe.
        let _ = unsafe { sigaction(*sig, &SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty())) };
    }
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
}

/// A client that goes away mid-write must not kill the monitor.
pub(crate) fn ignore_sigpipe() {
    // SAFETY: SIG_IGN has no handler code.
    let _ = unsafe { sigaction(Signal::SIGPIPE, &SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty())) };
}

pub(crate) fn block_signals() -> Result<SignalFd> {
    let mut set = SigSet::empty();
    for sig in FORWARDED.iter().chain(&[Signal::SIGCHLD, Signal::SIGWINCH]) {
        set.add(*sig);
    }
    nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None).map_err(Error::sys("sigprocmask"))?;
    SignalFd::new(&set).map_err(Error::sys("signalfd"))
}

/// Why a container's (or an exec's) process did not run.
#[derive(Debug)]
pub enum StartFailure {
    /// The engine could not set it up (a helper that would not start, a gone container …).
    Engine(Error),
    /// The process could not start: Docker's words and exit code (125, 126, 127).
    Process { message: String, code: i32 },
    /// Refused before any process was tried (an exec user the container
    /// has not got): Docker prints these words alone.
    Refused { message: String, code: i32 },
}

impl From<Error> for StartFailure {
    fn from(e: Error) -> Self {
        StartFailure::Engine(e)
    }
}

/// How a foreground helper ended.
#[derive(Debug, Clone, Default)]
pub struct Finished {
    /// The process's exit code (0 when the user detached).
    pub code: i32,
    /// Host PID the process had.
    pub pid: Option<i32>,
    /// The end of what it wrote on stdout.
    pub output: String,
    /// `--rm` removed the container.
    pub removed: bool,
    /// The user detached (Ctrl-P Ctrl-Q): the container runs on.
    pub detached: bool,
}

/// A foreground helper's streams, as the caller has them.
pub struct Streams<'a> {
    /// The helper's stdin, stdout and stderr.
    pub stdio: (std::process::Stdio, std::process::Stdio, std::process::Stdio),
    /// Written to the helper's stdin when that is piped.
    pub input: Option<Vec<u8>>,
    /// Where the helper's stdout and stderr go when they are piped.
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl MonitorHandle {
    /// Waits for the helper to report its process running; the process's
    /// host PID. The helper runs on, in its own session.
    pub(crate) fn wait_started(mut self) -> Result<i32, StartFailure> {
        let result = match self.events.next_event() {
            Some(MonitorEvent::Started { pid }) => Ok(pid),
            Some(MonitorEvent::Failed { message, exit_code }) => Err(StartFailure::Process { message, code: exit_code }),
            other => Err(StartFailure::Process { message: format!("the container monitor stopped unexpectedly ({other:?})"), code: exit_code::DOCKER }),
        };
        reap_later(self.child);
        result
    }

    /// Follows a foreground helper to its end: feeds it `input`, copies its
    /// piped output, and returns how it ended. On Ctrl-P Ctrl-Q the
    /// container runs on and this returns at once, as Docker does.
    pub(crate) fn follow(self, input: Option<Vec<u8>>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Finished, StartFailure> {
        let MonitorHandle { mut child, mut events } = self;
        let _interrupts = ForwardInterrupts::install();
        let mut source = EventSource { events: &mut events, said: Vec::new() };
        process::relay(&mut child, input, out, err, Some(&mut source));
        let said = std::mem::take(&mut source.said);
        ended(child, said.into_iter())
    }

    /// Waits for a foreground helper whose output the caller reads itself.
    pub(crate) fn finish(mut self) -> Result<Finished, StartFailure> {
        let events: Vec<MonitorEvent> = std::iter::from_fn(|| self.events.next_event()).collect();
        ended(self.child, events.into_iter())
    }
}

/// A helper that lives on is reaped on another thread when it ends; with
/// no thread to be had (no free process slot), it stays a zombie until
/// this process exits, which harms nothing.
fn reap_later(mut child: Child) {
    let _ = std::thread::Builder::new().spawn(move || child.wait());
}

/// How a foreground helper ended, from everything it said.
fn ended(mut child: Child, events: impl Iterator<Item = MonitorEvent>) -> Result<Finished, StartFailure> {
    let mut outcome = None;
    let mut done = Finished::default();
    for event in events {
        match event {
            MonitorEvent::Failed { message, exit_code } => outcome = Some(Err(StartFailure::Process { message, code: exit_code })),
            MonitorEvent::Exited { code, output } => {
                done.code = code;
                done.output = output;
                outcome = Some(Ok(()));
            }
            MonitorEvent::Detached => done.detached = true,
            MonitorEvent::Started { pid } => done.pid = Some(pid),
            MonitorEvent::Removed => done.removed = true,
        }
    }
    match outcome {
        None if done.detached => {
            reap_later(child);
            Ok(done)
        }
        Some(result) => {
            let _ = child.wait();
            result.map(|()| done)
        }
        None => {
            let status = child.wait().ok().and_then(|s| s.code()).unwrap_or(-1);
            Err(StartFailure::Process { message: format!("the container monitor stopped unexpectedly (status {status})"), code: exit_code::DOCKER })
        }
    }
}

/// A helper's events, read as they come while [`process::relay`] copies its output.
struct EventSource<'a> {
    events: &'a mut MonitorEvents,
    said: Vec<MonitorEvent>,
}

impl process::Source for EventSource<'_> {
    fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.events.0.get_ref().as_fd()
    }

    fn has_buffered(&self) -> bool {
        !self.events.0.buffer().is_empty()
    }

    fn read_one(&mut self) -> bool {
        take_event(self.events, &mut self.said)
    }
}

/// Reads one event; false once the helper has said its last.
fn take_event(events: &mut MonitorEvents, said: &mut Vec<MonitorEvent>) -> bool {
    match events.next_event() {
        Some(event) => {
            let last = matches!(event, MonitorEvent::Exited { .. } | MonitorEvent::Failed { .. } | MonitorEvent::Detached);
            said.push(event);
            !last
        }
        None => false,
    }
}

/// While a foreground helper runs, Ctrl-C is for the container: the helper
/// forwards it, so the calling process must not die of it. A handler (not
/// SIG_IGN) is used because handlers, unlike ignores, are reset by exec and
/// so never reach the container.
struct ForwardInterrupts {
    saved: Vec<(Signal, SigAction)>,
}

extern "C" fn ignore_signal(_: libc::c_int) {}

impl ForwardInterrupts {
    fn install() -> ForwardInterrupts {
        let action = SigAction::new(SigHandler::Handler(ignore_signal), SaFlags::SA_RESTART, SigSet::empty());
        let mut saved = Vec::new();
        for sig in [Signal::SIGINT, Signal::SIGQUIT, Signal::SIGTERM, Signal::SIGHUP] {
            // SAFETY: the handler does nothing, which is async-signal-safe.
            if let Ok(old) = unsafe { sigaction(sig, &action) } {
                saved.push((sig, old));
            }
        }
        ForwardInterrupts { saved }
    }
}

impl Drop for ForwardInterrupts {
    fn drop(&mut self) {
        for (sig, old) in &self.saved {
            // SAFETY: restores the handler that was installed before.
            let _ = unsafe { sigaction(*sig, old) };
        }
    }
}
