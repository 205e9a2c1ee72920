//! Code run from data: `exec`/`eval`/`compile` and `__import__` judged by
//! where their argument came from, and Python handed to another
//! interpreter with `-c`.

use super::lists::{IMPORTERS, PROCESS};
use super::{Out, executor_name};
use crate::facts::{Arg, Call, Facts};
use crate::flow::{Labels, matches, names};
use crate::report::Severity;

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

pub(super) fn dynamic_code(out: &mut Out<'_>, c: &Call, labels: Labels) {
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
            out.push(
                "exec-downloaded",
                Severity::Critical,
                "dynamic-code",
                c,
                format!("{exec}() runs code downloaded from the network"),
            );
        } else if labels.has(Labels::DECODED) || assembled {
            out.push(
                "exec-decoded",
                Severity::Critical,
                "dynamic-code",
                c,
                format!("{exec}() runs code that is decoded or assembled first (a way to hide it)"),
            );
        } else if !constant && !c.args.is_empty() {
            out.push("exec-dynamic", Severity::Medium, "dynamic-code", c, format!("{exec}() with a computed argument"));
        }
    }
    if matches(&c.name, names!(IMPORTERS)) && c.args.first().is_some_and(|a| a.literal.is_none()) {
        let sev =
            if labels.has(Labels::DECODED) || labels.has(Labels::FETCHED) { Severity::High } else { Severity::Low };
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
            // An argument list: the element after "-c".
            if let Some(i) = a.strings.iter().position(|s| s == "-c") {
                found.extend(a.strings.get(i + 1).cloned());
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
