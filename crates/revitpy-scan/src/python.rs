//! Python source to the facts rules look at, with tree-sitter-python (an
//! error-tolerant parser that also reads IronPython 2: `print "x"`,
//! `except E, e`). Names are resolved through imports and simple aliases
//! (`import subprocess as sp`, `from os import system as s`, `x = os.system`,
//! `getattr(os, "sys" + "tem")`), so renaming does not hide a call.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use tree_sitter::{Node, Parser};

use crate::facts::{
    HIDING_CODECS, MAX_CHAIN_LEVELS, MAX_NAME_BYTES, Summary, last_segments, line_of, link_arguments, prefix_chars,
    truncate_chars,
};
// The data model's public home was this module: its paths stay.
pub use crate::facts::{Arg, Assign, Call, Facts, MAX_DEPTH, Reference};
use crate::fold::{self, Budget};

/// The line of the first node deeper than [`MAX_DEPTH`], found without recursion.
fn too_deep(root: Node<'_>) -> Option<usize> {
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        if depth > MAX_DEPTH {
            return Some(cursor.node().start_position().row + 1);
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
            depth -= 1;
        }
    }
}

/// Facts of one file: from ruff's parser when it reads the file cleanly
/// (fast), else from tree-sitter (error-tolerant, Python 2, deep nesting).
/// Folding has a budget of its own ([`parse_within`] shares one).
pub fn parse(text: &str) -> Facts<'_> {
    parse_within(text, &Budget::new())
}

/// [`parse`], folding constants within `budget` (one per scanned file,
/// shared with the payloads decoded from it).
pub fn parse_within<'s>(text: &'s str, budget: &Budget) -> Facts<'s> {
    budget.grant(text.len());
    if crate::python_ruff::ordinary(text)
        && let Some(facts) = crate::python_ruff::parse(text, budget)
    {
        return facts;
    }
    parse_tree_sitter_within(text, budget)
}

/// Whether ruff reads `text` as Python 3 without an error (and within the
/// nesting guard).
pub fn parses_cleanly(text: &str) -> bool {
    crate::python_ruff::ordinary(text) && crate::python_ruff::parses(text)
}

/// Facts from tree-sitter-python alone.
pub fn parse_tree_sitter(text: &str) -> Facts<'_> {
    let budget = Budget::new();
    budget.grant(text.len());
    parse_tree_sitter_within(text, &budget)
}

fn parse_tree_sitter_within<'s>(text: &'s str, budget: &Budget) -> Facts<'s> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_python::LANGUAGE.into()).expect("the grammar matches the runtime");
    let Some(tree) = parser.parse(text, None) else {
        return Facts { errors: vec![1], ..Facts::default() };
    };
    let mut facts = Facts::default();
    let src = text.as_bytes();
    let root = tree.root_node();
    // The passes below recurse; a file nested absurdly deep (no real code
    // is) would exhaust the stack. It is reported instead of read.
    if let Some(line) = too_deep(root) {
        facts.too_deep = Some(line);
        return facts;
    }
    collect_imports(root, src, &mut facts);
    walk(root, src, &mut facts, budget);
    import_time(root, src, &mut facts, budget);
    if let Some(at) = budget.take_refusal() {
        facts.fold_refused = Some(line_of(text, at));
    }
    link_arguments(&mut facts);
    crate::returns::drop_unreturned_arguments(&mut facts);
    if root.has_error() {
        error_lines(root, &mut facts.errors);
        facts.errors.sort_unstable();
        facts.errors.dedup();
        if facts.errors.is_empty() {
            facts.errors.push(1);
        }
        python2_exec(text, &mut facts, budget);
    }
    facts
}

/// A statement's first and last lines (from 1); a node that ends at a
/// line's start (after its newline) ends on the line before.
fn statement_lines(n: Node<'_>) -> (usize, usize) {
    let (start, end) = (n.start_position(), n.end_position());
    let last = if end.column == 0 && end.row > start.row { end.row } else { end.row + 1 };
    (start.row + 1, last)
}

/// Top-level loops and calls: what importing the module does.
fn import_time(root: Node<'_>, src: &[u8], facts: &mut Facts<'_>, budget: &Budget) {
    for stmt in children(root) {
        let line = stmt.start_position().row + 1;
        match stmt.kind() {
            "for_statement" | "while_statement" => facts.import_time.push(("loop".into(), line)),
            "expression_statement" => {
                let Some(e) = stmt.named_child(0) else { continue };
                let value = if e.kind() == "assignment" { e.child_by_field_name("right") } else { Some(e) };
                if let Some(v) = value.filter(|v| v.kind() == "call")
                    && let Some(f) = v.child_by_field_name("function")
                {
                    let name = qualified(f, src, facts, budget).unwrap_or_else(|| "?".into());
                    facts.import_time.push((name, line));
                }
            }
            _ => {}
        }
    }
}

/// Python 2's `exec <expression>` (not only a string or a name) is outside
/// the grammar: read each such line again as a call, so what it runs is seen.
fn python2_exec(text: &str, facts: &mut Facts<'_>, budget: &Budget) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("exec ") else { continue };
        // `errors` is sorted: one binary search per line, not a scan.
        if rest.trim_start().starts_with('(') || facts.errors.binary_search(&(i + 1)).is_err() {
            continue;
        }
        let wrapped = format!("exec({})\n", rest.trim_end());
        let mut inner = parse_plain(&wrapped, &facts.aliases, budget);
        // A fold refused in the wrapped line is refused on this line.
        if budget.take_refusal().is_some() && facts.fold_refused.is_none() {
            facts.fold_refused = Some(i + 1);
        }
        for c in &mut inner.calls {
            c.line = i + 1;
            c.column = line.len() - trimmed.len() + 1;
        }
        facts.calls.extend(inner.calls.into_iter().map(|c| c.into_owned()));
    }
}

