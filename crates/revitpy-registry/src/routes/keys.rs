//! `POST|GET /api/keys`, `DELETE /api/keys/{id}`, `PUT /api/packages/{name}/signing`:
//! publishers' public keys, and packages that require signed versions; the
//! rules are in [`crate::service::keys`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use revitpy_api::{KeyInfo, NewKeyRequest, SigningPolicy, SigningPolicyResponse};
use revitpy_store::{Actor, KeyRecord};
use serde::Deserialize;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::ApiResult;
use crate::service::{keys, lookup};
use crate::state::AppState;

fn key_info(k: &KeyRecord) -> KeyInfo {
    KeyInfo {
        id: k.id,
        user: k.user.clone(),
        key_id: k.key_id.clone(),
        public_key: k.public_key.clone(),
        created_at: k.created_at.clone(),
        revoked_at: k.revoked_at.clone(),
    }
}

pub async fn add(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<NewKeyRequest>,
) -> ApiResult<(StatusCode, Json<KeyInfo>)> {
    let key = keys::add(state.store.as_ref(), &actor, &req.public_key, &req.proof, req.user.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(key_info(&key))))
}

#[derive(Deserialize)]
pub struct ListParams {
    user: Option<String>,
}

/// Public keys are public: anyone may read them, to check signatures.
pub async fn list(State(state): State<AppState>, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Json<Vec<KeyInfo>>> {
    let user = p.user.as_deref().map(str::to_ascii_lowercase);
    let keys = state.store.list_keys(user.as_deref()).await?;
    Ok(Json(keys.iter().map(key_info).collect()))
}

pub async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<KeyInfo>> {
    let key = keys::revoke(state.store.as_ref(), &actor, id).await?;
    Ok(Json(key_info(&key)))
}

pub async fn signing(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(name): ApiPath<String>,
    ApiJson(policy): ApiJson<SigningPolicy>,
) -> ApiResult<Json<SigningPolicyResponse>> {
    let detail = lookup::detail(state.store.as_ref(), &name).await?;
    crate::service::access::require(&actor, revitpy_store::Scope::Publish, Some(&detail.package.normalized_name))?;
    state.store.set_require_signature(&actor, detail.package.id, policy.require_signature).await?;
    Ok(Json(SigningPolicyResponse {
        package: detail.package.normalized_name,
        require_signature: policy.require_signature,
    }))
}
