//! `GET|PUT|DELETE /api/packages/{name}/owners`: who may publish. The first
//! publisher is the first owner; owners (and admins) add and remove owners;
//! the last owner cannot be removed.

use axum::Json;
use axum::extract::State;
use revitpy_api::{OwnersRequest, OwnersResponse};
use revitpy_store::{Actor, Scope};

use super::packages::find_package;
use super::{ApiJson, ApiPath};
use crate::auth::require;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub async fn list(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<Json<OwnersResponse>> {
    let package = find_package(&state, &name).await?;
    let owners = state.store.owners(package.id).await?;
    let serial = state.store.serial().await?;
    Ok(Json(OwnersResponse { package: package.normalized_name, owners, serial }))
}

/// 1 to 100 valid user names, normalised as accounts store them.
fn check_users(req: &OwnersRequest) -> ApiResult<Vec<String>> {
    if req.users.is_empty() || req.users.len() > 100 {
        return Err(ApiError::bad_request("`users` must list 1 to 100 user names"));
    }
    req.users.iter().map(|u| super::check_user_name(u).map_err(ApiError::bad_request)).collect()
}

/// Adds or removes owners: owners (or admins) with a publish token.
async fn change(
    state: AppState,
    actor: Actor,
    name: String,
    req: OwnersRequest,
    add: bool,
) -> ApiResult<Json<OwnersResponse>> {
    let users = check_users(&req)?;
    let package = find_package(&state, &name).await?;
    require(&actor, Scope::Publish, Some(&package.normalized_name))?;
    let serial = if add {
        state.store.add_owners(&actor, package.id, &users).await?
    } else {
        state.store.remove_owners(&actor, package.id, &users).await?
    };
    let owners = state.store.owners(package.id).await?;
    Ok(Json(OwnersResponse { package: package.normalized_name, owners, serial }))
}

pub async fn add(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<OwnersRequest>,
) -> ApiResult<Json<OwnersResponse>> {
    change(state, actor, name, req, true).await
}

pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<OwnersRequest>,
) -> ApiResult<Json<OwnersResponse>> {
    change(state, actor, name, req, false).await
}
