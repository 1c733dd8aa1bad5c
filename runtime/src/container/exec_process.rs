//! The `docker exec` helper process (`whaleshell __whaleshell-exec ROOT ID
//! REQUEST`): joins the container with libcontainer's tenant builder, under
//! the container's seccomp filter, and relays the process's terminal or
//! waits for it. [`crate::container::exec`] starts it.

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::oci_spec::runtime::{Capability, LinuxSeccomp, Process, Spec};
use libcontainer::syscall::syscall::SyscallType;
use libcontainer::workload::default::DefaultExecutor;
use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};

use crate::container::exec::ExecRequest;
use crate::container::helper::{bind_here, block_signals, ignore_sigpipe, receive_pty_master, reset_signals, MonitorEvent, StartError, StatusPipe};
use crate::container::session::{ContainerIo, Ended, Foreground, Session};
use crate::container::user::ExecUser;
use crate::container::{rootfs, spec, ContainerStore, Status};
use crate::error::{exit_code, Error, Result};
use crate::layout::Layout;

pub(crate) fn helper_main(args: &[String]) -> i32 {
    let mut status = StatusPipe::open();
    reset_signals();
    let [root, id, request] = args else { return exit_code::DOCKER };
    let outcome = serde_json::from_str::<ExecRequest>(request)
        .map_err(|e| StartError { message: e.to_string(), exit_code: exit_code::DOCKER })
        .and_then(|req| run(Path::new(root), id, &req, &mut status));
    match outcome {
        Ok(code) => {
            status.send(&MonitorEvent::Exited { code, output: String::new() });
            code
        }
        Err(e) => {
            status.send(&MonitorEvent::Failed { message: e.message, exit_code: e.exit_code });
            e.exit_code
        }
    }
}

fn run(root: &Path, id: &str, req: &ExecRequest, status: &mut StatusPipe) -> Result<i32, StartError> {
    let layout = Layout::open(root)?;
    let record = ContainerStore::new(layout.clone()).get(id)?;
    if record.status() != Status::Running {
        return Err(Error::NotRunning(record.id.clone()).into());
    }
    let dir = layout.container_dir(id);
    let working_dir = req.working_dir.clone().unwrap_or_else(|| record.config.working_dir.clone());
    // As the container's user unless `-u` says: its HOME, and its IDs below.
    let user = spec::exec_user(req.user.as_deref().unwrap_or(&record.config.user), &dir.join("rootfs"))?;
    let env = record.process_env(req.tty, &user.home, &req.env);
    // Docker's exec reports a missing program as one it cannot invoke (126), where run says 127.
    rootfs::check_executable(&req.args, &env, &working_dir, &dir.join("rootfs"))
        .map_err(|e| StartError { exit_code: exit_code::CANNOT_INVOKE, message: e.message })?;

    let lc = |e: libcontainer::error::LibcontainerError| Error::Libcontainer(e.to_string());
    let mut base = ContainerBuilder::new(id.to_owned(), SyscallType::default()).with_root_path(layout.libcontainer_dir()).map_err(lc)?;
    let socket_name = format!("exec-{}.sock", std::process::id());
    let console = if req.tty {
        let listener = bind_here(&dir, &socket_name)?;
        base = base.with_console_socket(Some(dir.join(&socket_name)));
        Some(listener)
    } else {
        if !req.interactive {
            base = base.with_stdin(File::open("/dev/null").map_err(Error::io("opening", "/dev/null"))?);
        }
        None
    };
    // The exec'd process is the container's own process spec (user,
    // capabilities) with this command, environment, directory and terminal.
    let process_file = dir.join(format!("exec-{}.json", std::process::id()));
    let user = req.user.is_some().then_some(user);
    let container_spec = Spec::load(dir.join("config.json")).map_err(|e| Error::Spec(e.to_string()))?;
    let mut process = exec_process(&container_spec, req, env, &working_dir, user);
    if let Some(filter) = container_spec.linux().as_ref().and_then(|l| l.seccomp().clone()) {
        base = base.with_executor(SeccompExecutor::prepare(filter, &mut process));
    } else {
        base = base.with_executor(crate::container::executor::OrderedEnv);
    }
    let json = serde_json::to_vec(&process).map_err(|e| Error::Spec(e.to_string()))?;
    std::fs::write(&process_file, json).map_err(Error::io("writing", &process_file))?;
    let built = base.as_tenant().with_process(Some(&process_file)).with_detach(req.tty).build();
    let _ = std::fs::remove_file(&process_file);
    let _ = std::fs::remove_file(dir.join(&socket_name));
    let pid = built.map_err(lc)?;
    let io = match &console {
        Some(listener) => ContainerIo::Tty { master: receive_pty_master(listener)? },
        None => ContainerIo::Pipes { stdout: None, stderr: None, stdin: None },
    };
    let signals = block_signals()?;
    ignore_sigpipe();
    status.send(&MonitorEvent::Started { pid: pid.as_raw() });
    let foreground = req.tty.then(|| {
        use std::io::IsTerminal;
        Foreground::new(req.interactive, std::io::stdin().is_terminal())
    });
    let mut session = Session::new(pid, signals, io, foreground, None, None);
    loop {
        match session.run() {
            Ended::Exited(code) => {
                if let Some(exec_id) = &req.exec_id {
                    crate::events::log(&layout, record.event("exec_die").with("execID", exec_id.as_str()).with("exitCode", code.to_string()));
                }
                return Ok(code);
            }
            // Docker's exec has no detach: Ctrl-P Ctrl-Q just ends the relay.
            Ended::Detached => status.send(&MonitorEvent::Detached),
        }
    }
}

