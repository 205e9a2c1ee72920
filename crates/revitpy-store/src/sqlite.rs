//! The SQLite store: the zero-configuration default.
//!
//! One writer connection behind a mutex (SQLite has one writer at a time
//! anyway) and a small pool of readers; WAL lets readers run beside the
//! writer. Every call runs on tokio's blocking pool. Commits are durable
//! (`synchronous=FULL`): an upload answered 200 survives a power cut.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use revitpy_names::{ScanStatus, Version};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::model::*;
use crate::rows::*;
use crate::tables::*;
use crate::{Store, StoreError, StoreResult};

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial", include_str!("../migrations/sqlite/0001_initial.sql")),
    ("0002_signatures", include_str!("../migrations/sqlite/0002_signatures.sql")),
    ("0003_publisher_keys", include_str!("../migrations/sqlite/0003_publisher_keys.sql")),
    ("0004_index_roots", include_str!("../migrations/sqlite/0004_index_roots.sql")),
];
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
const MAX_IDLE_READERS: usize = 4;

struct Inner {
    path: std::path::PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-1000;",
    )?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for (name, sql) in MIGRATIONS {
        let done: bool = conn
            .query_row("SELECT COUNT(*) FROM schema_migrations WHERE name = ?1", [name], |r| r.get::<_, i64>(0))?
            > 0;
        if done {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(&format!("INSERT INTO schema_migrations (name, applied_at) VALUES (?1, {NOW})"), [name])?;
        tx.commit()?;
        tracing::info!(migration = name, "applied database migration");
    }
    Ok(())
}

/// Copies every page of `src` into `dst` in one step. SQLite answers Busy
/// or Locked while another connection holds a lock it needs; it is tried
/// again, for at most a minute.
fn copy_all_pages(src: &Connection, dst: &mut Connection) -> rusqlite::Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let backup = Backup::new(src, dst)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some("the database stayed locked for a minute".into()),
                ));
            }
        }
    }
}

/// SQLite's `quick_check`: "ok", or what is damaged.
fn quick_check(conn: &Connection) -> Result<(), String> {
    let answer: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if answer == "ok" { Ok(()) } else { Err(format!("the database is damaged: {answer}")) }
}

impl SqliteStore {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(format!("{}: {e}", parent.display())))?;
        }
        let mut writer = open_connection(path).map_err(|e| StoreError::Database(format!("{}: {e}", path.display())))?;
        migrate(&mut writer)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// An online, consistent copy of the whole database at `dest` (a new
    /// file), through SQLite's backup API: all pages in one step inside one
    /// read transaction, so a server writing meanwhile (WAL) neither waits
    /// nor makes the copy restart. The copy is left in rollback-journal
    /// mode, one self-contained file, and checked with `quick_check`.
    pub async fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        Self::backup_file(&self.inner.path, dest).await
    }

    /// [`SqliteStore::backup_to`] from the database file at `source`, opened
    /// read-only and never migrated: a newer binary's backup must not change
    /// the schema under an older server that is running.
    pub async fn backup_file(source: &Path, dest: &Path) -> StoreResult<()> {
        let (source, dest) = (source.to_owned(), dest.to_owned());
        tokio::task::spawn_blocking(move || {
            let db_error = |e: rusqlite::Error| StoreError::Database(format!("backup to {}: {e}", dest.display()));
            if dest.exists() {
                return Err(StoreError::Database(format!("{} already exists", dest.display())));
            }
            let src = Connection::open_with_flags(&source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| StoreError::Database(format!("{}: {e}", source.display())))?;
            src.busy_timeout(std::time::Duration::from_secs(10))?;
            let mut dst = Connection::open(&dest).map_err(db_error)?;
            copy_all_pages(&src, &mut dst).map_err(db_error)?;
            dst.execute_batch("PRAGMA journal_mode=DELETE;").map_err(db_error)?;
            quick_check(&dst).map_err(|e| StoreError::Database(format!("the copy at {}: {e}", dest.display())))
        })
        .await
        .map_err(|e| StoreError::Database(format!("database task failed: {e}")))?
    }

    /// Makes the closed database at `path` one self-contained file again
    /// (rollback journal instead of WAL): how a backup copy is kept.
    pub async fn to_single_file(path: &Path) -> StoreResult<()> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            let conn = Connection::open(&path)?;
            conn.execute_batch("PRAGMA journal_mode=DELETE;")?;
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Database(format!("database task failed: {e}")))?
    }

    /// Replaces this database's whole content with the database file at
    /// `source` (a [`SqliteStore::backup_to`] copy), then applies any
    /// migration the copy predates. Refused unless this database holds no
    /// user, token or package: a restore never merges into a live registry.
    pub async fn restore_from(&self, source: &Path) -> StoreResult<()> {
        let inner = self.inner.clone();
        let source = source.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut writer = inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            let held: i64 = writer.query_row(
                "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM tokens) + (SELECT COUNT(*) FROM packages)",
                [],
                |r| r.get(0),
            )?;
            if held > 0 {
                return Err(StoreError::Database(format!(
                    "{} already holds a registry; restore into an empty database (a new DATA_DIR or DATABASE_URL)",
                    inner.path.display()
                )));
            }
            let src = Connection::open_with_flags(&source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| StoreError::Database(format!("{}: {e}", source.display())))?;
            quick_check(&src).map_err(|e| StoreError::Database(format!("{}: {e}", source.display())))?;
            copy_all_pages(&src, &mut writer)?;
            // The copied pages say rollback journal; this store runs in WAL.
            writer.execute_batch("PRAGMA journal_mode=WAL;")?;
            migrate(&mut writer)?;
            inner.readers.lock().expect("reader pool").clear();
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Database(format!("database task failed: {e}")))?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.readers.lock().expect("reader pool").pop();
            let conn = match conn {
                Some(c) => c,
                None => open_connection(&inner.path)?,
            };
            let result = f(&conn);
            let mut pool = inner.readers.lock().expect("reader pool");
            if pool.len() < MAX_IDLE_READERS {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Database(format!("database task failed: {e}")))?
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Database(format!("database task failed: {e}")))?
    }
}

fn token_from_row(r: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        id: r.get(0)?,
        user_id: r.get(1)?,
        user: r.get(2)?,
        label: r.get(3)?,
        token_prefix: r.get(4)?,
        scope: Scope::parse(&r.get::<_, String>(5)?).unwrap_or(Scope::Yank),
        package: r.get(6)?,
        created_at: r.get(7)?,
        last_used_at: r.get(8)?,
        revoked_at: r.get(9)?,
    })
}

