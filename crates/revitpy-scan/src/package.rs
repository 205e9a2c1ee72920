//! TRANSITIONAL: the glue between a package and the scanner, now in
//! revitpy-check (`manifest_facts`, and the single pass that reads, verifies
//! and scans each file once). Only the server's upload still calls this;
//! when it calls revitpy-check, delete this module, its `pub mod package;`
//! in lib.rs and the `revitpy-rpyx` dependency in Cargo.toml: the scanner
//! then sees entries, never the format's types.

use crate::report::ScanReport;
use crate::{Entry, ManifestFacts, Scan};
use revitpy_rpyx::{Manifest, Package};

/// Entries are inflated and scanned a batch at a time, each batch at most
/// this many bytes (or one entry, when an entry is larger): a package is
/// never held inflated whole, and a batch still spreads over every core.
pub const BATCH_BYTES: usize = 16 * 1024 * 1024;

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

/// Reads every file of the package, a batch at a time, and scans it.
pub fn scan_package(package: &Package, manifest: &Manifest) -> Result<ScanReport, String> {
    let facts = manifest_facts(manifest);
    let mut scan = Scan::new(&facts);
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0;
    let flush = |batch: &mut Vec<(String, Vec<u8>)>, scan: &mut Scan<'_>| {
        let entries: Vec<Entry<'_>> = batch.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
        scan.add(&entries);
        batch.clear();
    };
    for e in package.files() {
        let bytes = package.read(e).map_err(|e| e.to_string())?;
        batch_bytes += bytes.len();
        batch.push((e.path.clone(), bytes));
        if batch_bytes >= BATCH_BYTES {
            flush(&mut batch, &mut scan);
            batch_bytes = 0;
        }
    }
    flush(&mut batch, &mut scan);
    Ok(scan.finish())
}
