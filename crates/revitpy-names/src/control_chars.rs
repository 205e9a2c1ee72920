//! Characters that change how text is shown instead of showing themselves.
//!
//! Manifest text and file names reach other users' terminals and web pages
//! (`search`, `info`, `validate`, install prompts, the scanner's findings). A
//! publisher who can put an escape sequence there can clear the screen, set
//! the window title, hide a line or rewrite one already printed; one who can
//! put a bidirectional override there can make `exe.py` read as `yp.exe`.
//! So these are refused:
//!
//! * C0 controls (U+0000 to U+001F), except in multi-line text the tab, the
//!   newline and a carriage return right before a newline (Windows line ends,
//!   which TOML and YAML sources written on Windows carry); a carriage return
//!   alone moves the cursor back over what was printed;
//! * DEL (U+007F) and the C1 controls (U+0080 to U+009F: U+009B starts an
//!   escape sequence on its own in some terminals);
//! * the bidirectional embeddings, overrides and isolates (U+202A to U+202E,
//!   U+2066 to U+2069). The marks U+200E, U+200F and U+061C are left alone:
//!   they only nudge neutral characters, and right-to-left text needs them.

use std::fmt::Write;

/// Whether text may hold line breaks and tabs (descriptions) or not (names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// True for the bidirectional embeddings, overrides and isolates.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True for a character that must never appear in shown text (see the module
/// documentation); tabs and line breaks are judged by [`find`].
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Whether `c`, followed by `next`, is refused in text of this kind.
fn refused(c: char, next: Option<char>, lines: Lines) -> bool {
    if !is_forbidden(c) {
        return false;
    }
    let allowed = lines == Lines::Multi
        && match c {
            '\n' | '\t' => true,
            '\r' => next == Some('\n'),
            _ => false,
        };
    !allowed
}

/// Each character of `text` with whether it is refused.
fn judged(text: &str, lines: Lines) -> impl Iterator<Item = (char, bool)> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        Some((c, refused(c, chars.peek().copied(), lines)))
    })
}

/// The first forbidden character of `text`: its position counted in
/// characters from 1, and the character.
pub fn find(text: &str, lines: Lines) -> Option<(usize, char)> {
    judged(text, lines).enumerate().find(|(_, (_, refused))| *refused).map(|(i, (c, _))| (i + 1, c))
}

/// `text` without the characters [`find`] refuses.
pub fn remove(text: &str, lines: Lines) -> String {
    judged(text, lines).filter(|(_, refused)| !refused).map(|(c, _)| c).collect()
}

/// `U+001B (escape)`: how a problem names a character it cannot print.
pub fn describe(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\u{7}' => "bell",
        '\u{8}' => "backspace",
        '\t' => "tab",
        '\n' => "line feed",
        '\r' => "carriage return",
        '\u{1b}' => "escape",
        '\u{7f}' => "delete",
        '\u{85}' => "next line",
        '\u{9b}' => "control sequence introducer",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        _ if is_bidi_control(c) => "bidirectional control",
        _ => "control character",
    };
    format!("U+{:04X} ({name})", u32::from(c))
}

/// `text` with every character [`find`] would refuse written as `\u{1b}`,
/// so it can be quoted in a message without acting on the terminal that
/// shows it. `Lines::Multi` keeps tabs and line breaks (a parser's message
/// quoting a source line), `Lines::Single` escapes them too (a name).
pub fn escape(text: &str, lines: Lines) -> String {
    if find(text, lines).is_none() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (c, refused) in judged(text, lines) {
        if refused {
            let _ = write!(out, "{}", c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_changes_the_display() {
        assert_eq!(find("plain Größe 壁", Lines::Single), None);
        assert_eq!(find("a\u{1b}[2J", Lines::Single), Some((2, '\u{1b}')));
        assert_eq!(find("tab\there", Lines::Single), Some((4, '\t')));
        assert_eq!(find("tab\there\nand\r\nmore", Lines::Multi), None);
        assert_eq!(find("lone\rreturn", Lines::Multi), Some((5, '\r')));
        assert_eq!(find("del\u{7f}", Lines::Multi), Some((4, '\u{7f}')));
        assert_eq!(find("c1\u{9b}", Lines::Multi), Some((3, '\u{9b}')));
        assert_eq!(find("ab\u{202e}cd", Lines::Multi), Some((3, '\u{202e}')));
        assert_eq!(find("x\u{2069}", Lines::Multi), Some((2, '\u{2069}')));
        // Marks that right-to-left text needs are not overrides.
        assert_eq!(find("שלום\u{200f} abc \u{200e}", Lines::Single), None);
    }

    #[test]
    fn escapes_for_messages() {
        assert_eq!(escape("ok", Lines::Single), "ok");
        assert_eq!(escape("a\u{1b}[1m\nb\u{202e}", Lines::Single), "a\\u{1b}[1m\\u{a}b\\u{202e}");
        assert_eq!(escape("a\u{1b}\r\n\tb\rc", Lines::Multi), "a\\u{1b}\r\n\tb\\u{d}c");
        assert_eq!(remove("a\u{1b}[2Jb\u{202e}c", Lines::Single), "a[2Jbc");
        assert_eq!(remove("Größe\r\nwall\rx\t", Lines::Multi), "Größe\r\nwallx\t");
        assert_eq!(describe('\u{1b}'), "U+001B (escape)");
        assert_eq!(describe('\u{2066}'), "U+2066 (left-to-right isolate)");
        assert_eq!(describe('\u{3}'), "U+0003 (control character)");
    }
}
