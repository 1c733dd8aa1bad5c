//! `docker port CONTAINER [PRIVATE_PORT]`: where a container's ports are published.

use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::PortArgs;
use crate::io::Io;

pub fn run(rt: &Runtime, args: &PortArgs, io: &mut Io<'_>) -> CommandResult {
    let container = rt.containers.find(&args.container)?;
    let wanted = args.private_port.as_deref().map(|p| p.trim_end_matches("/tcp"));
    let mut shown = 0;
    for p in container.state.ports.iter().filter(|p| wanted.is_none_or(|w| w == p.container_port.to_string())) {
        match wanted {
            Some(_) => io.out(format!("{}:{}", p.host_ip, p.host_port)),
            None => io.out(format!("{}/tcp -> {}:{}", p.container_port, p.host_ip, p.host_port)),
        }
        shown += 1;
    }
    if shown == 0 {
        if let Some(w) = args.private_port.as_deref() {
            let port = if w.contains('/') { w.to_owned() } else { format!("{w}/tcp") };
            return Err(CommandError::Client(format!("Error: No public port '{port}' published for {}", args.container)));
        }
    }
    Ok(0)
}
