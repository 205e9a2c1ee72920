//! Security rules over one file's facts. Severity is about intent, not
//! capability: opening files, starting Explorer, calling web APIs and
//! writing settings are info to medium and go to the transparency report;
//! high and critical are for what only malware needs (decoded or downloaded
//! code executed, download then run, persistence, shells, shellcode,
//! credentials sent out, destruction outside the package). Findings are
//! combined per file: a decoder feeding `exec` is one critical finding.

use crate::python::{Call, Facts};
use crate::report::{Capabilities, Finding, Severity};

const DECODERS: &[&str] = &[
    "base64.b64decode",
    "base64.b32decode",
    "base64.b16decode",
    "base64.a85decode",
    "base64.b85decode",
    "base64.decodestring",
    "base64.decodebytes",
    "zlib.decompress",
    "gzip.decompress",
    "bz2.decompress",
    "lzma.decompress",
    "marshal.loads",
    "codecs.decode",
    "binascii.unhexlify",
    "binascii.a2b_base64",
    "bytes.fromhex",
    "bytearray.fromhex",
    "?.decode",
    "?.join",
    "?.reversed",
    "reversed",
    "chr",
];
const FETCHERS: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.urlopen",
    "urllib2.urlopen",
    "requests.get",
    "requests.post",
    "requests.request",
    "?.read",
    "?.recv",
    "?.DownloadString",
    "?.DownloadData",
];
const EXECUTORS: &[&str] =
    &["eval", "exec", "compile", "execfile", "__import__", "importlib.import_module", "builtins.exec", "builtins.eval"];
const PROCESS: &[&str] = &[
    "os.system",
    "os.popen",
    "os.startfile",
    "os.execv",
    "os.execl",
    "os.spawnl",
    "os.spawnv",
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
];
const NETWORK: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.request.Request",
    "urllib.request.urlretrieve",
    "urllib.urlopen",
    "urllib.urlretrieve",
    "urllib2.urlopen",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.request",
    "requests.Session",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "httplib.HTTPConnection",
    "socket.socket",
    "socket.create_connection",
    "System.Net.WebClient",
    "System.Net.Http.HttpClient",
    "WebClient",
    "HttpClient",
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
];

fn matches(name: &str, list: &[&str]) -> bool {
    list.iter().any(|l| name == *l || (l.starts_with("?.") && name.ends_with(&l[1..])))
}

struct Out<'a> {
    file: &'a str,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn push(&mut self, rule: &'static str, severity: Severity, category: &'static str, c: &Call, message: String) {
        self.findings.push(Finding {
            rule,
            severity,
            category,
            file: self.file.to_owned(),
            line: c.line,
            column: c.column,
            snippet: c.snippet.clone(),
            message,
        });
    }
}

fn arg_text(c: &Call) -> String {
    c.args.iter().map(|a| a.text.to_ascii_lowercase()).collect::<Vec<_>>().join(" ")
}

fn inner(c: &Call) -> impl Iterator<Item = &String> {
    c.args.iter().flat_map(|a| a.inner_calls.iter())
}

