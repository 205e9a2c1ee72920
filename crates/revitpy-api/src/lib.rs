//! The HTTP API's JSON shapes, shared by the server and the client.
//!
//! The original registry's fields keep their names and types: Revit years in
//! them travel as strings (`"2022"`) or `null`, `summary` and `description`
//! are strings (`""` when absent), and versions are listed newest first. New
//! fields are added beside them. This crate depends on nothing of the
//! server's, so a change of the wire format breaks the client's build, not a
//! user's install.
//!
//! Every type also derives [`ToSchema`]: the server's OpenAPI document is
//! generated from these types (`revitpy-registry`'s `openapi` module), so a
//! field added to or renamed in an answer changes the document with it.
//! Fields kept as `Value` (clients read them leniently) name the shape the
//! server writes there with `#[schema(value_type = ...)]`: [`KnownIssue`],
//! [`Dependency`], [`ScanReport`], [`CompatibilityEntry`]. Those shapes and
//! [`YankResponse`] are not what the server serializes (its handlers build
//! that JSON with `json!`), so the registry's tests check real answers
//! against them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `{"detail": "..."}`: every error answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person. This server always sends a string;
    /// the field reads any JSON (FastAPI, the original's framework, sends a
    /// list for a malformed request).
    #[schema(value_type = String)]
    pub detail: Value,
}

/// `package_type`: what kind of package it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    Addon,
    Library,
    Template,
    Tool,
}

/// `performance_impact` (declared by the package, or computed by the scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PerformanceImpact {
    Low,
    Medium,
    High,
}

/// `security_scan_status`: `passed` at risk low, `warning` at medium,
/// `failed` at high or critical (clients refuse to install it without
/// `--force`); `pending` for versions stored before scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Pending,
    Passed,
    Warning,
    Failed,
}

/// A token's scope; scopes nest: `yank` < `publish` < `admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    Yank,
    Publish,
    Admin,
}

/// What a change in the change feed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Publish,
    Yank,
    Unyank,
    Owners,
    /// `revitpy-registry rescan` changed the version's `security_scan_status`.
    Rescan,
    /// The package began or stopped requiring signed versions.
    Signing,
}

/// One entry of `known_issues`, as the manifest declared it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KnownIssue {
    pub description: String,
    /// Revit years, as strings; empty means every year in the range.
    pub affected_versions: Vec<String>,
}

/// One entry of `dependencies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Dependency {
    pub name: String,
    /// A PEP 440 specifier such as `>=1.0, <2`; `""` for any version.
    pub version: String,
}

/// One version's entry in [`CompatibilityResponse::compatibility_matrix`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompatibilityEntry {
    /// Revit year as a string (`"2024"`); null for an open range.
    pub min_revit: Option<String>,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub max_revit: Option<String>,
    pub tested_versions: Vec<String>,
    pub known_issues: Vec<KnownIssue>,
    pub yanked: bool,
}

/// `PUT .../yank` and `.../unyank`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YankResponse {
    pub package: String,
    pub version: String,
    pub yanked: bool,
    /// The reason given with the yank; null when none, and after an unyank.
    pub yanked_reason: Option<String>,
    /// The change's serial (the current one when nothing changed).
    pub serial: i64,
}

/// A scan's overall security risk; high and critical block installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

