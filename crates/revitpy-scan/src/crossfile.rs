//! Data flows that cross files of one package (issue 19): one module reads
//! the secrets or decodes the payload and returns it, another sends or runs
//! what it gets back. Files are scanned apart (in parallel, in batches that
//! are not kept), so each file leaves two small lists behind: what its
//! functions return (labelled), and which of its sinks receive the results
//! of calls into other modules. The scan joins them once every file is in.
//!
//! Calls are matched by module file stem and function name (`from .grab
//! import tokens`, `grab.tokens()`, `pkg.grab.tokens()` all name `tokens`
//! of a `grab.py` or `grab/__init__.py`), one level deep: a function that
//! returns what another module's function returns is not followed.

use rustc_hash::FxHashMap;

use crate::flow::Labels;
use crate::report::{Finding, Severity};

/// Labels worth carrying from one file to another: what makes a sink's
/// level (secrets, identity, downloads, decoded code).
pub(crate) const CARRIED: Labels = Labels::CREDENTIAL
    .or(Labels::SECRET)
    .or(Labels::WALLET)
    .or(Labels::ENVIRONMENT)
    .or(Labels::HOST_IDENTITY)
    .or(Labels::FETCHED)
    .or(Labels::DECODED);

/// At most this many sinks and exports are kept per file (hostile input:
/// a generated file with a million calls must not grow the scan's memory).
pub(crate) const MAX_PER_FILE: usize = 256;
/// At most this many names of other modules' calls are kept per sink.
pub(crate) const MAX_CALLS_PER_SINK: usize = 16;
/// At most this many labelled arguments are kept, over the package, for
/// one (module, function): each sink in such a function looks at them all.
const MAX_HANDED_PER_FUNCTION: usize = 64;

/// Top-level modules of Python's standard library that calls most often
/// start from (a filter, not a complete list: a call into one of these is
/// never a call into the package).
pub(crate) const STDLIB_ROOTS: &[&str] = &[
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "calendar",
    "codecs",
    "collections",
    "concurrent",
    "configparser",
    "contextlib",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "errno",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "getpass",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "marshal",
    "math",
    "mimetypes",
    "multiprocessing",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "pkgutil",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "select",
    "shlex",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "sysconfig",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "tokenize",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uuid",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkKind {
    /// Sends data out (requests.post, a socket's send...).
    Send,
    /// Runs code (exec, eval, compile).
    Exec,
    /// Starts a process.
    Process,
}

/// A sink that receives what calls into other modules return.
#[derive(Debug, Clone)]
pub(crate) struct Sink {
    pub kind: SinkKind,
    pub name: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub snippet: String,
    /// What its arguments carry from this file alone.
    pub own: Labels,
    /// The destination was chosen by the author (an address written in or
    /// hidden in the code, a suspicious host) or the file runs at install.
    pub chosen: bool,
    pub install_time: bool,
    /// The line runs as soon as its module is imported (module level, or a
    /// function called while it loads).
    pub import_time: bool,
    /// The chain's `when:` sentence for this line.
    pub when: String,
    /// An `exec` sink's file holds an encoded literal (a payload it
    /// carries), or decodes a string written in it: what the judgement
    /// of decoded code run on request asks within one file.
    pub holds_payload: bool,
    pub decodes_literal: bool,
    /// Calls whose results reach the sink, as resolved in this file
    /// (`..grab.tokens`, `pkg.grab.tokens`).
    pub calls: Vec<String>,
    /// The function the sink is in (its last name) and those of its
    /// parameters whose values reach the sink: what another file hands
    /// that function arrives there (`upload.push(stolen)`).
    pub function: String,
    pub params: Vec<String>,
    /// That function's parameters in order, and how many take positional
    /// arguments, to match a caller's arguments to them.
    pub param_order: Vec<String>,
    pub positional: usize,
}

/// An argument a file hands to a function of another module, when it
/// holds what a credential store or a wallet gave.
#[derive(Debug, Clone)]
pub(crate) struct Handed {
    /// The call as resolved in the calling file (`..upload.push`).
    pub call: String,
    pub line: usize,
    /// The argument's place among the positional ones, or its keyword.
    pub position: Option<usize>,
    pub keyword: Option<String>,
    pub labels: Labels,
}

