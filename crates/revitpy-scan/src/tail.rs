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
                let (end, prefix) = word_at(b, i);
                i = end;
                let word = &text[start..i];
                // A string prefix (`b"..."`, `rb'...'`); an f-string holds code.
                if let Some(formatted) = prefix {
                    if formatted && i >= cut {
                        return false;
                    }
                    i = skip_string(b, i);
                    line_start = false;
                    continue;
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

/// The end of the name starting at `i`, and, when the name is a string's
/// prefix right before its quote (`b"..."`, `rb'...'`, `f"..."`), whether
/// that string is formatted (an f-string, which holds code).
fn word_at(b: &[u8], mut i: usize) -> (usize, Option<bool>) {
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    let word = &b[start..i];
    let prefix = (i < b.len() && (b[i] == b'\'' || b[i] == b'"') && word.len() <= 2)
        .then(|| word.iter().all(|p| matches!(p.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f')))
        .filter(|&all| all)
        .map(|_| word.iter().any(|p| p.eq_ignore_ascii_case(&b'f')));
    (i, prefix)
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

/// Names a payload past the cut would have to use: builtins that run or
/// find code, modules that reach the system, the network or hidden data,
/// and the ways around naming them (`getattr`, `globals`, `__builtins__`).
/// A generated SDK module's tail (request builders, operation methods)
/// uses none of them.
const RISKY: &[&str] = &[
    "exec",
    "eval",
    "compile",
    "__import__",
    "import",
    "getattr",
    "setattr",
    "delattr",
    "globals",
    "locals",
    "vars",
    "__builtins__",
    "builtins",
    "__dict__",
    "__globals__",
    "__code__",
    "__subclasses__",
    "__class__",
    "__getattribute__",
    "open",
    "system",
    "popen",
    "Popen",
    "spawnv",
    "spawnl",
    "startfile",
    "subprocess",
    "socket",
    "ctypes",
    "marshal",
    "pickle",
    "base64",
    "b64decode",
    "zlib",
    "codecs",
    "urlopen",
    "urlretrieve",
    "requests",
    "httpx",
    "aiohttp",
    "chr",
    "fromhex",
    "unhexlify",
    "environ",
    "getenv",
    "os",
    "sys",
    "shutil",
    "threading",
    "Thread",
    "multiprocessing",
    "importlib",
    "breakpoint",
];

/// Whether a file too deeply nested to parse is inert generated data: it
/// names nothing a payload needs ([`RISKY`], an `import` statement aside)
/// and holds little text in string literals (under a quarter of its
/// bytes). sympy's generated polynomials (`200*p**6*q**11 - 250*p**3*q**13`
/// and so on, thousands of terms) nest that deep as one chain of operators; a
/// payload hidden in a deep expression is text (strings joined) or is run,
/// decoded or imported by name, and a file that only holds it still needs
/// the names to do anything. f-strings hold code: one makes the file not
/// inert. Linear in the file, no allocation.
pub(crate) fn deep_but_inert(text: &str) -> bool {
    let b = text.as_bytes();
    let mut in_strings = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n),
            b'\'' | b'"' => {
                let end = skip_string(b, i);
                in_strings += end - i;
                i = end;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let (end, prefix) = word_at(b, i);
                match prefix {
                    Some(true) => return false,
                    Some(false) => {
                        let after = skip_string(b, end);
                        in_strings += after - i;
                        i = after;
                    }
                    None => {
                        // An attribute (`Poly(a).eval(theta)`) is an object's
                        // own; reaching a risky one still needs a risky name
                        // first (`os`, `builtins`, `__import__`, `getattr`).
                        let attribute = b[..i].iter().rev().find(|c| !c.is_ascii_whitespace()) == Some(&b'.');
                        let word = &text[i..end];
                        if !attribute && word != "import" && RISKY.contains(&word) {
                            return false;
                        }
                        i = end;
                    }
                }
            }
            _ => i += 1,
        }
    }
    in_strings * 4 < b.len()
}

/// One logical statement's tokens: each name, whether a `(` follows it,
/// and whether a `.` comes before it.
struct Statement<'t> {
    indent: usize,
    names: Vec<(&'t str, bool, bool)>,
    /// It starts with `@` (a decorator).
    decorator: bool,
    /// It starts with a string literal (a docstring).
    string_first: bool,
    /// An `=` at depth 0 that is an assignment (not `==`, `<=`, ...).
    assigns: bool,
    /// A `:` at depth 0 after a name that is not a keyword: an annotation
    /// (`field: Optional[str]`, a typed class body's declarations).
    annotates: bool,
}

/// Words that start a statement ending in a `:` of its own (a block).
const BLOCK_KEYWORDS: &[&str] = &[
    "def", "class", "if", "elif", "else", "for", "while", "with", "try", "except", "finally", "async", "match", "case",
];

/// Whether everything from byte `cut` of `text` defines functions and
/// classes and runs nothing while the module loads, with no name a
/// payload needs ([`RISKY`]): a generated SDK module past the parse limit
/// (azure-mgmt's 4.4 MB operations files). Then not reading the tail hides
/// no act of its own: a method there runs only when someone calls it, and
/// it could do nothing of what the rules look for without those names.
///
/// While the module loads (outside every `def` body), the tail may hold
/// only `def` and `class` headers, decorators, docstrings, `pass` and
/// assignments, none of which calls anything but a decorator the file does
/// not define; neither part of the file may call, at that level, a function
/// or class the file defines (a call from the parsed part into the tail would
/// run it), and no `def` body of the parsed part may call a module-level
/// function of the tail. Linear in the file; at most [`MAX_NAMES`] names kept.
pub(crate) fn holds_only_definitions(text: &str, cut: usize) -> bool {
    let b = text.as_bytes();
    let mut defined: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut classes: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut functions: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut tail_module_defs: Vec<&str> = Vec::new();
    // Calls made while loading (both parts): a bare name called (`false`),
    // or the root of an attribute chain called (`true`: `A.go()` runs a
    // method of the file's class `A`; `_utilities.deprecated(...)` and a
    // property's `@api_key.setter` run nothing of the file's own), and
    // every bare call of the parsed part.
    let mut load_calls: Vec<(&str, bool)> = Vec::new();
    let mut head_calls: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    // Indents of the `def` headers whose bodies enclose the current line,
    // with their parameters that bear a risky name (`open`, `requests`:
    // generated models' fields), which stand for those values there.
    let mut defs: Vec<(usize, Vec<&str>)> = Vec::new();
    // How many enclosing `def`s have each such parameter: one lookup a
    // name, however deep the nesting (each def lists a risky name once).
    let mut shadowing: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    let mut i = 0;
    while i < b.len() {
        let Some((st, next)) = statement(text, i) else { return false };
        i = next;
        if st.names.is_empty() && !st.decorator && !st.string_first {
            continue;
        }
        // A statement that runs on past the cut is read as the tail's.
        let in_tail = next > cut;
        while defs.last().is_some_and(|d| d.0 >= st.indent) {
            if let Some((_, params)) = defs.pop() {
                for p in params {
                    if let Some(n) = shadowing.get_mut(p) {
                        *n -= 1;
                    }
                }
            }
        }
        let first = st.names.first().map(|n| n.0);
        let header = matches!(first, Some("def" | "class"))
            || first == Some("async") && st.names.get(1).is_some_and(|n| n.0 == "def");
        let own_name = if header { st.names.iter().skip_while(|n| n.0 == "async").nth(1).map(|n| n.0) } else { None };
        if let Some(name) = own_name {
            if defined.len() >= MAX_NAMES {
                return false;
            }
            defined.insert(name);
            if first == Some("class") {
                classes.insert(name);
            } else {
                // A function of the same name (a class body's property)
                // shadows a class of the module (`@SkillState.setter`).
                functions.insert(name);
            }
            if in_tail && st.indent == 0 && first != Some("class") {
                tail_module_defs.push(name);
            }
        }
        let is_def = first == Some("def") || first == Some("async") && header;
        // Each risky name once (a header may repeat one many times), so a
        // def adds at most `RISKY.len()` of them.
        let mut parameters: Vec<&str> = Vec::new();
        if is_def {
            for n in st.names.iter().filter(|n| !n.1 && !n.2 && RISKY.contains(&n.0)) {
                if !parameters.contains(&n.0) && parameter(text, n.0) {
                    parameters.push(n.0);
                }
            }
        }
        let shadowed = |n: &str| parameters.contains(&n) || shadowing.get(n).is_some_and(|&k| k > 0);
        // Not risky: a method's own name (`def requests(self)`, a model's
        // field), defined, not used; a parameter of that name and its uses
        // in the body; `builtins.str`, `@builtins.property` (jsii's
        // generated classes), where the module's attribute is what counts
        // and a risky one is named itself (`builtins.exec`); an object's
        // own, `vars(self)` (a generated model's deserializer walking its
        // attributes) and `self.__class__`.
        let risky = |k: usize, n: &str| {
            let next = st.names.get(k + 1);
            RISKY.contains(&n)
                && !(header && own_name.is_some_and(|o| std::ptr::eq(o, n)))
                && !(!st.names[k].1 && !st.names[k].2 && shadowed(n))
                && !(n == "builtins" && next.is_some_and(|next| next.2))
                && !(n == "vars" && next.is_some_and(|next| next.0 == "self" && !next.2))
                && !(n == "__class__"
                    && st.names.get(k.wrapping_sub(1)).is_some_and(|p| p.0 == "self" && !p.2)
                    && st.names[k].2)
        };
        if in_tail && st.names.iter().enumerate().any(|(k, (n, _, _))| risky(k, n)) {
            return false;
        }
        // A call other than the header's own name.
        let called = |n: &(&str, bool, bool)| n.1 && Some(n.0) != own_name;
        let calls = st.names.iter().filter(|n| called(n)).map(|n| n.0);
        // The name a call at `k` reaches: its own, or its chain's root.
        let root = |k: usize| -> (&str, bool) {
            let names = &st.names;
            if !names[k].2 {
                return (names[k].0, false);
            }
            let mut j = k;
            while j > 0 && names[j].2 {
                j -= 1;
            }
            (names[j].0, true)
        };
        if !in_tail {
            for c in st.names.iter().filter(|n| n.1 && !n.2).map(|n| n.0) {
                if head_calls.len() >= MAX_NAMES {
                    return false;
                }
                head_calls.insert(c);
            }
        }
        let loading = defs.is_empty();
        if loading {
            if in_tail {
                let benign = if header {
                    // A class's bases are not calls; anything else called in
                    // a header (a default value) runs while loading.
                    calls.clone().next().is_none()
                } else if st.decorator {
                    st.names.iter().filter(|n| n.1).count() <= 1
                } else if st.string_first || first == Some("pass") {
                    st.names.iter().all(|n| !n.1)
                } else {
                    (st.assigns || st.annotates) && st.names.iter().all(|n| !n.1)
                };
                if !benign {
                    return false;
                }
            }
            // A decorator calls what it names: its first name, or that
            // name's attribute chain (`@pulumi.getter(...)`).
            let decorator = if st.decorator {
                st.names.iter().position(|n| !n.2).map(|j| {
                    let chained = st.names.get(j + 1).is_some_and(|n| n.2);
                    (st.names[j].0, chained)
                })
            } else {
                None
            };
            for c in (0..st.names.len()).filter(|&k| called(&st.names[k])).map(root).chain(decorator) {
                if load_calls.len() >= MAX_NAMES {
                    return false;
                }
                load_calls.push(c);
            }
        }
        if is_def {
            for &p in &parameters {
                *shadowing.entry(p).or_default() += 1;
            }
            defs.push((st.indent, parameters));
        }
    }
    !load_calls
        .iter()
        .any(|&(c, chained)| if chained { classes.contains(c) && !functions.contains(c) } else { defined.contains(c) })
        && !tail_module_defs.iter().any(|d| head_calls.contains(d))
}

/// Whether `name` (a slice of `text`) stands where a parameter does in a
/// `def` header: after `(`, `,` or `*`, before `:`, `=`, `,` or `)`. A
/// default value (`def f(o=open)`) is not one.
fn parameter(text: &str, name: &str) -> bool {
    let Some(at) = (name.as_ptr() as usize).checked_sub(text.as_ptr() as usize).filter(|&at| at < text.len()) else {
        return false;
    };
    let before = text[..at].trim_end().as_bytes().last().copied();
    let after = text[at + name.len()..].trim_start().as_bytes().first().copied();
    matches!(before, Some(b'(' | b',' | b'*')) && matches!(after, Some(b':' | b'=' | b',' | b')'))
}

/// At most this many names are kept by [`holds_only_definitions`] (a
/// hostile file of a million tiny functions is not read that way).
const MAX_NAMES: usize = 200_000;

/// The logical statement starting at byte `i` (at a line's start): its
/// tokens, and where the next one starts. `None` for what the lexer does not
/// follow (an unterminated bracket at the end, a line continuation it
/// cannot place), which the caller treats as "might run".
fn statement(text: &str, mut i: usize) -> Option<(Statement<'_>, usize)> {
    let b = text.as_bytes();
    let mut indent = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        indent += 1;
        i += 1;
    }
    let mut st = Statement {
        indent,
        names: Vec::new(),
        decorator: false,
        string_first: false,
        assigns: false,
        annotates: false,
    };
    let mut depth = 0usize;
    let mut first = true;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' if depth == 0 => return Some((st, i + 1)),
            b'\n' | b' ' | b'\t' | b'\r' => i += 1,
            b'\\' => i += 2,
            b'#' => i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n),
            b'\'' | b'"' => {
                if first {
                    st.string_first = true;
                }
                i = skip_string(b, i);
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                let (end, prefix) = word_at(b, i);
                i = end;
                let word = &text[s..i];
                if let Some(formatted) = prefix {
                    let end = skip_string(b, i);
                    // An f-string holds code: its names count.
                    if formatted {
                        let inner = &text[i..end];
                        for w in inner.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')) {
                            if !w.is_empty() && RISKY.contains(&w) {
                                st.names.push((w, false, false));
                            }
                        }
                        // Any call inside it runs where the string is built.
                        if inner.contains('(') {
                            st.names.push(("<f-string call>", true, false));
                        }
                    }
                    if first {
                        st.string_first = true;
                    }
                    first = false;
                    i = end;
                    continue;
                }
                let mut j = i;
                while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                    j += 1;
                }
                let dotted = s > 0 && text[..s].trim_end_matches([' ', '\t']).ends_with('.');
                st.names.push((word, b.get(j) == Some(&b'('), dotted));
            }
            _ if c.is_ascii_digit() => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            b'@' if first => {
                st.decorator = true;
                i += 1;
            }
            b':' => {
                if depth == 0 && !st.decorator && st.names.first().is_some_and(|n| !BLOCK_KEYWORDS.contains(&n.0)) {
                    st.annotates = true;
                }
                i += 1;
            }
            b'=' => {
                let prev = if i > 0 { b[i - 1] } else { b' ' };
                let next = b.get(i + 1).copied().unwrap_or(b' ');
                if depth == 0 && next != b'=' && !matches!(prev, b'=' | b'!' | b'<' | b'>' | b':') {
                    st.assigns = true;
                }
                i += 1;
            }
            _ => i += 1,
        }
        first = false;
    }
    (depth == 0).then_some((st, b.len()))
}

