//! Plain records passed through the [`crate::Store`] trait.
//!
//! None of them is serializable: they are what the database holds, and the
//! server maps each to a wire type of `revitpy-api`, so a change here can
//! never change the API's JSON by accident.

use revitpy_names::{
    PackageName, PackageType, PerformanceImpact, RevitRange, RevitYear, ScanStatus, Sha256, Version, canonical_version,
};

/// What a token may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

#[derive(Debug, Clone)]
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
    /// Every version must be signed by one of the owners' keys.
    pub require_signature: bool,
}

/// A publisher's public key, registered to their account.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: i64,
    pub user: String,
    /// `SHA256:...`, the key's fingerprint.
    pub key_id: String,
    /// One OpenSSH line: `ssh-ed25519 AAAA... comment`.
    pub public_key: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// One published version, typed: built once from its manifest by the
/// server, mapped to columns by the store and to the API's JSON by the
/// server's views. What can be derived (the canonical version, whether it
/// is a pre-release) is a method, not a field that could disagree.
#[derive(Debug, Clone)]
pub struct Release {
    /// On the way in, the name as this version's manifest spells it (the
    /// spelling kept when it creates the package); read back, the package's
    /// name, which is the same name under [`PackageName`]'s comparison.
    pub name: PackageName,
    /// As published: its text is the `version` column and what the API shows.
    pub version: Version,
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
    pub package_type: PackageType,
    pub performance_impact: PerformanceImpact,
    pub requires_admin: bool,
    pub revit_range: RevitRange,
    pub tested_revit: Vec<RevitYear>,
    /// The manifest's `known_issues` and `dependencies` in its JSON shape,
    /// which is also the API's: the server derives nothing from them.
    pub known_issues: serde_json::Value,
    pub dependencies: serde_json::Value,
    /// `rpyx-manifest.json` as published, kept as its JSON text: the store
    /// archives it and no read path looks inside, so reading a version does
    /// not rebuild it into a tree (at 100,000 packages, rebuilding it on
    /// every read cost a quarter of the searches per second; see
    /// docs/PERFORMANCE.md). `serde_json::from_str(manifest.get())` gives
    /// the tree to a caller that wants one.
    pub manifest: Box<serde_json::value::RawValue>,
    /// The name the file is downloaded under.
    pub filename: String,
    pub file_size: u64,
    pub file_sha256: Sha256,
    pub security_scan_status: ScanStatus,
    /// The scanner's report, in its own JSON shape.
    pub security_scan: Option<serde_json::Value>,
    /// The detached signature uploaded with the file (SSHSIG text), or what
    /// the manifest's `digital_signature` said when none was uploaded.
    pub digital_signature: Option<String>,
    /// The key that made the uploaded signature (`SHA256:...`), checked at
    /// upload; `None` for unsigned versions.
    pub signature_key_id: Option<String>,
}

impl Release {
    /// The version's identity under PEP 440 (`1.0` is `1.0.0`): what the
    /// store keys versions by.
    pub fn canonical_version(&self) -> String {
        canonical_version(&self.version)
    }

    pub fn is_prerelease(&self) -> bool {
        self.version.any_prerelease()
    }
}

/// A version's file, as `fsck` checks it against the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobReference {
    pub sha256: Sha256,
    /// The package's normalized name.
    pub package: String,
    pub version: Version,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct VersionRecord {
    pub id: i64,
    pub package_id: i64,
    pub release: Release,
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

#[derive(Debug, Clone)]
pub struct Change {
    pub serial: i64,
    pub name: String,
    pub kind: String,
    pub version: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub total_packages: u64,
    pub total_versions: u64,
    pub total_downloads: u64,
    pub package_types: std::collections::BTreeMap<String, u64>,
    pub serial: i64,
    /// Versions (not yanked) by `security_scan_status`.
    pub scan_statuses: std::collections::BTreeMap<String, u64>,
    /// The most downloaded packages, most first (at most [`TOP_DOWNLOADS`]).
    pub top_downloads: Vec<(String, u64)>,
}

/// A store's connections to its database server, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// Open now (idle or in use).
    pub open: usize,
    pub idle: usize,
    /// Callers waiting for one.
    pub waiting: usize,
    /// The pool's bound (`DATABASE_POOL_SIZE`).
    pub max: usize,
}

/// How many packages [`Stats::top_downloads`] names.
pub const TOP_DOWNLOADS: usize = 10;
