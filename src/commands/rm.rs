//! `docker rm [-f] CONTAINER…`: removes containers, by name, ID or ID prefix.

use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::RmArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &RmArgs, io: &mut Io<'_>) -> i32 {
    let mut status = 0;
    for target in &args.containers {
        match rt.containers.remove(target, args.force, args.volumes) {
            // Docker echoes each container as it was named.
            Ok(_) => io.out(target),
            Err(e) => {
                io.err(daemon_error(&e));
                status = 1;
            }
        }
    }
    status
}
