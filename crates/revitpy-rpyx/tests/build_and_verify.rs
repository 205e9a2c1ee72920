//! Builds of the examples: reproducible, complete, and refusing what should
//! not be packaged. (That every example builds and passes the whole check is
//! tested in revitpy-check's tests/examples.rs.)

use std::path::{Path, PathBuf};

use revitpy_rpyx::{BuildError, BuildOptions, build};

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

/// Copies an example into a temporary folder so a test can change it.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn builds_are_reproducible() {
    let out = tempfile::tempdir().unwrap();
    let src = examples().join("parameter-sync");
    let a = build(&src, &out.path().join("a.rpyx"), &BuildOptions::default()).unwrap();
    // A copy made later has other mtimes and permissions; the bytes must not change.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&src, copy.path());
    let b = build(copy.path(), &out.path().join("b.rpyx"), &BuildOptions::default()).unwrap();
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(std::fs::read(out.path().join("a.rpyx")).unwrap(), std::fs::read(out.path().join("b.rpyx")).unwrap());

    let later = BuildOptions { source_date_epoch: Some(1_700_000_000), ..BuildOptions::default() };
    let c = build(&src, &out.path().join("c.rpyx"), &later).unwrap();
    assert_ne!(a.sha256, c.sha256, "SOURCE_DATE_EPOCH must reach the timestamps");
    let d = build(&src, &out.path().join("d.rpyx"), &later).unwrap();
    assert_eq!(c.sha256, d.sha256);
}

#[test]
fn gitignore_and_original_exclusions_are_honoured_outside_git() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&examples().join("wall-tools"), src.path());
    let p = src.path();
    std::fs::write(p.join(".gitignore"), "secret_notes/\n*.bak\n").unwrap();
    std::fs::create_dir_all(p.join("secret_notes")).unwrap();
    std::fs::write(p.join("secret_notes/todo.txt"), "x").unwrap();
    std::fs::write(p.join("old.bak"), "x").unwrap();
    std::fs::create_dir_all(p.join("src/__pycache__")).unwrap();
    std::fs::write(p.join("src/__pycache__/main.cpython-311.pyc"), "x").unwrap();
    std::fs::write(p.join("src/stale.pyc"), "x").unwrap();
    std::fs::write(p.join(".DS_Store"), "x").unwrap();
    std::fs::write(p.join("Thumbs.db"), "x").unwrap();
    std::fs::write(p.join("debug.log"), "x").unwrap();
    std::fs::create_dir_all(p.join(".git")).unwrap();
    std::fs::write(p.join(".git/config"), "x").unwrap();
    std::fs::write(p.join(".hidden_config"), "kept").unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = build(p, &out.path().join("w.rpyx"), &BuildOptions::default()).unwrap();
    let paths: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, [".hidden_config", "LICENSE", "README.md", "revitpy.toml", "src/main.py", "src/ribbon.py"]);
}

#[test]
fn secrets_are_refused_unless_allowed() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&examples().join("wall-tools"), src.path());
    std::fs::write(src.path().join("signing.pem"), "-----BEGIN PRIVATE KEY-----").unwrap();
    std::fs::write(src.path().join(".env"), "TOKEN=x").unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("w.rpyx");
    match build(src.path(), &target, &BuildOptions::default()) {
        Err(BuildError::Secrets(files)) => assert_eq!(files, [".env", "signing.pem"]),
        other => panic!("expected a secrets refusal, got {other:?}"),
    }
    assert!(!target.exists(), "nothing is written when the build fails");
    let allowed = BuildOptions { allow_secrets: true, ..BuildOptions::default() };
    let report = build(src.path(), &target, &allowed).unwrap();
    assert!(report.files.iter().any(|f| f.path == "signing.pem"));
}

#[test]
fn missing_entry_point_names_the_field() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&examples().join("wall-tools"), src.path());
    std::fs::remove_file(src.path().join("src/ribbon.py")).unwrap();
    let out = tempfile::tempdir().unwrap();
    match build(src.path(), &out.path().join("w.rpyx"), &BuildOptions::default()) {
        Err(BuildError::Manifest(problems)) => {
            let text = problems.to_string();
            assert!(
                text.contains("revitpy.toml: package.entry_points.ribbon_panel: `src/ribbon.py` is not in the package"),
                "{text}"
            );
        }
        other => panic!("expected a manifest problem, got {other:?}"),
    }
}

#[test]
fn names_windows_cannot_hold_are_refused() {
    let out = tempfile::tempdir().unwrap();
    for (name, needle) in
        [("Main.py", "differ only in case"), ("aux.py", "device name"), ("what?.txt", "does not allow")]
    {
        let src = tempfile::tempdir().unwrap();
        copy_tree(&examples().join("wall-tools"), src.path());
        let path = if name == "Main.py" { src.path().join("src").join(name) } else { src.path().join(name) };
        std::fs::write(path, "x").unwrap();
        let err = build(src.path(), &out.path().join("w.rpyx"), &BuildOptions::default()).unwrap_err();
        assert!(err.to_string().contains(needle), "{name}: {err}");
    }
}

#[test]
fn links_in_the_source_are_refused() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&examples().join("wall-tools"), src.path());
    #[cfg(unix)]
    {
        // A test-only Unix call: making the link is the point of the test.
        #[allow(clippy::disallowed_methods)]
        std::os::unix::fs::symlink("/etc/passwd", src.path().join("passwd")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let err = build(src.path(), &out.path().join("w.rpyx"), &BuildOptions::default()).unwrap_err();
        assert!(matches!(err, BuildError::Symlink { ref path } if path == "passwd"), "{err}");
    }
}

#[test]
fn already_compressed_files_are_stored() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&examples().join("wall-tools"), src.path());
    std::fs::write(src.path().join("icon.png"), vec![b'a'; 4096]).unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("w.rpyx");
    build(src.path(), &file, &BuildOptions::default()).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    assert_eq!(zip.by_name("icon.png").unwrap().compression(), zip::CompressionMethod::Stored);
    assert_eq!(zip.by_name("src/main.py").unwrap().compression(), zip::CompressionMethod::Deflated);
}
