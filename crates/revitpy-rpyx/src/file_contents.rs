//! Reading a package's files one at a time.
//!
//! [`Package::read_files`] yields `(entry, contents)` for each file (not the
//! folders, not the two metadata files) in archive order. Only the file being
//! handed out is held in memory, so a caller that looks at each file and
//! drops it (the server's scanner, a hash) needs one file's worth of memory
//! on top of the archive, not the package's whole expanded size. Each file
//! stops at its declared size, and the pass as a whole at the declared
//! total the limits were checked against.

use crate::expansion_budget::ExpansionBudget;
use crate::read::{EntryMeta, Package};
use crate::read_error::ReadError;

impl Package {
    /// The package's files with their contents, one at a time, in archive
    /// order: a caller holds one inflated file at a time, and the pass stops
    /// at the first error. See [`FileContents`].
    pub fn read_files(&self) -> FileContents<'_> {
        FileContents { package: self, files: self.files().collect(), next: 0, budget: self.budget() }
    }
}

/// The iterator [`Package::read_files`] returns. After an error it yields
/// nothing more: a package that fails one read is not read further.
pub struct FileContents<'a> {
    package: &'a Package,
    files: Vec<&'a EntryMeta>,
    next: usize,
    budget: ExpansionBudget,
}

impl<'a> Iterator for FileContents<'a> {
    type Item = Result<(&'a EntryMeta, Vec<u8>), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = *self.files.get(self.next)?;
        self.next += 1;
        let result = self.package.read(entry).and_then(|bytes| {
            self.budget.spend(bytes.len())?;
            Ok((entry, bytes))
        });
        if result.is_err() {
            self.next = self.files.len();
        }
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.files.len() - self.next))
    }
}
