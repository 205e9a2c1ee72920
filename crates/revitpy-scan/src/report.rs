//! The scan result shape shared by `validate --security-scan`, the server's
//! stored scan and the client's pre-install check (DESIGN.md "Scan results").
//! Security and compatibility are separate: a Revit API problem never raises
//! `risk_level`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("`{s}` is not a severity; use info, low, medium, high or critical"))
    }
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    pub fn from_worst(s: Option<Severity>) -> RiskLevel {
        match s {
            Some(Severity::Critical) => RiskLevel::Critical,
            Some(Severity::High) => RiskLevel::High,
            Some(Severity::Medium) => RiskLevel::Medium,
            _ => RiskLevel::Low,
        }
    }

    /// High and critical block installs and (at the server's policy) uploads.
    pub fn blocks(self) -> bool {
        self >= RiskLevel::High
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub category: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub snippet: String,
    pub message: String,
    /// The chain of facts behind a high or critical level (when the code
    /// runs, what it handles, where it sends it), one fact a line; empty
    /// below high.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompatLevel {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompatIssue {
    pub member: String,
    pub level: CompatLevel,
    /// The Revit version that removed or deprecated it, as a string like every year in the API.
    pub revit_version: String,
    pub replacement: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    pub network: Vec<String>,
    pub paths_written: Vec<String>,
    pub processes: Vec<String>,
    pub registry_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub computed: &'static str,
    pub declared: String,
    pub reasons: Vec<String>,
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub risk_level: RiskLevel,
    pub findings: Vec<Finding>,
    pub compatibility: Vec<CompatIssue>,
    pub capabilities: Capabilities,
    pub impact: Impact,
}

impl ScanReport {
    /// The worst severity among the findings (info when there are none).
    pub fn worst(&self) -> Severity {
        self.findings.iter().map(|f| f.severity).max().unwrap_or(Severity::Info)
    }

    /// The registry's `security_scan_status`: `failed` at high or critical
    /// (what clients refuse without --force), `warning` at medium, else `passed`.
    pub fn status(&self) -> &'static str {
        match self.risk_level {
            RiskLevel::High | RiskLevel::Critical => "failed",
            RiskLevel::Medium => "warning",
            RiskLevel::Low => "passed",
        }
    }

    /// Findings at or above `threshold`, worst first.
    pub fn at_or_above(&self, threshold: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity >= threshold)
    }
}
