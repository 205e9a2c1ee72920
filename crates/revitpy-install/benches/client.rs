//! Client figures against a real registry on loopback holding 100,000
//! packages: full and incremental sync, offline search, installs of a
//! package with 3 dependencies (cold and warm cache), and the cache hit rate
//! of a replayed workload. Every figure is the `revitpy-install` binary run
//! as a user runs it (process start included).
//!
//! Run: `cargo bench -p revitpy-install --bench client` (`CLIENT_PACKAGES=N`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use revitpy_search::testdata::{generated_docs, generated_queries};
use revitpy_store::{Actor, Scope, SqliteStore, Store};
use sha2::Digest as _;

const ADMIN: &str = "bench-admin";

fn cli(home: &Path, registry: &str, args: &[&str]) -> (Duration, serde_json::Value) {
    let mut args = args.to_vec();
    args.push("--json");
    let (took, out) = cli_with(home, registry, &args, &[]);
    (took, serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null))
}

/// As [`cli`] without `--json` (messages such as `--verbose`'s are not
/// printed with it), with more environment, returning the whole output.
fn cli_with(home: &Path, registry: &str, args: &[&str], env: &[(&str, &str)]) -> (Duration, std::process::Output) {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
        .args(args)
        .envs(env.iter().copied())
        .env("REVITPY_REGISTRY_URL", registry)
        .env("REVITPY_CACHE_DIR", home.join("cache"))
        .env("REVITPY_ADDINS_DIR", home.join("addins"))
        .env("REVITPY_CONFIG", home.join("config.toml"))
        .env("REVITPY_TOKEN", ADMIN)
        // No background refresh while measuring.
        .env("REVITPY_INDEX_MAX_AGE", "999999999")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = t.elapsed();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    (took, out)
}

