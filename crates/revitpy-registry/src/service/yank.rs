//! Yanking: a yanked version is hidden from "latest" and search but stays
//! downloadable by its exact version, so existing installs and lock files
//! keep working.

use revitpy_store::{Actor, Scope, Store};

use super::access::require;
use super::{ServiceError, ServiceResult, lookup};
use crate::indexer::Indexer;

/// Longest yank reason.
const MAX_REASON_BYTES: usize = 1024;

pub struct YankState {
    pub package: String,
    pub version: String,
    pub yanked: bool,
    pub reason: Option<String>,
    pub serial: i64,
}

/// Yanks (`yanked`) or unyanks a version; an empty reason is no reason.
/// Returns once search results reflect it.
pub async fn set(
    store: &dyn Store,
    indexer: &Indexer,
    actor: &Actor,
    name: &str,
    version: &str,
    yanked: bool,
    reason: Option<String>,
) -> ServiceResult<YankState> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    if reason.as_ref().is_some_and(|r| r.len() > MAX_REASON_BYTES) {
        return Err(ServiceError::Invalid(format!("the reason is longer than {MAX_REASON_BYTES} bytes")));
    }
    let package = lookup::package(store, name).await?;
    require(actor, Scope::Yank, Some(&package.normalized_name))?;
    let v = lookup::version(store.versions(package.id).await?, &package.normalized_name, version)?;
    let serial = store.set_yanked(actor, &package.normalized_name, v.id, yanked, reason.clone()).await?;
    indexer.catch_up().await;
    tracing::info!(package = %package.normalized_name, version = %v.release.version, yanked, user = %actor.user_name, "yank state changed");
    Ok(YankState {
        package: package.normalized_name,
        version: v.release.version.to_string(),
        yanked,
        reason: if yanked { reason } else { None },
        serial,
    })
}
