//! All output goes through here: results to standard output (as text or as
//! JSON), messages to standard error, each gated by `--quiet`/`--verbose`.
//!
//! Much of what is printed came from a registry or a package, so every text
//! line is escaped ([`crate::escape::text`]) and JSON output too
//! ([`crate::escape::json`]): nothing printed here can drive the terminal.
//! The printer's own colours are added after escaping.

use std::io::{IsTerminal, Write};

use crate::cli::GlobalArgs;
use crate::escape;

pub struct Printer {
    json: bool,
    quiet: bool,
    verbose: bool,
    color: bool,
}

impl Printer {
    pub fn new(args: &GlobalArgs) -> Self {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self { json: args.json, quiet: args.quiet, verbose: args.verbose, color }
    }

    /// A progress bar on standard error, only on a terminal and never with
    /// `--json` or `--quiet`.
    pub fn progress(&self, total: u64, label: &str) -> Option<indicatif::ProgressBar> {
        if self.json || self.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(escape::line(label).into_owned());
        Some(bar)
    }

    pub fn json_mode(&self) -> bool {
        self.json
    }

    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// The same printer with JSON mode set as given (for a command's own
    /// output format option).
    pub fn with_json(&self, json: bool) -> Printer {
        Printer { json, quiet: self.quiet, verbose: self.verbose, color: self.color }
    }

    /// A line of a message on standard error (also with `--json`); `--quiet`
    /// silences it.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{}", escape::text(text.as_ref()));
        }
    }

    /// Prints a result value as JSON (only in `--json` mode).
    pub fn json(&self, value: &serde_json::Value) {
        let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
        let _ = writeln!(std::io::stdout().lock(), "{}", escape::json(text));
    }

    /// A line of the result, in text mode; `--quiet` silences it.
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.json && !self.quiet {
            let _ = writeln!(std::io::stdout().lock(), "{}", escape::text(text.as_ref()));
        }
    }

    /// Result text with its own colour codes, printed as is: only for text
    /// whose every part from a registry or a package was escaped already
    /// (the scan report rendered from [`escape::scan_report`]).
    pub fn styled_line(&self, text: impl AsRef<str>) {
        if !self.json && !self.quiet {
            let _ = writeln!(std::io::stdout().lock(), "{}", text.as_ref());
        }
    }

    /// A document the command exists to print (a shell's completion
    /// script), on standard output in every mode, as it is: the client
    /// wrote it itself, so there is nothing to escape, and `--quiet` does
    /// not silence what was asked for by name.
    pub fn document(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    }

    /// Detail shown only with `--verbose`.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose && !self.json {
            let _ = writeln!(std::io::stderr().lock(), "{}", escape::text(text.as_ref()));
        }
    }

    pub fn warning(&self, text: impl AsRef<str>) {
        if !self.quiet {
            let tag = self.paint("warning", "33");
            let _ = writeln!(std::io::stderr().lock(), "{tag}: {}", escape::text(text.as_ref()));
        }
    }

    /// Errors are always shown, on standard error, even with `--json`.
    pub fn error(&self, text: impl AsRef<str>) {
        let tag = self.paint("error", "31");
        let _ = writeln!(std::io::stderr().lock(), "{tag}: {}", escape::text(text.as_ref()));
    }

    /// A question on standard error, the answer to follow on the same line.
    pub fn prompt(&self, text: impl AsRef<str>) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{}", escape::text(text.as_ref()));
        let _ = err.flush();
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color { format!("\x1b[1;{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
}
