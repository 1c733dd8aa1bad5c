//! `docker compose config`: the project in Compose's canonical form —
//! short syntaxes expanded to long ones (ports, volumes, depends_on,
//! build), lists of `KEY=value` made mappings, commands split into words,
//! env files merged into `environment`, paths made absolute, and the
//! project's networks and volumes given their full names.

use serde_yaml::{Mapping, Value};

use super::project::{self, Project};
use crate::commands::error::{CommandError, CommandResult};
use crate::grammar::docker::ComposeConfigArgs;
use crate::io::Io;

/// Prints the canonical form, or the names `--services`/`--volumes` ask for.
pub fn config(canonical: &Value, flags: &ComposeConfigArgs, io: &mut Io<'_>) -> CommandResult {
    if flags.quiet {
        return Ok(0);
    }
    if flags.services || flags.volumes {
        let key = if flags.services { "services" } else { "volumes" };
        if let Some(map) = canonical.get(key).and_then(Value::as_mapping) {
            map.keys().filter_map(Value::as_str).for_each(|name| io.out(name));
        }
        return Ok(0);
    }
    let text = serde_yaml::to_string(canonical).map_err(|e| CommandError::Client(e.to_string()))?;
    let _ = std::io::Write::write_all(io.stdout, text.as_bytes());
    Ok(0)
}

/// The whole project, canonical.
pub fn canonical(project: &Project) -> Result<Value, String> {
    let doc = &project.document;
    let mut out = Mapping::new();
    out.insert("name".into(), project.name.clone().into());
    let mut services = Mapping::new();
    let mut uses_default_network = false;
    let mut entries: Vec<(&Value, &Value)> = doc.get("services").and_then(Value::as_mapping).map(|m| m.iter().collect()).unwrap_or_default();
    entries.sort_by_key(|(name, _)| name.as_str().unwrap_or_default().to_owned());
    for (name, service) in entries {
        let service = canonical_service(project, service)?;
        uses_default_network |= service.get("networks").and_then(Value::as_mapping).is_some_and(|n| n.contains_key("default"));
        services.insert(name.clone(), Value::Mapping(service));
    }
    out.insert("services".into(), Value::Mapping(services));
    let mut networks = named_resources(project, doc.get("networks"));
    if uses_default_network && !networks.contains_key("default") {
        networks.insert("default".into(), Value::Mapping(Mapping::from_iter([("name".into(), format!("{}_default", project.name).into())])));
    }
    if !networks.is_empty() {
        out.insert("networks".into(), Value::Mapping(sorted(networks)));
    }
    let volumes = named_resources(project, doc.get("volumes"));
    if !volumes.is_empty() {
        out.insert("volumes".into(), Value::Mapping(sorted(volumes)));
    }
    Ok(Value::Mapping(out))
}

/// Top-level networks or volumes: each gets `name: <project>_<key>`
/// unless it is external or names itself.
fn named_resources(project: &Project, section: Option<&Value>) -> Mapping {
    let mut out = Mapping::new();
    for (key, value) in section.and_then(Value::as_mapping).into_iter().flatten() {
        let mut resource = value.as_mapping().cloned().unwrap_or_default();
        let external = resource.get("external").and_then(Value::as_bool).unwrap_or(false);
        if !resource.contains_key("name") {
            let name = if external { key.as_str().unwrap_or_default().to_owned() } else { format!("{}_{}", project.name, key.as_str().unwrap_or_default()) };
            resource.insert("name".into(), name.into());
        }
        out.insert(key.clone(), Value::Mapping(sorted(resource)));
    }
    out
}

fn canonical_service(project: &Project, service: &Value) -> Result<Mapping, String> {
    let mut s = service.as_mapping().cloned().unwrap_or_default();
    for key in ["command", "entrypoint"] {
        if let Some(Value::String(line)) = s.get(key) {
            let words = project::shell_split(line)?;
            s.insert(key.into(), Value::Sequence(words.into_iter().map(Value::from).collect()));
        }
    }
    let mut environment = Mapping::new();
    if let Some(files) = s.remove("env_file") {
        let files: Vec<Value> = match files {
            Value::Sequence(list) => list,
            one => vec![one],
        };
        for file in files.iter().filter_map(Value::as_str) {
            let path = project.dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| format!("env file {} not found: {}", path.display(), crate::output::go_io_error(&e)))?;
            for (k, v) in project::parse_env_file(&text) {
                environment.insert(k.into(), v.into());
            }
        }
    }
    if let Some(env) = s.get("environment") {
        environment.extend(key_values(env));
    }
    if !environment.is_empty() {
        s.insert("environment".into(), Value::Mapping(sorted(environment)));
    }
    if let Some(labels) = s.get("labels") {
        let labels = sorted(key_values(labels));
        s.insert("labels".into(), Value::Mapping(labels));
    }
    if let Some(Value::Sequence(ports)) = s.get("ports") {
        let ports = ports.iter().map(long_port).collect::<Result<Vec<_>, _>>()?;
        s.insert("ports".into(), Value::Sequence(ports));
    }
    if let Some(Value::Sequence(volumes)) = s.get("volumes") {
        let volumes = volumes.iter().map(|v| long_volume(project, v)).collect::<Result<Vec<_>, _>>()?;
        s.insert("volumes".into(), Value::Sequence(volumes));
    }
    if let Some(depends) = s.get("depends_on") {
        s.insert("depends_on".into(), Value::Mapping(long_depends_on(depends)));
    }
    if let Some(build) = s.get("build") {
        let mut long = match build {
            Value::String(context) => Mapping::from_iter([("context".into(), context.clone().into())]),
            other => other.as_mapping().cloned().unwrap_or_default(),
        };
        let context = long.get("context").and_then(Value::as_str).unwrap_or(".");
        let context = absolute(project, context);
        long.insert("context".into(), context.into());
        if !long.contains_key("dockerfile") {
            long.insert("dockerfile".into(), "Dockerfile".into());
        }
        s.insert("build".into(), Value::Mapping(sorted(long)));
    }
    let networks = match s.get("networks") {
        None if s.get("network_mode").is_none() => Some(Mapping::from_iter([("default".into(), Value::Null)])),
        Some(Value::Sequence(list)) => Some(list.iter().map(|n| (n.clone(), Value::Null)).collect()),
        _ => None,
    };
    if let Some(networks) = networks {
        s.insert("networks".into(), Value::Mapping(networks));
    }
    Ok(sorted(s))
}

