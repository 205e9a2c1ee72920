//! `revitpy-registry migrate [--from URL --to URL] [--blobs-from SPEC --blobs-to SPEC]`:
//! moves a registry's database between SQLite and PostgreSQL (either way)
//! and its package files between storages (a folder and an S3-compatible
//! bucket, either way), with the registry's database (`--from`, else
//! `DATA_DIR` or `DATABASE_URL`) saying which files it references.
//!
//! The database is copied table by table, row for row with every key kept
//! ([`revitpy_store::tables`]), pages of rows in one transaction each; a
//! run resumes after the last row the destination holds. The destination
//! must be empty or an earlier copy of the same registry (its first rows
//! are the source's: same keys, made at the same moment). At the end both
//! databases are read side by side and must hold the same rows.
//!
//! Resumable and idempotent: a file already at the destination is not
//! copied again, so a migration stopped half-way (killed, a network
//! failure) is run again to finish it, and a finished one run again copies
//! nothing. Every copied file is hashed on the way; at the end every
//! referenced file is listed and hashed at the destination, and the counts
//! compared, before the migration says it is done; a damaged file found
//! there is removed, so that running it again copies it. Nothing the source
//! holds is changed (a folder's store keeps its `tmp/` folder there).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt};
use revitpy_blobs::{BlobKey, BlobStore, FileStore, S3Config, S3Store};
use revitpy_store::tables::{Cell, TABLES, Table, TableRows};
use revitpy_store::{PostgresStore, SqliteStore, Store};

use crate::settings::{DatabaseLocation, parse_database_url};

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

/// Rows copied in one transaction by default.
pub const ROWS_AT_ONCE: usize = 1000;

/// A database named by URL (as `DATABASE_URL`), open both as a store (which
/// files it references) and as tables.
pub struct Database {
    pub store: Arc<dyn Store>,
    pub tables: Arc<dyn TableRows>,
}

pub async fn open_database(url: &str, pool_size: u16) -> anyhow::Result<Database> {
    match parse_database_url(url)? {
        DatabaseLocation::Sqlite(path) => {
            let store = Arc::new(SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?);
            Ok(Database { store: store.clone(), tables: store })
        }
        DatabaseLocation::Postgres(url) => {
            let store =
                Arc::new(PostgresStore::open(&url, pool_size).await.context("opening the PostgreSQL database")?);
            Ok(Database { store: store.clone(), tables: store })
        }
    }
}

#[derive(Debug, serde::Serialize)]
pub struct TableSummary {
    pub table: &'static str,
    /// Rows the source holds (and, verified, the destination).
    pub rows: usize,
    pub copied: usize,
}

#[derive(Debug, serde::Serialize)]
pub struct DatabaseSummary {
    pub tables: Vec<TableSummary>,
    /// Packages whose latest version was pointed at again.
    pub latest_set: usize,
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
}

fn key_of<'r>(table: &Table, row: &'r [Cell]) -> &'r [Cell] {
    &row[..table.key.len()]
}

/// A row's key and stamp, as messages show them.
fn describe_row(table: &Table, row: &[Cell]) -> String {
    let stamp = table.position(table.stamp).and_then(|i| row.get(i));
    format!("{} {:?} made {:?}", table.name, key_of(table, row), stamp)
}

/// Refuses a destination that is not an earlier copy of the source: its
/// first and last rows of each table must be the source's (the same key,
/// made at the same moment to the millisecond), so nothing is loaded into
/// another registry, or into a copy that has moved on by itself.
async fn same_registry(from: &dyn TableRows, to: &dyn TableRows) -> anyhow::Result<()> {
    for table in TABLES {
        let stamp = table.position(table.stamp).expect("every table has its stamp column");
        let first = to.rows_after(table, &[], 1).await?.pop();
        let last = to.last_row(table).await?;
        for theirs in first.iter().chain(&last) {
            let ours = from.row_with_key(table, key_of(table, theirs)).await?;
            if ours.as_ref().is_none_or(|o| o[stamp] != theirs[stamp]) {
                bail!(
                    "the destination is not an earlier copy of this registry: it holds {}, which the source does not; \
                     migrate into an empty database",
                    describe_row(table, theirs)
                );
            }
        }
    }
    Ok(())
}

