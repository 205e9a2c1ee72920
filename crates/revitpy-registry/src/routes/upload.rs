//! `POST /api/packages/upload`: publish a version.
//!
//! Order matters for safety and cost: authenticate before reading a byte;
//! stream the body to a temporary file (never the whole file in memory),
//! hashing as it goes and stopping at `MAX_UPLOAD_MB`; check the package
//! with the format library; refuse early what the store would refuse
//! (duplicate, not an owner); scan it (DESIGN.md "Scan results") and refuse
//! it, with 422, when a finding reaches `SCAN_BLOCK_SEVERITY`; move the file
//! into the blob store (durable); then commit the version with its scan. A
//! crash before the commit leaves at most an orphan blob that `fsck` finds;
//! nothing half-written is ever visible.

use std::str::FromStr;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use revitpy_api::UploadResponse;
use revitpy_blobs::{BlobKey, OrphanRule};
use revitpy_names::{PackageName, Version, canonical_version};
use revitpy_rpyx::{Limits, Manifest, inspect};
use revitpy_scan::report::{ScanReport, Severity};
use revitpy_store::{Actor, NewVersion, Scope, VersionData};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::ApiQuery;
use super::multipart::{HeadersTooLong, UploadBody, caused_by};
use crate::auth::require;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Names that would collide with fixed routes under `/api/packages/`.
const RESERVED_NAMES: &[&str] = &["search", "upload"];

#[derive(Deserialize)]
pub struct Params {
    /// The original's upload metadata, JSON. The manifest inside the package
    /// is the truth; this may only agree with it.
    metadata: Option<String>,
}

fn multipart_error(e: multer::Error) -> ApiError {
    if caused_by::<HeadersTooLong>(&e) {
        return ApiError::bad_request(format!("malformed multipart body: {HeadersTooLong}"));
    }
    if caused_by::<tower_http::timeout::TimeoutError>(&e) {
        return ApiError::new(StatusCode::REQUEST_TIMEOUT, "the upload stopped sending data (REQUEST_BODY_TIMEOUT)");
    }
    match e {
        multer::Error::FieldSizeExceeded { field_name, .. } if field_name.as_deref() == Some("metadata") => {
            ApiError::bad_request("the metadata field is longer than 64 KiB")
        }
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            ApiError::too_large("the upload is larger than MAX_UPLOAD_MB allows")
        }
        e => ApiError::bad_request(format!("malformed multipart body: {e}")),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<Params>,
    request: Request,
) -> Result<Json<UploadResponse>, Response> {
    require(&actor, Scope::Publish, None).map_err(IntoResponse::into_response)?;
    let limit = state.max_upload_bytes;
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit + MULTIPART_OVERHEAD) {
        // Read (and drop) what the client is sending, so it sees the answer
        // and its connection stays usable; past the cap, close it.
        let drained = drain(request.into_body().into_data_stream(), DRAIN_CAP).await;
        return Err(too_large_response(limit, drained));
    }
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| {
            ApiError::bad_request("expected a multipart/form-data body (with its boundary) and a `file` field")
                .into_response()
        })?;
    let mut multipart = UploadBody::new(
        request.into_body(),
        boundary,
        limit + MULTIPART_OVERHEAD + DRAIN_CAP,
        &[("metadata", MAX_METADATA_BYTES as u64)],
    );
    upload_parts(&state, &actor, params, &mut multipart, limit).await.map_err(|e| {
        if e.status == StatusCode::PAYLOAD_TOO_LARGE {
            // Part of the body may still be unread: do not reuse this connection.
            too_large_response(limit, false)
        } else {
            e.into_response()
        }
    })
}

/// Multipart framing around the file: boundaries, headers, a metadata field.
const MULTIPART_OVERHEAD: u64 = 1024 * 1024;
/// How much of an oversized upload is read and dropped before the
/// connection is closed instead.
pub const DRAIN_CAP: u64 = 16 * 1024 * 1024;
/// Longest `metadata` form field.
const MAX_METADATA_BYTES: usize = 64 * 1024;

