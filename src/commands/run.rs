//! `docker run`: find or pull the image, create the container, and run it
//! in the foreground under its monitor, streaming its output and returning
//! its exit code (125/126/127 for Docker's own failures, as Docker does).

use std::io::IsTerminal;
use std::process::Stdio;

use whaleshell_runtime::container::monitor::{Mode, MonitorEvent, MonitorHandle};
use whaleshell_runtime::container::{ports, RunOptions};
use whaleshell_runtime::error::exit_code;
use whaleshell_runtime::image::pull::PullEvent;
use whaleshell_runtime::image::store::ImageRecord;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::volume;
use whaleshell_runtime::{Error, Runtime};

use super::error::{CommandError, CommandResult};
use super::pull::pull_with_progress;
use crate::grammar::docker::RunArgs;
use crate::io::{collect_output, Input, Io};
use crate::last_command::RunOutcome;

/// What a foreground helper reported before it ended.
pub struct Finished {
    pub code: i32,
    pub pid: Option<i32>,
    pub output: String,
    pub removed: bool,
    pub detached: bool,
}

/// Runs the container; also says what it did once there was a container.
pub fn run(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>) -> (CommandResult, Option<RunOutcome>) {
    let mut outcome = None;
    let result = run_inner(rt, args, io, &mut outcome);
    (result, outcome)
}

fn run_inner(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>, outcome: &mut Option<RunOutcome>) -> CommandResult {
    let daemon = |e: Error| CommandError::Run(format!("Error response from daemon: {e}"));
    if args.interactive && args.tty && !(matches!(io.stdin, Input::Terminal) && std::io::stdin().is_terminal()) {
        return Err(CommandError::Client("the input device is not a TTY".into()));
    }
    let (image, pulled) = find_or_pull(rt, &args.image, io).map_err(daemon)?;
    let env = collect_env(args).map_err(CommandError::Run)?;
    let mounts = args.volume.iter().map(|v| volume::parse_volume_flag(v)).chain(args.mount.iter().map(|m| volume::parse_mount_flag(m)));
    let mounts = mounts.collect::<Result<Vec<_>, _>>().map_err(daemon)?;
    let mut ports = args.publish.iter().map(|p| ports::parse_publish(p)).collect::<Result<Vec<_>, _>>().map_err(|e| CommandError::Run(e.to_string()))?;
    if args.publish_all {
        // -P: every port the image EXPOSEs, on a port the system picks.
        let exposed = rt.images.config(&image).ok().and_then(|c| c.config().as_ref().and_then(|c| c.exposed_ports().clone()));
        for port in exposed.unwrap_or_default() {
            if let Ok(spec) = ports::parse_publish(&port) {
                if !ports.iter().any(|p| p.container_port == spec.container_port) {
                    ports.push(spec);
                }
            }
        }
    }
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
        mounts,
        ports,
        init: args.init,
    };
    let container = rt.create_container(&args.image, &image, &options).map_err(daemon)?;
    let report = outcome.insert(RunOutcome {
        container_id: container.id.clone(),
        image: args.image.clone(),
        pulled,
        detached: args.detach,
        tty: args.tty,
        ..RunOutcome::default()
    });
    let start_failed = |(message, code)| CommandError::Start { message, code };
    if args.detach {
        let monitor = rt.start(&container, Mode::Detached, (Stdio::null(), Stdio::null(), Stdio::null())).map_err(daemon)?;
        report.pid = Some(wait_started(monitor).map_err(start_failed)?);
        io.out(&container.id);
        return Ok(0);
    }
    let monitor = rt.start(&container, Mode::Foreground, foreground_stdio(io, args.interactive)).map_err(daemon)?;
    let done = follow_foreground(monitor, io).map_err(start_failed)?;
    report.pid = done.pid;
    report.output = done.output;
    report.removed = done.removed;
    report.detached = done.detached;
    report.exit_code = (!done.detached).then_some(done.code);
    Ok(done.code)
}

