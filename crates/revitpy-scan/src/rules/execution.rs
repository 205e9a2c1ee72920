//! Chains that start foreign code: shellcode, reverse shells, download
//! then run.

use super::lists::{CODE_LOADERS, DOWNLOAD_TO_FILE, PROCESS};
use super::{FileSense, LazyVars, Out};
use crate::facts::{Call, Facts};
use crate::flow::{Labels, matches, names};
use crate::report::Severity;
use crate::timing::When;

/// Shellcode is a chain: memory made executable (`VirtualAlloc` or
/// `VirtualProtect` with a PAGE_EXECUTE protection), then code copied into
/// it or a thread started in it; or another process written to and a
/// thread started in it (injection). A lone `RtlMoveMemory` copying a
/// buffer (paramiko's Windows pipes) is none of these.
pub(super) fn shellcode(out: &mut Out<'_>, facts: &Facts<'_>, lazy: &LazyVars<'_>) {
    // One pass over the calls (this runs on every file): the first of each
    // kind of memory call, by the last part of its name.
    const MEMORY_CALLS: &[&str] = &[
        "VirtualAlloc",
        "VirtualAllocEx",
        "VirtualProtect",
        "VirtualProtectEx",
        "RtlMoveMemory",
        "memmove",
        "WriteProcessMemory",
        "CreateThread",
        "CreateRemoteThread",
    ];
    let found: Vec<(&str, &Call)> = facts
        .calls
        .iter()
        .filter_map(|c| c.name.rsplit_once('.').map(|(_, last)| (last, c)))
        .filter(|(last, _)| MEMORY_CALLS.contains(last))
        .collect();
    if found.is_empty() {
        return;
    }
    // A function named after the call it makes (`def CreateRemoteThread(...)`
    // calling `kernel32.CreateRemoteThread`) exposes the API to its callers:
    // a binding library (winappdbg, vendored by debuggers) defines one for
    // every call of an injection, and chains none of them.
    let timing = out.timing(facts);
    let wrapper = |last: &str, c: &Call| {
        timing.innermost(c.line).is_some_and(|i| {
            let own = facts.functions[i].name.trim_start_matches('_');
            own == last || own.strip_prefix(last).is_some_and(|rest| matches!(rest, "A" | "W"))
        })
    };
    let found: Vec<(&str, &Call)> = found.into_iter().filter(|&(last, c)| !wrapper(last, c)).collect();
    let (mut executable, mut copies, mut thread, mut writes_other, mut remote_thread) = (None, None, None, None, None);
    for (last, c) in found {
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
    // Machine code run while the package installs or loads, or bytes that
    // were decoded or downloaded first, is the package acting unseen:
    // critical. Opcodes written out in the source and run when a caller
    // asks (polars' CPUID probe, a dozen bytes with their assembly in
    // comments) are reviewed, not blocked outright.
    let unasked = matches!(out.timing(facts).at(facts, then.line), When::Install | When::Import);
    let hidden = || {
        [start, then]
            .iter()
            .any(|c| c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::DECODED | Labels::FETCHED)))
    };
    out.push(
        "native-shellcode",
        if unasked || hidden() { Severity::Critical } else { Severity::High },
        "native",
        then,
        "allocates executable memory, writes into it or starts a thread in it (shellcode)".into(),
    );
    out.because(vec![
        format!("prepares: `{}` at line {}", start.name, start.line),
        format!("then: `{}` at line {}", then.name, then.line),
    ]);
}

