//! Typed errors of the engine. Messages follow Docker's wording where Docker
//! has one, so the app can print them as they are.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{context}: {path}: {source}")]
    Io { context: &'static str, path: PathBuf, source: std::io::Error },

    #[error("invalid reference format: {0}")]
    InvalidReference(String),

    #[error("pull access denied for {0}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied")]
    PullAccessDenied(String),

    #[error("manifest for {0} not found: manifest unknown: manifest unknown")]
    ManifestUnknown(String),

    #[error("No such image: {0}")]
    NoSuchImage(String),

    #[error("get {0}: no such volume")]
    NoSuchVolume(String),

    #[error("remove {0}: volume is in use - [{1}]")]
    VolumeInUse(String, String),

    #[error("network {0} not found")]
    NoSuchNetwork(String),

    /// A network refused or failed, in Docker's words where it has them.
    #[error("{0}")]
    Network(String),

    #[error("No such container: {0}")]
    NoSuchContainer(String),

    /// `docker update` could not change a container's limits.
    #[error("Cannot update container {0}: {1}")]
    CannotUpdate(String, String),

    #[error("multiple IDs found with provided prefix: {0}")]
    AmbiguousPrefix(String),

    #[error("Conflict. The container name \"/{0}\" is already in use by container \"{1}\". You have to remove (or rename) that container to be able to reuse that name.")]
    NameInUse(String, String),

    /// `docker rename` could not take the new name (in use, invalid).
    #[error("Error when allocating new name: {0}")]
    NewName(Box<Error>),

    #[error("Renaming a container with the same name as its current name")]
    RenameSameName,

    #[error("Invalid container name ({0}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    InvalidName(String),

    #[error("cannot kill container: {0}: container {1} is not running")]
    CannotKill(String, String),

    #[error("Container {0} is not running")]
    NotRunning(String),

    /// `docker logs` of a container run with `--log-driver none`.
    #[error("configured logging driver does not support reading")]
    LogsNotReadable,

    /// `docker pause` of a container that is not running.
    #[error("Container {0} is not running")]
    PauseNotRunning(String),

    #[error("Container {0} is already paused")]
    AlreadyPaused(String),

    #[error("Container {0} is not paused")]
    NotPaused(String),

    /// `docker exec` into a paused container (named as the user named it).
    #[error("Container {0} is paused, unpause the container before exec")]
    ExecPaused(String),

    #[error("cannot start a paused container, try unpause instead")]
    StartPaused,

    #[error("You cannot remove a paused container {0}. Unpause and then stop the container before attempting removal or force remove")]
    RemovePaused(String),

    /// `docker rm` (unforced) of a container waiting out its restart back-off.
    #[error("You cannot remove a restarting container {0}. Stop the container before attempting removal or force remove")]
    RemoveRestarting(String),

    /// `docker exec` into a container waiting out its restart back-off.
    #[error("Container {0} is restarting, wait until the container is running")]
    Restarting(String),

    #[error("conflict: {0}")]
    Conflict(String),

    /// Docker 20.10's words (API 1.41), with the full ID as its daemon names it.
    #[error("You cannot remove a running container {0}. Stop the container before attempting removal or force remove")]
    ContainerRunning(String),

    #[error("corrupt {what} {path}: {detail}")]
    Corrupt { what: &'static str, path: PathBuf, detail: String },

    #[error("the hub recipe {name} is invalid: {detail}")]
    Recipe { name: String, detail: String },

    #[error("building {image} for the offline hub failed: {detail}")]
    HubBuild { image: String, detail: String },

    #[error("{0}")]
    Spec(String),

    #[error("{0}")]
    Registry(String),

    #[error("container runtime: {0}")]
    Libcontainer(String),

    #[error("{call} failed: {source}")]
    Sys { call: &'static str, source: nix::Error },

    #[error("{left} processes of container {id} are still running after it was killed")]
    CgroupNotEmpty { id: String, left: usize },

    /// fork() said EAGAIN: the process table (or this user's share) is full.
    #[error("cannot fork: the machine cannot start another process now (Resource temporarily unavailable); find what is forking with `docker ps` and end it with `docker rm -f`")]
    CannotFork,

    #[error("the container monitor failed: {0}")]
    Monitor(String),
}

impl Error {
    pub fn io(context: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { context, path, source }
    }

    /// A spawn's error: `CannotFork` when the machine is out of processes.
    pub fn spawn(what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        move |source| {
            if source.raw_os_error() == Some(libc::EAGAIN) {
                Error::CannotFork
            } else {
                Error::Io { context: what, path: PathBuf::from("whaleshell"), source }
            }
        }
    }

    pub fn sys(call: &'static str) -> impl FnOnce(nix::Error) -> Error {
        move |source| Error::Sys { call, source }
    }
}

/// Docker's exit codes for its own failures, as `docker run`'s reference
/// lists them; any other status is the container's own.
pub mod exit_code {
    /// The docker command failed (a client or daemon error).
    pub const FAILED: i32 = 1;
    /// The engine could not create or start the container.
    pub const DOCKER: i32 = 125;
    /// The container's command exists but cannot be invoked.
    pub const CANNOT_INVOKE: i32 = 126;
    /// The container's command was not found.
    pub const NOT_FOUND: i32 = 127;
    /// A `--format` template that does not parse (the CLI's usage status).
    pub const BAD_TEMPLATE: i32 = 64;
}
