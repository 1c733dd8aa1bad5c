//! The predicates a step's checks are made of, evaluated on the real
//! runtime and on what the last command really did — never on printed text.

use std::os::unix::fs::FileTypeExt;

use serde::Deserialize;
use whaleshell_runtime::container::{ContainerRecord, Status};
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use crate::grammar::docker::{parse_literal, typed_with_flag, Docker};
use crate::last_command::LastCommand;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    ImageExists(String),
    ImageAbsent(String),
    LastRun(LastRun),
    LastCommand(String),
    LastRefused(String),
    LastProgram(ProgramCheck),
    TypedFlag(String),
    Container(ContainerState),
    Containers(Containers),
    Running(Running),
    NoContainerHasFile(String),
    ContainerHasFile(ContainerFile),
    LastTyped(String),
    VolumeHasFile(VolumeFile),
    LayersShared(Vec<String>),
    LastAws(String),
    EcrRepository(EcrRepository),
    EcrRepositoryAbsent(String),
    EcrImage(EcrImage),
    EcrImageAbsent(EcrImage),
    /// A network of this name, as `docker network ls` lists it.
    NetworkExists(String),
    NetworkAbsent(String),
}

/// `last_program = "curl"`, or with how it must have ended:
/// `last_program = { name = "curl", exit_code = 0 }`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum ProgramCheck {
    Name(String),
    Ended { name: String, exit_code: Option<i32> },
}

