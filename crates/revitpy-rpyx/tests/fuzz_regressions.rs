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

/// The fuzz targets' own steps.
#[path = "../../../fuzz/steps/format.rs"]
mod steps;
use steps::{manifest, portable_path, rpyx_read};

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
