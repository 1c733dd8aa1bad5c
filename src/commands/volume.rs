//! `docker volume ls|create|rm|inspect|prune`.

use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandResult};
use super::inspect::Kind;
use super::prune::{confirm, remove_unused_volumes};
use crate::grammar::docker::VolumeCommand;
use crate::io::Io;
use crate::output::{human_size, table};

pub fn run(rt: &Runtime, command: &VolumeCommand, io: &mut Io<'_>) -> CommandResult {
    match command {
        VolumeCommand::Ls(args) => {
            let volumes = rt.volumes.list()?;
            if args.quiet {
                volumes.iter().for_each(|v| io.out(&v.name));
            } else {
                let mut rows = vec![vec!["DRIVER".to_owned(), "VOLUME NAME".to_owned()]];
                rows.extend(volumes.iter().map(|v| vec!["local".to_owned(), v.name.clone()]));
                let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
            }
        }
        VolumeCommand::Create(args) => io.out(rt.volumes.create(args.name.as_deref())?.name),
        VolumeCommand::Rm(args) => {
            return each_target(&args.names, |name| {
                rt.remove_volume(name)?;
                io.out(name);
                Ok(())
            })
        }
        VolumeCommand::Inspect(args) => return super::inspect::inspect(rt, Some(Kind::Volume), args.format.as_deref(), false, &args.names, io),
        VolumeCommand::Prune(args) => {
            let warning = if args.all {
                "WARNING! This will remove all local volumes not used by at least one container."
            } else {
                "WARNING! This will remove anonymous local volumes not used by at least one container."
            };
            if args.force || confirm(warning, io) {
                let reclaimed = remove_unused_volumes(rt, args.all, io);
                io.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
            }
        }
    }
    Ok(0)
}
