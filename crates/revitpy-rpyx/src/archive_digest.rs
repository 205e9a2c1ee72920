//! A package file's sha256 and size, measured by whoever received the file
//! (the server hashes an upload while it streams in), so that opening the
//! file need not hash it a second time.

use sha2::{Digest, Sha256};

/// The sha256 (64 lowercase hex digits) of a package file and the number of
/// bytes it was taken over. Only a well-formed digest can be made; the size
/// lets [`crate::Package::open_known`] refuse a file that is not the bytes
/// that were hashed, the one mismatch it can see without hashing again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveDigest {
    sha256: String,
    size: u64,
}

impl ArchiveDigest {
    /// A digest the caller measured: `sha256` in hex (either case), over
    /// `size` bytes. `None` when `sha256` is not 64 hex digits.
    pub fn new(sha256: &str, size: u64) -> Option<Self> {
        let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        well_formed.then(|| Self { sha256: sha256.to_ascii_lowercase(), size })
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self { sha256: hex::encode(Sha256::digest(bytes)), size: bytes.len() as u64 }
    }

    /// The sha256, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// How many bytes were hashed.
    pub fn size(&self) -> u64 {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_hex_digits_make_a_digest() {
        let of = ArchiveDigest::of(b"abc");
        assert_eq!(of.sha256(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(of.size(), 3);
        let upper = ArchiveDigest::new(&of.sha256().to_ascii_uppercase(), 3).expect("upper case hex is hex");
        assert_eq!(upper, of);
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("{}é", "a".repeat(62))] {
            assert_eq!(ArchiveDigest::new(bad, 3), None, "{bad:?}");
        }
    }
}
