//! Revit versions: years, compared as numbers.
//!
//! The original registry compared `"2024"` with `"2023"` as strings; a year
//! here is a number from 2000 to 2099, read from either a string or a number
//! (the original's manifests write strings) and written back as a string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Revit release year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RevitYear(u16);

pub const MIN_YEAR: u16 = 2000;
pub const MAX_YEAR: u16 = 2099;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevitYearError {
    #[error("`{0}` is not a Revit version: write a year such as \"2024\"")]
    NotAYear(String),
    #[error("{0} is not a Revit version: years go from {MIN_YEAR} to {MAX_YEAR}")]
    OutOfRange(u64),
}

impl RevitYear {
    pub fn new(year: u64) -> Result<Self, RevitYearError> {
        if (u64::from(MIN_YEAR)..=u64::from(MAX_YEAR)).contains(&year) {
            Ok(Self(year as u16))
        } else {
            Err(RevitYearError::OutOfRange(year))
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl FromStr for RevitYear {
    type Err = RevitYearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        // Accept "2024" and also "R2024"/"Revit 2024", which people type.
        let digits = t.strip_prefix("Revit").or_else(|| t.strip_prefix('R')).map(str::trim).unwrap_or(t);
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RevitYearError::NotAYear(s.to_owned()));
        }
        Self::new(digits.parse().map_err(|_| RevitYearError::NotAYear(s.to_owned()))?)
    }
}

impl fmt::Display for RevitYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Written as a string, as the original wrote years, so its tools read ours.
impl Serialize for RevitYear {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Read from a string or a number.
impl<'de> Deserialize<'de> for RevitYear {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RevitYear;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Revit year such as \"2024\" or 2024")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RevitYear, E> {
                RevitYear::new(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RevitYear, E> {
                RevitYear::new(u64::try_from(v).unwrap_or(0)).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RevitYear, E> {
                if v.fract() == 0.0 && v >= 0.0 {
                    RevitYear::new(v as u64).map_err(E::custom)
                } else {
                    Err(E::custom(RevitYearError::NotAYear(v.to_string())))
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RevitYear, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// An inclusive range of Revit years; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevitRange {
    min: Option<RevitYear>,
    max: Option<RevitYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Revit range is empty: max_version {max} is below min_version {min}")]
pub struct RevitRangeError {
    pub min: RevitYear,
    pub max: RevitYear,
}

impl RevitRange {
    pub fn new(min: Option<RevitYear>, max: Option<RevitYear>) -> Result<Self, RevitRangeError> {
        if let (Some(min), Some(max)) = (min, max)
            && max < min
        {
            return Err(RevitRangeError { min, max });
        }
        Ok(Self { min, max })
    }

    pub fn min(&self) -> Option<RevitYear> {
        self.min
    }

    pub fn max(&self) -> Option<RevitYear> {
        self.max
    }

    pub fn contains(&self, year: RevitYear) -> bool {
        self.min.is_none_or(|m| year >= m) && self.max.is_none_or(|m| year <= m)
    }
}

impl fmt::Display for RevitRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a} to {b}"),
            (Some(a), None) => write!(f, "{a} and later"),
            (None, Some(b)) => write!(f, "up to {b}"),
            (None, None) => f.write_str("any Revit version"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(n: u64) -> RevitYear {
        RevitYear::new(n).unwrap()
    }

    #[test]
    fn years_are_numbers() {
        assert!(y(2100 - 1) > y(2024));
        assert_eq!("2024".parse::<RevitYear>().unwrap(), y(2024));
        assert_eq!(" R2023 ".parse::<RevitYear>().unwrap(), y(2023));
        assert!("1999".parse::<RevitYear>().is_err());
        assert!("2100".parse::<RevitYear>().is_err());
        assert!("20x4".parse::<RevitYear>().is_err());
        assert!("".parse::<RevitYear>().is_err());
        assert!("02024".parse::<RevitYear>().is_err());
    }

    #[test]
    fn serde_reads_strings_and_numbers_writes_strings() {
        let a: RevitYear = serde_json::from_str("\"2022\"").unwrap();
        let b: RevitYear = serde_json::from_str("2022").unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"2022\"");
        assert!(serde_json::from_str::<RevitYear>("2022.5").is_err());
        assert!(serde_json::from_str::<RevitYear>("-1").is_err());
        assert!(serde_json::from_str::<RevitYear>("true").is_err());
    }

    #[test]
    fn ranges_compare_numerically_and_may_be_open() {
        let r = RevitRange::new(Some(y(2022)), Some(y(2025))).unwrap();
        assert!(r.contains(y(2022)) && r.contains(y(2025)));
        assert!(!r.contains(y(2021)) && !r.contains(y(2026)));
        let open = RevitRange::new(Some(y(2021)), None).unwrap();
        assert!(open.contains(y(2099)));
        assert!(RevitRange::new(Some(y(2025)), Some(y(2022))).is_err());
        assert_eq!(r.to_string(), "2022 to 2025");
    }
}
