//! `registry sync [--rebuild-index]`: the local index follows the registry,
//! and holds only what the registry signed.
//!
//! First sync (or a different registry, or `--rebuild-index`): one compact
//! snapshot (zstd JSON lines), streamed to a file through a cap and read
//! into a fresh index folder, which replaces the old one only when it is
//! complete and verified. Later: the change feed since the stored serial (a
//! 304 when nothing changed), then only the changed packages, 500 per
//! request, applied in one transaction.
//!
//! Either way nothing is committed before the result matches the
//! registry's signed index document: signed by the index key this client
//! trusts ([`crate::trust`]), not older than the newest it has seen, not
//! expired, and with the digest of exactly the packages received. While the
//! registry moves on during a sync, the sync follows the change feed up to
//! the serial of the signed document, a bounded number of times.
//!
//! A registry can misbehave, so a sync is bounded: the serial must advance
//! on every page of the change feed, at most [`MAX_CHANGE_PAGES`] pages are
//! followed, the whole sync has a deadline (`REVITPY_SYNC_TIMEOUT`), and one
//! sync at a time holds the index (a background refresh that finds it held
//! stops at once).

use std::collections::BTreeSet;

use revitpy_client::RegistryClient;
use revitpy_client::snapshot::read_form;
use revitpy_sign::index::IndexMeta;
use serde_json::json;

use crate::ExitStatus;
use crate::cli::SyncArgs;
use crate::local_index::{LocalIndex, Update};
use crate::printer::Printer;
use crate::settings::Settings;
use crate::trust::Trust;

/// The most change-feed pages one sync follows: a million changes at the
/// registry's default page size, far more than a registry sees between two
/// syncs. A feed that says "more" forever ends here.
pub const MAX_CHANGE_PAGES: usize = 1_000;

/// How many times a sync catches up with a registry that changed between
/// the packages it sent and the signed document that covers them.
pub const MAX_VERIFY_ROUNDS: usize = 10;

