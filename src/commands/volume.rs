//! `docker volume ls|create|rm|inspect|prune`.

use whaleshell_runtime::Runtime;

use super::error::{each_target, CommandError, CommandResult};
use super::inspect::Kind;
use super::prune::{confirm, remove_unused_volumes};
use super::ps::{check_filter_format, invalid_filter};
use crate::grammar::docker::VolumeCommand;
use crate::io::Io;
use crate::output::{human_size, table};

pub fn run(rt: &Runtime, command: &VolumeCommand, io: &mut Io<'_>) -> CommandResult {
    match command {
        VolumeCommand::Ls(args) => {
            check_filter_format(&args.filter, "docker volume ls [OPTIONS]", "docker volume ls")?;
            let filters = VolumeFilters::parse(&args.filter)?;
            let volumes: Vec<_> = rt.volumes.list()?.into_iter().filter(|v| filters.matches(rt, &v.name)).collect();
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

/// `docker volume ls --filter`: Docker's keys (name, dangling, driver,
/// label); several values of one key match any of them, as in Docker.
#[derive(Default)]
struct VolumeFilters {
    names: Vec<String>,
    dangling: Option<bool>,
    drivers: Vec<String>,
    /// Volumes here carry no labels, so a label filter matches none.
    labels: bool,
}

impl VolumeFilters {
    fn parse(texts: &[String]) -> Result<VolumeFilters, CommandError> {
        let daemon = |m: String| CommandError::Client(invalid_filter(&m));
        let mut filters = VolumeFilters::default();
        for text in texts {
            let (key, value) = text.split_once('=').unwrap_or((text, ""));
            match key {
                "name" => filters.names.push(value.to_owned()),
                "driver" => filters.drivers.push(value.to_owned()),
                "label" => filters.labels = true,
                "dangling" => match value {
                    "true" | "1" => filters.dangling = Some(true),
                    "false" | "0" => filters.dangling = Some(false),
                    _ => return Err(daemon(format!("dangling=[{value}]"))),
                },
                _ => return Err(daemon(key.to_owned())),
            }
        }
        Ok(filters)
    }

    fn matches(&self, rt: &Runtime, name: &str) -> bool {
        (self.names.is_empty() || self.names.iter().any(|n| name.contains(n.as_str())))
            && (self.drivers.is_empty() || self.drivers.iter().any(|d| d == "local"))
            && !self.labels
            && self.dangling.is_none_or(|d| rt.volume_users(name).is_ok_and(|users| users.is_empty() == d))
    }
}
