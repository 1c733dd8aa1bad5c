//! The local ECR lab: Amazon ECR on 127.0.0.1, for learners without an AWS
//! account or a network. Three real processes per state root:
//! - moto's server (an AWS API emulator, from PyPI in a project venv): the control plane;
//! - Debian's docker-registry with htpasswd auth: the data plane;
//! - the front (this binary, see `front.rs`): ECR's rules in front of both —
//!   real-looking tokens that expire, `name unknown` for missing
//!   repositories, pushes that show up in `list-images`.
//!
//! State lives in `ROOT/lab/ecr/`; `state.json` says what runs where.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use whaleshell_runtime::container::cgroup::Cgroup;
use whaleshell_runtime::fsutil::{read_json, remove_tree, write_atomic, write_json_atomic, StateLock};
use whaleshell_runtime::layout::Layout;
use whaleshell_runtime::process::{start_time, wait_exit_timeout};
use whaleshell_runtime::routes::{self, Route};
use whaleshell_runtime::Error;

pub use crate::state::{dir, status, LabProcess, LabState, ACCESS_KEY_ID, ACCOUNT, DEFAULT_REGION, INSTANCE_ROLE, SECRET_ACCESS_KEY, TOKEN_LIFETIME};
use crate::state::{random_hex, read_tokens, state_path, tokens_path, write_htpasswd};
use crate::{LabError, Result};

const INSTALL_SCRIPT: &str = include_str!("../install-lab.sh");
/// `<account>.dkr.ecr.<region>.amazonaws.com`, as a route pattern.
const REGISTRY_HOSTS: &str = "*.dkr.ecr.*.amazonaws.com";
const ROUTES_OWNER: &str = "ecr-lab";
/// Threads count: moto, docker-registry and the front run about 60 together.
pub const LAB_PIDS_LIMIT: u32 = 512;
const MOTO_VERSION: &str = "5.2.5";

/// What `up` is doing, for the app to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabEvent {
    Installing(String),
    Starting(&'static str),
}

/// The project's Python venv for moto (`WHALESHELL_LAB_VENV` overrides it).
pub fn venv_dir() -> PathBuf {
    std::env::var_os("WHALESHELL_LAB_VENV").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.lab/venv"))
}

fn moto_server() -> PathBuf {
    venv_dir().join("bin/moto_server")
}

