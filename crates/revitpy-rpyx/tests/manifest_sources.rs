//! Manifest loading from every source kind, and the problems bad manifests get.

use std::path::PathBuf;

use revitpy_names::RevitYear;
use revitpy_rpyx::manifest::{PackageType, PerformanceImpact};
use revitpy_rpyx::source::{self, LoadedManifest};
use revitpy_rpyx::{Manifest, Severity};

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

fn load_example(name: &str) -> (Manifest, LoadedManifest) {
    let loaded = source::load_from_dir(&examples().join(name)).expect("manifest found");
    let errors: Vec<_> = loaded.problems.iter().filter(|p| p.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    (loaded.manifest.clone().expect("manifest parsed"), loaded)
}

fn y(n: u64) -> RevitYear {
    RevitYear::new(n).unwrap()
}

fn specs(m: &Manifest) -> Vec<String> {
    m.dependencies.iter().map(|d| format!("{} {}", d.name.normalized(), d.specifiers)).collect()
}

#[test]
fn revitpy_toml_with_desktop_table() {
    let (m, loaded) = load_example("wall-tools");
    assert_eq!(loaded.file, "revitpy.toml");
    assert_eq!(m.name.as_str(), "wall-tools");
    assert_eq!(m.version.to_string(), "1.2.0");
    assert_eq!(m.package_type, PackageType::Addon);
    assert_eq!(m.performance_impact, PerformanceImpact::Low);
    assert_eq!(m.revit_compatibility.range.min(), Some(y(2022)));
    assert_eq!(m.revit_compatibility.range.max(), Some(y(2025)));
    assert_eq!(m.revit_compatibility.tested_versions, [y(2022), y(2023), y(2024)]);
    assert_eq!(m.entry_points["main_command"], "src/main.py");
    assert_eq!(specs(&m), ["revitpy-utils >=1.0, <2"]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
}

#[test]
fn revitpy_toml_open_ended_library() {
    let (m, _) = load_example("revitpy-utils");
    assert_eq!(m.package_type, PackageType::Library);
    assert_eq!(m.revit_compatibility.range.min(), Some(y(2021)));
    assert_eq!(m.revit_compatibility.range.max(), None);
    assert!(m.dependencies.is_empty());
}

#[test]
fn pyproject_with_tool_revitpy() {
    let (m, loaded) = load_example("room-exporter");
    assert_eq!(loaded.file, "pyproject.toml");
    assert_eq!(m.version.to_string(), "0.9.3");
    assert_eq!(m.author, "Example Studio");
    assert_eq!(m.author_email, "dev@example-studio.test");
    assert_eq!(m.license, "Apache-2.0");
    assert_eq!(m.homepage_url.as_deref(), Some("https://example-studio.test/room-exporter"));
    assert_eq!(m.repository_url.as_deref(), Some("https://git.example-studio.test/room-exporter"));
    assert_eq!(m.performance_impact, PerformanceImpact::Medium);
    assert_eq!(specs(&m), ["revitpy-utils >=1.2"]);
    assert_eq!(m.revit_dependencies, ["Autodesk.Revit.DB", "Autodesk.Revit.DB.Architecture"]);
    // No summary in PEP 621: the description's first line stands in.
    assert_eq!(m.summary, m.description);
}

#[test]
fn manifest_json_prerelease_with_known_issue() {
    let (m, loaded) = load_example("sheet-publisher");
    assert_eq!(loaded.file, "manifest.json");
    assert!(m.version.any_prerelease());
    assert_eq!(m.version.to_string(), "2.0.0b1");
    assert_eq!(m.package_type, PackageType::Tool);
    let issues = &m.revit_compatibility.known_issues;
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].affected_versions, [y(2022)]);
}

#[test]
fn package_json_with_hooks_and_associations() {
    let (m, loaded) = load_example("parameter-sync");
    assert_eq!(loaded.file, "package.json");
    assert_eq!(m.install_hooks["post_install"], "hooks/post_install.py");
    assert_eq!(m.uninstall_hooks["pre_uninstall"], "hooks/pre_uninstall.py");
    assert_eq!(m.file_associations, [".rvt"]);
    assert_eq!(specs(&m), ["revitpy-utils >=1.3"]);
    assert_eq!(m.python_version.as_deref(), Some(">=3.8"));
}

#[test]
fn manifest_yaml_template() {
    let (m, loaded) = load_example("family-template-kit");
    assert_eq!(loaded.file, "manifest.yaml");
    assert_eq!(m.package_type, PackageType::Template);
    assert_eq!(m.version.to_string(), "0.4.0rc2");
    assert_eq!(m.documentation_url.as_deref(), Some("https://example-studio.test/docs/family-template-kit"));
    assert_eq!(m.revit_compatibility.range.max(), Some(y(2026)));
    assert_eq!(specs(&m), ["revitpy-utils >=1.4, <2"]);
    assert!(m.description.starts_with("Start new loadable families"));
}

#[test]
fn to_json_writes_years_as_strings_and_reads_back() {
    let (m, _) = load_example("wall-tools");
    let json = m.to_json();
    assert_eq!(json["revit_compatibility"]["min_version"], "2022");
    assert_eq!(json["revit_compatibility"]["tested_versions"][0], "2022");
    assert_eq!(json["dependencies"][0]["name"], "revitpy-utils");
    let bytes = serde_json::to_vec(&json).unwrap();
    let (back, problems) = Manifest::from_package_json(&bytes);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(back.unwrap(), m);
}

/// Loads a source text and returns its problems as "field: message" lines.
fn problems_of(file: &str, text: &str) -> Vec<String> {
    let loaded = source::load_from_str(file, text);
    loaded
        .problems
        .iter()
        .map(|p| {
            assert_eq!(p.file, file);
            format!("{:?} {}: {}", p.severity, p.field.as_deref().unwrap_or("-"), p.message)
        })
        .collect()
}

