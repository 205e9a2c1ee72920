//! Revit compatibility: what a manifest says about one Revit year.

use revitpy_names::RevitYear;
use serde::Serialize;

use crate::manifest::RevitCompatibility;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Inside the declared range and listed as tested.
    Compatible,
    /// Inside the declared range (or no range declared) but not tested.
    Untested,
    /// Outside the declared range.
    Incompatible,
}

/// The verdict for one year, with the reasons and the known issues that apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevitVerdict {
    pub year: RevitYear,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub known_issues: Vec<String>,
}

impl RevitCompatibility {
    pub fn evaluate(&self, year: RevitYear) -> RevitVerdict {
        let mut reasons = Vec::new();
        let range = self.range;
        let verdict = if !self.declared {
            reasons.push("the package declares no Revit compatibility".to_owned());
            Verdict::Untested
        } else if let Some(min) = range.min().filter(|m| year < *m) {
            reasons.push(format!("Revit {year} is older than the package's minimum, {min}"));
            Verdict::Incompatible
        } else if let Some(max) = range.max().filter(|m| year > *m) {
            reasons.push(format!("Revit {year} is newer than the package's maximum, {max}"));
            Verdict::Incompatible
        } else if self.tested_versions.contains(&year) {
            reasons.push(format!("Revit {year} is inside {range} and tested"));
            Verdict::Compatible
        } else {
            reasons.push(format!("Revit {year} is inside {range} but not among the tested versions"));
            Verdict::Untested
        };
        let known_issues = self
            .known_issues
            .iter()
            .filter(|k| k.affected_versions.is_empty() || k.affected_versions.contains(&year))
            .map(|k| k.description.clone())
            .collect();
        RevitVerdict { year, verdict, reasons, known_issues }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::KnownIssue;
    use revitpy_names::RevitRange;

    fn y(n: u64) -> RevitYear {
        RevitYear::new(n).unwrap()
    }

    fn compat(min: Option<u64>, max: Option<u64>, tested: &[u64]) -> RevitCompatibility {
        RevitCompatibility {
            range: RevitRange::new(min.map(y), max.map(y)).unwrap(),
            tested_versions: tested.iter().map(|t| y(*t)).collect(),
            known_issues: vec![KnownIssue {
                description: "PDF export ignores custom paper sizes".into(),
                affected_versions: vec![y(2022)],
            }],
            declared: true,
        }
    }

    #[test]
    fn verdicts_compare_years_as_numbers() {
        let c = compat(Some(2022), Some(2024), &[2022, 2024]);
        assert_eq!(c.evaluate(y(2022)).verdict, Verdict::Compatible);
        assert_eq!(c.evaluate(y(2022)).known_issues, ["PDF export ignores custom paper sizes"]);
        assert!(c.evaluate(y(2024)).known_issues.is_empty());
        assert_eq!(c.evaluate(y(2023)).verdict, Verdict::Untested);
        let too_new = c.evaluate(y(2025));
        assert_eq!(too_new.verdict, Verdict::Incompatible);
        assert!(too_new.reasons[0].contains("newer than the package's maximum, 2024"));
        assert_eq!(c.evaluate(y(2021)).verdict, Verdict::Incompatible);
        // A string comparison would put "2100" < "2024"; years are numbers.
        let open = compat(Some(2021), None, &[]);
        assert_eq!(open.evaluate(y(2099)).verdict, Verdict::Untested);
        assert_eq!(open.evaluate(y(2020)).verdict, Verdict::Incompatible);
    }

    #[test]
    fn undeclared_is_untested() {
        let c = RevitCompatibility::default();
        assert_eq!(c.evaluate(y(2024)).verdict, Verdict::Untested);
    }
}
