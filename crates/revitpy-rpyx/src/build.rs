//! The reproducible builder: source folder in, `.rpyx` out.
//!
//! Same source, same bytes: entries sorted by path, one fixed timestamp
//! (`SOURCE_DATE_EPOCH`, else the ZIP epoch 1980-01-01), permissions 0644,
//! no extra fields, and build metadata that holds nothing of the machine.
//! Files are read, hashed and compressed in parallel (libdeflate level 6,
//! smaller than Python's zlib level 6), then laid out by [`crate::zip_write`].
//! The output is written to a temporary file beside it and renamed into
//! place, so a failed build never leaves a half-written package.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use revitpy_names::portable_path;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::build_info::{FORMAT_VERSION, FileRecord};
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::problem::{Problem, Problems, has_errors};
use crate::source;
use crate::zip_write::{self, RawEntry};
use crate::{BUILD_ENTRY, MANIFEST_ENTRY};

/// The default compression level (libdeflate's scale, 1 to 12).
pub const DEFAULT_LEVEL: i32 = 6;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Include files that look like secrets (`*.key`, `*.pem`, `.env`...).
    pub allow_secrets: bool,
    /// The timestamp for every entry; `None` means the ZIP epoch.
    pub source_date_epoch: Option<i64>,
    pub level: i32,
    pub limits: Limits,
    /// Keep OS litter, `.tmp` and `.log` files (the original's `include_dev`).
    pub include_dev: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            allow_secrets: false,
            source_date_epoch: None,
            level: DEFAULT_LEVEL,
            limits: Limits::default(),
            include_dev: false,
        }
    }
}

impl BuildOptions {
    /// Options with `SOURCE_DATE_EPOCH` taken from the environment.
    pub fn from_env() -> Result<Self, BuildError> {
        let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => {
                Some(v.trim().parse::<i64>().map_err(|_| BuildError::BadSourceDateEpoch(v.clone()))?)
            }
            _ => None,
        };
        Ok(Self { source_date_epoch, ..Self::default() })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the manifest has problems:\n{0}")]
    Manifest(Problems),
    #[error("{path}: {message}")]
    Source { path: PathBuf, message: String },
    #[error("{path}: {problem}")]
    BadPath { path: String, problem: portable_path::PathProblem },
    #[error("`{first}` and `{second}` differ only in case, and Windows cannot hold both; rename one")]
    CaseCollision { first: String, second: String },
    #[error(
        "`{path}` needs a folder where Windows would find the file `{file}` (names differ only in case); rename one"
    )]
    FileWhereFolderNeeded { file: String, path: String },
    #[error("`{0}` is written by the builder; remove it from the source folder")]
    ReservedName(String),
    #[error(
        "these files look like secrets and were not packaged: {}; remove them, add them to .gitignore, or pass --allow-secrets",
        .0.join(", ")
    )]
    Secrets(Vec<String>),
    #[error("`{path}` is a symbolic link; packages hold only regular files (copy the target in instead)")]
    Symlink { path: String },
    #[error("the package would hold {count} files; at most {max} are allowed")]
    TooManyFiles { count: usize, max: usize },
    #[error("`{path}` is {size} bytes; at most {max} are allowed per file")]
    FileTooLarge { path: String, size: u64, max: u64 },
    #[error("the files add up to {total} bytes; at most {max} are allowed")]
    TooLarge { total: u64, max: u64 },
    /// The package would expand more than readers allow: they would refuse it.
    #[error(
        "{what} would expand {ratio}:1 ({compressed} to {size} bytes), past the {max}:1 readers allow; ship such repetitive data compressed (as a .zip or .gz file) in the package"
    )]
    ExpandsTooMuch { what: String, size: u64, compressed: u64, ratio: u64, max: u64 },
    #[error("SOURCE_DATE_EPOCH=`{0}` is not a number of seconds")]
    BadSourceDateEpoch(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    pub output: PathBuf,
    pub manifest: Manifest,
    pub manifest_source: String,
    pub sha256: String,
    pub size: u64,
    pub files: Vec<FileRecord>,
    pub uncompressed_bytes: u64,
    pub warnings: Vec<Problem>,
}

