//! Python source bytes to text, the way Python decodes them: a UTF-8 BOM, or
//! a PEP 263 coding line on line 1 or 2, else UTF-8. Bytes that do not decode
//! are reported (and the lossy text is still scanned).

/// Encodings whose only use in an add-in is to hide code from reviewers.
use std::borrow::Cow;

const HIDING: &[&str] = &["rot13", "rot-13", "unicode-escape", "raw-unicode-escape", "utf-7", "utf7"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Borrowed when the bytes are already UTF-8 (nearly always): no copy.
    pub text: Cow<'a, str>,
    /// The declared encoding, normalised, if any.
    pub declared: Option<String>,
    /// Some bytes did not decode (replaced by U+FFFD in `text`).
    pub lossy: bool,
    /// The declared encoding is one used to hide code.
    pub hiding_encoding: bool,
    /// The declared encoding is unknown (decoded as UTF-8 instead).
    pub unknown_encoding: bool,
}

/// The PEP 263 cookie of one line: `coding[:=]\s*([-\w.]+)` in a comment.
fn cookie(line: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(line).ok()?;
    let trimmed = text.trim_start_matches([' ', '\t', '\x0c']);
    if !trimmed.starts_with('#') {
        return None;
    }
    let at = trimmed.find("coding")?;
    let rest = &trimmed[at + "coding".len()..];
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
    let name: String = rest
        .trim_start_matches([' ', '\t'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    (!name.is_empty()).then(|| name.to_ascii_lowercase().replace('_', "-"))
}

pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (text, lossy) = utf8(rest);
        return Decoded {
            text,
            declared: Some("utf-8".into()),
            lossy,
            hiding_encoding: false,
            unknown_encoding: false,
        };
    }
    let mut lines = bytes.split(|b| *b == b'\n');
    let first = lines.next().unwrap_or_default();
    let declared = cookie(first).or_else(|| {
        let first_is_comment_only = first.iter().all(|b| b.is_ascii_whitespace())
            || std::str::from_utf8(first).is_ok_and(|t| t.trim_start().starts_with('#'));
        if first_is_comment_only { lines.next().and_then(cookie) } else { None }
    });
    let Some(name) = declared else {
        let (text, lossy) = utf8(bytes);
        return Decoded { text, declared: None, lossy, hiding_encoding: false, unknown_encoding: false };
    };
    if HIDING.contains(&name.as_str()) {
        let (text, lossy) = utf8(bytes);
        return Decoded { text, declared: Some(name), lossy, hiding_encoding: true, unknown_encoding: false };
    }
    let label = match name.as_str() {
        n if n.starts_with("utf-8") || n == "utf8" => "utf-8",
        // encoding_rs maps these labels to windows-1252; Python means Latin-1.
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => {
            let text = Cow::Owned(bytes.iter().map(|&b| b as char).collect());
            return Decoded {
                text,
                declared: Some(name),
                lossy: false,
                hiding_encoding: false,
                unknown_encoding: false,
            };
        }
        "ascii" | "us-ascii" => {
            let lossy = !bytes.is_ascii();
            let (text, _) = utf8(bytes);
            return Decoded { text, declared: Some(name), lossy, hiding_encoding: false, unknown_encoding: false };
        }
        other => other,
    };
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(enc) => {
            let (text, lossy) = enc.decode_without_bom_handling(bytes);
            Decoded { text, declared: Some(name), lossy, hiding_encoding: false, unknown_encoding: false }
        }
        None => {
            let (text, lossy) = utf8(bytes);
            Decoded { text, declared: Some(name), lossy, hiding_encoding: false, unknown_encoding: true }
        }
    }
}

fn utf8(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    // from_utf8 is the fast validator; from_utf8_lossy walks chunk by chunk.
    match std::str::from_utf8(bytes) {
        Ok(t) => (Cow::Borrowed(t), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_boms_and_fallbacks() {
        assert_eq!(decode(b"print('x')\n").declared, None);
        assert_eq!(
            decode(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n").text,
            "# -*- coding: latin-1 -*-\nx = '\u{e9}'\n"
        );
        assert_eq!(
            decode(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx='\x80'\n").text.chars().last(),
            Some('\n')
        );
        let d = decode(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx='\x80'\n");
        assert_eq!(d.declared.as_deref(), Some("cp1252"));
        assert!(d.text.contains('\u{20ac}'));
        assert!(decode(b"# coding: rot13\nvzcbeg bf\n").hiding_encoding);
        assert!(decode(b"# coding: klingon\nx=1\n").unknown_encoding);
        assert!(decode(b"x = '\xff\xfe'\n").lossy);
        assert!(!decode(b"\xEF\xBB\xBFx = 1\n").lossy);
        // A cookie on line 3 does not count.
        assert_eq!(decode(b"x = 1\ny = 2\n# coding: latin-1\n").declared, None);
    }
}
