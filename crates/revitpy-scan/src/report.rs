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

impl RiskLevel {
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

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub risk_level: RiskLevel,
    pub findings: Vec<Finding>,
    pub compatibility: Vec<CompatIssue>,
    pub capabilities: Capabilities,
    pub impact: Impact,
}