/// One container's state, as `docker inspect` shows it. Some of it is
/// reached after the command (a restart, a health check): `lessons check`
/// gives such checks a few seconds to hold.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ContainerState {
    pub name: String,
    /// `created`, `running`, `exited` …
    pub status: Option<String>,
    pub exit_code: Option<i32>,
    /// `.State.OOMKilled`.
    pub oom_killed: Option<bool>,
    /// `.RestartCount`.
    pub restart_count: Option<u32>,
    /// `.State.Health.Status`: `starting`, `healthy`, `unhealthy`.
    pub health: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EcrRepository {
    pub name: String,
    pub scan_on_push: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EcrImage {
    pub repository: String,
    pub tag: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LastRun {
    pub image: Option<String>,
    pub exit_code: Option<i32>,
    /// Text the container wrote on its stdout.
    pub printed: Option<String>,
    /// A whole line the container wrote (a terminal's `\r` aside): `hi`
    /// from `cat`, not the `echo hi > f` a terminal echoes back.
    pub printed_line: Option<String>,
    pub removed: Option<bool>,
    pub tty: Option<bool>,
    pub detached: Option<bool>,
    /// The image was pulled for this run (it was not on the machine).
    pub pulled: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ContainerFile {
    /// The container's name (any container when absent).
    pub name: Option<String>,
    pub path: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Containers {
    pub name: Option<String>,
    pub image: Option<String>,
    pub status: Option<String>,
    /// Exactly this many…
    pub count: Option<usize>,
    /// …or at least this many (a learner's detours may leave more).
    pub at_least: Option<usize>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Running {
    pub name: Option<String>,
    pub image: Option<String>,
    /// The program PID 1 runs: its name (`tail`), or with a space its
    /// whole command line (`sleep 1000`).
    pub pid1: Option<String>,
    /// A container port published on the host (on whatever host port).
    pub port: Option<u16>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VolumeFile {
    pub volume: String,
    pub path: String,
}

/// Same image, whatever way it was named (`busybox`, `busybox:latest`, `docker.io/library/busybox`).
pub fn same_image(a: &str, b: &str) -> bool {
    match (Reference::parse(a), Reference::parse(b)) {
        (Ok(x), Ok(y)) => x.full() == y.full(),
        _ => a == b,
    }
}

impl Check {
    /// Whether the check holds on the runtime's state, after what the last line did.
    pub fn holds(&self, rt: &Runtime, last: &LastCommand) -> bool {
        match self {
            Check::ImageExists(name) => image_present(rt, name),
            Check::ImageAbsent(name) => !image_present(rt, name),
            Check::LastRun(want) => last.run.as_ref().is_some_and(|run| {
                want.image.as_ref().is_none_or(|i| same_image(i, &run.image))
                    && want.exit_code.is_none_or(|c| run.exit_code == Some(c))
                    && want.printed.as_ref().is_none_or(|p| run.output.contains(p.as_str()))
                    && want.printed_line.as_ref().is_none_or(|p| run.output.lines().any(|l| l.trim_end_matches('\r') == p))
                    && want.removed.is_none_or(|r| run.removed == r)
                    && want.tty.is_none_or(|t| run.tty == t)
                    && want.detached.is_none_or(|d| run.detached == d)
                    && want.pulled.is_none_or(|p| run.pulled.is_empty() != p)
            }),
            Check::LastRefused(name) => last.docker.as_ref().is_some_and(|(command, status)| *status != 0 && command.name() == name),
            Check::LastProgram(ProgramCheck::Name(name)) => last.programs.iter().any(|p| p.name == *name),
            Check::LastProgram(ProgramCheck::Ended { name, exit_code }) => {
                last.programs.iter().any(|p| p.name == *name && exit_code.is_none_or(|c| p.status == c))
            }
            Check::TypedFlag(flag) => last.docker.is_some() && typed_with_flag(&last.docker_words(), flag),
            Check::Container(want) => containers(rt).iter().filter(|c| c.name == want.name).any(|c| {
                // What `docker inspect` says, so the check and the learner see the same thing.
                let json = crate::commands::inspect::container_json(rt, c, false);
                let state = &json["State"];
                want.status.as_ref().is_none_or(|s| state["Status"] == s.as_str())
                    && want.exit_code.is_none_or(|code| state["ExitCode"] == code)
                    && want.oom_killed.is_none_or(|oom| state["OOMKilled"] == oom)
                    && want.restart_count.is_none_or(|n| json["RestartCount"] == n)
                    && want.health.as_ref().is_none_or(|h| state["Health"]["Status"] == h.as_str())
            }),
            Check::LastCommand(name) => last.docker.as_ref().is_some_and(|(command, status)| *status == 0 && command.name() == name),
            Check::Containers(want) => {
                let n = containers(rt)
                    .iter()
                    .filter(|c| want.image.as_ref().is_none_or(|i| same_image(i, &c.image)))
                    .filter(|c| want.name.as_ref().is_none_or(|n| *n == c.name))
                    .filter(|c| want.status.as_ref().is_none_or(|s| c.status().as_str() == s))
                    .count();
                want.count.is_none_or(|c| n == c) && want.at_least.is_none_or(|m| n >= m)
            }
            Check::Running(want) => containers(rt).iter().any(|c| {
                c.status() == Status::Running
                    && want.name.as_ref().is_none_or(|n| *n == c.name)
                    && want.image.as_ref().is_none_or(|i| same_image(i, &c.image))
                    && want.pid1.as_ref().is_none_or(|p| {
                        if p.contains(' ') {
                            pid1_command_line(c).as_deref() == Some(p.as_str())
                        } else {
                            pid1_program(c).as_deref() == Some(p.as_str())
                        }
                    })
                    && want.port.is_none_or(|p| c.state.ports.iter().any(|s| s.container_port == p))
            }),
            Check::NoContainerHasFile(path) => containers(rt).iter().all(|c| {
                let upper = rt.layout.container_dir(&c.id).join("upper").join(path.trim_start_matches('/'));
                std::fs::symlink_metadata(upper).is_err()
            }),
            Check::ContainerHasFile(want) => containers(rt).iter().filter(|c| want.name.as_ref().is_none_or(|n| *n == c.name)).any(|c| {
                let upper = rt.layout.container_dir(&c.id).join("upper").join(want.path.trim_start_matches('/'));
                std::fs::symlink_metadata(upper).is_ok_and(|m| !m.file_type().is_char_device())
            }),
            Check::LastTyped(line) => {
                last.docker.as_ref().is_some_and(|(typed, status)| *status == 0 && parse_literal(line).is_some_and(|want| same_command(typed, &want)))
            }
            Check::VolumeHasFile(want) => rt.volumes.data_dir(&want.volume).join(want.path.trim_start_matches('/')).exists(),
            Check::LayersShared(images) => {
                let bottoms: Vec<Option<String>> =
                    images.iter().map(|name| rt.images.resolve(name).ok().and_then(|i| i.layers.first().map(|l| l.diff_id.clone()))).collect();
                bottoms.iter().all(|b| b.is_some() && *b == bottoms[0])
            }
            Check::LastAws(name) => last.aws.as_ref().is_some_and(|(op, status)| *status == 0 && op == name),
            Check::EcrRepository(want) => match ecr::repository(rt, &want.name) {
                Ecr::Found(repo) => want.scan_on_push.is_none_or(|scan| repo["imageScanningConfiguration"]["scanOnPush"] == scan),
                _ => false,
            },
            Check::EcrRepositoryAbsent(name) => matches!(ecr::repository(rt, name), Ecr::Absent),
            Check::EcrImage(want) => matches!(ecr::image(rt, &want.repository, &want.tag), Ecr::Found(_)),
            Check::EcrImageAbsent(want) => matches!(ecr::image(rt, &want.repository, &want.tag), Ecr::Absent),
            Check::NetworkExists(name) => network_present(rt, name),
            Check::NetworkAbsent(name) => !network_present(rt, name),
        }
    }
}

/// A container's state can come after the command that caused it (a
/// restart's back-off, a health check's interval): while a `container`
/// check does not hold yet, wait for it, up to 30 seconds. For `lessons
/// check` and demo mode, where no learner types the next line. Says
/// whether it had to wait.
pub fn settle(checks: &[Check], rt: &Runtime, last: &LastCommand) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let pending = || checks.iter().any(|c| matches!(c, Check::Container(_)) && !c.holds(rt, last));
    let waited = pending();
    while pending() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    waited
}

use ecr::Ecr;

/// What ECR holds, asked the way `aws ecr` asks: the same API calls, to the
/// local lab when it runs on this state root, else to the learner's AWS.
mod ecr {
    use serde_json::Value;
    use whaleshell_ecr::api::{self, AwsError, AwsOptions, EcrCall};
    use whaleshell_ecr::lab;
    use whaleshell_runtime::Runtime;

    pub enum Ecr {
        Found(Value),
        /// The service said it is not there.
        Absent,
        /// No answer (no credentials, no network): neither present nor absent.
        Unknown,
    }

    fn call(rt: &Runtime, call: &EcrCall) -> Result<Value, AwsError> {
        let answer = api::ecr(&AwsOptions::default(), lab::status(&rt.layout).as_ref(), call)?;
        serde_json::from_str(&answer.json).map_err(|e| AwsError::Other(e.to_string()))
    }

    fn not_found(e: &AwsError, code: &str) -> bool {
        matches!(e, AwsError::Service { code: c, .. } if c == code)
    }

    pub fn repository(rt: &Runtime, name: &str) -> Ecr {
        match call(rt, &EcrCall::DescribeRepositories { names: vec![name.to_owned()] }) {
            Ok(v) => v["repositories"].as_array().and_then(|r| r.first()).map_or(Ecr::Absent, |r| Ecr::Found(r.clone())),
            Err(e) if not_found(&e, "RepositoryNotFoundException") => Ecr::Absent,
            Err(_) => Ecr::Unknown,
        }
    }

    pub fn image(rt: &Runtime, repository: &str, tag: &str) -> Ecr {
        match call(rt, &EcrCall::ListImages { repository: repository.to_owned() }) {
            Ok(v) => {
                let ids = v["imageIds"].as_array().cloned().unwrap_or_default();
                ids.into_iter().find(|id| id["imageTag"] == tag).map_or(Ecr::Absent, Ecr::Found)
            }
            Err(e) if not_found(&e, "RepositoryNotFoundException") => Ecr::Absent,
            Err(_) => Ecr::Unknown,
        }
    }
}

fn image_present(rt: &Runtime, name: &str) -> bool {
    rt.images.resolve(name).is_ok()
}

fn network_present(rt: &Runtime, name: &str) -> bool {
    rt.networks.list().unwrap_or_default().iter().any(|n| n.name == name)
}

fn containers(rt: &Runtime) -> Vec<ContainerRecord> {
    rt.containers.list().unwrap_or_default()
}

/// What a failed check saw: each container's name, status and PID 1 program.
pub fn describe_containers(rt: &Runtime) -> String {
    let seen: Vec<String> = containers(rt).iter().map(|c| format!("{} {} pid1={:?}", c.name, c.status().as_str(), pid1_program(c))).collect();
    if seen.is_empty() {
        "none".to_owned()
    } else {
        seen.join(", ")
    }
}

/// The program name of a running container's PID 1, from /proc.
fn pid1_program(c: &ContainerRecord) -> Option<String> {
    let pid = c.state.pid?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let first = cmdline.split(|b| *b == 0).next()?;
    let program = String::from_utf8_lossy(first).into_owned();
    Some(program.rsplit('/').next().unwrap_or(&program).to_owned())
}

/// A running container's PID 1 with its arguments (`sleep 1000`), from /proc.
fn pid1_command_line(c: &ContainerRecord) -> Option<String> {
    let pid = c.state.pid?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let words: Vec<String> = cmdline.split(|b| *b == 0).filter(|w| !w.is_empty()).map(|w| String::from_utf8_lossy(w).into_owned()).collect();
    Some(words.join(" "))
}

/// Two typed commands are the same when they differ only in how images are
/// named (`busybox` = `busybox:latest`) — flag order never mattered to the parse.
pub fn same_command(a: &Docker, b: &Docker) -> bool {
    normalized(a) == normalized(b)
}

fn full(name: &str) -> String {
    Reference::parse(name).map(|r| r.full()).unwrap_or_else(|_| name.to_owned())
}

fn normalized(d: &Docker) -> Docker {
    let mut d = d.clone();
    match &mut d {
        Docker::Run(a) => a.image = full(&a.image),
        Docker::Pull(a) => a.name = full(&a.name),
        Docker::Rmi(a) => a.images = a.images.iter().map(|i| full(i)).collect(),
        _ => {}
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::last_command::{ProgramRun, RunOutcome};

    fn check(toml_line: &str) -> Check {
        #[derive(Deserialize)]
        struct One {
            check: Check,
        }
        toml::from_str::<One>(&format!("check = {toml_line}")).unwrap().check
    }

    #[test]
    fn a_host_program_that_failed_does_not_do_the_step() {
        let root = tempfile::tempdir().unwrap();
        let rt = Runtime::open(root.path()).unwrap();
        let curl = check(r#"{ last_program = { name = "curl", exit_code = 0 } }"#);
        let ran = |status| LastCommand { programs: vec![ProgramRun { name: "curl".into(), status }], ..LastCommand::default() };
        // curl: (56) Recv failure, the failed request lesson 9 once took for a page.
        assert!(!curl.holds(&rt, &ran(56)));
        assert!(curl.holds(&rt, &ran(0)));
        assert!(check(r#"{ last_program = "curl" }"#).holds(&rt, &ran(56)));
    }

    #[test]
    fn a_terminal_echoing_the_typed_command_is_not_its_output() {
        let root = tempfile::tempdir().unwrap();
        let rt = Runtime::open(root.path()).unwrap();
        let hi = check(r#"{ last_run = { printed_line = "hi" } }"#);
        let session = |output: &str| LastCommand { run: Some(RunOutcome { output: output.into(), ..RunOutcome::default() }), ..LastCommand::default() };
        // Lesson 3: the file made but never read back, then read back with cat.
        assert!(!hi.holds(&rt, &session("/ # mkdir /data && echo hi > /data/hello.txt\r\n/ # exit\r\n")));
        assert!(hi.holds(&rt, &session("/ # cat /data/hello.txt\r\nhi\r\n/ # exit\r\n")));
    }

    #[test]
    fn a_network_is_there_once_created_and_gone_once_removed() {
        let root = tempfile::tempdir().unwrap();
        let rt = Runtime::open(root.path()).unwrap();
        let last = LastCommand::default();
        let exists = check(r#"{ network_exists = "shopnet" }"#);
        let absent = check(r#"{ network_absent = "shopnet" }"#);
        assert!(!exists.holds(&rt, &last) && absent.holds(&rt, &last));
        // Docker's predefined ones are always listed.
        assert!(check(r#"{ network_exists = "bridge" }"#).holds(&rt, &last));
        let options = whaleshell_runtime::network::CreateOptions { name: "shopnet".into(), ..Default::default() };
        let made = rt.networks.create(&options).unwrap();
        assert!(exists.holds(&rt, &last) && !absent.holds(&rt, &last));
        rt.networks.remove(&made).unwrap();
        assert!(!exists.holds(&rt, &last) && absent.holds(&rt, &last));
    }
}
