//! `docker compose up -d`, `ps`, `logs`, `down`: each service becomes one
//! container, `<project>-<service>-1`, made as `docker run` makes one (its
//! canonical form turned into `docker run`'s flags) and labelled as Compose
//! labels it, so `ps`, `logs` and `down` find a project's containers by label.

use serde_yaml::{Mapping, Value};
use whaleshell_runtime::container::{ContainerRecord, StartFailure, Status};
use whaleshell_runtime::network::CreateOptions;
use whaleshell_runtime::Runtime;

use super::project::Project;
use crate::commands::error::{CommandError, CommandResult};
use crate::commands::run;
use crate::grammar::docker::{ComposeExecArgs, ExecArgs, RunArgs};
use crate::io::Io;
use crate::output::{ago, quoted_command, table};

const PROJECT_LABEL: &str = "com.docker.compose.project";
const SERVICE_LABEL: &str = "com.docker.compose.service";
/// The Compose release whose behaviour Whaleshell follows, as its labels say.
const COMPOSE_VERSION: &str = "2.24.6";

/// The service keys Whaleshell honours; any other is refused by name,
/// never ignored (`build`, `deploy`, `devices`, `ulimits`, `dns` …).
const HONOURED: &[&str] = &[
    "image",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "volumes",
    "networks",
    "network_mode",
    "depends_on",
    "restart",
    "working_dir",
    "user",
    "hostname",
    "stop_signal",
    "shm_size",
    "mem_limit",
    "tty",
    "stdin_open",
    "init",
    "read_only",
    "privileged",
    "cap_add",
    "cap_drop",
    "extra_hosts",
    "security_opt",
    "group_add",
    "tmpfs",
    "sysctls",
    "healthcheck",
    "labels",
    "container_name",
];

/// The project's services in the order they start: each after those it depends on.
fn start_order(canonical: &Value) -> Result<Vec<(String, Value)>, CommandError> {
    let services: Vec<(String, Value)> = canonical
        .get("services")
        .and_then(Value::as_mapping)
        .map(|m| m.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v.clone())).collect())
        .unwrap_or_default();
    let mut ordered: Vec<(String, Value)> = Vec::new();
    let mut visiting = Vec::new();
    fn visit(name: &str, all: &[(String, Value)], ordered: &mut Vec<(String, Value)>, visiting: &mut Vec<String>) -> Result<(), CommandError> {
        if ordered.iter().any(|(n, _)| n == name) {
            return Ok(());
        }
        if visiting.iter().any(|n| n == name) {
            return Err(CommandError::Client(format!("dependency cycle detected: {} -> {name}", visiting.join(" -> "))));
        }
        let Some((_, service)) = all.iter().find(|(n, _)| n == name) else {
            return Err(CommandError::Client(format!(
                "service {:?} depends on undefined service {name:?}: invalid compose project",
                visiting.last().cloned().unwrap_or_default()
            )));
        };
        visiting.push(name.to_owned());
        for dependency in service.get("depends_on").and_then(Value::as_mapping).into_iter().flatten().filter_map(|(k, _)| k.as_str()) {
            visit(dependency, all, ordered, visiting)?;
        }
        visiting.pop();
        ordered.push((name.to_owned(), service.clone()));
        Ok(())
    }
    for (name, _) in &services {
        visit(name, &services, &mut ordered, &mut visiting)?;
    }
    Ok(ordered)
}

/// The container name Compose gives a service's first replica.
fn container_name(project: &Project, service: &str, spec: &Value) -> String {
    spec.get("container_name").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| format!("{}-{service}-1", project.name))
}

