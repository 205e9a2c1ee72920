//! `revitpy-registry rescan [NAME...|--all]`: the current scanner over
//! stored versions.
//!
//! Each stored report names the scanner that wrote it
//! ([`revitpy_scan::SCANNER_ID`]); a version whose report was written by
//! another scanner (or by none named) is read from storage, scanned again,
//! and its report and status replaced. A changed status is appended to the
//! change feed (kind `rescan`), so clients' indexes and the search index
//! follow. It runs beside a live server: each version is one short write
//! transaction (SQLite in WAL mode: reads never wait for it), and the scans
//! run in this process, not the server's.

use std::path::PathBuf;
use std::time::Instant;

use revitpy_blobs::{BlobKey, BlobLocation, BlobStore};
use revitpy_check::CheckOptions;
use revitpy_rpyx::Limits;
use revitpy_store::{PackageDetailRecord, ScanStatus, Store};
use serde::Serialize;

/// Which versions to rescan.
pub struct Selection {
    /// Package names (any spelling); empty with `all`.
    pub names: Vec<String>,
    pub all: bool,
    /// Rescan versions whose report the current scanner already wrote.
    pub force: bool,
    /// Report what would change; write nothing.
    pub dry_run: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    pub scanner: String,
    /// Versions scanned again.
    pub scanned: usize,
    /// Versions skipped: their report is the current scanner's.
    pub current: usize,
    /// Versions whose status changed (written unless `dry_run`).
    pub changed: Vec<Changed>,
    /// Versions whose status stayed (report refreshed unless `dry_run`).
    pub unchanged: usize,
    /// Versions that could not be scanned, with why (their report is kept).
    pub failed: Vec<String>,
    /// Names given that are no package.
    pub unknown: Vec<String>,
    pub dry_run: bool,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct Changed {
    pub package: String,
    pub version: String,
    pub status_before: String,
    pub status_after: String,
    pub risk_level_before: Option<String>,
    pub risk_level_after: String,
    /// The change feed's serial of the new status (none in a dry run).
    pub serial: Option<i64>,
}

/// Packages read per page with `--all`.
const PAGE: usize = 200;

pub async fn rescan(
    store: &dyn Store,
    blobs: &dyn BlobStore,
    max_upload_bytes: u64,
    selection: &Selection,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut outcome =
        Outcome { scanner: revitpy_scan::SCANNER_ID.to_owned(), dry_run: selection.dry_run, ..Outcome::default() };
    if selection.all {
        let mut after = 0;
        loop {
            let page = store.index_page(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.package.id;
            for package in page {
                rescan_package(store, blobs, max_upload_bytes, selection, package, &mut outcome).await?;
            }
        }
    } else {
        for name in &selection.names {
            let normalized = revitpy_names::PackageName::new(name).map(|n| n.normalized().to_owned());
            let found = match normalized {
                Ok(n) => store.package_detail(&n).await?,
                Err(_) => None,
            };
            match found {
                Some(package) => {
                    rescan_package(store, blobs, max_upload_bytes, selection, package, &mut outcome).await?
                }
                None => outcome.unknown.push(name.clone()),
            }
        }
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    Ok(outcome)
}

async fn rescan_package(
    store: &dyn Store,
    blobs: &dyn BlobStore,
    max_upload_bytes: u64,
    selection: &Selection,
    package: PackageDetailRecord,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    for v in package.versions {
        let release = &v.release;
        let stored_by = release.security_scan.as_ref().and_then(|r| r.get("scanner")).and_then(|s| s.as_str());
        if !selection.force && stored_by == Some(revitpy_scan::SCANNER_ID) {
            outcome.current += 1;
            continue;
        }
        let label = format!("{} {}", package.package.normalized_name, release.version);
        let report = match scan_stored(blobs, release.file_sha256.as_str(), max_upload_bytes).await {
            Ok(report) => report,
            Err(why) => {
                outcome.failed.push(format!("{label}: {why}"));
                continue;
            }
        };
        outcome.scanned += 1;
        let status: ScanStatus = report
            .status()
            .parse()
            .map_err(|()| anyhow::anyhow!("the scanner's status `{}` is not a store status", report.status()))?;
        let before = release.security_scan_status;
        let risk_before = release
            .security_scan
            .as_ref()
            .and_then(|r| r.get("risk_level"))
            .and_then(|r| r.as_str())
            .map(str::to_owned);
        let serial = if selection.dry_run {
            None
        } else {
            let stored = crate::service::publish::stored_report(&report)?;
            store.set_scan(v.id, status, stored).await?
        };
        if before == status {
            outcome.unchanged += 1;
        } else {
            outcome.changed.push(Changed {
                package: package.package.normalized_name.clone(),
                version: release.version.to_string(),
                status_before: before.to_string(),
                status_after: status.to_string(),
                risk_level_before: risk_before,
                risk_level_after: report.risk_level.as_str().to_owned(),
                serial,
            });
        }
    }
    Ok(())
}

/// Reads a stored file and scans it, off the async threads.
async fn scan_stored(
    blobs: &dyn BlobStore,
    sha256: &str,
    max_upload_bytes: u64,
) -> Result<revitpy_scan::report::ScanReport, String> {
    let key = BlobKey::parse(sha256).ok_or_else(|| format!("stored hash {sha256} is not a sha256"))?;
    let missing = |e: revitpy_blobs::BlobError| format!("{e} (run `revitpy-registry fsck`)");
    // A file elsewhere (a bucket) is fetched into the spool folder first,
    // and removed when `_fetched` is dropped.
    let (path, _fetched): (PathBuf, Option<tempfile::TempPath>) = match blobs.locate(&key).await.map_err(missing)? {
        BlobLocation::File { path, .. } => (path, None),
        BlobLocation::Url { .. } => {
            let temp = tempfile::Builder::new()
                .prefix("rescan-")
                .tempfile_in(blobs.temp_dir())
                .map_err(|e| format!("{}: {e}", blobs.temp_dir().display()))?
                .into_temp_path();
            blobs.fetch_to(&key, &temp).await.map_err(missing)?;
            (temp.to_path_buf(), Some(temp))
        }
    };
    let options = CheckOptions {
        limits: Limits { max_archive_bytes: max_upload_bytes, ..Limits::default() },
        scan: true,
        ..CheckOptions::default()
    };
    let checked = tokio::task::spawn_blocking(move || revitpy_check::check_file(&path, &options))
        .await
        .map_err(|e| format!("the scan stopped: {e}"))?
        .map_err(|e| format!("cannot be read: {e}"))?;
    match checked.scan {
        Some(Ok(report)) => Ok(report),
        Some(Err(e)) => Err(format!("the scanner cannot read it: {e}")),
        None => Err("it was not scanned".to_owned()),
    }
}
