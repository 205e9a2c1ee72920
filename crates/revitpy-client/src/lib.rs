//! The registry's HTTP API as typed calls, for the client and its tests.
//!
//! Errors say what a user can act on: the registry could not be reached
//! ([`ClientError::Unreachable`], which callers turn into offline mode), the
//! registry refused ([`ClientError::Status`], with its `detail`), or it
//! answered something that is not the API.
//!
//! The registry is not trusted: every body is read through a cap
//! ([`limits`]), a status the request did not ask for is an error, and a
//! token is sent only where [`registry_url`] says it may go.

mod body;
mod error;
pub mod limits;
pub mod registry_url;
pub mod snapshot;

use std::time::Duration;

use reqwest::header::{ETAG, IF_NONE_MATCH};
use reqwest::{Response, StatusCode};
use revitpy_api::{
    ChangesResponse, IndexResponse, IndexRoots, PackageDetail, SearchResponse, SignedEnvelope, UploadResponse,
};
use serde::de::DeserializeOwned;

use crate::body::BodyError;
pub use crate::error::{ClientError, ClientResult};
pub use crate::limits::Limits;
pub use crate::registry_url::{RegistryUrl, TokenTransport};

/// An answer with the number of body bytes that crossed the network.
pub struct Fetched<T> {
    pub value: T,
    pub etag: Option<String>,
    pub bytes: u64,
}

#[derive(Clone)]
pub struct RegistryClient {
    url: RegistryUrl,
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    limits: Limits,
}

impl RegistryClient {
    /// A client that sends no token (reads need none).
    pub fn new(base_url: &str) -> ClientResult<Self> {
        let url =
            RegistryUrl::parse(base_url).map_err(|reason| ClientError::Decode { url: base_url.to_owned(), reason })?;
        // rustls with ring: no OpenSSL to load (30 ms a command) and the
        // platform's certificate store (Windows' own) read only when an https
        // registry is verified. Installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("revitpy-install/", env!("CARGO_PKG_VERSION")));
        let http = builder
            .build()
            .map_err(|e| ClientError::Unreachable { url: base_url.to_owned(), reason: e.to_string() })?;
        let base = base_url.trim().trim_end_matches('/').to_owned();
        Ok(Self { url, base, http, token: None, limits: Limits::default() })
    }

    /// Sends `token` with the calls that need one (upload, token check).
    /// Over plain http to another machine the token would travel in clear
    /// text: refused here, before any connection, unless `allow_clear`.
    pub fn with_token(mut self, token: String, allow_clear: bool) -> ClientResult<Self> {
        if self.url.token_transport() == TokenTransport::Clear && !allow_clear {
            return Err(ClientError::InsecureToken { url: self.base.clone(), host: self.url.host().to_owned() });
        }
        self.token = Some(token);
        Ok(self)
    }

