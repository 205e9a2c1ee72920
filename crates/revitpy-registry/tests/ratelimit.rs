//! Rate limits per client address and per token on uploads, searches and
//! token creation: 429 with `Retry-After` and a `{"detail"}` that names the
//! setting; other requests never wait for them.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

fn server_with(env: &[(&str, &str)]) -> TestServer {
    let mut all = vec![("ADMIN_TOKEN".to_owned(), ADMIN_TOKEN.to_owned())];
    all.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    TestServer::start_with(ServerOptions { env: all, ..ServerOptions::default() })
}

async fn create_token(server: &TestServer, user: &str, from: Option<&str>) -> reqwest::Response {
    let mut req = server
        .client
        .post(server.url("/api/tokens"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"user": user, "scope": "publish"}));
    if let Some(addr) = from {
        req = req.header("x-forwarded-for", addr);
    }
    req.send().await.unwrap()
}

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_default_limits_token_creation() {
    // Nothing configured: serve's documented defaults (10 token creations a minute).
    let server = server_with(&[]);
    for i in 0..10 {
        assert_eq!(create_token(&server, &format!("user{i}"), None).await.status(), 201);
    }
    let r = create_token(&server, "one-too-many", None).await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!((1..=6).contains(&wait), "10 a minute refill one every 6 s: {wait}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("RATE_LIMIT_TOKENS"), "{body}");
    // Nothing else is limited by it.
    assert_eq!(server.get("/api/stats").await.status(), 200);
    assert_eq!(server.get("/api/packages/search?q=x").await.status(), 200);
    let (_, tokens) = server.get_json("/health").await;
    assert_eq!(tokens["status"], "ok");
}

#[tokio::test]
async fn uploads_are_limited_per_address_and_per_token() {
    let server = server_with(&[("RATE_LIMIT_UPLOADS", "2/minute"), ("TRUSTED_PROXIES", "127.0.0.1")]);
    let mut tokens = Vec::new();
    for user in ["ann", "ben"] {
        let r = create_token(&server, user, None).await;
        assert_eq!(r.status(), 201);
        tokens.push(r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned());
    }
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(build_example("wall-tools", dir.path())).unwrap();
    let upload = |token: String, from: &'static str| {
        let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("p.rpyx");
        let form = reqwest::multipart::Form::new().part("file", part);
        server
            .client
            .post(server.url("/api/packages/upload"))
            .bearer_auth(token)
            .header("x-forwarded-for", from)
            .multipart(form)
            .send()
    };
    let (ann, ben) = (tokens[0].clone(), tokens[1].clone());
    assert_eq!(upload(ann.clone(), "203.0.113.1").await.unwrap().status(), 200);
    assert_eq!(upload(ann.clone(), "203.0.113.1").await.unwrap().status(), 409, "counted, then refused for itself");
    let r = upload(ann.clone(), "203.0.113.1").await.unwrap();
    assert_eq!(r.status(), 429);
    assert!((25..=30).contains(&retry_after(&r)), "2 a minute: one every 30 s");
    // Ann's token is spent from any address; Ben from Ann's address too.
    assert_eq!(upload(ann, "203.0.113.2").await.unwrap().status(), 429);
    assert_eq!(upload(ben.clone(), "203.0.113.1").await.unwrap().status(), 429);
    // Ben from his own address passes the limit (and meets the owner rule).
    assert_eq!(upload(ben, "203.0.113.2").await.unwrap().status(), 403);
    assert_eq!(server.get("/api/packages/wall-tools").await.status(), 200);
}

#[tokio::test]
async fn a_client_cannot_claim_another_address_without_a_trusted_proxy() {
    let server = server_with(&[("RATE_LIMIT_SEARCHES", "3/second")]);
    let search = |from: String| {
        server.client.get(server.url("/api/packages/search?q=wall")).header("x-forwarded-for", from).send()
    };
    for i in 0..3 {
        assert_eq!(search(format!("198.51.100.{i}")).await.unwrap().status(), 200);
    }
    // A new X-Forwarded-For from an untrusted peer is the same client.
    let r = search("198.51.100.99".into()).await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(retry_after(&r), 1);
    // The bucket refills at the configured rate.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(search("198.51.100.99".into()).await.unwrap().status(), 200);
}

