//! Search latency at 100,000 generated packages, on one thread.
//!
//! `cargo bench -p revitpy-search` (optionally `-- <docs>` to change the
//! size). Builds the index in a temporary folder, runs 300 distinct one- and
//! two-word queries (half with a Revit-year filter, top 20) several times,
//! and prints latency percentiles, queries per second, the build time and
//! the cost of a one-document `apply` (wall and CPU time) with each
//! durability. `SEARCH_BENCH_APPLIES=N` sets how many applies the last
//! (`Durability::Checkpoints`) figure times.

use std::time::{Duration, Instant};

use revitpy_search::testdata::{generated_docs, generated_queries};
use revitpy_search::{Durability, SearchDoc, SearchIndex, SearchQuery};

const QUERIES: usize = 300;
/// Timed passes over the queries; `SEARCH_BENCH_ROUNDS` changes it (a
/// profiler wants more).
const ROUNDS: usize = 5;

fn main() {
    // `cargo bench` passes `--bench`; a bare number sets the size.
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);

    let t = Instant::now();
    let docs = generated_docs(n, 2024);
    // 500 of the names, for the suggestion figures below.
    let names: Vec<String> = docs.iter().step_by((n / 500).max(1)).map(|d| d.normalized_name.clone()).collect();
    println!("generate {n} docs: {:.2} s", t.elapsed().as_secs_f64());

    let dir = tempfile::tempdir().expect("temp dir");
    let index = SearchIndex::open_or_create(dir.path()).expect("open");
    let t = Instant::now();
    index.rebuild(docs, 1).expect("rebuild");
    println!(
        "build index (rebuild + commit, 1 indexing thread): {:.2} s, {} docs",
        t.elapsed().as_secs_f64(),
        index.len()
    );
    drop(index);
    let t = Instant::now();
    let index = SearchIndex::open_or_create(dir.path()).expect("reopen");
    println!("reopen folder: {:.1} ms, {} segments", ms(t.elapsed()), index.segment_count());
    // The client's open for one query: keys on demand. Its open, and its
    // queries, beside the server's above.
    let mut opens = Vec::new();
    let mut firsts = Vec::new();
    let few_queries = generated_queries(20, 11);
    for (text, year) in &few_queries {
        let t = Instant::now();
        let cli = SearchIndex::open_or_create_for_few_queries(dir.path()).expect("reopen");
        opens.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(
            cli.search(&SearchQuery { text, revit_year: *year, package_type: None, limit: 20, offset: 0 }).unwrap(),
        );
        firsts.push(t.elapsed());
    }
    report("reopen, keys on demand (the client)", &mut opens);
    report("its one query", &mut firsts);

    let queries = generated_queries(QUERIES, 7);
    let run = |text: &str, year: Option<u16>| {
        index.search(&SearchQuery { text, revit_year: year, package_type: None, limit: 20, offset: 0 }).expect("search")
    };

    // Warm up (page cache, allocator), and see how much each query matches.
    let mut matched = 0usize;
    for (text, year) in &queries {
        matched += run(text, *year).total;
    }
    println!("{QUERIES} distinct queries, mean {} matching docs each", matched / QUERIES);

    let rounds: usize = std::env::var("SEARCH_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(ROUNDS);
    let mut all = Vec::new();
    let mut one_word = Vec::new();
    let mut two_words = Vec::new();
    let mut filtered = Vec::new();
    let started = Instant::now();
    for _ in 0..rounds {
        for (text, year) in &queries {
            let t = Instant::now();
            let page = run(text, *year);
            let e = t.elapsed();
            std::hint::black_box(page);
            all.push(e);
            if text.contains(' ') {
                two_words.push(e);
            } else {
                one_word.push(e);
            }
            if year.is_some() {
                filtered.push(e);
            }
        }
    }
    let wall = started.elapsed();
    // The slowest queries of the last round, to see what dominates p99.
    let last_round = &all[all.len() - QUERIES..];
    let mut slowest: Vec<(Duration, &(String, Option<u16>))> = last_round.iter().copied().zip(&queries).collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (d, (text, year)) in slowest.iter().take(5) {
        println!("  slow: {:>6.3} ms  {text:?} year {year:?}: {} matches", ms(*d), run(text, *year).total);
    }
    report("all queries", &mut all);
    report("one word", &mut one_word);
    report("two words", &mut two_words);
    report("with revit_year", &mut filtered);
    println!("throughput, one thread: {:.0} queries/s", (QUERIES * rounds) as f64 / wall.as_secs_f64());

    // "Did you mean": names with two neighbouring letters swapped (one
    // edit), looked up as a search that found nothing would.
    let mut suggest = Vec::new();
    let mut offered = 0;
    for name in &names {
        let mut chars: Vec<char> = name.chars().collect();
        if chars.len() < 4 {
            continue;
        }
        let at = chars.len() / 2;
        chars.swap(at - 1, at);
        let misspelt: String = chars.into_iter().collect();
        let t = Instant::now();
        let found = index.suggest(&misspelt, 5).expect("suggest");
        suggest.push(t.elapsed());
        offered += usize::from(found.iter().any(|n| n == name));
    }
    report("suggestions for a misspelt name", &mut suggest);
    println!("  the intended name among the suggestions: {offered} of {}", suggest.len());

    // Both cores, as the server would use them: one shared index.
    let threads = 2;
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (run, queries) = (&run, &queries);
            s.spawn(move || {
                for round in 0..rounds {
                    // Offset starts, so the threads do not run in step.
                    for i in 0..QUERIES {
                        let (text, year) = &queries[(i + t * QUERIES / 2 + round) % QUERIES];
                        std::hint::black_box(run(text, *year));
                    }
                }
            });
        }
    });
    println!(
        "throughput, {threads} threads on one index: {:.0} queries/s",
        (threads * QUERIES * rounds) as f64 / started.elapsed().as_secs_f64()
    );

    // Listings and pathological inputs.
    let mut listing = Vec::new();
    for year in 2019..=2027 {
        for _ in 0..5 {
            let t = Instant::now();
            std::hint::black_box(run("*", Some(year)));
            listing.push(t.elapsed());
        }
    }
    report("\"*\" listing with revit_year", &mut listing);
    let mut prefix = Vec::new();
    for text in ["w", "s", "d", "wa", "sh", "do", "r", "p"] {
        for _ in 0..5 {
            let t = Instant::now();
            std::hint::black_box(run(text, Some(2024)));
            prefix.push(t.elapsed());
        }
    }
    report("one-letter/two-letter prefixes", &mut prefix);
    let long = "wall door sheet room family parameter view level tag schedule ".repeat(50);
    let mut hostile = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        std::hint::black_box(run(&long, None));
        hostile.push(t.elapsed());
    }
    report("3,000-char query (16 words used)", &mut hostile);

    // One-document updates, each a commit (fsync) and a reader reload.
    let apply_one = |index: &SearchIndex, i: u64| {
        let doc = SearchDoc {
            normalized_name: format!("bench-wall-{i}"),
            name: format!("Bench Wall {i}"),
            summary: "Benchmark wall tool".into(),
            package_type: "addon".into(),
            downloads: i,
            ..SearchDoc::default()
        };
        let t = Instant::now();
        index.apply(&[doc], &[], 2 + i as i64).expect("apply");
        t.elapsed()
    };
    let cpu = cpu_seconds();
    let mut applies: Vec<Duration> = (0..50).map(|i| apply_one(&index, i)).collect();
    report("apply of one doc (commit + reload)", &mut applies);
    print_cpu(cpu, 50);
    let mut after = Vec::new();
    for (text, year) in &queries {
        let t = Instant::now();
        std::hint::black_box(run(text, *year));
        after.push(t.elapsed());
    }
    report("queries after 50 applies (more segments)", &mut after);
    println!("segments now: {}", index.segment_count());

    // The same in RAM, to tell the disk's share (fsync) from tantivy's.
    let ram = SearchIndex::in_memory().expect("in-memory index");
    ram.rebuild(generated_docs(n, 2024), 1).expect("rebuild");
    let cpu = cpu_seconds();
    let mut applies: Vec<Duration> = (0..50).map(|i| apply_one(&ram, i)).collect();
    report("apply of one doc, in-memory index", &mut applies);
    print_cpu(cpu, 50);
    drop(ram);

    // The server's way: commits without fsync, one checkpoint when idle.
    let dir = tempfile::tempdir().expect("temp dir");
    let deferred = SearchIndex::open_or_create_with(dir.path(), Durability::Checkpoints).expect("open");
    deferred.rebuild(generated_docs(n, 2024), 1).expect("rebuild");
    deferred.checkpoint().expect("checkpoint");
    // `SEARCH_BENCH_APPLIES` raises the count here (a profiler wants more).
    let count: u32 = std::env::var("SEARCH_BENCH_APPLIES").ok().and_then(|r| r.parse().ok()).unwrap_or(50);
    let cpu = cpu_seconds();
    let mut applies: Vec<Duration> = (0..u64::from(count)).map(|i| apply_one(&deferred, i)).collect();
    report("apply of one doc, on disk, Durability::Checkpoints", &mut applies);
    print_cpu(cpu, count);
    let t = Instant::now();
    deferred.checkpoint().expect("checkpoint");
    println!("checkpoint after {count} applies: {:.1} ms", ms(t.elapsed()));
}

/// This process's CPU time (user + system), from /proc; None elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn print_cpu(before: Option<f64>, n: u32) {
    if let (Some(before), Some(after)) = (before, cpu_seconds()) {
        println!("  CPU per apply (all threads, merges included): {:.2} ms", (after - before) * 1e3 / f64::from(n));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{label:<42} n={:<5} p50 {:>7.3} ms  p99 {:>7.3} ms  mean {:>7.3} ms  max {:>7.3} ms",
        samples.len(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(mean),
        ms(samples[samples.len() - 1]),
    );
}
