//! Build and validate throughput on a real tree of Python source, against
//! Python's `zipfile` on the same tree in the same run.
//!
//! The tree is the machine's Python standard library without `site-packages`
//! and `__pycache__` (it holds test certificates, so secrets are allowed).
//! Run: `cargo bench -p revitpy-rpyx --bench build_validate`
//! (set `RPYX_BENCH_RUNS` to change the number of timed runs, default 5).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use revitpy_rpyx::problem::has_errors;
use revitpy_rpyx::{BuildOptions, Limits, Package, build};

fn stdlib() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
        .output()
        .expect("python3 runs");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Copies the benchmark tree, leaving out site-packages, __pycache__ and links.
fn copy_tree(from: &Path, to: &Path) -> u64 {
    let mut bytes = 0;
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "site-packages" || name == "__pycache__" {
            continue;
        }
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            bytes += copy_tree(&entry.path(), &to.join(&name));
        } else if ft.is_file() {
            bytes += fs_err::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
    bytes
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

const PYTHON_BASELINE: &str = r#"
import hashlib, os, sys, time, zipfile
src, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for d, dirs, fs in os.walk(src):
    dirs.sort()
    for f in sorted(fs):
        p = os.path.join(d, f)
        files.append((p, os.path.relpath(p, src)))
build, read = [], []
for _ in range(runs):
    t = time.perf_counter()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for p, rel in files:
            z.write(p, rel)
    build.append(time.perf_counter() - t)
    t = time.perf_counter()
    with zipfile.ZipFile(out) as z:
        for info in z.infolist():
            hashlib.sha256(z.read(info)).hexdigest()
    read.append(time.perf_counter() - t)
build.sort(); read.sort()
print(os.path.getsize(out), build[len(build) // 2], read[len(read) // 2])
"#;

fn main() {
    let runs: usize = std::env::var("RPYX_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("stdlib");
    let source_bytes = copy_tree(&stdlib(), &tree);
    fs_err::write(
        tree.join("revitpy.toml"),
        "[package]\nname = \"stdlib-bench\"\nversion = \"1.0.0\"\ndescription = \"benchmark tree\"\nauthor = \"bench\"\n\
         [package.revit_compatibility]\nmin_version = \"2022\"\n",
    )
    .unwrap();
    let opts = BuildOptions { allow_secrets: true, ..BuildOptions::default() };
    let out = work.path().join("stdlib.rpyx");

    // Python's zipfile at deflate level 6 on the same tree: the baseline.
    let py_zip = work.path().join("python.zip");
    let py = Command::new("python3")
        .args(["-c", PYTHON_BASELINE, tree.to_str().unwrap(), py_zip.to_str().unwrap(), &runs.to_string()])
        .output()
        .expect("python3 runs");
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    let py_out = String::from_utf8(py.stdout).unwrap();
    let mut fields = py_out.split_whitespace();
    let py_size: u64 = fields.next().unwrap().parse().unwrap();
    let py_build = Duration::from_secs_f64(fields.next().unwrap().parse().unwrap());
    let py_read = Duration::from_secs_f64(fields.next().unwrap().parse().unwrap());

    let mut results = Vec::new();
    for threads in [0usize, 1] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let label =
            if threads == 0 { format!("{} threads", pool.current_num_threads()) } else { "1 thread".to_owned() };
        let (build_times, validate_times, size, expanded) = pool.install(|| {
            let mut b = Vec::new();
            let mut v = Vec::new();
            let mut size = 0;
            let mut expanded = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let report = build(&tree, &out, &opts).expect("the tree builds");
                b.push(t.elapsed());
                size = report.size;
                expanded = report.uncompressed_bytes;
                let t = Instant::now();
                // The format's part of a check (revitpy-check adds the
                // scanner to the same pass): open, manifest, every file
                // inflated, hashed and compared with rpyx-build.json.
                let package = Package::open(&out, Limits::default()).unwrap();
                let (manifest, mut problems) = package.manifest().unwrap();
                problems.extend(package.verify().1);
                v.push(t.elapsed());
                assert!(manifest.is_some() && !has_errors(&problems), "{problems:?}");
            }
            (b, v, size, expanded)
        });
        results.push((label, median(build_times), median(validate_times), size, expanded));
    }

    println!("tree: {} ({} bytes copied, {runs} runs, medians)", stdlib().display(), source_bytes);
    println!("| measure | rpyx | python zipfile deflate-6 | ratio |");
    println!("| --- | --- | --- | --- |");
    for (label, b, v, size, expanded) in &results {
        println!(
            "| build MB/s ({label}) | {:.0} | {:.0} | {:.1}x |",
            mbps(*expanded, *b),
            mbps(*expanded, py_build),
            py_build.as_secs_f64() / b.as_secs_f64()
        );
        println!(
            "| validate MB/s ({label}; inflate + sha256 of every file + checks) | {:.0} | {:.0} (read + sha256) | {:.1}x |",
            mbps(*expanded, *v),
            mbps(*expanded, py_read),
            py_read.as_secs_f64() / v.as_secs_f64()
        );
        println!("| compressed size ({label}) | {size} | {py_size} | {:.4} |", *size as f64 / py_size as f64);
    }
}
