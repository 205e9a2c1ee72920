//! The OpenAPI document (`/api/openapi.json`, generated in
//! `src/openapi.rs`) against the real server: every route is driven with
//! real requests, successes and the usual errors, and every answer must be
//! one the document declares for that operation: its status, its headers,
//! its media type and, validated with a JSON Schema validator, its body.
//!
//! The validation is stricter than the document: an object in an answer may
//! hold no property its schema does not list. (The document leaves clients
//! room for properties added later; the server itself must not send any the
//! document does not know.)

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder};
use serde_json::{Map, Value, json};

/// What came back, whatever carried it (reqwest, or a raw socket for a
/// request reqwest cannot send: a body that stops).
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    async fn read(r: reqwest::Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().await.unwrap().to_vec();
        Answer { status, headers, body }
    }

    /// Parses one HTTP/1.1 answer with a `Content-Length`.
    fn parse(raw: &[u8]) -> Self {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = HeaderMap::new();
        for line in lines {
            let (k, v) = line.split_once(':').unwrap();
            headers
                .append(HeaderName::from_bytes(k.trim().as_bytes()).unwrap(), HeaderValue::from_str(v.trim()).unwrap());
        }
        let body = raw[split + 4..].to_vec();
        if let Some(len) = headers.get("content-length") {
            assert_eq!(len.to_str().unwrap(), body.len().to_string(), "a whole body");
        }
        Answer { status, headers, body }
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// The document, its schemas made strict for validation, and which
/// operation answered which status so far.
struct Contract {
    doc: Value,
    strict: Map<String, Value>,
    seen: Mutex<BTreeSet<(String, String, u16)>>,
}

impl Contract {
    async fn load(server: &TestServer) -> Self {
        let (status, doc) = server.get_json("/api/openapi.json").await;
        assert_eq!(status, 200);
        let raw = doc["components"]["schemas"].as_object().expect("component schemas").clone();
        let strict: Map<String, Value> =
            raw.iter().map(|(name, schema)| (name.clone(), strict(schema, &raw))).collect();
        let contract = Contract { doc, strict, seen: Mutex::new(BTreeSet::new()) };
        // Every schema compiles (a malformed one would fail only when an
        // answer that uses it came along).
        for name in contract.strict.keys() {
            contract.validator(&json!({"$ref": format!("#/components/schemas/{name}")}));
        }
        contract
    }

    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        // `$ref`s point at `#/components/schemas/...`: the schema is
        // validated as the root of a document that holds those.
        let mut root = strict(schema, &self.strict);
        root.as_object_mut().unwrap().insert("components".into(), json!({"schemas": self.strict}));
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("invalid schema {schema}: {e}"))
    }

    /// Sends a request to `template` with `args` in its `{...}` in order,
    /// checks the answer, and returns it.
    async fn call(
        &self,
        server: &TestServer,
        method: Method,
        template: &str,
        args: &[&str],
        build: impl FnOnce(RequestBuilder) -> RequestBuilder,
    ) -> Answer {
        self.call_with(&server.client, server, method, template, args, build).await
    }

    async fn call_with(
        &self,
        client: &reqwest::Client,
        server: &TestServer,
        method: Method,
        template: &str,
        args: &[&str],
        build: impl FnOnce(RequestBuilder) -> RequestBuilder,
    ) -> Answer {
        let path = fill(template, args);
        let answer = Answer::read(build(client.request(method.clone(), server.url(&path))).send().await.unwrap()).await;
        self.check(method.as_str(), template, &answer);
        answer
    }

    /// Sends `body` on a raw connection and checks the answer: for bodies
    /// past the server's limit, which it refuses before reading them all
    /// (reqwest reports the closed connection, not the answer).
    async fn call_raw(
        &self,
        server: &TestServer,
        method: Method,
        template: &str,
        args: &[&str],
        headers: &str,
        body: Vec<u8>,
    ) -> Answer {
        let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
        let head = format!(
            "{method} {} HTTP/1.1\r\nHost: t\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            fill(template, args),
            body.len()
        );
        let raw = tokio::task::spawn_blocking(move || {
            let mut socket = std::net::TcpStream::connect(addr).unwrap();
            socket.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            socket.write_all(head.as_bytes()).unwrap();
            // The server may answer and close before the whole body is sent.
            let _ = socket.write_all(&body);
            read_answer(&mut socket)
        })
        .await
        .unwrap();
        let answer = Answer::parse(&raw);
        self.check(method.as_str(), template, &answer);
        answer
    }

    /// The answer is one the document declares for this operation.
    fn check(&self, method: &str, template: &str, a: &Answer) {
        // HEAD is GET without the body (axum answers it for every GET route).
        let key = if method == "HEAD" { "get".to_owned() } else { method.to_ascii_lowercase() };
        let op = &self.doc["paths"][template][&key];
        assert!(op.is_object(), "{method} {template} is not in the document");
        let body_text = String::from_utf8_lossy(&a.body);
        let declared = &op["responses"][a.status.to_string()];
        assert!(
            declared.is_object(),
            "{method} {template} answered {}, which the document does not declare for it: {body_text}",
            a.status
        );
        for name in declared["headers"].as_object().into_iter().flat_map(|h| h.keys()) {
            assert!(a.headers.contains_key(name.as_str()), "{method} {template} {}: no {name} header", a.status);
        }
        match declared["content"].as_object() {
            None => {
                assert!(a.body.is_empty(), "{method} {template} {}: a body the document does not declare", a.status)
            }
            Some(content) => {
                let media = a.header("content-type").split(';').next().unwrap().trim().to_owned();
                let Some(declared_media) = content.get(&media) else {
                    panic!("{method} {template} {}: {media:?}, the document says {:?}", a.status, content.keys());
                };
                if method == "HEAD" {
                    assert!(a.body.is_empty());
                } else if media == "application/json" {
                    let body: Value = serde_json::from_slice(&a.body)
                        .unwrap_or_else(|e| panic!("{method} {template} {}: not JSON ({e}): {body_text}", a.status));
                    let validator = self.validator(&declared_media["schema"]);
                    let errors: Vec<String> =
                        validator.iter_errors(&body).map(|e| format!("at {}: {e}", e.instance_path())).collect();
                    assert!(
                        errors.is_empty(),
                        "{method} {template} {}: the body does not match the document:\n{}\n{body:#}",
                        a.status,
                        errors.join("\n")
                    );
                }
            }
        }
        self.seen.lock().unwrap().insert((method.to_owned(), template.to_owned(), a.status));
    }

    /// Every status of every operation was answered at least once.
    fn assert_all_seen(&self) {
        let seen = self.seen.lock().unwrap();
        let mut missing = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for status in op["responses"].as_object().unwrap().keys() {
                    let key = (method.to_uppercase(), path.clone(), status.parse().unwrap());
                    if !seen.contains(&key) {
                        missing.push(format!("{} {path} {status}", method.to_uppercase()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "declared but never answered in this test:\n{}", missing.join("\n"));
    }
}

/// Reads one answer: its head, then as many bytes as its `Content-Length`
/// says (the server may keep the connection open after it).
fn read_answer(socket: &mut std::net::TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(split) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .expect("a Content-Length");
            if out.len() >= split + 4 + length {
                return out;
            }
        }
        let n = socket.read(&mut chunk).expect("the answer within the hang guard");
        assert!(n > 0, "the connection closed mid-answer: {}", String::from_utf8_lossy(&out));
        out.extend_from_slice(&chunk[..n]);
    }
}

fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest.find('}').unwrap();
        out.push_str(&rest[..start]);
        out.push_str(args.next().expect("an argument for every {…}"));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    assert!(args.next().is_none(), "more arguments than {{…}} in {template}");
    out
}

/// A copy of `schema` for validation: `allOf` of objects merged into one
/// object (so that the next step sees all its properties), and
/// `additionalProperties: false` on every object that lists its properties
/// and says nothing of others.
fn strict(schema: &Value, components: &Map<String, Value>) -> Value {
    let mut schema = schema.clone();
    merge_all_of(&mut schema, components);
    close_objects(&mut schema);
    schema
}

fn merge_all_of(schema: &mut Value, components: &Map<String, Value>) {
    let Some(map) = schema.as_object_mut() else { return };
    if let Some(parts) = map.get("allOf").and_then(Value::as_array).cloned() {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for part in &parts {
            let part = match part["$ref"].as_str() {
                Some(r) => &components[r.strip_prefix("#/components/schemas/").unwrap()],
                None => part,
            };
            let props = part["properties"].as_object().unwrap_or_else(|| panic!("allOf of a non-object: {part}"));
            properties.extend(props.clone());
            required.extend(part["required"].as_array().cloned().unwrap_or_default());
        }
        map.remove("allOf");
        map.insert("type".into(), json!("object"));
        map.insert("properties".into(), Value::Object(properties));
        map.insert("required".into(), Value::Array(required));
    }
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" => value.as_object_mut().unwrap().values_mut().for_each(|v| merge_all_of(v, components)),
            "items" | "additionalProperties" => merge_all_of(value, components),
            "oneOf" | "anyOf" => value.as_array_mut().unwrap().iter_mut().for_each(|v| merge_all_of(v, components)),
            _ => {}
        }
    }
}

fn close_objects(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else { return };
    if map.contains_key("properties") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" => value.as_object_mut().unwrap().values_mut().for_each(close_objects),
            "items" | "additionalProperties" => close_objects(value),
            "oneOf" | "anyOf" => value.as_array_mut().unwrap().iter_mut().for_each(close_objects),
            _ => {}
        }
    }
}

fn admin(r: RequestBuilder) -> RequestBuilder {
    r.bearer_auth(ADMIN_TOKEN)
}

fn with_token(token: &str) -> impl FnOnce(RequestBuilder) -> RequestBuilder + '_ {
    move |r| r.bearer_auth(token)
}

fn plain(r: RequestBuilder) -> RequestBuilder {
    r
}

fn multipart(bytes: Vec<u8>, metadata: Option<&str>) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("p.rpyx"));
    match metadata {
        Some(m) => form.text("metadata", m.to_owned()),
        None => form,
    }
}

/// A body past axum's 2 MB limit for JSON and raw bodies.
fn too_big_json() -> Vec<u8> {
    format!("{{\"users\": [\"{}\"]}}", "a".repeat(3 * 1024 * 1024)).into_bytes()
}

/// Headers of a JSON request with the admin token, for `call_raw`.
fn json_admin() -> String {
    format!("Authorization: Bearer {ADMIN_TOKEN}\r\nContent-Type: application/json\r\n")
}

/// Runs code it decodes first: critical (rule exec-decoded), refused at the
/// default policy.
const DECODED_EXEC: &str = "import base64\nexec(base64.b64decode(\"cHJpbnQoMSk=\"))\n";

/// Slow to scan (as in hostile_clients.rs): long enough for a second
/// upload to find the only scan turn taken.
fn heavy_package(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let mut text = String::from("import os\n");
    for i in 0..20_000 {
        text.push_str(&format!("value_{i} = os.path.join('a{i}', str({i}))\n"));
    }
    let files: Vec<(String, String)> = (0..6).map(|i| (format!("mod_{i}.py"), text.clone())).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    build_source(dir, name, &refs)
}

const UPLOAD: &str = "/api/packages/upload";
const TOKENS: &str = "/api/tokens";
const TOKEN: &str = "/api/tokens/{id}";
const PACKAGE: &str = "/api/packages/{name}";
const COMPATIBILITY: &str = "/api/packages/{name}/compatibility";
const OWNERS: &str = "/api/packages/{name}/owners";
const DOWNLOAD: &str = "/api/packages/{name}/{version}/download";
const YANK: &str = "/api/packages/{name}/{version}/yank";
const UNYANK: &str = "/api/packages/{name}/{version}/unyank";
const CHANGES: &str = "/api/changes";
const SNAPSHOT: &str = "/api/index/snapshot";
const INDEX_PACKAGES: &str = "/api/index/packages";
const SEARCH: &str = "/api/packages/search";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_one_the_document_declares() {
    // Snapshots made for each request (not a kept one from before the
    // publishes below), so that the signed document counts what they hold.
    let mut options = ServerOptions::default();
    options.env.push(("SNAPSHOT_MAX_LAG".to_owned(), "0".to_owned()));
    let server = TestServer::start_with(options);
    let c = Contract::load(&server).await;
    let dir = tempfile::tempdir().unwrap();

    reads_of_an_empty_registry(&c, &server).await;
    publishing(&c, &server, dir.path()).await;
    tokens(&c, &server, dir.path()).await;
    keys(&c, &server).await;
    package_reads(&c, &server).await;
    owners(&c, &server).await;
    downloads(&c, &server).await;
    yanks(&c, &server).await;
    feeds(&c, &server).await;
    limits_timeouts_and_outages(&c, dir.path()).await;
    busy_scanner(&c, dir.path()).await;

    rate_limits(&c, dir.path()).await;

    c.assert_all_seen();
}

