//! `docker compose …` (Compose v2, the CLI plugin): reads the project
//! (`project.rs`) and renders it (`config.rs`). The commands that run
//! services wait for container networks and say so.

mod config;
mod project;

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::{ComposeArgs, ComposeCommand};
use crate::io::Io;

/// Compose's commands that Whaleshell knows but does not run yet.
const NOT_YET: &[&str] = &[
    "up", "down", "ps", "logs", "exec", "run", "build", "pull", "push", "start", "stop", "restart", "rm", "kill", "create", "images", "top", "pause",
    "unpause", "port", "events", "cp", "ls", "wait", "watch", "version",
];

pub fn run(_rt: &Runtime, args: &ComposeArgs, io: &mut Io<'_>) -> CommandResult {
    match &args.command {
        ComposeCommand::Config(config) => config::config(args, config, io),
        ComposeCommand::Other(words) => match words.first().map(String::as_str) {
            Some(command) if NOT_YET.contains(&command) => Err(CommandError::Client(format!(
                "`docker compose {command}` is not supported by Whaleshell yet: services need container networks, which are still to come. `docker compose config` works today."
            ))),
            Some(command) => Err(CommandError::Client(format!("unknown docker command: \"compose {command}\""))),
            None => Err(CommandError::Client("docker compose needs a command; see `docker compose --help`".into())),
        },
    }
}
