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
use revitpy_names::Version;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::model::*;
use crate::{Store, StoreError, StoreResult};

const MIGRATIONS: &[(&str, &str)] = &[("0001_initial", include_str!("../migrations/sqlite/0001_initial.sql"))];
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

fn json_text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("JSON values serialize")
}

fn parse_json<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> T {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, u.name, t.label, t.token_prefix, t.scope, t.package, t.created_at, t.last_used_at, t.revoked_at";

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

const PACKAGE_COLUMNS: &str =
    "p.id, p.name, p.normalized_name, p.created_at, p.updated_at, p.download_count, p.latest_version_id";

fn package_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<PackageRecord> {
    Ok(PackageRecord {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        normalized_name: r.get(at + 2)?,
        created_at: r.get(at + 3)?,
        updated_at: r.get(at + 4)?,
        download_count: r.get::<_, i64>(at + 5)? as u64,
        latest_version_id: r.get(at + 6)?,
    })
}

const VERSION_COLUMNS: &str = "v.id, v.package_id, v.version, v.canonical_version, v.is_prerelease, v.summary, v.description, \
    v.author, v.author_email, v.license, v.homepage_url, v.repository_url, v.documentation_url, v.keywords, v.categories, \
    v.package_type, v.performance_impact, v.requires_admin, v.min_revit, v.max_revit, v.tested_revit, v.known_issues, \
    v.dependencies, v.manifest, v.filename, v.file_size, v.file_sha256, v.security_scan_status, v.security_scan, \
    v.digital_signature, v.yanked, v.yanked_reason, v.download_count, (SELECT name FROM users WHERE id = v.published_by), v.created_at";

fn version_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<VersionRecord> {
    let g = |i: usize| at + i;
    Ok(VersionRecord {
        id: r.get(g(0))?,
        package_id: r.get(g(1))?,
        data: VersionData {
            version: r.get(g(2))?,
            canonical_version: r.get(g(3))?,
            is_prerelease: r.get(g(4))?,
            summary: r.get(g(5))?,
            description: r.get(g(6))?,
            author: r.get(g(7))?,
            author_email: r.get(g(8))?,
            license: r.get(g(9))?,
            homepage_url: r.get(g(10))?,
            repository_url: r.get(g(11))?,
            documentation_url: r.get(g(12))?,
            keywords: parse_json(r.get(g(13))?),
            categories: parse_json(r.get(g(14))?),
            package_type: r.get(g(15))?,
            performance_impact: r.get(g(16))?,
            requires_admin: r.get(g(17))?,
            min_revit: r.get(g(18))?,
            max_revit: r.get(g(19))?,
            tested_revit: parse_json(r.get(g(20))?),
            known_issues: parse_json(r.get(g(21))?),
            dependencies: parse_json(r.get(g(22))?),
            manifest: parse_json(r.get(g(23))?),
            filename: r.get(g(24))?,
            file_size: r.get::<_, i64>(g(25))? as u64,
            file_sha256: r.get(g(26))?,
            security_scan_status: r.get(g(27))?,
            security_scan: r.get::<_, Option<String>>(g(28))?.and_then(|t| serde_json::from_str(&t).ok()),
            digital_signature: r.get(g(29))?,
        },
        yanked: r.get(g(30))?,
        yanked_reason: r.get(g(31))?,
        download_count: r.get::<_, i64>(g(32))? as u64,
        published_by: r.get(g(33))?,
        created_at: r.get(g(34))?,
    })
}

fn group_versions(packages: Vec<PackageRecord>, versions: Vec<VersionRecord>) -> Vec<PackageDetailRecord> {
    let mut by_id: std::collections::HashMap<i64, Vec<VersionRecord>> = std::collections::HashMap::new();
    for v in versions {
        by_id.entry(v.package_id).or_default().push(v);
    }
    packages
        .into_iter()
        .map(|package| {
            let versions = by_id.remove(&package.id).unwrap_or_default();
            PackageDetailRecord { package, versions, owners: Vec::new() }
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

/// Newest non-yanked final release, else newest non-yanked pre-release.
fn recompute_latest(tx: &Transaction<'_>, package_id: i64) -> StoreResult<()> {
    let mut stmt = tx.prepare_cached("SELECT id, version, yanked FROM versions WHERE package_id = ?1")?;
    let rows: Vec<(i64, String, bool)> =
        stmt.query_map([package_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let mut best_final: Option<(Version, i64)> = None;
    let mut best_pre: Option<(Version, i64)> = None;
    for (id, text, yanked) in rows {
        if yanked {
            continue;
        }
        let Ok(v) = Version::from_str(&text) else {
            continue;
        };
        let slot = if v.any_prerelease() { &mut best_pre } else { &mut best_final };
        if slot.as_ref().is_none_or(|(b, _)| v > *b) {
            *slot = Some((v, id));
        }
    }
    let latest = best_final.or(best_pre).map(|(_, id)| id);
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
        return Err(StoreError::NotOwner { user: actor.user_name.clone(), package: normalized_name.to_owned() });
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

fn publish_in(tx: &Transaction<'_>, actor: &Actor, new: NewVersion) -> StoreResult<Published> {
    let d = &new.data;
    let existing = check_publish_in(tx, actor, &new.normalized_name, &d.version, &d.canonical_version)?;
    let (package_id, new_package) = match existing {
        Some(id) => (id, false),
        None => {
            tx.execute(
                &format!(
                    "INSERT INTO packages (name, normalized_name, created_at, updated_at) VALUES (?1, ?2, {NOW}, {NOW})"
                ),
                params![new.package_name, new.normalized_name],
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
    tx.execute(
            &format!(
                "INSERT INTO versions (package_id, version, canonical_version, is_prerelease, summary, description, author, \
                 author_email, license, homepage_url, repository_url, documentation_url, keywords, categories, package_type, \
                 performance_impact, requires_admin, min_revit, max_revit, tested_revit, known_issues, dependencies, manifest, \
                 filename, file_size, file_sha256, security_scan_status, security_scan, digital_signature, published_by, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, \
                 ?24, ?25, ?26, ?27, ?28, ?29, ?30, {NOW})"
            ),
            params![
                package_id,
                d.version,
                d.canonical_version,
                d.is_prerelease,
                d.summary,
                d.description,
                d.author,
                d.author_email,
                d.license,
                d.homepage_url,
                d.repository_url,
                d.documentation_url,
                json_text(&d.keywords),
                json_text(&d.categories),
                d.package_type,
                d.performance_impact,
                d.requires_admin,
                d.min_revit,
                d.max_revit,
                json_text(&d.tested_revit),
                json_text(&d.known_issues),
                json_text(&d.dependencies),
                json_text(&d.manifest),
                d.filename,
                d.file_size as i64,
                d.file_sha256,
                d.security_scan_status,
                d.security_scan.as_ref().map(json_text),
                d.digital_signature,
                actor.user_id,
            ],
        )?;
    let version_id = tx.last_insert_rowid();
    recompute_latest(tx, package_id)?;
    let serial = append_change(tx, package_id, &new.normalized_name, "publish", Some(&d.version))?;
    Ok(Published { package_id, version_id, serial, new_package })
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
        let found = self
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id \
                     WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
                ))?
                .query_row([hash], token_from_row)
                .optional()?)
            })
            .await?;
        if let Some(t) = &found {
            // Record use at most once a minute per token. Only writes are
            // authenticated, so this never slows a read.
            let id = t.id;
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
        Ok(found)
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
            let mut stmt =
                c.prepare_cached(&format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id = ?1"))?;
            Ok(stmt.query_map([package_id], |r| version_from_row(r, 0))?.collect::<Result<_, _>>()?)
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
            let versions = c
                .prepare_cached(&format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id = ?1"))?
                .query_map([package.id], |r| version_from_row(r, 0))?
                .collect::<Result<_, _>>()?;
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
            let versions: Vec<VersionRecord> = c
                .prepare_cached(&format!(
                    "SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id BETWEEN ?1 AND ?2 ORDER BY v.package_id"
                ))?
                .query_map(params![first.id, last.id], |r| version_from_row(r, 0))?
                .collect::<Result<_, _>>()?;
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
            let versions: Vec<VersionRecord> = c
                .prepare(&format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id IN ({placeholders})"))?
                .query_map(rusqlite::params_from_iter(ids.iter()), |r| version_from_row(r, 0))?
                .collect::<Result<_, _>>()?;
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
            let rows = stmt.query_map(rusqlite::params_from_iter(names.iter()), |r| {
                Ok(PackageWithLatest { package: package_from_row(r, 0)?, latest: version_from_row(r, 7)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn all_packages_with_latest(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageWithLatest>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {PACKAGE_COLUMNS}, {VERSION_COLUMNS} FROM packages p JOIN versions v ON v.id = p.latest_version_id \
                 WHERE p.id > ?1 ORDER BY p.id LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after_id, limit as i64], |r| {
                Ok(PackageWithLatest { package: package_from_row(r, 0)?, latest: version_from_row(r, 7)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
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

    async fn publish(&self, actor: &Actor, new: NewVersion) -> StoreResult<Published> {
        let actor = actor.clone();
        self.write(move |tx| publish_in(tx, &actor, new)).await
    }

    async fn publish_batch(&self, actor: &Actor, batch: Vec<NewVersion>) -> StoreResult<Vec<Published>> {
        let actor = actor.clone();
        self.write(move |tx| batch.into_iter().map(|new| publish_in(tx, &actor, new)).collect()).await
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
            Ok(Stats {
                total_packages: total_packages as u64,
                total_versions: total_versions as u64,
                total_downloads: total_downloads as u64,
                package_types,
                serial,
            })
        })
        .await
    }

    async fn referenced_blobs(&self) -> StoreResult<Vec<(String, String, String, u64)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT v.file_sha256, p.normalized_name, v.version, v.file_size FROM versions v JOIN packages p ON p.id = v.package_id ORDER BY v.id",
            )?;
            Ok(stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? as u64)))?
                .collect::<Result<_, _>>()?)
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
