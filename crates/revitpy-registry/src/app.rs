//! Opening the registry's parts from settings.

use std::sync::Arc;

use anyhow::bail;
use revitpy_blobs::{BlobStore, FileStore};
use revitpy_search::{Durability, SearchIndex};
use revitpy_store::{PostgresStore, SqliteStore, Store};

use crate::settings::{DatabaseLocation, StorageArgs};

/// The store, the blob store and the search index, opened.
pub struct Parts {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub search: Arc<SearchIndex>,
    /// The index signing key and how long a signed index stays valid.
    pub index_key: revitpy_sign::PrivateKey,
    pub index_expiry: std::time::Duration,
}

pub async fn open_store(storage: &StorageArgs) -> anyhow::Result<Arc<dyn Store>> {
    match storage.database()? {
        DatabaseLocation::Sqlite(path) => {
            let store = SqliteStore::open(&path).map_err(|e| cannot_open("the database", &path, "DATABASE_URL", e))?;
            Ok(Arc::new(store))
        }
        DatabaseLocation::Postgres(url) => {
            let store = PostgresStore::open(&url, storage.database_pool_size).await.map_err(|e| {
                anyhow::anyhow!(
                    "the PostgreSQL database cannot be opened: {e}; check DATABASE_URL and that the server is running"
                )
            })?;
            Ok(Arc::new(store))
        }
    }
}

pub fn open_blobs(storage: &StorageArgs) -> anyhow::Result<Arc<dyn BlobStore>> {
    storage.check_storage_type()?;
    if storage.storage_type == "s3" {
        let Some(bucket) = storage.s3_bucket.clone().filter(|b| !b.is_empty()) else {
            bail!("STORAGE_TYPE=s3 needs S3_BUCKET (and S3_ENDPOINT for a server other than AWS)");
        };
        // Uploads are spooled (and scanned) here before they are sent.
        let spool = storage.data_dir.join("upload-spool");
        let config = revitpy_blobs::S3Config {
            bucket,
            endpoint: storage.s3_endpoint.clone().filter(|e| !e.is_empty()),
            region: storage.s3_region.clone().filter(|r| !r.is_empty()),
            spool: spool.clone(),
            credentials: None,
        };
        let store = revitpy_blobs::S3Store::open(&config)
            .map_err(|e| cannot_open("the S3 bucket's upload spool", &spool, "DATA_DIR", e))?;
        return Ok(Arc::new(store));
    }
    let path = storage.blob_path();
    Ok(Arc::new(FileStore::open(&path).map_err(|e| cannot_open("the package folder", &path, "STORAGE_PATH", e))?))
}

/// One line for a part that cannot be opened at start: which part and
/// where, the first cause (the rest of the chain repeats the path), the
/// setting that chose the place and what to do.
fn cannot_open(what: &str, place: &std::path::Path, setting: &str, e: impl Into<anyhow::Error>) -> anyhow::Error {
    let e: anyhow::Error = e.into();
    anyhow::anyhow!(
        "{what} at {} cannot be opened: {}; set {setting} (or DATA_DIR) to a place this user can create and write",
        place.display(),
        e.root_cause()
    )
}

/// Each part creates its own folder: with `DATABASE_URL`, `STORAGE_PATH` and
/// `SEARCH_INDEX_PATH` set, nothing is written to `DATA_DIR`.
pub async fn open(storage: &StorageArgs) -> anyhow::Result<Parts> {
    let store = open_store(storage).await?;
    let blobs = open_blobs(storage)?;
    let index_path = storage.search_index_path();
    tracing::info!(path = %index_path.display(), "search index");
    let search = Arc::new(
        // Derived from the store: commits skip fsync, checkpoints sync.
        SearchIndex::open_or_create_with(&index_path, Durability::Checkpoints)
            .map_err(|e| cannot_open("the search index", &index_path, "SEARCH_INDEX_PATH", e))?,
    );
    let key_path = storage.index_key_path();
    let index_key = crate::index_signing::load_key(&key_path, true)
        .map_err(|e| cannot_open("the index signing key", &key_path, "INDEX_KEY_PATH", e))?;
    let index_expiry = std::time::Duration::from_secs(storage.index_expiry_hours * 3600);
    Ok(Parts { store, blobs, search, index_key, index_expiry })
}
