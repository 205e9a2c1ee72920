//! Security rules over one file's facts. Severity is about intent, not
//! capability: opening files, starting Explorer, calling web APIs and
//! writing settings are info to medium and go to the transparency report;
//! high and critical are for what only malware needs (decoded or downloaded
//! code executed, download then run, persistence, shells, shellcode,
//! credentials sent out, destruction outside the package). Findings are
//! combined per file, following data from sources to sinks ([`crate::flow`]):
//! a decoder feeding `exec` is one critical finding, not two medium ones.
//!
//! This module holds the per-file context the rules share ([`Out`],
//! [`FileSense`], the lazy data flow) and [`check_python`], which runs them:
//! first the per-call rules, by what a call does ([`code`], [`processes`],
//! [`network`], [`system`]), then the rules over the whole file
//! ([`whole_file`], with [`execution`] and [`stores`]), then what the file
//! leaves for the package-wide join ([`exports`]). The names they look for
//! are in [`lists`].

mod code;
mod execution;
mod exports;
mod lists;
mod network;
mod processes;
mod stores;
mod system;
mod whole_file;

use crate::crossfile::FileFlows;
use crate::dotted::last_segment;
use crate::facts::{Arg, Call, Facts};
use crate::flow::{self, FETCHERS, Flow, Labels, Names, matches, names};
use crate::report::{Capabilities, Finding, Severity};
use crate::timing::{Timing, When};
use code::dynamic_code;
pub(crate) use code::{inline_python, string_constant};
use exports::cross_file;
use lists::{
    CODE_LOADERS, CONTENT_WRITERS, DELETERS, DESERIALIZE, DNS_LOOKUPS, DOWNLOAD_TO_FILE, EXECUTORS, HTTP_REQUESTS,
    IMPORTERS, NETWORK, PROCESS, SENDERS, SHELLCODE_APIS,
};
use network::{dns_lookup, network, smuggling};
use processes::processes;
use system::{files, native, registry};
use whole_file::whole_file;

/// The labels of a request's address: its `url` keyword, or else its first
/// positional argument. A loopback address and no other (`http://localhost:
/// {port}/v1`) keeps what is sent on the computer; a decoded one hides
/// where it goes.
fn destination_labels(c: &Call, lazy: &LazyVars<'_>) -> Labels {
    c.args
        .iter()
        .find(|a| a.keyword.as_deref() == Some("url"))
        .or_else(|| c.args.iter().find(|a| a.keyword.is_none()))
        .map_or(Labels::NONE, |a| lazy.arg_labels(c.line, a))
}

/// The first argument as written: its literal value, else its source text.
fn first_arg(c: &Call) -> String {
    c.args.first().map(|a| a.literal.clone().unwrap_or_else(|| a.text.to_string())).unwrap_or_default()
}

fn all_args_lower(c: &Call) -> String {
    let mut s = String::new();
    for a in &c.args {
        s.push_str(&a.text.to_ascii_lowercase());
        s.push(' ');
        for lit in &a.strings {
            s.push_str(&lit.to_ascii_lowercase());
            s.push(' ');
        }
    }
    s
}

struct Out<'a> {
    file: &'a str,
    /// The file's source (for [`Timing`], which looks for a program's entry).
    text: &'a str,
    /// The file runs while the package installs.
    install_time: bool,
    findings: Vec<Finding>,
    /// The rules of `findings`: rules that report once per file ask here,
    /// not the list (a file may have a finding per call).
    rules: rustc_hash::FxHashSet<&'static str>,
    /// When each line runs, worked out on first use (few files need it).
    timing: std::cell::OnceCell<Timing>,
    /// Findings another file may make more serious by calling their
    /// function while it installs or loads (see [`crate::crossfile::Deferred`]).
    deferred: Vec<crate::crossfile::Deferred>,
    /// A chat bot's token is written in the file ([`flow::is_bot_token`]).
    bot_token: bool,
    /// The file writes out the Telegram bot API's address, and a bot's
    /// token: what it sends there goes to the bot's holder.
    own_bot: bool,
    /// The file talks to a host of the author's kind (a raw IP, a paste
    /// site, a webhook or a tunnel: [`crate::hosts::names_author_host`]).
    author_host: bool,
    /// The file sends to an address it decodes at run time.
    hidden_send: bool,
    /// Variables read out of a mapping under a key that names a secret
    /// (`content = settings['TOKEN']`), worked out once, on first use.
    secret_keyed: std::cell::OnceCell<rustc_hash::FxHashSet<String>>,
    /// The file decodes a string written in it (`b64decode('...')`):
    /// worked out once, on first use.
    decodes_a_literal: std::cell::OnceCell<bool>,
    /// Where each line of `text` starts, worked out once, on first use.
    line_starts: std::cell::OnceCell<Vec<usize>>,
    /// The lines of each plain variable's assignments, in order, worked
    /// out once, on first use.
    assigned_at: std::cell::OnceCell<rustc_hash::FxHashMap<String, Vec<usize>>>,
}