/// A socket handed to a shell (see the conditions below).
pub(super) fn reverse_shell(out: &mut Out<'_>, sense: &FileSense<'_>) {
    let facts = sense.facts;
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
    // A shell, by its literal name: what a reverse shell hands the socket.
    // A supervisor that gives its worker (`sys.executable -c ...`, a
    // command its caller names) a socketpair for its standard streams hands
    // its own program a local channel, not a shell.
    let starts_shell = |r: &Call| {
        r.args.iter().flat_map(|a| a.literal.iter().chain(&a.strings)).any(|lit| {
            let l = lit.trim().to_ascii_lowercase();
            ["/bin/sh", "/bin/bash", "cmd.exe", "powershell"].iter().any(|s| l.contains(s))
                || ["sh", "bash", "cmd"].contains(&l.as_str())
        })
    };
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
                    .filter(|r| starts_shell(r))
                    .chain(facts.calls.iter().filter(|c| c.name == "pty.spawn"))
                    .any(|r| timing.innermost(r.line) == scope)
            })
        }
    };
    let stdio_socket = process_calls().filter(|r| starts_shell(r)).any(|r| {
        r.args.iter().any(|a| {
            a.keyword.as_deref().is_some_and(|k| k == "stdin" || k == "stdout" || k == "stderr")
                && (a.text.contains("fileno") || a.text.to_ascii_lowercase().contains("sock"))
        })
    });
    // Connecting out: `s.connect(addr)`, `socket.create_connection(addr)`
    // (one call for both), or reading from a socket.
    let connects = facts
        .calls
        .iter()
        .any(|c| c.name.ends_with(".connect") || c.name.ends_with(".recv") || c.name == "socket.create_connection");
    // A shell given one command to run (`cmd /c taskkill ...`, `sh -c
    // "make"`, `powershell -Command Get-DnsClientServerAddress`) runs that
    // command and exits: nothing is left for a socket to
    // drive (pyspark's gateway kills its JVM with `cmd /c taskkill`).
    // So does one handed its whole script as `input=` (`subprocess.run(
    // ["sh"], input=script)`, an installer's script piped in): it reads
    // that to its end and exits, not what a socket sends.
    let runs_one_command = |r: &Call| {
        r.args.iter().any(|a| a.keyword.as_deref() == Some("input"))
            || r.args.iter().flat_map(|a| a.literal.iter().chain(&a.strings)).any(|lit| {
                let l = lit.trim().to_ascii_lowercase();
                matches!(l.as_str(), "/c" | "-c" | "-command") || l.contains(" /c ") || l.contains(" -c ")
            })
    };
    let shell_from_socket = connects && process_calls().any(|r| starts_shell(r) && !runs_one_command(r));
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
}

/// System programs that read, unpack, move or remove the files they are
/// given and run none of them.
const FILE_TOOLS: &[&str] = &[
    "tar",
    "gunzip",
    "gzip",
    "unzip",
    "bunzip2",
    "bzip2",
    "xz",
    "unxz",
    "zstd",
    "7z",
    "7za",
    "rm",
    "mv",
    "cp",
    "ls",
    "cat",
    "sha256sum",
    "sha1sum",
    "md5sum",
    "shasum",
    "file",
    "du",
    "wc",
    "mkdir",
    "touch",
];

/// A process whose program, written in the code, is one of [`FILE_TOOLS`]:
/// an argument list starting with it (`["/usr/bin/tar", "-zxf", "x.tar.gz"]`),
/// or a command line of that program alone (no `;`, `&&`, `|`, substitution
/// or redirection to start anything else). tar's options that run a program
/// (`--to-command`, `--checkpoint-action=exec`, `--use-compress-program`)
/// keep it a start.
fn runs_a_file_tool(c: &Call) -> bool {
    let Some(a) = c.args.first() else { return false };
    let text = a.text.trim_start();
    let list = text.starts_with('[') || text.starts_with('(');
    let program = if list { a.strings.first() } else { a.literal.as_ref() };
    let Some(program) = program else { return false };
    if !list && program.contains([';', '&', '|', '`', '$', '>', '<', '\n']) {
        return false;
    }
    let runs_something = |s: &String| {
        let s = s.to_ascii_lowercase();
        ["command", "exec", "compress-program", "script"].iter().any(|w| s.contains(w))
    };
    if c.args.iter().flat_map(|a| a.strings.iter().chain(a.literal.iter())).any(runs_something) {
        return false;
    }
    let first = program.split_whitespace().next().unwrap_or("");
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first);
    FILE_TOOLS.contains(&base)
}

