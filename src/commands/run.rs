//! `docker run`: find or pull the image, create the container, and run it
//! in the foreground under its monitor, streaming its output and returning
//! its exit code (125/126/127 for Docker's own failures, as Docker does).

use std::io::IsTerminal;
use std::process::Stdio;

use whaleshell_runtime::container::health::Healthcheck;
use whaleshell_runtime::container::restart::{PolicyError, RestartPolicy};
use whaleshell_runtime::container::seccomp::Seccomp;
use whaleshell_runtime::container::security::{self, Security};
use whaleshell_runtime::container::{ports, ContainerRecord, LogDriver, RunOptions, StartFailure, Streams};
use whaleshell_runtime::image::pull::PullEvent;
use whaleshell_runtime::image::store::ImageRecord;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::volume;
use whaleshell_runtime::{Error, Runtime};

use super::error::{CommandError, CommandResult};
use super::pull::pull_with_progress;
use crate::grammar::docker::RunArgs;
use crate::io::{Input, Io};
use crate::last_command::RunOutcome;

/// Runs the container; also says what it did once there was a container.
pub fn run(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>) -> (CommandResult, Option<RunOutcome>) {
    let mut outcome = None;
    let result = run_inner(rt, args, io, &mut outcome);
    (result, outcome)
}

fn run_inner(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>, outcome: &mut Option<RunOutcome>) -> CommandResult {
    if args.interactive && args.tty && !(matches!(io.stdin, Input::Terminal) && std::io::stdin().is_terminal()) {
        return Err(CommandError::Client("the input device is not a TTY".into()));
    }
    let (container, pulled) = create(rt, args, io, &CommandError::Run)?;
    let daemon = |e: Error| CommandError::Run(format!("Error response from daemon: {e}"));
    let report = outcome.insert(RunOutcome {
        container_id: container.id.clone(),
        image: args.image.clone(),
        pulled,
        detached: args.detach,
        tty: args.tty,
        ..RunOutcome::default()
    });
    let failed = |e: StartFailure| match e {
        StartFailure::Engine(e) => daemon(e),
        StartFailure::Process { message, code } | StartFailure::Refused { message, code } => CommandError::Start { message, code },
    };
    if args.detach {
        report.pid = Some(rt.start_detached(&container).map_err(failed)?);
        io.out(&container.id);
        return Ok(0);
    }
    let done = rt.run_foreground(&container, streams(io, args.interactive)).map_err(failed)?;
    report.pid = done.pid;
    report.output = done.output;
    report.removed = done.removed;
    report.detached = done.detached;
    report.exit_code = (!done.detached).then_some(done.code);
    Ok(done.code)
}

/// Creates the container `docker run` or `docker create` asks for, pulling
/// its image first when absent. `fail` shapes a refusal as the command
/// reports it (`docker run` adds its help pointer).
pub fn create(rt: &Runtime, args: &RunArgs, io: &mut Io<'_>, fail: &dyn Fn(String) -> CommandError) -> Result<(ContainerRecord, Vec<PullEvent>), CommandError> {
    let daemon = |e: Error| fail(format!("Error response from daemon: {e}"));
    let restart = restart_policy(args, fail)?;
    let healthcheck = healthcheck(args, fail)?;
    // A malformed value is the client's flag error, before any pull.
    let command = if matches!(fail(String::new()), CommandError::Run(_)) { "run" } else { "create" };
    let resources = super::resource_flags::run_resources(args, command)?;
    let (image, pulled) = find_or_pull(rt, &args.image, io).map_err(daemon)?;
    let env = collect_env(args).map_err(fail)?;
    let mounts = args.volume.iter().map(|v| volume::parse_volume_flag(v)).chain(args.mount.iter().map(|m| volume::parse_mount_flag(m)));
    let mounts = mounts.collect::<Result<Vec<_>, _>>().map_err(daemon)?;
    let exposed_ports: Vec<String> =
        args.expose.iter().map(|e| ports::parse_expose(e)).collect::<Result<Vec<_>, _>>().map_err(|e| fail(e.to_string()))?.concat();
    let mut ports = args.publish.iter().map(|p| ports::parse_publish(p)).collect::<Result<Vec<_>, _>>().map_err(|e| fail(e.to_string()))?;
    if args.publish_all {
        // -P: every port the image EXPOSEs, on a port the system picks.
        let exposed = rt.images.config(&image).ok().and_then(|c| c.config().as_ref().and_then(|c| c.exposed_ports().clone()));
        for port in exposed.unwrap_or_default() {
            if let Ok(spec) = ports::parse_publish(&port) {
                if !ports.iter().any(|p| p.container_port == spec.container_port) {
                    ports.push(spec);
                }
            }
        }
    }
    let options = RunOptions {
        name: args.name.clone(),
        env,
        entrypoint: args.entrypoint.clone(),
        command: args.command.clone(),
        working_dir: args.workdir.clone(),
        user: args.user.clone(),
        tty: args.tty,
        interactive: args.interactive,
        auto_remove: args.rm,
        mounts,
        ports,
        exposed_ports,
        attached: !args.detach,
        init: args.init,
        labels: parse_labels(&args.label),
        pids_limit: args.pids_limit,
        hostname: args.hostname.clone(),
        log_driver: LogDriver::parse(args.log_driver.as_deref().unwrap_or("")).map_err(daemon)?,
        security: security_flags(args, &fail, &daemon)?,
        restart,
        healthcheck,
        resources,
        network: args.network.clone(),
        network_aliases: args.network_alias.clone(),
        ip: args.ip.clone(),
    };
    let container = rt.create_container(&args.image, &image, &options).map_err(daemon)?;
    Ok((container, pulled))
}

