//! Scores the scanner on the labelled corpus (tests/corpus/{malicious,benign}):
//! shared by the corpus test (which enforces the goal) and the benchmark
//! (which prints the figures for docs/PERFORMANCE.md).

use std::path::{Path, PathBuf};

use revitpy_scan::report::ScanReport;
use revitpy_scan::{Entry, ManifestFacts, scan};

pub struct Sample {
    pub name: String,
    pub malicious: bool,
    pub report: ScanReport,
}

pub struct Score {
    pub samples: Vec<Sample>,
}

impl Score {
    fn count(&self, malicious: bool, blocked: bool) -> usize {
        self.samples.iter().filter(|s| s.malicious == malicious && s.report.risk_level.blocks() == blocked).count()
    }
    pub fn malicious(&self) -> usize {
        self.samples.iter().filter(|s| s.malicious).count()
    }
    pub fn benign(&self) -> usize {
        self.samples.len() - self.malicious()
    }
    /// Malicious samples blocked (risk level high or critical), as a fraction.
    pub fn recall(&self) -> f64 {
        self.count(true, true) as f64 / self.malicious().max(1) as f64
    }
    /// Benign samples blocked, as a fraction.
    pub fn false_positive_rate(&self) -> f64 {
        self.count(false, true) as f64 / self.benign().max(1) as f64
    }
    pub fn missed(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter().filter(|s| s.malicious && !s.report.risk_level.blocks())
    }
    pub fn false_positives(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter().filter(|s| !s.malicious && s.report.risk_level.blocks())
    }
}

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"))
}

fn scan_one(path: &Path) -> ScanReport {
    let bytes = std::fs::read(path).expect("corpus file reads");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let entries = [Entry { path: &name, bytes: &bytes }];
    let facts = ManifestFacts {
        name: "corpus-sample".into(),
        min_revit: Some(2022),
        max_revit: Some(2025),
        declared_impact: "low".into(),
        ..ManifestFacts::default()
    };
    scan(&facts, &entries)
}

pub fn score() -> Score {
    score_dir(&corpus_dir())
}

pub fn score_dir(dir: &Path) -> Score {
    let mut samples = Vec::new();
    for (label, malicious) in [("malicious", true), ("benign", false)] {
        let Ok(listing) = std::fs::read_dir(dir.join(label)) else { continue };
        let mut paths: Vec<PathBuf> =
            listing.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "py")).collect();
        paths.sort();
        for p in paths {
            let report = scan_one(&p);
            samples.push(Sample {
                name: format!("{label}/{}", p.file_name().unwrap().to_string_lossy()),
                malicious,
                report,
            });
        }
    }
    Score { samples }
}

pub fn explain(s: &Sample) -> String {
    let mut out = format!("{} (risk {}):", s.name, s.report.risk_level);
    for f in s.report.findings.iter().filter(|f| f.severity >= revitpy_scan::report::Severity::Medium) {
        out.push_str(&format!("\n    {} {} line {}: {}", f.severity, f.rule, f.line, f.message));
    }
    out
}
