//! Helpers shared by the cache's test binaries.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use revitpy_cache::Cache;
use sha2::{Digest, Sha256};

/// Deterministic bytes that differ per `seed`.
pub fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Downloads `bytes` into the cache the way the client does.
pub fn put(cache: &Cache, bytes: &[u8], name: &str, version: &str) -> PathBuf {
    let mut temp = cache.temp_file().unwrap();
    temp.write_all(bytes).unwrap();
    cache.insert(temp, &sha(bytes), bytes.len() as u64, name, version).unwrap()
}

/// Every file below `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
pub fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b.iter().enumerate().take(19).all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    let tail = &s[19.min(s.len())..];
    let tail_ok = match tail.strip_suffix('Z') {
        Some("") => true,
        Some(f) => f.len() >= 2 && f.starts_with('.') && f[1..].bytes().all(|c| c.is_ascii_digit()),
        None => false,
    };
    shape && tail_ok
}
