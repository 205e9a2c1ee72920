//! Arbitrary bytes as a `.rpyx` through the defensive reader, the way an
//! upload or `validate` reads one: open and check the central directory,
//! read every entry (folders too), then the whole inspection (manifest,
//! build information, verification of every file against its hash, the
//! manifest's file references). Any panic, abort, timeout or memory blow-up
//! is a bug: hostile archives must come back as `Err` or as problems.
//! `crates/revitpy-rpyx/tests/fuzz_regressions.rs` runs the same steps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use revitpy_rpyx::{Limits, Package, inspect};

fuzz_target!(|data: &[u8]| {
    let Ok(package) = Package::from_bytes(data.to_vec(), Limits::default()) else {
        return;
    };
    for entry in package.entries() {
        let _ = package.read(entry);
    }
    let _ = package.build_info();
    let inspection = inspect::inspect_package(package, None);
    let _ = inspection.valid();
});
