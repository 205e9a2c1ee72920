//! The repository's examples: legitimate add-ins. Each builds and passes
//! the whole check with no problem; none is blocked by the scanner, and the
//! Revit API check finds exactly one thing, `ElementId.IntegerValue` in
//! parameter-sync (deprecated in 2024, inside its 2022 to 2025 range),
//! whether the scanner reads the example's folder or the check reads the
//! built package.

use std::path::{Path, PathBuf};

use revitpy_check::{CheckOptions, check_file, manifest_facts};
use revitpy_rpyx::{BuildOptions, build};
use revitpy_scan::report::{CompatLevel, RiskLevel, ScanReport};
use revitpy_scan::{Entry, scan};

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

const NAMES: [&str; 6] =
    ["wall-tools", "revitpy-utils", "room-exporter", "sheet-publisher", "parameter-sync", "family-template-kit"];

fn files(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, root, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

/// An example's folder, scanned with its manifest's facts.
fn scan_example(name: &str) -> ScanReport {
    let dir = examples().join(name);
    let loaded = revitpy_rpyx::source::load_from_dir(&dir).unwrap();
    let m = loaded.manifest.unwrap();
    let facts = manifest_facts(&m);
    let mut all = Vec::new();
    files(&dir, &dir, &mut all);
    let entries: Vec<Entry<'_>> = all.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
    scan(&facts, &entries)
}

/// An example built, then checked with the scan.
fn check_example(name: &str, out: &Path) -> revitpy_check::Checked {
    let file = out.join(format!("{name}.rpyx"));
    build(&examples().join(name), &file, &BuildOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    check_file(&file, &CheckOptions { scan: true, ..CheckOptions::default() }).unwrap()
}

#[test]
fn no_example_is_blocked_and_only_integer_value_is_reported() {
    let mut compat = Vec::new();
    for name in NAMES {
        let report = scan_example(name);
        assert!(report.risk_level < RiskLevel::High, "{name} blocked: {:#?}", report.findings);
        for c in report.compatibility {
            compat.push((name, c.member, c.level, c.revit_version));
        }
    }
    assert_eq!(
        compat,
        [("parameter-sync", "ElementId.IntegerValue".to_owned(), CompatLevel::Warning, "2024".to_owned())]
    );
}

#[test]
fn transparency_report_shows_what_the_examples_do() {
    let sheet = scan_example("sheet-publisher");
    assert!(!sheet.capabilities.processes.is_empty(), "the subprocess call is reported: {:?}", sheet.capabilities);
    let rooms = scan_example("room-exporter");
    assert!(!rooms.capabilities.paths_written.is_empty(), "the export is reported: {:?}", rooms.capabilities);
}

#[test]
fn every_example_builds_and_validates() {
    let out = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let src = entry.unwrap().path();
        if !src.is_dir() {
            continue;
        }
        let file = out.path().join("p.rpyx");
        let report = build(&src, &file, &BuildOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        let inspection = check_file(&file, &CheckOptions::default()).unwrap();
        assert!(inspection.valid(), "{}: {:?}", src.display(), inspection.problems);
        assert!(inspection.problems.is_empty(), "{}: {:?}", src.display(), inspection.problems);
        assert_eq!(inspection.file_sha256, report.sha256);
        assert_eq!(inspection.files, report.files);
        assert_eq!(inspection.manifest.unwrap(), report.manifest);
        std::fs::remove_file(&file).unwrap();
    }
}

/// The check's scan (batched, fed from the verified bytes) reports what one
/// scan of the package's files reports, and the examples' expectations hold.
#[test]
fn checking_a_built_example_scans_what_its_files_give() {
    let out = tempfile::tempdir().unwrap();
    let mut compat = Vec::new();
    for name in NAMES {
        let checked = check_example(name, out.path());
        assert!(checked.valid() && checked.problems.is_empty(), "{name}: {:?}", checked.problems);
        let report = checked.scan.expect("a scan was asked").expect("every file was read");
        let package = checked.package.expect("the package opened");
        let read: Vec<(String, Vec<u8>)> =
            package.read_files().map(|r| r.map(|(e, bytes)| (e.path.clone(), bytes)).unwrap()).collect();
        let entries: Vec<Entry<'_>> = read.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
        let whole = scan(&manifest_facts(checked.manifest.as_ref().unwrap()), &entries);
        assert_eq!(serde_json::to_string(&report).unwrap(), serde_json::to_string(&whole).unwrap(), "{name}");
        assert!(report.risk_level < RiskLevel::High, "{name} blocked: {:#?}", report.findings);
        compat.extend(report.compatibility.into_iter().map(|c| (name, c.member, c.level, c.revit_version)));
    }
    assert_eq!(
        compat,
        [("parameter-sync", "ElementId.IntegerValue".to_owned(), CompatLevel::Warning, "2024".to_owned())]
    );
}

/// A Revit year is judged from the manifest: parameter-sync supports 2022
/// to 2025.
#[test]
fn the_revit_verdict_follows_the_year_asked() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("p.rpyx");
    build(&examples().join("parameter-sync"), &file, &BuildOptions::default()).unwrap();
    let check = |year: &str| {
        let options = CheckOptions { revit_year: Some(year.parse().unwrap()), ..CheckOptions::default() };
        check_file(&file, &options).unwrap()
    };
    let inside = check("2024");
    assert!(inside.valid() && inside.compatible(), "{:?}", inside.revit_verdict);
    let outside = check("2021");
    assert!(outside.valid(), "a year outside the range is no problem of the package");
    assert!(!outside.compatible(), "{:?}", outside.revit_verdict);
    assert!(check_file(&file, &CheckOptions::default()).unwrap().revit_verdict.is_none());
}
