//! The registry's derived full-text search index.
//!
//! The store is the truth; this index is a projection of it that can be
//! thrown away and rebuilt ([`SearchIndex::rebuild`]) at any time, kept up to
//! date by [`SearchIndex::apply`] on publish and yank. Each commit records
//! the registry serial it reflects, so a caller can tell how far behind the
//! index is ([`SearchIndex::indexed_serial`]) and replay only the rest.
//!
//! # Why tantivy, and how it is used
//!
//! SQLite FTS5 scores every matching row before it can sort (milliseconds
//! per query at 100,000 packages); tantivy walks compressed posting lists.
//! The server and the client's offline search both use this crate, so they
//! rank the same way, from RAM or from a folder.
//!
//! Modules, in the order a query meets them:
//!
//! - `query`: the text, capped at [`MAX_QUERY_CHARS`] characters and
//!   [`MAX_QUERY_WORDS`] distinct words, becomes terms through the same
//!   analyzer as the documents (lowercase, split on non-alphanumerics,
//!   English stemming) and a normalized name (PEP 503 folding plus
//!   whitespace). The tantivy query is built from terms, never parsed, so no
//!   input is a syntax error: an AND of the words over one text field.
//! - `schema`: that one text field holds name, keywords and categories,
//!   summary and description, each repeated by its weight (6, 3, 2, 1), so
//!   BM25 weighs a word by where it occurs (BM25F) while a word stays one
//!   posting list. One field per part, OR-ed per word at query time, cost
//!   several times more on common two-word queries (see `schema`).
//! - `segment_data`: each segment's keys, years, downloads and package
//!   types copied into vectors when the segment becomes searchable (a
//!   tantivy warmer), so the per-match work is array reads.
//! - `collector`: one pass over the matches applies the filters, counts
//!   the total, adds the docs whose name starts with the query, and keeps
//!   the first `offset + limit` by (exact name, name prefix, BM25, downloads
//!   desc, name asc). Filters therefore never change the order.
//!
//! `total` must count every match, so a query costs time in proportion to
//! the docs it matches (no top-k pruning is possible); at 100,000 packages
//! `benches/search.rs` measures it.
//!
//! # Ranking, in order
//!
//! 1. the doc whose normalized name equals the normalized query;
//! 2. docs whose normalized name starts with it;
//! 3. BM25 relevance (every query word must match, in any field);
//! 4. ties: more downloads first, then normalized name ascending.
//!
//! An empty or `*` query lists every doc passing the filters by downloads,
//! then name. [`SearchHit::score`] is the BM25 part only (0 for listings and
//! for docs that matched by name prefix alone), so it is not monotonic
//! across tiers.
//!
//! # Concurrency and persistence
//!
//! [`SearchIndex`] is `Send + Sync`: searches take no lock (a searcher is an
//! `Arc` snapshot); writes serialise on one writer, created on the first
//! write so that a process that only searches a folder never takes tantivy's
//! writer lock. Every write commits and reloads the reader before returning;
//! there is no other reload, so a process that only reads a folder sees it
//! as it was when opened (reopen to see another process's commits), and
//! segments merged in the background are picked up by the next write.
//! A folder written by another schema or format version is wiped and
//! recreated empty: the index is derived, the store rebuilds it.

mod collector;
mod deferred_sync;
mod query;
mod ram_directory;
mod schema;
mod segment_data;
mod stem_cache;
mod suggest;
#[doc(hidden)]
pub mod testdata;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};

use tantivy::directory::error::OpenReadError;
use tantivy::directory::{Directory, MmapDirectory};
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyError, Term, Warmer};

pub use deferred_sync::DIRTY_MARKER;
pub use query::{MAX_QUERY_CHARS, MAX_QUERY_WORDS, normalize_name};

use crate::collector::RankCollector;
use crate::deferred_sync::DeferredSyncDirectory;
use crate::query::Plan;
use crate::schema::{Fields, Payload};
use crate::segment_data::{Keys, SegmentCache};

