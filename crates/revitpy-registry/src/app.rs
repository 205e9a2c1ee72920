//! Opening the registry's parts from settings.

use std::sync::Arc;

use anyhow::{Context, bail};
use revitpy_blobs::{BlobStore, FileStore};
use revitpy_search::{Durability, SearchIndex};
use revitpy_store::{SqliteStore, Store};

use crate::settings::{DatabaseLocation, StorageArgs};

/// The store, the blob store and the search index, opened.
pub struct Parts {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub search: Arc<SearchIndex>,
}

pub fn open_store(storage: &StorageArgs) -> anyhow::Result<Arc<dyn Store>> {
    match storage.database()? {
        DatabaseLocation::Sqlite(path) => {
            let store = SqliteStore::open(&path).with_context(|| format!("opening the database {}", path.display()))?;
            Ok(Arc::new(store))
        }
        DatabaseLocation::Postgres(_) => {
            bail!("PostgreSQL is not supported by this build yet; use the SQLite default (unset DATABASE_URL)")
        }
    }
}

pub fn open_blobs(storage: &StorageArgs) -> anyhow::Result<Arc<dyn BlobStore>> {
    storage.check_storage_type()?;
    if storage.storage_type == "s3" {
        bail!("S3 storage is not supported by this build yet; use STORAGE_TYPE=file (the default)");
    }
    let path = storage.blob_path();
    Ok(Arc::new(FileStore::open(&path).with_context(|| format!("opening the package folder {}", path.display()))?))
}

/// Each part creates its own folder: with `DATABASE_URL`, `STORAGE_PATH` and
/// `SEARCH_INDEX_PATH` set, nothing is written to `DATA_DIR`.
pub fn open(storage: &StorageArgs) -> anyhow::Result<Parts> {
    let store = open_store(storage)?;
    let blobs = open_blobs(storage)?;
    let index_path = storage.search_index_path();
    tracing::info!(path = %index_path.display(), "search index");
    let search = Arc::new(
        // Derived from the store: commits skip fsync, checkpoints sync.
        SearchIndex::open_or_create_with(&index_path, Durability::Checkpoints)
            .with_context(|| format!("opening the search index {}", index_path.display()))?,
    );
    Ok(Parts { store, blobs, search })
}
