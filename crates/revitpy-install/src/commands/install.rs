//! `registry install NAME... [--version V] [--revit-version Y] [--force] [--yes] [--offline]`
//!
//! Resolve (online from the registry's index entries, else from the local
//! index), fetch each file into the cache (size and sha256 checked against
//! the registry's metadata before anything is kept), validate it, scan it
//! (DESIGN.md "Scan results"), and install it dependencies first. Every
//! package is fetched, checked and scanned before the first one is
//! installed: nothing is installed when a file does not match, and nothing
//! when a package's risk level is high or critical, unless `--force` and a
//! confirmation (or `--yes`) allow it.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::str::FromStr;

use revitpy_api::IndexPackage;
use revitpy_cache::{Cache, Lookup};
use revitpy_check::ArchiveDigest;
use revitpy_client::{ClientError, RegistryClient};
use revitpy_names::Version;
use revitpy_scan::report::{ScanReport, Severity};
use serde_json::json;

use crate::ExitStatus;
use crate::cli::InstallArgs;
use crate::escape;
use crate::installer::{Checked, Target, install_checked, open_checked};
use crate::local_index::{IndexReadError, LocalIndex};
use crate::printer::Printer;
use crate::resolver::{Pick, ResolveError, resolve};
use crate::settings::Settings;

/// Where index entries come from: the registry, or the local index.
enum Source {
    Online(RegistryClient),
    Offline(Box<LocalIndex>),
}

