//! Ctrl-C for the commands that run until it (`docker stats` without
//! `--no-stream`, `docker events` without `--until`). Docker's CLI simply
//! dies of SIGINT; the shell must not, so while such a command runs, SIGINT
//! only sets a flag the command looks at between its steps.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// The exit status of a command the user stopped with Ctrl-C (128 + SIGINT).
pub const STATUS: i32 = 130;

/// SIGINT caught while this lives; the handler before it is put back on drop.
pub struct Interrupts {
    saved: Option<SigAction>,
}

impl Interrupts {
    pub fn catch() -> Interrupts {
        INTERRUPTED.store(false, Ordering::SeqCst);
        let action = SigAction::new(SigHandler::Handler(on_interrupt), SaFlags::empty(), SigSet::empty());
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        let saved = unsafe { sigaction(Signal::SIGINT, &action) }.ok();
        Interrupts { saved }
    }

    pub fn happened(&self) -> bool {
        INTERRUPTED.load(Ordering::SeqCst)
    }

    /// Waits `time`, or less when Ctrl-C comes first; false then.
    pub fn wait(&self, time: Duration) -> bool {
        let until = Instant::now() + time;
        loop {
            if self.happened() {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            // Short steps: a signal between the look and the sleep is seen at the next one.
            std::thread::sleep((until - now).min(Duration::from_millis(50)));
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        if let Some(old) = &self.saved {
            // SAFETY: restores the handler that was installed before.
            let _ = unsafe { sigaction(Signal::SIGINT, old) };
        }
    }
}
