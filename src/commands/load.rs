//! `docker load [-i FILE]`: images from a `docker save` archive (ours, or
//! real Docker's).

use whaleshell_runtime::image::archive::load;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::LoadArgs;
use crate::io::{Input, Io};

pub fn run(rt: &Runtime, args: &LoadArgs, io: &mut Io<'_>) -> i32 {
    let result = match (&args.input, std::mem::replace(&mut io.stdin, Input::Terminal)) {
        (Some(path), _) => match std::fs::File::open(path) {
            Ok(f) => load(&rt.images, std::io::BufReader::new(f)),
            Err(e) => {
                io.err(format!("open {path}: {e}"));
                return 1;
            }
        },
        (None, Input::Bytes(bytes)) => load(&rt.images, bytes.as_slice()),
        (None, Input::Terminal) => {
            io.err("requested load from stdin, but stdin is empty");
            return 1;
        }
    };
    match result {
        Ok(images) => {
            for l in images {
                if l.tags.is_empty() {
                    io.out(format!("Loaded image ID: {}", l.image.id));
                }
                for t in l.tags {
                    io.out(format!("Loaded image: {}", t.familiar()));
                }
            }
            0
        }
        Err(e) => {
            io.err(daemon_error(&e));
            1
        }
    }
}
