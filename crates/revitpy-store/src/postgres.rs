//! The PostgreSQL store: for a firm's registry, with several replicas on
//! one database.
//!
//! The schema has the SQLite schema's tables and columns (see
//! `migrations/postgres/0001_initial.sql`), so both share the column lists
//! and the row mapping of [`crate::rows`]; only the SQL dialect differs.
//!
//! Writes are serialized, as on SQLite: every write transaction first takes
//! `LOCK TABLE changes IN EXCLUSIVE MODE`, which excludes every other
//! writer (on any replica) and no reader. That is what makes the change
//! feed safe to follow: each serial is the largest plus one, given and
//! committed before the next is given, so a client that has seen serial N
//! has seen everything before it (a sequence hands out numbers that can
//! commit out of order). It also makes the publish checks (owner, version
//! taken) read what every replica committed, and lets
//! [`Store::remove_if_unreferenced`] delete a file no publish can be
//! referencing meanwhile. Readers never wait: they read committed rows.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use revitpy_names::{ScanStatus, Version};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::model::*;
use crate::rows::*;
use crate::tables::*;
use crate::{Store, StoreError, StoreResult};

const MIGRATIONS: &[(&str, &str)] = &[("0001_initial", include_str!("../migrations/postgres/0001_initial.sql"))];
const NOW: &str = "revitpy_now()";
/// The write lock (see the module's documentation).
const WRITE_LOCK: &str = "LOCK TABLE changes IN EXCLUSIVE MODE";
/// How long a statement waits for a lock (the write lock, a row another
/// replica is updating) before the call fails as unavailable: SQLite's busy
/// timeout.
const LOCK_TIMEOUT: &str = "10s";
/// How long one statement may run: every statement here is bounded (by
/// key, or by a page's LIMIT), so one that runs this long is a server in
/// trouble, and the request fails rather than holding a connection.
const STATEMENT_TIMEOUT: &str = "60s";
/// A key for `pg_advisory_lock`, held while migrating so that replicas
/// starting together migrate once ("revitpy" in ASCII).
const MIGRATION_LOCK: i64 = 0x0072_6576_6974_7079;
/// Connections per process unless `DATABASE_POOL_SIZE` says otherwise.
pub const DEFAULT_POOL_SIZE: u16 = 16;

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        let Some(code) = e.code() else {
            // No SQL state: the connection itself failed (refused, closed,
            // timed out) or a value did not convert.
            if e.is_closed() || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) {
                return StoreError::Unavailable(format!("the PostgreSQL server cannot be reached ({e})"));
            }
            return StoreError::Database(describe(&e));
        };
        if *code == SqlState::LOCK_NOT_AVAILABLE {
            return StoreError::Unavailable(format!(
                "it is locked by another writer (or a long transaction) for longer than the {LOCK_TIMEOUT} lock timeout"
            ));
        }
        if *code == SqlState::QUERY_CANCELED {
            return StoreError::Unavailable(format!(
                "a statement ran past the {STATEMENT_TIMEOUT} statement timeout (an overloaded server?)"
            ));
        }
        let class = &code.code()[..2];
        // 08 connection, 53 resources (disk full, too many connections),
        // 57 operator intervention (shutdown), 25006 read-only transaction.
        if matches!(class, "08" | "53" | "57") || *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            return StoreError::Unavailable(describe(&e));
        }
        StoreError::Database(describe(&e))
    }
}

/// The server's own message (with its detail) rather than the driver's
/// "db error".
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => StoreError::Unavailable(format!("no PostgreSQL connection: {other}")),
        }
    }
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

