//! The chain of facts behind a high or critical finding (issue 19: "each
//! verdict explains itself"). A rule decides a level from what the code does
//! in its context; this module writes that context down for the reader:
//! when the code runs (while the package installs, when the module loads, or
//! only when a function is called), what the call handles (decoded,
//! downloaded, secret or identifying data) and where it goes (an address
//! written in the code, or one taken from elsewhere).
//!
//! It runs after the rules, on the few findings at high or above, so the
//! data-flow questions it asks again cost nothing on ordinary files.

use crate::facts::{Call, Facts};
use crate::flow::{self, Labels};
use crate::report::{Finding, Severity};
use crate::timing::{Timing, When};

/// What each label means, said of the data a call receives.
const LABEL_FACTS: &[(Labels, &str)] = &[
    (Labels::FETCHED, "data read from the network"),
    (Labels::DECODED, "data decoded or de-obfuscated first (base64, zlib, marshal, reversed or joined characters)"),
    (Labels::CREDENTIAL, "a credential store (browser, SSH, cloud or chat-client files) or what was read from it"),
    (Labels::SECRET, "a secret (a token, password or key variable, or a wallet's recovery phrase)"),
    (Labels::ENVIRONMENT, "the whole environment"),
    (Labels::HOST_IDENTITY, "who and where it runs (user, host or folder name)"),
    (Labels::USER_DATA, "a path into the user's own files"),
    (Labels::BULK, "file names found by walking folders"),
    (Labels::ENCODED, "data encoded for transport (hex, base64, base32)"),
    (Labels::STARTUP, "a path into the Windows Startup folder"),
    (Labels::LOGIN_AGENT, "a path into a folder of programs started at login (LaunchAgents, autostart, systemd units)"),
    (
        Labels::AUTO_RUN,
        "a path another program acts on by itself (a git hook, IPython's start-up, VS Code's tasks, pip's \
         configuration, pyRevit's extensions)",
    ),
    (Labels::RUN_KEY, "a Windows Run registry key"),
    (Labels::HOSTILE, "a command line of the kind attack tooling uses"),
    (Labels::DOWNLOAD_COMMAND, "a command line that downloads to a file"),
];

/// What data with these labels is, in words (`; `-separated).
pub(crate) fn describe(labels: Labels) -> String {
    LABEL_FACTS.iter().filter(|(l, _)| labels.has(*l)).map(|(_, s)| *s).collect::<Vec<_>>().join("; ")
}

/// When the code at `line` runs, as one sentence.
pub(crate) fn when(facts: &Facts<'_>, timing: &Timing, line: usize, file: &str) -> String {
    match timing.at(facts, line) {
        When::Install => {
            format!("when: while the package installs ({file} runs before anyone chose to run the package)")
        }
        When::Program if crate::timing::is_command_script(file) => {
            "when: when its user clicks the button (a pyRevit command's script), not while Revit or the extension \
             loads"
                .to_owned()
        }
        When::Program if timing.dynamo_node => {
            "when: when its user runs the Dynamo graph (a Dynamo Python node's script), not while Revit or a package \
             loads"
                .to_owned()
        }
        When::Program => {
            "when: when someone runs the package as a program (its `__main__`), not when it is imported".to_owned()
        }
        When::Call(name, first) => {
            format!("when: only when `{name}` (line {first}) is called; nothing in this file calls it while loading")
        }
        When::Import => match timing.innermost(line).map(|i| &facts.functions[i]) {
            Some(f) => format!(
                "when: as soon as the module is imported or the script is run: `{}` (line {}) is called or handed on while it loads",
                f.name, f.first_line
            ),
            None => "when: as soon as the module is imported or the script is run (module level)".to_owned(),
        },
    }
}

/// Adds its chain to every finding at high or above that has none yet.
/// `labels_of` answers what a call's arguments carry (the file's data flow).
pub(crate) fn explain(
    findings: &mut [Finding],
    facts: &Facts<'_>,
    file: &str,
    timing: &Timing,
    labels_of: impl Fn(&Call<'_>) -> Labels,
) {
    for f in findings.iter_mut().filter(|f| f.severity >= Severity::High) {
        let mut chain = vec![when(facts, timing, f.line, file)];
        // The calls the finding stands on: those on its line and column (a
        // finding made of a whole file's facts has none).
        let calls = facts.calls.iter().filter(|c| c.line == f.line && (f.column <= 1 || c.column == f.column));
        let mut labels = Labels::NONE;
        let mut names: Vec<&str> = Vec::new();
        let mut address: Option<&str> = None;
        for c in calls {
            let l = labels_of(c);
            labels |= l;
            // The call that receives the data is the one to name.
            if !l.is_empty() && !names.contains(&c.name.as_str()) {
                names.push(&c.name);
            }
            address = address.or_else(|| {
                c.args
                    .iter()
                    .flat_map(|a| a.literal.iter().map(|s| &**s).chain(a.strings.iter().map(|s| &**s)))
                    .find(|s| flow::is_address(s))
            });
        }
        if !describe(labels).is_empty() {
            let call = names.first().map_or(String::new(), |n| format!("`{n}` "));
            chain.push(format!("what: {call}receives {}", describe(labels)));
        }
        if let Some(a) = address {
            let shown: String = a.chars().take(120).collect();
            chain.push(format!("where: `{shown}`, an address written in the code"));
        } else if labels.has(Labels::ADDRESS) {
            chain.push("where: an address written in the code".to_owned());
        }
        // Rules may have said more already (which lines fetch and which run);
        // the general facts come first.
        chain.append(&mut f.because);
        f.because = chain;
    }
}
