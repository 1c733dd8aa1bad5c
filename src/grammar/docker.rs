//! The docker command surface, as typed commands. clap does the flag
//! parsing (combined short flags like `-it`, `--flag=value`, `--flag value`);
//! this module adds Docker's rules on top — flags stop at the image in
//! `run`, the `container`/`image` long forms are aliases — and turns
//! clap's errors into Docker's wording with a caret.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand};

use super::line::{parse_line, WordPart};
use super::{suggest, Arg, ParseError, Span};

#[derive(Debug, Parser, PartialEq, Eq)]
#[command(name = "docker", disable_help_subcommand = true, disable_version_flag = true)]
#[command(about = "A self-sufficient runtime for containers", override_usage = "docker COMMAND")]
struct DockerLine {
    #[command(subcommand)]
    command: Docker,
}

/// A docker command. The `container …`/`image …` long forms are the same
/// commands (see [`LONG_FORMS`]).
#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum Docker {
    /// Create and run a new container from an image
    Run(RunArgs),
    /// Create a new container
    Create(RunArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(WaitArgs),
    /// Rename a container
    Rename(RenameArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(DiffArgs),
    /// Copy files/folders between a container and the local filesystem
    Cp(CpArgs),
    /// Export a container's filesystem as a tar archive
    Export(ExportArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(ImportArgs),
    /// List containers
    Ps(PsArgs),
    /// List images
    Images(ImagesArgs),
    /// Download an image from a registry
    Pull(PullArgs),
    /// Remove one or more containers
    Rm(RmArgs),
    /// Remove one or more images
    Rmi(RmiArgs),
    /// Execute a command in a running container
    Exec(ExecArgs),
    /// Fetch the logs of a container
    Logs(LogsArgs),
    /// Stop one or more running containers
    Stop(StopArgs),
    /// Kill one or more running containers
    Kill(KillArgs),
    /// Start one or more stopped containers
    Start(StartArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Attach local standard input, output, and error streams to a running container
    Attach(AttachArgs),
    /// Pause all processes within one or more containers
    Pause(PauseArgs),
    /// Unpause all processes within one or more containers
    Unpause(UnpauseArgs),
    /// Update configuration of one or more containers
    Update(UpdateArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(StatsArgs),
    /// Get real time events from the server
    Events(EventsArgs),
    /// Return low-level information on Docker objects
    Inspect(InspectArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// List port mappings or a specific mapping for the container
    Port(PortArgs),
    /// Show the history of an image
    History(HistoryArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(TagArgs),
    /// Create a new image from a container's changes
    Commit(CommitArgs),
    /// Build an image from a Dockerfile
    Build(BuildArgs),
    /// Save one or more images to a tar archive
    Save(SaveArgs),
    /// Load an image from a tar archive
    Load(LoadArgs),
    /// Log in to a registry
    Login(LoginArgs),
    /// Log out from a registry
    Logout(LogoutArgs),
    /// Upload an image to a registry
    Push(PushArgs),
    /// Show the Docker version information
    Version(VersionArgs),
    /// Display system-wide information
    Info(InfoArgs),
    /// Manage volumes
    #[command(subcommand)]
    Volume(VolumeCommand),
    /// Manage networks
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Docker Compose: define and run multi-container applications
    Compose(ComposeArgs),
    /// Manage Docker
    #[command(subcommand)]
    System(SystemCommand),
    /// Remove all stopped containers
    #[command(name = "container prune", hide = true)]
    ContainerPrune(PruneArgs),
    /// Remove unused images
    #[command(name = "image prune", hide = true)]
    ImagePrune(ImagePruneArgs),
}

impl Docker {
    /// The command's name as Docker's reference names it (`run`, `container prune`, `system df` …).
    pub fn name(&self) -> &'static str {
        match self {
            Docker::Run(_) => "run",
            Docker::Create(_) => "create",
            Docker::Wait(_) => "wait",
            Docker::Rename(_) => "rename",
            Docker::Diff(_) => "diff",
            Docker::Cp(_) => "cp",
            Docker::Export(_) => "export",
            Docker::Import(_) => "import",
            Docker::Ps(_) => "ps",
            Docker::Images(_) => "images",
            Docker::Pull(_) => "pull",
            Docker::Rm(_) => "rm",
            Docker::Rmi(_) => "rmi",
            Docker::Exec(_) => "exec",
            Docker::Logs(_) => "logs",
            Docker::Stop(_) => "stop",
            Docker::Kill(_) => "kill",
            Docker::Start(_) => "start",
            Docker::Restart(_) => "restart",
            Docker::Attach(_) => "attach",
            Docker::Pause(_) => "pause",
            Docker::Unpause(_) => "unpause",
            Docker::Update(_) => "update",
            Docker::Stats(_) => "stats",
            Docker::Events(_) => "events",
            Docker::Inspect(_) => "inspect",
            Docker::Top(_) => "top",
            Docker::Port(_) => "port",
            Docker::History(_) => "history",
            Docker::Tag(_) => "tag",
            Docker::Commit(_) => "commit",
            Docker::Build(_) => "build",
            Docker::Save(_) => "save",
            Docker::Load(_) => "load",
            Docker::Login(_) => "login",
            Docker::Logout(_) => "logout",
            Docker::Push(_) => "push",
            Docker::Version(_) => "version",
            Docker::Info(_) => "info",
            Docker::Volume(_) => "volume",
            Docker::Network(_) => "network",
            Docker::Compose(_) => "compose",
            Docker::System(SystemCommand::Df(_)) => "system df",
            Docker::System(SystemCommand::Prune(_)) => "system prune",
            Docker::ContainerPrune(_) => "container prune",
            Docker::ImagePrune(_) => "image prune",
        }
    }
}

/// Docker's management commands and what each of their subcommands is:
/// (group, subcommand, its aliases, the command it is, its own description
/// when not the command's). `docker container ls` is `docker ps`, `docker
/// image rm` is `docker rmi`.
const LONG_FORMS: &[(&str, &str, &[&str], &str, &str)] = &[
    ("container", "ls", &["ps", "list"], "ps", ""),
    ("container", "run", &[], "run", ""),
    ("container", "create", &[], "create", ""),
    ("container", "wait", &[], "wait", ""),
    ("container", "rename", &[], "rename", ""),
    ("container", "diff", &[], "diff", ""),
    ("container", "cp", &[], "cp", ""),
    ("container", "export", &[], "export", ""),
    ("container", "rm", &[], "rm", ""),
    ("container", "exec", &[], "exec", ""),
    ("container", "logs", &[], "logs", ""),
    ("container", "stop", &[], "stop", ""),
    ("container", "kill", &[], "kill", ""),
    ("container", "start", &[], "start", ""),
    ("container", "restart", &[], "restart", ""),
    ("container", "attach", &[], "attach", ""),
    ("container", "inspect", &[], "inspect", "Display detailed information on one or more containers"),
    ("container", "top", &[], "top", ""),
    ("container", "prune", &[], "container prune", ""),
    ("container", "port", &[], "port", ""),
    ("container", "commit", &[], "commit", ""),
    ("container", "pause", &[], "pause", ""),
    ("container", "unpause", &[], "unpause", ""),
    ("container", "update", &[], "update", ""),
    ("container", "stats", &[], "stats", ""),
    ("system", "events", &[], "events", ""),
    ("system", "info", &[], "info", ""),
    ("image", "ls", &["list"], "images", ""),
    ("image", "pull", &[], "pull", ""),
    ("image", "rm", &[], "rmi", ""),
    ("image", "inspect", &[], "inspect", "Display detailed information on one or more images"),
    ("image", "prune", &[], "image prune", ""),
    ("image", "history", &[], "history", ""),
    ("image", "tag", &[], "tag", ""),
    ("image", "build", &[], "build", ""),
    ("image", "save", &[], "save", ""),
    ("image", "load", &[], "load", ""),
    ("image", "import", &[], "import", ""),
    ("image", "push", &[], "push", ""),
];

#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum SystemCommand {
    /// Show docker disk usage
    Df(DfArgs),
    /// Remove unused data
    Prune(SystemPruneArgs),
}
#[derive(Debug, Clone, Args, PartialEq, Eq)]
#[command(override_usage = "docker compose [OPTIONS] COMMAND")]
pub struct ComposeArgs {
    /// Compose configuration files
    #[arg(short = 'f', long = "file", value_name = "stringArray")]
    pub file: Vec<String>,
    /// Project name
    #[arg(short = 'p', long = "project-name", value_name = "string")]
    pub project_name: Option<String>,
    /// Specify an alternate working directory (default: the path of the first Compose file)
    #[arg(long = "project-directory", value_name = "string")]
    pub project_directory: Option<String>,
    /// Specify an alternate environment file
    #[arg(long = "env-file", value_name = "stringArray")]
    pub env_file: Vec<String>,
    #[command(subcommand)]
    pub command: ComposeCommand,
}

#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum ComposeCommand {
    /// Parse, resolve and render compose file in canonical format
    #[command(visible_alias = "convert")]
    Config(ComposeConfigArgs),
    /// Create and start containers
    Up(ComposeUpArgs),
    /// Stop and remove containers, networks
    Down(ComposeDownArgs),
    /// List containers
    Ps(ComposePsArgs),
    /// View output from containers
    Logs(ComposeLogsArgs),
    /// Execute a command in a running container
    Exec(ComposeExecArgs),
    /// Commands Whaleshell does not run yet: they say so
    #[command(external_subcommand)]
    Other(Vec<String>),
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ComposeUpArgs {
    /// Detached mode: Run containers in the background
    #[arg(short = 'd', long)]
    pub detach: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ComposeDownArgs {
    /// Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers
    #[arg(short = 'v', long)]
    pub volumes: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ComposePsArgs {
    /// Show all stopped containers (including those created by the run command)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Only display IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ComposeExecArgs {
    /// Detached mode: Run command in the background
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY
    #[arg(short = 'T', long = "no-TTY")]
    pub no_tty: bool,
    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "stringArray")]
    pub env: Vec<String>,
    /// Run the command as this user
    #[arg(short = 'u', long, value_name = "string")]
    pub user: Option<String>,
    /// Path to workdir directory for this command
    #[arg(short = 'w', long = "workdir", value_name = "string")]
    pub workdir: Option<String>,
    #[arg(value_name = "SERVICE")]
    pub service: String,
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ComposeLogsArgs {
    #[arg(value_name = "SERVICE")]
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ComposeConfigArgs {
    /// Only validate the configuration, don't print anything
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Print the service names, one per line
    #[arg(long)]
    pub services: bool,
    /// Print the volume names, one per line
    #[arg(long)]
    pub volumes: bool,
    /// Don't interpolate environment variables
    #[arg(long = "no-interpolate")]
    pub no_interpolate: bool,
}

#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum VolumeCommand {
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(VolumeLsArgs),
    /// Create a volume
    Create(VolumeCreateArgs),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(VolumeNamesArgs),
    /// Display detailed information on one or more volumes
    Inspect(VolumeInspectArgs),
    /// Remove unused local volumes
    Prune(VolumePruneArgs),
}

const GROUPS: &[(&str, &str)] = &[("container", "Manage containers"), ("image", "Manage images")];

/// The long form's words replaced by the command they are: `container ls -a` → `ps -a`.
fn fold_long_form(texts: &[String]) -> Vec<String> {
    if let [group, sub, rest @ ..] = texts {
        if let Some((.., command, _)) = LONG_FORMS.iter().find(|(g, s, aliases, ..)| g == group && (s == sub || aliases.contains(&sub.as_str()))) {
            return std::iter::once((*command).to_owned()).chain(rest.iter().cloned()).collect();
        }
    }
    texts.to_vec()
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(disable_help_flag = true, override_usage = "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]")]
pub struct RunArgs {
    /// Automatically remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Run container in background and print container ID
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "list")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "list")]
    pub env_file: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "string")]
    pub entrypoint: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long = "workdir", value_name = "string")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long, value_name = "string")]
    pub user: Option<String>,
    /// Publish a container's port(s) to the host
    #[arg(short = 'p', long = "publish", value_name = "list")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long = "publish-all")]
    pub publish_all: bool,
    /// Expose a port or a range of ports
    #[arg(long, value_name = "list")]
    pub expose: Vec<String>,
    /// Bind mount a volume
    #[arg(short = 'v', long = "volume", value_name = "list")]
    pub volume: Vec<String>,
    /// Attach a filesystem mount to the container
    #[arg(long = "mount", value_name = "mount")]
    pub mount: Vec<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Set meta data on a container
    #[arg(short = 'l', long = "label", value_name = "list")]
    pub label: Vec<String>,
    /// Container host name
    #[arg(short = 'h', long, value_name = "string")]
    pub hostname: Option<String>,
    /// Tune container pids limit (set -1 for unlimited)
    #[arg(long = "pids-limit", value_name = "int", allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Ulimit options (default [])
    #[arg(long = "ulimit", value_name = "ulimit")]
    pub ulimit: Vec<String>,
    /// Size of /dev/shm
    #[arg(long = "shm-size", value_name = "bytes", allow_negative_numbers = true)]
    pub shm_size: Option<String>,
    /// Logging driver for the container (json-file or none)
    #[arg(long = "log-driver", value_name = "string")]
    pub log_driver: Option<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long = "read-only")]
    pub read_only: bool,
    /// Add Linux capabilities
    #[arg(long = "cap-add", value_name = "list")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop", value_name = "list")]
    pub cap_drop: Vec<String>,
    /// Security Options
    #[arg(long = "security-opt", value_name = "list")]
    pub security_opt: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long)]
    pub privileged: bool,
    /// Mount a tmpfs directory
    #[arg(long = "tmpfs", value_name = "list")]
    pub tmpfs: Vec<String>,
    /// Sysctl options
    #[arg(long = "sysctl", value_name = "map")]
    pub sysctl: Vec<String>,
    /// Connect a container to a network (none, host, container:NAME, bridge or a network's name)
    #[arg(long = "network", visible_alias = "net", value_name = "network")]
    pub network: Option<String>,
    /// Add network-scoped alias for the container
    #[arg(long = "network-alias", visible_alias = "net-alias", value_name = "list")]
    pub network_alias: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long = "ip", value_name = "string")]
    pub ip: Option<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "list")]
    pub add_host: Vec<String>,
    /// Add additional groups to join
    #[arg(long = "group-add", value_name = "list")]
    pub group_add: Vec<String>,
    /// Signal to stop a container
    #[arg(long = "stop-signal", value_name = "string")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long = "stop-timeout", value_name = "int", allow_negative_numbers = true)]
    pub stop_timeout: Option<i64>,
    /// Command to run to check health
    #[arg(long = "health-cmd", value_name = "string")]
    pub health_cmd: Option<String>,
    /// Time between running the check (ms|s|m|h) (default 0s)
    #[arg(long = "health-interval", value_name = "duration", allow_hyphen_values = true)]
    pub health_interval: Option<String>,
    /// Maximum time to allow one check to run (ms|s|m|h) (default 0s)
    #[arg(long = "health-timeout", value_name = "duration", allow_hyphen_values = true)]
    pub health_timeout: Option<String>,
    /// Consecutive failures needed to report unhealthy
    #[arg(long = "health-retries", value_name = "int", allow_negative_numbers = true)]
    pub health_retries: Option<i64>,
    /// Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)
    #[arg(long = "health-start-period", value_name = "duration", allow_hyphen_values = true)]
    pub health_start_period: Option<String>,
    /// Disable any container-specified HEALTHCHECK
    #[arg(long = "no-healthcheck")]
    pub no_healthcheck: bool,
    /// Restart policy to apply when a container exits (default "no")
    #[arg(long, value_name = "string")]
    pub restart: Option<String>,
    /// Print usage
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// The image to start from, NAME[:TAG] (busybox, docker/whalesay, httpd:2.4); pulled first when it is not here
    pub image: String,
    /// The program to run and its arguments, instead of the image's CMD; every word after the image is the container's, flags included
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker ps [OPTIONS]")]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Only display container IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Filter output based on conditions provided
    #[arg(short = 'f', long = "filter", value_name = "filter")]
    pub filter: Vec<String>,
    /// Show n last created containers (includes all states)
    #[arg(short = 'n', long = "last", value_name = "int")]
    pub last: Option<usize>,
    /// Show the latest created container (includes all states)
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Don't truncate output
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
    /// Display total file sizes
    #[arg(short = 's', long)]
    pub size: bool,
    /// Pretty-print containers using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker images [OPTIONS] [REPOSITORY[:TAG]]")]
