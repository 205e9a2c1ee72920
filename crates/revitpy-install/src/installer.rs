//! Installing into Revit's add-in folder, all or nothing.
//!
//! Layout (DESIGN.md): `<addins>/<year>/RevitPy/Packages/<name>/`, recorded
//! in `<addins>/<year>/RevitPy/installed_packages.json` (the original's keys,
//! plus `sha256`, `files_sha256` and `registry`).
//!
//! A package is extracted into a temporary folder beside its target, then
//! swapped in by rename; the previous version is moved aside first and put
//! back if anything fails (a rename over a folder Revit holds open fails on
//! Windows, and is reported as such). The record file is replaced
//! atomically. A lock file (never the data files) keeps two installs into
//! the same year folder from interleaving.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use revitpy_check::{ArchiveDigest, CheckOptions, Opened};
use revitpy_names::RevitYear;
use revitpy_rpyx::{Limits, Manifest, Package};
use revitpy_scan::report::ScanReport;
use serde::{Deserialize, Serialize};

use crate::printer::Printer;

pub const RECORD_FILE: &str = "installed_packages.json";

/// One Revit year's RevitPy folder.
#[derive(Debug, Clone)]
pub struct Target {
    pub year: u16,
    pub root: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstalledEntry {
    pub version: String,
    pub install_dir: String,
    pub installed_files: Vec<String>,
    pub installed_at: String,
    pub manifest: serde_json::Value,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub files_sha256: BTreeMap<String, String>,
    #[serde(default)]
    pub registry: Option<String>,
}

pub type Records = BTreeMap<String, InstalledEntry>;

/// The year folders present under `addins` (names that are years).
pub fn year_folders(addins: &Path) -> Vec<u16> {
    let mut years: Vec<u16> = fs_err::read_dir(addins)
        .map(|it| {
            it.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str()?.parse::<RevitYear>().ok().map(RevitYear::get))
                .collect()
        })
        .unwrap_or_default();
    years.sort_unstable();
    years
}

impl Target {
    /// The year given, else the only year folder present; otherwise an error
    /// that lists the years and names the flag to use.
    pub fn resolve(addins: &Path, year: Option<RevitYear>) -> Result<Target, String> {
        let year = match year {
            Some(y) => y.get(),
            None => match year_folders(addins).as_slice() {
                [only] => *only,
                [] => {
                    return Err(format!(
                        "no Revit year folder in {}; pass --revit-version YEAR (for example 2024)",
                        addins.display()
                    ));
                }
                many => {
                    let list: Vec<String> = many.iter().map(u16::to_string).collect();
                    return Err(format!(
                        "several Revit versions are present ({}); choose one with --revit-version",
                        list.join(", ")
                    ));
                }
            },
        };
        Ok(Target { year, root: addins.join(year.to_string()).join("RevitPy") })
    }

    /// As [`Target::resolve`], but with several year folders and a terminal
    /// on standard input, asks which one (DESIGN: "uses the only year folder
    /// present, or asks, or fails listing them when not interactive").
    pub fn resolve_or_ask(addins: &Path, year: Option<RevitYear>, printer: &Printer) -> Result<Target, String> {
        use std::io::{BufRead, IsTerminal};
        let years = year_folders(addins);
        if year.is_some() || years.len() < 2 || !std::io::stdin().is_terminal() {
            return Target::resolve(addins, year);
        }
        let list: Vec<String> = years.iter().map(u16::to_string).collect();
        printer.prompt(format!("Several Revit versions are present ({}). Which one? ", list.join(", ")));
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map_err(|e| e.to_string())?;
        let chosen: RevitYear = answer.trim().parse().map_err(|e: revitpy_names::RevitYearError| e.to_string())?;
        if !years.contains(&chosen.get()) {
            return Err(format!("{chosen} is not one of {}; pass --revit-version", list.join(", ")));
        }
        Target::resolve(addins, Some(chosen))
    }

    pub fn packages_dir(&self) -> PathBuf {
        self.root.join("Packages")
    }

    pub fn record_path(&self) -> PathBuf {
        self.root.join(RECORD_FILE)
    }

    /// Takes the year folder's lock (released on drop).
    pub fn lock(&self) -> Result<std::fs::File, String> {
        crate::os::lock_file(&self.root.join(".revitpy.lock"))
    }

