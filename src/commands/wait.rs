//! `docker wait CONTAINER…`: blocks until each container stops, then
//! prints its exit code.

use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandResult};
use crate::grammar::docker::WaitArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &WaitArgs, io: &mut Io<'_>) -> CommandResult {
    each_target(&args.containers, |target| {
        let container = rt.containers.find(target)?;
        io.out(rt.wait(&container)?.to_string());
        Ok(())
    })
}
