//! A file's sha256, checked once where it enters (an upload's hasher, a
//! database row), so code that holds one never checks it again.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::control_chars;

/// A sha256 in the one spelling the registry uses everywhere (file names in
/// the blob store, ETags, the API's `file_hash_sha256`): 64 lowercase
/// hexadecimal digits. Uppercase is refused rather than folded, because two
/// spellings of one hash would be two blob names.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256(String);

/// How much of a refused value an error quotes: a whole megabyte of
/// "hash" must not end up in a log line.
const QUOTED_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a sha256: write 64 lowercase hexadecimal digits")]
pub struct Sha256Error(String);

impl Sha256 {
    pub fn new(hex: &str) -> Result<Self, Sha256Error> {
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(hex.to_owned()))
        } else {
            let quoted: String = hex.chars().take(QUOTED_CHARS).collect();
            let more = if hex.chars().count() > QUOTED_CHARS { "..." } else { "" };
            Err(Sha256Error(format!("{}{more}", control_chars::escape(&quoted, control_chars::Lines::Single))))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Sha256 {
    type Err = Sha256Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.0)
    }
}

/// Written and read as its hex string, as every JSON shape that carries one does.
impl Serialize for Sha256 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_FILE: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn accepts_only_64_lowercase_hex_digits() {
        let h = Sha256::new(EMPTY_FILE).unwrap();
        assert_eq!(h.as_str(), EMPTY_FILE);
        assert_eq!(h.to_string(), EMPTY_FILE);
        assert_eq!(EMPTY_FILE.parse::<Sha256>().unwrap(), h);
        for bad in [
            "",
            &EMPTY_FILE[..63],
            &format!("{EMPTY_FILE}0"),
            &EMPTY_FILE.to_uppercase(),
            &format!("{}g", &EMPTY_FILE[..63]),
            &format!(" {}", &EMPTY_FILE[..63]),
        ] {
            assert!(Sha256::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn errors_quote_a_short_escaped_value() {
        let long = format!("\u{1b}[31m{}", "x".repeat(10_000));
        let message = Sha256::new(&long).unwrap_err().to_string();
        assert!(message.len() < 200, "{message}");
        assert!(!message.contains('\u{1b}'), "{message:?}");
        assert!(message.contains("..."), "{message}");
    }

    #[test]
    fn serde_is_the_hex_string() {
        let h = Sha256::new(EMPTY_FILE).unwrap();
        assert_eq!(serde_json::to_string(&h).unwrap(), format!("\"{EMPTY_FILE}\""));
        assert_eq!(serde_json::from_str::<Sha256>(&format!("\"{EMPTY_FILE}\"")).unwrap(), h);
        assert!(serde_json::from_str::<Sha256>("\"abc\"").is_err());
    }
}