/// Download to disk, then start something (or make it executable).
pub(super) fn download_then_run(out: &mut Out<'_>, facts: &Facts<'_>, lazy: &LazyVars<'_>) {
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
    // An archive read from the network unpacked to disk while the package
    // installs or the module loads (`zipfile.ZipFile(io.BytesIO(urlopen(u)
    // .read())).extractall(d)`): its files land there as a download's would.
    // (On request it is what installers of drivers and runtimes do, and the
    // archive's own download already counts where it is saved.)
    let unpacked_fetched = |c: &Call| {
        let Some((archive, method)) = crate::dotted::split_last(&c.name) else { return false };
        matches!(method, "extractall" | "extract")
            && !matches!(out.timing(facts).at(facts, c.line), When::Call(..) | When::Program)
            && (c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::FETCHED))
                || !archive.contains('?') && lazy.name_labels(c.line, archive).has(Labels::FETCHED))
    };
    let downloads: Vec<&Call> = facts
        .calls
        .iter()
        .filter(|c| {
            matches(&c.name, names!(DOWNLOAD_TO_FILE))
                || wrote_fetched(c)
                || unpacked_fetched(c)
                // A process downloading to a file (curl, wget, PowerShell's
                // web cmdlets with an output file), however it is started.
                || matches(&c.name, names!(PROCESS))
                    && c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::DOWNLOAD_COMMAND))
        })
        .collect();
    // Made executable: `os.chmod(path, mode | stat.S_IEXEC)`, `0o755`, `chmod +x`.
    let made_executable = |c: &&Call| {
        c.name == "os.chmod"
            && c.args.get(1).is_some_and(|a| {
                let t = a.text.to_ascii_lowercase();
                t.contains("s_iexec") || t.contains("s_ixusr") || t.contains("0o7") || t.contains("0o5") || t == "493"
            })
    };
    // One command line that downloads and starts what it fetched (`wget
    // URL && chmod +x f && ./f`): download and run in a single act.
    let one_line = downloads.iter().find(|c| {
        matches(&c.name, names!(PROCESS))
            && c.args.iter().any(|a| lazy.arg_labels(c.line, a).has(Labels::DOWNLOAD_AND_RUN))
    });
    if let Some(&c) = one_line {
        push_dropper(
            out,
            facts,
            "download-then-run",
            c,
            "starts a command line that downloads a file and runs it: download and run",
            vec![format!(
                "downloads and runs: the command `{}` starts at line {} fetches a file and starts it (or makes it \
                 executable)",
                c.name, c.line
            )],
        );
        return;
    }
    if !downloads.is_empty() {
        let starters: Vec<(&Call, &str)> = facts
            .calls
            .iter()
            .filter_map(|c| {
                if matches(&c.name, names!(PROCESS)) && runs_a_file_tool(c) {
                    // Unpacking, checking or removing what was fetched
                    // starts none of it.
                    None
                } else if matches(&c.name, names!(PROCESS)) || matches(&c.name, names!(CODE_LOADERS)) {
                    Some((c, "runs"))
                } else if made_executable(&c) {
                    Some((c, "makes executable"))
                } else {
                    None
                }
            })
            .collect();
        let timing = out.timing(facts);
        // What two calls in different functions can share to work on the
        // same file: a path or file name written out (`"x.exe"`,
        // `"/tmp/p"`), an attribute (`self.target`), or a variable of the
        // module. A local variable of one function is not the other's
        // namesake, and a word like `"url"` (a key) names no file.
        let module_names: rustc_hash::FxHashSet<&str> = facts
            .assigns
            .iter()
            .filter(|a| a.line == a.scope_line && timing.innermost(a.line).is_none())
            .flat_map(|a| a.targets.iter().map(String::as_str))
            .collect();
        let words = |c: &Call| -> Vec<String> {
            let names =
                c.args.iter().flat_map(|a| &a.names).filter(|n| n.contains('.') || module_names.contains(n.as_str()));
            let paths = c
                .args
                .iter()
                .flat_map(|a| a.strings.iter().chain(a.literal.iter()))
                .filter(|s| s.len() >= 3 && (s.contains('.') || s.contains('/') || s.contains('\\')));
            names.chain(paths).filter(|w| w.len() >= 3).cloned().collect()
        };
        // Where a download and a start meet: in one function, the start
        // after the download (what is started before anything was fetched,
        // a transfer tool run in another branch, starts nothing downloaded);
        // in two functions, both while the module loads or the package
        // installs, or through a word both are given. Indexed once, so that
        // each start asks a few lookups, not every download (a file of
        // thousands of each stays linear). A download tool's own process
        // starts nothing it downloaded.
        let unasked = |c: &Call| !matches!(timing.at(facts, c.line), When::Call(..) | When::Program);
        // Per function, its downloads by line (the first two suffice: one of
        // them is not the start itself).
        let mut by_scope: rustc_hash::FxHashMap<Option<usize>, Vec<&Call>> = rustc_hash::FxHashMap::default();
        // Downloads while loading, and per word, each from at most two
        // functions (one of them is not the start's).
        let mut loading: Vec<(Option<usize>, &Call)> = Vec::new();
        let mut by_word: rustc_hash::FxHashMap<String, Vec<(Option<usize>, &Call)>> = rustc_hash::FxHashMap::default();
        fn two_scopes<'c, 's>(list: &mut Vec<(Option<usize>, &'c Call<'s>)>, scope: Option<usize>, d: &'c Call<'s>) {
            if list.len() < 2 && list.iter().all(|(s, _)| *s != scope) {
                list.push((scope, d));
            }
        }
        fn other<'c, 's>(list: &[(Option<usize>, &'c Call<'s>)], scope: Option<usize>) -> Option<&'c Call<'s>> {
            list.iter().find(|(s, _)| *s != scope).map(|(_, d)| *d)
        }
        for &d in &downloads {
            let scope = timing.innermost(d.line);
            let list = by_scope.entry(scope).or_default();
            list.push(d);
            if list.len() > 2 {
                list.sort_by_key(|c| c.line);
                list.truncate(2);
            }
            if unasked(d) {
                two_scopes(&mut loading, scope, d);
            }
            for w in words(d) {
                two_scopes(by_word.entry(w).or_default(), scope, d);
            }
        }
        let meet = |r: &Call| -> Option<(&Call, &'static str)> {
            let scope = timing.innermost(r.line);
            let mut same = by_scope.get(&scope).into_iter().flatten().filter(|&&d| !std::ptr::eq(d, r));
            if let Some(&d) = same.next().filter(|d| d.line <= r.line) {
                return Some((d, "in the same function"));
            }
            if unasked(r)
                && let Some(d) = other(&loading, scope)
            {
                return Some((d, "both while the module loads or the package installs"));
            }
            words(r).iter().find_map(|w| by_word.get(w).and_then(|l| other(l, scope))).map(|d| (d, "on the same path"))
        };
        let linked = starters.iter().find_map(|&(r, verb)| meet(r).map(|(d, how)| (d, r, verb, how)));
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
        } else if let (Some(d), Some(&(r, _))) = (downloads.first(), {
            // One set, not a search of every download per start.
            let downloading: rustc_hash::FxHashSet<*const Call> = downloads.iter().map(|d| *d as *const Call).collect();
            starters.iter().find(|(r, _)| !downloading.contains(&(*r as *const Call)))
        }) {
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
}

