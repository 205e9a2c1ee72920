//! `/`, `/health`, `/api/stats`, `/metrics`, `/api/openapi.json`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::state::AppState;

pub async fn root() -> Json<Value> {
    Json(json!({
        "name": "RevitPy Registry",
        "version": env!("CARGO_PKG_VERSION"),
        "endpoints": {
            "search": "/api/packages/search",
            "package": "/api/packages/{name}",
            "compatibility": "/api/packages/{name}/compatibility",
            "download": "/api/packages/{name}/{version}/download",
            "upload": "/api/packages/upload",
            "stats": "/api/stats",
            "metrics": "/metrics",
            "changes": "/api/changes",
            "openapi": "/api/openapi.json",
            "health": "/health",
        }
    }))
}

/// Liveness (it answered) and readiness of database, blob store and index.
pub async fn health(State(state): State<AppState>) -> Response {
    let database = state.store.check().await.map_err(|e| e.to_string());
    let storage = state.blobs.check().await.map_err(|e| e.to_string());
    let serial = state.store.serial().await.unwrap_or(-1);
    // Counted as a search would see it: commit what publishes staged.
    let index = state.search.clone();
    let _ = tokio::task::spawn_blocking(move || index.refresh()).await;
    let indexed = state.search.indexed_serial();
    let ok = database.is_ok() && storage.is_ok();
    let show = |r: &Result<(), String>| match r {
        Ok(()) => json!("ok"),
        Err(e) => json!({"error": e}),
    };
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "database": show(&database),
        "storage": show(&storage),
        "search": {"indexed_serial": indexed, "serial": serial, "packages": state.search.len()},
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs(),
    });
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

pub async fn stats(State(state): State<AppState>) -> ApiResult<Json<revitpy_api::StatsResponse>> {
    let s = state.store.stats().await?;
    let window_seconds = crate::metrics::WINDOW.as_secs();
    let searches = state.metrics.search_window.summary();
    let errors = state.metrics.error_window.summary();
    let status = |name: &str| s.scan_statuses.get(name).copied().unwrap_or(0);
    Ok(Json(revitpy_api::StatsResponse {
        total_packages: s.total_packages,
        total_versions: s.total_versions,
        total_downloads: s.total_downloads,
        package_types: s.package_types.len() as u64,
        serial: s.serial,
        downloads_since_start: state.metrics.downloads_since_start(),
        top_downloads: s
            .top_downloads
            .iter()
            .map(|(name, downloads)| revitpy_api::PackageDownloads { name: name.clone(), downloads: *downloads })
            .collect(),
        search_performance: revitpy_api::SearchPerformance {
            window_seconds,
            searches: searches.count as u64,
            p50_ms: searches.p50_ms,
            p99_ms: searches.p99_ms,
        },
        error_rate: revitpy_api::ErrorRate {
            window_seconds,
            requests: errors.requests,
            client_errors: errors.client_errors,
            server_errors: errors.server_errors,
            rate: if errors.requests == 0 { 0.0 } else { errors.server_errors as f64 / errors.requests as f64 },
        },
        scan_results: revitpy_api::ScanResults {
            passed: status("passed"),
            warning: status("warning"),
            failed: status("failed"),
            pending: status("pending"),
            refused_since_start: state.metrics.refused_by_scan(),
        },
        package_type_counts: s.package_types,
    }))
}

/// `/metrics`: the server's counters in the OpenMetrics text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    if !state.metrics_enabled {
        return crate::error::ApiError::not_found("metrics are turned off on this server (METRICS=false)")
            .into_response();
    }
    state.metrics.set_database_connections(state.store.connections());
    ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], state.metrics.encode()).into_response()
}

/// The document generated in [`crate::openapi`], serialized once.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::JSON.as_str()).into_response()
}
