//! The scanner fed in batches reports what one scan reports; the single
//! pass cuts a package's files into batches of at most `BATCH_BYTES` (or
//! one larger file).

#[path = "../../revitpy-rpyx/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use revitpy_check::batches::batches;
use revitpy_check::{BATCH_BYTES, manifest_facts};
use revitpy_rpyx::{Limits, MANIFEST_ENTRY, Package};
use revitpy_scan::{Entry, ManifestFacts, Scan, scan};

/// A package's files: path and bytes.
type Files = Vec<(String, Vec<u8>)>;

/// Every file under `dir`, by path relative to `root`, in a stable order.
fn files(dir: &Path, root: &Path, out: &mut Files) {
    let mut list: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    list.sort();
    for p in list {
        if p.is_dir() {
            files(&p, root, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

/// The examples, each a package with its own manifest, and the scanner's
/// corpora as one package whose manifest runs a malicious sample as a hook.
fn packages() -> Vec<(ManifestFacts, Files)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let examples = root.join("../../examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&examples).unwrap().flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let manifest = revitpy_rpyx::source::load_from_dir(&dir).unwrap().manifest.unwrap();
        let mut all = Vec::new();
        files(&dir, &dir, &mut all);
        out.push((manifest_facts(&manifest), all));
    }
    let tests = root.join("../revitpy-scan/tests");
    let mut corpus = Vec::new();
    for d in ["corpus", "holdout", "holdout2"] {
        files(&tests.join(d), &tests, &mut corpus);
    }
    let hook = corpus.iter().find(|(p, _)| p.starts_with("corpus/malicious/")).unwrap().0.clone();
    let manifest = ManifestFacts {
        name: "corpus".into(),
        min_revit: Some(2022),
        max_revit: Some(2025),
        declared_impact: "low".into(),
        hooks: vec![hook],
        ..ManifestFacts::default()
    };
    out.push((manifest, corpus));
    out
}

#[test]
fn batches_give_the_report_scan_gives() {
    let mut compared = 0;
    for (manifest, all) in packages() {
        let entries: Vec<Entry<'_>> = all.iter().map(|(p, b)| Entry { path: p, bytes: b }).collect();
        let whole = serde_json::to_string(&scan(&manifest, &entries)).unwrap();
        for size in [1, 3, entries.len().max(1)] {
            let mut s = Scan::new(&manifest);
            for batch in entries.chunks(size) {
                s.add(batch);
            }
            let batched = serde_json::to_string(&s.finish()).unwrap();
            assert!(batched == whole, "{}: batches of {size} differ from one scan", manifest.name);
        }
        compared += entries.len();
    }
    assert!(compared >= 200, "only {compared} files compared");
}

#[test]
fn a_batch_holds_at_most_its_bytes_or_one_larger_file() {
    let sizes = [3usize, 4, 2, 10, 1, 1, 9, 0, 5];
    let data: Vec<(String, Vec<u8>)> =
        sizes.iter().enumerate().map(|(i, &n)| (format!("f{i}.bin"), vec![b'x'; n])).collect();
    let manifest = support::manifest_json(serde_json::json!({}));
    let mut entries: Vec<(&str, &[u8])> = vec![(MANIFEST_ENTRY, &manifest)];
    entries.extend(data.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    let package = Package::from_bytes(support::zip_of(&entries), Limits::default()).unwrap();
    let files: Vec<_> = package.files().collect();
    let cut: Vec<Vec<u64>> = batches(&files, 9).iter().map(|b| b.iter().map(|e| e.size).collect()).collect();
    // In order, each as full as 9 bytes allow; 10 alone, past the limit.
    assert_eq!(cut, [vec![3, 4, 2], vec![10], vec![1, 1], vec![9, 0], vec![5]]);
    let all: Vec<u64> = cut.concat();
    assert_eq!(all, sizes.map(|n| n as u64));
    // A package's files go in one batch while they fit in BATCH_BYTES.
    assert_eq!(batches(&files, BATCH_BYTES).len(), 1);
    assert!(batches(&[], BATCH_BYTES).is_empty());
}
