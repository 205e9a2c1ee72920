//! The package scanner: reads every entry of a package (never the ZIP: the
//! caller hands over the manifest facts and the entries) and reports
//! security findings, Revit API compatibility against the declared range,
//! a transparency report of what the package does, and its likely
//! performance impact, in the shape DESIGN.md fixes ("Scan results").
//!
//! How: each Python file is read by ruff's parser when it is clean Python 3
//! (`python_ruff`) and by tree-sitter otherwise (Python 2, broken or
//! absurdly nested files, [`python`]), into the same [`facts::Facts`];
//! [`flow`] follows values from sources to sinks inside a file; [`rules`]
//! turns facts and flows into findings ([`catalog`] lists every rule);
//! [`revit`] checks API members against the declared Revit range;
//! [`render`] prints text and SARIF. Files are scanned in parallel and
//! combined in their order, so a report is the same on every run.
//!
//! Resources: a file's constant folding takes from a [`fold::Budget`]
//! (sized before it is built, a finding when it runs out), Python files past
//! [`MAX_PARSE_BYTES`] are read only that far (a finding too), and [`Scan`]
//! takes a package's entries in batches, keeping only what each file
//! contributes to the report, so a caller need not hold the whole package.

/// Which scanner wrote a report: the crate's version and a hash of its
/// sources and data (see `build.rs`). Stored with every report the registry
/// keeps; a report with another id was written by another scanner.
pub const SCANNER_ID: &str = env!("REVITPY_SCANNER_ID");

pub mod catalog;
mod crossfile;
pub mod dotted;
mod explain;
pub mod facts;
pub mod flow;
pub mod fold;
mod hosts;
pub mod python;
mod python_ruff;
pub mod render;
pub mod report;
mod returns;
pub mod revit;
pub mod rules;
pub mod source;
mod tail;
mod timing;

use rayon::prelude::*;
use report::{Capabilities, CompatIssue, Finding, Impact, RiskLevel, ScanReport, Severity};
use rustc_hash::FxHashSet;
use std::borrow::Cow;

/// What the scanner needs to know of the manifest.
#[derive(Debug, Clone, Default)]
pub struct ManifestFacts {
    pub name: String,
    pub min_revit: Option<u16>,
    pub max_revit: Option<u16>,
    pub revit_dependencies: Vec<String>,
    pub declared_impact: String,
    /// Scripts the manifest runs at install or uninstall.
    pub hooks: Vec<String>,
}

/// One file of the package.
pub struct Entry<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

const EXECUTABLE: &[&str] = &["exe", "dll", "bat", "cmd", "ps1", "vbs", "scr", "so", "com", "msi", "js", "jar"];
/// Revit events an add-in can handle (Autodesk.Revit.ApplicationServices /
/// UI): registering for them is part of the package's cost.
const REVIT_EVENTS: &[&str] = &[
    "Idling",
    "DocumentChanged",
    "DocumentOpened",
    "DocumentOpening",
    "DocumentClosing",
    "DocumentClosed",
    "DocumentSaving",
    "DocumentSaved",
    "DocumentSynchronizingWithCentral",
    "DocumentSynchronizedWithCentral",
    "ViewActivated",
    "ViewActivating",
    "SelectionChanged",
    "ApplicationInitialized",
    "DialogBoxShowing",
    "FailuresProcessing",
    "DocumentPrinting",
    "FileExporting",
];
/// Events that fire constantly: a slow handler slows every moment of Revit.
const CONSTANT_EVENTS: &[&str] = &["Idling", "DocumentChanged", "SelectionChanged", "FailuresProcessing"];
const HEAVY_IMPORTS: &[&str] = &["numpy", "pandas", "scipy", "matplotlib", "tensorflow", "torch", "sklearn", "cv2"];

fn finding(
    rule: &'static str,
    severity: Severity,
    category: &'static str,
    file: &str,
    line: usize,
    message: String,
) -> Finding {
    Finding {
        rule,
        severity,
        category,
        file: file.to_owned(),
        line,
        column: 1,
        snippet: String::new(),
        message,
        because: Vec::new(),
    }
}

