//! What the server counts about itself: `/metrics` in the OpenMetrics text
//! format Prometheus scrapes, and the recent windows `/api/stats` reports
//! for people without Prometheus.
//!
//! Every label takes values from a bounded set, so a hostile client cannot
//! grow the series without end: routes are the route table's templates
//! (`unmatched` for everything else), statuses are numbers, store and blob
//! operations are method names, and per-package download series stop at
//! [`MAX_PACKAGE_SERIES`] packages (the rest count under `package="_other"`).

mod layer;
mod recent;
mod timed;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

pub use layer::{record_requests, tag_route};
pub use recent::{ErrorWindow, SearchWindow, WINDOW};
pub use timed::{TimedBlobs, TimedStore};

/// Packages that get a download series of their own; later ones share one.
pub const MAX_PACKAGE_SERIES: usize = 2_000;

/// The route label of a request no route matched (404s, probes).
pub const UNMATCHED: &str = "unmatched";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    route: String,
    class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PackageLabel {
    package: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabel {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RiskLabel {
    risk_level: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Request latencies: 0.25 ms to about 8 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

/// Database and storage calls: 50 µs to about 1.6 s, doubling.
fn operation_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms<RouteLabel>,
    errors: Family<ErrorLabels, Counter>,
    downloads: Family<PackageLabel, Counter>,
    download_series: Mutex<HashSet<String>>,
    uploads: Family<OutcomeLabel, Counter>,
    scans: Family<RiskLabel, Counter>,
    store_seconds: Histograms<OperationLabel>,
    blob_seconds: Histograms<OperationLabel>,
    resident_memory: Gauge,
    database_connections: Family<ConnectionLabel, Gauge>,
    pub search_window: SearchWindow,
    pub error_window: ErrorWindow,
    downloads_since_start: Counter,
    refused_by_scan: Counter,
}

/// The scan pool's live numbers, owned by the pool and read at each scrape.
#[derive(Clone, Default)]
pub struct ScanQueue {
    /// Uploads waiting for a turn on the scan pool.
    pub waiting: Gauge,
    /// Uploads being checked and scanned.
    pub running: Gauge,
}

impl Metrics {
    pub fn new(scan_queue: &ScanQueue) -> Self {
        let mut registry = Registry::with_prefix("revitpy");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency: Histograms<RouteLabel> = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time from request to response headers, by route template (search is `/api/packages/search`)",
            Unit::Seconds,
            latency.clone(),
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register(
            "http_errors",
            "Error answers by route template: class client (4xx) or server (5xx)",
            errors.clone(),
        );
        let downloads = Family::<PackageLabel, Counter>::default();
        registry.register(
            "downloads",
            "Counted downloads (whole-file GETs and CDN redirects) by package since start; past 2000 packages, under `_other`",
            downloads.clone(),
        );
        let uploads = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "uploads",
            "Upload attempts by outcome: published, refused_by_scan, invalid, unauthorized, forbidden, conflict, too_large, busy, error",
            uploads.clone(),
        );
        let scans = Family::<RiskLabel, Counter>::default();
        registry.register("upload_scans", "Security scans of uploads by the report's risk level", scans.clone());
        let store_seconds: Histograms<OperationLabel> = Family::new_with_constructor(operation_histogram);
        registry.register_with_unit(
            "store_operation_duration",
            "Metadata store calls by operation",
            Unit::Seconds,
            store_seconds.clone(),
        );
        let blob_seconds: Histograms<OperationLabel> = Family::new_with_constructor(operation_histogram);
        registry.register_with_unit(
            "storage_operation_duration",
            "Package file storage calls by operation",
            Unit::Seconds,
            blob_seconds.clone(),
        );
        registry.register(
            "scan_queue_waiting",
            "Uploads waiting for a turn on the scan pool",
            scan_queue.waiting.clone(),
        );
        registry.register("scan_queue_running", "Uploads being checked and scanned", scan_queue.running.clone());
        let resident_memory = Gauge::default();
        registry.register_with_unit(
            "process_resident_memory",
            "Resident memory of the server process (from /proc; 0 where there is none)",
            Unit::Bytes,
            resident_memory.clone(),
        );
        let database_connections = Family::<ConnectionLabel, Gauge>::default();
        registry.register(
            "database_connections",
            "PostgreSQL connections of this process: open, idle, waiting (callers waiting for one) and max (DATABASE_POOL_SIZE); absent on SQLite",
            database_connections.clone(),
        );
        let started = Gauge::<i64>::default();
        started
            .set(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
        registry.register_with_unit("process_start_time", "When the server started, Unix time", Unit::Seconds, started);
        registry.register(
            "build",
            "The server's version and build",
            Info::new(vec![
                ("version", env!("CARGO_PKG_VERSION")),
                ("profile", if cfg!(debug_assertions) { "debug" } else { "release" }),
            ]),
        );
        Self {
            registry,
            requests,
            latency,
            errors,
            downloads,
            download_series: Mutex::new(HashSet::new()),
            uploads,
            scans,
            store_seconds,
            blob_seconds,
            resident_memory,
            database_connections,
            search_window: SearchWindow::default(),
            error_window: ErrorWindow::default(),
            downloads_since_start: Counter::default(),
            refused_by_scan: Counter::default(),
        }
    }

    /// One answered request: its route template, method, status and time.
    pub fn request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let route = route.to_owned();
        self.requests.get_or_create(&RequestLabels { route: route.clone(), method: method.to_owned(), status }).inc();
        self.latency.get_or_create(&RouteLabel { route: route.clone() }).observe(elapsed.as_secs_f64());
        let class = match status {
            400..=499 => Some("client"),
            500..=599 => Some("server"),
            _ => None,
        };
        if let Some(class) = class {
            self.errors.get_or_create(&ErrorLabels { route: route.clone(), class }).inc();
        }
        self.error_window.record(status);
        if route == SEARCH_ROUTE {
            self.search_window.record(elapsed);
        }
        // Here, not in the handler: a missing token (401) or an oversized
        // body is answered before the handler runs.
        if route == UPLOAD_ROUTE && method == "POST" {
            self.upload(status);
        }
    }

    /// A counted download of `package` (its normalized name).
    pub fn download(&self, package: &str) {
        self.downloads_since_start.inc();
        let mut series = self.download_series.lock().unwrap_or_else(|p| p.into_inner());
        let own = series.contains(package) || (series.len() < MAX_PACKAGE_SERIES && series.insert(package.to_owned()));
        drop(series);
        let package = if own { package.to_owned() } else { "_other".to_owned() };
        self.downloads.get_or_create(&PackageLabel { package }).inc();
    }

    /// An upload's outcome, from the status it was answered with.
    fn upload(&self, status: u16) {
        let outcome = match status {
            200..=299 => "published",
            400 => "invalid",
            401 => "unauthorized",
            403 => "forbidden",
            409 => "conflict",
            413 => "too_large",
            422 => "refused_by_scan",
            503 => "busy",
            408 | 429 => "client_timeout_or_limit",
            _ => "error",
        };
        if outcome == "refused_by_scan" {
            self.refused_by_scan.inc();
        }
        self.uploads.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// A finished security scan of an upload, refused or not.
    pub fn scanned(&self, risk_level: &'static str) {
        self.scans.get_or_create(&RiskLabel { risk_level }).inc();
    }

    pub(crate) fn store_call(&self, operation: &'static str, elapsed: Duration) {
        self.store_seconds.get_or_create(&OperationLabel { operation }).observe(elapsed.as_secs_f64());
    }

    pub(crate) fn blob_call(&self, operation: &'static str, elapsed: Duration) {
        self.blob_seconds.get_or_create(&OperationLabel { operation }).observe(elapsed.as_secs_f64());
    }

    pub fn downloads_since_start(&self) -> u64 {
        self.downloads_since_start.get()
    }

    pub fn refused_by_scan(&self) -> u64 {
        self.refused_by_scan.get()
    }

    /// The store's connection pool as it is now (called at each scrape).
    pub fn set_database_connections(&self, connections: Option<revitpy_store::Connections>) {
        let Some(c) = connections else { return };
        for (state, n) in [("open", c.open), ("idle", c.idle), ("waiting", c.waiting), ("max", c.max)] {
            self.database_connections.get_or_create(&ConnectionLabel { state }).set(n as i64);
        }
    }

    /// The text a scrape answers (OpenMetrics 1.0, which Prometheus reads).
    pub fn encode(&self) -> String {
        self.resident_memory.set(resident_memory_bytes().unwrap_or(0) as i64);
        let mut text = String::with_capacity(16 * 1024);
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The search route's template: its latencies also feed [`SearchWindow`].
pub const SEARCH_ROUTE: &str = "/api/packages/search";

/// The upload route's template: its answers are upload outcomes.
pub const UPLOAD_ROUTE: &str = "/api/packages/upload";

/// The content type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Resident set size: `VmRSS` in `/proc/self/status`, in kB.
fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_series_stop_at_the_bound() {
        let metrics = Metrics::new(&ScanQueue::default());
        for i in 0..MAX_PACKAGE_SERIES + 100 {
            metrics.download(&format!("package-{i}"));
        }
        metrics.download("package-0");
        let text = metrics.encode();
        let series = text.lines().filter(|l| l.starts_with("revitpy_downloads_total{")).count();
        assert_eq!(series, MAX_PACKAGE_SERIES + 1, "one per package up to the bound, then `_other`");
        assert!(text.contains("revitpy_downloads_total{package=\"_other\"} 100\n"));
        assert!(text.contains("revitpy_downloads_total{package=\"package-0\"} 2\n"));
        assert_eq!(metrics.downloads_since_start(), MAX_PACKAGE_SERIES as u64 + 101);
    }
}