/// Reads and drops a body; true when it ended within `cap` bytes.
async fn drain(mut stream: axum::body::BodyDataStream, cap: u64) -> bool {
    use futures_util::StreamExt;
    let mut seen: u64 = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                seen += c.len() as u64;
                if seen > cap {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

fn too_large_response(limit: u64, drained: bool) -> Response {
    let mut response = too_large(limit).into_response();
    if !drained {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn upload_parts(
    state: &AppState,
    actor: &Actor,
    params: Params,
    multipart: &mut UploadBody,
    limit: u64,
) -> ApiResult<Json<UploadResponse>> {
    let mut metadata = params.metadata;
    let mut received: Option<(tempfile::TempPath, String, u64)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") if received.is_none() => {
                let tmp = tempfile::Builder::new()
                    .prefix("upload-")
                    .tempfile_in(state.blobs.temp_dir())
                    .map_err(|e| ApiError::internal("creating upload file", e))?
                    .into_temp_path();
                let mut out =
                    tokio::fs::File::create(&tmp).await.map_err(|e| ApiError::internal("opening upload file", e))?;
                let mut hasher = Sha256::new();
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    size += chunk.len() as u64;
                    if size > limit {
                        // Drop the rest of the file (up to the cap) so the client reads the 413.
                        let mut extra: u64 = 0;
                        while let Ok(Some(c)) = field.chunk().await {
                            extra += c.len() as u64;
                            if extra > DRAIN_CAP {
                                break;
                            }
                        }
                        return Err(too_large(limit));
                    }
                    hasher.update(&chunk);
                    out.write_all(&chunk).await.map_err(|e| ApiError::internal("writing upload file", e))?;
                }
                out.flush().await.map_err(|e| ApiError::internal("writing upload file", e))?;
                received = Some((tmp, hex::encode(hasher.finalize()), size));
            }
            Some("file") => return Err(ApiError::bad_request("send one `file` field per upload")),
            Some("metadata") if metadata.is_none() => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    text.extend_from_slice(&chunk);
                    if text.len() > MAX_METADATA_BYTES {
                        return Err(ApiError::bad_request("the metadata field is longer than 64 KiB"));
                    }
                }
                metadata = Some(String::from_utf8(text).map_err(|_| ApiError::bad_request("metadata is not UTF-8"))?);
            }
            // Other fields (the original's clients send none) are ignored.
            _ => {}
        }
    }
    let (tmp, sha256, size) =
        received.ok_or_else(|| ApiError::bad_request("the multipart field `file` (the .rpyx) is missing"))?;
    if size == 0 {
        return Err(ApiError::bad_request("the uploaded file is empty"));
    }

    // One turn on the scan pool covers the check and the scan: both are
    // CPU-bound, and neither may hold the threads that serve reads.
    let turn = state.scans.turn().await?;
    let check_path = tmp.to_path_buf();
    let limits = Limits { max_archive_bytes: limit, ..Limits::default() };
    let inspection = turn
        .run("package check", move || inspect::inspect_file(&check_path, limits, None))
        .await?
        .map_err(|e| ApiError::bad_request(format!("invalid package: {e}")))?;
    if !inspection.valid() {
        let errors: Vec<String> =
            inspection.problems.iter().filter(|p| p.is_error()).map(ToString::to_string).collect();
        return Err(ApiError::bad_request(format!("invalid package: {}", errors.join("; "))));
    }
    let manifest = inspection.manifest.expect("a valid inspection has a manifest");
    let package = inspection.package.expect("a valid inspection has its package");
    if inspection.file_sha256 != sha256 {
        return Err(ApiError::internal("upload hash", "the file changed while it was checked"));
    }
    check_metadata(metadata.as_deref(), &manifest)?;
    let normalized = manifest.name.normalized().to_owned();
    if RESERVED_NAMES.contains(&normalized.as_str()) {
        return Err(ApiError::bad_request(format!("`{normalized}` is a reserved name; choose another")));
    }
    if manifest.version.is_local() {
        return Err(ApiError::bad_request(format!(
            "{} has a local version label (`+...`), which cannot be published",
            manifest.version
        )));
    }
    require(actor, Scope::Publish, Some(&normalized))?;

    // Refuse early what the store would refuse, before storing the file.
    if let Some(existing) = state.store.package(&normalized).await? {
        if !actor.is_admin() {
            let owners = state.store.owners(existing.id).await?;
            if !owners.contains(&actor.user_name) {
                return Err(ApiError::forbidden(format!(
                    "`{}` is not an owner of {normalized}; ask an owner to add you",
                    actor.user_name
                )));
            }
        }
        let canonical = canonical_version(&manifest.version);
        let versions = state.store.versions(existing.id).await?;
        if let Some(v) = versions.iter().find(|v| v.data.canonical_version == canonical) {
            return Err(ApiError::conflict(format!(
                "{normalized} {} already exists (as {}); versions are immutable, publish a new version",
                manifest.version, v.data.version
            )));
        }
    }

    // Scan it (CPU-bound, off the async threads) and apply the policy
    // before anything is stored.
    let (report, manifest) = turn
        .run("security scan", move || {
            let report = revitpy_scan::package::scan_package(&package, &manifest);
            (report, manifest)
        })
        .await?;
    drop(turn);
    let report =
        report.map_err(|e| ApiError::bad_request(format!("invalid package: the scanner cannot read it: {e}")))?;
    if let Some(threshold) = state.scan_block
        && report.at_or_above(threshold).next().is_some()
    {
        tracing::warn!(package = %normalized, version = %manifest.version, risk_level = %report.risk_level, user = %actor.user_name, "upload refused by the security scan");
        return Err(ApiError::unprocessable(refusal(&manifest, &report, threshold)));
    }
    let mut scan = serde_json::to_value(&report).map_err(|e| ApiError::internal("security scan", e))?;
    if let Some(obj) = scan.as_object_mut() {
        obj.insert("scanned_at".to_owned(), Value::String(revitpy_names::timestamp::now_rfc3339()));
    }
    let scan_status = report.status();

    let key = BlobKey::parse(&sha256).expect("sha256 hex is a valid key");
    let created = state.blobs.put_file(&key, &tmp).await.map_err(|e| ApiError::internal("storing package file", e))?;
    // The file now lives in the blob store; the temporary path is gone.
    let _ = tmp.keep();
    let stored_at = if created { state.blobs.stored_at(&key).await.ok().flatten() } else { None };

    let new = NewVersion {
        package_name: manifest.name.as_str().to_owned(),
        normalized_name: normalized.clone(),
        data: version_data(&manifest, &sha256, size, scan_status, scan),
    };
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
    Ok(Json(UploadResponse {
        package_name: manifest.name.as_str().to_owned(),
        version: manifest.version.to_string(),
        file_hash: sha256,
        file_size: size,
        serial: published.serial,
        security_scan_status: scan_status.to_owned(),
    }))
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

