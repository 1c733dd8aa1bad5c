//! `docker pull NAME[:TAG]`: from a registry, or from the offline hub.

use std::io::{IsTerminal, Write};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use whaleshell_runtime::image::pull::PullEvent;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::{Result, Runtime};

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::PullArgs;
use crate::io::{Io, Output};

pub fn run(rt: &Runtime, args: &PullArgs, io: &mut Io<'_>) -> CommandResult {
    let reference = Reference::parse(&args.name).map_err(|e| CommandError::Client(e.to_string()))?;
    let tag_given = args.name.contains('@') || args.name.rsplit('/').next().is_some_and(|last| last.contains(':'));
    if !tag_given && !args.quiet {
        io.out(format!("Using default tag: {}", reference.tag_or_latest()));
    }
    let quiet = args.quiet;
    pull_with_progress(rt, &reference, if quiet { None } else { Some(io.stdout) })?;
    io.out(reference.full());
    Ok(0)
}

/// Pulls, printing Docker's progress to `progress` (stdout for `docker
/// pull`, stderr when `docker run` pulls first): bars redrawn in place on a
/// terminal, the status lines alone elsewhere, as Docker does.
/// Returns the pull's events without the byte counts, for `explain`.
pub fn pull_with_progress(rt: &Runtime, reference: &Reference, progress: Option<&mut Output>) -> Result<Vec<PullEvent>> {
    let mut shown = progress.map(Shown::new);
    let mut events = Vec::new();
    let outcome = rt.pull(reference, &crate::credentials::get, &mut |event| {
        if let Some(shown) = shown.as_mut() {
            shown.show(&event);
        }
        if !matches!(&event, PullEvent::Layer { status, .. } if status.progress().is_some()) {
            events.push(event);
        }
    });
    if let Some(shown) = shown.as_mut() {
        shown.finish();
        match &outcome {
            Ok(o) if o.downloaded => shown.line(format!("Status: Downloaded newer image for {}", reference.familiar())),
            Ok(_) => shown.line(format!("Status: Image is up to date for {}", reference.familiar())),
            Err(_) => {}
        }
    }
    outcome.map(|_| events)
}

/// Docker's line for an event when output is no terminal: the statuses,
/// never the bars.
pub fn status_line(event: &PullEvent) -> Option<String> {
    match event {
        PullEvent::PullingFrom { tag, repository } => Some(format!("{tag}: Pulling from {repository}")),
        PullEvent::Layer { status, .. } if status.progress().is_some() => None,
        PullEvent::Layer { short, status } => Some(format!("{short}: {}", status.words())),
        PullEvent::Digest(d) => Some(format!("Digest: {d}")),
        PullEvent::Building(step) => Some(format!("Building: {step}")),
    }
}

/// Each layer's bar, with the words it shows.
type LayerBars = Vec<(String, ProgressBar, &'static str)>;

/// Where pull progress goes: one bar per layer on a terminal, lines elsewhere.
struct Shown<'a> {
    out: &'a mut Output,
    bars: Option<(MultiProgress, LayerBars)>,
}

impl<'a> Shown<'a> {
    fn new(out: &'a mut Output) -> Shown<'a> {
        let target = match out {
            Output::Stdout if std::io::stdout().is_terminal() => Some(ProgressDrawTarget::stdout()),
            Output::Stderr if std::io::stderr().is_terminal() => Some(ProgressDrawTarget::stderr()),
            _ => None,
        };
        Shown { out, bars: target.map(|t| (MultiProgress::with_draw_target(t), Vec::new())) }
    }

    fn line(&mut self, text: String) {
        let _ = writeln!(self.out, "{text}");
    }

    fn show(&mut self, event: &PullEvent) {
        let (Some((multi, bars)), PullEvent::Layer { short, status }) = (self.bars.as_mut(), event) else {
            // Lines before the bars (Pulling from) or after them (Digest).
            self.finish();
            if let Some(line) = status_line(event) {
                self.line(line);
            }
            return;
        };
        let i = bars.iter().position(|(s, _, _)| s == short).unwrap_or_else(|| {
            bars.push((short.clone(), multi.add(ProgressBar::no_length().with_prefix(short.clone())), ""));
            bars.len() - 1
        });
        let (_, bar, words) = &mut bars[i];
        let progress = status.progress();
        if let Some((current, total)) = progress {
            bar.set_length(total);
            bar.set_position(current);
        }
        // The words live in the style, so words and bar change in one draw.
        if *words != status.words() {
            *words = status.words();
            bar.set_style(style(words, progress.is_some()));
        }
    }

    /// Leaves the bars drawn as they ended, so later lines go below them.
    fn finish(&mut self) {
        if let Some((_, bars)) = self.bars.as_mut() {
            for (_, bar, _) in bars.drain(..) {
                bar.abandon();
            }
        }
    }
}

/// Docker's shapes: `Pull complete`, `Downloading  [=====>      ]  1.2 MB/3.4 MB`.
fn style(words: &str, with_bar: bool) -> ProgressStyle {
    let template =
        if with_bar { format!("{{prefix}}: {words:<12} [{{bar:50}}]  {{decimal_bytes}}/{{decimal_total_bytes}}") } else { format!("{{prefix}}: {words}") };
    ProgressStyle::with_template(&template).map(|s| s.progress_chars("=> ")).unwrap_or_else(|_| ProgressStyle::default_bar())
}
