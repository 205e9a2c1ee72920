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
use revitpy_client::RegistryClient;
use revitpy_names::Version;
use revitpy_scan::report::{ScanReport, Severity};
use revitpy_sign::index::IndexMeta;
use serde_json::json;

use crate::ExitStatus;
use crate::cli::InstallArgs;
use crate::escape;
use crate::installer::{Checked, Target, install_checked, open_checked};
use crate::local_index::LocalIndex;
use crate::printer::Printer;
use crate::resolver::{Pick, resolve};
use crate::settings::Settings;
use crate::trust::Trust;

/// Where index entries come from: the local index, each entry checked
/// against the signed index document it was verified with (online, a sync
/// has just brought both up to date).
struct Source {
    index: LocalIndex,
    meta: IndexMeta,
    /// Time spent checking: the stored document's signature, then each entry.
    signature_check: std::time::Duration,
    entry_checks: std::cell::Cell<(usize, std::time::Duration)>,
}

impl Source {
    fn open(settings: &Settings, printer: &Printer, offline: bool) -> Result<Source, String> {
        let trust = Trust::load(settings)?;
        let index = LocalIndex::open(&settings.index_dir())?;
        let unverified = || {
            format!(
                "the local index holds no verified copy of {}'s index; run `revitpy-install registry sync` while connected",
                settings.registry_url
            )
        };
        if index.state().registry_url.as_deref() != Some(settings.registry_url.as_str()) {
            return Err(unverified());
        }
        let env = index.signed().ok_or_else(unverified)?;
        let started = std::time::Instant::now();
        let meta = trust.open_stored(&env)?;
        let signature_check = started.elapsed();
        if offline && meta.expires <= revitpy_sign::index::unix_now() {
            printer.warning(format!(
                "the local index's signed metadata expired on {}: versions yanked or published since are not known here",
                crate::trust::when(meta.expires)
            ));
        }
        Ok(Source { index, meta, signature_check, entry_checks: Default::default() })
    }

    fn fetch(&self, names: &[String]) -> Result<Vec<IndexPackage>, String> {
        // A package the index does not have is left out (the resolver
        // names it); one that does not match the signed index is an error.
        let mut found = Vec::with_capacity(names.len());
        for name in names {
            let Some(p) = self.index.get(name).map_err(|e| e.to_string())? else { continue };
            let started = std::time::Instant::now();
            self.index.verify_entry(&p, &self.meta)?;
            let (n, spent) = self.entry_checks.get();
            self.entry_checks.set((n + 1, spent + started.elapsed()));
            found.push(p);
        }
        Ok(found)
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

/// The publisher's signature of a pick, checked when the signed index says
/// the version is signed (by the key it names), and required when the
/// package or the user's config requires signed versions. The signature
/// text comes from the registry (and is kept beside the cache for offline
/// installs); it is over the name, version and the sha256 the signed index
/// gave, so a signature from another package or key does not pass.
fn check_publisher(
    settings: &Settings,
    client: Option<&RegistryClient>,
    pick: &Pick,
    printer: &Printer,
) -> Result<(), String> {
    let v = &pick.version;
    let Some(key_id) = &v.signature_key_id else {
        if pick.require_signature || settings.require_signatures {
            let who = if pick.require_signature {
                "the package requires every version to be signed by an owner's key"
            } else {
                "this client requires signed packages (REVITPY_REQUIRE_SIGNATURES or require_signatures)"
            };
            return Err(format!(
                "{} {} is not signed by its publisher, and {who}; nothing was installed",
                pick.display_name, v.version
            ));
        }
        return Ok(());
    };
    let kept = settings.cache_dir.join("signatures").join(format!("{}.sig", v.file_hash_sha256));
    let signature = match fs_err::read_to_string(&kept) {
        Ok(text) => text,
        Err(_) => {
            let Some(client) = client else {
                let required = pick.require_signature || settings.require_signatures;
                if required {
                    return Err(format!(
                        "{} {}: its publisher signature is not kept here and the registry is not used (offline); nothing was installed",
                        pick.display_name, v.version
                    ));
                }
                printer.note(format!(
                    "{} {}: its publisher signature is not kept here; it was not checked (offline)",
                    pick.display_name, v.version
                ));
                return Ok(());
            };
            let detail = crate::block_on(client.package(&pick.name))
                .map_err(|e| format!("fetching the signature of {} {}: {e}", pick.display_name, v.version))?;
            detail
                .versions
                .into_iter()
                .find(|d| d.version == v.version)
                .and_then(|d| d.digital_signature)
                .ok_or_else(|| {
                    format!(
                        "{} {} is signed by {key_id} according to the registry's signed index, but no signature came with it \
                         (removed on the way?); nothing was installed",
                        pick.display_name, v.version
                    )
                })?
        }
    };
    let statement = revitpy_sign::Statement {
        name: pick.name.clone(),
        version: v.version.clone(),
        sha256: v.file_hash_sha256.clone(),
    };
    let started = std::time::Instant::now();
    let verified = revitpy_sign::verify(&signature, &statement, None).map_err(|e| {
        format!("{} {}: its publisher signature is refused: {e}; nothing was installed", pick.display_name, v.version)
    })?;
    if &verified.key_id != key_id {
        return Err(format!(
            "{} {} is signed by {}, but the registry's signed index says its publisher signed it with {key_id}; nothing was installed",
            pick.display_name, v.version, verified.key_id
        ));
    }
    if !kept.exists() {
        // Kept for offline installs; losing it only costs a download.
        let _ = fs_err::create_dir_all(kept.parent().expect("has a parent"))
            .and_then(|()| fs_err::write(&kept, signature.as_bytes()));
    }
    printer.detail(format!(
        "{} {}: signed by {key_id} (checked in {} µs)",
        pick.display_name,
        v.version,
        started.elapsed().as_micros()
    ));
    Ok(())
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
    // Online, the local index is brought up to date and verified against
    // the registry's signed index first: what is installed is what the
    // registry signed, whichever mirror or cache answered.
    let mut online = !args.offline;
    if online && let Err(e) = crate::commands::sync::sync_now(settings, &client, printer) {
        if !e.unreachable {
            return Err(format!("{e}; nothing was installed"));
        }
        printer.warning(format!("{e}; using the local index and the cache"));
        online = false;
    }
    let source = Source::open(settings, printer, !online)?;
    let roots: Vec<(String, Option<Version>)> = args.names.iter().map(|n| (n.clone(), pin.clone())).collect();
    let picks = resolve(&roots, target.year, &mut |names| source.fetch(names)).map_err(|e| e.to_string())?;
    let (entries, spent) = source.entry_checks.get();
    printer.detail(format!(
        "checked {entries} index entries against the registry's signed index (serial {}) in {} µs, its signature in {} µs",
        source.meta.serial,
        spent.as_micros(),
        source.signature_check.as_micros()
    ));
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
        check_publisher(settings, online.then_some(&client), pick, printer)?;
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
