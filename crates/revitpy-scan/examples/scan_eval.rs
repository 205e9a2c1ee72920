//! Scores the scanner on real code (issue 19): the units listed in
//! `scripts/scan-eval/sources/*.csv` (PyPI wheels, public Revit add-in
//! repositories, published malicious packages), read from a corpus folder
//! kept outside the repository. Writes one CSV row per unit and prints, per
//! split (tune, measure, all) and per category, the recall and the
//! false-positive rate at the blocking level (high or critical).
//!
//! It only measures: the scanner is called as `revitpy-check` calls it
//! ([`Scan`] fed the unit's files in batches) with neutral manifest facts.
//!
//! Every input is hostile: files are read into memory only (wheels are read
//! with the zip crate, nothing is extracted to disk), symbolic links are
//! never followed, a file past [`MAX_FILE_BYTES`] is skipped (and counted), a
//! unit stops at [`MAX_UNIT_FILES`] files or [`MAX_UNIT_BYTES`] read (and is
//! marked `truncated`).
//!
//! Run: `scripts/scan-eval/run CORPUS_DIR` (see scripts/scan-eval/README.md), or
//! `cargo run --release -p revitpy-scan --example scan_eval -- --corpus DIR --out FILE
//! [--sources DIR] [--only tune|measure]`.
//! Exit status: 0 when every listed unit was scanned, 1 when a unit was missing
//! or could not be read (the results and the summary are written all the same),
//! 2 for a usage or source-list error.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use revitpy_scan::report::{RiskLevel, ScanReport};
use revitpy_scan::{Entry, ManifestFacts, Scan};
use sha2::{Digest, Sha256};

/// A file (or wheel member) larger than this is skipped, not read.
const MAX_FILE_BYTES: u64 = 8 << 20;
/// A unit stops after this many files...
const MAX_UNIT_FILES: usize = 50_000;
/// ...or this many bytes read (for a wheel: the wheel, then what it inflates to).
const MAX_UNIT_BYTES: u64 = 512 << 20;
/// Directories a repository unit may have before its walk stops.
const MAX_UNIT_DIRS: usize = 50_000;
/// Bytes handed to the scanner at once (as `revitpy-check` batches a package).
const BATCH_BYTES: usize = 32 << 20;

const SPLITS: [&str; 2] = ["tune", "measure"];
const USAGE: &str = "usage: scan_eval --corpus DIR --out FILE [--sources DIR] [--only tune|measure] [--explain ID]\n\
     --explain ID: scan only that unit (a tune unit) and print its findings at medium and above (file, line, rule,\n\
     message); the results file is not written";

fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("scan_eval: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let rows = match read_sources(&args.sources) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("scan_eval: {e}");
            std::process::exit(2);
        }
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| args.only.as_deref().is_none_or(|s| r.split == s))
        .filter(|r| args.explain.as_deref().is_none_or(|id| r.id == id))
        .collect();
    if let Some(id) = &args.explain
        && rows.is_empty()
    {
        eprintln!("scan_eval: no listed unit has the id `{id}`");
        std::process::exit(2);
    }
    // Reading why a measure unit is flagged is tuning on it.
    if args.explain.is_some()
        && let Some(row) = rows.iter().find(|r| r.split != "tune")
    {
        eprintln!("scan_eval: `{}` is in the `{}` split; --explain reads tune units only", row.id, row.split);
        std::process::exit(2);
    }

    let started = Instant::now();
    let mut results = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let r = evaluate(&args.corpus, row, args.explain.is_some());
        eprintln!(
            "[{:>3}/{}] {:<60} {}",
            i + 1,
            rows.len(),
            row.id,
            match &r.verdict {
                Some(v) =>
                    format!("{}{}", v.risk, if r.status == "ok" { String::new() } else { format!(" ({})", r.status) }),
                None => format!("{}: {}", r.status, r.note),
            }
        );
        results.push(r);
    }
    let wall = started.elapsed();

    // One unit explained leaves the results of the last full run alone.
    if args.explain.is_none()
        && let Err(e) = write_results(&args.out, &rows, &results)
    {
        eprintln!("scan_eval: writing {}: {e}", args.out.display());
        std::process::exit(2);
    }
    print!("{}", summary(&rows, &results, args.only.as_deref()));
    if args.explain.is_none() {
        println!(
            "wall time {:.1} s (reading and scanning); per-unit results in {}",
            wall.as_secs_f64(),
            args.out.display()
        );
    }

    let failed: Vec<(&Row, &Outcome)> = rows.iter().zip(&results).filter(|(_, r)| r.verdict.is_none()).collect();
    if !failed.is_empty() {
        eprintln!("scan_eval: {} unit(s) not scanned:", failed.len());
        for (row, r) in failed {
            eprintln!("  {} {}: {}", row.id, r.status, r.note);
        }
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------
// Arguments and source lists

struct Args {
    sources: PathBuf,
    corpus: PathBuf,
    out: PathBuf,
    only: Option<String>,
    explain: Option<String>,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut sources = PathBuf::from("scripts/scan-eval/sources");
        let (mut corpus, mut out, mut only, mut explain) = (None, None, None, None);
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--sources" => sources = PathBuf::from(value),
                "--corpus" => corpus = Some(PathBuf::from(value)),
                "--out" => out = Some(PathBuf::from(value)),
                "--only" if SPLITS.contains(&value.as_str()) => only = Some(value),
                "--only" => return Err(format!("--only takes tune or measure, not `{value}`")),
                "--explain" => explain = Some(value),
                _ => return Err(format!("unknown argument `{flag}`")),
            }
        }
        Ok(Args {
            sources,
            corpus: corpus.ok_or("--corpus is required")?,
            out: out.ok_or("--out is required")?,
            only,
            explain,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Category {
    Pypi,
    Revit,
    Malicious,
}

impl Category {
    const ALL: [Category; 3] = [Category::Pypi, Category::Revit, Category::Malicious];

    fn as_str(self) -> &'static str {
        match self {
            Category::Pypi => "pypi",
            Category::Revit => "revit",
            Category::Malicious => "malicious",
        }
    }

    fn malicious(self) -> bool {
        self == Category::Malicious
    }
}

/// One line of a source list: one unit.
struct Row {
    category: Category,
    id: String,
    source: String,
    name: String,
    version: String,
    sha256: String,
    split: String,
}

const HEADER: &str = "id,source,name,version_or_commit,sha256,split";

/// Reads the three lists (plain comma-separated values, no quoting: the
/// fields are ids, names, versions and hashes). The split of each row is
/// checked against its rule (the first byte of `sha256(id)` below 0x55 is
/// `measure`), so that a list edited by hand cannot move a unit silently.
fn read_sources(dir: &Path) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::new();
    for (file, category) in [
        ("benign-pypi.csv", Category::Pypi),
        ("benign-revit.csv", Category::Revit),
        ("malicious.csv", Category::Malicious),
    ] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.trim_end() == HEADER => {}
            _ => return Err(format!("{}: the first line must be `{HEADER}`", path.display())),
        }
        for (n, line) in lines {
            let at = || format!("{}:{}", path.display(), n + 1);
            if line.trim().is_empty() {
                continue;
            }
            if line.contains('"') {
                return Err(format!("{}: quoted fields are not supported", at()));
            }
            let f: Vec<&str> = line.trim_end().split(',').map(str::trim).collect();
            let [id, source, name, version, sha256, split] = f[..] else {
                return Err(format!("{}: {} fields, expected 6", at(), f.len()));
            };
            if id.is_empty() || name.is_empty() || version.is_empty() {
                return Err(format!("{}: empty id, name or version", at()));
            }
            let rule = if Sha256::digest(id.as_bytes())[0] < 0x55 { "measure" } else { "tune" };
            if split != rule {
                return Err(format!("{}: {id} is in split `{split}`, but its id puts it in `{rule}`", at()));
            }
            if rows.iter().any(|r| r.id == id) {
                return Err(format!("{}: {id} is listed twice", at()));
            }
            rows.push(Row {
                category,
                id: id.into(),
                source: source.into(),
                name: name.into(),
                version: version.into(),
                sha256: sha256.to_ascii_lowercase(),
                split: split.into(),
            });
        }
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------
// One unit

