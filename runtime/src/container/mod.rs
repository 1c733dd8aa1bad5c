//! Containers: their records on disk, lookup by name or ID prefix, removal.
//! Running one is the monitor's job (see `monitor`); `exec` runs a process
//! in one. Both are helper processes (see `helper`).

pub mod attach;
pub mod cgroup;
pub mod changes;
pub mod copy;
pub mod exec;
mod exec_process;
mod executor;
pub mod health;
mod helper;
pub mod logs;
pub mod monitor;
pub mod names;
pub mod net;
pub mod ports;
pub mod resources;
pub mod restart;
pub mod rootfs;
pub mod seccomp;
pub mod security;
pub mod session;
pub mod spec;
pub mod stats;
pub mod user;

pub(crate) use crate::id::new_id;
pub use helper::{Finished, StartFailure, Streams};

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::fsutil::{read_json, remove_tree, write_json_atomic, StateLock};
use crate::image::config::{ContainerConfig, Empty};
use crate::layout::Layout;
use crate::process;
use crate::volume::{MountKind, MountSpec, VolumeStore};

const RECORD: &str = "container.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Created,
    Running,
    /// Running, its processes frozen by `docker pause`.
    Paused,
    /// PID 1 exited and its restart policy starts it again after a back-off.
    Restarting,
    Exited,
}

impl Status {
    /// The word `docker ps -f status=` matches.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Exited => "exited",
        }
    }

    /// Docker's `State.Running`: true for a paused container too, whose
    /// processes are there, only frozen, and for a restarting one (as
    /// Docker's, so `rm` and `start` treat it as running).
    pub fn is_running(&self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Restarting)
    }
}

/// How the container's process is set up, fixed at creation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunConfig {
    /// The process: entrypoint followed by command.
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub hostname: String,
    pub tty: bool,
    pub open_stdin: bool,
    pub auto_remove: bool,
    /// Bind mounts and volumes (volume names resolved, anonymous ones created).
    #[serde(default)]
    pub mounts: Vec<MountSpec>,
    #[serde(default)]
    pub ports: Vec<ports::PortSpec>,
    /// `--init`: tini runs as PID 1 and the command under it.
    #[serde(default)]
    pub init: bool,
    /// How many of `args` are the entrypoint (Docker's Config.Entrypoint; the rest is Cmd).
    #[serde(default)]
    pub entrypoint_len: usize,
    /// The image's labels with `-l/--label` over them.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The most processes the container may have (its cgroup's pids.max),
    /// settled at creation: `--pids-limit`, else the default (see
    /// [`default_pids_limit`]); 0 is unlimited, and -1 unlimited by `docker
    /// update` (Docker's inspect shows null for the one, 0 for the other).
    /// None (a record from before limits, or a config built without one)
    /// gets [`DEFAULT_PIDS_LIMIT`].
    #[serde(default)]
    pub pids_limit: Option<i64>,
    /// `--log-driver`: where the container's output is kept.
    #[serde(default)]
    pub log_driver: LogDriver,
    /// The security flags (`--read-only`, `--cap-add`, ...).
    #[serde(default)]
    pub security: security::Security,
    /// `--restart`: what the monitor does when PID 1 exits.
    #[serde(default)]
    pub restart: restart::RestartPolicy,
    /// The health check: `--health-*` over the image's HEALTHCHECK (Docker's Config.Healthcheck).
    #[serde(default)]
    pub healthcheck: Option<health::Healthcheck>,
    /// The resource flags (`-m`, `--cpus`, `--ulimit`, ...), as `docker update` leaves them.
    #[serde(default)]
    pub resources: resources::Resources,
    /// `--network`: how the container is networked.
    #[serde(default)]
    pub network: net::NetworkMode,
    /// The bridge networks it is connected to (`--network`, `network connect`).
    #[serde(default)]
    pub networks: Vec<net::Attachment>,
    /// `-v /dir`'s targets: Docker's Config.Volumes besides the image's VOLUMEs.
    #[serde(default)]
    pub volumes: Vec<String>,
    /// `--expose`'s ports (`80/tcp`): Docker's Config.ExposedPorts besides
    /// the image's and the published ones.
    #[serde(default)]
    pub exposed_ports: Vec<String>,
    /// The client attached to its output when it made it (`run` without
    /// `-d`, `create`): Docker's Config.AttachStdout and AttachStderr, and
    /// AttachStdin and StdinOnce with `-i`.
    #[serde(default)]
    pub attached: bool,
}

