//! The offline index: every package the registry had at the last sync, in
//! SQLite (one row per package, the registry's own JSON entry), plus a
//! search index built with the server's search crate so offline results are
//! ranked exactly as online ones. Lives in `<cache>/index/`, which cache
//! cleanup never touches.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use revitpy_api::{IndexPackage, IndexVersion};
use revitpy_names::Version;
use revitpy_search::{SearchDoc, SearchIndex, SearchQuery};
use revitpy_sign::index::{BINS, Envelope, Hash, IndexMeta, bin_digest, bin_of, entry_digest, index_digest};
use rusqlite::{Connection, OptionalExtension, params};

pub struct LocalIndex {
    db: Connection,
    search: SearchIndex,
    writes: Writes,
    /// The database file.
    path: std::path::PathBuf,
}

#[derive(Debug, Default, Clone)]
pub struct IndexState {
    pub registry_url: Option<String>,
    pub serial: i64,
    pub synced_at: Option<u64>,
    pub changes_etag: Option<String>,
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

/// The local index's layout; an index written by an earlier layout is
/// emptied on open (the next sync fetches it whole).
const FORMAT: &str = "4";

/// How an index's database writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writes {
    /// The index in use: WAL, so readers never wait for a sync.
    Shared,
    /// A fresh folder a full sync fills, which replaces the index in use
    /// only once complete and verified (or is deleted): no write-ahead log,
    /// no syncs to disk while it fills, and a rollback journal in memory
    /// only (it holds nothing: every page is new). The
    /// database is made WAL and synced to disk by [`LocalIndex::make_durable`].
    /// Half the time of a full sync at 100,000 packages went to SQLite
    /// writing every page twice (log, then checkpoint).
    Fresh,
}

impl LocalIndex {
    pub fn open(dir: &Path) -> Result<LocalIndex, String> {
        Self::open_with(dir, Writes::Shared)
    }

    /// Opens an index in a new, empty folder for a full sync to fill (see
    /// [`Writes::Fresh`]); [`LocalIndex::make_durable`] makes it an
    /// ordinary index once filled.
    pub fn create_fresh(dir: &Path) -> Result<LocalIndex, String> {
        if dir.join("index.db").exists() {
            return Err(format!("{}: not a fresh folder", dir.display()));
        }
        Self::open_with(dir, Writes::Fresh)
    }

