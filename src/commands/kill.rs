//! `docker kill [-s SIGNAL] CONTAINER…`: a signal to PID 1, from the host
//! (where even a PID 1 without handlers cannot ignore SIGKILL).

use nix::sys::signal::Signal;
use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandError, CommandResult};
use crate::grammar::docker::KillArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &KillArgs, io: &mut Io<'_>) -> CommandResult {
    let signal = parse_signal(&args.signal).ok_or_else(|| CommandError::Client(format!("invalid signal: {}", args.signal)))?;
    each_target(&args.containers, |target| {
        rt.containers.find(target).and_then(|c| rt.kill(&c, signal))?;
        io.out(target);
        Ok(())
    })
}

/// `KILL`, `SIGKILL`, `kill` or `9`.
pub fn parse_signal(text: &str) -> Option<Signal> {
    if let Ok(n) = text.parse::<i32>() {
        return Signal::try_from(n).ok();
    }
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") { upper } else { format!("SIG{upper}") };
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_or_number() {
        assert_eq!(parse_signal("KILL"), Some(Signal::SIGKILL));
        assert_eq!(parse_signal("sigterm"), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("15"), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("NOPE"), None);
    }
}
