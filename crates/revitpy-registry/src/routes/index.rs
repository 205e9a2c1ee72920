//! What clients sync their offline index from.
//!
//! `GET /api/index/snapshot`: every package with every version, streamed
//! page by page (memory stays flat at any registry size), tagged with the
//! serial read before the first page. A client stores that serial and then
//! follows `/api/changes?since=` and fetches the changed packages with
//! `GET /api/index/packages?names=a,b`. Pages may include changes newer than
//! the serial; applying those changes again is harmless.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use revitpy_api::IndexResponse;
use revitpy_names::PackageName;
use serde::Deserialize;

use super::ApiQuery;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views;

const PAGE: usize = 2_000;
pub const MAX_NAMES: usize = 500;

enum Step {
    Start,
    Page { after: i64, first: bool },
    Done,
}

#[derive(Deserialize)]
pub struct SnapshotParams {
    format: Option<String>,
}

pub async fn snapshot(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<SnapshotParams>,
) -> ApiResult<Response> {
    let compact = match p.format.as_deref() {
        None | Some("json") => false,
        Some("compact") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!("format must be `json` or `compact`, not `{other}`")));
        }
    };
    let serial = state.store.serial().await?;
    if compact {
        return compact_snapshot(state, headers, serial).await;
    }
    let etag = format!("\"snapshot-{serial}\"");
    if let Some(unchanged) = super::not_modified(&headers, &etag) {
        return Ok(unchanged);
    }
    let store = state.store.clone();
    let stream = futures_util::stream::unfold(Step::Start, move |step| {
        let store = store.clone();
        async move {
            match step {
                Step::Start => {
                    let head = format!("{{\"serial\":{serial},\"missing\":[],\"packages\":[");
                    Some((Ok::<Bytes, std::io::Error>(Bytes::from(head)), Step::Page { after: 0, first: true }))
                }
                Step::Page { after, first } => match store.index_page(after, PAGE).await {
                    Err(e) => {
                        tracing::error!(error = %e, "snapshot page failed");
                        Some((Err(std::io::Error::other(e.to_string())), Step::Done))
                    }
                    Ok(page) if page.is_empty() => Some((Ok(Bytes::from_static(b"]}")), Step::Done)),
                    Ok(page) => {
                        let last = page.last().map_or(after, |p| p.package.id);
                        let mut out = Vec::with_capacity(page.len() * 700);
                        for (i, record) in page.into_iter().enumerate() {
                            if !(first && i == 0) {
                                out.push(b',');
                            }
                            serde_json::to_writer(&mut out, &views::index_package(record)).expect("JSON serializes");
                        }
                        Some((Ok(Bytes::from(out)), Step::Page { after: last, first: false }))
                    }
                },
                Step::Done => None,
            }
        }
    });
    Ok(streamed("application/json", &etag, Body::from_stream(stream)))
}

/// `GET /api/index/signed`: the index document at the current serial,
/// signed by the registry's index key (see `revitpy_sign::index`).
pub async fn signed(State(state): State<AppState>) -> ApiResult<Response> {
    let json = state.signing.current(state.store.as_ref()).await?;
    Ok(json_text(json.as_str().to_owned()))
}

/// `GET /api/index/roots`: every root document, oldest first; a client
/// that pinned an older key follows the chain to the current one.
pub async fn roots(State(state): State<AppState>) -> Response {
    json_text(state.signing.roots_json().to_owned())
}

/// A snapshot's answer: its type, its ETag, revalidated on every use.
fn streamed(content_type: &'static str, etag: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, HeaderValue::from_str(etag).expect("ascii")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

fn json_text(text: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        text,
    )
        .into_response()
}

/// The first line of a compact snapshot.
pub const COMPACT_FORMAT: &str = "revitpy-index-lines";
const ZSTD_LEVEL: i32 = 3;
/// The largest compact snapshot kept in memory for the next full syncs
/// (100,000 packages make 13 MB).
const KEEP_AT_MOST: usize = 64 * 1024 * 1024;