    pub fn read_records(&self) -> Result<Records, String> {
        let path = self.record_path();
        match fs_err::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!("{} is not a valid record of installed packages ({e}); fix or remove it", path.display())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Records::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Replaces the record file atomically.
    pub fn write_records(&self, records: &Records) -> Result<(), String> {
        // Fault injection for the rollback tests: a disk that fills up at the
        // worst moment cannot be arranged portably (tests run as root).
        if std::env::var_os("REVITPY_TEST_FAIL_RECORD_WRITE").is_some() {
            return Err("injected fault: the record file could not be written".into());
        }
        fs_err::create_dir_all(&self.root).map_err(|e| e.to_string())?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.root).map_err(|e| e.to_string())?;
        serde_json::to_writer_pretty(&mut tmp, records).map_err(|e| e.to_string())?;
        tmp.as_file().sync_all().map_err(|e| e.to_string())?;
        tmp.persist(self.record_path()).map_err(|e| format!("{}: {}", self.record_path().display(), e.error))?;
        Ok(())
    }
}

pub struct Installed {
    pub name: String,
    pub version: String,
    pub install_dir: PathBuf,
    pub files: usize,
    pub replaced: Option<String>,
    pub manifest: Manifest,
}

/// A package file that was opened, checked and scanned, ready to be
/// installed (held in memory, so what was scanned is what is installed).
pub struct Checked {
    pub package: Package,
    pub manifest: Manifest,
}

/// Opens, checks and scans a package file, in one pass over its files
/// (revitpy-check): every file inflated once, verified against
/// `rpyx-build.json`, and the same bytes scanned. `expected` is the
/// (normalized name, version) the caller resolved; the manifest inside must
/// agree, which is asked before any file is read. `known` is the file's
/// sha256 and size when they were just checked (the cache checks a file
/// against the registry's index before handing it out): the file is then
/// not hashed again.
pub fn open_checked(
    file: &Path,
    expected: Option<(&str, &str)>,
    known: Option<ArchiveDigest>,
) -> Result<(Checked, ScanReport), String> {
    // The whole file is read into memory here; every file is verified
    // against rpyx-build.json again while it is extracted (the scanner read
    // the same bytes before that, so what was scanned is what is installed).
    let package = Package::open_known(file, Limits::default(), known.as_ref())
        .map_err(|e| format!("the package is not valid: {e}"))?;
    let opened = Opened::from_package(package, &CheckOptions { scan: true, ..CheckOptions::default() });
    let Some(manifest) = opened.manifest() else {
        let errors: Vec<String> = opened.problems().iter().filter(|p| p.is_error()).map(ToString::to_string).collect();
        return Err(format!("the package is not valid: {}", errors.join("; ")));
    };
    if let Some((want_name, want_version)) = expected {
        let same_version = want_version.parse::<revitpy_names::Version>().is_ok_and(|v| v == manifest.version);
        if want_name != manifest.name.normalized() || !same_version {
            return Err(format!(
                "the downloaded file holds {} {}, not {want_name} {want_version}; nothing was installed",
                manifest.name, manifest.version
            ));
        }
    }
    let checked = opened.finish();
    if let Some(p) = checked.problems.iter().find(|p| p.is_error()) {
        return Err(format!("the package is not valid: {p}"));
    }
    // A file the scanner could not have is an error above; kept apart all
    // the same, in the words a scan failure has always had.
    let scan = match checked.scan {
        Some(Ok(report)) => report,
        Some(Err(e)) => return Err(format!("the security scan cannot read the package ({e}); nothing was installed")),
        None => return Err("the package was not scanned; nothing was installed".to_owned()),
    };
    match (checked.package, checked.manifest) {
        (Some(package), Some(manifest)) => Ok((Checked { package, manifest }, scan)),
        // Opened from a package, with a manifest (both asked above).
        _ => Err("the package is not valid: it could not be opened".to_owned()),
    }
}

