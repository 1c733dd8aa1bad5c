//! `docker save [-o FILE] IMAGE…`: images as a tar real Docker loads.

use std::io::Write;

use whaleshell_runtime::image::archive::save;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::SaveArgs;
use crate::io::{Io, Output};

pub fn run(rt: &Runtime, args: &SaveArgs, io: &mut Io<'_>) -> CommandResult {
    let mut images = Vec::new();
    for name in &args.images {
        let image = rt.images.resolve(name)?;
        // Saved under the name given, when it is a name (not an ID).
        let tags: Vec<Reference> =
            Reference::parse(name).ok().filter(|r| rt.images.by_reference(r).ok().flatten().is_some_and(|i| i.id == image.id)).into_iter().collect();
        images.push((image, tags));
    }
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| CommandError::Client(format!("failed to save image: invalid output path: open {path}: {e}")))?;
            save(&rt.images, &images, std::io::BufWriter::new(file))?;
        }
        None if matches!(io.stdout, Output::Capture(_)) => {
            let mut bytes = Vec::new();
            let saved = save(&rt.images, &images, &mut bytes);
            let _ = io.stdout.write_all(&bytes);
            saved?;
        }
        None => return Err(CommandError::Client("cowardly refusing to save to a terminal. Use the -o flag or redirect".into())),
    }
    Ok(0)
}
