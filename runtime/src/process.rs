//! Host process helpers: identity across PID reuse, waiting for a process
//! that is not our child, and relaying a child's pipes.

use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Child;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The start time of a live process in clock ticks since boot (field 22 of
/// /proc/PID/stat), or None when it does not exist or is a zombie.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split_whitespace();
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// A signal as Docker takes one: `KILL`, `SIGKILL`, `kill` or `9`.
pub fn parse_signal(text: &str) -> Option<Signal> {
    if let Ok(n) = text.parse::<i32>() {
        return Signal::try_from(n).ok();
    }
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") { upper } else { format!("SIG{upper}") };
    name.parse().ok()
}

/// Waits until a process that is not our child exits (pidfd + poll: no sleeping).
pub fn wait_exit(pid: i32) {
    wait_exit_timeout(pid, None);
}

/// Like [`wait_exit`], giving up after `timeout`; true when the process is gone.
pub fn wait_exit_timeout(pid: i32, timeout: Option<std::time::Duration>) -> bool {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return true; // already gone
    }
    // SAFETY: the syscall returned a fresh fd that we now own.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let mut fds = [PollFd::new(std::os::fd::AsFd::as_fd(&fd), PollFlags::POLLIN)];
    let timeout = match timeout {
        None => PollTimeout::NONE,
        Some(t) => PollTimeout::try_from(t).unwrap_or(PollTimeout::MAX),
    };
    loop {
        match poll(&mut fds, timeout) {
            Err(nix::errno::Errno::EINTR) => continue,
            Ok(0) => return false,
            _ => return true,
        }
    }
}

/// SIGKILLs a container's PID 1 from the host (which always works, unlike
/// from inside), then waits for its monitor to record the exit and clean up.
pub fn kill_and_wait(container_pid: i32, monitor_pid: Option<i32>) {
    let _ = kill(Pid::from_raw(container_pid), Signal::SIGKILL);
    match monitor_pid {
        Some(m) => wait_exit(m),
        None => wait_exit(container_pid),
    }
}

/// Docker's exit code for a wait status: the code, or 128 + signal.
pub fn exit_code(status: nix::sys::wait::WaitStatus) -> Option<i32> {
    use nix::sys::wait::WaitStatus;
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        WaitStatus::Signaled(_, sig, _) => Some(128 + sig as i32),
        _ => None,
    }
}

/// Something [`relay`] reads besides a child's output: a helper's events.
pub trait Source {
    fn fd(&self) -> std::os::fd::BorrowedFd<'_>;
    /// Already read into a buffer, so poll would not say so.
    fn has_buffered(&self) -> bool;
    /// Reads one item; false once the source has ended.
    fn read_one(&mut self) -> bool;
}

/// Relays a child's pipes on this one thread — `input` into its stdin,
/// its stdout and stderr out as they come, and `source` read as it is
/// ready — until its input is written, its output has closed and `source`
/// has ended. No threads: starting one needs a free process slot, which a
/// machine under a fork bomb has not got.
pub fn relay(child: &mut Child, input: Option<Vec<u8>>, out: &mut dyn Write, err: &mut dyn Write, mut source: Option<&mut dyn Source>) {
    use std::os::fd::{AsFd, AsRawFd};
    let mut stdin = child.stdin.take().filter(|_| input.is_some());
    let input = input.unwrap_or_default();
    let mut written = 0;
    if let Some(pipe) = &stdin {
        // Never block on a full pipe while the child waits for us to read its output.
        let _ = nix::fcntl::fcntl(pipe.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK));
    }
    let (mut stdout, mut stderr) = (child.stdout.take(), child.stderr.take());
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if stdin.is_some() && written == input.len() {
            stdin = None; // closed: the child sees the end of its input
        }
        while source.as_ref().is_some_and(|s| s.has_buffered()) {
            if !source.as_mut().is_some_and(|s| s.read_one()) {
                source = None;
            }
        }
        if stdin.is_none() && stdout.is_none() && stderr.is_none() && source.is_none() {
            return;
        }
        let mut fds = Vec::new();
        let mut kinds = Vec::new();
        if let Some(p) = &stdout {
            fds.push(PollFd::new(p.as_fd(), PollFlags::POLLIN));
            kinds.push(0);
        }
        if let Some(p) = &stderr {
            fds.push(PollFd::new(p.as_fd(), PollFlags::POLLIN));
            kinds.push(1);
        }
        if let Some(s) = &source {
            fds.push(PollFd::new(s.fd(), PollFlags::POLLIN));
            kinds.push(2);
        }
        if let Some(p) = &stdin {
            fds.push(PollFd::new(p.as_fd(), PollFlags::POLLOUT));
            kinds.push(3);
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return,
        }
        let ready: Vec<usize> = fds.iter().zip(&kinds).filter(|(f, _)| f.revents().is_some_and(|r| !r.is_empty())).map(|(_, k)| *k).collect();
        drop(fds);
        for kind in ready {
            match kind {
                0 => pump(&mut stdout, &mut *out, &mut buf),
                1 => pump(&mut stderr, &mut *err, &mut buf),
                2 => {
                    if !source.as_mut().is_some_and(|s| s.read_one()) {
                        source = None;
                    }
                }
                _ => match stdin.as_mut().map(|p| p.write(&input[written..])) {
                    Some(Ok(n)) => written += n,
                    Some(Err(e)) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::Interrupted => {}
                    _ => stdin = None, // the child closed its stdin
                },
            }
        }
    }
}

/// One read from a pipe into `sink`; the pipe is dropped at its end.
fn pump<R: std::io::Read>(pipe: &mut Option<R>, sink: &mut dyn Write, buf: &mut [u8]) {
    let Some(reader) = pipe.as_mut() else { return };
    match reader.read(buf) {
        Ok(0) => *pipe = None,
        Ok(n) => {
            let _ = sink.write_all(&buf[..n]);
            let _ = sink.flush();
        }
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
        Err(_) => *pipe = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_or_number() {
        assert_eq!(parse_signal("KILL"), Some(Signal::SIGKILL));
        assert_eq!(parse_signal("sigterm"), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("usr1"), Some(Signal::SIGUSR1));
        assert_eq!(parse_signal("15"), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("NOPE"), None);
    }
}
