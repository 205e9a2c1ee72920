//! `cache.db`: one row per cached file, and the persistent counters.
//!
//! LRU order is kept here, never in file access times (which Windows and many
//! Linux mounts do not update): every use takes the next value of a logical
//! clock (the `clock` counter, incremented in the same transaction), so the
//! order is total and exact even for uses within one millisecond or from two
//! processes. The RFC 3339 times beside it are for people and for `max_age`.
//!
//! Several processes share the file: WAL mode lets readers run beside one
//! writer, the busy timeout makes a second writer wait instead of failing, and
//! every read-modify-write is one `BEGIN IMMEDIATE` transaction.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::key::Key;
use crate::{CacheError, EntryInfo};

/// Bumped by each change of the tables below; an older client refuses a newer file.
const SCHEMA_VERSION: i64 = 1;

/// Long enough for another process's cleanup to commit; short enough that a
/// wedged process is reported rather than waited on forever.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// RFC 3339 in UTC with milliseconds, e.g. `2025-01-31T09:05:07.123Z`. Fixed
/// width, so the strings sort as the times do.
pub(crate) const NOW_SQL: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    sha256       TEXT PRIMARY KEY NOT NULL,
    size         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    added_seq    INTEGER NOT NULL,
    last_used_at TEXT NOT NULL,
    used_seq     INTEGER NOT NULL,
    uses         INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_use ON entries (used_seq);
CREATE INDEX IF NOT EXISTS entries_by_age ON entries (added_seq);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) VALUES ('hits', 0), ('misses', 0), ('clock', 0);
";

const ENTRY_COLUMNS: &str = "sha256, size, name, version, added_at, last_used_at, uses";

pub(crate) struct Db {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<EntryInfo> {
    Ok(EntryInfo {
        sha256: row.get(0)?,
        size: get_u64(row, 1)?,
        name: row.get(2)?,
        version: row.get(3)?,
        added_at: row.get(4)?,
        last_used_at: row.get(5)?,
        uses: get_u64(row, 6)?,
    })
}

/// Sizes and counts are `u64` here and `INTEGER` (i64) in SQLite.
fn get_u64(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(idx, v))
}

/// No file is larger than `i64::MAX` bytes; saturate rather than fail.
fn sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The next value of the logical clock that orders uses.
fn tick(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("UPDATE counters SET value = value + 1 WHERE name = 'clock' RETURNING value", [], |r| r.get(0))
}

fn count(conn: &Connection, counter: &str) -> rusqlite::Result<()> {
    conn.execute("UPDATE counters SET value = value + 1 WHERE name = ?1", [counter]).map(drop)
}

impl Db {
    pub(crate) fn open(path: &Path) -> Result<Self, CacheError> {
        let db = Self { path: path.to_owned(), conn: Mutex::new(Connection::open(path).map_err(err(path))?) };
        db.init()?;
        Ok(db)
    }

