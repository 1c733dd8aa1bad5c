//! `docker push NAME[:TAG]`: layers the registry lacks, then the manifest,
//! with Docker's lines.

use whaleshell_runtime::reference::{Reference, DEFAULT_DOMAIN};
use whaleshell_runtime::registry::PushEvent;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use crate::grammar::docker::PushArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &PushArgs, io: &mut Io<'_>) -> i32 {
    let reference = match Reference::parse(&args.name) {
        Ok(r) => r,
        Err(e) => {
            io.err(e.to_string());
            return 1;
        }
    };
    let image = match rt.images.by_reference(&reference) {
        Ok(Some(i)) => i,
        _ => {
            io.err(format!("An image does not exist locally with the tag: {}", reference.familiar_name()));
            return 1;
        }
    };
    if reference.domain == DEFAULT_DOMAIN {
        io.err("Docker Hub is not reachable from here (no network). Tag the image for a registry you can reach, e.g. docker tag busybox localhost:5000/busybox, and push that.");
        return 1;
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
    match result {
        Ok((digest, size)) => {
            io.out(format!("{}: digest: {digest} size: {size}", reference.tag_or_latest()));
            0
        }
        Err(e) => {
            io.err(daemon_error(&e).replace("Error response from daemon: ", ""));
            1
        }
    }
}