/// The security flags, checked as Docker checks them: its client's words
/// for a malformed `--sysctl` or `--add-host`, its daemon's for an unknown
/// capability or `--security-opt`.
fn security_flags(args: &RunArgs, fail: &dyn Fn(String) -> CommandError, daemon: &dyn Fn(Error) -> CommandError) -> Result<Security, CommandError> {
    let caps = |list: &[String], which: &str| list.iter().map(|c| security::normalize_capability(c, which)).collect::<Result<Vec<_>, _>>();
    // A malformed --sysctl or --add-host is a flag error in Docker's client: its usage block.
    let command = if matches!(fail(String::new()), CommandError::Run(_)) { "run" } else { "create" };
    let flag_error = |message: String| {
        CommandError::Usage(format!(
            "{message}\n\nUsage:  docker {command} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker {command} --help' for more information"
        ))
    };
    let mut no_new_privileges = false;
    let mut seccomp = Seccomp::Default;
    let mut security_opt = Vec::new();
    for opt in &args.security_opt {
        let (key, value) = opt.split_once(['=', ':']).map_or((opt.as_str(), None), |(k, v)| (k, Some(v)));
        match (key, value) {
            ("no-new-privileges", None | Some("true")) => {
                no_new_privileges = true;
                security_opt.push(opt.clone());
            }
            ("no-new-privileges", Some("false")) => {
                no_new_privileges = false;
                security_opt.push(opt.clone());
            }
            ("no-new-privileges", Some(_)) => return Err(daemon(Error::Spec(format!("invalid --security-opt 2: \"{opt}\"")))),
            ("seccomp", Some("unconfined")) => {
                seccomp = Seccomp::Unconfined;
                security_opt.push(opt.clone());
            }
            // Docker's client reads the profile: the container keeps its text.
            ("seccomp", Some(path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| fail(format!("opening seccomp profile ({path}) failed: open {path}: {}", crate::output::go_io_error(&e))))?;
                let compact = compact_json(&text).map_err(|e| fail(format!("compacting json for seccomp profile ({path}) failed: {e}")))?;
                security_opt.push(format!("seccomp={compact}"));
                seccomp = Seccomp::Profile(compact);
            }
            ("apparmor" | "label" | "systempaths" | "writable-cgroups", Some(_)) => {
                return Err(fail(format!("--security-opt {opt}: Whaleshell does not support {key} options yet (only no-new-privileges and seccomp)")))
            }
            _ => return Err(fail(format!("Invalid --security-opt: \"{opt}\""))),
        }
    }
    let mut tmpfs = std::collections::BTreeMap::new();
    for t in &args.tmpfs {
        let (path, opts) = t.split_once(':').unwrap_or((t.as_str(), ""));
        if !path.starts_with('/') {
            return Err(daemon(Error::Spec(format!("invalid mount path: '{path}' mount path must be absolute"))));
        }
        tmpfs.insert(path.to_owned(), opts.to_owned());
    }
    let mut sysctls = std::collections::BTreeMap::new();
    for s in &args.sysctl {
        let not_allowed = || flag_error(format!("invalid argument \"{s}\" for \"--sysctl\" flag: sysctl '{s}' is not allowed"));
        let (key, value) = s.split_once('=').ok_or_else(not_allowed)?;
        const ALLOWED: [&str; 8] =
            ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"];
        if !(ALLOWED.contains(&key) || key.starts_with("net.") || key.starts_with("fs.mqueue.")) {
            return Err(not_allowed());
        }
        sysctls.insert(key.to_owned(), value.to_owned());
    }
    for h in &args.add_host {
        let valid = h.split_once(':').is_some_and(|(name, ip)| !name.is_empty() && ip.parse::<std::net::IpAddr>().is_ok());
        if !valid {
            let why = if h.contains(':') {
                format!("invalid IP address in add-host: \"{}\"", h.split_once(':').map_or("", |(_, ip)| ip))
            } else {
                format!("bad format for add-host: \"{h}\"")
            };
            return Err(flag_error(format!("invalid argument \"{h}\" for \"--add-host\" flag: {why}")));
        }
    }
    let stop_signal = match &args.stop_signal {
        Some(sig) if whaleshell_runtime::process::parse_signal(sig).is_none() => return Err(daemon(Error::Spec(format!("Invalid signal: {sig}")))),
        Some(sig) => Some(sig.clone()),
        None => None,
    };
    Ok(Security {
        read_only: args.read_only,
        cap_add: caps(&args.cap_add, "CapAdd").map_err(daemon)?,
        cap_drop: caps(&args.cap_drop, "CapDrop").map_err(daemon)?,
        security_opt,
        no_new_privileges,
        seccomp,
        privileged: args.privileged,
        tmpfs,
        sysctls,
        extra_hosts: args.add_host.clone(),
        group_add: args.group_add.clone(),
        stop_signal,
        stop_timeout: args.stop_timeout,
    })
}