/// What one file leaves for the join.
#[derive(Debug, Default)]
pub(crate) struct FileFlows {
    /// (function, its first line, what it returns), for functions whose
    /// returns carry a [`CARRIED`] label.
    pub exports: Vec<(String, usize, Labels)>,
    /// Its exports return decoded data and the file holds an encoded
    /// literal or decodes a string written in it: what it decodes may be
    /// its own hidden payload, not only what its callers hand over.
    pub decodes_own_payload: bool,
    pub sinks: Vec<Sink>,
    /// Calls into other modules made while this file installs (`true`) or
    /// loads (`false`): `setup.py`'s install command calling `main.main`.
    pub entries: Vec<(String, bool)>,
    /// Findings whose level waits on when their function runs: who-runs-it
    /// sent from `function` at `line`, and whether the address was chosen
    /// by the code.
    pub deferred: Vec<Deferred>,
    /// Labelled arguments handed to other modules' functions.
    pub handed: Vec<Handed>,
}

/// A finding judged "when a caller asks", which another file may call
/// while the package installs or loads.
#[derive(Debug, Clone)]
pub(crate) struct Deferred {
    /// `host-identity-sent` (a beacon if so called), `exec-downloaded`,
    /// `exec-decoded` and `unsafe-deserialization` (critical if so called),
    /// or a login agent's `persistence-startup`, a `.pth` file's
    /// `persistence-pth` and a git hook's (...) `persistence-autorun` (high if
    /// so called).
    pub rule: &'static str,
    pub function: String,
    pub line: usize,
    pub chosen: bool,
    /// The functions of its file whose calls reach `function` (its own
    /// name first, then its callers, theirs...), by last name: another
    /// file's call of any of them runs it (`setup.py` calls `main()`, which
    /// calls `send_data()`). At most [`MAX_CALLERS`].
    pub callers: Vec<String>,
}

/// The rules whose findings may wait on another file's calls ([`Deferred`]).
const DEFERRED_RULES: [&str; 7] = [
    "host-identity-sent",
    "exec-downloaded",
    "exec-decoded",
    "unsafe-deserialization",
    "persistence-startup",
    "persistence-pth",
    "persistence-autorun",
];

/// "when:" for a function another file calls while the package installs or
/// loads: directly, or through a function of its own file that reaches it.
fn called_then(when: &str, caller: &str, entry: &str, function: &str) -> String {
    if entry == function || entry == function.rsplit('.').next().unwrap_or(function) {
        format!("when: while the package {when}: `{caller}` calls `{function}` then")
    } else {
        format!("when: while the package {when}: `{caller}` calls `{entry}`, which reaches `{function}`")
    }
}

/// At most this many names stand for one deferred finding's function.
pub(crate) const MAX_CALLERS: usize = 16;

/// Fills each deferred finding's [`Deferred::callers`] from its file's calls:
/// one pass over the calls to index who calls what, then a walk of at most
/// [`MAX_CALLERS`] names per finding (a file of a million calls stays linear).
pub(crate) fn in_file_callers(
    facts: &crate::facts::Facts<'_>,
    timing: &crate::timing::Timing,
    deferred: &mut [Deferred],
) {
    if deferred.is_empty() {
        return;
    }
    let last = |n: &str| crate::timing::last_name(n).to_owned();
    // Callee's last name -> the functions whose bodies call it.
    let mut called_from: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    // A function handed on runs as surely as one called
    // (`threading.Thread(target=_warm)`): a plain name passed to a call
    // that names one of the file's functions counts as a call of it.
    let functions: rustc_hash::FxHashSet<&str> = facts.functions.iter().map(|f| f.name.as_str()).collect();
    for c in &facts.calls {
        if let Some(i) = timing.innermost(c.line) {
            let handed = c.args.iter().flat_map(|a| &a.names).filter(|n| functions.contains(n.as_str()));
            for callee in std::iter::once(last(&c.name)).chain(handed.map(|n| last(n))) {
                let from = called_from.entry(callee).or_default();
                if from.last() != Some(&i) && from.len() < MAX_PER_FILE {
                    from.push(i);
                }
            }
        }
    }
    for d in deferred {
        let mut names = vec![last(&d.function)];
        let mut next = 0;
        while next < names.len() && names.len() < MAX_CALLERS {
            for &i in called_from.get(&names[next]).map_or(&[][..], Vec::as_slice) {
                let name = last(&facts.functions[i].name);
                if names.len() < MAX_CALLERS && !names.contains(&name) {
                    names.push(name);
                }
            }
            next += 1;
        }
        d.callers = names;
    }
}

