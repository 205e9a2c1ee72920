//! Plain records passed through the [`crate::Store`] trait.

use serde::Serialize;

/// What a token may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Yank,
    Publish,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Yank => "yank",
            Scope::Publish => "publish",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "yank" => Some(Scope::Yank),
            "publish" => Some(Scope::Publish),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// Who is acting: resolved from a bearer token by the server.
#[derive(Debug, Clone)]
pub struct Actor {
    /// None for the `ADMIN_TOKEN` from the environment, which has no user row.
    pub user_id: Option<i64>,
    pub user_name: String,
    pub scope: Scope,
    /// The only package this token may act on, if limited.
    pub package: Option<String>,
}

impl Actor {
    /// Admin rights over the whole registry: a token limited to one package
    /// is never an admin, whatever its scope says.
    pub fn is_admin(&self) -> bool {
        self.scope == Scope::Admin && self.package.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_name: String,
    pub label: String,
    pub token_hash: String,
    pub token_prefix: String,
    pub scope: Scope,
    pub package: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub user: String,
    pub label: String,
    pub token_prefix: String,
    pub scope: Scope,
    pub package: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PackageRecord {
    pub id: i64,
    pub name: String,
    pub normalized_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub download_count: u64,
    pub latest_version_id: Option<i64>,
}

/// A version's metadata, flattened from its manifest by the server.
#[derive(Debug, Clone, Default)]
pub struct VersionData {
    pub version: String,
    pub canonical_version: String,
    pub is_prerelease: bool,
    pub summary: String,
    pub description: String,
    pub author: String,
    pub author_email: String,
    pub license: String,
    pub homepage_url: Option<String>,
    pub repository_url: Option<String>,
    pub documentation_url: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub package_type: String,
    pub performance_impact: String,
    pub requires_admin: bool,
    pub min_revit: Option<u16>,
    pub max_revit: Option<u16>,
    pub tested_revit: Vec<u16>,
    pub known_issues: serde_json::Value,
    pub dependencies: serde_json::Value,
    pub manifest: serde_json::Value,
    pub filename: String,
    pub file_size: u64,
    pub file_sha256: String,
    pub security_scan_status: String,
    pub security_scan: Option<serde_json::Value>,
    pub digital_signature: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewVersion {
    pub package_name: String,
    pub normalized_name: String,
    pub data: VersionData,
}

#[derive(Debug, Clone)]
pub struct VersionRecord {
    pub id: i64,
    pub package_id: i64,
    pub data: VersionData,
    pub yanked: bool,
    pub yanked_reason: Option<String>,
    pub download_count: u64,
    pub published_by: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct PackageDetailRecord {
    pub package: PackageRecord,
    pub versions: Vec<VersionRecord>,
    pub owners: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PackageWithLatest {
    pub package: PackageRecord,
    pub latest: VersionRecord,
}

#[derive(Debug, Clone)]
pub struct Published {
    pub package_id: i64,
    pub version_id: i64,
    pub serial: i64,
    pub new_package: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub serial: i64,
    pub name: String,
    pub kind: String,
    pub version: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub total_packages: u64,
    pub total_versions: u64,
    pub total_downloads: u64,
    pub package_types: std::collections::BTreeMap<String, u64>,
    pub serial: i64,
}