/// The number before ` µs` after `after` in `text`.
fn micros_after(text: &str, after: &str) -> u64 {
    let rest = &text[text.find(after).unwrap_or_else(|| panic!("no `{after}` in {text}")) + after.len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn chain_package(dir: &Path, name: &str, version: &str, dep: Option<&str>) -> std::path::PathBuf {
    let src = dir.join(format!("{name}-{version}"));
    std::fs::create_dir_all(src.join("pkg")).unwrap();
    let deps = dep.map(|d| format!("\n[package.dependencies]\n{d} = \">=1.0\"\n")).unwrap_or_default();
    std::fs::write(
        src.join("revitpy.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\ndescription = \"bench chain\"\nauthor = \"bench\"\n\
             [package.revit_compatibility]\nmin_version = \"2022\"\n{deps}"
        ),
    )
    .unwrap();
    // About 60 KB of Python per package.
    let body: String = (0..1500).map(|i| format!("def f{i}(x):\n    return x * {i}\n")).collect();
    std::fs::write(src.join("pkg/__init__.py"), body).unwrap();
    let out = dir.join(format!("{name}-{version}.rpyx"));
    revitpy_rpyx::build(&src, &out, &revitpy_rpyx::BuildOptions::default()).unwrap();
    out
}

fn main() {
    let packages: usize = std::env::var("CLIENT_PACKAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("registry");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    // Seed the registry.
    let docs = generated_docs(packages, 42);
    rt.block_on(async {
        let store = SqliteStore::open(&data.join("registry.db")).unwrap();
        let actor = Actor { user_id: None, user_name: "bench".into(), scope: Scope::Admin, package: None };
        for (c, chunk) in docs.chunks(5_000).enumerate() {
            let batch = chunk
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    let i = c * 5_000 + j;
                    let version = format!("1.{}.{}", i % 10, i % 7);
                    // Made as an upload's record is: a manifest, then the
                    // server's one manifest-to-record constructor.
                    let source = serde_json::json!({
                        "name": d.name,
                        "version": version,
                        "summary": d.summary,
                        "description": d.description,
                        "author": "bench",
                        "keywords": d.keywords,
                        "categories": d.categories,
                        "package_type": d.package_type,
                        "performance_impact": "low",
                        "revit_compatibility": {"min_version": d.min_revit, "max_version": d.max_revit},
                    });
                    let (manifest, problems) = revitpy_rpyx::Manifest::from_json(&source, "bench", &|f| f.to_owned());
                    let manifest = manifest.unwrap_or_else(|| panic!("{}: {problems:?}", d.name));
                    let sha256 = revitpy_names::Sha256::new(&format!("{:064x}", i + 1)).unwrap();
                    revitpy_registry::service::publish::release(
                        &manifest,
                        sha256,
                        1000,
                        revitpy_names::ScanStatus::Pending,
                        None,
                    )
                })
                .collect();
            store.publish_batch(&actor, batch).await.unwrap();
        }
    });

    // Serve it.
    let storage = revitpy_registry::settings::StorageArgs::in_dir(&data);
    let parts = rt.block_on(revitpy_registry::app::open(&storage)).unwrap();
    rt.block_on(revitpy_registry::indexer::rebuild(parts.store.as_ref(), &parts.search)).unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let registry = format!("http://{}", listener.local_addr().unwrap());
    let options = revitpy_registry::serve::Options {
        admin_token: Some(ADMIN.into()),
        max_upload_bytes: 100 << 20,
        cdn_base_url: None,
        scan_block: Some(revitpy_scan::report::Severity::Critical),
        metrics: true,
        snapshot_max_lag: 1000,
    };
    rt.spawn(revitpy_registry::serve::serve(listener, parts, options, std::future::pending()));

    // A package with 3 dependencies: bench-a -> bench-b -> bench-c -> bench-d,
    // each signed by its publisher (so installs check four signatures).
    let home = work.path().join("client");
    std::fs::create_dir_all(home.join("addins/2024")).unwrap();
    let key = revitpy_sign::generate("bench").unwrap();
    let proof = revitpy_sign::sign_registration(&key, "admin").unwrap();
    let registered = rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
            .post(format!("{registry}/api/keys"))
            .bearer_auth(ADMIN)
            .json(&serde_json::json!({"public_key": key.public_key().to_openssh().unwrap(), "proof": proof}))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(registered.as_u16(), 201);
    let chain =
        [("bench-a", Some("bench-b")), ("bench-b", Some("bench-c")), ("bench-c", Some("bench-d")), ("bench-d", None)];
    let publish_signed = |name: &str, version: &str, dep: Option<&str>| {
        let file = chain_package(work.path(), name, version, dep);
        let sha256 = hex::encode(sha2::Sha256::digest(std::fs::read(&file).unwrap()));
        let statement = revitpy_sign::Statement { name: name.into(), version: version.into(), sha256 };
        let mut sig = file.clone().into_os_string();
        sig.push(".sig");
        std::fs::write(sig, revitpy_sign::sign(&key, &statement).unwrap()).unwrap();
        cli(&home, &registry, &["registry", "publish", file.to_str().unwrap()]);
    };
    for (name, dep) in chain {
        publish_signed(name, "1.0.0", dep);
    }

    // For profiling one phase by hand: keep the seeded registry up and say
    // where, instead of measuring.
    if let Some(secs) = std::env::var("CLIENT_HOLD_SECS").ok().and_then(|v| v.parse().ok()) {
        println!("registry {registry} held for {secs} s");
        std::thread::sleep(std::time::Duration::from_secs(secs));
        return;
    }

    // Full sync: the compact snapshot, and today's JSON beside it (a client
    // of its own), then the compact one again.
    let (full, r) = cli(&home, &registry, &["registry", "sync"]);
    let full_bytes = r["bytes"].as_u64().unwrap();
    let phases = |r: &serde_json::Value| {
        r["phases_ms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{} {} ms", p["phase"].as_str().unwrap(), p["ms"]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let full_phases = phases(&r);
    assert_eq!(r["packages"].as_u64().unwrap(), packages as u64 + 4);
    let json_home = work.path().join("client-json");
    let (json_full, out) =
        cli_with(&json_home, &registry, &["registry", "sync", "--json"], &[("REVITPY_SNAPSHOT_FORMAT", "json")]);
    let json_r = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
    let json_bytes = json_r["bytes"].as_u64().unwrap();
    let json_phases = phases(&json_r);
    let (full_again, r) = cli(&home, &registry, &["registry", "sync", "--rebuild-index"]);
    let again_phases = phases(&r);

    // One change among 100,000.
    publish_signed("bench-d", "1.0.1", None);
    let (incremental, r) = cli(&home, &registry, &["registry", "sync"]);
    let incremental_bytes = r["bytes"].as_u64().unwrap();
    assert_eq!(r["changed_packages"], 1);
    let (nothing, r) = cli(&home, &registry, &["registry", "sync"]);
    assert_eq!(r["up_to_date"], true);
    let nothing_bytes = r["bytes"].as_u64().unwrap();
    // A full sync now gets the kept snapshot, a change behind
    // (SNAPSHOT_MAX_LAG): it follows the change feed from there.
    let (full_behind, r) = cli(&home, &registry, &["registry", "sync", "--rebuild-index"]);
    let behind_phases = phases(&r);
    assert_eq!(r["packages"].as_u64().unwrap(), packages as u64 + 4);

    // Offline search over the synced index.
    let mut search = Vec::new();
    for (q, year) in generated_queries(100, 9) {
        let mut args = vec!["registry", "search", q.as_str(), "--offline"];
        let y = year.map(|y| y.to_string());
        if let Some(y) = &y {
            args.extend(["--revit-version", y.as_str()]);
        }
        search.push(ms(cli(&home, &registry, &args).0));
    }

    // The baseline for the search figures, in the same run: the process
    // alone (start, parse the command line, print, exit).
    let mut bare = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_revitpy-install")).arg("--version").output().unwrap();
        assert!(out.status.success());
        bare.push(ms(t.elapsed()));
    }

    // Installs: cold cache, then warm. Verbose, to read what verification cost.
    let (cold, out) =
        cli_with(&home, &registry, &["--verbose", "registry", "install", "bench-a", "--revit-version", "2024"], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches(" installed for Revit 2024").count(), 4);
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    let entries_us = micros_after(&log, ") in ");
    let index_sig_us = micros_after(&log, "its signature in ");
    let publisher_us: u64 =
        log.lines().filter(|l| l.contains("(checked in ")).map(|l| micros_after(l, "(checked in ")).sum();
    assert_eq!(log.matches("(checked in ").count(), 4, "{log}");
    let uninstall_all = |home: &Path| {
        for n in ["bench-a", "bench-b", "bench-c", "bench-d"] {
            cli(home, &registry, &["registry", "uninstall", n, "--force"]);
        }
    };
    let mut warm = Vec::new();
    for _ in 0..20 {
        uninstall_all(&home);
        warm.push(ms(cli(&home, &registry, &["registry", "install", "bench-a"]).0));
    }
    let (_, stats) = cli(&home, &registry, &["registry", "cache", "--stats"]);

    println!("packages: {packages} (+4 real ones); client on loopback, every figure a full CLI run");
    println!("| figure | goal | measured |");
    println!("| --- | --- | --- |");
    println!("| install with 3 dependencies, cold cache | < 300 ms | {:.0} ms |", ms(cold));
    println!("| install with 3 dependencies, warm cache (median of 20) | < 50 ms | {:.0} ms |", pct(warm.clone(), 0.5));
    println!(
        "| incremental sync, 1 change | < 100 ms, < 10 KB | {:.0} ms, {incremental_bytes} bytes |",
        ms(incremental)
    );
    println!("| sync with nothing new (304) | | {:.0} ms, {nothing_bytes} bytes |", ms(nothing));
    println!(
        "| full sync, compact snapshot: the first, then `--rebuild-index` at the same serial | < 1 s, < 15 MB | {:.2} s and {:.2} s, {:.1} MB |",
        full.as_secs_f64(),
        full_again.as_secs_f64(),
        full_bytes as f64 / 1e6
    );
    println!(
        "| full sync, JSON snapshot (baseline, same run) | | {:.2} s, {:.1} MB |",
        json_full.as_secs_f64(),
        json_bytes as f64 / 1e6
    );
    println!(
        "| full sync, compact snapshot kept by the server one change ago (the client follows the feed) | < 1 s | {:.2} s |",
        full_behind.as_secs_f64()
    );
    println!(
        "| where a full sync's time went (compact, first run; its download is the server making a snapshot unless it kept one) | | {full_phases} |"
    );
    println!("| the same, JSON | | {json_phases} |");
    println!("| the same, compact, kept by the server | | {again_phases} |");
    println!("| the same, kept one change ago | | {behind_phases} |");
    println!(
        "| verification in the cold install (4 signed packages) | < 1 ms a package beyond hashing | {:.0} µs a package: entries against the signed index {entries_us} µs, its signature {index_sig_us} µs, 4 publisher signatures {publisher_us} µs |",
        (entries_us + index_sig_us + publisher_us) as f64 / 4.0
    );
    println!(
        "| offline search p50 / p99 (100 queries) | p99 < 10 ms | {:.1} ms / {:.1} ms |",
        pct(search.clone(), 0.5),
        pct(search, 0.99)
    );
    println!(
        "| baseline: `revitpy-install --version`, p50 / p99 (100 runs) | | {:.1} ms / {:.1} ms |",
        pct(bare.clone(), 0.5),
        pct(bare, 0.99)
    );
    println!(
        "| cache hit rate, 21 installs of the 4-package set (first one cold) | ≥ 95% | {:.1}% ({} hits, {} misses) |",
        stats["hit_rate"].as_f64().unwrap() * 100.0,
        stats["hits"],
        stats["misses"]
    );
}
