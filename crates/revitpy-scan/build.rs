//! Computes `SCANNER_ID`: the crate's version and a hash of every source and
//! data file the scanner's verdicts come from, so that a report records
//! exactly which scanner wrote it and `revitpy-registry rescan` knows which
//! stored reports an upgrade made stale. Versions in this workspace do not
//! move with every rule change; the hash does.
//!
//! FNV-1a (64 bit) written here rather than a hashing crate: it is a change
//! detector over our own files, not a security property, and a build
//! dependency would be compiled for every build of the workspace.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut paths = Vec::new();
    for dir in ["src", "data"] {
        files(&root.join(dir), &mut paths);
        println!("cargo:rerun-if-changed={dir}");
    }
    paths.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for path in &paths {
        let relative = path.strip_prefix(&root).expect("under the crate").to_string_lossy().replace('\\', "/");
        eat(relative.as_bytes());
        eat(&[0]);
        // Line endings as checked out must not change the id.
        let text = std::fs::read(path).expect("readable source");
        let text: Vec<u8> = text.into_iter().filter(|b| *b != b'\r').collect();
        eat(&text);
        eat(&[0]);
    }
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    println!("cargo:rustc-env=REVITPY_SCANNER_ID=revitpy-scan {version}+{hash:016x}");
}
