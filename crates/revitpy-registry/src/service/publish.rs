//! Publishing a version, once its file has arrived.
//!
//! Order matters for safety and cost: check the package with the format
//! library; refuse early what the store would refuse (duplicate, not an
//! owner: the store's own rule, asked before the work); scan it and refuse
//! it when a finding reaches `SCAN_BLOCK_SEVERITY`; move the file into the
//! blob store (durable); then commit the version with its scan, and wait
//! until search shows it. A crash before the commit leaves at most an
//! orphan blob that `fsck` finds; nothing half-written is ever visible.

use std::str::FromStr;

use revitpy_blobs::{BlobKey, OrphanRule};
use revitpy_check::{ArchiveDigest, CheckOptions, open_file};
use revitpy_names::{PackageName, ScanStatus, Sha256, Version, canonical_version};
use revitpy_rpyx::problem::has_errors;
use revitpy_rpyx::{Limits, Manifest, Problem, ReadError};
use revitpy_scan::report::{ScanReport, Severity};
use revitpy_store::{Actor, Release, Scope};
use serde_json::Value;

use super::access::require;
use super::{ServiceError, ServiceResult};
use crate::state::AppState;

/// Names that would collide with fixed routes under `/api/packages/`.
const RESERVED_NAMES: &[&str] = &["search", "upload"];

/// How many findings a refusal names.
const REFUSAL_FINDINGS: usize = 5;

/// A package file that has arrived whole, in the blob store's temporary
/// folder, with what was measured while it arrived.
pub struct Upload {
    pub file: tempfile::TempPath,
    pub sha256: String,
    pub size: u64,
    /// The original's upload metadata, JSON. The manifest inside the
    /// package is the truth; this may only agree with it.
    pub metadata: Option<String>,
    /// A detached signature (`registry sign`'s FILE.sig) over the package's
    /// name, version and sha256; refused unless it verifies.
    pub signature: Option<String>,
}

/// What was published.
pub struct Published {
    /// The name as its manifest spells it.
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub size: u64,
    pub serial: i64,
    pub scan_status: &'static str,
}

/// Whether `actor` may publish at all: asked before a byte of the file is
/// read, and again by [`publish`].
pub fn authorize(actor: &Actor) -> ServiceResult<()> {
    require(actor, Scope::Publish, None)
}