/// Copies every table from `from` to `to` (see the module's documentation);
/// `progress` gets a line per table.
pub async fn migrate_database(
    from: &dyn TableRows,
    to: &dyn TableRows,
    rows_at_once: usize,
    progress: impl Fn(String),
) -> anyhow::Result<DatabaseSummary> {
    let started = Instant::now();
    let rows_at_once = rows_at_once.max(1);
    same_registry(from, to).await?;
    let mut tables = Vec::new();
    for table in TABLES {
        let mut after: Vec<Cell> =
            to.last_row(table).await?.map(|row| key_of(table, &row).to_vec()).unwrap_or_default();
        let mut copied = 0;
        loop {
            let page = from.rows_after(table, &after, rows_at_once).await?;
            let Some(last) = page.last() else { break };
            after = key_of(table, last).to_vec();
            copied += to
                .load_rows(table, page)
                .await
                .with_context(|| format!("loading {} rows into the destination", table.name))?;
        }
        progress(format!("{}: {copied} rows copied", table.name));
        tables.push(TableSummary { table: table.name, rows: 0, copied });
    }
    let latest_set = point_latest(from, to, rows_at_once).await?;
    for (table, summary) in TABLES.iter().zip(&mut tables) {
        summary.rows = same_rows(from, to, table, rows_at_once).await?;
    }
    Ok(DatabaseSummary { tables, latest_set, elapsed: started.elapsed() })
}

/// Sets the destination's packages' latest versions where they differ from
/// the source's (a load leaves them empty); returns how many.
async fn point_latest(from: &dyn TableRows, to: &dyn TableRows, rows_at_once: usize) -> anyhow::Result<usize> {
    let table = TABLES.iter().find(|t| t.name == "packages").expect("the packages table");
    let latest = table.position("latest_version_id").expect("packages.latest_version_id");
    let mut after = Vec::new();
    let mut set = 0;
    loop {
        let ours = from.rows_after(table, &after, rows_at_once).await?;
        let Some(last) = ours.last() else { return Ok(set) };
        let theirs = to.rows_after(table, &after, rows_at_once).await?;
        let theirs: std::collections::HashMap<&[Cell], &Cell> =
            theirs.iter().map(|row| (key_of(table, row), &row[latest])).collect();
        let changes: Vec<(i64, Option<i64>)> = ours
            .iter()
            .filter(|row| theirs.get(key_of(table, row)) != Some(&&row[latest]))
            .filter_map(|row| match (&row[0], &row[latest]) {
                (Cell::Int(id), Cell::Int(v)) => Some((*id, Some(*v))),
                (Cell::Int(id), Cell::Null) => Some((*id, None)),
                _ => None,
            })
            .collect();
        set += changes.len();
        if !changes.is_empty() {
            to.set_latest_versions(changes).await?;
        }
        after = key_of(table, last).to_vec();
    }
}

/// Reads `table` on both sides in key order: the same rows, cell for cell.
/// Returns the count.
async fn same_rows(
    from: &dyn TableRows,
    to: &dyn TableRows,
    table: &'static Table,
    rows_at_once: usize,
) -> anyhow::Result<usize> {
    let mut after = Vec::new();
    let mut rows = 0;
    loop {
        let ours = from.rows_after(table, &after, rows_at_once).await?;
        let theirs = to.rows_after(table, &after, rows_at_once).await?;
        for (i, row) in ours.iter().enumerate() {
            match theirs.get(i) {
                Some(other) if other == row => {}
                Some(other) => {
                    let column = row.iter().zip(other).position(|(a, b)| a != b).map_or("?", |c| table.columns[c].0);
                    bail!(
                        "after copying, {} differs at the destination (column {column}); was the source written to meanwhile? \
                         Stop the registry's writes and run migrate again",
                        describe_row(table, row)
                    );
                }
                None => bail!(
                    "after copying, {} is missing at the destination; run migrate again",
                    describe_row(table, row)
                ),
            }
        }
        if let Some(extra) = theirs.get(ours.len()) {
            bail!("the destination holds {}, which the source does not", describe_row(table, extra));
        }
        rows += ours.len();
        let Some(last) = ours.last() else { return Ok(rows) };
        after = key_of(table, last).to_vec();
    }
}