/// Heap for the single indexing thread. tantivy's minimum is 15 MB; a bit
/// more keeps a full rebuild of 100,000 packages in few segments.
const WRITER_HEAP_BYTES: usize = 64_000_000;

/// How an index's commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Each commit is synced before it returns (tantivy's way): about eight
    /// fsyncs per commit.
    EveryCommit,
    /// Commits reach the OS only; [`SearchIndex::checkpoint`] makes them
    /// durable. For an index its owner can rebuild (the server's, from the
    /// store): after a crash it is checked on open, comes back empty if
    /// damaged, and otherwise catches up from the serial it records.
    Checkpoints,
}

/// One package as the index sees it: what is searched, filtered and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchDoc {
    /// Unique key, e.g. "wall-tools".
    pub normalized_name: String,
    /// Display name, e.g. "Wall_Tools".
    pub name: String,
    pub summary: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    /// "addon" | "library" | "template" | "tool".
    pub package_type: String,
    /// None = open below.
    pub min_revit: Option<u16>,
    /// None = open above.
    pub max_revit: Option<u16>,
    pub downloads: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchQuery<'a> {
    /// "" or "*" = list everything (matching the filters).
    pub text: &'a str,
    /// Keep docs with (min_revit is None or <= y) and (max_revit is None or >= y).
    pub revit_year: Option<u16>,
    pub package_type: Option<&'a str>,
    pub limit: usize,
    pub offset: usize,
}

impl<'a> SearchQuery<'a> {
    /// `text`, no filters, the first 20 hits.
    pub fn new(text: &'a str) -> Self {
        SearchQuery { text, revit_year: None, package_type: None, limit: 20, offset: 0 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub normalized_name: String,
    /// BM25 relevance of the words (0 for listings and name-prefix-only
    /// matches). Hits are ordered by name tier first, so this is not
    /// monotonic across a page.
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Matching docs in all, not just this page.
    pub total: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot create the search index folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the search index in {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: TantivyError,
    },
    #[error("cannot clear the outdated search index in {path}")]
    Wipe {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the search index in {location}")]
    Create {
        location: String,
        #[source]
        source: TantivyError,
    },
    #[error(
        "cannot update the search index in {location} while {step}{hint}",
        hint = if matches!(source, TantivyError::LockFailure(..)) {
            " (is another process updating it?)"
        } else {
            ""
        }
    )]
    Write {
        location: String,
        step: &'static str,
        #[source]
        source: TantivyError,
    },
    #[error("cannot sync the search index in {location} to disk")]
    Checkpoint {
        location: String,
        #[source]
        source: std::io::Error,
    },
    #[error("search in {location} failed")]
    Search {
        location: String,
        #[source]
        source: TantivyError,
    },
}

/// A rebuild in progress; see [`SearchIndex::begin_rebuild`].
pub struct Rebuild<'a> {
    index: &'a SearchIndex,
    guard: MutexGuard<'a, Option<IndexWriter>>,
    /// Keys added so far: adding one again replaces it, as in
    /// [`SearchIndex::rebuild`].
    seen: HashSet<String>,
    done: bool,
}

