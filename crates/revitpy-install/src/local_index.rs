//! The offline index: every package the registry had at the last sync, in
//! SQLite (one row per package, the registry's own JSON entry), plus a
//! search index built with the server's search crate so offline results are
//! ranked exactly as online ones. Lives in `<cache>/index/`, which cache
//! cleanup never touches.

use std::path::Path;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use revitpy_api::{IndexPackage, IndexVersion};
use revitpy_names::Version;
use revitpy_search::{SearchDoc, SearchIndex, SearchQuery};
use rusqlite::{Connection, OptionalExtension, params};

pub struct LocalIndex {
    db: Connection,
    search: SearchIndex,
}

#[derive(Debug, Default, Clone)]
pub struct IndexState {
    pub registry_url: Option<String>,
    pub serial: i64,
    pub synced_at: Option<u64>,
    pub changes_etag: Option<String>,
    pub packages: u64,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Refreshes the index in the background when it is older than the
/// configured age (or was never synced), without making the command wait.
/// The refresh runs with `--background`: it stops at once if another sync
/// holds the index, so refreshes never pile up; and none is started while
/// one is running.
pub fn refresh_in_background_if_stale(settings: &crate::settings::Settings) {
    let stale = LocalIndex::age_of(&settings.index_dir()).is_none_or(|age| age > settings.index_max_age_secs);
    let running = || matches!(crate::os::try_lock_file(&settings.sync_lock_path()), Ok(None));
    if stale && !running() {
        let _ = crate::os::spawn_detached(&[
            "--quiet",
            "--registry-url",
            &settings.registry_url,
            "--cache-dir",
            &settings.cache_dir.to_string_lossy(),
            "registry",
            "sync",
            "--background",
        ]);
    }
}

/// The version search shows and indexes: the registry's own rule
/// ([`revitpy_names::latest`]), applied to the versions as they are, not to
/// the entry's `is_prerelease` flags, so the client cannot disagree with the
/// registry however an entry was written.
pub fn latest(p: &IndexPackage) -> Option<&IndexVersion> {
    revitpy_names::latest(&p.versions, |v| Version::from_str(&v.version).ok(), |v| v.yanked)
}

/// A package's entry is in the local index but cannot be read: the index is
/// damaged (or held too long), which is not the same as a package the index
/// does not have.
#[derive(Debug, thiserror::Error)]
pub enum IndexReadError {
    #[error("the local index cannot be read ({0}); `revitpy-install registry sync --rebuild-index` rebuilds it")]
    Database(#[from] rusqlite::Error),
    #[error(
        "the local index's entry for {name} cannot be read ({problem}); `revitpy-install registry sync --rebuild-index` rebuilds it"
    )]
    Entry { name: String, problem: serde_json::Error },
}

fn year(v: &Option<String>) -> Option<u16> {
    v.as_deref().and_then(|s| s.parse().ok())
}

pub fn search_doc(p: &IndexPackage) -> Option<SearchDoc> {
    let v = latest(p)?;
    Some(SearchDoc {
        normalized_name: p.normalized_name.clone(),
        name: p.name.clone(),
        summary: v.summary.clone(),
        description: v.description.clone(),
        keywords: v.keywords.clone(),
        categories: v.categories.clone(),
        package_type: v.package_type.clone(),
        min_revit: year(&v.min_revit_version),
        max_revit: year(&v.max_revit_version),
        downloads: p.download_count,
    })
}

