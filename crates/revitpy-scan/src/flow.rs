//! Data flow inside one file, from sources (network reads, decoders,
//! credential stores, the environment) to sinks (code execution, processes,
//! the network). Flow-insensitive and scope-insensitive on purpose: a name
//! carries every label any assignment to it ever gives it, and a function
//! name carries the labels of what it returns. That over-approximates, but
//! sinks are few and specific, so the cost is small, and renaming a value
//! through variables or helper functions no longer hides it.

use rustc_hash::FxHashMap as HashMap;

use crate::python::{Arg, Facts};

/// What a value may hold, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Labels(u16);

impl Labels {
    pub const NONE: Labels = Labels(0);
    /// Decoded or de-obfuscated (base64, zlib, marshal, rot13, hex, chr joins, reversed).
    pub const DECODED: Labels = Labels(1);
    /// Read from the network.
    pub const FETCHED: Labels = Labels(2);
    /// Read from a credential store (browser, SSH, cloud, chat tokens) or a secret variable.
    pub const CREDENTIAL: Labels = Labels(4);
    /// The whole environment.
    pub const ENVIRONMENT: Labels = Labels(8);
    /// A path into the Windows Startup folder.
    pub const STARTUP: Labels = Labels(16);
    /// A path into the user's own files (home, Documents, Desktop, whole drives).
    pub const USER_DATA: Labels = Labels(32);
    /// Names found by walking or listing folders.
    pub const BULK: Labels = Labels(64);
    /// A command line of the kind only attack tooling needs.
    pub const HOSTILE: Labels = Labels(128);
    /// Encoded for transport (hex, base64, base32): data being smuggled out.
    pub const ENCODED: Labels = Labels(256);
    /// A Windows Run (or Winlogon) registry key path.
    pub const RUN_KEY: Labels = Labels(512);

    pub fn has(self, other: Labels) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Labels {
    type Output = Labels;
    fn bitor(self, rhs: Labels) -> Labels {
        Labels(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Labels {
    fn bitor_assign(&mut self, rhs: Labels) {
        self.0 |= rhs.0;
    }
}

pub const DECODERS: &[&str] = &[
    "base64.b64decode",
    "base64.b32decode",
    "base64.b16decode",
    "base64.a85decode",
    "base64.b85decode",
    "base64.standard_b64decode",
    "base64.urlsafe_b64decode",
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
    "binascii.a2b_hex",
    "bytes.fromhex",
    "bytearray.fromhex",
    "System.Convert.FromBase64String",
    "Convert.FromBase64String",
    "?.FromBase64String",
    "?.reversed",
    "reversed",
    "chr",
    "?.translate",
    "?.xor",
];

/// Calls that encode data for transport.
const ENCODERS: &[&str] = &[
    "binascii.hexlify",
    "binascii.b2a_hex",
    "binascii.b2a_base64",
    "base64.b64encode",
    "base64.b32encode",
    "base64.b16encode",
    "base64.urlsafe_b64encode",
    "base64.encodebytes",
    "?.hex",
];

/// Calls whose result is data from the network.
pub const FETCHERS: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.urlopen",
    "urllib2.urlopen",
    "requests.get",
    "requests.post",
    "requests.request",
    "requests.Session.get",
    "httpx.get",
    "?.recv",
    "?.recv_into",
    "?.DownloadString",
    "?.DownloadData",
    "?.GetStringAsync",
    "?.GetByteArrayAsync",
    "?.urlopen",
    "?.getresponse",
    "pastebin",
];

/// Strings that point into credential stores.
pub const CREDENTIAL_MARKERS: &[&str] = &[
    "login data",
    "local state",
    "\\cookies",
    "/cookies",
    "web data",
    "local storage\\leveldb",
    "local storage/leveldb",
    "\\leveldb",
    "/leveldb",
    "id_rsa",
    "id_ed25519",
    ".ssh\\",
    ".ssh/",
    ".aws\\",
    ".aws/",
    "aws_secret_access_key",
    "wallet.dat",
    "\\exodus",
    "metamask",
    "recentservers.xml",
    "telegram desktop",
    "key4.db",
    "logins.json",
    ".git-credentials",
    ".pypirc",
    "keychain",
];

/// Environment variable names that hold secrets.
const SECRET_VARIABLES: &[&str] = &["token", "secret", "password", "passwd", "api_key", "apikey", "access_key"];

pub fn matches(name: &str, list: &[&str]) -> bool {
    list.iter().any(|l| name == *l || (l.starts_with("?.") && name.ends_with(&l[1..])))
}

/// A string that names a credential store, as a path or as one component of a path.
pub fn is_credential_string(s: &str) -> bool {
    mentions_credentials(s) || component(std::slice::from_ref(&s.to_owned()), CREDENTIAL_COMPONENTS)
}

pub fn mentions_credentials(s: &str) -> bool {
    CREDENTIAL_AC.is_match(s)
}

fn automaton(needles: &[&str]) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(needles).expect("literal needles build")
}

static CREDENTIAL_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| automaton(CREDENTIAL_MARKERS));
static HOSTILE_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| automaton(HOSTILE_FRAGMENTS));
static RUN_KEY_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| automaton(RUN_KEY_PATHS));
static STARTUP_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| automaton(&["startup"]));

