//! `docker exec`: a new process in a running container's namespaces and
//! cgroup (libcontainer's tenant builder). Like the monitor, it runs in a
//! helper process of its own — the app re-executed as
//! `whaleshell __whaleshell-exec ROOT ID REQUEST` — because libcontainer
//! must not fork from the multi-threaded app. Without a terminal the
//! process inherits the helper's stdio; with `-t` the helper relays a pty.
//!
//! This module is the asking side (the request, and starting the helper);
//! [`crate::container::exec_process`] is the helper process itself.

use std::process::Stdio;

use serde::{Deserialize, Serialize};

use crate::container::helper::{helper_command, spawn_with_status, MonitorHandle};
use crate::error::{Error, Result};
use crate::layout::Layout;

pub const EXEC_ARG: &str = "__whaleshell-exec";

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ExecRequest {
    pub args: Vec<String>,
    /// `-e K=V`, added to the container's environment.
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    /// `-u name|uid[:group|gid]`: as the container's files resolve it; None: the container's user.
    #[serde(default)]
    pub user: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    /// Docker's exec ID, when the helper is to log `exec_die` with it as the
    /// process ends (for `exec -d` too, which nobody else waits for).
    #[serde(default)]
    pub exec_id: Option<String>,
}

/// Starts the exec helper with the user's stdio.
pub(crate) fn spawn(layout: &Layout, id: &str, request: &ExecRequest, stdio: (Stdio, Stdio, Stdio)) -> Result<MonitorHandle> {
    let mut cmd = helper_command(EXEC_ARG)?;
    let request = serde_json::to_string(request).map_err(|e| Error::Spec(e.to_string()))?;
    cmd.arg(layout.root()).arg(id).arg(request).stdin(stdio.0).stdout(stdio.1).stderr(stdio.2);
    spawn_with_status(cmd, false)
}
