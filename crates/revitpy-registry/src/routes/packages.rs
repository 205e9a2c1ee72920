//! `GET /api/packages/{name}` and `/compatibility`.

use axum::Json;
use axum::extract::State;
use revitpy_api::{CompatibilityResponse, PackageDetail};
use revitpy_store::PackageDetailRecord;
use serde_json::json;

use super::ApiPath;
use crate::error::ApiResult;
use crate::service::lookup;
use crate::state::AppState;
use crate::views;

pub async fn details(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<Json<PackageDetail>> {
    let PackageDetailRecord { package, mut versions, owners } = lookup::detail(state.store.as_ref(), &name).await?;
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
    let PackageDetailRecord { package, mut versions, .. } = lookup::detail(state.store.as_ref(), &name).await?;
    views::sort_versions(&mut versions);
    let mut matrix = serde_json::Map::new();
    for v in &versions {
        let r = &v.release;
        let tested: Vec<String> = r.tested_revit.iter().map(ToString::to_string).collect();
        matrix.insert(
            r.version.to_string(),
            json!({
                "min_revit": r.revit_range.min().map(|y| y.to_string()),
                "max_revit": r.revit_range.max().map(|y| y.to_string()),
                "tested_versions": tested,
                "known_issues": r.known_issues,
                "yanked": v.yanked,
            }),
        );
    }
    Ok(Json(CompatibilityResponse { package: package.name, compatibility_matrix: matrix }))
}
