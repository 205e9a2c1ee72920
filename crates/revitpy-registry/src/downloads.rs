//! Download counts, recorded without making a download wait.
//!
//! Each counted download sends its version id down a channel; one task adds
//! them up and writes them in a single transaction every half second, so
//! thousands of downloads cost one write. On shutdown the task flushes what
//! it holds.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use revitpy_store::Store;
use tokio::sync::mpsc;

#[derive(Clone)]
pub struct DownloadCounter {
    tx: mpsc::UnboundedSender<i64>,
}

pub struct CounterTask {
    rx: mpsc::UnboundedReceiver<i64>,
    store: Arc<dyn Store>,
}

impl DownloadCounter {
    pub fn new(store: Arc<dyn Store>) -> (Self, CounterTask) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx }, CounterTask { rx, store })
    }

    pub fn record(&self, version_id: i64) {
        // The task only stops at shutdown; a count lost then is acceptable.
        let _ = self.tx.send(version_id);
    }
}

impl CounterTask {
    /// Runs until every sender is dropped, flushing on the way out.
    pub async fn run(mut self) {
        let mut pending: HashMap<i64, u64> = HashMap::new();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tokio::select! {
                id = self.rx.recv() => match id {
                    Some(id) => *pending.entry(id).or_default() += 1,
                    None => break,
                },
                _ = tick.tick() => self.flush(&mut pending).await,
            }
        }
        self.flush(&mut pending).await;
    }

    async fn flush(&self, pending: &mut HashMap<i64, u64>) {
        if pending.is_empty() {
            return;
        }
        let batch: Vec<(i64, u64)> = pending.drain().collect();
        if let Err(e) = self.store.add_downloads(&batch).await {
            tracing::error!(error = %e, "could not record download counts; keeping them for the next try");
            for (id, n) in batch {
                *pending.entry(id).or_default() += n;
            }
        }
    }
}
