//! When a line of a file runs (issue 19's "when it runs"): while the
//! package installs, as soon as the module is imported (module level, or a
//! function the module calls or hands over while loading), or only when
//! something calls a function later (a library's API, a Revit command or
//! event). The same deletion means a user's request in `def rm(path)` and
//! an attack at module level.
//!
//! A program's entry (`if __name__ == "__main__":`, a `__main__.py`) runs
//! when someone runs the package as a program (`python -m`), not when it is
//! imported: its own time, like a call. A pyRevit command's script is one
//! too: it runs when its user clicks the button, and so is a Dynamo
//! Python node's script: it runs when its user runs the graph.
//!
//! Within one file and by name: a function is reached at import when module
//! level code, or a function already reached, calls it or passes it on
//! (`doc.DocumentOpened += handler`, `threading.Thread(target=run)`).
//! Methods are matched by their last name (`App().run()` reaches every
//! `run`), erring toward "at import"; calling a class of the file
//! (`Stealer()`) reaches its `__init__` and `__new__`; a method of a name
//! that only holds a literal (`ARCH.get(...)` on a dict) reaches none, nor
//! does a function kept as the object's own attribute (`self.lookup =
//! self._api.lookup`). A function patched into an imported
//! module under its own name (`libpcap.open_pcap = open_pcap`) is not handed
//! on: it runs when that module's callers call it. A module's own member
//! (`libpcap.open_pcap(...)`, `os.path.join`) never names a function of
//! this file.

use crate::facts::Facts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum When {
    Install,
    Import,
    /// When the package is run as a program (`__main__`).
    Program,
    /// Only when this function (named, with its first line) is called.
    Call(String, usize),
}

/// What runs first, for each function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    No,
    Program,
    Import,
}

/// Which functions of a file run when it is imported or run as a program.
pub(crate) struct Timing {
    /// One per `facts.functions` entry.
    reached: Vec<Reach>,
    /// The innermost scope of each line (index: line number): 0 for the
    /// module, `i + 1` for `facts.functions[i]`, `n + 1` for the module's
    /// `if __name__ == "__main__":` block. Painted once, outer functions
    /// first, so that each question is one lookup (a generated file with
    /// thousands of functions and calls stays linear).
    line_scope: Vec<u32>,
    install_time: bool,
    /// The whole file is a program's entry (`__main__.py`).
    main_file: bool,
    /// The file is a Dynamo Python node's script ([`is_dynamo_node`]).
    pub(crate) dynamo_node: bool,
}

/// A call's or function's last name, as the timing graph and the
/// cross-file join match them.
pub(crate) fn last_name(n: &str) -> &str {
    n.rsplit('.').next().unwrap_or(n).trim()
}

/// The lines of the module's `if __name__ == "__main__":` blocks (the `if`
/// at column 0, then every indented or blank line after it). A block that
/// dispatches on the command line (`if sys.argv[1] == "--clone":`, at
/// column 0 or as the first statement of a `try:` there) is a program's
/// entry too: it runs when someone runs the file with that argument, not
/// when it is imported (ComfyUI-Manager's git helper, run as a process).
pub(crate) fn main_blocks(text: &str) -> Vec<(usize, usize)> {
    // Most files have neither: one search before looking line by line.
    let main = memchr::memmem::find(text.as_bytes(), b"__main__").is_some();
    if !main && memchr::memmem::find(text.as_bytes(), b"sys.argv[").is_none() {
        return Vec::new();
    }
    let mut blocks = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    // The line of a `try:` at column 0 whose first statement may open a block.
    let mut pending_try = None;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if let Some((_, end)) = open.as_mut() {
            // `elif sys.argv[1] == "--fetch":` dispatches on as well; an
            // `else:` runs for any other argument, on import too.
            let dispatch = line.strip_prefix("el").is_some_and(dispatches_on_argv);
            if line.trim().is_empty() || line.starts_with([' ', '\t']) || dispatch {
                *end = number;
                continue;
            }
            blocks.extend(open.take());
        }
        if let Some(try_line) = pending_try.take() {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with('#') {
                pending_try = Some(try_line);
                continue;
            }
            if line.starts_with([' ', '\t']) {
                if dispatches_on_argv(t) {
                    open = Some((try_line, number));
                }
                continue;
            }
        }
        if line.starts_with("try:") {
            pending_try = Some(number);
            continue;
        }
        if !line.starts_with("if") {
            continue;
        }
        let t = normalized(line);
        // `if (__name__ == "__main__"):` too.
        let test = t["if".len()..].trim_start_matches('(');
        if main && (test.starts_with("__name__==\"__main__\"") || test.starts_with("\"__main__\"==__name__"))
            || argv_test(&t)
        {
            open = Some((number, number));
        }
    }
    blocks.extend(open);
    blocks
}