/// Why index entries could not be fetched, with the kind of failure kept.
#[derive(Debug, thiserror::Error)]
enum SourceError {
    #[error(transparent)]
    Registry(#[from] ClientError),
    #[error(transparent)]
    Index(#[from] IndexReadError),
}

impl SourceError {
    /// The registry could not be reached: the local index may answer instead.
    fn is_unreachable(&self) -> bool {
        matches!(self, SourceError::Registry(e) if e.is_unreachable())
    }
}

impl Source {
    fn fetch(&self, names: &[String]) -> Result<Vec<IndexPackage>, SourceError> {
        match self {
            Source::Online(client) => Ok(crate::block_on(client.index_packages(names))?.value.packages),
            Source::Offline(index) => {
                // A package the index does not have is left out (the resolver
                // names it); an index that cannot be read is an error.
                Ok(names.iter().filter_map(|n| index.get(n).transpose()).collect::<Result<_, _>>()?)
            }
        }
    }
}

/// The cached file for a pick, downloading it when online.
fn fetch_file(
    cache: &Cache,
    client: Option<&RegistryClient>,
    pick: &Pick,
    printer: &Printer,
) -> Result<std::path::PathBuf, String> {
    let v = &pick.version;
    match cache.get(&v.file_hash_sha256, v.file_size).map_err(|e| e.to_string())? {
        Lookup::Hit(path) => return Ok(path),
        Lookup::Corrupt { expected, actual } => printer.warning(format!(
            "the cached file of {} {} was corrupt (sha256 {actual}, expected {expected}); it was removed and is fetched again",
            pick.display_name, v.version
        )),
        Lookup::Miss => {}
    }
    let Some(client) = client else {
        return Err(format!(
            "{} {} is not in the cache and the registry is not used (offline); run the install once online, or `revitpy-install registry sync` and install while connected",
            pick.display_name, v.version
        ));
    };
    let mut tmp = cache.temp_file().map_err(|e| e.to_string())?;
    let bar = printer.progress(v.file_size, &format!("{} {}", pick.display_name, v.version));
    let got = crate::block_on(client.download(&pick.name, &v.version, tmp.as_file_mut(), v.file_size, |n| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    }));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    got.map_err(|e| format!("downloading {} {}: {e}", pick.display_name, v.version))?;
    cache
        .insert(tmp, &v.file_hash_sha256, v.file_size, &pick.name, &v.version)
        .map_err(|e| format!("{} {}: {e}; nothing was installed", pick.display_name, v.version))
}

pub fn run(args: InstallArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    if args.version.is_some() && args.names.len() > 1 {
        printer.error("--version applies to one package; install the others in a second command");
        return ExitStatus::Usage;
    }
    match install(args, settings, printer) {
        Ok(status) => status,
        Err(e) => {
            printer.error(e);
            ExitStatus::Failure
        }
    }
}

fn install(args: InstallArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus, String> {
    let pin = match &args.version {
        Some(v) => Some(Version::from_str(v).map_err(|e| format!("--version `{v}` is not a PEP 440 version: {e}"))?),
        None => None,
    };
    let target = Target::resolve_or_ask(&settings.addins_dir, args.revit_version, printer)?;
    let cache = Cache::open(&settings.cache_dir).map_err(|e| e.to_string())?;
    let client = RegistryClient::new(&settings.registry_url).map_err(|e| e.to_string())?;
    let mut source = if args.offline {
        Source::Offline(Box::new(LocalIndex::open(&settings.index_dir())?))
    } else {
        Source::Online(client.clone())
    };
    let roots: Vec<(String, Option<Version>)> = args.names.iter().map(|n| (n.clone(), pin.clone())).collect();
    let picks = match resolve(&roots, target.year, &mut |names| source.fetch(names)) {
        Ok(p) => p,
        Err(ResolveError::Fetch(e)) if e.is_unreachable() => {
            printer.warning(format!("{e}; using the local index and the cache"));
            source = Source::Offline(Box::new(LocalIndex::open(&settings.index_dir())?));
            resolve(&roots, target.year, &mut |names| source.fetch(names)).map_err(|e| e.to_string())?
        }
        Err(e) => return Err(e.to_string()),
    };
    let online = matches!(source, Source::Online(..));
    if online {
        crate::local_index::refresh_in_background_if_stale(settings);
    }
    let records = target.read_records()?;

    // 1. Fetch, check and scan everything that is to be installed.
    let mut steps: Vec<Option<Ready>> = Vec::with_capacity(picks.len());
    for pick in &picks {
        let installed = records.get(&pick.name).map(|e| e.version.clone());
        let same = installed
            .as_deref()
            .and_then(|v| Version::from_str(v).ok())
            .zip(Version::from_str(&pick.version.version).ok())
            .is_some_and(|(a, b)| a == b);
        if same && !(args.force && pick.requested) {
            steps.push(None);
            continue;
        }
        let file = fetch_file(&cache, online.then_some(&client), pick, printer)?;
        // The cache has just checked the file against the index's sha256
        // and size: the check takes them instead of hashing it again.
        let known = ArchiveDigest::new(&pick.version.file_hash_sha256, pick.version.file_size);
        let (checked, scan) = open_checked(&file, Some((&pick.name, &pick.version.version)), known)?;
        show_findings(printer, pick, &scan, &file);
        steps.push(Some(Ready { checked, scan }));
    }

    // 2. High or critical: refused, unless --force and a confirmation.
    let risky: Vec<(&Pick, &ScanReport)> = picks
        .iter()
        .zip(&steps)
        .filter_map(|(pick, step)| step.as_ref().map(|r| (pick, &r.scan)))
        .filter(|(_, scan)| scan.risk_level.blocks())
        .collect();
    if !risky.is_empty() && !args.force {
        let reasons: Vec<String> = risky.iter().map(|(pick, scan)| risk_summary(pick, scan)).collect();
        return Err(format!(
            "{}. Nothing was installed; `--force` installs it anyway (after a confirmation, or with --yes)",
            reasons.join(". ")
        ));
    }
    for (pick, scan) in &risky {
        confirm_risky(printer, pick, scan, args.yes)?;
    }

    // 3. Install, dependencies first.
    let mut done = Vec::new();
    for (pick, step) in picks.iter().zip(steps) {
        let Some(Ready { checked, scan }) = step else {
            printer.line(format!(
                "{} {} is already installed for Revit {}.",
                pick.display_name, pick.version.version, target.year
            ));
            done.push(json!({"name": pick.name, "version": pick.version.version, "action": "already-installed"}));
            continue;
        };
        let result = install_checked(&target, checked, Some(&settings.registry_url))?;
        let hooks = &result.manifest.install_hooks;
        if !hooks.is_empty() {
            if args.allow_hooks {
                crate::hooks::run(printer, &result.install_dir, hooks, "install")?;
            } else {
                printer.warning(format!(
                    "{} has install hooks that were not run ({}); rerun with --allow-hooks to run them",
                    result.name,
                    hooks.values().map(|h| escape::line(h)).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        let action = match &result.replaced {
            Some(old) => format!("updated from {old}"),
            None => "installed".to_owned(),
        };
        printer.line(format!(
            "{} {} {} for Revit {} ({} files in {})",
            pick.display_name,
            result.version,
            action,
            target.year,
            result.files,
            result.install_dir.display()
        ));
        done.push(json!({
            "name": result.name,
            "version": result.version,
            "action": if result.replaced.is_some() { "updated" } else { "installed" },
            "install_dir": result.install_dir,
            "dependency": !pick.requested,
            "risk_level": scan.risk_level.as_str(),
            "security_scan_status": scan.status(),
        }));
    }
    if printer.json_mode() {
        printer.json(&json!({"revit_version": target.year.to_string(), "packages": done}));
    }
    Ok(ExitStatus::Success)
}

/// A package ready to install: its file checked and scanned.
struct Ready {
    checked: Checked,
    scan: ScanReport,
}

/// How many findings a message names.
const SHOWN_FINDINGS: usize = 10;

fn worst_first(scan: &ScanReport, threshold: Severity) -> Vec<&revitpy_scan::report::Finding> {
    let mut list: Vec<_> = scan.at_or_above(threshold).collect();
    list.sort_by_key(|f| std::cmp::Reverse(f.severity));
    list
}

/// Findings at medium or above, on standard error (also with --json).
fn show_findings(printer: &Printer, pick: &Pick, scan: &ScanReport, file: &Path) {
    let findings = worst_first(scan, Severity::Medium);
    if findings.is_empty() {
        return;
    }
    printer.warning(format!(
        "{} {}: security scan risk level {} ({} finding{} at medium or above)",
        pick.display_name,
        pick.version.version,
        scan.risk_level,
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    ));
    for f in findings.iter().take(SHOWN_FINDINGS) {
        printer.note(format!(
            "    {:<8} {}:{}:{}  {} [{}]",
            f.severity.as_str(),
            escape::line(&f.file),
            f.line,
            f.column,
            escape::line(&f.message),
            f.rule
        ));
    }
    if findings.len() > SHOWN_FINDINGS {
        printer.note(format!(
            "    and {} more; `revitpy-install registry validate {} --security-scan` lists them all",
            findings.len() - SHOWN_FINDINGS,
            file.display()
        ));
    }
}

/// "NAME VERSION is at risk level R: the worst findings".
fn risk_summary(pick: &Pick, scan: &ScanReport) -> String {
    let findings = worst_first(scan, Severity::High);
    let top: Vec<String> = findings
        .iter()
        .take(3)
        .map(|f| {
            format!("{} {} at {}:{}: {}", f.severity, f.rule, escape::line(&f.file), f.line, escape::line(&f.message))
        })
        .collect();
    let more = findings.len().saturating_sub(3);
    format!(
        "{} {} is at security risk level {}: {}{}",
        pick.display_name,
        pick.version.version,
        scan.risk_level,
        top.join("; "),
        if more > 0 { format!("; and {more} more") } else { String::new() }
    )
}

/// With --force: --yes installs a risky package; otherwise a terminal asks,
/// and without a terminal the install fails naming --yes.
fn confirm_risky(printer: &Printer, pick: &Pick, scan: &ScanReport, yes: bool) -> Result<(), String> {
    if yes {
        printer.warning(format!(
            "installing {} {} despite its security risk level {} (--force --yes)",
            pick.display_name, pick.version.version, scan.risk_level
        ));
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{}. --force asks for a confirmation, and standard input is not a terminal: add --yes to install it anyway. Nothing was installed",
            risk_summary(pick, scan)
        ));
    }
    printer.prompt(format!(
        "Install {} {} anyway? [y/N] ",
        escape::line(&pick.display_name),
        escape::line(&pick.version.version)
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| e.to_string())?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(format!("{} {} was not confirmed; nothing was installed", pick.display_name, pick.version.version))
    }
}