/// Labels a name carries by itself: `os.environ` whole, one secret variable.
fn name_static(name: &str) -> Labels {
    let mut l = Labels::NONE;
    if name == "os.environ" || name.starts_with("os.environ.") && !name.ends_with(".get") {
        l |= Labels::ENVIRONMENT;
    }
    if let Some(key) = name.strip_prefix("os.environ[") {
        let key = key.to_ascii_lowercase();
        if SECRET_VARIABLES.iter().any(|s| key.contains(s)) {
            l |= Labels::CREDENTIAL;
        }
    }
    l
}

/// Labels a name gets from the variables: the name or a prefix of a dotted
/// name (`r` for `r.read`).
fn name_from_vars(name: &str, vars: &HashMap<String, Labels>) -> Labels {
    let mut l = Labels::NONE;
    // `self.token()`, `self._steps`: a method or class attribute of this file.
    if let Some(member) = name.strip_prefix("self.").or_else(|| name.strip_prefix("cls."))
        && let Some(v) = vars.get(member.split('.').next().unwrap_or(member))
    {
        l |= *v;
    }
    let mut prefix = name;
    loop {
        if let Some(v) = vars.get(prefix) {
            l |= *v;
        }
        match prefix.rsplit_once('.') {
            Some((head, _)) => prefix = head,
            None => break,
        }
    }
    l
}

/// The part of an expression's labels that does not depend on variables,
/// computed once per expression.
#[derive(Debug, Clone, Copy, Default)]
pub struct Static {
    labels: Labels,
    /// Names a specific folder (`"MyAddin"`): not the user's files at large.
    scoped: bool,
}

impl Static {
    pub fn combine(self, from_vars: Labels) -> Labels {
        let mut l = self.labels | from_vars;
        if self.scoped {
            l.0 &= !Labels::USER_DATA.0;
        }
        l
    }
}

/// Labels from the variables an expression reads or the local functions it calls.
pub fn from_vars(calls: &[String], names: &[String], vars: &HashMap<String, Labels>) -> Labels {
    if vars.is_empty() {
        return Labels::NONE;
    }
    let mut l = Labels::NONE;
    for n in calls.iter().chain(names) {
        l |= name_from_vars(n, vars);
    }
    l
}

pub fn labels(calls: &[String], names: &[String], strings: &[String], vars: &HashMap<String, Labels>) -> Labels {
    static_labels(calls, names, strings).combine(from_vars(calls, names, vars))
}

/// Labels of an expression made of these calls, names and strings, apart from variables.
pub fn static_labels(calls: &[String], names: &[String], strings: &[String]) -> Static {
    let mut l = Labels::NONE;
    for c in calls {
        if matches(c, DECODERS) {
            l |= Labels::DECODED;
        }
        if matches(c, FETCHERS) {
            l |= Labels::FETCHED;
        }
        if matches(c, ENCODERS) {
            l |= Labels::ENCODED;
        }
        if c == "os.getenv" || c == "os.environ.get" {
            // The key is among the strings.
            if strings.iter().any(|s| SECRET_VARIABLES.iter().any(|v| s.to_ascii_lowercase().contains(v))) {
                l |= Labels::CREDENTIAL;
            }
        }
        if c == "os.environ.copy" || c == "os.environ.items" {
            l |= Labels::ENVIRONMENT;
        }
    }
    for n in names {
        l |= name_static(n);
        // A decoder handed over as a value: `map(chr, ...)`, `map(base64.b64decode, ...)`.
        if n != "reversed" && matches(n, DECODERS) {
            l |= Labels::DECODED;
        }
        if matches(n, &["string.ascii_uppercase", "string.ascii_letters", "os.path.expanduser", "pathlib.Path.home"]) {
            l |= Labels::USER_DATA;
        }
    }
    for c in calls {
        if matches(c, &["os.path.expanduser", "pathlib.Path.home", "Path.home", "?.GetLogicalDrives", "os.listdrives"])
        {
            l |= Labels::USER_DATA;
        }
        if matches(
            c,
            &[
                "os.walk",
                "os.listdir",
                "os.scandir",
                "glob.glob",
                "glob.iglob",
                "?.rglob",
                "?.glob",
                "?.iterdir",
                "?.GetFiles",
                "?.EnumerateFiles",
            ],
        ) {
            l |= Labels::BULK;
        }
    }
    if strings.is_empty() {
        return Static { labels: l, scoped: false };
    }
    // One case-insensitive automaton pass per question instead of one
    // search per needle (this runs for every assignment of every file).
    let joined = strings.join("\u{1}");
    if strings.iter().any(|s| mentions_credentials(s)) || component(strings, CREDENTIAL_COMPONENTS) {
        l |= Labels::CREDENTIAL;
    }
    if STARTUP_AC.is_match(&joined) {
        let lower = joined.to_ascii_lowercase();
        if lower.contains("startup") && (lower.contains("start menu") || lower.contains("programs"))
            || lower.contains("shell:startup")
        {
            l |= Labels::STARTUP;
        }
    }
    if component(strings, USER_COMPONENTS) || strings.iter().any(|s| is_drive_root(s)) {
        l |= Labels::USER_DATA;
    }
    // Pieces of a command are often joined with "" later: look at them glued too.
    let glued = strings.concat();
    if HOSTILE_AC.is_match(&joined) || HOSTILE_AC.is_match(&glued) || {
        let g = glued.to_ascii_lowercase();
        g.contains("schtasks") && g.contains("/create")
    } {
        l |= Labels::HOSTILE;
    }
    if RUN_KEY_AC.is_match(&joined) {
        l |= Labels::RUN_KEY;
    }
    // `join(home, "Documents", "RevitBackups")`, `join(appdata, "MyAddin")`:
    // a named folder inside the user's files is an add-in's own, not them.
    let scoped = strings.iter().any(|s| is_specific_component(s));
    Static { labels: l, scoped }
}