/// `if sys.argv[1] == "--clone":`: a test of one command-line argument
/// (not the program's own name, `argv[0]`) against a written value. When
/// the module is imported, the argument is the importing program's, so
/// such a branch is taken only when the file is run with it. A setup
/// command (`install`, `bdist_wheel`, ...) is the argument of the install
/// that imports the package from `setup.py`: a branch on it runs then.
fn dispatches_on_argv(line: &str) -> bool {
    argv_test(&normalized(line))
}

/// A line without its spaces, its quotes written `"`.
fn normalized(line: &str) -> String {
    line.replace(' ', "").replace('\'', "\"")
}

/// [`dispatches_on_argv`] on a [`normalized`] line.
fn argv_test(t: &str) -> bool {
    const SETUP_COMMANDS: &[&str] = &[
        "install",
        "develop",
        "egg_info",
        "bdist_wheel",
        "bdist_egg",
        "sdist",
        "build",
        "build_ext",
        "build_py",
        "dist_info",
    ];
    let Some(rest) = t.strip_prefix("ifsys.argv[") else { return false };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Some(value) = rest[digits..].strip_prefix("]==\"").and_then(|v| v.split('"').next()) else { return false };
    digits > 0 && rest[..digits] != *"0" && !SETUP_COMMANDS.contains(&value)
}

/// A pyRevit command's script (`Tools.pushbutton/script.py`, its
/// `*config.py`): pyRevit runs it when its user clicks the button, the way
/// a program runs when its user starts it; it is not imported while Revit
/// or the extension loads. (A `.smartbutton`'s script is imported at start
/// for its `__selfinit__`, and `startup.py` and `hooks/` run unasked: they
/// stay import time.)
pub(crate) fn is_command_script(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let (Some(name), Some(folder)) = (parts.next(), parts.next()) else { return false };
    let name = name.to_ascii_lowercase();
    let folder = folder.to_ascii_lowercase();
    [".pushbutton", ".panelbutton", ".invokebutton"].iter().any(|b| folder.ends_with(b))
        && (name.ends_with("script.py") || name.ends_with("config.py"))
}

/// A Dynamo Python node's script: Dynamo hands the node its inputs in `IN`
/// and takes its result from `OUT`, so the script sets `OUT` at module level
/// and reads `IN` or loads .NET assemblies through `clr`. Dynamo runs it when
/// its user runs the graph (a click, like a pyRevit button); nothing imports
/// it. (No module of an installed package sets `OUT`: a library's `__init__`
/// or `setup.py` that did would still be read as what it is, by its name.)
fn is_dynamo_node(facts: &Facts<'_>, path: &str, module_level: impl Fn(usize) -> bool) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(name, "__init__.py" | "setup.py" | "__main__.py" | "conftest.py") {
        return false;
    }
    // `OUT = 0` binds a constant: an empty binding, not an assignment of data.
    let sets_out = facts
        .assigns
        .iter()
        .any(|a| a.line == a.scope_line && module_level(a.line) && a.targets.iter().any(|t| t == "OUT"))
        || facts.empty_bindings.iter().any(|(t, line)| t == "OUT" && module_level(*line));
    sets_out
        && (facts.imports.iter().any(|(m, _)| m == "clr")
            || facts.assigns.iter().any(|a| a.names.iter().any(|n| n == "IN"))
            || facts.calls.iter().any(|c| c.args.iter().any(|a| a.names.iter().any(|n| n == "IN"))))
}

