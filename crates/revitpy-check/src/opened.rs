//! The first half of a check: the package opened (its central directory
//! checked, nothing else inflated) and its manifest read.

use std::collections::HashSet;
use std::path::Path;

use revitpy_rpyx::validate::check_files;
use revitpy_rpyx::{MANIFEST_ENTRY, Manifest, Package, Problem, ReadError};

use crate::checked::Checked;
use crate::manifest_facts::manifest_facts;
use crate::options::CheckOptions;
use crate::single_pass;

/// A package opened for a check, with its manifest read; [`Opened::finish`]
/// reads the files.
pub struct Opened {
    file_size: u64,
    file_sha256: String,
    /// `None` when the archive could not be opened (the reason is a problem).
    package: Option<Package>,
    /// `rpyx-manifest.json` as read, kept for its sha256 in `rpyx-build.json`
    /// (read once, not again for that).
    manifest_bytes: Option<Vec<u8>>,
    manifest: Option<Manifest>,
    problems: Vec<Problem>,
    options: CheckOptions,
}

/// Opens a package file and reads its manifest. Only a file that cannot be
/// read at all (or a folder) is an `Err`, and a file that is not the size of
/// [`CheckOptions::known_digest`]; an archive that the reader refuses (not a
/// ZIP, past a limit, a hostile entry) is a problem of the check.
pub fn open_file(path: &Path, options: &CheckOptions) -> Result<Opened, ReadError> {
    let meta = fs_err::metadata(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
    if meta.is_dir() {
        return Err(ReadError::Destination(format!(
            "{} is a folder; give a .rpyx file (build one with `revitpy-install registry build`)",
            path.display()
        )));
    }
    match Package::open_known(path, options.limits, options.known_digest.as_ref()) {
        Ok(package) => Ok(Opened::from_package(package, options)),
        Err(e @ (ReadError::Io { .. } | ReadError::NotWhatWasHashed { .. })) => Err(e),
        Err(e) => Ok(Opened {
            file_size: meta.len(),
            file_sha256: options.known_digest.as_ref().map(|d| d.sha256().to_owned()).unwrap_or_default(),
            package: None,
            manifest_bytes: None,
            manifest: None,
            problems: vec![e.to_problem()],
            options: options.clone(),
        }),
    }
}

impl Opened {
    /// Reads the manifest of a package opened already (from bytes, or with
    /// options of the caller's own): `options.limits` and
    /// `options.known_digest` were for opening and are not used again.
    pub fn from_package(package: Package, options: &CheckOptions) -> Opened {
        let mut problems = Vec::new();
        let (manifest_bytes, manifest) = match package.manifest_bytes() {
            Ok(bytes) => {
                let (manifest, found) = Manifest::from_package_json(&bytes);
                problems.extend(found);
                (Some(bytes), manifest)
            }
            Err(e) => {
                problems.push(e.to_problem());
                (None, None)
            }
        };
        Opened {
            file_size: package.size(),
            file_sha256: package.sha256().to_owned(),
            package: Some(package),
            manifest_bytes,
            manifest,
            problems,
            options: options.clone(),
        }
    }

    /// The manifest, when it could be read and is valid.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// What was found so far: opening the archive, reading the manifest.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Reads every file once ([`single_pass`]): verified, scanned if asked,
    /// then the manifest's references to files and the Revit verdict.
    pub fn finish(self) -> Checked {
        let Opened { file_size, file_sha256, package, manifest_bytes, manifest, mut problems, options } = self;
        let revit_verdict = match (&manifest, options.revit_year) {
            (Some(m), Some(y)) => Some(m.revit_compatibility.evaluate(y)),
            _ => None,
        };
        let Some(package) = package else {
            return Checked {
                file_size,
                file_sha256,
                manifest,
                files: Vec::new(),
                problems,
                revit_verdict,
                scan: None,
                package: None,
            };
        };
        let facts = manifest.as_ref().filter(|_| options.scan).map(manifest_facts);
        let pass = single_pass::run(&package, manifest_bytes.as_deref(), facts.as_ref());
        problems.extend(pass.problems);
        if let Some(m) = &manifest {
            let names: HashSet<&str> = package.files().map(|e| e.path.as_str()).collect();
            problems.extend(check_files(m, &names, MANIFEST_ENTRY, &|f| f.to_owned()));
        }
        Checked {
            file_size,
            file_sha256,
            manifest,
            files: pass.files,
            problems,
            revit_verdict,
            scan: pass.scan,
            package: Some(package),
        }
    }
}
