//! What a file holds past the part the scanner parses
//! ([`crate::MAX_PARSE_BYTES`]). A generated data module (moto's 4.9 MB
//! table of AWS policies) goes on with literals only: strings, numbers,
//! `True`/`False`/`None`, brackets and top-level `NAME = ...` assignments.
//! Nothing in such a tail runs, so not reading it hides nothing. Anything
//! else there (a call, a keyword, an f-string, a name) might run.
//!
//! Written by hand: a parser is what the limit keeps off these bytes. One
//! pass of a small lexer over the whole file knows, at the cut, whether it
//! stands inside a string, and then reads the tail token by token. Linear
//! in the file, no allocation.

/// Whether everything from byte `cut` of `text` is literal data.
pub(crate) fn holds_only_data(text: &str, cut: usize) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    // Where the current line's first token starts (for `NAME = ...`).
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        let in_tail = i >= cut;
        match c {
            b'#' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'\'' | b'"' => {
                i = skip_string(b, i);
                line_start = false;
            }
            _ if c.is_ascii_digit() || c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                // A number, with its exponent, base prefix, suffix or `_`s
                // (`1.5e3`, `0xff`, `2j`).
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                    i += 1;
                }
                line_start = false;
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                // A string prefix (`b"..."`, `rb'...'`); an f-string holds code.
                if i < b.len() && (b[i] == b'\'' || b[i] == b'"') && word.len() <= 2 {
                    let lower = word.to_ascii_lowercase();
                    if lower.bytes().all(|p| matches!(p, b'r' | b'b' | b'u' | b'f')) {
                        if lower.contains('f') && i >= cut {
                            return false;
                        }
                        i = skip_string(b, i);
                        line_start = false;
                        continue;
                    }
                }
                if in_tail && !matches!(word, "True" | "False" | "None") {
                    // `NAME = ` at the start of a line: a module-level constant.
                    let rest = text[i..].trim_start_matches([' ', '\t']);
                    let assigns = line_start && rest.starts_with('=') && !rest.starts_with("==");
                    if !assigns {
                        return false;
                    }
                }
                line_start = false;
            }
            b' ' | b'\t' | b'\r' | b'\\' => i += 1,
            _ => {
                // Numbers, brackets, commas, colons, signs, `=` of an
                // assignment: no calls (a `(` after a name or a closing
                // bracket is one).
                if in_tail && c == b'(' {
                    let before = text[..i].trim_end_matches([' ', '\t']);
                    if before.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_' || p == ')' || p == ']') {
                        return false;
                    }
                }
                if in_tail && matches!(c, b'@' | b';') {
                    return false;
                }
                line_start = false;
                i += 1;
            }
        }
    }
    true
}

/// The index just past the string literal opening at `i` (a quote).
fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        let c = b[j];
        // An escaped quote does not end it, in a raw string either.
        if c == b'\\' {
            j += 2;
            continue;
        }
        if c == q {
            if !triple {
                return j + 1;
            }
            if b.len() >= j + 3 && b[j + 1] == q && b[j + 2] == q {
                return j + 3;
            }
        }
        if c == b'\n' && !triple {
            // An unterminated one-line string ends at the line's end.
            return j;
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::holds_only_data;

    #[test]
    fn literals_past_the_cut_are_data_and_anything_that_runs_is_not() {
        let head = "import json\nPOLICIES = {\n";
        let data = "  'A': {'Arn': \"arn:aws:iam::aws:policy/A\", 'Doc': '''x(y)\\n''', 'n': -1.5e3, 'ok': True},\n}\nMORE = [None, b'\\x00', r'\\d(']\n";
        let text = format!("{head}{data}");
        assert!(holds_only_data(&text, head.len()));
        for code in [
            "}\nimport os\n",
            "}\nos.system('x')\n",
            "  'a': f'{x()}',\n}\n",
            "}\n@d\ndef f(): pass\n",
            "  'a': (lambda: 1),\n}\n",
            "}\nx = 1; y()\n",
        ] {
            let text = format!("{head}{code}");
            assert!(!holds_only_data(&text, head.len()), "{code:?}");
        }
        // A string that opens before the cut and closes after it.
        let text = "X = '''\nimport os\nos.system(1)\n'''\nY = 2\n";
        assert!(holds_only_data(text, text.find("import").unwrap()));
        // A hostile tail built to look like data: a call after a string.
        let text = "X = {\n}\n'a'.join(['b'])\n";
        assert!(!holds_only_data(text, 8));
    }
}
