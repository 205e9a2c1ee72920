//! What the registry's benches share (each includes this file with
//! `#[path]`): seeded versions made from generated search docs, bytes that
//! do not compress, and the text of their tables.
#![allow(dead_code)]

use revitpy_store::Release;

/// A seeded version of `doc` (the `i`th): a manifest read by the package
/// format, then the server's one manifest-to-record constructor, pointing
/// at the file with `sha` and `size`.
pub fn seeded_release(doc: &revitpy_search::SearchDoc, i: usize, sha: &str, size: u64) -> Release {
    let version = format!("{}.{}.{}", 1 + i % 3, i % 10, i % 7);
    let source = serde_json::json!({
        "name": doc.name,
        "version": version,
        "summary": doc.summary,
        "description": doc.description,
        "author": "Bench Studio",
        "author_email": "bench@example.test",
        "license": "MIT",
        "keywords": doc.keywords,
        "categories": doc.categories,
        "package_type": doc.package_type,
        "performance_impact": "low",
        "revit_compatibility": {
            "min_version": doc.min_revit,
            "max_version": doc.max_revit,
            "tested_versions": doc.min_revit.into_iter().collect::<Vec<_>>(),
        },
    });
    let (manifest, problems) = revitpy_rpyx::Manifest::from_json(&source, "bench", &|f| f.to_owned());
    let manifest = manifest.unwrap_or_else(|| panic!("{}: {problems:?}", doc.name));
    let sha256 = revitpy_names::Sha256::new(sha).unwrap();
    revitpy_registry::service::publish::release(&manifest, sha256, size, revitpy_names::ScanStatus::Pending, None)
}

/// `len` bytes of xorshift64* from `seed`: incompressible, so a package
/// holding them stays about that size.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// Percent-encodes all but letters, digits, `-` and `_` (query values).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A TOML basic string holding `s`.
pub fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
