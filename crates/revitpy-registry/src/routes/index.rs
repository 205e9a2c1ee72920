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
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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

pub async fn snapshot(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let serial = state.store.serial().await?;
    let etag = format!("\"snapshot-{serial}\"");
    if headers.get(header::IF_NONE_MATCH).and_then(|h| h.to_str().ok()).is_some_and(|h| h.trim() == etag) {
        return Ok(
            (StatusCode::NOT_MODIFIED, [(header::ETAG, HeaderValue::from_str(&etag).expect("ascii"))]).into_response()
        );
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
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::ETAG, HeaderValue::from_str(&etag).expect("ascii")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Body::from_stream(stream),
    )
        .into_response())
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
