//! `registry uninstall NAME` and `registry list`.

use serde_json::json;

use crate::ExitStatus;
use crate::cli::{ListArgs, UninstallArgs};
use crate::installer::{Target, dependents, uninstall, year_folders};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: UninstallArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let result = (|| -> Result<ExitStatus, String> {
        let target = Target::resolve_or_ask(&settings.addins_dir, args.revit_version)?;
        let name = revitpy_names::package_name::normalize(&args.name);
        let records = target.read_records()?;
        let Some(entry) = records.get(&name) else {
            return Err(format!("{} is not installed for Revit {}", args.name, target.year));
        };
        let users = dependents(&records, &name);
        if !users.is_empty() && !args.force {
            return Err(format!(
                "{} is needed by {}; uninstall those first, or pass --force",
                args.name,
                users.join(", ")
            ));
        }
        let hooks: std::collections::BTreeMap<String, String> =
            serde_json::from_value(entry.manifest["uninstall_hooks"].clone()).unwrap_or_default();
        if !hooks.is_empty() {
            if args.allow_hooks {
                crate::hooks::run(printer, std::path::Path::new(&entry.install_dir), &hooks, "uninstall")?;
            } else {
                printer
                    .warning(format!("{name} has uninstall hooks that were not run; pass --allow-hooks to run them"));
            }
        }
        let removed = uninstall(&target, &name)?;
        if printer.json_mode() {
            printer.json(&json!({"name": name, "version": removed.version, "revit_version": target.year.to_string(), "action": "uninstalled"}));
        } else {
            printer.line(format!("{name} {} uninstalled from Revit {}.", removed.version, target.year));
        }
        Ok(ExitStatus::Success)
    })();
    result.unwrap_or_else(|e| {
        printer.error(e);
        ExitStatus::Failure
    })
}

pub fn list(args: ListArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
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
