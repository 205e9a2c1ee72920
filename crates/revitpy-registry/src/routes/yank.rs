//! `PUT /api/packages/{name}/{version}/yank` and `/unyank`: the body is an
//! optional `{"reason": ...}`; the rules are in [`crate::service::yank`].

use axum::Json;
use axum::extract::State;
use revitpy_api::{YankRequest, YankResponse};
use revitpy_store::Actor;

use super::{ApiBytes, ApiPath};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::state::AppState;

async fn set(
    state: AppState,
    actor: Actor,
    name: String,
    version: String,
    yanked: bool,
    body: axum::body::Bytes,
) -> ApiResult<Json<YankResponse>> {
    let reason = if body.is_empty() {
        None
    } else {
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("bad JSON body: {e}")))?;
        // Checked first: serde reads a struct from an array too (`[]` would
        // pass as "no reason"), which the document does not allow.
        if !value.is_object() {
            return Err(ApiError::bad_request("the body must be a JSON object: {\"reason\": \"...\"}"));
        }
        let req: YankRequest =
            serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("bad JSON body: {e}")))?;
        req.reason
    };
    let done =
        service::yank::set(state.store.as_ref(), &state.indexer, &actor, &name, &version, yanked, reason).await?;
    Ok(Json(YankResponse {
        package: done.package,
        version: done.version,
        yanked: done.yanked,
        yanked_reason: done.reason,
        serial: done.serial,
    }))
}

pub async fn yank(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((name, version)): ApiPath<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<YankResponse>> {
    set(state, actor, name, version, true, body).await
}

pub async fn unyank(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((name, version)): ApiPath<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<YankResponse>> {
    set(state, actor, name, version, false, body).await
}
