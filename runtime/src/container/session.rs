//! The monitor's event loop while a container runs: one thread, one poll
//! over PID 1's exit (signalfd), the container's output (pty or pipes), the
//! user's terminal when run in the foreground, and attach clients. Every
//! byte of output goes to the log file, the foreground terminal, and each
//! attached client.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;

use chrono::{SecondsFormat, Utc};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::sys::signalfd::SignalFd;
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg, Termios};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::container::attach::{write_frame, Frame, FrameBuffer};
use crate::container::cgroup::Cgroup;
use crate::container::health::Checker;
use crate::container::ports::Pair;
use crate::process;

/// Ctrl-P Ctrl-Q: Docker's default detach keys.
const DETACH_KEYS: [u8; 2] = [0x10, 0x11];
/// After the line that says why a Ctrl-C did nothing, a second one this soon detaches.
const SECOND_INTERRUPT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of Docker's json-file log format.
#[derive(Debug, Serialize, Deserialize)]
pub struct LogEntry {
    pub log: String,
    pub stream: Stream,
    pub time: String,
}

/// Appends output to `<id>-json.log`, one entry per line as Docker does.
pub struct LogWriter {
    file: File,
    len: u64,
    partial: [Vec<u8>; 2],
}

impl LogWriter {
    pub fn open(path: &Path) -> std::io::Result<LogWriter> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let len = file.metadata()?.len();
        Ok(LogWriter { file, len, partial: [Vec::new(), Vec::new()] })
    }

    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        let partial = &mut self.partial[stream as usize];
        partial.extend_from_slice(bytes);
        while let Some(end) = partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = partial.drain(..=end).collect();
            Self::append(&mut self.file, &mut self.len, stream, &line);
        }
    }

    fn flush_partials(&mut self) {
        for stream in [Stream::Stdout, Stream::Stderr] {
            let rest = std::mem::take(&mut self.partial[stream as usize]);
            if !rest.is_empty() {
                Self::append(&mut self.file, &mut self.len, stream, &rest);
            }
        }
    }

    fn append(file: &mut File, len: &mut u64, stream: Stream, bytes: &[u8]) {
        let entry = LogEntry { log: String::from_utf8_lossy(bytes).into_owned(), stream, time: Utc::now().to_rfc3339_opts(SecondsFormat::Nanos, true) };
        if let Ok(mut line) = serde_json::to_vec(&entry) {
            line.push(b'\n');
            if file.write_all(&line).is_ok() {
                *len += line.len() as u64;
            }
        }
    }
}

/// The user's terminal, when the container runs in the foreground.
pub struct Foreground {
    pub stdin_open: bool,
    raw: Option<Termios>,
}

impl Foreground {
    /// `raw`: put the terminal in raw mode (a `-it` session).
    pub fn new(stdin_open: bool, raw: bool) -> Foreground {
        let saved = if raw { tcgetattr(std::io::stdin().as_fd()).ok() } else { None };
        if let Some(t) = &saved {
            let mut r = t.clone();
            cfmakeraw(&mut r);
            let _ = tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, &r);
        }
        Foreground { stdin_open, raw: saved }
    }

    fn restore(&mut self) {
        if let Some(t) = self.raw.take() {
            let _ = tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, &t);
        }
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Where the container's side of stdio is.
pub enum ContainerIo {
    Tty { master: OwnedFd },
    Pipes { stdout: Option<OwnedFd>, stderr: Option<OwnedFd>, stdin: Option<OwnedFd> },
}

struct Client {
    stream: UnixStream,
    frames: FrameBuffer,
    sends_stdin: bool,
}

/// The published ports of a container, and their live connections.
pub struct Proxy {
    pub listeners: Vec<(std::net::TcpListener, u16)>,
    pub netns: File,
    pub home: File,
    pairs: Vec<Pair>,
}

impl Proxy {
    pub fn new(listeners: Vec<(std::net::TcpListener, u16)>, netns: File, home: File) -> Proxy {
        Proxy { listeners, netns, home, pairs: Vec::new() }
    }
}

/// How much of the container's stdout the monitor keeps to report at exit.
const OUTPUT_TAIL: usize = 4096;