impl Rebuild<'_> {
    fn writer(&self) -> &IndexWriter {
        self.guard.as_ref().expect("a rebuild holds its writer until it ends")
    }

    /// Adds a document; one with a key added before replaces it.
    pub fn add(&mut self, doc: &SearchDoc) -> Result<(), SearchError> {
        let fields = &self.index.fields;
        if !self.seen.insert(doc.normalized_name.clone()) {
            self.writer().delete_term(Term::from_field_text(fields.key, &doc.normalized_name));
        }
        self.writer().add_document(schema::to_document(fields, doc)).map(|_| ()).map_err(|source| SearchError::Write {
            location: self.index.location.clone(),
            step: "adding a document",
            source,
        })
    }

    /// Removes a document added before (a package gone, or without a
    /// version to show).
    pub fn remove(&mut self, key: &str) {
        if self.seen.remove(key) {
            self.writer().delete_term(Term::from_field_text(self.index.fields.key, key));
        }
    }

    /// Commits everything added, recorded at `serial`, and reloads.
    pub fn commit(mut self, serial: i64) -> Result<(), SearchError> {
        self.done = true;
        let index = self.index;
        index.write_locked(&mut self.guard, serial, |_, _| Ok(()))
    }

    /// [`Rebuild::commit`] on a thread of its own while `beside` runs on
    /// this one: the last segment is written (a tenth of a second at
    /// 100,000 packages) while the caller commits what it keeps beside the
    /// index. Returns both outcomes.
    pub fn commit_beside<T>(mut self, serial: i64, beside: impl FnOnce() -> T) -> (Result<(), SearchError>, T) {
        self.done = true;
        let index = self.index;
        let writer = self.guard.as_mut().expect("a rebuild holds its writer until it ends");
        let (committed, other) = std::thread::scope(|s| {
            let committing = s.spawn(move || -> Result<(), (&'static str, TantivyError)> {
                let mut prepared = writer.prepare_commit().map_err(|e| ("preparing the commit", e))?;
                prepared.set_payload(&schema::payload(serial));
                prepared.commit().map_err(|e| ("committing", e))?;
                Ok(())
            });
            let other = beside();
            (committing.join(), other)
        });
        let committed = committed.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (index.after_commit(&mut self.guard, serial, committed), other)
    }
}

impl Drop for Rebuild<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Dropping the writer discards what was added: the index stays
            // at its last commit.
            *self.guard = None;
        }
    }
}

