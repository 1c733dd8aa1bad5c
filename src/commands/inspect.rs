//! `docker inspect [-f FORMAT] [-s] [--type T] NAME|ID…`: Docker-shaped JSON
//! for containers and images, from the real records — including the host
//! PID of the container's PID 1 and the overlay directories its root is made
//! of — or that JSON through a Go template.

use serde_json::{json, Map, Value};
use whaleshell_runtime::container::net::NetworkMode;
use whaleshell_runtime::container::{spec, ContainerRecord, Status};
use whaleshell_runtime::error::exit_code::BAD_TEMPLATE;
use whaleshell_runtime::image::store::ImageRecord;
use whaleshell_runtime::network::NetworkRecord;
use whaleshell_runtime::volume::MountKind;
use whaleshell_runtime::{Error, Runtime};

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::InspectArgs;
use crate::io::Io;
use crate::template::{GoShape, Template, CONTAINER_MAPS, CONTAINER_OMITTED, CONTAINER_SLICES, IMAGE_MAPS, IMAGE_OMITTED, IMAGE_SLICES};

const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

const CONTAINER_SHAPE: GoShape<'static> = GoShape { maps: CONTAINER_MAPS, slices: CONTAINER_SLICES, omitted: CONTAINER_OMITTED, types: &[] };
const IMAGE_SHAPE: GoShape<'static> = GoShape { maps: IMAGE_MAPS, slices: IMAGE_SLICES, omitted: IMAGE_OMITTED, types: &[] };
const VOLUME_SHAPE: GoShape<'static> = GoShape { maps: &["Labels", "Options"], slices: &[], omitted: &[], types: &[("", "volume.Volume")] };
const NETWORK_SHAPE: GoShape<'static> = GoShape {
    maps: &["Labels", "Options", "Containers", "IPAM.Options", "IPAM.Config.*.AuxiliaryAddresses"],
    slices: &["IPAM.Config"],
    omitted: &[],
    types: &[("", "types.NetworkResource")],
};

pub fn run(rt: &Runtime, args: &InspectArgs, io: &mut Io<'_>) -> CommandResult {
    let kind = match args.kind.as_deref() {
        None => None,
        Some("container") => Some(Kind::Container),
        Some("image") => Some(Kind::Image),
        Some("volume") => Some(Kind::Volume),
        Some("network") => Some(Kind::Network),
        Some(other @ ("config" | "node" | "plugin" | "secret" | "service" | "task")) => {
            return Err(CommandError::Client(format!("docker inspect --type {other}: Whaleshell has no {other} objects to inspect yet")))
        }
        Some(other) => {
            return Err(CommandError::Client(format!(
                "unknown type: \"{other}\": must be one of \"config\", \"container\", \"image\", \"network\", \"node\", \"plugin\", \"secret\", \"service\", \"task\", \"volume\""
            )))
        }
    };
    inspect(rt, kind, args.format.as_deref(), args.size, &args.targets, io)
}

/// What `--type` names; without it, each target is looked for in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Container,
    Image,
    Volume,
    Network,
}

/// `docker inspect` and `docker volume inspect`: each target's JSON, or the
/// template's line for it; Docker prints what it found, then what it did not.
pub fn inspect(rt: &Runtime, kind: Option<Kind>, format: Option<&str>, size: bool, targets: &[String], io: &mut Io<'_>) -> CommandResult {
    let template = match format.filter(|f| !f.is_empty()) {
        Some(source) => {
            Some(Template::parse(source).map_err(|e| CommandError::WithStatus { message: format!("template parsing error: {e}"), code: BAD_TEMPLATE })?)
        }
        None => None,
    };
    let mut found = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for target in targets {
        match (find(rt, kind, target, size), &template) {
            (Ok((value, shape)), Some(template)) => {
                // Docker retries a failing template on the untyped JSON, except for volumes.
                let rendered = if kind == Some(Kind::Volume) {
                    template.render(&crate::template::Value::from_json(&value, &shape))
                } else {
                    template.render_json(&value, &shape)
                };
                match rendered {
                    Ok(text) => lines.push(text),
                    Err(e) => errors.push(CommandError::Client(format!("template parsing error: {e}"))),
                }
            }
            (Ok((value, _)), None) => found.push(value),
            (Err(e), _) => errors.push(e),
        }
    }
    match template {
        None => io.out(pretty(&Value::Array(found))),
        // One line per object; none is still one empty line.
        Some(_) => io.out(lines.join("\n")),
    }
    CommandError::from_many(errors).map_or(Ok(0), Err)
}