/// `?format=compact`: the same entries as JSON lines, compressed with zstd
/// as one frame, flushed page by page (the client decodes while it
/// downloads). First line `{"format":"revitpy-index-lines","version":1,"serial":S}`,
/// then one package per line, last `{"end":true,"packages":N}` so that a
/// cut stream is never taken for a small registry.
async fn compact_snapshot(state: AppState, headers: HeaderMap, serial: i64) -> ApiResult<Response> {
    // Generating one costs the server most of a second of CPU at 100,000
    // packages, and every new client and every `--rebuild-index` asks for
    // one. So the last one is kept, and sent again while it is at most
    // `SNAPSHOT_MAX_LAG` changes behind: its first line names its own
    // serial, and a client follows the change feed from there (a snapshot
    // is a serial's state plus a log, as any "at least as new as S" one is).
    // From half that lag a new one is made in the background, so that
    // clients seldom wait for one; when none kept will do, one being made
    // is waited for (a second one beside it would only halve the speed of
    // both).
    if let Some(kept) = send_kept(&state, &headers, serial) {
        return Ok(kept);
    }
    let serial = if wait_for_background_snapshot(&state).await {
        let serial = state.store.serial().await?;
        if let Some(kept) = send_kept(&state, &headers, serial) {
            return Ok(kept);
        }
        serial
    } else {
        serial
    };
    let etag = format!("\"snapshot-compact-{serial}\"");
    if let Some(unchanged) = super::not_modified(&headers, &etag) {
        return Ok(unchanged);
    }
    let stream = generate_compact(&state, serial)?;
    Ok(streamed("application/zstd", &etag, Body::from_stream(stream)))
}

/// The kept snapshot's answer, if one is kept within the allowed lag of
/// `serial` (starting a new one in the background from half that lag).
fn send_kept(state: &AppState, headers: &HeaderMap, serial: i64) -> Option<Response> {
    let kept = {
        let mut kept = state.compact_snapshot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Ahead of the store: its history was rewritten (a restore), so
        // this snapshot describes a past that never was.
        if kept.as_ref().is_some_and(|(s, _)| *s > serial) {
            *kept = None;
        }
        kept.clone()
    };
    let (kept_serial, chunks) = kept.filter(|(s, _)| serial - *s <= state.snapshot_max_lag)?;
    let lag = serial - kept_serial;
    if lag > 0 && lag.saturating_mul(2) >= state.snapshot_max_lag {
        refresh_compact_snapshot(state);
    }
    let etag = format!("\"snapshot-compact-{kept_serial}\"");
    if let Some(unchanged) = super::not_modified(headers, &etag) {
        return Some(unchanged);
    }
    let chunks = futures_util::stream::iter(chunks.into_iter().map(Ok::<Bytes, std::io::Error>));
    Some(streamed("application/zstd", &etag, Body::from_stream(chunks)))
}

/// Waits (at most 30 s) while a compact snapshot is being made in the
/// background; true when there was one to wait for.
async fn wait_for_background_snapshot(state: &AppState) -> bool {
    use std::sync::atomic::Ordering;
    let made = state.compact_snapshot_made.notified();
    let mut made = std::pin::pin!(made);
    // Registered before the flag is read: an end between the two is not missed.
    made.as_mut().enable();
    if !state.compact_snapshot_running.load(Ordering::SeqCst) {
        return false;
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), made).await;
    true
}

/// Marks a background snapshot finished when dropped, whether it ended,
/// failed or panicked: requests never wait on one that is gone.
struct BackgroundSnapshot(AppState);

impl Drop for BackgroundSnapshot {
    fn drop(&mut self) {
        self.0.compact_snapshot_running.store(false, std::sync::atomic::Ordering::SeqCst);
        self.0.compact_snapshot_made.notify_waiters();
    }
}

/// Makes a compact snapshot at the current serial in the background, to be
/// kept for the next full syncs; one at a time. At start (so the first
/// client does not wait) and when the kept one is half its allowed lag behind.
pub fn refresh_compact_snapshot(state: &AppState) {
    use std::sync::atomic::Ordering;
    if state.compact_snapshot_running.swap(true, Ordering::SeqCst) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let running = BackgroundSnapshot(state.clone());
        let made = async {
            let serial = state.store.serial().await.map_err(|e| e.to_string())?;
            let mut stream =
                std::pin::pin!(generate_compact(&state, serial).map_err(|_| "starting zstd failed".to_owned())?);
            while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
                chunk.map_err(|e| e.to_string())?;
            }
            Ok::<i64, String>(serial)
        };
        match made.await {
            Ok(serial) => tracing::debug!(serial, "compact snapshot made in the background"),
            Err(e) => tracing::warn!(error = %e, "making a compact snapshot in the background failed"),
        }
        drop(running);
    });
}

