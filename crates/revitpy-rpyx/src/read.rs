//! The defensive reader.
//!
//! A package is hostile until read. Opening one checks the whole central
//! directory before a byte is inflated: entry count, names (absolute, `..`,
//! drive letters, backslashes, names Windows cannot hold, duplicates, names
//! that differ only in case), links, encryption, declared sizes and ratios,
//! per entry and over the whole archive (see [`Limits`]). Reading an entry
//! then stops at the size it declared, and every pass over the files counts
//! what came out against the declared total, so a lying header cannot
//! inflate past the limits. Nothing is written outside the destination when
//! extracting: every path was checked component by component, and the
//! destination must be new or empty.
//!
//! [`Package::read_files`] hands out one file at a time, for callers (the
//! server's scanner) that need not hold every inflated file at once.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use revitpy_names::portable_path;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::build_info::{BuildInfo, FileRecord};
use crate::file_contents::FileContents;
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::problem::Problem;
use crate::{BUILD_ENTRY, MANIFEST_ENTRY};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the package is {size} bytes; at most {max} are read")]
    ArchiveTooLarge { size: u64, max: u64 },
    #[error("not a readable ZIP archive: {0}")]
    NotZip(String),
    #[error("the package has {count} entries; at most {max} are allowed")]
    TooManyEntries { count: usize, max: usize },
    #[error(
        "the files add up to {total} bytes once expanded, past the total-size limit of {max} bytes for a package; leave large data out or split the package"
    )]
    TooLarge { total: u64, max: u64 },
    /// The whole archive expands too much for its size (many entries that
    /// each stay under the per-entry ratio floor, or entries sharing data).
    #[error(
        "the files expand to {total} bytes from a {archive}-byte package ({}:1), past the {max_ratio}:1 allowed for a whole package; this looks like a zip bomb (a package that really holds such repetitive data should ship it compressed, as a .zip or .gz file)",
        .total / .archive.max(&1)
    )]
    ExpandsTooMuch { total: u64, archive: u64, max_ratio: u64 },
    /// A pass over the files produced more than the central directory
    /// declares in all; each entry is already stopped at its own declared
    /// size, so this is a second line of defence.
    #[error(
        "the files expanded past the {declared} bytes the archive declares in all; the package is damaged or hostile"
    )]
    ExpandedPastDeclared { declared: u64 },
    /// Something wrong with one entry, named.
    #[error("entry `{entry}`: {message}")]
    Entry { entry: String, message: String },
    #[error("the package has no {MANIFEST_ENTRY} at its root")]
    NoManifest,
    #[error("{0}")]
    Destination(String),
}

impl ReadError {
    fn entry(entry: &str, message: impl Into<String>) -> Self {
        Self::Entry { entry: entry.to_owned(), message: message.into() }
    }
}

/// One checked entry of the central directory.
#[derive(Debug, Clone)]
pub struct EntryMeta {
    pub path: String,
    pub size: u64,
    pub compressed_size: u64,
    pub is_dir: bool,
    /// Position in the archive, and in [`Package::entries`].
    index: usize,
}

/// An opened, checked package. Holds the archive's bytes (bounded by
/// [`Limits::max_archive_bytes`]) so entries can be read in parallel.
pub struct Package {
    archive: ZipArchive<Cursor<Arc<[u8]>>>,
    entries: Vec<EntryMeta>,
    size: u64,
    sha256: String,
    /// Sum of the declared uncompressed sizes, checked against the limits.
    expanded: u64,
}