impl Out<'_> {
    fn timing(&self, facts: &Facts<'_>) -> &Timing {
        self.timing.get_or_init(|| Timing::new(facts, self.install_time, self.file, self.text))
    }

    /// A finding at `c`, judged "when asked", that another file may run
    /// while the package installs or loads ([`crate::crossfile::Deferred`]).
    fn defer(&mut self, facts: &Facts<'_>, rule: &'static str, c: &Call, chosen: bool) {
        let timing = self.timing(facts);
        let function = match timing.at(facts, c.line) {
            When::Call(function, _) => Some(function),
            When::Program => timing.innermost(c.line).map(|i| facts.functions[i].name.clone()),
            _ => None,
        };
        if let Some(function) = function {
            self.deferred.push(crate::crossfile::Deferred {
                rule,
                function,
                line: c.line,
                chosen,
                callers: Vec::new(),
            });
        }
    }

    /// A write that makes something run again later (a login agent, a
    /// `.pth` file, a git hook): high while the package installs or loads
    /// (its own act, unasked), medium on request, where another file's call
    /// while loading makes it high again (deferred: a helper module's
    /// `_register_hook()` called from `__init__`).
    fn persistence(&mut self, facts: &Facts<'_>, c: &Call, rule: &'static str, message: &str) {
        let unasked = matches!(self.timing(facts).at(facts, c.line), When::Install | When::Import);
        if !unasked {
            self.defer(facts, rule, c, false);
        }
        self.push(rule, if unasked { Severity::High } else { Severity::Medium }, "persistence", c, message.to_owned());
    }

    /// Whether a value decoded at `line` is the package's own hidden one:
    /// the file decodes a string written in it, or `line` runs while the
    /// package installs or loads. Otherwise it was decoded from what a
    /// caller handed over, on request.
    fn carried(&self, facts: &Facts<'_>, line: usize) -> bool {
        self.decodes_a_literal(facts) || matches!(self.timing(facts).at(facts, line), When::Install | When::Import)
    }

    /// Whether the file decodes a string written in it (`b64decode('...')`,
    /// `bytes.fromhex('...')`): a value it carries hidden. A decoding the
    /// front-end folded whole leaves no call, only an assignment of
    /// constants through a decoder (`RAW = bytes.fromhex('7FF8...')[::-1]`).
    /// One pass over the file's calls and assignments the first time, then
    /// the answer.
    fn decodes_a_literal(&self, facts: &Facts<'_>) -> bool {
        *self.decodes_a_literal.get_or_init(|| {
            facts.calls.iter().any(|c| {
                matches(&c.name, names!(flow::DECODERS))
                    && c.args.first().is_some_and(|a| a.literal.as_deref().is_some_and(|l| l.len() >= 4))
            }) || facts.assigns.iter().any(|a| {
                a.names.is_empty()
                    && a.strings.iter().any(|s| s.len() >= 4)
                    && a.calls.iter().any(|c| matches(c, names!(flow::DECODERS)))
            })
        })
    }

    /// The source from the start of line `line` (1-based), at most `max`
    /// bytes (cut at a character boundary).
    fn source_from(&self, line: usize, max: usize) -> &str {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1)).collect()
        });
        let Some(&start) = line.checked_sub(1).and_then(|i| starts.get(i)) else { return "" };
        let mut end = (start + max).min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        &self.text[start..end]
    }

    /// The line of the last assignment to the plain variable `name` at or
    /// before `line`: one pass over the file's assignments the first time.
    fn assigned_before(&self, facts: &Facts<'_>, name: &str, line: usize) -> Option<usize> {
        let lines = self.assigned_at.get_or_init(|| {
            let mut m: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
            for a in &facts.assigns {
                if let [t] = a.targets.as_slice() {
                    m.entry(t.clone()).or_default().push(a.line);
                }
            }
            m
        });
        let at = lines.get(name)?;
        // Lines are in source order: the last one not after `line`.
        let i = at.partition_point(|&l| l <= line);
        i.checked_sub(1).map(|i| at[i])
    }

    /// Whether `name` holds a value read under a key that names a secret
    /// (`settings['TOKEN']`, `cfg["api_key"]`): one pass over the file's
    /// assignments the first time, then a lookup.
    fn secret_keyed(&self, facts: &Facts<'_>, name: &str) -> bool {
        self.secret_keyed
            .get_or_init(|| {
                facts
                    .assigns
                    .iter()
                    .filter(|a| {
                        a.calls.is_empty()
                            && a.names.len() == 1
                            && matches!(&a.strings[..], [key] if flow::names_a_secret(key))
                    })
                    .flat_map(|a| a.targets.iter().cloned())
                    .collect()
            })
            .contains(name)
    }

    fn reported(&self, rule: &str) -> bool {
        self.rules.contains(rule)
    }

    /// The file talks to a raw IP, a paste site, a webhook or a tunnel, or
    /// holds a chat bot's token: what it sends goes where the author reads.
    fn suspicious_destination(&self) -> bool {
        self.bot_token || self.reported("network-suspicious-host")
    }

    fn push(&mut self, rule: &'static str, severity: Severity, category: &'static str, c: &Call, message: String) {
        self.record(rule, severity, category, (c.line, c.column, c.snippet.to_string()), message);
    }

    /// A finding at `(line, column, snippet)`.
    fn record(
        &mut self,
        rule: &'static str,
        severity: Severity,
        category: &'static str,
        (line, column, snippet): (usize, usize, String),
        message: String,
    ) {
        self.rules.insert(rule);
        self.findings.push(Finding {
            rule,
            severity,
            category,
            file: self.file.to_owned(),
            line,
            column,
            snippet,
            message,
            because: Vec::new(),
        });
    }

    /// Facts a rule knows about its last finding beyond what
    /// [`crate::explain`] finds at the finding's line (which lines fetch,
    /// which run).
    fn because(&mut self, facts: Vec<String>) {
        // Chains explain the levels that block; below high there is none.
        if let Some(f) = self.findings.last_mut().filter(|f| f.severity >= Severity::High) {
            f.because.extend(facts);
        }
    }

    fn push_at(
        &mut self,
        rule: &'static str,
        severity: Severity,
        category: &'static str,
        line: usize,
        message: String,
    ) {
        self.record(rule, severity, category, (line, 1, String::new()), message);
    }
}

