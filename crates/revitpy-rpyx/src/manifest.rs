//! The package manifest: the original project's fields, typed.
//!
//! Every manifest source (TOML, JSON, YAML) is first mapped to one JSON object
//! with the original field names (see [`crate::source`]); [`Manifest::from_json`]
//! turns that object into typed values, collecting every problem rather than
//! stopping at the first, so a user fixes them all in one go.
//! [`Manifest::to_json`] writes `rpyx-manifest.json` in the original's shape
//! (Revit years as strings, dependencies as `{name, version}`), so the
//! original tools read our packages.

use std::collections::BTreeMap;
use std::str::FromStr;

use revitpy_names::{PackageName, RevitRange, RevitYear, Version, VersionSpecifiers};
use serde_json::{Map, Value, json};

use crate::problem::Problem;
use crate::{manifest_text, script_paths};

// Defined beside the other typed names because the registry's store holds
// them too (and depends on nothing but `revitpy-names`); re-exported here so
// `revitpy_rpyx::manifest::PackageType` stays where it always was.
pub use revitpy_names::{PackageType, PerformanceImpact};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownIssue {
    pub description: String,
    /// Empty means every version in the range.
    pub affected_versions: Vec<RevitYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevitCompatibility {
    pub range: RevitRange,
    pub tested_versions: Vec<RevitYear>,
    pub known_issues: Vec<KnownIssue>,
    /// False when the manifest has no `revit_compatibility` at all.
    pub declared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: PackageName,
    /// Empty means any version.
    pub specifiers: VersionSpecifiers,
}

/// A manifest whose every field parsed. Semantic checks that need the
/// package's files (entry points exist) are in [`crate::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub name: PackageName,
    pub version: Version,
    pub description: String,
    pub summary: String,
    pub author: String,
    pub author_email: String,
    pub license: String,
    pub homepage_url: Option<String>,
    pub repository_url: Option<String>,
    pub documentation_url: Option<String>,
    pub package_type: PackageType,
    pub revit_compatibility: RevitCompatibility,
    pub performance_impact: PerformanceImpact,
    pub requires_admin: bool,
    pub entry_points: BTreeMap<String, String>,
    pub install_hooks: BTreeMap<String, String>,
    pub uninstall_hooks: BTreeMap<String, String>,
    pub file_associations: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub revit_dependencies: Vec<String>,
    pub python_version: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub digital_signature: Option<String>,
    pub security_policy: Option<String>,
}

/// Field names of the original manifest, in the original's order.
pub const FIELDS: &[&str] = &[
    "name",
    "version",
    "description",
    "summary",
    "author",
    "author_email",
    "license",
    "homepage_url",
    "repository_url",
    "documentation_url",
    "package_type",
    "revit_compatibility",
    "performance_impact",
    "requires_admin",
    "entry_points",
    "install_hooks",
    "uninstall_hooks",
    "file_associations",
    "dependencies",
    "revit_dependencies",
    "python_version",
    "digital_signature",
    "security_policy",
    "keywords",
    "categories",
];

/// Limits on manifest contents, so a manifest cannot be used to exhaust a
/// reader (the server stores and indexes these strings).
const MAX_TEXT: usize = 64 * 1024;
const MAX_SHORT_TEXT: usize = 1024;
const MAX_LIST: usize = 256;

/// Turns the canonical JSON object into typed fields, recording problems.
struct FieldReader<'a> {
    file: &'a str,
    field_name: &'a dyn Fn(&str) -> String,
    problems: Vec<Problem>,
}

