//! Who may publish a package. The first publisher is the first owner;
//! owners (and admins) add and remove owners; the last owner cannot be
//! removed (the store refuses it, in the same transaction).

use revitpy_store::{Actor, Scope, Store};

use super::access::require;
use super::{ServiceError, ServiceResult, lookup, tokens};

/// A package's owners after a read or a change, and the serial that
/// change has (the current one when nothing changed).
pub struct Owners {
    pub package: String,
    pub owners: Vec<String>,
    pub serial: i64,
}

/// Most user names one request may add or remove.
const MAX_USERS: usize = 100;

pub async fn list(store: &dyn Store, name: &str) -> ServiceResult<Owners> {
    let package = lookup::package(store, name).await?;
    let owners = store.owners(package.id).await?;
    let serial = store.serial().await?;
    Ok(Owners { package: package.normalized_name, owners, serial })
}

/// Adds (`add`) or removes owners: owners (or admins) with a publish token.
pub async fn change(
    store: &dyn Store,
    actor: &Actor,
    name: &str,
    users: &[String],
    add: bool,
) -> ServiceResult<Owners> {
    if users.is_empty() || users.len() > MAX_USERS {
        return Err(ServiceError::Invalid(format!("`users` must list 1 to {MAX_USERS} user names")));
    }
    let users: Vec<String> = users.iter().map(|u| tokens::user_name(u)).collect::<Result<_, _>>()?;
    let package = lookup::package(store, name).await?;
    require(actor, Scope::Publish, Some(&package.normalized_name))?;
    let serial = if add {
        store.add_owners(actor, package.id, &users).await?
    } else {
        store.remove_owners(actor, package.id, &users).await?
    };
    let owners = store.owners(package.id).await?;
    Ok(Owners { package: package.normalized_name, owners, serial })
}