pub struct Session {
    /// The end of what the container wrote on stdout (for lessons' checks).
    pub stdout_tail: Vec<u8>,
    pub proxy: Option<Proxy>,
    pub pid: Pid,
    pub signals: SignalFd,
    pub io: ContainerIo,
    pub foreground: Option<Foreground>,
    pub listener: Option<UnixListener>,
    pub log: Option<LogWriter>,
    /// The container's cgroup when this session is its PID 1's: emptied
    /// the moment PID 1 is reaped, since a container ends with its PID 1.
    pub cgroup: Option<Cgroup>,
    /// The container's name, for the line a foreground user at a terminal
    /// gets when PID 1 ignores Ctrl-C (None: no such line, no detaching).
    pub name: Option<String>,
    /// The container's health checks, run from this loop (see `health`).
    pub health: Option<Checker>,
    clients: Vec<Client>,
    detach_pending: bool,
    /// When the user was last told that PID 1 ignores Ctrl-C.
    told_about_interrupt: Option<std::time::Instant>,
}

/// How a session ended.
pub enum Ended {
    Exited(i32),
    /// The foreground user pressed Ctrl-P Ctrl-Q: keep running, detached.
    Detached,
}

impl Session {
    pub fn new(
        pid: Pid,
        signals: SignalFd,
        io: ContainerIo,
        foreground: Option<Foreground>,
        listener: Option<UnixListener>,
        log: Option<LogWriter>,
    ) -> Session {
        if let Some(l) = &listener {
            let _ = l.set_nonblocking(true);
        }
        Session {
            stdout_tail: Vec::new(),
            proxy: None,
            pid,
            signals,
            io,
            foreground,
            listener,
            log,
            cgroup: None,
            name: None,
            health: None,
            clients: Vec::new(),
            detach_pending: false,
            told_about_interrupt: None,
        }
    }

    /// Runs until PID 1 exits and its output is drained, or the foreground detaches.
    pub fn run(&mut self) -> Ended {
        if let (Some(_), ContainerIo::Tty { master }) = (&self.foreground, &self.io) {
            copy_window_size(std::io::stdin().as_fd(), master.as_fd());
        }
        let mut exit_code = self.reap();
        loop {
            if exit_code.is_some() && !self.has_output() {
                break;
            }
            let ended = self.poll_once(exit_code.is_some());
            match ended {
                Step::Continue => {}
                Step::Reaped => exit_code = exit_code.or_else(|| self.reap()),
                Step::Detach => {
                    self.detach_foreground();
                    if exit_code.is_none() {
                        return Ended::Detached;
                    }
                }
                Step::Stalled => break,
            }
        }
        if let Some(log) = &mut self.log {
            log.flush_partials();
        }
        // Stalled (poll failed) with PID 1 still there: a container's PID 1
        // is ended, never left running behind a record that says exited.
        if exit_code.is_none() && self.cgroup.is_some() {
            exit_code = self.end_container();
        }
        Ended::Exited(exit_code.unwrap_or(255))
    }

    /// PID 1's exit code once it has exited; then nothing of the container
    /// may outlive it: its cgroup is emptied.
    fn reap(&mut self) -> Option<i32> {
        let code = reap(self.pid);
        if code.is_some() {
            if let Some(mut checker) = self.health.take() {
                checker.stop();
            }
            if let Some(cgroup) = &self.cgroup {
                let _ = cgroup.kill_all();
            }
        }
        code
    }

    /// Kills the whole container, PID 1 included, and reaps PID 1.
    fn end_container(&mut self) -> Option<i32> {
        if let Some(cgroup) = &self.cgroup {
            let _ = cgroup.kill_all();
        }
        let _ = kill(self.pid, Signal::SIGKILL);
        loop {
            match waitpid(self.pid, None) {
                Err(nix::errno::Errno::EINTR) => continue,
                Ok(status) => return process::exit_code(status),
                Err(_) => return None,
            }
        }
    }

    /// Tells attached clients PID 1's exit code; called once the exit is recorded.
    pub fn notify_exit(&mut self, code: i32) {
        for c in &mut self.clients {
            let _ = write_frame(&mut c.stream, &Frame::Exit(code));
        }
        self.clients.clear();
    }