#[test]
fn a_bad_rate_stops_serve_with_the_setting_named() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_revitpy-registry"))
        .args(["serve", "--port", "0"])
        .env("RATE_LIMIT_UPLOADS", "lots")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("RATE_LIMIT_UPLOADS") && err.contains("N/minute"), "{err}");
}

/// The Redis the tests use (`REVITPY_TEST_REDIS_URL`, set by `.ci/run`);
/// `None` skips, except under CI, where its absence is a failure.
fn test_redis() -> Option<String> {
    match std::env::var("REVITPY_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(std::env::var_os("CI").is_none(), "CI is set but REVITPY_TEST_REDIS_URL is not");
            eprintln!("skipped: REVITPY_TEST_REDIS_URL is not set");
            None
        }
    }
}

/// A prefix no other test run uses, so runs beside each other on one Redis
/// do not share buckets.
fn unique_prefix() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("test-{}-{nanos}:", std::process::id())
}

async fn search_status(server: &TestServer) -> u16 {
    server.get("/api/packages/search?q=walls").await.status().as_u16()
}

#[tokio::test]
async fn replicas_with_redis_limit_together_and_without_it_alone() {
    let Some(redis) = test_redis() else { return };
    let prefix = unique_prefix();
    let shared =
        [("RATE_LIMIT_SEARCHES", "3/minute"), ("REDIS_URL", redis.as_str()), ("REDIS_PREFIX", prefix.as_str())];
    let (a, b) = (server_with(&shared), server_with(&shared));
    // Three searches from this address, on either replica, then none.
    assert_eq!([search_status(&a).await, search_status(&b).await, search_status(&a).await], [200, 200, 200]);
    let r = b.get("/api/packages/search?q=walls").await;
    assert_eq!(r.status(), 429, "the other replica counted the first three");
    assert!((1..=20).contains(&retry_after(&r)), "3 a minute refill one every 20 s");
    assert_eq!(search_status(&a).await, 429);

    // Without Redis, each replica allows three of its own.
    let alone = [("RATE_LIMIT_SEARCHES", "3/minute")];
    let (c, d) = (server_with(&alone), server_with(&alone));
    for server in [&c, &d] {
        for _ in 0..3 {
            assert_eq!(search_status(server).await, 200);
        }
        assert_eq!(search_status(server).await, 429);
    }
}

#[tokio::test]
async fn a_redis_that_stops_answering_leaves_each_replica_limiting_alone() {
    let Some(redis) = test_redis() else { return };
    // A Redis of this test's own, stopped half-way: a real server on a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Ok(mut own) = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .spawn()
    else {
        assert!(std::env::var_os("CI").is_none(), "CI is set but redis-server cannot be started");
        eprintln!("skipped: redis-server is not installed ({redis} is not ours to stop)");
        return;
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "redis-server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!("redis://127.0.0.1:{port}");
    let server = server_with(&[("RATE_LIMIT_SEARCHES", "2/minute"), ("REDIS_URL", url.as_str())]);
    assert_eq!(search_status(&server).await, 200);
    let _ = own.kill();
    let _ = own.wait();
    // Redis gone: the replica's own bucket (full) takes over, then limits.
    assert_eq!(search_status(&server).await, 200);
    assert_eq!(search_status(&server).await, 200);
    assert_eq!(search_status(&server).await, 429);
    // Nothing else waits for the missing Redis.
    assert_eq!(server.get("/api/stats").await.status(), 200);
}

#[tokio::test]
async fn a_redis_url_that_does_not_answer_stops_the_start_with_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let out = admin_command(dir.path())
        .arg("serve")
        .env("PORT", "0")
        .env("REDIS_URL", format!("redis://127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("REDIS_URL: Redis cannot be reached"), "{err}");
    assert!(err.contains("unset it"), "{err}");
}
