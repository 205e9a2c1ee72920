//! Python source to the facts rules look at, with tree-sitter-python (an
//! error-tolerant parser that also reads IronPython 2: `print "x"`,
//! `except E, e`). Names are resolved through imports and simple aliases
//! (`import subprocess as sp`, `from os import system as s`, `x = os.system`,
//! `getattr(os, "sys" + "tem")`), so renaming does not hide a call.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Parser};

#[derive(Debug, Clone)]
pub struct Arg {
    pub keyword: Option<String>,
    pub text: String,
    /// The value when the argument is a string literal (or a concatenation of them).
    pub literal: Option<String>,
    /// Qualified names of the calls inside the argument.
    pub inner_calls: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// Resolved qualified name (`subprocess.Popen`, `eval`).
    pub name: String,
    pub args: Vec<Arg>,
    pub line: usize,
    pub column: usize,
    pub snippet: String,
}

#[derive(Debug, Clone)]
pub struct Reference {
    /// An attribute chain as written (`element_id.IntegerValue`) with the head resolved.
    pub chain: Vec<String>,
    pub line: usize,
    pub column: usize,
    /// Assigned to, not read.
    pub store: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub imports: Vec<(String, usize)>,
    pub calls: Vec<Call>,
    pub references: Vec<Reference>,
    pub strings: Vec<(String, usize)>,
    /// Names the file defines itself (functions, classes, attributes set on `self`).
    pub defines: HashSet<String>,
    /// Lines with syntax the parser could not read.
    pub errors: Vec<usize>,
    /// Aliases to qualified names.
    pub aliases: HashMap<String, String>,
}

pub fn parse(text: &str) -> Facts {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_python::LANGUAGE.into()).expect("the grammar matches the runtime");
    let Some(tree) = parser.parse(text, None) else {
        return Facts { errors: vec![1], ..Facts::default() };
    };
    let mut facts = Facts::default();
    let src = text.as_bytes();
    let root = tree.root_node();
    collect_imports(root, src, &mut facts);
    walk(root, src, &mut facts);
    if root.has_error() {
        error_lines(root, &mut facts.errors);
        facts.errors.sort_unstable();
        facts.errors.dedup();
        if facts.errors.is_empty() {
            facts.errors.push(1);
        }
        python2_exec(text, &mut facts);
    }
    facts
}

/// Python 2's `exec <expression>` (not only a string or a name) is outside
/// the grammar: read each such line again as a call, so what it runs is seen.
fn python2_exec(text: &str, facts: &mut Facts) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("exec ") else { continue };
        if rest.trim_start().starts_with('(') || !facts.errors.contains(&(i + 1)) {
            continue;
        }
        let wrapped = format!("exec({})\n", rest.trim_end());
        let mut inner = parse_plain(&wrapped, &facts.aliases);
        for c in &mut inner.calls {
            c.line = i + 1;
            c.column = line.len() - trimmed.len() + 1;
        }
        facts.calls.extend(inner.calls);
    }
}

/// Parses without the Python 2 fallback, starting from known aliases.
fn parse_plain(text: &str, aliases: &HashMap<String, String>) -> Facts {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_python::LANGUAGE.into()).expect("the grammar matches the runtime");
    let mut facts = Facts { aliases: aliases.clone(), ..Facts::default() };
    if let Some(tree) = parser.parse(text, None) {
        walk(tree.root_node(), text.as_bytes(), &mut facts);
    }
    facts
}

/// Lines of ERROR and MISSING nodes, anonymous ones included.
fn error_lines(n: Node<'_>, out: &mut Vec<usize>) {
    if n.is_error() || n.is_missing() {
        out.push(n.start_position().row + 1);
        return;
    }
    if !n.has_error() {
        return;
    }
    let mut cursor = n.walk();
    for c in n.children(&mut cursor) {
        error_lines(c, out);
    }
}

fn text_of<'a>(n: Node<'_>, src: &'a [u8]) -> &'a str {
    n.utf8_text(src).unwrap_or("")
}

fn children(n: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor).collect()
}