fn package_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<PackageRecord> {
    Ok(PackageRecord {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        normalized_name: r.get(at + 2)?,
        created_at: r.get(at + 3)?,
        updated_at: r.get(at + 4)?,
        download_count: r.get::<_, i64>(at + 5)? as u64,
        latest_version_id: r.get(at + 6)?,
        require_signature: r.get(at + 7)?,
    })
}

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<KeyRecord> {
    Ok(KeyRecord {
        id: r.get(0)?,
        user: r.get(1)?,
        key_id: r.get(2)?,
        public_key: r.get(3)?,
        created_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

/// A `versions` row in [`VERSION_COLUMNS`]' order, from column `at` on.
fn read_version(r: &Row<'_>, at: usize) -> rusqlite::Result<VersionRow> {
    let g = |i: usize| at + i;
    Ok(VersionRow {
        id: r.get(g(0))?,
        package_id: r.get(g(1))?,
        // Filled in by the caller, who has read the package already
        // (a subquery per row cost a B-tree seek each; see
        // docs/PERFORMANCE.md, issue 18).
        package_name: String::new(),
        version: r.get(g(2))?,
        summary: r.get(g(3))?,
        description: r.get(g(4))?,
        author: r.get(g(5))?,
        author_email: r.get(g(6))?,
        license: r.get(g(7))?,
        homepage_url: r.get(g(8))?,
        repository_url: r.get(g(9))?,
        documentation_url: r.get(g(10))?,
        keywords: r.get(g(11))?,
        categories: r.get(g(12))?,
        package_type: r.get(g(13))?,
        performance_impact: r.get(g(14))?,
        requires_admin: r.get(g(15))?,
        min_revit: r.get(g(16))?,
        max_revit: r.get(g(17))?,
        tested_revit: r.get(g(18))?,
        known_issues: r.get(g(19))?,
        dependencies: r.get(g(20))?,
        manifest: r.get(g(21))?,
        filename: r.get(g(22))?,
        file_size: r.get(g(23))?,
        file_sha256: r.get(g(24))?,
        security_scan_status: r.get(g(25))?,
        security_scan: r.get(g(26))?,
        digital_signature: r.get(g(27))?,
        yanked: r.get(g(28))?,
        yanked_reason: r.get(g(29))?,
        download_count: r.get(g(30))?,
        published_by: r.get(g(31))?,
        created_at: r.get(g(32))?,
        signature_key_id: r.get(g(33))?,
    })
}

/// Rows read with [`read_version`], as records, each named by
/// `name_of(package_id)`; the first bad row is the error.
fn version_records<'n>(
    rows: impl Iterator<Item = rusqlite::Result<VersionRow>>,
    name_of: impl Fn(i64) -> &'n str,
) -> StoreResult<Vec<VersionRecord>> {
    rows.map(|row| {
        let mut row = row?;
        name_of(row.package_id).clone_into(&mut row.package_name);
        row.into_record()
    })
    .collect()
}

/// Rows of [`PACKAGE_COLUMNS`] then [`VERSION_COLUMNS`], as packages with their latest version.
fn with_latest(
    rows: impl Iterator<Item = rusqlite::Result<(PackageRecord, VersionRow)>>,
) -> StoreResult<Vec<PackageWithLatest>> {
    rows.map(|row| {
        let (package, mut latest) = row?;
        package.name.clone_into(&mut latest.package_name);
        Ok(PackageWithLatest { package, latest: latest.into_record()? })
    })
    .collect()
}

fn ensure_user(tx: &Transaction<'_>, name: &str) -> StoreResult<i64> {
    tx.execute(
        &format!("INSERT INTO users (name, created_at) VALUES (?1, {NOW}) ON CONFLICT(name) DO NOTHING"),
        [name],
    )?;
    Ok(tx.query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))?)
}