/// The logging drivers Whaleshell has: Docker's default `json-file` (the
/// log `docker logs` reads) and `none` (nothing kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogDriver {
    #[default]
    JsonFile,
    None,
}

impl LogDriver {
    /// Docker's name for it (HostConfig.LogConfig.Type).
    pub fn as_str(self) -> &'static str {
        match self {
            LogDriver::JsonFile => "json-file",
            LogDriver::None => "none",
        }
    }

    /// `--log-driver NAME`, with Docker's words for a driver it does not know
    /// and a clear refusal of Docker's others, which Whaleshell does not have.
    pub fn parse(name: &str) -> Result<LogDriver> {
        const DOCKERS: [&str; 10] = ["local", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries"];
        match name {
            "" | "json-file" => Ok(LogDriver::JsonFile),
            "none" => Ok(LogDriver::None),
            _ if DOCKERS.contains(&name) => Err(Error::Spec(format!(
                "failed to initialize logging driver: Whaleshell keeps container logs with the json-file driver only (or none, to keep nothing), not {name}"
            ))),
            _ => Err(Error::Spec(format!("error looking up logging plugin {name}: plugin \"{name}\" not found"))),
        }
    }
}

/// Podman's default pids limit (`pids_limit` in containers.conf): a fork
/// bomb fails inside its container instead of filling the host's process table.
pub const DEFAULT_PIDS_LIMIT: i64 = 2048;

/// The pids limit a container gets when `--pids-limit` does not say:
/// `default-pids-limit` in `ROOT/daemon.json` (0 or less: unlimited), else
/// [`DEFAULT_PIDS_LIMIT`].
pub fn default_pids_limit(layout: &Layout) -> i64 {
    layout.daemon_settings()["default-pids-limit"].as_i64().map_or(DEFAULT_PIDS_LIMIT, |n| n.max(0))
}

/// A limit as asked for (Docker's `--pids-limit`: 0 or -1, any value
/// below 1, is unlimited) as the record keeps it: a positive number or 0.
pub fn pids_limit(asked: i64) -> i64 {
    asked.max(0)
}

impl RunConfig {
    /// The pids limit the container runs with; 0 is unlimited.
    pub fn effective_pids_limit(&self) -> i64 {
        self.pids_limit.unwrap_or(DEFAULT_PIDS_LIMIT)
    }

