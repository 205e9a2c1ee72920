//! The fast front-end: Python 3 read with ruff's parser (about 40 MB/s
//! against tree-sitter's 6 here) into the same [`Facts`] the tree-sitter
//! front-end builds. It is used only for files ruff parses without an error
//! and that [`ordinary`] lets through; everything else (Python 2, broken or
//! absurdly nested files) goes to tree-sitter, which tolerates errors. The
//! two must agree: a test compares their facts on every corpus file.

use ruff_python_ast::visitor::{Visitor, walk_comprehension, walk_except_handler, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Mod, Number, Operator, Stmt};
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};
use ruff_text_size::{Ranged, TextRange};
use std::borrow::Cow;

use crate::facts::{Arg, Assign, Call, Facts, HIDING_CODECS, Reference, Summary};
use crate::fold::{self, Budget};

/// Limits under which ruff's recursive parser and this module's recursive
/// walk stay far from the stack's end; files past them go to tree-sitter.
const MAX_BRACKET_DEPTH: usize = 60;
const MAX_TOKENS_PER_LINE: usize = 1500;
const MAX_INDENT: usize = 240;

/// What a byte means to [`ordinary`]'s scan.
const BORING: u8 = 0;
const WORD: u8 = 1;
const OPERATOR: u8 = 2;
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const QUOTE: u8 = 5;
const HASH: u8 = 6;
const NEWLINE: u8 = 7;

/// One lookup per byte instead of a chain of comparisons (this scan reads
/// every byte of every file before the parser does).
static CLASSES: [u8; 256] = {
    let mut t = [BORING; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => WORD,
            // Operators, and the keywords that nest (`not not x`, `a if b else c if ...`,
            // `lambda: lambda: ...`), count; names, numbers, commas and colons do
            // not, so a long flat table is still ordinary.
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'@' | b'<' | b'>' | b'=' | b'~' | b'.' => OPERATOR,
            b'(' | b'[' | b'{' => OPEN,
            b')' | b']' | b'}' => CLOSE,
            b'\'' | b'"' => QUOTE,
            b'#' => HASH,
            b'\n' => NEWLINE,
            _ => BORING,
        };
        c += 1;
    }
    t
};

/// A quick byte scan: bracket depth, rough tokens per logical line and
/// indentation, ignoring strings and comments.
pub fn ordinary(text: &str) -> bool {
    let b = text.as_bytes();
    let (mut depth, mut tokens) = (0usize, 0usize);
    // The file starts a line: its indentation is checked like any other's.
    let mut i = indentation_end(b, 0);
    if i > MAX_INDENT && i < b.len() {
        return false;
    }
    while i < b.len() {
        let c = b[i];
        match CLASSES[c as usize] {
            BORING => {}
            WORD => {
                let start = i;
                while i + 1 < b.len() && CLASSES[b[i + 1] as usize] == WORD {
                    i += 1;
                }
                if i - start < 6 && matches!(&b[start..=i], b"not" | b"lambda" | b"await" | b"if" | b"else") {
                    tokens += 1;
                }
            }
            OPERATOR => tokens += 1,
            OPEN => {
                depth += 1;
                tokens += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return false;
                }
            }
            CLOSE => depth = depth.saturating_sub(1),
            HASH => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                continue;
            }
            QUOTE => {
                i = string_end(b, i, c);
                continue;
            }
            // A newline outside brackets ends the logical line.
            _ if depth == 0 => {
                tokens = 0;
                let end = indentation_end(b, i + 1);
                if end - (i + 1) > MAX_INDENT && end < b.len() {
                    return false;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        if tokens > MAX_TOKENS_PER_LINE {
            return false;
        }
        i += 1;
    }
    true
}

/// The first byte at or after `i` that is not a space or a tab.
fn indentation_end(b: &[u8], i: usize) -> usize {
    i + b[i.min(b.len())..].iter().take_while(|&&c| c == b' ' || c == b'\t').count()
}

/// Where the string literal opened by the quote `c` at `i` ends (just past
/// its closing quote, or at the newline that ends an unterminated one).
fn string_end(b: &[u8], mut i: usize, c: u8) -> usize {
    let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
    let quote_len = if triple { 3 } else { 1 };
    i += quote_len;
    while i < b.len() {
        // Jump to the next byte that can end or escape the string.
        match memchr::memchr3(c, b'\\', b'\n', &b[i..]) {
            Some(n) => i += n,
            None => return b.len(),
        }
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == c && (!triple || (b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c))) {
            return i + quote_len;
        }
        if b[i] == b'\n' && !triple {
            return i;
        }
        i += 1;
    }
    i.min(b.len())
}

/// Whether ruff reads `text` without an error (no facts built).
pub fn parses(text: &str) -> bool {
    let parsed = parse_unchecked(text, ParseOptions::from(Mode::Module));
    parsed.errors().is_empty() && matches!(parsed.syntax(), Mod::Module(_))
}

/// Facts of a file, or `None` when ruff cannot read it without an error.
/// Constants are folded within `budget`.
pub fn parse<'s>(text: &'s str, budget: &Budget) -> Option<Facts<'s>> {
    let parsed = parse_unchecked(text, ParseOptions::from(Mode::Module));
    if !parsed.errors().is_empty() {
        return None;
    }
    let Mod::Module(module) = parsed.syntax() else { return None };
    let mut b = Builder { src: text, lines: line_starts(text), facts: Facts::default(), functions: Vec::new(), budget };
    b.imports(&module.body);
    for s in &module.body {
        b.visit_stmt(s);
    }
    for s in &module.body {
        let line = b.position(s.range()).0;
        let call = match s {
            Stmt::For(_) | Stmt::While(_) => {
                b.facts.import_time.push(("loop".into(), line));
                continue;
            }
            Stmt::Expr(e) => e.value.as_call_expr(),
            Stmt::Assign(a) => a.value.as_call_expr(),
            _ => None,
        };
        if let Some(c) = call {
            let name = b.qualified(&c.func).unwrap_or_else(|| "?".into());
            b.facts.import_time.push((name, line));
        }
    }
    if let Some(at) = budget.take_refusal() {
        b.facts.fold_refused = Some(b.line_at(at));
    }
    crate::facts::link_arguments(&mut b.facts);
    crate::returns::drop_unreturned_arguments(&mut b.facts);
    Some(b.facts)
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    starts
}

struct Builder<'s, 'b> {
    src: &'s str,
    lines: Vec<usize>,
    facts: Facts<'s>,
    /// Enclosing function names, innermost last (for `return`).
    functions: Vec<String>,
    budget: &'b Budget,
}