/// The scanner's verdict on a unit.
struct Verdict {
    risk: RiskLevel,
    /// Rule ids of the findings at the report's worst severity, sorted, once each.
    top_rules: Vec<&'static str>,
}

struct Outcome {
    /// `ok`, `truncated` (a unit limit was reached: what was read is scanned),
    /// `missing` (no such unit in the corpus) or `error` (found, not readable).
    status: &'static str,
    note: String,
    files: usize,
    skipped: usize,
    bytes: u64,
    scan_time: Duration,
    verdict: Option<Verdict>,
}

impl Outcome {
    fn failed(status: &'static str, note: String) -> Outcome {
        Outcome { status, note, files: 0, skipped: 0, bytes: 0, scan_time: Duration::ZERO, verdict: None }
    }
}

/// Finds, reads and scans one unit.
fn evaluate(corpus: &Path, row: &Row, explain: bool) -> Outcome {
    let facts = ManifestFacts {
        name: row.name.clone(),
        min_revit: Some(2022),
        max_revit: Some(2026),
        declared_impact: "low".into(),
        ..ManifestFacts::default()
    };
    let mut feeder = Feeder::new(&facts);
    let read = match row.category {
        Category::Pypi => match find_wheel(&corpus.join("benign/pypi"), row) {
            Ok(path) => read_wheel(&path, &row.sha256, &mut feeder),
            Err(why) => return Outcome::failed("missing", why),
        },
        Category::Revit => {
            let dir = corpus.join("benign/revit").join(row.source.replace('/', "+"));
            read_tree(&dir, &mut feeder)
        }
        Category::Malicious => {
            let dir = corpus
                .join("malicious")
                .join(row.source.replace('/', "+"))
                .join(format!("{}-{}", row.name, row.version));
            read_tree(&dir, &mut feeder)
        }
    };
    let (status, note) = match read {
        Ok(None) => ("ok", String::new()),
        Ok(Some(limit)) => ("truncated", limit),
        Err(Unreadable::Missing(why)) => return Outcome::failed("missing", why),
        Err(Unreadable::Error(why)) => return Outcome::failed("error", why),
    };
    let Feeder { mut scan, pending, files, skipped, bytes, mut scan_time, .. } = feeder;
    let t = Instant::now();
    feed(&mut scan, &pending);
    let report = scan.finish();
    scan_time += t.elapsed();
    if explain {
        for f in report.findings.iter().filter(|f| f.severity >= revitpy_scan::report::Severity::Medium) {
            eprintln!(
                "{:<8} {}:{} {} — {} | {}{}",
                f.severity.as_str(),
                f.file,
                f.line,
                f.rule,
                f.message,
                f.snippet.trim(),
                f.because.iter().map(|b| format!("\n           - {b}")).collect::<String>()
            );
        }
    }
    Outcome { status, note, files, skipped, bytes, scan_time, verdict: Some(verdict(&report)) }
}

fn verdict(report: &ScanReport) -> Verdict {
    let worst = report.worst();
    let mut top_rules: Vec<&'static str> =
        report.findings.iter().filter(|f| f.severity == worst).map(|f| f.rule).collect();
    top_rules.sort_unstable();
    top_rules.dedup();
    Verdict { risk: report.risk_level, top_rules }
}

enum Unreadable {
    Missing(String),
    Error(String),
}

/// Collects a unit's files and hands them to the scanner in batches, keeping
/// the unit's counts and limits.
struct Feeder<'m> {
    scan: Scan<'m>,
    pending: Vec<(String, Vec<u8>)>,
    pending_bytes: usize,
    files: usize,
    skipped: usize,
    /// Bytes read for the unit (the limit counts these).
    read: u64,
    /// Bytes handed to the scanner.
    bytes: u64,
    scan_time: Duration,
}

impl<'m> Feeder<'m> {
    fn new(facts: &'m ManifestFacts) -> Self {
        Feeder {
            scan: Scan::new(facts),
            pending: Vec::new(),
            pending_bytes: 0,
            files: 0,
            skipped: 0,
            read: 0,
            bytes: 0,
            scan_time: Duration::ZERO,
        }
    }