/// Runs every rule on one Python file. `package` is the normalised package
/// name (its own folders under APPDATA are not "outside the package").
pub fn check_python(file: &str, facts: &Facts, package: &str, caps: &mut Capabilities) -> Vec<Finding> {
    let mut out = Out { file, findings: Vec::new() };
    let file_fetches = facts.calls.iter().any(|c| matches(&c.name, FETCHERS) || matches(&c.name, NETWORK));
    let file_runs = facts.calls.iter().any(|c| matches(&c.name, PROCESS));
    let file_writes = facts
        .calls
        .iter()
        .any(|c| c.name == "open" && c.args.iter().any(|a| a.literal.as_deref().is_some_and(|m| m.contains('w'))));
    let uses_socket = facts.calls.iter().any(|c| c.name.starts_with("socket."));
    let strings_lower: Vec<String> = facts.strings.iter().map(|(s, _)| s.to_ascii_lowercase()).collect();
    let mentions = |needle: &str| strings_lower.iter().any(|s| s.contains(needle));

    for c in &facts.calls {
        let name = c.name.as_str();
        // Dynamic code.
        if matches(name, EXECUTORS) {
            let constant = c.args.first().is_some_and(|a| a.literal.is_some());
            let decoded = inner(c).any(|n| matches(n, DECODERS));
            let fetched = inner(c).any(|n| matches(n, FETCHERS));
            if fetched {
                out.push(
                    "exec-downloaded",
                    Severity::Critical,
                    "dynamic-code",
                    c,
                    format!("{name}() runs code downloaded from the network"),
                );
            } else if decoded {
                out.push(
                    "exec-decoded",
                    Severity::Critical,
                    "dynamic-code",
                    c,
                    format!("{name}() runs code that is decoded first (a way to hide it)"),
                );
            } else if !constant && !c.args.is_empty() {
                let sev = if name == "__import__" || name == "importlib.import_module" {
                    Severity::Low
                } else {
                    Severity::Medium
                };
                out.push("exec-dynamic", sev, "dynamic-code", c, format!("{name}() with a computed argument"));
            }
        }
        // Processes.
        if matches(name, PROCESS) {
            let cmd = arg_text(c);
            caps.processes
                .push(c.args.first().map(|a| a.literal.clone().unwrap_or_else(|| a.text.clone())).unwrap_or_default());
            let shell = c.args.iter().any(|a| a.keyword.as_deref() == Some("shell") && a.text.trim() != "False")
                || name == "os.system"
                || name == "os.popen";
            let hostile = [
                "-enc",
                "encodedcommand",
                "certutil",
                "| sh",
                "|sh",
                "bash -i",
                "/dev/tcp",
                "nc -e",
                "schtasks",
                "reg add",
                "bitsadmin",
                "mshta",
                "rundll32",
            ]
            .iter()
            .any(|n| cmd.contains(n));
            let decoded = inner(c).any(|n| matches(n, DECODERS));
            if hostile || decoded {
                out.push("process-hostile", Severity::High, "process", c, "starts a shell command of the kind malware uses (encoded, download-and-run, persistence or reverse shell)".into());
            } else if shell && c.args.first().is_none_or(|a| a.literal.is_none()) {
                out.push(
                    "process-shell",
                    Severity::Medium,
                    "process",
                    c,
                    "runs a computed command through the shell".into(),
                );
            } else {
                out.push("process", Severity::Info, "process", c, format!("starts a process ({name})"));
            }
        }
        // Network.
        if matches(name, NETWORK) {
            let target =
                c.args.first().map(|a| a.literal.clone().unwrap_or_else(|| a.text.clone())).unwrap_or_default();
            caps.network.push(if target.is_empty() { name.to_owned() } else { target });
            out.push("network", Severity::Info, "network", c, format!("uses the network ({name})"));
        }
        // Deserialization.
        if matches(name, DESERIALIZE)
            || (name == "yaml.load"
                && !c.args.iter().any(|a| a.text.contains("SafeLoader") || a.text.contains("CSafeLoader")))
        {
            let sev = if file_fetches { Severity::High } else { Severity::Medium };
            out.push(
                "unsafe-deserialization",
                sev,
                "deserialization",
                c,
                format!("{name}() can run code hidden in the data"),
            );
        }
        // Native code.
        if name.starts_with("ctypes.")
            || name.starts_with("?.VirtualAlloc")
            || name.ends_with(".VirtualAlloc")
            || name.ends_with(".CreateThread")
        {
            let shellcode = ["VirtualAlloc", "CreateThread", "RtlMoveMemory", "WriteProcessMemory"]
                .iter()
                .any(|s| name.ends_with(s));
            if shellcode {
                out.push(
                    "native-shellcode",
                    Severity::Critical,
                    "native",
                    c,
                    "allocates executable memory or starts a thread in it (shellcode)".into(),
                );
            } else {
                out.push("native", Severity::Low, "native", c, format!("calls native code ({name})"));
            }
        }
        // Registry.
        if name.starts_with("winreg.") || name.starts_with("_winreg.") || name.contains("Win32.Registry") {
            let key = arg_text(c);
            caps.registry_keys.push(key.chars().take(120).collect());
            let persistence = key.contains("currentversion\\\\run")
                || key.contains("currentversion\\run")
                || mentions("currentversion\\run");
            if persistence
                && (name.ends_with("SetValueEx")
                    || name.ends_with("SetValue")
                    || name.ends_with("CreateKey")
                    || name.ends_with("CreateKeyEx"))
            {
                out.push(
                    "persistence-registry",
                    Severity::High,
                    "persistence",
                    c,
                    "writes a Run key so something starts with Windows".into(),
                );
            } else {
                out.push("registry", Severity::Low, "registry", c, format!("uses the Windows registry ({name})"));
            }
        }
        // Files written and deleted.
        if name == "open" || name.ends_with(".write_text") || name.ends_with(".write_bytes") {
            let mode_writes =
                c.args.iter().skip(1).any(|a| a.literal.as_deref().is_some_and(|m| m.contains('w') || m.contains('a')));
            if mode_writes || name != "open" {
                let path =
                    c.args.first().map(|a| a.literal.clone().unwrap_or_else(|| a.text.clone())).unwrap_or_default();
                let lower = path.to_ascii_lowercase();
                if lower.contains("start menu\\programs\\startup")
                    || lower.contains("startup") && lower.contains("appdata")
                {
                    out.push(
                        "persistence-startup",
                        Severity::High,
                        "persistence",
                        c,
                        "writes into the Startup folder".into(),
                    );
                }
                caps.paths_written.push(path);
            }
        }
        if ["shutil.rmtree", "os.remove", "os.unlink", "os.rmdir", "os.removedirs"].contains(&name) {
            let target = arg_text(c);
            let own = target.contains(package) || target.contains(&package.replace('-', "_"));
            let user_data = [
                "expanduser",
                "userprofile",
                "documents",
                "desktop",
                "homedrive",
                "\"~",
                "'~",
                "c:\\\\",
                "\"/\"",
                "'/'",
            ]
            .iter()
            .any(|n| target.contains(n));
            if user_data && !own {
                out.push(
                    "destroy-user-data",
                    Severity::High,
                    "destruction",
                    c,
                    "deletes files outside the package (user folders)".into(),
                );
            } else {
                out.push("delete", Severity::Info, "filesystem", c, format!("deletes files ({name})"));
            }
        }
        // Environment dumps leaving the machine.
        if (name == "dict" || name == "json.dumps" || name == "str")
            && c.args.iter().any(|a| a.text.contains("os.environ"))
            && file_fetches
        {
            out.push(
                "exfiltrate-environment",
                Severity::High,
                "credentials",
                c,
                "collects the whole environment in a file that also uses the network".into(),
            );
        }
    }

    // Whole-file combinations.
    if uses_socket
        && (file_runs || facts.calls.iter().any(|c| c.name == "os.dup2" || c.name == "pty.spawn"))
        && let Some(c) = facts.calls.iter().find(|c| c.name.starts_with("socket."))
    {
        out.push(
            "reverse-shell",
            Severity::Critical,
            "process",
            c,
            "connects a socket and starts a shell: a reverse shell".into(),
        );
    }
    if file_fetches
        && file_writes
        && file_runs
        && let Some(c) = facts.calls.iter().find(|c| matches(&c.name, PROCESS))
    {
        out.push(
            "download-then-run",
            Severity::High,
            "process",
            c,
            "downloads something, writes it to disk and starts a process".into(),
        );
    }
    let browser_secrets =
        ["login data", "\\cookies", "local state", "user data\\default", ".ssh", "id_rsa", "wallet.dat"];
    if file_fetches && browser_secrets.iter().any(|s| mentions(s)) {
        let line = facts
            .strings
            .iter()
            .find(|(s, _)| browser_secrets.iter().any(|b| s.to_ascii_lowercase().contains(b)))
            .map_or(1, |(_, l)| *l);
        out.findings.push(Finding {
            rule: "credential-theft",
            severity: Severity::Critical,
            category: "credentials",
            file: file.to_owned(),
            line,
            column: 1,
            snippet: String::new(),
            message: "reads browser or SSH credentials in a file that also uses the network".into(),
        });
    }
    for (s, line) in &facts.strings {
        if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") || (s.len() == 20 && s.starts_with("AKIA")) {
            out.findings.push(Finding {
                rule: "hardcoded-secret",
                severity: Severity::Medium,
                category: "credentials",
                file: file.to_owned(),
                line: *line,
                column: 1,
                snippet: String::new(),
                message: "a private key or access key is written in the code".into(),
            });
        }
        if s.len() >= 512 && entropy(s) > 4.5 {
            out.findings.push(Finding {
                rule: "high-entropy-string",
                severity: Severity::Medium,
                category: "obfuscation",
                file: file.to_owned(),
                line: *line,
                column: 1,
                snippet: s.chars().take(60).collect(),
                message: format!("a {}-character string that looks encoded or encrypted", s.len()),
            });
        }
    }
    out.findings
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
