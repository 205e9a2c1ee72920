//! The HTTP API's JSON shapes, shared by the server and the client.
//!
//! The original registry's fields keep their names and types: Revit years in
//! them travel as strings (`"2022"`) or `null`, `summary` and `description`
//! are strings (`""` when absent), and versions are listed newest first. New
//! fields are added beside them. This crate depends on nothing of the
//! server's, so a change of the wire format breaks the client's build, not a
//! user's install.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `{"detail": "..."}`: every error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub detail: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    pub results: Vec<SearchResult>,
    pub total: u64,
    pub filters: SearchFilters,
    #[serde(default)]
    pub limit: u64,
    #[serde(default)]
    pub offset: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchFilters {
    pub revit_version: Option<String>,
    pub package_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResult {
    pub name: String,
    pub normalized_name: String,
    pub summary: String,
    pub description: String,
    pub latest_version: String,
    pub package_type: String,
    pub performance_impact: String,
    pub min_revit_version: Option<String>,
    pub max_revit_version: Option<String>,
    pub download_count: u64,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageDetail {
    pub package: PackageInfo,
    pub versions: Vec<VersionInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageInfo {
    pub name: String,
    pub normalized_name: String,
    pub summary: String,
    pub description: String,
    pub author: String,
    pub license: String,
    pub homepage_url: Option<String>,
    pub repository_url: Option<String>,
    pub documentation_url: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub package_type: String,
    pub performance_impact: String,
    /// Newest non-yanked final release, else newest pre-release; null when all are yanked.
    pub latest_version: Option<String>,
    pub min_revit_version: Option<String>,
    pub max_revit_version: Option<String>,
    pub download_count: u64,
    pub owners: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: String,
    pub summary: String,
    pub description: String,
    pub author: String,
    pub author_email: String,
    pub license: String,
    pub homepage_url: Option<String>,
    pub repository_url: Option<String>,
    pub documentation_url: Option<String>,
    pub package_type: String,
    pub performance_impact: String,
    pub requires_admin: bool,
    pub min_revit_version: Option<String>,
    pub max_revit_version: Option<String>,
    pub tested_revit_versions: Vec<String>,
    pub known_issues: Value,
    pub dependencies: Value,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub filename: String,
    pub file_size: u64,
    pub file_hash_sha256: String,
    pub security_scan_status: String,
    pub security_scan: Option<Value>,
    pub digital_signature: Option<String>,
    pub download_count: u64,
    pub created_at: String,
    pub is_prerelease: bool,
    pub yanked: bool,
    pub yanked_reason: Option<String>,
    pub published_by: Option<String>,
    pub download_url: String,
}

/// `GET /api/stats`. `package_types` is the number of distinct package
/// types, as the original registry answered; how many packages each type
/// has is in `package_type_counts`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatsResponse {
    pub total_packages: u64,
    pub total_versions: u64,
    pub total_downloads: u64,
    pub package_types: u64,
    pub package_type_counts: std::collections::BTreeMap<String, u64>,
    /// The registry's change serial (see `/api/changes`).
    pub serial: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompatibilityResponse {
    pub package: String,
    pub compatibility_matrix: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadResponse {
    pub package_name: String,
    pub version: String,
    pub file_hash: String,
    pub file_size: u64,
    #[serde(default)]
    pub serial: i64,
    #[serde(default)]
    pub security_scan_status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct YankRequest {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnersRequest {
    pub users: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnersResponse {
    pub package: String,
    pub owners: Vec<String>,
    #[serde(default)]
    pub serial: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewTokenRequest {
    /// The account the token acts for; created if new.
    pub user: String,
    #[serde(default)]
    pub label: Option<String>,
    pub scope: String,
    #[serde(default)]
    pub package: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user: String,
    pub label: String,
    pub token_prefix: String,
    pub scope: String,
    pub package: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Answer to token creation: the only time the token itself is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewTokenResponse {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangesResponse {
    pub serial: i64,
    pub changes: Vec<ChangeInfo>,
    /// True when more changes follow; ask again with `since` = the last serial.
    pub more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeInfo {
    pub serial: i64,
    pub name: String,
    pub kind: String,
    pub version: Option<String>,
    pub at: String,
}

/// One package in the client's offline index: everything search and install
/// need, for every version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexPackage {
    pub name: String,
    pub normalized_name: String,
    pub download_count: u64,
    pub versions: Vec<IndexVersion>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexVersion {
    pub version: String,
    pub summary: String,
    pub description: String,
    pub author: String,
    pub license: String,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub package_type: String,
    pub performance_impact: String,
    pub requires_admin: bool,
    pub min_revit_version: Option<String>,
    pub max_revit_version: Option<String>,
    pub tested_revit_versions: Vec<String>,
    pub known_issues: Value,
    pub dependencies: Value,
    pub file_hash_sha256: String,
    pub file_size: u64,
    pub yanked: bool,
    pub is_prerelease: bool,
    pub security_scan_status: String,
    pub created_at: String,
}

/// `GET /api/index/snapshot` and `GET /api/index/packages`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexResponse {
    /// The registry serial the answer is at least as new as.
    pub serial: i64,
    pub packages: Vec<IndexPackage>,
    /// Names asked for that the registry does not have (batch requests only).
    #[serde(default)]
    pub missing: Vec<String>,
}
