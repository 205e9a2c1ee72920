//! `GET /api/packages/{name}` and `/compatibility`.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use revitpy_api::{CompatibilityResponse, PackageDetail};
use revitpy_names::{PackageName, Version};
use revitpy_store::{PackageDetailRecord, PackageRecord, VersionRecord};
use serde_json::json;

use super::ApiPath;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views;

/// Looks a package up by any spelling of its name.
pub async fn find_package(state: &AppState, name: &str) -> ApiResult<PackageRecord> {
    let parsed =
        PackageName::new(name).map_err(|e| ApiError::not_found(format!("package `{name}` not found ({e})")))?;
    state
        .store
        .package(parsed.normalized())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("package `{name}` not found")))
}

/// A package with its versions and owners, by any spelling of its name.
pub async fn find_detail(state: &AppState, name: &str) -> ApiResult<PackageDetailRecord> {
    let parsed =
        PackageName::new(name).map_err(|e| ApiError::not_found(format!("package `{name}` not found ({e})")))?;
    state
        .store
        .package_detail(parsed.normalized())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("package `{name}` not found")))
}

/// Finds the version equal under PEP 440 to `version` (`1.0` finds `1.0.0`).
pub fn find_version(versions: Vec<VersionRecord>, package: &str, version: &str) -> ApiResult<VersionRecord> {
    let wanted = Version::from_str(version)
        .map_err(|_| ApiError::not_found(format!("{package} has no version `{version}` (not a PEP 440 version)")))?;
    versions
        .into_iter()
        .find(|v| Version::from_str(&v.data.version).is_ok_and(|x| x == wanted))
        .ok_or_else(|| ApiError::not_found(format!("{package} has no version `{version}`")))
}

pub async fn details(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<Json<PackageDetail>> {
    let PackageDetailRecord { package, mut versions, owners } = find_detail(&state, &name).await?;
    views::sort_versions(&mut versions);
    let shown = versions.iter().find(|v| Some(v.id) == package.latest_version_id).or(versions.first());
    let info = views::package_info(&package, shown, owners);
    let versions = versions.iter().map(|v| views::version_info(&package, v)).collect();
    Ok(Json(PackageDetail { package: info, versions }))
}

pub async fn compatibility(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<CompatibilityResponse>> {
    let PackageDetailRecord { package, mut versions, .. } = find_detail(&state, &name).await?;
    views::sort_versions(&mut versions);
    let mut matrix = serde_json::Map::new();
    for v in &versions {
        let d = &v.data;
        let tested: Vec<String> = d.tested_revit.iter().map(u16::to_string).collect();
        matrix.insert(
            d.version.clone(),
            json!({
                "min_revit": d.min_revit.map(|y| y.to_string()),
                "max_revit": d.max_revit.map(|y| y.to_string()),
                "tested_versions": tested,
                "known_issues": d.known_issues,
                "yanked": v.yanked,
            }),
        );
    }
    Ok(Json(CompatibilityResponse { package: package.name, compatibility_matrix: matrix }))
}
