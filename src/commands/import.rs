//! `docker import [-c CHANGE]... [-m MSG] FILE|- [REPOSITORY[:TAG]]`: a
//! tarball becomes a one-layer image; prints its ID.

use std::io::Read;

use whaleshell_runtime::image::import::import;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::ImportArgs;
use crate::io::{Input, Io};

pub fn run(rt: &Runtime, args: &ImportArgs, io: &mut Io<'_>) -> CommandResult {
    let tag = args.repository.as_deref().map(Reference::parse).transpose().map_err(|e| CommandError::Client(e.to_string()))?;
    if let Some(platform) = args.platform.as_deref().filter(|p| !matches!(*p, "linux" | "linux/amd64")) {
        return Err(CommandError::Client(format!("Whaleshell imports linux/amd64 images only, not {platform}")));
    }
    let source = args.source.as_str();
    if source.starts_with("http://") || source.starts_with("https://") {
        return Err(CommandError::Client(format!(
            "Whaleshell does not download tarballs for import: fetch {source} first (curl -LO …), then docker import FILE"
        )));
    }
    let image = if source == "-" {
        match std::mem::replace(&mut io.stdin, Input::Terminal) {
            Input::Bytes(bytes) => import(&rt.images, &mut bytes.as_slice(), &args.change, args.message.as_deref(), tag.as_ref())?,
            Input::Terminal => import(&rt.images, &mut std::io::stdin().lock(), &args.change, args.message.as_deref(), tag.as_ref())?,
        }
    } else {
        let mut file = std::fs::File::open(source).map_err(|e| CommandError::Client(format!("open {source}: {}", crate::output::go_io_error(&e))))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| CommandError::Client(format!("read {source}: {}", crate::output::go_io_error(&e))))?;
        import(&rt.images, &mut bytes.as_slice(), &args.change, args.message.as_deref(), tag.as_ref())?
    };
    io.out(&image.id);
    Ok(0)
}