    fn init(&self) -> Result<(), CacheError> {
        let mut conn = self.conn();
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err(&self.path))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(err(&self.path))?;
        // Losing the last few uses on a power cut costs nothing; the files
        // themselves are fsynced before they become visible.
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err(&self.path))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err(&self.path))?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err(&self.path))?;
        if found > SCHEMA_VERSION {
            return Err(CacheError::NewerSchema { path: self.path.clone(), found, supported: SCHEMA_VERSION });
        }
        tx.execute_batch(SCHEMA).map_err(err(&self.path))?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(err(&self.path))?;
        tx.commit().map_err(err(&self.path))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back (the
        // `Transaction` drop); the connection itself is still usable.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction.
    fn write<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, CacheError> {
        let mut conn = self.conn();
        let run = || {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run().map_err(err(&self.path))
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, CacheError> {
        f(&self.conn()).map_err(err(&self.path))
    }

    /// A verified hit: counts it and moves the entry to the young end of the
    /// LRU order. A file without a row (a crash between the rename and the
    /// row) gets a row, with its name and version unknown.
    pub(crate) fn record_hit(&self, key: &Key, size: u64) -> Result<(), CacheError> {
        self.write(|tx| {
            let seq = tick(tx)?;
            let updated = tx.execute(
                &format!("UPDATE entries SET uses = uses + 1, last_used_at = {NOW_SQL}, used_seq = ?2 WHERE sha256 = ?1"),
                params![key.as_str(), seq],
            )?;
            if updated == 0 {
                tx.execute(
                    &format!(
                        "INSERT INTO entries (sha256, size, name, version, added_at, added_seq, last_used_at, used_seq, uses)
                         VALUES (?1, ?2, '', '', {NOW_SQL}, ?3, {NOW_SQL}, ?3, 1)"
                    ),
                    params![key.as_str(), sql_int(size), seq],
                )?;
            }
            count(tx, "hits")
        })
    }

    /// A miss (no file, or a corrupt one that was removed): counts it and
    /// drops the key's row if `path` is still absent.
    ///
    /// The check is made inside the write transaction on purpose: a
    /// concurrent `insert` renames its file into place *before* it records
    /// its row, and recording waits for this transaction. So either the
    /// file is visible here (the row is kept), or the insert's row is written
    /// after this deletion. Deleting without looking would leave a fresh file
    /// without its row.
    pub(crate) fn record_miss(&self, key: &Key, path: &Path) -> Result<(), CacheError> {
        self.write(|tx| {
            if !path.exists() {
                tx.execute("DELETE FROM entries WHERE sha256 = ?1", [key.as_str()])?;
            }
            count(tx, "misses")
        })
    }

    /// A stored file: a new row, or fresh metadata for an existing one (its
    /// use count and first-added time kept). Counts as a use for LRU order, so
    /// a package just downloaded is not the first to be evicted.
    pub(crate) fn record_insert(&self, key: &Key, size: u64, name: &str, version: &str) -> Result<(), CacheError> {
        self.write(|tx| {
            let seq = tick(tx)?;
            tx.execute(
                &format!(
                    "INSERT INTO entries (sha256, size, name, version, added_at, added_seq, last_used_at, used_seq, uses)
                     VALUES (?1, ?2, ?3, ?4, {NOW_SQL}, ?5, {NOW_SQL}, ?5, 0)
                     ON CONFLICT (sha256) DO UPDATE SET
                         size = excluded.size, name = excluded.name, version = excluded.version,
                         last_used_at = excluded.last_used_at, used_seq = excluded.used_seq"
                ),
                params![key.as_str(), sql_int(size), name, version, seq],
            )
            .map(drop)
        })
    }

    /// Every entry, least recently used first (the order of eviction).
    pub(crate) fn entries_lru(&self) -> Result<Vec<EntryInfo>, CacheError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM entries ORDER BY used_seq, sha256"))?;
            stmt.query_map([], entry_from_row)?.collect()
        })
    }

    pub(crate) fn remove(&self, shas: &[&str]) -> Result<(), CacheError> {
        if shas.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut stmt = tx.prepare("DELETE FROM entries WHERE sha256 = ?1")?;
            for sha in shas {
                stmt.execute([sha])?;
            }
            Ok(())
        })
    }

    /// `(hits, misses)` since the cache was created.
    pub(crate) fn counters(&self) -> Result<(u64, u64), CacheError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT (SELECT value FROM counters WHERE name = 'hits'), (SELECT value FROM counters WHERE name = 'misses')",
                [],
                |r| Ok((get_u64(r, 0)?, get_u64(r, 1)?)),
            )
        })
    }

    /// `(entries, bytes)`.
    pub(crate) fn totals(&self) -> Result<(u64, u64), CacheError> {
        self.read(|conn| {
            conn.query_row("SELECT count(*), coalesce(sum(size), 0) FROM entries", [], |r| {
                Ok((get_u64(r, 0)?, get_u64(r, 1)?))
            })
        })
    }

    /// The entries added first and last.
    pub(crate) fn oldest_newest(&self) -> Result<(Option<EntryInfo>, Option<EntryInfo>), CacheError> {
        self.read(|conn| {
            let one = |order: &str| {
                conn.query_row(
                    &format!("SELECT {ENTRY_COLUMNS} FROM entries ORDER BY added_seq {order}, sha256 {order} LIMIT 1"),
                    [],
                    entry_from_row,
                )
                .optional()
            };
            Ok((one("ASC")?, one("DESC")?))
        })
    }

    /// The time `days` days ago, in the format of `last_used_at`.
    pub(crate) fn days_ago(&self, days: u64) -> Result<String, CacheError> {
        self.read(|conn| {
            conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)", [format!("-{days} days")], |r| r.get(0))
        })
    }

    /// The current time as the cache writes it.
    #[cfg(test)]
    pub(crate) fn now(&self) -> Result<String, CacheError> {
        self.read(|conn| conn.query_row(&format!("SELECT {NOW_SQL}"), [], |r| r.get(0)))
    }
}

