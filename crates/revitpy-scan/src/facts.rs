//! The facts a Python file gives the rules: what both front-ends build
//! (`python` with tree-sitter, `python_ruff` with ruff's parser) and
//! everything after them reads (`flow`, `rules`, `revit`). Its own module so
//! that the front-ends and their readers depend on it, and not on each other.

use std::borrow::Cow;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::dotted;

#[derive(Debug, Clone)]
pub struct Arg<'s> {
    pub keyword: Option<Cow<'s, str>>,
    /// The argument as written (its first 400 characters), borrowed from the source.
    pub text: Cow<'s, str>,
    /// The value when the argument is a string literal (or a concatenation of them).
    pub literal: Option<String>,
    /// Qualified names of the calls inside the argument.
    pub inner_calls: Vec<String>,
    /// Names read inside the argument (resolved; `r.read` for `r.read()`,
    /// `os.environ[KEY]` for a subscript of the environment).
    pub names: Vec<String>,
    /// String literals inside the argument.
    pub strings: Vec<String>,
    /// How often each of `names` is read ([`Summary::name_counts`]).
    pub name_counts: Vec<u32>,
}

/// Marks an [`Assign`] made by iteration (`for target in value`, a
/// comprehension): its targets take the value's elements, so a sequence
/// walked backwards (`for m in mods[::-1]`) gives elements, not reversed
/// text. Kept among `calls`, where no real call name can look like it.
pub const ITERATES: &str = "<for>";

/// Marks an [`Assign`] by which a chat bot's message handler
/// ([`chat_handler`]) receives its parameters: what someone typed in a chat,
/// read from the network.
pub const RECEIVED: &str = "<received>";

/// The decorators (their callee's last name) that make a function a chat
/// bot's handler of incoming messages, whatever it is named: telebot's and
/// aiogram's `@bot.message_handler(...)`.
const HANDLER_DECORATORS: &[&str] = &["message_handler", "edited_message_handler", "channel_post_handler"];

/// Those that do for a coroutine only: discord.py's `@bot.command()`,
/// pyrogram's `@app.on_message()`, aiogram's `@router.message()`. (click's
/// `@cli.command()` takes a command line, from the user at the keyboard,
/// and decorates plain functions.)
const ASYNC_HANDLER_DECORATORS: &[&str] = &["command", "hybrid_command", "on_message", "message"];

/// Whether a definition handles a chat bot's incoming messages, so that its
/// parameters hold what anyone in the chat sent (a bot whose handler runs
/// the text as a command is remote control). discord.py's handler is a
/// coroutine named `on_message`.
pub(crate) fn chat_handler(name: &str, is_async: bool, decorators: &[&str]) -> bool {
    is_async && matches!(name, "on_message" | "on_message_edit")
        || decorators.iter().any(|d| HANDLER_DECORATORS.contains(d) || is_async && ASYNC_HANDLER_DECORATORS.contains(d))
}

/// The assignments by which a chat handler's parameters receive a message.
pub(crate) fn receive(facts: &mut Facts<'_>, params: &[String], line: usize) {
    for p in params {
        facts.assigns.push(Assign {
            targets: vec![p.clone()],
            calls: vec![RECEIVED.to_owned()],
            names: Vec::new(),
            strings: Vec::new(),
            name_counts: Vec::new(),
            line,
            scope_line: line,
        });
    }
}

/// What a comprehension keeps of the environment when it tests each
/// variable's name against written prefixes (`{k: v for k, v in
/// os.environ.items() if k.startswith("OTEL_")}`): a tool passing on its
/// own settings reads those variables as `os.environ.get` reads one, a
/// secret when a prefix names one (`AWS_SECRET`), not the whole environment.
pub const ENV_SELECTION: &str = "os.environ.get";

/// The loop variable of such a comprehension: the selected variables, not
/// the environment ([`ENV_SELECTION`], with the prefixes as its keys).
pub(crate) fn env_selection(a: &mut Assign, prefixes: Vec<String>) {
    a.calls = vec![ENV_SELECTION.to_owned(), ITERATES.to_owned()];
    a.names.clear();
    a.name_counts.clear();
    a.strings = prefixes;
}

