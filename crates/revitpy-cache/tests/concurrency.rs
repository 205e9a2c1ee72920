//! Several threads and two processes use one cache folder while another
//! thread runs cleanup and verify in a loop. Nothing may fail except with a
//! miss, every hit must hold exactly the bytes asked for, and the counters
//! must add up across processes.
//!
//! The second process is this test binary itself, run with
//! [`CHILD_ROOT_ENV`] set so that only [`child_worker`] does anything.

mod common;

use std::io::{ErrorKind, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{payload, sha};
use revitpy_cache::{Cache, Lookup};

const CHILD_ROOT_ENV: &str = "REVITPY_CACHE_TEST_CHILD_ROOT";
const CHILD_SEED_ENV: &str = "REVITPY_CACHE_TEST_CHILD_SEED";
const ITERATIONS: usize = 150;

struct Package {
    bytes: Vec<u8>,
    sha256: String,
}

fn packages() -> Vec<Package> {
    (0..6u64)
        .map(|i| {
            let bytes = payload(1000 + i, 20_000 + 7_000 * i as usize);
            Package { sha256: sha(&bytes), bytes }
        })
        .collect()
}

#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    hits: u64,
    misses: u64,
    inserts: u64,
    /// Hits whose file a cleanup evicted before it could be read: allowed
    /// (the caller sees "not found", never a partial file).
    evicted_before_read: u64,
}

/// Gets packages in a pattern that depends on `seed`, downloading (inserting)
/// on every miss. Panics on any error and on any hit with wrong bytes.
fn workload(cache: &Cache, packages: &[Package], seed: usize) -> Tally {
    let mut tally = Tally::default();
    for i in 0..ITERATIONS {
        let p = &packages[(i * (seed + 1) + seed) % packages.len()];
        match cache.get(&p.sha256, p.bytes.len() as u64).unwrap() {
            Lookup::Hit(path) => {
                tally.hits += 1;
                check_bytes(&path, p, &mut tally);
            }
            Lookup::Miss => {
                tally.misses += 1;
                let mut temp = cache.temp_file().unwrap();
                temp.write_all(&p.bytes).unwrap();
                let path = cache.insert(temp, &p.sha256, p.bytes.len() as u64, "pkg", "1.0").unwrap();
                tally.inserts += 1;
                check_bytes(&path, p, &mut tally);
            }
            Lookup::Corrupt { expected, actual } => {
                panic!("corrupt file handed out for {}: expected {expected}, actual {actual}", p.sha256)
            }
        }
    }
    tally
}

fn check_bytes(path: &Path, p: &Package, tally: &mut Tally) {
    match std::fs::read(path) {
        Ok(bytes) => assert!(bytes == p.bytes, "{} holds {} other bytes", path.display(), bytes.len()),
        Err(e) if e.kind() == ErrorKind::NotFound => tally.evicted_before_read += 1,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Runs only as the second process; prints its tally for the parent.
#[test]
fn child_worker() {
    let Ok(root) = std::env::var(CHILD_ROOT_ENV) else { return };
    let seed: usize = std::env::var(CHILD_SEED_ENV).unwrap().parse().unwrap();
    let cache = Arc::new(Cache::open(Path::new(&root)).unwrap());
    let packages = Arc::new(packages());
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (cache, packages) = (cache.clone(), packages.clone());
            thread::spawn(move || workload(&cache, &packages, seed + t))
        })
        .collect();
    let mut total = Tally::default();
    for t in threads {
        let t = t.join().unwrap();
        total.hits += t.hits;
        total.misses += t.misses;
    }
    // The harness may have printed "test child_worker ... " on this line.
    println!("CHILD-TALLY hits={} misses={}", total.hits, total.misses);
}

