//! `docker ps` / `docker container ls`: containers in Docker's columns,
//! with `-a`, `-q`, `-n`, `-l`, `--no-trunc` and `-f KEY=VALUE` filters.

use chrono::Utc;
use whaleshell_runtime::container::{ContainerRecord, Status};
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::PsArgs;
use crate::io::Io;
use crate::output::{ago, created_at, human_duration, human_size, print_format, quoted_command, table, TemplateWords};
use crate::template::{Nil, Struct, Value, PS_HEADERS};
use whaleshell_runtime::fsutil::dir_size;
use whaleshell_runtime::volume::MountKind;

pub fn run(rt: &Runtime, args: &PsArgs, io: &mut Io<'_>) -> CommandResult {
    let filters = args.filter.iter().map(|f| Filter::parse(f)).collect::<Result<Vec<_>, _>>().map_err(CommandError::Client)?;
    let mut containers = rt.containers.list()?;
    let limit = if args.latest { Some(1) } else { args.last };
    let all = args.all || limit.is_some() || filters.iter().any(|f| matches!(f, Filter::Status(_) | Filter::Exited(_)));
    containers.retain(|c| (all || c.status().is_running()) && filters.iter().all(|f| f.matches(c)));
    if let Some(n) = limit {
        containers.truncate(n);
    }
    if let Some(source) = args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
        let rows: Vec<Value> = containers.iter().map(|c| context(rt, c, !args.no_trunc)).collect();
        let words = TemplateWords { parse: "failed to parse template: ", exec: "failed to execute template: " };
        return print_format(io.stdout, source, &rows, PS_HEADERS, &words).map(|()| 0).map_err(CommandError::Client);
    }
    if args.quiet {
        for c in &containers {
            io.out(if args.no_trunc { &c.id } else { c.short_id() });
        }
        return Ok(0);
    }
    let mut header = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"].map(String::from).to_vec();
    if args.size {
        header.push("SIZE".into());
    }
    let mut rows = vec![header];
    for c in &containers {
        let mut row = vec![
            if args.no_trunc { c.id.clone() } else { c.short_id().to_owned() },
            c.image.clone(),
            quoted_command(&c.config.args, !args.no_trunc),
            ago(c.created),
            status_text(c),
            ports_text(c),
            c.name.clone(),
        ];
        if args.size {
            row.push(size_text(rt, c));
        }
        rows.push(row);
    }
    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
    Ok(0)
}

/// The writable layer, and with the image below it ("virtual"), as Docker shows.
fn size_text(rt: &Runtime, c: &ContainerRecord) -> String {
    let own = dir_size(&rt.layout.container_dir(&c.id).join("upper"));
    let image = rt.images.get(&c.image_id).ok().flatten().map_or(0, |i| i.size());
    format!("{} (virtual {})", human_size(own), human_size(own + image))
}

/// Docker's `*formatter.ContainerContext` for one container: what
/// `--format` templates see.
fn context(rt: &Runtime, c: &ContainerRecord, trunc: bool) -> Value {
    let labels = c.config.labels.clone();
    let mounts: Vec<String> = c
        .config
        .mounts
        .iter()
        // A volume's source is its name, as Docker shows it.
        .map(|m| if trunc { m.source.chars().take(15).collect() } else { m.source.clone() })
        .collect();
    let local_volumes = c.config.mounts.iter().filter(|m| m.kind == MountKind::Volume).count();
    Struct::context("*formatter.ContainerContext")
        .field("ID", if trunc { c.short_id().to_owned() } else { c.id.clone() })
        .field("Names", c.name.as_str())
        .field("Image", c.image.as_str())
        .field("Command", quoted_command(&c.config.args, trunc))
        .field("CreatedAt", created_at(c.created))
        .field("RunningFor", ago(c.created))
        .field("Ports", ports_text(c))
        .field("State", c.status().as_str())
        .field("Status", status_text(c))
        .field("Size", size_text(rt, c))
        .field("Labels", labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .method("Label", 1, move |a| Ok(Value::from(labels.get(a[0].as_str().unwrap_or("")).map_or("", String::as_str))))
        .field("Mounts", mounts.join(","))
        .field("LocalVolumes", local_volumes.to_string())
        .field("Networks", "")
        .field("Platform", Value::Nil(Nil::Pointer))
        .into_value()
}

/// `0.0.0.0:8050->80/tcp`, while running.
pub fn ports_text(c: &ContainerRecord) -> String {
    if !c.status().is_running() {
        return String::new();
    }
    c.state.ports.iter().map(|p| p.display()).collect::<Vec<_>>().join(", ")
}

/// `Up 2 minutes`, `Up 5 seconds (Paused)`, `Exited (0) 5 seconds ago`, `Created`.
pub fn status_text(c: &ContainerRecord) -> String {
    let now = Utc::now();
    match c.status() {
        Status::Created => "Created".into(),
        status @ (Status::Running | Status::Paused) => {
            let since = c.state.started_at.unwrap_or(c.created);
            let paused = if status == Status::Paused { " (Paused)" } else { "" };
            format!("Up {}{paused}", human_duration((now - since).num_seconds()))
        }
        Status::Exited => {
            let code = c.state.exit_code.unwrap_or(255);
            let since = c.state.finished_at.or(c.state.started_at).unwrap_or(c.created);
            format!("Exited ({code}) {}", ago(since))
        }
    }
}

enum Filter {
    Status(String),
    Name(String),
    Id(String),
    Ancestor(String),
    Exited(i32),
}

impl Filter {
    fn parse(text: &str) -> Result<Filter, String> {
        let Some((key, value)) = text.split_once('=') else {
            return Err(format!("Error response from daemon: invalid filter '{text}': bad format of filter (expected name=value)"));
        };
        let value = value.to_owned();
        Ok(match key {
            "status" => {
                const STATES: [&str; 7] = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];
                if !STATES.contains(&value.as_str()) {
                    return Err(format!("Error response from daemon: invalid filter 'status={value}': Invalid filter 'status={value}'"));
                }
                Filter::Status(value)
            }
            "name" => Filter::Name(value),
            "id" => Filter::Id(value),
            "ancestor" => Filter::Ancestor(value),
            "exited" => Filter::Exited(value.parse().map_err(|_| format!("Error response from daemon: invalid filter 'exited={value}'"))?),
            _ => return Err(format!("Error response from daemon: invalid filter '{key}'")),
        })
    }

    fn matches(&self, c: &ContainerRecord) -> bool {
        match self {
            Filter::Status(s) => c.status().as_str() == s,
            Filter::Name(n) => c.name.contains(n.as_str()),
            Filter::Id(id) => c.id.starts_with(id.as_str()),
            Filter::Ancestor(a) => {
                let wanted = Reference::parse(a).map(|r| r.full()).ok();
                let image = Reference::parse(&c.image).map(|r| r.full()).ok();
                (wanted.is_some() && wanted == image) || c.image_id.trim_start_matches("sha256:").starts_with(a.trim_start_matches("sha256:"))
            }
            Filter::Exited(code) => c.status() == Status::Exited && c.state.exit_code == Some(*code),
        }
    }
}