/// A module's stem as other files name it: `pkg/grab.py` -> `grab`,
/// `pkg/grab/__init__.py` -> `grab`.
fn stem(path: &str) -> Option<&str> {
    let mut parts = path.rsplit('/');
    let name = parts.next()?;
    let stem = name.strip_suffix(".py").or_else(|| name.strip_suffix(".pyw"))?;
    if stem == "__init__" { parts.next() } else { Some(stem) }
}

/// The (module stem, function) a call names: `..grab.tokens` -> (`grab`,
/// `tokens`).
fn target(call: &str) -> Option<(&str, &str)> {
    let call = call.trim_start_matches('.');
    let (module, function) = call.rsplit_once('.')?;
    Some((module.rsplit('.').next().unwrap_or(module), function))
}

/// A function another file can call: (file, first line, what it returns).
type Export = (String, usize, Labels);

/// Every file's lists, joined once all are in.
#[derive(Default)]
pub(crate) struct Join {
    /// (module stem, function) -> the functions of that name in such modules.
    exports: FxHashMap<(String, String), Vec<Export>>,
    sinks: Vec<Sink>,
    /// (module stem, function) -> (calling file, at install) for calls made
    /// while a file installs or loads.
    entries: FxHashMap<(String, String), Vec<(String, bool)>>,
    /// (file, deferred finding).
    deferred: Vec<(String, Deferred)>,
    /// (module stem, function) -> (calling file, labelled argument).
    handed: FxHashMap<(String, String), Vec<(String, Handed)>>,
    /// Files whose decoding functions may return their own payload
    /// ([`FileFlows::decodes_own_payload`]).
    payload_files: rustc_hash::FxHashSet<String>,
}

impl Join {
    pub(crate) fn add(&mut self, file: &str, flows: FileFlows) {
        if flows.decodes_own_payload {
            self.payload_files.insert(file.to_owned());
        }
        if let Some(stem) = stem(file) {
            for (function, line, labels) in flows.exports {
                self.exports.entry((stem.to_owned(), function)).or_default().push((file.to_owned(), line, labels));
            }
        }
        self.sinks.extend(flows.sinks);
        for (call, install) in flows.entries {
            if let Some((module, function)) = target(&call) {
                self.entries
                    .entry((module.to_owned(), function.to_owned()))
                    .or_default()
                    .push((file.to_owned(), install));
            }
        }
        self.deferred.extend(flows.deferred.into_iter().map(|d| (file.to_owned(), d)));
        for h in flows.handed {
            if let Some((module, function)) = target(&h.call) {
                let to = self.handed.entry((module.to_owned(), function.to_owned())).or_default();
                if to.len() < MAX_HANDED_PER_FUNCTION {
                    to.push((file.to_owned(), h));
                }
            }
        }
    }