/// The search index; see the crate docs for the design.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Per-segment vectors, filled by the reader's warmer on each reload
    /// (the reader only holds a weak reference).
    cache: Arc<SegmentCache>,
    fields: Fields,
    /// Created on the first write; `None` again after a failed write, so
    /// the next one starts from the last commit.
    writer: Mutex<Option<IndexWriter>>,
    /// The serial of the last commit, cached so that reading it costs no I/O.
    serial: RwLock<Option<i64>>,
    /// The serial of operations staged on the writer but not committed yet
    /// ([`SearchIndex::stage`]); `None` when nothing waits. A search
    /// commits them first.
    staged: RwLock<Option<i64>>,
    /// Set when commits are not synced ([`Durability::Checkpoints`]).
    deferred: Option<DeferredSyncDirectory>,
    /// "memory" or the folder, for error messages.
    location: String,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("location", &self.location)
            .field("docs", &self.len())
            .field("indexed_serial", &self.indexed_serial())
            .finish()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the folder and an empty index if
    /// needed, with every commit synced ([`Durability::EveryCommit`]).
    /// The folder belongs to the index. If it holds an index of another
    /// schema or format version (or a corrupt one), that index is deleted
    /// and an empty one created: `indexed_serial()` is then `None` and the
    /// caller rebuilds from the store.
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        Self::open_or_create_with(dir, Durability::EveryCommit)
    }

    /// [`SearchIndex::open_or_create`] with a choice of [`Durability`].
    /// With [`Durability::Checkpoints`], a folder left with unsynced writes
    /// (a crash before [`SearchIndex::checkpoint`]) has every file's
    /// checksum verified, and comes back empty if any is damaged.
    pub fn open_or_create_with(dir: &Path, durability: Durability) -> Result<Self, SearchError> {
        Self::open_with(dir, durability, Keys::Copied)
    }

    /// [`SearchIndex::open_or_create`] for a process that runs a query or
    /// two and exits (the client's offline search): segments' keys are read
    /// from tantivy's dictionary when a query needs them, not copied at
    /// open. Opening 100,000 docs costs about a quarter; each query a
    /// little more.
    pub fn open_or_create_for_few_queries(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with(dir, Durability::EveryCommit, Keys::OnDemand)
    }

    fn open_with(dir: &Path, durability: Durability, keys: Keys) -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        fs_err::create_dir_all(dir).map_err(|source| SearchError::CreateDir { path: dir.to_owned(), source })?;
        let open_err = |source: TantivyError| SearchError::Open { path: dir.to_owned(), source };
        let location = dir.display().to_string();
        let open_dir = || -> Result<(Box<dyn Directory>, Option<DeferredSyncDirectory>), SearchError> {
            match durability {
                Durability::EveryCommit => {
                    let d = MmapDirectory::open(dir).map_err(|e| open_err(TantivyError::from(e)))?;
                    Ok((Box::new(d), None))
                }
                Durability::Checkpoints => {
                    let d = DeferredSyncDirectory::open(dir).map_err(|e| open_err(TantivyError::from(e)))?;
                    Ok((Box::new(d.clone()), Some(d)))
                }
            }
        };

        let (directory, deferred) = open_dir()?;
        let exists = Index::exists(directory.as_ref()).map_err(|e| open_err(TantivyError::from(e)))?;
        if exists {
            match Index::open(directory) {
                Ok(index) => {
                    let payload = index.load_metas().map(|m| m.payload);
                    let damaged = deferred.as_ref().is_some_and(DeferredSyncDirectory::is_dirty)
                        && !index.validate_checksum().is_ok_and(|corrupt| corrupt.is_empty());
                    match payload {
                        Ok(_) if damaged => {}
                        Ok(payload) if index.schema() == schema => match schema::parse_payload(payload.as_deref()) {
                            Payload::None => {
                                return Self::finish(index, fields, None, location, deferred, keys);
                            }
                            Payload::Ours { serial } => {
                                return Self::finish(index, fields, Some(serial), location, deferred, keys);
                            }
                            Payload::Foreign => {}
                        },
                        Ok(_) => {}
                        Err(e) if is_outdated_or_corrupt(&e) => {}
                        Err(e) => return Err(open_err(e)),
                    }
                    // Release the old index's files before deleting them
                    // (Windows refuses to delete open files).
                    drop(index);
                }
                Err(e) if is_outdated_or_corrupt(&e) => {}
                Err(e) => return Err(open_err(e)),
            }
            drop(deferred);
            wipe(dir)?;
        }
        let (directory, deferred) = open_dir()?;
        let index = Index::create(directory, schema, settings())
            .map_err(|source| SearchError::Create { location: location.clone(), source })?;
        Self::finish(index, fields, None, location, deferred, keys)
    }

    /// An empty index in RAM (tests, or a server that rebuilds on start).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let location = "memory".to_owned();
        let directory = ram_directory::LockingRamDirectory::default();
        let index = Index::create(directory, schema, settings())
            .map_err(|source| SearchError::Create { location: location.clone(), source })?;
        Self::finish(index, fields, None, location, None, Keys::Copied)
    }

    fn finish(
        index: Index,
        fields: Fields,
        serial: Option<i64>,
        location: String,
        deferred: Option<DeferredSyncDirectory>,
        keys: Keys,
    ) -> Result<Self, SearchError> {
        schema::register_analyzer(&index);
        // Manual: every write reloads before returning. tantivy's automatic
        // reload (on a watch of meta.json) raced with that explicit reload
        // for the meta lock, which tantivy retries after 100 ms: one write
        // in five took 100 ms in RAM. The cost: background merges become
        // visible at the next write, and a process that only reads a folder
        // sees it as it was when opened.
        let cache = Arc::new(SegmentCache::new(keys));
        let warmer: Arc<dyn Warmer> = cache.clone();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&warmer) as Weak<dyn Warmer>])
            .try_into()
            .map_err(|source| SearchError::Open { path: PathBuf::from(&location), source })?;
        Ok(SearchIndex {
            index,
            reader,
            cache,
            fields,
            writer: Mutex::new(None),
            serial: RwLock::new(serial),
            staged: RwLock::new(None),
            deferred,
            location,
        })
    }

    /// With [`Durability::Checkpoints`]: makes every commit so far durable,
    /// so that the next open needs no checksum pass. Cheap when nothing was
    /// written since the last one; a no-op with [`Durability::EveryCommit`].
    pub fn checkpoint(&self) -> Result<(), SearchError> {
        match &self.deferred {
            Some(d) => {
                d.checkpoint().map_err(|source| SearchError::Checkpoint { location: self.location.clone(), source })
            }
            None => Ok(()),
        }
    }

    /// Whether commits since the last checkpoint may not be on disk yet.
    pub fn has_unsynced_writes(&self) -> bool {
        self.deferred.as_ref().is_some_and(DeferredSyncDirectory::is_dirty)
    }

    /// The registry serial searches reflect: that of the last
    /// [`SearchIndex::stage`] if one waits (a search commits it first),
    /// else the one recorded with the last commit (tantivy commit payload);
    /// None if never committed.
    pub fn indexed_serial(&self) -> Option<i64> {
        self.staged_serial().or_else(|| self.committed_serial())
    }

    /// The serial recorded with the last commit: what a restart finds.
    pub fn committed_serial(&self) -> Option<i64> {
        *self.serial.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn staged_serial(&self) -> Option<i64> {
        *self.staged.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether staged operations wait for a commit (the next search, or
    /// [`SearchIndex::refresh`], commits them). Lets a server commit them
    /// once, off its request threads, before it runs searches.
    pub fn has_staged(&self) -> bool {
        self.staged_serial().is_some()
    }

    /// Like [`SearchIndex::apply`], but leaves the operations on the writer
    /// for the next commit instead of committing: the next search (or
    /// [`SearchIndex::refresh`], or any commit) commits them first, so a
    /// search that starts after this returns sees them, and many publishes
    /// share one commit. `indexed_serial()` is `serial` from now on.
    ///
    /// On failure, everything staged since the last commit is discarded
    /// and `indexed_serial()` falls back to the committed serial, so a
    /// caller that replays from it loses nothing.
    pub fn stage(&self, upsert: &[SearchDoc], remove: &[String], serial: i64) -> Result<(), SearchError> {
        let mut guard = self.lock_writer();
        let result = (|| {
            let writer = self.writer_in(&mut guard)?;
            upsert_ops(writer, &self.fields, upsert, remove)
        })();
        let mut staged = self.staged.write().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(()) => {
                *staged = Some(serial);
                Ok(())
            }
            Err((step, source)) => {
                *guard = None;
                *staged = None;
                Err(SearchError::Write { location: self.location.clone(), step, source })
            }
        }
    }

    /// Commits what [`SearchIndex::stage`] left, if anything, and reloads.
    /// Concurrent callers share one commit.
    pub fn refresh(&self) -> Result<(), SearchError> {
        if self.staged_serial().is_none() {
            return Ok(());
        }
        let mut guard = self.lock_writer();
        // Checked again with the writer held: another caller may have
        // committed while this one waited.
        match self.staged_serial() {
            Some(serial) => self.write_locked(&mut guard, serial, |_, _| Ok(())),
            None => Ok(()),
        }
    }

    /// Replaces docs by normalized_name (delete + add), deletes `remove`,
    /// records `serial`, commits (with anything staged before), and reloads
    /// the reader before returning, so a search right after sees the change. `remove` is applied after
    /// `upsert`: a name in both ends up removed. Within `upsert`, the last
    /// doc of a name wins.
    pub fn apply(&self, upsert: &[SearchDoc], remove: &[String], serial: i64) -> Result<(), SearchError> {
        self.write(serial, |writer, fields| upsert_ops(writer, fields, upsert, remove))
    }

    /// Deletes everything, adds all docs, commits with `serial`, reloads.
    /// Searches keep seeing the old contents until the commit.
    pub fn rebuild(&self, docs: impl IntoIterator<Item = SearchDoc>, serial: i64) -> Result<(), SearchError> {
        self.write(serial, |writer, fields| {
            writer.delete_all_documents().map_err(|e| ("deleting all documents", e))?;
            // Names are unique in the store, but a duplicate must not give
            // two docs for one key: like `apply`, the last one wins. Only
            // repeats pay for a delete.
            let mut seen = HashSet::new();
            for doc in docs {
                if !seen.insert(doc.normalized_name.clone()) {
                    writer.delete_term(Term::from_field_text(fields.key, &doc.normalized_name));
                }
                writer.add_document(schema::to_document(fields, &doc)).map_err(|e| ("adding a document", e))?;
            }
            Ok(())
        })
    }

    /// Starts a rebuild fed one document at a time ([`Rebuild::add`]):
    /// tantivy indexes each on its own thread as it arrives, so a caller
    /// that parses and stores while it feeds overlaps the two (a client's
    /// full sync: 2.5 s of indexing at 100,000 packages, otherwise after
    /// everything else). Nothing is visible before [`Rebuild::commit`];
    /// dropping the rebuild discards it. Holds the writer until then.
    pub fn begin_rebuild(&self) -> Result<Rebuild<'_>, SearchError> {
        let mut guard = self.lock_writer();
        let started = self
            .writer_in(&mut guard)
            .and_then(|w| w.delete_all_documents().map(|_| ()).map_err(|e| ("deleting all documents", e)));
        if let Err((step, source)) = started {
            *guard = None;
            return Err(SearchError::Write { location: self.location.clone(), step, source });
        }
        Ok(Rebuild { index: self, guard, seen: HashSet::new(), done: false })
    }

    /// Runs `ops` on the writer, then commits with `serial` and reloads.
    /// On any failure the writer is dropped, discarding what `ops` did, so
    /// the index stays at its last commit.
    fn write(
        &self,
        serial: i64,
        ops: impl FnOnce(&IndexWriter, &Fields) -> Result<(), (&'static str, TantivyError)>,
    ) -> Result<(), SearchError> {
        let mut guard = self.lock_writer();
        self.write_locked(&mut guard, serial, ops)
    }

    /// [`SearchIndex::write`] with the writer already locked. What was
    /// staged is committed with `ops` (they share the writer).
    fn write_locked(
        &self,
        guard: &mut MutexGuard<'_, Option<IndexWriter>>,
        serial: i64,
        ops: impl FnOnce(&IndexWriter, &Fields) -> Result<(), (&'static str, TantivyError)>,
    ) -> Result<(), SearchError> {
        let result = (|| {
            let writer = self.writer_in(guard)?;
            ops(writer, &self.fields)?;
            let mut prepared = writer.prepare_commit().map_err(|e| ("preparing the commit", e))?;
            prepared.set_payload(&schema::payload(serial));
            prepared.commit().map_err(|e| ("committing", e))?;
            Ok(())
        })();
        self.after_commit(guard, serial, result)
    }

    /// What follows a commit of the writer in `guard`, whatever its
    /// `result`: staging emptied, and the serial and reader moved on, or
    /// the writer dropped.
    fn after_commit(
        &self,
        guard: &mut MutexGuard<'_, Option<IndexWriter>>,
        serial: i64,
        result: Result<(), (&'static str, TantivyError)>,
    ) -> Result<(), SearchError> {
        // Staged operations were committed with these, or discarded with
        // the writer: either way nothing waits any more.
        *self.staged.write().unwrap_or_else(PoisonError::into_inner) = None;
        if let Err((step, source)) = result {
            **guard = None;
            return Err(SearchError::Write { location: self.location.clone(), step, source });
        }
        *self.serial.write().unwrap_or_else(PoisonError::into_inner) = Some(serial);
        // Reload while still holding the writer, so that two writers' reloads
        // cannot land in the wrong order.
        self.reader.reload().map_err(|source| SearchError::Write {
            location: self.location.clone(),
            step: "reloading the reader",
            source,
        })
    }

    /// The writer, created on first use (see the crate docs).
    fn writer_in<'g>(
        &self,
        guard: &'g mut MutexGuard<'_, Option<IndexWriter>>,
    ) -> Result<&'g mut IndexWriter, (&'static str, TantivyError)> {
        if guard.is_none() {
            let writer =
                self.index.writer_with_num_threads(1, WRITER_HEAP_BYTES).map_err(|e| ("opening the writer", e))?;
            **guard = Some(writer);
        }
        Ok(guard.as_mut().expect("writer was just set"))
    }

    fn lock_writer(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        // A panic while writing left at most uncommitted operations, which
        // dropping the writer discards.
        self.writer.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        })
    }

    /// Runs a query; see the crate docs for the ranking.
    pub fn search(&self, q: &SearchQuery<'_>) -> Result<SearchPage, SearchError> {
        // What was staged becomes visible before any search runs.
        self.refresh()?;
        let mut analyzer = schema::analyzer();
        let plan = query::plan(q.text, &mut analyzer);
        let (tantivy_query, normalized, scoring) = match &plan {
            Plan::ListAll => (query::all(), None, false),
            Plan::Text { normalized, words } => (query::build(&self.fields, words), Some(normalized.as_str()), true),
        };
        let collector = RankCollector {
            cache: &self.cache,
            normalized,
            revit_year: q.revit_year,
            package_type: q.package_type,
            keep: q.offset.saturating_add(q.limit),
            scoring,
        };
        let searcher = self.reader.searcher();
        let fruit = searcher
            .search(tantivy_query.as_ref(), &collector)
            .map_err(|source| SearchError::Search { location: self.location.clone(), source })?;
        let hits = fruit
            .ranked
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|r| {
                let (normalized_name, score) = r.into_parts();
                SearchHit { normalized_name, score }
            })
            .collect();
        Ok(SearchPage { hits, total: fruit.total })
    }

    /// Package names near `text` when it is a misspelt name (see the
    /// `suggest` module): at most `limit`, nearest first, then the most
    /// downloaded. Empty when `text` cannot be a name.
    pub fn suggest(&self, text: &str, limit: usize) -> Result<Vec<String>, SearchError> {
        self.refresh()?;
        suggest::suggest(&self.reader.searcher(), &self.fields, text, limit)
            .map_err(|source| SearchError::Search { location: self.location.clone(), source })
    }

    /// Number of live docs.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Number of segments the current searcher reads (each costs a little
    /// per query; background merges keep it low). For metrics and benches.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Replaces each doc of `upsert` (by key) and deletes the `remove` keys;
