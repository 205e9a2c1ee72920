//! Server settings: every variable of DESIGN.md, each also a flag.
//! Flags win over the environment (clap's `env`), and defaults need no
//! configuration at all: `./registry_data/` with SQLite and files.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use revitpy_scan::report::Severity;

/// Where the registry keeps its data; shared by `serve` and the admin commands.
#[derive(Args, Debug, Clone)]
pub struct StorageArgs {
    /// Folder for the defaults below.
    #[arg(long, env = "DATA_DIR", default_value = "./registry_data")]
    pub data_dir: PathBuf,
    /// `sqlite:///relative.db`, `sqlite:////absolute.db`, or `postgres://...`
    /// [default: registry.db in DATA_DIR]
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Connections to PostgreSQL per process (each replica has its own;
    /// keep replicas x this under the server's `max_connections`).
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = revitpy_store::DEFAULT_POOL_SIZE, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub database_pool_size: u16,
    /// `file` or `s3`.
    #[arg(long, env = "STORAGE_TYPE", default_value = "file")]
    pub storage_type: String,
    /// Blob folder for `file` storage [default: DATA_DIR/packages].
    #[arg(long, env = "STORAGE_PATH")]
    pub storage_path: Option<PathBuf>,
    /// The search index's folder (derived from the database, rebuilt by
    /// `reindex`) [default: `search-index` beside a SQLite database, else in
    /// DATA_DIR].
    #[arg(long, env = "SEARCH_INDEX_PATH")]
    pub search_index: Option<PathBuf>,
    /// The bucket for `s3` storage (created beforehand); credentials come
    /// from the standard `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and
    /// `AWS_SESSION_TOKEN`) variables.
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// An S3-compatible server's URL (MinIO, Ceph...) [default: AWS].
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// [default: us-east-1]
    #[arg(long, env = "S3_REGION")]
    pub s3_region: Option<String>,
    /// The key the registry signs its index with (an OpenSSH Ed25519
    /// private key, created owner-only on first start; give every replica
    /// the same file) [default: `index-signing-key` beside a SQLite
    /// database, else in DATA_DIR].
    #[arg(long, env = "INDEX_KEY_PATH")]
    pub index_key_path: Option<PathBuf>,
    /// How long a signed index document stays valid; clients refuse an
    /// expired one when online and warn offline.
    #[arg(long, env = "INDEX_EXPIRY_HOURS", default_value_t = 168, value_parser = clap::value_parser!(u64).range(1..=8760))]
    pub index_expiry_hours: u64,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// 0 picks a free port; the bound address is printed.
    #[arg(long, env = "PORT", default_value_t = 8000)]
    pub port: u16,
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Where set, downloads redirect there (`<CDN_BASE_URL>/<sha256 path>`).
    #[arg(long, env = "CDN_BASE_URL")]
    pub cdn_base_url: Option<String>,
    /// Rate limits shared by several replicas (`redis://host:6379/0`);
    /// without it each replica limits alone.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// What this registry's keys in Redis start with (several registries
    /// can share one Redis).
    #[arg(long, env = "REDIS_PREFIX", default_value = "revitpy:")]
    pub redis_prefix: String,
    /// `INFO`, `DEBUG`... or `RUST_LOG` syntax.
    #[arg(long, env = "LOG_LEVEL", default_value = "INFO")]
    pub log_level: String,
    /// A bearer token with every right. Without it, create tokens with
    /// `revitpy-registry token create`.
    #[arg(long, env = "ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Secret for signed short-lived tokens (reserved).
    #[arg(long, env = "JWT_SECRET_KEY", hide_env_values = true)]
    pub jwt_secret_key: Option<String>,
    /// Larger uploads get 413.
    #[arg(long, env = "MAX_UPLOAD_MB", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_upload_mb: u64,
    /// Uploads with a security-scan finding at or above this severity get
    /// 422 and are not stored: info, low, medium, high, critical, or none
    /// (scan and store the result, refuse nothing).
    #[arg(long, env = "SCAN_BLOCK_SEVERITY", default_value = "critical", value_parser = parse_scan_block)]
    pub scan_block_severity: ScanBlock,
    /// Serve `/metrics` (Prometheus), count and time every request and store
    /// call; `false` turns all of it off, and with it the recent search
    /// latency and error rate in `/api/stats`.
    #[arg(long, env = "METRICS", default_value_t = true, action = clap::ArgAction::Set, value_name = "true|false")]
    pub metrics: bool,
    /// How many changes a kept compact snapshot may be behind and still be
    /// sent to a full sync (which then follows the change feed from the
    /// snapshot's serial); past it the next full sync gets a new one. 0:
    /// only a snapshot at the current serial is sent again.
    #[arg(long, env = "SNAPSHOT_MAX_LAG", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub snapshot_max_lag: u64,
    #[command(flatten)]
    pub connections: ConnectionArgs,
    #[command(flatten)]
    pub scans: ScanArgs,
    #[command(flatten)]
    pub rate_limits: RateLimitArgs,
}

/// Requests per client address and per token, answered 429 with
/// Retry-After past the rate: `N/second`, `N/minute`, `N/hour` or `off`.
/// A client may burst up to N at once, then N per period.
#[derive(Args, Debug, Clone)]
pub struct RateLimitArgs {
    /// Uploads.
    #[arg(long, env = "RATE_LIMIT_UPLOADS", default_value = "30/minute", value_parser = parse_rate_setting)]
    pub rate_limit_uploads: RateSetting,
    /// Searches.
    #[arg(long, env = "RATE_LIMIT_SEARCHES", default_value = "600/minute", value_parser = parse_rate_setting)]
    pub rate_limit_searches: RateSetting,
    /// Token creation (`POST /api/tokens`).
    #[arg(long, env = "RATE_LIMIT_TOKENS", default_value = "10/minute", value_parser = parse_rate_setting)]
    pub rate_limit_tokens: RateSetting,
    /// Proxies (comma-separated addresses or networks) whose X-Forwarded-For
    /// names the client: behind nginx, its address; otherwise every client
    /// behind it shares one limit.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::ratelimit::parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// A rate limit setting: `None` for `off` (a type of its own: clap reads an
/// `Option` field as "may be absent", not as a value that may be `off`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateSetting(pub Option<crate::ratelimit::Rate>);

fn parse_rate_setting(s: &str) -> Result<RateSetting, String> {
    crate::ratelimit::parse_rate(s).map(RateSetting)
}

impl From<&RateLimitArgs> for crate::ratelimit::RateLimits {
    fn from(a: &RateLimitArgs) -> Self {
        Self {
            uploads: a.rate_limit_uploads.0,
            searches: a.rate_limit_searches.0,
            token_creation: a.rate_limit_tokens.0,
            trusted_proxies: a.trusted_proxies.clone(),
        }
    }
}

/// What one client may hold of the server: every wait a client controls has
/// a deadline, and the number of connections has a ceiling.
#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Seconds a connection may take to send a request's headers, and may sit
    /// idle between requests, before it is closed.
    #[arg(long, env = "REQUEST_HEADER_TIMEOUT", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_header_timeout: u64,
    /// Seconds a request body may go without sending a byte before the
    /// request fails (408).
    #[arg(long, env = "REQUEST_BODY_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_body_timeout: u64,
    /// Connections served at once; further clients wait in the listen
    /// backlog until one closes.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Seconds SIGTERM waits for requests in flight before closing them.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_timeout: u64,
}

/// Security scans are CPU-bound and run on their own threads, so reads never
/// wait behind them.
#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// Uploads checked and scanned at once; more wait for a turn.
    #[arg(long, env = "SCAN_CONCURRENCY", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub scan_concurrency: u64,
    /// Threads the scans share [default: the number of CPUs].
    #[arg(long, env = "SCAN_THREADS", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub scan_threads: Option<u64>,
    /// Seconds an upload waits for a scan turn before it is answered 503
    /// with Retry-After.
    #[arg(long, env = "SCAN_QUEUE_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub scan_queue_timeout: u64,
}