/// An option Docker's client refuses before asking its daemon: `docker:`
/// and its help pointer, exit 125, for `create` as for `run`.
fn client_error(fail: &dyn Fn(String) -> CommandError, message: String) -> CommandError {
    match fail(message.clone()) {
        run @ CommandError::Run(_) => run,
        _ => CommandError::Usage(format!("docker: {message}\nSee 'docker create --help'.")),
    }
}

/// `--restart`, checked before anything is pulled, as Docker's client
/// does: its format, then its clash with `--rm`, then the daemon's check of
/// the policy's name and count.
fn restart_policy(args: &RunArgs, fail: &dyn Fn(String) -> CommandError) -> Result<RestartPolicy, CommandError> {
    let text = args.restart.as_deref().unwrap_or("no");
    let parsed = RestartPolicy::parse(text);
    if let Err(e @ PolicyError::Format(_)) = &parsed {
        return Err(client_error(fail, e.to_string()));
    }
    if args.rm && !matches!(text.split(':').next(), Some("" | "no")) {
        return Err(client_error(fail, "conflicting options: cannot specify both --restart and --rm".into()));
    }
    parsed.map_err(|e| fail(format!("Error response from daemon: {e}")))
}

/// The `--health-*` flags as Docker's client reads them (a duration in Go's
/// syntax, then its checks), and its daemon's minimum of 1 ms. None when no
/// flag is given (the image's HEALTHCHECK applies as it is).
fn healthcheck(args: &RunArgs, fail: &dyn Fn(String) -> CommandError) -> Result<Option<Healthcheck>, CommandError> {
    let command = if matches!(fail(String::new()), CommandError::Run(_)) { "run" } else { "create" };
    let duration = |flag: &str, value: &Option<String>| -> Result<i128, CommandError> {
        let Some(text) = value else { return Ok(0) };
        whaleshell_runtime::go_time::parse_duration(text).map_err(|e| {
            CommandError::Usage(format!(
                "invalid argument \"{text}\" for \"--{flag}\" flag: {e}\n\nUsage:  docker {command} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker {command} --help' for more information"
            ))
        })
    };
    let interval = duration("health-interval", &args.health_interval)?;
    let timeout = duration("health-timeout", &args.health_timeout)?;
    let start_period = duration("health-start-period", &args.health_start_period)?;
    let retries = args.health_retries.unwrap_or(0);
    let any = args.health_cmd.as_deref().is_some_and(|c| !c.is_empty()) || interval != 0 || timeout != 0 || start_period != 0 || retries != 0;
    if args.no_healthcheck {
        if any {
            return Err(client_error(fail, "--no-healthcheck conflicts with --health-* options".into()));
        }
        return Ok(Some(Healthcheck { test: vec!["NONE".into()], ..Healthcheck::default() }));
    }
    if !any {
        return Ok(None);
    }
    for (flag, value) in [("interval", interval), ("timeout", timeout), ("retries", i128::from(retries)), ("start-period", start_period)] {
        if value < 0 {
            return Err(client_error(fail, format!("--health-{flag} cannot be negative")));
        }
    }
    for (name, value) in [("Interval", interval), ("Timeout", timeout), ("StartPeriod", start_period)] {
        if value != 0 && value < 1_000_000 {
            return Err(fail(format!("Error response from daemon: {name} in Healthcheck cannot be less than 1ms")));
        }
    }
    let test = args.health_cmd.iter().filter(|c| !c.is_empty()).flat_map(|c| ["CMD-SHELL".to_owned(), c.clone()]).collect();
    let nanos = |n: i128| u64::try_from(n).unwrap_or(u64::MAX);
    Ok(Some(Healthcheck { test, interval: nanos(interval), timeout: nanos(timeout), start_period: nanos(start_period), retries: retries as u64 }))
}

