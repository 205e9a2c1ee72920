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
//! server's scanner) that need not hold every inflated file at once;
//! [`Package::verifier`] checks files against `rpyx-build.json` as a
//! caller's own pass reads them.
//!
//! The file's sha256 is taken while opening it, unless the caller already
//! took it (the server hashes an upload while it streams in): then
//! [`Package::open_known`] takes it from an [`ArchiveDigest`], and the file
//! is hashed once, not twice.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use revitpy_names::portable_path;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::archive_digest::ArchiveDigest;
use crate::build_info::{BuildInfo, FileRecord};
use crate::expansion_budget::ExpansionBudget;
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::problem::Problem;
// Declared in read_error.rs; `read::ReadError`, its old path, still names it.
pub use crate::read_error::ReadError;
use crate::{BUILD_ENTRY, MANIFEST_ENTRY};

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
    /// Entries inflated so far (see [`Package::inflations`]).
    inflations: AtomicUsize,
}

impl Package {
    pub fn open(path: &Path, limits: Limits) -> Result<Self, ReadError> {
        Self::open_known(path, limits, None)
    }

    /// [`Package::open`], taking the file's sha256 from `known` (measured
    /// by the caller over the same bytes) instead of hashing the file again.
    /// A file whose size is not the size `known` was taken over is refused
    /// ([`ReadError::NotWhatWasHashed`]).
    pub fn open_known(path: &Path, limits: Limits, known: Option<&ArchiveDigest>) -> Result<Self, ReadError> {
        let io = |source| ReadError::Io { path: path.to_owned(), source };
        let file = fs_err::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if size > limits.max_archive_bytes {
            return Err(ReadError::ArchiveTooLarge { size, max: limits.max_archive_bytes });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(limits.max_archive_bytes + 1).read_to_end(&mut bytes).map_err(io)?;
        Self::from_bytes_known(bytes, limits, known)
    }

    pub fn from_bytes(bytes: Vec<u8>, limits: Limits) -> Result<Self, ReadError> {
        Self::from_bytes_known(bytes, limits, None)
    }

    /// [`Package::from_bytes`], with the sha256 taken from `known` as in
    /// [`Package::open_known`].
    pub fn from_bytes_known(bytes: Vec<u8>, limits: Limits, known: Option<&ArchiveDigest>) -> Result<Self, ReadError> {
        let size = bytes.len() as u64;
        if size > limits.max_archive_bytes {
            return Err(ReadError::ArchiveTooLarge { size, max: limits.max_archive_bytes });
        }
        // Before any work: a digest of other bytes would be stored as this
        // file's. The size is all that can be compared without hashing.
        if let Some(known) = known
            && known.size() != size
        {
            return Err(ReadError::NotWhatWasHashed { size, hashed: known.size() });
        }
        let raw_count = scan_central_directory(&bytes, &limits)?;
        let sha256 = match known {
            Some(known) => known.sha256().to_owned(),
            None => hex::encode(Sha256::digest(&bytes)),
        };
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
        Ok(Self { archive, entries, size, sha256, expanded, inflations: AtomicUsize::new(0) })
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

    /// A counter for one pass over the files (see [`ExpansionBudget`]).
    pub(crate) fn budget(&self) -> ExpansionBudget {
        ExpansionBudget::new(self.expanded)
    }

    /// How many times an entry's data has been inflated from this package
    /// (every [`Package::read`], whatever it returned): what shows that a
    /// pass over the files reads each once.
    pub fn inflations(&self) -> usize {
        self.inflations.load(Ordering::Relaxed)
    }

    /// Reads one entry, never past the size it declared.
    pub fn read(&self, entry: &EntryMeta) -> Result<Vec<u8>, ReadError> {
        // The sizes the central directory was checked with, not the
        // caller's copy (its fields are public, and could have been changed).
        let entry = match self.entries.get(entry.index) {
            Some(checked) if checked.path == entry.path => checked,
            _ => return Err(ReadError::entry(&entry.path, "is not an entry of this package")),
        };
        self.inflations.fetch_add(1, Ordering::Relaxed);
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
