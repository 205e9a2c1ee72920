//! What one file leaves for the package-wide join ([`crate::crossfile`]).

use super::lists::{EXECUTORS, PROCESS};
use super::stores::mentions_store;
use super::{FileSense, INTERESTING, LazyVars, Out};
use crate::crossfile::FileFlows;
use crate::dotted::last_segment;
use crate::facts::{Arg, Facts};
use crate::flow::{self, FETCHERS, Labels, matches, names};
use crate::timing::When;

/// What this file leaves for the package-wide join ([`crate::crossfile`]):
/// what its functions return, when that carries secrets, identity,
/// downloads or decoded data; and its sinks that receive what calls into
/// other modules return.
pub(super) fn cross_file(
    out: &Out<'_>,
    facts: &Facts<'_>,
    sense: &FileSense<'_>,
    lazy: &LazyVars<'_>,
    connects_to_literal: bool,
    flows: &mut FileFlows,
) {
    use crate::crossfile::{CARRIED, MAX_CALLS_PER_SINK, MAX_PER_FILE, Sink, SinkKind};
    flows.deferred.extend(out.deferred.iter().take(MAX_PER_FILE).cloned());
    if let Some(timing) = out.timing.get() {
        crate::crossfile::in_file_callers(facts, timing, &mut flows.deferred);
    }
    // Calls into another module of the package made while this file
    // installs (any line of setup.py) or loads (its top-level calls).
    let module_call = other_module;
    // Loading runs the module's top level, its `if` and `try` blocks
    // included (`if sys.platform == "darwin": _agent.install()`), and what
    // those calls reach. The timing graph knows, but building it costs a
    // pass over the file's lines: it is built only for a file whose top
    // level calls one of its own functions; otherwise the top-level
    // statements and the calls nested in blocks outside every function
    // are the answer.
    let entries: Box<dyn Iterator<Item = &str>> = if out.install_time {
        Box::new(facts.calls.iter().map(|c| c.name.as_str()))
    } else if calls_own_function_at_load(facts) {
        let timing = out.timing(facts);
        Box::new(
            facts.calls.iter().filter(|c| matches!(timing.at(facts, c.line), When::Import)).map(|c| c.name.as_str()),
        )
    } else {
        Box::new(facts.import_time.iter().map(|(n, _)| n.as_str()).chain(nested_load_calls(facts, out.file, out.text)))
    };
    let entries: Vec<&str> = entries.filter(|n| module_call(n)).take(MAX_PER_FILE).collect();
    // A method called on an instance of another module's class made here
    // (`_default = TokenizerCache()` from `.cache`, then `_default.warm()`)
    // is that module's function (`.cache.warm`), as the join matches them.
    let plain_receiver = |n: &str| n.split_once('.').is_some_and(|(r, m)| !r.is_empty() && !m.contains('.'));
    let mut instances: rustc_hash::FxHashMap<&str, &str> = rustc_hash::FxHashMap::default();
    if entries.iter().any(|n| plain_receiver(n)) {
        for a in &facts.assigns {
            if let [t] = a.targets.as_slice()
                && let Some(class) = a.calls.iter().find(|c| {
                    module_call(c) && last_segment(c).chars().next().is_some_and(|ch| ch.is_ascii_uppercase())
                })
                && let Some((module, _)) = class.rsplit_once('.')
            {
                instances.insert(t.as_str(), module);
            }
        }
    }
    for n in entries {
        if flows.entries.len() >= MAX_PER_FILE {
            break;
        }
        flows.entries.push((n.to_owned(), out.install_time));
        if let Some((receiver, method)) = n.split_once('.').filter(|_| plain_receiver(n))
            && let Some(module) = instances.get(receiver)
        {
            flows.entries.push((format!("{module}.{method}"), out.install_time));
        }
    }
    // Exports need the data flow: only files with a source of a carried
    // label build it for them.
    let has_source_uncached = || {
        facts.calls.iter().any(|c| {
            // The last part of the name first: one hash lookup turns most calls away.
            SOURCE_SEGMENTS.contains(last_segment(&c.name))
                && (matches(&c.name, names!(flow::DECODERS))
                    || matches(&c.name, names!(FETCHERS))
                    || matches(&c.name, names!(crate::facts::DOWNLOAD_TO_FILE))
                    || matches(&c.name, names!(flow::HOST_IDENTITY_CALLS))
                    || c.name == "os.getenv")
                || c.name.starts_with("os.environ")
        }) || facts.assigns.iter().any(|a| a.names.iter().any(|n| n.starts_with("os.environ")))
            || mentions_store(sense)
    };
    // Asked once (it walks the file's calls and assignments).
    let has_source = std::cell::OnceCell::new();
    let has_source = || *has_source.get_or_init(has_source_uncached);
    if !facts.functions.is_empty() && has_source() {
        let flow = lazy.flow();
        for f in &facts.functions {
            let l = flow.returns(&f.name).and(CARRIED);
            if !l.is_empty() && flows.exports.len() < MAX_PER_FILE {
                flows.exports.push((f.name.clone(), f.first_line, l));
            }
        }
        flows.decodes_own_payload = flows.exports.iter().any(|(_, _, l)| l.has(Labels::DECODED))
            && (out.decodes_a_literal(facts) || super::code::holds_encoded_literal(facts));
    }
    // Sinks: what reaches them from calls that name another module
    // (`grab.tokens()`, `..grab.tokens`), directly or through a variable.
    let mut assigned: Option<rustc_hash::FxHashMap<&str, Vec<&str>>> = None;
    // The file's functions' spans, sorted, for the function a sender is in.
    let mut spans: Option<Vec<(usize, usize, usize)>> = None;
    // Whether the file holds an encoded literal: one pass over its strings,
    // the first time an `exec` sink asks (a file may have many).
    let holds_payload = std::cell::OnceCell::new();
    for c in &facts.calls {
        if flows.sinks.len() >= MAX_PER_FILE {
            break;
        }
        if !INTERESTING.contains(last_segment(&c.name)) {
            continue;
        }
        let kind = if super::lists::is_sender(c) || super::network::http_get(c) {
            SinkKind::Send
        } else if matches(&c.name, names!(EXECUTORS)) {
            SinkKind::Exec
        } else if matches(&c.name, names!(PROCESS)) {
            SinkKind::Process
        } else {
            continue;
        };
        // What exec runs is its first argument; a sender or a process
        // gets all of theirs.
        let args: Vec<&Arg<'_>> = if kind == SinkKind::Exec {
            c.args.iter().filter(|a| a.keyword.is_none() || a.keyword.as_deref() == Some("source")).take(1).collect()
        } else {
            c.args.iter().collect()
        };
        // Each target's distinct calls into other modules, at most
        // MAX_CALLS_PER_TARGET: a variable assigned 20,000 times (copies
        // into `t + name` make `t` a target each time) must not make every
        // sink that reads it walk 20,000 entries.
        let by_target = assigned.get_or_insert_with(|| {
            let mut m: rustc_hash::FxHashMap<&str, Vec<&str>> = rustc_hash::FxHashMap::default();
            for a in &facts.assigns {
                for t in &a.targets {
                    let to = m.entry(t.as_str()).or_default();
                    for c in a.calls.iter().filter(|c| other_module(c)) {
                        if to.len() < MAX_CALLS_PER_TARGET && !to.contains(&c.as_str()) {
                            to.push(c);
                        }
                    }
                }
            }
            m
        });
        let mut calls: Vec<String> = Vec::new();
        let mut keep = |n: &str| {
            if other_module(n) && !calls.iter().any(|x| x == n) && calls.len() < MAX_CALLS_PER_SINK {
                calls.push(n.to_owned());
            }
        };
        for a in &args {
            a.inner_calls.iter().for_each(|n| keep(n));
            for n in &a.names {
                for inner in by_target.get(n.as_str()).into_iter().flatten() {
                    keep(inner);
                }
            }
        }
        // The parameters of the sink's function that reach it, for what
        // other files hand that function.
        // Only senders: a library's generic process or `exec` helper
        // receives its callers' computed commands and templates as its job.
        let function = if kind == SinkKind::Send {
            let spans = spans.get_or_insert_with(|| {
                let mut v: Vec<(usize, usize, usize)> =
                    facts.functions.iter().enumerate().map(|(i, f)| (f.first_line, f.last_line, i)).collect();
                v.sort_unstable();
                v
            });
            innermost_function(spans, c.line).map(|i| &facts.functions[i])
        } else {
            None
        };
        let params = function.map_or_else(Vec::new, |f| params_reaching(facts, f, &args));
        if calls.is_empty() && params.is_empty() {
            continue;
        }
        let own = args.iter().fold(Labels::NONE, |l, a| l | lazy.arg_labels(c.line, a));
        let chosen = own.has(Labels::ADDRESS | Labels::DECODED)
            || connects_to_literal && c.name.contains(".send")
            || out.suspicious_destination()
            || out.install_time;
        flows.sinks.push(Sink {
            kind,
            name: c.name.clone(),
            file: out.file.to_owned(),
            line: c.line,
            column: c.column,
            snippet: c.snippet.to_string(),
            own,
            chosen,
            install_time: out.install_time,
            import_time: out.timing(facts).at(facts, c.line) == When::Import,
            when: crate::explain::when(facts, out.timing(facts), c.line, out.file),
            holds_payload: kind == SinkKind::Exec
                && *holds_payload.get_or_init(|| super::code::holds_encoded_literal(facts)),
            decodes_literal: kind == SinkKind::Exec && out.decodes_a_literal(facts),
            calls,
            function: function.map_or_else(String::new, |f| crate::timing::last_name(&f.name).to_owned()),
            params,
            param_order: function.map_or_else(Vec::new, |f| f.params.clone()),
            positional: function.map_or(0, |f| f.positional),
        });
    }
    // Arguments this file hands to other modules' functions, when they
    // hold what a credential store or a wallet gave (the flow is built only
    // for files with a source of a carried label, as for the exports
    // above). Not a secret variable or the environment: a client's token
    // or settings handed to its own request helper are how it works.
    if has_source() {
        let folders = folders(out.file);
        for c in facts.calls.iter().filter(|c| package_call(&c.name, &folders)) {
            let mut position = 0;
            for a in &c.args {
                if flows.handed.len() >= MAX_PER_FILE {
                    break;
                }
                // `*xs` fills positions no one can count; `**kw` names none.
                if a.text.starts_with('*') {
                    break;
                }
                let labels = lazy.arg_labels(c.line, a).and(Labels::CREDENTIAL | Labels::WALLET);
                if !labels.is_empty() {
                    flows.handed.push(crate::crossfile::Handed {
                        call: c.name.clone(),
                        line: c.line,
                        position: a.keyword.is_none().then_some(position),
                        keyword: a.keyword.as_deref().map(str::to_owned),
                        labels,
                    });
                }
                if a.keyword.is_none() {
                    position += 1;
                }
            }
        }
    }
}