/// Scans a package: [`Scan`] fed every entry at once.
pub fn scan(manifest: &ManifestFacts, entries: &[Entry<'_>]) -> ScanReport {
    let mut s = Scan::new(manifest);
    s.add(entries);
    s.finish()
}

/// A scan fed a package's entries in batches (one entry, or a few bounded
/// by their bytes), so that a caller reading an archive never holds all of
/// it inflated: each batch is scanned in parallel and only what its files
/// contribute to the report is kept. The report is the same as [`scan`]'s
/// over the same entries in the same order, however they are batched.
pub struct Scan<'m> {
    manifest: &'m ManifestFacts,
    package: String,
    findings: Vec<Finding>,
    compatibility: Vec<CompatIssue>,
    caps: Capabilities,
    /// What each list of `caps` holds, so that an item is kept once without
    /// searching the list (a package may start thousands of processes).
    seen: [FxHashSet<String>; 4],
    heavy: Vec<String>,
    events: Vec<String>,
    import_loops: usize,
    import_calls: usize,
    files: usize,
    bytes: usize,
    /// Paths of the package's Python sources, and its compiled files with
    /// whether Python would run each without checking a source: a `.pyc`
    /// is judged once every entry is known (its source may come later).
    sources: FxHashSet<String>,
    compiled: Vec<(String, bool)>,
    /// Data flows between the package's files, joined at the end.
    join: crossfile::Join,
}

impl<'m> Scan<'m> {
    pub fn new(manifest: &'m ManifestFacts) -> Self {
        Scan {
            manifest,
            package: manifest.name.to_ascii_lowercase(),
            findings: Vec::new(),
            compatibility: Vec::new(),
            caps: Capabilities::default(),
            seen: Default::default(),
            heavy: Vec::new(),
            events: Vec::new(),
            import_loops: 0,
            import_calls: 0,
            files: 0,
            bytes: 0,
            sources: FxHashSet::default(),
            compiled: Vec::new(),
            join: crossfile::Join::default(),
        }
    }

    /// Scans a batch of entries (the next ones of the package, in order).
    pub fn add(&mut self, entries: &[Entry<'_>]) {
        self.files += entries.len();
        self.bytes += entries.iter().map(|e| e.bytes.len()).sum::<usize>();
        // Files are independent until their findings are combined: scan them
        // in parallel (in order, so that the report is the same every time).
        let parts: Vec<Part> = entries.par_iter().map(|e| scan_entry(self.manifest, &self.package, e)).collect();
        for (e, mut part) in entries.iter().zip(parts) {
            let lower = e.path.to_ascii_lowercase();
            if lower.ends_with(".py") || lower.ends_with(".pyw") {
                self.sources.insert(e.path.to_owned());
            }
            if let Some(unchecked) = part.compiled {
                self.compiled.push((e.path.to_owned(), unchecked));
            }
            let flows = std::mem::take(&mut part.flows);
            self.join.add(e.path, flows);
            self.combine(part);
        }
    }

    fn combine(&mut self, part: Part) {
        self.findings.extend(part.findings);
        self.compatibility.extend(part.compatibility);
        let [network, paths, processes, registry] = &mut self.seen;
        for (mine, seen, theirs) in [
            (&mut self.caps.network, network, part.caps.network),
            (&mut self.caps.paths_written, paths, part.caps.paths_written),
            (&mut self.caps.processes, processes, part.caps.processes),
            (&mut self.caps.registry_keys, registry, part.caps.registry_keys),
        ] {
            for item in theirs {
                if !seen.contains(&item) {
                    seen.insert(item.clone());
                    mine.push(item);
                }
            }
        }
        // A few names at most (the lists they come from are short).
        for h in part.heavy {
            if !self.heavy.contains(&h) {
                self.heavy.push(h);
            }
        }
        for e in part.events {
            if !self.events.contains(&e) {
                self.events.push(e);
            }
        }
        self.import_loops += part.import_loops;
        self.import_calls += part.import_calls;
    }

    /// The report: what the files contributed, the manifest's hooks, the
    /// package's performance impact.
    pub fn finish(self) -> ScanReport {
        let Scan {
            manifest,
            mut findings,
            compatibility,
            caps,
            heavy,
            events,
            import_loops,
            import_calls,
            files,
            bytes: total,
            sources,
            compiled,
            join,
            ..
        } = self;
        findings.extend(join.findings());
        join.upgrade(&mut findings);
        for (path, unchecked) in &compiled {
            findings.push(compiled_finding(path, *unchecked, &sources));
        }
        let mut reasons = Vec::new();
        for hook in &manifest.hooks {
            findings.push(finding(
                "install-hook",
                Severity::Info,
                "hooks",
                hook,
                1,
                "runs as an install or uninstall hook (only with --allow-hooks)".into(),
            ));
            // What the hook itself does, found above in its own file.
            let mut does: Vec<&str> = findings
                .iter()
                .filter(|f| f.file == *hook)
                .filter_map(|f| match f.category {
                    "process" => Some("starts processes"),
                    "network" => Some("uses the network"),
                    "dynamic-code" => Some("runs dynamic code"),
                    "registry" | "persistence" => Some("changes the registry or startup"),
                    _ => None,
                })
                .collect();
            does.sort_unstable();
            does.dedup();
            if !does.is_empty() {
                findings.push(finding(
                    "hook-runs-code",
                    Severity::Medium,
                    "hooks",
                    hook,
                    1,
                    format!("this install or uninstall hook {}", does.join(", ")),
                ));
            }
        }

        // Handlers on events that fire constantly cost Revit on every idle moment
        // or model change; startup and document events cost once per occurrence.
        let constant_events: Vec<&str> =
            events.iter().map(String::as_str).filter(|e| CONSTANT_EVENTS.contains(e)).collect();
        let computed = if !heavy.is_empty() || total > 50 * 1024 * 1024 || !constant_events.is_empty() {
            "high"
        } else if total > 5 * 1024 * 1024
            || files > 500
            || !events.is_empty()
            || import_loops > 0
            || import_calls > 20
            || !manifest.hooks.is_empty()
        {
            "medium"
        } else {
            "low"
        };
        if !heavy.is_empty() {
            reasons.push(format!("imports heavy libraries: {}", heavy.join(", ")));
        }
        if !constant_events.is_empty() {
            reasons.push(format!("handles events that fire constantly: {}", constant_events.join(", ")));
        }
        let other_events: Vec<&str> =
            events.iter().map(String::as_str).filter(|e| !CONSTANT_EVENTS.contains(e)).collect();
        if !other_events.is_empty() {
            reasons.push(format!("registers Revit event handlers: {}", other_events.join(", ")));
        }
        if import_loops > 0 || import_calls > 0 {
            reasons.push(format!("work at import time (Revit startup): {import_calls} calls, {import_loops} loops"));
        }
        if !manifest.hooks.is_empty() {
            reasons.push(format!("{} install or uninstall hook(s)", manifest.hooks.len()));
        }
        reasons.push(format!("{files} files, {total} bytes"));
        let rank = |s: &str| match s {
            "high" => 2,
            "medium" => 1,
            _ => 0,
        };
        if rank(computed) > rank(&manifest.declared_impact) {
            findings.push(finding(
                "impact-understated",
                Severity::Low,
                "performance",
                "rpyx-manifest.json",
                1,
                format!(
                    "the manifest declares performance_impact `{}` but the package looks `{computed}`",
                    manifest.declared_impact
                ),
            ));
        }
        findings
            .sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.file.cmp(&b.file)).then(a.line.cmp(&b.line)));
        let risk_level = RiskLevel::from_worst(findings.iter().map(|f| f.severity).max());
        ScanReport {
            risk_level,
            findings,
            compatibility,
            capabilities: caps,
            impact: Impact { computed, declared: manifest.declared_impact.clone(), reasons },
        }
    }
}

