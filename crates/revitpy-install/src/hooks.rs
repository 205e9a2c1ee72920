//! Install and uninstall hooks: run only when the user allows them, shown
//! first, as the original ran them: `python <script>` with the package's
//! folder as working folder (the interpreter from `REVITPY_PYTHON`, else
//! `python` on the PATH).

use std::collections::BTreeMap;
use std::path::Path;

use crate::printer::Printer;

pub fn run(printer: &Printer, dir: &Path, hooks: &BTreeMap<String, String>, kind: &str) -> Result<(), String> {
    let python = std::env::var("REVITPY_PYTHON").unwrap_or_else(|_| "python".to_owned());
    for (name, script) in hooks {
        let path = dir.join(script);
        if !path.is_file() {
            return Err(format!("{kind} hook `{name}`: {script} is not in the package"));
        }
        printer.line(format!(
            "running {kind} hook `{}`: {python} {}",
            crate::escape::line(name),
            crate::escape::line(script)
        ));
        let status = std::process::Command::new(&python)
            .arg(&path)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot start `{python}` for the {kind} hook `{name}`: {e}; set REVITPY_PYTHON"))?;
        if !status.success() {
            return Err(format!("the {kind} hook `{name}` ({script}) failed with {status}"));
        }
    }
    Ok(())
}
