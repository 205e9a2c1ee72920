//! What a check is asked to do.

use revitpy_names::RevitYear;
use revitpy_rpyx::{ArchiveDigest, Limits};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// What the archive may be and hold (the server passes its upload limit
    /// as `max_archive_bytes`).
    pub limits: Limits,
    /// The Revit year to judge the package for ([`crate::Checked::revit_verdict`]).
    pub revit_year: Option<RevitYear>,
    /// Scan the files as they are read ([`crate::Checked::scan`]).
    pub scan: bool,
    /// The file's sha256 and size, when the caller measured them while the
    /// file arrived: the file is then not hashed again. Its size must match
    /// the file's (else [`revitpy_rpyx::ReadError::NotWhatWasHashed`]); the
    /// hash itself is trusted, as it was taken over the same bytes.
    pub known_digest: Option<ArchiveDigest>,
}
