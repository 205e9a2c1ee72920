//! Arbitrary strings through the name and path checks of `revitpy-names`:
//! portable paths (ZIP entry names, entry points), package names, Revit
//! years and PEP 440 versions and specifiers. Nothing may panic, and a few
//! cheap invariants must hold for whatever is accepted.
#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use revitpy_names::portable_path::{case_fold, check_component, check_relative_path, is_reserved_windows_name};
use revitpy_names::{PackageName, RevitYear, Version, VersionSpecifiers, canonical_version, package_name};

fuzz_target!(|data: &[u8]| {
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
});