/// The file's data flow, set up on first use (most files have no sink).
struct LazyVars<'a> {
    facts: &'a Facts<'a>,
    cell: std::cell::OnceCell<Flow<'a>>,
}

impl<'a> LazyVars<'a> {
    fn flow(&self) -> &Flow<'a> {
        self.cell.get_or_init(|| Flow::new(self.facts))
    }

    /// Labels of an argument of the call at `line`.
    fn arg_labels(&self, line: usize, a: &Arg<'_>) -> Labels {
        self.cell.get_or_init(|| Flow::new(self.facts)).arg_labels(line, a)
    }

    /// What the variable `name` may hold at `line`.
    fn name_labels(&self, line: usize, name: &str) -> Labels {
        self.cell.get_or_init(|| Flow::new(self.facts)).name_labels(line, name)
    }
}

/// A `'static` needle list, by its address and length.
type NeedlesKey = (usize, usize);

/// Facts about the whole file that several rules combine.
struct FileSense<'a> {
    facts: &'a Facts<'a>,
    /// Every string of the file, lowercased, each between NULs
    /// (`"\0first\0second\0"`): one buffer to search instead of one search
    /// per string.
    haystack: String,
    /// Where each string starts in `haystack`.
    starts: Vec<usize>,
    /// Answers of [`FileSense::mentions`] by needle list (its address: the
    /// lists are `'static`, so an address names one list), since per-call
    /// rules ask the same question again.
    mentioned: std::cell::RefCell<Vec<(NeedlesKey, Option<usize>)>>,
    /// [`stores::mentions_store`]'s answer, once asked.
    mentions_store: std::cell::OnceCell<bool>,
    /// Whether any name of the file can hold `Registry` or `lipboard`, and
    /// `builtin`: names are made of the source's identifiers and its strings,
    /// so one search of each answers for every call and argument.
    may_name_registry: bool,
    may_name_builtins: bool,
    /// The file imports a DNS library (dnspython, aiodns): its objects'
    /// `resolve` and `query` look names up.
    imports_dns: bool,
}

impl<'a> FileSense<'a> {
    fn new(facts: &'a Facts<'a>, text: &str) -> Self {
        let mut haystack = String::with_capacity(facts.strings.iter().map(|(s, _)| s.len() + 1).sum::<usize>() + 1);
        let mut starts = Vec::with_capacity(facts.strings.len());
        haystack.push('\0');
        for (s, _) in &facts.strings {
            starts.push(haystack.len());
            haystack.push_str(s);
            haystack.push('\0');
        }
        haystack.make_ascii_lowercase();
        let found = |hay: &str, needle: &str| memchr::memmem::find(hay.as_bytes(), needle.as_bytes()).is_some();
        let may_name_registry = ["Registry", "lipboard"].iter().any(|n| found(text, n))
            || ["registry", "lipboard"].iter().any(|n| found(&haystack, n));
        let may_name_builtins = found(text, "builtin") || found(&haystack, "builtin");
        let imports_dns = facts.imports.iter().any(|(m, _)| m == "dns" || m.starts_with("dns.") || m == "aiodns");
        FileSense {
            facts,
            haystack,
            starts,
            mentioned: Default::default(),
            mentions_store: Default::default(),
            may_name_registry,
            may_name_builtins,
            imports_dns,
        }
    }