/// Names the original builder left out (`.git*`, caches, OS litter, logs);
/// with `include_dev`, as its `include_dev=True`, only `.git*` and compiled
/// Python (OS litter, `.tmp` and `.log` files are kept). Earlier packages
/// (`.rpyx`) are never packaged.
fn is_excluded(name: &str, is_dir: bool, include_dev: bool) -> bool {
    if is_dir {
        return name == ".git" || name == "__pycache__";
    }
    let ends_with =
        |exts: &[&str]| exts.iter().any(|ext| name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext));
    if name.starts_with(".git") || ends_with(&[".pyc", ".pyo", ".rpyx"]) {
        return true;
    }
    !include_dev && (name == ".DS_Store" || name == "Thumbs.db" || ends_with(&[".tmp", ".log"]))
}

fn is_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == ".env"
        || (lower.starts_with(".env.") && lower != ".env.example")
        || [".key", ".pem", ".p12", ".pfx"].iter().any(|ext| lower.ends_with(ext))
}

/// Extensions whose contents are already compressed: stored, not deflated.
fn is_precompressed(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "zip"
            | "gz"
            | "tgz"
            | "bz2"
            | "xz"
            | "zst"
            | "7z"
            | "rar"
            | "whl"
            | "nupkg"
            | "jar"
            | "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "webp"
            | "ico"
            | "mp3"
            | "mp4"
            | "avi"
            | "mov"
            | "docx"
            | "xlsx"
            | "pptx"
            | "rfa"
            | "rvt"
            | "rte"
            | "rft"
            | "woff"
            | "woff2"
    )
}

struct SourceFile {
    rel: String,
    path: PathBuf,
}

/// Walks the source: `.gitignore` honoured inside a git repository or not,
/// the original's exclusions applied, links refused, paths checked.
fn collect_files(src: &Path, opts: &BuildOptions) -> Result<Vec<SourceFile>, BuildError> {
    let include_dev = opts.include_dev;
    let walker = ignore::WalkBuilder::new(src)
        .hidden(false)
        .ignore(false)
        .git_global(false)
        .git_exclude(false)
        .git_ignore(true)
        .require_git(false)
        .parents(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            e.depth() == 0 || !is_excluded(&e.file_name().to_string_lossy(), is_dir, include_dev)
        })
        .build();
    let mut files = Vec::new();
    let mut secrets = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| BuildError::Source { path: src.to_owned(), message: e.to_string() })?;
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if ft.is_dir() {
            continue;
        }
        let rel_path = entry.path().strip_prefix(src).unwrap_or(entry.path());
        let mut parts = Vec::new();
        for c in rel_path.components() {
            let s = c.as_os_str().to_str().ok_or_else(|| BuildError::Source {
                path: entry.path().to_owned(),
                message: "the file name is not valid Unicode".to_owned(),
            })?;
            parts.push(s);
        }
        let rel = parts.join("/");
        if ft.is_symlink() {
            return Err(BuildError::Symlink { path: rel });
        }
        if !ft.is_file() {
            continue;
        }
        if rel == MANIFEST_ENTRY || rel == BUILD_ENTRY {
            return Err(BuildError::ReservedName(rel));
        }
        portable_path::check_relative_path(&rel)
            .map_err(|problem| BuildError::BadPath { path: rel.clone(), problem })?;
        if !opts.allow_secrets && is_secret(parts.last().copied().unwrap_or_default()) {
            secrets.push(rel);
            continue;
        }
        files.push(SourceFile { rel, path: entry.path().to_owned() });
    }
    if !secrets.is_empty() {
        secrets.sort();
        return Err(BuildError::Secrets(secrets));
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    // The same rules as the reader's, so the builder never writes a package
    // that readers refuse: names Windows holds as one, and a file where
    // another path needs a folder (`Tools` and `tools/run.py` on Linux).
    let mut folded: HashMap<String, &str> = HashMap::new();
    for f in &files {
        if let Some(first) = folded.insert(portable_path::case_fold(&f.rel), &f.rel) {
            return Err(BuildError::CaseCollision { first: first.to_owned(), second: f.rel.clone() });
        }
    }
    let file_keys: HashSet<String> = folded.into_keys().collect();
    for f in &files {
        if let Some(folder) = crate::read::folder_that_is_a_file(&f.rel, &file_keys) {
            let key = portable_path::case_fold(folder);
            let file = files.iter().find(|g| portable_path::case_fold(&g.rel) == key).map_or(folder, |g| &g.rel);
            return Err(BuildError::FileWhereFolderNeeded { file: file.to_owned(), path: f.rel.clone() });
        }
    }
    if files.len() + 2 > opts.limits.max_entries {
        return Err(BuildError::TooManyFiles { count: files.len(), max: opts.limits.max_entries - 2 });
    }
    Ok(files)
}