/// Where the database is, for messages: the URL without its password.
fn place(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{}@{host}:{port}/{}", config.get_user().unwrap_or(""), config.get_dbname().unwrap_or(""))
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/db`,
    /// libpq's parameters after `?`), creating and migrating the schema.
    /// `pool_size` connections at most are opened.
    pub async fn open(url: &str, pool_size: u16) -> StoreResult<Self> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Database(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
        if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
            return Err(StoreError::Database(
                "DATABASE_URL asks for sslmode=require, but this build connects without TLS; \
                 use sslmode=disable or prefer over a trusted network or a tunnel"
                    .into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        // Added to what the URL's `options` already say (a search_path, say).
        let options = format!(
            "{} -c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}",
            config.get_options().unwrap_or("")
        );
        config.options(options.trim());
        if config.get_application_name().is_none() {
            config.application_name("revitpy-registry");
        }
        let where_ = place(&config);
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(usize::from(pool_size.max(1)))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| StoreError::Database(format!("PostgreSQL pool: {e}")))?;
        let store = Self { pool };
        store.migrate().await.map_err(|e| match e {
            StoreError::Unavailable(why) => StoreError::Unavailable(format!("{where_}: {why}")),
            StoreError::Database(why) => StoreError::Database(format!("{where_}: {why}")),
            other => other,
        })?;
        Ok(store)
    }

    async fn client(&self) -> StoreResult<Object> {
        Ok(self.pool.get().await?)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut client = self.client().await?;
        client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await?;
        let result = async {
            client
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
                )
                .await?;
            for (name, sql) in MIGRATIONS {
                let done = client.query_opt("SELECT 1 FROM schema_migrations WHERE name = $1", &[name]).await?;
                if done.is_some() {
                    continue;
                }
                let tx = client.transaction().await?;
                tx.batch_execute(sql).await?;
                tx.execute(&format!("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, {NOW})"), &[name])
                    .await?;
                tx.commit().await?;
                tracing::info!(migration = name, "applied database migration");
            }
            Ok::<_, StoreError>(())
        }
        .await;
        client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await?;
        result
    }
}

async fn rows<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query(&statement, params).await?)
}

async fn opt<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&statement, params).await?)
}

async fn one<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> StoreResult<Row> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_one(&statement, params).await?)
}

async fn exec<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> StoreResult<u64> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.execute(&statement, params).await?)
}

/// Opens a write transaction holding the write lock. A transaction dropped
/// without a commit (a refusal returned with `?`) is rolled back by the
/// driver, which sends the rollback before the connection is used again.
async fn begin_write(client: &mut Object) -> StoreResult<deadpool_postgres::Transaction<'_>> {
    let tx = client.transaction().await?;
    tx.batch_execute(WRITE_LOCK).await?;
    Ok(tx)
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn token_from_row(r: &Row) -> StoreResult<TokenRecord> {
    Ok(TokenRecord {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        user: r.try_get(2)?,
        label: r.try_get(3)?,
        token_prefix: r.try_get(4)?,
        scope: Scope::parse(r.try_get(5)?).unwrap_or(Scope::Yank),
        package: r.try_get(6)?,
        created_at: r.try_get(7)?,
        last_used_at: r.try_get(8)?,
        revoked_at: r.try_get(9)?,
    })
}

fn package_from_row(r: &Row, at: usize) -> StoreResult<PackageRecord> {
    Ok(PackageRecord {
        id: r.try_get(at)?,
        name: r.try_get(at + 1)?,
        normalized_name: r.try_get(at + 2)?,
        created_at: r.try_get(at + 3)?,
        updated_at: r.try_get(at + 4)?,
        download_count: count(r.try_get(at + 5)?),
        latest_version_id: r.try_get(at + 6)?,
        require_signature: r.try_get(at + 7)?,
    })
}

fn key_from_row(r: &Row) -> StoreResult<KeyRecord> {
    Ok(KeyRecord {
        id: r.try_get(0)?,
        user: r.try_get(1)?,
        key_id: r.try_get(2)?,
        public_key: r.try_get(3)?,
        created_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
    })
}

/// A `versions` row in [`VERSION_COLUMNS`]' order, from column `at` on,
/// named `package_name`.
fn read_version(r: &Row, at: usize, package_name: &str) -> StoreResult<VersionRecord> {
    let g = |i: usize| at + i;
    VersionRow {
        id: r.try_get(g(0))?,
        package_id: r.try_get(g(1))?,
        package_name: package_name.to_owned(),
        version: r.try_get(g(2))?,
        summary: r.try_get(g(3))?,
        description: r.try_get(g(4))?,
        author: r.try_get(g(5))?,
        author_email: r.try_get(g(6))?,
        license: r.try_get(g(7))?,
        homepage_url: r.try_get(g(8))?,
        repository_url: r.try_get(g(9))?,
        documentation_url: r.try_get(g(10))?,
        keywords: r.try_get(g(11))?,
        categories: r.try_get(g(12))?,
        package_type: r.try_get(g(13))?,
        performance_impact: r.try_get(g(14))?,
        requires_admin: r.try_get(g(15))?,
        min_revit: r.try_get(g(16))?,
        max_revit: r.try_get(g(17))?,
        tested_revit: r.try_get(g(18))?,
        known_issues: r.try_get(g(19))?,
        dependencies: r.try_get(g(20))?,
        manifest: r.try_get(g(21))?,
        filename: r.try_get(g(22))?,
        file_size: r.try_get(g(23))?,
        file_sha256: r.try_get(g(24))?,
        security_scan_status: r.try_get(g(25))?,
        security_scan: r.try_get(g(26))?,
        digital_signature: r.try_get(g(27))?,
        yanked: r.try_get(g(28))?,
        yanked_reason: r.try_get(g(29))?,
        download_count: r.try_get(g(30))?,
        published_by: r.try_get(g(31))?,
        created_at: r.try_get(g(32))?,
        signature_key_id: r.try_get(g(33))?,
    }
    .into_record()
}

/// Version rows of `packages` (any order), grouped under their packages.
fn grouped(packages: Vec<PackageRecord>, version_rows: &[Row]) -> StoreResult<Vec<PackageDetailRecord>> {
    let names = names_by_id(&packages);
    let versions = version_rows
        .iter()
        .map(|r| {
            let package_id: i64 = r.try_get(1)?;
            read_version(r, 0, names.get(&package_id).copied().unwrap_or_default())
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(group_versions(packages, versions))
}

fn with_latest(rows: &[Row]) -> StoreResult<Vec<PackageWithLatest>> {
    rows.iter()
        .map(|r| {
            let package = package_from_row(r, 0)?;
            let latest = read_version(r, PACKAGE_WIDTH, &package.name)?;
            Ok(PackageWithLatest { package, latest })
        })
        .collect()
}

async fn ensure_user<C: GenericClient>(c: &C, name: &str) -> StoreResult<i64> {
    exec(
        c,
        &format!("INSERT INTO users (name, created_at) VALUES ($1, {NOW}) ON CONFLICT (name) DO NOTHING"),
        &[&name],
    )
    .await?;
    Ok(one(c, "SELECT id FROM users WHERE name = $1", &[&name]).await?.try_get(0)?)
}

async fn current_serial<C: GenericClient>(c: &C) -> StoreResult<i64> {
    Ok(one(c, "SELECT COALESCE(MAX(serial), 0)::BIGINT FROM changes", &[]).await?.try_get(0)?)
}

/// Appends to the change feed; the caller holds the write lock, so the
/// largest serial plus one is this change's alone.
async fn append_change<C: GenericClient>(
    c: &C,
    package_id: i64,
    normalized: &str,
    kind: &str,
    version: Option<&str>,
) -> StoreResult<i64> {
    let row = one(
        c,
        &format!(
            "INSERT INTO changes (serial, package_id, normalized_name, kind, version, at) \
             SELECT COALESCE(MAX(serial), 0) + 1, $1, $2, $3, $4, {NOW} FROM changes RETURNING serial"
        ),
        &[&package_id, &normalized, &kind, &version],
    )
    .await?;
    Ok(row.try_get(0)?)
}

/// Points the package at its latest version ([`revitpy_names::latest`], the
/// rule SQLite's store and the client's index apply too).
async fn recompute_latest<C: GenericClient>(c: &C, package_id: i64) -> StoreResult<()> {
    let versions =
        rows(c, "SELECT id, version, yanked FROM versions WHERE package_id = $1 ORDER BY id", &[&package_id])
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<_, i64>(0)?, r.try_get::<_, String>(1)?, r.try_get::<_, bool>(2)?)))
            .collect::<StoreResult<Vec<_>>>()?;
    let latest = revitpy_names::latest(versions, |r| Version::from_str(&r.1).ok(), |r| r.2).map(|(id, _, _)| id);
    exec(
        c,
        &format!("UPDATE packages SET latest_version_id = $1, updated_at = {NOW} WHERE id = $2"),
        &[&latest, &package_id],
    )
    .await?;
    Ok(())
}

async fn is_owner<C: GenericClient>(c: &C, package_id: i64, actor: &Actor) -> StoreResult<bool> {
    if actor.is_admin() {
        return Ok(true);
    }
    let Some(user_id) = actor.user_id else {
        return Ok(false);
    };
    Ok(opt(c, "SELECT 1 FROM package_owners WHERE package_id = $1 AND user_id = $2", &[&package_id, &user_id])
        .await?
        .is_some())
}

async fn package_id_of<C: GenericClient>(c: &C, normalized_name: &str) -> StoreResult<Option<i64>> {
    Ok(match opt(c, "SELECT id FROM packages WHERE normalized_name = $1", &[&normalized_name]).await? {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    })
}

async fn normalized_name_of<C: GenericClient>(c: &C, package_id: i64) -> StoreResult<String> {
    match opt(c, "SELECT normalized_name FROM packages WHERE id = $1", &[&package_id]).await? {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(StoreError::Database(format!("no package with id {package_id}"))),
    }
}

/// The publish rules (SQLite's `check_publish_in`, in this dialect).
async fn check_publish_in<C: GenericClient>(
    c: &C,
    actor: &Actor,
    normalized_name: &str,
    version: &str,
    canonical: &str,
) -> StoreResult<Option<i64>> {
    let Some(package_id) = package_id_of(c, normalized_name).await? else {
        return Ok(None);
    };
    if !is_owner(c, package_id, actor).await? {
        return Err(not_owner(actor, normalized_name));
    }
    if let Some(r) = opt(
        c,
        "SELECT version FROM versions WHERE package_id = $1 AND canonical_version = $2",
        &[&package_id, &canonical],
    )
    .await?
    {
        return Err(StoreError::VersionExists {
            package: normalized_name.to_owned(),
            version: version.to_owned(),
            existing: r.try_get(0)?,
        });
    }
    Ok(Some(package_id))
}

/// The signing rules (SQLite's `signature_rules`, in this dialect).
async fn signature_rules<C: GenericClient>(
    c: &C,
    actor: &Actor,
    package_id: Option<i64>,
    normalized_name: &str,
    key_id: Option<&str>,
) -> StoreResult<()> {
    let Some(key_id) = key_id else {
        let required = match package_id {
            Some(id) => one(c, "SELECT require_signature FROM packages WHERE id = $1", &[&id]).await?.try_get(0)?,
            None => false,
        };
        return if required { Err(unsigned_refused(normalized_name)) } else { Ok(()) };
    };
    let Some(holder) = opt(
        c,
        "SELECT u.name FROM publisher_keys k JOIN users u ON u.id = k.user_id WHERE k.key_id = $1 AND k.revoked_at IS NULL",
        &[&key_id],
    )
    .await?
    else {
        return Err(unknown_key_refused(key_id));
    };
    let holder: String = holder.try_get(0)?;
    let is_owner = match package_id {
        Some(id) => opt(
            c,
            "SELECT 1 FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = $1 AND u.name = $2",
            &[&id, &holder],
        )
        .await?
        .is_some(),
        None => holder.eq_ignore_ascii_case(&actor.user_name),
    };
    if !is_owner {
        return Err(not_owner_key_refused(key_id, &holder, normalized_name));
    }
    Ok(())
}

async fn publish_in<C: GenericClient>(c: &C, actor: &Actor, release: Release) -> StoreResult<Published> {
    let normalized = release.name.normalized();
    let version = release.version.to_string();
    let existing = check_publish_in(c, actor, normalized, &version, &release.canonical_version()).await?;
    signature_rules(c, actor, existing, normalized, release.signature_key_id.as_deref()).await?;
    let (package_id, new_package) = match existing {
        Some(id) => (id, false),
        None => {
            let id: i64 = one(
                c,
                &format!(
                    "INSERT INTO packages (name, normalized_name, created_at, updated_at) VALUES ($1, $2, {NOW}, {NOW}) RETURNING id"
                ),
                &[&release.name.as_str(), &normalized],
            )
            .await?
            .try_get(0)?;
            // As on SQLite: an ADMIN_TOKEN publisher owns it as `admin`.
            let owner = match actor.user_id {
                Some(user_id) => user_id,
                None => ensure_user(c, &actor.user_name).await?,
            };
            exec(
                c,
                &format!("INSERT INTO package_owners (package_id, user_id, added_at) VALUES ($1, $2, {NOW})"),
                &[&id, &owner],
            )
            .await?;
            (id, true)
        }
    };
    let version_id = insert_version(c, package_id, actor, &release).await?;
    recompute_latest(c, package_id).await?;
    let serial = append_change(c, package_id, normalized, "publish", Some(&version)).await?;
    Ok(Published { package_id, version_id, serial, new_package })
}

async fn insert_version<C: GenericClient>(c: &C, package_id: i64, actor: &Actor, r: &Release) -> StoreResult<i64> {
    let v = VersionValues::of(r);
    let sql = format!(
        "INSERT INTO versions ({VERSION_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, {NOW}, $31) RETURNING id"
    );
    let row = one(
        c,
        &sql,
        &[
            &package_id,
            &v.version,
            &v.canonical_version,
            &v.is_prerelease,
            &r.summary,
            &r.description,
            &r.author,
            &r.author_email,
            &r.license,
            &r.homepage_url,
            &r.repository_url,
            &r.documentation_url,
            &v.keywords,
            &v.categories,
            &r.package_type.as_str(),
            &r.performance_impact.as_str(),
            &r.requires_admin,
            &v.min_revit,
            &v.max_revit,
            &v.tested_revit,
            &v.known_issues,
            &v.dependencies,
            &v.manifest,
            &r.filename,
            &v.file_size,
            &r.file_sha256.as_str(),
            &r.security_scan_status.as_str(),
            &v.security_scan,
            &r.digital_signature,
            &actor.user_id,
            &r.signature_key_id,
        ],
    )
    .await?;
    Ok(row.try_get(0)?)
}

const OWNERS: &str =
    "SELECT u.name FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = $1 ORDER BY u.name";

#[async_trait]
impl Store for PostgresStore {
    fn connections(&self) -> Option<Connections> {
        let status = self.pool.status();
        Some(Connections { open: status.size, idle: status.available, waiting: status.waiting, max: status.max_size })
    }

    async fn check(&self) -> StoreResult<()> {
        let client = self.client().await?;
        client.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn serial(&self) -> StoreResult<i64> {
        current_serial(&self.client().await?).await
    }

    async fn create_token(&self, new: NewToken) -> StoreResult<TokenRecord> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let user_id = ensure_user(&tx, &new.user_name).await?;
        let id: i64 = one(
            &tx,
            &format!(
                "INSERT INTO tokens (user_id, label, token_hash, token_prefix, scope, package, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, {NOW}) RETURNING id"
            ),
            &[&user_id, &new.label, &new.token_hash, &new.token_prefix, &new.scope.as_str(), &new.package],
        )
        .await?
        .try_get(0)?;
        let row = one(
            &tx,
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1"),
            &[&id],
        )
        .await?;
        let token = token_from_row(&row)?;
        tx.commit().await?;
        Ok(token)
    }

    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let client = self.client().await?;
        let stale_before = "to_char((clock_timestamp() - interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
        let Some(row) = opt(
            &client,
            &format!(
                "SELECT {TOKEN_COLUMNS}, (t.last_used_at IS NULL OR t.last_used_at < {stale_before}) \
                 FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
            ),
            &[&token_hash],
        )
        .await?
        else {
            return Ok(None);
        };
        let token = token_from_row(&row)?;
        let stale: bool = row.try_get(TOKEN_COLUMN_COUNT)?;
        if stale {
            // At most once a minute per token, as on SQLite; one row, so no
            // write lock: nothing here touches the change feed.
            exec(
                &client,
                &format!(
                    "UPDATE tokens SET last_used_at = {NOW} WHERE id = $1 AND \
                     (last_used_at IS NULL OR last_used_at < {stale_before})"
                ),
                &[&token.id],
            )
            .await?;
        }
        Ok(Some(token))
    }

    async fn list_tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRecord>> {
        let client = self.client().await?;
        rows(
            &client,
            &format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id \
                 WHERE ($1::TEXT IS NULL OR u.name = $1) ORDER BY t.id"
            ),
            &[&user],
        )
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }

    async fn token(&self, id: i64) -> StoreResult<Option<TokenRecord>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1"),
            &[&id],
        )
        .await?
        .as_ref()
        .map(token_from_row)
        .transpose()
    }

    async fn revoke_token(&self, id: i64) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let n =
            exec(&tx, &format!("UPDATE tokens SET revoked_at = {NOW} WHERE id = $1 AND revoked_at IS NULL"), &[&id])
                .await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn package(&self, normalized_name: &str) -> StoreResult<Option<PackageRecord>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.normalized_name = $1"),
            &[&normalized_name],
        )
        .await?
        .map(|r| package_from_row(&r, 0))
        .transpose()
    }

    async fn versions(&self, package_id: i64) -> StoreResult<Vec<VersionRecord>> {
        let client = self.client().await?;
        let Some(name) = opt(&client, "SELECT name FROM packages WHERE id = $1", &[&package_id]).await? else {
            return Ok(Vec::new());
        };
        let name: String = name.try_get(0)?;
        rows(
            &client,
            &format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id = $1 ORDER BY v.id"),
            &[&package_id],
        )
        .await?
        .iter()
        .map(|r| read_version(r, 0, &name))
        .collect()
    }

    async fn package_detail(&self, normalized_name: &str) -> StoreResult<Option<PackageDetailRecord>> {
        let client = self.client().await?;
        // The three queries are sent together (the driver pipelines queries
        // on one connection): one round trip instead of three, on the hot
        // path of details and downloads.
        let by_name: [&(dyn ToSql + Sync); 1] = [&normalized_name];
        let package_sql = format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.normalized_name = $1");
        let versions_sql = format!(
            "SELECT {VERSION_COLUMNS} FROM versions v \
             WHERE v.package_id = (SELECT id FROM packages WHERE normalized_name = $1) ORDER BY v.id"
        );
        let owners_sql = "SELECT u.name FROM package_owners o JOIN users u ON u.id = o.user_id \
             WHERE o.package_id = (SELECT id FROM packages WHERE normalized_name = $1) ORDER BY u.name";
        let (package, versions, owners) = tokio::try_join!(
            opt(&client, &package_sql, &by_name),
            rows(&client, &versions_sql, &by_name),
            rows(&client, owners_sql, &by_name),
        )?;
        let Some(package) = package else { return Ok(None) };
        let package = package_from_row(&package, 0)?;
        let versions = versions.iter().map(|r| read_version(r, 0, &package.name)).collect::<StoreResult<_>>()?;
        let owners = owners.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        Ok(Some(PackageDetailRecord { package, versions, owners }))
    }

    async fn index_page(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageDetailRecord>> {
        let client = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let packages = rows(
            &client,
            &format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.id > $1 ORDER BY p.id LIMIT $2"),
            &[&after_id, &limit],
        )
        .await?
        .iter()
        .map(|r| package_from_row(r, 0))
        .collect::<StoreResult<Vec<_>>>()?;
        let (Some(first), Some(last)) = (packages.first(), packages.last()) else { return Ok(Vec::new()) };
        let (first, last) = (first.id, last.id);
        let versions = rows(
            &client,
            &format!(
                "SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id BETWEEN $1 AND $2 ORDER BY v.package_id, v.id"
            ),
            &[&first, &last],
        )
        .await?;
        grouped(packages, &versions)
    }

    async fn index_packages(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageDetailRecord>> {
        if normalized_names.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let packages = rows(
            &client,
            &format!("SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.normalized_name = ANY($1) ORDER BY p.id"),
            &[&normalized_names],
        )
        .await?
        .iter()
        .map(|r| package_from_row(r, 0))
        .collect::<StoreResult<Vec<_>>>()?;
        if packages.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = packages.iter().map(|p| p.id).collect();
        let versions = rows(
            &client,
            &format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.package_id = ANY($1) ORDER BY v.id"),
            &[&ids],
        )
        .await?;
        grouped(packages, &versions)
    }

    async fn packages_with_latest(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageWithLatest>> {
        if normalized_names.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let found = rows(
            &client,
            &format!(
                "SELECT {PACKAGE_COLUMNS}, {VERSION_COLUMNS} FROM packages p JOIN versions v ON v.id = p.latest_version_id \
                 WHERE p.normalized_name = ANY($1)"
            ),
            &[&normalized_names],
        )
        .await?;
        with_latest(&found)
    }

    async fn all_packages_with_latest(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageWithLatest>> {
        let client = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let found = rows(
            &client,
            &format!(
                "SELECT {PACKAGE_COLUMNS}, {VERSION_COLUMNS} FROM packages p JOIN versions v ON v.id = p.latest_version_id \
                 WHERE p.id > $1 ORDER BY p.id LIMIT $2"
            ),
            &[&after_id, &limit],
        )
        .await?;
        with_latest(&found)
    }

    async fn check_publish(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version: &str,
        canonical: &str,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        check_publish_in(&client, actor, normalized_name, version, canonical).await.map(|_| ())
    }

    async fn check_signer(&self, actor: &Actor, normalized_name: &str, key_id: Option<&str>) -> StoreResult<()> {
        let client = self.client().await?;
        let package_id = package_id_of(&client, normalized_name).await?;
        signature_rules(&client, actor, package_id, normalized_name, key_id).await
    }

    async fn publish(&self, actor: &Actor, release: Release) -> StoreResult<Published> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let published = publish_in(&tx, actor, release).await?;
        tx.commit().await?;
        Ok(published)
    }

    async fn publish_batch(&self, actor: &Actor, batch: Vec<Release>) -> StoreResult<Vec<Published>> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let mut published = Vec::with_capacity(batch.len());
        for release in batch {
            published.push(publish_in(&tx, actor, release).await?);
        }
        tx.commit().await?;
        Ok(published)
    }

    async fn set_yanked(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version_id: i64,
        yanked: bool,
        reason: Option<String>,
    ) -> StoreResult<i64> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let Some(row) =
            opt(&tx, "SELECT package_id, version, yanked FROM versions WHERE id = $1", &[&version_id]).await?
        else {
            return Err(StoreError::NoSuchVersion { package: normalized_name.to_owned() });
        };
        let (package_id, version, was): (i64, String, bool) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        if !is_owner(&tx, package_id, actor).await? {
            return Err(not_owner(actor, normalized_name));
        }
        if was == yanked {
            return current_serial(&tx).await;
        }
        let reason = if yanked { reason } else { None };
        exec(
            &tx,
            "UPDATE versions SET yanked = $1, yanked_reason = $2 WHERE id = $3",
            &[&yanked, &reason, &version_id],
        )
        .await?;
        recompute_latest(&tx, package_id).await?;
        let serial =
            append_change(&tx, package_id, normalized_name, if yanked { "yank" } else { "unyank" }, Some(&version))
                .await?;
        tx.commit().await?;
        Ok(serial)
    }

    async fn set_scan(
        &self,
        version_id: i64,
        status: ScanStatus,
        report: serde_json::Value,
    ) -> StoreResult<Option<i64>> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let Some(row) = opt(
            &tx,
            "SELECT v.package_id, p.normalized_name, v.version, v.security_scan_status \
             FROM versions v JOIN packages p ON p.id = v.package_id WHERE v.id = $1",
            &[&version_id],
        )
        .await?
        else {
            return Err(StoreError::NoSuchVersion { package: format!("version id {version_id}") });
        };
        let (package_id, normalized, version, was): (i64, String, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
        let status = status.to_string();
        exec(
            &tx,
            "UPDATE versions SET security_scan_status = $1, security_scan = $2 WHERE id = $3",
            &[&status, &json_text(&report), &version_id],
        )
        .await?;
        let serial = if was == status {
            None
        } else {
            Some(append_change(&tx, package_id, &normalized, "rescan", Some(&version)).await?)
        };
        tx.commit().await?;
        Ok(serial)
    }

    async fn owners(&self, package_id: i64) -> StoreResult<Vec<String>> {
        let client = self.client().await?;
        Ok(rows(&client, OWNERS, &[&package_id]).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    async fn add_key(&self, user: &str, key_id: &str, public_key: &str) -> StoreResult<KeyRecord> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let user_id = ensure_user(&tx, user).await?;
        if let Some(holder) = opt(
            &tx,
            "SELECT u.name FROM publisher_keys k JOIN users u ON u.id = k.user_id WHERE k.key_id = $1",
            &[&key_id],
        )
        .await?
        {
            return Err(StoreError::KeyExists { key_id: key_id.to_owned(), user: holder.try_get(0)? });
        }
        let id: i64 = one(
            &tx,
            &format!(
                "INSERT INTO publisher_keys (user_id, key_id, public_key, created_at) VALUES ($1, $2, $3, {NOW}) RETURNING id"
            ),
            &[&user_id, &key_id, &public_key],
        )
        .await?
        .try_get(0)?;
        let key = key_from_row(&one(&tx, &format!("SELECT {KEY_COLUMNS} WHERE k.id = $1"), &[&id]).await?)?;
        tx.commit().await?;
        Ok(key)
    }

    async fn list_keys(&self, user: Option<&str>) -> StoreResult<Vec<KeyRecord>> {
        let client = self.client().await?;
        rows(&client, &format!("SELECT {KEY_COLUMNS} WHERE ($1::TEXT IS NULL OR u.name = $1) ORDER BY k.id"), &[&user])
            .await?
            .iter()
            .map(key_from_row)
            .collect()
    }

    async fn key(&self, id: i64) -> StoreResult<Option<KeyRecord>> {
        let client = self.client().await?;
        opt(&client, &format!("SELECT {KEY_COLUMNS} WHERE k.id = $1"), &[&id])
            .await?
            .as_ref()
            .map(key_from_row)
            .transpose()
    }

    async fn live_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>> {
        let client = self.client().await?;
        opt(&client, &format!("SELECT {KEY_COLUMNS} WHERE k.key_id = $1 AND k.revoked_at IS NULL"), &[&key_id])
            .await?
            .as_ref()
            .map(key_from_row)
            .transpose()
    }

    async fn revoke_key(&self, id: i64) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let n = exec(
            &tx,
            &format!("UPDATE publisher_keys SET revoked_at = {NOW} WHERE id = $1 AND revoked_at IS NULL"),
            &[&id],
        )
        .await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn index_roots(&self) -> StoreResult<Vec<String>> {
        let client = self.client().await?;
        Ok(rows(&client, "SELECT envelope FROM index_roots ORDER BY version", &[])
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    async fn add_index_root(&self, version: i64, envelope: &str) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let n = exec(
            &tx,
            &format!(
                "INSERT INTO index_roots (version, envelope, created_at) VALUES ($1, $2, {NOW}) ON CONFLICT (version) DO NOTHING"
            ),
            &[&version, &envelope],
        )
        .await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn set_require_signature(&self, actor: &Actor, package_id: i64, required: bool) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let name = normalized_name_of(&tx, package_id).await?;
        if !is_owner(&tx, package_id, actor).await? {
            return Err(not_owner(actor, &name));
        }
        let changed = exec(
            &tx,
            "UPDATE packages SET require_signature = $1 WHERE id = $2 AND require_signature <> $1",
            &[&required, &package_id],
        )
        .await?;
        if changed > 0 {
            append_change(&tx, package_id, &name, "signing", None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn add_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let normalized = normalized_name_of(&tx, package_id).await?;
        if !is_owner(&tx, package_id, actor).await? {
            return Err(not_owner(actor, &normalized));
        }
        let mut changed = false;
        for user in users {
            let Some(row) = opt(&tx, "SELECT id FROM users WHERE name = $1", &[user]).await? else {
                return Err(StoreError::NoSuchUser { user: user.clone() });
            };
            let user_id: i64 = row.try_get(0)?;
            changed |= exec(
                &tx,
                &format!(
                    "INSERT INTO package_owners (package_id, user_id, added_at) VALUES ($1, $2, {NOW}) ON CONFLICT DO NOTHING"
                ),
                &[&package_id, &user_id],
            )
            .await?
                > 0;
        }
        let serial = if changed {
            append_change(&tx, package_id, &normalized, "owners", None).await?
        } else {
            current_serial(&tx).await?
        };
        tx.commit().await?;
        Ok(serial)
    }

    async fn remove_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        let normalized = normalized_name_of(&tx, package_id).await?;
        if !is_owner(&tx, package_id, actor).await? {
            return Err(not_owner(actor, &normalized));
        }
        let mut changed = false;
        for user in users {
            changed |= exec(
                &tx,
                "DELETE FROM package_owners WHERE package_id = $1 AND user_id = (SELECT id FROM users WHERE name = $2)",
                &[&package_id, user],
            )
            .await?
                > 0;
        }
        let left: i64 =
            one(&tx, "SELECT COUNT(*) FROM package_owners WHERE package_id = $1", &[&package_id]).await?.try_get(0)?;
        if left == 0 {
            return Err(StoreError::LastOwner { package: normalized });
        }
        let serial = if changed {
            append_change(&tx, package_id, &normalized, "owners", None).await?
        } else {
            current_serial(&tx).await?
        };
        tx.commit().await?;
        Ok(serial)
    }

    async fn changes_since(&self, serial: i64, limit: usize) -> StoreResult<Vec<Change>> {
        let client = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        rows(
            &client,
            "SELECT serial, normalized_name, kind, version, at FROM changes WHERE serial > $1 ORDER BY serial LIMIT $2",
            &[&serial, &limit],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Change {
                serial: r.try_get(0)?,
                name: r.try_get(1)?,
                kind: r.try_get(2)?,
                version: r.try_get(3)?,
                at: r.try_get(4)?,
            })
        })
        .collect()
    }

    async fn add_downloads(&self, counts: &[(i64, u64)]) -> StoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut client = self.client().await?;
        // Under the write lock: replicas flushing their counts at the same
        // moment would otherwise lock the same rows in different orders.
        let tx = begin_write(&mut client).await?;
        for (id, n) in counts {
            let n = i64::try_from(*n).unwrap_or(i64::MAX);
            exec(&tx, "UPDATE versions SET download_count = download_count + $1 WHERE id = $2", &[&n, id]).await?;
            exec(
                &tx,
                "UPDATE packages SET download_count = download_count + $1 WHERE id = (SELECT package_id FROM versions WHERE id = $2)",
                &[&n, id],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn stats(&self) -> StoreResult<Stats> {
        let client = self.client().await?;
        let c = &client;
        let totals = one(
            c,
            "SELECT COUNT(*), COALESCE(SUM(download_count), 0)::BIGINT FROM packages WHERE latest_version_id IS NOT NULL",
            &[],
        )
        .await?;
        let total_versions: i64 = one(c, "SELECT COUNT(*) FROM versions WHERE NOT yanked", &[]).await?.try_get(0)?;
        let pairs = |rows: Vec<Row>| -> StoreResult<Vec<(String, u64)>> {
            rows.iter().map(|r| Ok((r.try_get::<_, String>(0)?, count(r.try_get(1)?)))).collect()
        };
        let package_types = pairs(
            rows(
                c,
                "SELECT v.package_type, COUNT(*) FROM packages p JOIN versions v ON v.id = p.latest_version_id GROUP BY v.package_type",
                &[],
            )
            .await?,
        )?;
        let scan_statuses = pairs(
            rows(
                c,
                "SELECT security_scan_status, COUNT(*) FROM versions WHERE NOT yanked GROUP BY security_scan_status",
                &[],
            )
            .await?,
        )?;
        let top = TOP_DOWNLOADS as i64;
        let top_downloads = pairs(
            rows(
                c,
                "SELECT name, download_count FROM packages WHERE latest_version_id IS NOT NULL AND download_count > 0 \
                 ORDER BY download_count DESC, normalized_name LIMIT $1",
                &[&top],
            )
            .await?,
        )?;
        Ok(Stats {
            total_packages: count(totals.try_get(0)?),
            total_versions: count(total_versions),
            total_downloads: count(totals.try_get(1)?),
            package_types: package_types.into_iter().collect(),
            serial: current_serial(c).await?,
            scan_statuses: scan_statuses.into_iter().collect(),
            top_downloads,
        })
    }

    async fn referenced_blobs(&self) -> StoreResult<Vec<BlobReference>> {
        let client = self.client().await?;
        rows(
            &client,
            "SELECT v.id, v.file_sha256, p.normalized_name, v.version, v.file_size FROM versions v \
             JOIN packages p ON p.id = v.package_id ORDER BY v.id",
            &[],
        )
        .await?
        .iter()
        .map(|r| {
            let (id, sha, package, version, size): (i64, String, String, String, i64) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
            blob_reference(id, &sha, package, &version, size)
        })
        .collect()
    }

    async fn blob_referenced(&self, sha256: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        Ok(opt(&client, "SELECT 1 FROM versions WHERE file_sha256 = $1 LIMIT 1", &[&sha256]).await?.is_some())
    }

    async fn remove_if_unreferenced(&self, sha256: &str, remove: crate::RemoveBlob) -> StoreResult<bool> {
        let mut client = self.client().await?;
        // The write lock: no publish, on any replica, commits meanwhile.
        let tx = begin_write(&mut client).await?;
        if opt(&tx, "SELECT 1 FROM versions WHERE file_sha256 = $1 LIMIT 1", &[&sha256]).await?.is_some() {
            return Ok(false);
        }
        let removed = tokio::task::spawn_blocking(remove)
            .await
            .map_err(|e| StoreError::Database(format!("removing the file failed: {e}")))?
            .map_err(StoreError::Database)?;
        tx.commit().await?;
        Ok(removed)
    }
}

/// A value for PostgreSQL, typed by its column's kind (a NULL too).
fn pg_value(cell: &Cell, kind: Kind) -> Box<dyn ToSql + Sync + Send> {
    match (cell, kind) {
        (Cell::Int(n), _) => Box::new(*n),
        (Cell::Bool(b), _) => Box::new(*b),
        (Cell::Text(t), _) => Box::new(t.clone()),
        (Cell::Null, Kind::Int) => Box::new(None::<i64>),
        (Cell::Null, Kind::Bool) => Box::new(None::<bool>),
        (Cell::Null, Kind::Text) => Box::new(None::<String>),
    }
}

fn pg_cells(table: &Table, r: &Row) -> StoreResult<Vec<Cell>> {
    Ok(read_row(table, |i| r.try_get(i), |i| r.try_get(i), |i| r.try_get(i))?)
}

fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Int => "bigint",
        Kind::Text => "text",
        Kind::Bool => "boolean",
    }
}

/// Rows (as loaded) turned into one array per column, typed by the column's
/// kind; a cell of another kind is an error naming the table and column.
fn column_arrays(table: &Table, rows: Vec<Vec<Cell>>) -> StoreResult<Vec<Box<dyn ToSql + Sync + Send>>> {
    let rows: Vec<Vec<Cell>> = rows.into_iter().map(|row| as_loaded(table, row)).collect();
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| {
            let wrong =
                || StoreError::Database(format!("table {}: a value of column {name} is not {kind:?}", table.name));
            let cells = rows.iter().map(|row| row.get(i).unwrap_or(&Cell::Null));
            Ok(match kind {
                Kind::Int => Box::new(
                    cells
                        .map(|c| match c {
                            Cell::Null => Ok(None),
                            Cell::Int(n) => Ok(Some(*n)),
                            _ => Err(wrong()),
                        })
                        .collect::<StoreResult<Vec<Option<i64>>>>()?,
                ) as Box<dyn ToSql + Sync + Send>,
                Kind::Text => Box::new(
                    cells
                        .map(|c| match c {
                            Cell::Null => Ok(None),
                            Cell::Text(t) => Ok(Some(t.clone())),
                            _ => Err(wrong()),
                        })
                        .collect::<StoreResult<Vec<Option<String>>>>()?,
                ),
                Kind::Bool => Box::new(
                    cells
                        .map(|c| match c {
                            Cell::Null => Ok(None),
                            Cell::Bool(b) => Ok(Some(*b)),
                            _ => Err(wrong()),
                        })
                        .collect::<StoreResult<Vec<Option<bool>>>>()?,
                ),
            })
        })
        .collect()
}

fn placeholder(i: usize) -> String {
    format!("${i}")
}

#[async_trait]
impl TableRows for PostgresStore {
    async fn rows_after(&self, table: &'static Table, after: &[Cell], limit: usize) -> StoreResult<Vec<Vec<Cell>>> {
        let client = self.client().await?;
        let mut values: Vec<Box<dyn ToSql + Sync + Send>> =
            after.iter().zip(table.columns).map(|(cell, (_, kind))| pg_value(cell, *kind)).collect();
        values.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
        rows(&client, &select_after(table, after, placeholder), &params)
            .await?
            .iter()
            .map(|r| pg_cells(table, r))
            .collect()
    }

    async fn last_row(&self, table: &'static Table) -> StoreResult<Option<Vec<Cell>>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {} DESC LIMIT 1",
            table.column_names(),
            table.name,
            table.key.join(" DESC, ")
        );
        opt(&client, &sql, &[]).await?.map(|r| pg_cells(table, &r)).transpose()
    }

    async fn row_with_key(&self, table: &'static Table, key: &[Cell]) -> StoreResult<Option<Vec<Cell>>> {
        let client = self.client().await?;
        let values: Vec<Box<dyn ToSql + Sync + Send>> =
            key.iter().zip(table.columns).map(|(cell, (_, kind))| pg_value(cell, *kind)).collect();
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
        opt(&client, &select_key(table, key, placeholder), &params).await?.map(|r| pg_cells(table, &r)).transpose()
    }

    async fn load_rows(&self, table: &'static Table, loaded: Vec<Vec<Cell>>) -> StoreResult<usize> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        // One statement a page: each column as an array, unnested into rows
        // (a statement per row cost a round trip each: 6,600 rows/s).
        let columns = column_arrays(table, loaded)?;
        let params: Vec<&(dyn ToSql + Sync)> = columns.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
        let arrays: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| format!("${}::{}[]", i + 1, sql_type(*kind)))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) SELECT * FROM unnest({}) ON CONFLICT ({}) DO NOTHING",
            table.name,
            table.column_names(),
            arrays.join(", "),
            table.key.join(", ")
        );
        let inserted = exec(&tx, &sql, &params).await?;
        if table.generated_id {
            // Ids given by the copy: the next generated one follows them.
            exec(
                &tx,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), m) FROM (SELECT MAX(id) AS m FROM {0}) s WHERE m IS NOT NULL",
                    table.name
                ),
                &[],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(usize::try_from(inserted).unwrap_or(usize::MAX))
    }

    async fn set_latest_versions(&self, latest: Vec<(i64, Option<i64>)>) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = begin_write(&mut client).await?;
        for (package, version) in latest {
            exec(&tx, "UPDATE packages SET latest_version_id = $1 WHERE id = $2", &[&version, &package]).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
