//! The monitor: one small single-threaded helper process per running
//! container (see `helper`), started as `whaleshell-monitor
//! __whaleshell-monitor ROOT ID MODE` ([`crate::container::main_if_helper`]
//! hands over to [`main`]). The monitor mounts the container's overlay root, creates and starts the
//! container, runs its [`Session`] (log, terminal, attach clients, signal
//! forwarding), records the exit code, and cleans up: mounts, cgroup,
//! libcontainer state, and the whole container under `--rm`. It reports
//! progress to the app as JSON lines on fd 3.

use std::fs::{self, File};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::Container;
use libcontainer::syscall::syscall::SyscallType;

use crate::container::cgroup::Cgroup;
use crate::container::helper::{
    bind_here, block_signals, helper_command, ignore_sigpipe, receive_pty_master, reset_signals, spawn_with_status, StartError, StatusPipe,
};
pub(crate) use crate::container::helper::{MonitorEvent, MonitorHandle};
use crate::container::net::{self, NetworkMode};
use crate::container::rootfs;
use crate::container::session::{ContainerIo, Ended, Foreground, LogWriter, Proxy, Session};
use crate::container::{health, ports, restart, spec, ContainerRecord, ContainerStore, LogDriver, Status};
use crate::error::{exit_code, Error, Result};
use crate::layout::Layout;
use crate::network::NetworkStore;
use crate::process;
use crate::volume::VolumeStore;

/// The first argument that turns the app's binary into a monitor.
pub const MONITOR_ARG: &str = "__whaleshell-monitor";

pub fn default_path() -> &'static str {
    rootfs::DEFAULT_PATH
}

/// Whether the user's terminal is attached to the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The monitor's stdio is the user's: output there, input from there.
    Foreground,
    /// Its own session, stdio on /dev/null: outlives the app.
    Detached,
    /// Detached, started by the monitor whose PID 1 exited, to start the
    /// container again by its restart policy once the back-off is over.
    Restart,
}

/// Starts the monitor for a created (or exited) container. In Foreground
/// mode `stdio` is the user's; in Detached mode it is ignored.
pub(crate) fn spawn(layout: &Layout, id: &str, mode: Mode, stdio: (Stdio, Stdio, Stdio)) -> Result<MonitorHandle> {
    let mut cmd = helper_command(MONITOR_ARG)?;
    cmd.arg(layout.root()).arg(id).arg(match mode {
        Mode::Foreground => "foreground",
        Mode::Detached => "detached",
        Mode::Restart => "restart",
    });
    let (stdin, stdout, stderr) = match mode {
        Mode::Foreground => stdio,
        Mode::Detached | Mode::Restart => (Stdio::null(), Stdio::null(), Stdio::null()),
    };
    cmd.stdin(stdin).stdout(stdout).stderr(stderr);
    spawn_with_status(cmd, mode != Mode::Foreground)
}

