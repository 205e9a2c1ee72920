//! Packages made the way the original Python builder made them (Python's
//! `zipfile`, the `python3` on PATH) pass our whole check: with an
//! `rpyx-build.json` without hashes, or with none.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use revitpy_check::{CheckOptions, check_file};
use revitpy_rpyx::{BUILD_ENTRY, Severity};

#[path = "../../revitpy-rpyx/tests/support/mod.rs"]
mod support;
use support::walk;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

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

        let inspection = check_file(&out, &CheckOptions::default()).expect("the package is readable");
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
