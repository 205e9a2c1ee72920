//! The client against registries that misbehave on purpose: a status
//! nobody asked for, a change feed that never ends, answers that never
//! come or never stop, text that would drive the terminal. Each registry is
//! a fake on a free loopback port; each client run has a time limit, so a
//! client that hangs fails the test instead of hanging it.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use support::fake::{FakeRegistry, empty_snapshot, long_body, signed_index, signed_index_at};
use support::{Home, run_bounded, run_watched, text};

#[derive(serde::Deserialize)]
struct Since {
    since: i64,
}

#[test]
fn a_304_to_the_snapshot_is_an_error_not_a_crash() {
    let fake = FakeRegistry::start(
        Router::new().route("/api/index/snapshot", get(|| async { StatusCode::NOT_MODIFIED.into_response() })),
    );
    let home = Home::new();
    let o = home.run(&fake.base, &["registry", "sync"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("answered 304 to /api/index/snapshot, which this client did not ask for"), "{err}");
    assert!(err.contains("the local index was left as it was"), "{err}");
}

#[test]
fn a_broken_snapshot_leaves_the_index_as_it_was() {
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let switch = broken.clone();
    let fake = FakeRegistry::start(
        Router::new()
            .route(
                "/api/index/snapshot",
                get(move || {
                    let broken = switch.load(std::sync::atomic::Ordering::SeqCst);
                    async move {
                        let entry = r#"{"name":"a","normalized_name":"a","download_count":0,"versions":[]}"#;
                        if broken {
                            // Valid entries, then the answer breaks off.
                            format!(r#"{{"serial":2,"packages":[{entry},{entry},{{"name":"#).into_response()
                        } else {
                            format!(r#"{{"serial":1,"packages":[{entry}]}}"#).into_response()
                        }
                    }
                }),
            )
            .merge(signed_index(&[json!({"name":"a","normalized_name":"a","download_count":0,"versions":[]})], 1)),
    );
    let home = Home::new();
    home.ok(&fake.base, &["registry", "sync"]);
    let packages = || {
        let db = rusqlite::Connection::open(home.path().join("cache/index/index.db")).unwrap();
        db.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    assert_eq!(packages(), 1);
    broken.store(true, std::sync::atomic::Ordering::SeqCst);
    // A new registry URL for the same fake forces a full sync; then --rebuild-index.
    let same_fake = fake.base.replace("127.0.0.1", "localhost");
    for (registry, args) in
        [(&same_fake, vec!["registry", "sync"]), (&fake.base, vec!["registry", "sync", "--rebuild-index"])]
    {
        let o = home.run(registry, &args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("the index snapshot is not what this client understands"), "{err}");
        assert_eq!(packages(), 1, "{args:?}");
    }
}

/// A fake whose snapshot is empty at serial 1, and whose change feed answers `changes`.
fn with_feed(changes: Router) -> (FakeRegistry, Home) {
    let fake = FakeRegistry::start(
        Router::new()
            .route("/api/index/snapshot", get(|| async { empty_snapshot(1) }))
            .merge(changes)
            .merge(signed_index(&[], 1)),
    );
    let home = Home::new();
    home.ok(&fake.base, &["registry", "sync"]);
    (fake, home)
}

#[test]
fn a_change_feed_that_says_more_without_advancing_is_refused() {
    let (fake, home) = with_feed(Router::new().route(
        "/api/changes",
        get(|| async { support::fake::json(json!({"serial": 9, "changes": [], "more": true})) }),
    ));
    let o = home.run(&fake.base, &["registry", "sync"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("said more changes follow but sent none after serial 1"), "{err}");
    assert_eq!(fake.count("/api/changes"), 1);
}

#[test]
fn a_change_feed_that_never_ends_is_cut_off() {
    // Every page advances by one and says "more": endless, but never stuck.
    let (fake, home) = with_feed(Router::new().route(
        "/api/changes",
        get(|Query(q): Query<Since>| async move {
            let change = json!({"serial": q.since + 1, "name": "p", "kind": "publish", "version": "1.0", "at": "now"});
            support::fake::json(json!({"serial": q.since + 1_000_000, "changes": [change], "more": true}))
        }),
    ));
    let o = run_bounded(home.cmd(&fake.base, &["registry", "sync"]), Duration::from_secs(120));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("still said more changes follow after 1000 pages"), "{err}");
    assert!(err.contains("--rebuild-index"), "{err}");
    assert_eq!(fake.count("/api/changes"), 1_000);
}

/// A registry whose signed document is always newer than the changes it
/// sends: the sync follows it a bounded number of times, then stops, and
/// keeps nothing.
#[test]
fn a_registry_that_never_settles_is_followed_a_bounded_number_of_times() {
    let signed = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let serial = {
        let signed = signed.clone();
        // Each document is two changes past the last one the feed sends.
        move || signed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 3
    };
    let fake = FakeRegistry::start(
        Router::new()
            .route("/api/index/snapshot", get(|| async { empty_snapshot(1) }))
            .route(
                "/api/changes",
                get(|Query(q): Query<Since>| async move {
                    let change =
                        json!({"serial": q.since + 1, "name": "p", "kind": "publish", "version": "1.0", "at": "now"});
                    support::fake::json(json!({"serial": q.since + 1, "changes": [change], "more": false}))
                }),
            )
            .route(
                "/api/index/packages",
                get(|| async { support::fake::json(json!({"serial": 1, "packages": [], "missing": ["p"]})) }),
            )
            .merge(signed_index_at(&[], serial)),
    );
    let home = Home::new();
    let o = run_bounded(home.cmd(&fake.base, &["registry", "sync"]), Duration::from_secs(60));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the registry changed on each of 10 attempts to match its signed index"), "{err}");
    assert!(err.contains("the local index was left as it was"), "{err}");
    assert_eq!(fake.count("/api/index/signed"), 10);
    assert!(!home.path().join("cache/index/index.db").exists(), "a first sync that failed left an index");
}

#[test]
fn a_sync_that_takes_too_long_stops_at_its_deadline() {
    // The snapshot never comes.
    let fake = FakeRegistry::start(
        Router::new().route("/api/index/snapshot", get(|| async { std::future::pending::<Response>().await })),
    );
    let home = Home::new();
    let mut cmd = home.cmd(&fake.base, &["registry", "sync"]);
    cmd.env("REVITPY_SYNC_TIMEOUT", "2");
    let started = Instant::now();
    let o = run_bounded(cmd, Duration::from_secs(30));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("took longer than 2 s (REVITPY_SYNC_TIMEOUT)"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
}

#[test]
fn background_syncs_do_not_pile_up() {
    // The snapshot is held back until the test lets it go.
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let held = gate.clone();
    let fake = FakeRegistry::start(
        Router::new()
            .route(
                "/api/index/snapshot",
                get(move || {
                    let held = held.clone();
                    async move {
                        let _ = held.acquire().await;
                        empty_snapshot(1)
                    }
                }),
            )
            .route(
                "/api/packages/search",
                get(|| async {
                    support::fake::json(json!({"query": "x", "results": [], "total": 0,
                        "filters": {"revit_version": null, "package_type": null}}))
                }),
            )
            .merge(signed_index(&[], 1)),
    );
    let home = Home::new();
    let mut first = home.cmd(&fake.base, &["registry", "sync", "--background"]);
    let first = first
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = KillOnDrop(first);
    let deadline = Instant::now() + Duration::from_secs(20);
    while fake.count("/api/index/snapshot") == 0 {
        assert!(first.0.try_wait().unwrap().is_none(), "the first background sync ended early");
        assert!(Instant::now() < deadline, "the first background sync never asked for the snapshot");
        std::thread::sleep(Duration::from_millis(20));
    }

    // While it runs: a second background sync stops at once, and searches
    // with a stale index start none.
    let started = Instant::now();
    let o = run_bounded(home.cmd(&fake.base, &["registry", "sync", "--background"]), Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(started.elapsed() < Duration::from_secs(5), "it waited: {:?}", started.elapsed());
    for _ in 0..3 {
        let mut search = home.cmd(&fake.base, &["registry", "search", "x"]);
        search.env("REVITPY_INDEX_MAX_AGE", "0");
        let o = run_bounded(search, Duration::from_secs(20));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }

    gate.add_permits(100);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = first.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the first background sync did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    // Nothing was waiting behind it to sync again.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(fake.count("/api/index/snapshot"), 1, "{:?}", fake.seen());
    assert_eq!(fake.count("/api/changes"), 0, "{:?}", fake.seen());
}

/// A child process this test started, killed if the test fails before it ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Peak resident memory of a running process, in bytes (Linux only).
fn peak_memory(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

#[test]
fn a_snapshot_past_its_cap_stops_the_sync_in_little_memory() {
    // 300 MiB of snapshot, more than the client's 256 MiB cap, sent without a length.
    let fake = FakeRegistry::start(Router::new().route(
        "/api/index/snapshot",
        get(|| async { long_body(r#"{"serial":1,"missing":[],"packages":["#, b' ', 300 << 20, "]}") }),
    ));
    let home = Home::new();
    let mut peak = 0;
    let (o, _) = run_watched(home.cmd(&fake.base, &["registry", "sync"]), Duration::from_secs(120), |pid| {
        peak = peak.max(peak_memory(pid).unwrap_or(0));
    });
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the registry's answer to /api/index/snapshot exceeded 256 MiB"), "{err}");
    if cfg!(target_os = "linux") {
        assert!(peak > 0 && peak < 128 << 20, "peak memory {} MiB", peak >> 20);
    }
    let left: Vec<_> = std::fs::read_dir(home.path().join("cache"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".snapshot"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

const CLEAR_SCREEN: &str = "\x1b[2J";
const SET_TITLE: &str = "\x1b]0;title\x07";

fn hostile_result() -> serde_json::Value {
    json!({
        "name": "evil\u{202e}slfdp.exe", "normalized_name": "evil", "summary": format!("{CLEAR_SCREEN}gone{SET_TITLE}\u{9b}31m"),
        "description": format!("line\nfake line{SET_TITLE}"), "latest_version": "1.0.0", "package_type": "addon",
        "performance_impact": "low", "min_revit_version": "2022", "max_revit_version": null, "download_count": 1,
        "author": SET_TITLE, "keywords": [CLEAR_SCREEN]
    })
}

fn no_terminal_controls(out: &str) -> bool {
    !out.chars().any(|c| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

async fn hostile_refusal() -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"detail": format!("no{CLEAR_SCREEN}such{SET_TITLE}\u{202e}")})))
        .into_response()
}

#[test]
fn registry_text_cannot_drive_the_terminal() {
    let fake = FakeRegistry::start(
        Router::new()
            .route(
                "/api/packages/search",
                get(|| async {
                    support::fake::json(json!({"query": "x", "results": [hostile_result()], "total": 1,
                        "filters": {"revit_version": null, "package_type": null}}))
                }),
            )
            .route("/api/index/snapshot", get(hostile_refusal))
            .route("/api/index/packages", get(hostile_refusal)),
    );
    let home = Home::new();

    let out = home.ok(&fake.base, &["registry", "search", "x"]);
    assert!(no_terminal_controls(&out), "{out:?}");
    assert!(out.contains("\\u{1b}[2Jgone\\u{1b}]0;title\\u{7}\\u{9b}31m"), "{out}");
    assert!(out.contains("evil\\u{202e}slfdp.exe"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");

    // JSON stays JSON, with the registry's strings intact once parsed.
    let out = home.ok(&fake.base, &["registry", "search", "x", "--json"]);
    assert!(no_terminal_controls(&out), "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"][0]["summary"], hostile_result()["summary"]);
    assert_eq!(v["results"][0]["name"], hostile_result()["name"]);

    // An error's detail is escaped too.
    let o = home.run(&fake.base, &["registry", "install", "evil", "--revit-version", "2024"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(no_terminal_controls(&err), "{err:?}");
    assert!(err.contains("no\\u{1b}[2Jsuch\\u{1b}]0;title\\u{7}\\u{202e}"), "{err}");
}