    /// Docker's Config.Entrypoint and Config.Cmd.
    pub fn entrypoint_and_cmd(&self) -> (&[String], &[String]) {
        self.args.split_at(self.entrypoint_len.min(self.args.len()))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    pub status: Option<Status>,
    /// Host PID of the container's PID 1.
    pub pid: Option<i32>,
    pub monitor_pid: Option<i32>,
    /// Start time of the monitor (from /proc), so a recycled PID is not mistaken for it.
    pub monitor_start: Option<u64>,
    pub exit_code: Option<i32>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Published ports as bound while running.
    #[serde(default)]
    pub ports: Vec<ports::PortSpec>,
    /// Docker's `RestartCount`: restarts by the policy since the user last started it.
    #[serde(default)]
    pub restart_count: u32,
    /// Docker's `HasBeenManuallyStopped`: a `docker stop` or `kill` ended
    /// it, so its restart policy does not start it again.
    #[serde(default)]
    pub manually_stopped: bool,
    /// The back-off (ms) the restarting monitor waits, doubling at each restart.
    #[serde(default)]
    pub restart_delay_ms: u64,
    /// A restarting monitor is waiting out its back-off (and will read
    /// `manually_stopped` under the lock before it starts the container).
    #[serde(default)]
    pub restart_waiting: bool,
    /// The machine's boot ID when the container last started (see [`restart::boot_id`]).
    #[serde(default)]
    pub boot_id: Option<String>,
    /// Docker's `State.Health`, for a container with a health check once started.
    #[serde(default)]
    pub health: Option<health::Health>,
    /// The kernel OOM-killed a process of the last run (Docker's State.OOMKilled).
    #[serde(default)]
    pub oom_killed: bool,
    /// Its address on each of its networks while it runs.
    #[serde(default)]
    pub endpoints: Vec<net::Endpoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerRecord {
    /// 64 hex digits.
    pub id: String,
    pub name: String,
    /// The image as the user named it (Docker's IMAGE column).
    pub image: String,
    pub image_id: String,
    /// Diff IDs of the image's layers, bottom first: the container's lower dirs.
    pub layers: Vec<String>,
    pub created: DateTime<Utc>,
    pub config: RunConfig,
    pub state: State,
}

impl ContainerRecord {
    pub fn short_id(&self) -> &str {
        &self.id[..12]
    }

    /// The status as things are now. A record that says running whose
    /// monitor is gone (killed, machine rebooted) is exited once nothing of
    /// the container is left in its cgroup; [`ContainerStore::list`] kills
    /// what is left and records the exit.
    pub fn status(&self) -> Status {
        match self.state.status.unwrap_or(Status::Created) {
            Status::Running | Status::Paused | Status::Restarting if !self.monitor_alive() && !cgroup::Cgroup::of(&self.id).holds_processes() => Status::Exited,
            s => s,
        }
    }

    /// An event about this container, with Docker's attributes: its
    /// labels, `image` and `name`.
    pub fn event(&self, action: &str) -> Event {
        let mut event = Event::container(action, &self.id, &self.name, &self.image);
        for (k, v) in &self.config.labels {
            event.attributes.entry(k.clone()).or_insert_with(|| v.clone());
        }
        event
    }

    /// Docker's volume `mount` (at start) or `unmount` (at the end) events,
    /// one for each volume the container has.
    pub fn volume_events(&self, action: &str) -> Vec<Event> {
        let volumes = self.config.mounts.iter().filter(|m| m.kind == MountKind::Volume);
        volumes
            .map(|m| {
                let event = Event::volume(action, &m.source).with("container", self.id.as_str());
                match action {
                    "mount" => event.with("destination", m.target.as_str()).with("propagation", "").with("read/write", (!m.readonly).to_string()),
                    _ => event,
                }
            })
            .collect()
    }

    /// Docker's container `Config`: the image's (`image`) merged with what
    /// `run` set, as Docker's daemon merges them at creation. `inspect`
    /// shows it; `commit` makes it the new image's config.
    pub fn docker_config(&self, image: &ContainerConfig) -> ContainerConfig {
        let run = &self.config;
        let (entrypoint, cmd) = run.entrypoint_and_cmd();
        let set = |keys: Vec<String>| (!keys.is_empty()).then(|| keys.into_iter().map(|k| (k, Empty {})).collect::<BTreeMap<_, _>>());
        let image_keys = |m: &Option<BTreeMap<String, Empty>>| m.iter().flat_map(|m| m.keys().cloned()).collect::<Vec<_>>();
        let published = run.ports.iter().map(|p| format!("{}/tcp", p.container_port));
        let exposed = image_keys(&image.exposed_ports).into_iter().chain(published).chain(run.exposed_ports.iter().cloned());
        let volumes = image_keys(&image.volumes).into_iter().chain(run.volumes.iter().cloned());
        let mut other = serde_json::Map::new();
        other.insert("Hostname".into(), json!(run.hostname));
        other.insert("Domainname".into(), json!(""));
        other.insert("AttachStdin".into(), json!(run.attached && run.open_stdin));
        other.insert("AttachStdout".into(), json!(run.attached));
        other.insert("AttachStderr".into(), json!(run.attached));
        other.insert("Tty".into(), json!(run.tty));
        other.insert("OpenStdin".into(), json!(run.open_stdin));
        other.insert("StdinOnce".into(), json!(run.attached && run.open_stdin));
        other.insert("Image".into(), json!(self.image));
        if let Some(t) = run.security.stop_timeout {
            other.insert("StopTimeout".into(), json!(t));
        }
        ContainerConfig {
            user: Some(run.user.clone()),
            exposed_ports: set(exposed.collect()),
            env: Some(run.env.clone()),
            entrypoint: (!entrypoint.is_empty()).then(|| entrypoint.to_vec()),
            cmd: (!cmd.is_empty()).then(|| cmd.to_vec()),
            volumes: set(volumes.collect()),
            working_dir: Some(if run.working_dir == "/" { String::new() } else { run.working_dir.clone() }),
            labels: Some(run.labels.clone()),
            stop_signal: run.security.stop_signal.clone().or_else(|| image.stop_signal.clone()),
            healthcheck: run.healthcheck.clone(),
            // Docker's merge at creation carries neither into a container.
            on_build: None,
            shell: None,
            other,
        }
    }

    /// The environment a process of the container gets, as Docker's daemon
    /// and runc make it: `PATH`, `HOSTNAME` and, on a terminal, `TERM` first,
    /// replaced in place or followed by Config.Env, then `extra` (`exec -e`)
    /// the same way, and `HOME` last, from the user's /etc/passwd entry,
    /// unless set. Only Config.Env is in `inspect`.
    pub fn process_env(&self, tty: bool, home: &str, extra: &[String]) -> Vec<String> {
        let mut env = vec![format!("PATH={}", monitor::default_path()), format!("HOSTNAME={}", self.config.hostname)];
        if tty {
            env.push("TERM=xterm".into());
        }
        replace_or_append(&mut env, &self.config.env);
        replace_or_append(&mut env, extra);
        if !env.iter().any(|e| e.split_once('=').is_some_and(|(k, _)| k == "HOME")) {
            env.push(format!("HOME={home}"));
        }
        env
    }

    /// No monitor looks after it, yet it is recorded running or has a cgroup.
    fn needs_settling(&self) -> bool {
        !self.monitor_alive() && (self.state.status.is_some_and(|s| s.is_running()) || cgroup::Cgroup::of(&self.id).exists())
    }

    /// Its monitor runs: the process recorded, on this boot of the machine
    /// (after a reboot a new process can have the PID and start time).
    pub fn monitor_alive(&self) -> bool {
        let this_boot = match (&self.state.boot_id, restart::boot_id()) {
            (Some(then), Some(now)) => *then == now,
            _ => true,
        };
        match (self.state.monitor_pid, self.state.monitor_start) {
            (Some(pid), Some(start)) => this_boot && process::start_time(pid) == Some(start),
            _ => false,
        }
    }
}

/// What a new container is made of.
#[derive(Debug, Clone)]
pub struct NewContainer {
    pub name: Option<String>,
    pub image: String,
    pub image_id: String,
    pub layers: Vec<String>,
    pub config: RunConfig,
}

pub struct ContainerStore {
    layout: Layout,
}

impl ContainerStore {
    pub fn new(layout: Layout) -> ContainerStore {
        ContainerStore { layout }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn record_path(&self, id: &str) -> PathBuf {
        self.layout.container_dir(id).join(RECORD)
    }

    /// Creates the record and directories of a new container, in state Created.
    pub fn create(&self, new: NewContainer) -> Result<ContainerRecord> {
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        let existing = self.list_unlocked()?;
        let name = match new.name {
            Some(name) => {
                let name = name.trim_start_matches('/').to_owned();
                if !names::is_valid(&name) {
                    return Err(Error::InvalidName(name));
                }
                if let Some(other) = existing.iter().find(|c| c.name == name) {
                    return Err(Error::NameInUse(name, other.id.clone()));
                }
                name
            }
            None => loop {
                let candidate = names::generate();
                if !existing.iter().any(|c| c.name == candidate) {
                    break candidate;
                }
            },
        };
        let id = new_id();
        let mut config = new.config;
        if config.hostname.is_empty() {
            config.hostname = id[..12].to_owned();
        }
        let record = ContainerRecord {
            id: id.clone(),
            name,
            image: new.image,
            image_id: new.image_id,
            layers: new.layers,
            created: Utc::now(),
            config,
            state: State { status: Some(Status::Created), ..State::default() },
        };
        // Built under a hidden name and renamed into place, so a process
        // killed half-way leaves nothing that looks like a container.
        let dir = self.layout.container_dir(&id);
        let staging = self.layout.containers_dir().join(format!(".new-{id}"));
        for sub in ["upper", "work", "rootfs"] {
            fs::create_dir_all(staging.join(sub)).map_err(Error::io("creating container directory", staging.join(sub)))?;
        }
        write_json_atomic(&staging.join(RECORD), &record)?;
        // Logged before the container appears, so no container goes unlogged.
        events::append(&self.layout, &record.event("create"))?;
        fs::rename(&staging, &dir).map_err(Error::io("creating container", &dir))?;
        Ok(record)
    }

    /// Every container, newest first. A container whose monitor is gone
    /// (killed, say) is settled first, so a listing never shows a
    /// container exited while its processes run: see [`Self::settle`].
    pub fn list(&self) -> Result<Vec<ContainerRecord>> {
        let mut records = self.list_unlocked()?;
        let orphans: Vec<String> = records.iter().filter(|r| r.needs_settling()).map(|r| r.id.clone()).collect();
        for id in orphans {
            let settled = self.settle(&id)?;
            match settled {
                Some(record) => records.iter_mut().filter(|r| r.id == id).for_each(|r| *r = record.clone()),
                None => records.retain(|r| r.id != id),
            }
        }
        Ok(records)
    }

    /// Ends what is left of a container whose monitor is gone: kills every
    /// process in its cgroup, removes the cgroup, unmounts its root, and
    /// records it exited (137 when PID 1 had to be killed; 255, an unknown
    /// status, when PID 1 was already gone); under `--rm`, removes it as
    /// its monitor would have. The state lock is held throughout, so no
    /// monitor starting the container again can be caught in it (a monitor
    /// records itself under the lock before it makes the cgroup). None when
    /// the container is gone.
    fn settle(&self, id: &str) -> Result<Option<ContainerRecord>> {
        let lock = StateLock::acquire(&self.layout.lock_file())?;
        let Some(mut record) = read_json::<ContainerRecord>(&self.record_path(id), "container record")? else {
            return Ok(None);
        };
        if !record.needs_settling() {
            return Ok(Some(record));
        }
        let cgroup = cgroup::Cgroup::of(id);
        let pid1_left = record.state.pid.is_some_and(|pid| cgroup.procs().contains(&pid));
        monitor::cleanup_runtime_state(&self.layout, id);
        if cgroup.holds_processes() {
            // Still there after being killed (stuck in the kernel): the
            // record stays as it is, and `status()` says running.
            return Ok(Some(record));
        }
        rootfs::unmount(&self.layout.container_dir(id).join("rootfs"));
        net::leave(&self.layout, &crate::network::NetworkStore::new(self.layout.clone()), id, None);
        record.state.endpoints.clear();
        if !record.state.status.is_some_and(|s| s.is_running()) {
            return Ok(Some(record));
        }
        // A restarting container's PID 1 had exited already, with its code.
        let restarting = record.state.status == Some(Status::Restarting) && !pid1_left;
        record.state.status = Some(Status::Exited);
        record.state.exit_code = if restarting { record.state.exit_code } else { Some(if pid1_left { 137 } else { 255 }) };
        record.state.restart_waiting = false;
        record.state.finished_at = Some(Utc::now());
        record.state.error = Some("the container's monitor ended before the container did".into());
        record.state.pid = None;
        record.state.monitor_pid = None;
        record.state.monitor_start = None;
        record.state.ports.clear();
        write_json_atomic(&self.record_path(id), &record)?;
        drop(lock);
        events::log(&self.layout, record.event("die").with("exitCode", record.state.exit_code.unwrap_or(255).to_string()));
        for event in record.volume_events("unmount") {
            events::log(&self.layout, event);
        }
        if record.config.auto_remove {
            self.remove_files(&record, true)?;
            return Ok(None);
        }
        Ok(Some(record))
    }

    fn list_unlocked(&self) -> Result<Vec<ContainerRecord>> {
        let dir = self.layout.containers_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("listing containers", dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path().join(RECORD);
            // A directory without a record is one being created or removed right now.
            if let Some(record) = read_json::<ContainerRecord>(&path, "container record")? {
                out.push(record);
            }
        }
        out.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub fn get(&self, id: &str) -> Result<ContainerRecord> {
        read_json(&self.record_path(id), "container record")?.ok_or_else(|| Error::NoSuchContainer(id.to_owned()))
    }

    /// Finds a container as Docker does: full ID, exact name, then unique ID prefix.
    pub fn find(&self, id_or_name: &str) -> Result<ContainerRecord> {
        let all = self.list()?;
        let wanted = id_or_name.trim_start_matches('/');
        if let Some(c) = all.iter().find(|c| c.id == wanted || c.name == wanted) {
            return Ok(c.clone());
        }
        let matches: Vec<&ContainerRecord> = all.iter().filter(|c| !wanted.is_empty() && c.id.starts_with(wanted)).collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::NoSuchContainer(id_or_name.to_owned())),
            _ => Err(Error::AmbiguousPrefix(id_or_name.to_owned())),
        }
    }

    /// Changes a record under the state lock. A record removed meanwhile is left removed.
    pub fn update(&self, id: &str, change: impl FnOnce(&mut ContainerRecord)) -> Result<Option<ContainerRecord>> {
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        let Some(mut record) = read_json::<ContainerRecord>(&self.record_path(id), "container record")? else {
            return Ok(None);
        };
        change(&mut record);
        write_json_atomic(&self.record_path(id), &record)?;
        Ok(Some(record))
    }

    /// As [`Self::update`], the change seeing every other container of the root as it is now.
    pub fn update_with_others(&self, id: &str, change: impl FnOnce(&mut ContainerRecord, &[ContainerRecord])) -> Result<Option<ContainerRecord>> {
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        let Some(mut record) = read_json::<ContainerRecord>(&self.record_path(id), "container record")? else {
            return Ok(None);
        };
        let others: Vec<ContainerRecord> = self.list_unlocked()?.into_iter().filter(|r| r.id != id).collect();
        change(&mut record, &others);
        write_json_atomic(&self.record_path(id), &record)?;
        Ok(Some(record))
    }

    /// Marks a container stopped by the user, as Docker's stop, kill and
    /// `rm -f` do, so its restart policy starts it no more; a monitor
    /// waiting out a restart back-off is told at once (SIGTERM), and ends
    /// without starting it. The record as it is now; None when removed.
    pub fn end_restart_loop(&self, id: &str) -> Result<Option<ContainerRecord>> {
        let record = self.update(id, |r| r.state.manually_stopped = true)?;
        if let Some(r) = &record {
            if r.state.restart_waiting && r.monitor_alive() {
                if let Some(monitor) = r.state.monitor_pid {
                    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(monitor), nix::sys::signal::Signal::SIGTERM);
                }
            }
        }
        Ok(record)
    }

    /// `docker rename`: a new name, unique among this root's containers.
    pub fn rename(&self, id_or_name: &str, new_name: &str) -> Result<ContainerRecord> {
        let record = self.find(id_or_name)?;
        if record.name == new_name.trim_start_matches('/') {
            return Err(Error::RenameSameName);
        }
        // Docker names the new name as it keeps names, with their slash.
        let new_name = new_name.trim_start_matches('/');
        if !names::is_valid(new_name) {
            return Err(Error::NewName(Box::new(Error::InvalidName(format!("/{new_name}")))));
        }
        let _lock = StateLock::acquire(&self.layout.lock_file())?;
        if let Some(other) = self.list_unlocked()?.into_iter().find(|c| c.name == new_name) {
            return Err(Error::NewName(Box::new(Error::NameInUse(new_name.to_owned(), other.id))));
        }
        let old_name = record.name.clone();
        let mut renamed = record;
        renamed.name = new_name.to_owned();
        write_json_atomic(&self.record_path(&renamed.id), &renamed)?;
        events::log(&self.layout, renamed.event("rename").with("oldName", format!("/{old_name}")));
        Ok(renamed)
    }

    /// `docker rm [-f]`: refuses a running container unless forced; forced,
    /// kills it and waits for its monitor to finish before removing.
    pub fn remove(&self, id_or_name: &str, force: bool, volumes: bool) -> Result<ContainerRecord> {
        let mut record = self.find(id_or_name)?;
        let status = record.status();
        if status.is_running() {
            if !force {
                return Err(match status {
                    Status::Paused => Error::RemovePaused(record.id.clone()),
                    Status::Restarting => Error::RemoveRestarting(record.id.clone()),
                    _ => Error::ContainerRunning(record.id.clone()),
                });
            }
            // Its restart policy must not start it again as it goes.
            if let Some(stopped) = self.end_restart_loop(&record.id)? {
                record = stopped;
            }
            if record.state.pid.is_none() {
                if let Some(monitor) = record.state.monitor_pid.filter(|_| record.monitor_alive()) {
                    process::wait_exit(monitor);
                }
                record = self.get(&record.id).unwrap_or(record);
            }
            if let Some(pid) = record.state.pid {
                events::log(&self.layout, record.event("kill").with("signal", "9"));
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
                // A frozen process dies of SIGKILL only once thawed (as runc's kill thaws).
                if status == Status::Paused {
                    let _ = cgroup::Cgroup::of(&record.id).thaw();
                }
                process::kill_and_wait(pid, record.state.monitor_pid);
            }
        }
        self.remove_files(&record, volumes)?;
        Ok(record)
    }

    /// Removes a container's record first (so it vanishes from listings at
    /// once), then its mounts and files; with `volumes`, its anonymous volumes too.
    pub fn remove_files(&self, record: &ContainerRecord, volumes: bool) -> Result<()> {
        let dir = self.layout.container_dir(&record.id);
        {
            let _lock = StateLock::acquire(&self.layout.lock_file())?;
            match fs::remove_file(self.record_path(&record.id)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("removing container record", dir)(e)),
            }
        }
        rootfs::unmount(&dir.join("rootfs"));
        monitor::cleanup_runtime_state(&self.layout, &record.id);
        net::leave(&self.layout, &crate::network::NetworkStore::new(self.layout.clone()), &record.id, None);
        remove_tree(&dir)?;
        // The container is gone either way; a lost log line must not say otherwise.
        events::log(&self.layout, record.event("destroy"));
        if volumes {
            let store = VolumeStore::new(self.layout.clone());
            for m in record.config.mounts.iter().filter(|m| m.kind == MountKind::Volume) {
                if store.get(&m.source)?.is_some_and(|v| v.anonymous) {
                    store.remove(&m.source)?;
                }
            }
        }
        Ok(())
    }
}

