//! Hostile archives: every kind the defensive reader must refuse, each built
//! here by hand (the `zip` crate's writer refuses some of these shapes and
//! cannot lie about sizes), plus extraction into a folder.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use revitpy_rpyx::{BUILD_ENTRY, BuildOptions, Limits, MANIFEST_ENTRY, Package, ReadError, Severity};

mod support;
use support::walk;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

/// Regular file, rw-r--r--.
const REGULAR: u32 = 0o100644;

/// One entry of a hand-written ZIP. Sizes and CRC are computed from `data`
/// unless overridden, so a header can lie.
struct RawEntry {
    name: Vec<u8>,
    data: Vec<u8>,
    deflate: bool,
    unix_mode: u32,
    flags: u16,
    declared_size: Option<u32>,
    declared_crc: Option<u32>,
}

impl RawEntry {
    fn stored(name: impl AsRef<[u8]>, data: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.as_ref().to_vec(),
            data: data.into(),
            deflate: false,
            unix_mode: REGULAR,
            flags: 0,
            declared_size: None,
            declared_crc: None,
        }
    }

    fn deflated(name: impl AsRef<[u8]>, data: impl Into<Vec<u8>>) -> Self {
        Self { deflate: true, ..Self::stored(name, data) }
    }

    fn mode(self, unix_mode: u32) -> Self {
        Self { unix_mode, ..self }
    }

    fn flags(self, flags: u16) -> Self {
        Self { flags, ..self }
    }

    fn declare_size(self, size: u32) -> Self {
        Self { declared_size: Some(size), ..self }
    }

    fn declare_crc(self, crc: u32) -> Self {
        Self { declared_crc: Some(crc), ..self }
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::default());
    let mut out = vec![0; c.deflate_compress_bound(data.len())];
    let n = c.deflate_compress(data, &mut out).expect("deflate");
    out.truncate(n);
    out
}