pub async fn publish(state: &AppState, actor: &Actor, upload: Upload) -> ServiceResult<Published> {
    authorize(actor)?;
    let Upload { file, sha256, size, metadata, signature } = upload;
    if size == 0 {
        return Err(ServiceError::Invalid("the uploaded file is empty".to_owned()));
    }

    // One turn on the scan pool covers the check and the scan: both are
    // CPU-bound, and neither may hold the threads that serve reads.
    let turn = state.scans.turn().await?;
    let check_path = file.to_path_buf();
    // Hashed as it arrived: the check takes that hash instead of hashing
    // the file again (and refuses a file that is not the size hashed).
    let known_digest =
        ArchiveDigest::new(&sha256, size).ok_or_else(|| ServiceError::internal("upload hash", "not a sha256"))?;
    let options = CheckOptions {
        limits: Limits { max_archive_bytes: state.max_upload_bytes, ..Limits::default() },
        scan: true,
        known_digest: Some(known_digest),
        ..CheckOptions::default()
    };
    // Opening reads the manifest alone; the files are read once (verified
    // and scanned) after the cheap refusals below.
    let opened = turn.run("package check", move || open_file(&check_path, &options)).await?.map_err(|e| match e {
        e @ ReadError::NotWhatWasHashed { .. } => ServiceError::internal("upload hash", e),
        e => ServiceError::Invalid(format!("invalid package: {e}")),
    })?;
    let invalid = |problems: &[Problem]| {
        let errors: Vec<String> = problems.iter().filter(|p| p.is_error()).map(ToString::to_string).collect();
        ServiceError::Invalid(format!("invalid package: {}", errors.join("; ")))
    };
    let Some(manifest) = opened.manifest().filter(|_| !has_errors(opened.problems())) else {
        return Err(invalid(opened.problems()));
    };
    check_metadata(metadata.as_deref(), manifest)?;
    let normalized = manifest.name.normalized().to_owned();
    if RESERVED_NAMES.contains(&normalized.as_str()) {
        return Err(ServiceError::Invalid(format!("`{normalized}` is a reserved name; choose another")));
    }
    if manifest.version.is_local() {
        return Err(ServiceError::Invalid(format!(
            "{} has a local version label (`+...`), which cannot be published",
            manifest.version
        )));
    }
    require(actor, Scope::Publish, Some(&normalized))?;
    // Before the scan (it is cheap): a signature that does not verify for
    // exactly this name, version and file is a refusal that names why.
    let signed = match &signature {
        Some(text) => {
            let statement = revitpy_sign::Statement {
                name: normalized.clone(),
                version: manifest.version.to_string(),
                sha256: sha256.clone(),
            };
            let verified = revitpy_sign::verify(text, &statement, None)
                .map_err(|e| ServiceError::Invalid(format!("the signature does not verify: {e}")))?;
            Some((text.trim().to_owned(), verified.key_id))
        }
        None => None,
    };
    // Early, before the scan; `publish` applies the same rules again in
    // its transaction (owners, keys or the policy may change meanwhile).
    state.store.check_signer(actor, &normalized, signed.as_ref().map(|(_, key_id)| key_id.as_str())).await?;
    let canonical = canonical_version(&manifest.version);
    // Refuse early what the store would refuse, before scanning and storing.
    state.store.check_publish(actor, &normalized, &manifest.version.to_string(), &canonical).await?;

    // Read, verify and scan every file (CPU-bound, off the async threads)
    // and apply the policy before anything is stored.
    let checked = turn.run("security scan", move || opened.finish()).await?;
    drop(turn);
    if !checked.valid() {
        return Err(invalid(&checked.problems));
    }
    let report = match checked.scan {
        Some(Ok(report)) => report,
        Some(Err(e)) => return Err(ServiceError::Invalid(format!("invalid package: the scanner cannot read it: {e}"))),
        None => return Err(ServiceError::internal("security scan", "the package was not scanned")),
    };
    state.metrics.scanned(report.risk_level.as_str());
    let manifest = checked.manifest.expect("a valid check has a manifest");
    if let Some(threshold) = state.scan_block
        && report.at_or_above(threshold).next().is_some()
    {
        tracing::warn!(package = %normalized, version = %manifest.version, risk_level = %report.risk_level, user = %actor.user_name, "upload refused by the security scan");
        return Err(ServiceError::Refused(refusal(&manifest, &report, threshold)));
    }
    let scan = stored_report(&report).map_err(|e| ServiceError::internal("security scan", e))?;
    let scan_status = report.status();

    let key = BlobKey::parse(&sha256).expect("sha256 hex is a valid key");
    let created = state.blobs.put_file(&key, &file).await.map_err(|e| match &e {
        revitpy_blobs::BlobError::Io { source, .. } => {
            crate::error::storage_unavailable("storing the package file", source)
                .unwrap_or_else(|| ServiceError::internal("storing package file", &e))
        }
        revitpy_blobs::BlobError::Storage(cause) => {
            tracing::error!(error = %cause, "object storage failed");
            ServiceError::Busy {
                detail: "the package storage is not answering; try again shortly".to_owned(),
                retry_after: 5,
            }
        }
        _ => ServiceError::internal("storing package file", &e),
    })?;
    // The file now lives in the blob store; the temporary path is gone.
    let _ = file.keep();
    let stored_at = if created { state.blobs.stored_at(&key).await.ok().flatten() } else { None };

    let mut new = release(
        &manifest,
        Sha256::new(&sha256).map_err(|e| ServiceError::internal("upload hash", e))?,
        size,
        // The scanner's words are the store's: an unknown one is a bug here.
        scan_status.parse().map_err(|()| ServiceError::internal("security scan status", scan_status))?,
        Some(scan),
    );
    if let Some((text, key_id)) = signed {
        new.digital_signature = Some(text);
        new.signature_key_id = Some(key_id);
    }
    let published = match state.store.publish(actor, new).await {
        Ok(p) => p,
        Err(e) => {
            // A refused commit (a concurrent same-version upload won the
            // race) leaves the file this request stored unreferenced.
            if let Some(at) = stored_at {
                remove_lost_blob(state, key, at);
            }
            return Err(e.into());
        }
    };
    tracing::info!(package = %normalized, version = %manifest.version, sha256 = %sha256, size, serial = published.serial, user = %actor.user_name, security_scan = scan_status, "published");
    state.indexer.catch_up().await;
    Ok(Published {
        name: manifest.name.as_str().to_owned(),
        version: manifest.version.to_string(),
        sha256,
        size,
        serial: published.serial,
        scan_status,
    })
}

/// A report as the registry stores it: the scanner's JSON, when it was
/// made, and which scanner made it (what `rescan` compares).
pub fn stored_report(report: &ScanReport) -> serde_json::Result<Value> {
    let mut scan = serde_json::to_value(report)?;
    if let Some(obj) = scan.as_object_mut() {
        obj.insert("scanned_at".to_owned(), Value::String(revitpy_names::timestamp::now_rfc3339()));
        obj.insert("scanner".to_owned(), Value::String(revitpy_scan::SCANNER_ID.to_owned()));
    }
    Ok(scan)
}

