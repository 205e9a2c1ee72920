//! German, Russian and Japanese file names go through every step a package
//! takes: build, open, verify, validate, extract.

mod support;

use std::path::Path;

use revitpy_rpyx::inspect::inspect_file;
use revitpy_rpyx::{BuildOptions, Limits, Package, build};
use support::{walk, write_source, zip_of};

const MANIFEST: &str = r#"
[package]
name = "wand-werkzeuge"
version = "1.0.0"
description = "Werkzeuge für Wände – инструменты для стен – 壁のツール"
author = "Jörg Müller"
license = "MIT"

[package.revit_compatibility]
min_version = "2022"
max_version = "2025"

[package.entry_points]
"größe" = "Größe.py:main"
"стены" = "Стены.py"
"壁" = "壁/設定.py"
"#;

/// Names that split at a byte inside a character in a 3-byte prefix, near the
/// 150-character limit, and in folders.
fn files() -> Vec<(String, Vec<u8>)> {
    let long_japanese = format!("{}/{}.py", "壁".repeat(80), "壁".repeat(66));
    let long_russian = format!("{}/{}/{}.py", "Ж".repeat(49), "ж".repeat(49), "Ж".repeat(47));
    [
        "Größe.py",
        "Стены.py",
        "壁.py",
        "x壁.py",
        "werkzeuge/Maße/Öffnung.py",
        "обои/Стены/окно.py",
        "壁/設定.py",
        "Ärger.txt",
        long_japanese.as_str(),
        long_russian.as_str(),
    ]
    .iter()
    .map(|p| (p.to_string(), format!("# {p}\ndef main():\n    print({p:?})\n").into_bytes()))
    .collect()
}

fn write_package_source(dir: &Path) {
    let files = files();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    write_source(dir, "revitpy.toml", MANIFEST, &refs);
}

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

    let inspection = inspect_file(&out, Limits::default(), None).expect("inspects");
    assert!(inspection.valid(), "{:?}", inspection.problems);

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
