//! Progress on a terminal: a spinner on stderr naming the stage at work, shown
//! only when stderr is a terminal and the run has taken more than a second, so
//! quick runs and piped or redirected output stay untouched.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::Observer;

/// How long a run goes before progress appears.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    /// Set when the run is over; guards the switch from hidden to shown, so a
    /// bar cleared at the end is never drawn again.
    done: Arc<Mutex<bool>>,
}

impl Progress {
    /// Starts the clock; `enabled` is false when nothing may be drawn.
    pub fn start(enabled: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let done = Arc::new(Mutex::new(false));
        if enabled {
            let (bar, done) = (bar.clone(), Arc::clone(&done));
            // Detached: it sleeps at most a second and exits.
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                if let Ok(done) = done.lock() {
                    if !*done {
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        bar.enable_steady_tick(Duration::from_millis(120));
                    }
                }
            });
        }
        Progress { bar, done }
    }

    /// The run is over: whatever was drawn is erased.
    pub fn finish(&self) {
        if let Ok(mut done) = self.done.lock() {
            *done = true;
            self.bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn step(&self, what: &'static str, len: Option<usize>) {
        let message = match what {
            "load" => "reading files",
            "render" => "rendering kustomizations",
            "identity" => "checking object identities",
            "validate" => "validating",
            "lint" => "linting",
            "schedule" => "scheduling",
            other => other,
        };
        let template = match len {
            Some(_) => "{spinner} {msg} {pos}/{len} [{elapsed}]",
            None => "{spinner} {msg} [{elapsed}]",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style);
        }
        self.bar.set_message(message);
        self.bar.set_length(len.unwrap_or(0) as u64);
        self.bar.set_position(0);
    }

    fn done_one(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