/// The innermost of the file's functions whose span holds `line`: the
/// latest-starting span that reaches it, among the [`MAX_NESTED_LOOKBACK`]
/// spans starting last at or before it (nested functions start after their
/// outer one, so the innermost comes first going back).
fn innermost_function(spans: &[(usize, usize, usize)], line: usize) -> Option<usize> {
    let end = spans.partition_point(|&(first, _, _)| first <= line);
    spans[..end].iter().rev().take(MAX_NESTED_LOOKBACK).find(|&&(_, last, _)| last >= line).map(|&(_, _, i)| i)
}

/// Spans looked back through for the function a line is in.
const MAX_NESTED_LOOKBACK: usize = 64;

/// Whether a top-level statement calls one of the file's own functions:
/// then what runs while the file loads is what the timing graph says
/// those functions reach.
fn calls_own_function_at_load(facts: &Facts<'_>) -> bool {
    if facts.import_time.is_empty() || facts.functions.is_empty() {
        return false;
    }
    let own: rustc_hash::FxHashSet<&str> = facts.functions.iter().map(|f| f.name.as_str()).collect();
    facts.import_time.iter().any(|(n, _)| !n.contains('.') && own.contains(n.as_str()))
}

/// Calls into the package's own modules that run while the file loads
/// without being top-level statements: in an `if`, `try`, `with` or loop
/// block or a class body, outside every function and every `if __name__
/// == "__main__":` block (`if sys.platform == "darwin": _agent.install()`).
/// No timing graph: the functions' spans, sorted, answer for each call.
fn nested_load_calls<'f>(facts: &'f Facts<'_>, file: &str, text: &str) -> Vec<&'f str> {
    let direct: rustc_hash::FxHashSet<usize> = facts.import_time.iter().map(|(_, line)| *line).collect();
    let folders = folders(file);
    let nested: Vec<&crate::facts::Call<'_>> = facts
        .calls
        .iter()
        .filter(|c| !direct.contains(&c.line) && package_call(&c.name, &folders))
        .take(crate::crossfile::MAX_PER_FILE)
        .collect();
    if nested.is_empty() || file.rsplit('/').next() == Some("__main__.py") || crate::timing::is_command_script(file) {
        return Vec::new();
    }
    // Outside every function first; the `__main__` blocks (a search of
    // the text) only for the calls left.
    let outside = |spans: Vec<(usize, usize)>, calls: Vec<&'f crate::facts::Call<'_>>| {
        let mut spans = spans;
        spans.sort_unstable();
        // The furthest line covered by a span starting at or before each start.
        let mut reach = Vec::with_capacity(spans.len());
        let mut furthest = 0;
        for &(_, last) in &spans {
            furthest = furthest.max(last);
            reach.push(furthest);
        }
        calls
            .into_iter()
            .filter(|c| {
                let i = spans.partition_point(|&(first, _)| first <= c.line);
                i == 0 || reach[i - 1] < c.line
            })
            .collect::<Vec<_>>()
    };
    let left = outside(facts.functions.iter().map(|f| (f.first_line, f.last_line)).collect(), nested);
    if left.is_empty() {
        return Vec::new();
    }
    outside(crate::timing::main_blocks(text), left).into_iter().map(|c| c.name.as_str()).collect()
}