fn spawn_child(root: &Path, seed: usize) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_worker", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ROOT_ENV, root)
        .env(CHILD_SEED_ENV, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a child, polling with a deadline; kills it when it hangs.
fn wait_child(mut child: std::process::Child, deadline: Instant) -> (u64, u64) {
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child process did not finish in time");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout
        .lines()
        .find_map(|l| Some(&l[l.find("CHILD-TALLY ")? + "CHILD-TALLY ".len()..]))
        .expect("child ran no workload");
    let field = |name: &str| -> u64 {
        line.split_whitespace().find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')).unwrap().parse().unwrap()
    };
    (field("hits"), field("misses"))
}

#[test]
fn threads_and_processes_share_the_cache_while_cleanup_runs() {
    if std::env::var_os(CHILD_ROOT_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let packages = Arc::new(packages());
    let budget = packages.iter().take(2).map(|p| p.bytes.len() as u64).sum::<u64>();
    let deadline = Instant::now() + Duration::from_secs(240);

    // Opened before the children, so they race on use, not on creation.
    let shared = Arc::new(Cache::open(&root).unwrap());
    let children: Vec<_> = (0..2).map(|i| spawn_child(&root, 10 + 2 * i)).collect();

    let done = Arc::new(AtomicBool::new(false));
    let cleaner = {
        let (root, done) = (root.clone(), done.clone());
        thread::spawn(move || {
            let cache = Cache::open(&root).unwrap();
            let (mut rounds, mut evicted) = (0u64, 0usize);
            while !done.load(Ordering::Acquire) {
                let report = cache.cleanup(Some(budget), None).unwrap();
                assert!(report.not_removed.is_empty(), "{:?}", report.not_removed);
                assert!(report.remaining_bytes <= budget, "{report:?}");
                evicted += report.removed.len();
                if rounds % 4 == 0 {
                    let v = cache.verify().unwrap();
                    assert!(v.corrupt.is_empty(), "verify found corrupt files: {:?}", v.corrupt);
                    assert!(v.missing.is_empty(), "verify found rows without files: {:?}", v.missing);
                    assert_eq!(v.untracked_removed, 0, "verify found files without rows");
                }
                rounds += 1;
                // Let the readers in between rounds.
                thread::yield_now();
            }
            (rounds, evicted)
        })
    };

    // Two threads share one `Cache`, two open their own.
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let (root, shared, packages) = (root.clone(), shared.clone(), packages.clone());
            thread::spawn(move || {
                if t < 2 {
                    workload(&shared, &packages, t)
                } else {
                    workload(&Cache::open(&root).unwrap(), &packages, t)
                }
            })
        })
        .collect();
    let mut hits = 0;
    let mut misses = 0;
    let mut evicted_before_read = 0;
    for w in workers {
        let t = w.join().expect("a worker thread failed");
        hits += t.hits;
        misses += t.misses;
        evicted_before_read += t.evicted_before_read;
        assert_eq!(t.misses, t.inserts);
    }
    for child in children {
        let (h, m) = wait_child(child, deadline);
        hits += h;
        misses += m;
    }
    done.store(true, Ordering::Release);
    let (rounds, evicted) = cleaner.join().expect("the cleanup thread failed");
    assert!(rounds > 0 && evicted > 0, "cleanup never evicted anything ({rounds} rounds)");

    // 4 threads here and 2 in each of 2 children, ITERATIONS gets each.
    assert_eq!(hits + misses, 8 * ITERATIONS as u64);
    let stats = shared.stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (hits, misses), "counters lost updates");
    assert!(hits > 0, "no hit at all: the test exercised nothing");
    eprintln!(
        "hits {hits}, misses {misses}, evicted {evicted} in {rounds} rounds, {evicted_before_read} evicted before read"
    );

    let v = shared.verify().unwrap();
    assert!(v.corrupt.is_empty() && v.missing.is_empty() && v.untracked_removed == 0, "{v:?}");
    for e in shared.entries().unwrap() {
        let p = packages.iter().find(|p| p.sha256 == e.sha256).expect("an entry no one inserted");
        assert_eq!(std::fs::read(shared.path_of(&e.sha256).unwrap()).unwrap(), p.bytes);
    }
}

#[test]
fn many_threads_insert_the_same_package_at_once() {
    if std::env::var_os(CHILD_ROOT_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    Cache::open(dir.path()).unwrap();
    let bytes = Arc::new(payload(2000, 200_000));
    let digest = sha(&bytes);
    let barrier = Arc::new(Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (root, bytes, digest, barrier) =
                (dir.path().to_owned(), bytes.clone(), digest.clone(), barrier.clone());
            thread::spawn(move || {
                let cache = Cache::open(&root).unwrap();
                let mut temp = cache.temp_file().unwrap();
                temp.write_all(&bytes).unwrap();
                barrier.wait();
                cache.insert(temp, &digest, bytes.len() as u64, "same", "1").unwrap()
            })
        })
        .collect();
    let paths: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(paths.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(std::fs::read(&paths[0]).unwrap(), *bytes);
    assert_eq!(common::files_under(&dir.path().join("packages")), [paths[0].clone()]);
    assert_eq!(common::files_under(&dir.path().join("tmp")), Vec::<std::path::PathBuf>::new());
    let cache = Cache::open(dir.path()).unwrap();
    assert_eq!(cache.entries().unwrap().len(), 1);
    assert!(matches!(cache.get(&digest, bytes.len() as u64).unwrap(), Lookup::Hit(_)));
}
