//! `revitpy-registry migrate --blobs-from SPEC --blobs-to SPEC`: moves a
//! registry's package files between storages (a folder and an S3-compatible
//! bucket, either way), with the registry's database (`DATA_DIR` or
//! `DATABASE_URL`) saying which files it references.
//!
//! Resumable and idempotent: a file already at the destination is not
//! copied again, so a migration stopped half-way (killed, a network
//! failure) is run again to finish it, and a finished one run again copies
//! nothing. Every copied file is hashed on the way; at the end every
//! referenced file is listed and hashed at the destination, and the counts
//! compared, before the migration says it is done; a damaged file found
//! there is removed, so that running it again copies it. Nothing the source
//! holds is changed (a folder's store keeps its `tmp/` folder there). (Copying the database itself between SQLite and PostgreSQL
//! comes with the PostgreSQL store.)

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt};
use revitpy_blobs::{BlobKey, BlobStore, FileStore, S3Config, S3Store};
use revitpy_store::Store;

/// Files copied at once by default: a bucket's latency, not bandwidth,
/// bounds a copy of small files.
pub const COPIES_AT_ONCE: usize = 8;

/// Where files are: `file:PATH` (a folder, as `STORAGE_PATH`) or
/// `s3://BUCKET[?endpoint=URL&region=R]` (credentials from the `AWS_*`
/// variables; endpoint and region default to `S3_ENDPOINT`, `S3_REGION`).
pub fn open_spec(spec: &str, spool: &Path) -> anyhow::Result<Arc<dyn BlobStore>> {
    if let Some(path) = spec.strip_prefix("file:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            bail!("`{spec}`: write file:/path/to/folder");
        }
        return Ok(Arc::new(FileStore::open(Path::new(path)).with_context(|| format!("opening {spec}"))?));
    }
    if let Some(rest) = spec.strip_prefix("s3://") {
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        if bucket.is_empty() || bucket.contains('/') {
            bail!("`{spec}`: write s3://bucket (optionally ?endpoint=URL&region=R)");
        }
        let mut endpoint = std::env::var("S3_ENDPOINT").ok().filter(|e| !e.is_empty());
        let mut region = std::env::var("S3_REGION").ok().filter(|r| !r.is_empty());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", v)) => endpoint = Some(v.to_owned()),
                Some(("region", v)) => region = Some(v.to_owned()),
                _ => bail!("`{spec}`: `{pair}` is not endpoint=URL or region=R"),
            }
        }
        let config =
            S3Config { bucket: bucket.to_owned(), endpoint, region, spool: spool.to_owned(), credentials: None };
        return Ok(Arc::new(S3Store::open(&config).with_context(|| format!("opening {spec}"))?));
    }
    bail!("`{spec}` is not a storage: write file:/path/to/folder or s3://bucket")
}

#[derive(Debug, serde::Serialize)]
pub struct Summary {
    /// Distinct files the database references.
    pub files: usize,
    pub copied: usize,
    /// At the destination already (an earlier run, or shared bytes).
    pub already_there: usize,
    pub bytes_copied: u64,
    /// Referenced files found intact at the destination at the end.
    pub verified: usize,
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Copies one file unless the destination has it; true when copied.
async fn copy_one(from: &dyn BlobStore, to: &dyn BlobStore, key: &BlobKey) -> anyhow::Result<Option<u64>> {
    if to.exists(key).await? {
        return Ok(None);
    }
    let temp = tempfile::Builder::new().prefix("migrate-").tempfile_in(to.temp_dir())?.into_temp_path();
    let size = from.fetch_to(key, &temp).await.with_context(|| format!("reading {key} from the source"))?;
    let path = temp.to_path_buf();
    let actual = tokio::task::spawn_blocking(move || revitpy_blobs::file_store::sha256_file(&path)).await??;
    if actual != key.as_str() {
        bail!(
            "{key} at the source hashes to {actual}: it is damaged there (run `revitpy-registry fsck`); nothing was copied for it"
        );
    }
    to.put_file(key, &temp).await.with_context(|| format!("writing {key} to the destination"))?;
    let _ = temp.keep();
    Ok(Some(size))
}

/// Copies every file `store` references from `from` to `to`, then checks
/// the destination; `progress` gets a line per file copied.
pub async fn migrate_blobs(
    store: &dyn Store,
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    jobs: usize,
    progress: impl Fn(String) + Sync,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut keys: Vec<BlobKey> = store
        .referenced_blobs()
        .await?
        .into_iter()
        .map(|r| BlobKey::parse(r.sha256.as_str()).expect("a stored sha256 is a blob key"))
        .collect();
    keys.sort();
    keys.dedup();
    let copies: Vec<Option<u64>> = futures_util::stream::iter(&keys)
        .map(|key| {
            let progress = &progress;
            async move {
                let copied = copy_one(from, to, key).await?;
                if let Some(size) = copied {
                    progress(format!("copied {key} ({size} bytes)"));
                }
                anyhow::Ok(copied)
            }
        })
        .buffer_unordered(jobs.max(1))
        .try_collect()
        .await?;
    let copied = copies.iter().flatten().count();
    let bytes_copied = copies.iter().flatten().sum();
    // The destination, listed and hashed: every referenced file, intact.
    let listed = to.list(true).await.context("listing the destination")?;
    let at_destination: std::collections::HashMap<&BlobKey, bool> = listed.iter().map(|b| (&b.key, b.intact)).collect();
    let missing: Vec<&BlobKey> = keys.iter().filter(|k| !at_destination.contains_key(k)).collect();
    let corrupt: Vec<&BlobKey> = keys.iter().filter(|k| at_destination.get(k) == Some(&false)).collect();
    // A damaged file at the destination (a copy made by other means, cut
    // short) is removed, so that the next run copies it again.
    for key in &corrupt {
        to.delete(key).await.with_context(|| format!("removing the damaged {key} from the destination"))?;
    }
    if !missing.is_empty() || !corrupt.is_empty() {
        bail!(
            "the destination does not hold every file intact: {} missing ({}), {} damaged and now removed ({}); run migrate again",
            missing.len(),
            missing.iter().take(5).map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
            corrupt.len(),
            corrupt.iter().take(5).map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(Summary {
        files: keys.len(),
        copied,
        already_there: keys.len() - copied,
        bytes_copied,
        verified: keys.len(),
        elapsed: started.elapsed(),
    })
}
