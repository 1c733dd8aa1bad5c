//! `docker pull NAME[:TAG]`: copies an image from the offline hub.

use whaleshell_runtime::image::pull::PullEvent;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::{Result, Runtime};

use super::daemon_error;
use crate::grammar::docker::PullArgs;
use crate::io::{Io, Output};

pub fn run(rt: &Runtime, args: &PullArgs, io: &mut Io<'_>) -> i32 {
    let reference = match Reference::parse(&args.name) {
        Ok(r) => r,
        Err(e) => {
            io.err(e.to_string());
            return 1;
        }
    };
    let tag_given = args.name.contains('@') || args.name.rsplit('/').next().is_some_and(|last| last.contains(':'));
    if !tag_given && !args.quiet {
        io.out(format!("Using default tag: {}", reference.tag_or_latest()));
    }
    let quiet = args.quiet;
    match pull_with_progress(rt, &reference, if quiet { None } else { Some(io.stdout) }) {
        Ok(_) => {
            io.out(reference.full());
            0
        }
        Err(e) => {
            io.err(daemon_error(&e));
            1
        }
    }
}

/// Docker's line for a pull event (and ours for a hub build step).
pub fn progress_line(event: &PullEvent) -> String {
    match event {
        PullEvent::PullingFrom { tag, repository } => format!("{tag}: Pulling from {repository}"),
        PullEvent::LayerExists { short } => format!("{short}: Already exists"),
        PullEvent::LayerPulled { short } => format!("{short}: Pull complete"),
        PullEvent::Digest(d) => format!("Digest: {d}"),
        PullEvent::Building(step) => format!("Building: {step}"),
    }
}

/// Pulls, printing Docker's progress lines to `progress` (stdout for
/// `docker pull`, stderr when `docker run` pulls first).
/// Returns the pull's events, for `explain`.
pub fn pull_with_progress(rt: &Runtime, reference: &Reference, mut progress: Option<&mut Output>) -> Result<Vec<PullEvent>> {
    use std::io::Write;
    let mut say = |line: String| {
        if let Some(out) = progress.as_mut() {
            let _ = writeln!(out, "{line}");
        }
    };
    let mut events = Vec::new();
    let outcome = rt.pull(reference, &crate::credentials::get, &mut |event| {
        say(progress_line(&event));
        events.push(event);
    })?;
    if outcome.downloaded {
        say(format!("Status: Downloaded newer image for {}", reference.familiar()));
    } else {
        say(format!("Status: Image is up to date for {}", reference.familiar()));
    }
    Ok(events)
}
