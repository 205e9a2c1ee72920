//! Keeps the derived search index in step with the store.
//!
//! The store is the truth; the index is rebuilt from it by `reindex` and fed
//! by this task from the store's change feed: the index records the serial
//! it has caught up to, and each round applies the packages changed since.
//! Publish and yank ask for a round and wait for it: a round stages the
//! changes on the index's writer without committing, and the next search
//! commits whatever is staged before it runs, so a search right after a
//! publish sees it while a bulk of publishes with no search between them
//! shares one commit (a tantivy commit costs milliseconds of CPU whatever
//! it holds). Requests that arrive together share one round. The task
//! also polls the change feed twice a second, which is how a replica whose
//! neighbour published stays current (searchable here within half a
//! second), and commits what is still staged then, so the folder a restart
//! finds is never more than a poll period behind (the rest is replayed
//! from the store's change feed).
//!
//! The server's index commits without fsync (`Durability::Checkpoints`):
//! the store is what must survive a power cut, and the index proves on open
//! that it is intact or is rebuilt. When no round has run for two seconds,
//! and when the task stops, it checkpoints (syncs) the index so that the
//! next start skips that check.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use revitpy_search::{SearchDoc, SearchIndex};
use revitpy_store::{PackageWithLatest, Store, StoreError};
use tokio::sync::{mpsc, oneshot, watch};

#[derive(Clone)]
pub struct Indexer {
    tx: mpsc::Sender<Request>,
    /// True once the catch-up at start has run (see [`Indexer::ready`]).
    ready: watch::Receiver<bool>,
}

struct Request {
    done: oneshot::Sender<()>,
}

pub struct IndexerTask {
    rx: mpsc::Receiver<Request>,
    store: Arc<dyn Store>,
    index: Arc<SearchIndex>,
    ready: watch::Sender<bool>,
}

/// Changes read from the feed per round when catching up.
const CATCH_UP_BATCH: usize = 5_000;
/// How often the change feed is read: a package another replica published
/// is searchable here within this (one indexed query when nothing changed).
const POLL: Duration = Duration::from_millis(500);
/// Polls without a round before what the rounds wrote is synced to disk.
const QUIET_POLLS_BEFORE_SYNC: u32 = 4;

impl Indexer {
    pub fn new(store: Arc<dyn Store>, index: Arc<SearchIndex>) -> (Self, IndexerTask) {
        let (tx, rx) = mpsc::channel(1024);
        let (ready_tx, ready) = watch::channel(false);
        (Self { tx, ready }, IndexerTask { rx, store, index, ready: ready_tx })
    }

    /// Waits until the catch-up at start has run. The folder a restart finds
    /// may be behind the store (changes staged but not committed before a
    /// crash, or an index being rebuilt), so a search waits for this rather
    /// than miss an acknowledged version; afterwards it costs nothing.
    pub async fn ready(&self) {
        let mut ready = self.ready.clone();
        // An error means the task is gone (shutdown): nothing to wait for.
        let _ = ready.wait_for(|r| *r).await;
    }

