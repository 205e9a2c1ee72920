//! The closed sets of words a release carries: its package type, its
//! declared performance impact and its security scan status.
//!
//! They live here rather than in the package format crate because the
//! registry's store holds them too, and the store depends on nothing but
//! this crate. Each is written (JSON, database columns, the API) as its
//! lowercase word, and read from any case with surrounding spaces, which is
//! what manifests have always been allowed to write.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// What a package is: the manifest's `package_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    #[default]
    Addon,
    Library,
    Template,
    Tool,
}

/// How much a package slows Revit down, as its publisher declares it: the
/// manifest's `performance_impact`. Ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PerformanceImpact {
    #[default]
    Low,
    Medium,
    High,
}

/// The registry's verdict on a version's security scan (`security_scan_status`
/// in the API): `passed`, `warning` or `failed` from the scanner's risk
/// level, `pending` for a version stored without a scan (the database's
/// default for the column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Pending,
    Passed,
    Warning,
    Failed,
}

macro_rules! keyword_enum {
    ($ty:ty, $($text:literal => $variant:expr),+ $(,)?) => {
        impl $ty {
            pub const CHOICES: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str {
                match self { $(v if v == $variant => $text,)+ _ => unreachable!() }
            }
        }
        impl FromStr for $ty {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s.trim().to_ascii_lowercase().as_str() { $($text => Ok($variant),)+ _ => Err(()) }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
keyword_enum!(PackageType, "addon" => PackageType::Addon, "library" => PackageType::Library,
    "template" => PackageType::Template, "tool" => PackageType::Tool);
keyword_enum!(PerformanceImpact, "low" => PerformanceImpact::Low,
    "medium" => PerformanceImpact::Medium, "high" => PerformanceImpact::High);
keyword_enum!(ScanStatus, "pending" => ScanStatus::Pending, "passed" => ScanStatus::Passed,
    "warning" => ScanStatus::Warning, "failed" => ScanStatus::Failed);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word reads back as itself, through `as_str`, `Display` and
    /// serde alike: these words are in databases and clients already.
    fn round_trips<T>(all: &[T], choices: &[&str])
    where
        T: Copy + PartialEq + fmt::Debug + fmt::Display + FromStr<Err = ()> + Serialize,
    {
        let words: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(words, choices);
        for (value, word) in all.iter().zip(choices) {
            assert_eq!(word.parse::<T>(), Ok(*value));
            assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{word}\""));
        }
    }

    #[test]
    fn words_are_the_lowercase_names() {
        use PackageType as P;
        round_trips(&[P::Addon, P::Library, P::Template, P::Tool], PackageType::CHOICES);
        assert_eq!(PackageType::CHOICES, ["addon", "library", "template", "tool"]);
        use PerformanceImpact as I;
        round_trips(&[I::Low, I::Medium, I::High], PerformanceImpact::CHOICES);
        assert_eq!(PerformanceImpact::CHOICES, ["low", "medium", "high"]);
        use ScanStatus as S;
        round_trips(&[S::Pending, S::Passed, S::Warning, S::Failed], ScanStatus::CHOICES);
        assert_eq!(ScanStatus::CHOICES, ["pending", "passed", "warning", "failed"]);
    }

    #[test]
    fn reading_ignores_case_and_surrounding_spaces_only() {
        assert_eq!(" Addon ".parse(), Ok(PackageType::Addon));
        assert_eq!("LIBRARY".parse(), Ok(PackageType::Library));
        assert_eq!("\tHigh\n".parse(), Ok(PerformanceImpact::High));
        assert_eq!("Failed".parse(), Ok(ScanStatus::Failed));
        for bad in ["", "plugin", "add on", "add-on", "addons"] {
            assert_eq!(bad.parse::<PackageType>(), Err(()), "{bad:?}");
        }
        assert_eq!("critical".parse::<PerformanceImpact>(), Err(()));
        assert_eq!("ok".parse::<ScanStatus>(), Err(()));
    }

    #[test]
    fn defaults_and_order() {
        assert_eq!(PackageType::default(), PackageType::Addon);
        assert_eq!(PerformanceImpact::default(), PerformanceImpact::Low);
        assert!(
            PerformanceImpact::Low < PerformanceImpact::Medium && PerformanceImpact::Medium < PerformanceImpact::High
        );
    }
}
