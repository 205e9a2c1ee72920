//! PEP 440 versions and specifiers.
//!
//! `pep440_rs` (uv's parser) is the real thing: `1.10.0 > 1.9.0`, `1.0 == 1.0.0`,
//! `2.0.0b1 < 2.0.0`. These re-exports keep one spelling across the workspace.

pub use pep440_rs::{
    Version, VersionParseError as VersionError, VersionSpecifiers,
    VersionSpecifiersParseError as VersionSpecifiersError,
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn orders_by_pep440_not_by_string() {
        assert!(v("1.10.0") > v("1.9.0"));
        assert!(v("2.0.0b1") < v("2.0.0"));
        assert!(v("2.0.0rc1") > v("2.0.0b2"));
        assert!(v("1.0.dev1") < v("1.0a1"));
        assert!(v("1.0.post1") > v("1.0"));
        assert_eq!(v("1.0"), v("1.0.0"));
        let mut list = [v("0.4.0rc2"), v("1.10"), v("1.9.1"), v("0.4.0"), v("1.2.0")];
        list.sort();
        let sorted: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, ["0.4.0rc2", "0.4.0", "1.2.0", "1.9.1", "1.10"]);
    }

    #[test]
    fn specifiers_match() {
        let spec = VersionSpecifiers::from_str(">=1.0,<2").unwrap();
        assert!(spec.contains(&v("1.4.1")));
        assert!(!spec.contains(&v("2.0")));
        assert!(!spec.contains(&v("0.9")));
        assert!(VersionSpecifiers::from_str(">=1.0,<<2").is_err());
        assert!(Version::from_str("1.0-banana").is_err());
    }
}

/// The identity of a version under PEP 440: `1.0` and `1.0.0` are one
/// version, so the store keys versions by this string.
pub fn canonical_version(v: &Version) -> String {
    let release = v.release();
    let keep = release.iter().rposition(|&n| n != 0).map_or(1, |i| i + 1);
    v.clone().with_release(release[..keep].to_vec()).to_string()
}

#[cfg(test)]
mod canonical_tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn equal_versions_share_a_canonical_form() {
        let c = |s: &str| canonical_version(&Version::from_str(s).unwrap());
        assert_eq!(c("1.0"), c("1.0.0"));
        assert_eq!(c("1"), "1");
        assert_eq!(c("1.0.0b1"), c("1.0b1"));
        assert_ne!(c("1.0.1"), c("1.0"));
        assert_eq!(c("0.0"), "0");
        assert_eq!(c("2.0.0.post1"), "2.post1");
    }
}
