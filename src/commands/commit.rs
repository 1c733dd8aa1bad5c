//! `docker commit [-c CHANGE]... [-m MSG] CONTAINER [REPOSITORY[:TAG]]`: the
//! container's writable layer becomes one more layer of a new image, its
//! config changed by `-c` instructions as `docker import -c` applies them.

use whaleshell_runtime::image::commit::commit;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::CommitArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &CommitArgs, io: &mut Io<'_>) -> CommandResult {
    let tag = args.repository.as_deref().map(Reference::parse).transpose().map_err(|e| CommandError::Client(e.to_string()))?;
    let container = rt.containers.find(&args.container)?;
    let image = commit(&rt.images, &container, tag.as_ref(), args.message.as_deref(), &args.change)?;
    io.out(&image.id);
    Ok(0)
}