    /// Why the unit must stop before its next file, if it must.
    fn limit(&self) -> Option<String> {
        if self.files >= MAX_UNIT_FILES {
            Some(format!("stopped at {MAX_UNIT_FILES} files"))
        } else if self.read >= MAX_UNIT_BYTES {
            Some(format!("stopped at {} MiB read", MAX_UNIT_BYTES >> 20))
        } else {
            None
        }
    }

    fn add(&mut self, path: String, bytes: Vec<u8>) {
        self.files += 1;
        self.bytes += bytes.len() as u64;
        self.pending_bytes += bytes.len();
        self.pending.push((path, bytes));
        if self.pending_bytes >= BATCH_BYTES {
            let t = Instant::now();
            feed(&mut self.scan, &self.pending);
            self.scan_time += t.elapsed();
            self.pending.clear();
            self.pending_bytes = 0;
        }
    }
}

fn feed(scan: &mut Scan<'_>, files: &[(String, Vec<u8>)]) {
    let entries: Vec<Entry<'_>> = files.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
    scan.add(&entries);
}

/// Reads at most `cap + 1` bytes: more than `cap` means the source is larger
/// than it may be, whatever it declared.
fn read_capped(r: impl Read, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    r.take(cap + 1).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= cap).then_some(buf))
}

/// The wheel of `row` in `dir`: the one file named
/// `<project>-<version>-*.whl`, the project's name normalised as wheels
/// spell it (runs of `-`, `_`, `.` as one `_`), compared case-insensitively.
/// A distribution name as wheels spell it: lowercase, runs of `-_.` as `_`.
fn wheel_spelling(name: &str) -> String {
    let mut project = String::new();
    for c in name.chars() {
        let c = if matches!(c, '-' | '_' | '.') { '_' } else { c.to_ascii_lowercase() };
        if !(c == '_' && project.ends_with('_')) {
            project.push(c);
        }
    }
    project
}

fn find_wheel(dir: &Path, row: &Row) -> Result<PathBuf, String> {
    let project = wheel_spelling(&row.name);
    let prefix = format!("{project}-{}-", row.version.to_ascii_lowercase());
    let listing = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = listing
        .flatten()
        .filter(|e| {
            // Older wheels keep the project's own spelling (`jaraco.classes-3.4.0-...`):
            // the distribution part is compared as wheels spell it today.
            let n = e.file_name().to_string_lossy().to_ascii_lowercase();
            let Some((dist, rest)) = n.split_once('-') else { return false };
            format!("{}-{rest}", wheel_spelling(dist)).starts_with(&prefix) && n.ends_with(".whl")
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!("no {prefix}*.whl in {}", dir.display())),
        n => Err(format!("{n} wheels match {prefix}*.whl in {}", dir.display())),
    }
}

/// Reads a wheel's members from memory (after checking the wheel's sha256
/// when the row gives one). `Ok(Some(why))`: a unit limit stopped the reading.
fn read_wheel(path: &Path, sha256: &str, feeder: &mut Feeder<'_>) -> Result<Option<String>, Unreadable> {
    let err = |e: &dyn std::fmt::Display| Unreadable::Error(format!("{}: {e}", path.display()));
    let meta = std::fs::symlink_metadata(path).map_err(|e| err(&e))?;
    if !meta.is_file() {
        return Err(err(&"not a regular file (links are not followed)"));
    }
    let file = File::open(path).map_err(|e| err(&e))?;
    let wheel = read_capped(file, MAX_UNIT_BYTES)
        .map_err(|e| err(&e))?
        .ok_or_else(|| err(&format_args!("larger than {} MiB", MAX_UNIT_BYTES >> 20)))?;
    if !sha256.is_empty() {
        let actual = hex::encode(Sha256::digest(&wheel));
        if actual != sha256 {
            return Err(err(&format_args!("sha256 mismatch: the list says {sha256}, the file is {actual}")));
        }
    }
    feeder.read = wheel.len() as u64;
    let mut archive = zip::ZipArchive::new(Cursor::new(&wheel[..])).map_err(|e| err(&e))?;
    for i in 0..archive.len() {
        if let Some(why) = feeder.limit() {
            return Ok(Some(why));
        }
        let member = archive.by_index(i).map_err(|e| err(&format_args!("member {i}: {e}")))?;
        if member.is_dir() {
            continue;
        }
        if member.is_symlink() || member.size() > MAX_FILE_BYTES {
            feeder.skipped += 1;
            continue;
        }
        let name = String::from_utf8_lossy(member.name_raw()).into_owned();
        let bytes = read_capped(member, MAX_FILE_BYTES).map_err(|e| err(&format_args!("{name}: {e}")))?;
        let Some(bytes) = bytes else {
            // Inflates past what it declared and past the cap.
            feeder.skipped += 1;
            feeder.read += MAX_FILE_BYTES + 1;
            continue;
        };
        feeder.read += bytes.len() as u64;
        feeder.add(name, bytes);
    }
    Ok(None)
}

