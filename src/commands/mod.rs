//! One file per docker subcommand: typed command in, runtime call, output
//! shaped like Docker's.

pub mod help;
pub mod images;
pub mod ps;
pub mod pull;
pub mod rm;
pub mod rmi;
pub mod run;

use crate::grammar::docker::{self, Docker, Parsed};
use crate::grammar::{Arg, Span};
use crate::io::Io;
use crate::shell::Shell;

/// Parses and runs `docker …`.
pub fn docker(shell: &mut Shell, line: &str, docker_span: Span, args: &[Arg], io: &mut Io<'_>) -> i32 {
    let command = match docker::parse(args, docker_span) {
        Ok(Parsed::Command(c)) => c,
        Ok(Parsed::Help(text)) => {
            io.out(text);
            return 0;
        }
        Err(e) => {
            io.err(e.render(line));
            return if e.message.contains("is not a docker command") { 1 } else { 125 };
        }
    };
    let rt = &shell.runtime;
    match command {
        Docker::Run(a) => run::run(rt, &a, io),
        Docker::Ps(a) => ps::run(rt, &a, io),
        Docker::Images(a) => images::run(rt, &a, io),
        Docker::Pull(a) => pull::run(rt, &a, io),
        Docker::Rm(a) => rm::run(rt, &a, io),
        Docker::Rmi(a) => rmi::run(rt, &a, io),
    }
}

/// Docker's prefix for errors that come from the engine.
pub fn daemon_error(e: &whaleshell_runtime::Error) -> String {
    format!("Error response from daemon: {e}")
}
