//! `revitpy-registry backup DEST` and `restore SRC`.
//!
//! A backup is a folder: `registry.db` (an online copy made with SQLite's
//! backup API, consistent at one moment while the server keeps writing),
//! `packages/` (every file that copy references, content-addressed like the
//! live store, each hashed as it is copied) and `MANIFEST.json` (what the
//! backup holds, with the sha256 and size of every file). It is assembled
//! in `DEST.partial` and renamed to `DEST` only once `fsck` has passed on
//! it, so a backup that was killed half-way is never mistaken for one that
//! finished. The search index is not copied: it is derived, and `restore`
//! rebuilds it. The index signing key is copied too (`index-signing-key`,
//! owner-only): clients pinned to it keep trusting the restored registry.
//!
//! `restore` verifies every byte of the backup against its manifest before
//! it writes anything, then stores the files, then the database (so the
//! database never references a file that is not there yet), rebuilds the
//! search index and runs `fsck` on the result.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt};
use revitpy_blobs::{BlobKey, BlobLocation, BlobStore, FileStore};
use revitpy_store::{SqliteStore, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fsck;
use crate::settings::StorageArgs;

pub const MANIFEST: &str = "MANIFEST.json";
const FORMAT: &str = "revitpy-registry-backup";
const FORMAT_VERSION: u32 = 1;
const DATABASE: &str = "registry.db";
const PACKAGES: &str = "packages";
const INDEX_KEY: &str = "index-signing-key";
/// A manifest lists one line per file: 10 million files fit in this.
const MAX_MANIFEST_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Package files copied at once.
const COPIES_AT_ONCE: usize = 8;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub created_at: String,
    pub server_version: String,
    /// The registry's change serial at the moment of the copy.
    pub serial: i64,
    pub packages: u64,
    pub versions: u64,
    pub database: FileEntry,
    /// Package files by sha256 (their name in `packages/`).
    pub files: Vec<FileEntry>,
    /// The index signing key (`INDEX_KEY_PATH`), absent from backups made
    /// before the index was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup folder, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// What a backup or restore did.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub folder: PathBuf,
    pub serial: i64,
    pub packages: u64,
    pub versions: u64,
    pub files: usize,
    pub bytes: u64,
    pub seconds: f64,
    pub fsck: fsck::Report,
}

fn sqlite_path(storage: &StorageArgs, what: &str) -> anyhow::Result<PathBuf> {
    match storage.database()? {
        crate::settings::DatabaseLocation::Sqlite(path) => Ok(path),
        crate::settings::DatabaseLocation::Postgres(_) => {
            bail!(
                "{what} copies a SQLite database; for PostgreSQL use pg_dump and pg_restore, or `revitpy-registry migrate --from postgres://... --to sqlite:////path/registry.db` for a copy a SQLite registry can serve"
            )
        }
    }
}

/// Hashes `from` while copying it to `to` (created new). Not fsynced here:
/// `put_file`, which takes the copy into a store, syncs it and its folder.
fn copy_hashing(from: &Path, to: &Path) -> std::io::Result<(String, u64)> {
    let mut src = std::fs::File::open(from)?;
    let mut dst = std::fs::OpenOptions::new().write(true).create_new(true).open(to)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n])?;
        size += n as u64;
    }
    dst.flush()?;
    Ok((hex::encode(hasher.finalize()), size))
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Copies one blob from `from` into the store `to`, checking its hash.
async fn copy_blob(from: &dyn BlobStore, to: &FileStore, key: &BlobKey) -> anyhow::Result<u64> {
    let located = from.locate(key).await.with_context(|| format!("package file {key} is not in the storage"))?;
    // A file elsewhere (a bucket) is fetched beside the destination first.
    let (path, _fetched) = match located {
        BlobLocation::File { path, .. } => (path, None),
        BlobLocation::Url { .. } => {
            let temp = tempfile::Builder::new().prefix("fetch-").tempfile_in(to.temp_dir())?.into_temp_path();
            from.fetch_to(key, &temp).await.with_context(|| format!("fetching package file {key}"))?;
            (temp.to_path_buf(), Some(temp))
        }
    };
    copy_file_into(path, to, key)
        .await
        .with_context(|| format!("package file {key} in the storage; run `revitpy-registry fsck`"))
}