/// Reads every regular file under `root` (paths relative to it, `/`-separated,
/// in sorted order), never following a symbolic link. `Ok(Some(why))`: a unit
/// limit stopped the reading.
fn read_tree(root: &Path, feeder: &mut Feeder<'_>) -> Result<Option<String>, Unreadable> {
    match std::fs::symlink_metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Unreadable::Error(format!("{}: not a directory (links are not followed)", root.display())));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Unreadable::Missing(format!("no folder {}", root.display())));
        }
        Err(e) => return Err(Unreadable::Error(format!("{}: {e}", root.display()))),
    }
    // First the list of files (bounded), then their bytes in path order.
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut dirs = vec![(String::new(), root.to_path_buf())];
    let mut dirs_seen = 0;
    let mut stopped = None;
    'walk: while let Some((rel, dir)) = dirs.pop() {
        dirs_seen += 1;
        if dirs_seen > MAX_UNIT_DIRS {
            stopped = Some(format!("stopped at {MAX_UNIT_DIRS} folders"));
            break;
        }
        let listing = std::fs::read_dir(&dir).map_err(|e| Unreadable::Error(format!("{}: {e}", dir.display())))?;
        for entry in listing {
            let entry = entry.map_err(|e| Unreadable::Error(format!("{}: {e}", dir.display())))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            // The entry's own type: a symbolic link is a link here, never its target.
            let kind = entry.file_type().map_err(|e| Unreadable::Error(format!("{path}: {e}")))?;
            if kind.is_dir() {
                dirs.push((path, entry.path()));
            } else if kind.is_file() {
                if files.len() >= MAX_UNIT_FILES {
                    stopped = Some(format!("stopped at {MAX_UNIT_FILES} files"));
                    break 'walk;
                }
                files.push((path, entry.path()));
            } else {
                // Links, sockets, devices: not read.
                feeder.skipped += 1;
            }
        }
    }
    files.sort_unstable();
    for (rel, path) in files {
        if let Some(why) = feeder.limit() {
            return Ok(Some(why));
        }
        let err = |e: &dyn std::fmt::Display| Unreadable::Error(format!("{rel}: {e}"));
        // Checked again at open: the file must still be a regular file (this
        // catches a folder or device swapped in since the listing).
        let file = File::open(&path).map_err(|e| err(&e))?;
        let meta = file.metadata().map_err(|e| err(&e))?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            feeder.skipped += 1;
            continue;
        }
        let Some(bytes) = read_capped(file, MAX_FILE_BYTES).map_err(|e| err(&e))? else {
            // Grew past the cap since its size was read.
            feeder.skipped += 1;
            feeder.read += MAX_FILE_BYTES + 1;
            continue;
        };
        feeder.read += bytes.len() as u64;
        feeder.add(rel, bytes);
    }
    Ok(stopped)
}

// ---------------------------------------------------------------------------
// Output

const OUT_HEADER: &str =
    "id,label,category,split,files,bytes,risk_level,blocks,top_rules,status,skipped,scan_seconds,note";

