//! Publishers' public keys and what a signed upload must show: the rules
//! shared by `/api/keys` and the upload.

use revitpy_store::{Actor, KeyRecord, Scope, Store};

use super::access::require;
use super::{ServiceError, ServiceResult};

/// Registers `public_key` for `user` (the actor's own account unless an
/// admin names another).
pub async fn add(
    store: &dyn Store,
    actor: &Actor,
    public_key: &str,
    proof: &str,
    user: Option<&str>,
) -> ServiceResult<KeyRecord> {
    require(actor, Scope::Publish, None)?;
    no_package_limit(actor)?;
    let user = match user {
        Some(u) if !u.eq_ignore_ascii_case(&actor.user_name) => {
            if !actor.is_admin() {
                return Err(ServiceError::Forbidden("only admins register keys for other accounts".to_owned()));
            }
            super::tokens::user_name(u)?
        }
        _ => actor.user_name.to_ascii_lowercase(),
    };
    let key =
        revitpy_sign::parse_public_key(public_key).map_err(|e| ServiceError::Invalid(format!("public_key: {e}")))?;
    revitpy_sign::verify_registration(proof, &user, &key).map_err(|e| {
        ServiceError::Invalid(format!("proof: it does not show that `{user}` holds this key's private half: {e}"))
    })?;
    let line = key.to_openssh().map_err(|e| ServiceError::internal("public key", e))?;
    Ok(store.add_key(&user, &revitpy_sign::key_id(&key), &line).await?)
}

/// Revokes a key: its account's, or any for admins. Signatures it made stay
/// on the versions they signed; new uploads signed with it are refused.
pub async fn revoke(store: &dyn Store, actor: &Actor, id: i64) -> ServiceResult<KeyRecord> {
    require(actor, Scope::Publish, None)?;
    no_package_limit(actor)?;
    let key = store.key(id).await?.ok_or_else(|| ServiceError::NotFound(format!("no key {id}")))?;
    if !actor.is_admin() && !key.user.eq_ignore_ascii_case(&actor.user_name) {
        return Err(ServiceError::NotFound(format!("no key {id}")));
    }
    store.revoke_key(id).await?;
    store.key(id).await?.ok_or_else(|| ServiceError::internal("revoked key", "gone"))
}

/// Keys speak for the whole account: a token limited to one package (a CI
/// token, say) may not add or revoke them, as it may not create wider tokens.
fn no_package_limit(actor: &Actor) -> ServiceResult<()> {
    match &actor.package {
        Some(p) => Err(ServiceError::Forbidden(format!(
            "this token is limited to the package `{p}`; keys are managed with a token for the whole account"
        ))),
        None => Ok(()),
    }
}