/// If this process was started as a monitor or exec helper, runs it and
/// returns its exit code. A binary's `main` calls this first.
pub fn main_if_helper() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    let role = args.next()?;
    let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    if role == monitor::MONITOR_ARG {
        let [root, id, mode] = rest.as_slice() else { return Some(crate::error::exit_code::DOCKER) };
        let mode = match mode.as_str() {
            "detached" => monitor::Mode::Detached,
            "restart" => monitor::Mode::Restart,
            _ => monitor::Mode::Foreground,
        };
        Some(monitor::main(std::path::Path::new(root), id, mode))
    } else if role == exec::EXEC_ARG {
        Some(exec_process::helper_main(&rest))
    } else {
        None
    }
}

/// Docker's `ReplaceOrAppendEnvValues`: each `K=V` of `overrides` replaces
/// the entry of its key in place, or is appended; a bare `K` removes it.
fn replace_or_append(env: &mut Vec<String>, overrides: &[String]) {
    let key = |e: &str| e.split_once('=').map_or(e, |(k, _)| k).to_owned();
    for entry in overrides {
        let name = key(entry);
        match env.iter().position(|e| key(e) == name) {
            Some(at) if entry.contains('=') => env[at] = entry.clone(),
            Some(at) => {
                env.remove(at);
            }
            None if entry.contains('=') => env.push(entry.clone()),
            None => {}
        }
    }
}