/// Installs a checked package.
pub fn install_checked(target: &Target, checked: Checked, registry: Option<&str>) -> Result<Installed, String> {
    let Checked { package, manifest } = checked;
    let name = manifest.name.normalized().to_owned();
    let package = &package;
    let file_sha256 = package.sha256().to_owned();

    let _lock = target.lock()?;
    let packages = target.packages_dir();
    fs_err::create_dir_all(&packages).map_err(|e| e.to_string())?;
    let mut records = target.read_records()?;
    let final_dir = packages.join(&name);

    // 1. Extract beside the target.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(&packages)
        .map_err(|e| format!("cannot create a folder in {}: {e}", packages.display()))?;
    let extracted = extract(package, staging.path())?;

    // 2. Move the previous version aside, 3. swap the new one in.
    let backup = packages.join(format!(".{name}.previous"));
    if backup.exists() {
        if final_dir.exists() {
            fs_err::remove_dir_all(&backup).map_err(|e| e.to_string())?;
        } else {
            // A crash between the two renames of an earlier install left the
            // only copy here: put it back before anything else.
            fs_err::rename(&backup, &final_dir).map_err(|e| format!("restoring {name} from its backup: {e}"))?;
        }
    }
    let had_previous = final_dir.exists();
    if had_previous {
        fs_err::rename(&final_dir, &backup).map_err(|e| {
            format!(
                "cannot move the installed {name} aside ({e}); is Revit running with it loaded? Close Revit and retry"
            )
        })?;
    }
    let staged = staging.keep();
    if let Err(e) = fs_err::rename(&staged, &final_dir) {
        let _ = fs_err::remove_dir_all(&staged);
        if had_previous {
            let _ = fs_err::rename(&backup, &final_dir);
        }
        return Err(format!("cannot put {name} in place ({e}); the previous installation was kept"));
    }

    // 4. Record it; on failure put everything back.
    let replaced = records.get(&name).map(|e| e.version.clone());
    records.insert(
        name.clone(),
        InstalledEntry {
            version: manifest.version.to_string(),
            install_dir: final_dir.display().to_string(),
            installed_files: extracted.iter().map(|(p, _)| p.clone()).collect(),
            installed_at: revitpy_names::timestamp::now_rfc3339(),
            manifest: manifest.to_json(),
            sha256: Some(file_sha256),
            files_sha256: extracted.into_iter().collect(),
            registry: registry.map(str::to_owned),
        },
    );
    if let Err(e) = target.write_records(&records) {
        let _ = fs_err::remove_dir_all(&final_dir);
        if had_previous {
            let _ = fs_err::rename(&backup, &final_dir);
        }
        return Err(format!("cannot record the installation ({e}); the previous state was restored"));
    }
    if had_previous {
        let _ = fs_err::remove_dir_all(&backup);
    }
    Ok(Installed {
        name,
        version: manifest.version.to_string(),
        install_dir: final_dir,
        files: records.get(manifest.name.normalized()).map_or(0, |e| e.installed_files.len()),
        replaced,
        manifest,
    })
}

fn extract(package: &Package, dest: &Path) -> Result<Vec<(String, String)>, String> {
    let records = package.extract_to(dest).map_err(|e| format!("cannot unpack the package: {e}"))?;
    let mut files: Vec<(String, String)> = records.into_iter().map(|r| (r.path, r.sha256)).collect();
    files.sort();
    Ok(files)
}

/// Removes an installed package and its record. The caller checks dependents.
pub fn uninstall(target: &Target, name: &str) -> Result<InstalledEntry, String> {
    let _lock = target.lock()?;
    let mut records = target.read_records()?;
    let entry = records.remove(name).ok_or_else(|| format!("{name} is not installed for Revit {}", target.year))?;
    let dir = target.packages_dir().join(name);
    if dir.exists() {
        // Move aside first: if Revit holds a file open the rename fails and nothing changes.
        let trash = target.packages_dir().join(format!(".{name}.removed"));
        if trash.exists() {
            fs_err::remove_dir_all(&trash).map_err(|e| e.to_string())?;
        }
        fs_err::rename(&dir, &trash).map_err(|e| {
            format!("cannot remove {name} ({e}); is Revit running with it loaded? Close Revit and retry")
        })?;
        if let Err(e) = target.write_records(&records) {
            let _ = fs_err::rename(&trash, &dir);
            return Err(format!("cannot update the record ({e}); {name} was left installed"));
        }
        let _ = fs_err::remove_dir_all(&trash);
    } else {
        target.write_records(&records)?;
    }
    Ok(entry)
}

/// Installed packages whose manifests depend on `name`.
pub fn dependents(records: &Records, name: &str) -> Vec<String> {
    records
        .iter()
        .filter(|(n, _)| n.as_str() != name)
        .filter(|(_, e)| {
            e.manifest["dependencies"].as_array().is_some_and(|deps| {
                deps.iter()
                    .any(|d| d["name"].as_str().is_some_and(|dn| revitpy_names::package_name::normalize(dn) == name))
            })
        })
        .map(|(n, _)| n.clone())
        .collect()
}
