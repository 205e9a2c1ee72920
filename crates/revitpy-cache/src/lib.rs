//! The client's local package cache.
//!
//! ```text
//! <root>/
//!   .lock                        the lock file (never holds data)
//!   .lock.gate                   orders lockers so a cleanup is not starved (see `os`)
//!   cache.db                     SQLite (WAL): entries, LRU clock, hit/miss counters
//!   packages/<ab>/<sha256>.rpyx  package files, named by the sha256 of their bytes
//!   tmp/                         downloads in progress (same file system as packages/)
//!   index/                       the offline index: NOT the cache's, never touched here
//! ```
//!
//! # Content addressing
//!
//! A file's name is the sha256 of its bytes, so a name never refers to two
//! contents. A download goes to `tmp/` ([`Cache::temp_file`]), is checked
//! against the size and sha256 the registry announced, fsynced, then renamed
//! over `packages/<ab>/<sha256>.rpyx` in one step ([`Cache::insert`]). A path
//! below `packages/` therefore holds either nothing or a complete file; two
//! processes inserting the same package both succeed and leave one file.
//! Every hit is rehashed before it is handed out ([`Cache::get`]), so a file
//! damaged on disk is found, removed and reported instead of installed.
//!
//! # Several processes
//!
//! Two commands may share the cache (an install beside a `cache --cleanup`,
//! a background sync beside an install). The data files are never locked;
//! a separate lock file `root/.lock` is taken
//!
//! - shared by [`Cache::get`] and [`Cache::insert`]: any number run at once;
//! - exclusive by [`Cache::cleanup`] and [`Cache::verify`]: they see a
//!   quiet cache in which every row has its file and every file its row, so
//!   `verify` cannot take a file just renamed into place (whose row is a
//!   moment away) for an untracked one, and `cleanup` cannot remove a file
//!   that a `get` is rehashing or that an `insert` is recording.
//!
//! A path returned by `get` or `insert` stays valid after the lock is
//! released, until a later cleanup evicts it: open it promptly, and treat
//! "not found" as a miss. Removal is an unlink, so a reader that opened the
//! file first keeps reading the complete file, and one that comes later finds
//! nothing: never a partial file. (On Windows, too: the standard library opens
//! files sharing delete access.)
//!
//! # LRU and time
//!
//! File access times are not used (Windows and `noatime` mounts do not keep
//! them). The order of use is kept in `cache.db` by a logical clock; see the
//! `db` module. Times are RFC 3339 UTC strings written by SQLite's `strftime`.

mod db;
mod error;
mod key;
mod os;

use std::collections::HashSet;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub use error::CacheError;
pub use key::is_sha256;

use db::Db;
use key::{Check, Key};
use os::LockGuard;