#[cfg(test)]
mod tests {
    use super::{deep_but_inert, holds_only_data, holds_only_definitions};

    /// A generated polynomial is inert; the same depth built from text, or
    /// naming what runs code, is not.
    #[test]
    fn deep_arithmetic_is_inert_and_deep_text_or_risky_names_are_not() {
        let terms: Vec<String> = (0..2_000).map(|k| format!("{k}*p**{}*q**{}", k % 7, k % 11)).collect();
        let poly = format!("from sympy.core import S\n\"\"\"Coefficients.\"\"\"\nb = {}\n", terms.join(" - "));
        assert!(deep_but_inert(&poly));
        let text = format!("x = {}\n", vec!["'aGVsbG8='"; 2_000].join(" + "));
        assert!(!deep_but_inert(&text));
        // A method of that name is the object's own.
        assert!(deep_but_inert(&format!("{poly}l0 = Poly(b).eval(S)\n")));
        for risky in ["import os\n", "exec(b)\n", "y = getattr(S, 'x')\n", "z = f'{b}'\n", "k.system(__builtins__)\n"] {
            assert!(!deep_but_inert(&format!("{poly}{risky}")), "{risky}");
        }
    }

    /// A generated module's tail that goes on defining methods is read as
    /// definitions; anything that runs while loading, calls into the tail
    /// from the parsed part, or names what a payload needs is not.
    #[test]
    fn definitions_past_the_cut_run_nothing_and_anything_else_might() {
        let head = "from typing import Any\nfrom core import distributed_trace, Pipeline\n\
                    _SERIALIZER = Pipeline\n\nclass Operations:\n    \"\"\"Operations.\"\"\"\n\
                    \n    models = None\n\n    def __init__(self, client):\n        self._client = client\n\n";
        let tail = "    @distributed_trace\n    def get(self, name: str, *, top: int = 10, **kwargs: Any) -> Any:\n        \
                    \"\"\"Get one (calls open() on nothing).\"\"\"\n        request = build_get_request(name=name, top=top)\n        \
                    return self._client.send(request, **kwargs)\n\n    @api_version(added_on=\"2024-01-01\")\n    \
                    async def list(self, filter: str = None) -> list:\n        return [x for x in self._client.list(filter)]\n";
        let text = format!("{head}{tail}");
        assert!(holds_only_definitions(&text, head.len()));
        for (part, code) in [
            ("tail", tail.replace("self._client.send(request", "exec(request")),
            ("tail", tail.replace("self._client.send(request", "os.system(request")),
            ("tail", tail.replace("self._client.send(request", "getattr(self, name)(request")),
            ("tail", tail.replace("return [x", "return [f'{open(p)}' for x")),
            ("tail", format!("{tail}\nsetup_hook()\n")),
            ("tail", format!("{tail}    cache = make_cache()\n")),
            ("tail", tail.replace("top: int = 10", "top: int = fetch()")),
            ("tail", format!("{tail}\nif True:\n    pass\n")),
            (
                "head",
                format!("{head}    @make_hook\n    def h(self):\n        pass\ndef make_hook(f):\n    return f\n"),
            ),
            ("head-call", String::new()),
            ("unbalanced", format!("{tail}    x = (1,\n")),
        ] {
            let (h, t) = match part {
                "head" => (head.to_owned(), format!("{tail}{code}")),
                // The parsed part calls a function the tail defines, while
                // loading: the tail would run.
                "head-call" => (format!("{head}VALUE = late()\n"), format!("{tail}def late():\n    return 1\n")),
                _ => (head.to_owned(), code.clone()),
            };
            let text = format!("{h}{t}");
            assert!(!holds_only_definitions(&text, h.len()), "{part}: {t}");
        }
        // A function of the parsed part that calls a module-level function of
        // the tail might be called while loading: the tail is not inert.
        let head2 = format!("{head}def setup():\n    return late()\n");
        let text = format!("{head2}def late():\n    return 1\n");
        assert!(!holds_only_definitions(&text, head2.len()));
    }