    fn has_output(&self) -> bool {
        match &self.io {
            ContainerIo::Tty { .. } => true,
            ContainerIo::Pipes { stdout, stderr, .. } => stdout.is_some() || stderr.is_some(),
        }
    }

    fn poll_once(&mut self, exited: bool) -> Step {
        // Slot numbers in `fds`, so results can be matched after poll.
        let mut fds: Vec<PollFd> = Vec::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut add_with = |fd: BorrowedFd<'_>, flags: PollFlags, slot: Slot, fds: &mut Vec<PollFd<'_>>| {
            // SAFETY: the fd outlives this poll; it is borrowed from `self` below.
            fds.push(PollFd::new(unsafe { BorrowedFd::borrow_raw(fd.as_raw_fd()) }, flags));
            slots.push(slot);
        };
        if let Some(proxy) = &self.proxy {
            for (i, (l, _)) in proxy.listeners.iter().enumerate() {
                add_with(l.as_fd(), PollFlags::POLLIN, Slot::PortListener(i), &mut fds);
            }
            for (i, pair) in proxy.pairs.iter().enumerate() {
                let (out_read, out_write, in_read, in_write) = pair.interest();
                let (outside, inside) = pair.fds();
                let flags = |r: bool, w: bool| {
                    let mut f = PollFlags::empty();
                    f.set(PollFlags::POLLIN, r);
                    f.set(PollFlags::POLLOUT, w);
                    f
                };
                add_with(outside, flags(out_read, out_write), Slot::Pair(i), &mut fds);
                add_with(inside, flags(in_read, in_write), Slot::Pair(i), &mut fds);
            }
        }
        let mut add = |fd: BorrowedFd<'_>, slot: Slot, fds: &mut Vec<PollFd<'_>>| add_with(fd, PollFlags::POLLIN, slot, fds);
        add(self.signals.as_fd(), Slot::Signals, &mut fds);
        match &self.io {
            ContainerIo::Tty { master } => add(master.as_fd(), Slot::Tty, &mut fds),
            ContainerIo::Pipes { stdout, stderr, .. } => {
                if let Some(o) = stdout {
                    add(o.as_fd(), Slot::Out(Stream::Stdout), &mut fds);
                }
                if let Some(e) = stderr {
                    add(e.as_fd(), Slot::Out(Stream::Stderr), &mut fds);
                }
            }
        }
        if !exited && self.foreground.as_ref().is_some_and(|f| f.stdin_open) {
            // SAFETY: fd 0 stays open for the life of this process.
            add(unsafe { BorrowedFd::borrow_raw(0) }, Slot::ForegroundIn, &mut fds);
        }
        if let Some(l) = &self.listener {
            add(l.as_fd(), Slot::Listener, &mut fds);
        }
        for (i, c) in self.clients.iter().enumerate() {
            add(c.stream.as_fd(), Slot::Client(i), &mut fds);
        }
        if let Some(fd) = self.health.as_ref().and_then(|h| h.fd()) {
            add(fd, Slot::Health, &mut fds);
        }
        // After PID 1 exits, the rest of the container dies with it and its
        // output closes; the timeout only guards against a leaked writer.
        // While it runs, a health check due wakes the loop.
        let health_wake = self.health.as_ref().filter(|_| !exited).map(|h| h.wake_in());
        let timeout = match health_wake {
            _ if exited => PollTimeout::from(2000u16),
            // Rounded up, so the check is due when poll returns.
            Some(wait) => PollTimeout::try_from(wait + std::time::Duration::from_millis(1)).unwrap_or(PollTimeout::MAX),
            None => PollTimeout::NONE,
        };
        match poll(&mut fds, timeout) {
            Ok(0) if health_wake.is_some() => {
                drop(fds);
                self.service_health();
                return Step::Continue;
            }
            Ok(0) => return Step::Stalled,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Step::Continue,
            Err(_) => return Step::Stalled,
        }
        let mut ready: Vec<Slot> = fds.iter().zip(&slots).filter(|(f, _)| f.revents().is_some_and(|r| !r.is_empty())).map(|(_, s)| *s).collect();
        ready.dedup();
        drop(fds);
        let mut step = Step::Continue;
        let mut gone_clients = Vec::new();
        let mut gone_pairs = Vec::new();
        for slot in ready {
            match slot {
                Slot::Signals => match self.on_signal() {
                    Step::Continue => {}
                    Step::Detach => return Step::Detach,
                    other => step = other,
                },
                Slot::Tty => self.read_output(None),
                Slot::Out(stream) => self.read_output(Some(stream)),
                Slot::ForegroundIn => {
                    if self.read_foreground_input() {
                        return Step::Detach;
                    }
                }
                Slot::Listener => self.accept(),
                Slot::Client(i) => {
                    if !self.read_client(i) {
                        gone_clients.push(i);
                    }
                }
                Slot::PortListener(i) => self.accept_port(i),
                Slot::Health => {}
                Slot::Pair(i) => {
                    if let Some(proxy) = &mut self.proxy {
                        if !proxy.pairs[i].pump() {
                            gone_pairs.push(i);
                        }
                    }
                }
            }
        }
        if let Some(proxy) = &mut self.proxy {
            for i in gone_pairs.into_iter().rev() {
                proxy.pairs.remove(i);
            }
        }
        for i in gone_clients.into_iter().rev() {
            self.clients.remove(i);
        }
        self.service_health();
        step
    }

