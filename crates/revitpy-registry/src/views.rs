//! Store records turned into the API's JSON shapes, and version ordering.

use std::cmp::Ordering;
use std::str::FromStr;

use revitpy_api::{PackageInfo, SearchResult, VersionInfo};
use revitpy_names::Version;
use revitpy_store::{PackageRecord, PackageWithLatest, VersionRecord};

fn year(y: Option<u16>) -> Option<String> {
    y.map(|y| y.to_string())
}

/// Non-yanked first; within each group newest first by PEP 440 (versions
/// that do not parse, which the server never stores, sort last).
pub fn sort_versions(versions: &mut [VersionRecord]) {
    let key = |v: &VersionRecord| Version::from_str(&v.data.version).ok();
    versions.sort_by(|a, b| {
        a.yanked.cmp(&b.yanked).then_with(|| match (key(a), key(b)) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => b.data.version.cmp(&a.data.version),
        })
    });
}

pub fn version_info(package: &PackageRecord, v: &VersionRecord) -> VersionInfo {
    let d = &v.data;
    VersionInfo {
        version: d.version.clone(),
        summary: d.summary.clone(),
        description: d.description.clone(),
        author: d.author.clone(),
        author_email: d.author_email.clone(),
        license: d.license.clone(),
        homepage_url: d.homepage_url.clone(),
        repository_url: d.repository_url.clone(),
        documentation_url: d.documentation_url.clone(),
        package_type: d.package_type.clone(),
        performance_impact: d.performance_impact.clone(),
        requires_admin: d.requires_admin,
        min_revit_version: year(d.min_revit),
        max_revit_version: year(d.max_revit),
        tested_revit_versions: d.tested_revit.iter().map(u16::to_string).collect(),
        known_issues: d.known_issues.clone(),
        dependencies: d.dependencies.clone(),
        keywords: d.keywords.clone(),
        categories: d.categories.clone(),
        filename: d.filename.clone(),
        file_size: d.file_size,
        file_hash_sha256: d.file_sha256.clone(),
        security_scan_status: d.security_scan_status.clone(),
        security_scan: d.security_scan.clone(),
        digital_signature: d.digital_signature.clone(),
        download_count: v.download_count,
        created_at: v.created_at.clone(),
        is_prerelease: d.is_prerelease,
        yanked: v.yanked,
        yanked_reason: v.yanked_reason.clone(),
        published_by: v.published_by.clone(),
        download_url: format!("/api/packages/{}/{}/download", package.normalized_name, d.version),
    }
}

/// Package-level fields come from the latest version (or, when every
/// version is yanked, the newest one), so they describe what installs.
pub fn package_info(package: &PackageRecord, shown: Option<&VersionRecord>, owners: Vec<String>) -> PackageInfo {
    let latest = shown.filter(|v| Some(v.id) == package.latest_version_id);
    let d = shown.map(|v| v.data.clone()).unwrap_or_default();
    PackageInfo {
        name: package.name.clone(),
        normalized_name: package.normalized_name.clone(),
        summary: d.summary,
        description: d.description,
        author: d.author,
        license: d.license,
        homepage_url: d.homepage_url,
        repository_url: d.repository_url,
        documentation_url: d.documentation_url,
        keywords: d.keywords,
        categories: d.categories,
        package_type: d.package_type,
        performance_impact: d.performance_impact,
        latest_version: latest.map(|v| v.data.version.clone()),
        min_revit_version: year(d.min_revit),
        max_revit_version: year(d.max_revit),
        download_count: package.download_count,
        owners,
        created_at: package.created_at.clone(),
        updated_at: package.updated_at.clone(),
    }
}

pub fn search_result(p: &PackageWithLatest) -> SearchResult {
    let d = &p.latest.data;
    SearchResult {
        name: p.package.name.clone(),
        normalized_name: p.package.normalized_name.clone(),
        summary: d.summary.clone(),
        description: d.description.clone(),
        latest_version: d.version.clone(),
        package_type: d.package_type.clone(),
        performance_impact: d.performance_impact.clone(),
        min_revit_version: year(d.min_revit),
        max_revit_version: year(d.max_revit),
        download_count: p.package.download_count,
        author: d.author.clone(),
        keywords: d.keywords.clone(),
        categories: d.categories.clone(),
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
        versions: versions
            .into_iter()
            .map(|v| {
                let d = v.data;
                revitpy_api::IndexVersion {
                    version: d.version,
                    summary: d.summary,
                    description: d.description,
                    author: d.author,
                    license: d.license,
                    keywords: d.keywords,
                    categories: d.categories,
                    package_type: d.package_type,
                    performance_impact: d.performance_impact,
                    requires_admin: d.requires_admin,
                    min_revit_version: year(d.min_revit),
                    max_revit_version: year(d.max_revit),
                    tested_revit_versions: d.tested_revit.iter().map(u16::to_string).collect(),
                    known_issues: d.known_issues,
                    dependencies: d.dependencies,
                    file_hash_sha256: d.file_sha256,
                    file_size: d.file_size,
                    yanked: v.yanked,
                    is_prerelease: d.is_prerelease,
                    security_scan_status: d.security_scan_status,
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
