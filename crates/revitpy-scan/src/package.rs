//! The glue between a package and the scanner: the scanner never sees the
//! ZIP, only the manifest's facts and the entries (path, bytes).

use crate::report::ScanReport;
use crate::{Entry, ManifestFacts, scan};
use revitpy_rpyx::{Manifest, Package};

pub fn manifest_facts(m: &Manifest) -> ManifestFacts {
    ManifestFacts {
        name: m.name.normalized().to_owned(),
        min_revit: m.revit_compatibility.range.min().map(|y| y.get()),
        max_revit: m.revit_compatibility.range.max().map(|y| y.get()),
        revit_dependencies: m.revit_dependencies.clone(),
        declared_impact: m.performance_impact.to_string(),
        hooks: m.install_hooks.values().chain(m.uninstall_hooks.values()).cloned().collect(),
    }
}

/// Reads every file of the package and scans it.
pub fn scan_package(package: &Package, manifest: &Manifest) -> Result<ScanReport, String> {
    let mut files = Vec::new();
    for e in package.files() {
        files.push((e.path.clone(), package.read(e).map_err(|e| e.to_string())?));
    }
    let entries: Vec<Entry<'_>> = files.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
    Ok(scan(&manifest_facts(manifest), &entries))
}
