//! Reading a package's files one at a time.
//!
//! [`Package::read_files`] yields `(entry, contents)` for each file (not the
//! folders, not the two metadata files) in archive order. Only the file being
//! handed out is held in memory, so a caller that looks at each file and
//! drops it (the server's scanner, a hash) needs one file's worth of memory
//! on top of the archive, not the package's whole expanded size. Each file
//! stops at its declared size, and the pass as a whole at the declared
//! total the limits were checked against.

use crate::read::{EntryMeta, ExpansionBudget, Package, ReadError};

/// The iterator [`Package::read_files`] returns. After an error it yields
/// nothing more: a package that fails one read is not read further.
pub struct FileContents<'a> {
    package: &'a Package,
    files: Vec<&'a EntryMeta>,
    next: usize,
    budget: ExpansionBudget,
}

impl<'a> FileContents<'a> {
    pub(crate) fn new(package: &'a Package) -> Self {
        Self { package, files: package.files().collect(), next: 0, budget: package.budget() }
    }
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