/// What one file contributes to the report.
#[derive(Default)]
struct Part {
    findings: Vec<Finding>,
    compatibility: Vec<report::CompatIssue>,
    caps: Capabilities,
    heavy: Vec<String>,
    events: Vec<String>,
    import_loops: usize,
    import_calls: usize,
    /// `fold-budget-exceeded` was reported (once per file, payloads included).
    fold_reported: bool,
    /// The file runs when the package is installed (setup.py, a `.pth`
    /// file, a manifest hook), and so does every payload decoded from it.
    install_time: bool,
    /// The file is compiled Python; `true` when its header tells Python to
    /// run it without checking any source (PEP 552 unchecked hash).
    compiled: Option<bool>,
    /// What the file's functions return and what its sinks receive from
    /// other modules, for the package-wide join.
    flows: crossfile::FileFlows,
}

/// Python files larger than this are read only up to it (at a line end):
/// a finding says the rest was not analysed. Four times the largest file of
/// the Python standard library (`pydoc_data/topics.py`, 0.76 MB); an add-in
/// with more code in one file is generated or padded, and padding a file
/// must not be a way past the scanner. Parsing is linear in what is read,
/// so this bounds each file's parse, facts and rules.
pub const MAX_PARSE_BYTES: usize = 4 * 1024 * 1024;

