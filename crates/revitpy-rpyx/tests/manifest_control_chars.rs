//! Control characters in manifests: a publisher must not be able to put
//! terminal escapes or bidirectional overrides into what other users see.

mod support;

use revitpy_rpyx::source::load_from_str;
use revitpy_rpyx::{Limits, MANIFEST_ENTRY, Package, Problem, Severity};
use support::{manifest_json, zip_of};

const ESC: char = '\u{1b}';

/// The errors of a manifest source, checked to name the file and not to
/// echo a raw control character back to the terminal.
fn errors(file: &str, text: &str) -> Vec<Problem> {
    let loaded = load_from_str(file, text);
    for p in &loaded.problems {
        assert_eq!(p.file, file);
        let shown = p.to_string();
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "a problem echoes a control character: {shown:?}");
        assert!(!shown.contains('\u{202e}'), "a problem echoes a bidi override: {shown:?}");
    }
    let errors: Vec<Problem> = loaded.problems.into_iter().filter(|p| p.severity == Severity::Error).collect();
    if !errors.is_empty() {
        assert!(load_from_str(file, text).manifest.is_none(), "{file}: a manifest with errors was accepted");
    }
    errors
}

#[track_caller]
fn assert_refused(problems: &[Problem], field: &str, code: &str) {
    let found = problems.iter().find(|p| p.field.as_deref() == Some(field)).unwrap_or_else(|| {
        panic!("no problem for field `{field}`: {problems:#?}");
    });
    assert!(found.message.contains(code), "`{}` does not name {code}", found.message);
    assert!(found.message.contains("remove"), "`{}` does not say what to do", found.message);
}

#[test]
fn revitpy_toml_fields_are_checked() {
    let text = r#"
[package]
name = "wall-tools"
version = "1.0.0"
description = "Clears the screen: \u001b[2J"
summary = "fine\u0007"
author = "Mallory\u001b]0;title\u0007"
license = "MIT"
homepage_url = "https://example.test/\u001b[31m"
keywords = ["walls", "x\u009b31m"]

[package.revit_compatibility]
min_version = "2022"
known_issues = ["looks \u202eevil"]

[package.entry_points]
"main\u001b" = "src/main.py"
other = "src/o\u2066k.py"

[package.dependencies]
"revitpy-utils" = ">=1.0\u001b"
"#;
    let p = errors("revitpy.toml", text);
    assert_refused(&p, "package.description", "U+001B");
    assert_refused(&p, "package.summary", "U+0007");
    assert_refused(&p, "package.author", "U+001B");
    assert_refused(&p, "package.homepage_url", "U+001B");
    assert_refused(&p, "package.keywords[1]", "U+009B");
    assert_refused(&p, "package.revit_compatibility.known_issues[0]", "U+202E");
    assert_refused(&p, "package.entry_points.main\\u{1b}", "U+001B");
    assert_refused(&p, "package.entry_points.other", "U+2066");
    assert_refused(&p, "package.dependencies.revitpy-utils", "U+001B");
}

#[test]
fn raw_control_characters_in_a_toml_file_are_not_echoed_by_the_syntax_error() {
    // TOML itself forbids a raw ESC in a string; the parser's message quotes
    // the line, which must not carry the escape to the terminal.
    let text = format!("[package]\nname = \"a{ESC}[2J\"\nversion = \"1.0\"\n");
    let p = errors("revitpy.toml", &text);
    assert!(!p.is_empty());
}

#[test]
fn pyproject_toml_fields_are_checked() {
    let text = r#"
[project]
name = "room-exporter"
version = "1.0.0\u001b"
description = "Exports rooms"
authors = [{name = "Eve\u007f", email = "eve@example.test"}]
dependencies = ["revitpy-utils>=1.0\u0085"]

[tool.revitpy]
package_type = "addon"
categories = ["\u202dExport"]

[tool.revitpy.revit_compatibility]
min_version = "2022"

[tool.revitpy.install_hooks]
post = "hooks/p\u001b.py"
"#;
    let p = errors("pyproject.toml", text);
    assert_refused(&p, "project.version", "U+001B");
    assert_refused(&p, "project.authors", "U+007F");
    assert_refused(&p, "project.dependencies[0]", "U+0085");
    assert_refused(&p, "tool.revitpy.categories[0]", "U+202D");
    assert_refused(&p, "tool.revitpy.install_hooks.post", "U+001B");
}

