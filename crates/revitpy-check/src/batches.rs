//! The files of a package, cut into the batches one pass reads: each batch
//! is inflated (in parallel), verified and scanned before the next is read.

use revitpy_rpyx::EntryMeta;

/// The most a batch holds inflated: at most this many bytes, or one entry
/// when an entry is larger. A package is never held inflated whole, and a
/// batch still spreads over every core.
pub const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// `files` in order, cut into consecutive batches by their declared sizes
/// (what the reader lets each inflate to, exactly): a batch is as many
/// files as fit in `max_bytes`, or one file larger than that.
pub fn batches<'f, 'e>(files: &'f [&'e EntryMeta], max_bytes: usize) -> Vec<&'f [&'e EntryMeta]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, e) in files.iter().enumerate() {
        if i > start && bytes.saturating_add(e.size) > max_bytes as u64 {
            out.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes = bytes.saturating_add(e.size);
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}
