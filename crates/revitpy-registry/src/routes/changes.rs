//! `GET /api/changes?since=N&limit=M`: the change feed clients sync from.
//!
//! Every publish, yank, unyank and owner change has a serial; a client that
//! remembers the last serial it saw asks only for what came after. The ETag
//! is the registry serial, so an unchanged registry answers 304 with no body.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use revitpy_api::{ChangeInfo, ChangesResponse};
use serde::Deserialize;

use super::ApiQuery;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const DEFAULT_LIMIT: usize = 1_000;
const MAX_LIMIT: usize = 10_000;

#[derive(Deserialize)]
pub struct Params {
    since: Option<String>,
    limit: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<Params>,
) -> ApiResult<Response> {
    let since: i64 = match p.since.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(s) => s
            .parse()
            .ok()
            .filter(|n: &i64| *n >= 0)
            .ok_or_else(|| ApiError::bad_request(format!("since must be a serial (0 or more), not `{s}`")))?,
    };
    let limit: usize = match p.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(s) => s
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("limit must be a whole number, not `{s}`")))?
            .clamp(1, MAX_LIMIT),
    };
    let serial = state.store.serial().await?;
    let etag = format!("\"serial-{serial}-since-{since}\"");
    if let Some(unchanged) = super::not_modified(&headers, &etag) {
        return Ok(unchanged);
    }
    let mut changes = state.store.changes_since(since, limit + 1).await?;
    let more = changes.len() > limit;
    changes.truncate(limit);
    let body = ChangesResponse {
        serial,
        more,
        changes: changes
            .into_iter()
            .map(|c| ChangeInfo { serial: c.serial, name: c.name, kind: c.kind, version: c.version, at: c.at })
            .collect(),
    };
    Ok((
        [
            (header::ETAG, HeaderValue::from_str(&etag).expect("ascii")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Json(body),
    )
        .into_response())
}
