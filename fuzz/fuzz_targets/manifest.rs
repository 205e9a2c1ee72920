//! Arbitrary text through every manifest parser. The first byte picks the
//! source (`revitpy.toml`, `pyproject.toml`, `package.json`, `manifest.json`,
//! `manifest.yaml`, or the `rpyx-manifest.json` inside a package); the rest is
//! its text. Sources are read from text as `source::load_from_dir` does
//! after reading the file (non-UTF-8 becomes U+FFFD here, an error there).
//! The steps are in `fuzz/steps/format.rs`, shared with the regression tests.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../steps/format.rs"]
mod steps;

fuzz_target!(|data: &[u8]| steps::manifest(data));