/// Downloads in `tmp/` older than this are leftovers of a crash and removed
/// by [`Cache::cleanup`]; younger ones may belong to a running download.
const STALE_TEMP_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Beyond this, `max_age_days` cannot be reached by any entry (and SQLite's
/// date arithmetic would leave the years it handles).
const MAX_AGE_DAYS_LIMIT: u64 = 1_000_000;

/// A package cache rooted at one folder. `Send + Sync`: threads may share one
/// `Cache`, and processes may each open their own on the same folder.
pub struct Cache {
    root: PathBuf,
    packages: PathBuf,
    tmp: PathBuf,
    lock_path: PathBuf,
    gate_path: PathBuf,
    db: Db,
}

/// One cached file, as recorded in `cache.db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    pub sha256: String,
    pub size: u64,
    /// Empty when unknown (a file found without its row).
    pub name: String,
    pub version: String,
    /// RFC 3339 UTC, e.g. `2025-01-31T09:05:07.123Z`.
    pub added_at: String,
    /// RFC 3339 UTC; the time of the last hit or insert.
    pub last_used_at: String,
    /// Verified hits served.
    pub uses: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A verified file: its size and sha256 are the ones asked for.
    Hit(PathBuf),
    Miss,
    /// The file was corrupt (size or sha256 wrong) and has been removed.
    /// `expected`/`actual` are both sha256s, or both sizes as `"<n> bytes"`.
    /// Counted as a miss.
    Corrupt {
        expected: String,
        actual: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CacheStats {
    pub entries: u64,
    pub bytes: u64,
    /// Since the cache was created, summed over every process that used it.
    pub hits: u64,
    /// Includes lookups that found a corrupt file.
    pub misses: u64,
    /// `hits / (hits + misses)`, 0 when there were none.
    pub hit_rate: f64,
    /// The entry added first.
    pub oldest: Option<EntryInfo>,
    /// The entry added last.
    pub newest: Option<EntryInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanupReport {
    /// Evicted entries, in the order they were removed (oldest use first).
    pub removed: Vec<EntryInfo>,
    pub freed_bytes: u64,
    pub remaining_entries: u64,
    pub remaining_bytes: u64,
    /// Entries chosen for eviction whose file could not be removed (on
    /// Windows: held open by another program), with the reason. They stay
    /// cached and are counted in `remaining_*`.
    pub not_removed: Vec<(EntryInfo, String)>,
    /// Leftover downloads in `tmp/` (older than a day) that were removed.
    pub stale_temp_removed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Index rows examined.
    pub checked: u64,
    /// Entries whose file had the wrong size or sha256: file and row removed.
    pub corrupt: Vec<EntryInfo>,
    /// Index rows whose file had vanished: rows removed.
    pub missing: Vec<EntryInfo>,
    /// Files in `packages/` with no index row: removed.
    pub untracked_removed: u64,
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> CacheError + '_ {
    move |source| CacheError::File { path: path.to_owned(), source }
}

impl Cache {
    /// Opens (creating) a cache rooted at `root`: `root/packages/`,
    /// `root/tmp/`, `root/.lock`, `root/.lock.gate` and `root/cache.db`
    /// (SQLite in WAL mode with a busy timeout). Never touches
    /// `root/index/` (the offline index is not the cache's).
    pub fn open(root: &Path) -> Result<Cache, CacheError> {
        let packages = root.join("packages");
        let tmp = root.join("tmp");
        fs_err::create_dir_all(&packages).map_err(CacheError::Io)?;
        fs_err::create_dir_all(&tmp).map_err(CacheError::Io)?;
        let lock_path = root.join(".lock");
        let gate_path = root.join(".lock.gate");
        drop(os::open_lock_file(&lock_path)?);
        drop(os::open_lock_file(&gate_path)?);
        // Creating the database (switching it to WAL, creating tables) is done
        // by one process at a time: two first commands starting together saw
        // SQLite answer "database is locked" without waiting.
        let db = {
            let _guard = os::LockGuard::exclusive(&lock_path, &gate_path)?;
            Db::open(&root.join("cache.db"))?
        };
        Ok(Cache { root: root.to_owned(), packages, tmp, lock_path, gate_path, db })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn shared_lock(&self) -> Result<LockGuard, CacheError> {
        LockGuard::shared(&self.lock_path, &self.gate_path)
    }

    fn exclusive_lock(&self) -> Result<LockGuard, CacheError> {
        LockGuard::exclusive(&self.lock_path, &self.gate_path)
    }

    /// Where the file for `sha256` lives when cached (whether or not it is).
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf, CacheError> {
        Ok(Key::parse(sha256)?.path_in(&self.packages))
    }

    /// Looks a package file up by sha256. A file found is rehashed: it is a
    /// [`Lookup::Hit`] only when its size is `expected_size` and its bytes
    /// hash to `sha256`; otherwise it is removed and reported as
    /// [`Lookup::Corrupt`]. Counts a hit or a miss in `cache.db` (so
    /// [`Cache::stats`] sums across runs), and a hit moves the entry to the
    /// young end of the LRU order.
    pub fn get(&self, sha256: &str, expected_size: u64) -> Result<Lookup, CacheError> {
        let key = Key::parse(sha256)?;
        let path = key.path_in(&self.packages);
        let _lock = self.shared_lock()?;
        match key::check_file(&path, &key, expected_size)? {
            Check::Intact => {
                self.db.record_hit(&key, expected_size)?;
                Ok(Lookup::Hit(path))
            }
            Check::Missing => {
                self.db.record_miss(&key, &path)?;
                Ok(Lookup::Miss)
            }
            Check::Corrupt { expected, actual } => {
                // Known window: an `insert` of the same package running
                // right now may have renamed good bytes over the corrupt file
                // since it was read; they are removed too. Nothing wrong is
                // ever handed out, the row is dropped (if the file is gone)
                // or dropped by the next `get`, and the cost is one download.
                os::remove_file_if_exists(&path)?;
                self.db.record_miss(&key, &path)?;
                Ok(Lookup::Corrupt { expected, actual })
            }
        }
    }

    /// A new temporary file in `root/tmp/` (the file system of `packages/`,
    /// so [`Cache::insert`] is a rename) to download into. Deleted when
    /// dropped unless inserted.
    pub fn temp_file(&self) -> Result<tempfile::NamedTempFile, CacheError> {
        tempfile::Builder::new().prefix("download-").suffix(".part").tempfile_in(&self.tmp).map_err(io_at(&self.tmp))
    }

    /// Checks that `temp` holds `size` bytes hashing to `sha256`, then moves
    /// it into place atomically and records it under `name` and `version`.
    /// On a wrong size or hash nothing is stored (the temporary file is
    /// deleted) and the error names both values. Inserting a package that is
    /// already cached succeeds and keeps one intact file.
    pub fn insert(
        &self,
        mut temp: tempfile::NamedTempFile,
        sha256: &str,
        size: u64,
        name: &str,
        version: &str,
    ) -> Result<PathBuf, CacheError> {
        let key = Key::parse(sha256)?;
        let temp_path = temp.path().to_owned();
        // Hashed through the writer's own handle: on Windows the temporary
        // file may not be shareable with a second handle.
        let file = temp.as_file_mut();
        file.sync_all().map_err(io_at(&temp_path))?;
        let actual_size = file.metadata().map_err(io_at(&temp_path))?.len();
        let size_mismatch = |actual| CacheError::SizeMismatch {
            name: name.to_owned(),
            version: version.to_owned(),
            path: temp_path.clone(),
            expected: size,
            actual,
        };
        if actual_size != size {
            return Err(size_mismatch(actual_size));
        }
        file.seek(SeekFrom::Start(0)).map_err(io_at(&temp_path))?;
        let (hashed_size, actual_sha) = key::hash_reader(&*file).map_err(io_at(&temp_path))?;
        if hashed_size != size {
            return Err(size_mismatch(hashed_size));
        }
        if actual_sha != key.as_str() {
            return Err(CacheError::HashMismatch {
                name: name.to_owned(),
                version: version.to_owned(),
                path: temp_path,
                expected: key.as_str().to_owned(),
                actual: actual_sha,
            });
        }

        let target = key.path_in(&self.packages);
        let shard = target.parent().expect("package paths have a shard folder");
        let _lock = self.shared_lock()?;
        fs_err::create_dir_all(shard).map_err(CacheError::Io)?;
        if matches!(key::check_file(&target, &key, size)?, Check::Intact) {
            // Same bytes already cached (another process won the race, or a
            // re-download): keep the file readers may have open.
            drop(temp);
        } else {
            match os::persist(temp, &target) {
                Ok(()) => os::sync_dir(shard),
                // On Windows the replace fails while a reader holds the
                // target; if another insert put the right bytes there, done.
                Err(e) => {
                    if !matches!(key::check_file(&target, &key, size)?, Check::Intact) {
                        return Err(e);
                    }
                }
            }
        }
        self.db.record_insert(&key, size, name, version)?;
        Ok(target)
    }

    /// Every entry, least recently used first (the order of eviction).
    pub fn entries(&self) -> Result<Vec<EntryInfo>, CacheError> {
        self.db.entries_lru()
    }

    pub fn stats(&self) -> Result<CacheStats, CacheError> {
        let (entries, bytes) = self.db.totals()?;
        let (hits, misses) = self.db.counters()?;
        let (oldest, newest) = self.db.oldest_newest()?;
        let lookups = hits + misses;
        let hit_rate = if lookups == 0 { 0.0 } else { hits as f64 / lookups as f64 };
        Ok(CacheStats { entries, bytes, hits, misses, hit_rate, oldest, newest })
    }

    /// Evicts every entry not used for `max_age_days` days (if given;
    /// `Some(0)` empties the cache), then least recently used entries first
    /// until the total is at most `max_bytes` (if given). Also removes
    /// downloads left in `tmp/` for over a day. Waits for running lookups and
    /// inserts, and holds new ones off while it runs. Never touches
    /// `root/index/`.
    pub fn cleanup(&self, max_bytes: Option<u64>, max_age_days: Option<u64>) -> Result<CleanupReport, CacheError> {
        let _lock = self.exclusive_lock()?;
        let cutoff = match max_age_days {
            Some(days) if days < MAX_AGE_DAYS_LIMIT => Some(self.db.days_ago(days)?),
            _ => None,
        };
        let entries = self.db.entries_lru()?;
        let mut total: u64 = entries.iter().map(|e| e.size).sum();
        let mut evict = Vec::new();
        for entry in entries {
            let too_old = max_age_days == Some(0) || cutoff.as_ref().is_some_and(|c| entry.last_used_at <= *c);
            let too_big = max_bytes.is_some_and(|max| total > max);
            if too_old || too_big {
                total -= entry.size;
                evict.push(entry);
            }
        }

        let mut removed = Vec::new();
        let mut not_removed = Vec::new();
        for entry in evict {
            let path = Key::parse(&entry.sha256)?.path_in(&self.packages);
            match os::remove_file_if_exists(&path) {
                Ok(_) => removed.push(entry),
                Err(e) => not_removed.push((entry, e.to_string())),
            }
        }
        self.db.remove(&removed.iter().map(|e| e.sha256.as_str()).collect::<Vec<_>>())?;
        for entry in &removed {
            remove_dir_if_empty(Key::parse(&entry.sha256)?.path_in(&self.packages).parent());
        }
        let stale_temp_removed = self.remove_stale_temp_files()?;

        let freed_bytes = removed.iter().map(|e| e.size).sum();
        let (remaining_entries, remaining_bytes) = self.db.totals()?;
        Ok(CleanupReport { removed, freed_bytes, remaining_entries, remaining_bytes, not_removed, stale_temp_removed })
    }

    /// Rehashes every entry: removes files with the wrong size or sha256
    /// (and their rows), drops rows whose file is missing, and removes files
    /// in `packages/` that have no row. Holds lookups and inserts off while
    /// it runs. Never touches `root/index/`.
    pub fn verify(&self) -> Result<VerifyReport, CacheError> {
        let _lock = self.exclusive_lock()?;
        let mut report = VerifyReport { checked: 0, corrupt: Vec::new(), missing: Vec::new(), untracked_removed: 0 };
        let mut tracked = HashSet::new();
        for entry in self.db.entries_lru()? {
            report.checked += 1;
            let key = Key::parse(&entry.sha256)?;
            let path = key.path_in(&self.packages);
            match key::check_file(&path, &key, entry.size)? {
                Check::Intact => {
                    tracked.insert(path);
                }
                Check::Missing => report.missing.push(entry),
                Check::Corrupt { .. } => {
                    os::remove_file_if_exists(&path)?;
                    report.corrupt.push(entry);
                }
            }
        }
        let gone: Vec<&str> = report.corrupt.iter().chain(&report.missing).map(|e| e.sha256.as_str()).collect();
        self.db.remove(&gone)?;
        report.untracked_removed = self.remove_untracked(&tracked)?;
        Ok(report)
    }

    /// Removes every file in `packages/` (top level and shard folders) that
    /// is not in `tracked`. Folders other than shards are left alone: the
    /// cache never makes them, so they are not its to delete.
    fn remove_untracked(&self, tracked: &HashSet<PathBuf>) -> Result<u64, CacheError> {
        let mut removed = 0;
        for top in fs_err::read_dir(&self.packages).map_err(CacheError::Io)? {
            let top = top.map_err(io_at(&self.packages))?;
            let top_path = top.path();
            let kind = top.file_type().map_err(io_at(&top_path))?;
            if !kind.is_dir() {
                removed += u64::from(os::remove_file_if_exists(&top_path)?);
                continue;
            }
            let is_shard = top.file_name().to_str().is_some_and(|n| n.len() == 2 && is_lower_hex(n));
            if !is_shard {
                continue;
            }
            for file in fs_err::read_dir(&top_path).map_err(CacheError::Io)? {
                let file = file.map_err(io_at(&top_path))?;
                let path = file.path();
                if file.file_type().map_err(io_at(&path))?.is_dir() || tracked.contains(&path) {
                    continue;
                }
                removed += u64::from(os::remove_file_if_exists(&path)?);
            }
            remove_dir_if_empty(Some(&top_path));
        }
        Ok(removed)
    }

    /// Removes files in `tmp/` last modified over [`STALE_TEMP_AGE`] ago
    /// (modification time, which every OS keeps; never access time).
    fn remove_stale_temp_files(&self) -> Result<u64, CacheError> {
        let now = SystemTime::now();
        let mut removed = 0;
        for file in fs_err::read_dir(&self.tmp).map_err(CacheError::Io)? {
            let file = file.map_err(io_at(&self.tmp))?;
            let Ok(meta) = file.metadata() else { continue };
            let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok());
            if meta.is_file() && age.is_some_and(|a| a > STALE_TEMP_AGE) {
                // A file still open for writing on Windows cannot be removed:
                // it is not stale after all, skip it.
                removed += u64::from(os::remove_file_if_exists(&file.path()).unwrap_or(false));
            }
        }
        Ok(removed)
    }
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Removes a shard folder that has become empty; best effort (an insert may
/// be about to use it only under the shared lock, which the caller excludes).
fn remove_dir_if_empty(dir: Option<&Path>) {
    if let Some(dir) = dir {
        let _ = std::fs::remove_dir(dir);
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Cache>();
};
