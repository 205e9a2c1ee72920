//! A minimal, deterministic ZIP writer for entries compressed elsewhere.
//!
//! Why not the `zip` crate's writer: it compresses with flate2/zlib-rs, and
//! beating Python's `zipfile` (zlib level 6) in size with it takes level 9,
//! about 3 times slower than libdeflate at level 6, which is already smaller.
//! The `zip` crate cannot take deflate streams made by another compressor, so
//! the builder compresses entries in parallel with libdeflate and this module
//! lays them out. It writes only what the builder needs: stored or deflated
//! entries, no ZIP64 (the builder refuses archives near 4 GiB), fixed
//! timestamps, Unix permissions 0644, UTF-8 names. Reading is left to the
//! `zip` crate.

use std::io::{self, Write};

/// One entry ready to be written.
pub struct RawEntry {
    pub name: String,
    pub crc32: u32,
    pub uncompressed_size: u64,
    pub deflated: bool,
    /// Deflate stream, or the bytes themselves when stored.
    pub data: Vec<u8>,
}

/// DOS date and time for a Unix timestamp, in UTC (ZIP has no time zone).
/// Clamped to what the format holds: 1980-01-01 to 2107-12-31.
pub fn dos_date_time(unix_seconds: i64) -> (u16, u16) {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (mut y, mut m, mut d) = revitpy_names::timestamp::civil_from_days(days);
    let (mut hh, mut mm, mut ss) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if y < 1980 {
        (y, m, d, hh, mm, ss) = (1980, 1, 1, 0, 0, 0);
    } else if y > 2107 {
        (y, m, d, hh, mm, ss) = (2107, 12, 31, 23, 59, 58);
    }
    let date = (((y - 1980) as u16) << 9) | ((m as u16) << 5) | d as u16;
    let time = ((hh as u16) << 11) | ((mm as u16) << 5) | (ss as u16 / 2);
    (date, time)
}

const VERSION_NEEDED: u16 = 20;
/// Made by Unix (3), spec 2.0: lets readers take the permission bits below.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
const FLAG_UTF8: u16 = 1 << 11;
/// Regular file, rw-r--r--.
const EXTERNAL_ATTRS: u32 = 0o100644 << 16;

/// Largest archive this writer produces; beyond it ZIP64 would be needed.
pub const MAX_ARCHIVE_BYTES: u64 = u32::MAX as u64 - 1;

/// The size [`write_archive`] will write for `entries`: a local header and
/// a central directory record per entry, and the end record.
pub fn archive_size(entries: &[RawEntry]) -> u64 {
    let per_entry: u64 = entries.iter().map(|e| 30 + 46 + 2 * e.name.len() as u64 + e.data.len() as u64).sum();
    per_entry + 22
}

pub fn write_archive<W: Write>(out: &mut W, entries: &[RawEntry], dos: (u16, u16)) -> io::Result<u64> {
    if entries.len() > u16::MAX as usize {
        return Err(io::Error::other("more than 65535 entries need ZIP64"));
    }
    let (date, time) = dos;
    let mut offset: u64 = 0;
    let mut central = Vec::with_capacity(entries.len() * 64);
    for e in entries {
        let name = e.name.as_bytes();
        let flags = if e.name.is_ascii() { 0 } else { FLAG_UTF8 };
        let method: u16 = if e.deflated { 8 } else { 0 };
        let csize = e.data.len() as u64;
        if offset + csize + 30 + name.len() as u64 > MAX_ARCHIVE_BYTES || e.uncompressed_size > MAX_ARCHIVE_BYTES {
            return Err(io::Error::other("the archive would exceed 4 GiB"));
        }
        let mut local = Vec::with_capacity(30 + name.len());
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        local.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
        local.extend_from_slice(&flags.to_le_bytes());
        local.extend_from_slice(&method.to_le_bytes());
        local.extend_from_slice(&time.to_le_bytes());
        local.extend_from_slice(&date.to_le_bytes());
        local.extend_from_slice(&e.crc32.to_le_bytes());
        local.extend_from_slice(&(csize as u32).to_le_bytes());
        local.extend_from_slice(&(e.uncompressed_size as u32).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(name);
        out.write_all(&local)?;
        out.write_all(&e.data)?;

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
        central.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&time.to_le_bytes());
        central.extend_from_slice(&date.to_le_bytes());
        central.extend_from_slice(&e.crc32.to_le_bytes());
        central.extend_from_slice(&(csize as u32).to_le_bytes());
        central.extend_from_slice(&(e.uncompressed_size as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&EXTERNAL_ATTRS.to_le_bytes());
        central.extend_from_slice(&(offset as u32).to_le_bytes());
        central.extend_from_slice(name);
        offset += local.len() as u64 + csize;
    }
    if offset + central.len() as u64 + 22 > MAX_ARCHIVE_BYTES {
        return Err(io::Error::other("the archive would exceed 4 GiB"));
    }
    out.write_all(&central)?;
    let count = entries.len() as u16;
    let mut end = Vec::with_capacity(22);
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&(central.len() as u32).to_le_bytes());
    end.extend_from_slice(&(offset as u32).to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    out.write_all(&end)?;
    Ok(offset + central.len() as u64 + 22)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_times() {
        // Before 1980 clamps to 1980-01-01 00:00: year 0, month 1, day 1.
        assert_eq!(dos_date_time(0), ((1 << 5) | 1, 0));
        // 2024-02-29 13:45:30 UTC
        let (d, t) = dos_date_time(1_709_214_330);
        assert_eq!((d >> 9) + 1980, 2024);
        assert_eq!((d >> 5) & 0xf, 2);
        assert_eq!(d & 0x1f, 29);
        assert_eq!((t >> 11, (t >> 5) & 0x3f, (t & 0x1f) * 2), (13, 45, 30));
    }

    #[test]
    fn archive_size_is_what_is_written() {
        let entries: Vec<RawEntry> = [("a.py", b"x = 1\n".to_vec()), ("Größe/壁.py", vec![7; 300])]
            .into_iter()
            .map(|(name, data)| RawEntry {
                name: name.to_owned(),
                crc32: crc32fast::hash(&data),
                uncompressed_size: data.len() as u64,
                deflated: false,
                data,
            })
            .collect();
        let mut out = Vec::new();
        let written = write_archive(&mut out, &entries, dos_date_time(0)).unwrap();
        assert_eq!(written, out.len() as u64);
        assert_eq!(archive_size(&entries), written);
    }
}
