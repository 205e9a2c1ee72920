//! Code run from data: `exec`/`eval`/`compile` and `__import__` judged by
//! where their argument came from, and Python handed to another
//! interpreter with `-c`.

use super::lists::{IMPORTERS, PROCESS};
use super::{Out, executor_name};
use crate::facts::{Arg, Call, Facts};
use crate::flow::{Labels, matches, names};
use crate::report::Severity;
use crate::timing::When;

/// An argument that is a string template of Python code filled in place
/// (`'''def %s(self, *a):\n    return ...''' % (name,)`, an f-string, or
/// `.format`): the template itself defines code (a `def`, `lambda`,
/// `class` or `return`) in at least a line's worth of text.
pub(super) fn is_code_template(a: &Arg<'_>) -> bool {
    let t = a.text.trim_start().trim_start_matches(['f', 'F', 'r', 'R', 'u', 'U', 'b', 'B']);
    if a.literal.is_some() || !(t.starts_with('"') || t.starts_with('\'')) {
        return false;
    }
    let Some(template) = a.strings.first() else { return false };
    template.len() >= 24 && ["def ", "lambda", "class ", "return "].iter().any(|k| template.contains(k))
}

/// Whether the file holds a literal that looks like an encoded payload:
/// one word of base64 (16 characters or more, with upper and lower case
/// letters and digits, as encoded bytes have; names and constants like
/// `DEFAULT_SETTINGS` do not) or of hex (32 or more). Docstrings and prose
/// have spaces.
pub(super) fn holds_encoded_literal(facts: &Facts<'_>) -> bool {
    facts.strings.iter().any(|(s, _)| {
        let t = s.trim().as_bytes();
        let base64 = t.len() >= 16
            && t.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n'))
            && t.iter().any(u8::is_ascii_uppercase)
            && t.iter().any(u8::is_ascii_lowercase)
            && t.iter().any(u8::is_ascii_digit);
        base64 || t.len() >= 32 && t.iter().all(u8::is_ascii_hexdigit)
    })
}

pub(super) fn dynamic_code(out: &mut Out<'_>, facts: &Facts<'_>, c: &Call, labels: Labels) {
    if let Some(exec) = executor_name(c) {
        let constant = c.args.first().is_some_and(|a| a.literal.is_some());
        // Built from literals alone but not a literal: `"".join(["im", "port os"])`.
        let assembled = !constant
            && c.args.first().is_some_and(|a| a.names.is_empty() && !a.strings.is_empty() && !a.inner_calls.is_empty());
        // Code generated from a template written here (`'def %s(self): ...'
        // % name`): its shape is in the source for a reader to see; what
        // fills it (names received over a pipe, decoded identifiers) is
        // data, not a hidden program.
        let template = c.args.first().is_some_and(is_code_template);
        if template && labels.has(Labels::FETCHED | Labels::DECODED) {
            out.push(
                "exec-dynamic",
                Severity::Medium,
                "dynamic-code",
                c,
                format!("{exec}() runs code generated from a template written here, filled with computed values"),
            );
        } else if labels.has(Labels::FETCHED) {
            // Fetched and run while the package installs or loads, the
            // package's own act: critical. When a caller or its user asks (a
            // library function, a button, a Dynamo graph), a loader of remote
            // scripts (a team's script kept on GitHub, a scraper `eval`ing a
            // page's JavaScript literal) runs what its source serves: high,
            // for a reviewer. A raw IP, a paste site, a webhook or a bot in
            // the file makes it critical again (see `unasked_or_hidden_fetch`).
            let asked = matches!(out.timing(facts).at(facts, c.line), When::Call(..) | When::Program);
            if asked {
                out.defer(facts, "exec-downloaded", c, false);
            }
            out.push(
                "exec-downloaded",
                if asked { Severity::High } else { Severity::Critical },
                "dynamic-code",
                c,
                if asked {
                    format!("{exec}() runs code downloaded from the network, when asked")
                } else {
                    format!("{exec}() runs code downloaded from the network")
                },
            );
        } else if labels.has(Labels::DECODED) || assembled {
            // A payload the package carries (assembled here, an encoded
            // literal in the file) or one run as it installs or loads is the
            // package's own hidden code: critical. Decoding what a caller
            // hands over and running it when asked is how a library loads a
            // serialized function (tf-keras' `func_load`, a grammar's
            // constants): a deserializer, unsafe on untrusted input as
            // `pickle.loads` is, and judged as one (medium, for a reviewer).
            // A file that decodes a constant of its own (`bytes.fromhex('7FF8...')`)
            // may be running it: high.
            let unasked = matches!(out.timing(facts).at(facts, c.line), When::Install | When::Import);
            let carried = assembled || unasked || holds_encoded_literal(facts);
            // Another file of the package may call this function while it
            // installs or loads (`setup.py`'s install command, a module's
            // top level): then it is the package's own act, not a caller's.
            if !carried {
                out.defer(facts, "exec-decoded", c, false);
            }
            out.push(
                "exec-decoded",
                if carried {
                    Severity::Critical
                } else if out.decodes_a_literal(facts) {
                    Severity::High
                } else {
                    Severity::Medium
                },
                "dynamic-code",
                c,
                if carried {
                    format!("{exec}() runs code that is decoded or assembled first (a way to hide it)")
                } else {
                    format!("{exec}() runs code decoded from what its caller hands over, when asked")
                },
            );
        } else if !constant && !c.args.is_empty() {
            out.push("exec-dynamic", Severity::Medium, "dynamic-code", c, format!("{exec}() with a computed argument"));
        }
    }
    if matches(&c.name, names!(IMPORTERS)) && c.args.first().is_some_and(|a| a.literal.is_none()) {
        // A module name the file carries hidden (`__import__(b64decode('b3M='))`)
        // or decodes while installing or loading hides what it loads. One
        // decoded from what a caller hands over, when asked (a worker pool
        // unpickling which installer to import), names an installed module:
        // for a reviewer.
        let sev = if labels.has(Labels::DECODED) || labels.has(Labels::FETCHED) {
            if out.carried(facts, c.line) { Severity::High } else { Severity::Medium }
        } else {
            Severity::Low
        };
        out.push("import-dynamic", sev, "dynamic-code", c, format!("{}() with a computed module name", c.name));
    }
}

