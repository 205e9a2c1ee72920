//! `registry list`: installed packages per Revit year.

use serde_json::json;

use crate::ExitStatus;
use crate::cli::ListArgs;
use crate::installer::{InstalledEntry, Target, year_folders};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: ListArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let years: Vec<u16> = match args.revit_version {
        Some(y) => vec![y.get()],
        None => year_folders(&settings.addins_dir),
    };
    let mut out = Vec::new();
    let mut problems = 0usize;
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
            let mut entry = json!({
                "name": name,
                "version": e.version,
                "revit_version": year.to_string(),
                "install_dir": e.install_dir,
                "installed_at": e.installed_at,
                "files": e.installed_files.len(),
            });
            if args.verify {
                let found = verify_entry(&target, &name, &e);
                if !found.is_clean() {
                    problems += 1;
                }
                entry["verify"] = found.to_json();
            }
            out.push(entry);
        }
    }
    if printer.json_mode() {
        printer.json(&json!({"packages": out}));
    } else if out.is_empty() {
        printer.line("No RevitPy packages are installed.");
    } else {
        for p in &out {
            let verdict = match p.get("verify") {
                None => String::new(),
                Some(v) if v["unverifiable"].as_bool() == Some(true) => {
                    "  (no hashes recorded: installed by another client)".to_owned()
                }
                Some(v)
                    if v["changed"].as_array().is_some_and(Vec::is_empty)
                        && v["missing"].as_array().is_some_and(Vec::is_empty) =>
                {
                    format!("  ok ({} files)", v["checked"])
                }
                Some(_) => "  CHANGED".to_owned(),
            };
            printer.line(format!(
                "Revit {}  {} {}{verdict}",
                p["revit_version"].as_str().unwrap_or(""),
                crate::escape::line(p["name"].as_str().unwrap_or("")),
                crate::escape::line(p["version"].as_str().unwrap_or(""))
            ));
            if let Some(v) = p.get("verify") {
                for (kind, files) in [("changed", &v["changed"]), ("missing", &v["missing"])] {
                    for f in files.as_array().into_iter().flatten() {
                        printer.line(format!("    {kind}: {}", crate::escape::line(f.as_str().unwrap_or(""))));
                    }
                }
            }
        }
    }
    if problems > 0 {
        printer.error(format!(
            "{problems} installed package(s) changed on disk since install, or installed without hashes to check; reinstall them (`registry install NAME --force`)"
        ));
        return ExitStatus::Failure;
    }
    ExitStatus::Success
}

/// What `--verify` found for one installed package.
struct Verification {
    checked: usize,
    changed: Vec<String>,
    missing: Vec<String>,
    /// Installed by a client that recorded no hashes.
    unverifiable: bool,
}

impl Verification {
    /// Clean: every recorded file checked and unchanged. A package
    /// installed without hashes cannot be vouched for, so it is not clean.
    fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && !self.unverifiable
    }

    fn to_json(&self) -> serde_json::Value {
        json!({"checked": self.checked, "changed": self.changed, "missing": self.missing, "unverifiable": self.unverifiable})
    }
}

/// Hashes each recorded file again. The record is input like any other: the
/// folder is the one this client installs the package in (never the
/// record's `install_dir`), a path that is not a plain relative path is
/// reported, never opened, and a symbolic link is a change, never followed.
fn verify_entry(target: &Target, name: &str, e: &InstalledEntry) -> Verification {
    let mut v = Verification { checked: 0, changed: Vec::new(), missing: Vec::new(), unverifiable: false };
    let Ok(package) = revitpy_names::PackageName::new(name) else {
        v.changed.push(format!("(the record names `{name}`, which is not a package name; the record was edited)"));
        return v;
    };
    if e.files_sha256.is_empty() {
        v.unverifiable = true;
        return v;
    }
    let root = target.packages_dir().join(package.normalized());
    for (path, expected) in &e.files_sha256 {
        if revitpy_names::portable_path::check_relative_path(path).is_err() {
            v.changed.push(format!("{path} (not a relative path; the record was edited)"));
            continue;
        }
        v.checked += 1;
        let file = root.join(path);
        match std::fs::symlink_metadata(&file) {
            Err(_) => v.missing.push(path.clone()),
            Ok(m) if !m.file_type().is_file() => v.changed.push(format!("{path} (no longer a regular file)")),
            Ok(_) => match hash_file(&file) {
                Ok(actual) if &actual == expected => {}
                Ok(_) => v.changed.push(path.clone()),
                Err(_) => v.missing.push(path.clone()),
            },
        }
    }
    v
}

fn hash_file(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
