//! Restart policies (`docker run --restart`), as Docker 20.10's restart
//! manager decides them: whether a container whose PID 1 exited is started
//! again, and after what back-off. The monitor applies them (see
//! `monitor`): a restart is a fresh monitor, spawned by the one whose PID 1
//! exited, that waits out the back-off and starts the container again.

use std::os::fd::AsFd;
use std::time::Duration;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::SignalFd;
use serde::{Deserialize, Serialize};

use crate::container::{ContainerStore, Status};

/// Docker's `HostConfig.RestartPolicy.Name`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartName {
    #[default]
    No,
    OnFailure,
    Always,
    UnlessStopped,
}

/// Docker's `HostConfig.RestartPolicy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartPolicy {
    pub name: RestartName,
    /// `on-failure:N`: at most N restarts; 0 is no maximum.
    #[serde(default)]
    pub max_retries: u32,
}

/// Docker's first back-off, doubled at each restart up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(60);
/// A container that ran this long starts its back-off over.
const RESET_AFTER: Duration = Duration::from_secs(10);

/// Why a `--restart` value is refused: Docker's client's words (`Format`)
/// or its daemon's (`Invalid`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("invalid restart policy format: {0}")]
    Format(&'static str),
    #[error("{0}")]
    Invalid(String),
}

impl RestartPolicy {
    /// `--restart no|on-failure[:N]|always|unless-stopped`, checked as
    /// Docker's client parses it and its daemon validates it.
    pub fn parse(text: &str) -> Result<RestartPolicy, PolicyError> {
        // Split once, as Docker's client: `a:b:c` has the count `b:c`.
        let parts: Vec<&str> = text.splitn(2, ':').collect();
        let count = match parts.get(1) {
            Some(n) => Some(n.parse::<i64>().map_err(|_| PolicyError::Format("maximum retry count must be an integer"))?),
            None => None,
        };
        let name = match parts[0] {
            "" | "no" => RestartName::No,
            "on-failure" => RestartName::OnFailure,
            "always" => RestartName::Always,
            "unless-stopped" => RestartName::UnlessStopped,
            other => return Err(PolicyError::Invalid(format!("invalid restart policy '{other}'"))),
        };
        let count = count.unwrap_or(0);
        if name != RestartName::OnFailure && count != 0 {
            return Err(PolicyError::Invalid(format!("maximum retry count cannot be used with restart policy '{}'", parts[0])));
        }
        if count < 0 {
            return Err(PolicyError::Invalid("maximum retry count cannot be negative".into()));
        }
        Ok(RestartPolicy { name, max_retries: u32::try_from(count).unwrap_or(u32::MAX) })
    }

    /// The name as inspect shows it.
    pub fn name_str(&self) -> &'static str {
        match self.name {
            RestartName::No => "no",
            RestartName::OnFailure => "on-failure",
            RestartName::Always => "always",
            RestartName::UnlessStopped => "unless-stopped",
        }
    }

    pub fn is_none(&self) -> bool {
        self.name == RestartName::No
    }

    /// Whether a container whose PID 1 exited with `exit_code` starts again:
    /// Docker's `ShouldRestart`. `stopped` is a `docker stop`/`kill` (which
    /// also ends the loop of `always`: see the monitor); `restarts` is how
    /// often it was restarted since the user last started it.
    pub fn should_restart(&self, exit_code: i32, stopped: bool, restarts: u32) -> bool {
        match self.name {
            RestartName::No => false,
            RestartName::Always => true,
            RestartName::UnlessStopped => !stopped,
            RestartName::OnFailure => exit_code != 0 && (self.max_retries == 0 || restarts < self.max_retries),
        }
    }

    /// Whether a container comes back when the engine next opens its state
    /// after a reboot, as Docker's come back with the daemon (its restore
    /// asks `ShouldRestart` with a fresh restart manager, so `always`
    /// comes back even after a `docker stop`, `unless-stopped` does not).
    pub fn restores_after_reboot(&self, exit_code: i32, stopped: bool, restarts: u32) -> bool {
        self.should_restart(exit_code, stopped, restarts)
    }
}

