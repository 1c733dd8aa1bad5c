//! `docker tag SOURCE TARGET`: another name for the same image (same ID).

use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::TagArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &TagArgs, _io: &mut Io<'_>) -> CommandResult {
    let target = Reference::parse(&args.target).map_err(|e| CommandError::Client(e.to_string()))?;
    if target.digest.is_some() {
        return Err(CommandError::Client(format!("refusing to create a tag with a digest reference: {}", args.target)));
    }
    rt.images.tag(&args.source, &target)?;
    Ok(0)
}
