//! The client against registries that misbehave: endless or huge bodies,
//! statuses nobody asked for. Each fake registry is an axum app on a free
//! loopback port inside the test's runtime; every call is bounded in time.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use revitpy_client::{ClientError, Limits, RegistryClient};

/// Serves `app` on 127.0.0.1:0 (bound before the test goes on); stops with the test's runtime.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A body that never ends: 8 KiB of `fill` after `head`, again and again.
fn endless(head: &'static str, fill: u8) -> Body {
    let first = futures_util::stream::once(async move { Ok::<_, Infallible>(Bytes::from_static(head.as_bytes())) });
    let rest = futures_util::stream::repeat_with(move || Ok(Bytes::from(vec![fill; 8192])));
    Body::from_stream(futures_util::StreamExt::chain(first, rest))
}

const SMALL: Limits = Limits { json_bytes: 64 * 1024, error_body_bytes: 4 * 1024, snapshot_bytes: 1024 * 1024 };

async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("the client gave up in time")
}

#[tokio::test]
async fn a_json_answer_past_its_cap_is_refused() {
    let app = Router::new()
        .route("/api/packages/search", get(|| async { endless(r#"{"query":"x","results":["#, b' ') }))
        .route(
            "/api/packages/{name}",
            get(|| async {
                // Announced too large: refused before the body is read.
                ([(header::CONTENT_TYPE, "application/json")], vec![b' '; 100 * 1024]).into_response()
            }),
        );
    let client = RegistryClient::new(&serve(app).await).unwrap().with_limits(SMALL);
    let e = bounded(client.search("x", None, None, 20)).await.err().unwrap();
    assert!(matches!(e, ClientError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("the registry's answer to /api/packages/search exceeded 64 KiB"), "{e}");
    let e = bounded(client.package("big")).await.err().unwrap();
    assert!(e.to_string().contains("/api/packages/big exceeded 64 KiB"), "{e}");
}

#[tokio::test]
async fn an_endless_error_body_is_cut_short() {
    let app = Router::new().route(
        "/api/packages/{name}",
        get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, endless("oops ", b'x')).into_response() }),
    );
    let client = RegistryClient::new(&serve(app).await).unwrap().with_limits(SMALL);
    let e = bounded(client.package("any")).await.err().unwrap();
    assert_eq!(e.status(), Some(500), "{e}");
    let text = e.to_string();
    assert!(text.starts_with("the registry answered 500: oops xxx"), "{text}");
    assert!(text.len() < 1_000, "{} characters", text.len());
}

#[tokio::test]
async fn a_long_detail_is_shortened_to_one_screen() {
    let app = Router::new().route(
        "/api/packages/{name}",
        get(|| async {
            let detail = "d".repeat(50_000);
            (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({ "detail": detail }))).into_response()
        }),
    );
    // Default caps: the whole 50 KB body fits, the detail shown does not.
    let client = RegistryClient::new(&serve(app).await).unwrap();
    let e = bounded(client.package("any")).await.err().unwrap();
    let ClientError::Status { status: 404, detail } = &e else { panic!("{e}") };
    assert_eq!(detail.chars().count(), revitpy_client::limits::MAX_DETAIL_CHARS + 3);
}

#[tokio::test]
async fn a_304_nobody_asked_for_is_an_error() {
    let app = Router::new()
        .route("/api/index/snapshot", get(|| async { StatusCode::NOT_MODIFIED }))
        .route("/api/changes", get(|| async { StatusCode::NOT_MODIFIED }));
    let client = RegistryClient::new(&serve(app).await).unwrap();
    let e = bounded(client.snapshot_to(&mut Vec::new(), false)).await.err().unwrap();
    assert!(e.to_string().contains("answered 304 to /api/index/snapshot, which this client did not ask for"), "{e}");
    let e = bounded(client.changes(3, None)).await.err().unwrap();
    assert!(matches!(e, ClientError::UnexpectedStatus { status: 304, .. }), "{e}");
    // With an ETag sent, 304 is the answer "nothing new".
    assert!(bounded(client.changes(3, Some("\"x\""))).await.unwrap().is_none());
}

#[tokio::test]
async fn the_snapshot_stops_at_its_cap() {
    let app =
        Router::new().route("/api/index/snapshot", get(|| async { endless(r#"{"serial":1,"packages":["#, b' ') }));
    let client = RegistryClient::new(&serve(app).await).unwrap().with_limits(SMALL);
    let mut out = Vec::new();
    let e = bounded(client.snapshot_to(&mut out, false)).await.err().unwrap();
    assert!(e.to_string().contains("the registry's answer to /api/index/snapshot exceeded 1 MiB"), "{e}");
    assert!(out.len() <= 1024 * 1024, "{} bytes kept", out.len());
}

#[test]
fn a_token_goes_in_clear_text_only_to_this_machine() {
    let remote = RegistryClient::new("http://10.255.255.1:9").unwrap();
    let e = remote.clone().with_token("secret".into(), false).err().unwrap();
    assert!(matches!(e, ClientError::InsecureToken { .. }), "{e}");
    assert!(e.to_string().contains("over plain http") && !e.to_string().contains("secret"), "{e}");
    assert!(remote.with_token("secret".into(), true).is_ok());
    for ok in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://registry.example.com"] {
        assert!(RegistryClient::new(ok).unwrap().with_token("secret".into(), false).is_ok(), "{ok}");
    }
}
