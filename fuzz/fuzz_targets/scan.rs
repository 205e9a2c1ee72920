//! Arbitrary bytes as one Python file through the scanner, with the default
//! manifest facts, as `revitpy_scan::scan` sees a package's `.py` file. The
//! scan must finish (libFuzzer's -timeout) within the memory limit, and its
//! report must serialize (the registry stores it as JSON).
//! `crates/revitpy-scan/tests/fuzz_regressions.rs` runs the same steps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use revitpy_scan::{Entry, ManifestFacts, scan};

fuzz_target!(|data: &[u8]| {
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/fuzz.py", bytes: data }]);
    serde_json::to_vec(&report).expect("a scan report serializes");
});
