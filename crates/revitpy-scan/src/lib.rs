//! The package scanner: reads every entry of a package (never the ZIP: the
//! caller hands over the manifest facts and the entries) and reports
//! security findings, Revit API compatibility against the declared range,
//! a transparency report of what the package does, and its likely
//! performance impact, in the shape DESIGN.md fixes ("Scan results").
//!
//! How: each Python file is read by ruff's parser when it is clean Python 3
//! (`python_ruff`) and by tree-sitter otherwise (Python 2, broken or
//! absurdly nested files, [`python`]), into the same [`python::Facts`];
//! [`flow`] follows values from sources to sinks inside a file; [`rules`]
//! turns facts and flows into findings ([`catalog`] lists every rule);
//! [`revit`] checks API members against the declared Revit range;
//! [`render`] prints text and SARIF. Files are scanned in parallel and
//! combined in their order, so a report is the same on every run.

pub mod catalog;
pub mod dotted;
pub mod flow;
pub mod package;
pub mod python;
mod python_ruff;
pub mod render;
pub mod report;
pub mod revit;
pub mod rules;
pub mod source;

use rayon::prelude::*;
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
/// Revit events an add-in can handle (Autodesk.Revit.ApplicationServices /
/// UI): registering for them is part of the package's cost.
const REVIT_EVENTS: &[&str] = &[
    "Idling",
    "DocumentChanged",
    "DocumentOpened",
    "DocumentOpening",
    "DocumentClosing",
    "DocumentClosed",
    "DocumentSaving",
    "DocumentSaved",
    "DocumentSynchronizingWithCentral",
    "DocumentSynchronizedWithCentral",
    "ViewActivated",
    "ViewActivating",
    "SelectionChanged",
    "ApplicationInitialized",
    "DialogBoxShowing",
    "FailuresProcessing",
    "DocumentPrinting",
    "FileExporting",
];
/// Events that fire constantly: a slow handler slows every moment of Revit.
const CONSTANT_EVENTS: &[&str] = &["Idling", "DocumentChanged", "SelectionChanged", "FailuresProcessing"];
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
    let mut events: Vec<String> = Vec::new();
    let (mut import_loops, mut import_calls) = (0usize, 0usize);
    let total: usize = entries.iter().map(|e| e.bytes.len()).sum();

    // Files are independent until their findings are combined: scan them
    // in parallel (in order, so that the report is the same every time).
    let parts: Vec<Part> = entries.par_iter().map(|e| scan_entry(manifest, &package, e)).collect();
    for part in parts {
        findings.extend(part.findings);
        compatibility.extend(part.compatibility);
        for (mine, theirs) in [
            (&mut caps.network, part.caps.network),
            (&mut caps.paths_written, part.caps.paths_written),
            (&mut caps.processes, part.caps.processes),
            (&mut caps.registry_keys, part.caps.registry_keys),
        ] {
            for item in theirs {
                if !mine.contains(&item) {
                    mine.push(item);
                }
            }
        }
        for h in part.heavy {
            if !heavy.contains(&h) {
                heavy.push(h);
            }
        }
        for e in part.events {
            if !events.contains(&e) {
                events.push(e);
            }
        }
        import_loops += part.import_loops;
        import_calls += part.import_calls;
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
        // What the hook itself does, found above in its own file.
        let mut does: Vec<&str> = findings
            .iter()
            .filter(|f| f.file == *hook)
            .filter_map(|f| match f.category {
                "process" => Some("starts processes"),
                "network" => Some("uses the network"),
                "dynamic-code" => Some("runs dynamic code"),
                "registry" | "persistence" => Some("changes the registry or startup"),
                _ => None,
            })
            .collect();
        does.sort_unstable();
        does.dedup();
        if !does.is_empty() {
            findings.push(finding(
                "hook-runs-code",
                Severity::Medium,
                "hooks",
                hook,
                1,
                format!("this install or uninstall hook {}", does.join(", ")),
            ));
        }
    }

    // Handlers on events that fire constantly cost Revit on every idle moment
    // or model change; startup and document events cost once per occurrence.
    let constant_events: Vec<&str> =
        events.iter().map(String::as_str).filter(|e| CONSTANT_EVENTS.contains(e)).collect();
    let computed = if !heavy.is_empty() || total > 50 * 1024 * 1024 || !constant_events.is_empty() {
        "high"
    } else if total > 5 * 1024 * 1024
        || entries.len() > 500
        || !events.is_empty()
        || import_loops > 0
        || import_calls > 20
        || !manifest.hooks.is_empty()
    {
        "medium"
    } else {
        "low"
    };
    if !heavy.is_empty() {
        reasons.push(format!("imports heavy libraries: {}", heavy.join(", ")));
    }
    if !constant_events.is_empty() {
        reasons.push(format!("handles events that fire constantly: {}", constant_events.join(", ")));
    }
    let other_events: Vec<&str> = events.iter().map(String::as_str).filter(|e| !CONSTANT_EVENTS.contains(e)).collect();
    if !other_events.is_empty() {
        reasons.push(format!("registers Revit event handlers: {}", other_events.join(", ")));
    }
    if import_loops > 0 || import_calls > 0 {
        reasons.push(format!("work at import time (Revit startup): {import_calls} calls, {import_loops} loops"));
    }
    if !manifest.hooks.is_empty() {
        reasons.push(format!("{} install or uninstall hook(s)", manifest.hooks.len()));
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
            Severity::Low,
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

/// What one file contributes to the report.
#[derive(Default)]
struct Part {
    findings: Vec<Finding>,
    compatibility: Vec<report::CompatIssue>,
    caps: Capabilities,
    heavy: Vec<String>,
    events: Vec<String>,
    import_loops: usize,
    import_calls: usize,
}

fn scan_entry(manifest: &ManifestFacts, package: &str, e: &Entry<'_>) -> Part {
    let mut part = Part::default();
    let lower = e.path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, x)| x);
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if ext == "pyc" || ext == "pyo" {
        part.findings.push(finding(
            "compiled-python",
            Severity::High,
            "package-shape",
            e.path,
            1,
            "compiled Python hides its source; ship the .py".into(),
        ));
        return part;
    }
    if EXECUTABLE.contains(&ext) {
        part.findings.push(finding(
            "executable-file",
            Severity::Medium,
            "package-shape",
            e.path,
            1,
            format!("the package ships a .{ext} file"),
        ));
        return part;
    }
    if name.starts_with('.') && name != ".gitkeep" {
        part.findings.push(finding("hidden-file", Severity::Low, "package-shape", e.path, 1, "a hidden file".into()));
    }
    if ext != "py" && ext != "pyw" {
        return part;
    }
    let decoded = source::decode(e.bytes);
    if decoded.hiding_encoding {
        part.findings.push(finding(
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
        part.findings.push(finding(
            "unknown-encoding",
            Severity::Medium,
            "obfuscation",
            e.path,
            1,
            "declares an encoding Python would not know".into(),
        ));
    }
    if decoded.lossy {
        part.findings.push(finding(
            "undecodable-bytes",
            Severity::Medium,
            "obfuscation",
            e.path,
            1,
            "bytes that do not decode in the declared encoding".into(),
        ));
    }
    scan_python(manifest, package, e.path, &decoded.text, 0, &mut part);
    part
}

/// Most decoded payloads a file may have scanned, how deep decoding may nest,
/// and the largest payload read.
const MAX_PAYLOADS: usize = 16;
const MAX_PAYLOAD_DEPTH: usize = 3;
const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;

/// Scans one file's Python text (or, at `depth` > 0, a payload decoded from
/// constants in it) into `part`.
fn scan_python(manifest: &ManifestFacts, package: &str, path: &str, text: &str, depth: usize, part: &mut Part) {
    let facts = python::parse(text);
    if let Some(line) = facts.too_deep {
        part.findings.push(finding(
            "excessive-nesting",
            Severity::High,
            "obfuscation",
            path,
            line,
            format!(
                "nests deeper than {} levels, which only generated or obfuscated code does; not analysed further",
                python::MAX_DEPTH
            ),
        ));
        return;
    }
    if let Some(line) = facts.errors.first() {
        part.findings.push(finding(
            "does-not-parse",
            Severity::Medium,
            "package-shape",
            path,
            *line,
            "the file does not parse; what could be read was scanned".into(),
        ));
    }
    part.findings.extend(rules::check_python(path, text, &facts, package, &mut part.caps));
    part.compatibility.extend(revit::check(path, &facts, manifest.min_revit, manifest.max_revit));
    // `app.Idling += handler`, `app.add_DocumentChanged(handler)`.
    for a in &facts.assigns {
        for t in &a.targets {
            let last = dotted::last_segment(t);
            if t.contains('.') && REVIT_EVENTS.contains(&last) && !part.events.iter().any(|e| e == last) {
                part.events.push(last.to_owned());
            }
        }
    }
    for c in &facts.calls {
        if let Some(event) = dotted::last_segment(&c.name).strip_prefix("add_")
            && REVIT_EVENTS.contains(&event)
            && !part.events.iter().any(|e| e == event)
        {
            part.events.push(event.to_owned());
        }
    }
    // Definitions and imports are cheap; loops and calls at the top level
    // run while Revit starts.
    for (what, _) in &facts.import_time {
        if what == "loop" {
            part.import_loops += 1;
        } else {
            part.import_calls += 1;
        }
    }
    for (module, line) in &facts.imports {
        let top = module.split('.').next().unwrap_or(module);
        if HEAVY_IMPORTS.contains(&top) && !part.heavy.contains(&top.to_owned()) {
            part.heavy.push(top.to_owned());
        }
        if module.starts_with("Autodesk.Revit")
            && !manifest.revit_dependencies.is_empty()
            && !manifest.revit_dependencies.iter().any(|d| module.starts_with(d.as_str()))
        {
            part.findings.push(finding(
                "undeclared-revit-namespace",
                Severity::Info,
                "manifest",
                path,
                *line,
                format!("imports {module}, which revit_dependencies does not list"),
            ));
        }
    }
    // Constants that decode to Python (`exec(b64decode("..."))`) are read
    // too, so that what the hidden code does shows in the report.
    if depth < MAX_PAYLOAD_DEPTH {
        // Each distinct payload once: decoding is bounded by what the file holds.
        let mut seen = std::collections::HashSet::new();
        let payloads = facts
            .assembled
            .iter()
            .filter(|(t, _)| t.len() >= 16 && t.len() <= MAX_PAYLOAD_BYTES && seen.insert(t.as_str()))
            .filter(|(t, _)| looks_like_code(t))
            .take(MAX_PAYLOADS);
        for (payload, line) in payloads {
            let inner = format!("{path}:{line} (decoded)");
            scan_python(manifest, package, &inner, payload, depth + 1, part);
        }
    }
}

/// A decoded constant worth reading as Python: several words and a call or
/// an import, and no syntax error.
fn looks_like_code(text: &str) -> bool {
    (text.contains("import ") || text.contains('('))
        && text.contains(char::is_whitespace)
        && python::parses_cleanly(text)
}