/// Parses without the Python 2 fallback, starting from known aliases.
fn parse_plain<'t>(text: &'t str, aliases: &HashMap<String, String>, budget: &Budget) -> Facts<'t> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_python::LANGUAGE.into()).expect("the grammar matches the runtime");
    let mut facts = Facts { aliases: aliases.clone(), ..Facts::default() };
    if let Some(tree) = parser.parse(text, None)
        && too_deep(tree.root_node()).is_none()
    {
        walk(tree.root_node(), text.as_bytes(), &mut facts, budget);
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

/// A call's arguments; `f(x for x in y)` has the generator as its one argument.
fn call_args(n: Node<'_>) -> Option<Vec<Node<'_>>> {
    let list = n.child_by_field_name("arguments")?;
    Some(if list.kind() == "generator_expression" { vec![list] } else { children(list) })
}

fn text_of<'a>(n: Node<'_>, src: &'a [u8]) -> &'a str {
    n.utf8_text(src).unwrap_or("")
}

fn children(n: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor).collect()
}

fn collect_imports(n: Node<'_>, src: &[u8], facts: &mut Facts<'_>) {
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
                    // Over-long names stay unresolved (see MAX_NAME_BYTES).
                    Some(a) if module.len() <= MAX_NAME_BYTES => {
                        facts.aliases.insert(a, module);
                    }
                    Some(_) => {}
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
                if module.len() + name.len() < MAX_NAME_BYTES {
                    facts.aliases.insert(local, format!("{module}.{name}"));
                }
            }
        }
        // Imports are statements: only statement containers can hold them,
        // so expressions (most of a file) are never entered.
        "module"
        | "block"
        | "if_statement"
        | "elif_clause"
        | "else_clause"
        | "try_statement"
        | "except_clause"
        | "except_group_clause"
        | "finally_clause"
        | "with_statement"
        | "for_statement"
        | "while_statement"
        | "function_definition"
        | "class_definition"
        | "decorated_definition"
        | "match_statement"
        | "case_clause"
        | "ERROR" => {
            let mut cursor = n.walk();
            if cursor.goto_first_child() {
                loop {
                    let c = cursor.node();
                    if c.is_named() {
                        collect_imports(c, src, facts);
                    }
                    if !cursor.goto_next_sibling() {
                        break;
                    }
                }
            }
        }
        _ => {}
    }
}

/// The value of a string literal, or of `+`-joined literals.
fn literal(n: Node<'_>, src: &[u8], budget: &Budget) -> Option<String> {
    if !budget.step(n.start_byte()) {
        return None;
    }
    match n.kind() {
        "string" => {
            let mut out = String::new();
            let prefix = n.child(0).filter(|c| c.kind() == "string_start").map_or("", |c| text_of(c, src));
            let raw = prefix.bytes().any(|b| b == b'r' || b == b'R');
            let bytes = prefix.bytes().any(|b| b == b'b' || b == b'B');
            let mut buf = Vec::new();
            for c in children(n) {
                if c.kind() == "string_content" {
                    if raw {
                        buf.extend_from_slice(text_of(c, src).as_bytes());
                    } else {
                        unescape(text_of(c, src), bytes, &mut buf);
                    }
                }
            }
            // Bytes literals are read like ruff reads them: lossily as text.
            out.push_str(&String::from_utf8_lossy(&buf));
            // An f-string with interpolations is not a constant.
            if children(n).iter().any(|c| c.kind() == "interpolation") { None } else { Some(out) }
        }
        "concatenated_string" => children(n).into_iter().map(|c| literal(c, src, budget)).collect(),
        "binary_operator" => {
            // The left spine `((a + b) + c) + d` in one loop: a chain of
            // thousands of terms is sized once and built once.
            let mut rights = Vec::new();
            let mut left = n;
            while left.kind() == "binary_operator" {
                if left.child_by_field_name("operator").map(|o| text_of(o, src)) != Some("+") {
                    return None;
                }
                rights.push(left.child_by_field_name("right")?);
                left = left.child_by_field_name("left")?;
            }
            if !budget.steps_n(rights.len(), n.start_byte()) {
                return None;
            }
            let mut parts = Vec::with_capacity(rights.len() + 1);
            parts.push(literal(left, src, budget)?);
            for r in rights.into_iter().rev() {
                parts.push(literal(r, src, budget)?);
            }
            fold::concat(budget, &parts, n.start_byte())
        }
        "parenthesized_expression" => children(n).first().and_then(|c| literal(*c, src, budget)),
        // "abc"[::-1]
        "subscript" => {
            if !is_reverse_slice(text_of(n.child_by_field_name("subscript")?, src)) {
                return None;
            }
            let value = literal(n.child_by_field_name("value")?, src, budget)?;
            fold::reverse(budget, &value, n.start_byte())
        }
        "call" => fold_call(n, src, budget),
        _ => None,
    }
}

/// An operand of `^` that is integer bit arithmetic: a shift (`h >> 16`,
/// `1 << 7`) or a negation (`-(n & 1)`). XOR with one mixes the bits of a
/// hash or a zig-zag code (avro's `(n >> 1) ^ -(n & 1)`); it decrypts
/// nothing. (The fast front-end's `is_bit_arithmetic` says the same.)
fn bit_arithmetic(n: Option<Node<'_>>, src: &[u8]) -> bool {
    let Some(mut n) = n else { return false };
    while n.kind() == "parenthesized_expression" {
        match children(n).first() {
            Some(c) => n = *c,
            None => return false,
        }
    }
    match n.kind() {
        "binary_operator" => n.child_by_field_name("operator").is_some_and(|o| matches!(text_of(o, src), "<<" | ">>")),
        "unary_operator" => n.child_by_field_name("operator").is_some_and(|o| text_of(o, src) == "-"),
        _ => false,
    }
}

/// `::-1` as written (spaces allowed), without a copy of the text.
fn is_reverse_slice(index: &str) -> bool {
    index.bytes().filter(|&b| b != b' ').eq(*b"::-1")
}

/// Python's escape sequences, as the interpreter reads them (tree-sitter
/// keeps the source text).
fn unescape(text: &str, bytes: bool, out: &mut Vec<u8>) {
    let push = |c: char, out: &mut Vec<u8>| {
        let mut b = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            push(c, out);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push(b'\\');
            break;
        };
        let hex = |n: usize, chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let digits: String = (0..n).filter_map(|_| chars.next_if(char::is_ascii_hexdigit)).collect();
            u32::from_str_radix(&digits, 16).ok()
        };
        // In bytes literals \x and octal escapes are bytes, not characters.
        let code = |v: u32, out: &mut Vec<u8>| {
            if bytes && v < 256 {
                out.push(v as u8);
            } else if let Some(ch) = char::from_u32(v) {
                push(ch, out);
            }
        };
        match e {
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            'r' => out.push(b'\r'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                code(v, out);
            }
            'a' => out.push(7),
            'b' => out.push(8),
            'f' => out.push(12),
            'v' => out.push(11),
            'x' => {
                if let Some(v) = hex(2, &mut chars) {
                    code(v, out);
                }
            }
            'u' if !bytes => {
                if let Some(v) = hex(4, &mut chars) {
                    code(v, out);
                }
            }
            'U' if !bytes => {
                if let Some(v) = hex(8, &mut chars) {
                    code(v, out);
                }
            }
            '\n' => {}
            '\\' | '\'' | '"' => push(e, out),
            other => {
                out.push(b'\\');
                push(other, out);
            }
        }
    }
}

