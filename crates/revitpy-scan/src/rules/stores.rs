//! What a user owns leaving the machine: credential stores read in a file
//! that sends, and the screen, clipboard or keystrokes captured and sent.

use super::lists::{CAPTURES, NETWORK, is_sender};
use super::{FileSense, LazyVars, Out};
use crate::facts::{Call, Facts};
use crate::flow::{self, Labels, matches, names};
use crate::report::Severity;
use crate::timing::When;

/// Whether some string of the file names a credential store (a cheap test
/// over every string at once, before any data flow).
/// Asked by several rules of one file: answered once per file, by one pass
/// of an automaton (one `memmem` per needle was 4 % of a scan's instructions).
pub(super) fn mentions_store(sense: &FileSense<'_>) -> bool {
    *sense.mentions_store.get_or_init(|| STORE_NEEDLES.is_match(&sense.haystack))
}

/// The needles of [`mentions_store`]; the haystack is lowercase already, and
/// so are they.
static STORE_NEEDLES: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    let needles = flow::CREDENTIAL_MARKERS.iter().chain(flow::CREDENTIAL_COMPONENTS).chain(&["cookies"]);
    aho_corasick::AhoCorasick::new(needles).expect("literal needles build")
});

/// Constructors of a request object, which send only when it is opened.
const REQUEST_BUILDERS: &[&str] = &["urllib.request.Request", "urllib2.Request"];

/// Spyware: the screen, the clipboard or keystrokes captured in a file that
/// sends data to an address the code wrote, hid or chose among webhooks and
/// paste sites. The capture and the send need not meet in one function (a
/// keyboard hook's callback sends what it collected). High; critical when
/// the send runs while the module loads or the package installs. To an
/// address its caller configures, a screenshot tool's upload is no finding.
pub(super) fn surveillance(out: &mut Out<'_>, facts: &Facts<'_>, lazy: &LazyVars<'_>) {
    let captures: Vec<&Call> = facts.calls.iter().filter(|c| matches(&c.name, names!(CAPTURES))).collect();
    if captures.is_empty() {
        return;
    }
    // The per-call rules ran first: a suspicious host or a bot token of
    // this file is already known.
    let suspicious = out.suspicious_destination();
    let chosen = |c: &&Call| {
        is_sender(c)
            && (suspicious || c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::ADDRESS | Labels::DECODED)))
    };
    let sends: Vec<&Call> = facts.calls.iter().filter(chosen).collect();
    if sends.is_empty() {
        return;
    }
    let keystrokes = |c: &Call| c.name.contains("eyboard") || c.name.contains("Hook");
    // What ties the capture to the send: a destination of the author's kind
    // (a raw IP, a webhook, a bot), both in one function (or both at the
    // module's top level), a capture or send that runs unasked, or a
    // keyboard hook (whose keys arrive in a callback of their own). A
    // capture in one method and a request in another, each when a caller
    // asks, is a library that does both for its user (pyhwpx reads the
    // clipboard for one command and asks a text API for another): medium.
    // One pass over the captures (their functions, whether one runs
    // unasked or hooks the keyboard), then one lookup per send: a file of
    // thousands of each stays linear.
    let timing = out.timing(facts);
    let unasked = |line: usize| matches!(timing.at(facts, line), When::Install | When::Import);
    let mut by_scope: rustc_hash::FxHashMap<Option<usize>, &Call> = rustc_hash::FxHashMap::default();
    for &c in &captures {
        by_scope.entry(timing.innermost(c.line)).or_insert(c);
    }
    let strong = captures.iter().copied().find(|&c| unasked(c.line) || keystrokes(c));
    let judge = |s: &Call| -> (&Call, Severity) {
        let together = by_scope.get(&timing.innermost(s.line)).copied();
        let capture = together.or(strong).unwrap_or(captures[0]);
        let severity = if unasked(s.line) {
            Severity::Critical
        } else if suspicious || together.is_some() || strong.is_some() {
            Severity::High
        } else {
            Severity::Medium
        };
        (capture, severity)
    };
    let mut best: Option<(&Call, &Call, Severity)> = None;
    for &s in &sends {
        let (capture, severity) = judge(s);
        if best.is_none_or(|(_, _, b)| severity > b) {
            best = Some((capture, s, severity));
        }
        if severity == Severity::Critical {
            break;
        }
    }
    let (capture, send, severity) = best.expect("at least one send");
    let what = if capture.name.contains("lipboard") || capture.name.ends_with("paste") {
        "the clipboard"
    } else if keystrokes(capture) {
        "keystrokes"
    } else {
        "the screen"
    };
    let message = if severity == Severity::Medium {
        format!(
            "captures {what} in one function and sends data to an address written in or hidden in the code from \
             another, each when a caller asks"
        )
    } else {
        format!("captures {what} and sends data to an address written in or hidden in the code: spyware")
    };
    out.push("surveillance-sent", severity, "credentials", send, message);
    out.because(vec![
        format!("captures: `{}` at line {} ({what})", capture.name, capture.line),
        format!("sends: `{}` at line {}", send.name, send.line),
    ]);
}

