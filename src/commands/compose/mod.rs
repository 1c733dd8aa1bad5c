//! `docker compose …` (Compose v2, the CLI plugin): reads the project
//! (`project.rs`), renders it (`config.rs`) and runs its services
//! (`services.rs`); the commands not written yet say so.

mod config;
mod project;
mod services;

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::{ComposeArgs, ComposeCommand};
use crate::io::Io;

/// Compose's commands that Whaleshell knows but does not run yet.
const NOT_YET: &[&str] = &[
    "run", "build", "pull", "push", "start", "stop", "restart", "rm", "kill", "create", "images", "top", "pause", "unpause", "port", "events", "cp", "ls",
    "wait", "watch", "version",
];

/// The project and its canonical form, Compose's warnings printed first.
fn load(args: &ComposeArgs, interpolate: bool, io: &mut Io<'_>) -> Result<(project::Project, serde_yaml::Value), CommandError> {
    let project = project::load(args, interpolate)?;
    project.warnings.iter().for_each(|w| io.err(format!("WARN[0000] {w}")));
    let canonical = config::canonical(&project).map_err(CommandError::Client)?;
    Ok((project, canonical))
}

pub fn run(rt: &Runtime, args: &ComposeArgs, io: &mut Io<'_>) -> CommandResult {
    let load = |io: &mut Io<'_>| load(args, true, io);
    match &args.command {
        ComposeCommand::Config(flags) => {
            let (_, canonical) = self::load(args, !flags.no_interpolate, io)?;
            config::config(&canonical, flags, io)
        }
        ComposeCommand::Up(up) => {
            let (project, canonical) = load(io)?;
            services::up(rt, &project, &canonical, up.detach, io)
        }
        ComposeCommand::Down(down) => {
            let (project, canonical) = load(io)?;
            services::down(rt, &project, &canonical, down.volumes, io)
        }
        ComposeCommand::Ps(ps) => services::ps(rt, &load(io)?.0, ps.all, ps.quiet, io),
        ComposeCommand::Logs(logs) => services::logs(rt, &load(io)?.0, &logs.services, io),
        ComposeCommand::Exec(exec) => services::exec(rt, &load(io)?.0, exec, io),
        ComposeCommand::Other(words) => match words.first().map(String::as_str) {
            Some(command) if NOT_YET.contains(&command) => {
                Err(CommandError::Client(format!("`docker compose {command}` is not supported by Whaleshell yet: config, up -d, ps, logs, exec and down are.")))
            }
            Some(command) => Err(CommandError::Client(format!("unknown docker command: \"compose {command}\""))),
            None => Err(CommandError::Client("docker compose needs a command; see `docker compose --help`".into())),
        },
    }
}
