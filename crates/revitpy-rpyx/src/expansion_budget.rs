//! The second line of defence against a lying archive: what one pass over
//! a package's files inflates, counted against the total its central
//! directory declares (each entry is already stopped at its own size).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::read_error::ReadError;

/// Counts what one pass over the files inflates, across threads, against
/// the total the central directory declares.
pub(crate) struct ExpansionBudget {
    declared: u64,
    used: AtomicU64,
}

impl ExpansionBudget {
    /// A budget of `declared` bytes, none spent.
    pub(crate) fn new(declared: u64) -> Self {
        Self { declared, used: AtomicU64::new(0) }
    }

    pub(crate) fn spend(&self, bytes: usize) -> Result<(), ReadError> {
        let bytes = bytes as u64;
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.declared {
            return Err(ReadError::ExpandedPastDeclared { declared: self.declared });
        }
        Ok(())
    }
}