/// Marks an [`Assign`] made by calling a method on a variable
/// (`found.update(x)`): the variable may now hold x, but the call binds no
/// name, so the variable stays the one of the scope that binds it (a
/// module-level `bot` used in a function is still the module's).
pub const STORES: &str = "<stores>";

/// Marks an assignment by which a download lands in the file a variable
/// names (`urlretrieve(url, path)`): the path now names fetched content.
pub const DOWNLOADS_TO: &str = "<downloads to>";

/// Calls that save a download to the file their second argument names.
pub const DOWNLOAD_TO_FILE: &[&str] = &[
    "urllib.request.urlretrieve",
    "urllib.urlretrieve",
    "?.DownloadFile",
    "?.DownloadFileAsync",
    "?.DownloadFileTaskAsync",
];

/// Calls that copy or move the file their first argument names to the
/// path their second names (see [`link_arguments`]).
pub const FILE_COPIERS: &[&str] =
    &["shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move", "os.rename", "os.replace"];

/// A path object's methods that write the file it names (`p.write_bytes(data)`):
/// the argument is the content, the destination is the path itself.
pub const PATH_WRITERS: &[&str] = &["write_text", "write_bytes"];

/// `target = value` (also `for target in value`, `with value as target`,
/// `target += value`, and `return value` inside `def target`): what the
/// data-flow pass follows from sources to sinks.
#[derive(Debug, Clone)]
pub struct Assign {
    pub targets: Vec<String>,
    pub calls: Vec<String>,
    pub names: Vec<String>,
    pub strings: Vec<String>,
    /// How often each of `names` is read ([`Summary::name_counts`]).
    pub name_counts: Vec<u32>,
    pub line: usize,
    /// A line in the scope the targets belong to: `line` for an assignment;
    /// for an argument handed to a parameter, a line of the called function
    /// (the argument is read where the call is, the parameter set in the callee).
    pub scope_line: usize,
}

/// A function the file defines: its name and the lines its definition spans.
/// A variable assigned inside it is its own (see [`crate::flow`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub first_line: usize,
    pub last_line: usize,
    /// This definition's own parameters (without `self`/`cls`): the file's
    /// methods share names (`__init__`), and `params` keeps one list a name.
    pub params: Vec<String>,
    /// How many of `params` take positional arguments: those before a
    /// `*args`, a bare `*` or a `**kwargs`.
    pub positional: usize,
}

/// A comprehension's lines (first to last) and the plain names its `for`
/// clauses bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comprehension {
    pub first_line: usize,
    pub last_line: usize,
    pub targets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Call<'s> {
    /// Resolved qualified name (`subprocess.Popen`, `eval`).
    pub name: String,
    pub args: Vec<Arg<'s>>,
    pub line: usize,
    pub column: usize,
    /// The call's first line (160 characters at most), borrowed from the source.
    pub snippet: Cow<'s, str>,
    /// `self.name(...)`/`cls.name(...)` calling a method that the class
    /// the call is in defines (set by [`link_arguments`]): the file's own
    /// function, not a library's method of that name (a wallet's
    /// `self.send(outputs)` is no socket's `send`).
    pub own_method: bool,
}