/// Writes a ZIP archive from `entries`, in order, exactly as given: duplicate
/// names, any bytes in names, any mode, any declared size.
fn write_zip(entries: &[RawEntry]) -> Vec<u8> {
    const DOS_DATE: u16 = (1 << 5) | 1; // 1980-01-01
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let (method, payload): (u16, Vec<u8>) = if e.deflate { (8, deflate(&e.data)) } else { (0, e.data.clone()) };
        let crc = e.declared_crc.unwrap_or_else(|| crc32fast::hash(&e.data));
        let size = e.declared_size.unwrap_or(u32::try_from(e.data.len()).expect("small entry"));
        let csize = u32::try_from(payload.len()).expect("small entry");
        let name_len = u16::try_from(e.name.len()).expect("short name");
        let offset = u32::try_from(out.len()).expect("small archive");

        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&DOS_DATE.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra length
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&payload);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by Unix
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&e.flags.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&DOS_DATE.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        central.extend_from_slice(&(e.unix_mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let count = u16::try_from(entries.len()).expect("few entries");
    let central_offset = u32::try_from(out.len()).expect("small archive");
    let central_len = u32::try_from(central.len()).expect("small archive");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

const MANIFEST_JSON: &str = r#"{"name": "hostile", "version": "1.0.0"}"#;

fn ok_py() -> Vec<u8> {
    "print('ok')\n".repeat(50).into_bytes()
}

/// A harmless manifest and file, then `extra`.
fn archive_with(extra: Vec<RawEntry>) -> Vec<u8> {
    let mut entries = vec![RawEntry::stored(MANIFEST_ENTRY, MANIFEST_JSON), RawEntry::deflated("ok.py", ok_py())];
    entries.extend(extra);
    write_zip(&entries)
}

fn open(bytes: Vec<u8>, limits: Limits) -> Result<Package, ReadError> {
    Package::from_bytes(bytes, limits)
}

/// Opens `bytes`, expects `ReadError::Entry` naming `entry`, and returns its message.
#[track_caller]
fn refused_entry(bytes: Vec<u8>, entry: &str) -> String {
    let Err(err) = open(bytes, Limits::default()) else {
        panic!("an archive with `{entry}` was opened");
    };
    let shown = err.to_string();
    let ReadError::Entry { entry: named, message } = err else {
        panic!("`{entry}`: expected an entry error, got {err:?} ({shown})");
    };
    assert_eq!(named, entry, "the error names another entry: {shown}");
    assert!(shown.contains(entry), "the message does not name `{entry}`: {shown}");
    message
}

#[track_caller]
fn assert_contains(message: &str, part: &str) {
    assert!(message.contains(part), "`{message}` does not contain `{part}`");
}

/// The writer above makes archives the reader accepts, so the refusals below
/// come from the hostile entry and not from a broken archive.
#[test]
fn hand_written_archive_without_hostile_entries_is_read() {
    let bytes = archive_with(vec![RawEntry::stored("pkg/mod.py", "x = 1\n")]);
    let package = open(bytes, Limits::default()).expect("benign archive opens");
    let paths: Vec<&str> = package.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, [MANIFEST_ENTRY, "ok.py", "pkg/mod.py"]);
    let files: Vec<_> = package.files().collect();
    assert_eq!(package.read(files[0]).unwrap(), ok_py());
    assert_eq!(package.read(files[1]).unwrap(), b"x = 1\n");
    assert_eq!(package.manifest_bytes().unwrap(), MANIFEST_JSON.as_bytes());
}

#[test]
fn absolute_path_is_refused() {
    let message = refused_entry(archive_with(vec![RawEntry::stored("/etc/passwd", "root")]), "/etc/passwd");
    assert_contains(&message, "absolute");
}

#[test]
fn parent_component_is_refused() {
    let message = refused_entry(archive_with(vec![RawEntry::stored("../evil.py", "x")]), "../evil.py");
    assert_contains(&message, "`..`");
}

#[test]
fn parent_component_after_a_folder_is_refused() {
    let name = "a/../../evil.py";
    let message = refused_entry(archive_with(vec![RawEntry::stored(name, "x")]), name);
    assert_contains(&message, "`..`");
}

#[test]
fn drive_letter_is_refused() {
    let message = refused_entry(archive_with(vec![RawEntry::stored("C:/x.py", "x")]), "C:/x.py");
    assert_contains(&message, "drive letter");
}

#[test]
fn backslash_is_refused() {
    let name = "a\\..\\..\\x.py";
    // The reader shows names escaped, so a backslash appears doubled.
    let shown = name.escape_debug().to_string();
    let message = refused_entry(archive_with(vec![RawEntry::stored(name, "x")]), &shown);
    assert_contains(&message, "backslash");
}

#[test]
fn symlink_is_refused() {
    let link = RawEntry::stored("link.py", "/etc/passwd").mode(0o120777);
    let message = refused_entry(archive_with(vec![link]), "link.py");
    assert_contains(&message, "symbolic link");
}

#[test]
fn fifo_is_refused() {
    let fifo = RawEntry::stored("pipe.py", "").mode(0o010644);
    let message = refused_entry(archive_with(vec![fifo]), "pipe.py");
    assert_contains(&message, "not a regular file");
}

#[test]
fn duplicate_names_are_refused() {
    let bytes = archive_with(vec![
        RawEntry::stored("tool.py", "print('first')\n"),
        RawEntry::stored("tool.py", "print('second')\n"),
    ]);
    let message = refused_entry(bytes, "tool.py");
    assert_contains(&message, "appears twice");
}

#[test]
fn names_differing_only_in_case_are_refused() {
    let bytes = archive_with(vec![RawEntry::stored("Readme.md", "one"), RawEntry::stored("README.md", "two")]);
    let message = refused_entry(bytes, "README.md");
    assert_contains(&message, "only in case");
    assert_contains(&message, "Readme.md");
}

#[test]
fn windows_device_names_are_refused() {
    for name in ["CON.py", "sub/nul.txt"] {
        let message = refused_entry(archive_with(vec![RawEntry::stored(name, "x")]), name);
        assert_contains(&message, "device name");
    }
}

#[test]
fn trailing_dot_or_space_is_refused() {
    for (name, component) in [("notes.", "notes."), ("tools /a.py", "tools "), ("b.py ", "b.py ")] {
        let message = refused_entry(archive_with(vec![RawEntry::stored(name, "x")]), name);
        assert_contains(&message, "ends with a dot or a space");
        assert_contains(&message, &format!("`{component}`"));
    }
}

#[test]
fn forbidden_character_is_refused() {
    // On Windows `a:b.py` is `b.py` relative to drive A:'s current folder,
    // so it is refused as a drive letter before its `:` is looked at.
    let message = refused_entry(archive_with(vec![RawEntry::stored("a:b.py", "x")]), "a:b.py");
    assert_contains(&message, "drive letter");
    for (name, c) in [("sub/a:b.py", ':'), ("ab:c.py", ':'), ("what?.py", '?'), ("x|y.py", '|')] {
        let message = refused_entry(archive_with(vec![RawEntry::stored(name, "x")]), name);
        assert_contains(&message, &format!("contains {c:?}"));
    }
}

#[test]
fn file_where_a_folder_is_needed_is_refused() {
    let bytes = archive_with(vec![RawEntry::stored("a", "file"), RawEntry::stored("a/b.py", "x")]);
    let message = refused_entry(bytes, "a/b.py");
    assert_contains(&message, "needs `a` to be a folder");
}

#[test]
fn too_many_entries_are_refused() {
    let limits = Limits { max_entries: 10, ..Limits::default() };
    let entries =
        |n: usize| -> Vec<RawEntry> { (0..n).map(|i| RawEntry::stored(format!("f{i}.py"), "x = 1\n")).collect() };
    assert!(open(write_zip(&entries(10)), limits).is_ok(), "10 entries are allowed");
    match open(write_zip(&entries(11)), limits) {
        Err(ReadError::TooManyEntries { count, max }) => assert_eq!((count, max), (11, 10)),
        Err(other) => panic!("expected TooManyEntries, got {other:?}"),
        Ok(_) => panic!("11 entries were accepted with max_entries = 10"),
    }
}

#[test]
fn zip_bomb_by_ratio_is_refused() {
    let zeros = vec![0u8; 20 * 1024 * 1024];
    let message = refused_entry(archive_with(vec![RawEntry::deflated("bomb.bin", zeros)]), "bomb.bin");
    assert_contains(&message, "zip bomb");
    assert_contains(&message, "past the 200:1 allowed");
}

#[test]
fn total_expanded_size_over_the_limit_is_refused() {
    let limits = Limits { max_total_bytes: 2000, ..Limits::default() };
    let big = |name: &str| RawEntry::stored(name, vec![b'x'; 900]);
    assert!(open(archive_with(vec![big("one.txt")]), limits).is_ok(), "under the limit");
    match open(archive_with(vec![big("one.txt"), big("two.txt")]), limits) {
        Err(ReadError::TooLarge { total, max }) => {
            assert_eq!(max, 2000);
            let all = (MANIFEST_JSON.len() + ok_py().len() + 1800) as u64;
            assert_eq!(total, all);
        }
        Err(other) => panic!("expected TooLarge, got {other:?}"),
        Ok(_) => panic!("2.6 kB of files were accepted with max_total_bytes = 2000"),
    }
}

#[test]
fn lying_header_is_stopped_at_the_declared_size() {
    // The header is right about the first 100 bytes (size and CRC), so only
    // counting what comes out can catch it.
    let data = b"import os\n".repeat(10_000);
    let prefix_crc = crc32fast::hash(&data[..100]);
    let liar = RawEntry::deflated("liar.py", data).declare_size(100).declare_crc(prefix_crc);
    let package = open(archive_with(vec![liar]), Limits::default()).expect("the central directory looks fine");
    let entry = package.files().find(|e| e.path == "liar.py").expect("liar.py is listed").clone();
    assert_eq!(entry.size, 100);
    let read_message = match package.read(&entry) {
        Err(ReadError::Entry { entry, message }) => {
            assert_eq!(entry, "liar.py");
            message
        }
        Err(other) => panic!("expected an entry error, got {other:?}"),
        Ok(bytes) => panic!("read {} bytes from an entry that declares 100", bytes.len()),
    };
    let (records, problems) = package.verify();
    assert!(records.iter().all(|r| r.path != "liar.py"), "liar.py was hashed");
    let problem = problems
        .iter()
        .find(|p| p.file == "liar.py")
        .unwrap_or_else(|| panic!("no problem names liar.py: {problems:?}"));
    assert_eq!(problem.severity, Severity::Error);
    assert_contains(&read_message, "expands to more than the 100 bytes it declares");
    assert_contains(&problem.message, "expands to more than");
}

#[test]
fn garbage_is_not_a_zip() {
    let garbage = b"this is not a ZIP archive, only text\n".repeat(20);
    match open(garbage, Limits::default()) {
        Err(ReadError::NotZip(_)) => {}
        Err(other) => panic!("expected NotZip, got {other:?}"),
        Ok(_) => panic!("garbage was opened as a package"),
    }
}

#[test]
fn encrypted_entry_is_refused() {
    let secret = RawEntry::stored("secret.py", vec![0u8; 24]).flags(1);
    let message = refused_entry(archive_with(vec![secret]), "secret.py");
    assert_contains(&message, "encrypted");
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("dir entry").file_name().into_string().expect("UTF-8 name"))
        .collect();
    names.sort();
    names
}

