//! Limits on what a package may hold. Archives are hostile until read: the
//! reader refuses anything past these before it decompresses a byte, and
//! stops any entry that inflates past what it declared.

/// Size and count limits for building and reading packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest `.rpyx` file read.
    pub max_archive_bytes: u64,
    /// Most entries (files and folders).
    pub max_entries: usize,
    /// Largest single file, uncompressed.
    pub max_entry_bytes: u64,
    /// Largest total of all files, uncompressed.
    pub max_total_bytes: u64,
    /// Highest uncompressed:compressed ratio for an entry larger than
    /// `ratio_floor_bytes` (deflate can reach about 1000:1; source code 3 to 10).
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_archive_bytes: 512 * 1024 * 1024,
            max_entries: 20_000,
            max_entry_bytes: 256 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor_bytes: 1024 * 1024,
        }
    }
}
