//! The registry's HTTP API as typed calls, for the client and its tests.
//!
//! Errors say what a user can act on: the registry could not be reached
//! ([`ClientError::Unreachable`], which callers turn into offline mode), the
//! registry refused ([`ClientError::Status`], with its `detail`), or it
//! answered something that is not the API.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use revitpy_api::{ChangesResponse, IndexResponse, PackageDetail, SearchResponse, UploadResponse};
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the registry at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the registry answered {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("the registry's answer from {url} is not what this client understands: {reason}")]
    Decode { url: String, reason: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ClientError {
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Unreachable { .. })
    }
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// An answer with the number of body bytes that crossed the network.
pub struct Fetched<T> {
    pub value: T,
    pub etag: Option<String>,
    pub bytes: u64,
}

#[derive(Clone)]
pub struct RegistryClient {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl RegistryClient {
    pub fn new(base_url: &str, token: Option<String>) -> ClientResult<Self> {
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
        Ok(Self { base: base_url.trim_end_matches('/').to_owned(), http, token })
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

    async fn send(&self, req: reqwest::RequestBuilder) -> ClientResult<reqwest::Response> {
        let r = req.send().await.map_err(|e| self.unreachable(e))?;
        if r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED {
            return Ok(r);
        }
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("detail").map(|d| d.as_str().map(str::to_owned).unwrap_or_else(|| d.to_string())))
            .unwrap_or_else(|| text.chars().take(300).collect());
        Err(ClientError::Status { status, detail })
    }

    async fn json<T: DeserializeOwned>(&self, r: reqwest::Response) -> ClientResult<Fetched<T>> {
        let url = r.url().to_string();
        let etag = r.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = r.bytes().await.map_err(|e| self.unreachable(e))?;
        let value = serde_json::from_slice(&body).map_err(|e| ClientError::Decode { url, reason: e.to_string() })?;
        Ok(Fetched { value, etag, bytes: body.len() as u64 })
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
        let r = self.send(self.http.get(self.url("/api/packages/search")).query(&query)).await?;
        Ok(self.json(r).await?.value)
    }

    pub async fn package(&self, name: &str) -> ClientResult<PackageDetail> {
        let r = self.send(self.http.get(self.url(&format!("/api/packages/{name}")))).await?;
        Ok(self.json(r).await?.value)
    }

    /// GET with `If-None-Match`; `None` on 304.
    async fn conditional<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        etag: Option<&str>,
    ) -> ClientResult<Option<Fetched<T>>> {
        let req = match etag {
            Some(e) => req.header(IF_NONE_MATCH, e),
            None => req,
        };
        let r = self.send(req).await?;
        if r.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        Ok(Some(self.json(r).await?))
    }

    /// The whole index; `None` when `etag` still matches (304).
    pub async fn snapshot(&self, etag: Option<&str>) -> ClientResult<Option<Fetched<IndexResponse>>> {
        self.conditional(self.http.get(self.url("/api/index/snapshot")), etag).await
    }

    /// Changes after `since`; `None` when `etag` still matches (304).
    pub async fn changes(&self, since: i64, etag: Option<&str>) -> ClientResult<Option<Fetched<ChangesResponse>>> {
        self.conditional(self.http.get(self.url("/api/changes")).query(&[("since", since.to_string())]), etag).await
    }

    pub async fn index_packages(&self, names: &[String]) -> ClientResult<Fetched<IndexResponse>> {
        let r = self.send(self.http.get(self.url("/api/index/packages")).query(&[("names", names.join(","))])).await?;
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
        mut progress: impl FnMut(u64) + Send,
    ) -> ClientResult<u64> {
        let r = self.send(self.http.get(self.url(&format!("/api/packages/{name}/{version}/download")))).await?;
        let mut stream = r.bytes_stream();
        let mut total = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.unreachable(e))?;
            total += chunk.len() as u64;
            if total > max_bytes {
                return Err(ClientError::Decode {
                    url: self.url(&format!("/api/packages/{name}/{version}/download")),
                    reason: format!("the download is larger than the {max_bytes} bytes the registry announced"),
                });
            }
            out.write_all(&chunk)?;
            progress(total);
        }
        Ok(total)
    }

    pub async fn upload(&self, bytes: Vec<u8>, file_name: &str) -> ClientResult<UploadResponse> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let mut req = self.http.post(self.url("/api/packages/upload")).multipart(form);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let r = self.send(req).await?;
        Ok(self.json(r).await?.value)
    }

    /// Checks a token: the registry lists the tokens it may see.
    pub async fn check_token(&self, token: &str) -> ClientResult<()> {
        self.send(self.http.get(self.url("/api/tokens")).bearer_auth(token)).await.map(|_| ())
    }
}
