//! The whole API in one route table, one module per resource.

mod changes;
mod download;
mod extract;
pub(crate) mod index;
mod keys;
mod multipart;
mod owners;
mod packages;
mod search;
mod system;
mod tokens;
pub(crate) mod upload;
mod yank;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post, put};

pub use extract::{ApiBytes, ApiJson, ApiPath, ApiQuery};

/// A 304 carrying `etag` when the request's `If-None-Match` names it (the
/// change feed's and the snapshots' conditional GETs).
pub(crate) fn not_modified(headers: &axum::http::HeaderMap, etag: &str) -> Option<axum::response::Response> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let asked = headers.get(header::IF_NONE_MATCH).and_then(|h| h.to_str().ok());
    asked.is_some_and(|h| h.trim() == etag).then(|| {
        (StatusCode::NOT_MODIFIED, [(header::ETAG, HeaderValue::from_str(etag).expect("ascii"))]).into_response()
    })
}

use crate::error::ApiError;
use crate::state::AppState;

/// Every route: method, path, handler. The OpenAPI document
/// ([`crate::openapi`]) lists the same set, and `tests/openapi.rs` checks
/// that the two agree.
pub fn build_router(state: AppState) -> Router {
    Router::new()
        .route("/", get(system::root))
        .route("/health", get(system::health))
        .route("/api/stats", get(system::stats))
        .route("/metrics", get(system::metrics))
        .route("/api/openapi.json", get(system::openapi))
        .route("/api/changes", get(changes::list))
        .route("/api/index/snapshot", get(index::snapshot))
        .route("/api/index/packages", get(index::packages))
        .route("/api/index/signed", get(index::signed))
        .route("/api/index/roots", get(index::roots))
        .route("/api/tokens", post(tokens::create).get(tokens::list))
        .route("/api/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/api/keys", post(keys::add).get(keys::list))
        .route("/api/keys/{id}", axum::routing::delete(keys::revoke))
        .route("/api/packages/{name}/signing", put(keys::signing))
        .route("/api/packages/search", get(search::search))
        // The upload reads its body itself, with its own limits.
        .route("/api/packages/upload", post(upload::upload))
        .route("/api/packages/{name}", get(packages::details))
        .route("/api/packages/{name}/compatibility", get(packages::compatibility))
        .route("/api/packages/{name}/owners", get(owners::list).put(owners::add).delete(owners::remove))
        .route("/api/packages/{name}/{version}/download", get(download::download))
        .route("/api/packages/{name}/{version}/yank", put(yank::yank))
        .route("/api/packages/{name}/{version}/unyank", put(yank::unyank))
        .fallback(|| async { ApiError::not_found("no such endpoint; see /api/openapi.json") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this endpoint; see /api/openapi.json")
        })
        // After routing (the fallbacks above are not routes): the matched
        // template travels out on the response for the request metrics.
        // Rate limits see the matched route too; their 429s are tagged.
        .route_layer(axum::middleware::from_fn_with_state(state.rate_limiter.clone(), crate::ratelimit::limit))
        .route_layer(axum::middleware::from_fn(crate::metrics::tag_route))
        .with_state(state)
}
