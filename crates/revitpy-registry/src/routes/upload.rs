//! `POST /api/packages/upload`: publish a version.
//!
//! This handler keeps only HTTP: check the token may publish before reading
//! a byte; stream the multipart body to a temporary file (never the whole
//! file in memory), hashing as it goes and stopping at `MAX_UPLOAD_MB`;
//! then hand the file to [`crate::service::publish`] and answer.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use revitpy_api::UploadResponse;
use revitpy_store::Actor;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::ApiQuery;
use super::multipart::{HeadersTooLong, UploadBody, caused_by};
use crate::error::{ApiError, ApiResult, storage_failure};
use crate::service::publish::{self, Upload};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Params {
    /// The original's upload metadata, JSON (also accepted as a form field).
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
    publish::authorize(&actor).map_err(|e| ApiError::from(e).into_response())?;
    let limit = state.max_upload_bytes;
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit + MULTIPART_OVERHEAD) {
        // Read (and drop) what the client is sending, so it sees the answer
        // and its connection stays usable; past the cap, close it.
        let drained = crate::drain::drain(request.into_body().into_data_stream(), DRAIN_CAP).await;
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
        &[("metadata", MAX_METADATA_BYTES as u64), ("signature", revitpy_sign::MAX_FILE_BYTES)],
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
    let mut signature: Option<String> = None;
    let mut received: Option<(tempfile::TempPath, String, u64)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") if received.is_none() => {
                received = Some(receive_file(state, &mut field, limit).await?);
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
            Some("signature") if signature.is_none() => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    text.extend_from_slice(&chunk);
                    if text.len() as u64 > revitpy_sign::MAX_FILE_BYTES {
                        return Err(ApiError::bad_request("the signature field is longer than 16 KiB"));
                    }
                }
                signature =
                    Some(String::from_utf8(text).map_err(|_| ApiError::bad_request("the signature is not UTF-8"))?);
            }
            Some("signature") => return Err(ApiError::bad_request("send one `signature` field per upload")),
            // Other fields (the original's clients send none) are ignored.
            _ => {}
        }
    }
    let (file, sha256, size) =
        received.ok_or_else(|| ApiError::bad_request("the multipart field `file` (the .rpyx) is missing"))?;
    let published = publish::publish(state, actor, Upload { file, sha256, size, metadata, signature }).await?;
    Ok(Json(UploadResponse {
        package_name: published.name,
        version: published.version,
        file_hash: published.sha256,
        file_size: published.size,
        serial: published.serial,
        security_scan_status: published.scan_status.to_owned(),
    }))
}

/// Streams the `file` field to a temporary file in the blob store's
/// folder, hashing as it goes. On a refusal (too large, the storage full or
/// gone) the rest of the field is read and dropped, up to [`DRAIN_CAP`], so
/// that the client reads the answer instead of a reset connection.
async fn receive_file(
    state: &AppState,
    field: &mut multer::Field<'static>,
    limit: u64,
) -> ApiResult<(tempfile::TempPath, String, u64)> {
    async fn drained(field: &mut multer::Field<'static>, refusal: ApiError) -> ApiError {
        let mut extra: u64 = 0;
        while let Ok(Some(c)) = field.chunk().await {
            extra += c.len() as u64;
            if extra > DRAIN_CAP {
                break;
            }
        }
        refusal
    }
    let created = tempfile::Builder::new().prefix("upload-").tempfile_in(state.blobs.temp_dir());
    let tmp = match created {
        Ok(f) => f.into_temp_path(),
        Err(e) => return Err(drained(field, storage_failure("creating the upload file", &e)).await),
    };
    let mut out = match tokio::fs::File::create(&tmp).await {
        Ok(f) => f,
        Err(e) => return Err(drained(field, storage_failure("opening the upload file", &e)).await),
    };
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(drained(field, too_large(limit)).await);
        }
        hasher.update(&chunk);
        if let Err(e) = out.write_all(&chunk).await {
            // The partial file goes with `tmp`: a full disk gets its space back.
            return Err(drained(field, storage_failure("writing the upload file", &e)).await);
        }
    }
    if let Err(e) = out.flush().await {
        return Err(storage_failure("writing the upload file", &e));
    }
    Ok((tmp, hex::encode(hasher.finalize()), size))
}

fn too_large(limit: u64) -> ApiError {
    ApiError::too_large(format!("the upload is larger than {} MB (MAX_UPLOAD_MB)", limit / (1024 * 1024)))
}
