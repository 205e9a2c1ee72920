//! `PUT /api/packages/{name}/{version}/yank` and `/unyank`. A yanked
//! version is hidden from "latest" and search but stays downloadable by its
//! exact version, so existing installs and lock files keep working.

use axum::Json;
use axum::extract::State;
use revitpy_api::YankRequest;
use revitpy_store::{Actor, Scope};
use serde_json::{Value, json};

use super::packages::{find_package, find_version};
use super::{ApiBytes, ApiPath};
use crate::auth::require;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

async fn set(
    state: AppState,
    actor: Actor,
    name: String,
    version: String,
    yanked: bool,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let reason = if body.is_empty() {
        None
    } else {
        let req: YankRequest =
            serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("bad JSON body: {e}")))?;
        req.reason.filter(|r| !r.trim().is_empty())
    };
    if reason.as_ref().is_some_and(|r| r.len() > 1024) {
        return Err(ApiError::bad_request("the reason is longer than 1024 bytes"));
    }
    let package = find_package(&state, &name).await?;
    require(&actor, Scope::Yank, Some(&package.normalized_name))?;
    let v = find_version(state.store.versions(package.id).await?, &package.normalized_name, &version)?;
    let serial = state.store.set_yanked(&actor, &package.normalized_name, v.id, yanked, reason.clone()).await?;
    state.indexer.catch_up().await;
    tracing::info!(package = %package.normalized_name, version = %v.data.version, yanked, user = %actor.user_name, "yank state changed");
    Ok(Json(json!({
        "package": package.normalized_name,
        "version": v.data.version,
        "yanked": yanked,
        "yanked_reason": if yanked { reason } else { None },
        "serial": serial,
    })))
}

pub async fn yank(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((name, version)): ApiPath<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<Value>> {
    set(state, actor, name, version, true, body).await
}

pub async fn unyank(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((name, version)): ApiPath<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<Value>> {
    set(state, actor, name, version, false, body).await
}
