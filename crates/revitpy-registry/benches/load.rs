//! Load benchmark of the registry server at 100,000 packages, with a plain
//! static server on the same machine measured in the same run as baseline.
//!
//! Run: `cargo bench -p revitpy-registry --bench load`
//! (`LOAD_PACKAGES=N` to change the size, `LOAD_SECONDS=S` per load phase).
//!
//! Steps: seed the store through the `Store` trait in batches (the same
//! checks as uploads), rebuild the search index with `revitpy-registry
//! reindex`, start the real server binary, then drive it from this process
//! with a small keep-alive HTTP/1.1 client (32 connections for throughput,
//! one for latency). The baseline is this same binary re-run as a minimal
//! axum server answering a fixed JSON body and a 1 MB file from memory.

use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/http.rs"]
mod http;
#[path = "support/seed.rs"]
mod seed;

use http::{latencies, load, pct, spawn_and_wait};

use revitpy_search::testdata::{generated_docs, generated_queries};
use revitpy_store::{Actor, Release, Scope, SqliteStore, Store};

fn rss_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn baseline_server() {
    let file: bytes::Bytes = vec![7u8; 1024 * 1024].into();
    let json: bytes::Bytes = serde_json::to_vec(&serde_json::json!({"results": vec![serde_json::json!({"name": "wall-tools", "summary": "x".repeat(100)}); 20]})).unwrap().into();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let app = axum::Router::new()
            .route(
                "/json",
                axum::routing::get(move || {
                    let j = json.clone();
                    async move { ([("content-type", "application/json")], j) }
                }),
            )
            .route(
                "/file",
                axum::routing::get(move || {
                    let f = file.clone();
                    async move { f }
                }),
            )
            .route("/health", axum::routing::get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("baseline listening on http://{}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

fn main() {
    if std::env::args().any(|a| a == "--baseline-server") {
        return baseline_server();
    }
    let packages: usize = std::env::var("LOAD_PACKAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let seconds: f64 = std::env::var("LOAD_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5.0);
    let exe = env!("CARGO_BIN_EXE_revitpy-registry");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    // 1. Seed.
    let docs = generated_docs(packages, 42);
    // The records are made before the clock starts: seeding times the
    // store's writes, not the bench's manifest parsing.
    let batches: Vec<Vec<Release>> = docs
        .chunks(5_000)
        .enumerate()
        .map(|(chunk_no, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    seed::seeded_release(d, chunk_no * 5_000 + j, &format!("{:064x}", chunk_no * 5_000 + j + 1), 1000)
                })
                .collect()
        })
        .collect();
    let seeded = Instant::now();
    rt.block_on(async {
        let store = SqliteStore::open(&data.join("registry.db")).unwrap();
        let actor = Actor { user_id: None, user_name: "bench".into(), scope: Scope::Admin, package: None };
        for batch in batches {
            store.publish_batch(&actor, batch).await.unwrap();
        }
    });
    let seed_time = seeded.elapsed();
    let reindexed = Instant::now();
    let out = Command::new(exe).arg("reindex").env("DATA_DIR", &data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reindex_time = reindexed.elapsed();

    // 2. Start the server; time to first answer; idle memory.
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .env("PORT", "0")
        .env("DATA_DIR", &data)
        .env("ADMIN_TOKEN", "bench-admin")
        .env("LOG_LEVEL", "error")
        // One address sends thousands of searches a second here.
        .env("RATE_LIMIT_SEARCHES", "off");
    let (mut server, addr, startup) = spawn_and_wait(cmd);
    std::thread::sleep(Duration::from_millis(500));
    let idle_rss = rss_kb(server.id(), "VmRSS:");

    // A 1 MB package to download, published over HTTP.
    let src = work.path().join("big");
    std::fs::create_dir_all(src.join("big_pkg")).unwrap();
    std::fs::write(src.join("revitpy.toml"), "[package]\nname = \"big-pkg\"\nversion = \"1.0.0\"\ndescription = \"one megabyte\"\nauthor = \"bench\"\n[package.revit_compatibility]\nmin_version = \"2024\"\n").unwrap();
    // Incompressible, so the package stays about 1 MB.
    let noise = seed::noise(1_048_000, 0x9E37_79B9_7F4A_7C15);
    std::fs::write(src.join("big_pkg/blob.bin"), noise).unwrap();
    std::fs::write(src.join("big_pkg/__init__.py"), "").unwrap();
    let rpyx = work.path().join("big.rpyx");
    revitpy_rpyx::build(&src, &rpyx, &revitpy_rpyx::BuildOptions::default()).unwrap();
    let status = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer bench-admin", "-F"])
        .arg(format!("file=@{}", rpyx.display()))
        .arg(format!("http://{addr}/api/packages/upload"))
        .output()
        .expect("curl is installed");
    assert_eq!(String::from_utf8_lossy(&status.stdout), "200", "upload of the 1 MB package");
    let big_size = std::fs::metadata(&rpyx).unwrap().len();

    // 3. Baseline server.
    let mut bcmd = Command::new(std::env::current_exe().unwrap());
    bcmd.arg("--baseline-server");
    let (mut baseline, baddr, _) = spawn_and_wait(bcmd);

    let queries = generated_queries(300, 7);
    let search_paths: Vec<String> = queries
        .iter()
        .map(|(q, y)| match y {
            Some(y) => format!("/api/packages/search?q={}&revit_version={y}", seed::url_encode(q)),
            None => format!("/api/packages/search?q={}", seed::url_encode(q)),
        })
        .collect();
    let meta_paths: Vec<String> =
        docs.iter().step_by(97).map(|d| format!("/api/packages/{}", d.normalized_name)).collect();

    let report = rt.block_on(async {
        let lat = latencies(addr, &search_paths).await;
        let base_lat = latencies(baddr, &vec!["/json".to_string(); 300]).await;
        let search = load(addr, Arc::new(search_paths.clone()), seconds).await;
        let meta = load(addr, Arc::new(meta_paths.clone()), seconds).await;
        let base_json = load(baddr, Arc::new(vec!["/json".to_string()]), seconds).await;
        let dl = load(addr, Arc::new(vec!["/api/packages/big-pkg/1.0.0/download".to_string()]), seconds).await;
        let base_file = load(baddr, Arc::new(vec!["/file".to_string()]), seconds).await;
        (lat, base_lat, search, meta, base_json, dl, base_file)
    });
    let (lat, base_lat, search, meta, base_json, dl, base_file) = report;
    let loaded_rss = rss_kb(server.id(), "VmRSS:");
    let peak_rss = rss_kb(server.id(), "VmHWM:");
    let anon = rss_kb(server.id(), "RssAnon:");
    let file_backed = rss_kb(server.id(), "RssFile:");
    let threads = rss_kb(server.id(), "Threads:");
    if std::env::var_os("LOAD_THREAD_NAMES").is_some() {
        let mut names = std::collections::BTreeMap::<String, usize>::new();
        for t in std::fs::read_dir(format!("/proc/{}/task", server.id())).unwrap() {
            let comm = std::fs::read_to_string(t.unwrap().path().join("comm")).unwrap_or_default();
            *names.entry(comm.trim().to_owned()).or_default() += 1;
        }
        eprintln!("server threads: {names:?}");
    }
    let _ = server.kill();
    let _ = baseline.kill();
    let _ = server.wait();
    let _ = baseline.wait();

    println!(
        "packages: {packages}; seeded in {:.1} s (batches of 5,000); reindex {:.2} s",
        seed_time.as_secs_f64(),
        reindex_time.as_secs_f64()
    );
    println!("| figure | goal | registry | baseline (static server, same run) | ratio |");
    println!("| --- | --- | --- | --- | --- |");
    println!("| search latency p50, one client | | {:.2} ms | {:.2} ms | |", pct(&lat, 0.5), pct(&base_lat, 0.5));
    println!(
        "| search latency p99, one client | < 10 ms | {:.2} ms | {:.2} ms | |",
        pct(&lat, 0.99),
        pct(&base_lat, 0.99)
    );
    println!(
        "| searches/s, 32 connections | ≥ 3,000 | {:.0} | {:.0} (fixed JSON) | {:.2} |",
        search.per_second(),
        base_json.per_second(),
        search.per_second() / base_json.per_second()
    );
    println!(
        "| metadata requests/s, 32 connections | ≥ 10,000 | {:.0} | {:.0} (fixed JSON) | {:.2} |",
        meta.per_second(),
        base_json.per_second(),
        meta.per_second() / base_json.per_second()
    );
    println!(
        "| download MB/s, {big_size}-byte file, 32 connections | ≥ 500 | {:.0} | {:.0} (1 MiB from memory) | {:.2} |",
        dl.mb_per_second(),
        base_file.mb_per_second(),
        dl.mb_per_second() / base_file.mb_per_second()
    );
    println!("| memory idle (RSS) | < 30 MB | {:.1} MB | | |", idle_rss as f64 / 1024.0);
    println!(
        "| memory after load (RSS / peak) | < 100 MB | {:.1} MB / {:.1} MB | | |",
        loaded_rss as f64 / 1024.0,
        peak_rss as f64 / 1024.0
    );
    println!(
        "| memory after load: anonymous / file-backed (index mmap, binary) | | {:.1} MB / {:.1} MB, {threads} threads | | |",
        anon as f64 / 1024.0,
        file_backed as f64 / 1024.0
    );
    println!("| start to first answered request | < 100 ms | {:.0} ms | | |", startup.as_secs_f64() * 1000.0);

    // 4. What metrics cost: search throughput with METRICS=true and false,
    // alternating servers on the same data (one at a time: each holds the
    // search index), `LOAD_METRICS_ROUNDS` pairs (default 3; 0 skips).
    let rounds: usize = std::env::var("LOAD_METRICS_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    if rounds == 0 {
        return;
    }
    let mut on = Vec::new();
    let mut off = Vec::new();
    let mut scrape_ms = Vec::new();
    for _ in 0..rounds {
        for metrics in ["true", "false"] {
            let mut cmd = Command::new(exe);
            cmd.arg("serve").env("PORT", "0").env("DATA_DIR", &data).env("LOG_LEVEL", "error").env("METRICS", metrics);
            cmd.env("RATE_LIMIT_SEARCHES", "off");
            let (mut server, addr, _) = spawn_and_wait(cmd);
            let result = rt.block_on(load(addr, Arc::new(search_paths.clone()), seconds));
            if metrics == "true" {
                on.push(result.per_second());
                // A scrape after the load: every route and operation has its series.
                scrape_ms.extend(rt.block_on(latencies(addr, &vec!["/metrics".to_string(); 50])));
            } else {
                off.push(result.per_second());
            }
            let _ = server.kill();
            let _ = server.wait();
        }
    }
    let pairs: Vec<String> = on.iter().zip(&off).map(|(a, b)| format!("{a:.0}/{b:.0}")).collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (m_on, m_off) = (median(&mut on), median(&mut off));
    scrape_ms.sort_by(f64::total_cmp);
    println!(
        "| searches/s, 32 connections, METRICS=true / false (median of {rounds} alternating pairs: {}) | | {m_on:.0} | {m_off:.0} (METRICS=false) | {:.3} |",
        pairs.join(", "),
        m_on / m_off
    );
    println!(
        "| `/metrics` scrape after the load, p50 / p99 | | {:.2} ms / {:.2} ms | | |",
        pct(&scrape_ms, 0.5),
        pct(&scrape_ms, 0.99)
    );
}
