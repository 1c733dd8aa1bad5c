//! `docker rm [-f] CONTAINER…`: removes containers, by name, ID or ID prefix.

use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandResult};
use crate::grammar::docker::RmArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &RmArgs, io: &mut Io<'_>) -> CommandResult {
    each_target(&args.containers, |target| {
        rt.containers.remove(target, args.force, args.volumes)?;
        // Docker echoes each container as it was named.
        io.out(target);
        Ok(())
    })
}
