//! `rpyx-build.json`: what the builder put in the package, with every file's
//! size and sha256 so that a reader can verify each one.
//!
//! The original builder wrote `{"builder_version", "build_info": {...,
//! "files_included": [...]}, "validation_issues"}` without hashes; we keep
//! `builder_version` and `build_info.files_included` for its tools and add
//! `files`. A package without `files` (made by the original) is read, but its
//! files cannot be checked against hashes.

use serde::{Deserialize, Serialize};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildInfo {
    #[serde(default)]
    pub format_version: Option<u32>,
    #[serde(default)]
    pub builder_version: Option<String>,
    /// The timestamp written into every entry (`SOURCE_DATE_EPOCH` or the ZIP epoch).
    #[serde(default)]
    pub source_date_epoch: Option<i64>,
    /// sha256 of `rpyx-manifest.json`, so the manifest is covered too.
    #[serde(default)]
    pub manifest_sha256: Option<String>,
    /// Every file but the two metadata files; absent in the original's packages.
    #[serde(default)]
    pub files: Option<Vec<FileRecord>>,
    /// The original's block, kept for its tools.
    #[serde(default)]
    pub build_info: Option<serde_json::Value>,
}
