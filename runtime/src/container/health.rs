//! Health checks (`--health-cmd`, the image's HEALTHCHECK) as Docker
//! 20.10's daemon runs them: the check is an exec in the container, one
//! interval after the start and one interval after each check ends; a
//! success makes the container healthy, `retries` failures in a row
//! (outside the start period) unhealthy. The monitor runs them from its
//! single-threaded poll loop (see `session`): a [`Checker`] says when it
//! next wants to wake, starts the exec helper as a child process, reads its
//! output from a pipe and reaps it; no thread is ever started around
//! libcontainer's forks.

use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::container::exec::{self, ExecRequest};
use crate::container::helper::MonitorHandle;
use crate::container::{ContainerRecord, ContainerStore};
use crate::events;
pub use crate::image::config::Healthcheck;
use crate::layout::Layout;

/// Docker's defaults for a zero interval, timeout and retries.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_RETRIES: u64 = 3;
/// Docker keeps the last 5 results, and 4 KiB of each one's output.
const MAX_LOG_ENTRIES: usize = 5;
const MAX_OUTPUT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Starting,
    Healthy,
    Unhealthy,
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Starting => "starting",
            HealthStatus::Healthy => "healthy",
            HealthStatus::Unhealthy => "unhealthy",
        }
    }

    /// As `docker ps` shows it after `Up …`: `health: starting`, `healthy`.
    pub fn ps_text(self) -> &'static str {
        match self {
            HealthStatus::Starting => "health: starting",
            other => other.as_str(),
        }
    }
}

/// Docker's `State.Health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    pub failing_streak: u64,
    pub log: Vec<HealthResult>,
}

/// One check's result, as Docker's `HealthcheckResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResult {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// 0 healthy, anything else a failure; -1 when it timed out or could not run.
    pub exit_code: i64,
    pub output: String,
}

/// The container's health check: the user's (`--health-*`) over the
/// image's, field by field, as Docker's daemon merges them.
pub fn merge(user: Option<Healthcheck>, image: Option<Healthcheck>) -> Option<Healthcheck> {
    match (user, image) {
        (None, image) => image,
        (Some(user), None) => Some(user),
        (Some(mut user), Some(image)) => {
            if user.test.is_empty() {
                user.test = image.test;
            }
            let keep = |mine: &mut u64, theirs: u64| {
                if *mine == 0 {
                    *mine = theirs;
                }
            };
            keep(&mut user.interval, image.interval);
            keep(&mut user.timeout, image.timeout);
            keep(&mut user.start_period, image.start_period);
            keep(&mut user.retries, image.retries);
            Some(user)
        }
    }
}

/// The command a check runs: `CMD args…` as given, `CMD-SHELL cmd` under
/// the image's SHELL (`/bin/sh -c` without one), as Docker's; None for
/// `NONE` or no test (no checks, no `State.Health`).
pub fn probe(check: &Healthcheck, shell: Option<&[String]>) -> Option<Vec<String>> {
    let (kind, rest) = check.test.split_first()?;
    match kind.as_str() {
        "CMD" if !rest.is_empty() => Some(rest.to_vec()),
        "CMD-SHELL" if !rest.is_empty() => {
            let default = ["/bin/sh".to_owned(), "-c".to_owned()];
            let shell = shell.filter(|s| !s.is_empty()).unwrap_or(&default);
            Some(shell.iter().cloned().chain([rest.join(" ")]).collect())
        }
        _ => None,
    }
}

/// Whether the container has checks to run.
pub fn has_probe(check: Option<&Healthcheck>) -> bool {
    check.and_then(|c| probe(c, None)).is_some()
}

/// What a new run of the container starts with: `starting`, no failures,
/// the log of earlier runs kept (as Docker's initHealthMonitor).
pub fn on_start(previous: Option<Health>) -> Health {
    Health { status: HealthStatus::Starting, failing_streak: 0, log: previous.map(|h| h.log).unwrap_or_default() }
}

/// Applies one result (Docker's handleProbeResult); the new status when it changed.
pub fn apply(health: &mut Health, check: &Healthcheck, started_at: Option<DateTime<Utc>>, result: HealthResult) -> Option<HealthStatus> {
    let old = health.status;
    let retries = if check.retries == 0 { DEFAULT_RETRIES } else { check.retries };
    let healthy = result.exit_code == 0;
    let since_start = started_at.map_or(Duration::MAX, |s| (result.start - s).to_std().unwrap_or(Duration::ZERO));
    health.log.push(result);
    if health.log.len() > MAX_LOG_ENTRIES {
        health.log.drain(..health.log.len() - MAX_LOG_ENTRIES);
    }
    if healthy {
        health.failing_streak = 0;
        health.status = HealthStatus::Healthy;
    } else if !(old == HealthStatus::Starting && since_start < Duration::from_nanos(check.start_period)) {
        // Failures in the start period of a container never healthy yet do not count.
        health.failing_streak += 1;
        if health.failing_streak >= retries {
            health.status = HealthStatus::Unhealthy;
        }
    }
    (health.status != old).then_some(health.status)
}

