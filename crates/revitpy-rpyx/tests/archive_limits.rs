//! Limits on the whole archive: many small entries that each stay under the
//! per-entry checks must not add up to a bomb, and a reader can take the
//! files one at a time instead of holding them all.

mod support;

use revitpy_rpyx::{BuildOptions, Limits, MANIFEST_ENTRY, Package, ReadError, build};
use support::{manifest_json, write_source, zip_of, zip_with_copies};

const MIB: usize = 1024 * 1024;

/// 1,000 entries of 1 MiB of zeros: each is exactly at the per-entry ratio
/// floor, so no single entry is checked, and the archive is about 1 MB.
fn thousand_mebibytes_of_zeros() -> Vec<u8> {
    let manifest = manifest_json(serde_json::json!({}));
    let zeros = vec![0u8; MIB];
    let copies: Vec<String> = (1..1000).map(|i| format!("data/zeros{i:04}.bin")).collect();
    zip_with_copies(&[(MANIFEST_ENTRY, &manifest), ("data/zeros0000.bin", &zeros)], "data/zeros0000.bin", &copies)
}

#[test]
fn a_thousand_mebibytes_of_zeros_are_refused_before_inflating() {
    let bytes = thousand_mebibytes_of_zeros();
    assert!(bytes.len() < 2 * MIB, "the bomb is {} bytes", bytes.len());
    let err = match Package::from_bytes(bytes, Limits::default()) {
        Err(e) => e,
        Ok(p) => panic!("a {}-byte package expanding to 1000 MiB was opened", p.size()),
    };
    let message = err.to_string();
    assert!(matches!(err, ReadError::ExpandsTooMuch { .. }), "{err:?}");
    assert!(message.contains("whole package"), "{message}");
    assert!(message.contains(&format!("{}:1", Limits::default().max_total_ratio)), "{message}");
    assert!(message.contains("zip bomb"), "{message}");
    // `ExpandsTooMuch` comes only from the central directory's declared
    // sizes, checked when the package is opened: nothing was inflated.
}

#[test]
fn the_total_size_limit_is_checked_before_the_ratio() {
    // With the ratio out of the way, the same archive meets the total limit.
    let limits = Limits { max_total_ratio: u64::MAX, ..Limits::default() };
    match Package::from_bytes(thousand_mebibytes_of_zeros(), limits) {
        Err(ReadError::TooLarge { total, max }) => {
            assert_eq!(max, Limits::default().max_total_bytes);
            assert!(total > max);
            let message = ReadError::TooLarge { total, max }.to_string();
            assert!(message.contains("total"), "{message}");
        }
        Err(other) => panic!("expected TooLarge, got {other}"),
        Ok(_) => panic!("1000 MiB of files were accepted"),
    }
}

#[test]
fn default_limits_are_consistent() {
    let l = Limits::default();
    // A stored archive expands to about its own size, so every archive the
    // reader accepts may hold that much.
    assert!(l.max_total_bytes >= l.max_archive_bytes);
    assert!(l.max_entry_bytes <= l.max_total_bytes);
    // The whole package may not expand more than its worst single entry.
    assert!(l.max_total_ratio <= l.max_ratio);
    assert!(l.total_ratio_floor_bytes >= l.ratio_floor_bytes);
    assert!(l.total_ratio_floor_bytes < l.max_total_bytes);
}