fn err(path: &Path) -> impl FnOnce(rusqlite::Error) -> CacheError + '_ {
    move |source| CacheError::Database { path: path.to_owned(), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z` with every field in range: RFC 3339's
    /// `date-time` with the `Z` offset.
    fn is_rfc3339_utc(s: &str) -> bool {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap();
        if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
            return false;
        }
        if b[10] != b'T' || !digits(11..13) || b[13] != b':' || !digits(14..16) || b[16] != b':' || !digits(17..19) {
            return false;
        }
        let rest = &s[19..];
        let frac_ok = match rest.strip_suffix('Z') {
            Some("") => true,
            Some(f) => f.len() >= 2 && f.starts_with('.') && f[1..].bytes().all(|c| c.is_ascii_digit()),
            None => false,
        };
        let (month, day, hour, minute, second) = (num(5..7), num(8..10), num(11..13), num(14..16), num(17..19));
        frac_ok && (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60 && second < 61
    }

    #[test]
    fn the_checker_itself_rejects_bad_times() {
        assert!(is_rfc3339_utc("2025-01-31T09:05:07.123Z"));
        assert!(is_rfc3339_utc("2025-01-31T09:05:07Z"));
        for bad in [
            "2025-01-31 09:05:07.123Z",
            "2025-01-31T09:05:07.123",
            "2025-01-31T09:05:07.123+00:00x",
            "2025-13-31T09:05:07.123Z",
            "2025-01-31T24:05:07.123Z",
            "2025-01-31T09:05:07.Z",
            "25-01-31T09:05:07.123Z",
        ] {
            assert!(!is_rfc3339_utc(bad), "{bad} accepted");
        }
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cache.db")).unwrap();
        let now = db.now().unwrap();
        assert!(is_rfc3339_utc(&now), "{now}");
        assert_eq!(now.len(), "2025-01-31T09:05:07.123Z".len());
        let before = db.days_ago(30).unwrap();
        assert!(is_rfc3339_utc(&before), "{before}");
        assert!(before < now, "{before} !< {now}");

        let key = Key::parse(&"c".repeat(64)).unwrap();
        db.record_insert(&key, 3, "demo", "1.0.0").unwrap();
        db.record_hit(&key, 3).unwrap();
        let entry = db.entries_lru().unwrap().remove(0);
        assert!(is_rfc3339_utc(&entry.added_at), "{}", entry.added_at);
        assert!(is_rfc3339_utc(&entry.last_used_at), "{}", entry.last_used_at);
        assert!(entry.added_at <= entry.last_used_at);
        assert_eq!(entry.uses, 1);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        drop(Db::open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        let e = Db::open(&path).err().expect("newer schema accepted");
        assert!(matches!(e, CacheError::NewerSchema { found: 2, .. }), "{e}");
        assert!(e.to_string().contains("cache.db"), "{e}");
    }
}
