//! The one HTTP error boundary: every failure becomes `{"detail": ...}` with
//! the right status. Internal errors are logged with their cause and answered
//! with a generic message; a client mistake is always a 4xx.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use revitpy_store::StoreError;

use crate::service::ServiceError;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: Value,
    /// Seconds for a `Retry-After` header (503s that will pass).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, detail: Value::String(detail.into()), retry_after: None }
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }
    /// A well-formed request the server will not act on (an upload its
    /// security policy refuses).
    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, detail)
    }
    /// Logs the cause; the client sees only that something failed on our side.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "{context}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {context}"))
    }
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, detail)
    }
    /// The server is busy, not broken: try again after `seconds`.
    pub fn busy(detail: impl Into<String>, seconds: u64) -> Self {
        Self { retry_after: Some(seconds), ..Self::unavailable(detail) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "detail": self.detail }))).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// `Retry-After` when the database or the package storage is unavailable.
pub const UNAVAILABLE_RETRY_SECONDS: u64 = 10;

/// A file-system failure of the package storage that is the machine's
/// state, not a bug: a full disk, a folder gone (an unmounted share), no
/// permission. Those are 503 with `Retry-After` and words an operator can
/// act on; anything else stays a 500.
pub fn storage_failure(context: &str, e: &std::io::Error) -> ApiError {
    match storage_unavailable(context, e) {
        Some(ServiceError::Busy { detail, retry_after }) => ApiError::busy(detail, retry_after),
        _ => ApiError::internal(context, e),
    }
}

/// [`storage_failure`] for the service layer: `Busy`, or `None` for a fault.
pub fn storage_unavailable(context: &str, e: &std::io::Error) -> Option<ServiceError> {
    use std::io::ErrorKind;
    let why = match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "its disk is full; free space where STORAGE_PATH points",
        ErrorKind::NotFound => "its folder is gone (STORAGE_PATH: an unmounted share?)",
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            "the server may not write there (STORAGE_PATH permissions, a read-only mount)"
        }
        _ => return None,
    };
    tracing::warn!(error = %e, "{context}: package storage unavailable");
    Some(ServiceError::Busy {
        detail: format!("the package storage is unavailable ({context}): {why}"),
        retry_after: UNAVAILABLE_RETRY_SECONDS,
    })
}

/// The one mapping from what the registry refused to what HTTP answers.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(m) => ApiError::bad_request(m),
            ServiceError::Forbidden(m) => ApiError::forbidden(m),
            ServiceError::NotFound(m) => ApiError::not_found(m),
            ServiceError::Conflict(m) => ApiError::conflict(m),
            ServiceError::TooLarge(m) => ApiError::too_large(m),
            ServiceError::Refused(m) => ApiError::unprocessable(m),
            ServiceError::Busy { detail, retry_after } => ApiError::busy(detail, retry_after),
            ServiceError::Internal { context, cause } => ApiError::internal(context, cause),
            ServiceError::Store(e) => match e {
                StoreError::NotOwner { .. } => ApiError::forbidden(e.to_string()),
                StoreError::VersionExists { .. } => ApiError::conflict(e.to_string()),
                StoreError::NoSuchVersion { .. } | StoreError::NoSuchUser { .. } => ApiError::not_found(e.to_string()),
                StoreError::LastOwner { .. } => ApiError::bad_request(e.to_string()),
                StoreError::KeyExists { .. } => ApiError::conflict(e.to_string()),
                StoreError::SignatureRefused(m) => ApiError::bad_request(m),
                StoreError::Database(m) => ApiError::internal("database", m),
                StoreError::Unavailable(_) => {
                    tracing::warn!(error = %e, "database unavailable");
                    ApiError::busy(e.to_string(), UNAVAILABLE_RETRY_SECONDS)
                }
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(e).into()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
