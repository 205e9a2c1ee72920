//! German, Russian and Japanese file names go through every step a package
//! takes: build, open, verify, extract (and the whole check, in
//! revitpy-check's tests, on the same source: `support::non_ascii`).

mod support;

use revitpy_rpyx::{BuildOptions, Limits, Package, build};
use support::non_ascii::{files, write_package_source};
use support::{walk, zip_of};

#[test]
fn non_ascii_names_build_read_verify_and_extract() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_package_source(&src);
    let out = tmp.path().join("wand.rpyx");

    let report = build(&src, &out, &BuildOptions::default()).expect("builds");
    let mut built: Vec<&str> = report.files.iter().map(|r| r.path.as_str()).collect();
    built.sort();
    let source = walk(&src);
    // The manifest source is packaged too, as the original builder did.
    let mut expected: Vec<&str> = source.keys().map(String::as_str).collect();
    expected.sort();
    assert_eq!(built, expected);

    let package = Package::open(&out, Limits::default()).expect("opens");
    let (manifest, problems) = package.manifest().expect("has a manifest");
    assert!(problems.is_empty(), "{problems:?}");
    let manifest = manifest.expect("manifest reads");
    assert_eq!(manifest.author, "Jörg Müller");
    assert_eq!(manifest.entry_points["стены"], "Стены.py");

    let (records, problems) = package.verify();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), expected.len());

    // The whole check of the same package: revitpy-check's tests/whole_check.rs.

    let dest = tmp.path().join("installed");
    package.extract_to(&dest).expect("extracts");
    let extracted = walk(&dest);
    assert_eq!(extracted, source);
}

/// An archive from another tool (the `zip` crate's writer), read the same way.
#[test]
fn non_ascii_names_in_an_archive_from_another_tool_are_read() {
    let manifest = support::manifest_json(serde_json::json!({"entry_points": {"main": "Größe.py"}}));
    let files = files();
    let mut entries: Vec<(&str, &[u8])> = vec![(revitpy_rpyx::MANIFEST_ENTRY, &manifest)];
    entries.extend(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    let package = Package::from_bytes(zip_of(&entries), Limits::default()).expect("opens");
    let names: Vec<&str> = package.files().map(|e| e.path.as_str()).collect();
    assert_eq!(names.len(), files.len());
    for (path, bytes) in &files {
        let entry = package.files().find(|e| &e.path == path).unwrap_or_else(|| panic!("{path} is listed"));
        assert_eq!(&package.read(entry).expect("reads"), bytes);
    }
    let dest = tempfile::tempdir().unwrap();
    let dest = dest.path().join("out");
    package.extract_to(&dest).expect("extracts");
    assert_eq!(walk(&dest).len(), files.len());
}
