//! `revitpy-registry fsck`: the database and the blob store agree.
//!
//! Reports versions whose file is missing or corrupt (hash or size), and
//! orphan files no version references (what a crash between storing a file
//! and committing its version leaves). `--repair` deletes orphans; missing or
//! corrupt files cannot be repaired here and keep the exit status at 1.
//! An upload in flight has a file that is not referenced yet, so `--repair`
//! removes only orphans older than an hour, unless `--force` says the server
//! is stopped. Each removal happens under the store's write lock, after the
//! references are read again: a version committed while fsck was hashing
//! files keeps its file.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use revitpy_blobs::{BlobKey, BlobStore, OrphanRule};
use revitpy_store::Store;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub versions_checked: usize,
    pub blobs_checked: usize,
    pub missing: Vec<String>,
    pub corrupt: Vec<String>,
    pub orphans: Vec<String>,
    pub removed_orphans: Vec<String>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.missing.is_empty() && self.corrupt.is_empty() && self.orphans.len() == self.removed_orphans.len()
    }
}

pub async fn fsck(store: &dyn Store, blobs: Arc<dyn BlobStore>, repair: bool, force: bool) -> anyhow::Result<Report> {
    let referenced = store.referenced_blobs().await?;
    let stored = blobs.list(true).await?;
    let stored_by_key: HashMap<&str, (u64, bool)> =
        stored.iter().map(|b| (b.key.as_str(), (b.size, b.intact))).collect();
    let mut report = Report { versions_checked: referenced.len(), blobs_checked: stored.len(), ..Report::default() };
    let mut wanted = HashSet::new();
    for r in &referenced {
        let (sha, name, version, size) = (&r.sha256, &r.package, &r.version, r.size);
        wanted.insert(sha.as_str());
        match stored_by_key.get(sha.as_str()) {
            None => report.missing.push(format!("{name} {version}: file {sha} is missing")),
            Some((_, false)) => report.corrupt.push(format!("{name} {version}: file {sha} does not match its sha256")),
            Some((actual, true)) if *actual != size => {
                report.corrupt.push(format!("{name} {version}: file {sha} is {actual} bytes, expected {size}"))
            }
            Some(_) => {}
        }
    }
    for blob in &stored {
        if !wanted.contains(blob.key.as_str()) {
            report.orphans.push(blob.key.to_string());
            // A young unreferenced file may be an upload about to commit.
            // The listing is seconds old by now (rehashing takes time): the
            // store checks the references again, under its lock, and the
            // blob store checks the age again, right before deleting.
            if repair && (blob.old || force) {
                let key = BlobKey::parse(blob.key.as_str()).expect("listed keys are valid");
                let blobs = blobs.clone();
                let rule =
                    if force { OrphanRule::Any } else { OrphanRule::OlderThan(revitpy_blobs::file_store::STALE_TEMP) };
                let sha = key.as_str().to_owned();
                let removed = store
                    .remove_if_unreferenced(
                        &sha,
                        Box::new(move || blobs.remove_orphan_blocking(&key, rule).map_err(|e| e.to_string())),
                    )
                    .await?;
                if removed {
                    report.removed_orphans.push(blob.key.to_string());
                } else if store.blob_referenced(&sha).await? {
                    // A version committed since the listing: not an orphan.
                    report.orphans.pop();
                }
            }
        }
    }
    Ok(report)
}