/// Files smaller than this are compressed at libdeflate's best level: on tiny
/// files level 6 can come out a few bytes larger than zlib's level 6, and the
/// best level costs little (such files hold about 1% of the bytes of a
/// typical tree).
const SMALL_FILE_BYTES: usize = 4096;
const SMALL_FILE_LEVEL: i32 = 12;

/// Compresses one file's bytes: deflated when that is smaller, else stored.
fn pack_entry(name: String, bytes: Vec<u8>, level: i32) -> RawEntry {
    let crc32 = crc32fast::hash(&bytes);
    let uncompressed_size = bytes.len() as u64;
    if !bytes.is_empty() && !is_precompressed(&name) {
        let level = if bytes.len() < SMALL_FILE_BYTES { level.max(SMALL_FILE_LEVEL) } else { level };
        let lvl = libdeflater::CompressionLvl::new(level).unwrap_or_default();
        let mut c = libdeflater::Compressor::new(lvl);
        let mut out = vec![0; c.deflate_compress_bound(bytes.len())];
        if let Ok(n) = c.deflate_compress(&bytes, &mut out)
            && n < bytes.len()
        {
            out.truncate(n);
            return RawEntry { name, crc32, uncompressed_size, deflated: true, data: out };
        }
    }
    RawEntry { name, crc32, uncompressed_size, deflated: false, data: bytes }
}

/// Builds `src` into `output`.
pub fn build(src: &Path, output: &Path, opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    if !src.is_dir() {
        return Err(BuildError::Source {
            path: src.to_owned(),
            message: "is not a folder; give the package's source folder".to_owned(),
        });
    }
    let loaded = source::load_from_dir(src).map_err(|p| BuildError::Manifest(Problems(vec![p])))?;
    let mut warnings = loaded.problems.clone();
    let Some(manifest) = loaded.manifest else {
        return Err(BuildError::Manifest(Problems(loaded.problems)));
    };
    let files = collect_files(src, opts)?;

    let names: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let file_problems =
        crate::validate::check_files(&manifest, &names, &loaded.file, &|f| source::field_name(loaded.kind, f));
    if has_errors(&file_problems) {
        let mut all = warnings;
        all.extend(file_problems);
        all.retain(Problem::is_error);
        return Err(BuildError::Manifest(Problems(all)));
    }
    warnings.extend(file_problems);

    let limits = opts.limits;
    let packed: Vec<(RawEntry, FileRecord)> = files
        .par_iter()
        .map(|f| {
            let io = |source| BuildError::Io { path: f.path.clone(), source };
            let size = fs_err::metadata(&f.path).map_err(io)?.len();
            if size > limits.max_entry_bytes {
                return Err(BuildError::FileTooLarge { path: f.rel.clone(), size, max: limits.max_entry_bytes });
            }
            let bytes = fs_err::read(&f.path).map_err(io)?;
            let record = FileRecord {
                path: f.rel.clone(),
                size: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(&bytes)),
            };
            Ok((pack_entry(f.rel.clone(), bytes, opts.level), record))
        })
        .collect::<Result<_, _>>()?;
    let uncompressed_bytes: u64 = packed.iter().map(|(_, r)| r.size).sum();
    if uncompressed_bytes > limits.max_total_bytes {
        return Err(BuildError::TooLarge { total: uncompressed_bytes, max: limits.max_total_bytes });
    }

    let manifest_json = serde_json::to_vec_pretty(&manifest.to_json()).expect("manifest serializes");
    let records: Vec<FileRecord> = packed.iter().map(|(_, r)| r.clone()).collect();
    let epoch = opts.source_date_epoch.unwrap_or(315_532_800); // 1980-01-01T00:00:00Z
    let build_json = json!({
        "format_version": FORMAT_VERSION,
        "builder_version": concat!("revitpy-rpyx ", env!("CARGO_PKG_VERSION")),
        "source_date_epoch": epoch,
        "manifest_sha256": hex::encode(Sha256::digest(&manifest_json)),
        "files": records,
        "build_info": {
            "package_name": manifest.name.as_str(),
            "version": manifest.version.to_string(),
            "files_included": std::iter::once(MANIFEST_ENTRY)
                .chain(records.iter().map(|r| r.path.as_str()))
                .collect::<Vec<_>>(),
        },
    });
    let build_json = serde_json::to_vec_pretty(&build_json).expect("build info serializes");

    let mut entries = Vec::with_capacity(packed.len() + 2);
    entries.push(pack_entry(MANIFEST_ENTRY.to_owned(), manifest_json, opts.level));
    entries.extend(packed.into_iter().map(|(e, _)| e));
    entries.push(pack_entry(BUILD_ENTRY.to_owned(), build_json, opts.level));
    check_expansion(&entries, &limits)?;

    let (sha256, size) = write_atomically(output, &entries, zip_write::dos_date_time(epoch))?;
    Ok(BuildReport {
        output: output.to_owned(),
        manifest,
        manifest_source: loaded.file,
        sha256,
        size,
        files: records,
        uncompressed_bytes,
        warnings,
    })
}