impl<'s> Builder<'s, '_> {
    fn position(&self, range: TextRange) -> (usize, usize) {
        let offset = range.start().to_usize();
        let line = self.line_at(offset);
        (line, offset - self.lines[line - 1] + 1)
    }

    /// The line (from 1) of a byte offset.
    fn line_at(&self, offset: usize) -> usize {
        self.lines.partition_point(|&s| s <= offset)
    }

    fn text(&self, range: TextRange) -> &'s str {
        &self.src[range.start().to_usize()..range.end().to_usize()]
    }

    fn imports(&mut self, body: &[Stmt]) {
        for s in body {
            match s {
                Stmt::Import(i) => {
                    for a in &i.names {
                        let module = a.name.as_str().to_owned();
                        let line = self.position(a.range).0;
                        self.facts.imports.push((module.clone(), line));
                        match &a.asname {
                            // Over-long names stay unresolved (see MAX_NAME_BYTES).
                            Some(alias) if module.len() <= crate::facts::MAX_NAME_BYTES => {
                                self.facts.aliases.insert(alias.as_str().to_owned(), module);
                            }
                            Some(_) => {}
                            None => {
                                let head = module.split('.').next().unwrap_or(&module).to_owned();
                                self.facts.aliases.entry(head.clone()).or_insert(head);
                            }
                        }
                    }
                }
                Stmt::ImportFrom(i) => {
                    let module =
                        format!("{}{}", ".".repeat(i.level as usize), i.module.as_ref().map_or("", |m| m.as_str()));
                    let line = self.position(i.range).0;
                    self.facts.imports.push((module.clone(), line));
                    for a in &i.names {
                        let name = a.name.as_str();
                        let local = a.asname.as_ref().map_or_else(
                            || name.rsplit('.').next().unwrap_or(name).to_owned(),
                            |x| x.as_str().to_owned(),
                        );
                        if module.len() + name.len() < crate::facts::MAX_NAME_BYTES {
                            self.facts.aliases.insert(local, format!("{module}.{name}"));
                        }
                    }
                }
                Stmt::FunctionDef(f) => self.imports(&f.body),
                Stmt::ClassDef(c) => self.imports(&c.body),
                Stmt::If(x) => {
                    self.imports(&x.body);
                    for clause in &x.elif_else_clauses {
                        self.imports(&clause.body);
                    }
                }
                Stmt::Try(t) => {
                    self.imports(&t.body);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        self.imports(&h.body);
                    }
                    self.imports(&t.orelse);
                    self.imports(&t.finalbody);
                }
                Stmt::With(w) => self.imports(&w.body),
                Stmt::For(f) => {
                    self.imports(&f.body);
                    self.imports(&f.orelse);
                }
                Stmt::While(w) => {
                    self.imports(&w.body);
                    self.imports(&w.orelse);
                }
                Stmt::Match(m) => {
                    for case in &m.cases {
                        self.imports(&case.body);
                    }
                }
                _ => {}
            }
        }
    }

    /// A loop statement's lines (see [`crate::facts::Facts::loops`]).
    fn push_loop(&mut self, range: TextRange) {
        let first = self.position(range).0;
        let last = self.line_at(range.end().to_usize().saturating_sub(1).max(range.start().to_usize()));
        self.facts.loops.push((first, last));
    }

    fn push_assign(&mut self, target: &Expr, value: &Expr) {
        let mut targets = Vec::new();
        self.targets(target, &mut targets);
        self.push_assign_to(targets, value);
    }

    /// `for target in value`: target takes the elements of value (see
    /// [`crate::facts::ITERATES`]).
    fn push_iteration(&mut self, target: &Expr, value: &Expr) {
        let before = self.facts.assigns.len();
        self.push_assign(target, value);
        if let Some(a) = self.facts.assigns.get_mut(before) {
            a.calls.push(crate::facts::ITERATES.to_owned());
        }
    }

    fn targets(&self, e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Name(n) => out.push(n.id.as_str().to_owned()),
            Expr::Attribute(a) => out.push(self.text(a.range).to_owned()),
            Expr::Tuple(t) => t.elts.iter().for_each(|x| self.targets(x, out)),
            Expr::List(l) => l.elts.iter().for_each(|x| self.targets(x, out)),
            Expr::Starred(s) => self.targets(&s.value, out),
            Expr::Subscript(s) => self.targets(&s.value, out),
            _ => {}
        }
    }

    fn push_assign_to(&mut self, targets: Vec<String>, value: &Expr) {
        if targets.is_empty() {
            return;
        }
        let mut sum = Summary::default();
        self.summarize(value, &mut sum);
        let line = self.position(value.range()).0;
        if sum.calls.is_empty() && sum.names.is_empty() && sum.strings.is_empty() {
            self.facts.empty_bindings.extend(targets.into_iter().filter(|t| !t.contains('.')).map(|t| (t, line)));
            return;
        }
        self.facts.assigns.push(Assign {
            targets,
            name_counts: sum.name_counts(),
            calls: sum.calls,
            names: sum.names,
            strings: sum.strings,
            line,
            scope_line: line,
        });
    }

    /// An identifier, borrowed from the source where it is written as is
    /// (identifiers may be normalised, so this is checked).
    fn name_text(&self, id: &ast::Identifier) -> Cow<'s, str> {
        let raw = self.text(id.range);
        if raw == id.as_str() { Cow::Borrowed(raw) } else { Cow::Owned(id.as_str().to_owned()) }
    }

    /// What is between the quotes of a string literal as written (after a
    /// prefix such as `r` or `u`); equal to its value when it has no escapes.
    fn literal_text(&self, range: TextRange) -> Option<&'s str> {
        let raw = self.text(range).trim_start_matches(['r', 'R', 'u', 'U']);
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") { 3 } else { 1 };
        raw.get(quote..raw.len().checked_sub(quote)?)
    }

    fn snippet(&self, range: TextRange) -> Cow<'s, str> {
        Cow::Borrowed(crate::facts::prefix_chars(self.text(range).lines().next().unwrap_or(""), 160))
    }

    // ---- names ----

    /// Whether `e` may be text (see [`crate::flow::yields_text`]): anything
    /// but the result of a call that gives a sequence.
    fn may_be_text(&self, e: &Expr) -> bool {
        let Expr::Call(c) = e else { return true };
        let callee = self.qualified(&c.func).or_else(|| match c.func.as_ref() {
            Expr::Attribute(a) => Some(format!("?.{}", a.attr.as_str())),
            _ => None,
        });
        callee.is_some_and(|name| crate::flow::yields_text(&name))
    }

    /// Names past `MAX_NAME_BYTES` are left unresolved (see there).
    fn qualified(&self, e: &Expr) -> Option<String> {
        let q = self.qualified_raw(e).filter(|q| q.len() <= crate::facts::MAX_NAME_BYTES)?;
        for prefix in ["__builtins__.", "builtins.", "__builtin__."] {
            if let Some(rest) = q.strip_prefix(prefix) {
                return Some(rest.to_owned());
            }
        }
        Some(q)
    }

    fn qualified_raw(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Name(n) => {
                let name = n.id.as_str();
                let resolved = self.facts.aliases.get(name).map_or(name, String::as_str);
                // Room for the attributes an enclosing chain appends: one
                // allocation instead of two reallocations per `.attr`.
                let mut q = String::with_capacity(resolved.len() + 32);
                q.push_str(resolved);
                Some(q)
            }
            Expr::Attribute(a) => {
                let mut q = self.qualified(&a.value)?;
                q.push('.');
                q.push_str(a.attr.as_str());
                Some(q)
            }
            Expr::Call(c) => {
                let callee = self.qualified(&c.func)?;
                let args = &c.arguments.args;
                if callee == "__import__" || callee == "importlib.import_module" {
                    return literal(args.first()?, self.budget);
                }
                if callee != "getattr" {
                    return None;
                }
                let object = self.qualified(args.first()?)?;
                let attr = literal(args.get(1)?, self.budget)?;
                Some(format!("{object}.{attr}"))
            }
            Expr::Subscript(s) => {
                let key = literal(&s.slice, self.budget)?;
                ["exec", "eval", "compile", "__import__", "execfile", "open"].contains(&key.as_str()).then_some(key)
            }
            Expr::If(x) => self.qualified(&x.body).or_else(|| self.qualified(&x.orelse)),
            _ => None,
        }
    }

    fn chain(&self, e: &Expr) -> Vec<String> {
        match e {
            Expr::Name(n) => {
                let name = n.id.as_str();
                let resolved = self.facts.aliases.get(name).map_or(name, String::as_str);
                resolved.split('.').map(str::to_owned).collect()
            }
            Expr::Attribute(a) => {
                let mut c = self.chain(&a.value);
                c.push(a.attr.as_str().to_owned());
                c
            }
            _ => vec!["?".into()],
        }
    }

    fn names_revit_member(&self, e: &Expr) -> bool {
        let mut node = e;
        loop {
            match node {
                Expr::Attribute(a) => {
                    if crate::revit::is_member(a.attr.as_str()) {
                        return true;
                    }
                    node = &a.value;
                }
                Expr::Name(n) => {
                    let name = n.id.as_str();
                    return match self.facts.aliases.get(name) {
                        Some(q) => q.split('.').any(crate::revit::is_member),
                        None => crate::revit::is_member(name),
                    };
                }
                _ => return false,
            }
        }
    }

    fn reference(&mut self, e: &Expr, store: bool) {
        if self.names_revit_member(e) {
            let (line, column) = self.position(e.range());
            let chain = crate::facts::last_segments(self.chain(e));
            self.facts.references.push(Reference { chain, line, column, store });
        }
    }

    // ---- expressions inside arguments and assignments ----

    fn summarize(&self, e: &Expr, out: &mut Summary) {
        Summarizer { b: self, out }.visit_expr(e);
    }

    fn call(&mut self, c: &ast::ExprCall) {
        let name = self.qualified(&c.func).unwrap_or_else(|| match c.func.as_ref() {
            Expr::Attribute(a) => format!("?.{}", a.attr.as_str()),
            _ => "?".to_owned(),
        });
        let mut args = Vec::with_capacity(c.arguments.len());
        // Source order: positional and keyword arguments may interleave.
        let mut all: Vec<(Option<Cow<'s, str>>, &Expr)> = c.arguments.args.iter().map(|a| (None, a)).collect();
        if !c.arguments.keywords.is_empty() {
            all.extend(c.arguments.keywords.iter().map(|k| (k.arg.as_ref().map(|a| self.name_text(a)), &k.value)));
            all.sort_by_key(|(_, e)| e.range().start());
        }
        for (keyword, value) in all {
            let mut sum = Summary::default();
            self.summarize(value, &mut sum);
            args.push(Arg {
                keyword,
                text: Cow::Borrowed(crate::facts::prefix_chars(self.text(value.range()), 400)),
                literal: literal(value, self.budget),
                name_counts: sum.name_counts(),
                inner_calls: sum.calls,
                names: sum.names,
                strings: sum.strings,
            });
        }
        let range = c.range();
        let (line, column) = self.position(range);
        let snippet = self.snippet(range);
        self.facts.calls.push(Call { name, args, line, column, snippet, own_method: false });
    }
}