/// The part of `text` that is parsed: all of it, or its first
/// [`MAX_PARSE_BYTES`] cut after the last whole line; nothing when that
/// first part holds no line end. A line cut in the middle would be parsed
/// as something it is not: a one-line base64 table (janome's 6 MB
/// dictionary) cut inside its string reads as thousands of `+` and `/`
/// operators nested in one another, "obfuscation". The unread part is
/// judged as a whole by [`tail`].
fn parsed_part(text: &str) -> &str {
    if text.len() <= MAX_PARSE_BYTES {
        return text;
    }
    let head = &text.as_bytes()[..MAX_PARSE_BYTES];
    // A line end is a character boundary.
    memchr::memrchr(b'\n', head).map_or("", |i| &text[..=i])
}

/// Whether a compiled file's header (PEP 552) says it is hash-based and
/// unchecked: Python then runs it even when a different source sits beside
/// it. Timestamp and checked-hash files are re-validated against their
/// source, and installs write files with the time of the install, so Python
/// recompiles those from the source. The flags exist from Python 3.7
/// (magic number 3390) on; before that (and in every Python 2 file, magic
/// 20121 to 62211) the same four bytes are the source's modification time,
/// whose bits say nothing.
fn unchecked_pyc(bytes: &[u8]) -> bool {
    let Some(header) = bytes.get(..8) else { return false };
    let magic = u16::from_le_bytes([header[0], header[1]]);
    if &header[2..4] != b"\r\n" || !(3390..10_000).contains(&magic) {
        return false;
    }
    let flags = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    flags & 0b01 != 0 && flags & 0b10 == 0
}

/// The source a compiled file was built from, where Python looks for it:
/// `pkg/__pycache__/mod.cpython-311.pyc` -> `pkg/mod.py`, `pkg/mod.pyc` ->
/// `pkg/mod.py`.
fn source_of(path: &str) -> String {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = name.split('.').next().unwrap_or(name);
    let dir = match dir.rsplit_once('/') {
        Some((parent, "__pycache__")) => parent,
        None if dir == "__pycache__" => "",
        _ => dir,
    };
    if dir.is_empty() { format!("{stem}.py") } else { format!("{dir}/{stem}.py") }
}

/// A compiled file hides code when nothing shows what it was built from, or
/// when Python would run it in place of the source beside it. Build output
/// left beside its source (a `__pycache__` folder committed with the code)
/// hides nothing: Python recompiles from the source.
fn compiled_finding(path: &str, unchecked: bool, sources: &FxHashSet<String>) -> Finding {
    let source = source_of(path);
    // PEP 3147: import runs a file in `__pycache__` only for its source, and
    // never when the source is missing; a file in the legacy place
    // (`mod.pyc` beside where `mod.py` would be) is imported without one.
    let cached = path.contains("__pycache__/");
    let (severity, message, because) = if !sources.contains(&source) && cached {
        (
            Severity::Medium,
            format!("compiled Python without its source `{source}`; import never runs it, other code could load it"),
            Vec::new(),
        )
    } else if !sources.contains(&source) {
        (
            Severity::High,
            "compiled Python hides its source; ship the .py".to_owned(),
            vec![format!("what: no `{source}` in the package shows what this file runs, and import runs it")],
        )
    } else if unchecked && cached {
        // Only the `__pycache__` file stands in for its source: a legacy
        // `mod.pyc` beside `mod.py` is never imported by Python 3 (the
        // source wins), and Python 2 recompiles it unless its recorded time
        // is the source's.
        (
            Severity::High,
            format!("compiled Python that Python runs in place of `{source}` without checking it"),
            vec![
                format!("what: `{source}` is in the package, but this file's header says unchecked-hash (PEP 552)"),
                "so: Python runs this file, not the source a reader sees".to_owned(),
            ],
        )
    } else {
        (
            Severity::Low,
            format!("build output beside its source `{source}`: Python recompiles from the source; leave it out"),
            Vec::new(),
        )
    };
    Finding { because, ..finding("compiled-python", severity, "package-shape", path, 1, message) }
}

/// Gives the last finding its chain (one fact), for the rules decided here
/// rather than in [`rules`].
fn explain_last(findings: &mut [Finding], fact: &str) {
    if let Some(f) = findings.last_mut() {
        f.because = vec![fact.to_owned()];
    }
}

/// A script with no extension that Python runs (`#!/usr/bin/env python`):
/// what `setup(scripts=[...])` installs as a command on the user's PATH.
fn is_python_script(name: &str, bytes: &[u8]) -> bool {
    !name.contains('.') && bytes.starts_with(b"#!") && {
        let first = &bytes[..bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len()).min(128)];
        first.windows(6).any(|w| w == b"python")
    }
}

