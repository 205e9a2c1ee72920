//! One check of a `.rpyx` package, for every caller: the server's upload,
//! and the client's `validate`, `publish` and `install`.
//!
//! The package is opened once (its sha256 taken then, or given by a caller
//! that hashed it as it arrived: [`CheckOptions::known_digest`]), and its
//! files are read in one pass ([`single_pass`]): each is inflated once,
//! checked against its `rpyx-build.json` record, and the same bytes go to
//! the scanner, a batch of at most [`BATCH_BYTES`] at a time, so the package
//! is never held inflated whole. The limits the reader checked the archive
//! against hold throughout: no entry inflates past what it declares, and the
//! pass stops at the total the archive declares.
//!
//! [`check_file`] is the whole check; [`open_file`] and [`Opened::finish`]
//! are its two halves, for a caller that looks at the manifest (read alone,
//! cheaply) before the files are read: the server, which refuses a version
//! it already has before scanning it; `install`, which refuses a download
//! that holds another package.
//!
//! Modules: [`options`], [`opened`] (opening, the manifest), [`single_pass`]
//! (the files), [`batches`], [`mod@manifest_facts`] (what the scanner needs of
//! the manifest), [`checked`] (the result).

pub mod batches;
pub mod checked;
pub mod manifest_facts;
pub mod opened;
pub mod options;
pub mod single_pass;

use std::path::Path;

pub use batches::BATCH_BYTES;
pub use checked::Checked;
pub use manifest_facts::manifest_facts;
pub use opened::{Opened, open_file};
pub use options::CheckOptions;
pub use revitpy_rpyx::{ArchiveDigest, Limits, ReadError};

/// Opens, verifies and (with [`CheckOptions::scan`]) scans a package file.
/// Only a file that cannot be read at all is an `Err` (and a file that is
/// not the size of its known digest); everything wrong inside it is a
/// problem of the [`Checked`].
pub fn check_file(path: &Path, options: &CheckOptions) -> Result<Checked, ReadError> {
    Ok(open_file(path, options)?.finish())
}
