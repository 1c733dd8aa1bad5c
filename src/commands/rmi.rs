//! `docker rmi [-f] IMAGE…`: untags, and deletes images no tag or container needs.

use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandResult};
use crate::grammar::docker::RmiArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &RmiArgs, io: &mut Io<'_>) -> CommandResult {
    each_target(&args.images, |image| {
        let removal = rt.remove_image(image, args.force)?;
        for u in removal.untagged {
            io.out(format!("Untagged: {u}"));
        }
        for d in removal.deleted {
            io.out(format!("Deleted: {d}"));
        }
        Ok(())
    })
}
