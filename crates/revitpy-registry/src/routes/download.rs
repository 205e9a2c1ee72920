//! `GET|HEAD /api/packages/{name}/{version}/download`: the file itself.
//!
//! Files are immutable (content-addressed), so the ETag is the sha256 and
//! caches may keep them for a year. Single byte ranges are served (206),
//! a matching `If-None-Match` is a 304, and yanked versions stay
//! downloadable by exact version. Counted: GETs that send the whole file;
//! not HEAD, not 304, not ranges (a probe such as `bytes=0-0` is not a
//! download; a resumed download was counted when it started).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use revitpy_blobs::{BlobKey, BlobLocation};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::ApiPath;
use crate::error::{ApiError, ApiResult, storage_failure};
use crate::service::lookup;
use crate::state::AppState;

/// `bytes=a-b`, `bytes=a-`, `bytes=-n`; one range only.
fn parse_range(value: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        // Several ranges: serve the whole file, as RFC 9110 allows.
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", "") => return Err(()),
        ("", n) => {
            let n: u64 = n.parse().map_err(|_| ())?;
            if n == 0 {
                return Err(());
            }
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        (a, "") => (a.parse().map_err(|_| ())?, size.saturating_sub(1)),
        (a, b) => {
            let a: u64 = a.parse().map_err(|_| ())?;
            let b: u64 = b.parse().map_err(|_| ())?;
            (a, b.min(size.saturating_sub(1)))
        }
    };
    if size == 0 || start > end || start >= size {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// The object storage did not answer: 503 with a retry, the cause logged
/// (it names the bucket and endpoint, which clients need not see).
fn object_storage_down(cause: &str) -> ApiError {
    tracing::error!(error = %cause, "object storage failed");
    ApiError::busy("the package storage is not answering; try again shortly", 5)
}

pub async fn download(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ApiPath((name, version)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let detail = lookup::detail(state.store.as_ref(), &name).await?;
    let v = lookup::version(detail.versions, &detail.package.normalized_name, &version)?;
    let sha = &v.release.file_sha256;
    let etag = format!("\"{sha}\"");
    let key =
        BlobKey::parse(sha.as_str()).ok_or_else(|| ApiError::internal("stored hash", format!("bad sha256 {sha}")))?;

    let mut base = HeaderMap::new();
    base.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex is a valid header"));
    base.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    base.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));

    let if_none_match = headers.get(header::IF_NONE_MATCH).and_then(|h| h.to_str().ok());
    if if_none_match.is_some_and(|h| h.trim() == "*" || h.split(',').any(|t| t.trim().trim_start_matches("W/") == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, base).into_response());
    }

    if let Some(cdn) = &state.cdn_base_url {
        // As without a CDN: only a GET of the whole file is a download (a
        // ranged GET is a probe or a resume, whatever the CDN then sends).
        if method == Method::GET && !headers.contains_key(header::RANGE) {
            state.downloads.record(v.id);
            state.metrics.download(&detail.package.normalized_name);
        }
        let target = format!("{}/{}", cdn.trim_end_matches('/'), key.relative_path());
        base.insert(header::LOCATION, HeaderValue::from_str(&target).map_err(|e| ApiError::internal("CDN URL", e))?);
        return Ok((StatusCode::FOUND, base).into_response());
    }

    let located = match state.blobs.locate(&key).await {
        Ok(located) => located,
        // The whole storage gone (an unmounted share) is unavailability; one
        // file gone while the storage answers is damage for fsck to report.
        Err(revitpy_blobs::BlobError::NotFound(_)) => {
            return Err(match state.blobs.check().await {
                Err(revitpy_blobs::BlobError::Io { source, .. }) => {
                    storage_failure("reading the package file", &source)
                }
                Err(revitpy_blobs::BlobError::Storage(e)) => object_storage_down(&e),
                _ => ApiError::internal(
                    "package file missing from storage (run `revitpy-registry fsck`)",
                    &v.release.filename,
                ),
            });
        }
        Err(revitpy_blobs::BlobError::Io { source, .. }) => {
            return Err(storage_failure("reading the package file", &source));
        }
        Err(revitpy_blobs::BlobError::Storage(e)) => return Err(object_storage_down(&e)),
        Err(other) => return Err(ApiError::internal("package storage", other)),
    };
    let (path, size) = match located {
        BlobLocation::File { path, size } => (path, size),
        // In a bucket: a redirect to a presigned URL, counted as the CDN's
        // redirects are. The URL expires, so the redirect is not cached.
        BlobLocation::Url { url, size } => {
            // A presigned URL is for GET only: HEAD is answered here.
            if method == Method::HEAD {
                base.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
                base.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
                return Ok((StatusCode::OK, base).into_response());
            }
            if method == Method::GET && !headers.contains_key(header::RANGE) {
                state.downloads.record(v.id);
                state.metrics.download(&detail.package.normalized_name);
            }
            base.insert(
                header::LOCATION,
                HeaderValue::from_str(&url).map_err(|e| ApiError::internal("presigned URL", e))?,
            );
            base.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return Ok((StatusCode::FOUND, base).into_response());
        }
    };
    base.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    base.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", v.release.filename))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );

    let range = match headers.get(header::RANGE).and_then(|h| h.to_str().ok()) {
        None => None,
        Some(value) => {
            // If-Range with another validator: the file changed for the client; send all.
            let if_range_ok =
                headers.get(header::IF_RANGE).and_then(|h| h.to_str().ok()).is_none_or(|t| t.trim() == etag);
            match parse_range(value, size) {
                Ok(r) if if_range_ok => r,
                Ok(_) => None,
                Err(()) => {
                    base.insert(
                        header::CONTENT_RANGE,
                        HeaderValue::from_str(&format!("bytes */{size}")).expect("ascii"),
                    );
                    return Ok((
                        StatusCode::RANGE_NOT_SATISFIABLE,
                        base,
                        axum::Json(serde_json::json!({
                            "detail": format!("the range `{value}` is not inside the file's {size} bytes")
                        })),
                    )
                        .into_response());
                }
            }
        }
    };
    let (status, start, len) = match range {
        Some((a, b)) => {
            base.insert(header::CONTENT_RANGE, HeaderValue::from_str(&format!("bytes {a}-{b}/{size}")).expect("ascii"));
            (StatusCode::PARTIAL_CONTENT, a, b - a + 1)
        }
        None => (StatusCode::OK, 0, size),
    };
    base.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if method == Method::HEAD {
        return Ok((status, base).into_response());
    }
    if start == 0 && len == size {
        state.downloads.record(v.id);
        state.metrics.download(&detail.package.normalized_name);
    }
    let mut file = tokio::fs::File::open(&path).await.map_err(|e| storage_failure("opening the package file", &e))?;
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| ApiError::internal("seeking package file", e))?;
    }
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(len), 256 * 1024));
    Ok((status, base, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some((50, 99))));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=9-3", 100), Err(()));
        assert_eq!(parse_range("bytes=x-3", 100), Err(()));
        assert_eq!(parse_range("bytes=-0", 100), Err(()));
        assert_eq!(parse_range("bytes=-", 100), Err(()));
    }
}
