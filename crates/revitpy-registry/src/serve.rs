//! Running the server: state, background tasks, graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::app::Parts;
use crate::auth::hash_token;
use crate::downloads::DownloadCounter;
use crate::indexer::Indexer;
use crate::routes::build_router;
use crate::state::AppState;

pub struct Options {
    pub admin_token: Option<String>,
    pub max_upload_bytes: u64,
    pub cdn_base_url: Option<String>,
    /// Uploads with a scan finding at or above this severity get 422
    /// (`SCAN_BLOCK_SEVERITY`, default critical); `None` refuses nothing.
    pub scan_block: Option<revitpy_scan::report::Severity>,
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        Some(RequestId::new(format!("{n:x}").parse().expect("hex is a valid header")))
    }
}

/// Adds request ids and one log line per request (method, path, status,
/// latency, request id).
pub fn with_layers(router: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    router
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
/// flushes download counts and stops the indexer.
pub async fn serve(
    listener: TcpListener,
    parts: Parts,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (downloads, counter_task) = DownloadCounter::new(parts.store.clone());
    let (indexer, indexer_task) = Indexer::new(parts.store.clone(), parts.search.clone());
    let counter = tokio::spawn(counter_task.run());
    let indexing = tokio::spawn(indexer_task.run());
    let state = AppState {
        store: parts.store,
        blobs: parts.blobs,
        search: parts.search,
        indexer,
        downloads,
        admin_token_hash: options.admin_token.filter(|t| !t.is_empty()).map(|t| hash_token(&t)),
        max_upload_bytes: options.max_upload_bytes,
        cdn_base_url: options.cdn_base_url.filter(|u| !u.is_empty()),
        scan_block: options.scan_block,
        started: std::time::Instant::now(),
    };
    let app = with_layers(build_router(state));
    // Without TCP_NODELAY a streamed body waits on Nagle and the client's
    // delayed ACK: 40 ms per download.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
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