/// Path components of credential stores, matched whole (`"leveldb"` in
/// `os.path.join(appdata, "discord", "Local Storage", "leveldb")`).
pub const CREDENTIAL_COMPONENTS: &[&str] = &[
    "leveldb",
    "login data",
    "cookies",
    "local state",
    "web data",
    ".ssh",
    ".aws",
    "id_rsa",
    "loginusers.vdf",
    "tdata",
];
/// Path components of the user's own files.
const USER_COMPONENTS: &[&str] = &["~", "documents", "desktop", "onedrive", "pictures", "downloads", "my documents"];

fn component(strings: &[String], list: &[&str]) -> bool {
    let is = |t: &str| list.iter().any(|c| t.eq_ignore_ascii_case(c));
    strings.iter().any(|s| {
        if s.len() > 260 {
            return false;
        }
        let t = s.trim_matches(|c| c == '/' || c == '\\');
        // The whole string, its last path component, or the one after `~`.
        let last = t.rsplit(['/', '\\']).next().unwrap_or(t);
        let after_home =
            t.strip_prefix("~/").or_else(|| t.strip_prefix("~\\")).map(|r| r.split(['/', '\\']).next().unwrap_or(r));
        is(t) || is(last) || after_home.is_some_and(is)
    })
}

fn is_specific_component(s: &str) -> bool {
    let t = s.trim().trim_matches(|c| c == '/' || c == '\\');
    if t.len() > 80 {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    !t.is_empty()
        && t.len() <= 80
        && !t.contains('\n')
        && !t.contains('%')
        && !t.contains('{')
        && !t.starts_with('.')
        && !t.starts_with('*')
        && !t.starts_with('~')
        && !USER_COMPONENTS.contains(&lower.as_str())
        && !["appdata", "localappdata", "userprofile", "homepath", "homedrive", "home", "programdata"]
            .contains(&lower.as_str())
        && !is_drive_root(s)
}

/// `C:\`, `%s:\`, `/`: the top of a drive.
fn is_drive_root(s: &str) -> bool {
    let t = s.trim();
    t == "/"
        || t == ":\\"
        || t == ":/"
        || t == "%s:\\"
        || t == "{}:\\"
        || (t.len() <= 3 && t.ends_with(":\\") && t.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
}

/// Registry paths whose values Windows runs at logon.
pub const RUN_KEY_PATHS: &[&str] =
    &["currentversion\\run", "currentversion/run", "currentversion\\winlogon", "image file execution options"];

/// Command-line fragments that only attack tooling needs.
pub const HOSTILE_FRAGMENTS: &[&str] = &[
    "-enc ",
    "-encodedcommand",
    "frombase64string",
    "iex(",
    "iex (",
    "| iex",
    "|iex",
    "invoke-expression",
    "downloadstring(",
    "downloadfile(",
    "start-process $env:temp",
    "certutil",
    "-urlcache",
    "| sh",
    "|sh",
    "| bash",
    "|bash",
    "bash -i",
    "/dev/tcp",
    "nc -e",
    "ncat ",
    "bitsadmin",
    "mshta",
    "rundll32",
    "regsvr32",
    "vssadmin delete",
    "wbadmin delete",
    "bcdedit",
    "cipher /w",
    "-windowstyle hidden",
    "-w hidden",
    "-executionpolicy bypass",
    "-ep bypass",
    "add-mppreference",
    "set-mppreference",
    "xmrig",
    "stratum+tcp",
    "chmod +x",
    "nohup ",
    "crontab",
    "attrib +h",
    "wscript.shell",
    "msxml2.xmlhttp",
    "winhttp.winhttprequest",
    "adodb.stream",
    "schtasks.exe /create",
    "register-scheduledtask",
];

pub fn arg_labels(a: &Arg, vars: &HashMap<String, Labels>) -> Labels {
    labels(&a.inner_calls, &a.names, &a.strings, vars)
}

/// Every assigned name's labels, to a fixed point (bounded: labels only grow).
pub fn variables(facts: &Facts) -> HashMap<String, Labels> {
    let statics: Vec<Static> = facts.assigns.iter().map(|a| static_labels(&a.calls, &a.names, &a.strings)).collect();
    let mut vars: HashMap<String, Labels> = HashMap::default();
    for _ in 0..8 {
        let mut changed = false;
        for (a, st) in facts.assigns.iter().zip(&statics) {
            let l = st.combine(from_vars(&a.calls, &a.names, &vars));
            if l.is_empty() {
                continue;
            }
            for t in &a.targets {
                let entry = vars.entry(t.clone()).or_default();
                if (*entry | l) != *entry {
                    *entry |= l;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    fn sink_labels(src: &str, sink: &str) -> Labels {
        let facts = parse(src);
        let vars = variables(&facts);
        let call = facts.calls.iter().find(|c| c.name == sink).unwrap_or_else(|| panic!("no {sink} call"));
        call.args.iter().fold(Labels::NONE, |l, a| l | arg_labels(a, &vars))
    }

    #[test]
    fn labels_follow_variables_functions_and_attributes() {
        let src = "import base64, urllib.request\n\
                   def fetch(u):\n    r = urllib.request.urlopen(u)\n    return r.read()\n\
                   blob = fetch('http://x')\ncode = base64.b64decode(blob)\nexec(code)\n";
        let l = sink_labels(src, "exec");
        assert!(l.has(Labels::DECODED) && l.has(Labels::FETCHED), "{l:?}");
    }

    #[test]
    fn one_environment_variable_is_not_the_environment() {
        let l = sink_labels(
            "import os, requests\nrequests.post('u', json={'user': os.environ['USERNAME']})\n",
            "requests.post",
        );
        assert!(l.is_empty(), "{l:?}");
        let l = sink_labels("import os, requests\nd = dict(os.environ)\nrequests.post('u', json=d)\n", "requests.post");
        assert!(l.has(Labels::ENVIRONMENT), "{l:?}");
        let l = sink_labels(
            "import os, requests\nt = os.getenv('GITHUB_TOKEN')\nrequests.post('u', data=t)\n",
            "requests.post",
        );
        assert!(l.has(Labels::CREDENTIAL), "{l:?}");
    }

    #[test]
    fn a_method_call_does_not_taint_every_attribute_of_self() {
        let src = "import os, requests\nclass C(object):\n    def run(self):\n        self.log(dict(os.environ))\n        requests.post(self.url, json={'ok': 1})\n";
        assert!(sink_labels(src, "requests.post").is_empty());
        let src = "import os, requests\nbuf = []\nbuf.append(dict(os.environ))\nrequests.post('u', json=buf)\n";
        assert!(sink_labels(src, "requests.post").has(Labels::ENVIRONMENT));
    }

    #[test]
    fn plain_text_decoding_is_not_a_decoder() {
        let l = sink_labels("data = open('x', 'rb').read().decode('utf-8')\nexec(data)\n", "exec");
        assert!(!l.has(Labels::DECODED), "{l:?}");
        let l = sink_labels("data = payload.decode('base64')\nexec(data)\n", "exec");
        assert!(l.has(Labels::DECODED), "{l:?}");
    }
}

#[cfg(test)]
mod debug {
    /// `SCAN_DEBUG=file.py cargo test -p revitpy-scan debug_file -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn debug_file() {
        let path = std::env::var("SCAN_DEBUG").unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let facts = crate::python::parse(&text);
        for a in &facts.assigns {
            println!("assign {:?} <- calls {:?} names {:?} strings {:?}", a.targets, a.calls, a.names, a.strings);
        }
        let vars = super::variables(&facts);
        println!("vars {vars:?}");
        for c in &facts.calls {
            println!("call {} {:?}", c.name, c.args.iter().map(|a| (&a.inner_calls, &a.names)).collect::<Vec<_>>());
        }
    }
}