pub struct ImagesArgs {
    /// Show all images (default hides intermediate images)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Only show image IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Filter output based on conditions provided
    #[arg(short = 'f', long = "filter", value_name = "filter")]
    pub filter: Vec<String>,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Don't truncate output
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
    /// Pretty-print images using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    pub repository: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker pull [OPTIONS] NAME[:TAG|@DIGEST]")]
pub struct PullArgs {
    /// Suppress verbose output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    pub name: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker rm [OPTIONS] CONTAINER [CONTAINER...]")]
pub struct RmArgs {
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short = 'v', long)]
    pub volumes: bool,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker rmi [OPTIONS] IMAGE [IMAGE...]")]
pub struct RmiArgs {
    /// Force removal of the image
    #[arg(short = 'f', long)]
    pub force: bool,
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]")]
pub struct ExecArgs {
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Detached mode: run command in the background
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "list")]
    pub env: Vec<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long = "workdir", value_name = "string")]
    pub workdir: Option<String>,
    /// Username or UID (format: "<name|uid>[:<group|gid>]")
    #[arg(short = 'u', long, value_name = "string")]
    pub user: Option<String>,
    /// The running container, by name or (a prefix of) its ID
    pub container: String,
    /// The program to run inside it, and its arguments
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker logs [OPTIONS] CONTAINER")]
pub struct LogsArgs {
    /// Follow log output
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)
    #[arg(long, value_name = "string")]
    pub since: Option<String>,
    /// Number of lines to show from the end of the logs
    #[arg(short = 'n', long, value_name = "string")]
    pub tail: Option<String>,
    /// Show timestamps
    #[arg(short = 't', long)]
    pub timestamps: bool,
    /// Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)
    #[arg(long, value_name = "string")]
    pub until: Option<String>,
    pub container: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker stop [OPTIONS] CONTAINER [CONTAINER...]")]