/// `-l KEY=VALUE` (or `-l KEY`, an empty value), as Docker keeps them.
fn parse_labels(labels: &[String]) -> std::collections::BTreeMap<String, String> {
    labels.iter().map(|l| l.split_once('=').map_or((l.clone(), String::new()), |(k, v)| (k.to_owned(), v.to_owned()))).collect()
}

/// The user's streams for a foreground container or exec: the terminal's,
/// or a pipeline's (input fed, output captured).
pub fn streams<'a>(io: &'a mut Io<'_>, interactive: bool) -> Streams<'a> {
    let _ = std::io::Write::flush(io.stdout);
    let (stdin, input) = match (std::mem::replace(&mut io.stdin, Input::Terminal), interactive) {
        (Input::Terminal, true) => (Stdio::inherit(), None),
        (Input::Bytes(bytes), true) => (Stdio::piped(), Some(bytes)),
        (_, false) => (Stdio::null(), None),
    };
    Streams { stdio: (stdin, io.stdout.stdio(), io.stderr.stdio()), input, out: &mut *io.stdout, err: &mut *io.stderr }
}

/// The image named, pulling it from the hub first when absent, as Docker
/// does; true when it was pulled.
fn find_or_pull(rt: &Runtime, name: &str, io: &mut Io<'_>) -> Result<(ImageRecord, Vec<PullEvent>), Error> {
    let reference = Reference::parse(name);
    if let Ok(reference) = &reference {
        if let Some(image) = rt.images.by_reference(reference)? {
            return Ok((image, Vec::new()));
        }
    }
    match rt.images.resolve(name) {
        Ok(image) => return Ok((image, Vec::new())),
        Err(Error::NoSuchImage(_)) => {}
        Err(e) => return Err(e),
    }
    let reference = reference?;
    io.err(format!("Unable to find image '{}' locally", reference.familiar()));
    let events = pull_with_progress(rt, &reference, Some(io.stderr))?;
    let image = rt.images.by_reference(&reference)?.ok_or_else(|| Error::NoSuchImage(reference.familiar()))?;
    Ok((image, events))
}

/// `-e` values and `--env-file` lines, in Docker's order (files first).
fn collect_env(args: &RunArgs) -> Result<Vec<String>, String> {
    let mut env = Vec::new();
    for file in &args.env_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("open {file}: {e}"))?;
        env.extend(text.lines().map(str::trim_start).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned));
    }
    env.extend(args.env.iter().cloned());
    Ok(env)
}

/// JSON without the whitespace between its tokens, as Go's `json.Compact`
/// leaves it (key order kept), or why it is not JSON.
fn compact_json(text: &str) -> Result<String, serde_json::Error> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)?;
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            escaped = !escaped && c == '\\';
            in_string = escaped || c != '"';
        } else if c.is_whitespace() {
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    Ok(out)
}
