//! A scan report for people (text, grouped by category, coloured on a
//! terminal) and for code-scanning tools (SARIF 2.1.0). JSON is the report's
//! own serde shape (DESIGN.md "Scan results").

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::catalog;
use crate::report::{CompatLevel, Finding, ScanReport, Severity};

#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours (only when writing to a terminal and NO_COLOR is unset).
    pub color: bool,
    /// List info findings one by one instead of counting them.
    pub show_info: bool,
}

fn style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Info => Style::new().dimmed(),
    }
}

fn paint(text: &str, s: Style, on: bool) -> String {
    if on { format!("{s}{text}{s:#}") } else { text.to_owned() }
}

/// The report as text: a headline with the risk level and counts, findings
/// grouped by category (worst group first), Revit API problems, what the
/// package does (transparency) and its performance impact.
pub fn text(report: &ScanReport, options: TextOptions) -> String {
    let mut out = String::new();
    let worst = report.worst();
    let mut counts = Vec::new();
    for s in Severity::ALL.iter().rev() {
        let n = report.findings.iter().filter(|f| f.severity == *s).count();
        if n > 0 {
            counts.push(format!("{n} {s}"));
        }
    }
    let headline = format!("risk level {}", report.risk_level);
    let _ = writeln!(
        out,
        "security: {} ({})",
        paint(&headline, style(worst).bold(), options.color),
        if counts.is_empty() { "no findings".to_owned() } else { counts.join(", ") }
    );

    // Groups in order of their worst finding; findings are already worst first.
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        match groups.iter_mut().find(|(c, _)| *c == f.category) {
            Some((_, list)) => list.push(f),
            None => groups.push((f.category, vec![f])),
        }
    }
    for (category, list) in &groups {
        let shown: Vec<&&Finding> = list.iter().filter(|f| options.show_info || f.severity > Severity::Info).collect();
        let hidden = list.len() - shown.len();
        if shown.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {category}");
        for f in shown {
            let tag = paint(&format!("{:<8}", f.severity.as_str()), style(f.severity), options.color);
            let _ = writeln!(out, "    {tag} {}:{}:{}  {} [{}]", f.file, f.line, f.column, f.message, f.rule);
            if !f.snippet.is_empty() {
                let _ = writeln!(out, "             {}", paint(&f.snippet, Style::new().dimmed(), options.color));
            }
            // The chain of facts behind a high or critical level.
            for fact in &f.because {
                let _ = writeln!(out, "             - {fact}");
            }
        }
        if hidden > 0 {
            let _ = writeln!(out, "    and {hidden} info finding(s) (-v lists them)");
        }
    }
    let info_only: usize =
        groups.iter().filter(|(_, l)| l.iter().all(|f| f.severity == Severity::Info)).map(|(_, l)| l.len()).sum();
    if !options.show_info && info_only > 0 {
        let _ = writeln!(out, "  {info_only} info finding(s) in other categories (-v lists them)");
    }

    if !report.compatibility.is_empty() {
        let _ = writeln!(out, "revit api:");
        for c in &report.compatibility {
            let (word, s) = match c.level {
                CompatLevel::Error => ("removed", Severity::High),
                CompatLevel::Warning => ("deprecated", Severity::Medium),
            };
            let tag = paint(&format!("{:<8}", format!("{:?}", c.level).to_lowercase()), style(s), options.color);
            let _ = writeln!(
                out,
                "    {tag} {}:{}  {} {word} in Revit {}; use {}",
                c.file, c.line, c.member, c.revit_version, c.replacement
            );
        }
    }

    let caps = &report.capabilities;
    let lists = [
        ("network", &caps.network),
        ("writes", &caps.paths_written),
        ("runs", &caps.processes),
        ("registry", &caps.registry_keys),
    ];
    if lists.iter().any(|(_, l)| !l.is_empty()) {
        let _ = writeln!(out, "what it does:");
        for (what, list) in lists {
            if !list.is_empty() {
                let _ = writeln!(out, "    {what:<9}{}", list.join(", "));
            }
        }
    }
    let _ = writeln!(
        out,
        "impact: {} (declared {}): {}",
        report.impact.computed,
        report.impact.declared,
        report.impact.reasons.join("; ")
    );
    out
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning reads `security-severity` (0 to 10) to rank alerts.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

fn location(file: &str, line: usize, column: usize, snippet: &str) -> Value {
    let mut region = json!({"startLine": line.max(1), "startColumn": column.max(1)});
    if !snippet.is_empty() {
        region["snippet"] = json!({ "text": snippet });
    }
    json!({"physicalLocation": {"artifactLocation": {"uri": file, "uriBaseId": "PACKAGEROOT"}, "region": region}})
}

/// The report as a SARIF 2.1.0 log: one run, the catalog as the tool's
/// rules, a result per finding and per Revit API problem. `package` names
/// what was scanned (the .rpyx path) for the run's artifact base.
pub fn sarif(report: &ScanReport, package: &str) -> Value {
    let mut rules: Vec<Value> = catalog::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "defaultConfiguration": {"level": sarif_level(r.severity)},
                "properties": {"category": r.category, "security-severity": security_severity(r.severity), "tags": ["security", r.category]},
            })
        })
        .collect();
    for (id, level, text) in [
        ("revit-api-removed", "error", "Uses a Revit API member that a declared Revit version no longer has"),
        ("revit-api-deprecated", "warning", "Uses a Revit API member deprecated in a declared Revit version"),
    ] {
        rules.push(json!({
            "id": id,
            "shortDescription": {"text": text},
            "defaultConfiguration": {"level": level},
            "properties": {"category": "revit-api", "tags": ["compatibility"]},
        }));
    }
    let index = |id: &str| rules.iter().position(|r| r["id"] == id);
    let mut results = Vec::new();
    for f in &report.findings {
        // Code-scanning tools show the message alone: the chain goes in it
        // (one fact a line) as well as in the properties.
        let mut text = f.message.clone();
        for fact in &f.because {
            text.push_str("\n- ");
            text.push_str(fact);
        }
        let mut r = json!({
            "ruleId": f.rule,
            "level": sarif_level(f.severity),
            "message": {"text": text},
            "locations": [location(&f.file, f.line, f.column, &f.snippet)],
            "properties": {"severity": f.severity.as_str(), "category": f.category},
        });
        if !f.because.is_empty() {
            r["properties"]["because"] = json!(f.because);
        }
        if let Some(i) = index(f.rule) {
            r["ruleIndex"] = json!(i);
        }
        results.push(r);
    }
    for c in &report.compatibility {
        let (id, level, word) = match c.level {
            CompatLevel::Error => ("revit-api-removed", "error", "removed"),
            CompatLevel::Warning => ("revit-api-deprecated", "warning", "deprecated"),
        };
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index(id),
            "level": level,
            "message": {"text": format!("{} is {word} in Revit {}; use {}", c.member, c.revit_version, c.replacement)},
            "locations": [location(&c.file, c.line, 1, "")],
            "properties": {"member": c.member, "revit_version": c.revit_version},
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "revitpy-scan",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"PACKAGEROOT": {"description": {"text": format!("the files inside {package}")}}},
            "results": results,
            "properties": {
                "risk_level": report.risk_level.as_str(),
                "capabilities": report.capabilities,
                "impact": report.impact,
            },
        }],
    })
}