/// A target's JSON and its Go shape, looked for as `kind` says.
fn find(rt: &Runtime, kind: Option<Kind>, target: &str, size: bool) -> Result<(Value, GoShape<'static>), CommandError> {
    let not_found = |e: Error| match (kind, e) {
        (None, Error::NoSuchContainer(_) | Error::NoSuchImage(_) | Error::NoSuchVolume(_)) => CommandError::Client(format!("Error: No such object: {target}")),
        (Some(Kind::Container | Kind::Image), Error::NoSuchContainer(_) | Error::NoSuchImage(_)) => {
            CommandError::Client(format!("Error: No such object: {target}"))
        }
        (Some(Kind::Network), Error::NoSuchNetwork(_)) => CommandError::Client(format!("Error: No such network: {target}")),
        (_, e) => CommandError::Daemon(e),
    };
    if matches!(kind, None | Some(Kind::Container)) {
        match rt.containers.find(target) {
            Ok(c) => return Ok((container_json(rt, &c, size), CONTAINER_SHAPE)),
            Err(e) if kind.is_some() => return Err(not_found(e)),
            Err(_) => {}
        }
    }
    if matches!(kind, None | Some(Kind::Image)) {
        match rt.images.resolve(target) {
            Ok(i) => return Ok((image_json(rt, &i), IMAGE_SHAPE)),
            Err(e) if kind.is_some() => return Err(not_found(e)),
            Err(_) => {}
        }
    }
    if matches!(kind, None | Some(Kind::Network)) {
        match rt.networks.find(target) {
            Ok(n) => return Ok((network_json(rt, &n), NETWORK_SHAPE)),
            Err(e) if kind.is_some() => return Err(not_found(e)),
            Err(_) => {}
        }
    }
    match rt.volumes.get(target) {
        Ok(Some(v)) => Ok((volume_json(rt, &v), VOLUME_SHAPE)),
        Ok(None) => Err(not_found(Error::NoSuchVolume(target.to_owned()))),
        Err(e) => Err(CommandError::Daemon(e)),
    }
}

/// moby's `types.NetworkResource`, key for key in Docker 20.10's order;
/// `Containers` are the running ones with an address on it.
pub fn network_json(rt: &Runtime, n: &NetworkRecord) -> Value {
    let mut containers = Map::new();
    for c in rt.network_users(n).unwrap_or_default() {
        if let Some(e) = c.state.endpoints.iter().find(|e| e.network_id == n.id) {
            containers.insert(
                c.id.clone(),
                json!({"Name": c.name, "EndpointID": e.endpoint_id, "MacAddress": e.mac, "IPv4Address": format!("{}/{}", e.ip, e.prefix), "IPv6Address": ""}),
            );
        }
    }
    let config: Vec<Value> = match n.subnet {
        Some(s) if n.show_gateway => vec![json!({"Subnet": s.to_string(), "Gateway": n.gateway.map(|g| g.to_string())})],
        Some(s) => vec![json!({"Subnet": s.to_string()})],
        None => Vec::new(),
    };
    let default_bridge = n.predefined && n.name == "bridge";
    let options = if default_bridge {
        json!({
            "com.docker.network.bridge.default_bridge": "true",
            "com.docker.network.bridge.enable_icc": "true",
            "com.docker.network.bridge.enable_ip_masquerade": "true",
            "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
            "com.docker.network.bridge.name": n.bridge,
            "com.docker.network.driver.mtu": "1500",
        })
    } else {
        json!({})
    };
    json!({
        "Name": n.name,
        "Id": n.id,
        "Created": time(Some(n.created)),
        "Scope": "local",
        "Driver": n.driver.as_str(),
        "EnableIPv6": false,
        "IPAM": {"Driver": "default", "Options": if n.predefined { Value::Null } else { json!({}) }, "Config": config},
        "Internal": n.internal,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": false,
        "Containers": containers,
        "Options": options,
        "Labels": n.labels,
    })
}