/// Installs moto (pip, into the venv) and docker-registry (apt) when missing.
pub fn install(on_event: &mut dyn FnMut(LabEvent)) -> Result<()> {
    let have_moto = moto_server().exists();
    let have_registry = which("docker-registry");
    if have_moto && have_registry {
        return Ok(());
    }
    let mut missing = Vec::new();
    if !have_moto {
        missing.push(format!("moto {MOTO_VERSION} (PyPI, into {})", venv_dir().display()));
    }
    if !have_registry {
        missing.push("docker-registry (apt)".to_owned());
    }
    on_event(LabEvent::Installing(missing.join(" and ")));
    let out = Command::new("bash")
        .arg("-c")
        .arg(INSTALL_SCRIPT)
        .arg("install-lab")
        .arg(venv_dir())
        .arg(MOTO_VERSION)
        .stdin(Stdio::null())
        .output()
        .map_err(Error::io("running the lab installer", "bash"))?;
    if !out.status.success() || !moto_server().exists() {
        return Err(LabError::Lab(format!("installing {} failed:\n{}", missing.join(" and "), String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(())
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH").map(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file())).unwrap_or(false)
}

/// `N` distinct free ports: each is held until all are chosen.
fn free_ports<const N: usize>() -> Result<[u16; N]> {
    let mut held = Vec::with_capacity(N);
    let mut ports = [0; N];
    for port in ports.iter_mut() {
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).map_err(Error::io("finding a free port", "127.0.0.1"))?;
        *port = listener.local_addr().map(|a| a.port()).map_err(Error::io("finding a free port", "127.0.0.1"))?;
        held.push(listener);
    }
    Ok(ports)
}

/// How long a lab started now lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Until this process ends, however it ends (a REPL, a lesson): the
    /// kernel stops the lab's processes if it is killed before `down`.
    ThisProcess,
    /// Until `lab ecr down` (`whaleshell lab ecr up` from a terminal).
    UntilDown,
}

/// Starts the lab (installing what it needs first); returns the running one if it is up.
pub fn up(layout: &Layout, on_event: &mut dyn FnMut(LabEvent)) -> Result<LabState> {
    up_for(layout, Lifetime::ThisProcess, on_event)
}

pub fn up_for(layout: &Layout, lifetime: Lifetime, on_event: &mut dyn FnMut(LabEvent)) -> Result<LabState> {
    let dir = dir(layout);
    std::fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
    let _lock = StateLock::acquire(&dir.join("lock"))?;
    if let Some(state) = status(layout) {
        return Ok(state);
    }
    // Whatever is left of a lab that died half-way goes first.
    stop_processes(layout);
    install(on_event)?;
    // A port can be taken by someone else between choosing it and a server
    // binding it; the lab then starts again on other ports.
    let mut attempt = 1;
    loop {
        let [api_port, registry_port, moto_port, backend_registry_port, imds_port] = free_ports()?;
        let mut state = LabState { account: ACCOUNT.to_owned(), api_port, registry_port, moto_port, backend_registry_port, imds_port, processes: Vec::new() };
        let started = start_all(layout, &mut state, lifetime, on_event).and_then(|()| {
            if state.alive() {
                Ok(())
            } else {
                Err(LabError::Lab("a lab process exited right after starting (its port was taken?)".into()))
            }
        });
        // Recorded even on failure, so that `down` can stop what did start.
        write_json_atomic(&state_path(layout), &state)?;
        match started.and_then(|()| route_registry_hosts(layout, &state)) {
            Ok(()) => return Ok(state),
            Err(e) => {
                stop_processes(layout);
                if attempt == 3 {
                    return Err(e);
                }
                attempt += 1;
            }
        }
    }
}

fn start_all(layout: &Layout, state: &mut LabState, lifetime: Lifetime, on_event: &mut dyn FnMut(LabEvent)) -> Result<()> {
    let dir = dir(layout);
    let cgroup = lab_cgroup(layout);
    cgroup.create_for_helpers(LAB_PIDS_LIMIT)?;
    on_event(LabEvent::Starting("moto (ECR and STS API)"));
    let mut moto = Command::new(moto_server());
    moto.args(["-H", "127.0.0.1", "-p", &state.moto_port.to_string()]).env("MOTO_ACCOUNT_ID", &state.account);
    let moto = spawn(&dir, "moto", moto, lifetime, &cgroup)?;
    state.processes.push(moto);

    on_event(LabEvent::Starting("docker-registry (image data)"));
    // Nothing is accepted until the first get-login-password writes a token.
    write_htpasswd(&dir, &random_hex(32))?;
    let config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: {secret}\nauth:\n  htpasswd:\n    realm: basic-realm\n    path: {htpasswd}\n",
        data = dir.join("registry-data").display(),
        port = state.backend_registry_port,
        secret = random_hex(16),
        htpasswd = dir.join("htpasswd").display(),
    );
    let config_path = dir.join("registry.yml");
    write_atomic(&config_path, config.as_bytes())?;
    let mut registry = Command::new("docker-registry");
    registry.arg("serve").arg(&config_path);
    let registry = spawn(&dir, "docker-registry", registry, lifetime, &cgroup)?;
    state.processes.push(registry);

    on_event(LabEvent::Starting("the ECR front (tokens, repository rules)"));
    write_json_atomic(&dir.join("front.json"), &*state)?;
    let mut front = Command::new("/proc/self/exe");
    front.arg(crate::state::FRONT_ARG).arg(&dir);
    let front = spawn(&dir, "front", front, lifetime, &cgroup)?;
    state.processes.push(front);

    for (name, port) in [
        ("moto", state.moto_port),
        ("docker-registry", state.backend_registry_port),
        ("front", state.api_port),
        ("front", state.registry_port),
        ("front", state.imds_port),
    ] {
        wait_listening(&dir, name, port, state)?;
    }
    Ok(())
}

/// Starts a lab process in its own session (a Ctrl-C in the REPL is not for
/// it), output to `NAME.log`.
fn spawn(dir: &Path, name: &str, mut cmd: Command, lifetime: Lifetime, cgroup: &Cgroup) -> Result<LabProcess> {
    use std::os::unix::process::CommandExt;
    let log_path = dir.join(format!("{name}.log"));
    let log = std::fs::File::create(&log_path).map_err(Error::io("creating", &log_path))?;
    let log2 = log.try_clone().map_err(Error::io("opening", &log_path))?;
    cmd.stdin(Stdio::null()).stdout(log).stderr(log2).process_group(0);
    cgroup.join_before_exec(&mut cmd);
    if lifetime == Lifetime::ThisProcess {
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let child = cmd.spawn().map_err(Error::io("starting", name))?;
    let pid = child.id() as i32;
    let start_time = start_time(pid).ok_or_else(|| LabError::Lab(format!("{name} exited at once; see {}", log_path.display())))?;
    Ok(LabProcess { name: name.to_owned(), pid, start_time })
}

/// Waits until a lab process accepts connections on its port.
fn wait_listening(dir: &Path, name: &str, port: u16, state: &LabState) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    loop {
        if TcpStream::connect_timeout(&address.into(), Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        let process = state.processes.iter().find(|p| p.name == name);
        if process.is_some_and(|p| start_time(p.pid) != Some(p.start_time)) || Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
            return Err(LabError::Lab(format!("{name} did not start on 127.0.0.1:{port}:\n{}", tail.join("\n"))));
        }
        // A server coming up has no event to wait on; poll its port.
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Stops the lab and forgets its repositories; false when it was not running.
pub fn down(layout: &Layout) -> Result<bool> {
    let dir = dir(layout);
    if !dir.exists() {
        return Ok(false);
    }
    let was_up = {
        let _lock = StateLock::acquire(&dir.join("lock"))?;
        let was_up = status(layout).is_some();
        stop_processes(layout);
        was_up
    };
    remove_tree(&dir)?;
    Ok(was_up)
}

/// ECR's registry hosts, any account and region, go to the front while it runs.
fn route_registry_hosts(layout: &Layout, state: &LabState) -> Result<()> {
    let front = state.processes.iter().find(|p| p.name == "front").ok_or_else(|| LabError::Lab("the front did not start".into()))?;
    let route = Route { pattern: REGISTRY_HOSTS.to_owned(), address: state.registry_host(), pid: front.pid, start_time: front.start_time };
    Ok(routes::set(layout, ROUTES_OWNER, &[route])?)
}

fn stop_processes(layout: &Layout) {
    let _ = routes::remove(layout, ROUTES_OWNER);
    let Ok(Some(state)) = read_json::<LabState>(&state_path(layout), "ECR lab state") else { return };
    for p in state.processes.iter().rev() {
        if start_time(p.pid) != Some(p.start_time) {
            continue;
        }
        let _ = kill(Pid::from_raw(p.pid), Signal::SIGTERM);
        if !wait_exit_timeout(p.pid, Some(Duration::from_secs(5))) {
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            wait_exit_timeout(p.pid, Some(Duration::from_secs(5)));
        }
        // Reap it if it was our child (the REPL that started the lab).
        let _ = nix::sys::wait::waitpid(Pid::from_raw(p.pid), Some(nix::sys::wait::WaitPidFlag::WNOHANG));
    }
    // Whatever the servers started goes too.
    let cgroup = lab_cgroup(layout);
    let _ = cgroup.kill_all();
    cgroup.remove();
    let _ = std::fs::remove_file(state_path(layout));
}

/// The lab's servers share one cgroup with a pids limit, as containers have
/// theirs, so that no runaway server fills the machine's process table.
pub fn lab_cgroup(layout: &Layout) -> Cgroup {
    use std::os::unix::ffi::OsStrExt;
    let root_hash = whaleshell_runtime::digest::sha256(layout.root().as_os_str().as_bytes());
    Cgroup::of(&format!("ecr-lab-{}", &root_hash["sha256:".len()..][..12]))
}

/// Makes every token issued so far expired, as if 12 hours had passed — for
/// showing (and testing) ECR's answer to an old token.
pub fn expire_tokens(layout: &Layout) -> Result<usize> {
    let dir = dir(layout);
    let _lock = StateLock::acquire(&dir.join("tokens.lock"))?;
    let mut tokens = read_tokens(&dir);
    let past = chrono::Utc::now().timestamp() - 1;
    for token in tokens.values_mut() {
        token.expires_at = token.expires_at.min(past);
    }
    write_json_atomic(&tokens_path(&dir), &tokens)?;
    Ok(tokens.len())
}