/// The monitor process: runs the container to its end and returns its exit code.
pub(crate) fn main(root: &Path, id: &str, mode: Mode) -> i32 {
    let mut status = StatusPipe::open();
    if mode == Mode::Restart {
        status.close();
    }
    reset_signals();
    let setup = Layout::open(root).and_then(|layout| {
        let store = ContainerStore::new(layout.clone());
        let record = store.get(id)?;
        Ok((layout, store, record))
    });
    let (layout, store, record) = match setup {
        Ok(v) => v,
        Err(e) => {
            status.send(&MonitorEvent::Failed { message: e.to_string(), exit_code: exit_code::DOCKER });
            return exit_code::DOCKER;
        }
    };
    let me = std::process::id() as i32;
    let _ = store.update(id, |r| {
        r.state.monitor_pid = Some(me);
        r.state.monitor_start = process::start_time(me);
        // The boot the monitor runs on, with it (see `monitor_alive`).
        r.state.boot_id = restart::boot_id();
        r.state.error = None;
        // The user's start begins a new count, and the policy applies again (Docker's ResetRestartManager).
        if mode != Mode::Restart {
            r.state.restart_count = 0;
            r.state.manually_stopped = false;
            r.state.restart_delay_ms = 0;
        }
    });
    if mode == Mode::Restart && !restart::wait_back_off(&store, id) {
        return record.state.exit_code.unwrap_or(0);
    }
    let dir = layout.container_dir(id);
    let rootfs_dir = dir.join("rootfs");
    let outcome = rootfs::mount(&layout, &record, &dir)
        .map_err(StartError::from)
        .and_then(|()| run_container(&layout, &store, &record, &dir, &rootfs_dir, mode, &mut status));
    // Read before the cgroup goes: whether the kernel OOM-killed one of its processes.
    let oom_killed = crate::container::resources::oom_killed(&Cgroup::of(id));
    cleanup_runtime_state(&layout, id);
    net::leave(&layout, &NetworkStore::new(layout.clone()), id, None);
    rootfs::unmount(&rootfs_dir);
    let (outcome, mut session) = match outcome {
        Ok((code, session)) => (Ok(code), Some(session)),
        Err(e) => (Err(e), None),
    };
    let code = match &outcome {
        Ok(code) => *code,
        Err(e) => e.exit_code,
    };
    let mut restarting = false;
    let ended = store.update(id, |r| {
        r.state.pid = None;
        r.state.ports.clear();
        r.state.endpoints.clear();
        r.state.monitor_pid = None;
        r.state.monitor_start = None;
        match &outcome {
            Ok(code) => {
                // A stop or kill cancels the loop, `always` too (Docker's restart manager's Cancel).
                // The policy as recorded now (`docker update --restart` may have changed it).
                restarting = !r.state.manually_stopped && r.config.restart.should_restart(*code, false, r.state.restart_count);
                // Docker's SetRestarting: still "running", PID 1 gone, its exit code kept.
                if restarting {
                    let ran = r.state.started_at.map_or(Duration::ZERO, |s| (Utc::now() - s).to_std().unwrap_or(Duration::ZERO));
                    r.state.restart_count += 1;
                    r.state.restart_delay_ms = restart::next_delay(Duration::from_millis(r.state.restart_delay_ms), ran).as_millis() as u64;
                    r.state.restart_waiting = true;
                    r.state.monitor_pid = Some(me);
                    r.state.monitor_start = process::start_time(me);
                }
                r.state.status = Some(if restarting { Status::Restarting } else { Status::Exited });
                // As Docker's: a container that is not running is not healthy.
                if let Some(h) = &mut r.state.health {
                    h.status = health::HealthStatus::Unhealthy;
                }
                r.state.exit_code = Some(*code);
                r.state.finished_at = Some(Utc::now());
                r.state.oom_killed = oom_killed;
            }
            // Docker leaves a container that failed to start as it was, with
            // the error (one failing to restart, exited).
            Err(e) => {
                if r.state.status == Some(Status::Restarting) {
                    r.state.status = Some(Status::Exited);
                }
                r.state.exit_code = Some(e.exit_code);
                r.state.error = Some(e.message.clone());
            }
        }
    });
    if let (Ok(code), Ok(Some(record))) = (&outcome, &ended) {
        crate::events::log(&layout, record.event("die").with("exitCode", code.to_string()));
        for event in record.volume_events("unmount") {
            crate::events::log(&layout, event);
        }
    }
    if restarting {
        hand_over_restart(&layout, &store, id);
    }
    // Clients learn of the exit only now, so `ps` after `attach` shows it exited.
    if let Some(session) = &mut session {
        session.notify_exit(code);
    }
    if let Err(e) = &outcome {
        status.send(&MonitorEvent::Failed { message: e.message.clone(), exit_code: e.exit_code });
    }
    if record.config.auto_remove && !restarting && store.remove_files(&record, true).is_ok() {
        status.send(&MonitorEvent::Removed);
    }
    if outcome.is_ok() {
        let output = session.as_ref().map(|s| String::from_utf8_lossy(&s.stdout_tail).into_owned()).unwrap_or_default();
        status.send(&MonitorEvent::Exited { code, output });
    }
    code
}