impl FieldReader<'_> {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        let field = (self.field_name)(field);
        self.problems.push(Problem::error(self.file, Some(&field), message));
    }

    fn warning(&mut self, field: &str, message: impl Into<String>) {
        let field = (self.field_name)(field);
        self.problems.push(Problem::warning(self.file, Some(&field), message));
    }

    fn string(&mut self, obj: &Map<String, Value>, field: &str, max: usize) -> Option<String> {
        match obj.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.len() > max => {
                self.error(field, format!("is {} bytes long; at most {max} are allowed", s.len()));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            // YAML and TOML turn `version: 1.0` into a number; take it, but say so.
            Some(Value::Number(n)) => {
                self.warning(field, format!("is a number; write it as a string: \"{n}\""));
                Some(n.to_string())
            }
            Some(other) => {
                self.error(field, format!("must be a string, not {}", kind(other)));
                None
            }
        }
    }

    fn required_string(&mut self, obj: &Map<String, Value>, field: &str, example: &str) -> String {
        match self.string(obj, field, MAX_SHORT_TEXT) {
            Some(s) if !s.trim().is_empty() => s,
            Some(_) => {
                self.error(field, format!("is empty; write for example {example}"));
                String::new()
            }
            None => {
                // Absent or null (`author:` with nothing after it in YAML);
                // a value of the wrong type was reported by `string`.
                if matches!(obj.get(field), None | Some(Value::Null)) {
                    self.error(field, format!("is missing; add for example {example}"));
                }
                String::new()
            }
        }
    }

    fn url(&mut self, obj: &Map<String, Value>, field: &str) -> Option<String> {
        let url = self.string(obj, field, MAX_SHORT_TEXT)?;
        if url.is_empty() {
            return None;
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            self.error(field, format!("`{url}` is not an http(s) URL; write it as https://..."));
            return None;
        }
        Some(url)
    }

    fn string_list(&mut self, obj: &Map<String, Value>, field: &str) -> Vec<String> {
        match obj.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                if items.len() > MAX_LIST {
                    self.error(field, format!("has {} items; at most {MAX_LIST}", items.len()));
                    return Vec::new();
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if s.len() <= MAX_SHORT_TEXT => out.push(s.clone()),
                        Value::String(_) => self.error(&format!("{field}[{i}]"), "is too long"),
                        other => self.error(&format!("{field}[{i}]"), format!("must be a string, not {}", kind(other))),
                    }
                }
                out
            }
            Some(Value::String(s)) => {
                self.error(field, format!("must be a list; write [\"{s}\"]"));
                Vec::new()
            }
            Some(other) => {
                self.error(field, format!("must be a list of strings, not {}", kind(other)));
                Vec::new()
            }
        }
    }

    fn string_map(&mut self, obj: &Map<String, Value>, field: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match obj.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) if map.len() > MAX_LIST => {
                self.error(field, format!("has {} entries; at most {MAX_LIST}", map.len()));
            }
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if s.len() <= MAX_SHORT_TEXT => {
                            out.insert(k.clone(), s.clone());
                        }
                        other => self.error(
                            &format!("{field}.{k}"),
                            format!("must be a path string such as \"src/main.py\", not {}", kind(other)),
                        ),
                    }
                }
            }
            Some(other) => self.error(field, format!("must be a table of name = \"path\", not {}", kind(other))),
        }
        out
    }

    fn year(&mut self, value: &Value, field: &str) -> Option<RevitYear> {
        let parsed = match value {
            Value::String(s) => s.parse::<RevitYear>().map_err(|e| e.to_string()),
            Value::Number(n) => match n.as_u64() {
                Some(y) => RevitYear::new(y).map_err(|e| e.to_string()),
                None => Err(format!("{n} is not a Revit year")),
            },
            other => Err(format!("must be a year such as \"2024\", not {}", kind(other))),
        };
        match parsed {
            Ok(y) => Some(y),
            Err(e) => {
                self.error(field, e);
                None
            }
        }
    }

    fn years(&mut self, value: Option<&Value>, field: &str) -> Vec<RevitYear> {
        match value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.len() <= MAX_LIST => {
                let mut out: Vec<RevitYear> =
                    items.iter().enumerate().filter_map(|(i, v)| self.year(v, &format!("{field}[{i}]"))).collect();
                out.sort();
                out.dedup();
                out
            }
            Some(other) => {
                self.error(field, format!("must be a list of years such as [\"2023\", \"2024\"], not {}", kind(other)));
                Vec::new()
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

impl Manifest {
    /// Reads the canonical JSON object. `file` names the source for problems;
    /// `field_name` maps a canonical field to how the source spells it.
    /// Returns the manifest when no problem is an error, and all problems.
    pub fn from_json(
        value: &Value,
        file: &str,
        field_name: &dyn Fn(&str) -> String,
    ) -> (Option<Manifest>, Vec<Problem>) {
        let mut r = FieldReader { file, field_name, problems: Vec::new() };
        // Every string and field name first: what breaks the text rule is an
        // error, and the rest is read from a cleaned copy (to find the other
        // problems), so no message below quotes an escape to a terminal.
        let (value, text_problems) = manifest_text::sanitize(value);
        for p in text_problems {
            r.error(&p.field, p.message);
        }
        let value = &value;
        let Some(obj) = value.as_object() else {
            r.problems.push(Problem::error(
                file,
                None,
                format!("the manifest must be a table of fields, not {}", kind(value)),
            ));
            return (None, r.problems);
        };

        for key in obj.keys() {
            if !FIELDS.contains(&key.as_str()) {
                r.warning(key, "is not a manifest field and is ignored");
            }
        }

        let name_text = r.required_string(obj, "name", "name = \"my-addon\"");
        let name = if name_text.is_empty() {
            None
        } else {
            match PackageName::new(&name_text) {
                Ok(n) => Some(n),
                Err(e) => {
                    r.error("name", e.to_string());
                    None
                }
            }
        };
        let version_text = r.required_string(obj, "version", "version = \"1.0.0\"");
        let version = if version_text.is_empty() {
            None
        } else {
            match Version::from_str(version_text.trim()) {
                Ok(v) => Some(v),
                Err(e) => {
                    r.error(
                        "version",
                        format!("`{version_text}` is not a PEP 440 version ({e}); write for example \"1.0.0\" or \"2.0.0b1\""),
                    );
                    None
                }
            }
        };
        let description = match r.string(obj, "description", MAX_TEXT) {
            Some(d) if !d.trim().is_empty() => d,
            _ => {
                r.error("description", "is missing; add a sentence that says what the package does");
                String::new()
            }
        };
        let summary = r
            .string(obj, "summary", MAX_SHORT_TEXT)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| first_line(&description));
        let author = r.required_string(obj, "author", "author = \"Your Name\"");
        let author_email = r.string(obj, "author_email", MAX_SHORT_TEXT).unwrap_or_default();
        if !author_email.is_empty() && !author_email.contains('@') {
            r.error("author_email", format!("`{author_email}` is not an email address"));
        }
        let license = r.string(obj, "license", MAX_SHORT_TEXT).unwrap_or_default();
        if license.is_empty() {
            r.warning("license", "is missing; add an SPDX identifier such as \"MIT\"");
        }
        let homepage_url = r.url(obj, "homepage_url");
        let repository_url = r.url(obj, "repository_url");
        let documentation_url = r.url(obj, "documentation_url");

        let package_type = match r.string(obj, "package_type", MAX_SHORT_TEXT) {
            None => PackageType::default(),
            Some(t) => t.parse().unwrap_or_else(|()| {
                r.error(
                    "package_type",
                    format!("`{t}` is not a package type; write one of {}", PackageType::CHOICES.join(", ")),
                );
                PackageType::default()
            }),
        };
        let performance_impact = match r.string(obj, "performance_impact", MAX_SHORT_TEXT) {
            None => PerformanceImpact::default(),
            Some(t) => t.parse().unwrap_or_else(|()| {
                r.error(
                    "performance_impact",
                    format!("`{t}` is not an impact; write one of {}", PerformanceImpact::CHOICES.join(", ")),
                );
                PerformanceImpact::default()
            }),
        };
        let requires_admin = match obj.get("requires_admin") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                r.error("requires_admin", format!("must be true or false, not {}", kind(other)));
                false
            }
        };

        let revit_compatibility = read_compatibility(&mut r, obj.get("revit_compatibility"));
        let entry_points = r.string_map(obj, "entry_points");
        let install_hooks = r.string_map(obj, "install_hooks");
        let uninstall_hooks = r.string_map(obj, "uninstall_hooks");
        // An entry point may name a function (`path.py:main`); a hook is a
        // script path, whole (see `script_paths`).
        for (k, value) in &entry_points {
            if let Err(message) = script_paths::check_entry_point(value) {
                r.error(&format!("entry_points.{k}"), message);
            }
        }
        for (field, map) in [("install_hooks", &install_hooks), ("uninstall_hooks", &uninstall_hooks)] {
            for (k, value) in map {
                if let Err(message) = script_paths::check_hook(value) {
                    r.error(&format!("{field}.{k}"), message);
                }
            }
        }
        let file_associations = r.string_list(obj, "file_associations");
        for (i, ext) in file_associations.iter().enumerate() {
            let ok = ext
                .strip_prefix('.')
                .is_some_and(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
            if !ok {
                r.error(
                    &format!("file_associations[{i}]"),
                    format!("`{ext}` is not a file extension; write it like \".rvt\""),
                );
            }
        }
        let dependencies = read_dependencies(&mut r, obj.get("dependencies"), name.as_ref());
        let revit_dependencies = r.string_list(obj, "revit_dependencies");
        let python_version = r.string(obj, "python_version", MAX_SHORT_TEXT);
        if let Some(pv) = &python_version
            && let Err(e) = VersionSpecifiers::from_str(pv)
        {
            r.error("python_version", format!("`{pv}` is not a version specifier ({e}); write for example \">=3.8\""));
        }
        let keywords = r.string_list(obj, "keywords");
        let categories = r.string_list(obj, "categories");
        let digital_signature = r.string(obj, "digital_signature", MAX_TEXT);
        let security_policy = r.string(obj, "security_policy", MAX_TEXT);

        let problems = r.problems;
        let manifest = match (name, version) {
            (Some(name), Some(version)) if !crate::problem::has_errors(&problems) => Some(Manifest {
                name,
                version,
                description,
                summary,
                author,
                author_email,
                license,
                homepage_url,
                repository_url,
                documentation_url,
                package_type,
                revit_compatibility,
                performance_impact,
                requires_admin,
                entry_points,
                install_hooks,
                uninstall_hooks,
                file_associations,
                dependencies,
                revit_dependencies,
                python_version,
                keywords,
                categories,
                digital_signature,
                security_policy,
            }),
            _ => None,
        };
        (manifest, problems)
    }

    /// `rpyx-manifest.json` in the original's shape and field order.
    pub fn to_json(&self) -> Value {
        let rc = &self.revit_compatibility;
        let deps: Vec<Value> = self
            .dependencies
            .iter()
            .map(|d| json!({"name": d.name.as_str(), "version": d.specifiers.to_string()}))
            .collect();
        let known: Vec<Value> = rc
            .known_issues
            .iter()
            .map(|k| json!({"description": k.description, "affected_versions": k.affected_versions}))
            .collect();
        json!({
            "name": self.name.as_str(),
            "version": self.version.to_string(),
            "description": self.description,
            "summary": self.summary,
            "author": self.author,
            "author_email": self.author_email,
            "license": self.license,
            "homepage_url": self.homepage_url,
            "repository_url": self.repository_url,
            "documentation_url": self.documentation_url,
            "package_type": self.package_type,
            "revit_compatibility": {
                "min_version": rc.range.min(),
                "max_version": rc.range.max(),
                "tested_versions": rc.tested_versions,
                "known_issues": known,
            },
            "performance_impact": self.performance_impact,
            "requires_admin": self.requires_admin,
            "entry_points": self.entry_points,
            "install_hooks": self.install_hooks,
            "uninstall_hooks": self.uninstall_hooks,
            "file_associations": self.file_associations,
            "dependencies": deps,
            "revit_dependencies": self.revit_dependencies,
            "python_version": self.python_version,
            "digital_signature": self.digital_signature,
            "security_policy": self.security_policy,
            "keywords": self.keywords,
            "categories": self.categories,
        })
    }

    /// Reads `rpyx-manifest.json` from a package.
    pub fn from_package_json(bytes: &[u8]) -> (Option<Manifest>, Vec<Problem>) {
        const FILE: &str = crate::MANIFEST_ENTRY;
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => Manifest::from_json(&v, FILE, &|f| f.to_owned()),
            Err(e) => (None, vec![Problem::error(FILE, None, format!("is not valid JSON: {e}"))]),
        }
    }
}