/// `backup DEST`: see the module's documentation.
pub async fn backup(storage: &StorageArgs, dest: &Path) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let db_path = sqlite_path(storage, "backup")?;
    if !db_path.exists() {
        bail!("no database at {} (DATABASE_URL / DATA_DIR): nothing to back up", db_path.display());
    }
    if dest.exists() {
        bail!("{} already exists; a backup goes to a new folder", dest.display());
    }
    let partial = partial_path(dest)?;
    if partial.exists() {
        // Only ever written by a backup that did not finish.
        std::fs::remove_dir_all(&partial)
            .with_context(|| format!("removing {} (left by an unfinished backup)", partial.display()))?;
    }
    std::fs::create_dir_all(&partial).with_context(|| format!("creating {}", partial.display()))?;

    // 1. The database, at one moment.
    let copy_path = partial.join(DATABASE);
    SqliteStore::backup_file(&db_path, &copy_path).await?;

    // 2. The files that copy references.
    let source_blobs = crate::app::open_blobs(storage)?;
    let copy = SqliteStore::open(&copy_path)?;
    let stats = copy.stats().await?;
    let referenced = copy.referenced_blobs().await?;
    let target = FileStore::open(&partial.join(PACKAGES))?;
    let mut seen = std::collections::HashSet::new();
    let keys: Vec<BlobKey> = referenced
        .iter()
        .filter(|r| seen.insert(r.sha256.as_str().to_owned()))
        .map(|r| BlobKey::parse(r.sha256.as_str()).expect("stored hashes are valid keys"))
        .collect();
    // A few copies at once: each ends in two fsyncs, whose waits overlap.
    let copied: Vec<(BlobKey, u64)> = futures_util::stream::iter(keys)
        .map(|key| {
            let (source, target) = (source_blobs.as_ref(), &target);
            async move { copy_blob(source, target, &key).await.map(|size| (key, size)) }
        })
        .buffered(COPIES_AT_ONCE)
        .try_collect()
        .await?;
    let mut bytes = 0;
    let mut files = Vec::with_capacity(copied.len());
    for (key, size) in copied {
        bytes += size;
        files.push(FileEntry { path: format!("{PACKAGES}/{}", key.relative_path()), sha256: key.to_string(), size });
    }

    // 3. fsck of the backup itself, then its manifest.
    let target: Arc<dyn BlobStore> = Arc::new(target);
    let report = fsck::fsck(&copy, target, false, false).await?;
    drop(copy);
    if !report.clean() {
        bail!("the backup in {} does not pass fsck: {report:?}", partial.display());
    }
    let temp_dir = partial.join(PACKAGES).join("tmp");
    let _ = std::fs::remove_dir(&temp_dir);
    // The copy was opened as a store (WAL); one self-contained file again.
    SqliteStore::to_single_file(&copy_path).await?;
    let (db_sha, db_size) = hash_file(&copy_path)?;
    bytes += db_size;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        created_at: revitpy_names::timestamp::now_rfc3339(),
        server_version: env!("CARGO_PKG_VERSION").to_owned(),
        serial: stats.serial,
        packages: stats.total_packages,
        versions: referenced.len() as u64,
        database: FileEntry { path: DATABASE.to_owned(), sha256: db_sha, size: db_size },
        files,
        index_key: None,
    };
    let manifest =
        Manifest { index_key: copy_index_key(&storage.index_key_path(), &partial.join(INDEX_KEY))?, ..manifest };
    write_synced(&partial.join(MANIFEST), &serde_json::to_vec_pretty(&manifest)?)?;
    sync_dir(&partial);
    std::fs::rename(&partial, dest).with_context(|| format!("renaming {} to {}", partial.display(), dest.display()))?;
    if let Some(parent) = dest.parent() {
        sync_dir(parent);
    }
    Ok(Summary {
        folder: dest.to_owned(),
        serial: manifest.serial,
        packages: manifest.packages,
        versions: manifest.versions,
        files: manifest.files.len(),
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        fsck: report,
    })
}

/// Copies the index key (if the registry has one), owner-only.
fn copy_index_key(from: &Path, to: &Path) -> anyhow::Result<Option<FileEntry>> {
    let bytes = match std::fs::read(from) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading the index signing key at {}", from.display())),
    };
    crate::index_signing::write_owner_only(to, &bytes, true)?;
    let path = to.file_name().expect("a file name").to_string_lossy().into_owned();
    Ok(Some(FileEntry { path, sha256: hex::encode(Sha256::digest(&bytes)), size: bytes.len() as u64 }))
}