fn assert_problem(problems: &[String], needle: &str) {
    assert!(problems.iter().any(|p| p.contains(needle)), "no problem containing {needle:?} in {problems:#?}");
}

#[test]
fn bad_manifest_names_field_and_fix() {
    let text = r#"
[package]
name = "-bad name"
version = "1.0-banana"
description = "x"
author = "a"
author_email = "not-an-email"
homepage_url = "ftp://example.test"

[package.revit_compatibility]
min_version = "2025"
max_version = "2023"
tested_versions = ["1999", "2024x"]

[package.desktop]
package_type = "plugin"
performance_impact = "huge"
requires_admin = "no"

[package.dependencies]
other = ">=1.0,<<2"
"#;
    let p = problems_of("revitpy.toml", text);
    assert_problem(&p, "Error package.name: the package name `-bad name`");
    assert_problem(&p, "Error package.version: `1.0-banana` is not a PEP 440 version");
    assert_problem(&p, "Error package.author_email: `not-an-email` is not an email address");
    assert_problem(&p, "Error package.homepage_url: `ftp://example.test` is not an http(s) URL");
    assert_problem(
        &p,
        "Error package.revit_compatibility.max_version: the Revit range is empty: max_version 2023 is below min_version 2025; write a max_version of 2025 or later",
    );
    assert_problem(&p, "Error package.revit_compatibility.tested_versions[0]: 1999");
    assert_problem(&p, "tested_versions[1]: `2024x` is not a Revit version");
    assert_problem(
        &p,
        "Error package.package_type: `plugin` is not a package type; write one of addon, library, template, tool",
    );
    assert_problem(&p, "Error package.performance_impact: `huge` is not an impact");
    assert_problem(&p, "Error package.requires_admin: must be true or false");
    assert_problem(&p, "Error package.dependencies.other: `>=1.0,<<2` is not a PEP 440 version specifier");
    let loaded = source::load_from_str("revitpy.toml", text);
    assert!(loaded.manifest.is_none());
}

#[test]
fn years_outside_range_are_named() {
    let text = r#"{"name": "x", "version": "1", "description": "d", "author": "a",
        "revit_compatibility": {"min_version": 2022, "max_version": "2024", "tested_versions": [2025],
          "known_issues": [{"description": "k", "affected_versions": ["2021"]}]}}"#;
    let p = problems_of("manifest.json", text);
    assert_problem(&p, "Error revit_compatibility.tested_versions: 2025 is outside the declared range (2022 to 2024)");
    assert_problem(
        &p,
        "Error revit_compatibility.known_issues[0].affected_versions: 2021 is outside the declared range",
    );
}

#[test]
fn missing_required_fields_and_unknown_ones() {
    let p = problems_of("manifest.yaml", "name: ok-name\nsurprise: 1\n");
    assert_problem(&p, "Error version: is missing");
    assert_problem(&p, "Error description: is missing");
    assert_problem(&p, "Error author: is missing");
    assert_problem(&p, "Warning surprise: is not a manifest field");
    assert_problem(&p, "Warning revit_compatibility: is missing");
}

#[test]
fn syntax_errors_are_reported_not_panicked() {
    for (file, text) in [
        ("revitpy.toml", "[package\nname="),
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        ("package.json", "{\"name\": "),
        ("manifest.yaml", "name: [unclosed"),
        ("manifest.json", "[1, 2]"),
    ] {
        let loaded = source::load_from_str(file, text);
        assert!(loaded.manifest.is_none(), "{file}");
        assert_eq!(loaded.problems[0].severity, Severity::Error, "{file}");
    }
}

#[test]
fn dependency_shapes_of_every_source() {
    let base = r#""description": "d", "author": "a", "revit_compatibility": {"min_version": "2024"}"#;
    for deps in [
        r#"[{"name": "revitpy-utils", "version": ">=1.2"}]"#,
        r#"["revitpy-utils>=1.2"]"#,
        r#"[{"name": "revitpy-utils>=1.2"}]"#,
        r#"{"revitpy-utils": ">=1.2"}"#,
        r#"{"Revitpy_Utils": {"version": ">=1.2"}}"#,
    ] {
        let text = format!(r#"{{"name": "x", "version": "1.0", {base}, "dependencies": {deps}}}"#);
        let loaded = source::load_from_str("package.json", &text);
        let m = loaded.manifest.unwrap_or_else(|| panic!("{deps}: {:?}", loaded.problems));
        assert_eq!(specs(&m), ["revitpy-utils >=1.2"], "{deps}");
    }
    for (deps, needle) in [
        (r#"["x>=1"]"#, "cannot depend on itself"),
        (r#"["a>=1", "A>=2"]"#, "listed twice"),
        (r#"["a @ https://example.test/a.zip"]"#, "points at a URL"),
        (r#"["a[extra]>=1"]"#, "extras or environment markers"),
        (r#"[42]"#, "must be a requirement"),
    ] {
        let text = format!(r#"{{"name": "x", "version": "1.0", {base}, "dependencies": {deps}}}"#);
        let p = problems_of("package.json", &text);
        assert_problem(&p, needle);
    }
}

#[test]
fn entry_points_must_be_portable_paths() {
    let text = r#"{"name": "x", "version": "1.0", "description": "d", "author": "a",
        "entry_points": {"main": "../outside.py", "ok": "src/main.py:run"}}"#;
    let p = problems_of("manifest.json", text);
    assert_problem(&p, "Error entry_points.main: `../outside.py`: the path contains `..`");
    assert!(!p.iter().any(|l| l.contains("entry_points.ok")), "{p:?}");
}
