//! Checks that need the package's files as well as its manifest.

use std::collections::HashSet;

use crate::manifest::Manifest;
use crate::problem::Problem;
use crate::script_paths;

/// Checks that entry points and hooks are well formed and name files that
/// are in the package.
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
        let is_hook = group != "entry_points";
        for (key, value) in map {
            // Checked again here: a manifest may have been built in code
            // rather than read, and the installer joins a hook's whole value
            // onto the package folder.
            let (checked, script) = if is_hook {
                (script_paths::check_hook(value), value.as_str())
            } else {
                (script_paths::check_entry_point(value), script_paths::entry_point_script(value))
            };
            let message = match checked {
                Err(message) => message,
                Ok(()) if !files.contains(script) => {
                    format!("`{script}` is not in the package; fix the path or add the file")
                }
                Ok(()) => continue,
            };
            let field = field_name(&format!("{group}.{key}"));
            problems.push(Problem::error(file, Some(&field), message));
        }
    }
    if !files.iter().any(|f| f.ends_with(".py")) {
        problems.push(Problem::warning(file, None, "the package has no Python file"));
    }
    problems
}
