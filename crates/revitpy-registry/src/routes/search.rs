//! `GET /api/packages/search`: ranked search over the derived index, with
//! the rows read back from the store.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use revitpy_api::{SearchFilters, SearchResponse};
use revitpy_names::RevitYear;
use revitpy_rpyx::PackageType;
use revitpy_search::SearchQuery;
use serde::Deserialize;

use super::ApiQuery;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views;

pub const DEFAULT_LIMIT: u64 = 20;
/// Larger limits are capped, not refused: the original client's sync asks for 100.
pub const MAX_LIMIT: u64 = 100;
/// Deep paging past this is refused; sync uses the change feed instead.
pub const MAX_OFFSET: u64 = 100_000;
const MAX_QUERY_CHARS: usize = 256;
/// Names offered when a search finds nothing.
pub const MAX_SUGGESTIONS: usize = 5;

#[derive(Deserialize)]
pub struct Params {
    q: Option<String>,
    revit_version: Option<String>,
    package_type: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn number(name: &str, text: Option<&str>, default: u64) -> ApiResult<u64> {
    match text.map(str::trim) {
        None | Some("") => Ok(default),
        Some(t) => {
            t.parse::<u64>().map_err(|_| ApiError::bad_request(format!("{name} must be a whole number, not `{t}`")))
        }
    }
}

pub async fn search(State(state): State<AppState>, ApiQuery(p): ApiQuery<Params>) -> ApiResult<Json<SearchResponse>> {
    let q = p.q.unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!("q is longer than {MAX_QUERY_CHARS} characters")));
    }
    let limit = number("limit", p.limit.as_deref(), DEFAULT_LIMIT)?.min(MAX_LIMIT);
    let offset = number("offset", p.offset.as_deref(), 0)?;
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(format!(
            "offset is past {MAX_OFFSET}; narrow the query or use /api/changes"
        )));
    }
    let revit_version = p.revit_version.filter(|s| !s.trim().is_empty());
    let year = match &revit_version {
        None => None,
        Some(y) => Some(y.parse::<RevitYear>().map_err(|e| ApiError::bad_request(format!("revit_version: {e}")))?),
    };
    let package_type = p.package_type.filter(|s| !s.trim().is_empty());
    if let Some(t) = &package_type
        && t.parse::<PackageType>().is_err()
    {
        return Err(ApiError::bad_request(format!(
            "package_type `{t}` is not one of {}",
            PackageType::CHOICES.join(", ")
        )));
    }
    let normalized_type = package_type.as_deref().map(|t| t.trim().to_ascii_lowercase());

    state.indexer.ready().await;
    commit_staged(&state).await?;
    let index = state.search.clone();
    let text = q.clone();
    let page = tokio::task::spawn_blocking(move || {
        index.search(&SearchQuery {
            text: &text,
            revit_year: year.map(RevitYear::get),
            package_type: normalized_type.as_deref(),
            limit: limit as usize,
            offset: offset as usize,
        })
    })
    .await
    .map_err(|e| ApiError::internal("search task", e))?
    .map_err(|e| ApiError::internal("search", e))?;

    let names: Vec<String> = page.hits.iter().map(|h| h.normalized_name.clone()).collect();
    let rows = state.store.packages_with_latest(&names).await?;
    let mut by_name: HashMap<&str, &revitpy_store::PackageWithLatest> =
        rows.iter().map(|r| (r.package.normalized_name.as_str(), r)).collect();
    // Keep the index's order; a package the index still has but the store
    // no longer shows (a yank in flight) is skipped.
    let results = names.iter().filter_map(|n| by_name.remove(n.as_str())).map(views::search_result).collect();
    // Nothing found for what may be a misspelt name: the nearest names.
    let suggestions = if page.total == 0 && offset == 0 {
        let index = state.search.clone();
        let text = q.clone();
        tokio::task::spawn_blocking(move || index.suggest(&text, MAX_SUGGESTIONS))
            .await
            .map_err(|e| ApiError::internal("search task", e))?
            .map_err(|e| ApiError::internal("search", e))?
    } else {
        Vec::new()
    };
    Ok(Json(SearchResponse {
        query: q,
        results,
        total: page.total as u64,
        filters: SearchFilters { revit_version, package_type },
        limit,
        offset,
        suggestions,
    }))
}

/// Commits what publishes staged, once, before searches run. Without this
/// every search that found changes staged committed them itself on tokio's
/// blocking pool, and the ones waiting for the index writer's lock held
/// the pool's other threads meanwhile, so metadata reads and downloads,
/// which need the pool too, waited behind an upload's commit (found by the
/// soak bench; docs/PERFORMANCE.md). Here the waiting is asynchronous: one
/// blocking thread commits, the other searches wait without a thread.
pub(super) async fn commit_staged(state: &AppState) -> ApiResult<()> {
    if !state.search.has_staged() {
        return Ok(());
    }
    let _turn = state.index_commit.lock().await;
    if !state.search.has_staged() {
        // Committed by the search that held the turn before this one.
        return Ok(());
    }
    let index = state.search.clone();
    tokio::task::spawn_blocking(move || index.refresh())
        .await
        .map_err(|e| ApiError::internal("index commit task", e))?
        .map_err(|e| ApiError::internal("index commit", e))
}