impl Call<'_> {
    /// The call with its own copies of the source text it borrowed.
    pub fn into_owned(self) -> Call<'static> {
        Call {
            name: self.name,
            args: self
                .args
                .into_iter()
                .map(|a| Arg {
                    keyword: a.keyword.map(|k| Cow::Owned(k.into_owned())),
                    text: Cow::Owned(a.text.into_owned()),
                    literal: a.literal,
                    inner_calls: a.inner_calls,
                    names: a.names,
                    strings: a.strings,
                    name_counts: a.name_counts,
                })
                .collect(),
            line: self.line,
            column: self.column,
            snippet: Cow::Owned(self.snippet.into_owned()),
            own_method: self.own_method,
        }
    }
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
pub struct Facts<'s> {
    pub imports: Vec<(String, usize)>,
    pub calls: Vec<Call<'s>>,
    pub references: Vec<Reference>,
    /// Every string literal (borrowed from the source when it is written
    /// without escapes: docstrings are most of the text).
    pub strings: Vec<(Cow<'s, str>, usize)>,
    /// Names the file defines itself (functions, classes, attributes set on `self`).
    pub defines: HashSet<String>,
    /// Lines with syntax the parser could not read.
    pub errors: Vec<usize>,
    /// Aliases to qualified names.
    pub aliases: HashMap<String, String>,
    pub assigns: Vec<Assign>,
    /// Plain names bound to a value that carries nothing (`found = []`,
    /// `n = 0`), with the line: no assignment is kept for them, but they
    /// still make the name a variable of its scope, so that a method called
    /// on it later (`found.append(x)`) stores there and not in a module
    /// variable of the same name.
    pub empty_bindings: Vec<(String, usize)>,
    /// Parameter names of the functions the file defines (for argument flow).
    pub params: HashMap<String, Vec<String>>,
    /// The functions the file defines, in source order.
    pub functions: Vec<Function>,
    /// Each comprehension (list, set, dict, generator), in source order: in
    /// Python 3 its loop variables are its own, so a module's
    /// `[url.strip() for url in KEYS.split(";")]` does not put the keys in
    /// the module's `url` (see [`crate::flow`]).
    pub comprehensions: Vec<Comprehension>,
    /// Each `for` and `while` statement's lines (its first line to the last
    /// of its body or `else`), in source order: an assignment later in a
    /// loop's body reaches a read earlier in it on the next round, which a
    /// read elsewhere after the fact never sees (see [`crate::flow`]).
    pub loops: Vec<(usize, usize)>,
    /// Each class definition's name and the lines it spans (its name's line
    /// to its body's last line), in source order: what is bound directly in
    /// a class body is an attribute `self.x` reads (a module variable is
    /// not), and calling the class runs its `__init__`.
    pub classes: Vec<(String, usize, usize)>,
    /// Work done when the module is imported (Revit loads add-ins at
    /// startup): top-level loops and calls, as ("loop" | call name, line).
    pub import_time: Vec<(String, usize)>,
    /// Strings the code assembles from pieces (`"ex" + "ec"`, `"".join([...])`,
    /// `chr` lists, reversed or decoded constants), with their lines.
    pub assembled: Vec<(String, usize)>,
    /// The line where nesting passed [`MAX_DEPTH`]; the file was not analysed.
    pub too_deep: Option<usize>,
    /// The line of the first constant fold refused by the file's
    /// [`crate::fold::Budget`]: what was built from constants from there on was not
    /// folded.
    pub fold_refused: Option<usize>,
}

/// Deeper syntax trees than this are not analysed (real code stays far below).
pub const MAX_DEPTH: usize = 150;

/// References kept per attribute chain: its outermost levels (`a.b.c` is
/// also a read of `a.b`). Real chains are shorter
/// (`Autodesk.Revit.DB.Structure.StructuralType.NonStructural` has six); a
/// chain of a thousand levels would otherwise keep a copy of itself per
/// level, half a million names from 3 KB of source.
pub(crate) const MAX_CHAIN_LEVELS: usize = 16;

/// Segments a reference keeps of its chain: the last ones (the member and
/// its receiver are what the Revit check reads).
pub(crate) const MAX_CHAIN_SEGMENTS: usize = 32;

/// The longest qualified name resolved. Real ones are tens of bytes
/// (`System.Windows.Forms.MessageBox.Show`); past this a name is left
/// unresolved, or `a1 = a0.b`, `a2 = a1.b`, ... would make each alias
/// longer than the last: 10 GB of names from 1 MB of source.
pub(crate) const MAX_NAME_BYTES: usize = 512;

