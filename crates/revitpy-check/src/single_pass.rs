//! The files of a package, read once: each batch ([`crate::batches`]) is
//! inflated in parallel through rpyx's [`revitpy_rpyx::Verifier`] (which stops each file at
//! its declared size and the pass at the archive's declared total, and
//! hashes each file), then the same bytes go to the scanner, then they are
//! dropped before the next batch is read.

use rayon::prelude::*;
use revitpy_rpyx::build_info::FileRecord;
use revitpy_rpyx::{EntryMeta, Package, Problem, ReadError};
use revitpy_scan::report::ScanReport;
use revitpy_scan::{Entry, ManifestFacts, Scan};

use crate::batches::{BATCH_BYTES, batches};

/// What the pass found.
pub struct Pass {
    /// The files read, in archive order.
    pub files: Vec<FileRecord>,
    /// Reading `rpyx-build.json`, reading the files, then every difference
    /// from `rpyx-build.json` ([`revitpy_rpyx::Verifier::finish`]).
    pub problems: Vec<Problem>,
    /// With `facts`: the report, or the first file the scanner could not
    /// have (a report over some of the files would say the package is
    /// cleaner than it is).
    pub scan: Option<Result<ScanReport, String>>,
}

/// Reads every file of `package` once, verifying it and, with `facts`,
/// scanning it. `manifest` is `rpyx-manifest.json` as the caller read it,
/// for its recorded sha256.
pub fn run(package: &Package, manifest: Option<&[u8]>, facts: Option<&ManifestFacts>) -> Pass {
    let mut verifier = package.verifier();
    let mut scan = facts.map(Scan::new);
    let mut unscannable: Option<String> = None;
    let files: Vec<&EntryMeta> = package.files().collect();
    for batch in batches(&files, BATCH_BYTES) {
        let read: Vec<Result<(Vec<u8>, FileRecord), ReadError>> = batch.par_iter().map(|e| verifier.read(e)).collect();
        if let Some(scan) = scan.as_mut()
            && unscannable.is_none()
        {
            feed(scan, batch, &read, &mut unscannable);
        }
        for outcome in read {
            verifier.add(outcome.map(|(_, record)| record));
        }
    }
    let (files, problems) = verifier.finish(manifest);
    let scan = scan.map(|s| match unscannable {
        Some(why) => Err(why),
        None => Ok(s.finish()),
    });
    Pass { files, problems, scan }
}

/// Hands a batch to the scanner, or notes the first file that could not be
/// read (and then scans no more).
fn feed(
    scan: &mut Scan<'_>,
    batch: &[&EntryMeta],
    read: &[Result<(Vec<u8>, FileRecord), ReadError>],
    unscannable: &mut Option<String>,
) {
    let mut entries = Vec::with_capacity(batch.len());
    for (e, outcome) in batch.iter().zip(read) {
        match outcome {
            Ok((bytes, _)) => entries.push(Entry { path: &e.path, bytes }),
            Err(why) => {
                *unscannable = Some(why.to_string());
                return;
            }
        }
    }
    scan.add(&entries);
}
