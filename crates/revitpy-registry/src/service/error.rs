//! Why a registry operation did not happen. Each variant is a kind of
//! answer (the caller's mistake, a missing thing, a policy, our failure),
//! not an HTTP status: `crate::error` maps them, and the admin commands
//! print them.

use revitpy_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request itself is wrong (a bad name, an invalid package).
    #[error("{0}")]
    Invalid(String),
    /// Not allowed for this token or account.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// It would contradict what exists (a version published twice).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Well formed, but this registry's policy refuses it (the security scan).
    #[error("{0}")]
    Refused(String),
    /// Busy, not broken: the same request will work after `retry_after` seconds.
    #[error("{detail}")]
    Busy { detail: String, retry_after: u64 },
    /// Our side failed; `cause` is logged, never shown to the client.
    #[error("internal error: {context}")]
    Internal { context: &'static str, cause: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub fn internal(context: &'static str, cause: impl std::fmt::Display) -> Self {
        Self::Internal { context, cause: cause.to_string() }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
