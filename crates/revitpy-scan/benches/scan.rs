//! Scan throughput on the machine's Python standard library (.py files only,
//! without site-packages and __pycache__), one thread.
//! Run: `cargo bench -p revitpy-scan --bench scan`

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

fn main() {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
        .output()
        .expect("python3 runs");
    let root = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut files = Vec::new();
    collect(Path::new(&root), &mut files);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let entries: Vec<Entry<'_>> = files.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
    let facts = ManifestFacts { name: "stdlib".into(), min_revit: Some(2022), ..ManifestFacts::default() };
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let report = scan(&facts, &entries);
        times.push(t.elapsed().as_secs_f64());
        findings = report.findings.len();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = times[1];
    println!(
        "{} .py files, {:.1} MB, {findings} findings; median of 3: {:.2} s = {:.1} MB/s on one thread",
        files.len(),
        bytes as f64 / 1e6,
        median,
        bytes as f64 / median / 1e6
    );
}
