//! What can go wrong reading a package: the archive as a whole (too large,
//! not a ZIP, a bomb) or one named entry.

use std::path::PathBuf;

use crate::MANIFEST_ENTRY;
use crate::problem::Problem;

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
    /// The file opened is not the size of the bytes its known sha256 was
    /// taken over (see [`crate::ArchiveDigest`]): it changed after it was
    /// hashed, or the digest belongs to another file.
    #[error(
        "the file is {size} bytes, but the sha256 given for it was taken over {hashed} bytes; it changed after it was hashed"
    )]
    NotWhatWasHashed { size: u64, hashed: u64 },
}

impl ReadError {
    pub(crate) fn entry(entry: &str, message: impl Into<String>) -> Self {
        Self::Entry { entry: entry.to_owned(), message: message.into() }
    }

    /// The error as a problem of the package: an entry's error names the
    /// entry, a missing manifest names the manifest, the rest the package.
    pub fn to_problem(&self) -> Problem {
        match self {
            Self::Entry { entry, message } => Problem::error(entry, None, message.clone()),
            Self::NoManifest => Problem::error(MANIFEST_ENTRY, None, self.to_string()),
            other => Problem::error("", None, other.to_string()),
        }
    }
}