fn nanos_or(nanos: u64, default: Duration) -> Duration {
    if nanos == 0 {
        default
    } else {
        Duration::from_nanos(nanos)
    }
}

/// A check under way: the exec helper, its output pipe, when it started.
struct Running {
    helper: MonitorHandle,
    output: Option<OwnedFd>,
    bytes: Vec<u8>,
    start: DateTime<Utc>,
    deadline: Instant,
    exec_id: String,
}

/// The monitor's side of a container's health checks.
pub struct Checker {
    layout: Layout,
    id: String,
    check: Healthcheck,
    args: Vec<String>,
    started_at: Option<DateTime<Utc>>,
    next: Instant,
    running: Option<Running>,
}

impl Checker {
    /// The checks of a container that has just started; None when it has none.
    pub(crate) fn new(layout: &Layout, record: &ContainerRecord) -> Option<Checker> {
        let check = record.config.healthcheck.clone()?;
        let images = crate::image::store::ImageStore::new(layout.clone());
        let image = images.get(&record.image_id).ok().flatten();
        let shell = image.and_then(|i| images.container_config(&i).ok()).and_then(|c| c.shell);
        let args = probe(&check, shell.as_deref())?;
        let interval = nanos_or(check.interval, DEFAULT_INTERVAL);
        Some(Checker {
            layout: layout.clone(),
            id: record.id.clone(),
            args,
            started_at: record.state.started_at,
            next: Instant::now() + interval,
            check,
            running: None,
        })
    }

    /// How long the monitor may sleep before [`Self::service`] has work.
    pub(crate) fn wake_in(&self) -> Duration {
        let at = self.running.as_ref().map_or(self.next, |r| r.deadline);
        at.saturating_duration_since(Instant::now())
    }

