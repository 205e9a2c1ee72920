//! `POST|GET /api/tokens`, `DELETE /api/tokens/{id}`.
//!
//! Admins create tokens for anyone. Others create tokens only for their own
//! account, with no more rights than the token they use, so a token can be
//! narrowed (say, a yank-only token for one package) but never widened.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use revitpy_api::{NewTokenRequest, NewTokenResponse, TokenInfo};
use revitpy_names::PackageName;
use revitpy_store::{Actor, NewToken, Scope, TokenRecord};

use super::{ApiJson, ApiPath};
use crate::auth::{display_prefix, generate_token};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn token_info(t: &TokenRecord) -> TokenInfo {
    TokenInfo {
        id: t.id,
        user: t.user.clone(),
        label: t.label.clone(),
        token_prefix: t.token_prefix.clone(),
        scope: t.scope.as_str().to_owned(),
        package: t.package.clone(),
        created_at: t.created_at.clone(),
        last_used_at: t.last_used_at.clone(),
        revoked_at: t.revoked_at.clone(),
    }
}

/// A user name: what `revitpy-registry token create --name` and the API take.
pub fn check_user_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(format!("`{name}` is not a user name: use 1 to 64 letters, digits, `-`, `_`, `.`, `@`"))
    }
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> ApiResult<(StatusCode, Json<NewTokenResponse>)> {
    let user = check_user_name(&req.user).map_err(ApiError::bad_request)?;
    let scope = Scope::parse(&req.scope)
        .ok_or_else(|| ApiError::bad_request(format!("scope `{}` is not one of yank, publish, admin", req.scope)))?;
    let package = match &req.package {
        Some(p) => Some(PackageName::new(p).map_err(|e| ApiError::bad_request(e.to_string()))?.normalized().to_owned()),
        None => None,
    };
    if scope == Scope::Admin && package.is_some() {
        return Err(ApiError::bad_request("an admin token cannot be limited to a package; use the publish scope"));
    }
    if !actor.is_admin() {
        if user != actor.user_name {
            return Err(ApiError::forbidden("only admins create tokens for other users"));
        }
        if scope > actor.scope {
            return Err(ApiError::forbidden(format!(
                "a `{}` token cannot create a `{}` token",
                actor.scope.as_str(),
                scope.as_str()
            )));
        }
        if let Some(limit) = &actor.package
            && package.as_ref() != Some(limit)
        {
            return Err(ApiError::forbidden(format!("this token is limited to `{limit}`; new tokens must be too")));
        }
    }
    let label = req.label.unwrap_or_else(|| user.clone());
    if label.len() > 200 {
        return Err(ApiError::bad_request("the label is longer than 200 bytes"));
    }
    let (token, hash) = generate_token();
    let record = state
        .store
        .create_token(NewToken {
            user_name: user,
            label,
            token_hash: hash,
            token_prefix: display_prefix(&token),
            scope,
            package,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(NewTokenResponse { token, info: token_info(&record) })))
}

pub async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<TokenInfo>>> {
    let user = if actor.is_admin() { None } else { Some(actor.user_name.as_str()) };
    let tokens = state.store.list_tokens(user).await?;
    Ok(Json(tokens.iter().map(token_info).collect()))
}

pub async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TokenInfo>> {
    let token = state.store.token(id).await?.ok_or_else(|| ApiError::not_found(format!("no token {id}")))?;
    if !actor.is_admin() && Some(token.user_id) != actor.user_id {
        // Same answer as a missing token: do not reveal other users' tokens.
        return Err(ApiError::not_found(format!("no token {id}")));
    }
    if !actor.is_admin() && (token.scope > actor.scope || (actor.package.is_some() && token.package != actor.package)) {
        return Err(ApiError::forbidden("a token cannot revoke a token with more rights than its own"));
    }
    state.store.revoke_token(id).await?;
    let token = state.store.token(id).await?.ok_or_else(|| ApiError::not_found(format!("no token {id}")))?;
    Ok(Json(token_info(&token)))
}