/// `["K=v", "K"]` or `{K: v}` as a mapping; a bare `K` is null.
fn key_values(value: &Value) -> Mapping {
    match value {
        Value::Sequence(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.into(), v.into()),
                None => (item.into(), Value::Null),
            })
            .collect(),
        Value::Mapping(map) => map.iter().map(|(k, v)| (k.clone(), scalar_string(v))).collect(),
        _ => Mapping::new(),
    }
}

/// Compose keeps environment and label values as strings.
fn scalar_string(value: &Value) -> Value {
    match value {
        Value::Bool(b) => b.to_string().into(),
        Value::Number(n) => n.to_string().into(),
        other => other.clone(),
    }
}

/// `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]` as Compose's long syntax.
fn long_port(port: &Value) -> Result<Value, String> {
    let text = match port {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        long => return Ok(long.clone()),
    };
    let (spec, protocol) = text.split_once('/').unwrap_or((&text, "tcp"));
    let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
    let target: u16 = parts[0].parse().map_err(|_| format!("invalid containerPort: {}", parts[0]))?;
    let mut long = Mapping::new();
    long.insert("mode".into(), "ingress".into());
    if let Some(host_ip) = parts.get(2) {
        long.insert("host_ip".into(), (*host_ip).into());
    }
    long.insert("target".into(), target.into());
    if let Some(published) = parts.get(1).filter(|p| !p.is_empty()) {
        long.insert("published".into(), (*published).into());
    }
    long.insert("protocol".into(), protocol.into());
    Ok(Value::Mapping(long))
}

/// `SOURCE:TARGET[:ro|rw]` or `TARGET` as Compose's long syntax: a
/// source that is a path is a bind mount (made absolute), else a volume.
fn long_volume(project: &Project, volume: &Value) -> Result<Value, String> {
    let Value::String(text) = volume else { return Ok(volume.clone()) };
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, *target, None),
        [source, target] => (Some(*source), *target, None),
        [source, target, mode] => (Some(*source), *target, Some(*mode)),
        _ => return Err(format!("invalid spec: {text}: too many colons")),
    };
    let mut long = Mapping::new();
    match source {
        Some(source) if source.starts_with(['.', '/', '~']) => {
            long.insert("type".into(), "bind".into());
            long.insert("source".into(), absolute(project, source).into());
            long.insert("target".into(), target.into());
            if mode == Some("ro") {
                long.insert("read_only".into(), true.into());
            }
            long.insert("bind".into(), Value::Mapping(Mapping::from_iter([("create_host_path".into(), true.into())])));
        }
        source => {
            long.insert("type".into(), "volume".into());
            if let Some(source) = source {
                long.insert("source".into(), source.into());
            }
            long.insert("target".into(), target.into());
            if mode == Some("ro") {
                long.insert("read_only".into(), true.into());
            }
            long.insert("volume".into(), Value::Mapping(Mapping::new()));
        }
    }
    Ok(Value::Mapping(long))
}

/// `[db]` or `{db: {condition: …}}` as `{db: {condition, required}}`.
fn long_depends_on(value: &Value) -> Mapping {
    let started = |condition: Option<&Value>, required: Option<&Value>| {
        Value::Mapping(Mapping::from_iter([
            ("condition".into(), condition.cloned().unwrap_or_else(|| "service_started".into())),
            ("required".into(), required.cloned().unwrap_or(Value::Bool(true))),
        ]))
    };
    match value {
        Value::Sequence(names) => names.iter().map(|n| (n.clone(), started(None, None))).collect(),
        Value::Mapping(map) => map.iter().map(|(n, v)| (n.clone(), started(v.get("condition"), v.get("required")))).collect(),
        _ => Mapping::new(),
    }
}

fn absolute(project: &Project, path: &str) -> String {
    let path = match path.strip_prefix("~/") {
        Some(rest) => std::env::var("HOME").map(|h| std::path::Path::new(&h).join(rest)).unwrap_or_else(|_| project.dir.join(path)),
        None => project.dir.join(path),
    };
    // `./data` and `data/..` as Compose prints them: cleaned, not resolved.
    let mut clean = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean.display().to_string()
}

/// Keys in alphabetical order, as Compose writes its canonical form.
fn sorted(map: Mapping) -> Mapping {
    let mut entries: Vec<(Value, Value)> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.as_str().unwrap_or_default().to_owned());
    entries.into_iter().collect()
}