    /// Who-runs-it sent from a function that another file calls while the
    /// package installs is an install beacon; while a module loads, to an
    /// address the code chose, an import beacon. (`setup.py`'s install
    /// command running `main()` of `main.py`, which reports the user and
    /// host to a canary domain.)
    pub(crate) fn upgrade(&self, findings: &mut [Finding]) {
        if self.deferred.is_empty() || self.entries.is_empty() {
            return;
        }
        // One pass over the findings, one lookup per deferred finding: a
        // package of many files with many of both stays linear.
        let at: FxHashMap<(&str, usize, &str), usize> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| DEFERRED_RULES.contains(&f.rule))
            .map(|(i, f)| ((f.file.as_str(), f.line, f.rule), i))
            .collect();
        let mut changes: Vec<(usize, &'static str, Severity, &'static str, String)> = Vec::new();
        for (file, d) in &self.deferred {
            let Some(stem) = stem(file) else { continue };
            // The entry another file calls: the function itself, or one of
            // its file's functions whose calls reach it.
            let Some((entry, callers)) = d
                .callers
                .iter()
                .chain(std::iter::once(&d.function))
                .find_map(|name| self.entries.get(&(stem.to_owned(), name.clone())).map(|c| (name, c)))
            else {
                continue;
            };
            let callers: Vec<&(String, bool)> = callers.iter().filter(|(caller, _)| caller != file).collect();
            let install = callers.iter().find(|(_, install)| *install);
            // Code or objects fetched and run: what was a loader's work on
            // request is the package's own act once another file runs it
            // while installing or loading.
            if d.rule != "host-identity-sent" {
                let Some((caller, install)) = install.or(callers.first()) else { continue };
                let Some(&i) = at.get(&(file.as_str(), d.line, d.rule)) else { continue };
                let when = if *install { "installs" } else { "loads" };
                // A login agent or a `.pth` file written so is persistence
                // (high, as its own file's top level would make it); code run
                // so is critical.
                let severity = if d.rule.starts_with("persistence-") { Severity::High } else { Severity::Critical };
                changes.push((i, d.rule, severity, "", called_then(when, caller, entry, &d.function)));
                continue;
            }
            let (caller, rule, severity, what) = match (install, callers.first()) {
                (Some((caller, _)), _) => (
                    caller,
                    "install-beacon",
                    Severity::Critical,
                    "sends who and where it is installed (user, host, folder) while the package installs, \
                     called from another file: a beacon",
                ),
                (None, Some((caller, _))) if d.chosen => (
                    caller,
                    "import-beacon",
                    Severity::High,
                    "sends who and where it runs (user, host, folder) as soon as the package is imported, to an \
                     address written in or hidden in the code, called from another file: a beacon",
                ),
                _ => continue,
            };
            let Some(&i) = at.get(&(file.as_str(), d.line, d.rule)) else { continue };
            let when = if severity == Severity::Critical { "installs" } else { "loads" };
            changes.push((i, rule, severity, what, called_then(when, caller, entry, &d.function)));
        }
        for (i, rule, severity, what, when) in changes {
            let f = &mut findings[i];
            if f.rule != "host-identity-sent" && f.severity >= severity {
                continue;
            }
            if f.rule == rule {
                f.severity = severity;
                if let Some(m) = f.message.strip_suffix(", when asked") {
                    f.message = m.to_owned();
                }
                // Decoded from what its caller hands over: the caller is the
                // package itself, so the code it runs is its own, hidden.
                if rule == "exec-decoded" {
                    f.message = f.message.replace(" from what its caller hands over", " first (a way to hide it)");
                }
                match f.because.iter_mut().find(|b| b.starts_with("when:")) {
                    Some(b) => *b = when,
                    None => f.because.insert(0, when),
                }
                continue;
            }
            f.rule = rule;
            f.severity = severity;
            f.category = "credentials";
            f.message = what.to_owned();
            f.because =
                vec![when, "what: the call receives who and where it runs (user, host or folder name)".to_owned()];
        }
    }

    /// Findings for sinks that get, from another file, what their own file
    /// did not give them.
    pub(crate) fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for sink in &self.sinks {
            let mut got = Labels::NONE;
            let mut sources = Vec::new();
            // Decoded data from a file that carries a payload of its own.
            let mut carried = false;
            for call in &sink.calls {
                let Some((module, function)) = target(call) else { continue };
                for (file, line, labels) in
                    self.exports.get(&(module.to_owned(), function.to_owned())).into_iter().flatten()
                {
                    if file != &sink.file {
                        got |= *labels;
                        carried |= labels.has(Labels::DECODED) && self.payload_files.contains(file);
                        sources.push(format!("what `{function}` ({file}, line {line}) returns"));
                    }
                }
            }
            // What other files hand the sink's function, through a
            // parameter that reaches the sink.
            if !sink.params.is_empty()
                && let Some(stem) = stem(&sink.file)
            {
                for (file, h) in self.handed.get(&(stem.to_owned(), sink.function.clone())).into_iter().flatten() {
                    let param = match (&h.keyword, h.position) {
                        (Some(k), _) => Some(k),
                        (None, Some(i)) if i < sink.positional => sink.param_order.get(i),
                        _ => None,
                    };
                    if file != &sink.file && param.is_some_and(|p| sink.params.contains(p)) {
                        got |= h.labels;
                        if sources.len() < MAX_CALLS_PER_SINK {
                            sources.push(format!("what {file} (line {}) hands `{}`", h.line, sink.function));
                        }
                    }
                }
            }
            if got.is_empty() {
                continue;
            }
            let Some((rule, severity, what)) = verdict(sink, got, carried) else { continue };
            let received = crate::explain::describe(got);
            out.push(Finding {
                rule,
                severity,
                category: match rule {
                    "exfiltration" | "install-beacon" | "import-beacon" => "credentials",
                    "process-decoded" => "process",
                    _ => "dynamic-code",
                },
                file: sink.file.clone(),
                line: sink.line,
                column: sink.column,
                snippet: sink.snippet.clone(),
                message: format!("{what}, from another file of the package"),
                because: vec![
                    sink.when.clone(),
                    format!("what: `{}` receives {}: {received}", sink.name, sources.join(", ")),
                ],
            });
        }
        out
    }
}

