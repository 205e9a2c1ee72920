//! Fake registries: an axum app on a free loopback port that answers what
//! a test scripts (endless bodies, wrong statuses, hostile text) and
//! records every request it sees. Dropping it ends everything it runs,
//! requests still in progress included.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// A request as the fake registry saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub uri: String,
    pub authorization: Option<String>,
}

pub struct FakeRegistry {
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeRegistry {
    /// Serves `app` (bound before this returns: no sleeping in tests).
    pub fn start(app: Router) -> FakeRegistry {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let app = app.layer(axum::middleware::from_fn(move |req: Request, next: Next| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(Seen {
                    method: req.method().to_string(),
                    uri: req.uri().to_string(),
                    authorization: req
                        .headers()
                        .get(axum::http::header::AUTHORIZATION)
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                });
                next.run(req).await
            }
        }));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        FakeRegistry { base: format!("http://{addr}"), seen, runtime: Some(runtime) }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests went to paths starting with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.seen().iter().filter(|s| s.uri.starts_with(prefix)).count()
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// `head`, then `fill` bytes in 64 KiB chunks until `total` bytes were
/// sent (without announcing a length), then `tail`.
pub fn long_body(head: &'static str, fill: u8, total: u64, tail: &'static str) -> Body {
    const CHUNK: u64 = 64 * 1024;
    let chunks = total.saturating_sub(head.len() as u64) / CHUNK;
    let head = futures_util::stream::once(async move { Ok::<_, Infallible>(Bytes::from_static(head.as_bytes())) });
    let fill = futures_util::stream::iter((0..chunks).map(move |_| Ok(Bytes::from(vec![fill; CHUNK as usize]))));
    let tail = futures_util::stream::once(async move { Ok(Bytes::from_static(tail.as_bytes())) });
    Body::from_stream(futures_util::StreamExt::chain(futures_util::StreamExt::chain(head, fill), tail))
}

/// `/api/index/roots` and `/api/index/signed` for a fake whose index holds
/// `packages` (index entries as JSON) at `serial`, signed with a key made
/// for it: what a registry needs for a client to accept its index.
pub fn signed_index(packages: &[serde_json::Value], serial: i64) -> Router {
    signed_index_at(packages, move || serial)
}

/// [`signed_index`] whose document is signed again on each request, at the
/// serial `serial` answers then (a registry that moves on).
pub fn signed_index_at(
    packages: &[serde_json::Value],
    serial: impl Fn() -> i64 + Clone + Send + Sync + 'static,
) -> Router {
    use revitpy_sign::index::{BINS, IndexMeta, Root, bin_digest, bin_of, entry_digest, index_digest, seal};
    let key = revitpy_sign::generate("fake registry").unwrap();
    let root = seal(&Root::new(1, key.public_key(), 0), &[&key]).unwrap();
    let mut bins = vec![std::collections::BTreeMap::new(); BINS];
    for p in packages {
        let p: revitpy_api::IndexPackage = serde_json::from_value(p.clone()).unwrap();
        bins[bin_of(&p.normalized_name)].insert(p.normalized_name.clone(), entry_digest(&p));
    }
    let digests: Vec<_> = bins.iter().map(|b| bin_digest(b.iter().map(|(n, d)| (n.as_str(), d)))).collect();
    let digest = hex::encode(index_digest(&digests));
    let count = packages.len() as u64;
    let sign = move || {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let meta = IndexMeta {
            kind: "index".into(),
            root_version: 1,
            serial: serial(),
            packages: count,
            digest: digest.clone(),
            issued: now,
            expires: now + 86_400,
        };
        json(serde_json::to_value(seal(&meta, &[&key]).unwrap()).unwrap())
    };
    let roots = serde_json::json!({ "roots": [root] });
    Router::new()
        .route("/api/index/roots", axum::routing::get(move || std::future::ready(json(roots.clone()))))
        .route("/api/index/signed", axum::routing::get(move || std::future::ready(sign())))
}

/// A snapshot of an empty registry at `serial`.
pub fn empty_snapshot(serial: i64) -> Response {
    json(serde_json::json!({"serial": serial, "missing": [], "packages": []}))
}

pub fn json(value: serde_json::Value) -> Response {
    axum::response::IntoResponse::into_response(axum::Json(value))
}
