//! Checks that need the package's files as well as its manifest.

use std::collections::HashSet;

use crate::manifest::Manifest;
use crate::problem::Problem;

/// Checks that entry points and hooks name files that are in the package.
/// `files` are the package's relative paths (`/`-separated); `file` names the
/// manifest source for the problems.
pub fn check_files(
    manifest: &Manifest,
    files: &HashSet<&str>,
    file: &str,
    field_name: &dyn Fn(&str) -> String,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (group, map) in [
        ("entry_points", &manifest.entry_points),
        ("install_hooks", &manifest.install_hooks),
        ("uninstall_hooks", &manifest.uninstall_hooks),
    ] {
        for (key, path) in map {
            // An entry point may name a function in the script: `path.py:main`.
            let script = path.split_once(':').map_or(path.as_str(), |(p, _)| p);
            if !files.contains(script) {
                let field = field_name(&format!("{group}.{key}"));
                problems.push(Problem::error(
                    file,
                    Some(&field),
                    format!("`{script}` is not in the package; fix the path or add the file"),
                ));
            }
        }
    }
    if !files.iter().any(|f| f.ends_with(".py")) {
        problems.push(Problem::warning(file, None, "the package has no Python file"));
    }
    problems
}