    /// The running check's output, for the monitor's poll.
    pub(crate) fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.running.as_ref().and_then(|r| r.output.as_ref()).map(|o| o.as_fd())
    }

    /// Reads output, finishes a check that ended or timed out, starts one that is due.
    pub(crate) fn service(&mut self) {
        self.read_output();
        let now = Instant::now();
        if let Some(running) = &mut self.running {
            match running.helper.child.try_wait() {
                Ok(Some(status)) => {
                    let code = status.code().map_or(-1, i64::from);
                    self.finish(code, None);
                }
                Ok(None) if now >= running.deadline => {
                    let _ = running.helper.child.kill();
                    let _ = running.helper.child.wait();
                    let timeout = nanos_or(self.check.timeout, DEFAULT_TIMEOUT);
                    let said = format!("Health check exceeded timeout ({})", crate::go_time::format_duration(timeout.as_nanos() as u64));
                    self.finish(-1, Some(said));
                }
                Ok(None) => {}
                Err(_) => self.finish(-1, None),
            }
        } else if now >= self.next {
            self.start();
        }
    }

    /// PID 1 exited: a check under way is abandoned (its process dies with the container).
    pub(crate) fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            let _ = running.helper.child.kill();
            let _ = running.helper.child.wait();
        }
    }

    fn read_output(&mut self) {
        let Some(running) = &mut self.running else { return };
        let Some(fd) = &running.output else { return };
        let mut file = match fd.try_clone() {
            Ok(fd) => std::fs::File::from(fd),
            Err(_) => return,
        };
        let mut buf = [0u8; 4096];
        loop {
            match file.read(&mut buf) {
                Ok(0) => {
                    running.output = None;
                    return;
                }
                Ok(n) => {
                    let room = MAX_OUTPUT.saturating_sub(running.bytes.len());
                    running.bytes.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return, // WouldBlock: more later
            }
        }
    }

    fn start(&mut self) {
        let request = ExecRequest { args: self.args.clone(), ..ExecRequest::default() };
        let start = Utc::now();
        let pipe = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC);
        let spawned = pipe.ok().and_then(|(read, write)| {
            let _ = nix::fcntl::fcntl(read.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK));
            let err = write.try_clone().ok()?;
            let helper = exec::spawn(&self.layout, &self.id, &request, (Stdio::null(), Stdio::from(write), Stdio::from(err))).ok()?;
            Some((helper, read))
        });
        let timeout = nanos_or(self.check.timeout, DEFAULT_TIMEOUT);
        let exec_id = super::new_id();
        // Docker logs a check's exec as any other.
        let store = ContainerStore::new(self.layout.clone());
        if let Ok(record) = store.get(&self.id) {
            let (program, rest) = self.args.split_first().map_or(("", &[][..]), |(p, r)| (p.as_str(), r));
            let command = format!("{program} {}", rest.join(" "));
            for action in ["exec_create", "exec_start"] {
                events::log(&self.layout, record.event(&format!("{action}: {command}")).with("execID", exec_id.clone()));
            }
        }
        match spawned {
            Some((helper, output)) => {
                self.running = Some(Running { helper, output: Some(output), bytes: Vec::new(), start, deadline: Instant::now() + timeout, exec_id });
            }
            None => {
                self.record(HealthResult { start, end: Utc::now(), exit_code: -1, output: "the health check could not be started".into() }, &exec_id);
                self.next = Instant::now() + nanos_or(self.check.interval, DEFAULT_INTERVAL);
            }
        }
    }

    fn finish(&mut self, code: i64, said: Option<String>) {
        self.read_output();
        let Some(mut running) = self.running.take() else { return };
        // A check the exec helper could not start says why on its status pipe.
        let mut output = String::from_utf8_lossy(&running.bytes).into_owned();
        if said.is_none() && code != 0 && output.is_empty() {
            while let Some(event) = running.helper.events.next_event() {
                if let crate::container::helper::MonitorEvent::Failed { message, .. } = event {
                    output = message;
                }
            }
        }
        let result = HealthResult { start: running.start, end: Utc::now(), exit_code: code, output: said.unwrap_or(output) };
        self.record(result, &running.exec_id);
        self.next = Instant::now() + nanos_or(self.check.interval, DEFAULT_INTERVAL);
    }

    fn record(&self, result: HealthResult, exec_id: &str) {
        let code = result.exit_code;
        let store = ContainerStore::new(self.layout.clone());
        let mut changed = None;
        let updated = store.update(&self.id, |r| {
            let health = r.state.health.get_or_insert_with(|| on_start(None));
            changed = apply(health, &self.check, self.started_at, result);
        });
        if let Ok(Some(record)) = updated {
            events::log(&self.layout, record.event("exec_die").with("execID", exec_id).with("exitCode", code.to_string()));
            if let Some(status) = changed {
                events::log(&self.layout, record.event(&format!("health_status: {}", status.as_str())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(code: i64) -> HealthResult {
        HealthResult { start: Utc::now(), end: Utc::now(), exit_code: code, output: String::new() }
    }

    #[test]
    fn turns_healthy_then_unhealthy_after_retries() {
        let check = Healthcheck { test: vec!["CMD-SHELL".into(), "true".into()], retries: 2, ..Default::default() };
        let mut health = on_start(None);
        assert_eq!(apply(&mut health, &check, None, result(0)), Some(HealthStatus::Healthy));
        assert_eq!(apply(&mut health, &check, None, result(1)), None);
        assert_eq!(apply(&mut health, &check, None, result(1)), Some(HealthStatus::Unhealthy));
        assert_eq!(health.failing_streak, 2);
        for _ in 0..5 {
            apply(&mut health, &check, None, result(0));
        }
        assert_eq!((health.status, health.failing_streak, health.log.len()), (HealthStatus::Healthy, 0, 5));
    }

    #[test]
    fn start_period_failures_do_not_count() {
        let check = Healthcheck { test: vec!["CMD".into(), "false".into()], retries: 1, start_period: 60_000_000_000, ..Default::default() };
        let mut health = on_start(None);
        assert_eq!(apply(&mut health, &check, Some(Utc::now()), result(1)), None);
        assert_eq!((health.status, health.failing_streak), (HealthStatus::Starting, 0));
    }

    #[test]
    fn merges_and_probes_as_docker() {
        let image = Healthcheck { test: vec!["CMD".into(), "true".into()], interval: 5, retries: 4, ..Default::default() };
        let user = Healthcheck { interval: 1, ..Default::default() };
        let merged = merge(Some(user), Some(image)).unwrap();
        assert_eq!((merged.test.clone(), merged.interval, merged.retries), (vec!["CMD".to_owned(), "true".to_owned()], 1, 4));
        let shell_check = Healthcheck { test: vec!["CMD-SHELL".into(), "exit 1".into()], ..Default::default() };
        assert_eq!(probe(&shell_check, None).unwrap(), ["/bin/sh", "-c", "exit 1"]);
        assert_eq!(probe(&shell_check, Some(&["/bin/ash".to_owned(), "-ec".to_owned()])).unwrap(), ["/bin/ash", "-ec", "exit 1"]);
        assert_eq!(probe(&Healthcheck { test: vec!["NONE".into()], ..Default::default() }, None), None);
    }
}