/// A reference's chain cut to its last [`MAX_CHAIN_SEGMENTS`].
pub(crate) fn last_segments(mut chain: Vec<String>) -> Vec<String> {
    if chain.len() > MAX_CHAIN_SEGMENTS {
        chain.drain(..chain.len() - MAX_CHAIN_SEGMENTS);
        chain.shrink_to_fit();
    }
    chain
}

/// The innermost class around each line (index: line number), as an index
/// into `classes` plus one (0: none). One sweep over the lines with a stack
/// of open classes: `classes` come in source order, an enclosing one first.
/// The data flow (what a class body binds) and the timing graph (which
/// class an `__init__` belongs to) both ask it.
pub(crate) fn innermost_classes(classes: &[(String, usize, usize)]) -> Vec<u32> {
    let Some(last) = classes.iter().map(|c| c.2).max() else { return Vec::new() };
    let mut at = vec![0u32; last + 1];
    let mut open: Vec<(u32, usize)> = Vec::new();
    let mut next = classes.iter().enumerate().peekable();
    for (line, slot) in at.iter_mut().enumerate() {
        while open.last().is_some_and(|&(_, end)| end < line) {
            open.pop();
        }
        while let Some((i, (_, _, end))) = next.next_if(|(_, c)| c.1 <= line) {
            if *end >= line {
                open.push((i as u32 + 1, *end));
            }
        }
        *slot = open.last().map_or(0, |&(k, _)| k);
    }
    at
}

/// Whether `x = <qualified>` may stand as a file-wide alias of `x`. The
/// alias map is one for the whole file, so a rename of an instance's
/// attribute (`fn = self.fp.name` in one method) would otherwise rename
/// every other function's `fn` too (reportlab's `DebugMemo` parameter `fn`
/// became an image's file object); `self` is a different object in each
/// class, so such a name means something only where it is set.
pub(crate) fn file_wide_alias(qualified: &str) -> bool {
    !["self", "cls"].iter().any(|p| qualified == *p || qualified.strip_prefix(p).is_some_and(|r| r.starts_with('.')))
}

/// The line (from 1) of byte `at` of `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at.min(text.len())]).count() + 1
}

/// Python's builtin types, whose class methods a call may name.
const BUILTIN_TYPES: &[&str] = &[
    "bytes",
    "bytearray",
    "str",
    "int",
    "float",
    "complex",
    "bool",
    "dict",
    "list",
    "set",
    "frozenset",
    "tuple",
    "object",
    "type",
];

/// A call to a function of this file assigns its arguments to the
/// function's parameters (by position; keywords by name).
/// Whether a call is one of [`DOWNLOAD_TO_FILE`] (`?.` stands for any
/// receiver). The short list is walked here by hand: the name index lives
/// in `flow`, which reads these facts.
fn saves_download(name: &str) -> bool {
    // The last name first: one comparison turns most calls away.
    let Some((_, last)) = dotted::split_last(name) else { return false };
    (last == "urlretrieve" || last.starts_with("DownloadFile"))
        && DOWNLOAD_TO_FILE.iter().any(|d| match d.strip_prefix("?.") {
            Some(method) => last == method,
            None => name == *d,
        })
}

/// A module kept in a variable or an attribute (`self.requests =
/// __import__("requests")`, `r = importlib.import_module("requests")`): its
/// methods are that module's (a way to keep `import requests` out of sight).
/// One pass over the assignments, one lookup per call.
fn resolve_module_handles(facts: &mut Facts<'_>) {
    let mut handles: HashMap<String, (String, usize)> = HashMap::default();
    for a in &facts.assigns {
        if let ([target], [call], [module]) = (&a.targets[..], &a.calls[..], &a.strings[..])
            && matches!(call.as_str(), "__import__" | "importlib.import_module")
            && !module.is_empty()
            && module.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            handles.insert(target.clone(), (module.clone(), a.line));
        }
    }
    if handles.is_empty() {
        return;
    }
    for c in &mut facts.calls {
        if let Some((receiver, method)) = c.name.rsplit_once('.')
            && let Some((module, _)) = handles.get(receiver)
        {
            c.name = format!("{module}.{method}");
        }
    }
    facts.imports.extend(handles.into_values());
}

