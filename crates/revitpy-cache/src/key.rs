//! Package keys (validated sha256 strings) and hashing.

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::CacheError;

/// A sha256 in lowercase hex, checked before any path is built from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key(String);

impl Key {
    pub(crate) fn parse(s: &str) -> Result<Self, CacheError> {
        if is_sha256(s) { Ok(Self(s.to_owned())) } else { Err(CacheError::InvalidSha256(s.to_owned())) }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// `<ab>/<sha256>.rpyx` below `packages/`.
    pub(crate) fn path_in(&self, packages: &Path) -> PathBuf {
        packages.join(&self.0[..2]).join(format!("{}.{FILE_EXTENSION}", self.0))
    }
}

pub(crate) const FILE_EXTENSION: &str = "rpyx";

/// 64 lowercase hex characters.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Size and sha256 of everything `reader` yields.
pub(crate) fn hash_reader(mut reader: impl Read) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Size and sha256 of a file; `None` when it does not exist.
pub(crate) fn hash_file(path: &Path) -> Result<Option<(u64, String)>, CacheError> {
    let file = match fs_err::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CacheError::Io(e)),
    };
    hash_reader(file).map(Some).map_err(CacheError::Io)
}

/// What is wrong with a cached file, if anything: `(expected, actual)`.
pub(crate) enum Check {
    Missing,
    Intact,
    Corrupt { expected: String, actual: String },
}

/// Checks `path` holds exactly `size` bytes hashing to `key`. The size comes
/// first: a wrong size is found without reading the file.
pub(crate) fn check_file(path: &Path, key: &Key, size: u64) -> Result<Check, CacheError> {
    let len = match fs_err::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Check::Missing),
        Err(e) => return Err(CacheError::Io(e)),
    };
    if len != size {
        return Ok(Check::Corrupt { expected: format!("{size} bytes"), actual: format!("{len} bytes") });
    }
    Ok(match hash_file(path)? {
        None => Check::Missing,
        Some((len, _)) if len != size => {
            Check::Corrupt { expected: format!("{size} bytes"), actual: format!("{len} bytes") }
        }
        Some((_, sha)) if sha != key.as_str() => Check::Corrupt { expected: key.as_str().to_owned(), actual: sha },
        Some(_) => Check::Intact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_hex_of_length_64_is_a_key() {
        let good = "a".repeat(64);
        assert!(Key::parse(&good).is_ok());
        assert!(Key::parse(&"0123456789abcdef".repeat(4)).is_ok());
        for bad in [
            String::new(),
            "a".repeat(63),
            "a".repeat(65),
            "A".repeat(64),
            "g".repeat(64),
            format!("../{}", "a".repeat(61)),
            format!("{}/", "a".repeat(63)),
            format!("{}\\", "a".repeat(63)),
            format!("{}é", "a".repeat(62)),
        ] {
            assert!(matches!(Key::parse(&bad), Err(CacheError::InvalidSha256(_))), "{bad:?} accepted");
        }
    }

    #[test]
    fn path_is_sharded_by_the_first_two_characters() {
        let key = Key::parse(&format!("ab{}", "0".repeat(62))).unwrap();
        let path = key.path_in(Path::new("packages"));
        assert_eq!(path, Path::new("packages").join("ab").join(format!("ab{}.rpyx", "0".repeat(62))));
    }

    #[test]
    fn hash_of_known_bytes() {
        let (size, sha) = hash_reader(&b"abc"[..]).unwrap();
        assert_eq!(size, 3);
        assert_eq!(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
