//! Arbitrary strings through the name and path checks of `revitpy-names`:
//! portable paths (ZIP entry names, entry points), package names, Revit
//! years and PEP 440 versions and specifiers. Nothing may panic, and a few
//! cheap invariants must hold for whatever is accepted.
//! The steps are in `fuzz/steps/format.rs`, shared with the regression tests.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../steps/format.rs"]
mod steps;

fuzz_target!(|data: &[u8]| steps::portable_path(data));
