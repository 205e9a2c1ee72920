//! `registry sync [--rebuild-index]`: the local index follows the registry.
//!
//! First sync (or a different registry, or `--rebuild-index`): one streamed
//! snapshot. Later: the change feed since the stored serial (a 304 when
//! nothing changed), then only the changed packages, 500 per request.

use std::collections::BTreeSet;

use revitpy_client::RegistryClient;
use serde_json::json;

use crate::ExitStatus;
use crate::cli::SyncArgs;
use crate::local_index::LocalIndex;
use crate::printer::Printer;
use crate::settings::Settings;

pub struct SyncReport {
    pub full: bool,
    pub changed: usize,
    pub packages: u64,
    pub serial: i64,
    pub bytes: u64,
    pub up_to_date: bool,
}

pub async fn sync(settings: &Settings, client: &RegistryClient, rebuild: bool) -> Result<SyncReport, String> {
    // One sync at a time per cache (a background refresh may be running):
    // a second one waits, then usually finds nothing new.
    let _lock = crate::os::lock_file(&settings.index_dir().join(".sync.lock"))?;
    let state = if rebuild { None } else { LocalIndex::open(&settings.index_dir()).ok().map(|i| i.state()) };
    let state = state.unwrap_or_default();
    let same_registry = state.registry_url.as_deref() == Some(settings.registry_url.as_str());
    if rebuild || !same_registry || state.synced_at.is_none() {
        // Fetch first: a failed download leaves the old index in place.
        let fetched = client.snapshot(None).await.map_err(|e| e.to_string())?.expect("no etag sent, so no 304");
        let count = fetched.value.packages.len();
        if rebuild {
            LocalIndex::destroy(&settings.index_dir())?;
        }
        let mut index = LocalIndex::open(&settings.index_dir())?;
        index.replace_all(&settings.registry_url, fetched.value.serial, fetched.value.packages)?;
        return Ok(SyncReport {
            full: true,
            changed: count,
            packages: count as u64,
            serial: fetched.value.serial,
            bytes: fetched.bytes,
            up_to_date: false,
        });
    }
    let mut since = state.serial;
    let mut bytes = 0;
    let mut names = BTreeSet::new();
    let mut etag = state.changes_etag.clone();
    let mut registry_serial = since;
    loop {
        match client.changes(since, etag.as_deref()).await.map_err(|e| e.to_string())? {
            None => break,
            Some(fetched) => {
                bytes += fetched.bytes;
                registry_serial = fetched.value.serial;
                etag = fetched.etag;
                for c in &fetched.value.changes {
                    names.insert(c.name.clone());
                    since = since.max(c.serial);
                }
                if !fetched.value.more {
                    break;
                }
            }
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
    let next = client.changes(since, None).await.map_err(|e| e.to_string())?;
    if let Some(f) = next {
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

pub fn run(args: SyncArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let client = match RegistryClient::new(&settings.registry_url, None) {
        Ok(c) => c,
        Err(e) => {
            printer.error(e.to_string());
            return ExitStatus::Failure;
        }
    };
    let started = std::time::Instant::now();
    let result = crate::block_on(sync(settings, &client, args.rebuild_index));
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
