//! A hostile mirror in front of the real registry: it forwards every
//! request and answer, and a test may change answers on the way (replay an
//! old one, rewrite a hash, drop a field), as a compromised mirror, CDN or
//! proxy could. Compact snapshots are decompressed for the rewrite and
//! compressed again, so a rewrite sees JSON text wherever it goes.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// Given the path and query and the answer's body (decompressed), returns
/// a replacement body, or `None` to pass it on unchanged.
type Rewrite = Arc<dyn Fn(&str, &[u8]) -> Option<Vec<u8>> + Send + Sync>;

#[derive(Clone)]
struct Shared {
    upstream: String,
    http: reqwest::Client,
    rewrite: Arc<Mutex<Option<Rewrite>>>,
}

pub struct Mirror {
    pub base: String,
    rewrite: Arc<Mutex<Option<Rewrite>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Mirror {
    pub fn start(upstream: &str) -> Mirror {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let rewrite: Arc<Mutex<Option<Rewrite>>> = Arc::new(Mutex::new(None));
        let shared = Shared { upstream: upstream.to_owned(), http: reqwest::Client::new(), rewrite: rewrite.clone() };
        let app = Router::new().fallback(forward).with_state(shared);
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        Mirror { base: format!("http://{addr}"), rewrite, runtime: Some(runtime) }
    }

    /// From now on, answers go through `f`.
    pub fn rewrite(&self, f: impl Fn(&str, &[u8]) -> Option<Vec<u8>> + Send + Sync + 'static) {
        *self.rewrite.lock().unwrap() = Some(Arc::new(f));
    }

    /// An honest mirror again.
    pub fn honest(&self) {
        *self.rewrite.lock().unwrap() = None;
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn forward(State(s): State<Shared>, req: Request) -> Response {
    let uri = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let method = req.method().clone();
    let mut headers = HeaderMap::new();
    for (k, v) in req.headers() {
        if k != header::HOST {
            headers.insert(k.clone(), v.clone());
        }
    }
    let body = axum::body::to_bytes(req.into_body(), 200 * 1024 * 1024).await.unwrap();
    let answer =
        s.http.request(method, format!("{}{uri}", s.upstream)).headers(headers).body(body).send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let mut out_headers = HeaderMap::new();
    for name in [header::CONTENT_TYPE, header::ETAG, header::CACHE_CONTROL, header::LOCATION, header::RETRY_AFTER] {
        if let Some(v) = answer.headers().get(name.as_str()) {
            out_headers.insert(name, HeaderValue::from_bytes(v.as_bytes()).unwrap());
        }
    }
    let zstd_body =
        out_headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/zstd"));
    let mut bytes: Bytes = answer.bytes().await.unwrap();
    let rewrite = s.rewrite.lock().unwrap().clone();
    if let Some(f) = rewrite {
        let plain = if zstd_body { zstd::decode_all(&bytes[..]).unwrap() } else { bytes.to_vec() };
        if let Some(new) = f(&uri, &plain) {
            bytes = if zstd_body { zstd::encode_all(&new[..], 3).unwrap().into() } else { new.into() };
        }
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = out_headers;
    response
}

/// `text` with every `from` replaced by `to` (bytes).
pub fn replace(text: &[u8], from: &str, to: &str) -> Vec<u8> {
    String::from_utf8_lossy(text).replace(from, to).into_bytes()
}