/// The compact snapshot at `serial`, generated page by page as it is read,
/// and kept (see [`KEEP_AT_MOST`]) once read to its end.
fn generate_compact(
    state: &AppState,
    serial: i64,
) -> ApiResult<impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
    struct Compact {
        encoder: zstd::stream::write::Encoder<'static, Vec<u8>>,
        after: i64,
        count: u64,
        /// What was sent so far, while it fits in [`KEEP_AT_MOST`].
        kept: Option<(Vec<Bytes>, usize)>,
    }
    let cache = state.compact_snapshot.clone();
    let encoder = zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL)
        .map_err(|e| ApiError::internal("starting the compact snapshot", e))?;
    let store = state.store.clone();
    let first = Compact { encoder, after: 0, count: 0, kept: Some((Vec::new(), 0)) };
    Ok(futures_util::stream::unfold(Some((first, true)), move |step| {
        let (store, cache) = (store.clone(), cache.clone());
        async move {
            use std::io::Write;
            let (mut c, start) = step?;
            let fail = |e: String| {
                tracing::error!(error = %e, "compact snapshot failed");
                Some((Err::<Bytes, std::io::Error>(std::io::Error::other(e)), None))
            };
            if start {
                let head = serde_json::json!({ "format": COMPACT_FORMAT, "version": 1, "serial": serial });
                if let Err(e) = writeln!(c.encoder, "{head}") {
                    return fail(e.to_string());
                }
            }
            let page = match store.index_page(c.after, PAGE).await {
                Ok(page) => page,
                Err(e) => return fail(e.to_string()),
            };
            if page.is_empty() {
                let tail = serde_json::json!({ "end": true, "packages": c.count });
                let finished = writeln!(c.encoder, "{tail}").and_then(|()| c.encoder.finish());
                return match finished {
                    Ok(rest) => {
                        let rest = Bytes::from(rest);
                        if let Some((mut chunks, _)) = c.kept.take() {
                            chunks.push(rest.clone());
                            let mut kept = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                            // Two made at once: the newer one stays.
                            if kept.as_ref().is_none_or(|(s, _)| *s <= serial) {
                                *kept = Some((serial, chunks));
                            }
                        }
                        Some((Ok(rest), None))
                    }
                    Err(e) => fail(e.to_string()),
                };
            }
            c.after = page.last().map_or(c.after, |p| p.package.id);
            let mut lines = Vec::with_capacity(page.len() * 700);
            for record in page {
                serde_json::to_writer(&mut lines, &views::index_package(record)).expect("JSON serializes");
                lines.push(b'\n');
                c.count += 1;
            }
            if let Err(e) = c.encoder.write_all(&lines).and_then(|()| c.encoder.flush()) {
                return fail(e.to_string());
            }
            let chunk = Bytes::from(std::mem::take(c.encoder.get_mut()));
            if let Some((chunks, size)) = &mut c.kept {
                *size += chunk.len();
                chunks.push(chunk.clone());
                if *size > KEEP_AT_MOST {
                    c.kept = None;
                }
            }
            Some((Ok(chunk), Some((c, false))))
        }
    }))
}

#[derive(Deserialize)]
pub struct BatchParams {
    names: Option<String>,
}

pub async fn packages(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<BatchParams>,
) -> ApiResult<Json<IndexResponse>> {
    let text = p.names.unwrap_or_default();
    let asked: Vec<&str> = text.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    if asked.is_empty() {
        return Err(ApiError::bad_request("names is required: a comma-separated list of package names"));
    }
    if asked.len() > MAX_NAMES {
        return Err(ApiError::bad_request(format!("at most {MAX_NAMES} names per request")));
    }
    let mut normalized = Vec::with_capacity(asked.len());
    for name in &asked {
        let n = PackageName::new(name).map_err(|e| ApiError::bad_request(e.to_string()))?;
        normalized.push(n.normalized().to_owned());
    }
    normalized.sort();
    normalized.dedup();
    let serial = state.store.serial().await?;
    let records = state.store.index_packages(&normalized).await?;
    let missing =
        normalized.iter().filter(|n| !records.iter().any(|r| &r.package.normalized_name == *n)).cloned().collect();
    Ok(Json(IndexResponse { serial, packages: records.into_iter().map(views::index_package).collect(), missing }))
}
