//! One module per command; each exposes `run(args, printer) -> ExitStatus`.

pub mod build;
pub mod cache;
pub mod install;
pub mod keys;
pub mod list;
pub mod login;
pub mod publish;
pub mod search;
pub mod sync;
pub mod uninstall;
pub mod validate;

use revitpy_rpyx::{Manifest, Problem, Severity};
use serde_json::{Value, json};

/// The manifest summary printed by `build` and `validate`.
pub fn manifest_summary(m: &Manifest) -> Value {
    let rc = &m.revit_compatibility;
    json!({
        "name": m.name.as_str(),
        "normalized_name": m.name.normalized(),
        "version": m.version.to_string(),
        "summary": m.summary,
        "author": m.author,
        "license": m.license,
        "package_type": m.package_type,
        "performance_impact": m.performance_impact,
        "requires_admin": m.requires_admin,
        "min_revit_version": rc.range.min(),
        "max_revit_version": rc.range.max(),
        "tested_revit_versions": rc.tested_versions,
        "dependencies": m.dependencies.iter().map(|d| json!({"name": d.name.as_str(), "version": d.specifiers.to_string()})).collect::<Vec<_>>(),
        "entry_points": m.entry_points,
    })
}

pub fn print_problem(printer: &crate::printer::Printer, p: &Problem) {
    let location = match (&p.file, &p.field) {
        (f, Some(field)) if !f.is_empty() => format!("{f}: {field}: "),
        (f, None) if !f.is_empty() => format!("{f}: "),
        (_, Some(field)) => format!("{field}: "),
        _ => String::new(),
    };
    match p.severity {
        Severity::Error => printer.error(format!("{location}{}", p.message)),
        Severity::Warning => printer.warning(format!("{location}{}", p.message)),
    }
}

/// Human-readable byte counts.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[unit]) }
}