/// within one call the last upsert of a name wins and remove beats upsert.
fn upsert_ops(
    writer: &IndexWriter,
    fields: &Fields,
    upsert: &[SearchDoc],
    remove: &[String],
) -> Result<(), (&'static str, TantivyError)> {
    for doc in upsert {
        writer.delete_term(Term::from_field_text(fields.key, &doc.normalized_name));
        writer.add_document(schema::to_document(fields, doc)).map_err(|e| ("adding a document", e))?;
    }
    for name in remove {
        writer.delete_term(Term::from_field_text(fields.key, name));
    }
    Ok(())
}

fn settings() -> IndexSettings {
    IndexSettings {
        // We store no documents: nothing to compress, no thread for it.
        docstore_compress_dedicated_thread: false,
        ..IndexSettings::default()
    }
}

/// Errors that mean "this folder is not a usable index of ours" rather than
/// "the disk failed": wiping and rebuilding is the cure.
fn is_outdated_or_corrupt(e: &TantivyError) -> bool {
    matches!(
        e,
        TantivyError::SchemaError(_)
            | TantivyError::DataCorruption(_)
            | TantivyError::IncompatibleIndex(_)
            | TantivyError::DeserializeError(_)
            | TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_))
    )
}

/// Deletes tantivy's files in `dir` and nothing else: `meta.json`,
/// `.managed.json`, the lock files, segment files (32 hex digits, a dot,
/// an extension), temporary files of interrupted atomic writes (`.tmp*`)
/// and the unsynced-writes marker. The folder itself and anything else in it stay.
fn wipe(dir: &Path) -> Result<(), SearchError> {
    let wipe_err = |source| SearchError::Wipe { path: dir.to_owned(), source };
    for entry in fs_err::read_dir(dir).map_err(wipe_err)? {
        let entry = entry.map_err(wipe_err)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_segment_file = name
            .split_once('.')
            .is_some_and(|(stem, _)| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()));
        let ours = name == "meta.json"
            || name == ".managed.json"
            || name == DIRTY_MARKER
            || name.starts_with(".tantivy-")
            || name.starts_with(".tmp")
            || is_segment_file;
        if ours && entry.file_type().map_err(wipe_err)?.is_file() {
            fs_err::remove_file(entry.path()).map_err(wipe_err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_index_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SearchIndex>();
        assert_send_sync::<SearchError>();
    }
}
