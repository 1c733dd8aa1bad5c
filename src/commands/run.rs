//! `docker run`: find or pull the image, create the container, and run it
//! in the foreground under its monitor, streaming its output and returning
//! its exit code (125/126/127 for Docker's own failures, as Docker does).

use std::io::IsTerminal;
use std::process::Stdio;

use whaleshell_runtime::container::monitor::{MonitorEvent, MonitorStdio};
use whaleshell_runtime::container::RunOptions;
use whaleshell_runtime::image::store::ImageRecord;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::{Error, Runtime};

use super::pull::pull_with_progress;
use crate::grammar::docker::RunArgs;
use crate::io::{Input, Io};
use crate::shell::collect_child;

/// Docker's exit code when the docker command itself fails.
const DOCKER_ERROR: i32 = 125;

pub fn run(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>) -> i32 {
    let fail = |io: &mut Io<'_>, message: String| {
        io.err(format!("docker: {message}\nSee 'docker run --help'."));
        DOCKER_ERROR
    };
    if let Some(flag) = unsupported_flag(args) {
        return fail(io, format!("{flag} is not supported yet in Whaleshell; it is coming with detached containers, volumes and ports."));
    }
    if args.interactive && args.tty && !(matches!(io.stdin, Input::Terminal) && std::io::stdin().is_terminal()) {
        io.err("the input device is not a TTY");
        return 1;
    }
    let image = match find_or_pull(rt, &args.image, io) {
        Ok(image) => image,
        Err(e) => return fail(io, super::daemon_error(&e)),
    };
    let env = match collect_env(args) {
        Ok(env) => env,
        Err(message) => return fail(io, message),
    };
    let options = RunOptions {
        name: args.name.clone(),
        env,
        entrypoint: args.entrypoint.clone(),
        command: args.command.clone(),
        working_dir: args.workdir.clone(),
        user: args.user.clone(),
        tty: args.tty,
        interactive: args.interactive,
        auto_remove: args.rm,
    };
    let container = match rt.create_container(&args.image, &image, &options) {
        Ok(c) => c,
        Err(e) => return fail(io, super::daemon_error(&e)),
    };
    let _ = std::io::Write::flush(io.stdout);
    let stdin = match (&io.stdin, args.interactive) {
        (Input::Terminal, true) => Stdio::inherit(),
        (Input::Bytes(_), true) => Stdio::piped(),
        (_, false) => Stdio::null(),
    };
    let stdio = MonitorStdio { stdin, stdout: io.stdout.stdio(), stderr: io.stderr.stdio() };
    let _interrupts = ForwardInterrupts::install();
    let mut monitor = match rt.start(&container, stdio) {
        Ok(m) => m,
        Err(e) => return fail(io, super::daemon_error(&e)),
    };
    let feeder = match (std::mem::replace(&mut io.stdin, Input::Terminal), monitor.child.stdin.take()) {
        (Input::Bytes(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut pipe, &bytes);
        })),
        _ => None,
    };
    let mut events = monitor.events;
    let event_reader = std::thread::spawn(move || std::iter::from_fn(|| events.next_event()).collect::<Vec<_>>());
    let monitor_status = collect_child(&mut monitor.child, io);
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let events = event_reader.join().unwrap_or_default();
    for event in &events {
        match event {
            MonitorEvent::Failed { message, exit_code } => {
                io.err(format!(
                    "docker: Error response from daemon: failed to create task for container: unable to start container process: {message}.\nSee 'docker run --help'."
                ));
                return *exit_code;
            }
            MonitorEvent::Exited { code } => return *code,
            MonitorEvent::Started { .. } | MonitorEvent::Removed => {}
        }
    }
    // The monitor died before reporting an exit: say so rather than guess.
    io.err(format!("docker: the container monitor stopped unexpectedly (status {monitor_status})"));
    DOCKER_ERROR
}

/// Flags whose features come with a later part of Whaleshell.
fn unsupported_flag(args: &RunArgs) -> Option<&'static str> {
    if args.detach {
        Some("-d (detached containers)")
    } else if !args.publish.is_empty() {
        Some("-p (published ports)")
    } else if !args.volume.is_empty() || !args.mount.is_empty() {
        Some("-v/--mount (volumes)")
    } else if args.init {
        Some("--init")
    } else {
        None
    }
}

/// The image named, pulling it from the hub first when absent, as Docker does.
fn find_or_pull(rt: &Runtime, name: &str, io: &mut Io<'_>) -> Result<ImageRecord, Error> {
    let reference = Reference::parse(name);
    if let Ok(reference) = &reference {
        if let Some(image) = rt.images.by_reference(reference)? {
            return Ok(image);
        }
    }
    match rt.images.resolve(name) {
        Ok(image) => return Ok(image),
        Err(Error::NoSuchImage(_)) => {}
        Err(e) => return Err(e),
    }
    let reference = reference?;
    io.err(format!("Unable to find image '{}' locally", reference.familiar()));
    pull_with_progress(rt, &reference, Some(io.stderr))?;
    rt.images.by_reference(&reference)?.ok_or_else(|| Error::NoSuchImage(reference.familiar()))
}

/// `-e` values and `--env-file` lines, in Docker's order (files first).
fn collect_env(args: &RunArgs) -> Result<Vec<String>, String> {
    let mut env = Vec::new();
    for file in &args.env_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("open {file}: {e}"))?;
        env.extend(
            text.lines()
                .map(str::trim_start)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned),
        );
    }
    env.extend(args.env.iter().cloned());
    Ok(env)
}

/// While a foreground container runs, Ctrl-C is for the container: the
/// monitor forwards it, so this process must not die of it. A handler (not
/// SIG_IGN) is used because handlers, unlike ignores, are reset by exec and
/// so never reach the container.
struct ForwardInterrupts {
    saved: Vec<(nix::sys::signal::Signal, nix::sys::signal::SigAction)>,
}

extern "C" fn ignore_signal(_: libc::c_int) {}

impl ForwardInterrupts {
    fn install() -> ForwardInterrupts {
        use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
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
            let _ = unsafe { nix::sys::signal::sigaction(*sig, old) };
        }
    }
}
