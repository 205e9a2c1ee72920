//! `registry sync [--rebuild-index]`: the local index follows the registry.
//!
//! First sync (or a different registry, or `--rebuild-index`): one snapshot,
//! streamed to a file through a cap and read back package by package. Later:
//! the change feed since the stored serial (a 304 when nothing changed),
//! then only the changed packages, 500 per request.
//!
//! A registry can misbehave, so a sync is bounded: the serial must advance
//! on every page of the change feed, at most [`MAX_CHANGE_PAGES`] pages are
//! followed, the whole sync has a deadline (`REVITPY_SYNC_TIMEOUT`), and one
//! sync at a time holds the index (a background refresh that finds it held
//! stops at once).

use std::collections::BTreeSet;

use revitpy_client::RegistryClient;
use revitpy_client::snapshot::read_snapshot;
use serde_json::json;

use crate::ExitStatus;
use crate::cli::SyncArgs;
use crate::local_index::LocalIndex;
use crate::printer::Printer;
use crate::settings::Settings;

/// The most change-feed pages one sync follows: a million changes at the
/// registry's default page size, far more than a registry sees between two
/// syncs. A feed that says "more" forever ends here.
pub const MAX_CHANGE_PAGES: usize = 1_000;

pub struct SyncReport {
    pub full: bool,
    pub changed: usize,
    pub packages: u64,
    pub serial: i64,
    pub bytes: u64,
    pub up_to_date: bool,
}

/// Brings the index up to date. The caller holds the sync lock.
pub async fn sync(settings: &Settings, client: &RegistryClient, rebuild: bool) -> Result<SyncReport, String> {
    let state = if rebuild { None } else { LocalIndex::open(&settings.index_dir()).ok().map(|i| i.state()) };
    let state = state.unwrap_or_default();
    let same_registry = state.registry_url.as_deref() == Some(settings.registry_url.as_str());
    if rebuild || !same_registry || state.synced_at.is_none() {
        return full_sync(settings, client, rebuild).await;
    }
    let mut since = state.serial;
    let mut bytes = 0;
    let mut names = BTreeSet::new();
    let mut etag = state.changes_etag.clone();
    let mut registry_serial = since;
    let mut pages = 0;
    loop {
        pages += 1;
        if pages > MAX_CHANGE_PAGES {
            return Err(format!(
                "the registry's change feed (/api/changes) still said more changes follow after {MAX_CHANGE_PAGES} pages; \
                 run `revitpy-install registry sync --rebuild-index` to fetch a full snapshot instead"
            ));
        }
        let Some(fetched) = client.changes(since, etag.as_deref()).await.map_err(|e| e.to_string())? else {
            break;
        };
        bytes += fetched.bytes;
        registry_serial = fetched.value.serial;
        etag = fetched.etag;
        let before = since;
        for c in &fetched.value.changes {
            names.insert(c.name.clone());
            since = since.max(c.serial);
        }
        if !fetched.value.more {
            break;
        }
        // Asking again with the same serial would get the same page forever.
        if since <= before {
            return Err(format!(
                "the registry's change feed (/api/changes?since={before}) said more changes follow but sent none after serial {before}; \
                 the registry is misbehaving"
            ));
        }
    }
    let mut index = LocalIndex::open(&settings.index_dir())?;
    if names.is_empty() {
        index.touch(etag.as_deref())?;
        return Ok(SyncReport {
            full: false,
            changed: 0,
            packages: state.packages,
            serial: state.serial.max(registry_serial),
            bytes,
            up_to_date: true,
        });
    }
    let names: Vec<String> = names.into_iter().collect();
    let chunks: Vec<&[String]> = names.chunks(500).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let fetched = client.index_packages(chunk).await.map_err(|e| e.to_string())?;
        bytes += fetched.bytes;
        // The new serial is recorded with the last batch only: a failure in
        // between leaves the old one, and the next sync fetches them all again.
        let serial = if i + 1 == chunks.len() { since } else { state.serial };
        index.apply(serial, fetched.value.packages, &fetched.value.missing)?;
    }
    // Remember the ETag for "nothing after `since`" only if that is true now;
    // a publish during this sync must not be answered with a 304 next time.
    // The changes are stored already: a failure here only costs that ETag.
    if let Ok(Some(f)) = client.changes(since, None).await {
        bytes += f.bytes;
        let quiet = f.value.changes.is_empty();
        index.touch(if quiet { f.etag.as_deref() } else { None })?;
    }
    Ok(SyncReport {
        full: false,
        changed: names.len(),
        packages: index.state().packages,
        serial: since,
        bytes,
        up_to_date: false,
    })
}

/// The whole index from a snapshot: fetched into a file first (a failed
/// download leaves the old index in place), then read into the index one
/// package at a time.
async fn full_sync(settings: &Settings, client: &RegistryClient, rebuild: bool) -> Result<SyncReport, String> {
    // Beside the index, not in it: `--rebuild-index` deletes the index folder.
    fs_err::create_dir_all(&settings.cache_dir).map_err(|e| e.to_string())?;
    let mut spool = tempfile::Builder::new()
        .prefix(".snapshot-")
        .tempfile_in(&settings.cache_dir)
        .map_err(|e| format!("{}: {e}", settings.cache_dir.display()))?;
    let fetched = client.snapshot_to(spool.as_file_mut()).await.map_err(|e| e.to_string())?;
    let reopen = || spool.reopen().map_err(|e| e.to_string());
    if rebuild {
        // The old index goes before the new one is written: read the
        // snapshot through once first, so a broken one leaves it in place.
        read_snapshot(reopen()?, |_| Ok(()))?;
        LocalIndex::destroy(&settings.index_dir())?;
    }
    let mut index = LocalIndex::open(&settings.index_dir())?;
    // One transaction: a snapshot that turns out broken half way is rolled back.
    let mut replacement = index.replace()?;
    let summary = read_snapshot(reopen()?, |p| replacement.add(p))?;
    let packages = replacement.finish(&settings.registry_url, summary.serial)?;
    Ok(SyncReport {
        full: true,
        changed: packages as usize,
        packages,
        serial: summary.serial,
        bytes: fetched.bytes,
        up_to_date: false,
    })
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
    let deadline = settings.sync_timeout;
    let result = crate::block_on(async {
        tokio::time::timeout(deadline, sync(settings, &client, args.rebuild_index)).await.unwrap_or_else(|_| {
            Err(format!(
                "it took longer than {} s (REVITPY_SYNC_TIMEOUT); the registry at {} is too slow to answer",
                deadline.as_secs(),
                settings.registry_url
            ))
        })
    });
    drop(lock);
    match result {
        Ok(r) => {
            if printer.json_mode() {
                printer.json(&json!({
                    "registry_url": settings.registry_url,
                    "full": r.full,
                    "up_to_date": r.up_to_date,
                    "changed_packages": r.changed,
                    "packages": r.packages,
                    "serial": r.serial,
                    "bytes": r.bytes,
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