/// A service's canonical form as `docker run`'s flags.
fn run_args(project: &Project, canonical_networks: &Mapping, service: &str, spec: &Value) -> Result<RunArgs, CommandError> {
    let refuse = |what: String| CommandError::Client(format!("service {service:?}: {what} is not supported by Whaleshell yet"));
    if let Some(key) = spec.as_mapping().into_iter().flatten().filter_map(|(k, _)| k.as_str()).find(|k| !HONOURED.contains(k)) {
        return Err(refuse(format!("`{key}`")));
    }
    let text = |key: &str| spec.get(key).and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string())));
    let flag = |key: &str| spec.get(key).and_then(Value::as_bool).unwrap_or(false);
    let words = |key: &str| -> Vec<String> {
        spec.get(key).and_then(Value::as_sequence).map(|s| s.iter().filter_map(|w| w.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    };
    let image = text("image")
        .ok_or_else(|| CommandError::Client(format!("service {service:?} has neither an image nor a build context specified: invalid compose project")))?;
    let mut args = RunArgs { image, detach: true, name: Some(container_name(project, service, spec)), ..RunArgs::default() };
    let mut command = words("command");
    let entrypoint = words("entrypoint");
    if let Some((program, rest)) = entrypoint.split_first() {
        // docker run's --entrypoint is one word; the others lead the command.
        args.entrypoint = Some(program.clone());
        command = rest.iter().cloned().chain(command).collect();
    }
    args.command = command;
    for (key, value) in spec.get("environment").and_then(Value::as_mapping).into_iter().flatten() {
        let key = key.as_str().unwrap_or_default();
        args.env.push(match value.as_str() {
            Some(v) => format!("{key}={v}"),
            None => key.to_owned(),
        });
    }
    for port in spec.get("ports").and_then(Value::as_sequence).into_iter().flatten() {
        let field = |k: &str| port.get(k).and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string())));
        let target = field("target").unwrap_or_default();
        let mut publish = match (field("host_ip"), field("published")) {
            (Some(ip), Some(published)) => format!("{ip}:{published}:{target}"),
            (Some(ip), None) => format!("{ip}::{target}"),
            (None, Some(published)) => format!("{published}:{target}"),
            (None, None) => target,
        };
        if let Some(protocol) = field("protocol").filter(|p| p != "tcp") {
            publish = format!("{publish}/{protocol}");
        }
        args.publish.push(publish);
    }
    let declared_volumes = project.document.get("volumes").and_then(Value::as_mapping).cloned().unwrap_or_default();
    for volume in spec.get("volumes").and_then(Value::as_sequence).into_iter().flatten() {
        let field = |k: &str| volume.get(k).and_then(Value::as_str).map(str::to_owned);
        let target = field("target").unwrap_or_default();
        let ro = if volume.get("read_only").and_then(Value::as_bool).unwrap_or(false) { ":ro" } else { "" };
        args.volume.push(match (field("type").as_deref(), field("source")) {
            (Some("bind"), Some(source)) => format!("{source}:{target}{ro}"),
            (Some("volume"), Some(source)) => {
                if !declared_volumes.contains_key(source.as_str()) {
                    return Err(CommandError::Client(format!("service {service:?} refers to undefined volume {source}: invalid compose project")));
                }
                format!("{}_{source}:{target}{ro}", project.name)
            }
            (Some("volume"), None) => target,
            (kind, _) => return Err(refuse(format!("a `{}` volume", kind.unwrap_or("?")))),
        });
    }
    // The first network at create (named by the service, as Compose's DNS
    // does), the others joined before the start.
    match text("network_mode") {
        Some(mode) => args.network = Some(mode.strip_prefix("service:").map_or(mode.clone(), |s| format!("container:{}-{s}-1", project.name))),
        None => {
            if let Some((key, _)) = service_networks(spec).first() {
                args.network = Some(network_name(canonical_networks, key)?);
                args.network_alias = network_aliases(service, spec, key);
            }
        }
    }
    args.workdir = text("working_dir");
    args.user = text("user");
    args.hostname = text("hostname");
    args.restart = text("restart");
    args.stop_signal = text("stop_signal");
    args.shm_size = text("shm_size");
    args.limits.memory = text("mem_limit");
    args.tty = flag("tty");
    args.interactive = flag("stdin_open");
    args.init = flag("init");
    args.read_only = flag("read_only");
    args.privileged = flag("privileged");
    args.cap_add = words("cap_add");
    args.cap_drop = words("cap_drop");
    args.add_host = words("extra_hosts");
    args.security_opt = words("security_opt");
    args.group_add = words("group_add");
    args.expose = words("expose");
    args.sysctl = match spec.get("sysctls") {
        Some(Value::Mapping(map)) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    k.as_str().unwrap_or_default(),
                    v.as_str().map(str::to_owned).unwrap_or_else(|| serde_yaml::to_string(v).unwrap_or_default().trim().to_owned())
                )
            })
            .collect(),
        _ => words("sysctls"),
    };
    args.tmpfs = match spec.get("tmpfs") {
        Some(Value::String(one)) => vec![one.clone()],
        _ => words("tmpfs"),
    };
    if let Some(health) = spec.get("healthcheck") {
        let test: Vec<String> = match health.get("test") {
            Some(Value::String(shell)) => vec!["CMD-SHELL".into(), shell.clone()],
            Some(Value::Sequence(words)) => words.iter().filter_map(|w| w.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        if health.get("disable").and_then(Value::as_bool) == Some(true) {
            args.no_healthcheck = true;
        }
        match test.split_first() {
            Some((kind, _)) if kind == "NONE" => args.no_healthcheck = true,
            Some((kind, rest)) if kind == "CMD-SHELL" => args.health_cmd = Some(rest.join(" ")),
            // docker run's --health-cmd is a shell line: the words, quoted where they must be.
            Some((kind, rest)) if kind == "CMD" => {
                args.health_cmd =
                    Some(rest.iter().map(|w| if w.contains(char::is_whitespace) { format!("'{w}'") } else { w.clone() }).collect::<Vec<_>>().join(" "))
            }
            Some(_) => return Err(refuse("a healthcheck test that is not CMD, CMD-SHELL or NONE".into())),
            None => {}
        }
        let duration = |k: &str| health.get(k).and_then(Value::as_str).map(str::to_owned);
        args.health_interval = duration("interval");
        args.health_timeout = duration("timeout");
        args.health_start_period = duration("start_period");
        args.health_retries = health.get("retries").and_then(Value::as_i64);
    }
    let mut labels: Vec<String> = spec
        .get("labels")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{}={}", k.as_str().unwrap_or_default(), v.as_str().unwrap_or_default()))
        .collect();
    labels.extend([
        format!("{PROJECT_LABEL}={}", project.name),
        format!("{SERVICE_LABEL}={service}"),
        "com.docker.compose.container-number=1".into(),
        "com.docker.compose.oneoff=False".into(),
        format!("com.docker.compose.project.working_dir={}", project.dir.display()),
        format!("com.docker.compose.project.config_files={}", project.file.display()),
        format!("com.docker.compose.version={COMPOSE_VERSION}"),
    ]);
    args.label = labels;
    Ok(args)
}

/// The networks a service joins, in its file's order.
fn service_networks(spec: &Value) -> Vec<(String, Value)> {
    spec.get("networks")
        .and_then(Value::as_mapping)
        .map(|m| m.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v.clone())).collect())
        .unwrap_or_default()
}