impl Package {
    pub fn open(path: &Path, limits: Limits) -> Result<Self, ReadError> {
        let io = |source| ReadError::Io { path: path.to_owned(), source };
        let file = fs_err::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if size > limits.max_archive_bytes {
            return Err(ReadError::ArchiveTooLarge { size, max: limits.max_archive_bytes });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(limits.max_archive_bytes + 1).read_to_end(&mut bytes).map_err(io)?;
        Self::from_bytes(bytes, limits)
    }

    pub fn from_bytes(bytes: Vec<u8>, limits: Limits) -> Result<Self, ReadError> {
        let size = bytes.len() as u64;
        if size > limits.max_archive_bytes {
            return Err(ReadError::ArchiveTooLarge { size, max: limits.max_archive_bytes });
        }
        let raw_count = scan_central_directory(&bytes, &limits)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let bytes: Arc<[u8]> = bytes.into();
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::NotZip(e.to_string()))?;
        if archive.len() != raw_count {
            return Err(ReadError::NotZip(format!(
                "the central directory lists {raw_count} entries but {} could be read",
                archive.len()
            )));
        }
        let entries = check_central_directory(&mut archive, size, &limits)?;
        let expanded = entries.iter().map(|e| e.size).sum();
        Ok(Self { archive, entries, size, sha256, expanded })
    }

    /// Size of the `.rpyx` file in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// sha256 of the `.rpyx` file, hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// What every entry together expands to, as declared and checked against
    /// the limits; no pass over the files produces more.
    pub fn expanded_size(&self) -> u64 {
        self.expanded
    }

    /// Every entry, folders included, in archive order.
    pub fn entries(&self) -> &[EntryMeta] {
        &self.entries
    }

    /// The package's files: every entry but folders and the two metadata files.
    pub fn files(&self) -> impl Iterator<Item = &EntryMeta> {
        self.entries.iter().filter(|e| !e.is_dir && e.path != MANIFEST_ENTRY && e.path != BUILD_ENTRY)
    }

    fn find(&self, path: &str) -> Option<&EntryMeta> {
        self.entries.iter().find(|e| e.path == path && !e.is_dir)
    }

