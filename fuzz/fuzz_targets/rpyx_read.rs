//! Arbitrary bytes as a `.rpyx` through the defensive reader, the way an
//! upload or `validate` reads one: open and check the central directory,
//! read every entry (folders too), then the format's part of the check
//! (manifest, build information, verification of every file against its
//! hash, the manifest's file references). Any panic, abort, timeout or
//! memory blow-up is a bug: hostile archives must come back as `Err` or as
//! problems.
//! The steps are in `fuzz/steps/format.rs`, shared with the regression tests.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../steps/format.rs"]
mod steps;

fuzz_target!(|data: &[u8]| steps::rpyx_read(data));
