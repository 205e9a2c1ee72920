//! What both backends share about rows: the column lists (the schemas have
//! the same columns under the same names), a `versions` row's text becoming
//! a typed record and back, and the words of the signing refusals. Each
//! backend only reads its driver's rows into these structs and binds these
//! values to its own placeholders.

use std::str::FromStr;

use revitpy_names::{
    PackageName, PackageType, PerformanceImpact, RevitRange, RevitYear, ScanStatus, Sha256, Version, control_chars,
};

use crate::model::*;
use crate::{StoreError, StoreResult};

pub(crate) fn json_text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("JSON values serialize")
}

pub(crate) const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, u.name, t.label, t.token_prefix, t.scope, t.package, t.created_at, t.last_used_at, t.revoked_at";
/// How many columns [`TOKEN_COLUMNS`] selects (the next index is free).
pub(crate) const TOKEN_COLUMN_COUNT: usize = 10;

pub(crate) const PACKAGE_COLUMNS: &str = "p.id, p.name, p.normalized_name, p.created_at, p.updated_at, p.download_count, \
    p.latest_version_id, p.require_signature";
/// How many columns [`PACKAGE_COLUMNS`] has: where the version's start after them.
pub(crate) const PACKAGE_WIDTH: usize = 8;

pub(crate) const KEY_COLUMNS: &str = "k.id, u.name, k.key_id, k.public_key, k.created_at, k.revoked_at \
    FROM publisher_keys k JOIN users u ON u.id = k.user_id";

pub(crate) const VERSION_COLUMNS: &str = "v.id, v.package_id, v.version, \
    v.summary, v.description, v.author, v.author_email, v.license, v.homepage_url, v.repository_url, v.documentation_url, \
    v.keywords, v.categories, v.package_type, v.performance_impact, v.requires_admin, v.min_revit, v.max_revit, \
    v.tested_revit, v.known_issues, v.dependencies, v.manifest, v.filename, v.file_size, v.file_sha256, \
    v.security_scan_status, v.security_scan, v.digital_signature, v.yanked, v.yanked_reason, v.download_count, \
    (SELECT name FROM users WHERE id = v.published_by), v.created_at, v.signature_key_id";

/// A `versions` row as the database holds it (SQLite and PostgreSQL alike):
/// text, integers, booleans and JSON text, read by each backend in [`VERSION_COLUMNS`]' order. [`VersionRow::into_record`]
/// is the one place this text becomes typed values; [`VersionValues::of`] the
/// one place they become text again. `canonical_version` and
/// `is_prerelease` are written for SQL's sake (the uniqueness rule) but not
/// read: the record derives them from the version.
pub(crate) struct VersionRow {
    pub(crate) id: i64,
    pub(crate) package_id: i64,
    pub(crate) package_name: String,
    pub(crate) version: String,
    pub(crate) summary: String,
    pub(crate) description: String,
    pub(crate) author: String,
    pub(crate) author_email: String,
    pub(crate) license: String,
    pub(crate) homepage_url: Option<String>,
    pub(crate) repository_url: Option<String>,
    pub(crate) documentation_url: Option<String>,
    pub(crate) keywords: String,
    pub(crate) categories: String,
    pub(crate) package_type: String,
    pub(crate) performance_impact: String,
    pub(crate) requires_admin: bool,
    pub(crate) min_revit: Option<i64>,
    pub(crate) max_revit: Option<i64>,
    pub(crate) tested_revit: String,
    pub(crate) known_issues: String,
    pub(crate) dependencies: String,
    pub(crate) manifest: String,
    pub(crate) filename: String,
    pub(crate) file_size: i64,
    pub(crate) file_sha256: String,
    pub(crate) security_scan_status: String,
    pub(crate) security_scan: Option<String>,
    pub(crate) digital_signature: Option<String>,
    pub(crate) signature_key_id: Option<String>,
    pub(crate) yanked: bool,
    pub(crate) yanked_reason: Option<String>,
    pub(crate) download_count: i64,
    pub(crate) published_by: Option<String>,
    pub(crate) created_at: String,
}

/// How much of a column's text an error quotes.
pub(crate) const QUOTED_CHARS: usize = 80;

/// A column's text as an error quotes it: short, on one line, with no
/// escape sequence reaching a terminal.
pub(crate) fn quote(text: &str) -> String {
    let shown: String = text.chars().take(QUOTED_CHARS).collect();
    let more = if text.chars().count() > QUOTED_CHARS { "..." } else { "" };
    format!("`{}{more}`", control_chars::escape(&shown, control_chars::Lines::Single))
}