/// The Python a `.pth` file holds: `site` runs each line that starts with
/// `import ` or `import\t` at every start of the interpreter (a path line
/// only extends `sys.path`). The other lines are blanked, so that line
/// numbers stay the file's and nothing but code is parsed.
fn pth_code(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with("import ") || line.starts_with("import\t") {
            code.push_str(line);
            if !line.ends_with('\n') {
                code.push('\n');
            }
        } else {
            code.push('\n');
        }
    }
    code
}

/// Removes repeats from a list, keeping first occurrences in order.
fn dedup_in_order(list: &mut Vec<String>) {
    let mut seen = FxHashSet::default();
    list.retain(|x| seen.insert(x.clone()));
}

fn scan_entry(manifest: &ManifestFacts, package: &str, e: &Entry<'_>) -> Part {
    let mut part = Part {
        install_time: rules::is_install_time(e.path) || manifest.hooks.iter().any(|h| h == e.path),
        ..Part::default()
    };
    let lower = e.path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, x)| x);
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if ext == "pyc" || ext == "pyo" {
        part.compiled = Some(unchecked_pyc(e.bytes));
        return part;
    }
    if EXECUTABLE.contains(&ext) {
        part.findings.push(finding(
            "executable-file",
            Severity::Medium,
            "package-shape",
            e.path,
            1,
            format!("the package ships a .{ext} file"),
        ));
        return part;
    }
    if name.starts_with('.') && name != ".gitkeep" {
        part.findings.push(finding("hidden-file", Severity::Low, "package-shape", e.path, 1, "a hidden file".into()));
    }
    // Python reads `.pth` files only in a site folder, that is at the top
    // of what is installed; one deeper (PyTorch's weights) is data.
    let start_up = ext == "pth" && !e.path.contains('/') && std::str::from_utf8(e.bytes).is_ok();
    if ext != "py" && ext != "pyw" && !start_up && !is_python_script(name, e.bytes) {
        return part;
    }
    let mut decoded = source::decode(e.bytes);
    if start_up {
        decoded.text = Cow::Owned(pth_code(&decoded.text));
    }
    if decoded.hiding_encoding {
        part.findings.push(finding(
            "hiding-encoding",
            Severity::High,
            "obfuscation",
            e.path,
            1,
            format!(
                "declares the `{}` encoding, which only serves to hide code",
                decoded.declared.clone().unwrap_or_default()
            ),
        ));
        explain_last(
            &mut part.findings,
            "how it hides: Python decodes the file through this codec before running it, so the text a reader \
             sees is not the code that runs",
        );
    } else if decoded.unknown_encoding {
        part.findings.push(finding(
            "unknown-encoding",
            Severity::Medium,
            "obfuscation",
            e.path,
            1,
            "declares an encoding Python would not know".into(),
        ));
    }
    if decoded.lossy {
        part.findings.push(finding(
            "undecodable-bytes",
            Severity::Medium,
            "obfuscation",
            e.path,
            1,
            "bytes that do not decode in the declared encoding".into(),
        ));
    }
    let text = parsed_part(&decoded.text);
    if text.len() < decoded.text.len() {
        // A generated data module goes on with literals only: nothing past
        // the cut runs, so not parsing it hides nothing (medium: still a
        // file no one reads whole).
        let data = tail::holds_only_data(&decoded.text, text.len());
        // Generated code that goes on defining methods with none of the
        // names a payload needs, and runs nothing while loading: not
        // parsing it hides no act of its own either.
        let definitions = !data && tail::holds_only_definitions(&decoded.text, text.len());
        part.findings.push(finding(
            "file-too-large",
            if data || definitions { Severity::Medium } else { Severity::High },
            "package-shape",
            e.path,
            facts::line_of(&decoded.text, text.len()),
            format!(
                "{} bytes of Python in one file, past the {} MiB the scanner reads: only the first {} bytes \
                 were analysed{}",
                decoded.text.len(),
                MAX_PARSE_BYTES >> 20,
                text.len(),
                if data {
                    "; the rest holds only literal data"
                } else if definitions {
                    "; the rest only defines functions and classes, runs nothing while loading and names nothing \
                     a payload needs"
                } else {
                    ", from here on nothing was"
                }
            ),
        ));
        explain_last(
            &mut part.findings,
            &format!("not read: bytes {} to {} of the file, where anything could be", text.len(), decoded.text.len()),
        );
    }
    // One budget for the file and every payload decoded from it.
    let budget = fold::Budget::new();
    scan_python(manifest, package, e.path, text, 0, &budget, &mut part);
    // Each file's lists once (rules add an item per call).
    for list in
        [&mut part.caps.network, &mut part.caps.paths_written, &mut part.caps.processes, &mut part.caps.registry_keys]
    {
        dedup_in_order(list);
    }
    part
}