/// The upload policy: the severity at or above which uploads are refused,
/// `None` for `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanBlock(pub Option<Severity>);

pub fn parse_scan_block(s: &str) -> Result<ScanBlock, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(ScanBlock(None));
    }
    s.parse::<Severity>()
        .map(|v| ScanBlock(Some(v)))
        .map_err(|_| format!("`{s}` is not a severity; use info, low, medium, high, critical or none"))
}

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error(
        "DATABASE_URL `{0}` is not understood; write sqlite:///relative/path.db, sqlite:////absolute/path.db or postgres://user@host/db"
    )]
    BadDatabaseUrl(String),
    #[error("STORAGE_TYPE `{0}` is not understood; write `file` or `s3`")]
    BadStorageType(String),
}

impl StorageArgs {
    /// The defaults, everything under `data_dir` (what `serve` does with only
    /// `DATA_DIR` set); for embedding the registry in tests and benches.
    pub fn in_dir(data_dir: &std::path::Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            database_url: None,
            database_pool_size: revitpy_store::DEFAULT_POOL_SIZE,
            storage_type: "file".into(),
            storage_path: None,
            search_index: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            index_key_path: None,
            index_expiry_hours: 168,
        }
    }

    /// `INDEX_KEY_PATH`, else beside a SQLite database (the key belongs
    /// with the roots the database holds), else in DATA_DIR.
    pub fn index_key_path(&self) -> PathBuf {
        self.index_key_path.clone().unwrap_or_else(|| self.beside_database("index-signing-key"))
    }

    /// `name` in a SQLite database's folder, else in `DATA_DIR`.
    fn beside_database(&self, name: &str) -> PathBuf {
        match self.database() {
            Ok(DatabaseLocation::Sqlite(db)) => match db.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
                _ => PathBuf::from(name),
            },
            _ => self.data_dir.join(name),
        }
    }

    pub fn database(&self) -> Result<DatabaseLocation, SettingsError> {
        match &self.database_url {
            None => Ok(DatabaseLocation::Sqlite(self.data_dir.join("registry.db"))),
            Some(url) => parse_database_url(url),
        }
    }

    pub fn blob_path(&self) -> PathBuf {
        self.storage_path.clone().unwrap_or_else(|| self.data_dir.join("packages"))
    }

    /// `SEARCH_INDEX_PATH`, else next to the database it is built from
    /// (a SQLite file's folder), else in `DATA_DIR`.
    pub fn search_index_path(&self) -> PathBuf {
        self.search_index.clone().unwrap_or_else(|| self.beside_database("search-index"))
    }

    pub fn check_storage_type(&self) -> Result<(), SettingsError> {
        match self.storage_type.as_str() {
            "file" | "s3" => Ok(()),
            other => Err(SettingsError::BadStorageType(other.to_owned())),
        }
    }
}