    /// Reads a health check's output, reaps it, starts the next when due.
    fn service_health(&mut self) {
        if let Some(checker) = &mut self.health {
            checker.service();
        }
    }

    fn accept_port(&mut self, i: usize) {
        let Some(proxy) = &mut self.proxy else { return };
        let (listener, container_port) = &proxy.listeners[i];
        while let Ok((stream, _)) = listener.accept() {
            // Nothing listening inside: the connection just closes, as with Docker's proxy.
            if let Some(pair) = Pair::connect(stream, *container_port, &proxy.netns, &proxy.home) {
                proxy.pairs.push(pair);
            }
        }
    }

    /// Reaped when a child changed state; Detach on a second Ctrl-C that
    /// PID 1 ignores.
    fn on_signal(&mut self) -> Step {
        let Ok(Some(info)) = self.signals.read_signal() else { return Step::Continue };
        match Signal::try_from(info.ssi_signo as i32) {
            Ok(Signal::SIGCHLD) => Step::Reaped,
            Ok(Signal::SIGWINCH) => {
                if let (Some(_), ContainerIo::Tty { master }) = (&self.foreground, &self.io) {
                    copy_window_size(std::io::stdin().as_fd(), master.as_fd());
                }
                Step::Continue
            }
            Ok(Signal::SIGINT) if self.name.is_some() && self.foreground.is_some() && matches!(self.io, ContainerIo::Pipes { .. }) => {
                if handles_signal(self.pid, Signal::SIGINT) {
                    let _ = kill(self.pid, Signal::SIGINT);
                } else if self.told_about_interrupt.is_some_and(|at| at.elapsed() < SECOND_INTERRUPT) {
                    return Step::Detach;
                } else {
                    // Sent all the same, as Docker does: PID 1 may install a handler any time.
                    let _ = kill(self.pid, Signal::SIGINT);
                    self.tell_why_nothing_happened();
                }
                Step::Continue
            }
            // Docker's sig-proxy: what the user sends the foreground, PID 1 gets.
            Ok(sig) => {
                let _ = kill(self.pid, sig);
                Step::Continue
            }
            Err(_) => Step::Continue,
        }
    }

    /// A Ctrl-C reached a PID 1 that does not handle it: as in Docker, the
    /// signal is PID 1's, and the kernel has a PID 1 ignore what it does not
    /// handle. One line says so, and how out, so a learner is never stuck.
    fn tell_why_nothing_happened(&mut self) {
        self.told_about_interrupt = Some(std::time::Instant::now());
        let Some(name) = self.name.as_deref() else { return };
        let _ = writeln!(
            std::io::stderr(),
            "whaleshell: {name} keeps running: its PID 1 does not handle Ctrl-C (SIGINT), and a PID 1 ignores the signals it does not handle. Ctrl-C again within 2 seconds leaves it running in the background; `docker stop {name}` then ends it."
        );
    }