/// A summary made from a description: its first non-empty line, as one
/// line. Tabs are text in a description but not in a summary (which is
/// checked as one line when the written manifest is read back: found by
/// fuzzing), so each becomes a space.
fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    line.chars().take(200).map(|c| if c == '\t' { ' ' } else { c }).collect()
}

fn read_compatibility(r: &mut FieldReader<'_>, value: Option<&Value>) -> RevitCompatibility {
    const F: &str = "revit_compatibility";
    let obj = match value {
        None | Some(Value::Null) => {
            r.warning(F, "is missing, so no Revit version can be checked; add min_version (and max_version)");
            return RevitCompatibility::default();
        }
        Some(Value::Object(obj)) => obj,
        Some(other) => {
            r.error(F, format!("must be a table with min_version, max_version, tested_versions, not {}", kind(other)));
            return RevitCompatibility::default();
        }
    };
    for key in obj.keys() {
        if !["min_version", "max_version", "tested_versions", "known_issues"].contains(&key.as_str()) {
            r.warning(&format!("{F}.{key}"), "is not a revit_compatibility field and is ignored");
        }
    }
    let year_of = |r: &mut FieldReader<'_>, key: &str| match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => r.year(v, &format!("{F}.{key}")),
    };
    let min = year_of(r, "min_version");
    let max = year_of(r, "max_version");
    let range = RevitRange::new(min, max).unwrap_or_else(|e| {
        r.error(&format!("{F}.max_version"), format!("{e}; write a max_version of {} or later", e.min));
        RevitRange::new(min, None).expect("open range is valid")
    });
    let tested_versions = r.years(obj.get("tested_versions"), &format!("{F}.tested_versions"));
    for y in &tested_versions {
        if !range.contains(*y) {
            r.error(
                &format!("{F}.tested_versions"),
                format!("{y} is outside the declared range ({range}); widen the range or remove it"),
            );
        }
    }
    let mut known_issues = Vec::new();
    match obj.get("known_issues") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) if items.len() <= MAX_LIST => {
            for (i, item) in items.iter().enumerate() {
                let field = format!("{F}.known_issues[{i}]");
                match item {
                    // The original also accepted plain strings.
                    Value::String(s) => {
                        known_issues.push(KnownIssue { description: s.clone(), affected_versions: Vec::new() })
                    }
                    Value::Object(o) => {
                        let description = match o.get("description") {
                            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                            _ => {
                                r.error(&field, "needs a description string");
                                String::new()
                            }
                        };
                        let affected = r.years(o.get("affected_versions"), &format!("{field}.affected_versions"));
                        for y in &affected {
                            if !range.contains(*y) {
                                r.error(
                                    &format!("{field}.affected_versions"),
                                    format!("{y} is outside the declared range ({range}); a known issue must affect a supported version"),
                                );
                            }
                        }
                        known_issues.push(KnownIssue { description, affected_versions: affected });
                    }
                    other => {
                        r.error(&field, format!("must be {{description, affected_versions}}, not {}", kind(other)))
                    }
                }
            }
        }
        Some(other) => r.error(&format!("{F}.known_issues"), format!("must be a list, not {}", kind(other))),
    }
    // A table that names no version says no more than a missing one: that
    // is also how an undeclared range is written (`min_version: null`...),
    // so it reads back as undeclared (found by fuzzing).
    let declared =
        range.min().is_some() || range.max().is_some() || !tested_versions.is_empty() || !known_issues.is_empty();
    if !declared {
        r.warning(F, "names no Revit version, so none can be checked; add min_version (and max_version)");
    }
    RevitCompatibility { range, tested_versions, known_issues, declared }
}