fn collect_imports(n: Node<'_>, src: &[u8], facts: &mut Facts) {
    match n.kind() {
        "import_statement" => {
            for child in children(n) {
                let (module, alias) = match child.kind() {
                    "aliased_import" => (
                        child.child_by_field_name("name").map(|x| text_of(x, src).to_owned()).unwrap_or_default(),
                        child.child_by_field_name("alias").map(|x| text_of(x, src).to_owned()),
                    ),
                    _ => (text_of(child, src).to_owned(), None),
                };
                let line = child.start_position().row + 1;
                facts.imports.push((module.clone(), line));
                match alias {
                    Some(a) => {
                        facts.aliases.insert(a, module);
                    }
                    None => {
                        let head = module.split('.').next().unwrap_or(&module).to_owned();
                        facts.aliases.entry(head.clone()).or_insert(head);
                    }
                }
            }
        }
        "import_from_statement" => {
            let module = n.child_by_field_name("module_name").map(|x| text_of(x, src).to_owned()).unwrap_or_default();
            let line = n.start_position().row + 1;
            facts.imports.push((module.clone(), line));
            let mut cursor = n.walk();
            for child in n.children_by_field_name("name", &mut cursor) {
                let (name, alias) = match child.kind() {
                    "aliased_import" => (
                        child.child_by_field_name("name").map(|x| text_of(x, src).to_owned()).unwrap_or_default(),
                        child.child_by_field_name("alias").map(|x| text_of(x, src).to_owned()),
                    ),
                    _ => (text_of(child, src).to_owned(), None),
                };
                let local = alias.unwrap_or_else(|| name.rsplit('.').next().unwrap_or(&name).to_owned());
                facts.aliases.insert(local, format!("{module}.{name}"));
            }
        }
        _ => {
            for child in children(n) {
                collect_imports(child, src, facts);
            }
        }
    }
}

/// The value of a string literal, or of `+`-joined literals.
fn literal(n: Node<'_>, src: &[u8]) -> Option<String> {
    match n.kind() {
        "string" => {
            let mut out = String::new();
            for c in children(n) {
                if c.kind() == "string_content" {
                    out.push_str(text_of(c, src));
                }
            }
            // An f-string with interpolations is not a constant.
            if children(n).iter().any(|c| c.kind() == "interpolation") { None } else { Some(out) }
        }
        "concatenated_string" => children(n).into_iter().map(|c| literal(c, src)).collect(),
        "binary_operator" => {
            let op = n.child_by_field_name("operator").map(|o| text_of(o, src)).unwrap_or("");
            if op != "+" {
                return None;
            }
            let l = literal(n.child_by_field_name("left")?, src)?;
            let r = literal(n.child_by_field_name("right")?, src)?;
            Some(l + &r)
        }
        "parenthesized_expression" => children(n).first().and_then(|c| literal(*c, src)),
        _ => None,
    }
}

/// The qualified name an expression stands for, when it is a name, an
/// attribute chain, or `getattr(x, "const")`.
fn qualified(n: Node<'_>, src: &[u8], facts: &Facts) -> Option<String> {
    match n.kind() {
        "identifier" => {
            let name = text_of(n, src);
            Some(facts.aliases.get(name).cloned().unwrap_or_else(|| name.to_owned()))
        }
        "attribute" => {
            let object = qualified(n.child_by_field_name("object")?, src, facts)?;
            let attr = text_of(n.child_by_field_name("attribute")?, src);
            Some(format!("{object}.{attr}"))
        }
        "call" => {
            // getattr(os, "sys" + "tem") resolves like os.system.
            let f = n.child_by_field_name("function")?;
            if text_of(f, src) != "getattr" {
                return None;
            }
            let args = children(n.child_by_field_name("arguments")?);
            let object = qualified(*args.first()?, src, facts)?;
            let attr = literal(*args.get(1)?, src)?;
            Some(format!("{object}.{attr}"))
        }
        _ => None,
    }
}

fn chain(n: Node<'_>, src: &[u8], facts: &Facts) -> Vec<String> {
    match n.kind() {
        "identifier" => {
            let name = text_of(n, src);
            let resolved = facts.aliases.get(name).cloned().unwrap_or_else(|| name.to_owned());
            resolved.split('.').map(str::to_owned).collect()
        }
        "attribute" => {
            let mut c = n.child_by_field_name("object").map(|o| chain(o, src, facts)).unwrap_or_default();
            if c.is_empty() {
                c.push("?".into());
            }
            if let Some(a) = n.child_by_field_name("attribute") {
                c.push(text_of(a, src).to_owned());
            }
            c
        }
        _ => vec!["?".into()],
    }
}

fn inner_calls(n: Node<'_>, src: &[u8], facts: &Facts, out: &mut Vec<String>) {
    if n.kind() == "call"
        && let Some(f) = n.child_by_field_name("function")
    {
        match qualified(f, src, facts) {
            Some(q) => out.push(q),
            // `"".join(...)`, `(...).decode(...)`: keep the last attribute.
            None if f.kind() == "attribute" => {
                if let Some(a) = f.child_by_field_name("attribute") {
                    out.push(format!("?.{}", text_of(a, src)));
                }
            }
            None => {}
        }
    }
    if n.kind() == "subscript" && text_of(n, src).replace(' ', "").ends_with("[::-1]") {
        out.push("?.reversed".into());
    }
    for c in children(n) {
        inner_calls(c, src, facts, out);
    }
}

fn snippet(n: Node<'_>, src: &[u8]) -> String {
    let t = text_of(n, src);
    let line = t.lines().next().unwrap_or("");
    line.chars().take(160).collect()
}

fn walk(n: Node<'_>, src: &[u8], facts: &mut Facts) {
    walk_in(n, src, facts, false);
}

