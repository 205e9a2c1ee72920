//! Names Windows holds as one are refused, by the rule NTFS uses (simple
//! one-to-one uppercase), in archives read and in sources built.

mod support;

use revitpy_rpyx::{BuildError, BuildOptions, Limits, MANIFEST_ENTRY, Package, ReadError, build};
use support::{manifest_json, write_source, zip_of};

fn open_with(names: &[&str]) -> Result<Package, ReadError> {
    let manifest = manifest_json(serde_json::json!({}));
    let mut entries: Vec<(&str, &[u8])> = vec![(MANIFEST_ENTRY, &manifest), ("main.py", b"x = 1\n")];
    entries.extend(names.iter().map(|n| (*n, b"y = 2\n".as_slice())));
    Package::from_bytes(zip_of(&entries), Limits::default())
}

#[track_caller]
fn refused(names: &[&str], part: &str) {
    match open_with(names) {
        Err(ReadError::Entry { entry, message }) => {
            assert_eq!(&entry, names.last().unwrap());
            assert!(message.contains(part), "{names:?}: `{message}` does not contain `{part}`");
        }
        Err(other) => panic!("{names:?}: expected an entry error, got {other}"),
        Ok(_) => panic!("{names:?} were accepted"),
    }
}

#[test]
fn greek_sigmas_are_one_name() {
    refused(&["σ.py", "ς.py"], "differs from `σ.py` only in case");
    refused(&["ς.py", "Σ.py"], "differs from `ς.py` only in case");
    refused(&["λόγος/a.py", "ΛΌΓΟΣ/b.py", "λόγοσ/a.py"], "only in case");
}

#[test]
fn sharp_s_and_double_s_are_two_names() {
    open_with(&["ß.py", "ss.py", "SS/x.py"]).expect("ß and ss are different names on NTFS");
    open_with(&["Straße.py", "STRASSE.py"]).expect("ß and SS are different names on NTFS");
    refused(&["Straße.py", "STRAßE.py"], "only in case");
}

#[test]
fn a_file_where_a_folder_is_needed_is_found_across_cases() {
    refused(&["Σ", "ς/x.py"], "needs `ς` to be a folder");
    refused(&["Tools", "tools/x.py"], "needs `tools` to be a folder");
}

const MANIFEST: &str = r#"
[package]
name = "greek-tools"
version = "1.0.0"
description = "d"
author = "a"
license = "MIT"
[package.revit_compatibility]
min_version = "2022"
"#;

#[test]
fn the_builder_refuses_names_windows_holds_as_one() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_source(&src, "revitpy.toml", MANIFEST, &[("ς.py", b"x = 1\n"), ("σ.py", b"x = 2\n")]);
    match build(&src, &tmp.path().join("out.rpyx"), &BuildOptions::default()) {
        Err(BuildError::CaseCollision { first, second }) => {
            assert_eq!((first.as_str(), second.as_str()), ("ς.py", "σ.py"))
        }
        Err(other) => panic!("expected a case collision, got {other}"),
        Ok(_) => panic!("ς.py and σ.py were packaged together"),
    }
}

#[test]
fn the_builder_keeps_sharp_s_and_double_s_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_source(&src, "revitpy.toml", MANIFEST, &[("ß.py", b"x = 1\n"), ("ss.py", b"x = 2\n")]);
    let out = tmp.path().join("out.rpyx");
    build(&src, &out, &BuildOptions::default()).expect("ß.py and ss.py are two files on Windows");
    let package = Package::open(&out, Limits::default()).expect("opens");
    assert!(package.verify().1.is_empty());
}

/// On a case-sensitive file system a file `Tools` and a folder `tools/` can
/// sit side by side; Windows cannot hold both, so the builder says so rather
/// than writing a package every reader refuses.
#[test]
fn the_builder_refuses_a_file_where_a_folder_is_needed() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_source(&src, "revitpy.toml", MANIFEST, &[("Tools", b"x"), ("tools/run.py", b"x = 2\n")]);
    match build(&src, &tmp.path().join("out.rpyx"), &BuildOptions::default()) {
        Err(BuildError::FileWhereFolderNeeded { file, path }) => {
            assert_eq!((file.as_str(), path.as_str()), ("Tools", "tools/run.py"));
        }
        Err(other) => panic!("expected a file/folder clash, got {other}"),
        Ok(_) => panic!("a file `Tools` and a folder `tools` were packaged together"),
    }
}
