//! What the `scan` fuzz target does with an input, shared with the
//! regression test `crates/revitpy-scan/tests/fuzz_regressions.rs` (included
//! by path: the fuzz crate is a workspace of its own).

use revitpy_scan::{Entry, ManifestFacts, scan as scan_package};

/// Arbitrary bytes as one Python file of a package, with the default
/// manifest facts; the report must serialize (the registry stores it as JSON).
pub fn scan(data: &[u8]) {
    let report = scan_package(&ManifestFacts::default(), &[Entry { path: "pkg/fuzz.py", bytes: data }]);
    serde_json::to_vec(&report).expect("a scan report serializes");
}
