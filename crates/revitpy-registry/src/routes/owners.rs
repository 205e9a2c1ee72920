//! `GET|PUT|DELETE /api/packages/{name}/owners`; the rules are in
//! [`crate::service::owners`].

use axum::Json;
use axum::extract::State;
use revitpy_api::{OwnersRequest, OwnersResponse};
use revitpy_store::Actor;

use super::{ApiJson, ApiPath};
use crate::error::ApiResult;
use crate::service::owners::{self, Owners};
use crate::state::AppState;

fn answer(o: Owners) -> Json<OwnersResponse> {
    Json(OwnersResponse { package: o.package, owners: o.owners, serial: o.serial })
}

pub async fn list(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<Json<OwnersResponse>> {
    Ok(answer(owners::list(state.store.as_ref(), &name).await?))
}

pub async fn add(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<OwnersRequest>,
) -> ApiResult<Json<OwnersResponse>> {
    Ok(answer(owners::change(state.store.as_ref(), &actor, &name, &req.users, true).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<OwnersRequest>,
) -> ApiResult<Json<OwnersResponse>> {
    Ok(answer(owners::change(state.store.as_ref(), &actor, &name, &req.users, false).await?))
}
