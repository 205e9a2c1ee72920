//! Inputs that crashed the `scan` fuzz target (fuzz/fuzz_targets/scan.rs),
//! replayed in this process through the same steps: each file in
//! `tests/fuzz_regressions/` as the one Python file of a package, with the
//! default manifest facts. The scan must finish, quickly, and its report must
//! serialize. Add a file here for every crash `scripts/fuzz` finds
//! (docs/RELIABILITY.md, "Fuzzing").
//!
//! * `join-chain-alloc-abort.py` (ruff's parser) and `-py2.py` (tree-sitter,
//!   for Python 2): each `.join([...])` of a chain multiplies the folded
//!   string, 2 bytes to 2 TB in four steps; the scanner aborted the process
//!   on the allocation.

use std::path::Path;
use std::time::{Duration, Instant};

/// The fuzz target's own steps.
#[path = "../../../fuzz/steps/scan.rs"]
mod steps;

/// The fuzz target's per-input time limit (`-timeout=10`), for a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(30);

#[test]
fn every_saved_crash_input_scans_to_a_report() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {}", dir.display());
    for path in inputs {
        let bytes = std::fs::read(&path).expect("read input");
        let start = Instant::now();
        steps::scan(&bytes);
        let took = start.elapsed();
        assert!(took < TIME_LIMIT, "{} took {took:?} to scan", path.display());
    }
}
