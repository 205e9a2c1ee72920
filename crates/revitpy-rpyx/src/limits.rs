//! Limits on what a package may hold, all in one place. Archives are hostile
//! until read: the reader refuses anything past these from the central
//! directory, before it decompresses a byte, and stops any entry that
//! inflates past what it declared, so what comes out never exceeds what the
//! central directory was checked for.
//!
//! How the defaults fit together: the largest archive read is 512 MiB and a
//! stored (uncompressed) archive expands to about its own size, so the total
//! expanded size is 512 MiB too; a real add-in (scripts, a few DLLs, families
//! and templates that are already compressed) is far below that. Between the
//! two, the ratios stop a small archive from expanding into a large one:
//! per entry (one 1 GB file of zeros) and over the whole archive (a thousand
//! 1 MiB entries of zeros, each under the per-entry floor).

/// 1 MiB.
const MIB: u64 = 1024 * 1024;

/// Size and count limits for building and reading packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest `.rpyx` file read. The server passes its own upload limit.
    pub max_archive_bytes: u64,
    /// Most entries (files and folders).
    pub max_entries: usize,
    /// Largest single file, uncompressed.
    pub max_entry_bytes: u64,
    /// Largest total of all files, uncompressed: what the server scans and
    /// `install` writes into the add-ins folder.
    pub max_total_bytes: u64,
    /// Highest uncompressed:compressed ratio for an entry larger than
    /// `ratio_floor_bytes` (deflate can reach about 1000:1; source code 3 to 10).
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
    /// Highest ratio of the total uncompressed size to the archive's size,
    /// once the total is past `total_ratio_floor_bytes`. Catches bombs made of
    /// many entries that each stay under the per-entry floor. Measured
    /// against the archive's real size, so entries that share compressed
    /// data (overlapping entries) cannot hide from it.
    pub max_total_ratio: u64,
    /// Totals up to this are never refused for their ratio: expanding them
    /// costs nothing worth refusing a package for (a template of zeros).
    pub total_ratio_floor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_archive_bytes: 512 * MIB,
            max_entries: 20_000,
            max_entry_bytes: 256 * MIB,
            // Was 1 GiB, which let a 1 MB archive of 1 MiB entries expand to
            // 1000 MiB; now no more than the largest archive read.
            max_total_bytes: 512 * MIB,
            max_ratio: 200,
            ratio_floor_bytes: MIB,
            // Whole packages of code and data compress 3:1 to 10:1 (the
            // Python standard library: 4:1); 100:1 leaves room for a package
            // of repetitive data files and still holds a bomb to 100 times
            // its size: 5 MB of archive to reach the 512 MiB total.
            max_total_ratio: 100,
            total_ratio_floor_bytes: 16 * MIB,
        }
    }
}
