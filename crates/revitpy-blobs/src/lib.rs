//! Package files, stored by content.
//!
//! A blob's key is the sha256 of its bytes, so a stored file never changes
//! and a second upload of the same bytes costs nothing. Handlers talk to the
//! [`BlobStore`] trait; [`FileStore`] keeps blobs in a folder (the embedded
//! default), [`S3Store`] in an S3-compatible bucket.
//!
//! Durability, on every backend: a blob is complete and durable before the
//! caller commits the database row that makes it visible. In a folder: written
//! to a temporary file in the store's own `tmp/` folder (same file system),
//! fsynced, renamed into place and the folder fsynced. In a bucket: one PUT,
//! or a multipart upload, which S3 makes visible only once complete. A crash
//! leaves either nothing or an orphan blob that no version references,
//! which `fsck` reports and removes.
//!
//! Uploads arrive as a local file on every backend: the server spools and
//! scans each package before it stores it, so [`BlobStore::put_file`] takes
//! a finished file from [`BlobStore::temp_dir`] (a bucket's store sends it,
//! in parts when large). Reads go through [`BlobStore::locate`] (a local
//! file to serve, or a URL to redirect to) or [`BlobStore::fetch_to`] (the
//! bytes into a local file, for rescans and backups).

use std::path::{Path, PathBuf};

use async_trait::async_trait;

pub mod file_store;
#[cfg(feature = "test-support")]
pub mod moto;
pub mod s3_store;

pub use file_store::FileStore;
pub use s3_store::{S3Config, S3Store};

/// A validated sha256 in lowercase hex: the only way to name a blob, so no
/// path is ever built from unchecked input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    pub fn parse(hex_sha256: &str) -> Option<Self> {
        (hex_sha256.len() == 64 && hex_sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            .then(|| Self(hex_sha256.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ab/cd/abcd...`: two levels of fan-out keep folders small.
    pub fn relative_path(&self) -> String {
        format!("{}/{}/{}", &self.0[..2], &self.0[2..4], self.0)
    }
}

impl std::fmt::Display for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob {0} not found")]
    NotFound(BlobKey),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file's sha256 is {actual}, not {expected}")]
    HashMismatch { expected: BlobKey, actual: String },
    /// The object storage refused or could not be reached.
    #[error("object storage: {0}")]
    Storage(String),
}

/// Where a blob can be read from.
pub enum BlobLocation {
    /// A local file, served directly (with ranges) by the server.
    File { path: PathBuf, size: u64 },
    /// Elsewhere: a URL the client is redirected to (an S3 presigned URL,
    /// valid for a while).
    Url { url: String, size: u64 },
}

/// When an unreferenced blob may be removed.
#[derive(Debug, Clone, Copy)]
pub enum OrphanRule {
    /// Always (`fsck --repair --force`: the server is stopped).
    Any,
    /// Last stored longer ago than this (`fsck --repair`: younger ones may
    /// be uploads in flight).
    OlderThan(std::time::Duration),
    /// Not stored again since this moment: the upload that created it
    /// lost its commit, and no other upload has stored the same bytes since.
    NotStoredSince(std::time::SystemTime),
}

/// What `fsck` found about one blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobStatus {
    pub key: BlobKey,
    pub size: u64,
    /// Longer ago than [`file_store::STALE_TEMP`]: safe to call an orphan.
    pub old: bool,
    /// The bytes hash to the key.
    pub intact: bool,
}

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Moves a finished temporary file into the store under `key` (its sha256,
    /// already computed by the caller and checked again here when cheap).
    /// The file must come from [`BlobStore::temp_dir`]. Durable on return.
    /// True when this call stored the blob, false when it was already there;
    /// then its age is refreshed, so that `fsck` treats it as an upload in
    /// flight, not an old orphan, until the version is committed.
    async fn put_file(&self, key: &BlobKey, temp_file: &Path) -> Result<bool, BlobError>;
    /// Where to write uploads before [`BlobStore::put_file`].
    fn temp_dir(&self) -> &Path;
    async fn locate(&self, key: &BlobKey) -> Result<BlobLocation, BlobError>;
    /// Copies the blob's bytes into the new local file `dest`; returns how
    /// many. For readers that need the bytes here (rescans, backups).
    async fn fetch_to(&self, key: &BlobKey, dest: &Path) -> Result<u64, BlobError>;
    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError>;
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;
    /// Removes an unreferenced blob if `rule` allows; true when removed. Blocking: `fsck`
    /// calls it while it holds the metadata store's write lock, so no
    /// version can start to reference the blob meanwhile. An upload that
    /// stores the same bytes at the same moment refreshes the blob's age
    /// (see [`BlobStore::put_file`]) and the blob is kept.
    fn remove_orphan_blocking(&self, key: &BlobKey, rule: OrphanRule) -> Result<bool, BlobError>;
    /// When the blob was last stored (written, or refreshed by a
    /// [`BlobStore::put_file`] of the same bytes); `None` if absent.
    async fn stored_at(&self, key: &BlobKey) -> Result<Option<std::time::SystemTime>, BlobError>;
    /// Every blob, with its size; with `verify`, rehashes each one.
    async fn list(&self, verify: bool) -> Result<Vec<BlobStatus>, BlobError>;
    /// Readiness for `/health`.
    async fn check(&self) -> Result<(), BlobError>;
}
