//! The names rules look for: calls by what they do (run code, start
//! processes, fetch, send, delete, write settings), and strings that mark
//! hosts, folders and keys of interest.

pub(super) const EXECUTORS: &[&str] = &["eval", "exec", "compile", "execfile", "runpy.run_path", "types.FunctionType"];
pub(super) const IMPORTERS: &[&str] = &["__import__", "importlib.import_module"];
/// Windows APIs a shellcode loader calls: allocate executable memory, copy
/// into it, run it.
pub(super) const SHELLCODE_APIS: &[&str] = &[
    "VirtualAlloc",
    "VirtualAllocEx",
    "CreateThread",
    "CreateRemoteThread",
    "RtlMoveMemory",
    "WriteProcessMemory",
    "VirtualProtect",
];

/// Names that legitimate code never needs to assemble from pieces.
pub(super) const ASSEMBLED_DANGEROUS: &[&str] = &[
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
pub(super) const CODE_LOADERS: &[&str] = &[
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
pub(super) const DNS_LOOKUPS: &[&str] = &[
    "socket.gethostbyname",
    "socket.gethostbyname_ex",
    "socket.getaddrinfo",
    "dns.resolver.resolve",
    "dns.resolver.query",
    // Objects' `resolve` and `query` count only in files that import a DNS
    // library (see `network::dns_lookup`): `?.resolve` alone is mostly
    // `Path.resolve` or a template's (pipenv's vendored dotenv).
    "resolver.resolve",
    "resolver.query",
];
/// Calls that write their argument into a file.
pub(super) const CONTENT_WRITERS: &[&str] =
    &["?.write", "?.writelines", "?.write_text", "?.write_bytes", "?.WriteAllText", "?.WriteAllBytes"];
pub(super) const PROCESS: &[&str] = &[
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
pub(super) const NETWORK: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.request.Request",
    // A webhook message built with its address and content, sent by
    // `execute()` (the discord_webhook package), like a `Request`.
    "discord_webhook.DiscordWebhook",
    "discord_webhook.AsyncDiscordWebhook",
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
pub(super) const SHELL_STARTUP: &[&str] =
    &[".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", "/etc/rc.local", "/etc/profile"];

pub(super) const SENDERS: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.request.Request",
    "discord_webhook.DiscordWebhook",
    "discord_webhook.AsyncDiscordWebhook",
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
/// A call that sends what it is given over the network: one of `SENDERS`,
/// except a queue's `put` (`events.put(message)`, `queue.put(item,
/// timeout=1)`: one item and at most `block`/`timeout`), which hands an
/// item to another thread or process of the same program. An HTTP client's
/// `put` names its URL and what it sends. Nor a method of the caller's own
/// class (`self.send(outputs)` in a wallet that defines `send`): the sends
/// inside it are judged where they are, with what its parameters receive.
pub(super) fn is_sender(c: &crate::facts::Call) -> bool {
    !c.own_method && crate::flow::matches(&c.name, crate::flow::names!(SENDERS)) && !queue_put(c)
}

fn queue_put(c: &crate::facts::Call) -> bool {
    let last = c.name.rsplit('.').next().unwrap_or(&c.name);
    matches!(last, "put" | "put_nowait")
        && !c.name.starts_with("requests.")
        && !c.name.starts_with("httpx.")
        && c.args.iter().filter(|a| a.keyword.is_none()).count() == 1
        && c.args.iter().all(|a| matches!(a.keyword.as_deref(), None | Some("block" | "timeout")))
}

/// HTTP clients' module-level requests that `SENDERS` does not name
/// (see [`super::network::http_get`]).
pub(super) const HTTP_REQUESTS: &[&str] = &[
    "httpx.get",
    "httpx.head",
    "httpx.put",
    "httpx.patch",
    "httpx.delete",
    "httpx.request",
    "httpx.stream",
    "requests.head",
    "requests.delete",
    "requests.options",
    "aiohttp.request",
];
/// Calls that save a download to disk.
pub(super) use crate::facts::DOWNLOAD_TO_FILE;
pub(super) const DESERIALIZE: &[&str] = &[
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
pub(super) const DELETERS: &[&str] = &[
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
pub(super) const PERSISTENCE_TASK: &[&str] = &["schtasks", "register-scheduledtask", "new-scheduledtask"];
pub(super) const RUN_KEYS: &[&str] =
    &["currentversion\\run", "currentversion\\\\run", "currentversion/run", "winlogon", "image file execution options"];
pub(super) const STARTUP_MARKERS: &[&str] = &[
    "start menu\\programs\\startup",
    "start menu\\\\programs\\\\startup",
    "start menu/programs/startup",
    "shell:startup",
];

pub(super) const USER_FOLDERS: &[&str] = &[
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

/// What the user sees, copies or types: the screen, the clipboard, a
/// keyboard hook. (A webcam library's frames are left out: vision
/// libraries send frames to services their users configure.)
pub(super) const CAPTURES: &[&str] = &[
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
