//! The `.rpyx` package format.
//!
//! A `.rpyx` is a plain ZIP (deflate or stored entries) that any ZIP tool
//! reads, holding:
//!
//! * `rpyx-manifest.json`: the manifest, in the original project's field names;
//! * `rpyx-build.json`: build information with every file's size and sha256;
//! * the package's files under their relative paths.
//!
//! Modules: [`manifest`] (the typed model), [`source`] (reading `revitpy.toml`,
//! `pyproject.toml`, `package.json`, `manifest.json`, `manifest.yaml`),
//! [`compat`] (Revit year verdicts), [`build`] (the reproducible builder),
//! [`read`] (the defensive reader, with [`read_error`] and
//! [`archive_digest`]), [`file_contents`] (its files one at a time),
//! [`verify`] (files against `rpyx-build.json`), [`limits`] (every size
//! limit, in one place), [`inspect`] (the whole validation a `validate`
//! command or an upload ran before `revitpy-check`; kept until the server
//! calls that crate).

pub mod archive_digest;
pub mod build;
pub mod build_info;
pub mod compat;
mod expansion_budget;
pub mod file_contents;
pub mod limits;
pub mod manifest;
mod manifest_text;
pub mod problem;
pub mod read;
pub mod read_error;
pub mod script_paths;
pub mod source;
pub mod validate;
pub mod verify;
mod zip_write;

pub use archive_digest::ArchiveDigest;
pub use build::{BuildError, BuildOptions, BuildReport, build};
pub use compat::{RevitVerdict, Verdict};
pub use file_contents::FileContents;
pub use limits::Limits;
pub use manifest::{Dependency, Manifest, PackageType, PerformanceImpact};
pub use problem::{Problem, Severity};
pub use read::{EntryMeta, Package};
pub use read_error::ReadError;
pub use verify::Verifier;

/// The manifest entry at the root of every package.
pub const MANIFEST_ENTRY: &str = "rpyx-manifest.json";
/// The build information entry at the root of every package we build.
pub const BUILD_ENTRY: &str = "rpyx-build.json";
