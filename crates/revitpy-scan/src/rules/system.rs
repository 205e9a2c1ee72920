//! The host beyond the package: native code and .NET assemblies loaded,
//! the Windows registry, files written and deleted.

use super::lists::{DELETERS, RUN_KEYS, STARTUP_MARKERS, USER_FOLDERS};
use super::{FileSense, LazyVars, Out, all_args_lower, first_arg};
use crate::dotted::last_segment;
use crate::facts::Call;
use crate::flow::{LOGIN_AGENT_FOLDERS, Labels, matches, names};
use crate::report::{Capabilities, Severity};
use crate::timing::When;

pub(super) fn native(out: &mut Out<'_>, c: &Call, labels: Labels) {
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

pub(super) fn registry(out: &mut Out<'_>, c: &Call, labels: Labels, sense: &FileSense<'_>, caps: &mut Capabilities) {
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

pub(super) fn files(out: &mut Out<'_>, c: &Call, lazy: &LazyVars<'_>, package: &str, caps: &mut Capabilities) {
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
        // Copies and moves write their second argument; a path's
        // `write_text`/`write_bytes` write the path they are called on (their
        // argument is the content: a decrypted download saved by a chat
        // library is no hidden destination).
        let copies = name.starts_with("shutil.") || name.ends_with("Copy");
        let receiver =
            name.rsplit_once('.').filter(|(_, method)| crate::facts::PATH_WRITERS.contains(method)).map(|(r, _)| r);
        let dest = match receiver {
            Some(r) => r.to_owned(),
            None if copies => {
                c.args.get(1).map(|a| a.literal.clone().unwrap_or_else(|| a.text.to_string())).unwrap_or_default()
            }
            None => first_arg(c),
        };
        let all = all_args_lower(c);
        let dest_labels = match receiver {
            // A path built in the same expression (`Path(p).write_bytes`) is
            // not named; nothing is known of it.
            Some(r) if r.ends_with('?') => Labels::NONE,
            Some(r) => lazy.name_labels(c.line, r),
            None if copies => c.args.get(1).map_or(Labels::NONE, |a| lazy.arg_labels(c.line, a)),
            None => c.args.first().map_or(Labels::NONE, |a| lazy.arg_labels(c.line, a)),
        };
        if dest_labels.has(Labels::DECODED) && !dest_labels.has(Labels::FETCHED) {
            // A path the file carries encoded (`b64decode('QzpcVXNlcn...')`)
            // or decodes while it installs or loads is hidden by the
            // package. One reached through what callers hand over (a
            // downloader's file names, a mail attachment's name from its
            // decoded message) is what the flow could not tell apart: for
            // a reviewer.
            out.push(
                "hidden-destination",
                if out.carried(lazy.facts, c.line) { Severity::High } else { Severity::Medium },
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
        } else if LOGIN_AGENT_FOLDERS.iter().any(|m| all.contains(m)) || dest_labels.has(Labels::LOGIN_AGENT) {
            // launchd's agents and XDG autostart entries start at every
            // login, as the Startup folder's programs do. Written while the
            // package installs or loads, it is the package making itself
            // start again; a service manager's module or a CLI's "install
            // as a service" command writes one on its user's request
            // (ansible's launchd module, Home Assistant's macOS script).
            out.persistence(
                lazy.facts,
                c,
                "persistence-startup",
                "writes into a folder of programs that start at login (LaunchAgents, autostart, systemd units)",
            );
        }
        if dest_labels.has(Labels::AUTO_RUN) {
            // A git hook, IPython's start-up file, a VS Code task, pip's
            // index or a script in another pyRevit extension: written while
            // the package installs or loads, the package makes something
            // run (or install) again later, unasked; a tool its user asks
            // (pre-commit installing its hook, a config command setting
            // pip's index) writes one as its job.
            out.persistence(
                lazy.facts,
                c,
                "persistence-autorun",
                "writes where another program acts on it by itself later (a git hook, IPython's start-up, VS Code's \
                 tasks, pip's configuration, pyRevit's extensions)",
            );
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
