//! Round trips through Python's `zipfile` (the `python3` on PATH): our
//! packages are plain ZIPs that Python reads, packages made the way the
//! original Python builder made them are read by us, and ours are smaller.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use revitpy_rpyx::inspect::inspect_file;
use revitpy_rpyx::{BUILD_ENTRY, BuildOptions, BuildReport, Limits, MANIFEST_ENTRY, Severity};
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

/// Writes a package the way the original Python builder did: zipfile,
/// deflate level 6, the manifest first, then the files, then (optionally)
/// an `rpyx-build.json` without hashes.
const ORIGINAL_BUILDER: &str = r#"
import json, os, sys, zipfile
out, src, with_build_info = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
manifest = {
    "name": "wall-tools",
    "version": "1.2.0",
    "description": "Select, count and tag walls by type from a ribbon button.",
    "summary": "Wall selection and tagging helpers",
    "author": "Example Studio",
    "author_email": "dev@example-studio.test",
    "license": "MIT",
    "homepage_url": None,
    "repository_url": None,
    "documentation_url": None,
    "package_type": "addon",
    "revit_compatibility": {
        "min_version": "2022",
        "max_version": "2024",
        "tested_versions": ["2022", "2023", "2024"],
        "known_issues": [],
    },
    "performance_impact": "low",
    "requires_admin": False,
    "entry_points": {"main_command": "src/main.py", "ribbon_panel": "src/ribbon.py"},
    "install_hooks": {},
    "uninstall_hooks": {},
    "file_associations": [],
    "dependencies": [{"name": "revitpy-utils>=1.2"}],
    "revit_dependencies": ["Autodesk.Revit.DB"],
    "python_version": ">=3.8",
    "digital_signature": None,
    "security_policy": None,
    "keywords": ["walls"],
    "categories": ["modeling"],
}
files = []
for root, dirs, names in os.walk(src):
    dirs.sort()
    for name in sorted(names):
        full = os.path.join(root, name)
        files.append((os.path.relpath(full, src).replace(os.sep, "/"), full))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
    zf.writestr("rpyx-manifest.json", json.dumps(manifest, indent=2))
    for arcname, full in files:
        zf.write(full, arcname)
    if with_build_info:
        build = {
            "builder_version": "2.0.0",
            "build_info": {
                "package_name": manifest["name"],
                "version": manifest["version"],
                "files_included": [a for a, _ in files],
            },
            "validation_issues": [],
        }
        zf.writestr("rpyx-build.json", json.dumps(build, indent=2))
print(json.dumps([a for a, _ in files]))
"#;

#[test]
fn packages_from_the_original_builder_are_read() {
    let src = Path::new(EXAMPLES).join("wall-tools");
    for with_build_info in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("wall-tools-1.2.0.rpyx");
        let flag = if with_build_info { "1" } else { "0" };
        let printed = python(ORIGINAL_BUILDER, &[out.as_os_str(), src.as_os_str(), OsStr::new(flag)]);
        let written: Vec<String> = serde_json::from_str(&printed).expect("python printed JSON");
        assert!(written.iter().any(|f| f == "src/main.py"), "{written:?}");
        let case = if with_build_info { "with rpyx-build.json" } else { "without rpyx-build.json" };

        let inspection = inspect_file(&out, Limits::default(), None).expect("the package is readable");
        assert!(inspection.valid(), "{case}: {:?}", inspection.problems);
        let manifest = inspection.manifest.as_ref().expect("manifest parsed");
        assert_eq!(manifest.name.as_str(), "wall-tools");
        assert_eq!(manifest.version.to_string(), "1.2.0");
        assert_eq!(manifest.dependencies.len(), 1, "{case}: {:?}", manifest.dependencies);
        assert_eq!(manifest.dependencies[0].name.as_str(), "revitpy-utils");
        assert_eq!(manifest.dependencies[0].specifiers.to_string(), ">=1.2");
        let rc = &manifest.revit_compatibility;
        assert_eq!((rc.range.min().map(|y| y.get()), rc.range.max().map(|y| y.get())), (Some(2022), Some(2024)));

        assert_eq!(inspection.problems.len(), 1, "{case}: {:?}", inspection.problems);
        let warning = &inspection.problems[0];
        assert_eq!(warning.severity, Severity::Warning, "{case}");
        assert_eq!(warning.file, BUILD_ENTRY, "{case}");
        assert!(warning.message.contains("cannot be checked"), "{case}: {warning}");

        let source = walk(&src);
        let hashed: Vec<(&str, u64)> = inspection.files.iter().map(|r| (r.path.as_str(), r.size)).collect();
        let want: Vec<(&str, u64)> = written.iter().map(|p| (p.as_str(), source[p].len() as u64)).collect();
        assert_eq!(hashed, want, "{case}: files read");
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