    /// The line of the first string that contains one of `needles` (lowercase).
    fn mentions(&self, needles: &'static [&'static str]) -> Option<usize> {
        let key = (needles.as_ptr() as usize, needles.len());
        if let Some(&(_, answer)) = self.mentioned.borrow().iter().find(|(k, _)| *k == key) {
            return answer;
        }
        let answer = self.search(needles);
        self.mentioned.borrow_mut().push((key, answer));
        answer
    }

    fn search(&self, needles: &[&str]) -> Option<usize> {
        let at = needles.iter().filter_map(|n| memchr::memmem::find(self.haystack.as_bytes(), n.as_bytes())).min()?;
        let index = self.starts.partition_point(|&start| start <= at).saturating_sub(1);
        self.facts.strings.get(index).map(|(_, line)| *line)
    }

    /// The line of a string where a Bitcoin bech32 address or pattern
    /// starts (`bc1q...`, `^bc1`, `(bc1|[13])`, `\bbc1`): `bc1` at the start
    /// of a word, not inside one (`"ABC123"`, a test's request code).
    fn bech32_prefix(&self) -> Option<usize> {
        let hay = self.haystack.as_bytes();
        let at = memchr::memmem::find_iter(hay, b"bc1").find(|&i| {
            let before = i.checked_sub(1).map(|j| hay[j]);
            !before.is_some_and(|b| b.is_ascii_alphanumeric()) || before == Some(b'b') && i >= 2 && hay[i - 2] == b'\\'
        })?;
        let index = self.starts.partition_point(|&start| start <= at).saturating_sub(1);
        self.facts.strings.get(index).map(|(_, line)| *line)
    }

    /// Whether some string is exactly `word` (lowercase).
    fn has_string(&self, word: &str) -> bool {
        memchr::memmem::find(self.haystack.as_bytes(), format!("\0{word}\0").as_bytes()).is_some()
    }

    fn any_call(&self, list: &Names) -> Option<&Call<'_>> {
        self.facts.calls.iter().find(|c| matches(&c.name, list))
    }
}

/// A call to an executor, directly or handed over (`map(exec, ...)`).
fn executor_name(c: &Call) -> Option<String> {
    if matches(&c.name, names!(EXECUTORS)) {
        return Some(c.name.clone());
    }
    // An executor handed over is one to apply (`map(eval, rows)`); the type
    // `types.FunctionType` handed over is one to check against
    // (`isinstance(save_to, types.FunctionType)`, h2o's type assertions).
    c.args
        .iter()
        .find(|a| a.literal.is_none() && a.text.trim() != "types.FunctionType" && EXECUTORS.contains(&a.text.trim()))
        .map(|a| a.text.trim().to_owned())
}