pub struct StopArgs {
    /// Seconds to wait before killing the container
    #[arg(short = 't', long = "time", value_name = "int")]
    pub time: Option<u64>,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker kill [OPTIONS] CONTAINER [CONTAINER...]")]
pub struct KillArgs {
    /// Signal to send to the container
    #[arg(short = 's', long, value_name = "string", default_value = "KILL")]
    pub signal: String,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker start [OPTIONS] CONTAINER [CONTAINER...]")]
pub struct StartArgs {
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short = 'a', long)]
    pub attach: bool,
    /// Attach container's STDIN
    #[arg(short = 'i', long)]
    pub interactive: bool,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker attach [OPTIONS] CONTAINER")]
pub struct AttachArgs {
    /// Do not attach STDIN
    #[arg(long = "no-stdin")]
    pub no_stdin: bool,
    pub container: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker inspect [OPTIONS] NAME|ID [NAME|ID...]")]
pub struct InspectArgs {
    /// Format output using a custom template
    #[arg(short = 'f', long = "format", value_name = "string")]
    pub format: Option<String>,
    /// Display total file sizes if the type is container
    #[arg(short = 's', long)]
    pub size: bool,
    /// Return JSON for specified type (container, image)
    #[arg(long = "type", value_name = "string")]
    pub kind: Option<String>,
    #[arg(required = true, value_name = "NAME|ID")]
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker pause CONTAINER [CONTAINER...]")]
pub struct PauseArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker unpause CONTAINER [CONTAINER...]")]
pub struct UnpauseArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker update [OPTIONS] CONTAINER [CONTAINER...]")]
pub struct UpdateArgs {
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Tune container pids limit (set -1 for unlimited)
    #[arg(long = "pids-limit", value_name = "int", allow_negative_numbers = true)]
    pub pids_limit: Option<String>,
    /// Restart policy to apply when a container exits
    #[arg(long = "restart", value_name = "string")]
    pub restart: Option<String>,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// The cgroup limits `docker run`/`create` and `docker update` both take.
#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct LimitArgs {
    /// CPU shares (relative weight)
    #[arg(short = 'c', long = "cpu-shares", value_name = "int", allow_negative_numbers = true)]
    pub cpu_shares: Option<String>,
    /// Number of CPUs
    #[arg(long = "cpus", value_name = "decimal", allow_negative_numbers = true)]
    pub cpus: Option<String>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-cpus", value_name = "string")]
    pub cpuset_cpus: Option<String>,
    /// Memory limit
    #[arg(short = 'm', long = "memory", value_name = "bytes", allow_negative_numbers = true)]
    pub memory: Option<String>,
    /// Memory soft limit
    #[arg(long = "memory-reservation", value_name = "bytes", allow_negative_numbers = true)]
    pub memory_reservation: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long = "memory-swap", value_name = "bytes", allow_negative_numbers = true)]
    pub memory_swap: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker stats [OPTIONS] [CONTAINER...]")]
pub struct StatsArgs {
    /// Show all containers (default shows just running)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Pretty-print images using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Disable streaming stats and only pull the first result
    #[arg(long = "no-stream")]
    pub no_stream: bool,
    /// Do not truncate output
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker events [OPTIONS]")]
pub struct EventsArgs {
    /// Filter output based on conditions provided
    #[arg(short = 'f', long = "filter", value_name = "filter")]
    pub filter: Vec<String>,
    /// Format the output using the given Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Show all events created since timestamp
    #[arg(long, value_name = "string")]
    pub since: Option<String>,
    /// Stream events until this timestamp
    #[arg(long, value_name = "string")]
    pub until: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker top CONTAINER")]
pub struct TopArgs {
    pub container: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker wait CONTAINER [CONTAINER...]")]
pub struct WaitArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker rename CONTAINER NEW_NAME")]
pub struct RenameArgs {
    pub container: String,
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker diff CONTAINER")]
pub struct DiffArgs {
    pub container: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH")]
pub struct CpArgs {
    /// Archive mode (copy all uid/gid information)
    #[arg(short = 'a', long)]
    pub archive: bool,
    /// Always follow symbol link in SRC_PATH
    #[arg(short = 'L', long = "follow-link")]
    pub follow_link: bool,
    /// Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached
    #[arg(short = 'q', long)]
    pub quiet: bool,
    #[arg(value_name = "SRC_PATH")]
    pub source: String,
    #[arg(value_name = "DEST_PATH")]
    pub destination: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker export [OPTIONS] CONTAINER")]
pub struct ExportArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long, value_name = "string")]
    pub output: Option<String>,
    pub container: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]")]
pub struct ImportArgs {
    /// Apply Dockerfile instruction to the created image
    #[arg(short = 'c', long = "change", value_name = "list")]
    pub change: Vec<String>,
    /// Set commit message for imported image
    #[arg(short = 'm', long, value_name = "string")]
    pub message: Option<String>,
    /// Set platform if server is multi-platform capable
    #[arg(long, value_name = "string")]
    pub platform: Option<String>,
    #[arg(value_name = "file|URL|-")]
    pub source: String,
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub repository: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker container prune [OPTIONS]")]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker port CONTAINER [PRIVATE_PORT[/PROTO]]")]
pub struct PortArgs {
    pub container: String,
    pub private_port: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker login [OPTIONS] [SERVER]")]
pub struct LoginArgs {
    /// Username
    #[arg(short = 'u', long, value_name = "string")]
    pub username: Option<String>,
    /// Password
    #[arg(short = 'p', long, value_name = "string")]
    pub password: Option<String>,
    /// Take the password from stdin
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
    pub server: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker logout [SERVER]")]
pub struct LogoutArgs {
    pub server: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker push [OPTIONS] NAME[:TAG]")]
pub struct PushArgs {
    /// Suppress verbose output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    pub name: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker save [OPTIONS] IMAGE [IMAGE...]")]
pub struct SaveArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long, value_name = "string")]
    pub output: Option<String>,
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker load [OPTIONS]")]
pub struct LoadArgs {
    /// Read from tar archive file, instead of STDIN
    #[arg(short = 'i', long, value_name = "string")]
    pub input: Option<String>,
    /// Suppress the load output
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker build [OPTIONS] PATH")]
pub struct BuildArgs {
    /// Name and optionally a tag in the "name:tag" format
    #[arg(short = 't', long = "tag", value_name = "list")]
    pub tags: Vec<String>,
    /// Name of the Dockerfile (Default is "PATH/Dockerfile")
    #[arg(short = 'f', long = "file", value_name = "string")]
    pub file: Option<String>,
    /// Set build-time variables
    #[arg(long = "build-arg", value_name = "list")]
    pub build_args: Vec<String>,
    /// Do not use cache when building the image
    #[arg(long = "no-cache")]
    pub no_cache: bool,
    /// Set the target build stage to build
    #[arg(long, value_name = "string")]
    pub target: Option<String>,
    /// Suppress the build output and print image ID on success
    #[arg(short = 'q', long)]
    pub quiet: bool,
    #[arg(value_name = "PATH")]
    pub context: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]")]
pub struct TagArgs {
    pub source: String,
    pub target: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]")]
pub struct CommitArgs {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short = 'a', long, value_name = "string")]
    pub author: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short = 'c', long = "change", value_name = "list")]
    pub change: Vec<String>,
    /// Commit message
    #[arg(short = 'm', long, value_name = "string")]
    pub message: Option<String>,
    /// Pause container during commit (default true)
    // A Go bool flag: `-p`, `-p=false`, `--pause=false`; None is true.
    #[arg(short = 'p', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool, value_name = "bool")]
    pub pause: Option<bool>,
    pub container: String,
    pub repository: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker history [OPTIONS] IMAGE")]
pub struct HistoryArgs {
    /// Pretty-print images using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Print sizes and dates in human readable format (default true)
    // A Go bool flag: `-H`, `-H=false`, `--human=false`; None is true.
    #[arg(short = 'H', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool, value_name = "bool")]
    pub human: Option<bool>,
    /// Don't truncate output
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    pub image: String,
}

/// Go's `strconv.ParseBool`, as pflag reads `--flag=VALUE` of a bool flag.
fn go_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {text:?}: invalid syntax")),
    }
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker version [OPTIONS]")]
pub struct VersionArgs {
    /// Format output using a custom template:
    /// 'json':             Print in JSON format
    /// 'TEMPLATE':         Print output using the given Go template.
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker info [OPTIONS]")]
pub struct InfoArgs {
    /// Format output using a custom template:
    /// 'json':             Print in JSON format
    /// 'TEMPLATE':         Print output using the given Go template.
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct DfArgs {
    /// Pretty-print images using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Show detailed information on space usage
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct SystemPruneArgs {
    /// Remove all unused images not just dangling ones
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Prune anonymous volumes
    #[arg(long)]
    pub volumes: bool,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct ImagePruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct VolumeLsArgs {
    /// Only display volume names
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Provide filter values (e.g. 'dangling=true')
    #[arg(short = 'f', long = "filter", value_name = "filter")]
    pub filter: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct VolumeCreateArgs {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct VolumeInspectArgs {
    /// Format output using a custom template
    #[arg(short = 'f', long = "format", value_name = "string")]
    pub format: Option<String>,
    #[arg(required = true, value_name = "VOLUME")]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct VolumeNamesArgs {
    /// Force the removal of one or more volumes
    #[arg(short = 'f', long)]
    pub force: bool,
    #[arg(required = true, value_name = "VOLUME")]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct VolumePruneArgs {
    /// Remove all unused volumes, not just anonymous ones
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum NetworkCommand {
    /// Connect a container to a network
    Connect(NetworkConnectArgs),
    /// Create a network
    Create(NetworkCreateArgs),
    /// Disconnect a container from a network
    Disconnect(NetworkDisconnectArgs),
    /// Display detailed information on one or more networks
    Inspect(NetworkInspectArgs),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(NetworkLsArgs),
    /// Remove all unused networks
    Prune(NetworkPruneArgs),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(NetworkRmArgs),
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network create [OPTIONS] NETWORK")]
pub struct NetworkCreateArgs {
    /// Driver to manage the Network (default "bridge")
    #[arg(short = 'd', long, value_name = "string")]
    pub driver: Option<String>,
    /// Subnet in CIDR format that represents a network segment
    #[arg(long, value_name = "strings")]
    pub subnet: Vec<String>,
    /// IPv4 or IPv6 Gateway for the master subnet
    #[arg(long, value_name = "strings")]
    pub gateway: Vec<String>,
    /// Restrict external access to the network
    #[arg(long)]
    pub internal: bool,
    /// Set metadata on a network
    #[arg(long, value_name = "list")]
    pub label: Vec<String>,
    pub name: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network ls [OPTIONS]")]
pub struct NetworkLsArgs {
    /// Only display network IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Provide filter values (e.g. 'driver=bridge')
    #[arg(short = 'f', long = "filter", value_name = "filter")]
    pub filter: Vec<String>,
    /// Pretty-print networks using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Do not truncate the output
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network inspect [OPTIONS] NETWORK [NETWORK...]")]
pub struct NetworkInspectArgs {
    /// Format the output using the given Go template
    #[arg(short = 'f', long = "format", value_name = "string")]
    pub format: Option<String>,
    #[arg(required = true, value_name = "NETWORK")]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network rm NETWORK [NETWORK...]")]
pub struct NetworkRmArgs {
    #[arg(required = true, value_name = "NETWORK")]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network prune [OPTIONS]")]
pub struct NetworkPruneArgs {
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network connect [OPTIONS] NETWORK CONTAINER")]
pub struct NetworkConnectArgs {
    /// Add network-scoped alias for the container
    #[arg(long, value_name = "strings")]
    pub alias: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long, value_name = "string")]
    pub ip: Option<String>,
    pub network: String,
    pub container: String,
}

#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
#[command(override_usage = "docker network disconnect [OPTIONS] NETWORK CONTAINER")]
pub struct NetworkDisconnectArgs {
    /// Force the container to disconnect from a network
    #[arg(short = 'f', long)]
    pub force: bool,
    pub network: String,
    pub container: String,
}

/// What parsing a docker line gave: a command, or help text the user asked for.
// Made once per line and taken apart at once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Parsed {
    Command(Docker),
    Help(String),
}

/// The clap command tree, for help and completion, with the `container`
/// and `image` groups made of the commands they stand for.
pub fn command_tree() -> clap::Command {
    let base = DockerLine::command();
    let mut tree = base.clone();
    // Long forms in a group the grammar has itself (`system events`) join its
    // subcommands (first: clap moves the group it changes to the end).
    for (group, sub, aliases, command, _) in LONG_FORMS.iter().filter(|(g, ..)| !GROUPS.iter().any(|(name, _)| name == g)) {
        if let Some(target) = base.find_subcommand(command) {
            let sub = target.clone().name(*sub).visible_aliases(aliases.iter().copied()).hide(false);
            tree = tree.mut_subcommand(*group, |node| node.subcommand(sub));
        }
    }
    for (group, about) in GROUPS {
        let mut node = clap::Command::new(*group).about(*about).subcommand_required(true).arg_required_else_help(true);
        for (_, sub, aliases, command, own_about) in LONG_FORMS.iter().filter(|(g, ..)| g == group) {
            if let Some(target) = base.find_subcommand(command) {
                let mut sub = target.clone().name(*sub).visible_aliases(aliases.iter().copied()).hide(false);
                if !own_about.is_empty() {
                    sub = sub.about(*own_about);
                }
                node = node.subcommand(sub);
            }
        }
        tree = tree.subcommand(node);
    }
    tree
}

/// Parses the words after `docker`. `docker_span` is where the word `docker` was.
pub fn parse(args: &[Arg], docker_span: Span) -> Result<Parsed, ParseError> {
    let texts = split_run_command(args);
    let argv = |texts: Vec<String>| std::iter::once("docker".to_owned()).chain(texts);
    // The whole tree, groups included, says what is wrong or what help to show…
    if let Err(e) = command_tree().try_get_matches_from(argv(texts.clone())) {
        return match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Ok(Parsed::Help(e.render().to_string().trim_end().to_owned())),
            _ => Err(docker_error(&e, args, docker_span)),
        };
    }
    // …and a valid line is read as the command its long form stands for.
    let command = DockerLine::try_parse_from(argv(fold_long_form(&texts))).map_err(|e| docker_error(&e, args, docker_span.clone()))?.command;
    if let Docker::Create(a) = &command {
        // `create` shares `run`'s flags but one: a created container runs nowhere yet.
        if a.detach {
            return Err(create_has_no_detach(args, docker_span));
        }
    }
    Ok(Parsed::Command(command))
}

/// `docker create -d`: pflag's words for a flag the command does not have.
fn create_has_no_detach(args: &[Arg], docker_span: Span) -> ParseError {
    let is_short_cluster = |t: &str| t.starts_with('-') && !t.starts_with("--") && t.contains('d');
    let flag = args.iter().find(|a| a.text == "--detach" || a.text.starts_with("--detach=") || is_short_cluster(&a.text));
    let message = match flag {
        Some(a) if is_short_cluster(&a.text) => format!("unknown shorthand flag: 'd' in {}", a.text),
        _ => "unknown flag: --detach".to_owned(),
    };
    let span = flag.map_or(docker_span, |a| a.span.clone());
    let path = if args.first().is_some_and(|a| a.text == "container") { "container create" } else { "create" };
    ParseError { message, span, footer: Some(format!("See 'docker {path} --help'.")) }
}

/// Whether a docker command (the words after `docker`) was typed with this
/// flag, in any of its spellings: `-v` or `--volume`, `--cap-drop=ALL`,
/// `-it` for `-t`.
pub fn typed_with_flag(words: &[String], flag: &str) -> bool {
    let args: Vec<Arg> = words.iter().map(|w| Arg { text: w.clone(), span: Span { start: 0, end: 0 } }).collect();
    let texts = fold_long_form(&split_run_command(&args));
    let line = DockerLine::command();
    let Ok(matches) = line.clone().try_get_matches_from(std::iter::once("docker".to_owned()).chain(texts)) else { return false };
    let Some((name, sub)) = matches.subcommand() else { return false };
    let Some(command) = line.find_subcommand(name) else { return false };
    let bare = flag.trim_start_matches('-');
    let is_it = |a: &&clap::Arg| if flag.starts_with("--") { a.get_long() == Some(bare) } else { bare.len() == 1 && a.get_short() == bare.chars().next() };
    let typed = command.get_arguments().find(is_it).is_some_and(|a| sub.value_source(a.get_id().as_str()) == Some(clap::parser::ValueSource::CommandLine));
    typed
}

/// A literal `docker …` line as a typed command (None for other lines).
pub fn parse_literal(line: &str) -> Option<Docker> {
    let script = parse_line(line).ok()?;
    let command = script.first?.commands.into_iter().next()?;
    let words: Vec<Arg> = command
        .words
        .iter()
        .map(|w| {
            let text = w.parts.iter().map(|p| match &p.kind {
                WordPart::Literal(s) => s.clone(),
                _ => String::new(),
            });
            Arg { text: text.collect(), span: w.span.clone() }
        })
        .collect();
    if words.first()?.text != "docker" {
        return None;
    }
    match parse(&words[1..], words[0].span.clone()).ok()? {
        Parsed::Command(c) => Some(c),
        Parsed::Help(_) => None,
    }
}

/// Docker stops reading flags at the image of `docker run` (the container of
/// `docker exec`): everything after it belongs to the command
/// (`docker run busybox ls -la`).
/// clap cannot express that, so a `--` is put after the image.
fn split_run_command(args: &[Arg]) -> Vec<String> {
    let texts: Vec<String> = args.iter().map(|a| a.text.clone()).collect();
    let (name, run_at) = match (texts.first().map(String::as_str), texts.get(1).map(String::as_str)) {
        (Some(n @ ("run" | "create" | "exec")), _) => (n, 1),
        (Some("container"), Some(n @ ("run" | "create" | "exec"))) => (n, 2),
        _ => return texts,
    };
    let tree = command_tree();
    let run = tree.find_subcommand(name).cloned().unwrap_or_else(|| clap::Command::new("run"));
    let takes_value = |flag: &str| -> bool {
        run.get_arguments().any(|a| {
            let action_takes = a.get_action().takes_values();
            action_takes
                && (a.get_long().is_some_and(|l| flag == format!("--{l}"))
                    || a.get_all_aliases().unwrap_or_default().iter().any(|l| flag == format!("--{l}"))
                    || a.get_short().is_some_and(|s| {
                        // `-e`, or a cluster like `-ite` whose last letter takes a value.
                        flag.starts_with('-') && !flag.starts_with("--") && flag.ends_with(s) && !flag.contains('=')
                    }))
        })
    };
    let mut i = run_at;
    while i < texts.len() {
        let t = &texts[i];
        if t == "--" {
            return texts;
        }
        if t.starts_with('-') && t.len() > 1 {
            let inline_value = t.starts_with("--") && t.contains('=');
            i += if !inline_value && takes_value(t) { 2 } else { 1 };
            continue;
        }
        // texts[i] is the image (or container).
        let mut out = texts[..=i].to_vec();
        if i + 1 < texts.len() {
            out.push("--".into());
            out.extend_from_slice(&texts[i + 1..]);
        }
        return out;
    }
    texts
}

fn context_str(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => v.first().cloned(),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        _ => None,
    }
}

/// The subcommand path the error is about (`run`, `container ls` …), for `See 'docker run --help'.`
fn command_path(args: &[Arg]) -> String {
    let tree = command_tree();
    let mut path = Vec::new();
    let mut node = &tree;
    for a in args {
        match node.find_subcommand(&a.text) {
            Some(sub) => {
                path.push(sub.get_name().to_owned());
                node = sub;
            }
            None => break,
        }
    }
    path.join(" ")
}

/// Docker's words for a command given too few or too many arguments
/// (cobra's `ExactArgs`, `RequiresRangeArgs` …), from the positional
/// arguments the command declares; None for a command of any number.
fn arity_message(path: &str) -> Option<String> {
    let tree = command_tree();
    let node = path.split(' ').try_fold(&tree, |n, p| n.find_subcommand(p))?;
    let positionals: Vec<&clap::Arg> = node.get_positionals().collect();
    let fewest = positionals.iter().filter(|a| a.is_required_set()).count();
    let unbounded = positionals.iter().any(|a| matches!(a.get_action(), clap::ArgAction::Append) || a.is_trailing_var_arg_set());
    let most = positionals.len();
    let word = |n: usize| if n == 1 { "argument" } else { "arguments" };
    Some(match (fewest, unbounded) {
        (0, true) => return None,
        (n, true) => format!("\"docker {path}\" requires at least {n} {}.", word(n)),
        (n, false) if n == most => format!("\"docker {path}\" requires exactly {n} {}.", word(n)),
        (0, false) => format!("\"docker {path}\" requires at most {most} {}.", word(most)),
        (n, false) => format!("\"docker {path}\" requires at least {n} and at most {most} {}.", word(most)),
    })
}

fn docker_error(e: &clap::Error, args: &[Arg], docker_span: Span) -> ParseError {
    let mut error = clap_error(e, args, docker_span);
    if error.is_arity_error() {
        // Docker's client (cobra's Args check) closes with the usage and the command's summary.
        let path = command_path(args);
        let tree = command_tree();
        if let Some(node) = path.split(' ').try_fold(&tree, |n, p| n.find_subcommand(p)) {
            let usage = node.clone().render_usage().to_string();
            let usage = usage.trim().trim_start_matches("Usage:").trim();
            let about = node.get_about().map(|a| a.to_string()).unwrap_or_default();
            error.footer = Some(format!("See 'docker {path} --help'.\n\nUsage:  {usage}\n\n{about}"));
        }
    }
    error
}

fn clap_error(e: &clap::Error, args: &[Arg], docker_span: Span) -> ParseError {
    let path = command_path(args);
    let footer = Some(if path.is_empty() { "See 'docker --help'.".to_owned() } else { format!("See 'docker {path} --help'.") });
    let line_end = args.last().map_or(docker_span.end, |a| a.span.end);
    let span_of = |token: &str| -> Span {
        let flag = token.split('=').next().unwrap_or(token);
        args.iter()
            .find(|a| a.text == token || a.text == flag || a.text.starts_with(&format!("{flag}=")))
            .map(|a| a.span.clone())
            .unwrap_or(Span { start: line_end, end: line_end })
    };
    match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let bad = context_str(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            let mut message = if path.is_empty() {
                format!("docker: '{bad}' is not a docker command.")
            } else {
                format!("docker: 'docker {path} {bad}' is not a docker command.")
            };
            // The nearest by edit distance (clap's own pick can prefer `push` for `pss`).
            let tree = command_tree();
            let node = if path.is_empty() { Some(&tree) } else { path.split(' ').try_fold(&tree, |n, p| n.find_subcommand(p)) };
            let names: Vec<String> = node.map(|n| n.get_subcommands().map(|s| s.get_name().to_owned()).collect()).unwrap_or_default();
            if let Some(s) = suggest(&bad, names.iter().map(String::as_str)) {
                message.push_str(&format!(" Did you mean '{s}'?"));
            }
            ParseError { message, span: span_of(&bad), footer }
        }
        ErrorKind::UnknownArgument if context_str(e, ContextKind::InvalidArg).is_some_and(|a| !a.starts_with('-')) => {
            // One word more than the command takes.
            let bad = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let message = arity_message(&path).unwrap_or_else(|| format!("\"docker {path}\" does not take {bad:?}"));
            ParseError { message, span: span_of(&bad), footer }
        }
        ErrorKind::UnknownArgument => {
            let bad = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let flag = bad.split('=').next().unwrap_or(&bad).to_owned();
            let mut message = if flag.starts_with("--") {
                format!("unknown flag: {flag}")
            } else {
                // pflag's words; in a cluster like `-xt` it names the first unknown letter.
                let known: Vec<char> = {
                    let tree = command_tree();
                    let node = path.split(' ').try_fold(&tree, |n, p| n.find_subcommand(p));
                    node.map(|n| n.get_arguments().filter_map(|a| a.get_short()).collect()).unwrap_or_default()
                };
                let letter = flag.trim_start_matches('-').chars().find(|c| !known.contains(c)).unwrap_or('?');
                format!("unknown shorthand flag: '{letter}' in {flag}")
            };
            let suggested = context_str(e, ContextKind::SuggestedArg).or_else(|| {
                let tree = command_tree();
                let node = path.split(' ').try_fold(&tree, |n, p| n.find_subcommand(p));
                let longs: Vec<String> = node.map(|n| n.get_arguments().filter_map(|a| a.get_long().map(|l| format!("--{l}"))).collect()).unwrap_or_default();
                suggest(&flag, longs.iter().map(String::as_str)).map(str::to_owned)
            });
            if let Some(s) = suggested {
                message.push_str(&format!(" (did you mean {s}?)"));
            }
            ParseError { message, span: span_of(&bad), footer }
        }
        ErrorKind::MissingRequiredArgument | ErrorKind::MissingSubcommand | ErrorKind::TooFewValues => {
            let what = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let message = if path.is_empty() {
                "docker: a command is needed, e.g. 'docker run busybox echo hi'".to_owned()
            } else if path.ends_with("exec") {
                format!("\"docker {path}\" requires at least 2 arguments.")
            } else if let Some(message) = arity_message(&path).filter(|_| !path.ends_with("run") && !path.ends_with("create")) {
                message
            } else if what.contains("IMAGE") || what.contains("CONTAINER") || what.contains("NAME") {
                format!("\"docker {path}\" requires at least 1 argument.")
            } else {
                format!("\"docker {path}\" is missing {what}")
            };
            ParseError { message, span: Span { start: line_end, end: line_end }, footer }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation | ErrorKind::NoEquals => {
            let arg = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let value = context_str(e, ContextKind::InvalidValue).unwrap_or_default();
            let flag = arg.split([' ', '<', '[']).next().unwrap_or(&arg).trim_end_matches(',').to_owned();
            let span = if value.is_empty() { span_of(&flag) } else { span_of(&value) };
            // A Go bool flag given a value ParseBool refuses: pflag's words, e.g.
            // `invalid argument "x" for "-H, --human" flag: strconv.ParseBool: parsing "x": invalid syntax`.
            if let Some(why) = std::error::Error::source(e).map(|s| s.to_string()).filter(|s| s.starts_with("strconv.ParseBool")) {
                let tree = command_tree();
                let long = flag.trim_start_matches('-');
                let short = path
                    .split(' ')
                    .try_fold(&tree, |n, p| n.find_subcommand(p))
                    .and_then(|n| n.get_arguments().find(|a| a.get_long() == Some(long)).and_then(|a| a.get_short()));
                let named = short.map_or(flag.clone(), |c| format!("-{c}, {flag}"));
                return ParseError { message: format!("invalid argument \"{value}\" for \"{named}\" flag: {why}"), span, footer };
            }
            let message = if value.is_empty() { format!("flag needs an argument: {flag}") } else { format!("invalid argument \"{value}\" for \"{flag}\"") };
            ParseError { message, span, footer }
        }
        _ => {
            let bad = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let first_line = e.to_string().lines().next().unwrap_or("invalid command").trim_start_matches("error: ").to_owned();
            ParseError { message: format!("docker: {first_line}"), span: span_of(&bad), footer }
        }
    }
}
