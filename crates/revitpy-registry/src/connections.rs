//! The accept loop: HTTP/1 connections with a deadline on everything a
//! client controls.
//!
//! `axum::serve` has no timer: a client that opens connections and never
//! finishes its headers holds them forever, and one such connection kept the
//! server alive 20 s past SIGTERM. Here each connection is served by hyper
//! with a header-read timeout (which also closes connections idle between
//! requests: hyper starts the same timer while it waits for the next
//! request), request bodies time out between frames (a layer in
//! `serve::with_limits`), at most `max_connections` are served at once, and
//! shutdown closes what is left after a deadline.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::settings::ConnectionArgs;

/// The connection limits, in the units the code uses.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(15),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

impl From<&ConnectionArgs> for ConnectionLimits {
    fn from(a: &ConnectionArgs) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(a.request_header_timeout),
            body_read_timeout: Duration::from_secs(a.request_body_timeout),
            max_connections: usize::try_from(a.max_connections).unwrap_or(usize::MAX),
            shutdown_timeout: Duration::from_secs(a.shutdown_timeout),
        }
    }
}

/// Accepts and serves connections until `shutdown` resolves; then stops
/// accepting, lets requests in flight finish for `shutdown_timeout`, and
/// closes the rest. Returns once every connection task has ended, so every
/// clone of `app` is dropped.
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let graceful = GracefulShutdown::new();
    let mut tasks = JoinSet::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    let mut full_warned = false;
    loop {
        // Reap finished connections so the set stays small.
        while tasks.try_join_next().is_some() {}
        // At the ceiling, stop accepting: new clients wait in the kernel's
        // backlog until a connection closes (timeouts make sure one does).
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if !full_warned {
                    tracing::warn!(max = limits.max_connections, "MAX_CONNECTIONS reached; new connections wait");
                    full_warned = true;
                }
                tokio::select! {
                    p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
                    () = &mut shutdown => break,
                }
            }
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then retry,
                    // rather than spin or stop serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        full_warned = false;
        // Without TCP_NODELAY a streamed body waits on Nagle and the client's
        // delayed ACK: 40 ms per download.
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let app = app.clone();
            async move {
                let mut req = req.map(Body::new);
                // The peer's address, for rate limits per client.
                req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                Ok::<_, Infallible>(app.oneshot(req).await.unwrap_or_else(|e| match e {}))
            }
        });
        let connection = builder.serve_connection(TokioIo::new(tcp), service);
        let connection = graceful.watch(connection);
        tasks.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = tasks.len();
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown()).await.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            of = open,
            "connections still open after SHUTDOWN_TIMEOUT; closing them"
        );
    }
    tasks.shutdown().await;
}
