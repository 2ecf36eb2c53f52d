//! One periodic-job runner for every background job: each job runs a round at its own
//! interval (a busy job, like the outbox, runs again at once while it finds work), logs a
//! line for each round that did something, and stops cleanly: `shutdown` lets a round in
//! progress finish, so that nothing it did goes unrecorded.

use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What one round of a job did: how many things, and a line for the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Done {
    pub count: usize,
    pub summary: String,
}

impl Done {
    pub fn nothing() -> Self {
        Self::default()
    }
    pub fn of(count: usize, summary: impl Into<String>) -> Self {
        Self {
            count,
            summary: summary.into(),
        }
    }
}

type Round = Arc<dyn Fn() -> BoxFuture<'static, Result<Done, String>> + Send + Sync>;

/// How a job is scheduled.
#[derive(Debug, Clone, Copy)]
pub enum Every {
    /// A round, then this pause.
    Interval(Duration),
    /// Rounds back to back while each finds work; this pause when one finds none.
    WhileBusy(Duration),
}

/// The running jobs.
pub struct Runner {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

impl Runner {
    pub fn new() -> Self {
        Self {
            stop: watch::channel(false).0,
            tasks: Vec::new(),
        }
    }

    /// Run `round` on the schedule `every` until shutdown.
    pub fn add<F, Fut>(&mut self, name: &'static str, every: Every, round: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Done, String>> + Send + 'static,
    {
        let round: Round = Arc::new(move || Box::pin(round()));
        let mut stop = self.stop.subscribe();
        let task = tokio::spawn(async move {
            while !*stop.borrow() {
                let outcome = round().await;
                if outcome.is_ok() {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64());
                    metrics::gauge!("baraza_job_last_success_timestamp_seconds", "job" => name)
                        .set(now);
                }
                let pause = match outcome {
                    Ok(done) if done.count > 0 => {
                        tracing::info!(job = name, count = done.count, "{}", done.summary);
                        match every {
                            Every::WhileBusy(_) => continue,
                            Every::Interval(d) => d,
                        }
                    }
                    Ok(_) => match every {
                        Every::Interval(d) | Every::WhileBusy(d) => d,
                    },
                    Err(e) => {
                        tracing::warn!(job = name, error = %e, "round failed");
                        match every {
                            Every::Interval(d) | Every::WhileBusy(d) => d,
                        }
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => {}
                }
            }
        });
        self.tasks.push((name, task));
    }

    /// The names of the jobs running.
    pub fn jobs(&self) -> Vec<&'static str> {
        self.tasks.iter().map(|(n, _)| *n).collect()
    }

    /// Stop every job after its round in progress, and wait for them.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for (name, task) in self.tasks {
            if let Err(e) = task.await {
                tracing::warn!(job = name, error = %e, "job ended abnormally");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn rounds_repeat_and_stop_cleanly() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let mut runner = Runner::new();
        let r = rounds.clone();
        runner.add(
            "count",
            Every::Interval(Duration::from_secs(60)),
            move || {
                let r = r.clone();
                async move {
                    let n = r.fetch_add(1, Ordering::SeqCst);
                    Ok(Done::of(n % 2, "counted"))
                }
            },
        );
        tokio::time::sleep(Duration::from_secs(60 * 3 + 1)).await;
        assert_eq!(rounds.load(Ordering::SeqCst), 4);
        assert_eq!(runner.jobs(), vec!["count"]);
        runner.shutdown().await;
        let after = rounds.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(rounds.load(Ordering::SeqCst), after);
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_job_runs_again_at_once() {
        let left = Arc::new(AtomicUsize::new(5));
        let mut runner = Runner::new();
        let l = left.clone();
        runner.add(
            "drain",
            Every::WhileBusy(Duration::from_secs(2)),
            move || {
                let l = l.clone();
                async move {
                    let n = l.load(Ordering::SeqCst);
                    if n > 0 {
                        l.store(n - 1, Ordering::SeqCst);
                    }
                    Ok(Done::of(usize::from(n > 0), "drained one"))
                }
            },
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(left.load(Ordering::SeqCst), 0);
        runner.shutdown().await;
    }
}
