//! What the fuzz targets for the format crates do with an input, in one
//! place: the targets in `fuzz/fuzz_targets/` call these, and the regression
//! tests in `crates/revitpy-rpyx/tests/fuzz_regressions.rs` replay every saved
//! crash through the same functions (included by path: the fuzz crate is a
//! workspace of its own). Any panic is a bug.

use std::str::FromStr;

use revitpy_names::portable_path::{case_fold, check_component, check_relative_path, is_reserved_windows_name};
use revitpy_names::{PackageName, RevitYear, Version, VersionSpecifiers, canonical_version, package_name};
use revitpy_rpyx::{Limits, MANIFEST_ENTRY, Manifest, Package, source, validate};

/// Arbitrary bytes as a `.rpyx` through the defensive reader, the way an
/// upload or `validate` reads one: open and check the central directory,
/// read every entry (folders too), then the format's part of the check
/// (manifest, build information, verification of every file against its
/// hash, the manifest's file references; `revitpy-check` runs these and
/// hands the same bytes to the scanner). Any panic, abort, timeout or memory
/// blow-up is a bug: hostile archives must come back as `Err` or as problems.
pub fn rpyx_read(data: &[u8]) {
    let Ok(package) = Package::from_bytes(data.to_vec(), Limits::default()) else {
        return;
    };
    for entry in package.entries() {
        let _ = package.read(entry);
    }
    let _ = package.build_info();
    let _ = package.verify();
    if let Ok((Some(manifest), _)) = package.manifest() {
        let names = package.files().map(|e| e.path.as_str()).collect();
        let _ = validate::check_files(&manifest, &names, MANIFEST_ENTRY, &|f| f.to_owned());
    }
}

/// Arbitrary text through every manifest parser. The first byte picks the
/// source (`revitpy.toml`, `pyproject.toml`, `package.json`, `manifest.json`,
/// `manifest.yaml`, or the `rpyx-manifest.json` inside a package); the rest is
/// its text. Sources are read from text as `source::load_from_dir` does
/// after reading the file (non-UTF-8 becomes U+FFFD here, an error there).
pub fn manifest(data: &[u8]) {
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
}

/// Arbitrary strings through the name and path checks of `revitpy-names`:
/// portable paths (ZIP entry names, entry points), package names, Revit
/// years and PEP 440 versions and specifiers. Nothing may panic, and a few
/// cheap invariants must hold for whatever is accepted.
pub fn portable_path(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();

    if check_relative_path(s).is_ok() {
        assert!(!s.starts_with('/') && !s.contains('\\'), "accepted an absolute path: {s:?}");
        assert!(s.split('/').all(|c| c != ".." && c != "." && !c.is_empty()), "accepted a traversal: {s:?}");
    }
    for component in s.split('/') {
        let _ = check_component(component);
        let _ = is_reserved_windows_name(component);
    }
    let _ = case_fold(s);

    if let Ok(name) = PackageName::new(s) {
        assert_eq!(name.normalized(), package_name::normalize(s));
        assert_eq!(PackageName::new(name.normalized()).ok().as_ref(), Some(&name), "normalized name: {s:?}");
    }
    let _ = package_name::normalize(s);

    if let Ok(year) = RevitYear::from_str(s) {
        assert_eq!(RevitYear::from_str(&year.to_string()), Ok(year));
    }

    if let Ok(v) = Version::from_str(s) {
        let canonical = canonical_version(&v);
        assert_eq!(Version::from_str(&canonical).as_ref(), Ok(&v), "canonical form of {s:?} is {canonical:?}");
    }
    if let Ok(spec) = VersionSpecifiers::from_str(s) {
        let _ = spec.to_string();
    }
}