fn append_change(
    tx: &Transaction<'_>,
    package_id: i64,
    normalized: &str,
    kind: &str,
    version: Option<&str>,
) -> StoreResult<i64> {
    tx.execute(
        &format!("INSERT INTO changes (package_id, normalized_name, kind, version, at) VALUES (?1, ?2, ?3, ?4, {NOW})"),
        params![package_id, normalized, kind, version],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Points the package at its latest version, by the one rule the client
/// and the local index also use ([`revitpy_names::latest`]). Rows are given
/// in id order, so of two versions equal under PEP 440 (which the unique
/// canonical version forbids anyway) the first published would win.
fn recompute_latest(tx: &Transaction<'_>, package_id: i64) -> StoreResult<()> {
    let mut stmt = tx.prepare_cached("SELECT id, version, yanked FROM versions WHERE package_id = ?1 ORDER BY id")?;
    let rows: Vec<(i64, String, bool)> =
        stmt.query_map([package_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let latest = revitpy_names::latest(rows, |r| Version::from_str(&r.1).ok(), |r| r.2).map(|(id, _, _)| id);
    tx.execute(
        &format!("UPDATE packages SET latest_version_id = ?1, updated_at = {NOW} WHERE id = ?2"),
        params![latest, package_id],
    )?;
    Ok(())
}

fn is_owner(conn: &Connection, package_id: i64, actor: &Actor) -> StoreResult<bool> {
    if actor.is_admin() {
        return Ok(true);
    }
    let Some(user_id) = actor.user_id else {
        return Ok(false);
    };
    Ok(conn
        .query_row(
            "SELECT 1 FROM package_owners WHERE package_id = ?1 AND user_id = ?2",
            params![package_id, user_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn package_by_id(conn: &Connection, id: i64) -> StoreResult<(String, String)> {
    Ok(conn
        .query_row("SELECT name, normalized_name FROM packages WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The publish rules, read inside the caller's transaction: the package
/// (if it exists) is owned by `actor`, and no version equal to `canonical`
/// exists. Returns the package's id when it exists.
fn check_publish_in(
    conn: &Connection,
    actor: &Actor,
    normalized_name: &str,
    version: &str,
    canonical: &str,
) -> StoreResult<Option<i64>> {
    let Some(package_id) = conn
        .query_row("SELECT id FROM packages WHERE normalized_name = ?1", [normalized_name], |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(None);
    };
    if !is_owner(conn, package_id, actor)? {
        return Err(not_owner(actor, normalized_name));
    }
    let clash: Option<String> = conn
        .query_row(
            "SELECT version FROM versions WHERE package_id = ?1 AND canonical_version = ?2",
            params![package_id, canonical],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(existing) = clash {
        return Err(StoreError::VersionExists {
            package: normalized_name.to_owned(),
            version: version.to_owned(),
            existing,
        });
    }
    Ok(Some(package_id))
}

/// The signing rules, read inside the caller's transaction: a package that
/// requires signatures gets only signed versions, and a signature (already
/// checked against the file by the caller) must be by a live registered key
/// of one of the package's owners, or of the publisher for a new package.
fn signature_rules(
    conn: &Connection,
    actor: &Actor,
    package_id: Option<i64>,
    normalized_name: &str,
    key_id: Option<&str>,
) -> StoreResult<()> {
    let Some(key_id) = key_id else {
        let required = match package_id {
            Some(id) => conn.query_row("SELECT require_signature FROM packages WHERE id = ?1", [id], |r| r.get(0))?,
            None => false,
        };
        if required {
            return Err(unsigned_refused(normalized_name));
        }
        return Ok(());
    };
    let holder: Option<String> = conn
        .query_row(
            "SELECT u.name FROM publisher_keys k JOIN users u ON u.id = k.user_id WHERE k.key_id = ?1 AND k.revoked_at IS NULL",
            [key_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(holder) = holder else {
        return Err(unknown_key_refused(key_id));
    };
    let is_owner = match package_id {
        Some(id) => conn
            .query_row(
                "SELECT 1 FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = ?1 AND u.name = ?2",
                params![id, holder],
                |_| Ok(()),
            )
            .optional()?
            .is_some(),
        // A new package: its first owner will be the publisher.
        None => holder.eq_ignore_ascii_case(&actor.user_name),
    };
    if !is_owner {
        return Err(not_owner_key_refused(key_id, &holder, normalized_name));
    }
    Ok(())
}

fn publish_in(tx: &Transaction<'_>, actor: &Actor, release: Release) -> StoreResult<Published> {
    let normalized = release.name.normalized();
    let version = release.version.to_string();
    let existing = check_publish_in(tx, actor, normalized, &version, &release.canonical_version())?;
    signature_rules(tx, actor, existing, normalized, release.signature_key_id.as_deref())?;
    let (package_id, new_package) = match existing {
        Some(id) => (id, false),
        None => {
            tx.execute(
                &format!(
                    "INSERT INTO packages (name, normalized_name, created_at, updated_at) VALUES (?1, ?2, {NOW}, {NOW})"
                ),
                params![release.name.as_str(), normalized],
            )?;
            let id = tx.last_insert_rowid();
            // The first publisher owns the package; one acting through
            // ADMIN_TOKEN (no account of its own) owns it as the `admin`
            // account, so every package has an owner to add others.
            let owner = match actor.user_id {
                Some(user_id) => user_id,
                None => ensure_user(tx, &actor.user_name)?,
            };
            tx.execute(
                &format!("INSERT INTO package_owners (package_id, user_id, added_at) VALUES (?1, ?2, {NOW})"),
                params![id, owner],
            )?;
            (id, true)
        }
    };
    let version_id = insert_version(tx, package_id, actor, &release)?;
    recompute_latest(tx, package_id)?;
    let serial = append_change(tx, package_id, normalized, "publish", Some(&version))?;
    Ok(Published { package_id, version_id, serial, new_package })
}

/// The record as columns: the other half of [`VersionRow::into_record`],
/// through [`VersionValues`].
fn insert_version(tx: &Transaction<'_>, package_id: i64, actor: &Actor, r: &Release) -> StoreResult<i64> {
    let v = VersionValues::of(r);
    tx.execute(
        &format!(
            "INSERT INTO versions ({VERSION_INSERT_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, \
             ?24, ?25, ?26, ?27, ?28, ?29, ?30, {NOW}, ?31)"
        ),
        params![
            package_id,
            v.version,
            v.canonical_version,
            v.is_prerelease,
            r.summary,
            r.description,
            r.author,
            r.author_email,
            r.license,
            r.homepage_url,
            r.repository_url,
            r.documentation_url,
            v.keywords,
            v.categories,
            r.package_type.as_str(),
            r.performance_impact.as_str(),
            r.requires_admin,
            v.min_revit,
            v.max_revit,
            v.tested_revit,
            v.known_issues,
            v.dependencies,
            v.manifest,
            r.filename,
            v.file_size,
            r.file_sha256.as_str(),
            r.security_scan_status.as_str(),
            v.security_scan,
            r.digital_signature,
            actor.user_id,
            r.signature_key_id,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

#[async_trait]
impl Store for SqliteStore {
    async fn check(&self) -> StoreResult<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    async fn serial(&self) -> StoreResult<i64> {
        self.read(|c| Ok(c.query_row("SELECT COALESCE(MAX(serial), 0) FROM changes", [], |r| r.get(0))?)).await
    }

    async fn create_token(&self, new: NewToken) -> StoreResult<TokenRecord> {
        self.write(move |tx| {
            let user_id = ensure_user(tx, &new.user_name)?;
            tx.execute(
                &format!(
                    "INSERT INTO tokens (user_id, label, token_hash, token_prefix, scope, package, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})"
                ),
                params![user_id, new.label, new.token_hash, new.token_prefix, new.scope.as_str(), new.package],
            )?;
            let id = tx.last_insert_rowid();
            Ok(tx.query_row(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?1"),
                [id],
                token_from_row,
            )?)
        })
        .await
    }

    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let hash = token_hash.to_owned();
        // The token, and whether its last use is a minute old (or never).
        let found = self
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS}, (t.last_used_at IS NULL OR \
                     t.last_used_at < strftime('%Y-%m-%dT%H:%M:%fZ','now','-1 minute')) \
                     FROM tokens t JOIN users u ON u.id = t.user_id \
                     WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
                ))?
                .query_row([hash], |r| Ok((token_from_row(r)?, r.get::<_, bool>(TOKEN_COLUMN_COUNT)?)))
                .optional()?)
            })
            .await?;
        let Some((token, stale)) = found else { return Ok(None) };
        if stale {
            // Record use at most once a minute per token, and take the write
            // lock only then: requests with a recently used token (a CI job
            // publishing in bulk) never queue behind other writes for it.
            let id = token.id;
            self.write(move |tx| {
                tx.execute(
                    &format!(
                        "UPDATE tokens SET last_used_at = {NOW} WHERE id = ?1 AND \
                         (last_used_at IS NULL OR last_used_at < strftime('%Y-%m-%dT%H:%M:%fZ','now','-1 minute'))"
                    ),
                    [id],
                )?;
                Ok(())
            })
            .await?;
        }
        Ok(Some(token))
    }

    async fn list_tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRecord>> {
        let user = user.map(str::to_owned);
        self.read(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id \
                 WHERE (?1 IS NULL OR u.name = ?1) ORDER BY t.id"
            ))?;
            Ok(stmt.query_map([user], token_from_row)?.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn token(&self, id: i64) -> StoreResult<Option<TokenRecord>> {
        self.read(move |c| {
            Ok(c.query_row(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?1"),
                [id],
                token_from_row,
            )
            .optional()?)
        })
        .await
    }

    async fn revoke_token(&self, id: i64) -> StoreResult<bool> {
        self.write(move |tx| {
            Ok(tx
                .execute(&format!("UPDATE tokens SET revoked_at = {NOW} WHERE id = ?1 AND revoked_at IS NULL"), [id])?
                > 0)
        })
        .await
    }

    async fn package(&self, normalized_name: &str) -> StoreResult<Option<PackageRecord>> {
        let name = normalized_name.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.normalized_name = ?1"))?
                .query_row([name], |r| package_from_row(r, 0))
                .optional()?)
        })
        .await
    }

    async fn versions(&self, package_id: i64) -> StoreResult<Vec<VersionRecord>> {
        self.read(move |c| {
            let Some(name) = c
                .prepare_cached("SELECT name FROM packages WHERE id = ?1")?
                .query_row([package_id], |r| r.get::<_, String>(0))
                .optional()?
            else {
                return Ok(Vec::new());
            };
            let mut stmt =
                c.prepare_cached(&format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id = ?1"))?;
            version_records(stmt.query_map([package_id], |r| read_version(r, 0))?, |_| &name)
        })
        .await
    }

    async fn package_detail(&self, normalized_name: &str) -> StoreResult<Option<PackageDetailRecord>> {
        let name = normalized_name.to_owned();
        self.read(move |c| {
            let Some(package) = c
                .prepare_cached(&format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.normalized_name = ?1"))?
                .query_row([name], |r| package_from_row(r, 0))
                .optional()?
            else {
                return Ok(None);
            };
            let versions = version_records(
                c.prepare_cached(&format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id = ?1"))?
                    .query_map([package.id], |r| read_version(r, 0))?,
                |_| &package.name,
            )?;
            let owners = c
                .prepare_cached(
                    "SELECT u.name FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = ?1 ORDER BY u.name",
                )?
                .query_map([package.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(Some(PackageDetailRecord { package, versions, owners }))
        })
        .await
    }

    async fn index_page(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageDetailRecord>> {
        self.read(move |c| {
            let packages: Vec<PackageRecord> = c
                .prepare_cached(&format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.id > ?1 ORDER BY p.id LIMIT ?2"))?
                .query_map(params![after_id, limit as i64], |r| package_from_row(r, 0))?
                .collect::<Result<_, _>>()?;
            let (Some(first), Some(last)) = (packages.first(), packages.last()) else { return Ok(Vec::new()) };
            let names = names_by_id(&packages);
            let versions = version_records(
                c.prepare_cached(&format!(
                    "SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id BETWEEN ?1 AND ?2 ORDER BY v.package_id"
                ))?
                .query_map(params![first.id, last.id], |r| read_version(r, 0))?,
                |id| names.get(&id).copied().unwrap_or_default(),
            )?;
            Ok(group_versions(packages, versions))
        })
        .await
    }

    async fn index_packages(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageDetailRecord>> {
        if normalized_names.is_empty() {
            return Ok(Vec::new());
        }
        let names = normalized_names.to_vec();
        self.read(move |c| {
            let placeholders = vec!["?"; names.len()].join(",");
            let packages: Vec<PackageRecord> = c
                .prepare(&format!(
                    "SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.normalized_name IN ({placeholders}) ORDER BY p.id"
                ))?
                .query_map(rusqlite::params_from_iter(names.iter()), |r| package_from_row(r, 0))?
                .collect::<Result<_, _>>()?;
            let ids: Vec<i64> = packages.iter().map(|p| p.id).collect();
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let placeholders = vec!["?"; ids.len()].join(",");
            let names = names_by_id(&packages);
            let versions = version_records(
                c.prepare(&format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id IN ({placeholders})"))?
                    .query_map(rusqlite::params_from_iter(ids.iter()), |r| read_version(r, 0))?,
                |id| names.get(&id).copied().unwrap_or_default(),
            )?;
            Ok(group_versions(packages, versions))
        })
        .await
    }

    async fn packages_with_latest(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageWithLatest>> {
        if normalized_names.is_empty() {
            return Ok(Vec::new());
        }
        let names = normalized_names.to_vec();
        self.read(move |c| {
            let placeholders = vec!["?"; names.len()].join(",");
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {PACKAGE_COLUMNS}, {VERSION_COLUMNS} FROM packages p JOIN versions v ON v.id = p.latest_version_id \
                 WHERE p.normalized_name IN ({placeholders})"
            ))?;
            with_latest(stmt.query_map(rusqlite::params_from_iter(names.iter()), |r| {
                Ok((package_from_row(r, 0)?, read_version(r, PACKAGE_WIDTH)?))
            })?)
        })
        .await
    }

    async fn all_packages_with_latest(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageWithLatest>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {PACKAGE_COLUMNS}, {VERSION_COLUMNS} FROM packages p JOIN versions v ON v.id = p.latest_version_id \
                 WHERE p.id > ?1 ORDER BY p.id LIMIT ?2"
            ))?;
            with_latest(stmt.query_map(params![after_id, limit as i64], |r| {
                Ok((package_from_row(r, 0)?, read_version(r, PACKAGE_WIDTH)?))
            })?)
        })
        .await
    }

    async fn check_publish(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version: &str,
        canonical: &str,
    ) -> StoreResult<()> {
        let (actor, name, version, canonical) =
            (actor.clone(), normalized_name.to_owned(), version.to_owned(), canonical.to_owned());
        self.read(move |c| check_publish_in(c, &actor, &name, &version, &canonical).map(|_| ())).await
    }

    async fn check_signer(&self, actor: &Actor, normalized_name: &str, key_id: Option<&str>) -> StoreResult<()> {
        let (actor, name, key_id) = (actor.clone(), normalized_name.to_owned(), key_id.map(str::to_owned));
        self.read(move |c| {
            let package_id = c
                .query_row("SELECT id FROM packages WHERE normalized_name = ?1", [&name], |r| r.get::<_, i64>(0))
                .optional()?;
            signature_rules(c, &actor, package_id, &name, key_id.as_deref())
        })
        .await
    }

    async fn publish(&self, actor: &Actor, release: Release) -> StoreResult<Published> {
        let actor = actor.clone();
        self.write(move |tx| publish_in(tx, &actor, release)).await
    }

    async fn publish_batch(&self, actor: &Actor, batch: Vec<Release>) -> StoreResult<Vec<Published>> {
        let actor = actor.clone();
        self.write(move |tx| batch.into_iter().map(|release| publish_in(tx, &actor, release)).collect()).await
    }

    async fn add_key(&self, user: &str, key_id: &str, public_key: &str) -> StoreResult<KeyRecord> {
        let (user, key_id, public_key) = (user.to_owned(), key_id.to_owned(), public_key.to_owned());
        self.write(move |tx| {
            let user_id = ensure_user(tx, &user)?;
            let taken: Option<String> = tx
                .query_row(
                    "SELECT u.name FROM publisher_keys k JOIN users u ON u.id = k.user_id WHERE k.key_id = ?1",
                    [&key_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(holder) = taken {
                return Err(StoreError::KeyExists { key_id, user: holder });
            }
            tx.execute(
                &format!(
                    "INSERT INTO publisher_keys (user_id, key_id, public_key, created_at) VALUES (?1, ?2, ?3, {NOW})"
                ),
                params![user_id, key_id, public_key],
            )?;
            let id = tx.last_insert_rowid();
            Ok(tx.query_row(&format!("SELECT {KEY_COLUMNS} WHERE k.id = ?1"), [id], key_from_row)?)
        })
        .await
    }

    async fn list_keys(&self, user: Option<&str>) -> StoreResult<Vec<KeyRecord>> {
        let user = user.map(str::to_owned);
        self.read(move |c| {
            let mut stmt =
                c.prepare(&format!("SELECT {KEY_COLUMNS} WHERE (?1 IS NULL OR u.name = ?1) ORDER BY k.id"))?;
            Ok(stmt.query_map([user], key_from_row)?.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn key(&self, id: i64) -> StoreResult<Option<KeyRecord>> {
        self.read(move |c| {
            Ok(c.query_row(&format!("SELECT {KEY_COLUMNS} WHERE k.id = ?1"), [id], key_from_row).optional()?)
        })
        .await
    }

    async fn live_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>> {
        let key_id = key_id.to_owned();
        self.read(move |c| {
            Ok(c.query_row(
                &format!("SELECT {KEY_COLUMNS} WHERE k.key_id = ?1 AND k.revoked_at IS NULL"),
                [key_id],
                key_from_row,
            )
            .optional()?)
        })
        .await
    }

    async fn revoke_key(&self, id: i64) -> StoreResult<bool> {
        self.write(move |tx| {
            Ok(tx.execute(
                &format!("UPDATE publisher_keys SET revoked_at = {NOW} WHERE id = ?1 AND revoked_at IS NULL"),
                [id],
            )? > 0)
        })
        .await
    }

    async fn index_roots(&self) -> StoreResult<Vec<String>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT envelope FROM index_roots ORDER BY version")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn add_index_root(&self, version: i64, envelope: &str) -> StoreResult<bool> {
        let envelope = envelope.to_owned();
        self.write(move |tx| {
            Ok(tx.execute(
                &format!(
                    "INSERT INTO index_roots (version, envelope, created_at) VALUES (?1, ?2, {NOW}) \
                     ON CONFLICT(version) DO NOTHING"
                ),
                params![version, envelope],
            )? > 0)
        })
        .await
    }

    async fn set_require_signature(&self, actor: &Actor, package_id: i64, required: bool) -> StoreResult<()> {
        let actor = actor.clone();
        self.write(move |tx| {
            let name: String =
                tx.query_row("SELECT normalized_name FROM packages WHERE id = ?1", [package_id], |r| r.get(0))?;
            if !is_owner(tx, package_id, &actor)? {
                return Err(StoreError::NotOwner { user: actor.user_name.clone(), package: name });
            }
            let changed = tx.execute(
                "UPDATE packages SET require_signature = ?1 WHERE id = ?2 AND require_signature != ?1",
                params![required, package_id],
            )?;
            // The signed index covers the rule: clients must see it change.
            if changed > 0 {
                append_change(tx, package_id, &name, "signing", None)?;
            }
            Ok(())
        })
        .await
    }

    async fn set_scan(
        &self,
        version_id: i64,
        status: ScanStatus,
        report: serde_json::Value,
    ) -> StoreResult<Option<i64>> {
        self.write(move |tx| {
            let (package_id, normalized, version, was): (i64, String, String, String) = tx
                .query_row(
                    "SELECT v.package_id, p.normalized_name, v.version, v.security_scan_status \
                     FROM versions v JOIN packages p ON p.id = v.package_id WHERE v.id = ?1",
                    [version_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::NoSuchVersion { package: format!("version id {version_id}") })?;
            tx.execute(
                "UPDATE versions SET security_scan_status = ?1, security_scan = ?2 WHERE id = ?3",
                params![status.to_string(), json_text(&report), version_id],
            )?;
            if was == status.to_string() {
                return Ok(None);
            }
            Ok(Some(append_change(tx, package_id, &normalized, "rescan", Some(&version))?))
        })
        .await
    }

    async fn set_yanked(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version_id: i64,
        yanked: bool,
        reason: Option<String>,
    ) -> StoreResult<i64> {
        let actor = actor.clone();
        let name = normalized_name.to_owned();
        self.write(move |tx| {
            let (package_id, version, was): (i64, String, bool) = tx
                .query_row("SELECT package_id, version, yanked FROM versions WHERE id = ?1", [version_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?
                .ok_or_else(|| StoreError::NoSuchVersion { package: name.clone() })?;
            if !is_owner(tx, package_id, &actor)? {
                return Err(StoreError::NotOwner { user: actor.user_name.clone(), package: name });
            }
            if was == yanked {
                // Nothing changes, so no serial is spent; answer with the current one.
                return Ok(tx.query_row("SELECT COALESCE(MAX(serial), 0) FROM changes", [], |r| r.get(0))?);
            }
            tx.execute(
                "UPDATE versions SET yanked = ?1, yanked_reason = ?2 WHERE id = ?3",
                params![yanked, if yanked { reason } else { None }, version_id],
            )?;
            recompute_latest(tx, package_id)?;
            append_change(tx, package_id, &name, if yanked { "yank" } else { "unyank" }, Some(&version))
        })
        .await
    }

    async fn owners(&self, package_id: i64) -> StoreResult<Vec<String>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT u.name FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = ?1 ORDER BY u.name",
            )?;
            Ok(stmt.query_map([package_id], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn add_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64> {
        let actor = actor.clone();
        let users = users.to_vec();
        self.write(move |tx| {
            let (_, normalized) = package_by_id(tx, package_id)?;
            if !is_owner(tx, package_id, &actor)? {
                return Err(StoreError::NotOwner { user: actor.user_name.clone(), package: normalized });
            }
            let mut changed = false;
            for user in &users {
                let user_id: i64 = tx
                    .query_row("SELECT id FROM users WHERE name = ?1", [user], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NoSuchUser { user: user.clone() })?;
                changed |= tx.execute(
                    &format!("INSERT INTO package_owners (package_id, user_id, added_at) VALUES (?1, ?2, {NOW}) ON CONFLICT DO NOTHING"),
                    params![package_id, user_id],
                )? > 0;
            }
            if !changed {
                return Ok(tx.query_row("SELECT COALESCE(MAX(serial), 0) FROM changes", [], |r| r.get(0))?);
            }
            append_change(tx, package_id, &normalized, "owners", None)
        })
        .await
    }

    async fn remove_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64> {
        let actor = actor.clone();
        let users = users.to_vec();
        self.write(move |tx| {
            let (_, normalized) = package_by_id(tx, package_id)?;
            if !is_owner(tx, package_id, &actor)? {
                return Err(StoreError::NotOwner { user: actor.user_name.clone(), package: normalized });
            }
            let mut changed = false;
            for user in &users {
                changed |= tx.execute(
                    "DELETE FROM package_owners WHERE package_id = ?1 AND user_id = (SELECT id FROM users WHERE name = ?2)",
                    params![package_id, user],
                )? > 0;
            }
            let left: i64 = tx.query_row("SELECT COUNT(*) FROM package_owners WHERE package_id = ?1", [package_id], |r| r.get(0))?;
            if left == 0 {
                return Err(StoreError::LastOwner { package: normalized });
            }
            if !changed {
                return Ok(tx.query_row("SELECT COALESCE(MAX(serial), 0) FROM changes", [], |r| r.get(0))?);
            }
            append_change(tx, package_id, &normalized, "owners", None)
        })
        .await
    }

    async fn changes_since(&self, serial: i64, limit: usize) -> StoreResult<Vec<Change>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT serial, normalized_name, kind, version, at FROM changes WHERE serial > ?1 ORDER BY serial LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![serial, limit as i64], |r| {
                Ok(Change { serial: r.get(0)?, name: r.get(1)?, kind: r.get(2)?, version: r.get(3)?, at: r.get(4)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn add_downloads(&self, counts: &[(i64, u64)]) -> StoreResult<()> {
        let counts = counts.to_vec();
        self.write(move |tx| {
            let mut v = tx.prepare_cached("UPDATE versions SET download_count = download_count + ?1 WHERE id = ?2")?;
            let mut p = tx.prepare_cached(
                "UPDATE packages SET download_count = download_count + ?1 WHERE id = (SELECT package_id FROM versions WHERE id = ?2)",
            )?;
            for (id, n) in counts {
                v.execute(params![n as i64, id])?;
                p.execute(params![n as i64, id])?;
            }
            Ok(())
        })
        .await
    }

    async fn stats(&self) -> StoreResult<Stats> {
        self.read(|c| {
            let (total_packages, total_downloads): (i64, i64) = c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(download_count), 0) FROM packages WHERE latest_version_id IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let total_versions: i64 = c.query_row("SELECT COUNT(*) FROM versions WHERE yanked = 0", [], |r| r.get(0))?;
            let mut stmt = c.prepare(
                "SELECT v.package_type, COUNT(*) FROM packages p JOIN versions v ON v.id = p.latest_version_id GROUP BY v.package_type",
            )?;
            let package_types = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
                .collect::<Result<_, _>>()?;
            let serial = c.query_row("SELECT COALESCE(MAX(serial), 0) FROM changes", [], |r| r.get(0))?;
            let mut stmt = c.prepare(
                "SELECT security_scan_status, COUNT(*) FROM versions WHERE yanked = 0 GROUP BY security_scan_status",
            )?;
            let scan_statuses = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
                .collect::<Result<_, _>>()?;
            let mut stmt = c.prepare(
                "SELECT name, download_count FROM packages WHERE latest_version_id IS NOT NULL AND download_count > 0 \
                 ORDER BY download_count DESC, normalized_name LIMIT ?1",
            )?;
            let top_downloads = stmt
                .query_map([TOP_DOWNLOADS as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
                .collect::<Result<_, _>>()?;
            Ok(Stats {
                total_packages: total_packages as u64,
                total_versions: total_versions as u64,
                total_downloads: total_downloads as u64,
                package_types,
                serial,
                scan_statuses,
                top_downloads,
            })
        })
        .await
    }

    async fn referenced_blobs(&self) -> StoreResult<Vec<BlobReference>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT v.id, v.file_sha256, p.normalized_name, v.version, v.file_size FROM versions v JOIN packages p ON p.id = v.package_id ORDER BY v.id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, i64>(4)?))
            })?;
            rows.map(|row| {
                let (id, sha, package, version, size) = row?;
                blob_reference(id, &sha, package, &version, size)
            })
            .collect()
        })
        .await
    }

    async fn remove_if_unreferenced(&self, sha256: &str, remove: crate::RemoveBlob) -> StoreResult<bool> {
        let sha = sha256.to_owned();
        // `write` holds an IMMEDIATE transaction: SQLite's write lock, which a
        // server's publish in another process waits for.
        self.write(move |tx| {
            let referenced = tx
                .query_row("SELECT 1 FROM versions WHERE file_sha256 = ?1 LIMIT 1", [sha], |_| Ok(()))
                .optional()?
                .is_some();
            if referenced {
                return Ok(false);
            }
            remove().map_err(StoreError::Database)
        })
        .await
    }

    async fn blob_referenced(&self, sha256: &str) -> StoreResult<bool> {
        let sha = sha256.to_owned();
        self.read(move |c| {
            Ok(c.query_row("SELECT 1 FROM versions WHERE file_sha256 = ?1 LIMIT 1", [sha], |_| Ok(()))
                .optional()?
                .is_some())
        })
        .await
    }
}

/// A value for SQLite: booleans are integers there.
fn sqlite_value(cell: &Cell) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(n) => Value::Integer(*n),
        Cell::Bool(b) => Value::Integer(i64::from(*b)),
        Cell::Text(t) => Value::Text(t.clone()),
    }
}

/// A row's cells by the table's column kinds; a value of another type (which
/// SQLite allows in any column) is an error naming the table and column.
fn read_cells(table: &Table, r: &Row<'_>) -> rusqlite::Result<Vec<Cell>> {
    read_row(table, |i| r.get(i), |i| r.get(i), |i| r.get(i))
}

#[async_trait]
impl TableRows for SqliteStore {
    async fn rows_after(&self, table: &'static Table, after: &[Cell], limit: usize) -> StoreResult<Vec<Vec<Cell>>> {
        let after = after.to_vec();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&select_after(table, &after, |i| format!("?{i}")))?;
            let mut params: Vec<rusqlite::types::Value> = after.iter().map(sqlite_value).collect();
            params.push(rusqlite::types::Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
            let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| read_cells(table, r))?;
            rows.collect::<Result<_, _>>().map_err(|e| StoreError::Database(format!("table {}: {e}", table.name)))
        })
        .await
    }

    async fn last_row(&self, table: &'static Table) -> StoreResult<Option<Vec<Cell>>> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {} DESC LIMIT 1",
                table.column_names(),
                table.name,
                table.key.join(" DESC, ")
            );
            Ok(c.query_row(&sql, [], |r| read_cells(table, r)).optional()?)
        })
        .await
    }

    async fn row_with_key(&self, table: &'static Table, key: &[Cell]) -> StoreResult<Option<Vec<Cell>>> {
        let key = key.to_vec();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&select_key(table, &key, |i| format!("?{i}")))?;
            Ok(stmt
                .query_row(rusqlite::params_from_iter(key.iter().map(sqlite_value)), |r| read_cells(table, r))
                .optional()?)
        })
        .await
    }

    async fn load_rows(&self, table: &'static Table, rows: Vec<Vec<Cell>>) -> StoreResult<usize> {
        self.write(move |tx| {
            let mut stmt = tx.prepare_cached(&insert_row(table, |i| format!("?{i}")))?;
            let mut inserted = 0;
            for row in rows {
                let row = as_loaded(table, row);
                inserted += stmt.execute(rusqlite::params_from_iter(row.iter().map(sqlite_value)))?;
            }
            Ok(inserted)
        })
        .await
    }

    async fn set_latest_versions(&self, latest: Vec<(i64, Option<i64>)>) -> StoreResult<()> {
        self.write(move |tx| {
            let mut stmt = tx.prepare_cached("UPDATE packages SET latest_version_id = ?1 WHERE id = ?2")?;
            for (package, version) in latest {
                stmt.execute(params![version, package])?;
            }
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use revitpy_names::{PackageName, PackageType, PerformanceImpact, RevitRange, RevitYear, Sha256};
    use serde_json::json;

    use super::*;

    fn admin() -> Actor {
        Actor { user_id: None, user_name: "admin".into(), scope: Scope::Admin, package: None }
    }

    fn year(y: u64) -> RevitYear {
        RevitYear::new(y).unwrap()
    }

    /// Every field set, none to its default, so a column mixed up with
    /// another shows.
    fn full_release() -> Release {
        Release {
            name: PackageName::new("Wall_Tools").unwrap(),
            version: "2.0.0b1".parse().unwrap(),
            summary: "Walls, fast".into(),
            description: "Draws walls.\nAnd doors.".into(),
            author: "Ada".into(),
            author_email: "ada@example.test".into(),
            license: "MIT".into(),
            homepage_url: Some("https://example.test".into()),
            repository_url: Some("https://example.test/repo".into()),
            documentation_url: Some("https://example.test/docs".into()),
            keywords: vec!["walls".into(), "doors".into()],
            categories: vec!["Modeling".into()],
            package_type: PackageType::Library,
            performance_impact: PerformanceImpact::Medium,
            requires_admin: true,
            revit_range: RevitRange::new(Some(year(2022)), Some(year(2025))).unwrap(),
            tested_revit: vec![year(2022), year(2024)],
            known_issues: json!([{"description": "slow", "affected_versions": ["2022"]}]),
            dependencies: json!([{"name": "revitpy-utils", "version": ">=1.0"}]),
            manifest: serde_json::value::to_raw_value(&json!({"name": "Wall_Tools", "version": "2.0.0b1"})).unwrap(),
            filename: "wall-tools-2.0.0b1.rpyx".into(),
            file_size: 12_345,
            file_sha256: Sha256::new(&"ab".repeat(32)).unwrap(),
            security_scan_status: ScanStatus::Warning,
            security_scan: Some(json!({"risk_level": "medium", "findings": []})),
            digital_signature: Some("sig".into()),
            signature_key_id: None,
        }
    }

    fn open() -> (tempfile::TempDir, SqliteStore, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.db");
        let store = SqliteStore::open(&path).unwrap();
        let raw = open_connection(&path).unwrap();
        (dir, store, raw)
    }

    #[tokio::test]
    async fn a_release_is_written_as_the_registry_always_wrote_it_and_reads_back_whole() {
        let (_dir, store, raw) = open();
        let release = full_release();
        let published = store.publish(&admin(), release.clone()).await.unwrap();
        // The columns hold what earlier builds wrote: words, hex, numbers,
        // years as JSON numbers, the version as published.
        let columns: Vec<String> = raw
            .query_row(
                "SELECT version, canonical_version, is_prerelease, package_type, performance_impact, min_revit, max_revit, \
                 tested_revit, keywords, file_sha256, security_scan_status, requires_admin FROM versions WHERE id = ?1",
                [published.version_id],
                |r| (0..12).map(|i| Ok(format!("{:?}", r.get::<_, rusqlite::types::Value>(i)?))).collect(),
            )
            .unwrap();
        let expected = [
            "Text(\"2.0.0b1\")",
            "Text(\"2b1\")",
            "Integer(1)",
            "Text(\"library\")",
            "Text(\"medium\")",
            "Integer(2022)",
            "Integer(2025)",
            "Text(\"[2022,2024]\")",
            "Text(\"[\\\"walls\\\",\\\"doors\\\"]\")",
            &format!("Text(\"{}\")", "ab".repeat(32)),
            "Text(\"warning\")",
            "Integer(1)",
        ];
        assert_eq!(columns, expected);
        let name: String = raw.query_row("SELECT name FROM packages", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "Wall_Tools");

        let read = store.versions(published.package_id).await.unwrap();
        assert_eq!(read.len(), 1);
        // Debug shows the spellings (name as given, version as written),
        // which `==` on those types would forgive.
        assert_eq!(format!("{:?}", read[0].release), format!("{release:?}"));
        assert_eq!(read[0].release.version.to_string(), "2.0.0b1");
        assert!(read[0].release.is_prerelease());
        assert_eq!(read[0].release.canonical_version(), "2b1");
    }

    /// The `version` column holds a parsed version's text, and the record
    /// reads it back as a parsed version: that is exact because PEP 440's
    /// normal form is its own normal form, whatever spelling was uploaded.
    #[tokio::test]
    async fn version_text_reads_back_as_written_whatever_was_uploaded() {
        let (_dir, store, raw) = open();
        for (i, uploaded) in
            ["1.0", "1.0.0", "01.2", "v2.0", "1.0-beta1", "1.0.0.dev3", "2.0RC1", "1.0.post0", "1!2.0", "1.10a"]
                .into_iter()
                .enumerate()
        {
            let mut release = full_release();
            release.name = PackageName::new(&format!("p{i}")).unwrap();
            release.version = uploaded.parse().unwrap();
            let written = release.version.to_string();
            let published = store.publish(&admin(), release).await.unwrap();
            let column: String = raw
                .query_row("SELECT version FROM versions WHERE id = ?1", [published.version_id], |r| r.get(0))
                .unwrap();
            assert_eq!(column, written, "{uploaded}");
            let read = store.versions(published.package_id).await.unwrap();
            assert_eq!(read[0].release.version.to_string(), written, "{uploaded}");
        }
    }

    #[tokio::test]
    async fn rows_of_an_existing_database_read_back_exactly() {
        let (_dir, store, raw) = open();
        // A row as earlier builds inserted it (not through `Release`).
        raw.execute_batch(
            "INSERT INTO packages (id, name, normalized_name, created_at, updated_at) VALUES (1, 'Door.Tools', 'door-tools', 'x', 'x');
             INSERT INTO versions (package_id, version, canonical_version, is_prerelease, summary, description, author, author_email,
                 license, keywords, categories, package_type, performance_impact, requires_admin, min_revit, max_revit, tested_revit,
                 known_issues, dependencies, manifest, filename, file_size, file_sha256, created_at)
             VALUES (1, '1.10.0', '1.10', 0, 's', 'd', 'a', '', 'MIT', '[]', '[\"Doors\"]', 'template', 'high', 0, NULL, 2024, '[2024]',
                 '[]', '[]', '{}', 'door-tools-1.10.0.rpyx', 7, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'now');",
        )
        .unwrap();
        let v = &store.versions(1).await.unwrap()[0];
        let r = &v.release;
        assert_eq!(r.name.as_str(), "Door.Tools");
        assert_eq!(r.version.to_string(), "1.10.0");
        assert_eq!(r.canonical_version(), "1.10");
        assert_eq!(r.package_type, PackageType::Template);
        assert_eq!(r.performance_impact, PerformanceImpact::High);
        assert_eq!(r.revit_range, RevitRange::new(None, Some(year(2024))).unwrap());
        assert_eq!(r.tested_revit, [year(2024)]);
        assert_eq!(r.categories, ["Doors"]);
        // The column's default, for rows stored before scans existed.
        assert_eq!(r.security_scan_status, ScanStatus::Pending);
        assert_eq!(r.security_scan, None);
        assert_eq!(r.file_sha256.as_str(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(r.file_size, 7);
    }

    #[tokio::test]
    async fn a_row_that_does_not_parse_is_a_database_error_naming_it() {
        let (_dir, store, raw) = open();
        let published = store.publish(&admin(), full_release()).await.unwrap();
        let id = published.version_id;
        for (column, value, said) in [
            ("version", json!("banana"), "not a PEP 440 version"),
            ("package_type", json!("plugin"), "not one of addon, library, template, tool"),
            ("performance_impact", json!("extreme"), "not one of low, medium, high"),
            ("security_scan_status", json!("ok"), "not one of pending, passed, warning, failed"),
            ("file_sha256", json!("ABC"), "not a sha256"),
            ("min_revit", json!(1999), "not a Revit year"),
            ("max_revit", json!(2020), "below min_revit"),
            ("tested_revit", json!("[\"20x4\"]"), "not a JSON list of Revit years"),
            ("keywords", json!("walls"), "not a JSON list of strings"),
            ("manifest", json!("{"), "not valid JSON"),
            ("security_scan", json!("{"), "not valid JSON"),
            ("file_size", json!(-1), "below zero"),
        ] {
            let before: rusqlite::types::Value =
                raw.query_row(&format!("SELECT {column} FROM versions WHERE id = ?1"), [id], |r| r.get(0)).unwrap();
            let bad = match &value {
                serde_json::Value::String(s) => rusqlite::types::Value::Text(s.clone()),
                other => rusqlite::types::Value::Integer(other.as_i64().unwrap()),
            };
            raw.execute(&format!("UPDATE versions SET {column} = ?1 WHERE id = ?2"), params![bad, id]).unwrap();
            let err = store.versions(published.package_id).await.unwrap_err();
            let StoreError::Database(message) = &err else { panic!("{column}: {err:?}") };
            assert!(message.contains(&format!("version row {id}")), "{column}: {message}");
            assert!(message.contains(&format!("{column} column")), "{column}: {message}");
            assert!(message.contains(said), "{column}: {message}");
            // Every read of versions goes through the same mapping.
            assert!(matches!(store.package_detail("wall-tools").await, Err(StoreError::Database(_))), "{column}");
            assert!(matches!(store.index_page(0, 10).await, Err(StoreError::Database(_))), "{column}");
            assert!(
                matches!(store.packages_with_latest(&["wall-tools".into()]).await, Err(StoreError::Database(_))),
                "{column}"
            );
            raw.execute(&format!("UPDATE versions SET {column} = ?1 WHERE id = ?2"), params![before, id]).unwrap();
            store.versions(published.package_id).await.unwrap();
        }
        // fsck's list too.
        raw.execute("UPDATE versions SET file_sha256 = 'nope' WHERE id = ?1", [id]).unwrap();
        let err = store.referenced_blobs().await.unwrap_err().to_string();
        assert!(err.contains("file_sha256 column") && err.contains("wall-tools"), "{err}");
    }

    #[tokio::test]
    async fn fsck_sees_typed_references() {
        let (_dir, store, _raw) = open();
        store.publish(&admin(), full_release()).await.unwrap();
        let refs = store.referenced_blobs().await.unwrap();
        assert_eq!(
            refs,
            [BlobReference {
                sha256: Sha256::new(&"ab".repeat(32)).unwrap(),
                package: "wall-tools".into(),
                version: "2.0.0b1".parse().unwrap(),
                size: 12_345,
            }]
        );
    }
}