/// A network's engine name (`<project>_<key>` unless it names itself).
fn network_name(networks: &Mapping, key: &str) -> Result<String, CommandError> {
    networks
        .get(key)
        .and_then(|n| n.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| CommandError::Client(format!("service refers to undefined network {key}: invalid compose project")))
}

/// The service's name and its `aliases` on one network.
fn network_aliases(service: &str, spec: &Value, key: &str) -> Vec<String> {
    let extra = spec.get("networks").and_then(|n| n.get(key)).and_then(|n| n.get("aliases")).and_then(Value::as_sequence).cloned().unwrap_or_default();
    std::iter::once(service.to_owned()).chain(extra.iter().filter_map(|a| a.as_str().map(str::to_owned))).collect()
}

/// The project's containers, by the label Compose puts on them.
fn containers(rt: &Runtime, project: &str) -> Result<Vec<ContainerRecord>, CommandError> {
    let mut all = rt.containers.list()?;
    all.retain(|c| c.config.labels.get(PROJECT_LABEL).map(String::as_str) == Some(project));
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// `docker compose up -d`: volumes made, then each service's container
/// created (when absent) and started, in dependency order; Compose's lines.
pub fn up(rt: &Runtime, project: &Project, canonical: &Value, detach: bool, io: &mut Io<'_>) -> CommandResult {
    if !detach {
        return Err(CommandError::Client(
            "`docker compose up` in the foreground is not supported by Whaleshell yet: use `docker compose up -d`, then `docker compose logs`".into(),
        ));
    }
    let services = start_order(canonical)?;
    let networks = canonical.get("networks").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let specs = services.iter().map(|(name, spec)| run_args(project, &networks, name, spec).map(|a| (name, spec, a))).collect::<Result<Vec<_>, _>>()?;
    for (key, network) in &networks {
        let (key, name) = (key.as_str().unwrap_or_default(), network_name(&networks, key.as_str().unwrap_or_default())?);
        if rt.networks.find(&name).is_ok() {
            continue;
        }
        if network.get("external").and_then(Value::as_bool) == Some(true) {
            return Err(CommandError::Client(format!("network {name} declared as external, but could not be found")));
        }
        io.err(format!(" Network {name}  Creating"));
        let labels = [("com.docker.compose.network", key), (PROJECT_LABEL, project.name.as_str()), ("com.docker.compose.version", COMPOSE_VERSION)];
        let options = CreateOptions {
            name: name.clone(),
            driver: network.get("driver").and_then(Value::as_str).map(str::to_owned),
            internal: network.get("internal").and_then(Value::as_bool).unwrap_or(false),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..CreateOptions::default()
        };
        rt.networks.create(&options)?;
        io.err(format!(" Network {name}  Created"));
    }
    for name in canonical.get("volumes").and_then(Value::as_mapping).into_iter().flatten().filter_map(|(k, _)| k.as_str()) {
        let full = format!("{}_{name}", project.name);
        if rt.volumes.list()?.iter().all(|v| v.name != full) {
            io.err(format!(" Volume \"{full}\"  Creating"));
            rt.volumes.create(Some(&full))?;
            io.err(format!(" Volume \"{full}\"  Created"));
        }
    }
    for (service, spec, args) in specs {
        let name = args.name.clone().unwrap_or_default();
        let container = match rt.containers.find(&name) {
            Ok(c) => c,
            Err(_) => {
                io.err(format!(" Container {name}  Creating"));
                let (c, _) = run::create(rt, &args, io, &|m| CommandError::Client(m))?;
                if spec.get("network_mode").is_none() {
                    for (key, _) in service_networks(spec).iter().skip(1) {
                        rt.connect_network(&network_name(&networks, key)?, &c.id, &network_aliases(service, spec, key), None)?;
                    }
                }
                io.err(format!(" Container {name}  Created"));
                rt.containers.find(&c.id)?
            }
        };
        if container.status() == Status::Running {
            io.err(format!(" Container {name}  Running"));
            continue;
        }
        io.err(format!(" Container {name}  Starting"));
        rt.start_detached(&container).map_err(|e| match e {
            StartFailure::Engine(e) => CommandError::Daemon(e),
            StartFailure::Process { message, .. } | StartFailure::Refused { message, .. } => {
                CommandError::Client(format!("Error response from daemon: {message}"))
            }
        })?;
        io.err(format!(" Container {name}  Started"));
    }
    Ok(0)
}

/// `docker compose ps [-a] [-q]`: Compose's columns.
pub fn ps(rt: &Runtime, project: &Project, all: bool, quiet: bool, io: &mut Io<'_>) -> CommandResult {
    let mut listed = containers(rt, &project.name)?;
    if !all {
        listed.retain(|c| matches!(c.status(), Status::Running | Status::Paused | Status::Restarting));
    }
    if quiet {
        listed.iter().for_each(|c| io.out(&c.id));
        return Ok(0);
    }
    let mut rows = vec![["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"].map(str::to_owned).to_vec()];
    for c in &listed {
        rows.push(vec![
            c.name.clone(),
            c.image.clone(),
            quoted_command(&c.config.args, true),
            c.config.labels.get(SERVICE_LABEL).cloned().unwrap_or_default(),
            ago(c.created),
            crate::commands::ps::status_text(c),
            crate::commands::ps::ports_text(rt, c),
        ]);
    }
    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
    Ok(0)
}

/// `docker compose logs [SERVICE…]`: each container's log, its lines
/// prefixed with `<service>-1  | ` as Compose prefixes them.
pub fn logs(rt: &Runtime, project: &Project, services: &[String], io: &mut Io<'_>) -> CommandResult {
    let listed: Vec<ContainerRecord> = containers(rt, &project.name)?
        .into_iter()
        .filter(|c| services.is_empty() || c.config.labels.get(SERVICE_LABEL).is_some_and(|s| services.contains(s)))
        .collect();
    let width = listed.iter().map(|c| short_name(project, c).len()).max().unwrap_or(0);
    for c in &listed {
        let prefix = format!("{:<width$}  | ", short_name(project, c));
        let mut on_line = |_stream, _time: &str, bytes: &[u8]| {
            for line in String::from_utf8_lossy(bytes).lines() {
                io.out(format!("{prefix}{line}"));
            }
            std::ops::ControlFlow::Continue(())
        };
        whaleshell_runtime::container::logs::read(&rt.layout, c, false, None, &mut on_line)?;
    }
    Ok(0)
}

/// `web-1` for `myapp-web-1`, as Compose's log prefix names a container.
fn short_name(project: &Project, c: &ContainerRecord) -> String {
    c.name.strip_prefix(&format!("{}-", project.name)).unwrap_or(&c.name).to_owned()
}

/// `docker compose down [-v]`: the project's containers stopped and
/// removed, then (with -v) its named volumes.
pub fn down(rt: &Runtime, project: &Project, canonical: &Value, volumes: bool, io: &mut Io<'_>) -> CommandResult {
    // The dependents first, as Compose stops them; then any the file no longer names.
    let order: Vec<String> = start_order(canonical)?.into_iter().map(|(name, spec)| container_name(project, &name, &spec)).collect();
    let mut listed = containers(rt, &project.name)?;
    listed.sort_by_key(|c| std::cmp::Reverse(order.iter().position(|n| *n == c.name).map_or(usize::MAX, |i| i + 1)));
    for c in &listed {
        if c.status() == Status::Running {
            io.err(format!(" Container {}  Stopping", c.name));
            rt.stop(c, std::time::Duration::from_secs(10))?;
            io.err(format!(" Container {}  Stopped", c.name));
        }
        io.err(format!(" Container {}  Removing", c.name));
        rt.containers.remove(&c.id, true, false)?;
        io.err(format!(" Container {}  Removed", c.name));
    }
    for network in rt.networks.list()?.into_iter().filter(|n| n.labels.get(PROJECT_LABEL).map(String::as_str) == Some(project.name.as_str())) {
        io.err(format!(" Network {}  Removing", network.name));
        rt.remove_network(&network.id)?;
        io.err(format!(" Network {}  Removed", network.name));
    }
    if volumes {
        for name in canonical.get("volumes").and_then(Value::as_mapping).into_iter().flatten().filter_map(|(k, _)| k.as_str()) {
            let full = format!("{}_{name}", project.name);
            if rt.volumes.list()?.iter().any(|v| v.name == full) {
                io.err(format!(" Volume {full}  Removing"));
                rt.remove_volume(&full)?;
                io.err(format!(" Volume {full}  Removed"));
            }
        }
    }
    Ok(0)
}

/// `docker compose exec SERVICE COMMAND…`: `docker exec` in the service's
/// container, with a terminal unless `-T` (or stdin is not one).
pub fn exec(rt: &Runtime, project: &Project, flags: &ComposeExecArgs, io: &mut Io<'_>) -> CommandResult {
    let container = containers(rt, &project.name)?
        .into_iter()
        .find(|c| c.config.labels.get(SERVICE_LABEL) == Some(&flags.service) && c.status() == Status::Running)
        .ok_or_else(|| CommandError::Client(format!("service {:?} is not running", flags.service)))?;
    let tty = !flags.no_tty && !flags.detach && std::io::IsTerminal::is_terminal(&std::io::stdin());
    let args = ExecArgs {
        interactive: !flags.detach,
        tty,
        detach: flags.detach,
        env: flags.env.clone(),
        workdir: flags.workdir.clone(),
        user: flags.user.clone(),
        container: container.id,
        command: flags.command.clone(),
    };
    crate::commands::exec::run(rt, &args, io)
}
