//! Every rule the scanner can report: its id, category, the severity it
//! usually carries and a one-line description. SARIF output lists these as
//! the tool's rules, and a test checks that every finding names one.

use crate::report::Severity;

pub struct Rule {
    pub id: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

const fn rule(id: &'static str, category: &'static str, severity: Severity, summary: &'static str) -> Rule {
    Rule { id, category, severity, summary }
}

use Severity::{Critical, High, Info, Low, Medium};

pub const RULES: &[Rule] = &[
    // Dynamic code.
    rule("exec-downloaded", "dynamic-code", Critical, "Runs code downloaded from the network"),
    rule("exec-decoded", "dynamic-code", Critical, "Runs code that is decoded or de-obfuscated first"),
    rule("exec-dynamic", "dynamic-code", Medium, "eval/exec/compile with a computed argument"),
    rule("import-dynamic", "dynamic-code", Low, "Imports a module whose name is computed"),
    rule("load-assembly-bytes", "native", High, "Loads a .NET assembly from bytes that were decoded or downloaded"),
    // Processes.
    rule("process", "process", Info, "Starts a process"),
    rule("process-shell", "process", Medium, "Runs a computed command through the shell"),
    rule(
        "process-hostile",
        "process",
        High,
        "Starts a command of the kind malware uses (critical at install or import)",
    ),
    rule(
        "process-decoded",
        "process",
        Critical,
        "Starts a process whose command was decoded or downloaded (downloaded and run on a caller's request: high)",
    ),
    rule("script-dropper", "process", High, "Writes a script of the kind malware drops"),
    rule("download-then-run", "process", Critical, "Downloads a file and starts it (on a caller's request: high)"),
    rule(
        "decoded-dropper",
        "process",
        Critical,
        "Writes a program decoded from data it carries to disk and starts it (on a caller's request: high)",
    ),
    rule(
        "hidden-dropper",
        "process",
        Critical,
        "Copies a program into a temporary or user folder and starts it with no window (on a caller's request: high)",
    ),
    rule("reverse-shell", "process", Critical, "Connects a socket and hands it a shell"),
    // Network.
    rule("network", "network", Info, "Uses the network"),
    rule(
        "bulk-upload",
        "network",
        Medium,
        "Sends files found by walking folders (high to a raw IP, paste site, webhook or chat bot)",
    ),
    rule("network-suspicious-host", "network", Medium, "Talks to a raw IP, a paste site, a webhook or a tunnel"),
    rule(
        "suspicious-callback",
        "network",
        High,
        "Contacts a raw IP, a webhook, a paste site, a tunnel or a testing domain while installing or loading",
    ),
    // Credentials and secrets.
    rule(
        "credential-access",
        "credentials",
        Medium,
        "Reads browser, SSH, cloud or chat-client credential stores (sent out, it is exfiltration)",
    ),
    rule("exfiltration", "credentials", Critical, "Sends secrets, credentials or the environment out"),
    rule(
        "install-beacon",
        "credentials",
        Critical,
        "Sends the user, host or folder name out while the package installs",
    ),
    rule(
        "import-beacon",
        "credentials",
        High,
        "Sends the user, host or folder name to an address written in the code as soon as it is imported",
    ),
    rule(
        "surveillance-sent",
        "credentials",
        High,
        "Captures the screen, the clipboard or keystrokes in a file that sends to an address in the code",
    ),
    rule("host-identity-sent", "network", Medium, "Sends the user or host name over the network"),
    rule("dns-exfiltration", "credentials", High, "Leaks data through DNS lookups of encoded host names"),
    rule("environment-dump", "credentials", Low, "Reads the whole environment"),
    rule(
        "hardcoded-secret",
        "credentials",
        Medium,
        "A private key, access key or chat bot token is written in the code",
    ),
    rule("clipboard-hijack", "credentials", High, "Replaces clipboard contents that look like wallet addresses"),
    // Persistence.
    rule("persistence-registry", "persistence", High, "Writes a Windows Run key so something starts with Windows"),
    rule(
        "persistence-startup",
        "persistence",
        High,
        "Writes into the Startup folder, LaunchAgents, autostart or systemd units",
    ),
    rule("persistence-wmi", "persistence", High, "Creates a WMI event subscription that runs a command"),
    rule("persistence-shell-startup", "persistence", High, "Writes to a shell start-up file (.bashrc, .profile)"),
    rule(
        "persistence-ssh-key",
        "persistence",
        Critical,
        "Adds an SSH key written in the code to authorized_keys (on a caller's request: high)",
    ),
    rule("persistence-pth", "persistence", High, "Writes a .pth file, which Python runs at every start"),
    rule(
        "persistence-autorun",
        "persistence",
        High,
        "Writes what another program runs or obeys by itself later (git hooks, IPython start-up, VS Code tasks, \
         pip's configuration, pyRevit's extensions)",
    ),
    rule("persistence-task", "persistence", High, "Creates a scheduled task"),
    rule(
        "request-interception",
        "credentials",
        High,
        "Replaces a network library's request function in a file that talks to an author's host or a hidden address",
    ),
    rule("registry", "registry", Low, "Uses the Windows registry"),
    // Files.
    rule("file-write", "filesystem", Info, "Writes files"),
    rule("delete", "filesystem", Info, "Deletes files"),
    rule("destroy-user-data", "destruction", High, "Deletes or overwrites files outside the package"),
    // Deserialization and native code.
    rule("unsafe-deserialization", "deserialization", Medium, "Deserializes data in a way that can run code"),
    rule("native", "native", Low, "Calls native code"),
    rule("native-shellcode", "native", Critical, "Allocates executable memory or starts a thread in it"),
    rule("clr-odd-path", "native", Medium, "Loads a .NET assembly from a temporary, downloaded or absolute path"),
    // Obfuscation and package shape.
    rule("excessive-nesting", "obfuscation", High, "Nesting so deep that only generated or obfuscated code has it"),
    rule("assembled-api-name", "obfuscation", High, "Builds the name of a dangerous function or module from pieces"),
    rule("hidden-destination", "obfuscation", High, "Writes to a path that had to be decoded or reversed first"),
    rule(
        "encrypted-code",
        "obfuscation",
        High,
        "Runs code encrypted by an obfuscator (PyArmor), which no one can read",
    ),
    rule("high-entropy-string", "obfuscation", Medium, "A long string that looks encoded or encrypted"),
    rule("hiding-encoding", "obfuscation", High, "Declares a source encoding that only serves to hide code"),
    rule("unknown-encoding", "obfuscation", Medium, "Declares a source encoding Python would not know"),
    rule("undecodable-bytes", "obfuscation", Medium, "Bytes that do not decode in the declared encoding"),
    // High: real code never builds megabytes from constants, and what was not
    // folded was not analysed (a payload could hide past the budget).
    rule(
        "fold-budget-exceeded",
        "obfuscation",
        High,
        "Constant strings that fold to more than the scanner's budget (string bombs, heavy obfuscation)",
    ),
    rule("does-not-parse", "package-shape", Medium, "The file does not parse; what could be read was scanned"),
    rule("compiled-python", "package-shape", High, "Compiled Python (.pyc) hides its source"),
    rule("executable-file", "package-shape", Medium, "The package ships an executable or script file"),
    rule("hidden-file", "package-shape", Low, "A hidden file"),
    // High: the part not read could hold anything, and padding a file past
    // the limit must not be a way around the scan.
    rule("file-too-large", "package-shape", High, "A Python file too large to analyse whole; only its start was read"),
    // Hooks, manifest, performance.
    rule("install-hook", "hooks", Info, "A script that runs at install or uninstall (only with --allow-hooks)"),
    rule("hook-runs-code", "hooks", Medium, "An install hook that starts processes, uses the network or runs code"),
    rule(
        "undeclared-revit-namespace",
        "manifest",
        Info,
        "Imports a Revit namespace that revit_dependencies does not list",
    ),
    rule(
        "impact-understated",
        "performance",
        Info,
        "The manifest declares less performance impact than the code shows",
    ),
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
    }
}
