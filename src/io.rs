//! Where a command reads and writes: the terminal, or bytes in memory when
//! it is part of a pipeline or a `$(...)`.

use std::io::{self, Write};
use std::process::Stdio;

#[derive(Debug)]
pub enum Input {
    Terminal,
    Bytes(Vec<u8>),
}

#[derive(Debug)]
pub enum Output {
    Stdout,
    Stderr,
    Capture(Vec<u8>),
    /// `> file`, `>> file`
    File(std::fs::File),
}

impl Output {
    /// Another handle on the same destination (for `2>&1`); a capture
    /// gets a capture of its own, appended by the caller afterwards.
    pub fn duplicate(&self) -> Output {
        match self {
            Output::Stdout => Output::Stdout,
            Output::Stderr => Output::Stderr,
            Output::Capture(_) => Output::Capture(Vec::new()),
            Output::File(f) => f.try_clone().map(Output::File).unwrap_or(Output::Stderr),
        }
    }

    /// How a child process should get this output.
    pub fn stdio(&self) -> Stdio {
        match self {
            // Named, not inherited: `2>&1` hands stdout to a child's stderr.
            Output::Stdout => Stdio::from(io::stdout()),
            Output::Stderr => Stdio::from(io::stderr()),
            Output::Capture(_) => Stdio::piped(),
            Output::File(f) => f.try_clone().map(Stdio::from).unwrap_or_else(|_| Stdio::null()),
        }
    }

    pub fn take(&mut self) -> Vec<u8> {
        match self {
            Output::Capture(buf) => std::mem::take(buf),
            _ => Vec::new(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout => io::stdout().write(buf),
            Output::Stderr => io::stderr().write(buf),
            Output::Capture(v) => {
                v.extend_from_slice(buf);
                Ok(buf.len())
            }
            Output::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout => io::stdout().flush(),
            Output::Stderr => io::stderr().flush(),
            Output::Capture(_) => Ok(()),
            Output::File(f) => f.flush(),
        }
    }
}

/// A command's three streams.
pub struct Io<'a> {
    pub stdin: Input,
    pub stdout: &'a mut Output,
    pub stderr: &'a mut Output,
}

impl Io<'_> {
    /// Writes a line to stdout; a closed pipe is not the command's failure.
    pub fn out(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.stdout, "{}", text.as_ref());
    }

    pub fn err(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.stderr, "{}", text.as_ref());
    }
}

/// Relays a child's captured output into the command's streams (and
/// `input` into its stdin), then waits for it; its exit status, 128+N for
/// a signal.
pub fn collect_child(child: &mut std::process::Child, input: Option<Vec<u8>>, io: &mut Io<'_>) -> i32 {
    whaleshell_runtime::process::relay(child, input, &mut *io.stdout, &mut *io.stderr, None);
    match child.wait() {
        Ok(status) => status.code().unwrap_or_else(|| 128 + std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0)),
        Err(_) => 1,
    }
}