fn partial_path(dest: &Path) -> anyhow::Result<PathBuf> {
    let name = dest.file_name().with_context(|| format!("{} has no folder name", dest.display()))?;
    let mut partial = name.to_owned();
    partial.push(".partial");
    Ok(dest.with_file_name(partial))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Reads and checks a backup's manifest: its format, and that every path
/// it names is one this program would have written (no `..`, no absolute
/// path: the manifest is input like any other).
fn read_manifest(src: &Path) -> anyhow::Result<Manifest> {
    let path = src.join(MANIFEST);
    let file = std::fs::File::open(&path)
        .with_context(|| format!("{} has no {MANIFEST}: not a backup, or one that did not finish", src.display()))?;
    let mut text = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut text)?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        bail!("{} is larger than {MAX_MANIFEST_BYTES} bytes", path.display());
    }
    let manifest: Manifest =
        serde_json::from_slice(&text).with_context(|| format!("{} is not a backup manifest", path.display()))?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        bail!(
            "{} is format {} version {}; this server reads {FORMAT} version {FORMAT_VERSION}",
            path.display(),
            manifest.format,
            manifest.format_version
        );
    }
    if manifest.index_key.as_ref().is_some_and(|k| k.path != INDEX_KEY) {
        bail!("{}: the index signing key must be `{INDEX_KEY}`", path.display());
    }
    if manifest.database.path != DATABASE {
        bail!("{}: the database must be `{DATABASE}`", path.display());
    }
    for f in &manifest.files {
        let key =
            BlobKey::parse(&f.sha256).with_context(|| format!("{}: `{}` is not a sha256", path.display(), f.sha256))?;
        if f.path != format!("{PACKAGES}/{}", key.relative_path()) {
            bail!("{}: file `{}` is not where a backup puts {}", path.display(), f.path, f.sha256);
        }
    }
    Ok(manifest)
}

/// Every file of the backup against its manifest; the problems found.
async fn verify_backup(src: &Path, manifest: &Manifest) -> anyhow::Result<Vec<String>> {
    let mut entries = vec![manifest.database.clone()];
    entries.extend(manifest.files.iter().cloned());
    entries.extend(manifest.index_key.clone());
    let src = src.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut problems = Vec::new();
        for e in entries {
            match hash_file(&src.join(&e.path)) {
                Err(err) => problems.push(format!("{}: {err}", e.path)),
                Ok((sha, size)) if sha != e.sha256 || size != e.size => problems.push(format!(
                    "{}: {size} bytes with sha256 {sha}, the manifest says {} bytes with {}",
                    e.path, e.size, e.sha256
                )),
                Ok(_) => {}
            }
        }
        problems
    })
    .await
    .context("verifying the backup")
}

