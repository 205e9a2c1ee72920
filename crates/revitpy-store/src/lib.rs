//! The registry's metadata: users, tokens, packages, versions, owners and the
//! change feed, behind the [`Store`] trait.
//!
//! Handlers and commands never see SQL: the SQLite implementation
//! ([`SqliteStore`]) is the embedded default, and a PostgreSQL one will
//! implement the same trait. Rules that must hold on every backend live in
//! the trait's contract and are tested through it:
//!
//! * every change a client must see (publish, yank, unyank, owner change)
//!   appends to the change feed in the same transaction, and its serial is
//!   the registry-wide serial;
//! * two versions equal under PEP 440 (`1.0`, `1.0.0`) are one version: the
//!   second publish is a [`StoreError::VersionExists`];
//! * the first publisher of a package becomes its owner, and only owners (or
//!   admins) publish further versions;
//! * `latest_version_id` is the newest non-yanked final release, else the
//!   newest non-yanked pre-release, else none: [`revitpy_names::latest`],
//!   the rule the client applies to its own index;
//! * a version is stored and read back as a typed [`Release`]: a row whose
//!   text does not parse is a [`StoreError::Database`] that names it.

mod model;
mod postgres;
mod rows;
mod sqlite;
pub mod tables;
#[cfg(feature = "test-support")]
pub mod test_postgres;

pub use model::*;
pub use postgres::{DEFAULT_POOL_SIZE, PostgresStore};
pub use revitpy_names::ScanStatus;
pub use sqlite::SqliteStore;

use async_trait::async_trait;

/// Why the store refused or failed. Each refusal is its own variant, so
/// callers decide by matching (the service layer maps them to statuses) and
/// the words users read are written once, here.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Publishing, yanking or changing owners of a package one does not own.
    #[error("`{user}` is not an owner of {package}; ask an owner to add you")]
    NotOwner { user: String, package: String },
    /// A version equal under PEP 440 to one already published.
    #[error("{package} {version} already exists (as {existing}); versions are immutable, publish a new version")]
    VersionExists { package: String, version: String, existing: String },
    /// A version id that names no version (removed by a restore meanwhile).
    #[error("{package}: no such version")]
    NoSuchVersion { package: String },
    /// An owner to add who has no account.
    #[error("no user named `{user}`; create a token for them first")]
    NoSuchUser { user: String },
    /// Removing the last owner(s) of a package.
    #[error("{package} would have no owner left; add another owner first")]
    LastOwner { package: String },
    /// A signature the signing rules refuse (by a key that is no owner's,
    /// unregistered or revoked; none where the package requires one).
    #[error("{0}")]
    SignatureRefused(String),
    /// A key already registered (to this account or another).
    #[error("the key {key_id} is already registered to `{user}`")]
    KeyExists { key_id: String, user: String },
    /// The database itself failed (I/O, corruption, a row that does not
    /// parse, a bug): not the caller's doing.
    #[error("database error: {0}")]
    Database(String),
    /// The database cannot take this now, and may later: locked by another
    /// process past the busy timeout, its disk full, made read-only.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let why = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                "it is locked by another process (or a long transaction) for longer than the 10 s busy timeout"
            }
            Some(ErrorCode::DiskFull) => "its disk is full; free space where DATABASE_URL (or DATA_DIR) points",
            Some(ErrorCode::ReadOnly) => "it is read-only; make DATABASE_URL (or DATA_DIR) writable by the server",
            _ => return StoreError::Database(e.to_string()),
        };
        StoreError::Unavailable(why.to_owned())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The deletion [`Store::remove_if_unreferenced`] runs under its lock.