    fn read_output(&mut self, stream: Option<Stream>) {
        let mut buf = [0u8; 16384];
        let fd = match (&self.io, stream) {
            (ContainerIo::Tty { master }, _) => master.as_raw_fd(),
            (ContainerIo::Pipes { stdout: Some(o), .. }, Some(Stream::Stdout)) => o.as_raw_fd(),
            (ContainerIo::Pipes { stderr: Some(e), .. }, Some(Stream::Stderr)) => e.as_raw_fd(),
            _ => return,
        };
        match nix::unistd::read(fd, &mut buf) {
            Ok(0) | Err(_) => self.close_output(stream),
            Ok(n) => self.broadcast(stream.unwrap_or(Stream::Stdout), &buf[..n]),
        }
    }

    fn close_output(&mut self, stream: Option<Stream>) {
        match (&mut self.io, stream) {
            (ContainerIo::Pipes { stdout, .. }, Some(Stream::Stdout)) => *stdout = None,
            (ContainerIo::Pipes { stderr, .. }, Some(Stream::Stderr)) => *stderr = None,
            // The pty reads EIO once PID 1's side is closed: switch to pipes with nothing open.
            (io @ ContainerIo::Tty { .. }, _) => *io = ContainerIo::Pipes { stdout: None, stderr: None, stdin: None },
            _ => {}
        }
    }

    fn broadcast(&mut self, stream: Stream, bytes: &[u8]) {
        if stream == Stream::Stdout {
            self.stdout_tail.extend_from_slice(bytes);
            let excess = self.stdout_tail.len().saturating_sub(OUTPUT_TAIL);
            self.stdout_tail.drain(..excess);
        }
        if let Some(log) = &mut self.log {
            log.write(stream, bytes);
        }
        if self.foreground.is_some() {
            let _ = match stream {
                Stream::Stdout => std::io::stdout().write_all(bytes).and_then(|()| std::io::stdout().flush()),
                Stream::Stderr => std::io::stderr().write_all(bytes),
            };
        }
        let frame = match stream {
            Stream::Stdout => Frame::Stdout(bytes.to_vec()),
            Stream::Stderr => Frame::Stderr(bytes.to_vec()),
        };
        self.clients.retain_mut(|c| write_frame(&mut c.stream, &frame).is_ok());
    }

    /// Input from the foreground terminal; returns true on the detach keys.
    fn read_foreground_input(&mut self) -> bool {
        let mut buf = [0u8; 4096];
        match nix::unistd::read(0, &mut buf) {
            Ok(0) | Err(_) => {
                if let Some(f) = &mut self.foreground {
                    f.stdin_open = false;
                }
                self.close_container_stdin();
                false
            }
            Ok(n) => {
                let tty = matches!(self.io, ContainerIo::Tty { .. });
                let mut input = Vec::with_capacity(n + 1);
                for &b in &buf[..n] {
                    if tty && self.detach_pending {
                        self.detach_pending = false;
                        if b == DETACH_KEYS[1] {
                            self.write_container_stdin(&input);
                            return true;
                        }
                        input.push(DETACH_KEYS[0]);
                    }
                    if tty && b == DETACH_KEYS[0] {
                        self.detach_pending = true;
                        continue;
                    }
                    input.push(b);
                }
                self.write_container_stdin(&input);
                false
            }
        }
    }

    fn write_container_stdin(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let fd = match &self.io {
            ContainerIo::Tty { master } => master.as_fd(),
            ContainerIo::Pipes { stdin: Some(s), .. } => s.as_fd(),
            _ => return,
        };
        if nix::unistd::write(fd, bytes).is_err() {
            self.close_container_stdin();
        }
    }

    fn close_container_stdin(&mut self) {
        if let ContainerIo::Pipes { stdin, .. } = &mut self.io {
            *stdin = None;
        }
    }