/// The reader's ratio limits (per entry and over the whole archive), checked
/// before anything is written: a package they refuse is no use to anyone.
fn check_expansion(entries: &[RawEntry], limits: &Limits) -> Result<(), BuildError> {
    for e in entries {
        let compressed = e.data.len() as u64;
        let ratio = e.uncompressed_size / compressed.max(1);
        if e.uncompressed_size > limits.ratio_floor_bytes && ratio > limits.max_ratio {
            return Err(BuildError::ExpandsTooMuch {
                what: format!("`{}`", e.name),
                size: e.uncompressed_size,
                compressed,
                ratio,
                max: limits.max_ratio,
            });
        }
    }
    let size = zip_write::archive_size(entries);
    let total: u64 = entries.iter().map(|e| e.uncompressed_size).sum();
    let ratio = total / size.max(1);
    if total > limits.total_ratio_floor_bytes && ratio > limits.max_total_ratio {
        return Err(BuildError::ExpandsTooMuch {
            what: "the package".to_owned(),
            size: total,
            compressed: size,
            ratio,
            max: limits.max_total_ratio,
        });
    }
    Ok(())
}

/// Writes to a temporary file in the output's folder, then renames it over
/// the output, so readers never see a partial package.
fn write_atomically(output: &Path, entries: &[RawEntry], dos: (u16, u16)) -> Result<(String, u64), BuildError> {
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BuildError::Io { path, source }
    };
    let tmp = tempfile::Builder::new().prefix(".rpyx-build-").tempfile_in(&dir).map_err(io(&dir))?;
    let (sha256, size) = {
        let mut writer = HashingWriter { inner: std::io::BufWriter::new(tmp.as_file()), hasher: Sha256::new() };
        let size = zip_write::write_archive(&mut writer, entries, dos).map_err(io(output))?;
        writer.inner.flush().map_err(io(output))?;
        (hex::encode(writer.hasher.finalize()), size)
    };
    tmp.as_file().sync_all().map_err(io(output))?;
    tmp.persist(output).map_err(|e| BuildError::Io { path: output.to_owned(), source: e.error })?;
    Ok((sha256, size))
}

struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_match_the_original() {
        for name in [".gitignore", ".DS_Store", "Thumbs.db", "a.pyc", "a.PYO", "x.tmp", "build.log", "old.rpyx"] {
            assert!(is_excluded(name, false, false), "{name}");
        }
        assert!(is_excluded(".git", true, false) && is_excluded("__pycache__", true, false));
        for name in ["main.py", "log.py", "catalog", "tmp", ".log"] {
            assert!(!is_excluded(name, false, false), "{name}");
        }
        // include_dev keeps OS litter and logs, never caches, git files or packages.
        for name in [".DS_Store", "Thumbs.db", "x.tmp", "build.log"] {
            assert!(!is_excluded(name, false, true), "{name}");
        }
        for name in [".gitignore", "a.pyc", "old.rpyx"] {
            assert!(is_excluded(name, false, true), "{name}");
        }
        assert!(is_excluded("__pycache__", true, true));
        for name in ["id.key", "cert.PEM", "a.p12", "b.pfx", ".env", ".env.local"] {
            assert!(is_secret(name), "{name}");
        }
        for name in [".env.example", "keys.py", "environment.py"] {
            assert!(!is_secret(name), "{name}");
        }
    }
}
