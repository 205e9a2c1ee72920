//! `/metrics` and `/api/stats` count what users did: requests by route and
//! status, downloads per package, uploads by outcome and scan verdict, store
//! timings; every label stays in a bounded set whatever clients send.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;

/// Runs code it decodes first: critical, refused at the default policy.
const DECODED_EXEC: &str = "import base64\nexec(base64.b64decode(\"cHJpbnQoMSk=\"))\n";

/// The samples of a scrape: `name{labels}` to value (no comments, no `# EOF`).
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').expect("a sample is `name value`");
            (key.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

async fn scrape(server: &TestServer) -> (String, BTreeMap<String, f64>) {
    let r = server.get("/metrics").await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/openmetrics-text; version=1.0.0"), "{ct}");
    let text = r.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "an OpenMetrics scrape ends with # EOF");
    let parsed = samples(&text);
    (text, parsed)
}

fn value(samples: &BTreeMap<String, f64>, key: &str) -> f64 {
    *samples.get(key).unwrap_or_else(|| panic!("no sample {key}; have:\n{:#?}", samples.keys().collect::<Vec<_>>()))
}

#[tokio::test]
async fn metrics_and_stats_count_what_clients_did() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let good = build_example("wall-tools", dir.path());
    let bad = build_source(dir.path(), "sneaky-tools", &[("sneaky_tools/__init__.py", DECODED_EXEC)]);

    assert_eq!(server.upload(&good, Some(ADMIN_TOKEN)).await.0, 200);
    assert_eq!(server.upload(&good, Some(ADMIN_TOKEN)).await.0, 409);
    assert_eq!(server.upload(&bad, Some(ADMIN_TOKEN)).await.0, 422);
    assert_eq!(server.upload(&good, None).await.0, 401);
    for _ in 0..3 {
        assert_eq!(server.get("/api/packages/search?q=wall").await.status(), 200);
    }
    for _ in 0..2 {
        let r = server.get("/api/packages/wall-tools/1.2.0/download").await;
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    }
    // A probe (a range) is not a download.
    let r =
        server.client.get(server.url("/api/packages/wall-tools/1.2.0/download")).header("range", "bytes=0-0").send();
    assert_eq!(r.await.unwrap().status(), 206);
    assert_eq!(server.get("/no/such/endpoint").await.status(), 404);

    let (text, s) = scrape(&server).await;
    let search = r#"revitpy_http_requests_total{route="/api/packages/search",method="GET",status="200"}"#;
    assert_eq!(value(&s, search), 3.0);
    assert_eq!(value(&s, r#"revitpy_http_request_duration_seconds_count{route="/api/packages/search"}"#), 3.0);
    let download =
        r#"revitpy_http_requests_total{route="/api/packages/{name}/{version}/download",method="GET",status="200"}"#;
    assert_eq!(value(&s, download), 2.0);
    assert_eq!(value(&s, r#"revitpy_http_requests_total{route="unmatched",method="GET",status="404"}"#), 1.0);
    assert_eq!(value(&s, r#"revitpy_http_errors_total{route="unmatched",class="client"}"#), 1.0);
    assert_eq!(value(&s, r#"revitpy_downloads_total{package="wall-tools"}"#), 2.0);
    for (outcome, n) in [("published", 1.0), ("conflict", 1.0), ("refused_by_scan", 1.0), ("unauthorized", 1.0)] {
        assert_eq!(value(&s, &format!(r#"revitpy_uploads_total{{outcome="{outcome}"}}"#)), n, "{outcome}");
    }
    // The conflict is refused before the scan; the refused package was scanned.
    assert_eq!(value(&s, r#"revitpy_upload_scans_total{risk_level="critical"}"#), 1.0);
    let scans: f64 = s.iter().filter(|(k, _)| k.starts_with("revitpy_upload_scans_total")).map(|(_, v)| v).sum();
    assert_eq!(scans, 2.0);
    assert!(value(&s, r#"revitpy_store_operation_duration_seconds_count{operation="publish"}"#) >= 1.0);
    assert!(value(&s, r#"revitpy_storage_operation_duration_seconds_count{operation="put_file"}"#) >= 1.0);
    assert_eq!(value(&s, "revitpy_scan_queue_waiting"), 0.0);
    assert_eq!(value(&s, "revitpy_scan_queue_running"), 0.0);
    assert!(value(&s, "revitpy_process_resident_memory_bytes") > 1_000_000.0);
    // The connection pool, on PostgreSQL only (SQLite has none).
    if backend() == Backend::Postgres {
        assert_eq!(value(&s, r#"revitpy_database_connections{state="max"}"#), 16.0, "DATABASE_POOL_SIZE's default");
        let (open, idle) = (
            value(&s, r#"revitpy_database_connections{state="open"}"#),
            value(&s, r#"revitpy_database_connections{state="idle"}"#),
        );
        assert!(open >= 1.0 && idle <= open, "open {open}, idle {idle}");
    } else {
        assert!(!text.contains("revitpy_database_connections{"), "{text}");
    }
    assert!(text.contains(&format!(r#"revitpy_build_info{{version="{}""#, env!("CARGO_PKG_VERSION"))), "{text}");

    // The same story for people without Prometheus (download counts are
    // written in batches: wait for them).
    let stats = eventually(Duration::from_secs(10), || async {
        let (status, stats) = server.get_json("/api/stats").await;
        assert_eq!(status, 200);
        (stats["total_downloads"] == 2).then_some(stats)
    })
    .await;
    assert_eq!(stats["downloads_since_start"], 2);
    assert_eq!(stats["top_downloads"], serde_json::json!([{"name": "wall-tools", "downloads": 2}]));
    assert_eq!(stats["search_performance"]["searches"], 3);
    assert_eq!(stats["search_performance"]["window_seconds"], 300);
    let p50 = stats["search_performance"]["p50_ms"].as_f64().unwrap();
    let p99 = stats["search_performance"]["p99_ms"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= p99, "{p50} {p99}");
    let errors = &stats["error_rate"];
    assert!(errors["requests"].as_u64().unwrap() >= 10, "{errors}");
    assert_eq!(errors["client_errors"], 4, "409, 422, 401, 404: {errors}");
    assert_eq!(errors["server_errors"], 0);
    assert_eq!(errors["rate"], 0.0);
    let scans = &stats["scan_results"];
    assert_eq!(scans["refused_since_start"], 1);
    let stored = ["passed", "warning", "failed", "pending"].iter().map(|k| scans[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(stored, 1, "{scans}");
    // The original's fields are still there.
    assert_eq!(stats["total_packages"], 1);
    assert_eq!(stats["package_types"], 1);
}

#[tokio::test]
async fn clients_cannot_grow_the_series() {
    let server = TestServer::start();
    for i in 0..300 {
        let method = reqwest::Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
        let r = server.client.request(method, server.url(&format!("/random/path-{i}"))).send().await.unwrap();
        assert!(r.status().is_client_error());
        let r = server.get(&format!("/api/packages/no-such-{i}")).await;
        assert_eq!(r.status(), 404);
    }
    let (_, s) = scrape(&server).await;
    let requests: Vec<&String> = s.keys().filter(|k| k.starts_with("revitpy_http_requests_total")).collect();
    assert!(requests.len() <= 4, "300 paths and methods make a few series, not hundreds: {requests:#?}");
    assert_eq!(
        value(&s, r#"revitpy_http_requests_total{route="/api/packages/{name}",method="GET",status="404"}"#),
        300.0
    );
    assert_eq!(value(&s, r#"revitpy_http_requests_total{route="unmatched",method="other",status="404"}"#), 300.0);
}

#[tokio::test]
async fn metrics_can_be_turned_off() {
    let mut options = ServerOptions::default();
    options.env.push(("METRICS".into(), "false".into()));
    let server = TestServer::start_with(options);
    let (status, body) = server.get_json("/metrics").await;
    assert_eq!(status, 404);
    assert!(body["detail"].as_str().unwrap().contains("METRICS=false"), "{body}");
    let (status, stats) = server.get_json("/api/stats").await;
    assert_eq!(status, 200);
    assert_eq!(stats["total_packages"], 0);
    assert_eq!(stats["error_rate"]["requests"], 0, "nothing is counted when metrics are off");
}

#[tokio::test]
async fn behind_a_cdn_only_whole_file_gets_are_counted() {
    let mut options = ServerOptions::default();
    options.env.push(("CDN_BASE_URL".into(), "http://127.0.0.1:9/cdn".into()));
    let server = TestServer::start_with(options);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await.0, 200);
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = server.url("/api/packages/wall-tools/1.2.0/download");
    let ranged = no_redirects.get(&url).header("range", "bytes=0-99").send().await.unwrap();
    assert_eq!(ranged.status(), 302);
    let whole = no_redirects.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), 302);
    let (_, s) = scrape(&server).await;
    assert_eq!(value(&s, r#"revitpy_downloads_total{package="wall-tools"}"#), 1.0, "the ranged GET is a probe");
}
