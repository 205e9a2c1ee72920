//! `registry build SRC [--output FILE]`

use std::path::PathBuf;

use revitpy_rpyx::{BuildError, BuildOptions};
use serde_json::json;

use super::{human_bytes, manifest_summary, print_problem};
use crate::ExitStatus;
use crate::cli::BuildArgs;
use crate::printer::Printer;

pub fn run(args: BuildArgs, printer: &Printer) -> ExitStatus {
    let mut opts = match BuildOptions::from_env() {
        Ok(o) => o,
        Err(e) => {
            printer.error(e.to_string());
            return ExitStatus::Failure;
        }
    };
    opts.allow_secrets = args.allow_secrets;

    let output = match args.output {
        Some(o) => o,
        // Name the output after the manifest; read it first to know the name.
        None => match revitpy_rpyx::source::load_from_dir(&args.source).ok().and_then(|l| l.manifest) {
            Some(m) => PathBuf::from(format!("{}-{}.rpyx", m.name.normalized(), m.version)),
            None => PathBuf::from("package.rpyx"),
        },
    };
    if output.is_dir() {
        printer
            .error(format!("{} is a folder; give --output a file name such as my-addon-1.0.0.rpyx", output.display()));
        return ExitStatus::Failure;
    }

    let started = std::time::Instant::now();
    match revitpy_rpyx::build(&args.source, &output, &opts) {
        Ok(report) => {
            for w in &report.warnings {
                print_problem(printer, w);
            }
            if printer.json_mode() {
                printer.json(&json!({
                    "output": report.output,
                    "sha256": report.sha256,
                    "size": report.size,
                    "files": report.files.len(),
                    "uncompressed_bytes": report.uncompressed_bytes,
                    "manifest_source": report.manifest_source,
                    "manifest": manifest_summary(&report.manifest),
                    "warnings": report.warnings,
                }));
            } else {
                printer.line(format!(
                    "Built {} {} -> {} ({} files, {} from {}, sha256 {}) in {:.0?}",
                    report.manifest.name,
                    report.manifest.version,
                    report.output.display(),
                    report.files.len(),
                    human_bytes(report.size),
                    human_bytes(report.uncompressed_bytes),
                    report.sha256,
                    started.elapsed(),
                ));
            }
            ExitStatus::Success
        }
        Err(BuildError::Manifest(problems)) => {
            for p in &problems.0 {
                print_problem(printer, p);
            }
            printer.error("the package was not built; fix the problems above");
            ExitStatus::Failure
        }
        Err(e) => {
            printer.error(format!("{e}"));
            ExitStatus::Failure
        }
    }
}
