//! `docker build [-t NAME] [-f FILE] [--build-arg K=V] [--no-cache] [--target STAGE] PATH`,
//! with the classic builder's output, because it shows the layers.

use std::io::Write;
use std::path::PathBuf;

use whaleshell_runtime::build::builder::{build, BuildError, BuildEvent, BuildOptions};
use whaleshell_runtime::digest::short;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use crate::grammar::docker::BuildArgs;
use crate::io::Io;
use crate::output::human_size_precision;

pub fn run(rt: &Runtime, args: &BuildArgs, io: &mut Io<'_>) -> i32 {
    let mut tags = Vec::new();
    for t in &args.tags {
        match Reference::parse(t) {
            Ok(r) => tags.push(r),
            Err(e) => {
                io.err(format!("invalid argument \"{t}\" for \"-t, --tag\" flag: {e}"));
                return 1;
            }
        }
    }
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
    let result = build(rt, &options, &mut |event| {
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
    match result {
        Ok(image) => {
            if quiet {
                io.out(&image.id);
            } else {
                io.out(format!("Successfully built {}", short(&image.id)));
                for t in &tags {
                    io.out(format!("Successfully tagged {}", t.familiar()));
                }
            }
            0
        }
        Err(BuildError::Parse(e)) => {
            io.err(format!("Error response from daemon: {e}"));
            1
        }
        Err(BuildError::StepFailed { command, code }) => {
            io.err(format!("The command '{command}' returned a non-zero code: {code}"));
            code
        }
        Err(BuildError::Runtime(e)) => {
            io.err(format!("Error response from daemon: {e}"));
            1
        }
        Err(e) => {
            io.err(e.to_string());
            1
        }
    }
}
