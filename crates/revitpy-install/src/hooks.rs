//! Install and uninstall hooks: run only when the user allows them, shown
//! first, as the original ran them: `python <script>` with the package's
//! folder as working folder (the interpreter from `REVITPY_PYTHON`, else
//! `python` on the PATH).
//!
//! A hook's output (standard output and error as one stream) is passed on
//! through the printer line by line, as notes on standard error: escaped
//! like all text from a package, silenced by `--quiet`, and never mixed into
//! the results on standard output (which `--json` keeps parsable).

use std::collections::BTreeMap;
use std::io::BufRead;
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
        let cannot_start = |e: std::io::Error| {
            format!("cannot start `{python}` for the {kind} hook `{name}`: {e}; set REVITPY_PYTHON")
        };
        let (output, write_end) = std::io::pipe().map_err(cannot_start)?;
        let mut command = std::process::Command::new(&python);
        command
            .arg(&path)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .stdout(write_end.try_clone().map_err(cannot_start)?)
            .stderr(write_end);
        let mut child = command.spawn().map_err(cannot_start)?;
        // The command holds the pipe's write ends: dropped, the pipe ends
        // when the hook (and whatever it started) closes its own.
        drop(command);
        for line in std::io::BufReader::new(output).split(b'\n') {
            let line = line.map_err(|e| format!("reading the output of the {kind} hook `{name}`: {e}"))?;
            printer.note(String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(&line)));
        }
        let status = child.wait().map_err(|e| format!("waiting for the {kind} hook `{name}`: {e}"))?;
        if !status.success() {
            return Err(format!("the {kind} hook `{name}` ({script}) failed with {status}"));
        }
    }
    Ok(())
}
