//! `docker ps` / `docker container ls`: containers in Docker's columns,
//! with `-a`, `-q`, `-n`, `-l`, `--no-trunc` and `-f KEY=VALUE` filters
//! (status, name, id, ancestor, exited, label, before, since, volume, publish, expose).

use chrono::Utc;
use whaleshell_runtime::container::{ContainerRecord, Status};
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::PsArgs;
use crate::io::Io;
use crate::output::{ago, created_at, human_duration, human_size, print_format, quoted_command, table, TemplateWords};
use crate::template::{GoShape, Nil, Struct, Value, Zero, PS_HEADERS};
use whaleshell_runtime::fsutil::dir_size;
use whaleshell_runtime::volume::MountKind;

pub fn run(rt: &Runtime, args: &PsArgs, io: &mut Io<'_>) -> CommandResult {
    check_filter_format(&args.filter, "docker ps [OPTIONS]", "docker ps")?;
    let filters = args.filter.iter().map(|f| Filter::parse(rt, f)).collect::<Result<Vec<_>, _>>().map_err(CommandError::Client)?;
    let mut containers = rt.containers.list()?;
    let limit = if args.latest { Some(1) } else { args.last };
    let all = args.all || limit.is_some() || filters.iter().any(|f| matches!(f, Filter::Status(_) | Filter::Exited(_)));
    containers.retain(|c| (all || c.status().is_running()) && filters.iter().all(|f| f.matches(rt, c)));
    if let Some(n) = limit {
        containers.truncate(n);
    }
    if let Some(source) = args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
        let rows: Vec<Value> = containers.iter().map(|c| context(rt, c, !args.no_trunc, None)).collect();
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
            ports_text(rt, c),
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
/// `--format` templates see; `size` replaces `.Size` (`system df -v` shows no virtual size).
pub fn context(rt: &Runtime, c: &ContainerRecord, trunc: bool, size: Option<String>) -> Value {
    let labels = c.config.labels.clone();
    let mounts: Vec<String> = c
        .config
        .mounts
        .iter()
        // A volume's source is its name, as Docker shows it.
        .map(|m| if trunc { m.source.chars().take(15).collect() } else { m.source.clone() })
        .collect();
    let local_volumes = c.config.mounts.iter().filter(|m| m.kind == MountKind::Volume).count();
    let printed = go_struct(rt, c, trunc);
    Struct::context("*formatter.ContainerContext")
        .printed_as(move || printed.clone())
        .field("ID", if trunc { c.short_id().to_owned() } else { c.id.clone() })
        .field("Names", c.name.as_str())
        .field("Image", c.image.as_str())
        .field("Command", quoted_command(&c.config.args, trunc))
        .field("CreatedAt", created_at(c.created))
        .field("RunningFor", ago(c.created))
        .field("Ports", ports_text(rt, c))
        .field("State", c.status().as_str())
        .field("Status", status_text(c))
        .field("Size", size.unwrap_or_else(|| size_text(rt, c)))
        .field("Labels", labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .method("Label", 1, move |a| Ok(Value::from(labels.get(a[0].as_str().unwrap_or("")).map_or("", String::as_str))))
        .field("Mounts", mounts.join(","))
        .field("LocalVolumes", local_volumes.to_string())
        .field("Networks", network_names(rt, c).join(","))
        .field("Platform", Value::Nil(Nil::Pointer))
        .into_value()
}

/// What `{{.}}` prints: Docker 20.10's `formatter.ContainerContext` as Go
/// prints a struct — its header (nil), `trunc`, the API's `types.Container`
/// and `FieldsUsed` — e.g. `{{<nil>} true {ID [/web] busybox sha256:… sleep 1000 1796307509 [] 0 0 map[] running Up 3 minutes {default} 0xc0000708b8 []} map[]}`.
fn go_struct(rt: &Runtime, c: &ContainerRecord, trunc: bool) -> Value {
    let running = c.status().is_running();
    let ports: Vec<Value> = c
        .state
        .ports
        .iter()
        .filter(|_| running)
        .map(|p| {
            let port = |n: u16| Value::Int(i64::from(n));
            Struct::new("types.Port")
                .field("IP", p.host_ip.as_str())
                .field("PrivatePort", port(p.container_port))
                .field("PublicPort", port(p.host_port))
                .field("Type", "tcp")
                .into_value()
        })
        .collect();
    let labels = c.config.labels.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    let json = super::inspect::container_json(rt, c, false);
    let mount_shape = GoShape { omitted: &[("Name", "Type", Zero::String), ("Driver", "Destination", Zero::String)], ..GoShape::default() };
    let mounts = Value::from_json(&json["Mounts"], &mount_shape);
    let container = Struct::new("types.Container")
        .field("ID", c.id.as_str())
        .field("Names", vec![format!("/{}", c.name)])
        .field("Image", c.image.as_str())
        .field("ImageID", c.image_id.as_str())
        .field("Command", c.config.args.join(" "))
        .field("Created", c.created.timestamp())
        .field("Ports", Value::List(ports))
        .field("SizeRw", 0)
        .field("SizeRootFs", 0)
        .field("Labels", Value::Map(labels))
        .field("State", c.status().as_str())
        .field("Status", status_text(c))
        .field("HostConfig", Struct::new("").field("NetworkMode", c.config.network.docker_name(&c.config.networks, &rt.networks)))
        // A pointer, which Go prints as its address.
        .field("NetworkSettings", format!("0xc0000{}", c.id.get(..6).unwrap_or("0708b8")))
        .field("Mounts", mounts);
    Struct::new("formatter.ContainerContext")
        .field("HeaderContext", Struct::new("formatter.HeaderContext").field("header", Value::Nil(Nil::Pointer)))
        .field("trunc", trunc)
        .field("c", container)
        .field("FieldsUsed", Value::Nil(Nil::Map))
        .into_value()
}

/// Docker's PORTS, while running: the exposed ports no `-p` binds (`80/tcp`,
/// a run of them `7000-7002/tcp`), grouped and ordered as Docker's
/// `DisplayablePorts`, then the published ones (`0.0.0.0:8050->80/tcp`).
pub fn ports_text(rt: &Runtime, c: &ContainerRecord) -> String {
    if !c.status().is_running() {
        return String::new();
    }
    let bound: Vec<u16> = c.state.ports.iter().map(|p| p.container_port).collect();
    let mut unbound: Vec<(u16, String)> = exposed(rt, c)
        .into_iter()
        .filter_map(|key| {
            let (port, proto) = key.split_once('/')?;
            Some((port.parse::<u16>().ok()?, proto.to_owned()))
        })
        .filter(|(port, proto)| !(proto == "tcp" && bound.contains(port)))
        .collect();
    unbound.sort();
    let group = |proto: &str, first: u16, last: u16| if first == last { format!("{first}/{proto}") } else { format!("{first}-{last}/{proto}") };
    // One open run per protocol, in the order the protocols first came; a run that breaks is written at once.
    let mut open: Vec<(String, u16, u16)> = Vec::new();
    let mut shown = Vec::new();
    for (port, proto) in unbound {
        match open.iter_mut().find(|(p, ..)| *p == proto) {
            None => open.push((proto, port, port)),
            Some((_, _, last)) if port == *last + 1 => *last = port,
            Some(run) => {
                shown.push(group(&run.0, run.1, run.2));
                *run = (proto, port, port);
            }
        }
    }
    shown.extend(open.iter().map(|(proto, first, last)| group(proto, *first, *last)));
    shown.extend(c.state.ports.iter().map(|p| p.display()));
    shown.join(", ")
}

/// `Up 2 minutes`, `Up 5 seconds (Paused)`, `Exited (0) 5 seconds ago`, `Created`.
pub fn status_text(c: &ContainerRecord) -> String {
    let now = Utc::now();
    match c.status() {
        Status::Created => "Created".into(),
        status @ (Status::Running | Status::Paused) => {
            let since = c.state.started_at.unwrap_or(c.created);
            let health = c.state.health.as_ref().map(|h| format!(" ({})", h.status.ps_text())).unwrap_or_default();
            let suffix = if status == Status::Paused { " (Paused)".to_owned() } else { health };
            format!("Up {}{suffix}", human_duration((now - since).num_seconds()))
        }
        // Docker's, while the back-off runs: since PID 1 exited.
        Status::Restarting => {
            let code = c.state.exit_code.unwrap_or(255);
            format!("Restarting ({code}) {}", ago(c.state.finished_at.unwrap_or(c.created)))
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
    /// `health=starting|healthy|unhealthy|none`.
    Health(String),
    Name(String),
    Id(String),
    Ancestor(String),
    Exited(i32),
    /// `label=KEY` or `label=KEY=VALUE`.
    Label(String, Option<String>),
    /// Created before this container (never it).
    Before(ContainerRecord),
    /// Created after this container (never it).
    Since(ContainerRecord),
    /// A volume's name, a bind's host path, or a mount's destination.
    Volume(String),
    /// A host port published (Docker's `publish=`).
    Publish(u16, u16),
    /// On a network, by name or ID prefix (Docker's `network=`).
    Network(String),
    /// A container port exposed (Docker's `expose=`).
    Expose(u16, u16),
}

/// Docker's client refuses a filter without `=` before asking the daemon (125).
pub fn check_filter_format(filters: &[String], usage: &str, command: &str) -> Result<(), CommandError> {
    match filters.iter().find(|f| !f.contains('=')) {
        Some(text) => Err(CommandError::WithStatus {
            message: format!(
                "invalid argument \"{text}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n\nUsage:  {usage}\n\nRun '{command} --help' for more information"
            ),
            code: 125,
        }),
        None => Ok(()),
    }
}

/// The daemon's answer to a filter key (or value) it does not take.
pub fn invalid_filter(text: &str) -> String {
    format!("Error response from daemon: Invalid filter '{text}'")
}

/// `PORT[/PROTO]` or `START-END[/PROTO]`: the inclusive range it names, and
/// whether it is tcp (the only protocol Whaleshell publishes).
fn port_range(key: &str, value: &str) -> Result<Option<(u16, u16)>, String> {
    let (ports, proto) = value.split_once('/').unwrap_or((value, "tcp"));
    let number = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("Error response from daemon: error while looking up for {key} {value}: strconv.ParseUint: parsing {p:?}: invalid syntax"))
    };
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(ports)?, number(ports)?),
    };
    if start > end {
        return Err(format!("Error response from daemon: error while looking up for {key} {value}: invalid range specified for the Port: {ports}"));
    }
    Ok((proto == "tcp").then_some((start, end)))
}