impl<'a> Visitor<'a> for Builder<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                let name = f.name.as_str().to_owned();
                self.facts.defines.insert(name.clone());
                let params: Vec<String> = f
                    .parameters
                    .iter()
                    .map(|p| p.name().as_str().to_owned())
                    .filter(|p| p != "self" && p != "cls")
                    .collect();
                let positional = f
                    .parameters
                    .posonlyargs
                    .iter()
                    .chain(&f.parameters.args)
                    .filter(|p| !matches!(p.parameter.name.as_str(), "self" | "cls"))
                    .count();
                self.facts.params.insert(name.clone(), params.clone());
                // From the `def` line (decorators excluded) to the body's last line.
                let first_line = self.position(f.name.range).0;
                let last_line =
                    self.line_at(f.range.end().to_usize().saturating_sub(1).max(f.range.start().to_usize()));
                let decorators: Vec<&str> = f
                    .decorator_list
                    .iter()
                    .filter_map(|d| {
                        let callee = match &d.expression {
                            Expr::Call(c) => c.func.as_ref(),
                            e => e,
                        };
                        match callee {
                            Expr::Attribute(a) => Some(a.attr.as_str()),
                            Expr::Name(n) => Some(n.id.as_str()),
                            _ => None,
                        }
                    })
                    .collect();
                if crate::facts::chat_handler(&name, f.is_async, &decorators) {
                    crate::facts::receive(&mut self.facts, &params, first_line);
                }
                self.facts.functions.push(crate::facts::Function {
                    name: name.clone(),
                    first_line,
                    last_line,
                    params,
                    positional,
                });
                self.functions.push(name);
                walk_stmt(self, stmt);
                self.functions.pop();
                return;
            }
            Stmt::ClassDef(c) => {
                self.facts.defines.insert(c.name.as_str().to_owned());
                let first_line = self.position(c.name.range).0;
                let last_line =
                    self.line_at(c.range.end().to_usize().saturating_sub(1).max(c.range.start().to_usize()));
                self.facts.classes.push((c.name.as_str().to_owned(), first_line, last_line));
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    self.push_assign(t, &a.value);
                    if let Expr::Name(n) = t
                        && matches!(
                            a.value.as_ref(),
                            Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_) | Expr::If(_) | Expr::Subscript(_)
                        )
                        && let Some(q) = self.qualified(&a.value)
                        && crate::facts::file_wide_alias(&q)
                    {
                        self.facts.aliases.insert(n.id.as_str().to_owned(), q);
                    }
                    if let Expr::Attribute(at) = t {
                        self.facts.defines.insert(at.attr.as_str().to_owned());
                        self.reference(t, true);
                    }
                }
            }
            Stmt::AugAssign(a) => {
                self.push_assign(&a.target, &a.value);
                if a.op == Operator::BitXor && !is_bit_arithmetic(&a.value) {
                    let mut t = Vec::new();
                    self.targets(&a.target, &mut t);
                    let line = self.position(a.range).0;
                    self.facts.assigns.push(Assign {
                        targets: t,
                        calls: vec!["?.xor".into()],
                        names: Vec::new(),
                        strings: Vec::new(),
                        name_counts: Vec::new(),
                        line,
                        scope_line: line,
                    });
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.push_assign(&a.target, v);
                }
            }
            Stmt::For(f) => {
                self.push_iteration(&f.target, &f.iter);
                self.push_loop(f.range);
            }
            Stmt::While(w) => self.push_loop(w.range),
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(vars) = &item.optional_vars {
                        self.push_assign(vars, &item.context_expr);
                    }
                }
            }
            Stmt::Return(r) => {
                if let (Some(v), Some(f)) = (&r.value, self.functions.last().cloned()) {
                    self.push_assign_to(vec![f], v);
                }
            }
            // Import names are not references to Revit members.
            Stmt::Import(_) | Stmt::ImportFrom(_) => return,
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_except_handler(&mut self, h: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(x) = h;
        if let (Some(t), Some(name)) = (&x.type_, &x.name) {
            self.push_assign_to(vec![name.as_str().to_owned()], t);
        }
        walk_except_handler(self, h);
    }

    fn visit_comprehension(&mut self, c: &'a ast::Comprehension) {
        let before = self.facts.assigns.len();
        self.push_iteration(&c.target, &c.iter);
        if let Some(prefixes) = env_prefixes(self, c)
            && let Some(a) = self.facts.assigns.get_mut(before)
        {
            crate::facts::env_selection(a, prefixes);
        }
        walk_comprehension(self, c);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                if let Some(v) = fold_call(c, self.budget) {
                    let line = self.position(expr.range()).0;
                    self.facts.assembled.push((v.clone(), line));
                    self.facts.strings.push((Cow::Owned(v), line));
                }
                // `(lambda s: exec(s))(decoded)`: the arguments bind the
                // lambda's parameters, as an assignment would (plain ones,
                // up to the first with a default, and arguments up to the
                // first `*xs`: as the tree-sitter front-end reads them).
                if let Expr::Lambda(l) = c.func.as_ref()
                    && let Some(ps) = &l.parameters
                {
                    let names = ps
                        .posonlyargs
                        .iter()
                        .chain(&ps.args)
                        .take_while(|p| p.default.is_none())
                        .map(|p| p.parameter.name.as_str().to_owned());
                    let args = c.arguments.args.iter().take_while(|a| !matches!(a, Expr::Starred(_)));
                    for (name, arg) in names.zip(args).collect::<Vec<_>>() {
                        self.push_assign_to(vec![name], arg);
                    }
                }
                self.call(c);
            }
            Expr::BinOp(_) | Expr::Subscript(_) => {
                if let Some(v) = literal(expr, self.budget) {
                    let line = self.position(expr.range()).0;
                    self.facts.assembled.push((v.clone(), line));
                    self.facts.strings.push((Cow::Owned(v), line));
                    return;
                }
            }
            Expr::ListComp(ast::ExprListComp { generators, range, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, range, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, range, .. })
            | Expr::Generator(ast::ExprGenerator { generators, range, .. }) => {
                let mut targets = Vec::new();
                for g in generators {
                    bound_names(&g.target, &mut targets);
                }
                let first_line = self.position(*range).0;
                let last_line = self.line_at(range.end().to_usize().saturating_sub(1).max(range.start().to_usize()));
                self.facts.comprehensions.push(crate::facts::Comprehension { first_line, last_line, targets });
            }
            Expr::Yield(y) => {
                if let (Some(v), Some(f)) = (&y.value, self.functions.last().cloned()) {
                    self.push_assign_to(vec![f], v);
                }
            }
            // `(d := base64.b64decode(b))` binds `d` as `d = ...` does.
            Expr::Named(n) => self.push_assign(&n.target, &n.value),
            Expr::Attribute(_) => {
                // The chain `a.b.c` reads `a.b.c` and `a.b` (outermost first,
                // as a recursive walk meets them), in one loop; at most
                // MAX_CHAIN_LEVELS references per chain.
                let mut node = expr;
                let mut level = 0;
                while let Expr::Attribute(a) = node {
                    if level < crate::facts::MAX_CHAIN_LEVELS {
                        self.reference(node, false);
                    }
                    level += 1;
                    node = &a.value;
                }
                // A name directly under an attribute is part of its chain.
                if !matches!(node, Expr::Name(_)) {
                    self.visit_expr(node);
                }
                return;
            }
            Expr::Name(_) => {
                self.reference(expr, false);
                return;
            }
            Expr::StringLiteral(s) => {
                let line = self.position(s.range).0;
                let value = s.value.to_str();
                let text = match self.literal_text(s.range) {
                    Some(raw) if raw == value => Cow::Borrowed(raw),
                    _ => Cow::Owned(value.to_owned()),
                };
                self.facts.strings.push((text, line));
            }
            Expr::BytesLiteral(bl) => {
                let line = self.position(bl.range).0;
                let bytes: Vec<u8> = bl.value.bytes().collect();
                self.facts.strings.push((Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()), line));
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// The plain names a `for` target binds (`x`, `k, (a, *b)`); an attribute
/// or an item (`for self.x in`, `for d[k] in`) binds no name.
fn bound_names(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Name(n) => out.push(n.id.as_str().to_owned()),
        Expr::Tuple(t) => t.elts.iter().for_each(|x| bound_names(x, out)),
        Expr::List(l) => l.elts.iter().for_each(|x| bound_names(x, out)),
        Expr::Starred(s) => bound_names(&s.value, out),
        _ => {}
    }
}

