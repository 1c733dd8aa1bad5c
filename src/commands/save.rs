//! `docker save [-o FILE] IMAGE…`: images as a tar real Docker loads.

use std::io::Write;

use whaleshell_runtime::image::archive::save;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::SaveArgs;
use crate::io::{Io, Output};

pub fn run(rt: &Runtime, args: &SaveArgs, io: &mut Io<'_>) -> i32 {
    let mut images = Vec::new();
    for name in &args.images {
        match rt.images.resolve(name) {
            Ok(image) => {
                // Saved under the name given, when it is a name (not an ID).
                let tags: Vec<Reference> =
                    Reference::parse(name).ok().filter(|r| rt.images.by_reference(r).ok().flatten().is_some_and(|i| i.id == image.id)).into_iter().collect();
                images.push((image, tags));
            }
            Err(e) => {
                io.err(daemon_error(&e));
                return 1;
            }
        }
    }
    let result = match &args.output {
        Some(path) => std::fs::File::create(path)
            .map_err(|e| format!("failed to save image: invalid output path: open {path}: {e}"))
            .and_then(|f| save(&rt.images, &images, std::io::BufWriter::new(f)).map_err(|e| daemon_error(&e))),
        None if matches!(io.stdout, Output::Capture(_)) => {
            let mut bytes = Vec::new();
            let r = save(&rt.images, &images, &mut bytes).map_err(|e| daemon_error(&e));
            let _ = io.stdout.write_all(&bytes);
            r
        }
        None => Err("cowardly refusing to save to a terminal. Use the -o flag or redirect".to_owned()),
    };
    match result {
        Ok(()) => 0,
        Err(message) => {
            io.err(message);
            1
        }
    }
}
