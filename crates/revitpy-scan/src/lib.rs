//! The package scanner: reads every entry of a package (never the ZIP: the
//! caller hands over the manifest facts and the entries) and reports
//! security findings, Revit API compatibility against the declared range,
//! a transparency report of what the package does, and its likely
//! performance impact, in the shape DESIGN.md fixes ("Scan results").
//!
//! Status: the foundation of issue 5. Parsing (tree-sitter-python, Python 2
//! included), PEP 263 decoding, alias resolution, the Revit API table and a
//! first set of rules exist; the labelled corpus with recall and
//! false-positive figures, SARIF output, the throughput benchmark and the
//! wiring into the server and client are the next steps (see the issue).

pub mod catalog;
pub mod flow;
pub mod package;
pub mod python;
mod python_ruff;
pub mod render;
pub mod report;
pub mod revit;
pub mod rules;
pub mod source;

use report::{Capabilities, Finding, Impact, RiskLevel, ScanReport, Severity};

/// What the scanner needs to know of the manifest.
#[derive(Debug, Clone, Default)]
pub struct ManifestFacts {
    pub name: String,
    pub min_revit: Option<u16>,
    pub max_revit: Option<u16>,
    pub revit_dependencies: Vec<String>,
    pub declared_impact: String,
    /// Scripts the manifest runs at install or uninstall.
    pub hooks: Vec<String>,
}

/// One file of the package.
pub struct Entry<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

const EXECUTABLE: &[&str] = &["exe", "dll", "bat", "cmd", "ps1", "vbs", "scr", "so", "com", "msi", "js", "jar"];
const HEAVY_IMPORTS: &[&str] = &["numpy", "pandas", "scipy", "matplotlib", "tensorflow", "torch", "sklearn", "cv2"];

fn finding(
    rule: &'static str,
    severity: Severity,
    category: &'static str,
    file: &str,
    line: usize,
    message: String,
) -> Finding {
    Finding { rule, severity, category, file: file.to_owned(), line, column: 1, snippet: String::new(), message }
}

pub fn scan(manifest: &ManifestFacts, entries: &[Entry<'_>]) -> ScanReport {
    let package = manifest.name.to_ascii_lowercase();
    let mut findings = Vec::new();
    let mut compatibility = Vec::new();
    let mut caps = Capabilities::default();
    let mut reasons = Vec::new();
    let mut heavy = Vec::new();
    let total: usize = entries.iter().map(|e| e.bytes.len()).sum();

    for e in entries {
        let lower = e.path.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, x)| x);
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        if ext == "pyc" || ext == "pyo" {
            findings.push(finding(
                "compiled-python",
                Severity::High,
                "package-shape",
                e.path,
                1,
                "compiled Python hides its source; ship the .py".into(),
            ));
            continue;
        }
        if EXECUTABLE.contains(&ext) {
            findings.push(finding(
                "executable-file",
                Severity::Medium,
                "package-shape",
                e.path,
                1,
                format!("the package ships a .{ext} file"),
            ));
            continue;
        }
        if name.starts_with('.') && name != ".gitkeep" {
            findings.push(finding("hidden-file", Severity::Low, "package-shape", e.path, 1, "a hidden file".into()));
        }
        if ext != "py" && ext != "pyw" {
            continue;
        }
        let decoded = source::decode(e.bytes);
        if decoded.hiding_encoding {
            findings.push(finding(
                "hiding-encoding",
                Severity::High,
                "obfuscation",
                e.path,
                1,
                format!(
                    "declares the `{}` encoding, which only serves to hide code",
                    decoded.declared.clone().unwrap_or_default()
                ),
            ));
        } else if decoded.unknown_encoding {
            findings.push(finding(
                "unknown-encoding",
                Severity::Medium,
                "obfuscation",
                e.path,
                1,
                "declares an encoding Python would not know".into(),
            ));
        }
        if decoded.lossy {
            findings.push(finding(
                "undecodable-bytes",
                Severity::Medium,
                "obfuscation",
                e.path,
                1,
                "bytes that do not decode in the declared encoding".into(),
            ));
        }
        let facts = python::parse(&decoded.text);
        if let Some(line) = facts.too_deep {
            findings.push(finding(
                "excessive-nesting",
                Severity::High,
                "obfuscation",
                e.path,
                line,
                format!(
                    "nests deeper than {} levels, which only generated or obfuscated code does; not analysed further",
                    python::MAX_DEPTH
                ),
            ));
            continue;
        }
        if let Some(line) = facts.errors.first() {
            findings.push(finding(
                "does-not-parse",
                Severity::Medium,
                "package-shape",
                e.path,
                *line,
                "the file does not parse; what could be read was scanned".into(),
            ));
        }
        findings.extend(rules::check_python(e.path, &facts, &package, &mut caps));
        compatibility.extend(revit::check(e.path, &facts, manifest.min_revit, manifest.max_revit));
        for (module, line) in &facts.imports {
            let top = module.split('.').next().unwrap_or(module);
            if HEAVY_IMPORTS.contains(&top) && !heavy.contains(&top.to_owned()) {
                heavy.push(top.to_owned());
            }
            if module.starts_with("Autodesk.Revit")
                && !manifest.revit_dependencies.is_empty()
                && !manifest.revit_dependencies.iter().any(|d| module.starts_with(d.as_str()))
            {
                findings.push(finding(
                    "undeclared-revit-namespace",
                    Severity::Info,
                    "manifest",
                    e.path,
                    *line,
                    format!("imports {module}, which revit_dependencies does not list"),
                ));
            }
        }
    }
    for hook in &manifest.hooks {
        findings.push(finding(
            "install-hook",
            Severity::Info,
            "hooks",
            hook,
            1,
            "runs as an install or uninstall hook (only with --allow-hooks)".into(),
        ));
    }

    let computed = if !heavy.is_empty() || total > 50 * 1024 * 1024 {
        "high"
    } else if total > 5 * 1024 * 1024 || entries.len() > 500 {
        "medium"
    } else {
        "low"
    };
    if !heavy.is_empty() {
        reasons.push(format!("imports heavy libraries: {}", heavy.join(", ")));
    }
    reasons.push(format!("{} files, {} bytes", entries.len(), total));
    let rank = |s: &str| match s {
        "high" => 2,
        "medium" => 1,
        _ => 0,
    };
    if rank(computed) > rank(&manifest.declared_impact) {
        findings.push(finding(
            "impact-understated",
            Severity::Info,
            "performance",
            "rpyx-manifest.json",
            1,
            format!(
                "the manifest declares performance_impact `{}` but the package looks `{computed}`",
                manifest.declared_impact
            ),
        ));
    }
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.file.cmp(&b.file)).then(a.line.cmp(&b.line)));
    let risk_level = RiskLevel::from_worst(findings.iter().map(|f| f.severity).max());
    ScanReport {
        risk_level,
        findings,
        compatibility,
        capabilities: caps,
        impact: Impact { computed, declared: manifest.declared_impact.clone(), reasons },
    }
}