/// Folds the calls obfuscators use on constants: `"".join([...])`,
/// `"".join(map(chr, [...]))`, `"".join(chr(c) for c in [...])`,
/// `"".join(x[::-1] for x in [...])`, `chr(101)`, `bytes.fromhex("...")`,
/// `base64.b64decode("...")`, `"...".replace("^", "")`, each optionally
/// followed by `.decode()`.
/// Every result is sized and taken from the file's [`Budget`] first.
fn fold_call(n: Node<'_>, src: &[u8], budget: &Budget) -> Option<String> {
    let at = n.start_byte();
    if !budget.step(at) {
        return None;
    }
    let f = n.child_by_field_name("function")?;
    let args = call_args(n)?;
    let method = f.child_by_field_name("attribute").map(|a| text_of(a, src));
    match (f.kind(), method) {
        // A copy of the object: taken too, or `.encode().encode()...` would keep a copy per call.
        ("attribute", Some("decode" | "encode")) => {
            let v = literal(f.child_by_field_name("object")?, src, budget)?;
            budget.take(v.len(), at).then_some(v)
        }
        ("attribute", Some("replace")) if args.len() == 2 => {
            let v = literal(f.child_by_field_name("object")?, src, budget)?;
            let (old, new) = (literal(args[0], src, budget)?, literal(args[1], src, budget)?);
            fold::replace(budget, &v, &old, &new, at)
        }
        ("attribute", Some("join")) => {
            let sep = literal(f.child_by_field_name("object")?, src, budget)?;
            let items = fold_sequence(*args.first()?, src, budget)?;
            fold::join(budget, &items, &sep, at)
        }
        ("attribute", Some("fromhex")) | ("attribute", Some("unhexlify")) | ("identifier", _)
            if text_of(f, src).ends_with("fromhex") || text_of(f, src).ends_with("unhexlify") =>
        {
            fold::from_hex(budget, &literal(*args.first()?, src, budget)?, at)
        }
        (_, Some("b64decode" | "decodebytes" | "decodestring" | "standard_b64decode" | "urlsafe_b64decode"))
        | ("identifier", None)
            if text_of(f, src).ends_with("b64decode")
                || text_of(f, src).ends_with("decodebytes")
                || text_of(f, src).ends_with("decodestring") =>
        {
            fold::from_base64(budget, &literal(*args.first()?, src, budget)?, at)
        }
        ("identifier", None) if text_of(f, src) == "chr" => {
            let code: u32 = text_of(*args.first()?, src).parse().ok()?;
            char::from_u32(code).map(String::from)
        }
        _ => None,
    }
}

/// The items of a constant sequence: a list or tuple of literals,
/// `map(chr, [ints])`, or a generator over a constant list whose body is the
/// variable, `chr(var)` or `var[::-1]`.
fn fold_sequence(n: Node<'_>, src: &[u8], budget: &Budget) -> Option<Vec<String>> {
    if !budget.step(n.start_byte()) {
        return None;
    }
    match n.kind() {
        "list" | "tuple" => children(n).into_iter().map(|c| literal(c, src, budget)).collect(),
        "call" => {
            let f = n.child_by_field_name("function")?;
            let args = call_args(n)?;
            if text_of(f, src) != "map" || text_of(*args.first()?, src) != "chr" {
                return None;
            }
            ints_to_chars(*args.get(1)?, src)
        }
        "generator_expression" | "list_comprehension" => {
            let body = n.child_by_field_name("body")?;
            let clause = children(n).into_iter().find(|c| c.kind() == "for_in_clause")?;
            let var = text_of(clause.child_by_field_name("left")?, src);
            let source = clause.child_by_field_name("right")?;
            // The bodies folded here are short: a long one is not copied to be compared.
            let body_text = text_of(body, src);
            if body_text.len() > 256 {
                return None;
            }
            let body_text = body_text.replace(' ', "");
            if body_text == format!("chr({var})") {
                ints_to_chars(source, src)
            } else {
                let items = fold_sequence(source, src, budget)?;
                if body_text == var {
                    Some(items)
                } else if body_text == format!("{var}[::-1]") {
                    items.iter().map(|s| fold::reverse(budget, s, n.start_byte())).collect()
                } else {
                    None
                }
            }
        }
        _ => None,
    }
}

fn ints_to_chars(n: Node<'_>, src: &[u8]) -> Option<Vec<String>> {
    if !matches!(n.kind(), "list" | "tuple") {
        return None;
    }
    children(n)
        .into_iter()
        .map(|c| text_of(c, src).parse::<u32>().ok().and_then(char::from_u32).map(String::from))
        .collect()
}

/// The qualified name an expression stands for, when it is a name, an
/// attribute chain, or `getattr(x, "const")`.
fn qualified(n: Node<'_>, src: &[u8], facts: &Facts<'_>, budget: &Budget) -> Option<String> {
    let q = qualified_raw(n, src, facts, budget).filter(|q| q.len() <= MAX_NAME_BYTES)?;
    // `__builtins__.exec`, `builtins.eval`, `__builtin__.compile` are the builtins themselves.
    for prefix in ["__builtins__.", "builtins.", "__builtin__."] {
        if let Some(rest) = q.strip_prefix(prefix) {
            return Some(rest.to_owned());
        }
    }
    Some(q)
}

fn qualified_raw(n: Node<'_>, src: &[u8], facts: &Facts<'_>, budget: &Budget) -> Option<String> {
    match n.kind() {
        // `vars(__builtins__)["ex" + "ec"]`: a builtin looked up by name.
        "subscript" => {
            let key = literal(n.child_by_field_name("subscript")?, src, budget)?;
            ["exec", "eval", "compile", "__import__", "execfile", "open"].contains(&key.as_str()).then_some(key)
        }
        // `a if cond else getattr(__builtins__, "exec")`: either branch.
        // Children are the value, the condition and the alternative; the condition is not a candidate.
        "conditional_expression" => {
            let parts = children(n);
            [parts.first(), parts.get(2)].into_iter().flatten().find_map(|c| qualified(*c, src, facts, budget))
        }
        "parenthesized_expression" => qualified(*children(n).first()?, src, facts, budget),
        "identifier" => {
            let name = text_of(n, src);
            Some(facts.aliases.get(name).cloned().unwrap_or_else(|| name.to_owned()))
        }
        "attribute" => {
            let object = qualified(n.child_by_field_name("object")?, src, facts, budget)?;
            let attr = text_of(n.child_by_field_name("attribute")?, src);
            Some(format!("{object}.{attr}"))
        }
        "call" => {
            // getattr(os, "sys" + "tem") resolves like os.system;
            // __import__("os") and importlib.import_module("os") like os.
            let f = n.child_by_field_name("function")?;
            let args = call_args(n)?;
            let callee = qualified(f, src, facts, budget)?;
            if callee == "__import__" || callee == "importlib.import_module" {
                return literal(*args.first()?, src, budget);
            }
            if callee != "getattr" {
                return None;
            }
            let object = qualified(*args.first()?, src, facts, budget)?;
            let attr = literal(*args.get(1)?, src, budget)?;
            Some(format!("{object}.{attr}"))
        }
        _ => None,
    }
}