/// Most decoded payloads a file may have scanned, how deep decoding may nest,
/// and the largest payload read.
const MAX_PAYLOADS: usize = 16;
const MAX_PAYLOAD_DEPTH: usize = 3;
const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;

/// Scans one file's Python text (or, at `depth` > 0, a payload decoded from
/// constants in it) into `part`.
fn scan_python(
    manifest: &ManifestFacts,
    package: &str,
    path: &str,
    text: &str,
    depth: usize,
    budget: &fold::Budget,
    part: &mut Part,
) {
    let facts = python::parse_within(text, budget);
    if let Some(line) = facts.too_deep {
        // Generated arithmetic naming nothing a payload needs hides nothing
        // by not being read (medium); anything else that deep, or a decoded
        // payload, stays high.
        let inert = depth == 0 && tail::deep_but_inert(text);
        part.findings.push(finding(
            "excessive-nesting",
            if inert { Severity::Medium } else { Severity::High },
            "obfuscation",
            path,
            line,
            format!(
                "nests deeper than {} levels, which only generated or obfuscated code does; not analysed further{}",
                facts::MAX_DEPTH,
                if inert { " (it names nothing a payload needs and holds little text: generated data)" } else { "" }
            ),
        ));
        explain_last(
            &mut part.findings,
            &format!("not read: everything past line {line}, where nesting passes {} levels", facts::MAX_DEPTH),
        );
        return;
    }
    if let Some(line) = facts.errors.first() {
        part.findings.push(finding(
            "does-not-parse",
            Severity::Medium,
            "package-shape",
            path,
            *line,
            "the file does not parse; what could be read was scanned".into(),
        ));
    }
    if let Some(line) = facts.fold_refused
        && !part.fold_reported
    {
        part.fold_reported = true;
        part.findings.push(finding(
            "fold-budget-exceeded",
            Severity::High,
            "obfuscation",
            path,
            line,
            format!(
                "constant strings here build more than the scanner folds ({} MiB for one string, {} MiB for a file, \
                 or as much re-folding): folding stopped, so what they spell was not analysed",
                fold::MAX_RESULT >> 20,
                fold::FILE_BYTES >> 20
            ),
        ));
        explain_last(
            &mut part.findings,
            &format!("not read: what the constants from line {line} on spell, past the folding budget"),
        );
    }
    part.findings.extend(rules::check_python(
        path,
        text,
        &facts,
        package,
        part.install_time,
        &mut part.caps,
        &mut part.flows,
    ));
    part.compatibility.extend(revit::check(path, &facts, manifest.min_revit, manifest.max_revit));
    // `app.Idling += handler`, `app.add_DocumentChanged(handler)`.
    for a in &facts.assigns {
        for t in &a.targets {
            let last = dotted::last_segment(t);
            if t.contains('.') && REVIT_EVENTS.contains(&last) && !part.events.iter().any(|e| e == last) {
                part.events.push(last.to_owned());
            }
        }
    }
    for c in &facts.calls {
        if let Some(event) = dotted::last_segment(&c.name).strip_prefix("add_")
            && REVIT_EVENTS.contains(&event)
            && !part.events.iter().any(|e| e == event)
        {
            part.events.push(event.to_owned());
        }
    }
    // Definitions and imports are cheap; loops and calls at the top level
    // run while Revit starts.
    for (what, _) in &facts.import_time {
        if what == "loop" {
            part.import_loops += 1;
        } else {
            part.import_calls += 1;
        }
    }
    for (module, line) in &facts.imports {
        let top = module.split('.').next().unwrap_or(module);
        if HEAVY_IMPORTS.contains(&top) && !part.heavy.contains(&top.to_owned()) {
            part.heavy.push(top.to_owned());
        }
        if module.starts_with("Autodesk.Revit")
            && !manifest.revit_dependencies.is_empty()
            && !manifest.revit_dependencies.iter().any(|d| module.starts_with(d.as_str()))
        {
            part.findings.push(finding(
                "undeclared-revit-namespace",
                Severity::Info,
                "manifest",
                path,
                *line,
                format!("imports {module}, which revit_dependencies does not list"),
            ));
        }
    }
    // Constants that decode to Python (`exec(b64decode("..."))`) are read
    // too, so that what the hidden code does shows in the report.
    if depth < MAX_PAYLOAD_DEPTH {
        let before = part.findings.len();
        // A base64 constant kept in a variable and decoded where it is used
        // (`CODE = b64decode(CODE_B64.encode())`, how versioneer carries its
        // own source): decoded here, within the file's budget. The first
        // few such calls only: each looks the variable up once.
        let held: Vec<(String, usize)> = facts
            .calls
            .iter()
            .filter(|c| {
                matches!(
                    c.name.as_str(),
                    "base64.b64decode" | "base64.standard_b64decode" | "base64.decodebytes" | "base64.decodestring"
                ) && c.args.first().is_some_and(|a| a.literal.is_none() && a.names.len() == 1)
            })
            .take(MAX_PAYLOADS)
            .filter_map(|c| {
                let name = &c.args.first()?.names[0];
                let constant = rules::string_constant(&facts, name.strip_suffix(".encode").unwrap_or(name))
                    .filter(|s| s.len() <= 2 * MAX_PAYLOAD_BYTES)?;
                fold::from_base64(budget, &constant, 0).map(|t| (t, c.line))
            })
            .collect();
        // Each distinct payload once: decoding is bounded by what the file
        // holds. A constant that is neither code nor text (what a cipher
        // the fold does not run would turn into code), past the size read,
        // or past the count, leaves something unread.
        let mut seen = std::collections::HashSet::new();
        let mut unread = facts.fold_refused.is_some();
        let mut payloads = Vec::new();
        for (t, line) in facts.assembled.iter().chain(&held).filter(|(t, _)| t.len() >= 16 && seen.insert(t.as_str())) {
            if payloads.len() == MAX_PAYLOADS {
                unread = true;
                break;
            }
            if t.len() <= MAX_PAYLOAD_BYTES && looks_like_code(t) {
                payloads.push((t, *line));
            } else if t.len() > MAX_PAYLOAD_BYTES || t.chars().any(|c| c.is_control() && !c.is_ascii_whitespace()) {
                unread = true;
            }
        }
        let read = payloads.len();
        for (payload, line) in payloads {
            let inner = format!("{path}:{line} (decoded)");
            scan_python(manifest, package, &inner, payload, depth + 1, budget, part);
        }
        // Code handed to another interpreter (`python -c CODE`) is read the same way.
        let inline: Vec<(String, usize)> = rules::inline_python(&facts)
            .filter(|(t, _)| t.len() >= 16 && t.len() <= MAX_PAYLOAD_BYTES && looks_like_code(t))
            .take(MAX_PAYLOADS - read)
            .collect();
        for (code, line) in &inline {
            let inner = format!("{path}:{line} (python -c)");
            scan_python(manifest, package, &inner, code, depth + 1, budget, part);
        }
        if read > 0 && !unread {
            read_payloads_hide_nothing(&mut part.findings, path, before);
        }
    }
}