fn write_results(out: &Path, rows: &[Row], results: &[Outcome]) -> std::io::Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut text = String::from(OUT_HEADER);
    text.push('\n');
    for (row, r) in rows.iter().zip(results) {
        let (risk, blocks, rules) = match &r.verdict {
            Some(v) => (v.risk.as_str(), if v.risk.blocks() { "yes" } else { "no" }, v.top_rules.join(";")),
            None => ("", "", String::new()),
        };
        let fields = [
            row.id.clone(),
            if row.category.malicious() { "malicious" } else { "benign" }.into(),
            row.category.as_str().into(),
            row.split.clone(),
            r.files.to_string(),
            r.bytes.to_string(),
            risk.into(),
            blocks.into(),
            rules,
            r.status.into(),
            r.skipped.to_string(),
            format!("{:.3}", r.scan_time.as_secs_f64()),
            r.note.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    std::fs::write(out, text)
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// Counts over one group of units.
#[derive(Default)]
struct Tally {
    units: usize,
    not_scanned: usize,
    truncated: usize,
    malicious: usize,
    malicious_blocked: usize,
    benign: usize,
    benign_blocked: usize,
    benign_critical: usize,
    bytes: u64,
    scan_time: Duration,
}

impl Tally {
    fn add(&mut self, row: &Row, r: &Outcome) {
        self.units += 1;
        self.bytes += r.bytes;
        self.scan_time += r.scan_time;
        let Some(v) = &r.verdict else {
            self.not_scanned += 1;
            return;
        };
        if r.status == "truncated" {
            self.truncated += 1;
        }
        if row.category.malicious() {
            self.malicious += 1;
            self.malicious_blocked += usize::from(v.risk.blocks());
        } else {
            self.benign += 1;
            self.benign_blocked += usize::from(v.risk.blocks());
            self.benign_critical += usize::from(v.risk == RiskLevel::Critical);
        }
    }
}

fn rate(part: usize, whole: usize) -> String {
    if whole == 0 { "-".into() } else { format!("{:.3} ({part}/{whole})", part as f64 / whole as f64) }
}

/// The table: per split (tune, measure, all) and per category (and all of
/// them), units listed, units not scanned (missing or unreadable), recall and
/// false-positive rate at high or critical over the units scanned, benign
/// units at critical, megabytes scanned and the scanner's time on them.
fn summary(rows: &[Row], results: &[Outcome], only: Option<&str>) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{:<8} {:<10} {:>5} {:>9} {:>9} {:>17} {:>17} {:>11} {:>8} {:>8} {:>7}",
        "split",
        "category",
        "units",
        "unscanned",
        "truncated",
        "recall@high+",
        "FPR@high+",
        "benign@crit",
        "MB",
        "scan s",
        "MB/s"
    );
    let splits: Vec<Option<&str>> = match only {
        Some(s) => vec![Some(s)],
        None => SPLITS.iter().map(|s| Some(*s)).chain([None]).collect(),
    };
    for split in splits {
        let cats: Vec<Option<Category>> = Category::ALL.iter().map(|c| Some(*c)).chain([None]).collect();
        for cat in cats {
            let mut tally = Tally::default();
            for (row, r) in rows.iter().zip(results) {
                if split.is_none_or(|s| row.split == s) && cat.is_none_or(|c| row.category == c) {
                    tally.add(row, r);
                }
            }
            let mb = tally.bytes as f64 / 1e6;
            let secs = tally.scan_time.as_secs_f64();
            let _ = writeln!(
                t,
                "{:<8} {:<10} {:>5} {:>9} {:>9} {:>17} {:>17} {:>11} {:>8.1} {:>8.2} {:>7}",
                split.unwrap_or("all"),
                cat.map_or("all", Category::as_str),
                tally.units,
                tally.not_scanned,
                tally.truncated,
                rate(tally.malicious_blocked, tally.malicious),
                rate(tally.benign_blocked, tally.benign),
                if tally.benign == 0 { "-".to_string() } else { tally.benign_critical.to_string() },
                mb,
                secs,
                if secs > 0.0 { format!("{:.1}", mb / secs) } else { "-".into() },
            );
        }
    }
    t
}