    #[test]
    fn generated_models_past_the_cut_define_and_their_look_alikes_run() {
        // The shapes of generated SDK models (pulumi's typed inputs and
        // properties, jsii's `builtins.str`, a cloud SDK's deserializer):
        // annotations in a class body, a decorator from a helper module, a
        // property's setter named after it, risky words as field names,
        // `vars(self)` and `self.__class__`.
        let head = "import builtins\nimport pulumi\nfrom . import _utilities\n\nclass Base:\n    pass\n\n";
        let tail = "class ClusterArgs:\n    \"\"\"Args.\"\"\"\n    tags: NotRequired[pulumi.Input[str]]\n    \
                    size: typing.Optional[builtins.int]\n\n    \
                    def __init__(__self__, *, open: Optional[bool] = None, requests: Optional[int] = None):\n        \
                    if requests is not None:\n            pulumi.set(__self__, \"requests\", requests)\n\n    \
                    @property\n    @_utilities.deprecated(\"use tags\")\n    \
                    def api_key(self) -> builtins.str:\n        return pulumi.get(self, \"api_key\")\n\n    \
                    @api_key.setter\n    def api_key(self, value):\n        pulumi.set(self, \"api_key\", value)\n\n    \
                    @builtins.property\n    def requests(self) -> int:\n        return pulumi.get(self, \"requests\")\n\n    \
                    def _deserialize(self, params):\n        for name, value in vars(self).items():\n            \
                    pass\n\n    def __eq__(self, rhs):\n        return isinstance(rhs, self.__class__)\n";
        let text = format!("{head}{tail}");
        assert!(holds_only_definitions(&text, head.len()));
        for code in [
            // A class of the file's, its method run while loading, plainly
            // or as a decorator.
            format!("{tail}class Loader:\n    def go():\n        return 1\nLoader.go()\n"),
            format!("{tail}class Loader:\n    def hook(f):\n        return f\n@Loader.hook\ndef h():\n    pass\n"),
            // A risky builtin as a default value, not a parameter.
            tail.replace("def _deserialize(self, params)", "def _deserialize(self, o=open)"),
            // The network library where no parameter stands for it.
            tail.replace("return pulumi.get(self, \"api_key\")", "return requests.post(URL)"),
            tail.replace("vars(self).items()", "vars(builtins).items()"),
            tail.replace("pulumi.set(self, \"api_key\", value)", "builtins.exec(value)"),
            // An annotation that calls while loading.
            tail.replace("tags: NotRequired[pulumi.Input[str]]", "tags: str = fetch()"),
        ] {
            let text = format!("{head}{code}");
            assert!(!holds_only_definitions(&text, head.len()), "{code}");
        }
    }

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