/// Text that compresses about as source code does (a few to one).
fn source_like_text(seed: u64, len: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "def",
        "return",
        "wall",
        "element",
        "doc",
        "transaction",
        "self",
        "if",
        "else",
        "for",
        "in",
        "import",
        "from",
        "Autodesk",
        "Revit",
        "DB",
        "FilteredElementCollector",
        "OfClass",
        "ToElements",
        "parameter",
        "value",
        "None",
        "True",
        "False",
        "=",
        "(",
        ")",
        ":",
        ",",
        ".",
        "+",
        "1",
        "0.5",
        "height",
        "width",
    ];
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut out = Vec::with_capacity(len + 32);
    while out.len() < len {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let word = WORDS[(state >> 33) as usize % WORDS.len()];
        out.extend_from_slice(word.as_bytes());
        out.push(if (state >> 20).is_multiple_of(9) { b'\n' } else { b' ' });
        if (state >> 40).is_multiple_of(97) {
            out.extend_from_slice(format!("x{}", state % 100_000).as_bytes());
        }
    }
    out.truncate(len);
    out
}

/// A package past the whole-archive ratio floor that compresses like real
/// code and data: 19 MiB of files, built by our builder and read back.
#[test]
fn a_legitimate_large_package_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let manifest = r#"
[package]
name = "big-addin"
version = "1.0.0"
description = "Large but honest"
author = "Test"
license = "MIT"
[package.revit_compatibility]
min_version = "2022"
"#;
    // 100 modules of 170 KiB, each a different window of one text (entries
    // compress independently, so sharing text does not help the ratio).
    let text = source_like_text(7, MIB);
    let window = 170 * 1024;
    let mut files: Vec<(String, Vec<u8>)> = (0..100)
        .map(|i| {
            let at = (i * 4099) % (text.len() - window);
            let mut module = format!("# module {i}\n").into_bytes();
            module.extend_from_slice(&text[at..at + window]);
            (format!("big_addin/module{i:03}.py"), module)
        })
        .collect();
    // Binary resources that do not compress at all (stored).
    for i in 0..2u64 {
        let mut state = i + 1;
        let noise: Vec<u8> = (0..MIB)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        files.push((format!("resources/texture{i}.png"), noise));
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    write_source(&src, "revitpy.toml", manifest, &refs);
    let out = tmp.path().join("big.rpyx");
    let report = build(&src, &out, &BuildOptions::default()).expect("builds");
    let limits = Limits::default();
    assert!(report.uncompressed_bytes > limits.total_ratio_floor_bytes, "past the floor, so the ratio is checked");

    let package = Package::open(&out, limits).expect("a legitimate large package opens");
    assert_eq!(package.expanded_size(), package.entries().iter().map(|e| e.size).sum::<u64>());
    let (records, problems) = package.verify();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), files.len() + 1, "the files and revitpy.toml");
}

#[test]
fn small_packages_are_not_held_to_the_whole_archive_ratio() {
    // 2 MiB of zeros in a few kilobytes: far past 100:1, but under the floor,
    // where expanding costs nothing worth refusing a package for.
    let manifest = manifest_json(serde_json::json!({}));
    let zeros = vec![0u8; 64 * 1024];
    let names: Vec<String> = (0..32).map(|i| format!("blank{i}.dat")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![(MANIFEST_ENTRY, &manifest)];
    entries.extend(names.iter().map(|n| (n.as_str(), zeros.as_slice())));
    let bytes = zip_of(&entries);
    assert!(bytes.len() * 100 < 2 * MIB);
    Package::from_bytes(bytes, Limits::default()).expect("a small package opens");
}

#[test]
fn files_can_be_read_one_at_a_time() {
    let manifest = manifest_json(serde_json::json!({}));
    let a = b"print('a')\n".repeat(100);
    let b = b"print('b')\n".repeat(50);
    let bytes = zip_of(&[(MANIFEST_ENTRY, &manifest), ("a.py", &a), ("sub/b.py", &b)]);
    let package = Package::from_bytes(bytes, Limits::default()).expect("opens");
    let mut seen = Vec::new();
    for item in package.read_files() {
        let (entry, contents) = item.expect("reads");
        assert_eq!(contents.len() as u64, entry.size);
        seen.push((entry.path.clone(), contents));
    }
    assert_eq!(seen, vec![("a.py".to_owned(), a), ("sub/b.py".to_owned(), b)]);
}
