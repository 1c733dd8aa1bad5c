//! `docker rmi [-f] IMAGE…`: untags, and deletes images no tag or container needs.

use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::RmiArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &RmiArgs, io: &mut Io<'_>) -> i32 {
    let mut status = 0;
    for image in &args.images {
        match rt.remove_image(image, args.force) {
            Ok(removal) => {
                for u in removal.untagged {
                    io.out(format!("Untagged: {u}"));
                }
                for d in removal.deleted {
                    io.out(format!("Deleted: {d}"));
                }
            }
            Err(e) => {
                io.err(daemon_error(&e));
                status = 1;
            }
        }
    }
    status
}
