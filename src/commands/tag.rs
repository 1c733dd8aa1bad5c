//! `docker tag SOURCE TARGET`: another name for the same image (same ID).

use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::TagArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &TagArgs, io: &mut Io<'_>) -> i32 {
    let target = match Reference::parse(&args.target) {
        Ok(r) if r.digest.is_none() => r,
        Ok(_) => {
            io.err(format!("refusing to create a tag with a digest reference: {}", args.target));
            return 1;
        }
        Err(e) => {
            io.err(e.to_string());
            return 1;
        }
    };
    match rt.images.tag(&args.source, &target) {
        Ok(()) => 0,
        Err(e) => {
            io.err(daemon_error(&e));
            1
        }
    }
}