/// The user's streams for a foreground helper (a monitor or an exec).
pub fn foreground_stdio(io: &mut Io<'_>, interactive: bool) -> (Stdio, Stdio, Stdio) {
    let _ = std::io::Write::flush(io.stdout);
    let stdin = match (&io.stdin, interactive) {
        (Input::Terminal, true) => Stdio::inherit(),
        (Input::Bytes(_), true) => Stdio::piped(),
        (_, false) => Stdio::null(),
    };
    (stdin, io.stdout.stdio(), io.stderr.stdio())
}

/// Waits for a detached monitor to report that PID 1 runs; its host PID.
pub fn wait_started(mut monitor: MonitorHandle) -> Result<i32, (String, i32)> {
    let result = match monitor.events.next_event() {
        Some(MonitorEvent::Started { pid }) => Ok(pid),
        Some(MonitorEvent::Failed { message, exit_code }) => Err((message, exit_code)),
        other => Err((format!("the container monitor stopped unexpectedly ({other:?})"), exit_code::DOCKER)),
    };
    // The monitor is in its own session now; it is reaped here only if it already ended.
    std::thread::spawn(move || monitor.child.wait());
    result
}

/// Runs a foreground helper to its end: feeds it piped input, collects
/// captured output, and returns the exit code it reports. On Ctrl-P Ctrl-Q
/// the container runs on and this returns 0, as Docker does.
pub fn follow_foreground(mut monitor: MonitorHandle, io: &mut Io<'_>) -> Result<Finished, (String, i32)> {
    let _interrupts = ForwardInterrupts::install();
    let feeder = match (std::mem::replace(&mut io.stdin, Input::Terminal), monitor.child.stdin.take()) {
        (Input::Bytes(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut pipe, &bytes);
        })),
        _ => None,
    };
    let mut events = monitor.events;
    let (sender, receiver) = std::sync::mpsc::channel();
    let event_reader = std::thread::spawn(move || {
        while let Some(event) = events.next_event() {
            let last = matches!(event, MonitorEvent::Exited { .. } | MonitorEvent::Failed { .. } | MonitorEvent::Detached);
            let _ = sender.send(event);
            if last {
                break;
            }
        }
    });
    // Captured output ends when the monitor exits or, on detach, lets go of it.
    collect_output(&mut monitor.child, io);
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let _ = event_reader.join();
    let mut outcome = None;
    let mut done = Finished { code: 0, pid: None, output: String::new(), removed: false, detached: false };
    for event in receiver.try_iter() {
        match event {
            MonitorEvent::Failed { message, exit_code } => outcome = Some(Err((message, exit_code))),
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
            // The monitor lives on; reap it on another thread when it ends.
            std::thread::spawn(move || monitor.child.wait());
            Ok(done)
        }
        Some(result) => {
            let _ = monitor.child.wait();
            result.map(|()| done)
        }
        None => {
            let status = monitor.child.wait().ok().and_then(|s| s.code()).unwrap_or(-1);
            Err((format!("the container monitor stopped unexpectedly (status {status})"), exit_code::DOCKER))
        }
    }
}

/// The image named, pulling it from the hub first when absent, as Docker
/// does; true when it was pulled.
fn find_or_pull(rt: &Runtime, name: &str, io: &mut Io<'_>) -> Result<(ImageRecord, Vec<PullEvent>), Error> {
    let reference = Reference::parse(name);
    if let Ok(reference) = &reference {
        if let Some(image) = rt.images.by_reference(reference)? {
            return Ok((image, Vec::new()));
        }
    }
    match rt.images.resolve(name) {
        Ok(image) => return Ok((image, Vec::new())),
        Err(Error::NoSuchImage(_)) => {}
        Err(e) => return Err(e),
    }
    let reference = reference?;
    io.err(format!("Unable to find image '{}' locally", reference.familiar()));
    let events = pull_with_progress(rt, &reference, Some(io.stderr))?;
    let image = rt.images.by_reference(&reference)?.ok_or_else(|| Error::NoSuchImage(reference.familiar()))?;
    Ok((image, events))
}

/// `-e` values and `--env-file` lines, in Docker's order (files first).
fn collect_env(args: &RunArgs) -> Result<Vec<String>, String> {
    let mut env = Vec::new();
    for file in &args.env_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("open {file}: {e}"))?;
        env.extend(text.lines().map(str::trim_start).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned));
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
