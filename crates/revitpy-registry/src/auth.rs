//! Bearer tokens: made here, stored hashed, resolved to an [`Actor`].
//!
//! A token is 32 random bytes; only its sha256 is stored, so a leaked
//! database leaks no token. High-entropy tokens need no slow hash (as on
//! crates.io). `ADMIN_TOKEN` from the environment is compared by hash too,
//! so the comparison time says nothing about the token.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use revitpy_store::{Actor, Scope};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub const TOKEN_PREFIX: &str = "rpy_";

/// A new random token and its stored hash.
pub fn generate_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The first characters of a token, safe to show in lists.
pub fn display_prefix(token: &str) -> String {
    token.chars().take(TOKEN_PREFIX.len() + 8).collect()
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("authentication required: send `Authorization: Bearer <token>` (create one with `revitpy-registry token create`)")
        })?;
        let value = header.to_str().map_err(|_| ApiError::unauthorized("the Authorization header is not text"))?;
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
        let hash = hash_token(token);
        if state.admin_token_hash.as_deref() == Some(hash.as_str()) {
            return Ok(Actor { user_id: None, user_name: "admin".to_owned(), scope: Scope::Admin, package: None });
        }
        let record = state
            .store
            .authenticate(&hash)
            .await?
            .ok_or_else(|| ApiError::unauthorized("the token is not valid (unknown or revoked)"))?;
        Ok(Actor {
            user_id: Some(record.user_id),
            user_name: record.user,
            scope: record.scope,
            package: record.package,
        })
    }
}
