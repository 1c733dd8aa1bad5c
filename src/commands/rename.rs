//! `docker rename CONTAINER NEW_NAME`.

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::RenameArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &RenameArgs, _io: &mut Io<'_>) -> CommandResult {
    match rt.containers.rename(&args.container, &args.new_name) {
        Ok(_) => Ok(0),
        Err(e) => Err(CommandError::Several(vec![
            CommandError::Daemon(e),
            CommandError::Client(format!("Error: failed to rename container named {}", args.container)),
        ])),
    }
}
