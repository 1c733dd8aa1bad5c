//! `docker push NAME[:TAG]`: layers the registry lacks, then the manifest,
//! with Docker's lines.

use whaleshell_runtime::reference::{Reference, DEFAULT_DOMAIN};
use whaleshell_runtime::registry::PushEvent;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::PushArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &PushArgs, io: &mut Io<'_>) -> CommandResult {
    let reference = Reference::parse(&args.name).map_err(|e| CommandError::Client(e.to_string()))?;
    let Ok(Some(image)) = rt.images.by_reference(&reference) else {
        return Err(CommandError::Client(format!("An image does not exist locally with the tag: {}", reference.familiar_name())));
    };
    if reference.domain == DEFAULT_DOMAIN {
        return Err(CommandError::Client("Docker Hub is not reachable from here (no network). Tag the image for a registry you can reach, e.g. docker tag busybox localhost:5000/busybox, and push that.".into()));
    }
    io.out(format!("The push refers to repository [{}/{}]", reference.domain, reference.path));
    let creds = crate::credentials::get(&reference.domain);
    let quiet = args.quiet;
    let out = &mut *io.stdout;
    let result = rt.push(&image, &reference, creds.as_ref(), &mut |event| {
        if quiet {
            return;
        }
        let line = match event {
            PushEvent::Preparing(id) => format!("{id}: Preparing"),
            PushEvent::Pushed(id) => format!("{id}: Pushed"),
            PushEvent::Exists(id) => format!("{id}: Layer already exists"),
        };
        let _ = std::io::Write::write_all(out, format!("{line}\n").as_bytes());
    });
    // Docker prints the registry's own words here, without the daemon prefix.
    let (digest, size) = result.map_err(|e| CommandError::Client(e.to_string()))?;
    io.out(format!("{}: digest: {digest} size: {size}", reference.tag_or_latest()));
    Ok(0)
}