/// Runs every rule on one Python file. `package` is the normalised package
/// name (its own folders under APPDATA are not "outside the package").
/// `text` is the source `facts` were read from.
/// `install_time`: the file runs while the package installs (see
/// [`is_install_time`]; manifest hooks too).
pub(crate) fn check_python(
    file: &str,
    text: &str,
    facts: &Facts,
    package: &str,
    install_time: bool,
    caps: &mut Capabilities,
    flows: &mut FileFlows,
) -> Vec<Finding> {
    let mut out = Out {
        file,
        text,
        install_time,
        findings: Vec::new(),
        rules: Default::default(),
        timing: Default::default(),
        deferred: Vec::new(),
        author_host: false,
        hidden_send: false,
        secret_keyed: Default::default(),
        decodes_a_literal: Default::default(),
        line_starts: Default::default(),
        assigned_at: Default::default(),
        bot_token: facts.strings.iter().any(|(s, _)| flow::is_bot_token(s.trim().as_bytes())),
        own_bot: false,
    };
    out.own_bot = out.bot_token && memchr::memmem::find(text.as_bytes(), b"api.telegram.org/bot").is_some();
    // The data-flow pass runs only when a rule asks where a value came from.
    let lazy = LazyVars { facts, cell: std::cell::OnceCell::new() };
    let sense = FileSense::new(facts, text);
    let labels_of = |c: &Call| c.args.iter().fold(Labels::NONE, |l, a| l | lazy.arg_labels(c.line, a));
    // A socket connected to an address written in the file: what it sends
    // goes where the author chose (`send` itself names no address).
    let connects_to_literal = facts.calls.iter().any(|c| {
        (c.name.ends_with(".connect") || c.name == "socket.create_connection")
            && c.args.iter().any(|a| a.literal.iter().chain(&a.strings).any(|s| crate::flow::is_address(s)))
    });

    for c in &facts.calls {
        let name = c.name.as_str();
        // Most calls (`len`, `self.update`) concern no rule: skip them cheaply.
        if !interesting(c, &sense) {
            continue;
        }
        // Labels cost a pass over the arguments: only sinks need them.
        // Each argument's labels once: the union for the rules, and the
        // arguments apart for where a request's secret rides.
        let per_arg: Vec<Labels> = if needs_labels(c, &sense) {
            c.args.iter().map(|a| lazy.arg_labels(c.line, a)).collect()
        } else {
            Vec::new()
        };
        let mut labels = per_arg.iter().fold(Labels::NONE, |l, &a| l | a);
        // A sender's destination may be in the object it is called on: a
        // connection opened to a host the code names, a chat bot built with
        // a token written in the code (`bot.send_document(chat, f)`).
        if lists::is_sender(c)
            && let Some((receiver, _)) = name.rsplit_once('.')
            && receiver != "requests"
        {
            labels |= lazy.name_labels(c.line, receiver).and(Labels::ADDRESS | Labels::DECODED);
        }
        // What exec, eval, compile or __import__ runs is their first
        // argument; the namespaces they are given (`exec(src, {}, ns)`) are
        // data, whatever flowed into them. Handed over (`map(exec, xs)`), the
        // code is among the other arguments.
        let code_labels = if labels.is_empty() {
            labels
        } else if matches(name, names!(EXECUTORS)) || matches(name, names!(IMPORTERS)) {
            c.args
                .iter()
                .find(|a| a.keyword.is_none() || a.keyword.as_deref() == Some("source"))
                .map_or(Labels::NONE, |a| lazy.arg_labels(c.line, a))
        } else {
            labels
        };
        dynamic_code(&mut out, facts, c, code_labels);
        let command_labels = processes::command_labels(c, labels, &per_arg);
        processes(&mut out, facts, c, command_labels, caps);
        // Only a request has an address to look at.
        let request = lists::is_sender(c) || network::http_get(c);
        let dest = if labels.is_empty() || !request { Labels::NONE } else { destination_labels(c, &lazy) };
        // A secret that rides only in `headers=` or `auth=` is presented to
        // the service the request goes to (`Authorization: Bearer ...`), not
        // carried to it as data.
        let presented = request
            && labels.has(Labels::SECRET)
            && c.args.iter().any(|a| matches!(a.keyword.as_deref(), Some("headers" | "auth")))
            && !c
                .args
                .iter()
                .zip(&per_arg)
                .filter(|(a, _)| !matches!(a.keyword.as_deref(), Some("headers" | "auth")))
                .any(|(_, l)| l.has(Labels::SECRET | Labels::CREDENTIAL | Labels::WALLET));
        // What the presented secret itself was made of: a decoded image in
        // the body beside it is the request's data, not a hidden key.
        let secret_decoded = presented
            && c.args
                .iter()
                .zip(&per_arg)
                .any(|(a, l)| matches!(a.keyword.as_deref(), Some("headers" | "auth")) && l.has(Labels::DECODED));
        let route = network::Route {
            presented,
            secret_decoded,
            // The address, written here or kept in a variable, names a host
            // of the author's kind.
            author_dest: dest.has(Labels::AUTHOR_HOST),
            connects_to_literal,
            dns: dns_lookup(c, &sense),
            local: dest.has(Labels::LOOPBACK) && !dest.has(Labels::ADDRESS | Labels::DECODED),
            hidden: dest.has(Labels::DECODED),
        };
        network(&mut out, facts, c, labels, route, caps);
        // `torch.load(path, weights_only=False)`: the pickle behind the
        // model is unpickled whole, objects and code (PyTorch's own default
        // since 2.6 refuses them).
        let unguarded_model = name == "torch.load"
            && c.args.iter().any(|a| a.keyword.as_deref() == Some("weights_only") && a.text.trim() == "False");
        if matches(name, names!(DESERIALIZE))
            || unguarded_model
            || (name == "yaml.load"
                && !c.args.iter().any(|a| a.text.contains("SafeLoader") || a.text.contains("CSafeLoader")))
            || name == "yaml.unsafe_load"
        {
            // Objects loaded from the network while the package installs
            // or loads are the package's own act: critical. When a caller
            // asks, it is how data loaders, caches and RPC clients work
            // (webdataset's shards, a model server's peers, an OpenAPI
            // document fetched by a generator): unsafe, for a reviewer,
            // not a threat; critical again where the file talks to an
            // author's host or another file runs it while loading.
            let fetched = labels.has(Labels::FETCHED);
            let timing = out.timing(facts).at(facts, c.line);
            let asked = fetched && matches!(timing, When::Call(..) | When::Program);
            if asked {
                out.defer(facts, "unsafe-deserialization", c, false);
            }
            let (sev, why, suffix) = match (fetched, asked) {
                // A model file unpickled with PyTorch's safety turned off,
                // as the package loads (or installs, when `setup.py`
                // imports it): code hidden in a model the package ships
                // runs before anyone asked for anything.
                (false, _) if unguarded_model && !matches!(timing, When::Call(..) | When::Program) => (
                    Severity::High,
                    if timing == When::Install {
                        " with `weights_only=False`, while the package installs,"
                    } else {
                        " with `weights_only=False`, as the module loads,"
                    },
                    "",
                ),
                (false, _) => (Severity::Medium, "", ""),
                (true, true) => (Severity::Medium, " on data from the network", ", when asked"),
                (true, false) => (Severity::Critical, " on data from the network", ""),
            };
            out.push(
                "unsafe-deserialization",
                sev,
                "deserialization",
                c,
                format!("{name}(){why} can run code hidden in the data{suffix}"),
            );
        }
        native(&mut out, c, labels);
        smuggling(&mut out, c, labels, &sense);
        registry(&mut out, c, labels, &sense, caps);
        files(&mut out, c, &lazy, package, caps);
        if matches(
            name,
            names!(&["?.SetClipboardData", "?.SetText", "pyperclip.copy", "clipboard.copy", "?.SetDataObject"]),
        ) && (sense.mentions(&["0x[a-f", "[13][a-km-z", "^0x", "wallet"]).is_some()
            || sense.bech32_prefix().is_some())
        {
            out.push(
                "clipboard-hijack",
                Severity::High,
                "credentials",
                c,
                "replaces the clipboard in a file that looks for wallet addresses".into(),
            );
        }
    }

    unasked_or_hidden_fetch(&mut out);
    whole_file(&mut out, &sense, &lazy);
    // One search of the file's strings first: most files hold no key.
    let pem = memchr::memmem::find(sense.haystack.as_bytes(), b"-----begin").is_some();
    for (s, line) in &facts.strings {
        if flow::is_bot_token(s.trim().as_bytes()) {
            out.push_at(
                "hardcoded-secret",
                Severity::Medium,
                "credentials",
                *line,
                "a chat bot's token is written in the code: what the bot sends goes to whoever holds it".into(),
            );
        } else if pem && has(s, "-----BEGIN") && s.contains("PRIVATE KEY") || is_access_key(s) {
            out.push_at(
                "hardcoded-secret",
                Severity::Medium,
                "credentials",
                *line,
                "a private key or access key is written in the code".into(),
            );
        }
        if s.len() >= 512 && entropy(s) > 4.5 {
            out.record(
                "high-entropy-string",
                Severity::Medium,
                "obfuscation",
                (*line, 1, s.chars().take(60).collect()),
                format!("a {}-character string that looks encoded or encrypted", s.len()),
            );
        }
    }
    cross_file(&out, facts, &sense, &lazy, connects_to_literal, flows);
    if out.findings.iter().any(|f| f.severity >= Severity::High) {
        out.timing(facts);
        let timing = out.timing.take().expect("set just above");
        crate::explain::explain(&mut out.findings, facts, file, &timing, labels_of);
    }
    out.findings
}

