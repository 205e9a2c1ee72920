//! Package names: PEP 508 syntax, compared normalised.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::control_chars;
use crate::portable_path::is_reserved_windows_name;

/// The longest name accepted. Names become folder names under Revit's add-in
/// folder, where Windows' 260-character path limit applies.
pub const MAX_NAME_LEN: usize = 64;

/// A validated package name. Keeps the spelling it was given (for display)
/// and its normalised form (for comparison, hashing and storage keys).
#[derive(Clone)]
pub struct PackageName {
    given: String,
    normalized: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageNameError {
    #[error("the package name is empty")]
    Empty,
    #[error("the package name `{name}` is {len} characters long; at most {MAX_NAME_LEN} are allowed")]
    TooLong { name: String, len: usize },
    #[error("the package name `{name}` has the character {ch:?}; use only ASCII letters, digits, `-`, `_` and `.`")]
    BadCharacter { name: String, ch: char },
    #[error("the package name `{name}` must start and end with a letter or digit")]
    BadEdge { name: String },
    #[error("the package name `{name}` is a name Windows reserves for a device; choose another")]
    Reserved { name: String },
}

impl PackageName {
    pub fn new(name: &str) -> Result<Self, PackageNameError> {
        // Errors quote the name; quote it with control characters escaped,
        // since names come from URLs, command lines and manifests.
        let shown = || control_chars::escape(name, control_chars::Lines::Single);
        if name.is_empty() {
            return Err(PackageNameError::Empty);
        }
        // Counted in characters, as the message says: a 40-character name in
        // `ö` is 80 bytes, and is refused for its characters, not its length.
        let len = name.chars().count();
        if len > MAX_NAME_LEN {
            return Err(PackageNameError::TooLong { name: shown(), len });
        }
        if let Some(ch) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
            return Err(PackageNameError::BadCharacter { name: shown(), ch });
        }
        let bytes = name.as_bytes();
        if !bytes[0].is_ascii_alphanumeric() || !bytes[bytes.len() - 1].is_ascii_alphanumeric() {
            return Err(PackageNameError::BadEdge { name: name.to_owned() });
        }
        let normalized = normalize(name);
        if is_reserved_windows_name(&normalized) {
            return Err(PackageNameError::Reserved { name: name.to_owned() });
        }
        Ok(Self { given: name.to_owned(), normalized })
    }

    /// The name as it was written.
    pub fn as_str(&self) -> &str {
        &self.given
    }

    /// Lowercase, with each run of `-`, `_`, `.` folded to `-`.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Normalises a name the way PEP 503 does, without validating it. Useful for
/// looking up names that came from elsewhere; prefer [`PackageName::new`].
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator_run {
                out.push('-');
            }
            in_separator_run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_separator_run = false;
        }
    }
    out
}

impl PartialEq for PackageName {
    fn eq(&self, other: &Self) -> bool {
        self.normalized == other.normalized
    }
}
impl Eq for PackageName {}
impl std::hash::Hash for PackageName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normalized.hash(state)
    }
}
impl PartialOrd for PackageName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PackageName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.normalized.cmp(&other.normalized)
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.given)
    }
}
impl fmt::Debug for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackageName({:?})", self.given)
    }
}
impl FromStr for PackageName {
    type Err = PackageNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}
impl Serialize for PackageName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.given)
    }
}
impl<'de> Deserialize<'de> for PackageName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_separator_runs() {
        let n = PackageName::new("Wall__Tools.-X").unwrap();
        assert_eq!(n.normalized(), "wall-tools-x");
        assert_eq!(n.as_str(), "Wall__Tools.-X");
        assert_eq!(n, PackageName::new("wall-tools-x").unwrap());
        assert_ne!(n, PackageName::new("walltools-x").unwrap());
    }

    #[test]
    fn refuses_bad_names() {
        for (bad, want) in [
            ("", "empty"),
            ("-lead", "start and end"),
            ("trail.", "start and end"),
            ("sp ace", "character ' '"),
            ("../x", "character '/'"),
            ("ünï", "character"),
            ("con", "reserves"),
            ("Com1", "reserves"),
        ] {
            let err = PackageName::new(bad).unwrap_err().to_string();
            assert!(err.contains(want), "{bad:?}: {err}");
        }
        assert!(PackageName::new(&"a".repeat(65)).is_err());
        assert!(PackageName::new(&"a".repeat(64)).is_ok());
        assert!(PackageName::new("console").is_ok());
    }
}
