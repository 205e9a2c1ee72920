//! Finding packages and versions by what a user typed.

use std::str::FromStr;

use revitpy_names::{PackageName, Version};
use revitpy_store::{PackageDetailRecord, PackageRecord, Store, VersionRecord};

use super::{ServiceError, ServiceResult};

fn parse(name: &str) -> ServiceResult<PackageName> {
    PackageName::new(name).map_err(|e| ServiceError::NotFound(format!("package `{name}` not found ({e})")))
}

/// Looks a package up by any spelling of its name.
pub async fn package(store: &dyn Store, name: &str) -> ServiceResult<PackageRecord> {
    store
        .package(parse(name)?.normalized())
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("package `{name}` not found")))
}

/// A package with its versions and owners, by any spelling of its name.
pub async fn detail(store: &dyn Store, name: &str) -> ServiceResult<PackageDetailRecord> {
    store
        .package_detail(parse(name)?.normalized())
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("package `{name}` not found")))
}

/// Finds the version equal under PEP 440 to `version` (`1.0` finds `1.0.0`).
pub fn version(versions: Vec<VersionRecord>, package: &str, version: &str) -> ServiceResult<VersionRecord> {
    let wanted = Version::from_str(version)
        .map_err(|_| ServiceError::NotFound(format!("{package} has no version `{version}` (not a PEP 440 version)")))?;
    versions
        .into_iter()
        .find(|v| v.release.version == wanted)
        .ok_or_else(|| ServiceError::NotFound(format!("{package} has no version `{version}`")))
}
