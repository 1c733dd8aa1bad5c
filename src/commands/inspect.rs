//! `docker inspect NAME|ID…`: Docker-shaped JSON for containers and images,
//! from the real records — including the host PID of the container's PID 1
//! and the overlay directories its root is made of.

use serde_json::{json, Value};
use whaleshell_runtime::container::{ContainerRecord, Status};
use whaleshell_runtime::image::store::ImageRecord;
use whaleshell_runtime::volume::MountKind;
use whaleshell_runtime::{Error, Runtime};

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::InspectArgs;
use crate::io::Io;

const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

pub fn run(rt: &Runtime, args: &InspectArgs, io: &mut Io<'_>) -> CommandResult {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for target in &args.targets {
        let container = match args.kind.as_deref() {
            Some("image") => Err(Error::NoSuchContainer(target.clone())),
            _ => rt.containers.find(target),
        };
        let value = match container {
            Ok(c) => Ok(container_json(rt, &c)),
            Err(_) if args.kind.as_deref() != Some("container") => rt.images.resolve(target).map(|i| image_json(rt, &i)),
            Err(e) => Err(e),
        };
        match value {
            Ok(v) => found.push(v),
            Err(Error::NoSuchImage(_)) | Err(Error::NoSuchContainer(_)) => errors.push(CommandError::Client(format!("Error: No such object: {target}"))),
            Err(e) => errors.push(CommandError::Daemon(e)),
        }
    }
    // Docker prints what it found, then what it did not.
    io.out(pretty(&Value::Array(found)));
    CommandError::from_many(errors).map_or(Ok(0), Err)
}

/// JSON with 4-space indents, as Docker prints it.
pub fn pretty(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    let _ = serde::Serialize::serialize(value, &mut ser);
    String::from_utf8_lossy(&out).into_owned()
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)).unwrap_or_else(|| ZERO_TIME.into())
}

fn container_json(rt: &Runtime, c: &ContainerRecord) -> Value {
    let dir = rt.layout.container_dir(&c.id);
    let status = c.status();
    let lower: Vec<String> = c.layers.iter().rev().map(|l| rt.layout.layer_dir(l).display().to_string()).collect();
    json!({
        "Id": c.id,
        "Created": time(Some(c.created)),
        "Path": c.config.args.first(),
        "Args": c.config.args.get(1..).unwrap_or_default(),
        "State": {
            "Status": status.as_str(),
            "Running": status == Status::Running,
            "Paused": false,
            "Restarting": false,
            "OOMKilled": false,
            "Dead": false,
            "Pid": if status == Status::Running { c.state.pid.unwrap_or(0) } else { 0 },
            "ExitCode": c.state.exit_code.unwrap_or(0),
            "Error": c.state.error.clone().unwrap_or_default(),
            "StartedAt": time(c.state.started_at),
            "FinishedAt": time(c.state.finished_at),
        },
        "Image": c.image_id,
        "HostnamePath": dir.join("hostname"),
        "HostsPath": dir.join("hosts"),
        "LogPath": rt.layout.container_log(&c.id),
        "Name": format!("/{}", c.name),
        "Driver": "overlay",
        "Platform": "linux",
        "HostConfig": { "AutoRemove": c.config.auto_remove },
        "GraphDriver": {
            "Data": {
                "LowerDir": lower.join(":"),
                "MergedDir": dir.join("rootfs"),
                "UpperDir": dir.join("upper"),
                "WorkDir": dir.join("work"),
            },
            "Name": "overlay",
        },
        "Mounts": c.config.mounts.iter().map(|m| match m.kind {
            MountKind::Bind => json!({
                "Type": "bind", "Source": m.source, "Destination": m.target,
                "Mode": if m.readonly { "ro" } else { "" }, "RW": !m.readonly, "Propagation": "rprivate",
            }),
            MountKind::Volume => json!({
                "Type": "volume", "Name": m.source, "Source": rt.volumes.data_dir(&m.source), "Destination": m.target,
                "Driver": "local", "Mode": if m.readonly { "ro" } else { "z" }, "RW": !m.readonly, "Propagation": "",
            }),
        }).collect::<Vec<_>>(),
        "Config": {
            "Hostname": c.config.hostname,
            "User": c.config.user,
            "Tty": c.config.tty,
            "OpenStdin": c.config.open_stdin,
            "Env": c.config.env,
            "Cmd": c.config.args,
            "Image": c.image,
            "WorkingDir": c.config.working_dir,
        },
        "NetworkSettings": {
            "Ports": c.state.ports.iter().map(|p| (
                format!("{}/tcp", p.container_port),
                json!([{ "HostIp": p.host_ip, "HostPort": p.host_port.to_string() }]),
            )).collect::<serde_json::Map<String, Value>>(),
        },
    })
}

fn image_json(rt: &Runtime, image: &ImageRecord) -> Value {
    let config = rt.images.config(image).ok();
    let tags: Vec<String> =
        rt.images.list().unwrap_or_default().into_iter().filter(|i| i.record.id == image.id).flat_map(|i| i.tags.into_iter().map(|t| t.familiar())).collect();
    let top = image.layers.last().map(|l| rt.layout.layer_dir(&l.diff_id));
    let lower: Vec<String> = image.layers.iter().rev().skip(1).map(|l| rt.layout.layer_dir(&l.diff_id).display().to_string()).collect();
    json!({
        "Id": image.id,
        "RepoTags": tags,
        "RepoDigests": image.repo_digests,
        "Created": time(image.created),
        "Author": config.as_ref().and_then(|c| c.author().clone()).unwrap_or_default(),
        "Config": rt.images.container_config(image).ok().map(|c| c.docker_json()),
        "Architecture": "amd64",
        "Os": "linux",
        "Size": image.size(),
        "GraphDriver": {
            "Data": { "LowerDir": lower.join(":"), "UpperDir": top },
            "Name": "overlay",
        },
        "RootFS": {
            "Type": "layers",
            "Layers": image.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
        },
    })
}
