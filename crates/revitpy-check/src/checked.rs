//! What a check found: one typed result for every caller.

use revitpy_rpyx::build_info::FileRecord;
use revitpy_rpyx::problem::has_errors;
use revitpy_rpyx::{Manifest, Package, Problem, RevitVerdict, Verdict};
use revitpy_scan::report::ScanReport;

/// Everything known about one package file.
pub struct Checked {
    pub file_size: u64,
    /// sha256 of the file, hex: taken while opening it, or the known one.
    /// Empty when the file could not be opened and no digest was given.
    pub file_sha256: String,
    pub manifest: Option<Manifest>,
    /// Each file read, in archive order, with its size and sha256.
    pub files: Vec<FileRecord>,
    /// Opening, the manifest, the files against `rpyx-build.json`, then the
    /// files the manifest names, in that order.
    pub problems: Vec<Problem>,
    /// Only when a Revit year was asked about and the manifest was read.
    pub revit_verdict: Option<RevitVerdict>,
    /// The scan's report, or why the scanner could not read every file (the
    /// first file that could not be read). `None` when no scan was asked, or
    /// when there is nothing to scan: the package could not be opened or its
    /// manifest read.
    pub scan: Option<Result<ScanReport, String>>,
    /// The opened package, when it could be opened: `install` extracts the
    /// very bytes that were checked.
    pub package: Option<Package>,
}

impl Checked {
    /// No problem is an error. Compatibility is judged apart ([`Self::compatible`]).
    pub fn valid(&self) -> bool {
        self.manifest.is_some() && !has_errors(&self.problems)
    }

    /// False only when a Revit year was asked about and the package excludes it.
    pub fn compatible(&self) -> bool {
        self.revit_verdict.as_ref().is_none_or(|v| v.verdict != Verdict::Incompatible)
    }
}
