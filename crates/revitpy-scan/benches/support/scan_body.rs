//! Scan throughput on the machine's Python standard library (.py files only,
//! without site-packages and __pycache__), one thread.
//! Also prints the corpus's recall and false-positive rate, and a baseline
//! (tree-sitter-python parsing alone) measured in the same run.
//! Shared by `cargo bench -p revitpy-scan --bench scan` (mimalloc, as
//! revitpy-install) and `--bench scan_system` (the system allocator, as
//! revitpy-registry); both in the release profile (fat LTO, one codegen
//! unit), as the shipped binaries are built.

#[path = "../../tests/support/corpus_eval.rs"]
mod corpus_eval;

use std::path::Path;
use std::time::Instant;

use revitpy_scan::{Entry, ManifestFacts, scan};

fn collect(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "site-packages" || name == "__pycache__" {
            continue;
        }
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
}

pub fn main() {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
        .output()
        .expect("python3 runs");
    let root = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut files = Vec::new();
    collect(Path::new(&root), &mut files);
    // `SCAN_LIMIT_BYTES=N`: only the first files up to N bytes (for callgrind).
    if let Some(limit) = std::env::var("SCAN_LIMIT_BYTES").ok().and_then(|v| v.parse::<usize>().ok()) {
        files.sort();
        let mut total = 0;
        files.retain(|(_, b)| {
            total += b.len();
            total <= limit
        });
    }
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let entries: Vec<Entry<'_>> = files.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
    let facts = ManifestFacts { name: "stdlib".into(), min_revit: Some(2022), ..ManifestFacts::default() };
    // scan() spreads files over rayon's pool: measure it on one thread (the
    // issue's figure) and on every core of the machine.
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut times = Vec::new();
        let mut findings = 0;
        // Five runs, the median: this machine's wall times vary by 15% from run to run.
        for _ in 0..5 {
            let t = Instant::now();
            let report = pool.install(|| scan(&facts, &entries));
            times.push(t.elapsed().as_secs_f64());
            findings = report.findings.len();
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (times[2], findings)
    };
    // `SCAN_DUMP=FILE`: the report as JSON, to check that a speed-up did not
    // change what is found.
    if let Some(path) = std::env::var_os("SCAN_DUMP") {
        let report = scan(&facts, &entries);
        std::fs::write(path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
        return;
    }
    // `SCAN_PROFILE=1`: only the one-thread scan, for a profiler.
    if std::env::var_os("SCAN_PROFILE").is_some() {
        let (t, n) = run(1);
        println!("{t:.2} s, {n} findings");
        return;
    }
    let (median, findings) = run(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (parallel, _) = run(cores);
    // Where the time goes: the front-ends' facts alone, and ruff's parser alone.
    let texts: Vec<String> = files.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
    let phase = |f: &dyn Fn(&str)| {
        let mut t = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            for text in &texts {
                f(text);
            }
            t.push(start.elapsed().as_secs_f64());
        }
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        t[1]
    };
    let facts_time = phase(&|t| {
        std::hint::black_box(revitpy_scan::python::parse(t));
    });
    let ruff_time = phase(&|t| {
        std::hint::black_box(ruff_python_parser::parse_unchecked(
            t,
            ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module),
        ));
    });
    println!(
        "phases (median of 3): facts {:.2} s = {:.1} MB/s; ruff parse alone {:.2} s = {:.1} MB/s",
        facts_time,
        bytes as f64 / facts_time / 1e6,
        ruff_time,
        bytes as f64 / ruff_time / 1e6
    );
    // Baseline in the same process: tree-sitter-python parsing alone.
    let mut parse_times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&tree_sitter_python::LANGUAGE.into()).unwrap();
        let mut nodes = 0usize;
        for (_, b) in &files {
            if let Some(tree) = parser.parse(b, None) {
                nodes += tree.root_node().child_count();
            }
        }
        std::hint::black_box(nodes);
        parse_times.push(t.elapsed().as_secs_f64());
    }
    parse_times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "baseline: tree-sitter-python parse alone, median of 3: {:.2} s = {:.1} MB/s",
        parse_times[1],
        bytes as f64 / parse_times[1] / 1e6
    );
    println!(
        "{} .py files, {:.1} MB, {findings} findings; median of 5: {:.2} s = {:.1} MB/s on one thread",
        files.len(),
        bytes as f64 / 1e6,
        median,
        bytes as f64 / median / 1e6
    );
    println!("on {cores} threads: {parallel:.2} s = {:.1} MB/s", bytes as f64 / parallel / 1e6);
    let score = corpus_eval::score();
    println!(
        "corpus: {} malicious, {} benign; recall {:.1}%, false positives {:.1}% (blocking at high)",
        score.malicious(),
        score.benign(),
        score.recall() * 100.0,
        score.false_positive_rate() * 100.0
    );
    for dir in ["holdout", "holdout2"] {
        let holdout = corpus_eval::score_dir(&corpus_eval::corpus_dir().with_file_name(dir));
        if holdout.samples.is_empty() {
            continue;
        }
        println!(
            "{dir}: {} malicious, {} benign; recall {:.1}%, false positives {:.1}%",
            holdout.malicious(),
            holdout.benign(),
            holdout.recall() * 100.0,
            holdout.false_positive_rate() * 100.0
        );
        for s in holdout.missed().chain(holdout.false_positives()) {
            println!("  {}", corpus_eval::explain(s));
        }
    }
}
