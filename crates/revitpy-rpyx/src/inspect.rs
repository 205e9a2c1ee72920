//! The whole check of a built package: what `validate` prints and what an
//! upload runs before anything is stored.

use std::collections::HashSet;
use std::path::Path;

use revitpy_names::RevitYear;

use crate::MANIFEST_ENTRY;
use crate::build_info::FileRecord;
use crate::compat::{RevitVerdict, Verdict};
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::problem::{Problem, has_errors};
use crate::read::{Package, ReadError};

/// Everything known about one package file.
pub struct Inspection {
    pub file_size: u64,
    pub file_sha256: String,
    pub manifest: Option<Manifest>,
    pub files: Vec<FileRecord>,
    pub problems: Vec<Problem>,
    pub revit_verdict: Option<RevitVerdict>,
    /// The opened package, when it could be opened (for the scanner).
    pub package: Option<Package>,
}

impl Inspection {
    /// No problem is an error. Compatibility is judged apart ([`Self::compatible`]).
    pub fn valid(&self) -> bool {
        self.manifest.is_some() && !has_errors(&self.problems)
    }

    /// False only when a Revit year was asked about and the package excludes it.
    pub fn compatible(&self) -> bool {
        self.revit_verdict.as_ref().is_none_or(|v| v.verdict != Verdict::Incompatible)
    }
}

/// Opens, checks and verifies a package file. Only a file that cannot be
/// read at all is an `Err`; everything wrong inside it is a problem.
pub fn inspect_file(path: &Path, limits: Limits, year: Option<RevitYear>) -> Result<Inspection, ReadError> {
    let meta = fs_err::metadata(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
    if meta.is_dir() {
        return Err(ReadError::Destination(format!(
            "{} is a folder; give a .rpyx file (build one with `revitpy-install registry build`)",
            path.display()
        )));
    }
    match Package::open(path, limits) {
        Ok(package) => Ok(inspect_package(package, year)),
        Err(e @ ReadError::Io { .. }) => Err(e),
        Err(e) => {
            let bytes_meta = (meta.len(), String::new());
            Ok(Inspection {
                file_size: bytes_meta.0,
                file_sha256: bytes_meta.1,
                manifest: None,
                files: Vec::new(),
                problems: vec![problem_from_read_error(&e)],
                revit_verdict: None,
                package: None,
            })
        }
    }
}

pub fn problem_from_read_error(e: &ReadError) -> Problem {
    e.to_problem()
}

pub fn inspect_package(package: Package, year: Option<RevitYear>) -> Inspection {
    let mut problems = Vec::new();
    let manifest = match package.manifest() {
        Ok((m, p)) => {
            problems.extend(p);
            m
        }
        Err(e) => {
            problems.push(problem_from_read_error(&e));
            None
        }
    };
    let (files, verify_problems) = package.verify();
    problems.extend(verify_problems);
    if let Some(m) = &manifest {
        let names: HashSet<&str> = package.files().map(|e| e.path.as_str()).collect();
        problems.extend(crate::validate::check_files(m, &names, MANIFEST_ENTRY, &|f| f.to_owned()));
    }
    let revit_verdict = match (&manifest, year) {
        (Some(m), Some(y)) => Some(m.revit_compatibility.evaluate(y)),
        _ => None,
    };
    Inspection {
        file_size: package.size(),
        file_sha256: package.sha256().to_owned(),
        manifest,
        files,
        problems,
        revit_verdict,
        package: Some(package),
    }
}
