//! `docker build [-t NAME] [-f FILE] [--build-arg K=V] [--no-cache] [--target STAGE] PATH`,
//! with the classic builder's output, because it shows the layers.

use std::io::Write;
use std::path::PathBuf;

use whaleshell_runtime::build::builder::{build, BuildError, BuildEvent, BuildOptions};
use whaleshell_runtime::digest::short;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::BuildArgs;
use crate::io::Io;
use crate::output::human_size_precision;

pub fn run(rt: &Runtime, args: &BuildArgs, io: &mut Io<'_>) -> CommandResult {
    let tags = args
        .tags
        .iter()
        .map(|t| Reference::parse(t).map_err(|e| CommandError::Client(format!("invalid argument \"{t}\" for \"-t, --tag\" flag: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let build_args = args
        .build_args
        .iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (a.clone(), std::env::var(a).unwrap_or_default()),
        })
        .collect();
    let options = BuildOptions {
        context: PathBuf::from(&args.context),
        dockerfile: args.file.as_ref().map(PathBuf::from),
        tags: tags.clone(),
        build_args,
        no_cache: args.no_cache,
        target: args.target.clone(),
        clock: Default::default(),
    };
    let quiet = args.quiet;
    let out = &mut *io.stdout;
    let result = build(&rt.build_env(), &options, &mut |event| {
        if quiet {
            return;
        }
        let mut say = |text: &str| {
            let _ = writeln!(out, "{text}");
        };
        match event {
            BuildEvent::Context { bytes } => say(&format!("Sending build context to Docker daemon  {}", human_size_precision(bytes, 4))),
            BuildEvent::Step { index, total, text } => say(&format!("Step {index}/{total} : {text}")),
            BuildEvent::Pull(pulled) => {
                if let Some(line) = super::pull::status_line(&pulled) {
                    say(&line);
                }
            }
            BuildEvent::RunningIn(id) => say(&format!(" ---> Running in {id}")),
            BuildEvent::Output(bytes) => {
                let _ = out.write_all(&bytes).and_then(|()| out.flush());
            }
            BuildEvent::Removed(id) => say(&format!("Removing intermediate container {id}")),
            BuildEvent::UsingCache => say(" ---> Using cache"),
            BuildEvent::StepDone(id) => say(&format!(" ---> {id}")),
            BuildEvent::Message(text) => say(&text),
        }
    });
    let image = result.map_err(|e| match e {
        BuildError::Parse(e) => CommandError::Client(format!("Error response from daemon: {e}")),
        BuildError::StepFailed { command, code } => {
            CommandError::WithStatus { message: format!("The command '{command}' returned a non-zero code: {code}"), code }
        }
        BuildError::Runtime(e) => CommandError::Daemon(e),
        e => CommandError::Client(e.to_string()),
    })?;
    if quiet {
        io.out(&image.id);
    } else {
        io.out(format!("Successfully built {}", short(&image.id)));
        for t in &tags {
            io.out(format!("Successfully tagged {}", t.familiar()));
        }
    }
    Ok(0)
}