/// Builds wall-tools into a new temporary folder; returns the folder and the package path.
fn build_wall_tools() -> (tempfile::TempDir, PathBuf) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("wall-tools.rpyx");
    let src = Path::new(EXAMPLES).join("wall-tools");
    revitpy_rpyx::build(&src, &out, &BuildOptions::default()).expect("wall-tools builds");
    (out_dir, out)
}

#[test]
fn extract_to_a_non_empty_folder_is_refused_and_writes_nothing() {
    let (_out_dir, out) = build_wall_tools();
    let package = Package::open(&out, Limits::default()).expect("our build opens");
    let root = tempfile::tempdir().unwrap();
    let dest = root.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("keep.txt"), b"mine").unwrap();

    match package.extract_to(&dest) {
        Err(ReadError::Destination(message)) => assert_contains(&message, "is not empty"),
        Err(other) => panic!("expected a destination error, got {other:?}"),
        Ok(records) => panic!("extracted {} files into a non-empty folder", records.len()),
    }
    assert_eq!(walk(&dest), BTreeMap::from([("keep.txt".to_owned(), b"mine".to_vec())]));
    assert_eq!(names_in(root.path()), ["dest"]);
}

#[test]
fn extract_to_writes_exactly_the_package_files() {
    let (_out_dir, out) = build_wall_tools();
    let package = Package::open(&out, Limits::default()).expect("our build opens");
    let root = tempfile::tempdir().unwrap();
    let dest = root.path().join("dest");

    let records = package.extract_to(&dest).expect("extracts");

    let source = walk(&Path::new(EXAMPLES).join("wall-tools"));
    assert!(source.contains_key("src/main.py"), "the example changed: {:?}", source.keys());
    let extracted = walk(&dest);
    assert_eq!(extracted.keys().collect::<Vec<_>>(), source.keys().collect::<Vec<_>>());
    for (path, bytes) in &source {
        assert!(extracted[path] == *bytes, "{path} differs from its source");
    }
    assert!(!dest.join(MANIFEST_ENTRY).exists() && !dest.join(BUILD_ENTRY).exists());
    let mut recorded: Vec<(&str, u64)> = records.iter().map(|r| (r.path.as_str(), r.size)).collect();
    recorded.sort();
    let expected: Vec<(&str, u64)> = source.iter().map(|(p, b)| (p.as_str(), b.len() as u64)).collect();
    assert_eq!(recorded, expected);
    assert_eq!(names_in(root.path()), ["dest"], "something was written beside the destination");
}

