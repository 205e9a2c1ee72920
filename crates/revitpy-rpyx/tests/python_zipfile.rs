//! Round trips through Python's `zipfile` (the `python3` on PATH): our
//! packages are plain ZIPs that Python reads, and ours are smaller. (That
//! packages made the way the original Python builder made them pass our
//! whole check is tested in revitpy-check's tests/original_builder.rs.)

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use revitpy_rpyx::{BUILD_ENTRY, BuildOptions, BuildReport, MANIFEST_ENTRY};
use serde_json::Value;

mod support;
use support::walk;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

/// Every example add-in folder, sorted.
fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(EXAMPLES)
        .expect("the examples folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.iter().any(|d| d.ends_with("wall-tools")) && dirs.len() >= 6, "the examples are missing: {dirs:?}");
    dirs
}

/// Runs `python3 -c script args...`, fails the test on a non-zero exit, and
/// returns what it printed.
fn python(script: &str, args: &[&OsStr]) -> String {
    let output = Command::new("python3").arg("-c").arg(script).args(args).output().expect("python3 is on PATH");
    assert!(
        output.status.success(),
        "python3 failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("python3 printed UTF-8")
}

fn build(src: &Path, out: &Path) -> BuildReport {
    revitpy_rpyx::build(src, out, &BuildOptions::default())
        .unwrap_or_else(|e| panic!("{} does not build: {e}", src.display()))
}

const READ_WITH_ZIPFILE: &str = r#"
import json, sys, zipfile
path, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path) as zf:
    bad = zf.testzip()
    names = zf.namelist()
    manifest = json.loads(zf.read("rpyx-manifest.json"))
    zf.extractall(dest)
rc = manifest["revit_compatibility"]
years = [rc["min_version"], rc["max_version"], *rc["tested_versions"]]
years += [y for issue in rc["known_issues"] for y in issue["affected_versions"]]
print(json.dumps({
    "testzip": bad,
    "names": names,
    "years": [[type(y).__name__, y] for y in years if y is not None],
}))
"#;

#[test]
fn python_reads_and_extracts_every_example_we_build() {
    for src in examples() {
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("package.rpyx");
        let report = build(&src, &out);
        let dest = out_dir.path().join("extracted");
        let printed = python(READ_WITH_ZIPFILE, &[out.as_os_str(), dest.as_os_str()]);
        let seen: Value = serde_json::from_str(&printed).expect("python printed JSON");
        let what = src.display();

        assert_eq!(seen["testzip"], Value::Null, "{what}: testzip found a bad entry");

        let source = walk(&src);
        let mut want_names = vec![MANIFEST_ENTRY.to_owned()];
        want_names.extend(source.keys().cloned());
        want_names.push(BUILD_ENTRY.to_owned());
        let names: Vec<String> = serde_json::from_value(seen["names"].clone()).unwrap();
        assert_eq!(names, want_names, "{what}: names");
        let ours: Vec<&str> = report.files.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(ours, &want_names[1..want_names.len() - 1], "{what}: our file list");

        let extracted = walk(&dest);
        let want_extracted: BTreeSet<&str> = want_names.iter().map(String::as_str).collect();
        assert_eq!(
            extracted.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            want_extracted,
            "{what}: extracted files"
        );
        for (path, bytes) in &source {
            assert!(extracted[path] == *bytes, "{what}: {path} differs from its source");
        }

        let rc = &report.manifest.revit_compatibility;
        let mut want_years: Vec<String> = Vec::new();
        want_years.extend(rc.range.min().map(|y| y.to_string()));
        want_years.extend(rc.range.max().map(|y| y.to_string()));
        want_years.extend(rc.tested_versions.iter().map(|y| y.to_string()));
        for issue in &rc.known_issues {
            want_years.extend(issue.affected_versions.iter().map(|y| y.to_string()));
        }
        assert!(!want_years.is_empty(), "{what}: no Revit years to check");
        let years: Vec<(String, String)> = serde_json::from_value(seen["years"].clone())
            .unwrap_or_else(|e| panic!("{what}: a Revit year is not a string in Python ({e}): {}", seen["years"]));
        let want: Vec<(String, String)> = want_years.into_iter().map(|y| ("str".to_owned(), y)).collect();
        assert_eq!(years, want, "{what}: Revit years as Python sees them");
    }
}

/// Rewrites a package's entries, in the same order and with the same bytes,
/// with Python's zipfile at deflate level 6; prints both sizes.
const PYTHON_DEFLATE_6: &str = r#"
import os, sys, zipfile
ours, theirs = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(ours) as src, zipfile.ZipFile(theirs, "w") as dst:
    for info in src.infolist():
        entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
        dst.writestr(entry, src.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
print(os.path.getsize(ours), os.path.getsize(theirs))
"#;

#[test]
fn our_build_is_smaller_than_python_deflate_6() {
    let mut not_smaller = Vec::new();
    for src in examples() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours.rpyx");
        let theirs = dir.path().join("theirs.zip");
        let report = build(&src, &ours);
        let printed = python(PYTHON_DEFLATE_6, &[ours.as_os_str(), theirs.as_os_str()]);
        let sizes: Vec<u64> = printed.split_whitespace().map(|s| s.parse().expect("a size")).collect();
        let [our_size, their_size] = sizes[..] else { panic!("python printed {printed:?}") };
        assert_eq!(our_size, report.size, "python read another file");
        if our_size >= their_size {
            let name = src.file_name().unwrap().to_string_lossy().into_owned();
            not_smaller.push(format!("{name}: ours {our_size} bytes, Python's {their_size}"));
        }
    }
    assert!(
        not_smaller.is_empty(),
        "not smaller than Python's zipfile at deflate level 6:\n{}",
        not_smaller.join("\n")
    );
}