/// `in_attribute`: `n` is a direct child of an attribute node (its names are
/// part of that chain, not references of their own).
fn walk_in(n: Node<'_>, src: &[u8], facts: &mut Facts, in_attribute: bool) {
    match n.kind() {
        "function_definition" | "class_definition" => {
            if let Some(name) = n.child_by_field_name("name") {
                facts.defines.insert(text_of(name, src).to_owned());
            }
        }
        "assignment" => {
            if let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                // x = os.system: x now stands for os.system.
                if left.kind() == "identifier"
                    && matches!(right.kind(), "identifier" | "attribute" | "call")
                    && let Some(q) = qualified(right, src, facts)
                {
                    facts.aliases.insert(text_of(left, src).to_owned(), q);
                }
                if left.kind() == "attribute" {
                    if let Some(a) = left.child_by_field_name("attribute") {
                        facts.defines.insert(text_of(a, src).to_owned());
                    }
                    facts.references.push(Reference {
                        chain: chain(left, src, facts),
                        line: left.start_position().row + 1,
                        column: left.start_position().column + 1,
                        store: true,
                    });
                }
            }
        }
        "call" => {
            if let Some(f) = n.child_by_field_name("function") {
                let name = qualified(f, src, facts).unwrap_or_else(|| match f.kind() {
                    "attribute" => {
                        format!("?.{}", f.child_by_field_name("attribute").map(|a| text_of(a, src)).unwrap_or(""))
                    }
                    _ => "?".to_owned(),
                });
                let mut args = Vec::new();
                if let Some(arg_list) = n.child_by_field_name("arguments") {
                    for a in children(arg_list) {
                        let (keyword, value) = if a.kind() == "keyword_argument" {
                            (
                                a.child_by_field_name("name").map(|k| text_of(k, src).to_owned()),
                                a.child_by_field_name("value").unwrap_or(a),
                            )
                        } else {
                            (None, a)
                        };
                        let mut inner = Vec::new();
                        inner_calls(value, src, facts, &mut inner);
                        args.push(Arg {
                            keyword,
                            text: text_of(value, src).chars().take(400).collect(),
                            literal: literal(value, src),
                            inner_calls: inner,
                        });
                    }
                }
                facts.calls.push(Call {
                    name,
                    args,
                    line: n.start_position().row + 1,
                    column: n.start_position().column + 1,
                    snippet: snippet(n, src),
                });
            }
        }
        "attribute" => {
            facts.references.push(Reference {
                chain: chain(n, src, facts),
                line: n.start_position().row + 1,
                column: n.start_position().column + 1,
                store: false,
            });
        }
        // A bare name; names inside `a.b.c` are covered by the attribute.
        "identifier" if !in_attribute => {
            facts.references.push(Reference {
                chain: chain(n, src, facts),
                line: n.start_position().row + 1,
                column: n.start_position().column + 1,
                store: false,
            });
        }
        "string" => {
            if let Some(v) = literal(n, src) {
                facts.strings.push((v, n.start_position().row + 1));
            }
        }
        // Python 2's `exec code` statement is an exec call.
        "exec_statement" => {
            let code = n.child_by_field_name("code").unwrap_or(n);
            let mut inner = Vec::new();
            inner_calls(code, src, facts, &mut inner);
            facts.calls.push(Call {
                name: "exec".into(),
                args: vec![Arg {
                    keyword: None,
                    text: text_of(code, src).to_owned(),
                    literal: literal(code, src),
                    inner_calls: inner,
                }],
                line: n.start_position().row + 1,
                column: n.start_position().column + 1,
                snippet: snippet(n, src),
            });
        }
        _ => {}
    }
    let is_attribute = n.kind() == "attribute";
    let mut cursor = n.walk();
    if cursor.goto_first_child() {
        loop {
            let c = cursor.node();
            if c.is_named() {
                walk_in(c, src, facts, is_attribute);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_and_python2_parses() {
        let f = parse(
            "import subprocess as sp\nfrom os import system as s\nimport os\nrun = os.popen\nsp.call('x', shell=True)\ns('ls')\nrun('id')\ngetattr(os, 'sys' + 'tem')('whoami')\nprint \"legacy\"\ntry:\n    pass\nexcept Exception, e:\n    pass\n",
        );
        let names: Vec<&str> = f.calls.iter().map(|c| c.name.as_str()).collect();
        for want in ["subprocess.call", "os.system", "os.popen", "os.system"] {
            assert!(names.contains(&want), "{want} not in {names:?}");
        }
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let call = f.calls.iter().find(|c| c.name == "subprocess.call").unwrap();
        assert_eq!(call.args[1].keyword.as_deref(), Some("shell"));
        assert_eq!(call.args[0].literal.as_deref(), Some("x"));
    }

    #[test]
    fn broken_code_is_reported_and_still_read() {
        let f = parse("import os\ndef broken(:\n    pass\nos.system('x')\n");
        assert!(!f.errors.is_empty());
        assert!(f.calls.iter().any(|c| c.name == "os.system"));
    }
}