/// An assignment by which `target` comes to hold what the argument `a`
/// holds, at the call's `line`, binding no name ([`STORES`]).
fn stored_in(target: String, a: &Arg<'_>, line: usize) -> Assign {
    let mut calls = a.inner_calls.clone();
    calls.push(STORES.to_owned());
    Assign {
        targets: vec![target],
        calls,
        names: a.names.clone(),
        strings: a.strings.clone(),
        name_counts: a.name_counts.clone(),
        line,
        scope_line: line,
    }
}

pub(crate) fn link_arguments(facts: &mut Facts<'_>) {
    resolve_module_handles(facts);
    let mut extra = Vec::new();
    let modules: HashSet<&str> = facts
        .imports
        .iter()
        .map(|(m, _)| m.split('.').next().unwrap_or(m))
        .chain(facts.aliases.values().map(|q| q.split('.').next().unwrap_or(q)))
        .collect();
    // Builtin types' own methods (`bytes.fromhex(x)`, `int.from_bytes(b)`,
    // `str.join(sep, parts)`) make new values: the type holds nothing,
    // unless the file binds the name to a variable of its own.
    // (Which of them the file rebinds: one pass over the assignments, made
    // the first time a call names one.)
    let rebound: std::cell::OnceCell<Vec<&str>> = std::cell::OnceCell::new();
    let builtin_type = |n: &str| {
        BUILTIN_TYPES.contains(&n)
            && !rebound
                .get_or_init(|| {
                    let targets = facts.assigns.iter().flat_map(|a| a.targets.iter().map(String::as_str));
                    let empty = facts.empty_bindings.iter().map(|(t, _)| t.as_str());
                    targets.chain(empty).filter(|t| BUILTIN_TYPES.contains(t)).collect()
                })
                .contains(&n)
    };
    // The plain names the file binds (assigned, bound to an empty value, a
    // parameter, or a class or function it defines): only those are
    // containers of its own. A name it never
    // binds is a module or a global from elsewhere (`re`, `subprocess` from
    // `from fastcore.all import *`): `re.split(p, dep)` stores `dep` in no
    // variable that `re.compile(...)` reads back (ghapi's dependency names
    // had flowed through `re` into a gist's `git clone` command).
    let bound: std::cell::OnceCell<HashSet<&str>> = std::cell::OnceCell::new();
    let is_bound = |n: &str| {
        bound
            .get_or_init(|| {
                let targets = facts.assigns.iter().flat_map(|a| a.targets.iter().map(String::as_str));
                let empty = facts.empty_bindings.iter().map(|(t, _)| t.as_str());
                let params = facts.functions.iter().flat_map(|f| f.params.iter().map(String::as_str));
                let defined =
                    facts.classes.iter().map(|c| c.0.as_str()).chain(facts.defines.iter().map(String::as_str));
                targets.chain(empty).chain(params).chain(defined).filter(|t| !t.contains('.')).collect()
            })
            .contains(n)
    };
    // The innermost class of each line, built on the first `self.` call.
    // Each class's methods by name (the last definition of a name wins, as
    // Python's does), with the innermost class of each line: built once, on
    // the first `self.` call, so that a file of many calls and methods stays
    // linear.
    type Methods<'a> = (Vec<u32>, HashMap<(u32, &'a str), usize>);
    let methods: std::cell::OnceCell<Methods<'_>> = std::cell::OnceCell::new();
    let methods_init = || {
        let at = innermost_classes(&facts.classes);
        let mut by_class = HashMap::default();
        for (i, f) in facts.functions.iter().enumerate() {
            if let Some(&k) = at.get(f.first_line).filter(|&&k| k != 0) {
                by_class.insert((k, f.name.as_str()), i);
            }
        }
        (at, by_class)
    };
    // The calls that name a method of their own class.
    let mut own_methods: Vec<usize> = Vec::new();
    for (k, c) in facts.calls.iter().enumerate() {
        // Any method called on a variable of this file may store its
        // arguments there (`found.update(x)`, `msg.set_content(env)`,
        // `zf.writestr(name, data)`); modules are not containers. A path's
        // `write_text`/`write_bytes` put the content in the file it names:
        // the path still names the same place.
        if let Some((container, method)) = dotted::split_last(&c.name)
            && !PATH_WRITERS.contains(&method)
            && !container.contains('?')
            && !container.contains('.')
            // `self.method(x)` calls a method; it does not put x in every `self.` attribute.
            && container != "self"
            && container != "cls"
            && !modules.contains(container)
            && !builtin_type(container)
            && is_bound(container)
        {
            for a in &c.args {
                if !(a.inner_calls.is_empty() && a.names.is_empty() && a.strings.is_empty()) {
                    extra.push(stored_in(container.to_owned(), a, c.line));
                }
            }
        }
        // A download saved to a path (`urlretrieve(url, path)`,
        // `WebClient().DownloadFile(url, path)`): the path's variable names
        // fetched content from here on, in this file and for whoever it is
        // returned to (another module that runs it).
        if saves_download(&c.name)
            && let Some(dest) = c
                .args
                .iter()
                .find(|a| a.keyword.as_deref() == Some("filename"))
                .or_else(|| c.args.iter().filter(|a| a.keyword.is_none()).nth(1))
            && let [name] = dest.names.as_slice()
            && dest.inner_calls.is_empty()
            && !name.contains('.')
        {
            extra.push(Assign {
                targets: vec![name.clone()],
                calls: vec![STORES.to_owned(), DOWNLOADS_TO.to_owned()],
                names: Vec::new(),
                strings: Vec::new(),
                name_counts: Vec::new(),
                line: c.line,
                scope_line: c.line,
            });
        }
        // A file copied or moved to a path a variable names (`shutil.copy2(
        // login_data, tmp)`, what stealers do to read a browser's locked
        // database): that path now names the same content as the source.
        if FILE_COPIERS.contains(&c.name.as_str())
            && let (Some(src), Some(dst)) = (
                c.args
                    .iter()
                    .find(|a| a.keyword.as_deref() == Some("src"))
                    .or_else(|| c.args.first().filter(|a| a.keyword.is_none())),
                c.args
                    .iter()
                    .find(|a| a.keyword.as_deref() == Some("dst"))
                    .or_else(|| c.args.iter().filter(|a| a.keyword.is_none()).nth(1)),
            )
            && let [name] = dst.names.as_slice()
            && dst.inner_calls.is_empty()
            && !name.contains('.')
        {
            extra.push(stored_in(name.clone(), src, c.line));
        }
        // `self.send(x)` calls the method `send` of the class the call is
        // in (`params` leaves out `self` and `cls`); a method of that name
        // in another class of the file is another function (avro's
        // `BinaryEncoder.write` and `DatumWriter.write`), and one inherited
        // from elsewhere is not seen.
        let method = c.name.strip_prefix("self.").or_else(|| c.name.strip_prefix("cls.")).filter(|m| !m.contains('.'));
        let (params, callee): (&[String], usize) = match method {
            Some(m) => {
                let (at, by_class) = methods.get_or_init(methods_init);
                let class = at.get(c.line).copied().unwrap_or(0);
                match by_class.get(&(class, m)) {
                    Some(&i) => {
                        own_methods.push(k);
                        (&facts.functions[i].params, facts.functions[i].first_line)
                    }
                    None => continue,
                }
            }
            None => {
                let Some(params) = facts.params.get(&c.name) else { continue };
                // The parameter belongs to the callee (the last definition
                // of that name, as `params` keeps); the argument is read at
                // the call.
                (params, facts.functions.iter().rev().find(|f| f.name == c.name).map_or(c.line, |f| f.first_line))
            }
        };
        let mut position = 0;
        for a in &c.args {
            let target = match &a.keyword {
                Some(k) => params.iter().find(|p| *p == k).cloned(),
                None => {
                    position += 1;
                    params.get(position - 1).cloned()
                }
            };
            if let Some(t) = target
                && !(a.inner_calls.is_empty() && a.names.is_empty() && a.strings.is_empty())
            {
                extra.push(Assign {
                    targets: vec![t],
                    calls: a.inner_calls.clone(),
                    names: a.names.clone(),
                    strings: a.strings.clone(),
                    name_counts: a.name_counts.clone(),
                    line: c.line,
                    scope_line: callee,
                });
            }
        }
    }
    facts.assigns.extend(extra);
    for k in own_methods {
        facts.calls[k].own_method = true;
    }
}