/// The back-off before the next restart, given the previous one and how
/// long the container ran: 100 ms, doubling, at most a minute, and back to
/// 100 ms after a run of 10 s or more.
pub fn next_delay(previous: Duration, ran: Duration) -> Duration {
    let previous = if ran >= RESET_AFTER { Duration::ZERO } else { previous };
    let next = if previous.is_zero() { FIRST_DELAY } else { previous * 2 };
    next.min(MAX_DELAY)
}

/// This boot of the machine (/proc/sys/kernel/random/boot_id): recorded
/// when a container starts, so the engine can tell later that the machine
/// went down under it.
pub fn boot_id() -> Option<String> {
    static BOOT_ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BOOT_ID.get_or_init(|| std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok().map(|s| s.trim().to_owned())).clone()
}

/// The restarting monitor's wait: the back-off the record holds, cut
/// short by a SIGTERM from [`ContainerStore::end_restart_loop`]. Then,
/// under the state lock, either the container is left exited (a stop came
/// meanwhile, or it was removed: false) or the monitor goes on to start it.
pub(crate) fn wait_back_off(store: &ContainerStore, id: &str) -> bool {
    let delay = store.get(id).map(|r| Duration::from_millis(r.state.restart_delay_ms)).unwrap_or(FIRST_DELAY);
    let mut set = SigSet::empty();
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGINT);
    let signals = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None).ok().and_then(|()| SignalFd::new(&set).ok());
    match signals {
        Some(signals) => {
            let mut fds = [PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
            let timeout = PollTimeout::try_from(delay).unwrap_or(PollTimeout::MAX);
            let _ = poll(&mut fds, timeout);
        }
        // No signalfd: the back-off still holds, only a stop waits for its end.
        None => std::thread::sleep(delay),
    }
    let mut go = false;
    let _ = store.update(id, |r| {
        r.state.restart_waiting = false;
        if r.state.manually_stopped {
            r.state.status = Some(Status::Exited);
            r.state.monitor_pid = None;
            r.state.monitor_start = None;
        } else {
            go = true;
        }
    });
    if go {
        // The container's init is forked from this process: it must start with no signal blocked.
        let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
    }
    go
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_docker() {
        assert_eq!(RestartPolicy::parse("no"), Ok(RestartPolicy::default()));
        assert_eq!(RestartPolicy::parse("on-failure:3"), Ok(RestartPolicy { name: RestartName::OnFailure, max_retries: 3 }));
        assert_eq!(RestartPolicy::parse("unless-stopped").map(|p| p.name), Ok(RestartName::UnlessStopped));
        let err = |t: &str| RestartPolicy::parse(t).unwrap_err().to_string();
        assert_eq!(err("bogus"), "invalid restart policy 'bogus'");
        assert_eq!(err("on-failure:x"), "invalid restart policy format: maximum retry count must be an integer");
        assert_eq!(err("always:3"), "maximum retry count cannot be used with restart policy 'always'");
        assert_eq!(err("on-failure:-1"), "maximum retry count cannot be negative");
    }

    #[test]
    fn decides_as_docker() {
        let on_failure = RestartPolicy { name: RestartName::OnFailure, max_retries: 2 };
        assert!(on_failure.should_restart(3, false, 1));
        assert!(!on_failure.should_restart(3, false, 2));
        assert!(!on_failure.should_restart(0, false, 0));
        let unless = RestartPolicy { name: RestartName::UnlessStopped, max_retries: 0 };
        assert!(!unless.should_restart(0, true, 0));
    }

    #[test]
    fn backs_off_as_docker() {
        let short = Duration::from_secs(1);
        assert_eq!(next_delay(Duration::ZERO, short), Duration::from_millis(100));
        assert_eq!(next_delay(Duration::from_millis(100), short), Duration::from_millis(200));
        assert_eq!(next_delay(Duration::from_secs(40), short), Duration::from_secs(60));
        assert_eq!(next_delay(Duration::from_secs(40), Duration::from_secs(10)), Duration::from_millis(100));
    }
}
