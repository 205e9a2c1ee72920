//! `registry list`: installed packages per Revit year.

use serde_json::json;

use crate::ExitStatus;
use crate::cli::ListArgs;
use crate::installer::{Target, year_folders};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: ListArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let years: Vec<u16> = match args.revit_version {
        Some(y) => vec![y.get()],
        None => year_folders(&settings.addins_dir),
    };
    let mut out = Vec::new();
    for year in years {
        let target = Target { year, root: settings.addins_dir.join(year.to_string()).join("RevitPy") };
        let records = match target.read_records() {
            Ok(r) => r,
            Err(e) => {
                printer.error(e);
                return ExitStatus::Failure;
            }
        };
        for (name, e) in records {
            out.push(json!({
                "name": name,
                "version": e.version,
                "revit_version": year.to_string(),
                "install_dir": e.install_dir,
                "installed_at": e.installed_at,
                "files": e.installed_files.len(),
            }));
        }
    }
    if printer.json_mode() {
        printer.json(&json!({"packages": out}));
    } else if out.is_empty() {
        printer.line("No RevitPy packages are installed.");
    } else {
        for p in &out {
            printer.line(format!(
                "Revit {}  {} {}",
                p["revit_version"].as_str().unwrap_or(""),
                crate::escape::line(p["name"].as_str().unwrap_or("")),
                crate::escape::line(p["version"].as_str().unwrap_or(""))
            ));
        }
    }
    ExitStatus::Success
}