/// Starts the monitor that restarts the container after its back-off, and
/// records it as the container's monitor before this one ends, so the
/// container is never seen without one. A monitor that cannot be started
/// leaves the container exited.
fn hand_over_restart(layout: &Layout, store: &ContainerStore, id: &str) {
    let next = spawn(layout, id, Mode::Restart, (Stdio::null(), Stdio::null(), Stdio::null()));
    let _ = store.update(id, |r| {
        match &next {
            Ok(handle) => {
                let pid = handle.child.id() as i32;
                // Unless it already recorded itself (and perhaps ended).
                if r.state.monitor_pid == Some(std::process::id() as i32) {
                    r.state.monitor_pid = Some(pid);
                    r.state.monitor_start = process::start_time(pid);
                }
            }
            Err(e) => {
                r.state.status = Some(Status::Exited);
                r.state.restart_waiting = false;
                r.state.monitor_pid = None;
                r.state.monitor_start = None;
                r.state.error = Some(e.to_string());
            }
        }
    });
}

fn run_container(
    layout: &Layout,
    store: &ContainerStore,
    record: &ContainerRecord,
    dir: &Path,
    rootfs_dir: &Path,
    mode: Mode,
    status: &mut StatusPipe,
) -> Result<(i32, Session), StartError> {
    let networks = NetworkStore::new(layout.clone());
    // Its addresses first: /etc/hosts names the container by its own.
    let assigned;
    let record = if record.config.network == NetworkMode::Bridge {
        assigned = net::assign_addresses(store, &networks, &record.id, None)?;
        &assigned
    } else {
        record
    };
    let host_files = write_host_files(record, dir, store, &networks)?;
    rootfs::ensure_dir(rootfs_dir, &record.config.working_dir)?;
    rootfs::check_executable(&record.config.args, &record.config.env, &record.config.working_dir, rootfs_dir)?;
    let spec = spec::build(record, rootfs_dir, &host_files, &VolumeStore::new(layout.clone()))?;
    spec.save(dir.join("config.json")).map_err(|e| Error::Spec(e.to_string()))?;
    let log_path = layout.container_log(&record.id);
    let log = match record.config.log_driver {
        LogDriver::JsonFile => Some(LogWriter::open(&log_path).map_err(Error::io("opening log", &log_path))?),
        LogDriver::None => None,
    };
    let listener = bind_here(dir, "attach.sock")?;
    let published = ports::bind_all(&record.config.ports, &record.name, &record.id)?;

    let lc = |e: libcontainer::error::LibcontainerError| Error::Libcontainer(e.to_string());
    let mut builder = ContainerBuilder::new(record.id.clone(), SyscallType::default()).with_root_path(layout.libcontainer_dir()).map_err(lc)?;
    let (console, mut pipes) = if record.config.tty {
        let console = bind_here(dir, "console.sock")?;
        builder = builder.with_console_socket(Some(dir.join("console.sock")));
        (Some(console), None)
    } else {
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        builder = builder.with_stdout(out_w).with_stderr(err_w);
        let stdin_w = if record.config.open_stdin {
            let (in_r, in_w) = pipe()?;
            builder = builder.with_stdin(in_r);
            Some(in_w)
        } else {
            builder = builder.with_stdin(File::open("/dev/null").map_err(Error::io("opening", "/dev/null"))?);
            None
        };
        (None, Some((out_r, err_r, stdin_w)))
    };
    let builder = builder.with_executor(super::executor::OrderedEnv);
    let mut container = builder.as_init(dir).with_systemd(false).with_detach(record.config.tty).build().map_err(lc)?;
    let io = match (&console, pipes.take()) {
        (Some(listener), _) => ContainerIo::Tty { master: receive_pty_master(listener)? },
        (None, Some((out, err, stdin))) => ContainerIo::Pipes { stdout: Some(out), stderr: Some(err), stdin },
        (None, None) => return Err(Error::Monitor("no container stdio".into()).into()),
    };
    let _ = fs::remove_file(dir.join("console.sock"));
    let pid = container.pid().ok_or_else(|| Error::Libcontainer("container has no PID".into()))?;
    let netns_path = format!("/proc/{pid}/ns/net");
    let netns = File::open(&netns_path).map_err(Error::io("opening", &netns_path))?;
    let home = File::open("/proc/self/ns/net").map_err(Error::io("opening", "/proc/self/ns/net"))?;
    if matches!(host_files.netns, spec::NetNamespace::Own) {
        ports::bring_up_loopback(&netns, &home)?;
        net::join_all(layout, &networks, record, pid.as_raw())?;
    }
    // Block before start so no exit or signal is missed; the container's
    // init was forked by build() and keeps the normal mask and dispositions.
    let signals = block_signals()?;
    ignore_sigpipe();
    container.start().map_err(lc)?;
    wait_for_exec(pid.as_raw());
    let mut stopped_meanwhile = false;
    let started = store.update(&record.id, |r| {
        // A stop that came while a restart was starting it: it ends now.
        stopped_meanwhile = r.state.manually_stopped;
        r.state.boot_id = restart::boot_id();
        if health::has_probe(r.config.healthcheck.as_ref()) {
            r.state.health = Some(health::on_start(r.state.health.take()));
        }
        r.state.restart_waiting = false;
        r.state.status = Some(Status::Running);
        r.state.pid = Some(pid.as_raw());
        r.state.started_at = Some(Utc::now());
        r.state.finished_at = None;
        r.state.exit_code = None;
        r.state.oom_killed = false;
        r.state.ports = published.iter().map(|(_, p)| p.clone()).collect();
    });
    if let Ok(Some(started)) = &started {
        for event in started.volume_events("mount") {
            crate::events::log(layout, event);
        }
        crate::events::log(layout, started.event("start"));
    }
    status.send(&MonitorEvent::Started { pid: pid.as_raw() });
    if stopped_meanwhile && mode == Mode::Restart {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
    }
    let foreground = (mode == Mode::Foreground).then(|| {
        use std::io::IsTerminal;
        Foreground::new(record.config.open_stdin, record.config.tty && std::io::stdin().is_terminal())
    });
    release_startup_code();
    let mut session = Session::new(pid, signals, io, foreground, Some(listener), log);
    // Told to a person only: a build's RUN step has no terminal to say it on.
    session.name = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| record.name.clone());
    session.cgroup = Some(Cgroup::of(&record.id));
    if let Ok(Some(started)) = &started {
        session.health = health::Checker::new(layout, started);
    }
    if !published.is_empty() {
        let listeners = published.into_iter().map(|(l, p)| (l, p.container_port)).collect();
        session.proxy = Some(Proxy::new(listeners, netns, home));
    }
    loop {
        match session.run() {
            Ended::Exited(code) => return Ok((code, session)),
            Ended::Detached => status.send(&MonitorEvent::Detached),
        }
    }
}