/// What `docker run` asks for, before the image's defaults are merged in.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub name: Option<String>,
    /// `-e K=V` (or `-e K`, taking K from the caller's environment) and `--env-file` lines, in order.
    pub env: Vec<String>,
    pub entrypoint: Option<String>,
    pub command: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub auto_remove: bool,
    /// From `-v` and `--mount`; resolved by [`crate::Runtime::create_container`].
    pub mounts: Vec<MountSpec>,
    /// From `-p`.
    pub ports: Vec<ports::PortSpec>,
    /// From `--expose`, parsed by [`ports::parse_expose`].
    pub exposed_ports: Vec<String>,
    /// Not `-d`: the client attaches to its output.
    pub attached: bool,
    pub init: bool,
    /// `-l/--label KEY=VALUE`.
    pub labels: BTreeMap<String, String>,
    /// `--pids-limit N` (0 or -1: unlimited); None takes the default.
    pub pids_limit: Option<i64>,
    /// `-h/--hostname`; None: the short ID, as Docker.
    pub hostname: Option<String>,
    /// `--log-driver json-file|none`.
    pub log_driver: LogDriver,
    /// The security flags, checked by [`security::Security`]'s parsers.
    pub security: security::Security,
    /// `--restart`.
    pub restart: restart::RestartPolicy,
    /// `--health-*` and `--no-healthcheck` (Test `["NONE"]`), merged over the image's.
    pub healthcheck: Option<health::Healthcheck>,
    /// The resource flags, parsed by [`resources`]; checked and adjusted at creation.
    pub resources: resources::Resources,
    /// `--network`, resolved by [`crate::Runtime::create_container`] with the two below.
    pub network: Option<String>,
    /// `--network-alias`.
    pub network_aliases: Vec<String>,
    /// `--ip`.
    pub ip: Option<String>,
}

