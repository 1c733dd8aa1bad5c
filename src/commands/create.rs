//! `docker create`: a container made as `docker run` makes it, with the
//! same flags, but not started: `docker start` runs it.

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::RunArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>) -> CommandResult {
    let (container, _) = super::run::create(rt, args, io, &CommandError::Client)?;
    io.out(&container.id);
    Ok(0)
}