/// A program the package carries, decoded and written to disk under an
/// executable's name, then started in the same function: the dropper of an
/// embedded payload (`f.write(zlib.decompress(b64decode(data)))` into
/// `%TEMP%\\x.exe`, then `Popen(path)`). Writing decoded data (an image, an
/// attachment) is ordinary; naming it a program and starting it is not.
pub(super) fn decoded_dropper(out: &mut Out<'_>, facts: &Facts<'_>, lazy: &LazyVars<'_>) {
    // Cheap gate: most files name no program.
    if !facts.strings.iter().any(|(s, _)| names_a_program(s)) {
        return;
    }
    let timing = out.timing(facts);
    // The scopes that name a program, and each scope's process starts in
    // line order: one pass each, so a file of many writes and strings
    // stays linear.
    let naming = program_scopes(facts, timing);
    let starts = ScopeStarts::new(facts, timing, |c| matches(&c.name, names!(PROCESS)));
    let dropped = facts.calls.iter().find_map(|w| {
        if !(w.name.ends_with(".write") || w.name == "?.write") {
            return None;
        }
        let scope = timing.innermost(w.line);
        if !naming.contains(&scope) {
            return None;
        }
        let r = starts.after(scope, w.line)?;
        w.args.iter().any(|a| lazy.arg_labels(w.line, a).has(Labels::DECODED)).then_some((w, r))
    });
    let Some((w, r)) = dropped else { return };
    push_dropper(
        out,
        facts,
        "decoded-dropper",
        r,
        "writes a program decoded from data it carries to disk and starts it: a dropper",
        vec![
            format!("writes: `{}` at line {} puts decoded data in a file named as a program", w.name, w.line),
            format!("runs: `{}` at line {}, in the same function", r.name, r.line),
        ],
    );
}

