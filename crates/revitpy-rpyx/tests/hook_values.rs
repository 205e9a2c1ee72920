//! Hooks run as `python <script>`: the whole value is a path inside the
//! package. Entry points may add `:function`, a Python name, never a path.

mod support;

use std::collections::HashSet;

use revitpy_rpyx::source::load_from_str;
use revitpy_rpyx::validate::check_files;
use revitpy_rpyx::{Limits, MANIFEST_ENTRY, Manifest, Package, Problem, Severity};
use support::{manifest_json, zip_of};

fn manifest_with(extra: &str) -> String {
    format!(
        r#"{{"name": "hooked", "version": "1.0.0", "description": "d", "author": "a", "license": "MIT",
            "revit_compatibility": {{"min_version": "2022"}}, {extra}}}"#
    )
}

fn errors_of(extra: &str) -> Vec<Problem> {
    let loaded = load_from_str("manifest.json", &manifest_with(extra));
    let errors: Vec<Problem> = loaded.problems.into_iter().filter(|p| p.severity == Severity::Error).collect();
    if !errors.is_empty() {
        assert!(load_from_str("manifest.json", &manifest_with(extra)).manifest.is_none());
    }
    errors
}

#[track_caller]
fn assert_error(problems: &[Problem], field: &str, part: &str) {
    let p = problems
        .iter()
        .find(|p| p.field.as_deref() == Some(field))
        .unwrap_or_else(|| panic!("no problem for `{field}`: {problems:#?}"));
    assert!(p.message.contains(part), "`{}` does not contain `{part}`", p.message);
}

#[test]
fn a_hook_with_a_path_after_a_colon_is_refused() {
    let p = errors_of(r#""install_hooks": {"setup": "setup.py:../../x.py"}"#);
    assert_error(&p, "install_hooks.setup", "`setup.py:../../x.py`");
    assert_error(&p, "install_hooks.setup", "python <script>");
    let p = errors_of(r#""uninstall_hooks": {"cleanup": "hooks/clean.py:../../../Windows/x.py"}"#);
    assert_error(&p, "uninstall_hooks.cleanup", "python <script>");
}

#[test]
fn a_hook_names_a_script_only() {
    let p = errors_of(r#""install_hooks": {"setup": "hooks/setup.py:main"}"#);
    assert_error(&p, "install_hooks.setup", "without `:function`");
    for bad in ["../x.py", "C:/x.py", "/etc/x.py", "a\\\\..\\\\x.py", "hooks/CON.py"] {
        let p = errors_of(&format!(r#""install_hooks": {{"setup": "{bad}"}}"#));
        assert!(p.iter().any(|p| p.field.as_deref() == Some("install_hooks.setup")), "{bad}: {p:#?}");
    }
    assert!(errors_of(r#""install_hooks": {"setup": "hooks/setup.py"}"#).is_empty());
}

#[test]
fn an_entry_point_function_is_a_python_name() {
    for good in ["src/main.py", "src/main.py:run", "src/main.py:Command.execute", "src/Стены.py:größe", "a.py:_x1"]
    {
        let p = errors_of(&format!(r#""entry_points": {{"main": "{good}"}}"#));
        assert!(p.is_empty(), "{good}: {p:#?}");
    }
    for (bad, part) in [
        ("src/main.py:../../x.py", "is not a Python name"),
        ("src/main.py:", "is not a Python name"),
        ("src/main.py:1run", "is not a Python name"),
        ("src/main.py:run:other", "is not a Python name"),
        ("src/main.py:run.", "is not a Python name"),
        ("src/main.py:a/b", "is not a Python name"),
        ("src/main.py:a b", "is not a Python name"),
        ("../x.py:run", "`..`"),
    ] {
        let p = errors_of(&format!(r#""entry_points": {{"main": "{bad}"}}"#));
        assert_error(&p, "entry_points.main", part);
    }
}

/// `check_files` is also called on manifests built in code: it must compare
/// the whole hook value with the package's files, not the part before `:`.
#[test]
fn check_files_compares_the_whole_hook_value() {
    let loaded = load_from_str("manifest.json", &manifest_with(r#""install_hooks": {"setup": "setup.py"}"#));
    let mut manifest: Manifest = loaded.manifest.expect("a valid manifest");
    manifest.install_hooks.insert("setup".into(), "setup.py:../../x.py".into());
    let files: HashSet<&str> = ["setup.py", "main.py"].into_iter().collect();
    let problems = check_files(&manifest, &files, "manifest.json", &|f| f.to_owned());
    let p = problems
        .iter()
        .find(|p| p.field.as_deref() == Some("install_hooks.setup"))
        .unwrap_or_else(|| panic!("the hook was accepted: {problems:#?}"));
    assert_eq!(p.severity, Severity::Error);
    assert!(p.message.contains("setup.py:../../x.py"), "{}", p.message);
}

#[test]
fn a_package_with_a_traversing_hook_is_invalid() {
    let manifest = manifest_json(serde_json::json!({"install_hooks": {"setup": "setup.py:../../x.py"}}));
    let bytes = zip_of(&[(MANIFEST_ENTRY, &manifest), ("setup.py", b"print('hi')\n")]);
    let package = Package::from_bytes(bytes, Limits::default()).expect("opens");
    let (m, problems) = package.manifest().expect("reads the manifest");
    assert!(m.is_none(), "{problems:#?}");
    assert_error(&problems, "install_hooks.setup", "python <script>");
    // The whole check of the same package is invalid: revitpy-check's tests/whole_check.rs.
}