/// Creating a container ran much of libcontainer's code; watching it needs
/// little. Dropping the pages of our executable and libraries from this
/// process (they stay in the page cache and fault back in if used) keeps an
/// idle monitor small. Only segments the loader never writes are touched:
/// code, and the read-only data placed before the code. The read-only
/// segment after the code (RELRO) was written by the loader and is kept.
fn release_startup_code() {
    let Ok(maps) = fs::read_to_string("/proc/self/maps") else { return };
    let mut seen_code: Vec<String> = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else { continue };
        let path = fields.nth(3).unwrap_or("").to_owned();
        if !path.starts_with('/') {
            continue;
        }
        let never_written = match perms {
            "r-xp" => {
                seen_code.push(path.clone());
                true
            }
            "r--p" => !seen_code.contains(&path),
            _ => false,
        };
        let Some((start, end)) = range.split_once('-') else { continue };
        let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16)) else { continue };
        if never_written {
            // SAFETY: the mapping is private, file-backed and was never
            // written; MADV_DONTNEED only drops its pages from our page tables.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
}

/// `start` only tells the container's init to exec the program; report the
/// container started once PID 1 *is* the program, so `docker top` or `ps`
/// right after `run -d` never shows the runtime's own init in its place.
/// There is no event for an exec, so this looks (briefly) at /proc.
/// A loaded machine can take seconds to get there: the deadline is generous,
/// and after the first spins the look-ups back off so as not to add load.
fn wait_for_exec(pid: i32) {
    let own = fs::read_link("/proc/self/exe").ok();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut spins = 0u32;
    while std::time::Instant::now() < deadline {
        match fs::read_link(format!("/proc/{pid}/exe")) {
            Ok(exe) if Some(&exe) != own.as_ref() => return,
            Err(_) => return, // already gone
            Ok(_) if spins < 1000 => std::thread::yield_now(),
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
        spins += 1;
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(Error::sys("pipe2"))
}

/// Docker gives every container an /etc/hosts and /etc/hostname of its
/// own, and a networked one its /etc/resolv.conf.
fn write_host_files(record: &ContainerRecord, dir: &Path, store: &ContainerStore, networks: &NetworkStore) -> Result<spec::HostFiles> {
    let hostname = &record.config.hostname;
    let netns = match &record.config.network {
        NetworkMode::Host => spec::NetNamespace::Host,
        NetworkMode::Container(id) => {
            let other = store.get(id)?;
            match other.state.pid.filter(|_| other.status().is_running()) {
                Some(pid) => spec::NetNamespace::Join(format!("/proc/{pid}/ns/net").into()),
                None => return Err(Error::Spec(format!("cannot join network of a non running container: {id}"))),
            }
        }
        _ => spec::NetNamespace::Own,
    };
    let resolv = match net::resolv_conf(record, networks) {
        Some(text) => {
            let path = dir.join("resolv.conf");
            fs::write(&path, text).map_err(Error::io("writing", &path))?;
            Some(path)
        }
        None => None,
    };
    let files = spec::HostFiles { hosts: dir.join("hosts"), hostname: dir.join("hostname"), resolv, netns };
    // On a network, the container's own name is its address there, as Docker writes it.
    let own = record.state.endpoints.first().map_or_else(|| "127.0.1.1".to_owned(), |e| e.ip.to_string());
    // `--add-host NAME:IP` lines come after the defaults, before the container's own name, as in Docker.
    let extra: String = record.config.security.extra_hosts.iter().filter_map(|h| h.split_once(':')).map(|(name, ip)| format!("{ip}\t{name}\n")).collect();
    let hosts = if record.config.network == NetworkMode::Host {
        // The host's own, as Docker gives a container on the host's network.
        fs::read_to_string("/etc/hosts").unwrap_or_default() + &extra
    } else {
        format!(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n{extra}{own}\t{hostname}\n"
    )
    };
    fs::write(&files.hosts, hosts).map_err(Error::io("writing", &files.hosts))?;
    fs::write(&files.hostname, format!("{hostname}\n")).map_err(Error::io("writing", &files.hostname))?;
    Ok(files)
}

/// Kills whatever is left in the container's cgroup, then removes
/// libcontainer's state and the cgroup itself.
pub fn cleanup_runtime_state(layout: &Layout, id: &str) {
    let cgroup = Cgroup::of(id);
    // libcontainer's own delete kills what it lists once; a fork bomb outruns
    // that, so the cgroup is emptied first (frozen, killed, thawed).
    let _ = cgroup.kill_all();
    let state = layout.libcontainer_dir().join(id);
    if state.exists() {
        match Container::load(state.clone()) {
            Ok(mut c) => {
                let _ = c.delete(true);
            }
            Err(_) => {
                let _ = fs::remove_dir_all(&state);
            }
        }
    }
    // A container that failed half-way through creation has no state to
    // load, but may have its cgroups already: remove them too.
    cgroup.remove();
}