/// Dependencies come in every shape the original's sources allowed:
/// `{name = "spec"}` (revitpy.toml), `["name>=1"]` (PEP 508, pyproject),
/// `[{name, version}]` (package.json), and `[{name: "name>=1"}]` (what the
/// original builder wrote for pyproject sources).
fn read_dependencies(
    r: &mut FieldReader<'_>,
    value: Option<&Value>,
    own_name: Option<&PackageName>,
) -> Vec<Dependency> {
    const F: &str = "dependencies";
    let mut raw: Vec<(String, String, Option<String>)> = Vec::new(); // (field, name, spec)
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) if map.len() <= MAX_LIST => {
            for (name, spec) in map {
                let field = format!("{F}.{name}");
                match spec {
                    Value::String(s) => raw.push((field, name.clone(), Some(s.clone()))),
                    Value::Object(o) => match o.get("version") {
                        Some(Value::String(s)) => raw.push((field, name.clone(), Some(s.clone()))),
                        None => raw.push((field, name.clone(), None)),
                        Some(other) => r.error(&field, format!("version must be a string, not {}", kind(other))),
                    },
                    other => r.error(
                        &field,
                        format!("must be a version specifier such as \">=1.0,<2\", not {}", kind(other)),
                    ),
                }
            }
        }
        Some(Value::Array(items)) if items.len() <= MAX_LIST => {
            for (i, item) in items.iter().enumerate() {
                let field = format!("{F}[{i}]");
                match item {
                    Value::String(s) => raw.push((field, s.clone(), None)),
                    Value::Object(o) => match (o.get("name"), o.get("version")) {
                        (Some(Value::String(n)), Some(Value::String(v))) => {
                            raw.push((field, n.clone(), Some(v.clone())))
                        }
                        (Some(Value::String(n)), None | Some(Value::Null)) => raw.push((field, n.clone(), None)),
                        _ => r.error(&field, "must be {name = \"...\", version = \"...\"}"),
                    },
                    other => r.error(
                        &field,
                        format!("must be a requirement such as \"revitpy-utils>=1.0\", not {}", kind(other)),
                    ),
                }
            }
        }
        Some(Value::Object(_) | Value::Array(_)) => r.error(F, format!("has more than {MAX_LIST} entries")),
        Some(other) => r.error(F, format!("must be a table or a list, not {}", kind(other))),
    }

    let mut out: Vec<Dependency> = Vec::new();
    for (field, name, spec) in raw {
        let parsed = match spec {
            Some(spec) => parse_name_and_spec(&name, &spec),
            None => parse_pep508(&name),
        };
        match parsed {
            Ok(dep) => {
                if own_name == Some(&dep.name) {
                    r.error(&field, "a package cannot depend on itself");
                } else if out.iter().any(|d| d.name == dep.name) {
                    r.error(&field, format!("`{}` is listed twice; merge the specifiers into one", dep.name));
                } else {
                    out.push(dep);
                }
            }
            Err(e) => r.error(&field, e),
        }
    }
    out
}