/// Credential stores read in a file that can send them.
pub(super) fn credential_stores(out: &mut Out<'_>, sense: &FileSense<'_>, lazy: &LazyVars<'_>) {
    let facts = sense.facts;
    // Credential stores read in a file that can send them. A store counts
    // as read when its path reaches a reading call (the data flow), not when
    // its name merely appears (a docstring about cookies, a list of files a
    // tool must never upload).
    // Calls that only build, test or show a path: handing a store's path to
    // one of these reads nothing. Anything else that receives it (open, a
    // copy, a zip or tar being filled, a database connection) reads it.
    const PATH_ONLY: &[&str] = &[
        "pathlib.Path",
        "pathlib.PurePath",
        "str",
        "print",
        "len",
        // Messages name a store; they do not open it.
        "?.warn",
        "?.exception",
        "?.critical",
        "?.log",
        // Tests of an object read nothing from it; nor does reducing
        // tests to one answer (`any(p.exists() for p in stores)`: each test
        // is a call of its own, judged as such).
        "hasattr",
        "isinstance",
        "any",
        "all",
        "?.join",
        "?.joinpath",
        "?.expanduser",
        "?.expandvars",
        "?.abspath",
        "?.realpath",
        "?.normpath",
        "?.dirname",
        "?.basename",
        "?.split",
        "?.splitext",
        "?.exists",
        "?.isfile",
        "?.isdir",
        "?.is_file",
        "?.is_dir",
        "?.format",
        "?.replace",
        "?.startswith",
        "?.endswith",
        "?.lower",
        "?.upper",
        "?.strip",
        "?.append",
        "?.get",
        "?.debug",
        "?.info",
        "?.warning",
        "?.error",
    ];
    // An exception's or a warning's message names a store (`ValueError("no
    // key in ~/.aws/credentials")`); it opens nothing. (A `write` may: a
    // zip archive's `write(path)` reads the file it is given.)
    let says_only = |name: &str| {
        let last = name.rsplit('.').next().unwrap_or(name);
        last.ends_with("Error") || last.ends_with("Exception") || last.ends_with("Warning")
    };
    let store_read = || {
        facts.calls.iter().find(|c| {
            !matches(&c.name, names!(PATH_ONLY))
                && !says_only(&c.name)
                && c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::CREDENTIAL))
        })
    };
    if mentions_store(sense)
        && let Some(read) = store_read()
    {
        // A request object only built (`urllib.request.Request(url)`, to read
        // its headers) sends nothing; one that is sent is opened, by
        // `urlopen` or an opener (`build_opener(...).open(request)`).
        let opens = facts.calls.iter().any(|c| c.name.ends_with("urlopen") || c.name.contains("opener"));
        let sender = facts.calls.iter().find(|c| {
            (matches(&c.name, names!(NETWORK)) || is_sender(c) && !c.name.starts_with("?.request"))
                && (opens || !REQUEST_BUILDERS.contains(&c.name.as_str()))
        });
        let reads = format!("reads: `{}` at line {} opens a credential store", read.name, read.line);
        match sender {
            // Where the data visibly reaches the sender, the per-call rule
            // has said so (exfiltration, with its destination).
            _ if out.reported("exfiltration") => {}
            Some(sender) => {
                // Another program's store (a browser's, a chat client's, a
                // wallet) has no business in a file that sends data; a
                // developer tool's own configuration (SSH keys, cloud
                // profiles, .pypirc) is what its clients read to log in.
                let foreign = facts
                    .strings
                    .iter()
                    .any(|(s, _)| s.len() <= 260 && flow::is_credential_string(s) && !flow::is_developer_config(s));
                out.push(
                    "exfiltration",
                    if foreign { Severity::High } else { Severity::Medium },
                    "credentials",
                    read,
                    "reads browser, SSH, cloud or chat credentials in a file that sends data out".into(),
                );
                out.because(vec![
                    reads,
                    format!("sends: `{}` at line {} (no flow between them was found)", sender.name, sender.line),
                ]);
            }
            // Read and kept: what a client of that service does (an SSH
            // library reading its keys, a cloud SDK its profile).
            None => out.push(
                "credential-access",
                Severity::Medium,
                "credentials",
                read,
                "reads browser, SSH, cloud or chat-client credential stores".into(),
            ),
        }
    }
}