#[test]
fn package_json_and_manifest_json_fields_are_checked() {
    for file in ["package.json", "manifest.json"] {
        let text = r#"{
            "name": "parameter-sync",
            "version": "1.0.0",
            "description": "Line one\nline two\ttabbed\r\nline three \u001b[1m",
            "author": "A\u2069",
            "license": "MIT",
            "repository_url": "https://example.test/\u0000",
            "revit_compatibility": {"min_version": "2022", "known_issues": [{"description": "x\u0008", "affected_versions": ["2022"]}]},
            "uninstall_hooks": {"pre": "hooks/pre\u001b.py"},
            "file_associations": [".r\u001bvt"],
            "dependencies": [{"name": "revitpy-utils", "version": ">=1\u001b"}],
            "revit_dependencies": ["Autodesk.Revit.DB\u001b"],
            "python_version": ">=3.8\u009b",
            "digital_signature": "sig\u001b",
            "security_policy": "policy\u202a"
        }"#;
        let p = errors(file, text);
        assert_refused(&p, "description", "U+001B");
        assert_refused(&p, "author", "U+2069");
        assert_refused(&p, "repository_url", "U+0000");
        assert_refused(&p, "revit_compatibility.known_issues[0].description", "U+0008");
        assert_refused(&p, "uninstall_hooks.pre", "U+001B");
        assert_refused(&p, "file_associations[0]", "U+001B");
        assert_refused(&p, "dependencies[0].version", "U+001B");
        assert_refused(&p, "revit_dependencies[0]", "U+001B");
        assert_refused(&p, "python_version", "U+009B");
        assert_refused(&p, "digital_signature", "U+001B");
        assert_refused(&p, "security_policy", "U+202A");
    }
}

#[test]
fn manifest_yaml_fields_are_checked() {
    for file in ["manifest.yaml", "manifest.yml"] {
        let text = "name: family-template-kit\nversion: \"1.0.0\"\ndescription: \"ok\"\nauthor: \"\\e[8mhidden\"\n\
                    license: MIT\nkeywords: [\"a\\x85b\"]\nrevit_compatibility:\n  min_version: \"2022\"\n\
                    entry_points:\n  new_family: \"x\\u202e.py\"\n\"surprise\\e\": 1\n";
        let p = errors(file, text);
        assert_refused(&p, "author", "U+001B");
        assert_refused(&p, "keywords[0]", "U+0085");
        assert_refused(&p, "entry_points.new_family", "U+202E");
        assert!(p.iter().any(|e| e.message.contains("U+001B") && e.message.contains("field name")), "{p:#?}");
    }
}

#[test]
fn newlines_and_tabs_are_text_in_descriptions_only() {
    let good = "[package]\nname = \"a\"\nversion = \"1.0\"\ndescription = \"\"\"\nOne\n\tTwo\r\nThree\"\"\"\n\
                author = \"A\"\nlicense = \"MIT\"\n[package.revit_compatibility]\nmin_version = \"2022\"\n\
                known_issues = [\"first line\\nsecond line\"]\n";
    let loaded = load_from_str("revitpy.toml", good);
    assert!(loaded.manifest.is_some(), "{:#?}", loaded.problems);
    let m = loaded.manifest.unwrap();
    assert!(m.description.contains("\tTwo"));

    let base = "[package]\nversion = \"1.0\"\ndescription = \"d\"\n";
    for (field, line) in [
        ("name", "name = \"a\\nb\"\nauthor = \"A\""),
        ("author", "name = \"a\"\nauthor = \"A\\nB\""),
        ("summary", "name = \"a\"\nauthor = \"A\"\nsummary = \"one\\ttwo\""),
        ("license", "name = \"a\"\nauthor = \"A\"\nlicense = \"MIT\\rX\""),
    ] {
        let text = format!("{base}{line}\n");
        let p = errors("revitpy.toml", &text);
        assert!(p.iter().any(|e| e.field.as_deref() == Some(&format!("package.{field}"))), "{field}: {p:#?}");
    }
    // A carriage return alone moves the cursor back over what was printed.
    let text = "[package]\nname = \"a\"\nversion = \"1.0\"\ndescription = \"safe\\rEVIL\"\nauthor = \"A\"\n";
    let p = errors("revitpy.toml", text);
    assert_refused(&p, "package.description", "U+000D");
}

#[test]
fn manifest_inside_an_archive_is_checked() {
    let manifest = manifest_json(serde_json::json!({
        "description": "Nice package\u{1b}[2J\u{1b}[H",
        "keywords": ["walls\u{202e}"],
    }));
    let bytes = zip_of(&[(MANIFEST_ENTRY, &manifest), ("main.py", b"print('x')\n")]);
    let package = Package::from_bytes(bytes, Limits::default()).expect("opens");
    let (m, problems) = package.manifest().expect("reads the manifest");
    assert!(m.is_none(), "a manifest with escapes was accepted");
    assert_refused(&problems, "description", "U+001B");
    assert_refused(&problems, "keywords[0]", "U+202E");
    assert!(problems.iter().all(|p| p.file == MANIFEST_ENTRY));
    // The whole check of the same package is invalid: revitpy-check's tests/whole_check.rs.
}
