//! `POST|GET /api/tokens`, `DELETE /api/tokens/{id}`; the rules are in
//! [`crate::service::tokens`], shared with `revitpy-registry token`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use revitpy_api::{NewTokenRequest, NewTokenResponse, TokenInfo};
use revitpy_store::Actor;

use super::{ApiJson, ApiPath};
use crate::error::ApiResult;
use crate::service::tokens;
use crate::state::AppState;
use crate::views::token_info;

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> ApiResult<(StatusCode, Json<NewTokenResponse>)> {
    let created = tokens::create(state.store.as_ref(), &actor, req).await?;
    Ok((StatusCode::CREATED, Json(NewTokenResponse { token: created.token, info: token_info(&created.record) })))
}

pub async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<TokenInfo>>> {
    let tokens = tokens::list(state.store.as_ref(), &actor, None).await?;
    Ok(Json(tokens.iter().map(token_info).collect()))
}

pub async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TokenInfo>> {
    let revoked = tokens::revoke(state.store.as_ref(), &actor, id).await?;
    Ok(Json(token_info(&revoked.record)))
}
