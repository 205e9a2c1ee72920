//! What the Python classes call, as plain Rust: each function takes paths,
//! returns a JSON document (text) or the message of a `ValueError`. The
//! Python side (`python/revitpy_package_manager/`) shapes these documents
//! into the original's dictionaries and objects; keeping the boundary to
//! text keeps one place where Rust values become Python ones.

use std::path::{Path, PathBuf};

use revitpy_check::{CheckOptions, check_file};
use revitpy_names::RevitYear;
use revitpy_rpyx::{BuildOptions, Limits, Package, Problem, build, source};
use serde_json::{Value, json};

/// The largest manifest file read when one is named (the CLI's own bound
/// for the manifest inside a package is the same order).
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

fn problems_text(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

/// The manifest of a source folder (`manifest_file`, else the CLI's search
/// order), as the package would hold it, with every problem found.
pub fn load_manifest(dir: &Path, manifest_file: Option<&Path>) -> Result<String, String> {
    if !dir.is_dir() {
        return Err(format!("Source directory does not exist: {}", dir.display()));
    }
    let loaded = match manifest_file {
        Some(file) => {
            let path = if file.is_absolute() { file.to_owned() } else { dir.join(file) };
            let size = std::fs::metadata(&path)
                .map_err(|e| format!("Manifest file not found: {} ({e})", path.display()))?
                .len();
            if size > MAX_MANIFEST_BYTES {
                return Err(format!("{} is larger than {MAX_MANIFEST_BYTES} bytes", path.display()));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            source::load_from_str(&name, &text)
        }
        None => source::load_from_dir(dir).map_err(|p| p.to_string())?,
    };
    let Some(manifest) = loaded.manifest else {
        return Err(format!(
            "{}: the manifest is not valid:\n{}",
            loaded.file,
            problems_text(&loaded.problems).join("\n")
        ));
    };
    Ok(json!({
        "file": loaded.file,
        "manifest": manifest.to_json(),
        "problems": problems_text(&loaded.problems),
    })
    .to_string())
}

/// Builds `dir` into `output` (reproducible; `SOURCE_DATE_EPOCH` honoured).
pub fn build_package(dir: &Path, output: &Path, include_dev: bool) -> Result<String, String> {
    let options = BuildOptions { include_dev, ..BuildOptions::from_env().map_err(|e| e.to_string())? };
    let report = build(dir, output, &options).map_err(|e| e.to_string())?;
    Ok(json!({
        "output": report.output,
        "manifest_file": report.manifest_source,
        "manifest": report.manifest.to_json(),
        "sha256": report.sha256,
        "size": report.size,
        "files": report.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        "uncompressed_bytes": report.uncompressed_bytes,
        "warnings": problems_text(&report.warnings),
    })
    .to_string())
}

/// Opens, verifies and (with `scan`) scans a package, as `validate` does;
/// with `revit_year`, judges it for that year.
pub fn check_package(path: &Path, revit_year: Option<u64>, scan: bool) -> Result<String, String> {
    let revit_year = revit_year.map(|y| RevitYear::new(y).map_err(|e| e.to_string())).transpose()?;
    let options = CheckOptions { revit_year, scan, ..CheckOptions::default() };
    let checked = check_file(path, &options).map_err(|e| format!("{}: {e}", path.display()))?;
    let package = checked.package.as_ref();
    // The manifest as the package holds it (the original returned the
    // archive's JSON, not a normalised form).
    let manifest = package
        .and_then(|p| p.manifest_bytes().ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .unwrap_or(Value::Null);
    let build_info = package
        .and_then(|p| p.build_info().ok().flatten())
        .and_then(|info| serde_json::to_value(info).ok())
        .unwrap_or(Value::Null);
    let scan = match &checked.scan {
        Some(Ok(report)) => serde_json::to_value(report).map_err(|e| e.to_string())?,
        Some(Err(why)) => json!({ "error": why }),
        None => Value::Null,
    };
    Ok(json!({
        "file_size": checked.file_size,
        "file_sha256": checked.file_sha256,
        "valid": checked.valid(),
        "compatible": checked.compatible(),
        "manifest": manifest,
        "build_info": build_info,
        "problems": checked.problems.iter().map(|p| json!({"error": p.is_error(), "text": p.to_string()})).collect::<Vec<_>>(),
        "files": checked.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        "revit_verdict": checked.revit_verdict.as_ref().map(serde_json::to_value).transpose().map_err(|e| e.to_string())?,
        "scan": scan,
    })
    .to_string())
}

/// Extracts a package's files into `dest`. Into a folder that holds files
/// only with `overwrite`: the package is extracted beside it first (every
/// entry checked, nothing written outside), then moved in file by file.
pub fn extract(path: &Path, dest: &Path, overwrite: bool) -> Result<String, String> {
    let package = Package::open(path, Limits::default()).map_err(|e| format!("{}: {e}", path.display()))?;
    let occupied = dest.is_dir() && std::fs::read_dir(dest).map_err(|e| e.to_string())?.next().is_some();
    let files = if !occupied {
        package.extract_to(dest).map_err(|e| format!("{}: {e}", path.display()))?
    } else if !overwrite {
        return Err(format!("Destination directory not empty: {}", dest.display()));
    } else {
        let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let staging = tempfile::Builder::new()
            .prefix(".rpyx-extract-")
            .tempdir_in(parent)
            .map_err(|e| format!("{}: {e}", parent.display()))?;
        let unpacked = staging.path().join("files");
        let files = package.extract_to(&unpacked).map_err(|e| format!("{}: {e}", path.display()))?;
        for file in &files {
            move_into(&unpacked, dest, &file.path)?;
        }
        files
    };
    let manifest = package
        .manifest_bytes()
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .unwrap_or(Value::Null);
    Ok(json!({
        "files": files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        "manifest": manifest,
    })
    .to_string())
}

/// Moves `relative` (an entry name the package reader has checked: no
/// `..`, not absolute) from `from` into `to`, replacing a file there.
fn move_into(from: &Path, to: &Path, relative: &str) -> Result<(), String> {
    let target: PathBuf = to.join(relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    if target.is_dir() {
        return Err(format!("{} is a folder; the package has a file there", target.display()));
    }
    std::fs::rename(from.join(relative), &target).map_err(|e| format!("{}: {e}", target.display()))
}