/// Merges run options with the image config the way Docker does:
/// `--entrypoint` replaces the image's entrypoint and drops its CMD, a
/// command given replaces CMD, `-e` overrides the image's variables.
pub fn run_config(options: &RunOptions, image: &libcontainer::oci_spec::image::ImageConfiguration) -> Result<RunConfig> {
    let empty = libcontainer::oci_spec::image::Config::default();
    let config = image.config().as_ref().unwrap_or(&empty);
    let (entrypoint, default_cmd) = match &options.entrypoint {
        Some(ep) if ep.is_empty() => (Vec::new(), Vec::new()),
        Some(ep) => (vec![ep.clone()], Vec::new()),
        None => (config.entrypoint().clone().unwrap_or_default(), config.cmd().clone().unwrap_or_default()),
    };
    let cmd = if options.command.is_empty() { default_cmd } else { options.command.clone() };
    let entrypoint_len = entrypoint.len();
    let args: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
    if args.is_empty() {
        return Err(Error::Spec("no command specified".into()));
    }
    // Docker's merge: the `-e` variables in order, then the image's they do not set.
    let mut env: Vec<String> = Vec::new();
    for entry in &options.env {
        let (key, value) = match entry.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => match std::env::var(entry) {
                Ok(v) => (entry.clone(), v),
                Err(_) => continue,
            },
        };
        env.retain(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) != key);
        env.push(format!("{key}={value}"));
    }
    let key = |e: &str| e.split_once('=').map_or(e, |(k, _)| k).to_owned();
    let from_image: Vec<String> = config.env().clone().unwrap_or_default().into_iter().filter(|e| !env.iter().any(|u| key(u) == key(e))).collect();
    env.extend(from_image);
    let working_dir = options.working_dir.clone().or_else(|| config.working_dir().clone().filter(|w| !w.is_empty())).unwrap_or_else(|| "/".into());
    if !working_dir.starts_with('/') {
        return Err(Error::Spec(format!("the working directory '{working_dir}' is invalid, it needs to be an absolute path")));
    }
    Ok(RunConfig {
        args,
        env,
        working_dir,
        user: options.user.clone().or_else(|| config.user().clone()).unwrap_or_default(),
        hostname: options.hostname.clone().unwrap_or_default(),
        tty: options.tty,
        open_stdin: options.interactive,
        auto_remove: options.auto_remove,
        mounts: options.mounts.clone(),
        ports: options.ports.clone(),
        init: options.init,
        entrypoint_len,
        labels: config.labels().clone().unwrap_or_default().into_iter().chain(options.labels.clone()).collect(),
        pids_limit: options.pids_limit.map(pids_limit),
        log_driver: options.log_driver,
        security: options.security.clone(),
        restart: options.restart,
        healthcheck: options.healthcheck.clone(),
        resources: options.resources.clone(),
        network: net::NetworkMode::Default,
        networks: Vec::new(),
        volumes: options.mounts.iter().filter(|m| m.kind == MountKind::Volume && m.source.is_empty()).map(|m| m.target.clone()).collect(),
        exposed_ports: options.exposed_ports.clone(),
        attached: options.attached,
    })
}
