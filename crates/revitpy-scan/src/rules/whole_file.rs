//! Combinations that only mean something together in one file.

use super::execution::{
    decoded_dropper, download_then_run, hidden_dropper, installs_and_imports_dependencies, reverse_shell, shellcode,
};
use super::lists::{ASSEMBLED_DANGEROUS, PROCESS, SHELL_STARTUP};
use super::stores::{credential_stores, surveillance};
use super::{FileSense, LazyVars, Out, all_args_lower, has};
use crate::facts::{Call, Facts};
use crate::flow::{self, Labels, matches, names};
use crate::report::Severity;
use crate::timing::When;

/// Runs after the per-call rules: some of these ask what those found
/// (`out.reported`), so that one act is not reported twice.
pub(super) fn whole_file(out: &mut Out<'_>, sense: &FileSense<'_>, lazy: &LazyVars<'_>) {
    let facts = sense.facts;
    shellcode(out, facts, lazy);
    surveillance(out, facts, lazy);
    reverse_shell(out, sense);
    download_then_run(out, facts, lazy);
    decoded_dropper(out, facts, lazy);
    hidden_dropper(out, facts);
    installs_and_imports_dependencies(out, facts);
    intercepts_requests(out, facts);

    // Lines added to a shell's start-up files run at every login: the Unix
    // counterpart of a Run key. The user's own files: a path into the home
    // folder (or an absolute one, `/etc/profile`); a `.zshrc` written into a
    // temporary folder (a development shell's `ZDOTDIR`) starts no login.
    let home = |c: &Call| {
        c.args.first().is_some_and(|a| {
            a.literal.iter().chain(&a.strings).any(|s| {
                let s = s.trim();
                s.starts_with('~')
                    || s.starts_with('/') && s[1..].contains('/')
                    || s.starts_with("$HOME")
                    || s.to_ascii_uppercase().contains("%USERPROFILE%")
            }) || a.names.iter().any(|n| {
                let n = n.to_ascii_uppercase();
                n.contains("HOME") || n.contains("USERPROFILE")
            }) || lazy.arg_labels(c.line, a).has(Labels::USER_DATA)
        })
    };
    if let Some(c) = facts.calls.iter().find(|c| {
        matches(&c.name, names!(&["open", "io.open", "codecs.open", "?.open"]))
            && c.args.first().is_some_and(|a| {
                a.literal.iter().chain(&a.strings).any(|s| SHELL_STARTUP.iter().any(|f| s.ends_with(f)))
            })
            && c.args.get(1).and_then(|a| a.literal.as_deref()).is_some_and(|m| m.contains('a') || m.contains('w'))
            && home(c)
    }) {
        out.push(
            "persistence-shell-startup",
            Severity::High,
            "persistence",
            c,
            "writes to a shell start-up file, so something runs at every login".into(),
        );
    }

    ssh_key_backdoor(out, sense);

    // A `.pth` file in site-packages: Python runs its `import` lines at
    // every start of the interpreter, whatever program is started. Written
    // while the package installs or loads, it is the package making itself
    // run again (persistence); a tool that sets up an environment on its
    // user's request writes one as its job (virtualenv's `_virtualenv.pth`).
    // (One search of the file's strings first: most files name no `.pth`.)
    if memchr::memmem::find(sense.haystack.as_bytes(), b".pth").is_some()
        && let Some(c) = facts.calls.iter().find(|c| {
            matches(&c.name, names!(&["open", "io.open", "codecs.open", "?.open", "?.write_text"]))
                && c.args.first().is_some_and(|a| {
                    a.literal.iter().chain(&a.strings).any(|s| s.trim_end().to_ascii_lowercase().ends_with(".pth"))
                })
                && (c.name.ends_with("write_text")
                    || c.args
                        .get(1)
                        .and_then(|a| a.literal.as_deref())
                        .is_some_and(|m| m.contains('a') || m.contains('w')))
        })
    {
        out.persistence(
            facts,
            c,
            "persistence-pth",
            "writes a .pth file, whose import lines Python runs at every start of the interpreter",
        );
    }

    credential_stores(out, sense, lazy);

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
        // "to decrypt" alone is any code that decrypts (a browser's cookie
        // store read by yt-dlp); a note speaks of the victim's files.
        "to decrypt your",
        "decrypt your files",
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
    let wallet =
        match (sense.mentions(&["0x[a-f", "[13][a-km-z", "^0x", "[a-zA-HJ-NP-Z0-9]{25"]), sense.bech32_prefix()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
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

    // Code encrypted by an obfuscator: PyArmor's runtime (a native module
    // shipped beside the package, or left out of it) decrypts the module's
    // bytecode and runs it (`__pyarmor__(__name__, __file__, b"PY...")`,
    // `pytransform.pyarmor_runtime()`). No rule can read what runs, and a
    // reviewer cannot either; open-source libraries and public add-ins
    // ship their source. High, not critical: a vendor may protect its code
    // this way, so a person decides.
    // (Its runtime is always imported: a look at the imports first, so that
    // the calls are walked only in such a file.)
    if facts.imports.iter().any(|(m, _)| m.contains("pyarmor") || m.contains("pytransform"))
        && let Some(c) = facts.calls.iter().find(|c| {
            let last = crate::timing::last_name(&c.name);
            last == "__pyarmor__" || last == "pyarmor_runtime" && c.name.contains("pytransform")
        })
    {
        out.push(
            "encrypted-code",
            Severity::High,
            "obfuscation",
            c,
            "runs code encrypted by an obfuscator (PyArmor): what it does cannot be read or checked".into(),
        );
        out.because(vec![
            "how it hides: the module's code is encrypted bytecode that only the obfuscator's native runtime decrypts, \
             as the module loads"
                .into(),
        ]);
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
    // Through `self`/`cls`, only an attribute the file set to such a builtin
    // (`self.run = getattr(builtins, name)`), not every method it calls
    // (`self._read_image(fp)`, `self._image.convert(mode)`). A table holds
    // one when the file puts the builtins, or `eval`/`exec` by name, in it.
    // Sets built once (only in a file that names the builtins), so that
    // each computed callee asks a lookup, not a pass over the file.
    let runs_code = |n: &String| builtins_name(n) || matches!(n.as_str(), "eval" | "exec" | "compile" | "__import__");
    let (holders, assigned, functions, modules) = if dynamic_builtin {
        let holders: rustc_hash::FxHashSet<&str> = facts
            .assigns
            .iter()
            .filter(|a| a.names.iter().any(runs_code) || a.strings.iter().any(builtins_name))
            .flat_map(|a| a.targets.iter().map(String::as_str))
            .collect();
        let assigned: rustc_hash::FxHashSet<&str> =
            facts.assigns.iter().flat_map(|a| a.targets.iter().map(String::as_str)).collect();
        let functions: rustc_hash::FxHashSet<&str> = facts.functions.iter().map(|f| f.name.as_str()).collect();
        // What an imported module is called here: its first and last parts, and aliases.
        let modules: rustc_hash::FxHashSet<&str> = facts
            .imports
            .iter()
            .flat_map(|(m, _)| [m.split('.').next().unwrap_or(m), m.rsplit('.').next().unwrap_or(m)])
            .chain(facts.aliases.keys().map(String::as_str))
            .collect();
        (holders, assigned, functions, modules)
    } else {
        Default::default()
    };
    let holds_builtin = |n: &str| holders.contains(n);
    // A computed callee may be a builtin's lookup (`getattr(builtins,
    // n)(x)`, `run()(body)`, `(lambda g: ...)(__builtins__)(code)`), except
    // an item of a table the file keeps itself, on the object
    // (`self.specials[k](self, k, v)`, reportlab's handlers) or in a
    // variable (`ERRORS[name](message)`, js2py's error classes), unless the
    // file put builtins in that table.
    let builtin_callee = |c: &crate::facts::Call| {
        let head = c.snippet.split('(').next().unwrap_or("").trim();
        let root = head.split('[').next().unwrap_or(head).trim();
        let own_table =
            head.contains('[') && (root.starts_with("self.") || root.starts_with("cls.") || assigned.contains(root));
        if own_table {
            return holds_builtin(root);
        }
        // `getattr(obj, name)(x)` calls a method of `obj`: a builtin only
        // when `obj` is the builtins, a module or what reaches code
        // (`globals()`, `sys.modules`, `importlib`), not an object the
        // file made (js2py's `getattr(self.get(prop), OP_METHODS[op])(val)`).
        if head == "getattr" {
            return getattr_target(&c.snippet).is_none_or(|obj| reaches_code(obj, &modules));
        }
        // What a function of the file returns (`run()(body)`,
        // `self.get(prop)(*args)`) is a builtin when the file returns one
        // from it.
        let function = head.strip_prefix("self.").or_else(|| head.strip_prefix("cls.")).unwrap_or(head);
        !functions.contains(function) || holds_builtin(function)
    };
    if dynamic_builtin
        && let Some(c) = facts.calls.iter().find(|c| {
            (c.name == "?" && builtin_callee(c)
                || (c.name.starts_with("self.") || c.name.starts_with("cls.")) && holds_builtin(&c.name))
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

/// A public key written in the code, added to `authorized_keys`: whoever
/// holds the private half can now log in to this machine (a backdoor). A
/// tool that manages keys adds the keys its user gives it, not one of its
/// own.
fn ssh_key_backdoor(out: &mut Out<'_>, sense: &FileSense<'_>) {
    let facts = sense.facts;
    // One search of the file first: almost no file names the file.
    if memchr::memmem::find(sense.haystack.as_bytes(), b"authorized_keys").is_none() {
        return;
    }
    let timing = out.timing(facts);
    // The scopes that hold a key of their own and those that name the file:
    // the write must be in one of the second, with a key there or at module
    // level.
    let keys: rustc_hash::FxHashSet<Option<usize>> = facts
        .strings
        .iter()
        .filter(|(s, _)| {
            let s = s.trim_start();
            ["ssh-rsa AAAA", "ssh-ed25519 AAAA", "ecdsa-sha2-nistp", "ssh-dss AAAA"].iter().any(|k| s.starts_with(k))
        })
        .map(|(_, l)| timing.innermost(*l))
        .collect();
    if keys.is_empty() {
        return;
    }
    let naming: rustc_hash::FxHashSet<Option<usize>> = facts
        .strings
        .iter()
        .filter(|(s, _)| s.contains("authorized_keys"))
        .map(|(_, l)| timing.innermost(*l))
        .filter(|scope| keys.contains(scope) || keys.contains(&None))
        .collect();
    let writes = |c: &&Call| {
        naming.contains(&timing.innermost(c.line))
            && (c.name.ends_with(".write")
                || c.name == "?.write"
                || c.name.ends_with("write_text")
                || c.name.ends_with(".writelines")
                || matches(&c.name, names!(&["open", "io.open", "?.open"]))
                    && c.args
                        .get(1)
                        .and_then(|a| a.literal.as_deref())
                        .is_some_and(|m| m.contains('a') || m.contains('w')))
    };
    let Some(c) = facts.calls.iter().find(writes) else { return };
    let asked = matches!(timing.at(facts, c.line), When::Call(..) | When::Program);
    out.push(
        "persistence-ssh-key",
        if asked { Severity::High } else { Severity::Critical },
        "persistence",
        c,
        "adds an SSH public key written in the code to authorized_keys: a login for whoever holds its private key"
            .into(),
    );
}

/// The first argument of the `getattr(...)` a snippet starts with, as
/// written; `None` when the snippet (one line, cut short) does not hold
/// all of it.
fn getattr_target(snippet: &str) -> Option<&str> {
    let rest = snippet.trim_start().strip_prefix("getattr")?.trim_start().strip_prefix('(')?;
    let mut depth = 0usize;
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return None,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return Some(rest[..i].trim()),
            _ => {}
        }
    }
    None
}

/// Whether what `getattr` looks a name up on may reach code: the builtins,
/// the module tables, an import, or a module the file imports (`modules`:
/// the names it goes by here).
fn reaches_code(obj: &str, modules: &rustc_hash::FxHashSet<&str>) -> bool {
    const REACHING: &[&str] = &["builtin", "globals", "locals", "vars(", "sys.modules", "import", "__dict__"];
    let head = obj.split(['.', '(', '[']).next().unwrap_or(obj);
    REACHING.iter().any(|r| obj.contains(r)) || modules.contains(head)
}

/// What replacing one of these hands the replacement: every request the
/// program makes through that library (its address, headers and body).
const REQUEST_FUNCTIONS: &[&str] = &[
    "requests.request",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.api.request",
    "requests.Session.request",
    "requests.Session.send",
    "requests.sessions.Session.request",
    "requests.sessions.Session.send",
    "requests.adapters.HTTPAdapter.send",
    "urllib.request.urlopen",
    "urllib.request.OpenerDirector.open",
    "http.client.HTTPConnection.request",
    "http.client.HTTPSConnection.request",
    "httpx.Client.send",
    "httpx.Client.request",
    "urllib3.PoolManager.request",
    "urllib3.PoolManager.urlopen",
];

/// A network library's request function replaced (`requests.Session.request
/// = hooked`), or a module put in the place of another (`sys.modules["requests"]
/// = Proxy()`), in a file that also talks to a raw IP, a paste site, a webhook
/// or a tunnel, or to an address it decodes: every request the program makes,
/// with its headers and body, can be copied to the author (a typosquat that
/// wraps `requests`). Instrumentation and test doubles patch the same
/// functions but report where their user configured, in the open.
fn intercepts_requests(out: &mut Out<'_>, facts: &Facts<'_>) {
    // Cheap tests first (this runs on every file): a file that uses no
    // network, or replaces nothing named like a request function, is done.
    if !out.rules.contains("network") {
        return;
    }
    let replaces = |t: &str| {
        matches!(
            t.rsplit('.').next(),
            Some("request" | "get" | "post" | "put" | "send" | "urlopen" | "open" | "modules")
        )
    };
    if !facts.assigns.iter().any(|a| a.targets.iter().any(|t| replaces(t))) {
        return;
    }
    if !(out.author_host || out.hidden_send || out.decodes_a_literal(facts)) {
        return;
    }
    let qualified = |t: &str| -> String {
        let (head, rest) = t.split_once('.').unwrap_or((t, ""));
        match facts.aliases.get(head) {
            Some(q) if rest.is_empty() => q.clone(),
            Some(q) => format!("{q}.{rest}"),
            None => t.to_owned(),
        }
    };
    let Some(a) = facts.assigns.iter().find(|a| {
        a.targets.iter().filter(|t| replaces(t)).any(|t| {
            let q = qualified(t);
            REQUEST_FUNCTIONS.contains(&q.as_str()) || q == "sys.modules" && !a.calls.is_empty()
        })
    }) else {
        return;
    };
    let line = a.line;
    let snippet = out.source_from(line, 120).lines().next().unwrap_or("").trim().to_owned();
    out.record(
        "request-interception",
        Severity::High,
        "credentials",
        (line, 1, snippet),
        "replaces a network library's request function (or the module itself) in a file that talks to a raw IP, a \
         paste site, a webhook, a tunnel or a hidden address: every request the program makes can be copied there"
            .into(),
    );
}