/// Removes the file of an upload whose commit was refused, after the answer
/// is sent (never in the request path), under the store's write lock (no
/// version can start to reference it meanwhile), and only if no upload has
/// stored the same bytes since this one did (another upload of the same
/// file may be about to commit). Otherwise it stays, for `fsck --repair`.
fn remove_lost_blob(state: &AppState, key: BlobKey, stored_at: std::time::SystemTime) {
    let (store, blobs) = (state.store.clone(), state.blobs.clone());
    tokio::spawn(async move {
        let sha = key.as_str().to_owned();
        let remove = Box::new(move || {
            blobs.remove_orphan_blocking(&key, OrphanRule::NotStoredSince(stored_at)).map_err(|e| e.to_string())
        });
        if let Err(e) = store.remove_if_unreferenced(&sha, remove).await {
            tracing::warn!(sha256 = %sha, error = %e, "could not remove the file of a refused upload; fsck --repair will");
        }
    });
}

/// The refusal's words: what was refused, its risk level, the policy, and
/// the worst findings (rule, file:line, message).
fn refusal(manifest: &Manifest, report: &ScanReport, threshold: Severity) -> String {
    let mut blocking: Vec<_> = report.at_or_above(threshold).collect();
    // Worst first; the scanner's order within a severity is kept.
    blocking.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let shown: Vec<String> = blocking
        .iter()
        .take(REFUSAL_FINDINGS)
        .map(|f| format!("{} {} at {}:{}: {}", f.severity, f.rule, f.file, f.line, f.message))
        .collect();
    let more = blocking.len().saturating_sub(REFUSAL_FINDINGS);
    format!(
        "{} {} was refused by the security scan: risk level {} (this registry refuses findings at {threshold} or above, SCAN_BLOCK_SEVERITY); {}{}. Nothing was stored; check it with `revitpy-install registry validate FILE --security-scan`",
        manifest.name,
        manifest.version,
        report.risk_level,
        shown.join("; "),
        if more > 0 { format!("; and {more} more") } else { String::new() },
    )
}

/// The original's `metadata` may restate name and version; where it
/// disagrees with the manifest inside the package, the upload is refused.
fn check_metadata(metadata: Option<&str>, manifest: &Manifest) -> ServiceResult<()> {
    let Some(text) = metadata.filter(|t| !t.trim().is_empty()) else {
        return Ok(());
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| ServiceError::Invalid(format!("metadata is not valid JSON: {e}")))?;
    let obj = value.as_object().ok_or_else(|| ServiceError::Invalid("metadata must be a JSON object".to_owned()))?;
    if let Some(name) = obj.get("name").and_then(Value::as_str) {
        let same = PackageName::new(name).is_ok_and(|n| n == manifest.name);
        if !same {
            return Err(ServiceError::Invalid(format!(
                "metadata names the package `{name}` but its manifest says `{}`; the manifest is the truth",
                manifest.name
            )));
        }
    }
    if let Some(version) = obj.get("version").and_then(Value::as_str) {
        let same = Version::from_str(version).is_ok_and(|v| v == manifest.version);
        if !same {
            return Err(ServiceError::Invalid(format!(
                "metadata says version `{version}` but the manifest says `{}`; the manifest is the truth",
                manifest.version
            )));
        }
    }
    Ok(())
}

/// The store's record of a version, from its manifest and its file: the
/// one place a manifest becomes a [`Release`], used by [`publish`] and by
/// the benchmarks that seed a store. It lives here, in the server, because
/// this is the one crate that sees both sides: the store must not depend on
/// the package format, and the package format gains no dependency for it.
pub fn release(
    m: &Manifest,
    file_sha256: Sha256,
    file_size: u64,
    scan_status: ScanStatus,
    scan: Option<Value>,
) -> Release {
    let rc = &m.revit_compatibility;
    let manifest_json = m.to_json();
    Release {
        name: m.name.clone(),
        version: m.version.clone(),
        summary: m.summary.clone(),
        description: m.description.clone(),
        author: m.author.clone(),
        author_email: m.author_email.clone(),
        license: m.license.clone(),
        homepage_url: m.homepage_url.clone(),
        repository_url: m.repository_url.clone(),
        documentation_url: m.documentation_url.clone(),
        keywords: m.keywords.clone(),
        categories: m.categories.clone(),
        package_type: m.package_type,
        performance_impact: m.performance_impact,
        requires_admin: m.requires_admin,
        revit_range: rc.range,
        tested_revit: rc.tested_versions.clone(),
        // The API shows these in the manifest's own JSON shape.
        known_issues: manifest_json["revit_compatibility"]["known_issues"].clone(),
        dependencies: manifest_json["dependencies"].clone(),
        filename: format!("{}-{}.rpyx", m.name.normalized(), m.version),
        manifest: serde_json::value::to_raw_value(&manifest_json).expect("JSON values serialize"),
        file_size,
        file_sha256,
        security_scan_status: scan_status,
        security_scan: scan,
        digital_signature: m.digital_signature.clone(),
        signature_key_id: None,
    }
}