/// 429 on each limited operation: one request a minute each.
async fn rate_limits(c: &Contract, dir: &std::path::Path) {
    let s = TestServer::start_with(ServerOptions {
        env: vec![
            ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            ("RATE_LIMIT_UPLOADS".into(), "1/minute".into()),
            ("RATE_LIMIT_SEARCHES".into(), "1/minute".into()),
            ("RATE_LIMIT_TOKENS".into(), "1/minute".into()),
        ],
        ..ServerOptions::default()
    });
    let bytes = std::fs::read(build_example("wall-tools", dir)).unwrap();
    for expected in [200, 429] {
        let bytes = bytes.clone();
        let a = c.call(&s, Method::POST, UPLOAD, &[], |r| admin(r).multipart(multipart(bytes, None))).await;
        assert_eq!(a.status, expected);
        let a = c.call(&s, Method::GET, SEARCH, &[], plain).await;
        assert_eq!(a.status, expected);
        let body = json!({"user": "rita", "scope": "publish"});
        let a = c.call(&s, Method::POST, "/api/tokens", &[], |r| admin(r).json(&body)).await;
        assert_eq!(a.status, if expected == 200 { 201 } else { 429 });
    }
    // The package storage gone (an unmounted share): downloads are 503.
    std::fs::rename(s.data_dir.join("packages"), s.data_dir.join("packages.away")).unwrap();
    let a = c.call(&s, Method::GET, DOWNLOAD, &["wall-tools", "1.2.0"], plain).await;
    assert_eq!(a.status, 503);
}

async fn reads_of_an_empty_registry(c: &Contract, s: &TestServer) {
    for path in ["/", "/health", "/api/stats", "/api/openapi.json", SNAPSHOT] {
        assert_eq!(c.call(s, Method::GET, path, &[], plain).await.status, 200, "{path}");
    }
    let a = c.call(s, Method::GET, SEARCH, &[], |r| r.query(&[("q", "*")])).await;
    assert_eq!((a.status, a.json()["total"].clone()), (200, json!(0)));
    for bad in [("limit", "many"), ("offset", "200000"), ("package_type", "plugin"), ("revit_version", "1999")] {
        assert_eq!(c.call(s, Method::GET, SEARCH, &[], |r| r.query(&[bad])).await.status, 400, "{bad:?}");
    }
    assert_eq!(c.call(s, Method::GET, INDEX_PACKAGES, &[], plain).await.status, 400);
    assert_eq!(c.call(s, Method::GET, CHANGES, &[], |r| r.query(&[("since", "-1")])).await.status, 400);
    assert_eq!(c.call(s, Method::GET, CHANGES, &[], |r| r.query(&[("limit", "x")])).await.status, 400);
}