/// Whether a decoder is applied, where it is called, to names that hold
/// only strings the file writes out (`URL = "...//:sptth"` then
/// `URL[::-1]`, `b64decode(KEY)`): the file decodes a string it carries.
/// The constants are the targets of assignments of nothing but strings
/// (wherever they are: a reassignment elsewhere is not looked for).
/// Asked only where an upload's address is decoded (one pass, rare).
pub(super) fn decodes_a_constant(facts: &Facts<'_>) -> bool {
    let constants: rustc_hash::FxHashSet<&str> = facts
        .assigns
        .iter()
        .filter(|a| a.names.is_empty() && a.calls.is_empty() && a.strings.iter().any(|s| s.len() >= 4))
        .flat_map(|a| a.targets.iter().map(String::as_str))
        .collect();
    if constants.is_empty() {
        return false;
    }
    // Every name read is such a constant, apart from the calls' own names.
    let only_constants = |a: &crate::facts::Arg<'_>| {
        a.names.iter().any(|n| constants.contains(n.as_str()))
            && a.names.iter().all(|n| constants.contains(n.as_str()) || a.inner_calls.iter().any(|c| c == n))
    };
    facts.calls.iter().any(|c| {
        let decoder = matches(&c.name, names!(flow::DECODERS));
        c.args.iter().any(|a| {
            (decoder || a.inner_calls.iter().any(|ic| matches(ic, names!(flow::DECODERS)))) && only_constants(a)
        })
    })
}

