//! `docker commit [-m MSG] CONTAINER [REPOSITORY[:TAG]]`: the container's
//! writable layer becomes one more layer of a new image.

use whaleshell_runtime::image::commit::commit;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::CommitArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &CommitArgs, io: &mut Io<'_>) -> i32 {
    let tag = match args.repository.as_deref().map(Reference::parse).transpose() {
        Ok(t) => t,
        Err(e) => {
            io.err(e.to_string());
            return 1;
        }
    };
    let result = rt.containers.find(&args.container).and_then(|c| commit(&rt.images, &c, tag.as_ref(), args.message.as_deref()));
    match result {
        Ok(image) => {
            io.out(&image.id);
            0
        }
        Err(e) => {
            io.err(daemon_error(&e));
            1
        }
    }
}