    fn accept(&mut self) {
        let Some(listener) = &self.listener else { return };
        while let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.set_nonblocking(false);
            let offset = self.log.as_ref().map_or(0, |l| l.len);
            if write_frame(&mut stream, &Frame::LogOffset(offset)).is_ok() {
                self.clients.push(Client { stream, frames: FrameBuffer::default(), sends_stdin: false });
            }
        }
    }

    /// Handles what a client sent; false when it has gone.
    fn read_client(&mut self, i: usize) -> bool {
        let mut buf = [0u8; 4096];
        let n = match self.clients[i].stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        let frames = match self.clients[i].frames.push(&buf[..n]) {
            Ok(f) => f,
            Err(_) => return false,
        };
        for frame in frames {
            match frame {
                Frame::Hello { stdin } => self.clients[i].sends_stdin = stdin,
                Frame::Stdin(bytes) if self.clients[i].sends_stdin => self.write_container_stdin(&bytes),
                // A terminal's stdin is the pty, which stays open.
                Frame::StdinEof if self.clients[i].sends_stdin && !matches!(self.io, ContainerIo::Tty { .. }) => self.close_container_stdin(),
                Frame::Resize { rows, cols } => {
                    if let ContainerIo::Tty { master } = &self.io {
                        set_window_size(master.as_fd(), rows, cols);
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// Leaves the user's terminal: restores it, leaves its session (so its
    /// hangup cannot reach the container), and stops writing to it.
    fn detach_foreground(&mut self) {
        if let Some(mut f) = self.foreground.take() {
            f.restore();
        }
        let _ = nix::unistd::setsid();
        // Let go of every handle on the user's terminal (some are opened on
        // the way by libcontainer), so it can close once the user leaves.
        // Whichever of stdin, stdout and stderr is the terminal (stdin is
        // /dev/null for a `docker run` without -i).
        let terminals: Vec<std::path::PathBuf> =
            (0..=2).filter(|fd| nix::unistd::isatty(*fd).unwrap_or(false)).filter_map(|fd| std::fs::read_link(format!("/proc/self/fd/{fd}")).ok()).collect();
        if let Ok(null) = File::options().read(true).write(true).open("/dev/null") {
            for fd in 0..=2 {
                let _ = nix::unistd::dup2(null.as_raw_fd(), fd);
            }
        }
        let fds: Vec<i32> =
            std::fs::read_dir("/proc/self/fd").map(|d| d.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect()).unwrap_or_default();
        for fd in fds.into_iter().filter(|fd| *fd > 2) {
            if std::fs::read_link(format!("/proc/self/fd/{fd}")).is_ok_and(|path| terminals.contains(&path)) {
                let _ = nix::unistd::close(fd);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    PortListener(usize),
    Pair(usize),
    Signals,
    Tty,
    Out(Stream),
    ForegroundIn,
    Listener,
    Client(usize),
    Health,
}

enum Step {
    Continue,
    Reaped,
    Detach,
    Stalled,
}

/// Whether a process has a handler for `signal` (its SigCgt mask in /proc).
fn handles_signal(pid: Pid, signal: Signal) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let caught = status.lines().find_map(|l| l.strip_prefix("SigCgt:")).and_then(|m| u64::from_str_radix(m.trim(), 16).ok());
    caught.is_some_and(|mask| mask & (1 << (signal as i32 - 1)) != 0)
}

/// Reaps children; returns PID 1's exit code once it has exited.
pub fn reap(pid: Pid) -> Option<i32> {
    let mut code = None;
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(_) => return code,
            Ok(status) if status.pid() == Some(pid) => code = process::exit_code(status),
            Ok(_) => {}
        }
    }
}

pub fn copy_window_size(from: BorrowedFd<'_>, to: BorrowedFd<'_>) {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ/TIOCSWINSZ read and write a winsize struct we own.
    unsafe {
        if libc::ioctl(from.as_raw_fd(), libc::TIOCGWINSZ, &mut ws) == 0 {
            libc::ioctl(to.as_raw_fd(), libc::TIOCSWINSZ, &ws);
        }
    }
}

pub fn set_window_size(pty: BorrowedFd<'_>, rows: u16, cols: u16) {
    let ws = libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCSWINSZ reads a winsize struct we own.
    unsafe {
        libc::ioctl(pty.as_raw_fd(), libc::TIOCSWINSZ, &ws);
    }
}
