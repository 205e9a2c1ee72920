//! A schema of its own on the machine's PostgreSQL for each test (feature
//! `test-support`): tests run side by side on one database without seeing
//! each other, and the schema is dropped when the guard is.
//!
//! The database is `REVITPY_TEST_POSTGRES_URL` (set by `.ci/run`); without
//! it tests skip, except under `CI`, where its absence is a failure.

use std::str::FromStr;

/// A fresh, empty schema; dropped (with everything in it) on drop.
pub struct TestSchema {
    /// The database's URL with `options=-csearch_path=<schema>`: what a
    /// server's `DATABASE_URL` or [`crate::PostgresStore::open`] takes.
    pub url: String,
    pub schema: String,
    base: String,
}

/// The test database's URL, or `None` (said on stderr) to skip.
pub fn test_database() -> Option<String> {
    match std::env::var("REVITPY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(std::env::var_os("CI").is_none(), "CI is set but REVITPY_TEST_POSTGRES_URL is not");
            eprintln!("skipped: REVITPY_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// Runs `sql` on the database at `url` on a connection of its own, on a
/// thread of its own (callers may be inside or outside a runtime).
pub fn execute(url: &str, sql: &str) -> Result<(), String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let config = tokio_postgres::Config::from_str(&url).map_err(|e| e.to_string())?;
            let (client, connection) = config.connect(tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
            let driver = tokio::spawn(connection);
            let answer = client.batch_execute(&sql).await.map_err(|e| describe(&e));
            drop(client);
            let _ = driver.await;
            answer
        })
    })
    .join()
    .map_err(|_| "the SQL thread panicked".to_owned())?
}

/// Test schemas older than this are taken for leftovers (of a run that was
/// killed, or of guards kept until their process ended) and dropped.
pub const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(2 * 3600);

/// Drops the `t_..._<pid>_<nanoseconds>` schemas made more than
/// [`LEFTOVER_AGE`] ago, going by the time in their names. Each is dropped
/// on its own, and one another process drops first is passed over.
pub fn drop_leftover_schemas(base: &str) -> Result<(), String> {
    let sql = format!(
        r#"DO $$
DECLARE s text;
BEGIN
  FOR s IN
    SELECT nspname FROM pg_namespace
    WHERE nspname ~ '^t_.*_[0-9]+_[0-9]{{15,}}$'
      AND substring(nspname FROM '_([0-9]+)$')::numeric
          < (extract(epoch FROM clock_timestamp()) - {age}) * 1000000000
    ORDER BY nspname
  LOOP
    BEGIN
      EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', s);
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'leftover test schema % not dropped: %', s, SQLERRM;
    END;
  END LOOP;
END $$"#,
        age = LEFTOVER_AGE.as_secs()
    );
    execute(base, &sql)
}

/// The server's message (the driver's own `Display` says "db error").
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    }
}

impl TestSchema {
    /// A new schema named after `label`, the process and the time; `None`
    /// when tests skip (see [`test_database`]). The first call in a process
    /// also drops leftover schemas ([`drop_leftover_schemas`]).
    pub fn create(label: &str) -> Option<Self> {
        let base = test_database()?;
        static CLEANED: std::sync::Once = std::sync::Once::new();
        CLEANED.call_once(|| {
            if let Err(e) = drop_leftover_schemas(&base) {
                eprintln!("warning: leftover test schemas were not dropped: {e}");
            }
        });
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let label: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(30)
            .collect();
        let schema = format!("t_{label}_{}_{nanos}", std::process::id());
        execute(&base, &format!("CREATE SCHEMA {schema}")).expect("the test schema is created");
        let separator = if base.contains('?') { '&' } else { '?' };
        // Connections name themselves after the schema, so the guard can
        // end those a test left behind (an open transaction would keep the
        // schema from being dropped while the test's runtime is stopped).
        let url = format!("{base}{separator}options=-csearch_path%3D{schema}&application_name={schema}");
        Some(Self { url, schema, base })
    }

    /// Runs `sql` inside this schema.
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        execute(&self.url, sql)
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let sql = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{0}' AND pid <> pg_backend_pid(); \
             DROP SCHEMA IF EXISTS {0} CASCADE",
            self.schema
        );
        if let Err(e) = execute(&self.base, &sql) {
            eprintln!("warning: the test schema {} was not dropped: {e}", self.schema);
        }
    }
}
