//! Text from a registry or a package, made harmless to print on a terminal.
//!
//! A manifest's summary, a file name inside a package, an error `detail`
//! from a registry: each can carry characters a terminal obeys (ESC starts
//! sequences that clear the screen, set the window title or hide text; C1
//! controls such as U+009B do the same on some terminals; bidi overrides
//! reorder what is shown), so a publisher could rewrite what another user
//! sees. The printer passes every line through [`text`]; a one-line field of
//! a record goes through [`line`] first, so a newline in it cannot forge a
//! line either; JSON output goes through [`json`]. An escape is written as
//! Rust writes it (`\u{1b}`, `\n`): visible, and not obeyed.

use std::borrow::Cow;

/// Characters a terminal may act on instead of showing them.
fn is_dangerous(c: char) -> bool {
    matches!(c,
        // C0 controls (ESC, BEL, CR, backspace...), DEL and C1 controls.
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // Line and paragraph separators: a new line on some terminals.
        | '\u{2028}' | '\u{2029}')
}

fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text: newlines and tabs stay, every other control is escaped.
pub fn text(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c != '\n' && c != '\t' && is_dangerous(c))
}

/// A one-line field (a name, a summary, a path): newlines and tabs are
/// escaped too.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_where(s, is_dangerous)
}

/// Serialized JSON, still JSON: serde_json escapes C0 controls already;
/// DEL, C1 and the bidi characters become `\u` escapes, which JSON readers
/// turn back into the same strings. (Outside strings JSON has only ASCII
/// punctuation and whitespace, so every such character is inside a string.)
pub fn json(s: String) -> String {
    if !s.chars().any(|c| c > '\u{7e}' && is_dangerous(c)) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c > '\u{7e}' && is_dangerous(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A scan report whose every string from the package (file names,
/// snippets, messages built from its code) is a safe single line, for the
/// coloured text rendering: its own colour codes are then the only escape
/// sequences in it.
pub fn scan_report(report: &revitpy_scan::report::ScanReport) -> revitpy_scan::report::ScanReport {
    let one = |s: &String| line(s).into_owned();
    let all = |v: &Vec<String>| v.iter().map(one).collect::<Vec<_>>();
    let mut safe = report.clone();
    for f in &mut safe.findings {
        f.file = one(&f.file);
        f.snippet = one(&f.snippet);
        f.message = one(&f.message);
    }
    for c in &mut safe.compatibility {
        c.member = one(&c.member);
        c.revit_version = one(&c.revit_version);
        c.replacement = one(&c.replacement);
        c.file = one(&c.file);
    }
    let caps = &mut safe.capabilities;
    caps.network = all(&caps.network);
    caps.paths_written = all(&caps.paths_written);
    caps.processes = all(&caps.processes);
    caps.registry_keys = all(&caps.registry_keys);
    safe.impact.declared = one(&safe.impact.declared);
    safe.impact.reasons = all(&safe.impact.reasons);
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_shown_not_obeyed() {
        assert_eq!(text("clear\x1b[2Jscreen"), "clear\\u{1b}[2Jscreen");
        assert_eq!(text("\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(text("a\rb\x08c\x7fd"), "a\\rb\\u{8}c\\u{7f}d");
        assert_eq!(text("c1 \u{9b}31m"), "c1 \\u{9b}31m");
        assert_eq!(text("abc\u{202e}fed\u{2066}x\u{2069}"), "abc\\u{202e}fed\\u{2066}x\\u{2069}");
        assert_eq!(text("two\nlines\tand a tab"), "two\nlines\tand a tab");
        assert_eq!(line("two\nlines\tand a tab"), "two\\nlines\\tand a tab");
        assert_eq!(line("sep\u{2028}arated"), "sep\\u{2028}arated");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["wall-tools 1.2.0", "Wände prüfen", "日本語の説明", "עברית", "emoji 🧱", ""] {
            assert!(matches!(line(s), Cow::Borrowed(_)), "{s}");
            assert_eq!(line(s), s);
        }
    }

    #[test]
    fn json_stays_json_with_the_same_strings() {
        let value = serde_json::json!({"summary": "\x1b[2J\u{9b}\u{7f}\u{202e}\u{2028} ok é", "n": 1});
        let printed = json(serde_json::to_string_pretty(&value).unwrap());
        assert!(printed.chars().all(|c| c == '\n' || !is_dangerous(c)), "{printed:?}");
        assert!(printed.contains("\\u009b") && printed.contains("\\u202e") && printed.contains(" ok é"), "{printed}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&printed).unwrap(), value);
    }
}