/// Code or objects fetched and run when asked are high (`dynamic_code`, the
/// deserializers): what a loader runs is what its source serves. In a file
/// that talks to a raw IP, a paste site, a webhook or a tunnel, or holds a
/// chat bot's token, the source is one the author reads and hides:
/// critical, as when nothing asked. (GitHub's raw files are not enough: a
/// team keeps its scripts there.) Settled once the file's calls are all
/// seen: the host may be named after the call that runs what it sent.
fn unasked_or_hidden_fetch(out: &mut Out<'_>) {
    if !(out.bot_token || out.author_host) {
        return;
    }
    for f in &mut out.findings {
        let fetched_on_request = match f.rule {
            "exec-downloaded" => f.severity == Severity::High,
            "unsafe-deserialization" => f.message.ends_with(", when asked"),
            _ => false,
        };
        if fetched_on_request {
            f.severity = Severity::Critical;
            if let Some(m) = f.message.strip_suffix(", when asked") {
                f.message = m.to_owned();
            }
        }
    }
}

/// The last segments of every call name a per-call rule looks at.
static INTERESTING: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> = std::sync::LazyLock::new(|| {
    let lists: &[&[&str]] = &[
        EXECUTORS,
        IMPORTERS,
        PROCESS,
        NETWORK,
        FETCHERS,
        SENDERS,
        HTTP_REQUESTS,
        DESERIALIZE,
        DELETERS,
        DNS_LOOKUPS,
        CONTENT_WRITERS,
        CODE_LOADERS,
        DOWNLOAD_TO_FILE,
        SHELLCODE_APIS,
    ];
    let extra = [
        "load",
        "unsafe_load",
        "Load",
        "AddReferenceToFile",
        "AddReference",
        "CDLL",
        "WinDLL",
        "LoadLibrary",
        "SetValueEx",
        "SetValue",
        "CreateKey",
        "CreateKeyEx",
        "CreateSubKey",
        "RegSetValueEx",
        "open",
        "write_text",
        "write_bytes",
        "copy",
        "copy2",
        "copyfile",
        "move",
        "Copy",
        "SetClipboardData",
        "SetText",
        "SetDataObject",
    ];
    lists.iter().flat_map(|l| l.iter()).map(|n| last_segment(n)).chain(extra).collect()
});

fn interesting(c: &Call, sense: &FileSense<'_>) -> bool {
    let n = c.name.as_str();
    INTERESTING.contains(last_segment(n))
        || ["ctypes.", "win32api.", "winreg.", "_winreg.", "Registry.", "Microsoft."].iter().any(|p| n.starts_with(p))
        || sense.may_name_registry && mentions_registry_or_clipboard(n)
        || c.args.iter().any(|a| a.literal.is_none() && EXECUTORS.contains(&a.text.trim()))
}

fn mentions_registry_or_clipboard(n: &str) -> bool {
    has(n, "Registry") || has(n, "lipboard")
}

/// `hay.contains(needle)` for the short names and strings of a file (these
/// run for every call of every file): a plain loop, with no searcher or
/// SIMD set-up to pay for on a few bytes.
fn has(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else { return true };
    h.len() >= n.len() && (0..=h.len() - n.len()).any(|i| h[i] == first && h[i..i + n.len()] == *n)
}

/// Calls whose rules look at where their arguments come from.
fn needs_labels(c: &Call, sense: &FileSense<'_>) -> bool {
    let n = c.name.as_str();
    executor_name(c).is_some()
        || dns_lookup(c, sense)
        || network::http_get(c)
        || [
            names!(IMPORTERS),
            names!(PROCESS),
            names!(SENDERS),
            names!(DESERIALIZE),
            names!(CONTENT_WRITERS),
            names!(CODE_LOADERS),
        ]
        .iter()
        .any(|l| matches(n, l))
        || n.starts_with("yaml.")
        || n.ends_with(".Load")
        || n.starts_with("winreg.")
        || n.starts_with("_winreg.")
        || sense.may_name_registry && has(n, "Registry")
        || ["SetValueEx", "SetValue", "CreateKey", "CreateKeyEx", "CreateSubKey", "RegSetValueEx"]
            .iter()
            .any(|w| n.ends_with(w))
}