    /// Other caps than the defaults (tests use small ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn unreachable(&self, e: reqwest::Error) -> ClientError {
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            reason = format!("{reason}: {s}");
            source = s.source();
        }
        ClientError::Unreachable { url: self.base.clone(), reason }
    }

    fn body_error(&self, r: &Response, e: BodyError, cap: u64) -> ClientError {
        match e {
            BodyError::TooLarge => {
                ClientError::TooLarge { url: self.base.clone(), path: r.url().path().to_owned(), cap }
            }
            BodyError::Network(e) => self.unreachable(e),
            BodyError::Write(e) => ClientError::Io(e),
        }
    }

    /// Sends a request; a success comes back, anything else is an error.
    /// `conditional`: the request carries `If-None-Match`, so a 304 is an
    /// answer; without it a 304 (or any 1xx or unfollowed 3xx) is wrong.
    async fn send(&self, req: reqwest::RequestBuilder, conditional: bool) -> ClientResult<Response> {
        let mut r = req.send().await.map_err(|e| self.unreachable(e))?;
        let status = r.status();
        if status.is_success() || (conditional && status == StatusCode::NOT_MODIFIED) {
            return Ok(r);
        }
        if !(status.is_client_error() || status.is_server_error()) {
            return Err(ClientError::UnexpectedStatus {
                url: self.base.clone(),
                path: r.url().path().to_owned(),
                status: status.as_u16(),
            });
        }
        let body = body::read_prefix(&mut r, self.limits.error_body_bytes).await;
        Err(ClientError::Status { status: status.as_u16(), detail: detail(&body) })
    }

    async fn json<T: DeserializeOwned>(&self, mut r: Response) -> ClientResult<Fetched<T>> {
        let etag = r.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let cap = self.limits.json_bytes;
        let body = body::read_capped(&mut r, cap).await.map_err(|e| self.body_error(&r, e, cap))?;
        let value = serde_json::from_slice(&body)
            .map_err(|e| ClientError::Decode { url: r.url().to_string(), reason: e.to_string() })?;
        Ok(Fetched { value, etag, bytes: body.len() as u64 })
    }

    fn bearer(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn search(
        &self,
        q: &str,
        revit_version: Option<u16>,
        package_type: Option<&str>,
        limit: u32,
    ) -> ClientResult<SearchResponse> {
        let mut query = vec![("q", q.to_owned()), ("limit", limit.to_string())];
        if let Some(y) = revit_version {
            query.push(("revit_version", y.to_string()));
        }
        if let Some(t) = package_type {
            query.push(("package_type", t.to_owned()));
        }
        let r = self.send(self.http.get(self.url("/api/packages/search")).query(&query), false).await?;
        Ok(self.json(r).await?.value)
    }

    pub async fn package(&self, name: &str) -> ClientResult<PackageDetail> {
        let r = self.send(self.http.get(self.url(&format!("/api/packages/{name}"))), false).await?;
        Ok(self.json(r).await?.value)
    }

    /// Streams the whole index into `out` (a file: see [`snapshot`] for
    /// reading it back); refused past [`Limits::snapshot_bytes`]. Asks for
    /// the compact form when `compact`; the value says which form came (a
    /// registry that does not know it sends JSON).
    pub async fn snapshot_to(
        &self,
        out: &mut (impl std::io::Write + Send),
        compact: bool,
    ) -> ClientResult<Fetched<snapshot::Form>> {
        let mut req = self.http.get(self.url("/api/index/snapshot"));
        if compact {
            req = req.query(&[("format", "compact")]);
        }
        let mut r = self.send(req, false).await?;
        let etag = r.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let form = match r.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
            Some(t) if t.starts_with("application/zstd") => snapshot::Form::Compact,
            _ => snapshot::Form::Json,
        };
        let cap = self.limits.snapshot_bytes;
        let bytes = body::copy_capped(&mut r, out, cap).await.map_err(|e| self.body_error(&r, e, cap))?;
        Ok(Fetched { value: form, etag, bytes })
    }

    /// The registry's signed index document (`/api/index/signed`), at most
    /// [`limits::MAX_ENVELOPE_BYTES`] long.
    pub async fn index_signed(&self) -> ClientResult<Fetched<SignedEnvelope>> {
        let mut r = self.send(self.http.get(self.url("/api/index/signed")), false).await?;
        let cap = limits::MAX_ENVELOPE_BYTES;
        let body = body::read_capped(&mut r, cap).await.map_err(|e| self.body_error(&r, e, cap))?;
        let value = serde_json::from_slice(&body)
            .map_err(|e| ClientError::Decode { url: r.url().to_string(), reason: e.to_string() })?;
        Ok(Fetched { value, etag: None, bytes: body.len() as u64 })
    }

    /// The chain of index roots (`/api/index/roots`).
    pub async fn index_roots(&self) -> ClientResult<Fetched<IndexRoots>> {
        let r = self.send(self.http.get(self.url("/api/index/roots")), false).await?;
        self.json(r).await
    }

    /// Changes after `since`; `None` when `etag` still matches (304).
    pub async fn changes(&self, since: i64, etag: Option<&str>) -> ClientResult<Option<Fetched<ChangesResponse>>> {
        let mut req = self.http.get(self.url("/api/changes")).query(&[("since", since.to_string())]);
        if let Some(e) = etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        let r = self.send(req, etag.is_some()).await?;
        if r.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        Ok(Some(self.json(r).await?))
    }

    pub async fn index_packages(&self, names: &[String]) -> ClientResult<Fetched<IndexResponse>> {
        let req = self.http.get(self.url("/api/index/packages")).query(&[("names", names.join(","))]);
        let r = self.send(req, false).await?;
        self.json(r).await
    }

    /// Streams a package file into `out`, calling `progress` with the bytes so far.
    /// Stops with an error past `max_bytes` (a registry must not fill the disk).
    pub async fn download(
        &self,
        name: &str,
        version: &str,
        out: &mut (impl std::io::Write + Send),
        max_bytes: u64,
        progress: impl FnMut(u64) + Send,
    ) -> ClientResult<u64> {
        let path = format!("/api/packages/{name}/{version}/download");
        let mut r = self.send(self.http.get(self.url(&path)), false).await?;
        body::copy_with_progress(&mut r, out, max_bytes, progress).await.map_err(|e| match e {
            BodyError::TooLarge => ClientError::Decode {
                url: self.url(&path),
                reason: format!("the download is larger than the {max_bytes} bytes the registry announced"),
            },
            e => self.body_error(&r, e, max_bytes),
        })
    }

    /// Publishes a package file, with its detached signature (`FILE.sig`'s
    /// text) when there is one.
    pub async fn upload(
        &self,
        bytes: Vec<u8>,
        file_name: &str,
        signature: Option<String>,
    ) -> ClientResult<UploadResponse> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if let Some(signature) = signature {
            form = form.text("signature", signature);
        }
        let req = self.bearer(self.http.post(self.url("/api/packages/upload")).multipart(form));
        let r = self.send(req, false).await?;
        Ok(self.json(r).await?.value)
    }

    /// Registers a publisher's public key (one OpenSSH line) for the token's account.
    pub async fn add_key(&self, public_key: &str, proof: &str, user: &str) -> ClientResult<revitpy_api::KeyInfo> {
        let body = revitpy_api::NewKeyRequest {
            public_key: public_key.to_owned(),
            proof: proof.to_owned(),
            user: Some(user.to_owned()),
        };
        let r = self.send(self.bearer(self.http.post(self.url("/api/keys")).json(&body)), false).await?;
        Ok(self.json(r).await?.value)
    }

    /// Registered public keys, of one account or all.
    pub async fn keys(&self, user: Option<&str>) -> ClientResult<Vec<revitpy_api::KeyInfo>> {
        let mut req = self.http.get(self.url("/api/keys"));
        if let Some(u) = user {
            req = req.query(&[("user", u)]);
        }
        let r = self.send(req, false).await?;
        Ok(self.json(r).await?.value)
    }

    pub async fn revoke_key(&self, id: i64) -> ClientResult<revitpy_api::KeyInfo> {
        let r = self.send(self.bearer(self.http.delete(self.url(&format!("/api/keys/{id}")))), false).await?;
        Ok(self.json(r).await?.value)
    }

    /// The tokens this client's token may see (its own account's, or all for admins).
    pub async fn tokens(&self) -> ClientResult<Vec<revitpy_api::TokenInfo>> {
        let r = self.send(self.bearer(self.http.get(self.url("/api/tokens"))), false).await?;
        Ok(self.json(r).await?.value)
    }

    /// Checks the client's token: the registry lists the tokens it may see.
    pub async fn check_token(&self) -> ClientResult<()> {
        // Only the status matters; the body is not read.
        self.send(self.bearer(self.http.get(self.url("/api/tokens"))), false).await.map(drop)
    }
}

/// The `detail` of an error body (`{"detail": "..."}`), else its start;
/// at most [`limits::MAX_DETAIL_CHARS`] characters either way.
fn detail(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let detail = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("detail").map(|d| d.as_str().map(str::to_owned).unwrap_or_else(|| d.to_string())))
        .unwrap_or_else(|| text.chars().take(300).collect());
    if detail.chars().count() > limits::MAX_DETAIL_CHARS {
        let mut short: String = detail.chars().take(limits::MAX_DETAIL_CHARS).collect();
        short.push_str("...");
        short
    } else {
        detail
    }
}