/// A `versions` row with a column that does not hold what the registry
/// writes there (a database edited by hand, or damaged): one bad row is an
/// error that says where to look, never a panic or a silently different value.
pub(crate) fn bad_row(id: i64, package: &str, column: &str, problem: impl std::fmt::Display) -> StoreError {
    StoreError::Database(format!("version row {id} (package {}): its {column} column {problem}", quote(package)))
}

pub(crate) fn version_column(text: &str) -> Result<Version, String> {
    Version::from_str(text).map_err(|e| format!("holds {}, which is not a PEP 440 version ({e})", quote(text)))
}

pub(crate) fn sha256_column(text: &str) -> Result<Sha256, String> {
    Sha256::new(text).map_err(|e| format!("is refused: {e}"))
}

pub(crate) fn count_column(value: i64) -> Result<u64, String> {
    u64::try_from(value).map_err(|_| format!("holds {value}, which is below zero"))
}

pub(crate) fn word_column<T: FromStr<Err = ()>>(text: &str, choices: &[&str]) -> Result<T, String> {
    text.parse().map_err(|()| format!("holds {}, not one of {}", quote(text), choices.join(", ")))
}

pub(crate) fn year_column(value: Option<i64>) -> Result<Option<RevitYear>, String> {
    value
        .map(|y| {
            u64::try_from(y)
                .ok()
                .and_then(|y| RevitYear::new(y).ok())
                .ok_or_else(|| format!("holds {y}, which is not a Revit year"))
        })
        .transpose()
}

pub(crate) fn json_column<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("is not {what} ({e})"))
}

impl VersionRow {
    /// The typed record, or a [`StoreError::Database`] naming the row and
    /// the column that does not parse (see [`bad_row`]).
    pub(crate) fn into_record(self) -> StoreResult<VersionRecord> {
        let id = self.id;
        let package = self.package_name.as_str();
        let bad = |column: &'static str| move |problem: String| bad_row(id, package, column, problem);
        const LIST: &str = "a JSON list of strings";
        const JSON: &str = "valid JSON";

        let name = PackageName::new(package).map_err(|e| bad("package name")(format!("is refused: {e}")))?;
        let release = Release {
            name,
            version: version_column(&self.version).map_err(bad("version"))?,
            summary: self.summary,
            description: self.description,
            author: self.author,
            author_email: self.author_email,
            license: self.license,
            homepage_url: self.homepage_url,
            repository_url: self.repository_url,
            documentation_url: self.documentation_url,
            keywords: json_column(&self.keywords, LIST).map_err(bad("keywords"))?,
            categories: json_column(&self.categories, LIST).map_err(bad("categories"))?,
            package_type: word_column(&self.package_type, PackageType::CHOICES).map_err(bad("package_type"))?,
            performance_impact: word_column(&self.performance_impact, PerformanceImpact::CHOICES)
                .map_err(bad("performance_impact"))?,
            requires_admin: self.requires_admin,
            revit_range: RevitRange::new(
                year_column(self.min_revit).map_err(bad("min_revit"))?,
                year_column(self.max_revit).map_err(bad("max_revit"))?,
            )
            .map_err(|e| bad("max_revit")(format!("is below min_revit ({e})")))?,
            tested_revit: json_column(&self.tested_revit, "a JSON list of Revit years").map_err(bad("tested_revit"))?,
            known_issues: json_column(&self.known_issues, JSON).map_err(bad("known_issues"))?,
            dependencies: json_column(&self.dependencies, JSON).map_err(bad("dependencies"))?,
            manifest: serde_json::value::RawValue::from_string(self.manifest)
                .map_err(|e| bad("manifest")(format!("is not {JSON} ({e})")))?,
            filename: self.filename,
            file_size: count_column(self.file_size).map_err(bad("file_size"))?,
            file_sha256: sha256_column(&self.file_sha256).map_err(bad("file_sha256"))?,
            security_scan_status: word_column(&self.security_scan_status, ScanStatus::CHOICES)
                .map_err(bad("security_scan_status"))?,
            security_scan: self
                .security_scan
                .as_deref()
                .map(|t| json_column(t, JSON))
                .transpose()
                .map_err(bad("security_scan"))?,
            digital_signature: self.digital_signature,
            signature_key_id: self.signature_key_id,
        };
        Ok(VersionRecord {
            id,
            package_id: self.package_id,
            release,
            yanked: self.yanked,
            yanked_reason: self.yanked_reason,
            download_count: count_column(self.download_count).map_err(bad("download_count"))?,
            published_by: self.published_by,
            created_at: self.created_at,
        })
    }
}
/// The names of `packages` by id, for [`version_records`].
pub(crate) fn names_by_id(packages: &[PackageRecord]) -> std::collections::HashMap<i64, &str> {
    packages.iter().map(|p| (p.id, p.name.as_str())).collect()
}