/// Whether any part of a name or attribute chain is a member of the Revit
/// API table, checked without allocating.
fn names_revit_member(n: Node<'_>, src: &[u8], facts: &Facts<'_>) -> bool {
    let mut node = n;
    loop {
        match node.kind() {
            "attribute" => {
                if node.child_by_field_name("attribute").is_some_and(|a| crate::revit::is_member(text_of(a, src))) {
                    return true;
                }
                match node.child_by_field_name("object") {
                    Some(o) => node = o,
                    None => return false,
                }
            }
            "identifier" => {
                let name = text_of(node, src);
                return match facts.aliases.get(name) {
                    Some(q) => q.split('.').any(crate::revit::is_member),
                    None => crate::revit::is_member(name),
                };
            }
            _ => return false,
        }
    }
}

fn chain(n: Node<'_>, src: &[u8], facts: &Facts<'_>) -> Vec<String> {
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

/// Whether a subscript's text ends in `[::-1]` (spaces allowed), read
/// from the end without a copy.
/// Whether a subscripted value may be text (see
/// [`crate::flow::yields_text`]): anything but the result of a call that
/// gives a sequence.
fn may_be_text(value: Option<Node<'_>>, src: &[u8], facts: &Facts<'_>, budget: &Budget) -> bool {
    let Some(v) = value.filter(|v| v.kind() == "call") else { return true };
    let Some(f) = v.child_by_field_name("function") else { return false };
    let callee = qualified(f, src, facts, budget).or_else(|| {
        (f.kind() == "attribute")
            .then(|| f.child_by_field_name("attribute"))
            .flatten()
            .map(|a| format!("?.{}", text_of(a, src)))
    });
    callee.is_some_and(|name| crate::flow::yields_text(&name))
}

/// `s[::-1].replace(old[::-1], new[::-1], 1)` under a reversing slice:
/// text reversed, changed from its end and reversed back, which reads
/// forwards again (the fast front-end's `reversed_back` says the same).
/// Gives the reversed text `s` and the call's arguments.
fn reversed_back<'t>(n: Node<'t>, src: &[u8]) -> Option<(Node<'t>, Vec<Node<'t>>)> {
    if !ends_with_reverse_slice(text_of(n, src)) {
        return None;
    }
    let mut call = n.child_by_field_name("value")?;
    while call.kind() == "parenthesized_expression" {
        call = *children(call).first()?;
    }
    let f = call.child_by_field_name("function").filter(|f| call.kind() == "call" && f.kind() == "attribute")?;
    let method = text_of(f.child_by_field_name("attribute")?, src);
    let reversed = f.child_by_field_name("object").filter(|o| o.kind() == "subscript")?;
    if !crate::flow::REVERSIBLE_TEXT_METHODS.contains(&method) || !ends_with_reverse_slice(text_of(reversed, src)) {
        return None;
    }
    let args = call.child_by_field_name("arguments").map(children).unwrap_or_default();
    Some((reversed.child_by_field_name("value")?, args))
}

fn ends_with_reverse_slice(text: &str) -> bool {
    text.bytes().rev().filter(|&b| b != b' ').take(6).eq(b"[::-1]".iter().rev().copied())
}

/// A `maketrans` call given a table of a few characters written out (the
/// fast front-end's `escape_table` says the same; see
/// [`crate::flow::ESCAPE_TABLE`]).
fn escape_table(call: Node<'_>, src: &[u8], budget: &Budget) -> bool {
    let Some(list) = call.child_by_field_name("arguments") else { return false };
    let args: Vec<Node<'_>> = children(list);
    if args.iter().any(|a| a.kind() == "keyword_argument") {
        return false;
    }
    match args.as_slice() {
        [d] if d.kind() == "dictionary" => {
            let pairs: Vec<Node<'_>> = children(*d);
            pairs.len() < crate::flow::CIPHER_ALPHABET
                && pairs.iter().all(|p| {
                    p.kind() == "pair"
                        && p.child_by_field_name("key").is_some_and(|k| literal(k, src, budget).is_some())
                        && p.child_by_field_name("value").is_some_and(|v| literal(v, src, budget).is_some())
                })
        }
        [from, to, ..] => {
            literal(*from, src, budget).is_some_and(|f| f.chars().count() < crate::flow::CIPHER_ALPHABET)
                && literal(*to, src, budget).is_some()
        }
        _ => false,
    }
}

/// `chr(10)` and the other numbers of [`crate::flow::WHITESPACE_CODES`]:
/// see the ruff front-end's `whitespace_char`.
fn whitespace_char(call: Node<'_>, src: &[u8]) -> bool {
    let Some(args) = call.child_by_field_name("arguments") else { return false };
    match children(args).as_slice() {
        [only] => {
            only.kind() == "integer"
                && int_value(text_of(*only, src)).is_some_and(|v| crate::flow::WHITESPACE_CODES.contains(&v))
        }
        _ => false,
    }
}

/// An integer literal's value (`10`, `0x0A`, `1_0`), as ruff reads it.
fn int_value(text: &str) -> Option<u64> {
    let t = text.replace('_', "").to_ascii_lowercase();
    let (digits, radix) = match t.get(..2) {
        Some("0x") => (&t[2..], 16),
        Some("0o") => (&t[2..], 8),
        Some("0b") => (&t[2..], 2),
        _ => (t.as_str(), 10),
    };
    u64::from_str_radix(digits, radix).ok()
}