/// A finding's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// The scan report (docs/CONTRACTS.md, "Scan results"): the shape shared by
/// `validate --security-scan --json`, the server's stored `security_scan`
/// and the client's pre-install check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanReport {
    pub risk_level: RiskLevel,
    /// Worst first.
    pub findings: Vec<ScanFinding>,
    pub compatibility: Vec<ScanCompatIssue>,
    pub capabilities: ScanCapabilities,
    pub impact: ScanImpact,
    /// When the server scanned it (`validate` prints no such field).
    #[serde(default)]
    #[schema(format = DateTime)]
    pub scanned_at: Option<String>,
    /// Which scanner wrote the report (`revitpy-scan VERSION+HASH`); null
    /// for reports stored before scanners were named.
    #[serde(default)]
    pub scanner: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanFinding {
    pub rule: String,
    pub severity: Severity,
    pub category: String,
    pub file: String,
    #[schema(minimum = 1)]
    pub line: u64,
    #[schema(minimum = 1)]
    pub column: u64,
    pub snippet: String,
    pub message: String,
    /// The chain of facts behind a high or critical level (when the code
    /// runs, what it handles, where it sends it); absent below high.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

/// A Revit API member the code uses that the declared Revit range lacks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanCompatIssue {
    pub member: String,
    pub level: ScanCompatLevel,
    /// The Revit year that removed or deprecated it.
    pub revit_version: String,
    pub replacement: String,
    pub file: String,
    #[schema(minimum = 1)]
    pub line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScanCompatLevel {
    Error,
    Warning,
}

/// What the code reaches for outside Revit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanCapabilities {
    pub network: Vec<String>,
    pub paths_written: Vec<String>,
    pub processes: Vec<String>,
    pub registry_keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScanImpact {
    pub computed: PerformanceImpact,
    /// The manifest's `performance_impact`.
    pub declared: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub results: Vec<SearchResult>,
    pub total: u64,
    pub filters: SearchFilters,
    #[serde(default)]
    pub limit: u64,
    #[serde(default)]
    pub offset: u64,
    /// When nothing matched and the query reads as a misspelt package
    /// name: the names nearest to it (at most 5); empty otherwise.
    #[serde(default)]
    pub suggestions: Vec<String>,
}

/// The filters as asked (null when not given).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchFilters {
    pub revit_version: Option<String>,
    pub package_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchResult {
    pub name: String,
    pub normalized_name: String,
    pub summary: String,
    pub description: String,
    pub latest_version: String,
    #[schema(value_type = PackageType)]
    pub package_type: String,
    #[schema(value_type = PerformanceImpact)]
    pub performance_impact: String,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub min_revit_version: Option<String>,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub max_revit_version: Option<String>,
    pub download_count: u64,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PackageDetail {
    pub package: PackageInfo,
    /// Non-yanked newest first by PEP 440, then yanked ones.
    pub versions: Vec<VersionInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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
    #[schema(value_type = PackageType)]
    pub package_type: String,
    #[schema(value_type = PerformanceImpact)]
    pub performance_impact: String,
    /// Newest non-yanked final release, else newest pre-release; null when all are yanked.
    pub latest_version: Option<String>,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub min_revit_version: Option<String>,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub max_revit_version: Option<String>,
    pub download_count: u64,
    pub owners: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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
    #[schema(value_type = PackageType)]
    pub package_type: String,
    #[schema(value_type = PerformanceImpact)]
    pub performance_impact: String,
    pub requires_admin: bool,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub min_revit_version: Option<String>,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub max_revit_version: Option<String>,
    pub tested_revit_versions: Vec<String>,
    #[schema(value_type = Vec<KnownIssue>)]
    pub known_issues: Value,
    #[schema(value_type = Vec<Dependency>)]
    pub dependencies: Value,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub filename: String,
    pub file_size: u64,
    pub file_hash_sha256: String,
    #[schema(value_type = ScanStatus)]
    pub security_scan_status: String,
    /// The scan's report at upload; null for versions stored before scanning.
    #[schema(value_type = Option<ScanReport>)]
    pub security_scan: Option<Value>,
    /// The detached signature uploaded with the file (an SSHSIG, armored),
    /// checked at upload against the package's name, version and sha256;
    /// for older uploads, the manifest's own `digital_signature`, unchecked.
    pub digital_signature: Option<String>,
    /// The key that made `digital_signature` (`SHA256:...`); null when the
    /// version was not signed at upload.
    #[serde(default)]
    pub signature_key_id: Option<String>,
    pub download_count: u64,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub is_prerelease: bool,
    pub yanked: bool,
    pub yanked_reason: Option<String>,
    pub published_by: Option<String>,
    /// This server's path of the file.
    pub download_url: String,
}

/// `GET /api/stats`. `package_types` is the number of distinct package
/// types, as the original registry answered; how many packages each type
/// has is in `package_type_counts`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatsResponse {
    pub total_packages: u64,
    pub total_versions: u64,
    pub total_downloads: u64,
    pub package_types: u64,
    pub package_type_counts: std::collections::BTreeMap<String, u64>,
    /// The registry's change serial (see `/api/changes`).
    pub serial: i64,
    /// Downloads counted since this server process started (all of them
    /// are in `total_downloads`).
    #[serde(default)]
    pub downloads_since_start: u64,
    /// The most downloaded packages, most first (at most 10).
    #[serde(default)]
    pub top_downloads: Vec<PackageDownloads>,
    #[serde(default)]
    pub search_performance: SearchPerformance,
    #[serde(default)]
    pub error_rate: ErrorRate,
    #[serde(default)]
    pub scan_results: ScanResults,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PackageDownloads {
    pub name: String,
    pub downloads: u64,
}

/// Search latency (request to response headers) over the last
/// `window_seconds`, on this server process.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SearchPerformance {
    pub window_seconds: u64,
    pub searches: u64,
    /// `null` when no search was made in the window.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Answers over the last `window_seconds`, on this server process.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ErrorRate {
    pub window_seconds: u64,
    pub requests: u64,
    /// 4xx answers: the client's mistakes (not found, refused, too large).
    pub client_errors: u64,
    /// 5xx answers: the registry's failures (and 503 busy).
    pub server_errors: u64,
    /// `server_errors / requests`, 0 without requests.
    pub rate: f64,
}

/// Security-scan verdicts: stored versions (not yanked) by
/// `security_scan_status`, and uploads refused by the scan since start
/// (refused uploads are not stored).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ScanResults {
    pub passed: u64,
    pub warning: u64,
    pub failed: u64,
    pub pending: u64,
    pub refused_since_start: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompatibilityResponse {
    pub package: String,
    /// Keyed by version, newest first.
    #[schema(value_type = std::collections::BTreeMap<String, CompatibilityEntry>)]
    pub compatibility_matrix: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UploadResponse {
    pub package_name: String,
    pub version: String,
    /// sha256 of the file, hex.
    pub file_hash: String,
    pub file_size: u64,
    #[serde(default)]
    pub serial: i64,
    /// The result of the scan at upload (never `pending`).
    #[serde(default)]
    #[schema(value_type = ScanStatus)]
    pub security_scan_status: String,
}

/// The optional body of `PUT .../yank` and `.../unyank`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YankRequest {
    /// At most 1024 bytes.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OwnersRequest {
    /// 1 to 100 user names; added users must exist.
    pub users: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OwnersResponse {
    pub package: String,
    pub owners: Vec<String>,
    #[serde(default)]
    pub serial: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewTokenRequest {
    /// The account the token acts for; created if new.
    pub user: String,
    /// Default: the user name; at most 200 bytes.
    #[serde(default)]
    pub label: Option<String>,
    #[schema(value_type = TokenScope)]
    pub scope: String,
    /// Limits the token to this package (not with scope `admin`).
    #[serde(default)]
    pub package: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub user: String,
    pub label: String,
    /// The token's first characters, to tell tokens apart.
    pub token_prefix: String,
    #[schema(value_type = TokenScope)]
    pub scope: String,
    pub package: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

/// `POST /api/keys`: register a publisher's public key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewKeyRequest {
    /// One OpenSSH line, `ssh-ed25519 AAAA... comment` (`registry keygen`'s PATH.pub).
    pub public_key: String,
    /// Proof of holding the private key: an SSHSIG by that key, namespace
    /// `revitpy-key-registration`, over `revitpy-key-registration v1\nuser: <account>\nkey: <SHA256:...>\n`
    /// (`registry keys add` makes it). Without it anyone could claim a public key.
    pub proof: String,
    /// The account to register it for [default: the token's own]; admins only for others.
    #[serde(default)]
    pub user: Option<String>,
}

/// A publisher's registered public key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeyInfo {
    pub id: i64,
    pub user: String,
    /// `SHA256:...`: what signatures name (`signature_key_id`).
    pub key_id: String,
    pub public_key: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

/// `PUT /api/packages/{name}/signing`: whether every new version must be
/// signed by one of the owners' registered keys.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SigningPolicy {
    pub require_signature: bool,
}

/// The package's signing policy, as set.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SigningPolicyResponse {
    pub package: String,
    pub require_signature: bool,
}

/// Answer to token creation: the only time the token itself is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewTokenResponse {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangesResponse {
    pub serial: i64,
    pub changes: Vec<ChangeInfo>,
    /// True when more changes follow; ask again with `since` = the last serial.
    pub more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeInfo {
    pub serial: i64,
    /// The package's normalized name.
    pub name: String,
    #[schema(value_type = ChangeKind)]
    pub kind: String,
    /// Null for owner changes.
    pub version: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
}

/// One package in the client's offline index: everything search and install
/// need, for every version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndexPackage {
    pub name: String,
    pub normalized_name: String,
    pub download_count: u64,
    /// Every version must be signed by one of the owners' keys (clients
    /// refuse an unsigned one); covered by the signed index.
    #[serde(default)]
    pub require_signature: bool,
    pub versions: Vec<IndexVersion>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndexVersion {
    pub version: String,
    pub summary: String,
    pub description: String,
    pub author: String,
    pub license: String,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    #[schema(value_type = PackageType)]
    pub package_type: String,
    #[schema(value_type = PerformanceImpact)]
    pub performance_impact: String,
    pub requires_admin: bool,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub min_revit_version: Option<String>,
    /// Revit year as a string (`"2024"`); null for an open range.
    pub max_revit_version: Option<String>,
    pub tested_revit_versions: Vec<String>,
    #[schema(value_type = Vec<KnownIssue>)]
    pub known_issues: Value,
    #[schema(value_type = Vec<Dependency>)]
    pub dependencies: Value,
    pub file_hash_sha256: String,
    pub file_size: u64,
    pub yanked: bool,
    /// The publisher key that signed the file (`SHA256:...`), null when
    /// unsigned; covered by the signed index, so a mirror cannot remove it.
    #[serde(default)]
    pub signature_key_id: Option<String>,
    pub is_prerelease: bool,
    #[schema(value_type = ScanStatus)]
    pub security_scan_status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A signed document (`GET /api/index/signed`, each of `GET /api/index/roots`):
/// `signed` is the exact JSON text the signatures cover, carried as a
/// string so that no canonical JSON is needed to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedEnvelope {
    pub signed: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnvelopeSignature {
    /// `SHA256:...`, the signing key's fingerprint.
    pub key_id: String,
    /// An armored SSHSIG (namespace `revitpy-index`) over the bytes of `signed`.
    pub sig: String,
}

/// `GET /api/index/roots`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndexRoots {
    /// Oldest first; version 1 signs itself, each later one is signed by
    /// the key before it and by its own.
    pub roots: Vec<SignedEnvelope>,
}

/// `GET /api/index/snapshot` and `GET /api/index/packages`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndexResponse {
    /// The registry serial the answer is at least as new as.
    pub serial: i64,
    pub packages: Vec<IndexPackage>,
    /// Names asked for that the registry does not have (batch requests only).
    #[serde(default)]
    pub missing: Vec<String>,
}