/// The exec'd process is the container's own process spec (user,
/// capabilities) with this command, environment, directory and terminal.
fn exec_process(spec: &Spec, req: &ExecRequest, env: Vec<String>, working_dir: &str, user: Option<ExecUser>) -> Process {
    let mut process = spec.process().clone().unwrap_or_default();
    if let Some(user) = user {
        let mut as_user = process.user().clone();
        as_user.set_uid(user.uid);
        as_user.set_gid(user.gid);
        as_user.set_additional_gids(Some(user.additional_gids));
        process.set_user(as_user);
    }
    process.set_args(Some(req.args.clone()));
    process.set_env(Some(env));
    process.set_cwd(working_dir.into());
    process.set_terminal(Some(req.tty));
    process
}

/// libcontainer 0.7 leaves the container's seccomp filter out of an exec'd
/// process (its tenant spec keeps only namespaces and cgroup), where runc
/// applies it: this executor loads the filter as the last step before the
/// exec. Without no-new-privileges that takes CAP_SYS_ADMIN, so the process
/// holds it (effective and permitted, never bounding) until the filter is
/// loaded, then drops it, as runc loads the filter before dropping caps.
#[derive(Clone)]
struct SeccompExecutor {
    filter: LinuxSeccomp,
    drop_sys_admin: bool,
}

impl SeccompExecutor {
    fn prepare(filter: LinuxSeccomp, process: &mut Process) -> SeccompExecutor {
        let needs_sys_admin = process.no_new_privileges() != Some(true);
        let mut drop_sys_admin = false;
        if let Some(mut caps) = process.capabilities().clone().filter(|_| needs_sys_admin) {
            let mut with_sys_admin = |set: &Option<HashSet<Capability>>| {
                let mut set = set.clone().unwrap_or_default();
                drop_sys_admin |= set.insert(Capability::SysAdmin);
                set
            };
            let (effective, permitted) = (with_sys_admin(caps.effective()), with_sys_admin(caps.permitted()));
            caps.set_effective(Some(effective));
            caps.set_permitted(Some(permitted));
            process.set_capabilities(Some(caps));
        }
        SeccompExecutor { filter, drop_sys_admin }
    }
}

impl Executor for SeccompExecutor {
    fn exec(&self, spec: &Spec) -> std::result::Result<(), ExecutorError> {
        libcontainer::seccomp::initialize_seccomp(&self.filter).map_err(|e| ExecutorError::Other(format!("loading the container's seccomp filter: {e}")))?;
        if self.drop_sys_admin {
            for set in [caps::CapSet::Effective, caps::CapSet::Permitted] {
                caps::drop(None, set, caps::Capability::CAP_SYS_ADMIN).map_err(|e| ExecutorError::Other(format!("dropping CAP_SYS_ADMIN: {e}")))?;
            }
        }
        crate::container::executor::exec_in_order(spec)
    }

    fn validate(&self, spec: &Spec) -> std::result::Result<(), ExecutorValidationError> {
        DefaultExecutor {}.validate(spec)
    }
}
