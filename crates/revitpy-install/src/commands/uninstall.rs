//! `registry uninstall NAME`.

use serde_json::json;

use crate::ExitStatus;
use crate::cli::UninstallArgs;
use crate::installer::{Target, dependents, uninstall};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: UninstallArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let result = (|| -> Result<ExitStatus, String> {
        let target = Target::resolve_or_ask(&settings.addins_dir, args.revit_version, printer)?;
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