pub struct SyncReport {
    pub full: bool,
    pub changed: usize,
    pub packages: u64,
    pub serial: i64,
    pub bytes: u64,
    pub up_to_date: bool,
    pub index_key: String,
    /// The key was pinned by this sync (first use).
    pub pinned: bool,
    pub expires: i64,
    /// Where a full sync's time went, in order.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Why a sync failed: the message, and whether the registry could not be
/// reached at all (the caller may go on offline) rather than refused.
#[derive(Debug)]
pub struct SyncError {
    pub message: String,
    pub unreachable: bool,
}

impl From<String> for SyncError {
    fn from(message: String) -> Self {
        SyncError { message, unreachable: false }
    }
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn net(e: revitpy_client::ClientError) -> SyncError {
    SyncError { unreachable: e.is_unreachable(), message: e.to_string() }
}

/// What the change feed said after a serial.
struct Feed {
    names: BTreeSet<String>,
    /// The newest change serial seen (the serial asked from if none).
    until: i64,
    etag: Option<String>,
    bytes: u64,
    /// Unchanged since the ETag given (304).
    not_modified: bool,
}

async fn follow_feed(client: &RegistryClient, since: i64, etag: Option<String>) -> Result<Feed, SyncError> {
    let mut feed = Feed { names: BTreeSet::new(), until: since, etag, bytes: 0, not_modified: false };
    let mut pages = 0;
    loop {
        pages += 1;
        if pages > MAX_CHANGE_PAGES {
            return Err(SyncError::from(format!(
                "the registry's change feed (/api/changes) still said more changes follow after {MAX_CHANGE_PAGES} pages; \
                 run `revitpy-install registry sync --rebuild-index` to fetch a full snapshot instead"
            )));
        }
        let Some(fetched) = client.changes(feed.until, feed.etag.as_deref()).await.map_err(net)? else {
            feed.not_modified = pages == 1;
            break;
        };
        feed.bytes += fetched.bytes;
        feed.etag = fetched.etag;
        let before = feed.until;
        for c in &fetched.value.changes {
            feed.names.insert(c.name.clone());
            feed.until = feed.until.max(c.serial);
        }
        if !fetched.value.more {
            break;
        }
        // Asking again with the same serial would get the same page forever.
        if feed.until <= before {
            return Err(SyncError::from(format!(
                "the registry's change feed (/api/changes?since={before}) said more changes follow but sent none after serial {before}; \
                 the registry is misbehaving"
            )));
        }
    }
    Ok(feed)
}

/// Fetches the named packages into `update` (those the registry lacks are removed).
async fn fetch_into(
    client: &RegistryClient,
    names: &BTreeSet<String>,
    update: &mut Update<'_>,
) -> Result<u64, SyncError> {
    let names: Vec<String> = names.iter().cloned().collect();
    let mut bytes = 0;
    for chunk in names.chunks(500) {
        let fetched = client.index_packages(chunk).await.map_err(net)?;
        bytes += fetched.bytes;
        for p in fetched.value.packages {
            if !chunk.contains(&p.normalized_name) {
                return Err(SyncError::from(format!(
                    "the registry sent {} when asked for other packages",
                    p.normalized_name
                )));
            }
            update.put(p, None)?;
        }
        for m in &fetched.value.missing {
            update.remove(m)?;
        }
    }
    Ok(bytes)
}

/// Brings `update` (at `serial`) to the registry's signed index and
/// verifies it; returns the document, its text and the serial reached.
async fn settle(
    client: &RegistryClient,
    trust: &mut Trust,
    update: &mut Update<'_>,
    mut serial: i64,
    bytes: &mut u64,
    changed: &mut BTreeSet<String>,
) -> Result<(IndexMeta, String, i64), SyncError> {
    for _ in 0..MAX_VERIFY_ROUNDS {
        let fetched = client.index_signed().await.map_err(net)?;
        *bytes += fetched.bytes;
        let meta = trust.open_index(client, &fetched.value).await?;
        if meta.serial == serial {
            update.verify(&meta)?;
            return Ok((meta, serde_json::to_string(&fetched.value).expect("serializes"), serial));
        }
        if meta.serial < serial {
            return Err(SyncError::from(format!(
                "the registry's signed index is at serial {}, behind the changes it sent (serial {serial})",
                meta.serial
            )));
        }
        let feed = follow_feed(client, serial, None).await?;
        *bytes += feed.bytes;
        *bytes += fetch_into(client, &feed.names, update).await?;
        changed.extend(feed.names);
        serial = feed.until;
    }
    Err(SyncError::from(format!(
        "the registry changed on each of {MAX_VERIFY_ROUNDS} attempts to match its signed index; try again in a moment"
    )))
}

/// Brings the index up to date. The caller holds the sync lock.
pub async fn sync(settings: &Settings, client: &RegistryClient, rebuild: bool) -> Result<SyncReport, SyncError> {
    let mut trust = Trust::load(settings)?;
    // Opening creates the folder: only an index that exists is opened.
    let exists = settings.index_dir().join("index.db").is_file();
    let existing = if rebuild || !exists { None } else { LocalIndex::open(&settings.index_dir()).ok() };
    let state = existing.as_ref().map(|i| i.state()).unwrap_or_default();
    let same_registry = state.registry_url.as_deref() == Some(settings.registry_url.as_str());
    let verified = existing.as_ref().is_some_and(|i| i.signed().is_some());
    let Some(mut index) = existing.filter(|_| !rebuild && same_registry && state.synced_at.is_some() && verified)
    else {
        return full_sync(settings, client, &mut trust).await;
    };
    let root = trust.root(client).await?;
    let feed = follow_feed(client, state.serial, state.changes_etag.clone()).await?;
    let mut bytes = feed.bytes;
    if feed.names.is_empty() {
        // Nothing new in the feed; the signed document must still say so,
        // and may carry a later expiry.
        let fetched = client.index_signed().await.map_err(net)?;
        bytes += fetched.bytes;
        let meta = trust.open_index(client, &fetched.value).await?;
        let stored = index.signed().and_then(|env| trust.open_stored(&env).ok());
        if meta.serial == state.serial && stored.as_ref().is_some_and(|s| s.digest == meta.digest) {
            let text = serde_json::to_string(&fetched.value).expect("serializes");
            index.touch(feed.etag.as_deref(), Some(&text))?;
            trust.record(&meta)?;
            return Ok(SyncReport {
                full: false,
                changed: 0,
                packages: meta.packages,
                serial: state.serial,
                bytes,
                up_to_date: true,
                index_key: root.key_id,
                pinned: trust.first_use,
                expires: meta.expires,
                phases: Vec::new(),
            });
        }
        if meta.serial == state.serial {
            return Err(SyncError::from(format!(
                "the registry's signed index at serial {} is not the one this index was verified with at that serial: \
                 the registry's history was rewritten; `revitpy-install registry sync --rebuild-index` starts again",
                meta.serial
            )));
        }
    }
    let mut update = index.begin()?;
    let mut changed = feed.names.clone();
    bytes += fetch_into(client, &feed.names, &mut update).await?;
    let (meta, text, serial) = settle(client, &mut trust, &mut update, feed.until, &mut bytes, &mut changed).await?;
    let (packages, _) = update.commit(&settings.registry_url, serial, &text)?;
    trust.record(&meta)?;
    // Remember the ETag for "nothing after `serial`" only if that is true
    // now; a publish during this sync must not be answered with a 304 next
    // time. The changes are stored already: a failure here only costs that ETag.
    if let Ok(Some(f)) = client.changes(serial, None).await {
        bytes += f.bytes;
        let quiet = f.value.changes.is_empty();
        index.touch(if quiet { f.etag.as_deref() } else { None }, None)?;
    }
    Ok(SyncReport {
        full: false,
        changed: changed.len(),
        packages,
        serial,
        bytes,
        up_to_date: false,
        index_key: trust.pinned().map(|r| r.key_id.clone()).unwrap_or_default(),
        pinned: trust.first_use,
        expires: meta.expires,
        phases: Vec::new(),
    })
}

/// The whole index from a snapshot: fetched into a file first, read into a
/// fresh index folder beside the old one, verified, and only then put in
/// the old one's place. A failure anywhere leaves the old index as it was.
async fn full_sync(settings: &Settings, client: &RegistryClient, trust: &mut Trust) -> Result<SyncReport, SyncError> {
    fs_err::create_dir_all(&settings.cache_dir).map_err(|e| e.to_string())?;
    let mut spool = tempfile::Builder::new()
        .prefix(".snapshot-")
        .tempfile_in(&settings.cache_dir)
        .map_err(|e| format!("{}: {e}", settings.cache_dir.display()))?;
    let compact = std::env::var("REVITPY_SNAPSHOT_FORMAT").map_or(true, |f| f != "json");
    let mut phases = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |phases: &mut Vec<_>, name| {
        phases.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let fetched = client.snapshot_to(spool.as_file_mut(), compact).await.map_err(net)?;
    lap(&mut phases, "download");
    let mut bytes = fetched.bytes;
    let root = trust.root(client).await?;
    let fresh = tempfile::Builder::new()
        .prefix(".index-new-")
        .tempdir_in(&settings.cache_dir)
        .map_err(|e| format!("{}: {e}", settings.cache_dir.display()))?;
    let (packages, meta, serial) = {
        let mut index = LocalIndex::create_fresh(fresh.path())?;
        let mut update = index.begin_full()?;
        let file = spool.reopen().map_err(|e| e.to_string())?;
        let summary = read_form(fetched.value, file, |p, text| update.put(p, text))?;
        lap(&mut phases, "read and store");
        let mut changed = BTreeSet::new();
        let (meta, text, serial) = settle(client, trust, &mut update, summary.serial, &mut bytes, &mut changed).await?;
        lap(&mut phases, "verify");
        let (packages, search) = update.commit(&settings.registry_url, serial, &text)?;
        index.make_durable()?;
        lap(&mut phases, "commit");
        phases.push(("of which the commits of the search index and the database", search));
        (packages, meta, serial)
    };
    replace_dir(fresh, &settings.index_dir())?;
    trust.record(&meta)?;
    Ok(SyncReport {
        full: true,
        changed: packages as usize,
        packages,
        serial,
        bytes,
        up_to_date: false,
        index_key: root.key_id,
        pinned: trust.first_use,
        expires: meta.expires,
        phases,
    })
}

/// Puts the folder `fresh` where `target` is: the old one moves aside
/// first, and comes back if the new one cannot take its place.
fn replace_dir(fresh: tempfile::TempDir, target: &std::path::Path) -> Result<(), String> {
    let fresh = fresh.keep();
    let aside = target.with_extension(format!("old-{}", std::process::id()));
    let had_old = match fs_err::rename(target, &aside) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            let _ = fs_err::remove_dir_all(&fresh);
            return Err(format!("the old index could not be moved aside (is another program using it?): {e}"));
        }
    };
    if let Err(e) = fs_err::rename(&fresh, target) {
        if had_old {
            let _ = fs_err::rename(&aside, target);
        }
        let _ = fs_err::remove_dir_all(&fresh);
        return Err(e.to_string());
    }
    if had_old {
        let _ = LocalIndex::destroy(&aside);
    }
    Ok(())
}

/// A sync with the deadline of `REVITPY_SYNC_TIMEOUT`.
fn sync_with_deadline(settings: &Settings, client: &RegistryClient, rebuild: bool) -> Result<SyncReport, SyncError> {
    let deadline = settings.sync_timeout;
    crate::block_on(async {
        tokio::time::timeout(deadline, sync(settings, client, rebuild)).await.unwrap_or_else(|_| {
            Err(SyncError::from(format!(
                "it took longer than {} s (REVITPY_SYNC_TIMEOUT); the registry at {} is too slow to answer",
                deadline.as_secs(),
                settings.registry_url
            )))
        })
    })
}

/// Brings the local index up to date before another command uses it
/// (install), waiting for a sync another process runs.
pub fn sync_now(settings: &Settings, client: &RegistryClient, printer: &Printer) -> Result<SyncReport, SyncError> {
    let lock = crate::os::lock_file(&settings.sync_lock_path())?;
    let report = sync_with_deadline(settings, client, false);
    drop(lock);
    if let Ok(r) = &report
        && r.pinned
    {
        printer.note(format!(
            "trusting {}'s index key {} from now on (first use; set REVITPY_REGISTRY_KEY to pin a key beforehand)",
            settings.registry_url, r.index_key
        ));
    }
    report
}

pub fn run(args: SyncArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    // One sync at a time per cache. A background refresh that finds another
    // sync running has nothing to add and stops; a sync the user asked for
    // waits (the other one ends by its deadline at the latest).
    let lock = match crate::os::try_lock_file(&settings.sync_lock_path()) {
        Ok(Some(lock)) => lock,
        Ok(None) if args.background => {
            printer.detail("another sync of the local index is running; this background refresh stops");
            return ExitStatus::Success;
        }
        Ok(None) => {
            printer.note("another sync of the local index is running; waiting for it to finish");
            match crate::os::lock_file(&settings.sync_lock_path()) {
                Ok(lock) => lock,
                Err(e) => {
                    printer.error(e);
                    return ExitStatus::Failure;
                }
            }
        }
        Err(e) => {
            printer.error(e);
            return ExitStatus::Failure;
        }
    };
    let client = match RegistryClient::new(&settings.registry_url) {
        Ok(c) => c,
        Err(e) => {
            printer.error(e.to_string());
            return ExitStatus::Failure;
        }
    };
    let started = std::time::Instant::now();
    let result = sync_with_deadline(settings, &client, args.rebuild_index);
    drop(lock);
    match result {
        Ok(r) => {
            if r.pinned {
                printer.note(format!(
                    "trusting {}'s index key {} from now on (first use; set REVITPY_REGISTRY_KEY to pin a key beforehand)",
                    settings.registry_url, r.index_key
                ));
            }
            if printer.json_mode() {
                printer.json(&json!({
                    "registry_url": settings.registry_url,
                    "full": r.full,
                    "up_to_date": r.up_to_date,
                    "changed_packages": r.changed,
                    "packages": r.packages,
                    "serial": r.serial,
                    "bytes": r.bytes,
                    "index_key": r.index_key,
                    "signed_expires": r.expires,
                    "phases_ms": r.phases.iter().map(|(name, d)| json!({"phase": name, "ms": d.as_millis() as u64})).collect::<Vec<_>>(),
                    "elapsed_ms": started.elapsed().as_millis() as u64,
                }));
            } else if r.up_to_date {
                printer.line(format!("Index up to date ({} packages, serial {}).", r.packages, r.serial));
            } else if r.full {
                printer.line(format!(
                    "Synced {} packages from {} (serial {}, {} bytes) in {:.0?}.",
                    r.packages,
                    settings.registry_url,
                    r.serial,
                    r.bytes,
                    started.elapsed()
                ));
            } else {
                printer.line(format!(
                    "Updated {} packages (serial {}, {} bytes) in {:.0?}.",
                    r.changed,
                    r.serial,
                    r.bytes,
                    started.elapsed()
                ));
            }
            ExitStatus::Success
        }
        Err(e) => {
            printer.error(format!("sync failed: {e}; the local index was left as it was"));
            ExitStatus::Failure
        }
    }
}
