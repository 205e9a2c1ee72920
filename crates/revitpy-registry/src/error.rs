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
                StoreError::Database(m) => ApiError::internal("database", m),
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