fn parse_name_and_spec(name: &str, spec: &str) -> Result<Dependency, String> {
    let name = PackageName::new(name.trim()).map_err(|e| e.to_string())?;
    let spec = spec.trim();
    let specifiers = if spec.is_empty() || spec == "*" {
        VersionSpecifiers::empty()
    } else {
        VersionSpecifiers::from_str(spec)
            .map_err(|e| format!("`{spec}` is not a PEP 440 version specifier ({e}); write for example \">=1.0,<2\""))?
    };
    Ok(Dependency { name, specifiers })
}

fn parse_pep508(requirement: &str) -> Result<Dependency, String> {
    let not_a_requirement =
        |why: &str| format!("`{requirement}` is not a requirement such as \"revitpy-utils>=1.0\": {why}");
    // pep508_rs 0.9 panics on a name that ends in `-`, `_` or `.` followed by
    // an operator (`a-^`, found by fuzzing): refuse those names first.
    let name: &str = requirement
        .trim_start()
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .next()
        .unwrap_or_default();
    if name.ends_with(['-', '_', '.']) || name.starts_with(['-', '_', '.']) {
        return Err(not_a_requirement("a package name starts and ends with a letter or digit"));
    }
    // Extras, markers and URLs are refused below anyway; refusing them here
    // keeps the parser away from its extra-name check, which panics the same
    // way (`name[x.]`, found by fuzzing).
    let rest = requirement.trim_start().strip_prefix(name).unwrap_or_default().trim_start();
    if rest.starts_with('[') || requirement.contains(';') {
        return Err(format!(
            "`{requirement}` uses extras or environment markers, which RevitPy packages do not support"
        ));
    }
    if rest.starts_with('@') {
        return Err(format!(
            "`{requirement}` points at a URL; dependencies must come from the registry by name and version"
        ));
    }
    // A parser bug must be a refusal of one manifest, not a crash of the
    // registry or the client: any other panic in it is caught here.
    let parsed = std::panic::catch_unwind(|| pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement))
        .map_err(|_| not_a_requirement("the requirement parser could not read it"))?;
    let req = parsed.map_err(|e| not_a_requirement(&e.message.to_string()))?;
    let specifiers = match req.version_or_url {
        None => VersionSpecifiers::empty(),
        Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => s,
        Some(pep508_rs::VersionOrUrl::Url(_)) => {
            return Err(format!(
                "`{requirement}` points at a URL; dependencies must come from the registry by name and version"
            ));
        }
    };
    if !req.extras.is_empty() || !req.marker.is_true() {
        return Err(format!(
            "`{requirement}` uses extras or environment markers, which RevitPy packages do not support"
        ));
    }
    Ok(Dependency { name: PackageName::new(req.name.as_ref()).map_err(|e| e.to_string())?, specifiers })
}
