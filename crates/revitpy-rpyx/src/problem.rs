//! Problems found while loading or validating a package: each names the file,
//! the field (where there is one) and what to write instead.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing; the package is still valid.
    Warning,
    /// The package is invalid.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// The manifest source, `rpyx-manifest.json`, or the archive entry concerned.
    pub file: String,
    /// Dotted field path within the manifest (`revit_compatibility.max_version`).
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn error(file: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_owned(),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    pub fn warning(file: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(file, field, message) }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.field {
            Some(field) => write!(f, "{level}: {}: {field}: {}", self.file, self.message),
            None => write!(f, "{level}: {}: {}", self.file, self.message),
        }
    }
}

/// A list of problems, at least one of them an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}
