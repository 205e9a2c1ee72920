//! A package source whose names are German, Russian and Japanese, shared
//! by rpyx's `non_ascii_names` test and revitpy-check's whole check.

use std::path::Path;

use super::write_source;

pub const MANIFEST: &str = r#"
[package]
name = "wand-werkzeuge"
version = "1.0.0"
description = "Werkzeuge für Wände – инструменты для стен – 壁のツール"
author = "Jörg Müller"
license = "MIT"

[package.revit_compatibility]
min_version = "2022"
max_version = "2025"

[package.entry_points]
"größe" = "Größe.py:main"
"стены" = "Стены.py"
"壁" = "壁/設定.py"
"#;

/// Names that split at a byte inside a character in a 3-byte prefix, near the
/// 150-character limit, and in folders.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let long_japanese = format!("{}/{}.py", "壁".repeat(80), "壁".repeat(66));
    let long_russian = format!("{}/{}/{}.py", "Ж".repeat(49), "ж".repeat(49), "Ж".repeat(47));
    [
        "Größe.py",
        "Стены.py",
        "壁.py",
        "x壁.py",
        "werkzeuge/Maße/Öffnung.py",
        "обои/Стены/окно.py",
        "壁/設定.py",
        "Ärger.txt",
        long_japanese.as_str(),
        long_russian.as_str(),
    ]
    .iter()
    .map(|p| (p.to_string(), format!("# {p}\ndef main():\n    print({p:?})\n").into_bytes()))
    .collect()
}

pub fn write_package_source(dir: &Path) {
    let files = files();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    write_source(dir, "revitpy.toml", MANIFEST, &refs);
}