    fn open_with(dir: &Path, writes: Writes) -> Result<LocalIndex, String> {
        fs_err::create_dir_all(dir).map_err(|e| e.to_string())?;
        let db_path = dir.join("index.db");
        // One process at a time sets the database up (WAL switch, tables):
        // SQLite answers "database is locked" at once to a second one.
        let init_lock = crate::os::lock_file(&dir.join(".init.lock"))?;
        let db = Connection::open(&db_path).map_err(|e| format!("{}: {e}", db_path.display()))?;
        db.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| e.to_string())?;
        let fail = |e: rusqlite::Error| format!("{}: {e}", db_path.display());
        let pragmas = match writes {
            Writes::Shared => "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            Writes::Fresh => {
                "PRAGMA page_size=16384; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-16384;"
            }
        };
        db.execute_batch(pragmas).map_err(fail)?;
        db.execute_batch("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
            .map_err(fail)?;
        let format: Option<String> =
            db.query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| r.get(0)).optional().map_err(fail)?;
        if format.as_deref() != Some(FORMAT) {
            // Entries without digests cannot be checked against a signed
            // index: start empty, and the next sync is a full one.
            db.execute_batch(&format!(
                "BEGIN;
                 DROP TABLE IF EXISTS packages; DROP TABLE IF EXISTS digests; DROP TABLE IF EXISTS bins;
                 DELETE FROM meta;
                 CREATE TABLE packages (normalized_name TEXT PRIMARY KEY, entry TEXT NOT NULL);
                 -- Each package's digest by bin, in the order a bin's digest
                 -- takes them: a bin is read without visiting the entries
                 -- (2 ms a package otherwise, at 100,000 packages).
                 CREATE TABLE digests (bin INTEGER NOT NULL, normalized_name TEXT NOT NULL, digest BLOB NOT NULL,
                                       PRIMARY KEY (bin, normalized_name)) WITHOUT ROWID;
                 CREATE TABLE bins (bin INTEGER PRIMARY KEY, digest BLOB NOT NULL);
                 INSERT INTO meta (key, value) VALUES ('format', '{FORMAT}');
                 COMMIT;"
            ))
            .map_err(fail)?;
        }
        drop(init_lock);
        // A command runs a query or two: the cheap open.
        let search = SearchIndex::open_or_create_for_few_queries(&dir.join("search")).map_err(|e| e.to_string())?;
        let index = LocalIndex { db, search, writes, path: db_path };
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
        }
    }

    /// The signed index document the index was last verified against.
    pub fn signed(&self) -> Option<Envelope> {
        self.meta("signed_index").and_then(|t| serde_json::from_str(&t).ok())
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

    /// Starts replacing everything (a full snapshot): nothing changes until
    /// [`Update::commit`], so a snapshot that fails half way, or does not
    /// match the signed index, leaves the index as it was.
    pub fn begin_full(&mut self) -> Result<Update<'_>, String> {
        let LocalIndex { db, search, writes, .. } = self;
        let fresh = *writes == Writes::Fresh;
        let tx = db.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch("DELETE FROM packages; DELETE FROM digests; DELETE FROM bins;").map_err(|e| e.to_string())?;
        let bins = (0..BINS).map(|b| (b, BTreeMap::new())).collect();
        // Fed as packages arrive: tantivy indexes on its own thread while
        // this one parses and stores.
        let rebuild = Some(search.begin_rebuild().map_err(|e| e.to_string())?);
        Ok(Update { tx, search, rebuild, bins, docs: HashMap::new(), removed: HashSet::new(), fresh })
    }

    /// Starts applying changed packages; as [`LocalIndex::begin_full`],
    /// nothing is visible before [`Update::commit`].
    pub fn begin(&mut self) -> Result<Update<'_>, String> {
        let LocalIndex { db, search, .. } = self;
        let tx = db.transaction().map_err(|e| e.to_string())?;
        Ok(Update {
            tx,
            search,
            rebuild: None,
            bins: BTreeMap::new(),
            docs: HashMap::new(),
            removed: HashSet::new(),
            fresh: false,
        })
    }

    /// Turns an index made by [`LocalIndex::create_fresh`] (and committed)
    /// into an ordinary one, on disk: WAL, synced, before it replaces the
    /// index in use.
    pub fn make_durable(&mut self) -> Result<(), String> {
        if self.writes == Writes::Fresh {
            let fail = |e: rusqlite::Error| format!("{}: {e}", self.path.display());
            self.db.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA journal_mode=WAL;").map_err(fail)?;
            // A handle with write access: Windows refuses to flush a read-only one.
            fs_err::OpenOptions::new()
                .write(true)
                .open(&self.path)
                .and_then(|f| f.sync_all())
                .map_err(|e| e.to_string())?;
            self.writes = Writes::Shared;
        }
        Ok(())
    }

    /// Records that the index is still current: the sync time, the
    /// change feed's ETag, and a newer signature of the same state (a
    /// registry re-signs to move the expiry).
    pub fn touch(&self, changes_etag: Option<&str>, signed: Option<&str>) -> Result<(), String> {
        set_meta_conn(&self.db, "synced_at", &now().to_string())?;
        if let Some(e) = changes_etag {
            set_meta_conn(&self.db, "changes_etag", e)?;
        }
        if let Some(s) = signed {
            set_meta_conn(&self.db, "signed_index", s)?;
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

    /// Checks an entry read from this index against the signed index it
    /// was verified with: its digest, its bin's, and the index's, up to
    /// `meta` (whose signature the caller checked). An entry changed on
    /// disk since the sync is refused, naming the package.
    pub fn verify_entry(&self, p: &IndexPackage, meta: &IndexMeta) -> Result<(), String> {
        let normalized_name = p.normalized_name.as_str();
        let changed = || {
            format!(
                "the local index's entry for {normalized_name} does not match the registry's signed index \
                 (serial {}): it was changed on disk since the last sync; \
                 `revitpy-install registry sync --rebuild-index` fetches it again",
                meta.serial
            )
        };
        let own = entry_digest(p);
        let bin = bin_of(normalized_name);
        let db_err = |e: rusqlite::Error| e.to_string();
        let mut stmt = self
            .db
            .prepare_cached("SELECT normalized_name, digest FROM digests WHERE bin = ?1 ORDER BY normalized_name")
            .map_err(db_err)?;
        let mut members: Vec<(String, Hash)> = stmt
            .query_map([bin as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .map_err(db_err)?
            .map(|r| r.map_err(db_err).and_then(|(n, d)| Ok((n, hash_of(&d).ok_or_else(changed)?))))
            .collect::<Result<_, String>>()?;
        // The entry must be one its bin lists: a row added to `packages`
        // on disk, without a digest, would otherwise leave the bin's digest
        // unchanged and pass.
        let Some(slot) = members.iter_mut().find(|(n, _)| n == normalized_name) else {
            return Err(changed());
        };
        slot.1 = own;
        let mut bins = self.stored_bins().map_err(|_| changed())?;
        bins[bin] = bin_digest(members.iter().map(|(n, d)| (n.as_str(), d)));
        if hex::encode(index_digest(&bins)) != meta.digest {
            return Err(changed());
        }
        Ok(())
    }

    fn stored_bins(&self) -> Result<Vec<Hash>, String> {
        stored_bins(&self.db)
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

    /// Package names near a misspelt one (for a search that found nothing).
    pub fn suggest(&self, text: &str) -> Result<Vec<String>, String> {
        self.search.suggest(text, 5).map_err(|e| e.to_string())
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

fn hash_of(bytes: &[u8]) -> Option<Hash> {
    bytes.try_into().ok()
}

fn stored_bins(c: &Connection) -> Result<Vec<Hash>, String> {
    let mut bins = vec![bin_digest([]); BINS];
    let mut stmt = c.prepare_cached("SELECT bin, digest FROM bins").map_err(|e| e.to_string())?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))).map_err(|e| e.to_string())?;
    for row in rows {
        let (bin, digest) = row.map_err(|e| e.to_string())?;
        let slot = usize::try_from(bin).ok().filter(|b| *b < BINS).ok_or("a bin out of range")?;
        bins[slot] = hash_of(&digest).ok_or("a bin digest of the wrong length")?;
    }
    Ok(bins)
}

/// Changes to the index in progress (see [`LocalIndex::begin_full`] and
/// [`LocalIndex::begin`]). The packages go to SQLite at once, inside the
/// transaction; the digests of the bins they touch and the search
/// documents are kept in memory until [`Update::verify`] and
/// [`Update::commit`].
pub struct Update<'a> {
    tx: rusqlite::Transaction<'a>,
    search: &'a SearchIndex,
    /// A full update rebuilds the search index as packages arrive.
    rebuild: Option<revitpy_search::Rebuild<'a>>,
    /// Bins read (or, full, started empty), each package's digest by name.
    bins: BTreeMap<usize, BTreeMap<String, Hash>>,
    /// An incremental update's search changes, applied at commit.
    docs: HashMap<String, SearchDoc>,
    removed: HashSet<String>,
    /// The index was made by [`LocalIndex::create_fresh`].
    fresh: bool,
}

impl Update<'_> {
    fn bin(&mut self, bin: usize) -> Result<&mut BTreeMap<String, Hash>, String> {
        if !self.bins.contains_key(&bin) {
            let mut stmt = self
                .tx
                .prepare_cached("SELECT normalized_name, digest FROM digests WHERE bin = ?1")
                .map_err(|e| e.to_string())?;
            let members = stmt
                .query_map([bin as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
                .map_err(|e| e.to_string())?
                .map(|r| {
                    let (n, d) = r.map_err(|e| e.to_string())?;
                    Ok((n, hash_of(&d).ok_or("a package digest of the wrong length")?))
                })
                .collect::<Result<BTreeMap<_, _>, String>>()?;
            self.bins.insert(bin, members);
        }
        Ok(self.bins.get_mut(&bin).expect("inserted"))
    }

    /// Adds or replaces a package. `text` is the JSON it was parsed from,
    /// when the caller has it: stored as it is instead of written again
    /// (what is stored is read back through the same parse, and checked
    /// against the same digest, so the two are alike).
    pub fn put(&mut self, p: IndexPackage, text: Option<&str>) -> Result<(), String> {
        let digest = entry_digest(&p);
        let bin = bin_of(&p.normalized_name);
        let written;
        let entry = match text {
            Some(t) => t,
            None => {
                written = serde_json::to_string(&p).expect("entries serialize");
                written.as_str()
            }
        };
        self.tx
            .prepare_cached(
                "INSERT INTO packages (normalized_name, entry) VALUES (?1, ?2) \
                 ON CONFLICT(normalized_name) DO UPDATE SET entry = excluded.entry",
            )
            .and_then(|mut stmt| stmt.execute(params![p.normalized_name, entry]))
            .map_err(|e| e.to_string())?;
        self.tx
            .prepare_cached(
                "INSERT INTO digests (bin, normalized_name, digest) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(bin, normalized_name) DO UPDATE SET digest = excluded.digest",
            )
            .and_then(|mut stmt| stmt.execute(params![bin as i64, p.normalized_name, &digest[..]]))
            .map_err(|e| e.to_string())?;
        self.bin(bin)?.insert(p.normalized_name.clone(), digest);
        if let Some(rebuild) = &mut self.rebuild {
            match search_doc(&p) {
                Some(doc) => rebuild.add(&doc).map_err(|e| e.to_string())?,
                None => rebuild.remove(&p.normalized_name),
            }
            return Ok(());
        }
        match search_doc(&p) {
            Some(doc) => {
                self.removed.remove(&p.normalized_name);
                self.docs.insert(p.normalized_name, doc);
            }
            None => {
                self.docs.remove(&p.normalized_name);
                self.removed.insert(p.normalized_name);
            }
        }
        Ok(())
    }

    /// Removes a package the registry no longer has.
    pub fn remove(&mut self, normalized_name: &str) -> Result<(), String> {
        self.tx
            .execute("DELETE FROM packages WHERE normalized_name = ?1", [normalized_name])
            .map_err(|e| e.to_string())?;
        self.tx
            .execute(
                "DELETE FROM digests WHERE normalized_name = ?1 AND bin = ?2",
                params![normalized_name, bin_of(normalized_name) as i64],
            )
            .map_err(|e| e.to_string())?;
        self.bin(bin_of(normalized_name))?.remove(normalized_name);
        if let Some(rebuild) = &mut self.rebuild {
            rebuild.remove(normalized_name);
        }
        self.docs.remove(normalized_name);
        self.removed.insert(normalized_name.to_owned());
        Ok(())
    }

    /// Checks the index as it would be committed against the registry's
    /// signed index document (whose signature the caller checked).
    pub fn verify(&self, meta: &IndexMeta) -> Result<(), String> {
        let mut bins = if self.rebuild.is_some() { vec![bin_digest([]); BINS] } else { stored_bins(&self.tx)? };
        for (bin, members) in &self.bins {
            bins[*bin] = bin_digest(members.iter().map(|(n, d)| (n.as_str(), d)));
        }
        let packages: i64 =
            self.tx.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get(0)).map_err(|e| e.to_string())?;
        if hex::encode(index_digest(&bins)) != meta.digest || packages as u64 != meta.packages {
            return Err(format!(
                "the packages the registry sent do not match its signed index (serial {}, {} packages; received {}): \
                 names, versions, sha256s, sizes, yanked flags or signing keys were changed on the way \
                 (by a mirror, a proxy or a cache) or the registry is broken",
                meta.serial, meta.packages, packages
            ));
        }
        Ok(())
    }

    /// Commits: the packages, the digests of the bins touched, the signed
    /// document they were verified against, and `serial`; then the search
    /// index (beside the database, in an index made by
    /// [`LocalIndex::create_fresh`]). A full update also records
    /// `registry_url`. Returns how many packages the index holds, and how
    /// long the search index took.
    pub fn commit(self, registry_url: &str, serial: i64, signed: &str) -> Result<(u64, std::time::Duration), String> {
        let Update { tx, search, rebuild, bins, docs, removed, fresh } = self;
        let full = rebuild.is_some();
        for (bin, members) in &bins {
            let digest = bin_digest(members.iter().map(|(n, d)| (n.as_str(), d)));
            tx.execute(
                "INSERT INTO bins (bin, digest) VALUES (?1, ?2) ON CONFLICT(bin) DO UPDATE SET digest = excluded.digest",
                params![*bin as i64, &digest[..]],
            )
            .map_err(|e| e.to_string())?;
        }
        let stored =
            tx.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get::<_, i64>(0)).map_err(|e| e.to_string())?;
        if full {
            set_meta(&tx, "registry_url", registry_url)?;
            tx.execute("DELETE FROM meta WHERE key = 'changes_etag'", []).map_err(|e| e.to_string())?;
        }
        set_meta(&tx, "serial", &serial.to_string())?;
        set_meta(&tx, "synced_at", &now().to_string())?;
        set_meta(&tx, "signed_index", signed)?;
        let started = std::time::Instant::now();
        match rebuild {
            // A folder nobody uses yet: the order of the two commits does
            // not matter, so the search index is written beside the database's.
            Some(rebuild) if fresh => {
                let (search, db) = rebuild.commit_beside(serial, || tx.commit());
                db.map_err(|e| e.to_string())?;
                search.map_err(|e| e.to_string())?;
            }
            // An index in use: the database first (see `repair_search`).
            Some(rebuild) => {
                tx.commit().map_err(|e| e.to_string())?;
                rebuild.commit(serial).map_err(|e| e.to_string())?;
            }
            None => {
                tx.commit().map_err(|e| e.to_string())?;
                let upsert: Vec<SearchDoc> = docs.into_values().collect();
                let remove: Vec<String> = removed.into_iter().collect();
                search.apply(&upsert, &remove, serial).map_err(|e| e.to_string())?;
            }
        }
        Ok((stored as u64, started.elapsed()))
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
