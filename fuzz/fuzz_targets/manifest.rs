//! Arbitrary text through every manifest parser. The first byte picks the
//! source (`revitpy.toml`, `pyproject.toml`, `package.json`, `manifest.json`,
//! `manifest.yaml`, or the `rpyx-manifest.json` inside a package); the rest is
//! its text. Sources are read from text as `source::load_from_dir` does
//! after reading the file (non-UTF-8 becomes U+FFFD here, an error there).
//! `crates/revitpy-rpyx/tests/fuzz_regressions.rs` runs the same steps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use revitpy_rpyx::{Manifest, source};

fuzz_target!(|data: &[u8]| {
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
    // An accepted manifest is written into every package we build as
    // `rpyx-manifest.json`, which an upload reads back: it must read back
    // as the same manifest.
    if let Some(m) = manifest {
        let written = serde_json::to_vec(&m.to_json()).expect("an accepted manifest serializes");
        let (again, problems) = Manifest::from_package_json(&written);
        let again = again.unwrap_or_else(|| panic!("the written manifest is refused: {problems:?}"));
        assert_eq!(again, m, "the written manifest reads back differently: {problems:?}");
    }
});
