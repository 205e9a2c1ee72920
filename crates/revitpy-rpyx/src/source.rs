//! Manifest sources in a package's source folder.
//!
//! The original builder looked for `revitpy.toml`, `pyproject.toml`,
//! `package.json`, `manifest.json` and `manifest.yaml`, in that order, and so
//! do we. Each source is mapped to one JSON object with the original field
//! names, then read by [`Manifest::from_json`].

use std::path::Path;

use revitpy_names::control_chars::{self, Lines};
use serde_json::{Map, Value};

use crate::manifest::Manifest;
use crate::problem::Problem;

/// The manifest sources, in the order they are looked for.
pub const SOURCE_FILES: &[&str] =
    &["revitpy.toml", "pyproject.toml", "package.json", "manifest.json", "manifest.yaml", "manifest.yml"];

/// Largest manifest source read; real ones are a few kilobytes.
const MAX_SOURCE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    RevitpyToml,
    Pyproject,
    Json,
    Yaml,
}

/// A manifest read from a source folder, or every problem that stopped it.
pub struct LoadedManifest {
    pub file: String,
    pub kind: SourceKind,
    pub manifest: Option<Manifest>,
    pub problems: Vec<Problem>,
}

/// Finds and reads the manifest source of `dir`.
pub fn load_from_dir(dir: &Path) -> Result<LoadedManifest, Problem> {
    let Some(file) = SOURCE_FILES.iter().find(|f| dir.join(f).is_file()) else {
        return Err(Problem::error(
            &dir.display().to_string(),
            None,
            format!("no manifest found; add one of {} (see the examples in the README)", SOURCE_FILES.join(", ")),
        ));
    };
    let path = dir.join(file);
    let meta = fs_err::metadata(&path).map_err(|e| Problem::error(file, None, e.to_string()))?;
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Problem::error(
            file,
            None,
            format!("is {} bytes; a manifest may be at most {MAX_SOURCE_BYTES}", meta.len()),
        ));
    }
    let text = fs_err::read_to_string(&path).map_err(|e| Problem::error(file, None, e.to_string()))?;
    Ok(load_from_str(file, &text))
}

/// Reads a manifest source given its file name and text.
pub fn load_from_str(file: &str, text: &str) -> LoadedManifest {
    let kind = match file {
        "revitpy.toml" => SourceKind::RevitpyToml,
        "pyproject.toml" => SourceKind::Pyproject,
        f if f.ends_with(".json") => SourceKind::Json,
        _ => SourceKind::Yaml,
    };
    let canonical = match kind {
        SourceKind::RevitpyToml => parse_toml(text).map(revitpy_toml_to_canonical),
        SourceKind::Pyproject => parse_toml(text).and_then(pyproject_to_canonical),
        SourceKind::Json => serde_json::from_str::<Value>(text).map_err(|e| format!("is not valid JSON: {e}")),
        SourceKind::Yaml => serde_norway::from_str::<Value>(text).map_err(|e| format!("is not valid YAML: {e}")),
    };
    let canonical = match canonical {
        Ok(v) => v,
        Err(message) => {
            // Parsers quote the offending line, which may hold an escape.
            let message = control_chars::escape(&message, Lines::Multi);
            return LoadedManifest {
                file: file.to_owned(),
                kind,
                manifest: None,
                problems: vec![Problem::error(file, None, message)],
            };
        }
    };
    let field_name = |field: &str| field_name(kind, field);
    let (manifest, problems) = Manifest::from_json(&canonical, file, &field_name);
    LoadedManifest { file: file.to_owned(), kind, manifest, problems }
}

fn parse_toml(text: &str) -> Result<Value, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| format!("is not valid TOML: {e}"))?;
    serde_json::to_value(table).map_err(|e| format!("cannot be read: {e}"))
}

/// `[package]` with `[package.desktop]` folded in; a file without `[package]`
/// is read as a flat manifest, as the original did.
fn revitpy_toml_to_canonical(value: Value) -> Value {
    let Value::Object(mut top) = value else {
        return value;
    };
    let Some(Value::Object(mut package)) = top.remove("package") else {
        return Value::Object(top);
    };
    if let Some(Value::Object(desktop)) = package.remove("desktop") {
        for (k, v) in desktop {
            package.entry(k).or_insert(v);
        }
    }
    Value::Object(package)
}

/// `[project]` (PEP 621) plus `[tool.revitpy]`, which wins where both speak.
fn pyproject_to_canonical(value: Value) -> Result<Value, String> {
    let Value::Object(mut top) = value else {
        return Err("must be a TOML table".to_owned());
    };
    let Some(Value::Object(project)) = top.remove("project") else {
        return Err("has no [project] table; RevitPy reads name and version from it (PEP 621)".to_owned());
    };
    let revitpy = top.get_mut("tool").and_then(|t| t.as_object_mut()).and_then(|t| t.remove("revitpy"));
    let mut out = Map::new();
    for key in ["name", "version", "description", "keywords", "dependencies"] {
        if let Some(v) = project.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(Value::Array(authors)) = project.get("authors") {
        let names: Vec<&str> = authors.iter().filter_map(|a| a.get("name")?.as_str()).collect();
        let email = authors.iter().find_map(|a| a.get("email")?.as_str());
        if !names.is_empty() {
            out.insert("author".to_owned(), Value::String(names.join(", ")));
        }
        if let Some(email) = email {
            out.insert("author_email".to_owned(), Value::String(email.to_owned()));
        }
    }
    match project.get("license") {
        Some(Value::String(s)) => {
            out.insert("license".to_owned(), Value::String(s.clone()));
        }
        Some(Value::Object(o)) => {
            if let Some(t) = o.get("text").or_else(|| o.get("file")) {
                out.insert("license".to_owned(), t.clone());
            }
        }
        _ => {}
    }
    if let Some(Value::Object(urls)) = project.get("urls") {
        for (label, field) in [
            ("homepage", "homepage_url"),
            ("repository", "repository_url"),
            ("source", "repository_url"),
            ("documentation", "documentation_url"),
        ] {
            if let Some((_, url)) = urls.iter().find(|(k, _)| k.eq_ignore_ascii_case(label)) {
                out.entry(field.to_owned()).or_insert_with(|| url.clone());
            }
        }
    }
    match revitpy {
        Some(Value::Object(tool)) => {
            for (k, v) in tool {
                out.insert(k, v);
            }
        }
        Some(_) => return Err("[tool.revitpy] must be a table".to_owned()),
        None => {
            return Err(
                "has no [tool.revitpy] table; add one with at least package_type and revit_compatibility".to_owned()
            );
        }
    }
    Ok(Value::Object(out))
}

/// How a source spells a canonical field, for problem messages.
pub fn field_name(kind: SourceKind, field: &str) -> String {
    match kind {
        SourceKind::RevitpyToml => format!("package.{field}"),
        SourceKind::Pyproject => {
            let top = field.split(['.', '[']).next().unwrap_or(field);
            match top {
                "name" | "version" | "description" | "keywords" | "dependencies" => {
                    format!("project.{field}")
                }
                "author" | "author_email" => "project.authors".to_owned(),
                "license" => "project.license".to_owned(),
                "homepage_url" | "repository_url" | "documentation_url" => "project.urls".to_owned(),
                _ => format!("tool.revitpy.{field}"),
            }
        }
        SourceKind::Json | SourceKind::Yaml => field.to_owned(),
    }
}