/// A call of a function of the file's own package: a relative name
/// (`..grab.tokens`) or one rooted at a folder the file is in
/// (`stealer.grab.tokens` from `stealer/core.py` or `src/stealer/core.py`).
/// Cheaper questions are asked of these calls only: a library's calls into
/// other packages (`np.array`) never meet its own modules in the join.
fn package_call(n: &str, folders: &[&str]) -> bool {
    if n.starts_with('.') {
        return n.len() > 1;
    }
    !folders.is_empty() && n.split_once('.').is_some_and(|(root, _)| folders.contains(&root))
}

/// The folders a file is in (`src/stealer/core.py`: `src`, `stealer`), at
/// most the innermost 8, for [`package_call`].
fn folders(file: &str) -> Vec<&str> {
    file.rsplit_once('/').map_or_else(Vec::new, |(dir, _)| dir.rsplit('/').take(8).collect())
}

/// A call of a module's function: `grab.tokens`, `..grab.tokens`; not a
/// method of an object (`?.read`, `self.load`). Calls into the standard
/// library never reach the package's own functions: skipping them keeps
/// most files from recording a sink (and from working out when it runs).
fn other_module(n: &str) -> bool {
    let root = n.trim_start_matches('.').split('.').next().unwrap_or(n);
    n.trim_start_matches('.').contains('.')
        && !n.starts_with("?.")
        && !n.starts_with("self.")
        && !n.starts_with("cls.")
        && !crate::crossfile::STDLIB_ROOTS.contains(&root)
}

