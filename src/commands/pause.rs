//! `docker pause CONTAINER…` and `docker unpause CONTAINER…`: freezes a
//! running container's processes with the cgroup freezer, and thaws them.

use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandResult};
use crate::grammar::docker::{PauseArgs, UnpauseArgs};
use crate::io::Io;

pub fn pause(rt: &Runtime, args: &PauseArgs, io: &mut Io<'_>) -> CommandResult {
    each_target(&args.containers, |target| {
        rt.containers.find(target).and_then(|c| rt.pause(&c))?;
        io.out(target);
        Ok(())
    })
}

pub fn unpause(rt: &Runtime, args: &UnpauseArgs, io: &mut Io<'_>) -> CommandResult {
    each_target(&args.containers, |target| {
        rt.containers.find(target).and_then(|c| rt.unpause(&c))?;
        io.out(target);
        Ok(())
    })
}
