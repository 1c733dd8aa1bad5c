//! `docker attach CONTAINER`: joins a running container's terminal or
//! stdio through its monitor's attach socket. Ctrl-P Ctrl-Q detaches and
//! leaves it running.

use std::io::{IsTerminal, Write};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
use whaleshell_runtime::container::attach::{read_frame, write_frame, Frame};
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::AttachArgs;
use crate::io::{Input, Io};

const DETACH_KEYS: [u8; 2] = [0x10, 0x11];

pub fn run(rt: &Runtime, args: &AttachArgs, io: &mut Io<'_>) -> CommandResult {
    let container = rt.containers.find(&args.container)?;
    if container.status() == whaleshell_runtime::container::Status::Paused {
        return Err(CommandError::Client("You cannot attach to a paused container, unpause it first".into()));
    }
    let stream = rt.attach(&container).map_err(|_| CommandError::Client("You cannot attach to a stopped container, start it first".into()))?;
    let send_stdin = !args.no_stdin && container.config.open_stdin && matches!(io.stdin, Input::Terminal);
    // Detaching leaves the container running: that is a success.
    Ok(relay(stream, send_stdin, container.config.tty, io).unwrap_or(0))
}

/// Relays between the user and a container until it exits (its exit code)
/// or the user detaches (None).
pub fn relay(mut stream: UnixStream, send_stdin: bool, tty: bool, io: &mut Io<'_>) -> Option<i32> {
    if write_frame(&mut stream, &Frame::Hello { stdin: send_stdin }).is_err() {
        return None;
    }
    // The monitor first says how long its log is: attach shows only what comes next.
    let _ = read_frame(&mut stream);
    let stdin = std::io::stdin();
    let raw = tty && send_stdin && stdin.is_terminal();
    let saved = if raw { tcgetattr(stdin.as_fd()).ok() } else { None };
    if let Some(t) = &saved {
        let mut r = t.clone();
        cfmakeraw(&mut r);
        let _ = tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &r);
        if let Some((rows, cols)) = window_size() {
            let _ = write_frame(&mut stream, &Frame::Resize { rows, cols });
        }
    }
    let (stop_read, stop_write) = match nix::unistd::pipe() {
        Ok(p) => p,
        Err(_) => return None,
    };
    let input = if send_stdin {
        stream.try_clone().ok().map(|mut to_monitor| std::thread::spawn(move || forward_input(&mut to_monitor, stop_read, tty)))
    } else {
        None
    };
    let mut code = None;
    while let Ok(Some(frame)) = read_frame(&mut stream) {
        match frame {
            Frame::Stdout(b) => {
                let _ = io.stdout.write_all(&b).and_then(|()| io.stdout.flush());
            }
            Frame::Stderr(b) => {
                let _ = io.stderr.write_all(&b);
            }
            Frame::Exit(c) => {
                code = Some(c);
                break;
            }
            _ => {}
        }
    }
    let _ = nix::unistd::write(&stop_write, b"x");
    if let Some(handle) = input {
        let _ = handle.join();
    }
    if let Some(t) = &saved {
        let _ = tcsetattr(stdin.as_fd(), SetArg::TCSANOW, t);
    }
    code
}

/// Sends what the user types until told to stop; Ctrl-P Ctrl-Q (on a
/// terminal) detaches by closing the connection.
fn forward_input(to_monitor: &mut UnixStream, stop: std::os::fd::OwnedFd, tty: bool) {
    let stdin = std::io::stdin();
    let mut buf = [0u8; 4096];
    let mut pending_ctrl_p = false;
    loop {
        let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN), PollFd::new(stop.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::NONE).is_err() {
            return;
        }
        if fds[1].revents().is_some_and(|r| !r.is_empty()) {
            return;
        }
        let n = match nix::unistd::read(stdin.as_raw_fd(), &mut buf) {
            Ok(0) | Err(_) => {
                let _ = write_frame(to_monitor, &Frame::StdinEof);
                return;
            }
            Ok(n) => n,
        };
        let mut out = Vec::with_capacity(n + 1);
        for &b in &buf[..n] {
            if tty && pending_ctrl_p {
                pending_ctrl_p = false;
                if b == DETACH_KEYS[1] {
                    let _ = write_frame(to_monitor, &Frame::Stdin(out));
                    let _ = to_monitor.shutdown(std::net::Shutdown::Both);
                    return;
                }
                out.push(DETACH_KEYS[0]);
            }
            if tty && b == DETACH_KEYS[0] {
                pending_ctrl_p = true;
                continue;
            }
            out.push(b);
        }
        if !out.is_empty() && write_frame(to_monitor, &Frame::Stdin(out)).is_err() {
            return;
        }
    }
}

fn window_size() -> Option<(u16, u16)> {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ fills a winsize struct we own.
    let ok = unsafe { libc::ioctl(std::io::stdin().as_raw_fd(), libc::TIOCGWINSZ, &mut ws) } == 0;
    ok.then_some((ws.ws_row, ws.ws_col))
}
