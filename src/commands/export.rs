//! `docker export [-o FILE] CONTAINER`: the container's whole filesystem
//! (its root, not its volumes, as Docker's) as a tar.

use std::io::IsTerminal;

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::ExportArgs;
use crate::io::{Io, Output};

pub fn run(rt: &Runtime, args: &ExportArgs, io: &mut Io<'_>) -> CommandResult {
    let failed = |detail: String| CommandError::Client(format!("failed to export container: {detail}"));
    let mut file = match &args.output {
        Some(path) => {
            let parent = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(dir) = parent.filter(|d| !d.exists()) {
                return Err(failed(format!("invalid output path: stat {}: no such file or directory", dir.display())));
            }
            Some(path)
        }
        None if matches!(io.stdout, Output::Stdout) && std::io::stdout().is_terminal() => {
            return Err(CommandError::Client("cowardly refusing to save to a terminal. Use the -o flag or redirect".into()))
        }
        None => None,
    };
    let record = rt.containers.find(&args.container)?;
    match file.take() {
        Some(path) => {
            let out = std::fs::File::create(path).map_err(|e| failed(format!("open {path}: {e}")))?;
            let mut out = std::io::BufWriter::new(out);
            rt.export(&record, &args.container, &mut out)?;
        }
        None => rt.export(&record, &args.container, &mut *io.stdout)?,
    }
    Ok(0)
}