impl Filter {
    fn parse(rt: &Runtime, text: &str) -> Result<Filter, String> {
        let (key, value) = text.split_once('=').unwrap_or((text, ""));
        let value = value.to_owned();
        Ok(match key {
            "status" => {
                const STATES: [&str; 7] = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];
                if !STATES.contains(&value.as_str()) {
                    return Err(invalid_filter(&format!("status={value}")));
                }
                Filter::Status(value)
            }
            "health" => {
                if !["starting", "healthy", "unhealthy", "none"].contains(&value.as_str()) {
                    return Err(format!("Error response from daemon: Unrecognised filter value for health: {value}"));
                }
                Filter::Health(value)
            }
            "name" => Filter::Name(value),
            "id" => Filter::Id(value),
            "ancestor" => Filter::Ancestor(value),
            "exited" => Filter::Exited(value.parse().map_err(|_| format!("Error response from daemon: strconv.Atoi: parsing {value:?}: invalid syntax"))?),
            "label" => match value.split_once('=') {
                Some((k, v)) => Filter::Label(k.to_owned(), Some(v.to_owned())),
                None => Filter::Label(value, None),
            },
            "before" | "since" => {
                let record = rt.containers.find(&value).map_err(|_| format!("Error response from daemon: no such container {value}"))?;
                if key == "before" {
                    Filter::Before(record)
                } else {
                    Filter::Since(record)
                }
            }
            "volume" => Filter::Volume(value),
            "network" => Filter::Network(value),
            "publish" | "expose" => {
                let (start, end) = port_range(key, &value)?.unwrap_or((1, 0));
                if key == "publish" {
                    Filter::Publish(start, end)
                } else {
                    Filter::Expose(start, end)
                }
            }
            _ => return Err(invalid_filter(key)),
        })
    }

    fn matches(&self, rt: &Runtime, c: &ContainerRecord) -> bool {
        match self {
            Filter::Status(s) => c.status().as_str() == s,
            Filter::Health(h) => c.state.health.as_ref().map_or("none", |health| health.status.as_str()) == h,
            Filter::Name(n) => c.name.contains(n.as_str()),
            Filter::Id(id) => c.id.starts_with(id.as_str()),
            Filter::Ancestor(a) => {
                let wanted = Reference::parse(a).map(|r| r.full()).ok();
                let image = Reference::parse(&c.image).map(|r| r.full()).ok();
                (wanted.is_some() && wanted == image) || c.image_id.trim_start_matches("sha256:").starts_with(a.trim_start_matches("sha256:"))
            }
            Filter::Exited(code) => c.status() == Status::Exited && c.state.exit_code == Some(*code),
            Filter::Label(key, value) => c.config.labels.get(key).is_some_and(|v| value.as_ref().is_none_or(|want| want == v)),
            Filter::Before(other) => c.id != other.id && c.created < other.created,
            Filter::Since(other) => c.id != other.id && c.created > other.created,
            Filter::Volume(v) => c.config.mounts.iter().any(|m| &m.source == v || &m.target == v),
            Filter::Publish(start, end) => {
                let bound = if c.state.ports.is_empty() { &c.config.ports } else { &c.state.ports };
                bound.iter().any(|p| p.host_port != 0 && (*start..=*end).contains(&p.host_port))
            }
            Filter::Expose(start, end) => exposed_ports(rt, c).iter().any(|p| (*start..=*end).contains(p)),
            Filter::Network(n) => c.config.networks.iter().any(|a| a.network_id.starts_with(n.as_str())) || network_names(rt, c).contains(n),
        }
    }
}

/// The names of the networks it is connected to (Docker's `.Networks`).
fn network_names(rt: &Runtime, c: &ContainerRecord) -> Vec<String> {
    c.config.networks.iter().filter_map(|a| rt.networks.get(&a.network_id).ok().flatten()).map(|n| n.name).collect()
}

/// The container's Config.ExposedPorts (`80/tcp`): the image's `EXPOSE`s,
/// `--expose` and what `-p` publishes.
fn exposed(rt: &Runtime, c: &ContainerRecord) -> Vec<String> {
    let image = rt.images.get(&c.image_id).ok().flatten();
    let image_config = image.and_then(|i| rt.images.container_config(&i).ok()).unwrap_or_default();
    c.docker_config(&image_config).exposed_ports.unwrap_or_default().into_keys().collect()
}

/// The container's exposed tcp ports, for `ps -f expose=`.
fn exposed_ports(rt: &Runtime, c: &ContainerRecord) -> Vec<u16> {
    exposed(rt, c).iter().filter_map(|port| port.strip_suffix("/tcp").and_then(|n| n.parse().ok())).collect()
}
