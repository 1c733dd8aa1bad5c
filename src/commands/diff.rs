//! `docker diff CONTAINER`: the files its writable layer added (A),
//! changed (C) or deleted (D), compared with its image.

use whaleshell_runtime::container::changes;
use whaleshell_runtime::Runtime;

use super::error::CommandResult;
use crate::grammar::docker::DiffArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &DiffArgs, io: &mut Io<'_>) -> CommandResult {
    let container = rt.containers.find(&args.container)?;
    for change in changes::of(&rt.layout, &container) {
        io.out(format!("{} {}", change.kind.letter(), change.path));
    }
    Ok(0)
}