/// The one `for` clause of a comprehension, when it has only one.
fn single_clause(comprehension: Node<'_>) -> Option<Node<'_>> {
    let mut clauses = children(comprehension).into_iter().filter(|c| c.kind() == "for_in_clause");
    let first = clauses.next()?;
    clauses.next().is_none().then_some(first)
}

/// The prefixes a comprehension keeps of the environment's variables (as
/// `python_ruff::env_prefixes`): its one `for` clause walks `os.environ` (or
/// its `items()`, `keys()`) and an `if` clause tests the variable's name with
/// `startswith` and written, non-empty prefixes, alone or joined by `and`.
fn env_prefixes(clause: Node<'_>, src: &[u8], facts: &Facts, budget: &Budget) -> Option<Vec<String>> {
    let comprehension = clause.parent()?;
    if single_clause(comprehension)?.id() != clause.id() {
        return None;
    }
    let right = clause.child_by_field_name("right")?;
    let whole = right.kind() == "call";
    let source = if whole {
        let args = right.child_by_field_name("arguments")?;
        if args.named_child_count() != 0 {
            return None;
        }
        qualified(right.child_by_field_name("function")?, src, facts, budget)?
    } else {
        qualified(right, src, facts, budget)?
    };
    if !(whole && matches!(source.as_str(), "os.environ.items" | "os.environ.keys") || !whole && source == "os.environ")
    {
        return None;
    }
    let left = clause.child_by_field_name("left")?;
    let var = match left.kind() {
        "identifier" => text_of(left, src),
        "pattern_list" | "tuple_pattern" => {
            let first = left.named_child(0).filter(|f| f.kind() == "identifier")?;
            text_of(first, src)
        }
        _ => return None,
    };
    fn tests(e: Node<'_>, var: &str, src: &[u8], budget: &Budget, out: &mut Vec<String>) {
        match e.kind() {
            "parenthesized_expression" => {
                if let Some(inner) = e.named_child(0) {
                    tests(inner, var, src, budget, out);
                }
            }
            "boolean_operator" if e.child_by_field_name("operator").is_some_and(|o| text_of(o, src) == "and") => {
                for side in [e.child_by_field_name("left"), e.child_by_field_name("right")].into_iter().flatten() {
                    tests(side, var, src, budget, out);
                }
            }
            "call" => {
                let Some(f) = e.child_by_field_name("function").filter(|f| f.kind() == "attribute") else { return };
                let (Some(object), Some(attr)) = (f.child_by_field_name("object"), f.child_by_field_name("attribute"))
                else {
                    return;
                };
                if text_of(attr, src) != "startswith" || object.kind() != "identifier" || text_of(object, src) != var {
                    return;
                }
                let Some(first) = e.child_by_field_name("arguments").and_then(|a| a.named_child(0)) else { return };
                let written: Option<Vec<String>> = match first.kind() {
                    "string" => literal(first, src, budget).map(|v| vec![v]),
                    "tuple" => children(first)
                        .into_iter()
                        .map(|x| (x.kind() == "string").then(|| literal(x, src, budget)).flatten())
                        .collect(),
                    _ => None,
                };
                if let Some(w) = written.filter(|w| !w.is_empty() && w.iter().all(|p| !p.is_empty())) {
                    out.extend(w);
                }
            }
            _ => {}
        }
    }
    let mut prefixes = Vec::new();
    for c in children(comprehension).into_iter().filter(|c| c.kind() == "if_clause") {
        if let Some(cond) = c.named_child(0) {
            tests(cond, var, src, budget, &mut prefixes);
        }
    }
    (!prefixes.is_empty()).then_some(prefixes)
}

fn summarize(n: Node<'_>, src: &[u8], facts: &Facts, out: &mut Summary, budget: &Budget) {
    // The environment's variables of a few prefixes: one kind of value read
    // out of it, not the whole (see `facts::env_selection`).
    if matches!(
        n.kind(),
        "list_comprehension" | "set_comprehension" | "dictionary_comprehension" | "generator_expression"
    ) && let Some(clause) = single_clause(n)
        && let Some(prefixes) = env_prefixes(clause, src, facts, budget)
    {
        for c in children(n).into_iter().filter(|c| c.id() != clause.id()) {
            summarize(c, src, facts, out, budget);
        }
        out.calls.push(crate::facts::ENV_SELECTION.to_owned());
        out.strings.extend(prefixes);
        return;
    }
    // Folded once, here: the arms below look at the result.
    let folded =
        if matches!(n.kind(), "call" | "binary_operator" | "subscript") { literal(n, src, budget) } else { None };
    match n.kind() {
        // Reversed, changed and reversed back (see `reversed_back`): the
        // text reads forwards.
        "subscript"
            if folded.is_none()
                && let Some((text, args)) = reversed_back(n, src) =>
        {
            summarize(text, src, facts, out, budget);
            for a in args {
                let unreversed = (a.kind() == "subscript" && ends_with_reverse_slice(text_of(a, src)))
                    .then(|| a.child_by_field_name("value"))
                    .flatten();
                summarize(unreversed.unwrap_or(a), src, facts, out, budget);
            }
            return;
        }
        "call" | "binary_operator" | "subscript" if n.kind() != "subscript" || folded.is_some() => {
            if let Some(v) = &folded {
                out.strings.push(prefix_chars(v, 400).to_owned());
            }
            if n.kind() == "subscript" && ends_with_reverse_slice(text_of(n, src)) {
                out.calls.push("?.reversed".into());
            }
            // A constant `"a" + "b"` or `"abc"[::-1]` is read whole; `x + y` is read part by part below.
            if n.kind() != "call" && folded.is_some() {
                return;
            }
            // `b ^ key[i]`: XOR is how small payloads are decrypted.
            if n.kind() == "binary_operator"
                && n.child_by_field_name("operator").is_some_and(|o| text_of(o, src) == "^")
                && !bit_arithmetic(n.child_by_field_name("left"), src)
                && !bit_arithmetic(n.child_by_field_name("right"), src)
            {
                out.calls.push("?.xor".into());
            }
            if let Some(f) = n.child_by_field_name("function") {
                match qualified(f, src, facts, budget) {
                    Some(q) if crate::flow::result_holds_no_argument(&q) => {
                        out.calls.push(q);
                        return;
                    }
                    // A separator written as a number decodes nothing.
                    Some(q) if q == "chr" && whitespace_char(n, src) => return,
                    // An escaping table is neither a decoder's call nor its name.
                    Some(q) if q.ends_with("maketrans") && escape_table(n, src, budget) => {
                        out.calls.push(crate::flow::ESCAPE_TABLE.into());
                        if let Some(list) = n.child_by_field_name("arguments") {
                            summarize(list, src, facts, out, budget);
                        }
                        return;
                    }
                    Some(q) => out.calls.push(q),
                    // `"".join(...)`, `(...).decode(...)`: keep the last attribute.
                    None if f.kind() == "attribute" => {
                        if let Some(a) = f.child_by_field_name("attribute") {
                            out.calls.push(format!("?.{}", text_of(a, src)));
                        }
                    }
                    None => {}
                }
                // `payload.decode("base64")`, `s.encode("rot13")`: a decoder in disguise.
                if f.kind() == "attribute"
                    && f.child_by_field_name("attribute")
                        .is_some_and(|a| matches!(text_of(a, src), "decode" | "encode"))
                    && let Some(first) = n.child_by_field_name("arguments").and_then(|a| a.named_child(0))
                    && let Some(codec) = literal(first, src, budget)
                    && HIDING_CODECS.contains(&codec.to_ascii_lowercase().replace('-', "_").as_str())
                {
                    out.calls.push("codecs.decode".into());
                }
            }
        }
        "subscript" => {
            if ends_with_reverse_slice(text_of(n, src))
                && may_be_text(n.child_by_field_name("value"), src, facts, budget)
            {
                out.calls.push("?.reversed".into());
            }
            // os.environ["KEY"] reads one variable, not the whole environment.
            if let Some(value) = n.child_by_field_name("value")
                && qualified(value, src, facts, budget).as_deref() == Some("os.environ")
            {
                let key = n
                    .child_by_field_name("subscript")
                    .and_then(|k| literal(k, src, budget))
                    .unwrap_or_else(|| "?".into());
                out.push_name(format!("os.environ[{key}]"));
                if let Some(k) = n.child_by_field_name("subscript") {
                    summarize(k, src, facts, out, budget);
                }
                return;
            }
        }
        "attribute" => {
            if let Some(q) = qualified(n, src, facts, budget) {
                out.push_name(q);
                // The object is named by the chain; only calls inside it remain.
                if let Some(o) = n.child_by_field_name("object")
                    && o.kind() != "identifier"
                    && o.kind() != "attribute"
                {
                    summarize(o, src, facts, out, budget);
                }
                return;
            }
            if let Some(o) = n.child_by_field_name("object") {
                summarize(o, src, facts, out, budget);
            }
            return;
        }
        "identifier" => {
            let name = text_of(n, src);
            out.add_name(facts.aliases.get(name).map_or(name, String::as_str));
            return;
        }
        "string" => {
            if let Some(v) = literal(n, src, budget) {
                out.strings.push(truncate_chars(v, 400));
            }
        }
        // `"a" "b"` is one string.
        "concatenated_string" => {
            if let Some(v) = literal(n, src, budget) {
                out.strings.push(truncate_chars(v, 400));
                return;
            }
        }
        // `x if cond else y` is x or y: the condition picks, it is not
        // carried (`probes = [] if config["mirror"] else [URL]`).
        "conditional_expression" => {
            let parts: Vec<Node<'_>> = children(n).into_iter().filter(|c| c.kind() != "comment").collect();
            for c in [parts.first(), parts.get(2)].into_iter().flatten() {
                summarize(*c, src, facts, out, budget);
            }
            return;
        }
        // A lambda's parameters are bindings, not reads.
        "lambda" => {
            if let Some(body) = n.child_by_field_name("body") {
                summarize(body, src, facts, out, budget);
            }
            return;
        }
        // Keyword names are not reads. A process's `env=` is the child's,
        // not what the call gives back.
        "keyword_argument" | "dictionary_splat" => {
            let keyword = if n.kind() == "dictionary_splat" {
                Some("**")
            } else {
                n.child_by_field_name("name").map(|k| text_of(k, src))
            };
            let stays = keyword.is_some_and(|k| {
                n.parent()
                    .filter(|list| list.kind() == "argument_list")
                    .and_then(|list| list.parent())
                    .and_then(|call| call.child_by_field_name("function"))
                    .and_then(|f| {
                        qualified(f, src, facts, budget).or_else(|| {
                            (f.kind() == "attribute")
                                .then(|| f.child_by_field_name("attribute"))
                                .flatten()
                                .map(|a| format!("?.{}", text_of(a, src)))
                        })
                    })
                    .is_some_and(|q| crate::flow::keyword_stays_in_call(&q, k))
            });
            if stays {
                return;
            }
            if n.kind() == "keyword_argument" {
                if let Some(v) = n.child_by_field_name("value") {
                    summarize(v, src, facts, out, budget);
                }
                return;
            }
        }
        _ => {}
    }
    let mut cursor = n.walk();
    if cursor.goto_first_child() {
        loop {
            let c = cursor.node();
            if c.is_named() {
                summarize(c, src, facts, out, budget);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// Names a target binds: `x`, `a, b`, `self.x`.
/// The plain names a `for` target binds (`x`, `k, (a, *b)`); an attribute
/// or an item (`for self.x in`, `for d[k] in`) binds no name.
fn bound_names(n: Node<'_>, src: &[u8], out: &mut Vec<String>) {
    match n.kind() {
        "identifier" => out.push(text_of(n, src).to_owned()),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "tuple"
        | "list"
        | "parenthesized_expression"
        | "list_splat_pattern"
        | "list_splat" => {
            for c in children(n) {
                bound_names(c, src, out);
            }
        }
        _ => {}
    }
}

fn targets(n: Node<'_>, src: &[u8], out: &mut Vec<String>) {
    match n.kind() {
        "identifier" | "attribute" => out.push(text_of(n, src).to_owned()),
        // `msg["Subject"] = x`, `data[i] = x`: the container holds x.
        "subscript" => {
            if let Some(v) = n.child_by_field_name("value") {
                targets(v, src, out);
            }
        }
        "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" | "parenthesized_expression" => {
            for c in children(n) {
                targets(c, src, out);
            }
        }
        _ => {}
    }
}

fn push_assign(target_node: Option<Node<'_>>, value: Node<'_>, src: &[u8], facts: &mut Facts<'_>, budget: &Budget) {
    let mut names = Vec::new();
    if let Some(t) = target_node {
        targets(t, src, &mut names);
    }
    push_assign_to(names, value, src, facts, budget);
}

fn push_assign_to(targets: Vec<String>, value: Node<'_>, src: &[u8], facts: &mut Facts<'_>, budget: &Budget) {
    if targets.is_empty() {
        return;
    }
    let mut sum = Summary::default();
    summarize(value, src, facts, &mut sum, budget);
    if sum.calls.is_empty() && sum.names.is_empty() && sum.strings.is_empty() {
        let line = value.start_position().row + 1;
        facts.empty_bindings.extend(targets.into_iter().filter(|t| !t.contains('.')).map(|t| (t, line)));
        return;
    }
    facts.assigns.push(Assign {
        targets,
        name_counts: sum.name_counts(),
        calls: sum.calls,
        names: sum.names,
        strings: sum.strings,
        line: value.start_position().row + 1,
        scope_line: value.start_position().row + 1,
    });
}

/// `(lambda s: exec(s))(decoded)`: the arguments bind the lambda's
/// parameters, as an assignment would (positional ones, up to the first
/// `*args`, `*` or `**kwargs` on either side).
fn lambda_arguments(call: Node<'_>, src: &[u8], facts: &mut Facts<'_>, budget: &Budget) {
    let Some(mut f) = call.child_by_field_name("function") else { return };
    while f.kind() == "parenthesized_expression" {
        let Some(inner) = f.named_child(0) else { return };
        f = inner;
    }
    if f.kind() != "lambda" {
        return;
    }
    let (Some(ps), Some(args)) = (f.child_by_field_name("parameters"), call.child_by_field_name("arguments")) else {
        return;
    };
    let params = children(ps).into_iter().map_while(|p| (p.kind() == "identifier").then(|| text_of(p, src)));
    let args = children(args)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .map_while(|a| (!matches!(a.kind(), "keyword_argument" | "list_splat" | "dictionary_splat")).then_some(a));
    for (name, arg) in params.zip(args).collect::<Vec<_>>() {
        push_assign_to(vec![name.to_owned()], arg, src, facts, budget);
    }
}

/// The innermost enclosing function's name, for `return`.
fn enclosing_function(n: Node<'_>, src: &[u8]) -> Option<String> {
    let mut p = n.parent();
    while let Some(x) = p {
        if x.kind() == "function_definition" {
            return x.child_by_field_name("name").map(|f| text_of(f, src).to_owned());
        }
        p = x.parent();
    }
    None
}

fn snippet<'s>(n: Node<'_>, src: &'s [u8]) -> Cow<'s, str> {
    let t = text_of(n, src);
    let line = t.lines().next().unwrap_or("");
    Cow::Borrowed(prefix_chars(line, 160))
}

fn walk<'s>(n: Node<'_>, src: &'s [u8], facts: &mut Facts<'s>, budget: &Budget) {
    walk_in(n, src, facts, 0, budget);
}

/// `level`: how many attribute nodes `n` is directly under, in one chain (0
/// when its parent is not an attribute; names under an attribute are part
/// of that chain, not references of their own).
fn walk_in<'s>(n: Node<'_>, src: &'s [u8], facts: &mut Facts<'s>, level: usize, budget: &Budget) {
    let in_attribute = level > 0;
    match n.kind() {
        "function_definition" | "class_definition" => {
            if let Some(name) = n.child_by_field_name("name") {
                facts.defines.insert(text_of(name, src).to_owned());
                let mut own_params = Vec::new();
                let mut positional = 0;
                if let Some(ps) = n.child_by_field_name("parameters") {
                    // Parameters before the first `*args`, `*` or `**kwargs`
                    // (typed or not) take positional arguments.
                    let splat = |p: Node<'_>| {
                        matches!(p.kind(), "list_splat_pattern" | "dictionary_splat_pattern" | "keyword_separator")
                            || (p.kind() == "typed_parameter"
                                && p.named_child(0).is_some_and(|c| {
                                    matches!(c.kind(), "list_splat_pattern" | "dictionary_splat_pattern")
                                }))
                    };
                    let named = |p: Node<'_>| match p.kind() {
                        "identifier" => Some(text_of(p, src)),
                        _ => p
                            .child_by_field_name("name")
                            .or_else(|| p.named_child(0))
                            .filter(|c| c.kind() == "identifier")
                            .map(|c| text_of(c, src)),
                    };
                    positional = children(ps)
                        .into_iter()
                        .take_while(|&p| !splat(p))
                        .filter_map(named)
                        .filter(|p| *p != "self" && *p != "cls")
                        .count();
                    let names: Vec<String> = children(ps)
                        .into_iter()
                        .filter_map(|p| match p.kind() {
                            "identifier" => Some(text_of(p, src).to_owned()),
                            _ => p
                                .child_by_field_name("name")
                                .or_else(|| p.named_child(0))
                                .filter(|c| c.kind() == "identifier")
                                .map(|c| text_of(c, src).to_owned()),
                        })
                        .filter(|p| p != "self" && p != "cls")
                        .collect();
                    own_params.clone_from(&names);
                    facts.params.insert(text_of(name, src).to_owned(), names);
                }
                // From the `def`/`class` line (decorators excluded) to the body's last line.
                let end = n.end_position();
                let last_line = if end.column == 0 && end.row > n.start_position().row { end.row } else { end.row + 1 };
                let first_line = name.start_position().row + 1;
                if n.kind() == "function_definition" {
                    // `async` is an unnamed token, the definition's first child.
                    let is_async = n.child(0).is_some_and(|c| c.kind() == "async");
                    let decorators: Vec<&str> = n
                        .parent()
                        .filter(|p| p.kind() == "decorated_definition")
                        .map(|p| {
                            children(p)
                                .into_iter()
                                .filter(|d| d.kind() == "decorator")
                                .filter_map(|d| d.named_child(0))
                                .filter_map(|e| {
                                    let callee =
                                        if e.kind() == "call" { e.child_by_field_name("function")? } else { e };
                                    match callee.kind() {
                                        "attribute" => callee.child_by_field_name("attribute").map(|a| text_of(a, src)),
                                        "identifier" => Some(text_of(callee, src)),
                                        _ => None,
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if crate::facts::chat_handler(text_of(name, src), is_async, &decorators) {
                        crate::facts::receive(facts, &own_params, first_line);
                    }
                    facts.functions.push(crate::facts::Function {
                        name: text_of(name, src).to_owned(),
                        first_line,
                        last_line,
                        params: own_params,
                        positional,
                    });
                } else {
                    facts.classes.push((text_of(name, src).to_owned(), first_line, last_line));
                }
            }
        }
        "augmented_assignment" => {
            if let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                push_assign(Some(left), right, src, facts, budget);
                if n.child_by_field_name("operator").is_some_and(|o| text_of(o, src) == "^=")
                    && !bit_arithmetic(Some(right), src)
                {
                    let mut t = Vec::new();
                    targets(left, src, &mut t);
                    facts.assigns.push(Assign {
                        targets: t,
                        calls: vec!["?.xor".into()],
                        names: Vec::new(),
                        strings: Vec::new(),
                        name_counts: Vec::new(),
                        line: n.start_position().row + 1,
                        scope_line: n.start_position().row + 1,
                    });
                }
            }
        }
        "list_comprehension" | "set_comprehension" | "dictionary_comprehension" | "generator_expression" => {
            let mut targets = Vec::new();
            for clause in children(n).into_iter().filter(|c| c.kind() == "for_in_clause") {
                if let Some(left) = clause.child_by_field_name("left") {
                    bound_names(left, src, &mut targets);
                }
            }
            let end = n.end_position();
            let last_line = if end.column == 0 && end.row > n.start_position().row { end.row } else { end.row + 1 };
            facts.comprehensions.push(crate::facts::Comprehension {
                first_line: n.start_position().row + 1,
                last_line,
                targets,
            });
        }
        "while_statement" => facts.loops.push(statement_lines(n)),
        "for_statement" | "for_in_clause" => {
            if n.kind() == "for_statement" {
                facts.loops.push(statement_lines(n));
            }
            if let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                let before = facts.assigns.len();
                push_assign(Some(left), right, src, facts, budget);
                let prefixes = if n.kind() == "for_in_clause" { env_prefixes(n, src, facts, budget) } else { None };
                if let Some(a) = facts.assigns.get_mut(before) {
                    a.calls.push(crate::facts::ITERATES.to_owned());
                    if let Some(prefixes) = prefixes {
                        crate::facts::env_selection(a, prefixes);
                    }
                }
            }
        }
        "as_pattern" => {
            // `with open(p) as f`, `except E as e`.
            if let Some(alias) = n.child_by_field_name("alias")
                && let Some(value) = n.named_child(0)
            {
                push_assign(Some(alias.named_child(0).unwrap_or(alias)), value, src, facts, budget);
            }
        }
        "return_statement" => {
            if let (Some(value), Some(f)) = (n.named_child(0), enclosing_function(n, src)) {
                push_assign_to(vec![f], value, src, facts, budget);
            }
        }
        // `(d := base64.b64decode(b))` binds `d` as `d = ...` does.
        "named_expression" => {
            if let (Some(name), Some(value)) = (n.child_by_field_name("name"), n.child_by_field_name("value")) {
                push_assign(Some(name), value, src, facts, budget);
            }
        }
        "assignment" => {
            if let (Some(left), Some(mut right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                // `a = b = value`: each target gets the value (the inner
                // assignment is visited on its own).
                while right.kind() == "assignment"
                    && let Some(inner) = right.child_by_field_name("right")
                {
                    right = inner;
                }
                push_assign(Some(left), right, src, facts, budget);
                // x = os.system: x now stands for os.system.
                if left.kind() == "identifier"
                    && matches!(
                        right.kind(),
                        "identifier" | "attribute" | "call" | "conditional_expression" | "subscript"
                    )
                    && let Some(q) = qualified(right, src, facts, budget)
                    && crate::facts::file_wide_alias(&q)
                {
                    facts.aliases.insert(text_of(left, src).to_owned(), q);
                }
                if left.kind() == "attribute"
                    && let Some(a) = left.child_by_field_name("attribute")
                {
                    facts.defines.insert(text_of(a, src).to_owned());
                }
                if left.kind() == "attribute" && names_revit_member(left, src, facts) {
                    facts.references.push(Reference {
                        chain: last_segments(chain(left, src, facts)),
                        line: left.start_position().row + 1,
                        column: left.start_position().column + 1,
                        store: true,
                    });
                }
            }
        }
        "call" => {
            if let Some(v) = fold_call(n, src, budget) {
                facts.assembled.push((v.clone(), n.start_position().row + 1));
                facts.strings.push((Cow::Owned(v), n.start_position().row + 1));
            }
            lambda_arguments(n, src, facts, budget);
            if let Some(f) = n.child_by_field_name("function") {
                let name = qualified(f, src, facts, budget).unwrap_or_else(|| match f.kind() {
                    "attribute" => {
                        format!("?.{}", f.child_by_field_name("attribute").map(|a| text_of(a, src)).unwrap_or(""))
                    }
                    _ => "?".to_owned(),
                });
                let mut args = Vec::new();
                if let Some(arg_list) = n.child_by_field_name("arguments") {
                    // `f(x for x in y)`: the generator is the one argument.
                    let list =
                        if arg_list.kind() == "generator_expression" { vec![arg_list] } else { children(arg_list) };
                    for a in list {
                        let (keyword, value) = if a.kind() == "keyword_argument" {
                            (
                                a.child_by_field_name("name").map(|k| Cow::Borrowed(text_of(k, src))),
                                a.child_by_field_name("value").unwrap_or(a),
                            )
                        } else if a.kind() == "dictionary_splat" {
                            // `**options`: the dictionary handed over.
                            (None, a.named_child(0).unwrap_or(a))
                        } else {
                            (None, a)
                        };
                        let mut sum = Summary::default();
                        summarize(value, src, facts, &mut sum, budget);
                        args.push(Arg {
                            keyword,
                            text: Cow::Borrowed(prefix_chars(text_of(value, src), 400)),
                            literal: literal(value, src, budget),
                            name_counts: sum.name_counts(),
                            inner_calls: sum.calls,
                            names: sum.names,
                            strings: sum.strings,
                        });
                    }
                }
                facts.calls.push(Call {
                    name,
                    args,
                    line: n.start_position().row + 1,
                    column: n.start_position().column + 1,
                    snippet: snippet(n, src),
                    own_method: false,
                });
            }
        }
        // References are only kept when a part of them names a Revit API
        // member of the table (most names do not; building every chain is
        // the costliest part of a walk).
        "attribute" if level < MAX_CHAIN_LEVELS && names_revit_member(n, src, facts) => {
            facts.references.push(Reference {
                chain: last_segments(chain(n, src, facts)),
                line: n.start_position().row + 1,
                column: n.start_position().column + 1,
                store: false,
            });
        }
        // A bare name; names inside `a.b.c` are covered by the attribute.
        "identifier" if !in_attribute && names_revit_member(n, src, facts) => {
            facts.references.push(Reference {
                chain: last_segments(chain(n, src, facts)),
                line: n.start_position().row + 1,
                column: n.start_position().column + 1,
                store: false,
            });
        }
        "string" => {
            if let Some(v) = literal(n, src, budget) {
                facts.strings.push((Cow::Owned(v), n.start_position().row + 1));
            }
        }
        "concatenated_string" => {
            if let Some(v) = literal(n, src, budget) {
                facts.strings.push((Cow::Owned(v), n.start_position().row + 1));
                return;
            }
        }
        // De-obfuscated constants (`"Ru" + "n"`, `"\\".join([...])`, `b64decode("...")`)
        // are strings of the file too, so that rules see what they spell.
        "binary_operator" | "subscript" => {
            if let Some(v) = literal(n, src, budget) {
                facts.assembled.push((v.clone(), n.start_position().row + 1));
                facts.strings.push((Cow::Owned(v), n.start_position().row + 1));
                return;
            }
        }
        // A generator's `yield x` is what calling it gives, like `return x`.
        "yield" => {
            if let (Some(value), Some(f)) = (n.named_child(0), enclosing_function(n, src))
                && value.kind() != "from"
            {
                push_assign_to(vec![f], value, src, facts, budget);
            }
        }
        // Python 2's `exec code` statement is an exec call.
        "exec_statement" => {
            let code = n.child_by_field_name("code").unwrap_or(n);
            let mut sum = Summary::default();
            summarize(code, src, facts, &mut sum, budget);
            facts.calls.push(Call {
                name: "exec".into(),
                args: vec![Arg {
                    keyword: None,
                    text: Cow::Borrowed(text_of(code, src)),
                    literal: literal(code, src, budget),
                    name_counts: sum.name_counts(),
                    inner_calls: sum.calls,
                    names: sum.names,
                    strings: sum.strings,
                }],
                line: n.start_position().row + 1,
                column: n.start_position().column + 1,
                snippet: snippet(n, src),
                own_method: false,
            });
        }
        _ => {}
    }
    let below = if n.kind() == "attribute" { level + 1 } else { 0 };
    let mut cursor = n.walk();
    if cursor.goto_first_child() {
        loop {
            let c = cursor.node();
            if c.is_named() {
                walk_in(c, src, facts, below, budget);
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