/// The first `n` characters of `s`.
pub(crate) fn prefix_chars(s: &str, n: usize) -> &str {
    // No more bytes than `n` means no more characters: nothing to count.
    if s.len() <= n {
        return s;
    }
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `s` cut to its first `n` characters, in place (no second copy).
pub(crate) fn truncate_chars(mut s: String, n: usize) -> String {
    let keep = prefix_chars(&s, n).len();
    if keep < s.len() {
        s.truncate(keep);
        // A summary keeps 400 characters of a fold that may be megabytes:
        // not its whole allocation.
        s.shrink_to_fit();
    }
    s
}

/// What an expression is made of: the calls in it, the names it reads and
/// its string literals, in one pass over its subtree.
#[derive(Default)]
pub(crate) struct Summary {
    pub(crate) calls: Vec<String>,
    pub(crate) names: Vec<String>,
    pub(crate) strings: Vec<String>,
    /// How often each of `names` is read (a name is kept once).
    counts: Vec<u32>,
    /// Where each name first stands in `names`, once there are many (a list
    /// of thousands of names would otherwise be searched once per name).
    seen: HashMap<String, u32>,
}

impl Summary {
    /// Names below this many are searched in the list itself.
    const SMALL: usize = 16;

    /// Adds a name read, once per summary (labels are a union): no copy for
    /// repeats, which are counted.
    pub(crate) fn add_name(&mut self, name: &str) {
        let at = if self.names.len() < Self::SMALL {
            self.names.iter().position(|n| n == name)
        } else {
            if self.seen.is_empty() {
                for (i, n) in self.names.iter().enumerate() {
                    self.seen.entry(n.clone()).or_insert(i as u32);
                }
            }
            self.seen.get(name).map(|&i| i as usize)
        };
        match at {
            Some(i) => self.counts[i] = self.counts[i].saturating_add(1),
            None => self.push_name(name.to_owned()),
        }
    }

    /// Adds a name read as a new entry (attribute chains are kept each
    /// time, and not looked up: a name's count is the sum of its entries').
    pub(crate) fn push_name(&mut self, name: String) {
        self.names.push(name);
        self.counts.push(1);
    }

    /// How often each name is read, for [`Assign::name_counts`] and
    /// [`Arg::name_counts`]: empty when each is read once (most
    /// expressions), a count per name otherwise. [`crate::returns`] drops an
    /// argument's names from an assignment only where no other part of the
    /// value reads them (`f(env) or env`).
    pub(crate) fn name_counts(&self) -> Vec<u32> {
        if self.counts.iter().all(|&c| c == 1) { Vec::new() } else { self.counts.clone() }
    }
}

/// Codecs that turn `s.decode("base64")` (Python 2) into a decoder.
pub(crate) const HIDING_CODECS: &[&str] =
    &["base64", "base_64", "hex", "rot13", "rot_13", "zlib", "zip", "bz2", "uu", "base32"];

#[cfg(test)]
mod class_tests {
    use super::innermost_classes;

    #[test]
    fn each_line_knows_its_innermost_class() {
        // class A (2-9) holds class B (4-6); class C (11-12) stands apart.
        let classes = vec![("A".to_owned(), 2, 9), ("B".to_owned(), 4, 6), ("C".to_owned(), 11, 12)];
        let at = innermost_classes(&classes);
        let expect = [0, 0, 1, 1, 2, 2, 2, 1, 1, 1, 0, 3, 3];
        assert_eq!(at, expect);
        assert!(innermost_classes(&[]).is_empty());
    }
}
