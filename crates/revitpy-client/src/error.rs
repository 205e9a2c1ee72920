//! What can go wrong talking to a registry, each variant with what a person
//! needs to act on it.

use crate::limits::human_size;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Callers turn this one into offline mode.
    #[error("cannot reach the registry at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The registry refused, with its `detail` (already shortened).
    #[error("the registry answered {status}: {detail}")]
    Status { status: u16, detail: String },
    /// A status the request cannot have asked for (a 304 to a request sent
    /// without `If-None-Match`, a 1xx or 3xx that was not followed).
    #[error(
        "the registry at {url} answered {status} to {path}, which this client did not ask for; it is not behaving as a RevitPy registry"
    )]
    UnexpectedStatus { url: String, path: String, status: u16 },
    #[error("the registry's answer from {url} is not what this client understands: {reason}")]
    Decode { url: String, reason: String },
    /// A body past its cap (see [`crate::limits`]): the client stops reading.
    #[error(
        "the registry's answer to {path} exceeded {}, the most this client reads there; the registry at {url} is misbehaving or is not a RevitPy registry",
        human_size(*cap)
    )]
    TooLarge { url: String, path: String, cap: u64 },
    /// A token would cross the network in clear text (see [`crate::registry_url`]).
    #[error(
        "refusing to send a token to {url} over plain http: {host} is not this machine, so anyone on the network in between can read the token; use an https:// registry URL"
    )]
    InsecureToken { url: String, host: String },
    /// The registry URL itself is wrong (the message says how).
    #[error("{0}")]
    BadUrl(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ClientError {
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Unreachable { .. })
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;