/// A string that names a program by its extension (`x.exe`, `run.ps1`).
fn names_a_program(s: &str) -> bool {
    const PROGRAMS: &[&str] = &[".exe", ".scr", ".dll", ".bat", ".cmd", ".ps1", ".vbs", ".msi"];
    let t = s.trim().as_bytes();
    PROGRAMS.iter().any(|e| t.len() >= e.len() && t[t.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes()))
}

/// The functions (and the module, `None`) whose strings name a program.
fn program_scopes(facts: &Facts<'_>, timing: &crate::timing::Timing) -> rustc_hash::FxHashSet<Option<usize>> {
    facts.strings.iter().filter(|(s, _)| names_a_program(s)).map(|(_, l)| timing.innermost(*l)).collect()
}

/// Each function's process starts (those `keep` accepts) in line order:
/// one table per file, so "the first start after line L in this function"
/// is one lookup, however many writes or copies ask (hostile files stay
/// linear).
struct ScopeStarts<'c, 's> {
    by_scope: rustc_hash::FxHashMap<Option<usize>, Vec<&'c Call<'s>>>,
}

impl<'c, 's> ScopeStarts<'c, 's> {
    fn new(facts: &'c Facts<'s>, timing: &crate::timing::Timing, keep: impl Fn(&Call<'s>) -> bool) -> Self {
        let mut by_scope: rustc_hash::FxHashMap<Option<usize>, Vec<&'c Call<'s>>> = rustc_hash::FxHashMap::default();
        for c in facts.calls.iter().filter(|c| keep(c)) {
            by_scope.entry(timing.innermost(c.line)).or_default().push(c);
        }
        for list in by_scope.values_mut() {
            list.sort_by_key(|c| c.line);
        }
        ScopeStarts { by_scope }
    }

    /// The first start at or after `line` in `scope`.
    fn after(&self, scope: Option<usize>, line: usize) -> Option<&'c Call<'s>> {
        let in_scope = self.by_scope.get(&scope)?;
        in_scope.get(in_scope.partition_point(|c| c.line < line)).copied()
    }
}

/// A dropper found at the start `r`: high when a caller asks for it,
/// critical while the package installs or loads.
pub(super) fn push_dropper(
    out: &mut Out<'_>,
    facts: &Facts<'_>,
    rule: &'static str,
    r: &Call,
    what: &str,
    because: Vec<String>,
) {
    let asked = matches!(out.timing(facts).at(facts, r.line), When::Call(..) | When::Program);
    out.push(rule, if asked { Severity::High } else { Severity::Critical }, "process", r, what.into());
    out.because(because);
}

/// An install command that fetches the package's dependencies itself
/// (`self.distribution.fetch_build_eggs(install_requires)`) and imports one
/// while installing runs another package's code as this one installs: the
/// way a typosquat hands over to a malicious dependency, which pip alone
/// would install but not run. Build back-ends fetch what they need before
/// the build, not from an `install` command.
pub(super) fn installs_and_imports_dependencies(out: &mut Out<'_>, facts: &Facts<'_>) {
    if !out.install_time {
        return;
    }
    let Some(fetch) = facts.calls.iter().find(|c| c.name.ends_with(".fetch_build_eggs")) else { return };
    let timing = out.timing(facts);
    if !matches!(timing.at(facts, fetch.line), When::Install) {
        return;
    }
    // An import inside a function of the file, other than the build tools':
    // a dependency brought in to run, not the module-level `from setuptools
    // import setup`.
    let Some((module, line)) = facts.imports.iter().find(|(m, line)| {
        let top = m.split('.').next().unwrap_or(m);
        timing.innermost(*line).is_some()
            && !["setuptools", "distutils", "pkg_resources", "os", "sys", "subprocess", "shutil", "site"].contains(&top)
    }) else {
        return;
    };
    let because = vec![format!(
        "downloads and runs: `{}` at line {} fetches the dependencies; line {line} imports `{module}`",
        fetch.name, fetch.line
    )];
    out.push(
        "download-then-run",
        Severity::High,
        "process",
        fetch,
        "fetches its dependencies while it installs and imports one: that package's code runs as this one installs"
            .into(),
    );
    out.because(because);
}

/// A program the package carries, copied into the temporary folder (or the
/// user's application data) and started with no window, in one function:
/// the dropper of a bundled payload (`shutil.copy(bundled_exe, temp)`, then
/// `Popen(temp, creationflags=CREATE_NO_WINDOW)`). Tools that ship a helper
/// program run it where it is, or show it; copying it away first and
/// hiding it is how a payload is planted and started.
pub(super) fn hidden_dropper(out: &mut Out<'_>, facts: &Facts<'_>) {
    const COPIES: &[&str] =
        &["shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "os.rename", "os.replace"];
    // Cheap gate: most files copy nothing.
    if !facts.calls.iter().any(|c| COPIES.contains(&c.name.as_str())) {
        return;
    }
    let hidden_start = |c: &Call| {
        c.args.iter().any(|a| {
            let t = a.text.to_ascii_uppercase();
            ["CREATE_NO_WINDOW", "DETACHED_PROCESS", "SW_HIDE", "0X08000000", "-WINDOWSTYLE HIDDEN"]
                .iter()
                .any(|f| t.contains(f))
        })
    };
    let timing = out.timing(facts);
    // Per scope, one pass over strings and calls: the scopes that name a
    // program, that reach the temporary or user folders, and their copies
    // and hidden starts.
    type Scope = Option<usize>;
    let naming = program_scopes(facts, timing);
    if naming.is_empty() {
        return;
    }
    let mut away: rustc_hash::FxHashSet<Scope> = rustc_hash::FxHashSet::default();
    for c in &facts.calls {
        let temp = matches!(c.name.as_str(), "tempfile.gettempdir" | "tempfile.mkdtemp" | "tempfile.mkstemp")
            || c.args.iter().any(|a| {
                a.names.iter().any(|n| {
                    let n = n.to_ascii_uppercase();
                    n.starts_with("OS.ENVIRON[")
                        && ["TEMP", "TMP", "APPDATA", "LOCALAPPDATA"].iter().any(|k| n.contains(k))
                }) || a.strings.iter().chain(a.literal.iter()).any(|s| {
                    let s = s.to_ascii_uppercase();
                    ["%TEMP%", "%TMP%", "%APPDATA%", "%LOCALAPPDATA%"].iter().any(|k| s.contains(k))
                        || matches!(s.as_str(), "TEMP" | "TMP" | "APPDATA" | "LOCALAPPDATA")
                })
            });
        if temp {
            away.insert(timing.innermost(c.line));
        }
    }
    let starts = ScopeStarts::new(facts, timing, |c| matches(&c.name, names!(PROCESS)) && hidden_start(c));
    let found = facts.calls.iter().filter(|c| COPIES.contains(&c.name.as_str())).find_map(|copy| {
        let scope = timing.innermost(copy.line);
        if !naming.contains(&scope) || !away.contains(&scope) {
            return None;
        }
        starts.after(scope, copy.line).map(|r| (copy, r))
    });
    let Some((copy, r)) = found else { return };
    push_dropper(
        out,
        facts,
        "hidden-dropper",
        r,
        "copies a program into a temporary or user folder and starts it with no window: a dropper",
        vec![
            format!("copies: `{}` at line {} puts a program in a temporary or user folder", copy.name, copy.line),
            format!("runs hidden: `{}` at line {}, in the same function, with no window", r.name, r.line),
        ],
    );
}