impl LocalIndex {
    pub fn open(dir: &Path) -> Result<LocalIndex, String> {
        fs_err::create_dir_all(dir).map_err(|e| e.to_string())?;
        let db_path = dir.join("index.db");
        // One process at a time sets the database up (WAL switch, tables):
        // SQLite answers "database is locked" at once to a second one.
        let init_lock = crate::os::lock_file(&dir.join(".init.lock"))?;
        let db = Connection::open(&db_path).map_err(|e| format!("{}: {e}", db_path.display()))?;
        db.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| e.to_string())?;
        db.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS packages (normalized_name TEXT PRIMARY KEY, entry TEXT NOT NULL);",
        )
        .map_err(|e| format!("{}: {e}", db_path.display()))?;
        drop(init_lock);
        let search = SearchIndex::open_or_create(&dir.join("search")).map_err(|e| e.to_string())?;
        let index = LocalIndex { db, search };
        index.repair_search()?;
        Ok(index)
    }

    /// The database commits before the search index is written; if the
    /// second step failed (or was interrupted), the two serials differ and
    /// the search index is rebuilt from the database.
    fn repair_search(&self) -> Result<(), String> {
        let state = self.state();
        let indexed = self.search.indexed_serial();
        if state.synced_at.is_none() || indexed == Some(state.serial) {
            return Ok(());
        }
        let mut stmt = self.db.prepare("SELECT entry FROM packages").map_err(|e| e.to_string())?;
        let docs: Vec<SearchDoc> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().and_then(|e| serde_json::from_str::<IndexPackage>(&e).ok()))
            .filter_map(|p| search_doc(&p))
            .collect();
        self.search.rebuild(docs, state.serial).map_err(|e| e.to_string())
    }

    fn meta(&self, key: &str) -> Option<String> {
        self.db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional().ok().flatten()
    }

    pub fn state(&self) -> IndexState {
        IndexState {
            registry_url: self.meta("registry_url"),
            serial: self.meta("serial").and_then(|s| s.parse().ok()).unwrap_or(0),
            synced_at: self.meta("synced_at").and_then(|s| s.parse().ok()),
            changes_etag: self.meta("changes_etag"),
            packages: self.db.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get::<_, i64>(0)).unwrap_or(0)
                as u64,
        }
    }

    /// Seconds since the last sync, read from the database alone (opening
    /// the search index of a large registry costs tens of milliseconds).
    pub fn age_of(dir: &Path) -> Option<u64> {
        let db = Connection::open_with_flags(dir.join("index.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        let synced: String = db.query_row("SELECT value FROM meta WHERE key = 'synced_at'", [], |r| r.get(0)).ok()?;
        synced.parse::<u64>().ok().map(|t| now().saturating_sub(t))
    }

    /// Seconds since the last sync, None if never synced.
    pub fn age_secs(&self) -> Option<u64> {
        self.state().synced_at.map(|t| now().saturating_sub(t))
    }

    /// Starts replacing everything with a full snapshot, fed one package at
    /// a time ([`Replacement::add`]); nothing changes until
    /// [`Replacement::finish`], so a snapshot that fails half way leaves
    /// the index as it was.
    pub fn replace(&mut self) -> Result<Replacement<'_>, String> {
        let LocalIndex { db, search } = self;
        let tx = db.transaction().map_err(|e| e.to_string())?;
        tx.execute("DELETE FROM packages", []).map_err(|e| e.to_string())?;
        Ok(Replacement { tx, search, docs: Vec::new(), count: 0 })
    }

    /// Applies changed packages (and removes `missing` ones) after `serial`.
    pub fn apply(&mut self, serial: i64, packages: Vec<IndexPackage>, missing: &[String]) -> Result<(), String> {
        let tx = self.db.transaction().map_err(|e| e.to_string())?;
        for p in &packages {
            let entry = serde_json::to_string(p).expect("entries serialize");
            tx.execute(
                "INSERT INTO packages (normalized_name, entry) VALUES (?1, ?2) \
                 ON CONFLICT(normalized_name) DO UPDATE SET entry = excluded.entry",
                params![p.normalized_name, entry],
            )
            .map_err(|e| e.to_string())?;
        }
        for m in missing {
            tx.execute("DELETE FROM packages WHERE normalized_name = ?1", [m]).map_err(|e| e.to_string())?;
        }
        set_meta(&tx, "serial", &serial.to_string())?;
        set_meta(&tx, "synced_at", &now().to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
        let upsert: Vec<SearchDoc> = packages.iter().filter_map(search_doc).collect();
        let mut remove: Vec<String> = missing.to_vec();
        remove.extend(packages.iter().filter(|p| latest(p).is_none()).map(|p| p.normalized_name.clone()));
        self.search.apply(&upsert, &remove, serial).map_err(|e| e.to_string())
    }

    pub fn touch(&self, changes_etag: Option<&str>) -> Result<(), String> {
        set_meta_conn(&self.db, "synced_at", &now().to_string())?;
        if let Some(e) = changes_etag {
            set_meta_conn(&self.db, "changes_etag", e)?;
        }
        Ok(())
    }

    /// The package's entry; `None` when the index does not have it.
    pub fn get(&self, normalized_name: &str) -> Result<Option<IndexPackage>, IndexReadError> {
        let entry: Option<String> = self
            .db
            .query_row("SELECT entry FROM packages WHERE normalized_name = ?1", [normalized_name], |r| r.get(0))
            .optional()?;
        entry
            .map(|e| {
                serde_json::from_str(&e)
                    .map_err(|problem| IndexReadError::Entry { name: normalized_name.to_owned(), problem })
            })
            .transpose()
    }

    pub fn search(&self, q: &SearchQuery<'_>) -> Result<(Vec<IndexPackage>, usize), String> {
        let page = self.search.search(q).map_err(|e| e.to_string())?;
        // A hit whose entry is gone (removed since the search index was
        // written) is skipped; one that cannot be read is an error.
        let found = page
            .hits
            .iter()
            .filter_map(|h| self.get(&h.normalized_name).transpose())
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        Ok((found, page.total))
    }

    /// Deletes the whole offline index (`sync --rebuild-index`).
    pub fn destroy(dir: &Path) -> Result<(), String> {
        match fs_err::remove_dir_all(dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A full replacement in progress (see [`LocalIndex::replace`]). Only the
/// search documents are kept in memory, not the packages.
pub struct Replacement<'a> {
    tx: rusqlite::Transaction<'a>,
    search: &'a SearchIndex,
    docs: Vec<SearchDoc>,
    count: u64,
}

impl Replacement<'_> {
    pub fn add(&mut self, p: IndexPackage) -> Result<(), String> {
        let entry = serde_json::to_string(&p).expect("entries serialize");
        self.tx
            .prepare_cached(
                "INSERT INTO packages (normalized_name, entry) VALUES (?1, ?2) \
                 ON CONFLICT(normalized_name) DO UPDATE SET entry = excluded.entry",
            )
            .and_then(|mut stmt| stmt.execute(params![p.normalized_name, entry]))
            .map_err(|e| e.to_string())?;
        self.docs.extend(search_doc(&p));
        self.count += 1;
        Ok(())
    }

    /// Commits the packages added, recorded as `registry_url` at `serial`,
    /// and rebuilds the search index from them. Returns how many there are.
    pub fn finish(self, registry_url: &str, serial: i64) -> Result<u64, String> {
        let Replacement { tx, search, mut docs, count } = self;
        let stored =
            tx.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get::<_, i64>(0)).map_err(|e| e.to_string())?;
        set_meta(&tx, "registry_url", registry_url)?;
        set_meta(&tx, "serial", &serial.to_string())?;
        set_meta(&tx, "synced_at", &now().to_string())?;
        tx.execute("DELETE FROM meta WHERE key = 'changes_etag'", []).map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
        // A package sent twice counts once: the later entry, as in the database.
        if stored as u64 != count {
            docs.reverse();
            let mut seen = std::collections::HashSet::new();
            docs.retain(|d| seen.insert(d.normalized_name.clone()));
            docs.reverse();
        }
        search.rebuild(docs, serial).map_err(|e| e.to_string())?;
        Ok(stored as u64)
    }
}

fn set_meta(tx: &rusqlite::Transaction<'_>, key: &str, value: &str) -> Result<(), String> {
    set_meta_conn(tx, key, value)
}

fn set_meta_conn(c: &Connection, key: &str, value: &str) -> Result<(), String> {
    c.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}