pub type RemoveBlob = Box<dyn FnOnce() -> Result<bool, String> + Send>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Readiness for `/health`.
    async fn check(&self) -> StoreResult<()>;
    /// The connection pool's numbers, for a store that has one (PostgreSQL;
    /// SQLite opens files, not connections to a server).
    fn connections(&self) -> Option<Connections> {
        None
    }
    /// The registry-wide serial: the last change's number (0 when empty).
    async fn serial(&self) -> StoreResult<i64>;

    // Accounts.
    async fn create_token(&self, new: NewToken) -> StoreResult<TokenRecord>;
    /// The live (not revoked) token with this hash; records its use.
    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>>;
    async fn list_tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRecord>>;
    async fn token(&self, id: i64) -> StoreResult<Option<TokenRecord>>;
    /// Revokes a token; false when it did not exist or was already revoked.
    async fn revoke_token(&self, id: i64) -> StoreResult<bool>;

    // Packages.
    async fn package(&self, normalized_name: &str) -> StoreResult<Option<PackageRecord>>;
    async fn versions(&self, package_id: i64) -> StoreResult<Vec<VersionRecord>>;
    /// A package with all its versions and owners, in one round trip (the
    /// hot path of details and downloads).
    async fn package_detail(&self, normalized_name: &str) -> StoreResult<Option<PackageDetailRecord>>;
    /// Packages with their latest version, for search results and the index.
    async fn packages_with_latest(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageWithLatest>>;
    /// Packages with all their versions (owners left empty), in id order,
    /// `limit` packages after `after_id`: the pages of the sync snapshot.
    async fn index_page(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageDetailRecord>>;
    /// The same for named packages (normalized names); unknown names are skipped.
    async fn index_packages(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageDetailRecord>>;
    /// Every package with a latest version, in id order, `limit` at a time after `after_id`.
    async fn all_packages_with_latest(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageWithLatest>>;
    /// The checks [`Store::publish`] makes, without publishing: whether
    /// `actor` may publish `version` (canonical form) of the package. The
    /// server asks before it stores and scans a file; `publish` checks again
    /// in its transaction, with the same function.
    async fn check_publish(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version: &str,
        canonical: &str,
    ) -> StoreResult<()>;
    /// The signing rules [`Store::publish`] applies, without publishing:
    /// asked before the file is scanned and stored. `key_id` is the
    /// signature's key (already checked against the file), `None` unsigned.
    async fn check_signer(&self, actor: &Actor, normalized_name: &str, key_id: Option<&str>) -> StoreResult<()>;
    async fn publish(&self, actor: &Actor, release: Release) -> StoreResult<Published>;
    /// Publishes many versions in one transaction (bulk loads, restores):
    /// all or nothing, each with the same checks as [`Store::publish`].
    async fn publish_batch(&self, actor: &Actor, batch: Vec<Release>) -> StoreResult<Vec<Published>>;
    async fn set_yanked(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version_id: i64,
        yanked: bool,
        reason: Option<String>,
    ) -> StoreResult<i64>;
    /// Replaces a version's stored scan report and status (`rescan`). A
    /// changed status is a change clients must see (kind `rescan`): the new
    /// serial is returned; an unchanged one updates the report alone.
    async fn set_scan(
        &self,
        version_id: i64,
        status: ScanStatus,
        report: serde_json::Value,
    ) -> StoreResult<Option<i64>>;
    async fn owners(&self, package_id: i64) -> StoreResult<Vec<String>>;

    // Publisher keys.
    /// Registers a public key for `user` (created if new); a key is
    /// registered once, to one account.
    async fn add_key(&self, user: &str, key_id: &str, public_key: &str) -> StoreResult<KeyRecord>;
    async fn list_keys(&self, user: Option<&str>) -> StoreResult<Vec<KeyRecord>>;
    async fn key(&self, id: i64) -> StoreResult<Option<KeyRecord>>;
    /// The registered, not revoked key with this fingerprint.
    async fn live_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>>;
    /// Revokes a key; false when it did not exist or was already revoked.
    async fn revoke_key(&self, id: i64) -> StoreResult<bool>;

    // The registry's index signing roots (revitpy_sign::index).
    /// Every root envelope (JSON text), oldest version first.
    async fn index_roots(&self) -> StoreResult<Vec<String>>;
    /// Adds root `version`; false when that version exists already (another
    /// process added it first).
    async fn add_index_root(&self, version: i64, envelope: &str) -> StoreResult<bool>;
    /// Whether every version of the package must be signed by an owner's
    /// key; owners (or admins) only.
    async fn set_require_signature(&self, actor: &Actor, package_id: i64, required: bool) -> StoreResult<()>;
    async fn add_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64>;
    async fn remove_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64>;
    /// Changes after `serial`, oldest first, at most `limit`.
    async fn changes_since(&self, serial: i64, limit: usize) -> StoreResult<Vec<Change>>;

    // Counters and maintenance.
    async fn add_downloads(&self, counts: &[(i64, u64)]) -> StoreResult<()>;
    async fn stats(&self) -> StoreResult<Stats>;
    /// Every file a version references, in version order, for `fsck`.
    async fn referenced_blobs(&self) -> StoreResult<Vec<BlobReference>>;
    /// Whether any version references this sha256.
    async fn blob_referenced(&self, sha256: &str) -> StoreResult<bool>;
    /// Runs `remove` while holding the write lock (no version can be
    /// committed meanwhile, by this process or another), only if no version
    /// references `sha256`; its answer is returned, false if referenced.
    /// This is how `fsck --repair` deletes orphans beside a running server.
    async fn remove_if_unreferenced(&self, sha256: &str, remove: RemoveBlob) -> StoreResult<bool>;
}