    /// Brings the index up to the store and waits until searches see it.
    pub async fn catch_up(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Request { done }).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// The index's document for a package: its latest version (the store's
/// choice by the one `latest` rule), with the words and years the index
/// filters on as its plain values.
pub fn search_doc(p: &PackageWithLatest) -> SearchDoc {
    let r = &p.latest.release;
    SearchDoc {
        normalized_name: p.package.normalized_name.clone(),
        name: p.package.name.clone(),
        summary: r.summary.clone(),
        description: r.description.clone(),
        keywords: r.keywords.clone(),
        categories: r.categories.clone(),
        package_type: r.package_type.as_str().to_owned(),
        min_revit: r.revit_range.min().map(revitpy_names::RevitYear::get),
        max_revit: r.revit_range.max().map(revitpy_names::RevitYear::get),
        downloads: p.package.download_count,
    }
}

/// Rebuilds the whole index from the store.
pub async fn rebuild(store: &dyn Store, index: &Arc<SearchIndex>) -> Result<usize, StoreError> {
    let serial = store.serial().await?;
    let mut docs = Vec::new();
    let mut after = 0;
    loop {
        let page = store.all_packages_with_latest(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.package.id;
        docs.extend(page.iter().map(search_doc));
    }
    let count = docs.len();
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.rebuild(docs, serial))
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
        .map_err(|e| StoreError::Database(format!("search index: {e}")))?;
    Ok(count)
}

impl IndexerTask {
    pub async fn run(mut self) {
        if let Err(e) = self.catch_up().await {
            tracing::error!(error = %e, "search index catch-up failed");
        }
        // Searches wait for this even if it failed: the polls retry, and a
        // registry whose index cannot be read should still answer.
        self.ready.send_replace(true);
        let mut poll = tokio::time::interval(POLL);
        let mut wrote_since_tick = false;
        let mut quiet_polls = 0u32;
        loop {
            tokio::select! {
                first = self.rx.recv() => {
                    let Some(first) = first else { break };
                    let mut batch = vec![first];
                    while let Ok(more) = self.rx.try_recv() {
                        batch.push(more);
                    }
                    let started = std::time::Instant::now();
                    if let Err(e) = self.catch_up().await {
                        tracing::error!(error = %e, "search index update failed; the next round retries");
                    }
                    tracing::debug!(
                        requests = batch.len(),
                        elapsed_us = started.elapsed().as_micros() as u64,
                        "search index round"
                    );
                    for r in batch {
                        let _ = r.done.send(());
                    }
                    wrote_since_tick = true;
                }
                _ = poll.tick() => {
                    // A neighbour's publish, read from the feed, is activity too.
                    let caught_up = match self.catch_up().await {
                        Ok(wrote) => wrote,
                        Err(e) => {
                            tracing::error!(error = %e, "search index catch-up failed");
                            false
                        }
                    };
                    self.commit().await;
                    // Quiet for a while: sync what the rounds wrote.
                    let active = std::mem::take(&mut wrote_since_tick) || caught_up;
                    quiet_polls = if active { 0 } else { quiet_polls + 1 };
                    if quiet_polls == QUIET_POLLS_BEFORE_SYNC {
                        self.checkpoint().await;
                    }
                }
            }
        }
        self.commit().await;
        self.checkpoint().await;
    }

    /// Commits what rounds staged and no search has committed yet, so that
    /// the folder (what a restart finds) stays within a poll period.
    async fn commit(&self) {
        let index = self.index.clone();
        match tokio::task::spawn_blocking(move || index.refresh()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "search index commit failed; the next round replays"),
            Err(e) => tracing::error!(error = %e, "search index commit failed"),
        }
    }

    async fn checkpoint(&self) {
        if !self.index.has_unsynced_writes() {
            return;
        }
        let index = self.index.clone();
        match tokio::task::spawn_blocking(move || index.checkpoint()).await {
            Ok(Ok(())) => tracing::debug!("search index synced to disk"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "search index checkpoint failed; the next start verifies the index")
            }
            Err(e) => tracing::warn!(error = %e, "search index checkpoint failed"),
        }
    }

    /// Re-reads `names` from the store and stages them with `serial` as
    /// caught up: the next search commits them (see `SearchIndex::stage`).
    async fn refresh(&self, names: BTreeSet<String>, serial: i64) -> Result<(), StoreError> {
        let names: Vec<String> = names.into_iter().collect();
        let found = self.store.packages_with_latest(&names).await?;
        let upsert: Vec<SearchDoc> = found.iter().map(search_doc).collect();
        let remove: Vec<String> =
            names.iter().filter(|n| !found.iter().any(|p| &p.package.normalized_name == *n)).cloned().collect();
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.stage(&upsert, &remove, serial))
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?
            .map_err(|e| StoreError::Database(format!("search index: {e}")))
    }

    /// Brings the index up to the store's serial; true when it wrote.
    async fn catch_up(&self) -> Result<bool, StoreError> {
        let store_serial = self.store.serial().await?;
        match self.index.indexed_serial() {
            None => {
                if store_serial > 0 || !self.index.is_empty() {
                    let started = std::time::Instant::now();
                    let n = rebuild(self.store.as_ref(), &self.index).await?;
                    tracing::info!(
                        packages = n,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "search index rebuilt"
                    );
                    return Ok(true);
                }
                Ok(false)
            }
            Some(indexed) if indexed < store_serial => {
                let mut since = indexed;
                loop {
                    let changes = self.store.changes_since(since, CATCH_UP_BATCH).await?;
                    let Some(last) = changes.last() else { break };
                    since = last.serial;
                    let names: BTreeSet<String> = changes.into_iter().map(|c| c.name).collect();
                    self.refresh(names, since).await?;
                }
                Ok(true)
            }
            Some(indexed) if indexed > store_serial => {
                // The store went back (a restore): the index cannot be trusted.
                tracing::warn!(indexed, store_serial, "search index is ahead of the store; rebuilding");
                rebuild(self.store.as_ref(), &self.index).await?;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }
}