/// moby's `volume.Volume`.
fn volume_json(rt: &Runtime, v: &whaleshell_runtime::volume::Volume) -> Value {
    json!({
        "CreatedAt": v.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "Driver": "local",
        "Labels": if v.anonymous { json!({"com.docker.volume.anonymous": ""}) } else { json!(null) },
        "Mountpoint": rt.volumes.data_dir(&v.name),
        "Name": v.name,
        "Options": null,
        "Scope": "local",
    })
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

/// moby's `types.ContainerJSON`, key for key in Docker's order.
pub fn container_json(rt: &Runtime, c: &ContainerRecord, size: bool) -> Value {
    let dir = rt.layout.container_dir(&c.id);
    let status = c.status();
    let lower: Vec<String> = c.layers.iter().rev().map(|l| rt.layout.layer_dir(l).display().to_string()).collect();
    let path_if_made = |name: &str| Some(dir.join(name)).filter(|p| p.exists()).map(|p| p.display().to_string()).unwrap_or_default();
    let mut out = Map::new();
    out.insert("Id".into(), json!(c.id));
    out.insert("Created".into(), json!(time(Some(c.created))));
    out.insert("Path".into(), json!(c.config.args.first()));
    out.insert("Args".into(), json!(c.config.args.get(1..).unwrap_or_default()));
    let mut state = json!({
            "Status": status.as_str(),
            "Running": status.is_running(),
            "Paused": status == Status::Paused,
            "Restarting": status == Status::Restarting,
            "OOMKilled": c.state.oom_killed,
            "Dead": false,
            "Pid": if status.is_running() && status != Status::Restarting { c.state.pid.unwrap_or(0) } else { 0 },
            "ExitCode": c.state.exit_code.unwrap_or(0),
            "Error": c.state.error.clone().unwrap_or_default(),
            "StartedAt": time(c.state.started_at),
            "FinishedAt": time(c.state.finished_at),
    });
    if let (Some(h), Some(state)) = (&c.state.health, state.as_object_mut()) {
        let log: Vec<Value> =
            h.log.iter().map(|r| json!({ "Start": time(Some(r.start)), "End": time(Some(r.end)), "ExitCode": r.exit_code, "Output": r.output })).collect();
        state.insert("Health".into(), json!({ "Status": h.status.as_str(), "FailingStreak": h.failing_streak, "Log": log }));
    }
    out.insert("State".into(), state);
    out.insert("Image".into(), json!(c.image_id));
    out.insert("ResolvConfPath".into(), json!(path_if_made("resolv.conf")));
    out.insert("HostnamePath".into(), json!(path_if_made("hostname")));
    out.insert("HostsPath".into(), json!(path_if_made("hosts")));
    out.insert("LogPath".into(), json!(rt.layout.container_log(&c.id)));
    out.insert("Name".into(), json!(format!("/{}", c.name)));
    out.insert("RestartCount".into(), json!(c.state.restart_count));
    out.insert("Driver".into(), json!("overlay"));
    out.insert("Platform".into(), json!("linux"));
    for key in ["MountLabel", "ProcessLabel", "AppArmorProfile"] {
        out.insert(key.into(), json!(""));
    }
    out.insert("ExecIDs".into(), Value::Null);
    out.insert("HostConfig".into(), host_config(rt, c));
    out.insert(
        "GraphDriver".into(),
        json!({
            "Data": {
                "LowerDir": lower.join(":"),
                "MergedDir": dir.join("rootfs"),
                "UpperDir": dir.join("upper"),
                "WorkDir": dir.join("work"),
            },
            "Name": "overlay",
        }),
    );
    if size {
        let own = whaleshell_runtime::fsutil::dir_size(&dir.join("upper"));
        let image = rt.images.get(&c.image_id).ok().flatten().map_or(0, |i| i.size());
        out.insert("SizeRw".into(), json!(own));
        out.insert("SizeRootFs".into(), json!(own + image));
    }
    out.insert(
        "Mounts".into(),
        json!(c
            .config
            .mounts
            .iter()
            .map(|m| match m.kind {
                MountKind::Bind => json!({
                    "Type": "bind", "Source": m.source, "Destination": m.target,
                    "Mode": if m.readonly { "ro" } else { "" }, "RW": !m.readonly, "Propagation": "rprivate",
                }),
                MountKind::Volume => json!({
                    "Type": "volume", "Name": m.source, "Source": rt.volumes.data_dir(&m.source), "Destination": m.target,
                    "Driver": "local", "Mode": if m.readonly { "ro" } else { "z" }, "RW": !m.readonly, "Propagation": "",
                }),
            })
            .collect::<Vec<_>>()),
    );
    out.insert("Config".into(), container_config(rt, c));
    out.insert("NetworkSettings".into(), network_settings(rt, c));
    Value::Object(out)
}

/// What the container was created with, as Docker's HostConfig; limits
/// Whaleshell does not set are Docker's zero values.
fn host_config(rt: &Runtime, c: &ContainerRecord) -> Value {
    let binds: Vec<String> = c
        .config
        .mounts
        .iter()
        .filter(|m| m.kind == MountKind::Bind)
        .map(|m| if m.readonly { format!("{}:{}:ro", m.source, m.target) } else { format!("{}:{}", m.source, m.target) })
        .collect();
    let mut out = Map::new();
    out.insert("Binds".into(), if binds.is_empty() { Value::Null } else { json!(binds) });
    out.insert("ContainerIDFile".into(), json!(""));
    out.insert("LogConfig".into(), json!({ "Type": c.config.log_driver.as_str(), "Config": {} }));
    out.insert("NetworkMode".into(), json!(c.config.network.docker_name(&c.config.networks, &rt.networks)));
    out.insert("PortBindings".into(), port_map(&c.config.ports, false));
    out.insert("RestartPolicy".into(), json!({ "Name": c.config.restart.name_str(), "MaximumRetryCount": c.config.restart.max_retries }));
    out.insert("AutoRemove".into(), json!(c.config.auto_remove));
    out.insert("VolumeDriver".into(), json!(""));
    out.insert("VolumesFrom".into(), Value::Null);
    let sec = &c.config.security;
    let list = |l: &[String]| if l.is_empty() { Value::Null } else { json!(l) };
    out.insert("CapAdd".into(), list(&sec.cap_add));
    out.insert("CapDrop".into(), list(&sec.cap_drop));
    out.insert("CgroupnsMode".into(), json!("host"));
    for key in ["Dns", "DnsOptions", "DnsSearch"] {
        out.insert(key.into(), json!([]));
    }
    out.insert("ExtraHosts".into(), list(&sec.extra_hosts));
    out.insert("GroupAdd".into(), list(&sec.group_add));
    out.insert("IpcMode".into(), json!("private"));
    out.insert("Cgroup".into(), json!(""));
    out.insert("Links".into(), Value::Null);
    out.insert("OomScoreAdj".into(), json!(0));
    out.insert("PidMode".into(), json!(""));
    out.insert("Privileged".into(), json!(sec.privileged));
    out.insert("PublishAllPorts".into(), json!(false));
    out.insert("ReadonlyRootfs".into(), json!(sec.read_only));
    out.insert("SecurityOpt".into(), list(&sec.security_opt));
    if !sec.tmpfs.is_empty() {
        out.insert("Tmpfs".into(), json!(sec.tmpfs));
    }
    out.insert("UTSMode".into(), json!(""));
    out.insert("UsernsMode".into(), json!(""));
    let res = &c.config.resources;
    out.insert("ShmSize".into(), json!(res.shm_size()));
    out.insert("Runtime".into(), json!("libcontainer"));
    out.insert("ConsoleSize".into(), json!([0, 0]));
    out.insert("Isolation".into(), json!(""));
    out.insert("CpuShares".into(), json!(res.limits.cpu_shares));
    out.insert("Memory".into(), json!(res.limits.memory));
    out.insert("NanoCpus".into(), json!(res.limits.nano_cpus));
    out.insert("CgroupParent".into(), json!(""));
    out.insert("BlkioWeight".into(), json!(0));
    for key in ["BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"] {
        out.insert(key.into(), json!([]));
    }
    for key in ["CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime"] {
        out.insert(key.into(), json!(0));
    }
    out.insert("CpusetCpus".into(), json!(res.limits.cpuset_cpus));
    out.insert("CpusetMems".into(), json!(""));
    out.insert("Devices".into(), json!([]));
    out.insert("DeviceCgroupRules".into(), Value::Null);
    out.insert("DeviceRequests".into(), Value::Null);
    for key in ["KernelMemory", "KernelMemoryTCP"] {
        out.insert(key.into(), json!(0));
    }
    out.insert("MemoryReservation".into(), json!(res.limits.memory_reservation));
    out.insert("MemorySwap".into(), json!(res.limits.memory_swap));
    out.insert("MemorySwappiness".into(), Value::Null);
    out.insert("OomKillDisable".into(), json!(false));
    // Docker's null is unlimited.
    // Docker's null is unlimited at creation; unlimited by `docker update` is 0.
    let pids_limit = match c.config.effective_pids_limit() {
        0 => Value::Null,
        n => json!(n.max(0)),
    };
    out.insert("PidsLimit".into(), pids_limit);
    // Docker 20.10's client sends none when no --ulimit is given: null.
    let ulimits: Vec<Value> = res.ulimits.iter().map(|u| json!({ "Name": u.name, "Hard": u.hard, "Soft": u.soft })).collect();
    out.insert("Ulimits".into(), if ulimits.is_empty() { Value::Null } else { json!(ulimits) });
    for key in ["CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth"] {
        out.insert(key.into(), json!(0));
    }
    if !sec.sysctls.is_empty() {
        out.insert("Sysctls".into(), json!(sec.sysctls));
    }
    // --privileged: none, Docker's null.
    out.insert("MaskedPaths".into(), if sec.privileged { Value::Null } else { json!(spec::DOCKER_MASKED_PATHS) });
    out.insert("ReadonlyPaths".into(), if sec.privileged { Value::Null } else { json!(spec::DOCKER_READONLY_PATHS) });
    Value::Object(out)
}

/// `{"80/tcp": [{"HostIp": …, "HostPort": …}]}`; `bound` uses the ports as
/// bound while running (NetworkSettings), else as asked for (HostConfig).
fn port_map(ports: &[whaleshell_runtime::container::ports::PortSpec], bound: bool) -> Value {
    let mut map = Map::new();
    for p in ports {
        let host_port = if p.host_port == 0 && !bound { String::new() } else { p.host_port.to_string() };
        let entry = map.entry(format!("{}/tcp", p.container_port)).or_insert_with(|| json!([]));
        if let Value::Array(list) = entry {
            list.push(json!({ "HostIp": p.host_ip, "HostPort": host_port }));
        }
    }
    Value::Object(map)
}

/// Docker's container Config: the image's config with what `run` set over it.
fn container_config(rt: &Runtime, c: &ContainerRecord) -> Value {
    let image = rt.images.get(&c.image_id).ok().flatten();
    let image_config = image.and_then(|i| rt.images.container_config(&i).ok()).unwrap_or_default();
    match c.docker_config(&image_config).docker_json() {
        Value::Object(map) => reorder(map, CONFIG_KEYS),
        other => other,
    }
}

/// moby's `container.Config` fields, in its order.
const CONFIG_KEYS: &[&str] = &[
    "Hostname",
    "Domainname",
    "User",
    "AttachStdin",
    "AttachStdout",
    "AttachStderr",
    "ExposedPorts",
    "Tty",
    "OpenStdin",
    "StdinOnce",
    "Env",
    "Cmd",
    "Healthcheck",
    "ArgsEscaped",
    "Image",
    "Volumes",
    "WorkingDir",
    "Entrypoint",
    "OnBuild",
    "Labels",
    "StopSignal",
    "StopTimeout",
    "Shell",
];

/// `map` with `first` keys (those present) in that order, then the rest in theirs.
fn reorder(mut map: Map<String, Value>, first: &[&str]) -> Value {
    let mut out = Map::new();
    for key in first {
        if let Some(v) = map.shift_remove(*key) {
            out.insert((*key).to_owned(), v);
        }
    }
    out.extend(map);
    Value::Object(out)
}

/// moby's NetworkSettings: each network's endpoint (its address while
/// running, as configured when not), and the default bridge's also at the
/// top, as Docker 20.10 shows it. A container without `--network` (its
/// own namespace, `lo` only) has none.
fn network_settings(rt: &Runtime, c: &ContainerRecord) -> Value {
    let mut networks = Map::new();
    let mut top = json!({"EndpointID": "", "Gateway": "", "IPAddress": "", "IPPrefixLen": 0, "MacAddress": ""});
    for a in &c.config.networks {
        let Ok(Some(n)) = rt.networks.get(&a.network_id) else { continue };
        let e = c.state.endpoints.iter().find(|e| e.network_id == a.network_id);
        let mut aliases: Vec<String> = a.aliases.clone();
        aliases.push(c.short_id().to_owned());
        let endpoint = json!({
            "IPAMConfig": a.ip.map(|ip| json!({"IPv4Address": ip.to_string()})),
            "Links": null,
            "Aliases": if n.predefined { Value::Null } else { json!(aliases) },
            "NetworkID": n.id,
            "EndpointID": e.map_or("", |e| e.endpoint_id.as_str()),
            "Gateway": e.and_then(|e| e.gateway).map(|g| g.to_string()).unwrap_or_default(),
            "IPAddress": e.map(|e| e.ip.to_string()).unwrap_or_default(),
            "IPPrefixLen": e.map_or(0, |e| e.prefix),
            "IPv6Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "MacAddress": e.map_or("", |e| e.mac.as_str()),
            "DriverOpts": null,
        });
        if n.predefined && n.name == "bridge" {
            for key in ["EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "MacAddress"] {
                top[key] = endpoint[key].clone();
            }
        }
        networks.insert(n.name.clone(), endpoint);
    }
    // Docker lists the mode's network for a container without a bridge one.
    match &c.config.network {
        NetworkMode::None | NetworkMode::Host => {
            let name = if c.config.network == NetworkMode::Host { "host" } else { "none" };
            if let Some(n) = rt.networks.list().unwrap_or_default().into_iter().find(|n| n.predefined && n.name == name) {
                networks.insert(
                    name.into(),
                    json!({"IPAMConfig": null, "Links": null, "Aliases": null, "NetworkID": n.id, "EndpointID": "", "Gateway": "", "IPAddress": "",
                        "IPPrefixLen": 0, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": "", "DriverOpts": null}),
                );
            }
        }
        _ => {}
    }
    let sandbox = if c.state.endpoints.is_empty() { String::new() } else { whaleshell_runtime::network::netavark::netns_path(&c.id).display().to_string() };
    json!({
        "Bridge": "",
        "SandboxID": "",
        "HairpinMode": false,
        "LinkLocalIPv6Address": "",
        "LinkLocalIPv6PrefixLen": 0,
        "Ports": port_map(&c.state.ports, true),
        "SandboxKey": sandbox,
        "SecondaryIPAddresses": null,
        "SecondaryIPv6Addresses": null,
        "EndpointID": top["EndpointID"],
        "Gateway": top["Gateway"],
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "IPAddress": top["IPAddress"],
        "IPPrefixLen": top["IPPrefixLen"],
        "IPv6Gateway": "",
        "MacAddress": top["MacAddress"],
        "Networks": networks,
    })
}

/// moby's `types.ImageInspect`, key for key in Docker's order.
pub fn image_json(rt: &Runtime, image: &ImageRecord) -> Value {
    let config = rt.images.config(image).ok();
    let tags: Vec<String> =
        rt.images.list().unwrap_or_default().into_iter().filter(|i| i.record.id == image.id).flat_map(|i| i.tags.into_iter().map(|t| t.familiar())).collect();
    let top = image.layers.last().map(|l| rt.layout.layer_dir(&l.diff_id));
    let lower: Vec<String> = image.layers.iter().rev().skip(1).map(|l| rt.layout.layer_dir(&l.diff_id).display().to_string()).collect();
    let comment = config.as_ref().and_then(|c| c.history().as_ref()).and_then(|h| h.last()).and_then(|h| h.comment().clone()).unwrap_or_default();
    let empty_config = json!({
        "Hostname": "", "Domainname": "", "User": "", "AttachStdin": false, "AttachStdout": false, "AttachStderr": false,
        "Tty": false, "OpenStdin": false, "StdinOnce": false, "Env": null, "Cmd": null, "Image": "", "Volumes": null,
        "WorkingDir": "", "Entrypoint": null, "OnBuild": null, "Labels": null,
    });
    let mut graph_data = Map::new();
    if !lower.is_empty() {
        graph_data.insert("LowerDir".into(), json!(lower.join(":")));
    }
    graph_data.insert("UpperDir".into(), json!(top));
    json!({
        "Id": image.id,
        "RepoTags": tags,
        "RepoDigests": image.repo_digests,
        "Parent": "",
        "Comment": comment,
        "Created": time(image.created),
        "Container": "",
        "ContainerConfig": empty_config,
        "DockerVersion": "",
        "Author": config.as_ref().and_then(|c| c.author().clone()).unwrap_or_default(),
        "Config": rt.images.container_config(image).ok().map(|c| c.docker_json()),
        "Architecture": "amd64",
        "Os": "linux",
        "Size": image.size(),
        "VirtualSize": image.size(),
        "GraphDriver": { "Data": graph_data, "Name": "overlay" },
        "RootFS": {
            "Type": "layers",
            "Layers": image.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
        },
        "Metadata": { "LastTagTime": ZERO_TIME },
    })
}