/// Code a file carries encoded and runs (`exec(b64decode(...))`) is
/// critical because what it does is hidden. When every constant the file
/// decodes was read as code or text, and nothing in the decoded code is
/// above medium (versioneer runs its own encoded source at import), the
/// scanner has seen what runs: the hiding stays, for a reviewer (high); the
/// level no longer stands for a threat nobody could read.
fn read_payloads_hide_nothing(findings: &mut [Finding], path: &str, before: usize) {
    if findings[before..].iter().any(|f| f.severity >= Severity::High) {
        return;
    }
    for f in &mut findings[..before] {
        if f.rule == "exec-decoded" && f.severity == Severity::Critical && f.file == path {
            f.severity = Severity::High;
            f.because.push(
                "read: every constant the file decodes was read, and nothing in the decoded code is above medium"
                    .to_owned(),
            );
        }
    }
}

/// A decoded constant worth reading as Python: several words and a call or
/// an import, and no syntax error.
fn looks_like_code(text: &str) -> bool {
    (text.contains("import ") || text.contains('('))
        && text.contains(char::is_whitespace)
        && python::parses_cleanly(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated table on one line, past the parse limit, is judged by
    /// what the line holds, not parsed from a cut inside it (base64 cut
    /// mid-string read as operators nested past any real code's depth).
    /// Code on such a line stays high, unread.
    #[test]
    fn one_line_past_the_parse_limit_is_not_cut_in_the_middle() {
        let table = format!("DATA=\"{}\"\n", "AOXK+vEA/AAObSe".repeat(MAX_PARSE_BYTES / 15 + 100));
        let report = scan(&ManifestFacts::default(), &[Entry { path: "sysdic/fst_data0.py", bytes: table.as_bytes() }]);
        assert!(!report.findings.iter().any(|f| f.rule == "excessive-nesting"), "{:#?}", report.findings);
        let big = report.findings.iter().find(|f| f.rule == "file-too-large").expect("reported");
        assert_eq!((big.severity, big.line), (Severity::Medium, 1), "{}", big.message);
        let code = format!(
            "import base64;exec(base64.b64decode({:?}))\n",
            "AOXK+vEA/AAObSe".repeat(MAX_PARSE_BYTES / 15 + 100)
        );
        let report = scan(&ManifestFacts::default(), &[Entry { path: "pkg/__init__.py", bytes: code.as_bytes() }]);
        assert!(report.risk_level >= RiskLevel::High, "{:#?}", report.findings);
    }

    #[test]
    fn a_file_past_the_parse_limit_is_read_to_there_and_reported() {
        let mut src = "import os\nos.system('x')\n".repeat(MAX_PARSE_BYTES / 25 + 10);
        src.push_str("eval(payload)\n");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "big.py", bytes: src.as_bytes() }]);
        let big = report.findings.iter().find(|f| f.rule == "file-too-large").expect("reported");
        assert_eq!(big.severity, Severity::High);
        // The first line not read: everything before it was (and is reported).
        let cut = parsed_part(&src).len();
        assert!(cut <= MAX_PARSE_BYTES && src[..cut].ends_with('\n'));
        assert_eq!(big.line, src[..cut].matches('\n').count() + 1);
        assert!(report.findings.iter().any(|f| f.rule == "process-shell" || f.rule == "process"));
        assert!(!report.findings.iter().any(|f| f.rule.starts_with("exec")), "the tail was not read");
        assert!(report.risk_level >= RiskLevel::High);
    }

    /// A generated data module past the limit (a table of literals) hides
    /// nothing in its unread part: medium. The same size with code in the
    /// unread part stays high.
    #[test]
    fn a_data_module_past_the_parse_limit_is_medium() {
        let row = "    'arn:aws:iam::aws:policy/Example': {'Version': '2012-10-17', 'Actions': ['s3:Get*'], 'Default': True},\n";
        let mut src = String::from("POLICIES = {\n");
        src.push_str(&row.repeat(MAX_PARSE_BYTES / row.len() + 100));
        src.push_str("}\n");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "policies.py", bytes: src.as_bytes() }]);
        let big = report.findings.iter().find(|f| f.rule == "file-too-large").expect("reported");
        assert_eq!(big.severity, Severity::Medium, "{}", big.message);
        let hidden = format!("{src}__import__('os').system('x')\n");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "policies.py", bytes: hidden.as_bytes() }]);
        let big = report.findings.iter().find(|f| f.rule == "file-too-large").expect("reported");
        assert_eq!(big.severity, Severity::High);
    }

    /// Generated operations past the limit (a class's methods, decorated,
    /// with docstrings) run nothing while loading: medium. A method there
    /// that names what a payload needs, or a call while loading, stays high.
    #[test]
    fn generated_definitions_past_the_parse_limit_are_medium() {
        let method = "    @distributed_trace\n    def get_item(self, name: str, **kwargs) -> dict:\n        \
                      \"\"\"Gets one item.\"\"\"\n        request = build_request(name=name)\n        \
                      return self._client.send(request, **kwargs)\n\n";
        let mut src = String::from("from core import distributed_trace, build_request\n\nclass Operations:\n");
        src.push_str(&method.repeat(MAX_PARSE_BYTES / method.len() + 100));
        let level = |src: &str| {
            let report = scan(&ManifestFacts::default(), &[Entry { path: "ops.py", bytes: src.as_bytes() }]);
            report.findings.iter().find(|f| f.rule == "file-too-large").expect("reported").severity
        };
        assert_eq!(level(&src), Severity::Medium);
        let risky = format!("{src}    def run(self, code):\n        exec(code)\n");
        assert_eq!(level(&risky), Severity::High);
        let loading = format!("{src}setup_logging()\n");
        assert_eq!(level(&loading), Severity::High);
    }

    #[test]
    fn a_fold_past_the_budget_is_one_finding_per_file() {
        // Each level's separator is the level below: 75 times larger per level.
        let mut e = String::from("'ab'");
        for _ in 0..5 {
            e = format!("({e}).join([{}])", vec!["'a'"; 75].join(","));
        }
        let src = format!("x = {e}\ny = {e}\n");
        let report = scan(&ManifestFacts::default(), &[Entry { path: "bomb.py", bytes: src.as_bytes() }]);
        let refused: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == "fold-budget-exceeded").collect();
        assert_eq!(refused.len(), 1, "{:#?}", report.findings);
        assert_eq!((refused[0].line, refused[0].severity), (1, Severity::High));
    }
}