/// The rule a sink meets once it gets `got` from another file, unless its
/// own file already gave it the labels that rule needs (then the per-file
/// rule has reported it). `carried`: decoded data came from a file that
/// holds or decodes a payload of its own.
fn verdict(sink: &Sink, got: Labels, carried: bool) -> Option<(&'static str, Severity, &'static str)> {
    let new = |l: Labels| got.has(l) && !sink.own.has(l);
    match sink.kind {
        // A credential store's contents, the environment or a wallet's
        // phrase: more than any service needs.
        SinkKind::Send if new(Labels::CREDENTIAL | Labels::ENVIRONMENT | Labels::WALLET) => Some((
            "exfiltration",
            if sink.chosen { Severity::Critical } else { Severity::High },
            "sends credentials, secrets or the environment out",
        )),
        // One secret variable that another module reads (an SDK's token
        // helper, `get_token()` from its config module), as the per-file rule
        // judges it: to an address configuration names, how a client
        // authenticates (medium); to one the code chose, on request, high;
        // while the package installs or loads, critical.
        SinkKind::Send if new(Labels::SECRET) => {
            let severity = match (sink.chosen, sink.install_time || sink.import_time) {
                (false, _) => Severity::Medium,
                (true, false) => Severity::High,
                (true, true) => Severity::Critical,
            };
            Some((
                "exfiltration",
                severity,
                if severity == Severity::Medium {
                    "sends a secret (a token or key) to an address the code takes from elsewhere: how a client \
                     authenticates to its service"
                } else {
                    "sends credentials, secrets or the environment out"
                },
            ))
        }
        SinkKind::Send if new(Labels::HOST_IDENTITY) && sink.install_time => Some((
            "install-beacon",
            Severity::Critical,
            "sends who and where it is installed over the network while the package installs",
        )),
        SinkKind::Send if new(Labels::HOST_IDENTITY) && sink.import_time && sink.chosen => Some((
            "import-beacon",
            Severity::High,
            "sends who and where it runs as soon as the module is imported, to an address written in the code",
        )),
        // Within one file, code fetched and run when asked is high and
        // critical while installing or loading: the same across files.
        SinkKind::Exec if new(Labels::FETCHED) => Some((
            "exec-downloaded",
            if sink.install_time || sink.import_time { Severity::Critical } else { Severity::High },
            "runs code downloaded from the network",
        )),
        // As within one file (`rules::code`): a payload the package
        // carries (an encoded literal in either file, a string the decoder
        // decodes) or one run while it installs or loads is its own hidden
        // code, critical. Another module's decoder applied to what this
        // function is handed, run when asked, is a deserializer (a
        // credential helper `eval`ing the dict it decrypts from its
        // database): medium, high when the running file decodes a literal.
        SinkKind::Exec if new(Labels::DECODED) => {
            if carried || sink.holds_payload || sink.install_time || sink.import_time {
                Some(("exec-decoded", Severity::Critical, "runs code that is decoded first (a way to hide it)"))
            } else {
                Some((
                    "exec-decoded",
                    if sink.decodes_literal { Severity::High } else { Severity::Medium },
                    "runs, when asked, code decoded from what it is handed",
                ))
            }
        }
        SinkKind::Process if new(Labels::DECODED) => {
            Some(("process-decoded", Severity::Critical, "starts a process whose command is decoded or downloaded"))
        }
        // Built from what another module downloaded (a registry's login
        // token handed to `docker login`): as within one file, the package's
        // own act while it installs or loads, a tool's work on request.
        SinkKind::Process if new(Labels::FETCHED) => Some((
            "process-decoded",
            if sink.install_time || sink.import_time { Severity::Critical } else { Severity::High },
            "starts a process whose command is decoded or downloaded",
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_and_calls_are_named_alike() {
        assert_eq!(stem("pkg/grab.py"), Some("grab"));
        assert_eq!(stem("pkg/grab/__init__.py"), Some("grab"));
        assert_eq!(stem("grab.py"), Some("grab"));
        assert_eq!(stem("__init__.py"), None);
        assert_eq!(stem("data.json"), None);
        assert_eq!(target("..grab.tokens"), Some(("grab", "tokens")));
        assert_eq!(target("pkg.grab.tokens"), Some(("grab", "tokens")));
        assert_eq!(target(".util.collect"), Some(("util", "collect")));
        assert_eq!(target("tokens"), None);
    }
}
