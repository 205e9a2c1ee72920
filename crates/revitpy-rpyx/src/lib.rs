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
//! [`read`] (the defensive reader), [`file_contents`] (its files one at a
//! time), [`limits`] (every size limit, in one place), [`inspect`] (the whole
//! validation a `validate` command or an upload runs).

pub mod build;
pub mod build_info;
pub mod compat;
pub mod file_contents;
pub mod inspect;
pub mod limits;
pub mod manifest;
mod manifest_text;
pub mod problem;
pub mod read;
pub mod script_paths;
pub mod source;
pub mod validate;
mod zip_write;

pub use build::{BuildError, BuildOptions, BuildReport, build};
pub use compat::{RevitVerdict, Verdict};
pub use file_contents::FileContents;
pub use limits::Limits;
pub use manifest::{Dependency, Manifest, PackageType, PerformanceImpact};
pub use problem::{Problem, Severity};
pub use read::{EntryMeta, Package, ReadError};

/// The manifest entry at the root of every package.
pub const MANIFEST_ENTRY: &str = "rpyx-manifest.json";
/// The build information entry at the root of every package we build.
pub const BUILD_ENTRY: &str = "rpyx-build.json";
