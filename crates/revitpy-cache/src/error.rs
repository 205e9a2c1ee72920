//! The one error type of the cache. Every variant names the file or the
//! values a person needs to act on it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Refused before any path is built from it.
    #[error("invalid sha256 {0:?}: expected 64 lowercase hexadecimal characters")]
    InvalidSha256(String),

    /// An I/O error from `fs-err`, whose message already names the path.
    #[error(transparent)]
    Io(std::io::Error),

    /// An I/O error from a call that does not name its path.
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cache database {path}: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("cache database {path} has schema version {found}; this revitpy-install understands up to {supported}")]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },

    /// `insert` refused the file: nothing was stored.
    #[error("{name} {version}: the downloaded file {path} has {actual} bytes, expected {expected}; nothing was cached")]
    SizeMismatch { name: String, version: String, path: PathBuf, expected: u64, actual: u64 },

    /// `insert` refused the file: nothing was stored.
    #[error(
        "{name} {version}: the downloaded file {path} has sha256 {actual}, expected {expected}; nothing was cached"
    )]
    HashMismatch { name: String, version: String, path: PathBuf, expected: String, actual: String },

    /// The move of a verified download into the cache failed (on Windows,
    /// typically because another program holds the target open).
    #[error("cannot move {from} to {to}: {source}")]
    Persist {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
