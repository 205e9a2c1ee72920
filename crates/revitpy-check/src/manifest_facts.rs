//! What the scanner needs of a manifest: the scanner never sees the
//! format's types, only these facts and the files.

use revitpy_rpyx::Manifest;
use revitpy_scan::ManifestFacts;

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
