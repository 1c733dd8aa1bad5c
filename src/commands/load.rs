//! `docker load [-i FILE]`: images from a `docker save` archive (ours, or
//! real Docker's).

use whaleshell_runtime::image::archive::load;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::LoadArgs;
use crate::io::{Input, Io};

pub fn run(rt: &Runtime, args: &LoadArgs, io: &mut Io<'_>) -> CommandResult {
    let images = match (&args.input, std::mem::replace(&mut io.stdin, Input::Terminal)) {
        (Some(path), _) => {
            let file = std::fs::File::open(path).map_err(|e| CommandError::Client(format!("open {path}: {e}")))?;
            load(&rt.images, std::io::BufReader::new(file))?
        }
        (None, Input::Bytes(bytes)) => load(&rt.images, bytes.as_slice())?,
        (None, Input::Terminal) => return Err(CommandError::Client("requested load from stdin, but stdin is empty".into())),
    };
    for l in images {
        if l.tags.is_empty() {
            io.out(format!("Loaded image ID: {}", l.image.id));
        }
        for t in l.tags {
            io.out(format!("Loaded image: {}", t.familiar()));
        }
    }
    Ok(0)
}
