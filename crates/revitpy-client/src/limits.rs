//! How much the client reads from a registry. A registry is a server on the
//! network, possibly hostile or broken: every body is read through a cap, so
//! an endless or huge answer ends in an error, not in the client taking all
//! memory or disk. The caps are far above what a healthy registry sends.

/// JSON answers held in memory whole: search pages (at most 100 results),
/// package details, change-feed pages (at most 10,000 changes of about 150
/// bytes) and batches of index entries (at most 500 packages; about 1 KB
/// each at the registry sizes measured, so 64 MiB leaves room for packages
/// with hundreds of versions).
pub const MAX_JSON_BYTES: u64 = 64 * MIB;

/// Error bodies: only `{"detail": "..."}` is wanted, and only its start is
/// shown. The rest of a longer body is never read.
pub const MAX_ERROR_BODY_BYTES: u64 = 64 * KIB;

/// The index snapshot, streamed to a file and parsed entry by entry, never
/// held in memory: 94 MB for 100,000 packages (docs/PERFORMANCE.md), so
/// 256 MiB leaves room for growth.
pub const MAX_SNAPSHOT_BYTES: u64 = 256 * MIB;

/// A signed index document is a few kilobytes.
pub const MAX_ENVELOPE_BYTES: u64 = 64 * KIB;

/// The compact snapshot decompressed: JSON lines of the same size as the
/// JSON snapshot, so the same room for growth (a zstd bomb stops here).
pub const MAX_SNAPSHOT_DECODED_BYTES: u64 = 1024 * MIB;

/// One line of a compact snapshot: one package with all its versions.
pub const MAX_SNAPSHOT_LINE_BYTES: u64 = 16 * MIB;

/// How much of an error's `detail` is shown: one screen, not a novel.
pub const MAX_DETAIL_CHARS: usize = 1_000;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// The caps one client applies; tests lower them to stay small and fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub json_bytes: u64,
    pub error_body_bytes: u64,
    pub snapshot_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            json_bytes: MAX_JSON_BYTES,
            error_body_bytes: MAX_ERROR_BODY_BYTES,
            snapshot_bytes: MAX_SNAPSHOT_BYTES,
        }
    }
}

/// "256 MiB", "64 KiB", "100 bytes": caps as people read them.
pub fn human_size(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(MAX_SNAPSHOT_BYTES), "256 MiB");
        assert_eq!(human_size(MAX_ERROR_BODY_BYTES), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
