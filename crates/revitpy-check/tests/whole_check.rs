//! The whole check of packages whose parts rpyx's own tests check: a hook
//! that leaves the package, a manifest with terminal escapes (both invalid
//! as a whole), and names in German, Russian and Japanese (valid).

#[path = "../../revitpy-rpyx/tests/support/mod.rs"]
mod support;

use revitpy_check::{CheckOptions, Opened};
use revitpy_rpyx::{BuildOptions, Limits, MANIFEST_ENTRY, Package, build};
use support::non_ascii::write_package_source;
use support::{manifest_json, zip_of};

fn check_bytes(bytes: Vec<u8>) -> revitpy_check::Checked {
    let package = Package::from_bytes(bytes, Limits::default()).expect("opens");
    Opened::from_package(package, &CheckOptions { scan: true, ..CheckOptions::default() }).finish()
}

/// From rpyx's tests/hook_values.rs, which checks the manifest's problems.
#[test]
fn a_package_with_a_traversing_hook_is_invalid() {
    let manifest = manifest_json(serde_json::json!({"install_hooks": {"setup": "setup.py:../../x.py"}}));
    let bytes = zip_of(&[(MANIFEST_ENTRY, &manifest), ("setup.py", b"print('hi')\n")]);
    let checked = check_bytes(bytes);
    assert!(!checked.valid());
    assert!(
        checked.problems.iter().any(|p| p.field.as_deref() == Some("install_hooks.setup")),
        "{:#?}",
        checked.problems
    );
}

/// From rpyx's tests/manifest_control_chars.rs, which checks the manifest's problems.
#[test]
fn manifest_inside_an_archive_is_checked() {
    let manifest = manifest_json(serde_json::json!({
        "description": "Nice package\u{1b}[2J\u{1b}[H",
        "keywords": ["walls\u{202e}"],
    }));
    let bytes = zip_of(&[(MANIFEST_ENTRY, &manifest), ("main.py", b"print('x')\n")]);
    let inspection = check_bytes(bytes);
    assert!(!inspection.valid());
    assert!(inspection.manifest.is_none() && inspection.scan.is_none());
}

/// From rpyx's tests/non_ascii_names.rs, which builds, reads, verifies and
/// extracts the same source.
#[test]
fn non_ascii_names_pass_the_whole_check() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_package_source(&src);
    let out = tmp.path().join("wand.rpyx");
    build(&src, &out, &BuildOptions::default()).expect("builds");

    let inspection =
        revitpy_check::check_file(&out, &CheckOptions { scan: true, ..CheckOptions::default() }).expect("inspects");
    assert!(inspection.valid(), "{:?}", inspection.problems);
    let report = inspection.scan.expect("scanned").expect("every file was read");
    assert!(report.impact.reasons.iter().any(|r| r.contains("11 files")), "{:?}", report.impact.reasons);
}