/// How many findings a refusal names.
const REFUSAL_FINDINGS: usize = 5;

/// The 422's detail: what was refused, its risk level, the policy, and the
/// worst findings (rule, file:line, message).
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

fn too_large(limit: u64) -> ApiError {
    ApiError::too_large(format!("the upload is larger than {} MB (MAX_UPLOAD_MB)", limit / (1024 * 1024)))
}

/// The original's `metadata` may restate name and version; where it
/// disagrees with the manifest inside the package, the upload is refused.
fn check_metadata(metadata: Option<&str>, manifest: &Manifest) -> ApiResult<()> {
    let Some(text) = metadata.filter(|t| !t.trim().is_empty()) else {
        return Ok(());
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("metadata is not valid JSON: {e}")))?;
    let obj = value.as_object().ok_or_else(|| ApiError::bad_request("metadata must be a JSON object"))?;
    if let Some(name) = obj.get("name").and_then(Value::as_str) {
        let same = PackageName::new(name).is_ok_and(|n| n == manifest.name);
        if !same {
            return Err(ApiError::bad_request(format!(
                "metadata names the package `{name}` but its manifest says `{}`; the manifest is the truth",
                manifest.name
            )));
        }
    }
    if let Some(version) = obj.get("version").and_then(Value::as_str) {
        let same = Version::from_str(version).is_ok_and(|v| v == manifest.version);
        if !same {
            return Err(ApiError::bad_request(format!(
                "metadata says version `{version}` but the manifest says `{}`; the manifest is the truth",
                manifest.version
            )));
        }
    }
    Ok(())
}

fn version_data(m: &Manifest, sha256: &str, size: u64, scan_status: &str, scan: Value) -> VersionData {
    let rc = &m.revit_compatibility;
    let manifest_json = m.to_json();
    VersionData {
        version: m.version.to_string(),
        canonical_version: canonical_version(&m.version),
        is_prerelease: m.version.any_prerelease(),
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
        package_type: m.package_type.to_string(),
        performance_impact: m.performance_impact.to_string(),
        requires_admin: m.requires_admin,
        min_revit: rc.range.min().map(|y| y.get()),
        max_revit: rc.range.max().map(|y| y.get()),
        tested_revit: rc.tested_versions.iter().map(|y| y.get()).collect(),
        known_issues: manifest_json["revit_compatibility"]["known_issues"].clone(),
        dependencies: manifest_json["dependencies"].clone(),
        filename: format!("{}-{}.rpyx", m.name.normalized(), m.version),
        manifest: manifest_json,
        file_size: size,
        file_sha256: sha256.to_owned(),
        security_scan_status: scan_status.to_owned(),
        security_scan: Some(scan),
        digital_signature: m.digital_signature.clone(),
    }
}
