//! Arbitrary bytes as one Python file through the scanner, with the default
//! manifest facts, as `revitpy_scan::scan` sees a package's `.py` file. The
//! scan must finish (libFuzzer's -timeout) within the memory limit, and its
//! report must serialize (the registry stores it as JSON).
//! The steps are in `fuzz/steps/scan.rs`, shared with the regression test.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../steps/scan.rs"]
mod steps;

fuzz_target!(|data: &[u8]| steps::scan(data));
