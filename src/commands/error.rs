//! Errors as values. A docker command returns `Result<i32, CommandError>`:
//! Ok is its exit status (a container's own for `run`, `exec`, `start -a`),
//! Err is a failure, printed here — once, in Docker's words — with the exit
//! code Docker gives it.

use whaleshell_runtime::error::exit_code;
use whaleshell_runtime::Error;

use crate::io::Io;

pub type CommandResult = Result<i32, CommandError>;

#[derive(Debug)]
pub enum CommandError {
    /// The engine refused: `Error response from daemon: …`.
    Daemon(Error),
    /// The client's own words (flag values, local files …), printed as they are.
    Client(String),
    /// A line the grammar rejected, already rendered with its caret.
    Usage(String),
    /// `docker run` failed before its container ran: `docker: …` and the help pointer.
    Run(String),
    /// The container's process could not start (125, or 126/127 for a program that cannot run).
    Start { message: String, code: i32 },
    /// An exec's process could not start (126/127).
    Exec { message: String, code: i32 },
    /// Printed as is, with a status of its own (a build step's exit code).
    WithStatus { message: String, code: i32 },
    /// Some of several targets failed; Docker reports them after the others, together.
    Several(Vec<CommandError>),
}

impl CommandError {
    /// Docker's exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Daemon(_) | CommandError::Client(_) => exit_code::FAILED,
            CommandError::Usage(_) | CommandError::Run(_) => exit_code::DOCKER,
            CommandError::Start { code, .. } | CommandError::Exec { code, .. } | CommandError::WithStatus { code, .. } => *code,
            CommandError::Several(_) => exit_code::FAILED,
        }
    }

    /// What Docker prints on stderr for it.
    pub fn message(&self) -> String {
        match self {
            CommandError::Daemon(e) => format!("Error response from daemon: {e}"),
            CommandError::Client(m) | CommandError::Usage(m) | CommandError::WithStatus { message: m, .. } => m.clone(),
            CommandError::Run(m) => format!("docker: {m}\nSee 'docker run --help'."),
            CommandError::Start { message, .. } => format!(
                "docker: Error response from daemon: failed to create task for container: unable to start container process: {message}.\nSee 'docker run --help'."
            ),
            CommandError::Exec { message, .. } => format!("OCI runtime exec failed: exec failed: unable to start container process: {message}: unknown"),
            CommandError::Several(all) => all.iter().map(CommandError::message).collect::<Vec<_>>().join("\n"),
        }
    }

    /// One failure as itself, several as [`CommandError::Several`]; None for none.
    pub fn from_many(mut errors: Vec<CommandError>) -> Option<CommandError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(CommandError::Several(errors)),
        }
    }
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        CommandError::Daemon(e)
    }
}

/// Prints a failure, if any, and gives the command's exit status.
pub fn report(result: CommandResult, io: &mut Io<'_>) -> i32 {
    result.unwrap_or_else(|e| {
        io.err(e.message());
        e.exit_code()
    })
}

/// Docker's multi-target commands (`rm`, `stop`, `kill` …): each target in
/// turn, successes printed as they come, every failure returned together.
pub fn each_target<'a>(targets: impl IntoIterator<Item = &'a String>, mut act: impl FnMut(&'a str) -> Result<(), CommandError>) -> CommandResult {
    let errors: Vec<CommandError> = targets.into_iter().filter_map(|t| act(t).err()).collect();
    CommandError::from_many(errors).map_or(Ok(0), Err)
}
