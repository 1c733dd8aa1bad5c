//! What the lab's processes share: where the lab runs (`state.json`), its
//! fixed identity (account, role, region), and the tokens the front issues.
//! The lab (starting, stopping) and the front (serving) both read it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use whaleshell_runtime::fsutil::{read_json, write_atomic};
use whaleshell_runtime::layout::Layout;
use whaleshell_runtime::process::start_time;

use crate::{LabError, Result};

/// moto's account: what `sts get-caller-identity` says in the lab.
pub const ACCOUNT: &str = "123456789012";
/// The role the lab's "instance" has, as the tutorials' ECS hosts do.
pub const INSTANCE_ROLE: &str = "ecsInstanceRole";
/// The lab's default region when the learner has configured none.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Credentials the lab hands the SDK when the learner has none (moto checks no signatures).
pub const ACCESS_KEY_ID: &str = "AKIAWHALESHELLLAB000";
pub const SECRET_ACCESS_KEY: &str = "whaleshell-local-ecr-lab-secret-key";
/// How long an authorization token lives, as on ECR.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// The argument that makes this binary the lab's front (see `main_if_helper`).
pub const FRONT_ARG: &str = "__whaleshell-ecr-front";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LabProcess {
    pub name: String,
    pub pid: i32,
    pub start_time: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabState {
    pub account: String,
    /// The SDK's endpoint (the front, passing on to moto).
    pub api_port: u16,
    /// Where `<acct>.dkr.ecr.<region>.amazonaws.com` goes (the front, passing on to the registry).
    pub registry_port: u16,
    pub moto_port: u16,
    pub backend_registry_port: u16,
    /// An instance metadata service, as on an EC2 instance with the `ecsInstanceRole` role.
    pub imds_port: u16,
    pub processes: Vec<LabProcess>,
}

impl LabState {
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    pub fn imds_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.imds_port)
    }

    pub fn registry_host(&self) -> String {
        format!("127.0.0.1:{}", self.registry_port)
    }

    pub(crate) fn alive(&self) -> bool {
        self.processes.iter().all(|p| start_time(p.pid) == Some(p.start_time))
    }
}

pub fn dir(layout: &Layout) -> PathBuf {
    layout.root().join("lab/ecr")
}

pub(crate) fn state_path(layout: &Layout) -> PathBuf {
    dir(layout).join("state.json")
}

/// The running lab, if all of its processes are alive.
pub fn status(layout: &Layout) -> Option<LabState> {
    let state: LabState = read_json(&state_path(layout), "ECR lab state").ok()??;
    state.alive().then_some(state)
}

/// Tokens the front has issued: password → who and until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub account: String,
    pub region: String,
    /// Seconds since the epoch.
    pub expires_at: i64,
}

pub(crate) fn tokens_path(dir: &Path) -> PathBuf {
    dir.join("tokens.json")
}

pub(crate) fn read_tokens(dir: &Path) -> std::collections::BTreeMap<String, Token> {
    read_json(&tokens_path(dir), "ECR lab tokens").ok().flatten().unwrap_or_default()
}

/// The registry accepts exactly one password for `AWS`: the newest token.
/// docker-registry re-reads the file when it changes. bcrypt's lowest cost:
/// the registry checks it on every request.
pub(crate) fn write_htpasswd(dir: &Path, password: &str) -> Result<()> {
    let hash = bcrypt::hash(password, 4).map_err(|e| LabError::Lab(format!("hashing the registry password: {e}")))?;
    write_atomic(&dir.join("htpasswd"), format!("AWS:{hash}\n").as_bytes())?;
    Ok(write_atomic(&dir.join("registry-password"), password.as_bytes())?)
}

pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
