//! Where uploads are checked and scanned: a thread pool of their own behind
//! a fixed number of turns.
//!
//! Checking and scanning a package is CPU-bound and can take seconds. On
//! tokio's blocking pool (4 threads, shared with every database read) four
//! scan-heavy uploads made `GET /api/packages/NAME` wait 10.7 s instead of
//! 2 ms. Here scans run on their own rayon pool (the scanner's parallel
//! file loop runs inside it too), at most `concurrency` uploads hold a turn
//! at once, and an upload that cannot get a turn within `queue_timeout` is
//! answered 503 with `Retry-After`, so no request waits without bound and
//! reads never wait for scans at all.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::service::ServiceError;

#[derive(Clone)]
pub struct ScanPool {
    pool: Arc<rayon::ThreadPool>,
    turns: Arc<Semaphore>,
    queue_timeout: Duration,
    /// Waiting and running uploads, for `/metrics`.
    pub queue: crate::metrics::ScanQueue,
}

/// One upload's right to use the pool; released when dropped.
pub struct ScanTurn {
    pool: Arc<rayon::ThreadPool>,
    _permit: OwnedSemaphorePermit,
    running: prometheus_client::metrics::gauge::Gauge,
}

impl Drop for ScanTurn {
    fn drop(&mut self) {
        self.running.dec();
    }
}

/// One upload in the waiting count while it lives.
struct Waiting<'a>(&'a prometheus_client::metrics::gauge::Gauge);

impl<'a> Waiting<'a> {
    fn new(gauge: &'a prometheus_client::metrics::gauge::Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl ScanPool {
    pub fn new(threads: usize, concurrency: usize, queue_timeout: Duration) -> std::io::Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("scan-{i}"))
            // The parsers recurse over syntax trees; the scanner bounds their
            // depth, and this leaves room to spare in any build.
            .stack_size(16 * 1024 * 1024)
            // A panic in a job is caught in `ScanTurn::run`; this only keeps
            // rayon from aborting the process if one ever escapes.
            .panic_handler(|_| tracing::error!("a scan thread panicked"))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Self {
            pool: Arc::new(pool),
            turns: Arc::new(Semaphore::new(concurrency.clamp(1, Semaphore::MAX_PERMITS))),
            queue_timeout,
            queue: crate::metrics::ScanQueue::default(),
        })
    }

    /// Waits for a turn, at most `queue_timeout`; then 503 with Retry-After.
    pub async fn turn(&self) -> Result<ScanTurn, ServiceError> {
        let acquire = self.turns.clone().acquire_owned();
        // Counted down on every way out, also when the client goes away
        // while it waits (this future is then dropped).
        let waiting = Waiting::new(&self.queue.waiting);
        let acquired = tokio::time::timeout(self.queue_timeout, acquire).await;
        drop(waiting);
        match acquired {
            Ok(permit) => {
                self.queue.running.inc();
                Ok(ScanTurn {
                    pool: self.pool.clone(),
                    _permit: permit.expect("the semaphore is never closed"),
                    running: self.queue.running.clone(),
                })
            }
            Err(_) => Err(ServiceError::Busy {
                detail: "the registry is busy scanning other uploads; retry this upload shortly (SCAN_CONCURRENCY)"
                    .to_owned(),
                retry_after: self.queue_timeout.as_secs().clamp(1, 60),
            }),
        }
    }
}

impl ScanTurn {
    /// Runs `job` on the scan pool and waits for it without holding a tokio
    /// thread. A panic in the job is an internal error for this upload only.
    pub async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(job)));
        });
        match rx.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => {
                let cause = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                Err(ServiceError::internal(what, cause))
            }
            Err(_) => Err(ServiceError::internal(what, "the scan thread stopped")),
        }
    }
}
