//! Publishers' public keys and what a signed upload must show: the rules
//! shared by `/api/keys` and the upload.

use revitpy_store::{Actor, KeyRecord, PackageRecord, Scope, Store};

use super::access::require;
use super::{ServiceError, ServiceResult};

/// Registers `public_key` for `user` (the actor's own account unless an
/// admin names another).
pub async fn add(store: &dyn Store, actor: &Actor, public_key: &str, user: Option<&str>) -> ServiceResult<KeyRecord> {
    require(actor, Scope::Publish, None)?;
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
    let line = key.to_openssh().map_err(|e| ServiceError::internal("public key", e))?;
    Ok(store.add_key(&user, &revitpy_sign::key_id(&key), &line).await?)
}

/// Revokes a key: its account's, or any for admins. Signatures it made stay
/// on the versions they signed; new uploads signed with it are refused.
pub async fn revoke(store: &dyn Store, actor: &Actor, id: i64) -> ServiceResult<KeyRecord> {
    require(actor, Scope::Publish, None)?;
    let key = store.key(id).await?.ok_or_else(|| ServiceError::NotFound(format!("no key {id}")))?;
    if !actor.is_admin() && !key.user.eq_ignore_ascii_case(&actor.user_name) {
        return Err(ServiceError::NotFound(format!("no key {id}")));
    }
    store.revoke_key(id).await?;
    store.key(id).await?.ok_or_else(|| ServiceError::internal("revoked key", "gone"))
}

/// What an upload's signature must be: made by a registered, live key of
/// one of the package's owners (the uploader, for a new package), and
/// present when the package requires it. `signed_by` is the signature's key
/// id, already checked against the package's name, version and sha256.
pub async fn check_signer(
    store: &dyn Store,
    actor: &Actor,
    package: Option<&PackageRecord>,
    normalized: &str,
    signed_by: Option<&str>,
) -> ServiceResult<()> {
    let Some(key_id) = signed_by else {
        if package.is_some_and(|p| p.require_signature) {
            return Err(ServiceError::Invalid(format!(
                "{normalized} requires every version to be signed by one of its owners' keys: sign it (`revitpy-install registry sign`) and publish again"
            )));
        }
        return Ok(());
    };
    let key = store.live_key(key_id).await?.ok_or_else(|| {
        ServiceError::Invalid(format!(
            "the signature is by {key_id}, which is not a registered key (register its .pub with POST /api/keys), or was revoked"
        ))
    })?;
    let owners = match package {
        Some(p) => store.owners(p.id).await?,
        // A new package: its first owner is the uploader.
        None => vec![actor.user_name.to_ascii_lowercase()],
    };
    if !owners.iter().any(|o| o.eq_ignore_ascii_case(&key.user)) {
        return Err(ServiceError::Invalid(format!(
            "the signature is by {key_id}, a key of `{}`, who is not an owner of {normalized}",
            key.user
        )));
    }
    Ok(())
}