/// `restore SRC`: see the module's documentation.
pub async fn restore(storage: &StorageArgs, src: &Path) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let db_path = sqlite_path(storage, "restore")?;
    let manifest = read_manifest(src)?;
    let problems = verify_backup(src, &manifest).await?;
    if !problems.is_empty() {
        bail!("the backup in {} is damaged; nothing was restored:\n  {}", src.display(), problems.join("\n  "));
    }
    // Refuse a target that holds anything (packages, or just an account's
    // token) before a file is written: the same rule `restore_from` applies.
    if db_path.exists() {
        let existing = SqliteStore::open(&db_path)?;
        let stats = existing.stats().await?;
        let tokens = existing.list_tokens(None).await?;
        if stats.total_packages > 0 || stats.serial > 0 || !tokens.is_empty() {
            bail!(
                "{} already holds a registry ({} packages, {} tokens); restore into an empty database (a new DATA_DIR or DATABASE_URL)",
                db_path.display(),
                stats.total_packages,
                tokens.len()
            );
        }
    }
    // The database is restored from a private copy, checked after copying
    // (so the bytes checked are the bytes restored), and its contents are
    // checked against the manifest before anything is written to the target.
    let staging = tempfile::tempdir().context("a temporary folder for the database copy")?;
    let copy_path = staging.path().join(DATABASE);
    std::fs::copy(src.join(DATABASE), &copy_path).context("copying the backup's database")?;
    let (sha, size) = hash_file(&copy_path)?;
    if sha != manifest.database.sha256 || size != manifest.database.size {
        bail!("{} changed while it was restored; nothing was restored", src.join(DATABASE).display());
    }
    {
        let copy = SqliteStore::open(&copy_path)?;
        let listed: std::collections::HashSet<&str> = manifest.files.iter().map(|f| f.sha256.as_str()).collect();
        let unlisted: Vec<String> = copy
            .referenced_blobs()
            .await?
            .into_iter()
            .filter(|r| !listed.contains(r.sha256.as_str()))
            .map(|r| format!("{} {} ({})", r.package, r.version, r.sha256))
            .collect();
        if !unlisted.is_empty() {
            bail!(
                "the backup's database references files its manifest does not list; nothing was restored:\n  {}",
                unlisted.join("\n  ")
            );
        }
        let serial = copy.stats().await?.serial;
        if serial != manifest.serial {
            bail!(
                "the backup's database is at serial {serial}, its manifest says {}; nothing was restored",
                manifest.serial
            );
        }
    }
    if let Some(entry) = &manifest.index_key {
        // The name is ours, not the manifest's: a path from it is never used.
        let bytes = std::fs::read(src.join(INDEX_KEY)).context("reading the backup's index signing key")?;
        if hex::encode(Sha256::digest(&bytes)) != entry.sha256 {
            bail!("the backup's index signing key changed while it was restored; nothing was restored");
        }
        let target = storage.index_key_path();
        if std::fs::read(&target).is_ok_and(|existing| existing != bytes) {
            // The empty target's own key (made when a server started on
            // it once) is kept aside, never lost.
            let mut aside = target.as_os_str().to_owned();
            aside.push(".before-restore");
            std::fs::rename(&target, &aside).context("moving the target's own index key aside")?;
        }
        crate::index_signing::write_owner_only(&target, &bytes, true)?;
    }
    let store = SqliteStore::open(&db_path)?;
    let blobs = crate::app::open_blobs(storage)?;
    let sizes: Vec<u64> = futures_util::stream::iter(&manifest.files)
        .map(|f| {
            let key = BlobKey::parse(&f.sha256).expect("checked by read_manifest");
            // The path is built from a validated key, never from the manifest's text.
            let from = src.join(PACKAGES).join(key.relative_path());
            let blobs = blobs.as_ref();
            async move { copy_file_into(from, blobs, &key).await.context("a backup file changed while it was restored") }
        })
        .buffer_unordered(COPIES_AT_ONCE)
        .try_collect()
        .await?;
    let bytes = manifest.database.size + sizes.iter().sum::<u64>();
    store.restore_from(&copy_path).await?;
    let restored = store.stats().await?;
    if restored.serial != manifest.serial {
        bail!("the restored database is at serial {}, the manifest says {}", restored.serial, manifest.serial);
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let index_path = storage.search_index_path();
    let search = Arc::new(revitpy_search::SearchIndex::open_or_create_with(
        &index_path,
        revitpy_search::Durability::Checkpoints,
    )?);
    crate::indexer::rebuild(store.as_ref(), &search).await?;
    search.checkpoint()?;
    let report = fsck::fsck(store.as_ref(), blobs, false, false).await?;
    if !report.clean() {
        bail!("the restored registry does not pass fsck: {report:?}");
    }
    Ok(Summary {
        folder: src.to_owned(),
        serial: restored.serial,
        packages: restored.total_packages,
        versions: manifest.versions,
        files: manifest.files.len(),
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        fsck: report,
    })
}

/// Copies the file at `path` into the store `to` under `key`, hashing it
/// as it is copied: a file that does not hash to its key is refused.
async fn copy_file_into(path: PathBuf, to: &dyn BlobStore, key: &BlobKey) -> anyhow::Result<u64> {
    let temp = tempfile::Builder::new().prefix("copy-").tempfile_in(to.temp_dir())?.into_temp_path();
    let target = temp.to_path_buf();
    std::fs::remove_file(&target)?;
    let (sha, size) = tokio::task::spawn_blocking(move || copy_hashing(&path, &target)).await??;
    if sha != key.as_str() {
        bail!("{key} does not match its sha256 (it hashes to {sha})");
    }
    to.put_file(key, &temp).await?;
    let _ = temp.keep();
    Ok(size)
}
