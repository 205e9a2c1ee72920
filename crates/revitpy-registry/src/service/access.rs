//! Who may do what: a token's scope and the package it may be limited to.

use revitpy_store::{Actor, Scope};

use super::ServiceError;

/// Checks that `actor` may act with `needed` on `package` (normalized).
pub fn require(actor: &Actor, needed: Scope, package: Option<&str>) -> Result<(), ServiceError> {
    if actor.scope < needed {
        return Err(ServiceError::Forbidden(format!(
            "this token has the `{}` scope; this needs `{}`",
            actor.scope.as_str(),
            needed.as_str()
        )));
    }
    if let (Some(limit), Some(package)) = (&actor.package, package)
        && limit != package
    {
        return Err(ServiceError::Forbidden(format!("this token is limited to the package `{limit}`")));
    }
    Ok(())
}

/// The registry's own administrator, as the admin commands act: the same
/// account that `ADMIN_TOKEN` acts as over HTTP.
pub fn local_admin() -> Actor {
    Actor { user_id: None, user_name: "admin".to_owned(), scope: Scope::Admin, package: None }
}
