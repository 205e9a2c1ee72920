//! Checking a package's files against `rpyx-build.json`.
//!
//! A [`Verifier`] follows a pass over the files that the caller drives: it
//! inflates a file (within what the pass may inflate in all) and hashes it,
//! hands the bytes back for the caller's own use, and at the end compares
//! what it saw with `rpyx-build.json`. So a caller that also scans the files
//! (`revitpy-check`) inflates each once. [`Package::verify`] is that pass
//! with nothing else to do.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::build_info::{BuildInfo, FileRecord};
use crate::expansion_budget::ExpansionBudget;
use crate::problem::Problem;
use crate::read::{EntryMeta, Package};
use crate::read_error::ReadError;
use crate::{BUILD_ENTRY, MANIFEST_ENTRY};

/// One pass's check of a package's files against `rpyx-build.json`.
pub struct Verifier<'p> {
    package: &'p Package,
    info: Option<BuildInfo>,
    budget: ExpansionBudget,
    records: Vec<FileRecord>,
    /// Reading `rpyx-build.json`, then each file that could not be read, in
    /// the order the files were added.
    problems: Vec<Problem>,
}

impl Package {
    /// Starts a check of the files against `rpyx-build.json` (read now, the
    /// only entry inflated here).
    pub fn verifier(&self) -> Verifier<'_> {
        let mut problems = Vec::new();
        let info = match self.build_info() {
            Ok(b) => b,
            Err(p) => {
                problems.push(p);
                None
            }
        };
        Verifier { package: self, info, budget: self.budget(), records: Vec::new(), problems }
    }

    /// Reads every file (in parallel), hashes it, and compares it with
    /// `rpyx-build.json`. Returns each file's record and the problems found.
    pub fn verify(&self) -> (Vec<FileRecord>, Vec<Problem>) {
        let mut verifier = self.verifier();
        let files: Vec<&EntryMeta> = self.files().collect();
        let outcomes: Vec<Result<FileRecord, ReadError>> =
            files.par_iter().map(|e| verifier.read(e).map(|(_, record)| record)).collect();
        for outcome in outcomes {
            verifier.add(outcome);
        }
        let manifest = self.manifest_bytes().ok();
        verifier.finish(manifest.as_deref())
    }
}

impl Verifier<'_> {
    /// Inflates one of the package's files, never past what it declares nor
    /// past what the pass may inflate in all, and measures it: its bytes (for
    /// the caller) and its record. Safe to call from several threads.
    pub fn read(&self, entry: &EntryMeta) -> Result<(Vec<u8>, FileRecord), ReadError> {
        let bytes = self.package.read(entry)?;
        self.budget.spend(bytes.len())?;
        let record = FileRecord {
            path: entry.path.clone(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
        };
        Ok((bytes, record))
    }

    /// What [`Verifier::read`] gave for the next file, in archive order.
    pub fn add(&mut self, outcome: Result<FileRecord, ReadError>) {
        match outcome {
            Ok(record) => self.records.push(record),
            Err(e) => self.problems.push(e.to_problem()),
        }
    }

    /// The records of the files read, and the problems: reading
    /// `rpyx-build.json`, reading the files, then every difference from it.
    /// `manifest` is `rpyx-manifest.json` as the caller read it (`None` when
    /// it could not be), checked against the sha256 recorded for it.
    pub fn finish(self, manifest: Option<&[u8]>) -> (Vec<FileRecord>, Vec<Problem>) {
        let Verifier { info, records, mut problems, .. } = self;
        problems.extend(compare_with_build_info(info.as_ref(), manifest, &records));
        (records, problems)
    }
}

fn compare_with_build_info(info: Option<&BuildInfo>, manifest: Option<&[u8]>, records: &[FileRecord]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Some(listed) = info.and_then(|i| i.files.as_ref()) else {
        problems.push(Problem::warning(
            BUILD_ENTRY,
            None,
            "has no file hashes (a package from the original builder?), so files cannot be checked; rebuild it with `revitpy-install registry build`",
        ));
        return problems;
    };
    if let Some(want) = info.and_then(|i| i.manifest_sha256.as_deref())
        && let Some(bytes) = manifest
        && hex::encode(Sha256::digest(bytes)) != want
    {
        problems.push(Problem::error(
            MANIFEST_ENTRY,
            None,
            "does not match the sha256 recorded in rpyx-build.json; the manifest was changed after the build",
        ));
    }
    let listed: HashMap<&str, &FileRecord> = listed.iter().map(|r| (r.path.as_str(), r)).collect();
    let mut seen = HashSet::new();
    for rec in records {
        seen.insert(rec.path.as_str());
        match listed.get(rec.path.as_str()) {
            None => problems.push(Problem::error(
                &rec.path,
                None,
                "is in the archive but not in rpyx-build.json; it was added after the build",
            )),
            Some(want) if want.size != rec.size || !want.sha256.eq_ignore_ascii_case(&rec.sha256) => {
                problems.push(Problem::error(
                    &rec.path,
                    None,
                    format!(
                        "does not match rpyx-build.json: sha256 {} ({} bytes), expected {} ({} bytes)",
                        rec.sha256, rec.size, want.sha256, want.size
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    for path in listed.keys() {
        if !seen.contains(path) {
            problems.push(Problem::error(path, None, "is listed in rpyx-build.json but missing from the archive"));
        }
    }
    problems
}
