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