/// The prefixes a comprehension keeps of the environment's variables: its
/// one loop walks `os.environ` (or its `items()`, `keys()`) and an `if`
/// tests the variable's name with `startswith` and written prefixes, alone
/// or joined by `and`. None for anything else (an `or`, a computed prefix,
/// an empty one that keeps everything).
fn env_prefixes(b: &Builder<'_, '_>, g: &ast::Comprehension) -> Option<Vec<String>> {
    let source = match &g.iter {
        Expr::Call(c) if c.arguments.is_empty() => b.qualified(&c.func)?,
        x => b.qualified(x)?,
    };
    let whole = matches!(&g.iter, Expr::Call(_));
    if !(whole && matches!(source.as_str(), "os.environ.items" | "os.environ.keys") || !whole && source == "os.environ")
    {
        return None;
    }
    let var = match &g.target {
        Expr::Name(n) => n.id.as_str(),
        Expr::Tuple(t) => match t.elts.first()? {
            Expr::Name(n) => n.id.as_str(),
            _ => return None,
        },
        _ => return None,
    };
    let mut prefixes = Vec::new();
    fn tests(e: &Expr, var: &str, out: &mut Vec<String>) {
        match e {
            Expr::BoolOp(bo) if bo.op == ast::BoolOp::And => bo.values.iter().for_each(|v| tests(v, var, out)),
            Expr::Call(c) => {
                let Expr::Attribute(a) = c.func.as_ref() else { return };
                if a.attr.as_str() != "startswith" || !matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == var)
                {
                    return;
                }
                let written: Option<Vec<String>> = match c.arguments.args.first() {
                    Some(Expr::StringLiteral(s)) => Some(vec![s.value.to_str().to_owned()]),
                    Some(Expr::Tuple(t)) => t
                        .elts
                        .iter()
                        .map(|x| match x {
                            Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
                            _ => None,
                        })
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
    for cond in &g.ifs {
        tests(cond, var, &mut prefixes);
    }
    (!prefixes.is_empty()).then_some(prefixes)
}

struct Summarizer<'b, 's, 'g, 'o> {
    b: &'b Builder<'s, 'g>,
    out: &'o mut Summary,
}

impl<'a> Visitor<'a> for Summarizer<'_, '_, '_, '_> {
    fn visit_expr(&mut self, e: &'a Expr) {
        // The environment's variables of a few prefixes (`for k in
        // os.environ if k.startswith("LOCUST_")`): one kind of value read
        // out of it, not the whole (see `facts::env_selection`).
        let (elts, generators): (Vec<&Expr>, &[ast::Comprehension]) = match e {
            Expr::ListComp(x) => (vec![&*x.elt], &x.generators),
            Expr::SetComp(x) => (vec![&*x.elt], &x.generators),
            Expr::Generator(x) => (vec![&*x.elt], &x.generators),
            Expr::DictComp(x) => (x.key.iter().map(|k| &**k).chain([&*x.value]).collect(), &x.generators),
            _ => (Vec::new(), &[]),
        };
        if let [g] = generators
            && let Some(prefixes) = env_prefixes(self.b, g)
        {
            for x in elts.into_iter().chain(g.ifs.iter()) {
                self.visit_expr(x);
            }
            self.out.calls.push(crate::facts::ENV_SELECTION.to_owned());
            self.out.strings.extend(prefixes);
            return;
        }
        match e {
            Expr::Call(c) => {
                if let Some(v) = literal(e, self.b.budget) {
                    self.out.strings.push(crate::facts::truncate_chars(v, 400));
                }
                let callee = self.b.qualified(&c.func).or_else(|| match c.func.as_ref() {
                    Expr::Attribute(a) => Some(format!("?.{}", a.attr.as_str())),
                    _ => None,
                });
                // A process's `env=`, a request's `headers=`: used up by the
                // call, not part of what it gives back.
                let stays = |k: &ast::Keyword| {
                    callee.as_deref().is_some_and(|q| {
                        crate::flow::keyword_stays_in_call(q, k.arg.as_ref().map_or("**", |a| a.as_str()))
                    })
                };
                let skip = c.arguments.keywords.iter().any(stays);
                if let Some(q) = callee.as_deref().filter(|q| crate::flow::result_holds_no_argument(q)) {
                    self.out.calls.push(q.to_owned());
                    return;
                }
                // A separator written as a number decodes nothing.
                if callee.as_deref().is_some_and(|q| q == "chr") && whitespace_char(c) {
                    return;
                }
                // An escaping table is neither a decoder's call nor its name.
                if callee.as_deref().is_some_and(|q| q.ends_with("maketrans")) && escape_table(c, self.b.budget) {
                    self.out.calls.push(crate::flow::ESCAPE_TABLE.into());
                    for a in c.arguments.args.iter() {
                        self.visit_expr(a);
                    }
                    return;
                }
                if let Some(q) = &callee {
                    self.out.calls.push(q.clone());
                }
                if skip {
                    self.visit_expr(&c.func);
                    for a in c.arguments.args.iter() {
                        self.visit_expr(a);
                    }
                    for k in c.arguments.keywords.iter().filter(|k| !stays(k)) {
                        self.visit_expr(&k.value);
                    }
                    return;
                }
                if let Expr::Attribute(a) = c.func.as_ref()
                    && matches!(a.attr.as_str(), "decode" | "encode")
                    && let Some(first) = c.arguments.args.first()
                    && let Some(codec) = literal(first, self.b.budget)
                    && HIDING_CODECS.contains(&codec.to_ascii_lowercase().replace('-', "_").as_str())
                {
                    self.out.calls.push("codecs.decode".into());
                }
            }
            Expr::BinOp(bo) => {
                if let Some(v) = literal(e, self.b.budget) {
                    self.out.strings.push(crate::facts::truncate_chars(v, 400));
                    return;
                }
                if bo.op == Operator::BitXor && !is_bit_arithmetic(&bo.left) && !is_bit_arithmetic(&bo.right) {
                    self.out.calls.push("?.xor".into());
                }
            }
            Expr::Subscript(s) => {
                if let Some(v) = literal(e, self.b.budget) {
                    self.out.strings.push(crate::facts::truncate_chars(v, 400));
                    self.out.calls.push("?.reversed".into());
                    return;
                }
                // Reversed, changed and reversed back: the text reads forwards.
                if is_reverse_slice(&s.slice)
                    && let Some((text, call)) = reversed_back(&s.value)
                {
                    self.visit_expr(text);
                    for a in call.arguments.args.iter() {
                        match a {
                            Expr::Subscript(r) if is_reverse_slice(&r.slice) => self.visit_expr(&r.value),
                            _ => self.visit_expr(a),
                        }
                    }
                    for k in call.arguments.keywords.iter() {
                        self.visit_expr(&k.value);
                    }
                    return;
                }
                if is_reverse_slice(&s.slice) && self.b.may_be_text(&s.value) {
                    self.out.calls.push("?.reversed".into());
                }
                if self.b.qualified(&s.value).as_deref() == Some("os.environ") {
                    let key = literal(&s.slice, self.b.budget).unwrap_or_else(|| "?".into());
                    self.out.push_name(format!("os.environ[{key}]"));
                    self.visit_expr(&s.slice);
                    return;
                }
            }
            Expr::Attribute(a) => {
                if let Some(q) = self.b.qualified(e) {
                    self.out.push_name(q);
                    if !matches!(a.value.as_ref(), Expr::Name(_) | Expr::Attribute(_)) {
                        self.visit_expr(&a.value);
                    }
                    return;
                }
                // Each level of the chain is its base's name plus attributes:
                // none is named either (past MAX_NAME_BYTES, levels are not
                // tried one by one). Straight to the base, not once per level.
                let mut base = a.value.as_ref();
                while let Expr::Attribute(inner) = base {
                    base = &inner.value;
                }
                self.visit_expr(base);
                return;
            }
            Expr::Name(n) => {
                let name = n.id.as_str();
                self.out.add_name(self.b.facts.aliases.get(name).map_or(name, String::as_str));
                return;
            }
            // `x if cond else y` is x or y: the condition picks, it is not
            // carried (`probes = [] if config["mirror"] else [URL]`).
            Expr::If(x) => {
                self.visit_expr(&x.body);
                self.visit_expr(&x.orelse);
                return;
            }
            Expr::StringLiteral(s) => {
                self.out.strings.push(crate::facts::prefix_chars(s.value.to_str(), 400).to_owned());
            }
            // An f-string's literal parts are strings of the expression
            // (`f"https://api.example/bot{token}/send"` names its host, an
            // f-string command its tool); its interpolations are read below.
            Expr::FString(f) => {
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(s) => {
                            self.out.strings.push(crate::facts::prefix_chars(s.value.as_ref(), 400).to_owned());
                        }
                        ast::FStringPart::FString(fs) => {
                            for element in fs.elements.iter() {
                                if let ast::InterpolatedStringElement::Literal(l) = element {
                                    self.out.strings.push(crate::facts::prefix_chars(&l.value, 400).to_owned());
                                }
                            }
                        }
                    }
                }
            }
            Expr::BytesLiteral(bl) => {
                let bytes: Vec<u8> = bl.value.bytes().take(400).collect();
                self.out.strings.push(String::from_utf8_lossy(&bytes).into_owned());
            }
            _ => {}
        }
        walk_expr(self, e);
    }

    // Keyword names are not reads; only values are walked (the default does that).
}

/// `s[::-1].replace(old[::-1], new[::-1], 1)` under a reversing slice:
/// text reversed, changed from its end and reversed back (a replace from
/// the right), which reads forwards again and hides nothing. Gives the
/// reversed text `s` and the method call. Only methods that give back
/// text changed in place ([`crate::flow::REVERSIBLE_TEXT_METHODS`]).
fn reversed_back(e: &Expr) -> Option<(&Expr, &ast::ExprCall)> {
    let Expr::Call(c) = e else { return None };
    let Expr::Attribute(a) = c.func.as_ref() else { return None };
    let Expr::Subscript(r) = a.value.as_ref() else { return None };
    (crate::flow::REVERSIBLE_TEXT_METHODS.contains(&a.attr.as_str()) && is_reverse_slice(&r.slice))
        .then_some((&*r.value, c))
}

fn is_reverse_slice(e: &Expr) -> bool {
    match e {
        Expr::Slice(s) => {
            s.lower.is_none()
                && s.upper.is_none()
                && s.step.as_deref().is_some_and(|st| match st {
                    Expr::UnaryOp(u) => {
                        matches!(u.op, ast::UnaryOp::USub)
                            && matches!(u.operand.as_ref(), Expr::NumberLiteral(n) if matches!(&n.value, Number::Int(i) if i.as_i64() == Some(1)))
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// The value of a constant string expression, folding what obfuscators use
/// (see `python::fold_call` for the same on tree-sitter's tree). Every
/// result is sized and taken from the file's [`Budget`] before it is built.
/// `str.maketrans({" ": "\\ "})`, `str.maketrans("-/", "_.")`: a table of a
/// few characters written out, which escapes or renames them; a cipher
/// maps an alphabet (see [`crate::flow::ESCAPE_TABLE`]).
/// `chr(10)`, `chr(9)`, `chr(13)`, `chr(32)`: a line break, tab or space
/// written as its number (an f-string could not hold a backslash before
/// Python 3.12, so `{chr(10).join(lines)}` is how one joins lines in it).
/// It decodes nothing; characters of a payload are other numbers.
fn whitespace_char(c: &ast::ExprCall) -> bool {
    c.arguments.keywords.is_empty()
        && matches!(c.arguments.args.as_ref(), [Expr::NumberLiteral(n)]
            if matches!(&n.value, Number::Int(i) if crate::flow::WHITESPACE_CODES.contains(&i.as_u64().unwrap_or(u64::MAX))))
}

fn escape_table(c: &ast::ExprCall, budget: &Budget) -> bool {
    let args = &c.arguments.args;
    if !c.arguments.keywords.is_empty() {
        return false;
    }
    match args.as_ref() {
        [Expr::Dict(d)] => {
            d.items.len() < crate::flow::CIPHER_ALPHABET
                && d.items.iter().all(|i| {
                    i.key.as_ref().is_some_and(|k| literal(k, budget).is_some()) && literal(&i.value, budget).is_some()
                })
        }
        [from, to, ..] => {
            literal(from, budget).is_some_and(|f| f.chars().count() < crate::flow::CIPHER_ALPHABET)
                && literal(to, budget).is_some()
        }
        _ => false,
    }
}

fn literal(e: &Expr, budget: &Budget) -> Option<String> {
    let at = e.range().start().to_usize();
    if !budget.step(at) {
        return None;
    }
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
        Expr::BytesLiteral(b) => Some(String::from_utf8_lossy(&b.value.bytes().collect::<Vec<u8>>()).into_owned()),
        Expr::BinOp(b) if b.op == Operator::Add => {
            // The left spine `((a + b) + c) + d` in one loop: a chain of
            // thousands of terms is sized once and built once.
            let mut rights = vec![&*b.right];
            let mut left = &*b.left;
            while let Expr::BinOp(l) = left {
                if l.op != Operator::Add {
                    return None;
                }
                rights.push(&l.right);
                left = &l.left;
            }
            if !budget.steps_n(rights.len(), at) {
                return None;
            }
            let mut parts = Vec::with_capacity(rights.len() + 1);
            parts.push(literal(left, budget)?);
            for r in rights.into_iter().rev() {
                parts.push(literal(r, budget)?);
            }
            fold::concat(budget, &parts, at)
        }
        Expr::Subscript(s) if is_reverse_slice(&s.slice) => fold::reverse(budget, &literal(&s.value, budget)?, at),
        Expr::Call(c) => fold_call(c, budget),
        _ => None,
    }
}

fn fold_call(c: &ast::ExprCall, budget: &Budget) -> Option<String> {
    let at = c.range().start().to_usize();
    if !budget.step(at) {
        return None;
    }
    let args = &c.arguments.args;
    match c.func.as_ref() {
        Expr::Attribute(a) => match a.attr.as_str() {
            // A copy of the object: taken too, or `.encode().encode()...` would keep a copy per call.
            "decode" | "encode" => {
                let v = literal(&a.value, budget)?;
                budget.take(v.len(), at).then_some(v)
            }
            "replace" if args.len() == 2 && c.arguments.keywords.is_empty() => {
                let v = literal(&a.value, budget)?;
                fold::replace(budget, &v, &literal(&args[0], budget)?, &literal(&args[1], budget)?, at)
            }
            "join" => {
                let sep = literal(&a.value, budget)?;
                fold::join(budget, &fold_sequence(args.first()?, budget)?, &sep, at)
            }
            "fromhex" | "unhexlify" => fold::from_hex(budget, &literal(args.first()?, budget)?, at),
            "b64decode" | "decodebytes" | "decodestring" | "standard_b64decode" | "urlsafe_b64decode" => {
                fold::from_base64(budget, &literal(args.first()?, budget)?, at)
            }
            _ => None,
        },
        Expr::Name(n) => match n.id.as_str() {
            "chr" => char_of(args.first()?).map(String::from),
            f if f.ends_with("fromhex") || f.ends_with("unhexlify") => {
                fold::from_hex(budget, &literal(args.first()?, budget)?, at)
            }
            f if f.ends_with("b64decode") || f.ends_with("decodebytes") || f.ends_with("decodestring") => {
                fold::from_base64(budget, &literal(args.first()?, budget)?, at)
            }
            _ => None,
        },
        _ => None,
    }
}

/// An operand of `^` that is integer bit arithmetic: a shift (`h >> 16`,
/// `1 << 7`) or a negation (`-(n & 1)`). XOR with one mixes the bits of a
/// hash or a zig-zag code (avro's `(n >> 1) ^ -(n & 1)`); it decrypts
/// nothing. (tree-sitter's `bit_arithmetic` says the same.)
fn is_bit_arithmetic(e: &Expr) -> bool {
    match e {
        Expr::BinOp(b) => matches!(b.op, Operator::LShift | Operator::RShift),
        Expr::UnaryOp(u) => u.op == ast::UnaryOp::USub,
        _ => false,
    }
}

fn char_of(e: &Expr) -> Option<char> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => char::from_u32(u32::try_from(i.as_i64()?).ok()?),
            _ => None,
        },
        _ => None,
    }
}

fn elements(e: &Expr) -> Option<&[Expr]> {
    match e {
        Expr::List(l) => Some(&l.elts),
        Expr::Tuple(t) => Some(&t.elts),
        _ => None,
    }
}

fn fold_sequence(e: &Expr, budget: &Budget) -> Option<Vec<String>> {
    let at = e.range().start().to_usize();
    if !budget.step(at) {
        return None;
    }
    if let Some(items) = elements(e) {
        return items.iter().map(|x| literal(x, budget)).collect();
    }
    match e {
        Expr::Call(c) => {
            let args = &c.arguments.args;
            let is_map = matches!(c.func.as_ref(), Expr::Name(n) if n.id.as_str() == "map");
            let chr = matches!(args.first(), Some(Expr::Name(n)) if n.id.as_str() == "chr");
            if !is_map || !chr {
                return None;
            }
            elements(args.get(1)?)?.iter().map(|x| char_of(x).map(String::from)).collect()
        }
        Expr::Generator(ast::ExprGenerator { elt, generators, .. })
        | Expr::ListComp(ast::ExprListComp { elt, generators, .. }) => {
            let g = generators.first()?;
            let Expr::Name(var) = &g.target else { return None };
            let var = var.id.as_str();
            let is_var = |x: &Expr| matches!(x, Expr::Name(n) if n.id.as_str() == var);
            match elt.as_ref() {
                Expr::Call(call)
                    if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "chr")
                        && call.arguments.args.first().is_some_and(is_var) =>
                {
                    elements(&g.iter)?.iter().map(|x| char_of(x).map(String::from)).collect()
                }
                x if is_var(x) => fold_sequence(&g.iter, budget),
                Expr::Subscript(s) if is_var(&s.value) && is_reverse_slice(&s.slice) => {
                    fold_sequence(&g.iter, budget)?.iter().map(|s| fold::reverse(budget, s, at)).collect()
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse_tree_sitter;

    fn corpus_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["tests/corpus/malicious", "tests/corpus/benign", "tests/holdout/malicious", "tests/holdout/benign"]
        {
            if let Ok(list) = std::fs::read_dir(root.join(dir)) {
                out.extend(list.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "py")));
            }
        }
        let mut examples = vec![root.join("../../examples")];
        while let Some(d) = examples.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    examples.push(p);
                } else if p.extension().is_some_and(|x| x == "py") {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// Order inside a summary does not matter (the two walks visit
    /// comprehensions and chains in different orders).
    fn sorted(v: &[String]) -> Vec<&String> {
        let mut v: Vec<&String> = v.iter().collect();
        v.sort();
        v
    }

    /// Names with how often each is read, in order.
    fn counted(names: &[String], counts: &[u32]) -> Vec<(String, u32)> {
        let mut v: Vec<(String, u32)> =
            names.iter().enumerate().map(|(i, n)| (n.clone(), counts.get(i).copied().unwrap_or(1))).collect();
        v.sort();
        v
    }

    fn calls(f: &Facts) -> Vec<String> {
        let mut v: Vec<String> = f
            .calls
            .iter()
            .map(|c| {
                let args: Vec<String> = c
                    .args
                    .iter()
                    .map(|a| {
                        let (c, n, s) = (sorted(&a.inner_calls), counted(&a.names, &a.name_counts), sorted(&a.strings));
                        format!("{:?}={:?} {c:?} {n:?} {s:?}", a.keyword, a.literal)
                    })
                    .collect();
                format!("{}:{}:{} {}({})", c.line, c.column, c.snippet, c.name, args.join(", "))
            })
            .collect();
        v.sort();
        v
    }

    fn assigns(f: &Facts) -> Vec<String> {
        let mut v: Vec<String> = f
            .assigns
            .iter()
            // Lines may differ by a parenthesis: tree-sitter counts `(` as the value's start.
            .map(|a| {
                format!(
                    "{:?} <- {:?} {:?} {:?}",
                    a.targets,
                    sorted(&a.calls),
                    counted(&a.names, &a.name_counts),
                    sorted(&a.strings)
                )
            })
            .collect();
        v.sort();
        v
    }

    /// The fast front-end and tree-sitter must see the same calls, data
    /// flow, imports and strings in every file both can read.
    #[test]
    fn both_front_ends_agree_on_the_corpus_and_examples() {
        let mut compared = 0;
        for path in corpus_files() {
            let text = std::fs::read_to_string(&path).unwrap();
            let budget = Budget::new();
            budget.grant(text.len());
            let Some(fast) = parse(&text, &budget) else { continue };
            let slow = parse_tree_sitter(&text);
            assert!(slow.errors.is_empty(), "{}: tree-sitter finds errors ruff does not", path.display());
            let name = path.display();
            assert_eq!(calls(&fast), calls(&slow), "{name}: calls differ");
            assert_eq!(assigns(&fast), assigns(&slow), "{name}: assignments differ");
            assert_eq!(fast.imports, slow.imports, "{name}: imports differ");
            let mut fs: Vec<_> = fast.strings.clone();
            let mut ss: Vec<_> = slow.strings.clone();
            fs.sort();
            ss.sort();
            assert_eq!(fs, ss, "{name}: strings differ");
            assert_eq!(fast.params, slow.params, "{name}: parameters differ");
            let (mut fe, mut se) = (fast.empty_bindings.clone(), slow.empty_bindings.clone());
            fe.sort();
            se.sort();
            assert_eq!(fe, se, "{name}: bindings of empty values differ");
            assert_eq!(fast.functions, slow.functions, "{name}: function spans differ");
            assert_eq!(fast.classes, slow.classes, "{name}: class spans differ");
            assert_eq!(fast.comprehensions, slow.comprehensions, "{name}: comprehensions differ");
            assert_eq!(fast.loops, slow.loops, "{name}: loops differ");
            assert_eq!(fast.import_time, slow.import_time, "{name}: import-time work differs");
            let (mut fa, mut sa) = (fast.assembled.clone(), slow.assembled.clone());
            fa.sort();
            sa.sort();
            assert_eq!(fa, sa, "{name}: assembled strings differ");
            compared += 1;
        }
        assert!(compared >= 80, "only {compared} files compared");
    }

    /// The facts of `text` as each front-end builds them (fast first).
    fn both_front_ends(text: &str) -> [Facts<'_>; 2] {
        let budget = Budget::new();
        budget.grant(text.len());
        [parse(text, &budget).expect("ruff parses it"), parse_tree_sitter(text)]
    }

    /// Lambdas called in place (plain parameters only, arguments up to a
    /// `*xs`), chat handlers' parameters and `**options` handed to a
    /// process give both front-ends the same facts.
    #[test]
    fn both_front_ends_agree_on_lambdas_handlers_and_splats() {
        let text = "import os, subprocess\n(lambda s, g=None: exec(s))(a, b)\n(lambda x, y: print(x))(c, *xs)\n\
                    @bot.message_handler(commands=['x'])\ndef run(message):\n    os.system(message.text)\n\
                    async def on_message(msg):\n    pass\np = subprocess.Popen(['x'], **kw)\n";
        let [fast, slow] = both_front_ends(text);
        assert_eq!(assigns(&fast), assigns(&slow));
        assert_eq!(calls(&fast), calls(&slow));
        let bound: Vec<&str> = fast.assigns.iter().flat_map(|a| a.targets.iter().map(String::as_str)).collect();
        for name in ["s", "x", "message", "msg", "p"] {
            assert!(bound.contains(&name), "{name} unbound: {bound:?}");
        }
        for name in ["g", "y"] {
            assert!(!bound.contains(&name), "{name} bound: {bound:?}");
        }
    }

    /// Names hidden behind filler characters and reversed
    /// (`"ce^xe^"[::-1].replace("^", "")`) fold to the name in both
    /// front-ends; a replace with a count, or of nothing, is not folded.
    #[test]
    fn both_front_ends_fold_replace_on_constants() {
        let text = "f = getattr(m, 'ce^xe^'[::-1].replace('^', ''))\ng = getattr(m, 'a.b.c'.replace('.', '', 1))\nh = getattr(m, 'ab'.replace('', 'x'))\n";
        for facts in both_front_ends(text) {
            let assembled: Vec<&str> = facts.assembled.iter().map(|a| a.0.as_str()).collect();
            assert!(assembled.contains(&"exec"), "{assembled:?}");
            assert!(!assembled.iter().any(|a| *a == "abc" || *a == "xaxbx"), "{assembled:?}");
        }
    }

    /// XOR with a shift or a negation is bit arithmetic (hashes, zig-zag
    /// codes), not a decryption; XOR with a key or a character code is one.
    /// Both front-ends agree.
    #[test]
    fn xor_with_bit_arithmetic_is_no_decoder() {
        let text = "a = (n >> 1) ^ -(n & 1)\nh ^= h >> 16\nb = ord(c) ^ 42\nk ^= key[i]\n";
        for facts in both_front_ends(text) {
            let mut xored: Vec<&str> = facts
                .assigns
                .iter()
                .filter(|a| a.calls.iter().any(|c| c == "?.xor"))
                .flat_map(|a| a.targets.iter().map(String::as_str))
                .collect();
            xored.sort();
            assert_eq!(xored, ["b", "k"]);
        }
    }

    #[test]
    fn ordinary_lets_real_code_through_and_stops_absurd_nesting() {
        assert!(ordinary("import os\nx = [1, (2, {3: 'a(b'})]  # ((((\ndef f():\n    return x\n"));
        assert!(!ordinary(&format!("x = {}1{}\n", "(".repeat(100), ")".repeat(100))));
        assert!(!ordinary(&format!("x = {}\n", vec!["'a'"; 5000].join(" + "))));
        assert!(!ordinary(&format!("x = (\n{}\n)\n", vec!["'a'"; 5000].join(" +\n"))));
        assert!(!ordinary(&format!("{}x = 1\n", " ".repeat(400))));
    }
}

#[cfg(test)]
mod coverage {
    /// `STDLIB=/path cargo test -p revitpy-scan --release fallback_share -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn fallback_share() {
        let root = std::env::var("STDLIB").unwrap();
        let mut stack = vec![std::path::PathBuf::from(root)];
        let (mut fast, mut guarded, mut errors) = (0usize, 0usize, 0usize);
        let mut big = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    if e.file_name() != "site-packages" && e.file_name() != "__pycache__" {
                        stack.push(p);
                    }
                } else if p.extension().is_some_and(|x| x == "py") {
                    let Ok(t) = std::fs::read_to_string(&p) else { continue };
                    if !super::ordinary(&t) {
                        guarded += t.len();
                        big.push((t.len(), p.display().to_string(), "guard"));
                    } else if !super::parses(&t) {
                        errors += t.len();
                        big.push((t.len(), p.display().to_string(), "errors"));
                    } else {
                        fast += t.len();
                    }
                }
            }
        }
        big.sort();
        for b in big.iter().rev().take(15) {
            println!("{b:?}");
        }
        println!("fast {fast} guarded {guarded} errors {errors}");
    }
}