pub(crate) fn group_versions(packages: Vec<PackageRecord>, versions: Vec<VersionRecord>) -> Vec<PackageDetailRecord> {
    let mut by_id: std::collections::HashMap<i64, Vec<VersionRecord>> = std::collections::HashMap::new();
    for v in versions {
        by_id.entry(v.package_id).or_default().push(v);
    }
    packages
        .into_iter()
        .map(|package| {
            let versions = by_id.remove(&package.id).unwrap_or_default();
            PackageDetailRecord { package, versions, owners: Vec::new() }
        })
        .collect()
}

/// A release as the column values both schemas store, in the order of the
/// `INSERT` each backend writes (see [`VERSION_INSERT_COLUMNS`]): years as
/// numbers (`tested_revit` as a JSON list of numbers), the words and the
/// sha256 as their text, as the registry always wrote them.
pub(crate) struct VersionValues {
    pub(crate) version: String,
    pub(crate) canonical_version: String,
    pub(crate) is_prerelease: bool,
    pub(crate) keywords: String,
    pub(crate) categories: String,
    pub(crate) min_revit: Option<i64>,
    pub(crate) max_revit: Option<i64>,
    pub(crate) tested_revit: String,
    pub(crate) known_issues: String,
    pub(crate) dependencies: String,
    pub(crate) manifest: String,
    pub(crate) file_size: i64,
    pub(crate) security_scan: Option<String>,
}

impl VersionValues {
    pub(crate) fn of(r: &Release) -> Self {
        let tested: Vec<u16> = r.tested_revit.iter().map(|y| y.get()).collect();
        Self {
            version: r.version.to_string(),
            canonical_version: r.canonical_version(),
            is_prerelease: r.is_prerelease(),
            keywords: json_text(&r.keywords),
            categories: json_text(&r.categories),
            min_revit: r.revit_range.min().map(|y| i64::from(y.get())),
            max_revit: r.revit_range.max().map(|y| i64::from(y.get())),
            tested_revit: json_text(&tested),
            known_issues: json_text(&r.known_issues),
            dependencies: json_text(&r.dependencies),
            manifest: json_text(&r.manifest),
            // Sizes are bounded far below i64::MAX by the upload limit.
            file_size: i64::try_from(r.file_size).unwrap_or(i64::MAX),
            security_scan: r.security_scan.as_ref().map(json_text),
        }
    }
}

/// The columns a publish writes, in the order both backends bind them:
/// `package_id` first, `created_at` (the database's clock) and
/// `signature_key_id` last.
pub(crate) const VERSION_INSERT_COLUMNS: &str = "package_id, version, canonical_version, is_prerelease, summary, \
    description, author, author_email, license, homepage_url, repository_url, documentation_url, keywords, categories, \
    package_type, performance_impact, requires_admin, min_revit, max_revit, tested_revit, known_issues, dependencies, \
    manifest, filename, file_size, file_sha256, security_scan_status, security_scan, digital_signature, published_by, \
    created_at, signature_key_id";

/// Why an unsigned version of a package that requires signatures is refused.
pub(crate) fn unsigned_refused(normalized_name: &str) -> StoreError {
    StoreError::SignatureRefused(format!(
        "{normalized_name} requires every version to be signed by one of its owners' keys: sign it (`revitpy-install registry sign`) and publish again"
    ))
}

/// Why a signature by a key that is not registered (or was revoked) is refused.
pub(crate) fn unknown_key_refused(key_id: &str) -> StoreError {
    StoreError::SignatureRefused(format!(
        "the signature is by {key_id}, which is not a registered key (register it: `revitpy-install registry keys add`), or was revoked"
    ))
}

/// Why a signature by a key of someone who is not an owner is refused.
pub(crate) fn not_owner_key_refused(key_id: &str, holder: &str, normalized_name: &str) -> StoreError {
    StoreError::SignatureRefused(format!(
        "the signature is by {key_id}, a key of `{holder}`, who is not an owner of {normalized_name}"
    ))
}

/// `actor` may not change `package`.
pub(crate) fn not_owner(actor: &Actor, package: &str) -> StoreError {
    StoreError::NotOwner { user: actor.user_name.clone(), package: package.to_owned() }
}

/// A version's file reference for `fsck`, from its row's text: a bad row is
/// an error that names it, as for any read of versions.
pub(crate) fn blob_reference(
    id: i64,
    sha256: &str,
    package: String,
    version: &str,
    size: i64,
) -> StoreResult<BlobReference> {
    let named = package.as_str();
    let bad = |column: &'static str| move |problem: String| bad_row(id, named, column, problem);
    let sha256 = sha256_column(sha256).map_err(bad("file_sha256"))?;
    let version = version_column(version).map_err(bad("version"))?;
    let size = count_column(size).map_err(bad("file_size"))?;
    Ok(BlobReference { sha256, package, version, size })
}