fn is_access_key(s: &str) -> bool {
    (s.len() == 20 && s.starts_with("AKIA") && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        || (s.starts_with("ghp_") && s.len() == 40)
        || (s.starts_with("xoxb-") && s.len() > 40)
}

/// Files that run when a package is installed, before anyone runs it, by
/// their name: `setup.py` (pip builds from source with it) and `.pth`
/// start-up files. (Manifest hooks are known to the caller.) pip runs the
/// `setup.py` at the root of a source archive (`setup.py`, or
/// `name-1.0/setup.py` under the archive's one top folder); one deeper in
/// the tree is a module named so (hopsworks' `cli/commands/setup.py`, the
/// `hops setup` command) or another project's, run by no one installing
/// this package.
pub fn is_install_time(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "setup.py" && path.matches('/').count() <= 1 || name.ends_with(".pth")
}

fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated file with thousands of sinks fed by other modules and of
    /// functions returning secrets leaves at most the bounded lists behind.
    #[test]
    fn what_a_file_leaves_for_the_cross_file_join_is_bounded() {
        use crate::crossfile::{MAX_CALLS_PER_SINK, MAX_PER_FILE};
        let mut src = String::from("import os, requests\n");
        for i in 0..2_000 {
            src.push_str(&format!("def f{i}():\n    return os.getenv('API_TOKEN')\n"));
        }
        let many: Vec<String> = (0..50).map(|j| format!("m{j}.g()")).collect();
        for _ in 0..2_000 {
            src.push_str(&format!("requests.post(u, data=[{}])\n", many.join(", ")));
        }
        let facts = crate::python::parse(&src);
        let mut flows = FileFlows::default();
        check_python("big.py", &src, &facts, "", false, &mut Capabilities::default(), &mut flows);
        assert_eq!(flows.exports.len(), MAX_PER_FILE);
        assert_eq!(flows.sinks.len(), MAX_PER_FILE);
        assert!(flows.sinks.iter().all(|s| s.calls.len() == MAX_CALLS_PER_SINK));

        // Thousands of identity sends in functions, and a setup.py calling
        // thousands of module functions: both lists stay bounded.
        let mut lib = String::from("import getpass, requests\n");
        for i in 0..2_000 {
            lib.push_str(&format!("def s{i}():\n    requests.post(U, data=getpass.getuser())\n"));
        }
        let facts = crate::python::parse(&lib);
        let mut flows = FileFlows::default();
        check_python("pkg/lib.py", &lib, &facts, "", false, &mut Capabilities::default(), &mut flows);
        assert_eq!(flows.deferred.len(), MAX_PER_FILE);
        // A sender reached through a chain of 2,000 functions, each also
        // called from everywhere: each deferred finding names at most
        // MAX_CALLERS functions.
        let mut chain = String::from(
            "import getpass, requests
def c0():
    requests.post(U, data=getpass.getuser())
",
        );
        for i in 1..2_000 {
            chain.push_str(&format!(
                "def c{i}():
    c{}()
    c0()
",
                i - 1
            ));
        }
        let facts = crate::python::parse(&chain);
        let mut flows = FileFlows::default();
        check_python("pkg/chain.py", &chain, &facts, "", false, &mut Capabilities::default(), &mut flows);
        assert_eq!(flows.deferred.len(), 1);
        assert_eq!(flows.deferred[0].callers.len(), crate::crossfile::MAX_CALLERS);
        let setup: String = (0..2_000).map(|i| format!("lib.s{i}()\n")).collect();
        let facts = crate::python::parse(&setup);
        let mut flows = FileFlows::default();
        check_python("setup.py", &setup, &facts, "", true, &mut Capabilities::default(), &mut flows);
        assert_eq!(flows.entries.len(), MAX_PER_FILE);
        // 2,000 calls handing an SSH key to other modules' functions,
        // and a sender whose function has 2,000 assignments between its
        // parameter and the send: bounded lists, no reach past the bound.
        let handing: String = "import os\nE = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n".to_owned()
            + &(0..2_000).map(|i| format!("pkg.lib.s{i}(E)\n")).collect::<String>();
        let facts = crate::python::parse(&handing);
        let mut flows = FileFlows::default();
        check_python("pkg/hand.py", &handing, &facts, "", false, &mut Capabilities::default(), &mut flows);
        assert_eq!(flows.handed.len(), MAX_PER_FILE);
        let long: String = "import requests\ndef send(p):\n    v0 = p\n".to_owned()
            + &(1..2_000).map(|i| format!("    v{i} = v{} + '.'\n", i - 1)).collect::<String>()
            + "    requests.post('https://example.invalid/', data=v1999)\n";
        let facts = crate::python::parse(&long);
        let mut flows = FileFlows::default();
        check_python("pkg/long.py", &long, &facts, "", false, &mut Capabilities::default(), &mut flows);
        assert!(flows.sinks.iter().all(|s| s.params.is_empty()), "{:?}", flows.sinks);
    }
}