/// The entries of a built package, in order, with their contents.
fn read_back(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

fn rewrite(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let raw: Vec<RawEntry> = entries.iter().map(|(name, bytes)| RawEntry::deflated(name, bytes.clone())).collect();
    write_zip(&raw)
}

#[test]
fn file_changed_after_the_build_fails_verify() {
    let (_out_dir, out) = build_wall_tools();
    let mut entries = read_back(&out);
    assert_eq!(entries.first().map(|e| e.0.as_str()), Some(MANIFEST_ENTRY));
    assert_eq!(entries.last().map(|e| e.0.as_str()), Some(BUILD_ENTRY));

    // Rewritten unchanged, the package still verifies: the rewrite alone is not the problem.
    let same = open(rewrite(&entries), Limits::default()).expect("rewritten package opens");
    let (records, problems) = same.verify();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), entries.len() - 2);

    let target = entries.iter_mut().find(|(name, _)| name == "src/main.py").expect("src/main.py is packaged");
    target.1.extend_from_slice(b"\nimport os; os.system('echo changed')\n");
    let package = open(rewrite(&entries), Limits::default()).expect("tampered package opens");
    let (_, problems) = package.verify();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].file, "src/main.py");
    assert_eq!(problems[0].severity, Severity::Error);
    assert_contains(&problems[0].message, "does not match rpyx-build.json");

    // Extraction checks the same hashes and leaves nothing behind.
    let root = tempfile::tempdir().unwrap();
    let dest = root.path().join("dest");
    match package.extract_to(&dest) {
        Err(ReadError::Entry { entry, .. }) => assert_eq!(entry, "src/main.py"),
        Err(other) => panic!("expected an entry error, got {other:?}"),
        Ok(_) => panic!("a tampered file was extracted"),
    }
    assert!(names_in(root.path()).is_empty(), "extraction left {:?}", names_in(root.path()));
}
