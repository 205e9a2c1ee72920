//! Helpers for the integration tests that share them: ZIP archives written
//! with the `zip` crate, package sources written on the fly, folder walks.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;

pub mod non_ascii;

/// A ZIP archive holding `entries` in order, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).unix_permissions(0o644);
    for (name, data) in entries {
        w.start_file(*name, options).expect("start entry");
        w.write_all(data).expect("write entry");
    }
    w.finish().expect("finish archive").into_inner()
}

/// Like [`zip_of`], then `copies` more entries holding the compressed data of
/// entry `source` (copied, not compressed again: fast for large entries).
pub fn zip_with_copies(entries: &[(&str, &[u8])], source: &str, copies: &[String]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new_append(Cursor::new(zip_of(entries))).expect("reopen archive");
    for name in copies {
        w.deep_copy_file(source, name).expect("copy entry");
    }
    w.finish().expect("finish archive").into_inner()
}

/// A small, valid `rpyx-manifest.json` with `extra` fields merged in.
pub fn manifest_json(extra: serde_json::Value) -> Vec<u8> {
    let mut m = serde_json::json!({
        "name": "test-pkg",
        "version": "1.0.0",
        "description": "A package made by a test",
        "author": "Test",
        "license": "MIT",
        "revit_compatibility": {"min_version": "2022", "max_version": "2025"},
    });
    if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            m.insert(k.clone(), v.clone());
        }
    }
    serde_json::to_vec_pretty(&m).expect("manifest serializes")
}

/// Writes a package source: the manifest file and every `(path, bytes)`.
pub fn write_source(dir: &Path, manifest_file: &str, manifest: &str, files: &[(&str, &[u8])]) {
    std::fs::create_dir_all(dir).expect("create source folder");
    std::fs::write(dir.join(manifest_file), manifest).expect("write manifest");
    for (rel, bytes) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("create folder");
        std::fs::write(&path, bytes).expect("write file");
    }
}

/// Every file under `dir`, by `/`-separated relative path; anything but
/// folders and regular files (a link, a pipe) fails the test.
pub fn walk(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn visit(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("dir entry");
            let ty = entry.file_type().expect("file type");
            let path = entry.path();
            if ty.is_dir() {
                visit(root, &path, out);
            } else {
                assert!(ty.is_file(), "{} is not a regular file", path.display());
                let rel: Vec<String> = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .components()
                    .map(|c| c.as_os_str().to_str().expect("UTF-8 name").to_owned())
                    .collect();
                out.insert(rel.join("/"), std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(dir, dir, &mut out);
    out
}
