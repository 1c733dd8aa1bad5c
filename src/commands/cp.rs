//! `docker cp [-a] [-L] [-q] CONTAINER:SRC DEST|-` and `docker cp SRC|-
//! CONTAINER:DEST`: files both ways, for running and stopped containers,
//! with Docker's path rules (see `whaleshell_runtime::container::copy`).

use std::io::{IsTerminal, Read};

use whaleshell_runtime::container::copy::{self, CopyError, CopyOptions, LocalDest, LocalSource};
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::CpArgs;
use crate::io::{Input, Io, Output};

pub fn run(rt: &Runtime, args: &CpArgs, io: &mut Io<'_>) -> CommandResult {
    if args.source.is_empty() {
        return Err(CommandError::Client("source can not be empty".into()));
    }
    if args.destination.is_empty() {
        return Err(CommandError::Client("destination can not be empty".into()));
    }
    // Docker's client reports progress only to a terminal (its stdout, precisely).
    let quiet = args.quiet || !(matches!(io.stdout, Output::Stdout) && std::io::stdout().is_terminal());
    let options = CopyOptions { follow_link: args.follow_link, archive: args.archive };
    let (size, shown) = match (split_cp_arg(&args.source), split_cp_arg(&args.destination)) {
        ((Some(_), _), (Some(_), _)) => return Err(CommandError::Client("copying between containers is not supported".into())),
        ((None, _), (None, _)) => return Err(CommandError::Client("must specify at least one container source".into())),
        ((Some(name), src), (None, dest)) => {
            let record = rt.containers.find(name)?;
            if dest == "-" {
                copy::copy_from(&rt.layout, &record, name, src, LocalDest::Stream(&mut *io.stdout), options).map_err(copy_error)?;
                return Ok(0);
            }
            let dest = local_path(dest)?;
            let size = copy::copy_from(&rt.layout, &record, name, src, LocalDest::Path(dest.clone()), options).map_err(copy_error)?;
            (size, dest)
        }
        ((None, src), (Some(name), dest)) => {
            let record = rt.containers.find(name)?;
            if src == "-" {
                let input = std::mem::replace(&mut io.stdin, Input::Terminal);
                let mut stdin = std::io::stdin();
                let mut bytes: &[u8] = match &input {
                    Input::Bytes(b) => b,
                    Input::Terminal => &[],
                };
                let reader: &mut dyn Read = if matches!(input, Input::Terminal) { &mut stdin } else { &mut bytes };
                copy::copy_to(&rt.layout, &record, name, LocalSource::Stream(reader), dest, options).map_err(copy_error)?
            } else {
                copy::copy_to(&rt.layout, &record, name, LocalSource::Path(local_path(src)?), dest, options).map_err(copy_error)?
            }
        }
    };
    if !quiet {
        io.err(format!("Successfully copied {} to {shown}", human_size(size)));
    }
    Ok(0)
}

/// Docker's `splitCpArg`: `CONTAINER:PATH`, unless the word is a local
/// path (absolute, or starting with `.`, so `./file:name` stays local).
fn split_cp_arg(arg: &str) -> (Option<&str>, &str) {
    if arg.starts_with('/') {
        return (None, arg);
    }
    match arg.split_once(':') {
        Some((container, path)) if !container.is_empty() && !container.starts_with('.') => (Some(container), path),
        Some(("", path)) => (None, path),
        _ => (None, arg),
    }
}

/// A local path made absolute, keeping the `/` or `/.` it ended with.
fn local_path(path: &str) -> Result<String, CommandError> {
    let cwd = std::env::current_dir().map_err(|e| CommandError::Client(format!("getwd: {e}")))?;
    let joined = if path.starts_with('/') { path.to_owned() } else { format!("{}/{path}", cwd.display()) };
    Ok(copy::preserve_trailing(&copy::clean(&joined), path))
}

fn copy_error(e: CopyError) -> CommandError {
    match e {
        CopyError::Engine(e) => CommandError::Daemon(e),
        e if e.from_daemon() => CommandError::Client(format!("Error response from daemon: {e}")),
        e => CommandError::Client(e.to_string()),
    }
}

/// go-units' `HumanSizeWithPrecision(n, 3)`: decimal units, 3 significant digits.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", go_g3(size), UNITS[unit])
}

/// Go's `%.3g`: three significant digits, trailing zeros dropped.
fn go_g3(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let digits = value.abs().log10().floor() as i32;
    let decimals = (2 - digits).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_docker_prints_them() {
        assert_eq!(human_size(2048), "2.05kB");
        assert_eq!(human_size(4096), "4.1kB");
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(1_981_440), "1.98MB");
    }

    #[test]
    fn container_or_local() {
        assert_eq!(split_cp_arg("web:/etc/hosts"), (Some("web"), "/etc/hosts"));
        assert_eq!(split_cp_arg("./a:b"), (None, "./a:b"));
        assert_eq!(split_cp_arg("/a:b"), (None, "/a:b"));
        assert_eq!(split_cp_arg("file"), (None, "file"));
        assert_eq!(split_cp_arg(":/x"), (None, "/x"));
    }
}
