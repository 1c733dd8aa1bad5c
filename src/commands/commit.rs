//! `docker commit [-a AUTHOR] [-c CHANGE]... [-m MSG] [-p=false] CONTAINER
//! [REPOSITORY[:TAG]]`: the container's writable layer becomes one more
//! layer of a new image whose config is the container's, changed by `-c`
//! instructions as `docker import -c` applies them. A running container is
//! paused meanwhile, unless `-p=false`.

use whaleshell_runtime::image::commit::CommitOptions;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::CommitArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &CommitArgs, io: &mut Io<'_>) -> CommandResult {
    let tag = args.repository.as_deref().map(Reference::parse).transpose().map_err(|e| CommandError::Client(e.to_string()))?;
    let container = rt.containers.find(&args.container)?;
    let options = CommitOptions { tag: tag.as_ref(), comment: args.message.as_deref(), author: args.author.as_deref(), changes: &args.change };
    let image = rt.commit(&container, &options, args.pause.unwrap_or(true))?;
    io.out(&image.id);
    Ok(0)
}
