//! `docker volume ls|create|rm|inspect|prune`.

use serde_json::json;
use whaleshell_runtime::Runtime;

use super::daemon_error;
use super::inspect::pretty;
use super::prune::{confirm, remove_unused_volumes};
use crate::grammar::docker::VolumeCommand;
use crate::io::Io;
use crate::output::{human_size, table};

pub fn run(rt: &Runtime, command: &VolumeCommand, io: &mut Io<'_>) -> i32 {
    match command {
        VolumeCommand::Ls(args) => match rt.volumes.list() {
            Ok(volumes) => {
                if args.quiet {
                    volumes.iter().for_each(|v| io.out(&v.name));
                } else {
                    let mut rows = vec![vec!["DRIVER".to_owned(), "VOLUME NAME".to_owned()]];
                    rows.extend(volumes.iter().map(|v| vec!["local".to_owned(), v.name.clone()]));
                    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
                }
                0
            }
            Err(e) => fail(io, &e),
        },
        VolumeCommand::Create(args) => match rt.volumes.create(args.name.as_deref()) {
            Ok(v) => {
                io.out(v.name);
                0
            }
            Err(e) => fail(io, &e),
        },
        VolumeCommand::Rm(args) => {
            let mut status = 0;
            for name in &args.names {
                match rt.remove_volume(name) {
                    Ok(()) => io.out(name),
                    Err(e) => status = fail(io, &e),
                }
            }
            status
        }
        VolumeCommand::Inspect(args) => {
            let mut found = Vec::new();
            let mut status = 0;
            for name in &args.names {
                match rt.volumes.get(name) {
                    Ok(Some(v)) => found.push(json!({
                        "CreatedAt": v.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "Driver": "local",
                        "Labels": if v.anonymous { json!({"com.docker.volume.anonymous": ""}) } else { json!(null) },
                        "Mountpoint": rt.volumes.data_dir(&v.name),
                        "Name": v.name,
                        "Options": null,
                        "Scope": "local",
                    })),
                    Ok(None) => {
                        io.err(format!("Error response from daemon: get {name}: no such volume"));
                        status = 1;
                    }
                    Err(e) => status = fail(io, &e),
                }
            }
            io.out(pretty(&serde_json::Value::Array(found)));
            status
        }
        VolumeCommand::Prune(args) => {
            let warning = if args.all {
                "WARNING! This will remove all local volumes not used by at least one container."
            } else {
                "WARNING! This will remove anonymous local volumes not used by at least one container."
            };
            if !args.force && !confirm(warning, io) {
                return 0;
            }
            let reclaimed = remove_unused_volumes(rt, args.all, io);
            io.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
            0
        }
    }
}

fn fail(io: &mut Io<'_>, e: &whaleshell_runtime::Error) -> i32 {
    io.err(daemon_error(e));
    1
}
