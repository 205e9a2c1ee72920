//! `registry validate FILE [--revit-version YEAR] [--security-scan] [--output-format text|json|sarif]`

use std::io::IsTerminal;

use revitpy_check::{CheckOptions, check_file};
use revitpy_rpyx::Verdict;
use revitpy_scan::render::{self, TextOptions};
use serde_json::json;

use super::{human_bytes, manifest_summary, print_problem};
use crate::ExitStatus;
use crate::cli::{OutputFormat, ValidateArgs};
use crate::escape;
use crate::printer::Printer;

pub fn run(args: ValidateArgs, printer: &Printer) -> ExitStatus {
    let format = match args.output_format {
        None if printer.json_mode() => OutputFormat::Json,
        None => OutputFormat::Text,
        Some(f) if printer.json_mode() && f != OutputFormat::Json => {
            printer.error(format!("--json and --output-format {} disagree; give one of them", format_name(f)));
            return ExitStatus::Usage;
        }
        Some(f) => f,
    };
    if format == OutputFormat::Sarif && !args.security_scan {
        printer.error("--output-format sarif prints the security scan; add --security-scan");
        return ExitStatus::Usage;
    }
    // JSON and SARIF own standard output: no text lines there.
    let printer = &printer.with_json(format != OutputFormat::Text);
    // One pass over the files: each verified and, with --security-scan,
    // scanned from the same bytes.
    let options = CheckOptions { revit_year: args.revit_version, scan: args.security_scan, ..CheckOptions::default() };
    let mut checked = match check_file(&args.file, &options) {
        Ok(i) => i,
        Err(e) => {
            printer.error(format!("cannot read the package: {e}"));
            return ExitStatus::Failure;
        }
    };
    let valid = checked.valid();
    let scan = match checked.scan.take() {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            printer.error(format!("the security scan could not read the package: {e}"));
            return ExitStatus::Failure;
        }
        None => None,
    };
    let blocked = scan.as_ref().is_some_and(|s| s.risk_level.blocks());
    let ok = valid && checked.compatible() && !blocked;

    if format == OutputFormat::Sarif {
        match &scan {
            Some(scan) => printer.json(&render::sarif(scan, &args.file.display().to_string())),
            None => printer.error(format!(
                "{} could not be scanned (it is not a valid package), so there is no SARIF log",
                args.file.display()
            )),
        }
    } else if printer.json_mode() {
        let mut out = json!({
            "valid": valid,
            "file": args.file,
            "file_hash": checked.file_sha256,
            "file_size": checked.file_size,
            "manifest": checked.manifest.as_ref().map(manifest_summary),
            "problems": checked.problems,
            "revit_verdict": checked.revit_verdict,
            "files": checked.files,
        });
        // With --security-scan the scan's shape sits at the top level.
        if let (Some(scan), Some(obj)) = (&scan, out.as_object_mut())
            && let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(scan)
        {
            obj.extend(fields);
        }
        printer.json(&out);
    } else {
        if let Some(m) = &checked.manifest {
            printer.line(format!("{} {} ({}): {}", m.name, m.version, m.package_type, escape::line(&m.summary)));
            let rc = &m.revit_compatibility;
            let tested: Vec<String> = rc.tested_versions.iter().map(ToString::to_string).collect();
            printer.line(format!(
                "  Revit: {}{}",
                rc.range,
                if tested.is_empty() { String::new() } else { format!(", tested on {}", tested.join(", ")) }
            ));
            if !m.dependencies.is_empty() {
                let deps: Vec<String> = m.dependencies.iter().map(|d| format!("{}{}", d.name, d.specifiers)).collect();
                printer.line(format!("  depends on: {}", deps.join(", ")));
            }
        }
        let bytes: u64 = checked.files.iter().map(|f| f.size).sum();
        printer.line(format!(
            "  {} files, {} ({} expanded), sha256 {}",
            checked.files.len(),
            human_bytes(checked.file_size),
            human_bytes(bytes),
            checked.file_sha256
        ));
        for f in &checked.files {
            printer.detail(format!("    {}  {}  {}", f.sha256, human_bytes(f.size), escape::line(&f.path)));
        }
        if let Some(v) = &checked.revit_verdict {
            let word = match v.verdict {
                Verdict::Compatible => "compatible",
                Verdict::Untested => "compatible but untested",
                Verdict::Incompatible => "incompatible",
            };
            printer.line(format!("  Revit {}: {word} ({})", v.year, v.reasons.join("; ")));
            for issue in &v.known_issues {
                printer.line(format!("  known issue in Revit {}: {}", v.year, escape::line(issue)));
            }
        }
    }
    for p in &checked.problems {
        print_problem(printer, p);
    }
    if let Some(scan) = &scan
        && !printer.json_mode()
    {
        let options = TextOptions {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            show_info: printer.verbose(),
        };
        // The package's strings are escaped before rendering, so the
        // renderer's colours are the only escape sequences printed.
        printer.styled_line(render::text(&escape::scan_report(scan), options).trim_end());
    }
    if blocked {
        let risk = scan.as_ref().map(|s| s.risk_level.to_string()).unwrap_or_default();
        printer.error(format!(
            "{} is at risk level {risk}: it would not be installed without --force",
            args.file.display()
        ));
    }
    if !valid {
        printer.error(format!("{} is not a valid package", args.file.display()));
    } else if !checked.compatible() {
        let year = checked.revit_verdict.as_ref().map(|v| v.year.to_string()).unwrap_or_default();
        printer.error(format!("{} does not support Revit {year}", args.file.display()));
    } else if !blocked {
        printer.line("valid");
    }
    if ok { ExitStatus::Success } else { ExitStatus::Failure }
}

fn format_name(f: OutputFormat) -> &'static str {
    match f {
        OutputFormat::Text => "text",
        OutputFormat::Json => "json",
        OutputFormat::Sarif => "sarif",
    }
}
