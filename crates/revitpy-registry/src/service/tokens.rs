//! Creating, listing and revoking API tokens, for `/api/tokens` and the
//! `revitpy-registry token` commands alike.
//!
//! Admins create tokens for anyone. Others create tokens only for their own
//! account, with no more rights than the token they use, so a token can be
//! narrowed (say, a yank-only token for one package) but never widened.

use revitpy_api::NewTokenRequest;
use revitpy_names::PackageName;
use revitpy_store::{Actor, NewToken, Scope, Store, TokenRecord};

use super::{ServiceError, ServiceResult};
use crate::auth::{display_prefix, generate_token};

/// Longest token label.
const MAX_LABEL_BYTES: usize = 200;

/// A user name as accounts store it: 1 to 64 letters, digits, `-`, `_`,
/// `.`, `@`, lower-cased (names are case-insensitive).
pub fn user_name(name: &str) -> ServiceResult<String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(ServiceError::Invalid(format!(
            "`{name}` is not a user name: use 1 to 64 letters, digits, `-`, `_`, `.`, `@`"
        )))
    }
}

/// A new token (shown once) and its stored record.
pub struct Created {
    pub token: String,
    pub record: TokenRecord,
}

pub async fn create(store: &dyn Store, actor: &Actor, req: NewTokenRequest) -> ServiceResult<Created> {
    let user = user_name(&req.user)?;
    let scope = Scope::parse(&req.scope)
        .ok_or_else(|| ServiceError::Invalid(format!("scope `{}` is not one of yank, publish, admin", req.scope)))?;
    let package = match &req.package {
        Some(p) => Some(PackageName::new(p).map_err(|e| ServiceError::Invalid(e.to_string()))?.normalized().to_owned()),
        None => None,
    };
    if scope == Scope::Admin && package.is_some() {
        return Err(ServiceError::Invalid(
            "an admin token cannot be limited to a package; use the publish scope".to_owned(),
        ));
    }
    if !actor.is_admin() {
        if user != actor.user_name {
            return Err(ServiceError::Forbidden("only admins create tokens for other users".to_owned()));
        }
        if scope > actor.scope {
            return Err(ServiceError::Forbidden(format!(
                "a `{}` token cannot create a `{}` token",
                actor.scope.as_str(),
                scope.as_str()
            )));
        }
        if let Some(limit) = &actor.package
            && package.as_ref() != Some(limit)
        {
            return Err(ServiceError::Forbidden(format!("this token is limited to `{limit}`; new tokens must be too")));
        }
    }
    let label = req.label.unwrap_or_else(|| user.clone());
    if label.len() > MAX_LABEL_BYTES {
        return Err(ServiceError::Invalid(format!("the label is longer than {MAX_LABEL_BYTES} bytes")));
    }
    let (token, hash) = generate_token();
    let record = store
        .create_token(NewToken {
            user_name: user,
            label,
            token_hash: hash,
            token_prefix: display_prefix(&token),
            scope,
            package,
        })
        .await?;
    Ok(Created { token, record })
}

/// An admin sees every token (or one user's, when `user` is given); anyone
/// else sees only their own, whatever they ask for.
pub async fn list(store: &dyn Store, actor: &Actor, user: Option<&str>) -> ServiceResult<Vec<TokenRecord>> {
    let user = if actor.is_admin() { user.map(user_name).transpose()? } else { Some(actor.user_name.clone()) };
    Ok(store.list_tokens(user.as_deref()).await?)
}

/// A revoked token's record, and whether this call revoked it (false when
/// it already was).
pub struct Revoked {
    pub record: TokenRecord,
    pub now: bool,
}

pub async fn revoke(store: &dyn Store, actor: &Actor, id: i64) -> ServiceResult<Revoked> {
    let missing = || ServiceError::NotFound(format!("no token {id}"));
    let token = store.token(id).await?.ok_or_else(missing)?;
    if !actor.is_admin() && Some(token.user_id) != actor.user_id {
        // Same answer as a missing token: do not reveal other users' tokens.
        return Err(missing());
    }
    if !actor.is_admin() && (token.scope > actor.scope || (actor.package.is_some() && token.package != actor.package)) {
        return Err(ServiceError::Forbidden("a token cannot revoke a token with more rights than its own".to_owned()));
    }
    let now = store.revoke_token(id).await?;
    let record = store.token(id).await?.ok_or_else(missing)?;
    Ok(Revoked { record, now })
}