    /// The package's files with their contents, one at a time, in archive
    /// order: a caller holds one inflated file at a time, and the pass stops
    /// at the first error. See [`FileContents`].
    pub fn read_files(&self) -> FileContents<'_> {
        FileContents::new(self)
    }

    /// A counter for one pass over the files (see [`ExpansionBudget`]).
    pub(crate) fn budget(&self) -> ExpansionBudget {
        ExpansionBudget { declared: self.expanded, used: AtomicU64::new(0) }
    }

    /// Reads one entry, never past the size it declared.
    pub fn read(&self, entry: &EntryMeta) -> Result<Vec<u8>, ReadError> {
        // The sizes the central directory was checked with, not the
        // caller's copy (its fields are public, and could have been changed).
        let entry = match self.entries.get(entry.index) {
            Some(checked) if checked.path == entry.path => checked,
            _ => return Err(ReadError::entry(&entry.path, "is not an entry of this package")),
        };
        let mut archive = self.archive.clone();
        let mut file = archive.by_index(entry.index).map_err(|e| ReadError::entry(&entry.path, e.to_string()))?;
        let mut out = Vec::with_capacity(entry.size as usize);
        let result = (&mut file).take(entry.size + 1).read_to_end(&mut out);
        // An error once the declared size has come out means more was coming
        // (the `zip` crate stops such entries itself): say so in our words.
        if let Err(e) = result {
            let message = if (out.len() as u64) < entry.size {
                format!("cannot be read: {e}")
            } else {
                format!("expands to more than the {} bytes it declares", entry.size)
            };
            return Err(ReadError::entry(&entry.path, message));
        }
        if out.len() as u64 > entry.size {
            return Err(ReadError::entry(
                &entry.path,
                format!("expands to more than the {} bytes it declares", entry.size),
            ));
        }
        if (out.len() as u64) < entry.size {
            return Err(ReadError::entry(
                &entry.path,
                format!("holds {} bytes, fewer than the {} it declares", out.len(), entry.size),
            ));
        }
        Ok(out)
    }

    /// The raw `rpyx-manifest.json`.
    pub fn manifest_bytes(&self) -> Result<Vec<u8>, ReadError> {
        let entry = self.find(MANIFEST_ENTRY).ok_or(ReadError::NoManifest)?;
        if entry.size > 1024 * 1024 {
            return Err(ReadError::entry(MANIFEST_ENTRY, "is larger than 1 MiB"));
        }
        self.read(entry)
    }

    /// The manifest, with the problems found reading it.
    pub fn manifest(&self) -> Result<(Option<Manifest>, Vec<Problem>), ReadError> {
        Ok(Manifest::from_package_json(&self.manifest_bytes()?))
    }

    /// `rpyx-build.json`, if the package has one (the original's may not).
    pub fn build_info(&self) -> Result<Option<BuildInfo>, Problem> {
        let Some(entry) = self.find(BUILD_ENTRY) else {
            return Ok(None);
        };
        if entry.size > 64 * 1024 * 1024 {
            return Err(Problem::error(BUILD_ENTRY, None, "is larger than 64 MiB"));
        }
        let bytes = self.read(entry).map_err(|e| Problem::error(BUILD_ENTRY, None, e.to_string()))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Problem::error(BUILD_ENTRY, None, format!("is not valid build information: {e}")))
    }

    /// Reads every file (in parallel), hashes it, and compares it with
    /// `rpyx-build.json`. Returns each file's record and the problems found.
    pub fn verify(&self) -> (Vec<FileRecord>, Vec<Problem>) {
        let mut problems = Vec::new();
        let build_info = match self.build_info() {
            Ok(b) => b,
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let files: Vec<&EntryMeta> = self.files().collect();
        let budget = self.budget();
        let results: Vec<Result<FileRecord, ReadError>> = files
            .par_iter()
            .map(|e| {
                let bytes = self.read(e)?;
                budget.spend(bytes.len())?;
                Ok(FileRecord {
                    path: e.path.clone(),
                    size: bytes.len() as u64,
                    sha256: hex::encode(Sha256::digest(&bytes)),
                })
            })
            .collect();
        let mut records = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(rec) => records.push(rec),
                Err(ReadError::Entry { entry, message }) => problems.push(Problem::error(&entry, None, message)),
                Err(e) => problems.push(Problem::error("", None, e.to_string())),
            }
        }
        problems.extend(self.compare_with_build_info(build_info.as_ref(), &records));
        (records, problems)
    }

    fn compare_with_build_info(&self, info: Option<&BuildInfo>, records: &[FileRecord]) -> Vec<Problem> {
        let mut problems = Vec::new();
        let Some(listed) = info.and_then(|i| i.files.as_ref()) else {
            problems.push(Problem::warning(
                BUILD_ENTRY,
                None,
                "has no file hashes (a package from the original builder?), so files cannot be checked; rebuild it with `revitpy-install registry build`",
            ));
            return problems;
        };
        if let Some(want) = info.and_then(|i| i.manifest_sha256.as_deref()) {
            match self.manifest_bytes() {
                Ok(bytes) if hex::encode(Sha256::digest(&bytes)) != want => problems.push(Problem::error(
                    MANIFEST_ENTRY,
                    None,
                    "does not match the sha256 recorded in rpyx-build.json; the manifest was changed after the build",
                )),
                _ => {}
            }
        }
        let listed: HashMap<&str, &FileRecord> = listed.iter().map(|r| (r.path.as_str(), r)).collect();
        let mut seen = HashSet::new();
        for rec in records {
            seen.insert(rec.path.as_str());
            match listed.get(rec.path.as_str()) {
                None => problems.push(Problem::error(
                    &rec.path,
                    None,
                    "is in the archive but not in rpyx-build.json; it was added after the build",
                )),
                Some(want) if want.size != rec.size || !want.sha256.eq_ignore_ascii_case(&rec.sha256) => {
                    problems.push(Problem::error(
                        &rec.path,
                        None,
                        format!(
                            "does not match rpyx-build.json: sha256 {} ({} bytes), expected {} ({} bytes)",
                            rec.sha256, rec.size, want.sha256, want.size
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        for path in listed.keys() {
            if !seen.contains(path) {
                problems.push(Problem::error(path, None, "is listed in rpyx-build.json but missing from the archive"));
            }
        }
        problems
    }

    /// Extracts the package's files (not the metadata files) into `dest`,
    /// which must not exist or be empty. Each file is checked against
    /// `rpyx-build.json` where it has hashes. On failure, what was written is
    /// removed.
    pub fn extract_to(&self, dest: &Path) -> Result<Vec<FileRecord>, ReadError> {
        let dest_io = |source| ReadError::Io { path: dest.to_owned(), source };
        if dest.exists() {
            let mut it = fs_err::read_dir(dest).map_err(dest_io)?;
            if it.next().is_some() {
                return Err(ReadError::Destination(format!("{} is not empty", dest.display())));
            }
        } else {
            fs_err::create_dir_all(dest).map_err(dest_io)?;
        }
        let result = self.extract_into_empty(dest);
        if result.is_err() {
            // Best effort: the caller sees the original error either way.
            let _ = fs_err::remove_dir_all(dest);
        }
        result
    }

    fn extract_into_empty(&self, dest: &Path) -> Result<Vec<FileRecord>, ReadError> {
        let expected: Option<HashMap<String, FileRecord>> = self
            .build_info()
            .ok()
            .flatten()
            .and_then(|b| b.files)
            .map(|files| files.into_iter().map(|r| (r.path.clone(), r)).collect());
        let files: Vec<&EntryMeta> = self.files().collect();
        let mut dirs: Vec<PathBuf> =
            files.iter().filter_map(|e| local_path(dest, &e.path).parent().map(Path::to_owned)).collect();
        dirs.sort();
        dirs.dedup();
        for d in &dirs {
            fs_err::create_dir_all(d).map_err(|source| ReadError::Io { path: d.clone(), source })?;
        }
        let budget = self.budget();
        files
            .par_iter()
            .map(|e| {
                let bytes = self.read(e)?;
                budget.spend(bytes.len())?;
                let sha256 = hex::encode(Sha256::digest(&bytes));
                if let Some(expected) = &expected {
                    match expected.get(&e.path) {
                        Some(want) if want.sha256.eq_ignore_ascii_case(&sha256) => {}
                        Some(_) => {
                            return Err(ReadError::entry(&e.path, "does not match its sha256 in rpyx-build.json"));
                        }
                        None => {
                            return Err(ReadError::entry(&e.path, "is not listed in rpyx-build.json"));
                        }
                    }
                }
                let target = local_path(dest, &e.path);
                let mut f = fs_err::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                    .map_err(|source| ReadError::Io { path: target.clone(), source })?;
                std::io::Write::write_all(&mut f, &bytes)
                    .map_err(|source| ReadError::Io { path: target.clone(), source })?;
                Ok(FileRecord { path: e.path.clone(), size: bytes.len() as u64, sha256 })
            })
            .collect()
    }
}

/// Counts what one pass over the files inflates, across threads, against
/// the total the central directory declares.
pub(crate) struct ExpansionBudget {
    declared: u64,
    used: AtomicU64,
}

impl ExpansionBudget {
    pub(crate) fn spend(&self, bytes: usize) -> Result<(), ReadError> {
        let bytes = bytes as u64;
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.declared {
            return Err(ReadError::ExpandedPastDeclared { declared: self.declared });
        }
        Ok(())
    }
}

/// Joins a checked `/`-separated path onto `dest` one component at a time.
fn local_path(dest: &Path, rel: &str) -> PathBuf {
    let mut p = dest.to_owned();
    for c in rel.split('/') {
        p.push(c);
    }
    p
}

/// Walks the central directory's records by hand before the `zip` crate
/// reads them: that crate keys entries by name, so a name stored twice (which
/// other tools may resolve to the other copy) would be invisible, and
/// duplicates would not count towards the entry limit. Packages never need
/// ZIP64 (they are far below 4 GiB and 65,535 entries), so it is refused.
/// Returns the number of entries.
fn scan_central_directory(bytes: &[u8], limits: &Limits) -> Result<usize, ReadError> {
    const EOCD: [u8; 4] = 0x0605_4b50u32.to_le_bytes();
    const CENTRAL: [u8; 4] = 0x0201_4b50u32.to_le_bytes();
    let u16_at = |b: &[u8], at: usize| -> Option<u16> { Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)) };
    let u32_at = |b: &[u8], at: usize| -> Option<u32> { Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?)) };
    let not_zip = |m: &str| ReadError::NotZip(m.to_owned());
    if bytes.len() < 22 {
        return Err(not_zip("the file is too short to be a ZIP archive"));
    }
    // The end record is the last 22 bytes plus a comment of at most 65,535.
    let lowest = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (lowest..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)
        .ok_or_else(|| not_zip("no end of central directory record"))?;
    let count = u16_at(bytes, eocd + 10).unwrap_or(0);
    let size = u32_at(bytes, eocd + 12).unwrap_or(0);
    let offset = u32_at(bytes, eocd + 16).unwrap_or(0);
    if count == u16::MAX || size == u32::MAX || offset == u32::MAX {
        return Err(not_zip("the archive uses ZIP64, which no package needs; rebuild it"));
    }
    let count = usize::from(count);
    if count > limits.max_entries {
        return Err(ReadError::TooManyEntries { count, max: limits.max_entries });
    }
    let mut names: HashSet<&[u8]> = HashSet::with_capacity(count);
    let mut at = offset as usize;
    for _ in 0..count {
        let record = bytes.get(at..at + 46).ok_or_else(|| not_zip("the central directory is truncated"))?;
        if record[..4] != CENTRAL {
            return Err(not_zip("the central directory is not where the end record says"));
        }
        let name_len = usize::from(u16_at(record, 28).unwrap_or(0));
        let extra_len = usize::from(u16_at(record, 30).unwrap_or(0));
        let comment_len = usize::from(u16_at(record, 32).unwrap_or(0));
        let name =
            bytes.get(at + 46..at + 46 + name_len).ok_or_else(|| not_zip("the central directory is truncated"))?;
        if !names.insert(name) {
            return Err(ReadError::entry(
                &String::from_utf8_lossy(name).escape_debug().to_string(),
                "appears twice in the archive",
            ));
        }
        // ZIP64 per entry: 32-bit fields that say "see the ZIP64 extra
        // field", or the field itself (header id 1), even when not needed.
        let sizes = [u32_at(record, 20), u32_at(record, 24), u32_at(record, 42)];
        let extra = bytes
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(|| not_zip("the central directory is truncated"))?;
        let mut field = 0;
        let mut zip64_field = false;
        while let (Some(id), Some(len)) = (u16_at(extra, field), u16_at(extra, field + 2)) {
            zip64_field |= id == 0x0001;
            field += 4 + usize::from(len);
        }
        if zip64_field || sizes.contains(&Some(u32::MAX)) {
            return Err(ReadError::entry(
                &String::from_utf8_lossy(name).escape_debug().to_string(),
                "is stored as ZIP64, which no package needs; rebuild the package",
            ));
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(count)
}

fn check_central_directory(
    archive: &mut ZipArchive<Cursor<Arc<[u8]>>>,
    archive_size: u64,
    limits: &Limits,
) -> Result<Vec<EntryMeta>, ReadError> {
    let mut entries = Vec::with_capacity(archive.len());
    let mut exact: HashSet<String> = HashSet::new();
    let mut folded: HashMap<String, String> = HashMap::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(|e| ReadError::NotZip(format!("entry {index}: {e}")))?;
        let raw_name = file.name().map_err(|e| ReadError::NotZip(format!("entry {index}: {e}")))?.into_owned();
        let shown = raw_name.escape_debug().to_string();
        if raw_name.contains('\0') {
            return Err(ReadError::entry(&shown, "the name contains a NUL byte"));
        }
        let is_dir = raw_name.ends_with('/');
        let path = raw_name.strip_suffix('/').unwrap_or(&raw_name).to_owned();
        portable_path::check_relative_path(&path).map_err(|p| ReadError::entry(&shown, p.to_string()))?;
        if file.is_symlink() {
            return Err(ReadError::entry(&shown, "is a symbolic link; packages hold only regular files"));
        }
        if let Some(mode) = file.unix_mode() {
            let kind = mode & 0o170000;
            if kind != 0 && kind != 0o100000 && kind != 0o040000 {
                return Err(ReadError::entry(&shown, "is not a regular file (device, pipe or link)"));
            }
        }
        if file.encrypted() {
            return Err(ReadError::entry(&shown, "is encrypted; packages must not be"));
        }
        let method = file.compression();
        if !matches!(method, zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated) {
            return Err(ReadError::entry(
                &shown,
                format!("uses compression {method:?}; only stored and deflate are allowed"),
            ));
        }
        let size = file.size();
        let compressed = file.compressed_size();
        if is_dir && size > 0 {
            return Err(ReadError::entry(&shown, "is a folder with contents"));
        }
        if size > limits.max_entry_bytes {
            return Err(ReadError::entry(
                &shown,
                format!("expands to {size} bytes; at most {} are allowed per file", limits.max_entry_bytes),
            ));
        }
        if size > limits.ratio_floor_bytes && size / compressed.max(1) > limits.max_ratio {
            return Err(ReadError::entry(
                &shown,
                format!(
                    "expands {}:1 ({compressed} to {size} bytes), past the {}:1 allowed; this looks like a zip bomb",
                    size / compressed.max(1),
                    limits.max_ratio
                ),
            ));
        }
        total = total.saturating_add(size);
        let key = format!("{}{}", path, if is_dir { "/" } else { "" });
        if !exact.insert(key) {
            return Err(ReadError::entry(&shown, "appears twice in the archive"));
        }
        if !is_dir && let Some(first) = folded.insert(portable_path::case_fold(&path), path.clone()) {
            return Err(ReadError::entry(
                &shown,
                format!("differs from `{first}` only in case; Windows cannot hold both"),
            ));
        }
        entries.push(EntryMeta { path, size, compressed_size: compressed, is_dir, index });
    }
    check_expansion(total, archive_size, limits)?;
    // A file may not stand where another entry needs a folder (`a` and `a/b`).
    let file_paths: HashSet<String> =
        entries.iter().filter(|e| !e.is_dir).map(|e| portable_path::case_fold(&e.path)).collect();
    for e in &entries {
        if let Some(folder) = folder_that_is_a_file(&e.path, &file_paths) {
            return Err(ReadError::entry(
                &e.path,
                format!("needs `{folder}` to be a folder, but the archive has a file there"),
            ));
        }
    }
    Ok(entries)
}

/// The whole-archive limits, from the declared sizes alone: the ratio first
/// (the sharper diagnosis: a bomb is usually past both), then the total.
fn check_expansion(total: u64, archive_size: u64, limits: &Limits) -> Result<(), ReadError> {
    if total > limits.total_ratio_floor_bytes && total / archive_size.max(1) > limits.max_total_ratio {
        return Err(ReadError::ExpandsTooMuch { total, archive: archive_size, max_ratio: limits.max_total_ratio });
    }
    if total > limits.max_total_bytes {
        return Err(ReadError::TooLarge { total, max: limits.max_total_bytes });
    }
    Ok(())
}

/// The first folder of `path` (as `path` spells it) that Windows would take
/// for one of `files`, given as [`portable_path::case_fold`] keys.
pub(crate) fn folder_that_is_a_file<'p>(path: &'p str, files: &HashSet<String>) -> Option<&'p str> {
    // Prefixes are cut from `path` at its own `/` and folded apart: the key
    // has the same characters but not always the same byte offsets (`ı` is
    // two bytes, its uppercase `I` one), so an offset into one must never
    // slice the other.
    path.match_indices('/').map(|(at, _)| &path[..at]).find(|folder| files.contains(&portable_path::case_fold(folder)))
}