/// Distinct calls kept per assigned name for the sinks that read it.
const MAX_CALLS_PER_TARGET: usize = 64;

/// Assignments of a function followed back from its sink at most this
/// many times, and at most this many assignments looked at per function.
const MAX_HOPS: usize = 8;
const MAX_FUNCTION_ASSIGNS: usize = 512;

/// The parameters of `f` whose values reach `args`: named in them, or in
/// what the function assigns to a name they read (`body = {"content":
/// text}`, `req = Request(url, data=dumps(body))`, `urlopen(req)`),
/// followed back [`MAX_HOPS`] times. By names' roots and over-approximated,
/// as the reach of [`crate::returns`] is.
fn params_reaching(facts: &Facts<'_>, f: &crate::facts::Function, args: &[&Arg<'_>]) -> Vec<String> {
    if f.params.is_empty() {
        return Vec::new();
    }
    let root = |n: &str| n.split(['.', '[']).next().unwrap_or(n).to_owned();
    let mut reached: rustc_hash::FxHashSet<String> =
        args.iter().flat_map(|a| a.names.iter().map(|n| root(n))).collect();
    let assigns: Vec<&crate::facts::Assign> = facts
        .assigns
        .iter()
        .filter(|a| a.line >= f.first_line && a.line <= f.last_line)
        .take(MAX_FUNCTION_ASSIGNS + 1)
        .collect();
    if assigns.len() <= MAX_FUNCTION_ASSIGNS {
        for _ in 0..MAX_HOPS {
            let before = reached.len();
            for a in &assigns {
                if a.targets.iter().any(|t| reached.contains(&root(t))) {
                    reached.extend(a.names.iter().map(|n| root(n)));
                }
            }
            if reached.len() == before {
                break;
            }
        }
    }
    f.params.iter().filter(|p| reached.contains(p.as_str())).cloned().collect()
}

/// The last segments of the calls that give data a label worth carrying
/// to another file (decoders, fetchers, who-runs-it calls, `getenv`).
pub(super) static SOURCE_SEGMENTS: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        flow::DECODERS
            .iter()
            .chain(FETCHERS)
            .chain(crate::facts::DOWNLOAD_TO_FILE)
            .chain(flow::HOST_IDENTITY_CALLS)
            .map(|n| last_segment(n))
            .chain(["getenv"])
            .collect()
    });