/// SQLAlchemy's URL forms, as the original's users wrote them.
pub fn parse_database_url(url: &str) -> Result<DatabaseLocation, SettingsError> {
    let bad = || SettingsError::BadDatabaseUrl(url.to_owned());
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(DatabaseLocation::Postgres(url.to_owned()));
    }
    // SQLAlchemy names the Python driver after `+` (the original ran on
    // asyncpg); the server behind it is the same.
    for driver in ["asyncpg", "psycopg2", "psycopg", "pg8000"] {
        if let Some(rest) = url.strip_prefix(&format!("postgresql+{driver}://")) {
            return Ok(DatabaseLocation::Postgres(format!("postgresql://{rest}")));
        }
    }
    let rest = url.strip_prefix("sqlite:///").or_else(|| url.strip_prefix("sqlite+aiosqlite:///")).ok_or_else(bad)?;
    if rest.is_empty() || rest.contains('?') {
        return Err(bad());
    }
    // `sqlite:////abs` leaves `/abs`; `sqlite:///rel` leaves `rel`.
    Ok(DatabaseLocation::Sqlite(Path::new(rest).to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlalchemy_url_forms() {
        assert_eq!(parse_database_url("sqlite:///data/r.db"), Ok(DatabaseLocation::Sqlite("data/r.db".into())));
        assert_eq!(parse_database_url("sqlite:////var/lib/r.db"), Ok(DatabaseLocation::Sqlite("/var/lib/r.db".into())));
        assert_eq!(parse_database_url("postgres://u@h/db"), Ok(DatabaseLocation::Postgres("postgres://u@h/db".into())));
        assert_eq!(
            parse_database_url("postgresql+asyncpg://u:p@h:5433/db"),
            Ok(DatabaseLocation::Postgres("postgresql://u:p@h:5433/db".into()))
        );
        assert!(parse_database_url("postgresql+mystery://u@h/db").is_err());
        assert!(parse_database_url("sqlite://r.db").is_err());
        assert!(parse_database_url("mysql://x").is_err());
        assert!(parse_database_url("sqlite:///").is_err());
    }

    fn storage(env: &[&str]) -> StorageArgs {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            storage: StorageArgs,
        }
        let mut args = vec!["test"];
        args.extend_from_slice(env);
        <Cli as clap::Parser>::parse_from(args).storage
    }

    #[test]
    fn the_search_index_lives_beside_its_database() {
        assert_eq!(storage(&[]).search_index_path(), PathBuf::from("./registry_data/search-index"));
        let s = storage(&["--data-dir", "/d", "--database-url", "sqlite:////var/lib/reg/r.db"]);
        assert_eq!(s.search_index_path(), PathBuf::from("/var/lib/reg/search-index"));
        let s = storage(&["--database-url", "sqlite:////var/lib/reg/r.db", "--search-index", "/srv/idx"]);
        assert_eq!(s.search_index_path(), PathBuf::from("/srv/idx"));
        let s = storage(&["--data-dir", "/d", "--database-url", "postgres://u@h/db"]);
        assert_eq!(s.search_index_path(), PathBuf::from("/d/search-index"));
    }

    #[test]
    fn scan_block_values() {
        assert_eq!(parse_scan_block("none"), Ok(ScanBlock(None)));
        assert_eq!(parse_scan_block("High"), Ok(ScanBlock(Some(Severity::High))));
        assert_eq!(parse_scan_block("critical"), Ok(ScanBlock(Some(Severity::Critical))));
        assert!(parse_scan_block("severe").unwrap_err().contains("none"));
    }
}