async fn publishing(c: &Contract, s: &TestServer, dir: &std::path::Path) {
    let upload = |bytes: Vec<u8>, metadata: Option<&'static str>, token: Option<&'static str>| {
        move |r: RequestBuilder| {
            let r = r.multipart(multipart(bytes, metadata));
            match token {
                Some(t) => r.bearer_auth(t),
                None => r,
            }
        }
    };
    for name in EXAMPLES {
        let bytes = std::fs::read(build_example(name, dir)).unwrap();
        // One with the original client's `metadata` form field.
        let metadata = (name == "room-exporter").then_some(r#"{"name": "room-exporter"}"#);
        let a = c.call(s, Method::POST, UPLOAD, &[], upload(bytes, metadata, Some(ADMIN_TOKEN))).await;
        assert_eq!(a.status, 200, "{name}: {}", a.json());
    }
    // Findings and Revit API problems, so their shapes are checked too: a
    // compiled .pyc (a high finding, still published at the default policy)
    // and a member Revit removed, in a package whose range is open.
    let built = build_source(dir, "compiled-tools", &[("compiled_tools/__init__.py", "VALUE = 1\n")]);
    let mut pyc = vec![0x55, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];
    pyc.extend_from_slice(&[0xe3; 64]);
    let with_pyc = with_extra_file(&built, &dir.join("compiled-tools-pyc.rpyx"), "compiled_tools/helper.pyc", &pyc);
    let code = "from Autodesk.Revit.DB import ElementId\n\ndef number(element):\n    return element.Id.IntegerValue\n";
    let old_api = build_source(dir, "old-api-user", &[("old_api_user/__init__.py", code)]);
    for file in [with_pyc, old_api] {
        let a =
            c.call(s, Method::POST, UPLOAD, &[], upload(std::fs::read(&file).unwrap(), None, Some(ADMIN_TOKEN))).await;
        assert_eq!(a.status, 200, "{}", a.json());
    }

    let wall_tools = std::fs::read(build_example("wall-tools", dir)).unwrap();
    assert_eq!(
        c.call(s, Method::POST, UPLOAD, &[], upload(wall_tools.clone(), None, Some(ADMIN_TOKEN))).await.status,
        409
    );
    assert_eq!(c.call(s, Method::POST, UPLOAD, &[], upload(wall_tools.clone(), None, None)).await.status, 401);
    let a = c
        .call(s, Method::POST, UPLOAD, &[], |r| r.bearer_auth("rpy_unknown").multipart(multipart(wall_tools, None)))
        .await;
    assert_eq!(a.status, 401);
    let junk = b"not a zip at all".to_vec();
    assert_eq!(c.call(s, Method::POST, UPLOAD, &[], upload(junk, None, Some(ADMIN_TOKEN))).await.status, 400);
    assert_eq!(c.call(s, Method::POST, UPLOAD, &[], |r| admin(r).body("hello")).await.status, 400);
    let critical = build_source(dir, "sneaky-tools", &[("sneaky_tools/__init__.py", DECODED_EXEC)]);
    let a =
        c.call(s, Method::POST, UPLOAD, &[], upload(std::fs::read(critical).unwrap(), None, Some(ADMIN_TOKEN))).await;
    assert_eq!(a.status, 422, "{}", a.json());
}

/// Creates a token with the admin token and returns it.
async fn new_token(c: &Contract, s: &TestServer, body: Value) -> (String, i64) {
    let a = c.call(s, Method::POST, TOKENS, &[], |r| admin(r).json(&body)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    let v = a.json();
    (v["token"].as_str().unwrap().to_owned(), v["id"].as_i64().unwrap())
}

async fn tokens(c: &Contract, s: &TestServer, dir: &std::path::Path) {
    let (alice, _) = new_token(c, s, json!({"user": "alice", "scope": "publish", "label": "laptop"})).await;
    let (alice_yank, alice_yank_id) =
        new_token(c, s, json!({"user": "alice", "scope": "yank", "package": "wall-tools"})).await;
    // Made by alice herself (not an admin): narrower than her own token.
    let a = c
        .call(s, Method::POST, TOKENS, &[], |r| r.bearer_auth(&alice).json(&json!({"user": "alice", "scope": "yank"})))
        .await;
    assert_eq!(a.status, 201, "{}", a.json());
    let a = c
        .call(s, Method::POST, TOKENS, &[], |r| r.bearer_auth(&alice).json(&json!({"user": "bob", "scope": "yank"})))
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(
        c.call(s, Method::POST, TOKENS, &[], |r| r.json(&json!({"user": "x", "scope": "yank"}))).await.status,
        401
    );
    let raw = |body: &'static str, json_type: bool| {
        move |r: RequestBuilder| {
            let r = admin(r).body(body);
            if json_type { r.header("content-type", "application/json") } else { r }
        }
    };
    assert_eq!(c.call(s, Method::POST, TOKENS, &[], raw("{", true)).await.status, 400);
    assert_eq!(c.call(s, Method::POST, TOKENS, &[], raw(r#"{"user": "x", "scope": "god"}"#, true)).await.status, 400);
    assert_eq!(c.call(s, Method::POST, TOKENS, &[], raw(r#"{"user": "x"}"#, true)).await.status, 422);
    assert_eq!(c.call(s, Method::POST, TOKENS, &[], raw(r#"{"user": "x", "scope": "yank"}"#, false)).await.status, 415);
    assert_eq!(c.call_raw(s, Method::POST, TOKENS, &[], &json_admin(), too_big_json()).await.status, 413);

    let a = c.call(s, Method::GET, TOKENS, &[], admin).await;
    assert_eq!(a.status, 200);
    assert!(a.json().as_array().unwrap().len() >= 3);
    assert_eq!(c.call(s, Method::GET, TOKENS, &[], plain).await.status, 401);

    // A yank token cannot revoke alice's publish token (more rights).
    let a = c.call(s, Method::GET, TOKENS, &[], with_token(&alice)).await;
    let publish_id = a.json().as_array().unwrap().iter().find(|t| t["scope"] == "publish").unwrap()["id"].to_string();
    assert_eq!(c.call(s, Method::DELETE, TOKEN, &[&publish_id], with_token(&alice_yank)).await.status, 403);
    // Nor publish.
    let bytes = std::fs::read(build_source(dir, "yank-only", &[("main.py", "print('hi')\n")])).unwrap();
    let a =
        c.call(s, Method::POST, UPLOAD, &[], |r| r.bearer_auth(&alice_yank).multipart(multipart(bytes, None))).await;
    assert_eq!(a.status, 403);
    assert_eq!(c.call(s, Method::DELETE, TOKEN, &["99999"], admin).await.status, 404);
    assert_eq!(c.call(s, Method::DELETE, TOKEN, &["one"], admin).await.status, 400);
    assert_eq!(c.call(s, Method::DELETE, TOKEN, &["1"], plain).await.status, 401);
    let a = c.call(s, Method::DELETE, TOKEN, &[&alice_yank_id.to_string()], admin).await;
    assert_eq!(a.status, 200);
    assert!(a.json()["revoked_at"].is_string());
}

/// Publisher keys and the signing policy (issue 21).
async fn keys(c: &Contract, s: &TestServer) {
    const KEYS: &str = "/api/keys";
    const KEY: &str = "/api/keys/{id}";
    const SIGNING: &str = "/api/packages/{name}/signing";
    let key = revitpy_sign::generate("contract").unwrap();
    let line = key.public_key().to_openssh().unwrap();
    let proof = revitpy_sign::sign_registration(&key, "alice").unwrap();
    let body = json!({"public_key": line, "proof": proof, "user": "alice"});
    let (yanker, _) = new_token(c, s, json!({"user": "yuri", "scope": "yank"})).await;
    assert_eq!(c.call(s, Method::POST, KEYS, &[], |r| r.json(&body)).await.status, 401);
    assert_eq!(c.call(s, Method::POST, KEYS, &[], |r| r.bearer_auth(&yanker).json(&body)).await.status, 403);
    // A token limited to one package (a CI token) does not speak for the account's keys.
    let (ci, _) = new_token(c, s, json!({"user": "alice", "scope": "publish", "package": "wall-tools"})).await;
    let own = json!({"public_key": line, "proof": proof});
    let a = c.call(s, Method::POST, KEYS, &[], |r| r.bearer_auth(&ci).json(&own)).await;
    assert_eq!(a.status, 403);
    assert!(a.json()["detail"].as_str().unwrap().contains("limited to the package"), "{}", a.json());
    let a = c.call(s, Method::POST, KEYS, &[], |r| admin(r).json(&body)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(a.json()["key_id"], revitpy_sign::key_id(key.public_key()));
    let id = a.json()["id"].to_string();
    assert_eq!(c.call(s, Method::POST, KEYS, &[], |r| admin(r).json(&body)).await.status, 409);
    let bad = json!({"public_key": "ssh-rsa AAAAB3NzaC1yc2E", "proof": ""});
    assert_eq!(c.call(s, Method::POST, KEYS, &[], |r| admin(r).json(&bad)).await.status, 400);
    // Someone else's public key, without its private half: the proof is for alice, not bob.
    let claimed = json!({"public_key": line, "proof": body["proof"], "user": "bob"});
    let a = c.call(s, Method::POST, KEYS, &[], |r| admin(r).json(&claimed)).await;
    assert_eq!(a.status, 400);
    assert!(a.json()["detail"].as_str().unwrap().contains("holds this key's private half"), "{}", a.json());
    assert_eq!(c.call(s, Method::POST, KEYS, &[], |r| admin(r).json(&json!({"user": "x"}))).await.status, 422);
    let untyped = |r: RequestBuilder| admin(r).body(r#"{"public_key": "x"}"#);
    assert_eq!(c.call(s, Method::POST, KEYS, &[], untyped).await.status, 415);
    assert_eq!(c.call_raw(s, Method::POST, KEYS, &[], &json_admin(), too_big_json()).await.status, 413);
    let a = c.call(s, Method::GET, KEYS, &[], |r| r.query(&[("user", "alice")])).await;
    assert_eq!((a.status, a.json().as_array().unwrap().len()), (200, 1));
    assert_eq!(c.call(s, Method::GET, KEYS, &[], |r| r.query(&[("user", "a"), ("user", "b")])).await.status, 400);

    let on = json!({"require_signature": true});
    assert_eq!(c.call(s, Method::PUT, SIGNING, &["wall-tools"], |r| r.json(&on)).await.status, 401);
    assert_eq!(
        c.call(s, Method::PUT, SIGNING, &["wall-tools"], |r| r.bearer_auth(&yanker).json(&on)).await.status,
        403
    );
    assert_eq!(c.call(s, Method::PUT, SIGNING, &["no-such-package"], |r| admin(r).json(&on)).await.status, 404);
    assert_eq!(c.call(s, Method::PUT, SIGNING, &["%FF%FE"], |r| admin(r).json(&on)).await.status, 400);
    assert_eq!(c.call(s, Method::PUT, SIGNING, &["wall-tools"], |r| admin(r).json(&json!({}))).await.status, 422);
    let untyped = |r: RequestBuilder| admin(r).body(r#"{"require_signature": true}"#);
    assert_eq!(c.call(s, Method::PUT, SIGNING, &["wall-tools"], untyped).await.status, 415);
    assert_eq!(c.call_raw(s, Method::PUT, SIGNING, &["wall-tools"], &json_admin(), too_big_json()).await.status, 413);
    let off = json!({"require_signature": false});
    let a = c.call(s, Method::PUT, SIGNING, &["Wall_Tools"], |r| admin(r).json(&off)).await;
    assert_eq!((a.status, a.json()["package"].as_str()), (200, Some("wall-tools")));

    assert_eq!(c.call(s, Method::DELETE, KEY, &[&id], plain).await.status, 401);
    assert_eq!(c.call(s, Method::DELETE, KEY, &[&id], with_token(&yanker)).await.status, 403);
    assert_eq!(c.call(s, Method::DELETE, KEY, &["99999"], admin).await.status, 404);
    assert_eq!(c.call(s, Method::DELETE, KEY, &["one"], admin).await.status, 400);
    let a = c.call(s, Method::DELETE, KEY, &[&id], admin).await;
    assert_eq!(a.status, 200);
    assert!(a.json()["revoked_at"].is_string());
}

async fn package_reads(c: &Contract, s: &TestServer) {
    for template in [PACKAGE, COMPATIBILITY, OWNERS] {
        assert_eq!(c.call(s, Method::GET, template, &["Wall_Tools"], plain).await.status, 200);
        assert_eq!(c.call(s, Method::GET, template, &["no-such-package"], plain).await.status, 404);
        assert_eq!(c.call(s, Method::GET, template, &["%FF%FE"], plain).await.status, 400);
    }
    // The reserved name `upload` is the upload operation's path.
    let a = c.call(s, Method::GET, PACKAGE, &["upload"], plain).await;
    assert_eq!((a.status, a.header("allow")), (405, "POST"));
    // The premises of `publishing`: these shapes were checked non-empty.
    let scan = |name: &str| {
        let name = name.to_owned();
        async move {
            let a = c.call(s, Method::GET, PACKAGE, &[&name], plain).await;
            a.json()["versions"][0]["security_scan"].clone()
        }
    };
    assert!(!scan("compiled-tools").await["findings"].as_array().unwrap().is_empty());
    assert!(!scan("old-api-user").await["compatibility"].as_array().unwrap().is_empty());
    let a = c.call(s, Method::GET, COMPATIBILITY, &["sheet-publisher"], plain).await;
    assert!(a.json()["compatibility_matrix"].as_object().unwrap().values().any(|v| v["known_issues"] != json!([])));

    let a = c.call(s, Method::GET, SEARCH, &[], |r| r.query(&[("q", "wall"), ("limit", "2")])).await;
    assert_eq!(a.json()["results"][0]["name"], "wall-tools");
    let a = c.call(s, Method::GET, "/api/stats", &[], plain).await;
    assert!(a.json()["total_packages"].as_u64().unwrap() >= 8);
    let a = c.call(s, Method::GET, "/metrics", &[], plain).await;
    assert!(String::from_utf8_lossy(&a.body).contains("revitpy_http_requests_total{"));
}

async fn owners(c: &Contract, s: &TestServer) {
    let alice = new_token(c, s, json!({"user": "alice", "scope": "publish"})).await.0;
    let users = |list: Value| move |r: RequestBuilder| admin(r).json(&json!({ "users": list }));
    for method in [Method::PUT, Method::DELETE] {
        assert_eq!(c.call(s, method.clone(), OWNERS, &["wall-tools"], users(json!([]))).await.status, 400);
        assert_eq!(c.call(s, method.clone(), OWNERS, &["no-such-package"], users(json!(["alice"]))).await.status, 404);
        let anonymous = |r: RequestBuilder| r.json(&json!({"users": ["alice"]}));
        assert_eq!(c.call(s, method.clone(), OWNERS, &["wall-tools"], anonymous).await.status, 401);
        let not_owner = |r: RequestBuilder| r.bearer_auth(&alice).json(&json!({"users": ["alice"]}));
        assert_eq!(c.call(s, method.clone(), OWNERS, &["revitpy-utils"], not_owner).await.status, 403);
        let untyped = |r: RequestBuilder| admin(r).body(r#"{"users": ["alice"]}"#);
        assert_eq!(c.call(s, method.clone(), OWNERS, &["wall-tools"], untyped).await.status, 415);
        let wrong = |r: RequestBuilder| admin(r).json(&json!({"users": "alice"}));
        assert_eq!(c.call(s, method.clone(), OWNERS, &["wall-tools"], wrong).await.status, 422);
        assert_eq!(
            c.call_raw(s, method.clone(), OWNERS, &["wall-tools"], &json_admin(), too_big_json()).await.status,
            413
        );
    }
    assert_eq!(c.call(s, Method::PUT, OWNERS, &["wall-tools"], users(json!(["nobody-here"]))).await.status, 404);
    let a = c.call(s, Method::PUT, OWNERS, &["wall-tools"], users(json!(["alice"]))).await;
    assert_eq!(a.status, 200);
    assert!(a.json()["owners"].as_array().unwrap().contains(&json!("alice")));
    let a = c.call(s, Method::DELETE, OWNERS, &["wall-tools"], users(json!(["admin"]))).await;
    assert_eq!(a.status, 200);
    // The last owner stays.
    assert_eq!(c.call(s, Method::DELETE, OWNERS, &["wall-tools"], users(json!(["alice"]))).await.status, 400);
}

async fn downloads(c: &Contract, s: &TestServer) {
    let a = c.call(s, Method::GET, DOWNLOAD, &["wall-tools", "1.2"], plain).await;
    assert_eq!(a.status, 200);
    assert!(a.body.starts_with(b"PK"));
    let etag = a.header("etag").to_owned();
    assert_eq!(c.call(s, Method::HEAD, DOWNLOAD, &["wall-tools", "1.2.0"], plain).await.status, 200);
    let a = c.call(s, Method::GET, DOWNLOAD, &["wall-tools", "1.2.0"], |r| r.header("range", "bytes=0-9")).await;
    assert_eq!((a.status, a.body.len()), (206, 10));
    let not_modified = |r: RequestBuilder| r.header("if-none-match", etag);
    assert_eq!(c.call(s, Method::GET, DOWNLOAD, &["wall-tools", "1.2.0"], not_modified).await.status, 304);
    let outside = |r: RequestBuilder| r.header("range", "bytes=999999999-");
    assert_eq!(c.call(s, Method::GET, DOWNLOAD, &["wall-tools", "1.2.0"], outside).await.status, 416);
    assert_eq!(c.call(s, Method::GET, DOWNLOAD, &["wall-tools", "9.9"], plain).await.status, 404);
    assert_eq!(c.call(s, Method::GET, DOWNLOAD, &["no-such-package", "1.0"], plain).await.status, 404);
    assert_eq!(c.call(s, Method::GET, DOWNLOAD, &["%FF%FE", "1.0"], plain).await.status, 400);
}

async fn yanks(c: &Contract, s: &TestServer) {
    let bob = new_token(c, s, json!({"user": "bob", "scope": "publish"})).await.0;
    for template in [YANK, UNYANK] {
        let a = c.call(s, Method::PUT, template, &["revitpy-utils", "1.4.1"], |r| admin(r).body("{")).await;
        assert_eq!(a.status, 400);
        assert_eq!(c.call(s, Method::PUT, template, &["revitpy-utils", "9.9"], admin).await.status, 404);
        assert_eq!(c.call(s, Method::PUT, template, &["no-such-package", "1.0"], admin).await.status, 404);
        assert_eq!(c.call(s, Method::PUT, template, &["revitpy-utils", "1.4.1"], plain).await.status, 401);
        assert_eq!(c.call(s, Method::PUT, template, &["revitpy-utils", "1.4.1"], with_token(&bob)).await.status, 403);
        let a = c.call_raw(s, Method::PUT, template, &["revitpy-utils", "1.4.1"], &json_admin(), too_big_json()).await;
        assert_eq!(a.status, 413);
    }
    let reason = |r: RequestBuilder| admin(r).json(&json!({"reason": "broken on 2024"}));
    let a = c.call(s, Method::PUT, YANK, &["revitpy-utils", "1.4.1"], reason).await;
    assert_eq!((a.status, a.json()["yanked_reason"].clone()), (200, json!("broken on 2024")));
    // Yanked: the package has no latest version, and its shapes say null.
    assert!(
        c.call(s, Method::GET, PACKAGE, &["revitpy-utils"], plain).await.json()["package"]["latest_version"].is_null()
    );
    let a = c.call(s, Method::PUT, UNYANK, &["revitpy-utils", "1.4.1"], admin).await;
    assert_eq!((a.status, a.json()["yanked"].clone()), (200, json!(false)));
}

async fn feeds(c: &Contract, s: &TestServer) {
    let a = c.call(s, Method::GET, CHANGES, &[], |r| r.query(&[("since", "0"), ("limit", "3")])).await;
    assert_eq!((a.status, a.json()["more"].clone()), (200, json!(true)));
    let a = c.call(s, Method::GET, CHANGES, &[], plain).await;
    let kinds: BTreeSet<String> =
        a.json()["changes"].as_array().unwrap().iter().map(|ch| ch["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["owners", "publish", "unyank", "yank"].map(String::from).into());
    let etag = a.header("etag").to_owned();
    assert_eq!(c.call(s, Method::GET, CHANGES, &[], |r| r.header("if-none-match", etag)).await.status, 304);

    let a = c.call(s, Method::GET, SNAPSHOT, &[], plain).await;
    assert!(a.json()["packages"].as_array().unwrap().len() >= 8);
    let etag = a.header("etag").to_owned();
    assert_eq!(c.call(s, Method::GET, SNAPSHOT, &[], |r| r.header("if-none-match", etag)).await.status, 304);
    // The compact form: one zstd frame of JSON lines, the same packages.
    let a = c.call(s, Method::GET, SNAPSHOT, &[], |r| r.query(&[("format", "compact")])).await;
    assert_eq!((a.status, a.header("content-type")), (200, "application/zstd"));
    let lines = String::from_utf8(zstd::decode_all(&a.body[..]).unwrap()).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert!(lines[0].contains("\"format\":\"revitpy-index-lines\""), "{}", lines[0]);
    assert_eq!(lines.last().unwrap(), &format!("{{\"end\":true,\"packages\":{}}}", lines.len() - 2));
    assert_eq!(c.call(s, Method::GET, SNAPSHOT, &[], |r| r.query(&[("format", "xml")])).await.status, 400);
    // The signed index and its roots: signed by the key of root version 1.
    let roots = c.call(s, Method::GET, "/api/index/roots", &[], plain).await.json();
    let root_env: revitpy_sign::index::Envelope = serde_json::from_value(roots["roots"][0].clone()).unwrap();
    let root = revitpy_sign::index::Root::open_self_signed(&root_env).unwrap();
    let signed = c.call(s, Method::GET, "/api/index/signed", &[], plain).await.json();
    let meta = root.open_index(&serde_json::from_value(signed).unwrap()).unwrap();
    assert_eq!(meta.packages as usize, lines.len() - 2);
    let a = c.call(s, Method::GET, INDEX_PACKAGES, &[], |r| r.query(&[("names", "Wall_Tools,nope")])).await;
    assert_eq!((a.status, a.json()["missing"].clone()), (200, json!(["nope"])));
    let bad = |r: RequestBuilder| r.query(&[("names", "-bad-")]);
    assert_eq!(c.call(s, Method::GET, INDEX_PACKAGES, &[], bad).await.status, 400);
}

/// 302 (CDN_BASE_URL), 413 (MAX_UPLOAD_MB), 408 (REQUEST_BODY_TIMEOUT), 404
/// for `/metrics` (METRICS=false) and a failed readiness (503).
async fn limits_timeouts_and_outages(c: &Contract, dir: &std::path::Path) {
    let s = TestServer::start_with(ServerOptions {
        env: vec![
            ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            // Never contacted: the 302 is not followed.
            ("CDN_BASE_URL".into(), "http://127.0.0.1:9/cdn".into()),
            ("MAX_UPLOAD_MB".into(), "1".into()),
            ("REQUEST_BODY_TIMEOUT".into(), "1".into()),
            ("METRICS".into(), "false".into()),
        ],
        ..ServerOptions::default()
    });
    let bytes = std::fs::read(build_example("revitpy-utils", dir)).unwrap();
    assert_eq!(c.call(&s, Method::POST, UPLOAD, &[], |r| admin(r).multipart(multipart(bytes, None))).await.status, 200);
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let a = c.call_with(&no_redirects, &s, Method::GET, DOWNLOAD, &["revitpy-utils", "1.4.1"], plain).await;
    assert_eq!(a.status, 302);
    assert!(a.header("location").starts_with("http://127.0.0.1:9/cdn/"), "{}", a.header("location"));

    assert_eq!(c.call(&s, Method::GET, "/metrics", &[], plain).await.status, 404);

    let big = vec![b'x'; 1024 * 1024 + 512 * 1024];
    assert_eq!(c.call(&s, Method::POST, UPLOAD, &[], |r| admin(r).multipart(multipart(big, None))).await.status, 413);

    // A body that stops: reqwest cannot send one, so a raw socket does.
    let addr: std::net::SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    let raw = tokio::task::spawn_blocking(move || {
        let mut socket = std::net::TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST {UPLOAD} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.rpyx\"\r\n\r\nPK"
        );
        socket.write_all(head.as_bytes()).unwrap();
        // A hang guard, far past the 1 s timeout.
        socket.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        read_answer(&mut socket)
    })
    .await
    .unwrap();
    let a = Answer::parse(&raw);
    c.check("POST", UPLOAD, &a);
    assert_eq!(a.status, 408);

    // The storage's scratch folder gone: writes cannot work, /health says so.
    std::fs::remove_dir_all(s.data_dir.join("packages/tmp")).unwrap();
    let a = c.call(&s, Method::GET, "/health", &[], plain).await;
    assert_eq!((a.status, a.json()["status"].clone()), (503, json!("unavailable")));
    assert!(a.json()["storage"]["error"].is_string());
}

/// One scan turn, no queue: of two slow uploads at once, one waits for
/// nothing and is told when to retry.
async fn busy_scanner(c: &Contract, dir: &std::path::Path) {
    let s = TestServer::start_with(ServerOptions {
        env: vec![
            ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            ("SCAN_CONCURRENCY".into(), "1".into()),
            ("SCAN_QUEUE_TIMEOUT".into(), "0".into()),
        ],
        ..ServerOptions::default()
    });
    let a = std::fs::read(heavy_package(dir, "busy-a")).unwrap();
    let b = std::fs::read(heavy_package(dir, "busy-b")).unwrap();
    let send =
        |bytes: Vec<u8>| c.call(&s, Method::POST, UPLOAD, &[], move |r| admin(r).multipart(multipart(bytes, None)));
    let (a, b) = tokio::join!(send(a), send(b));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 503]);
}

/// The operations of the route table (`src/routes/mod.rs`, read as text:
/// axum cannot list its routes) and of the document are the same; and on
/// every documented path, each method the document does not list is a 405.
#[tokio::test]
async fn the_router_and_the_document_list_the_same_operations() {
    let server = TestServer::start();
    let (_, doc) = server.get_json("/api/openapi.json").await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes/mod.rs")).unwrap();
    let routed = router_operations(&source);
    assert!(routed.len() >= 20, "the route table was not read: {routed:?}");
    assert_eq!(routed, documented, "routes/mod.rs and the document differ");

    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{name}", "nope").replace("{version}", "1.0").replace("{id}", "999");
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            let r = server.client.request(method.clone(), server.url(&concrete)).send().await.unwrap();
            let status = r.status().as_u16();
            let listed = item.get(method.as_str().to_ascii_lowercase()).is_some();
            if listed {
                assert_ne!(status, 405, "{method} {path}");
            } else {
                assert_eq!(status, 405, "{method} {path} answers but is not in the document");
            }
        }
    }
}

/// `METHOD /path` for every `.route("/path", get(...).put(...))` call.
fn router_operations(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in source.match_indices(".route(\"") {
        let start = i + ".route(\"".len();
        let path = &source[start..start + source[start..].find('"').unwrap()];
        // The call's text, to its closing parenthesis.
        let mut depth = 1;
        let mut end = start;
        for (j, ch) in source[start..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = start + j;
                break;
            }
        }
        let call = &source[start..end];
        for method in ["get", "post", "put", "delete", "patch"] {
            let named = call
                .match_indices(&format!("{method}("))
                .any(|(k, _)| k == 0 || matches!(call.as_bytes()[k - 1], b' ' | b'.' | b'(' | b':' | b','));
            if named {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

/// The names answers use, as the original registry's clients read them:
/// a field renamed or dropped in a `revitpy-api` type changes the document
/// and the answers alike (so the test above still passes), and this list
/// catches it. A change meant to happen updates this list and
/// docs/CONTRACTS.md together.
const WIRE_NAMES: &str = "\
ChangeInfo {serial, name, kind, version, at}
ChangeKind = publish | yank | unyank | owners | rescan | signing
ChangesResponse {serial, changes, more}
CompatibilityEntry {min_revit, max_revit, tested_versions, known_issues, yanked}
CompatibilityResponse {package, compatibility_matrix}
Dependency {name, version}
EnvelopeSignature {key_id, sig}
ErrorBody {detail}
ErrorRate {window_seconds, requests, client_errors, server_errors, rate}
Health {status, database, storage, search, version, uptime_seconds}
Health.search {indexed_serial, serial, packages}
Health.status = ok | unavailable
IndexPackage {name, normalized_name, download_count, require_signature, versions}
IndexResponse {serial, packages, missing}
IndexRoots {roots}
IndexVersion {version, summary, description, author, license, keywords, categories, package_type, performance_impact, requires_admin, min_revit_version, max_revit_version, tested_revit_versions, known_issues, dependencies, file_hash_sha256, file_size, yanked, signature_key_id, is_prerelease, security_scan_status, created_at}
KeyInfo {id, user, key_id, public_key, created_at, revoked_at}
KnownIssue {description, affected_versions}
NewKeyRequest {public_key, proof, user}
NewTokenRequest {user, label, scope, package}
NewTokenResponse {id, user, label, token_prefix, scope, package, created_at, last_used_at, revoked_at, token}
OpenApiDocument {openapi, info, paths, components}
OwnersRequest {users}
OwnersResponse {package, owners, serial}
PackageDetail {package, versions}
PackageDownloads {name, downloads}
PackageInfo {name, normalized_name, summary, description, author, license, homepage_url, repository_url, documentation_url, keywords, categories, package_type, performance_impact, latest_version, min_revit_version, max_revit_version, download_count, owners, created_at, updated_at}
PackageType = addon | library | template | tool
PerformanceImpact = low | medium | high
Readiness.error {error}
RiskLevel = low | medium | high | critical
ScanCapabilities {network, paths_written, processes, registry_keys}
ScanCompatIssue {member, level, revit_version, replacement, file, line}
ScanCompatLevel = error | warning
ScanFinding {rule, severity, category, file, line, column, snippet, message, because}
ScanImpact {computed, declared, reasons}
ScanReport {risk_level, findings, compatibility, capabilities, impact, scanned_at, scanner}
ScanResults {passed, warning, failed, pending, refused_since_start}
ScanStatus = pending | passed | warning | failed
SearchFilters {revit_version, package_type}
SearchPerformance {window_seconds, searches, p50_ms, p99_ms}
SearchResponse {query, results, total, filters, limit, offset, suggestions}
SearchResult {name, normalized_name, summary, description, latest_version, package_type, performance_impact, min_revit_version, max_revit_version, download_count, author, keywords, categories, updated_at}
ServiceIndex {name, version, endpoints}
Severity = info | low | medium | high | critical
SignedEnvelope {signed, signatures}
SigningPolicy {require_signature}
SigningPolicyResponse {package, require_signature}
StatsResponse {total_packages, total_versions, total_downloads, package_types, package_type_counts, serial, downloads_since_start, top_downloads, search_performance, error_rate, scan_results}
TokenInfo {id, user, label, token_prefix, scope, package, created_at, last_used_at, revoked_at}
TokenScope = yank | publish | admin
UploadResponse {package_name, version, file_hash, file_size, serial, security_scan_status}
VersionInfo {version, summary, description, author, author_email, license, homepage_url, repository_url, documentation_url, package_type, performance_impact, requires_admin, min_revit_version, max_revit_version, tested_revit_versions, known_issues, dependencies, keywords, categories, filename, file_size, file_hash_sha256, security_scan_status, security_scan, digital_signature, signature_key_id, download_count, created_at, is_prerelease, yanked, yanked_reason, published_by, download_url}
YankRequest {reason}
YankResponse {package, version, yanked, yanked_reason, serial}
";

#[test]
fn answer_field_names_stay_as_the_contract_says() {
    let doc = revitpy_registry::openapi::document();
    let components = doc["components"]["schemas"].as_object().unwrap();
    let mut lines = BTreeMap::new();
    for (name, schema) in components {
        names(name, &strict(schema, components), &mut lines);
    }
    let got: String = lines.into_values().map(|l| l + "\n").collect();
    if got != WIRE_NAMES {
        let want: BTreeSet<&str> = WIRE_NAMES.lines().collect();
        let have: BTreeSet<&str> = got.lines().collect();
        panic!(
            "the answers' names changed.\nnow, not in WIRE_NAMES:\n{}\nin WIRE_NAMES, gone:\n{}",
            have.difference(&want).copied().collect::<Vec<_>>().join("\n"),
            want.difference(&have).copied().collect::<Vec<_>>().join("\n"),
        );
    }
}

/// `Name {properties}` or `Name = values`, and the same for objects and
/// enums written inside it (`Name.property ...`).
fn names(label: &str, schema: &Value, out: &mut BTreeMap<String, String>) {
    if let Some(props) = schema["properties"].as_object() {
        let keys: Vec<&str> = props.keys().map(String::as_str).collect();
        out.insert(label.to_owned(), format!("{label} {{{}}}", keys.join(", ")));
        for (key, value) in props {
            names(&format!("{label}.{key}"), value, out);
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && values.len() > 1
    {
        let values: Vec<&str> = values.iter().map(|v| v.as_str().unwrap()).collect();
        out.insert(label.to_owned(), format!("{label} = {}", values.join(" | ")));
    }
    for key in ["oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            if part.get("properties").is_some() {
                let first = part["properties"].as_object().unwrap().keys().next().unwrap();
                names(&format!("{label}.{first}"), part, out);
            }
        }
    }
    if let Some(items) = schema.get("items") {
        names(label, items, out);
    }
}