/// For each scope (as [`Timing::scope`] numbers them) and plain name
/// assigned there: whether every value it is bound to is a literal (an
/// assignment that calls and reads nothing, or a value that carries
/// nothing), a method call on it (`.append`, a stored value) leaving it
/// the same literal's type. A parameter of that scope holds what callers
/// pass, so it is never one.
fn literal_names<'f>(facts: &'f Facts<'_>, timing: &Timing) -> rustc_hash::FxHashMap<(usize, &'f str), bool> {
    let mut out: rustc_hash::FxHashMap<(usize, &'f str), bool> = rustc_hash::FxHashMap::default();
    for a in &facts.assigns {
        if a.line != a.scope_line || a.calls.iter().any(|c| c == crate::facts::STORES) {
            continue;
        }
        let literal = a.calls.is_empty() && a.names.is_empty();
        for t in a.targets.iter().filter(|t| !t.contains('.')) {
            *out.entry((timing.scope(a.line), t.as_str())).or_insert(true) &= literal;
        }
    }
    for (t, line) in &facts.empty_bindings {
        out.entry((timing.scope(*line), t.as_str())).or_insert(true);
    }
    // (Also where the function never assigns it: the module's literal of
    // the same name is not what a read of the parameter finds.)
    for (i, f) in facts.functions.iter().enumerate() {
        for p in &f.params {
            out.insert((i + 1, p.as_str()), false);
        }
    }
    out
}

impl Timing {
    /// `path` and `text`: the file's, to find a program's entry.
    pub(crate) fn new(facts: &Facts<'_>, install_time: bool, path: &str, text: &str) -> Self {
        let n = facts.functions.len();
        let main = main_blocks(text);
        let last = facts.functions.iter().map(|f| f.last_line).max().unwrap_or(0).max(main.last().map_or(0, |m| m.1));
        let mut line_scope = vec![0u32; last + 1];
        for &(a, b) in &main {
            for slot in &mut line_scope[a..=b] {
                *slot = n as u32 + 1;
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| {
            std::cmp::Reverse(facts.functions[i].last_line.saturating_sub(facts.functions[i].first_line))
        });
        for i in order {
            let f = &facts.functions[i];
            if f.first_line <= f.last_line {
                for slot in &mut line_scope[f.first_line..=f.last_line] {
                    *slot = i as u32 + 1;
                }
            }
        }
        let dynamo_node =
            !install_time && is_dynamo_node(facts, path, |line| line_scope.get(line).is_none_or(|&s| s == 0));
        let main_file = path.rsplit('/').next() == Some("__main__.py") || is_command_script(path) || dynamo_node;
        let mut timing = Timing { reached: vec![Reach::No; n], line_scope, install_time, main_file, dynamo_node };
        if install_time || n == 0 {
            return timing;
        }
        // The names each scope (0: module, i + 1: function i, n + 1: the
        // main block) calls or passes on.
        let mut uses: Vec<Vec<&str>> = vec![Vec::new(); n + 2];
        // The names each scope calls (`Stealer()`), for the classes among them.
        let mut called: Vec<Vec<&str>> = vec![Vec::new(); n + 2];
        // A member of an imported module (`libpcap.open_pcap`, however the
        // import is named) is that module's, not this file's namesake.
        let modules: rustc_hash::FxHashSet<&str> = facts.aliases.values().map(String::as_str).collect();
        let foreign = |x: &&str| {
            x.rsplit_once('.').is_some_and(|(base, _)| {
                modules.contains(base) || facts.aliases.contains_key(base.split('.').next().unwrap_or(base))
            })
        };
        // Names that only ever hold a literal in their scope (`arch = {"x86_64":
        // "amd64"}`, `parts = []`, filled or not): a method called on one
        // (`arch.get(...)`) is the literal's type's, never a function of
        // this file that shares its name.
        let builtin = literal_names(facts, &timing);
        let on_literal = |scope: usize, name: &str| {
            name.split_once('.').is_some_and(|(receiver, rest)| {
                !rest.contains('.')
                    && builtin.get(&(scope, receiver)).or_else(|| builtin.get(&(0, receiver))).copied().unwrap_or(false)
            })
        };
        for c in &facts.calls {
            let scope = timing.scope(c.line);
            if !foreign(&c.name.as_str()) && !on_literal(scope, &c.name) {
                uses[scope].push(last_name(&c.name));
                if !facts.classes.is_empty() {
                    called[scope].push(last_name(&c.name));
                }
            }
            for a in &c.args {
                uses[scope].extend(
                    a.names.iter().map(String::as_str).filter(|x| !foreign(x) && !on_literal(scope, x)).map(last_name),
                );
                let t = a.text.trim();
                if !t.is_empty()
                    && t.len() <= 80
                    && !foreign(&t)
                    && !on_literal(scope, t)
                    && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    uses[scope].push(last_name(t));
                }
            }
        }
        // Names assigned from (`handler = on_open`, `doc.DocumentOpened +=
        // on_open`) are passed on too; an assignment counts where it is made
        // (`line`; `scope_line` is the callee's for a parameter).
        // Not a function put in an imported module's place of its namesake
        // (`libpcap.open_pcap = open_pcap`): a patch runs when that module's
        // callers call it, not when this file loads. (An object's attribute,
        // `ws.on_message = on_message`, stays a hook.)
        let patched = |a: &crate::facts::Assign, name: &str| {
            a.targets.iter().any(|t| last_name(t) == name && foreign(&t.as_str()))
        };
        // Nor a module's name for its default object's method (`download =
        // _downloader.download`, konlpy's and nltk's module-level API): the
        // same name bound again, to be called later; a call of it while
        // loading names it anyway.
        let reexported = |a: &crate::facts::Assign, name: &str| {
            a.calls.is_empty() && matches!(a.targets.as_slice(), [t] if t == name && a.names.len() == 1)
        };
        // Nor a function bound to an attribute of the object itself
        // (`self.alibaba = self._alibaba.alibaba_api`, an API's alias, kept
        // for the object's users to call). A hook is another object's
        // attribute (`ws.on_message = on_message`, `self.app.Idling += idle`).
        let own_attribute = |a: &crate::facts::Assign| {
            a.calls.is_empty()
                && !a.targets.is_empty()
                && a.targets.iter().all(|t| {
                    t.strip_prefix("self.").or_else(|| t.strip_prefix("cls.")).is_some_and(|r| !r.contains('.'))
                })
        };
        for a in facts.assigns.iter().filter(|a| !own_attribute(a)) {
            let scope = timing.scope(a.line);
            uses[scope].extend(
                a.names
                    .iter()
                    .map(String::as_str)
                    .filter(|x| !foreign(x) && !on_literal(scope, x))
                    .map(last_name)
                    .filter(|&x| !patched(a, x) && !reexported(a, x)),
            );
        }
        let mut by_name: rustc_hash::FxHashMap<&str, Vec<usize>> = rustc_hash::FxHashMap::default();
        for (i, f) in facts.functions.iter().enumerate() {
            by_name.entry(last_name(&f.name)).or_default().push(i);
        }
        // Calling a class (`Stealer()`) runs its `__init__` and `__new__`
        // (naming it, `Alias = Stealer`, runs nothing): each belongs to the
        // innermost class around its `def`.
        let mut inits: rustc_hash::FxHashMap<&str, Vec<usize>> = rustc_hash::FxHashMap::default();
        let constructors =
            || facts.functions.iter().enumerate().filter(|(_, f)| matches!(f.name.as_str(), "__init__" | "__new__"));
        if constructors().next().is_some() {
            let class_at = crate::facts::innermost_classes(&facts.classes);
            for (i, f) in constructors() {
                if let Some(&k) = class_at.get(f.first_line).filter(|&&k| k != 0) {
                    inits.entry(facts.classes[k as usize - 1].0.as_str()).or_default().push(i);
                }
            }
        }
        // From the module first (import time), then from the main block
        // (what only running it as a program adds).
        for (root, reach) in [(0usize, Reach::Import), (n + 1, Reach::Program)] {
            let mut work = vec![root];
            while let Some(scope) = work.pop() {
                let constructed = called[scope].iter().flat_map(|c| inits.get(c).map_or(&[][..], Vec::as_slice));
                let named = uses[scope].iter().flat_map(|u| by_name.get(u).map_or(&[][..], Vec::as_slice));
                for &i in named.chain(constructed) {
                    if timing.reached[i] == Reach::No {
                        timing.reached[i] = reach;
                        work.push(i + 1);
                    }
                }
            }
        }
        timing
    }

    /// The scope of `line`: 0 for the module, `i + 1` for function `i`,
    /// `n + 1` for the main block.
    fn scope(&self, line: usize) -> usize {
        self.line_scope.get(line).map_or(0, |&s| s as usize)
    }

    /// The innermost function around `line`, as an index into `facts.functions`.
    pub(crate) fn innermost(&self, line: usize) -> Option<usize> {
        self.scope(line).checked_sub(1).filter(|&i| i < self.reached.len())
    }

    pub(crate) fn at(&self, facts: &Facts<'_>, line: usize) -> When {
        if self.install_time {
            return When::Install;
        }
        let program = if self.main_file { When::Program } else { When::Import };
        match self.innermost(line) {
            Some(i) => match self.reached[i] {
                Reach::Import => program,
                Reach::Program => When::Program,
                Reach::No => {
                    let f = &facts.functions[i];
                    When::Call(f.name.clone(), f.first_line)
                }
            },
            None if self.scope(line) == self.reached.len() + 1 => When::Program,
            None => program,
        }
    }
}
