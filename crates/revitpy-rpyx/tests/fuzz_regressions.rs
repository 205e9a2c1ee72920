//! Inputs that crashed the fuzz targets in fuzz/fuzz_targets/, replayed
//! through the same steps as each target. One folder per target under
//! `tests/fuzz_regressions/`; every file in it must now go through without a
//! panic. Add a file for every crash `scripts/fuzz` finds (minimized with
//! `cargo fuzz tmin`; see docs/RELIABILITY.md, "Fuzzing").
//!
//! * `portable_path/reserved-name-split-inside-char-*`,
//!   `manifest/entry-point-split-inside-char`,
//!   `rpyx_read/entry-name-split-inside-char*`: a name whose byte 3 falls
//!   inside a character (`Größe.py`, or a CP437 name) panicked in
//!   `is_reserved_windows_name`, from a path check, a manifest's entry
//!   point or a ZIP entry name.
//! * `manifest/roundtrip-undeclared-revit-compat`: a manifest without
//!   `revit_compatibility` is written with an empty one, which read back as
//!   declared (fixed: a table that names no version is undeclared).
//! * `manifest/dependency-pep508-name-panic`, `manifest/dependency-pep508-extra-name-panic`:
//!   `pep508_rs` panics on a package or extra name that ends in punctuation
//!   (`a-^`, `name[x.]`); names, extras and markers are refused first.
//! * `manifest/required-field-null`: `author:` with no value (null in YAML)
//!   was accepted as an empty author, and the written manifest was refused
//!   (fixed: null is missing).
//! * `manifest/summary-from-description-with-tab`: a summary made from a
//!   description's first line kept its tab, so the written manifest was
//!   refused when read back (fixed: the tab becomes a space).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use revitpy_names::portable_path::{case_fold, check_component, check_relative_path, is_reserved_windows_name};
use revitpy_names::{PackageName, RevitYear, Version, VersionSpecifiers, canonical_version, package_name};
use revitpy_rpyx::{Limits, Manifest, Package, inspect, source};

/// fuzz/fuzz_targets/rpyx_read.rs
fn rpyx_read(data: &[u8]) {
    let Ok(package) = Package::from_bytes(data.to_vec(), Limits::default()) else {
        return;
    };
    for entry in package.entries() {
        let _ = package.read(entry);
    }
    let _ = package.build_info();
    let inspection = inspect::inspect_package(package, None);
    let _ = inspection.valid();
}

/// fuzz/fuzz_targets/manifest.rs
fn manifest(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let manifest = match selector % 6 {
        5 => Manifest::from_package_json(rest).0,
        n => {
            let file = source::SOURCE_FILES[usize::from(n)];
            source::load_from_str(file, &String::from_utf8_lossy(rest)).manifest
        }
    };
    if let Some(m) = manifest {
        let written = serde_json::to_vec(&m.to_json()).expect("an accepted manifest serializes");
        let (again, problems) = Manifest::from_package_json(&written);
        let again = again.unwrap_or_else(|| panic!("the written manifest is refused: {problems:?}"));
        assert_eq!(again, m, "the written manifest reads back differently: {problems:?}");
    }
}

/// fuzz/fuzz_targets/portable_path.rs
fn portable_path(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    if check_relative_path(s).is_ok() {
        assert!(!s.starts_with('/') && !s.contains('\\'), "accepted an absolute path: {s:?}");
        assert!(s.split('/').all(|c| c != ".." && c != "." && !c.is_empty()), "accepted a traversal: {s:?}");
    }
    for component in s.split('/') {
        let _ = check_component(component);
        let _ = is_reserved_windows_name(component);
    }
    let _ = case_fold(s);
    if let Ok(name) = PackageName::new(s) {
        assert_eq!(name.normalized(), package_name::normalize(s));
        assert_eq!(PackageName::new(name.normalized()).ok().as_ref(), Some(&name), "normalized name: {s:?}");
    }
    let _ = package_name::normalize(s);
    if let Ok(year) = RevitYear::from_str(s) {
        assert_eq!(RevitYear::from_str(&year.to_string()), Ok(year));
    }
    if let Ok(v) = Version::from_str(s) {
        let canonical = canonical_version(&v);
        assert_eq!(Version::from_str(&canonical).as_ref(), Ok(&v), "canonical form of {s:?} is {canonical:?}");
    }
    if let Ok(spec) = VersionSpecifiers::from_str(s) {
        let _ = spec.to_string();
    }
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(target);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {}", dir.display());
    inputs
}

/// Runs every input of `target`, each to its end, and names every one that panicked.
fn replay(target: &str, run: fn(&[u8])) {
    let mut failed = Vec::new();
    for path in inputs(target) {
        let data = std::fs::read(&path).expect("read input");
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "these inputs panic again:\n{}", failed.join("\n"));
}

#[test]
fn rpyx_read_inputs_are_read_without_panicking() {
    replay("rpyx_read", rpyx_read);
}

#[test]
fn manifest_inputs_are_parsed_without_panicking() {
    replay("manifest", manifest);
}

#[test]
fn portable_path_inputs_are_checked_without_panicking() {
    replay("portable_path", portable_path);
}
