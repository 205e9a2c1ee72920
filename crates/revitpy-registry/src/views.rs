//! Store records turned into the API's JSON shapes, and version ordering.
//!
//! The store's records are typed; the wire keeps the original registry's
//! strings (years as `"2024"`, words in lowercase). Every conversion from
//! one to the other is here, so the JSON is written in one place.

use revitpy_api::{PackageInfo, SearchResult, VersionInfo};
use revitpy_names::{RevitRange, RevitYear};
use revitpy_store::{PackageRecord, PackageWithLatest, Release, VersionRecord};

fn year(y: Option<RevitYear>) -> Option<String> {
    y.map(|y| y.to_string())
}

fn min_year(range: &RevitRange) -> Option<String> {
    year(range.min())
}

fn max_year(range: &RevitRange) -> Option<String> {
    year(range.max())
}

fn years(list: &[RevitYear]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

/// Non-yanked first; within each group newest first by PEP 440.
pub fn sort_versions(versions: &mut [VersionRecord]) {
    versions.sort_by(|a, b| a.yanked.cmp(&b.yanked).then_with(|| b.release.version.cmp(&a.release.version)));
}

pub fn version_info(package: &PackageRecord, v: &VersionRecord) -> VersionInfo {
    let r = &v.release;
    VersionInfo {
        version: r.version.to_string(),
        summary: r.summary.clone(),
        description: r.description.clone(),
        author: r.author.clone(),
        author_email: r.author_email.clone(),
        license: r.license.clone(),
        homepage_url: r.homepage_url.clone(),
        repository_url: r.repository_url.clone(),
        documentation_url: r.documentation_url.clone(),
        package_type: r.package_type.to_string(),
        performance_impact: r.performance_impact.to_string(),
        requires_admin: r.requires_admin,
        min_revit_version: min_year(&r.revit_range),
        max_revit_version: max_year(&r.revit_range),
        tested_revit_versions: years(&r.tested_revit),
        known_issues: r.known_issues.clone(),
        dependencies: r.dependencies.clone(),
        keywords: r.keywords.clone(),
        categories: r.categories.clone(),
        filename: r.filename.clone(),
        file_size: r.file_size,
        file_hash_sha256: r.file_sha256.to_string(),
        security_scan_status: r.security_scan_status.to_string(),
        security_scan: r.security_scan.as_ref().map(as_answered),
        digital_signature: r.digital_signature.clone(),
        signature_key_id: r.signature_key_id.clone(),
        download_count: v.download_count,
        created_at: v.created_at.clone(),
        is_prerelease: r.is_prerelease(),
        yanked: v.yanked,
        yanked_reason: v.yanked_reason.clone(),
        published_by: v.published_by.clone(),
        download_url: format!("/api/packages/{}/{}/download", package.normalized_name, r.version),
    }
}

/// Package-level fields come from the version shown: the latest (the
/// store's `latest_version_id`, its result of [`revitpy_names::latest`]),
/// or, when every version is yanked, the newest one, so they describe what
/// installs. `latest_version` is only ever the store's latest. A package
/// with no version to show (which publishing never leaves) has empty fields.
pub fn package_info(package: &PackageRecord, shown: Option<&VersionRecord>, owners: Vec<String>) -> PackageInfo {
    let latest = shown.filter(|v| Some(v.id) == package.latest_version_id);
    let r: Option<&Release> = shown.map(|v| &v.release);
    let range = r.map(|r| r.revit_range).unwrap_or_default();
    PackageInfo {
        name: package.name.clone(),
        normalized_name: package.normalized_name.clone(),
        summary: r.map(|r| r.summary.clone()).unwrap_or_default(),
        description: r.map(|r| r.description.clone()).unwrap_or_default(),
        author: r.map(|r| r.author.clone()).unwrap_or_default(),
        license: r.map(|r| r.license.clone()).unwrap_or_default(),
        homepage_url: r.and_then(|r| r.homepage_url.clone()),
        repository_url: r.and_then(|r| r.repository_url.clone()),
        documentation_url: r.and_then(|r| r.documentation_url.clone()),
        keywords: r.map(|r| r.keywords.clone()).unwrap_or_default(),
        categories: r.map(|r| r.categories.clone()).unwrap_or_default(),
        package_type: r.map(|r| r.package_type.to_string()).unwrap_or_default(),
        performance_impact: r.map(|r| r.performance_impact.to_string()).unwrap_or_default(),
        latest_version: latest.map(|v| v.release.version.to_string()),
        min_revit_version: min_year(&range),
        max_revit_version: max_year(&range),
        download_count: package.download_count,
        owners,
        created_at: package.created_at.clone(),
        updated_at: package.updated_at.clone(),
    }
}

pub fn search_result(p: &PackageWithLatest) -> SearchResult {
    let r = &p.latest.release;
    SearchResult {
        name: p.package.name.clone(),
        normalized_name: p.package.normalized_name.clone(),
        summary: r.summary.clone(),
        description: r.description.clone(),
        latest_version: r.version.to_string(),
        package_type: r.package_type.to_string(),
        performance_impact: r.performance_impact.to_string(),
        min_revit_version: min_year(&r.revit_range),
        max_revit_version: max_year(&r.revit_range),
        download_count: p.package.download_count,
        author: r.author.clone(),
        keywords: r.keywords.clone(),
        categories: r.categories.clone(),
        updated_at: p.package.updated_at.clone(),
    }
}

pub fn index_package(record: revitpy_store::PackageDetailRecord) -> revitpy_api::IndexPackage {
    let mut versions = record.versions;
    sort_versions(&mut versions);
    revitpy_api::IndexPackage {
        name: record.package.name,
        normalized_name: record.package.normalized_name,
        download_count: record.package.download_count,
        require_signature: record.package.require_signature,
        versions: versions
            .into_iter()
            .map(|v| {
                let r = v.release;
                revitpy_api::IndexVersion {
                    version: r.version.to_string(),
                    is_prerelease: r.is_prerelease(),
                    min_revit_version: min_year(&r.revit_range),
                    max_revit_version: max_year(&r.revit_range),
                    tested_revit_versions: years(&r.tested_revit),
                    package_type: r.package_type.to_string(),
                    performance_impact: r.performance_impact.to_string(),
                    file_hash_sha256: r.file_sha256.to_string(),
                    security_scan_status: r.security_scan_status.to_string(),
                    summary: r.summary,
                    description: r.description,
                    author: r.author,
                    license: r.license,
                    keywords: r.keywords,
                    categories: r.categories,
                    requires_admin: r.requires_admin,
                    known_issues: r.known_issues,
                    dependencies: r.dependencies,
                    file_size: r.file_size,
                    yanked: v.yanked,
                    signature_key_id: r.signature_key_id,
                    created_at: v.created_at,
                }
            })
            .collect(),
    }
}

/// A token as HTTP and `revitpy-registry token ... --json` show it: never
/// the token, only its prefix.
pub fn token_info(t: &revitpy_store::TokenRecord) -> revitpy_api::TokenInfo {
    revitpy_api::TokenInfo {
        id: t.id,
        user: t.user.clone(),
        label: t.label.clone(),
        token_prefix: t.token_prefix.clone(),
        scope: t.scope.as_str().to_owned(),
        package: t.package.clone(),
        created_at: t.created_at.clone(),
        last_used_at: t.last_used_at.clone(),
        revoked_at: t.revoked_at.clone(),
    }
}

/// Every property of an answer is present (the API's promise, which the
/// scanner's own JSON does not make): a report stored before reports named
/// their scanner says `"scanner": null`, and a finding below high, which
/// has no chain of facts, says `"because": []`.
fn as_answered(report: &serde_json::Value) -> serde_json::Value {
    let mut report = report.clone();
    if let Some(obj) = report.as_object_mut() {
        obj.entry("scanner").or_insert(serde_json::Value::Null);
        for finding in obj.get_mut("findings").and_then(serde_json::Value::as_array_mut).into_iter().flatten() {
            if let Some(f) = finding.as_object_mut() {
                f.entry("because").or_insert_with(|| serde_json::Value::Array(Vec::new()));
            }
        }
    }
    report
}
