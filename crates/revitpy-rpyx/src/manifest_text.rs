//! The text rule for every string in a manifest: no terminal escapes, no
//! bidirectional overrides (see [`revitpy_names::control_chars`]).
//!
//! Manifest text is shown to other users: `search`, `info`, the server's
//! pages, install prompts. The rule is applied once, to the whole canonical
//! JSON object every source is mapped to, so it covers every field (name,
//! version, summary, description, author, keywords, categories, URLs, entry
//! points, hooks, dependency names and specifiers, known issues...), every
//! field name (an unknown key is quoted in a warning), and fields added
//! later, without each reader remembering to check.

use revitpy_names::control_chars::{self, Lines};
use serde_json::{Map, Value};

/// Fields whose text may run over several lines (tabs and line breaks
/// allowed); every other string is one line. PEP 621's `license = {text}`
/// holds a whole licence.
fn lines_of(field: &str) -> Lines {
    let known_issue = field.strip_prefix("revit_compatibility.known_issues[").is_some_and(|rest| {
        // `known_issues[3]` (a plain string) or `known_issues[3].description`.
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        rest == "]" || rest == "].description"
    });
    let multi = known_issue || matches!(field, "description" | "license" | "digital_signature" | "security_policy");
    if multi { Lines::Multi } else { Lines::Single }
}

/// A manifest string that breaks the rule: its field and the message.
pub struct TextProblem {
    pub field: String,
    pub message: String,
}

/// Returns `value` with the offending characters removed from each string
/// that breaks the rule, and a problem for each. The caller treats every
/// problem as an error (the manifest is refused) and reads the cleaned copy
/// on, so the other problems are still found and no later message quotes an
/// escape back to a terminal. Field names are escaped (`\u{1b}`) instead of
/// cleaned, so the problem shows which one it was.
pub fn sanitize(value: &Value) -> (Value, Vec<TextProblem>) {
    let mut problems = Vec::new();
    let clean = walk(value, "", &mut problems);
    (clean, problems)
}

fn walk(value: &Value, field: &str, problems: &mut Vec<TextProblem>) -> Value {
    match value {
        Value::String(s) => {
            let lines = lines_of(field);
            match control_chars::find(s, lines) {
                None => value.clone(),
                Some((at, c)) => {
                    problems.push(TextProblem {
                        field: field.to_owned(),
                        message: format!(
                            "contains {} at character {at}; remove it: control characters and bidirectional overrides can disguise what other users see{}",
                            control_chars::describe(c),
                            if lines == Lines::Single && matches!(c, '\n' | '\t' | '\r') {
                                " (this field is one line)"
                            } else {
                                ""
                            }
                        ),
                    });
                    Value::String(control_chars::remove(s, lines))
                }
            }
        }
        Value::Array(items) => {
            Value::Array(items.iter().enumerate().map(|(i, v)| walk(v, &format!("{field}[{i}]"), problems)).collect())
        }
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, v) in map {
                let clean_key = match control_chars::find(key, Lines::Single) {
                    None => key.clone(),
                    Some((_, c)) => {
                        let clean_key = control_chars::escape(key, Lines::Single);
                        problems.push(TextProblem {
                            field: join(field, &clean_key),
                            message: format!(
                                "the field name `{clean_key}` contains {}; remove it: control characters and bidirectional overrides can disguise what other users see",
                                control_chars::describe(c)
                            ),
                        });
                        clean_key
                    }
                };
                let child = join(field, &clean_key);
                let v = walk(v, &child, problems);
                out.insert(clean_key, v);
            }
            Value::Object(out)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => value.clone(),
    }
}

fn join(field: &str, key: &str) -> String {
    if field.is_empty() { key.to_owned() } else { format!("{field}.{key}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn multi_line_fields() {
        assert_eq!(lines_of("description"), Lines::Multi);
        assert_eq!(lines_of("revit_compatibility.known_issues[3]"), Lines::Multi);
        assert_eq!(lines_of("revit_compatibility.known_issues[3].description"), Lines::Multi);
        assert_eq!(lines_of("revit_compatibility.known_issues[3].affected_versions[0]"), Lines::Single);
        assert_eq!(lines_of("summary"), Lines::Single);
        assert_eq!(lines_of("entry_points.description"), Lines::Single);
    }

    #[test]
    fn escapes_and_names_each_bad_string() {
        let value = json!({"name": "a\u{1b}b", "description": "one\ntwo", "x\u{7}": {"k": ["ok", "\u{202e}"]}});
        let (clean, problems) = sanitize(&value);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "x\\u{7}", "x\\u{7}.k[1]"]);
        assert_eq!(clean["name"], "ab");
        assert_eq!(clean["description"], "one\ntwo");
        assert_eq!(clean["x\\u{7}"]["k"][1], "");
        assert!(problems[0].message.contains("U+001B (escape) at character 2; remove it"));
    }
}