/// Python code a file starts in another interpreter (`[sys.executable,
/// "-c", CODE]`, `os.system('python -c "CODE"')`), with the line: it runs
/// as surely as the file's own code, so it is read like a decoded payload.
pub(crate) fn inline_python<'f>(facts: &'f Facts<'_>) -> impl Iterator<Item = (String, usize)> + 'f {
    facts.calls.iter().filter(|c| matches(&c.name, names!(PROCESS))).flat_map(|c| {
        let mut found = Vec::new();
        for a in &c.args {
            // An argument list: the element after "-c", written there or
            // kept in a variable (`['python3', '-c', CODE]`).
            if let Some(i) = a.strings.iter().position(|s| s == "-c") {
                match a.strings.get(i + 1) {
                    Some(code) => found.push(whole_string(facts, code, c.line)),
                    None => found.extend(a.names.iter().filter_map(|n| string_constant(facts, n))),
                }
            }
            // One command line: the quoted text after "-c".
            if let Some(line) = &a.literal
                && let Some(at) = line.find(" -c ")
            {
                let rest = line[at + 4..].trim_start();
                if let Some(q) = rest.chars().next().filter(|q| *q == '"' || *q == '\'')
                    && let Some(end) = rest.rfind(q).filter(|&e| e > 0)
                {
                    found.push(rest[1..end].to_owned());
                }
            }
        }
        found.into_iter().map(move |code| (code, c.line))
    })
}

/// The whole text of a string the facts keep cut (an argument keeps the
/// first 400 characters of its strings; a payload after `-c` is often
/// longer): among the first [`WHOLE_STRING_LOOKS`] of the file's string
/// literals from `line` on, the one that starts with it; else the cut
/// text. The literals are in source order, so a binary search finds
/// `line` (a file of 20,000 such calls costs 20,000 searches, not 20,000
/// walks).
fn whole_string(facts: &Facts<'_>, cut: &str, line: usize) -> String {
    if cut.chars().count() < 400 {
        return cut.to_owned();
    }
    let from = facts.strings.partition_point(|(_, l)| *l < line);
    facts.strings[from..]
        .iter()
        .take(WHOLE_STRING_LOOKS)
        .find(|(s, _)| s.len() > cut.len() && s.starts_with(cut))
        .map_or_else(|| cut.to_owned(), |(s, _)| s.to_string())
}

/// String literals looked at for the whole text of a cut one.
const WHOLE_STRING_LOOKS: usize = 64;

/// The text of a variable bound to one string constant (`CODE = """..."""`),
/// whole: the assignment keeps the first 400 characters of its strings, the
/// file's list of string literals the whole text.
pub(crate) fn string_constant(facts: &Facts<'_>, name: &str) -> Option<String> {
    let a = facts.assigns.iter().rev().find(|a| {
        matches!(a.targets.as_slice(), [t] if t == name)
            && a.calls.is_empty()
            && a.names.is_empty()
            && a.strings.len() == 1
    })?;
    facts
        .strings
        .iter()
        .find(|(s, line)| *line == a.line && s.starts_with(a.strings[0].as_str()))
        .map(|(s, _)| s.to_string())
}
