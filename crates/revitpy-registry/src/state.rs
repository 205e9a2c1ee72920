//! What every handler shares.

use std::sync::Arc;

use revitpy_blobs::BlobStore;
use revitpy_search::SearchIndex;
use revitpy_store::Store;

use crate::downloads::DownloadCounter;
use crate::indexer::Indexer;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub search: Arc<SearchIndex>,
    pub indexer: Indexer,
    pub downloads: DownloadCounter,
    pub admin_token_hash: Option<String>,
    pub max_upload_bytes: u64,
    pub cdn_base_url: Option<String>,
    /// Uploads with a scan finding at or above this severity are refused
    /// (`SCAN_BLOCK_SEVERITY`; `None` refuses nothing).
    pub scan_block: Option<revitpy_scan::report::Severity>,
    /// Where uploads are checked and scanned (never tokio's blocking pool).
    pub scans: crate::scans::ScanPool,
    pub started: std::time::Instant,
    /// Counted always (atomics); served at `/metrics` and timed per store
    /// call only when `metrics_enabled` (`METRICS`, default on).
    pub metrics: Arc<crate::metrics::Metrics>,
    pub metrics_enabled: bool,
    pub rate_limiter: Arc<crate::ratelimit::RateLimiter>,
    /// One commit of staged index changes at a time; searches that find
    /// changes staged wait here without holding a thread (see
    /// `routes::search::commit_staged`).
    pub index_commit: Arc<tokio::sync::Mutex<()>>,
    /// Signs the index clients sync (`/api/index/signed`, `/api/index/roots`).
    pub signing: Arc<crate::index_signing::IndexSigning>,
    /// The last compact snapshot served whole, by serial: the next full
    /// sync at that serial is sent from memory (see `routes::index`).
    pub compact_snapshot: Arc<std::sync::Mutex<Option<KeptSnapshot>>>,
    /// How many changes behind the current serial a kept snapshot may be
    /// and still be sent (`SNAPSHOT_MAX_LAG`).
    pub snapshot_max_lag: i64,
    /// A compact snapshot is being made in the background; its end is
    /// announced on `compact_snapshot_made`.
    pub compact_snapshot_running: Arc<std::sync::atomic::AtomicBool>,
    pub compact_snapshot_made: Arc<tokio::sync::Notify>,
}

/// A compact snapshot's serial and the chunks it was sent in.
pub type KeptSnapshot = (i64, Vec<bytes::Bytes>);
