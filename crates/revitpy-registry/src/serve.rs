//! Running the server: state, background tasks, graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request};
use revitpy_blobs::BlobStore;
use revitpy_store::Store;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::Parts;
use crate::auth::hash_token;
use crate::connections::{ConnectionLimits, serve_connections};
use crate::downloads::DownloadCounter;
use crate::indexer::Indexer;
use crate::metrics::{Metrics, TimedBlobs, TimedStore, record_requests};
use crate::routes::build_router;
use crate::scans::ScanPool;
use crate::state::AppState;

pub struct Options {
    pub admin_token: Option<String>,
    pub max_upload_bytes: u64,
    pub cdn_base_url: Option<String>,
    /// Uploads with a scan finding at or above this severity get 422
    /// (`SCAN_BLOCK_SEVERITY`, default critical); `None` refuses nothing.
    pub scan_block: Option<revitpy_scan::report::Severity>,
    /// `/metrics`, request counting and store timing (`METRICS`, default on).
    pub metrics: bool,
    /// Changes a kept compact snapshot may lag (`SNAPSHOT_MAX_LAG`).
    pub snapshot_max_lag: u64,
}

/// What hostile or merely slow clients may hold: connections and their
/// timeouts, and the scan pool's size and queue.
#[derive(Debug, Clone)]
pub struct Limits {
    pub connections: ConnectionLimits,
    pub scan_threads: usize,
    pub scan_concurrency: usize,
    pub scan_queue_timeout: Duration,
    /// Uploads, searches and token creation per address and token; off in
    /// the default (embedding), `serve`'s settings have their own defaults.
    pub rate_limits: crate::ratelimit::RateLimits,
    /// Rate-limit buckets shared with other replicas (`REDIS_URL`).
    pub shared_limits: Option<Arc<crate::shared_limits::SharedLimits>>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connections: ConnectionLimits::default(),
            scan_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            scan_concurrency: 2,
            scan_queue_timeout: Duration::from_secs(30),
            rate_limits: crate::ratelimit::RateLimits::default(),
            shared_limits: None,
        }
    }
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        Some(RequestId::new(format!("{n:x}").parse().expect("hex is a valid header")))
    }
}

/// Every error answer is `{"detail": ...}`, whoever produced it: a handler
/// (already JSON), or a layer or extractor that answers in plain text (a
/// body limit, a timeout). New plain-text errors cannot slip through.
async fn json_errors(response: axum::response::Response) -> axum::response::Response {
    use axum::http::header;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Plain-text error bodies are a line or two; more is not read.
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).trim().to_owned());
    let detail = match text {
        Ok(t) if !t.is_empty() => t,
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let body = serde_json::json!({ "detail": detail }).to_string();
    axum::response::Response::from_parts(parts, axum::body::Body::from(body))
}

/// Adds request ids, one log line per request (method, path, status,
/// latency, request id), and JSON errors everywhere.
pub fn with_layers(router: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    router
        .layer(axum::middleware::map_response(json_errors))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(|res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_secs_f64() * 1000.0,
                        "answered"
                    );
                })
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, Counter::default()))
}

/// Serves until `shutdown` resolves, then finishes requests in flight,
/// flushes download counts and stops the indexer; with the default [`Limits`].
pub async fn serve(
    listener: TcpListener,
    parts: Parts,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, parts, options, Limits::default(), shutdown).await
}

/// [`serve`] with explicit limits.
pub async fn serve_with(
    listener: TcpListener,
    parts: Parts,
    options: Options,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let scans = ScanPool::new(limits.scan_threads, limits.scan_concurrency, limits.scan_queue_timeout)?;
    let metrics = Arc::new(Metrics::new(&scans.queue));
    let (store, blobs): (Arc<dyn Store>, Arc<dyn BlobStore>) = if options.metrics {
        (
            Arc::new(TimedStore::new(parts.store, metrics.clone())),
            Arc::new(TimedBlobs::new(parts.blobs, metrics.clone())),
        )
    } else {
        (parts.store, parts.blobs)
    };
    let signing = crate::index_signing::IndexSigning::start(store.as_ref(), parts.index_key, parts.index_expiry)
        .await
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    let signing = Arc::new(signing);
    {
        // The digests of a large registry take a moment to build: before
        // the first client asks, not while it waits.
        let (signing, store) = (signing.clone(), store.clone());
        tokio::spawn(async move {
            if let Err(e) = signing.warm(store.as_ref()).await {
                tracing::warn!(error = %e, "building the signed index failed; the first request tries again");
            }
        });
    }
    let (downloads, counter_task) = DownloadCounter::new(store.clone());
    let (indexer, indexer_task) = Indexer::new(store.clone(), parts.search.clone());
    let counter = tokio::spawn(counter_task.run());
    let indexing = tokio::spawn(indexer_task.run());
    let state = AppState {
        store,
        blobs,
        search: parts.search,
        indexer,
        downloads,
        admin_token_hash: options.admin_token.filter(|t| !t.is_empty()).map(|t| hash_token(&t)),
        max_upload_bytes: options.max_upload_bytes,
        cdn_base_url: options.cdn_base_url.filter(|u| !u.is_empty()),
        scan_block: options.scan_block,
        scans,
        started: std::time::Instant::now(),
        metrics: metrics.clone(),
        metrics_enabled: options.metrics,
        rate_limiter: Arc::new(
            crate::ratelimit::RateLimiter::new(limits.rate_limits.clone()).with_shared(limits.shared_limits.clone()),
        ),
        index_commit: Arc::new(tokio::sync::Mutex::new(())),
        signing,
        compact_snapshot: Arc::default(),
        snapshot_max_lag: i64::try_from(options.snapshot_max_lag).unwrap_or(i64::MAX),
        compact_snapshot_running: Arc::default(),
        compact_snapshot_made: Arc::default(),
    };
    // The first full sync should not wait for a snapshot to be made.
    crate::routes::index::refresh_compact_snapshot(&state);
    let mut app = with_layers(build_router(state));
    if options.metrics {
        // Outside every other layer: it sees the final status of each answer.
        app = app.layer(axum::middleware::from_fn_with_state(metrics, record_requests));
    }
    // A body that goes quiet for REQUEST_BODY_TIMEOUT fails its request.
    let app = app.layer(RequestBodyTimeoutLayer::new(limits.connections.body_read_timeout));
    serve_connections(listener, app, &limits.connections, shutdown).await;
    // The router (and every sender it held) is gone: the tasks drain and stop.
    let _ = counter.await;
    let _ = indexing.await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C on Windows).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
