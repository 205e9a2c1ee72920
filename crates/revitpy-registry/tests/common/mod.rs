//! The registry as users meet it: the real binary on a free port, a real
//! database and package folder in a temporary directory, spoken to over
//! HTTP. Packages are built from the repository's examples/.
//!
//! The database is SQLite in the data folder, or with
//! `REVITPY_TEST_BACKEND=postgres` a schema of its own on the test
//! PostgreSQL (`REVITPY_TEST_POSTGRES_URL`) for each data folder: see
//! [`backend`] and [`storage_env`].
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use revitpy_rpyx::{BuildOptions, build};
use revitpy_store::test_postgres::TestSchema;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const EXAMPLES: [&str; 6] =
    ["revitpy-utils", "wall-tools", "room-exporter", "sheet-publisher", "parameter-sync", "family-template-kit"];

pub fn examples_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

/// Where the servers and admin commands of a test keep their metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `registry.db` in the data folder (the default).
    Sqlite,
    /// A schema of the test PostgreSQL per data folder.
    Postgres,
}

/// The backend this run tests, from `REVITPY_TEST_BACKEND` (`sqlite`, the
/// default, or `postgres`).
pub fn backend() -> Backend {
    match std::env::var("REVITPY_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
        Ok("postgres") => Backend::Postgres,
        Ok(other) => panic!("REVITPY_TEST_BACKEND is `{other}`; write sqlite or postgres"),
    }
}

/// True, having said why on stderr, when the test runs on PostgreSQL and
/// is about SQLite only: the test then returns.
pub fn sqlite_only(reason: &str) -> bool {
    if backend() == Backend::Postgres {
        eprintln!("skipped on postgres: {reason}");
        return true;
    }
    false
}

/// The schema of each data folder's registry on PostgreSQL: a server
/// started again on a folder, a second replica on it, and the admin
/// commands run on it all see the same database. Kept until the test
/// process ends (then left to [`TestSchema::create`]'s clean-up of old
/// schemas).
static SCHEMAS: Mutex<Option<HashMap<PathBuf, Arc<TestSchema>>>> = Mutex::new(None);

/// The PostgreSQL schema holding the registry of `data_dir` (made on first
/// use), or `None` on SQLite.
pub fn test_schema(data_dir: &Path) -> Option<Arc<TestSchema>> {
    if backend() == Backend::Sqlite {
        return None;
    }
    let mut schemas = SCHEMAS.lock().unwrap_or_else(|e| e.into_inner());
    let schemas = schemas.get_or_insert_with(HashMap::new);
    if let Some(schema) = schemas.get(data_dir) {
        return Some(schema.clone());
    }
    let label =
        std::thread::current().name().unwrap_or("registry").rsplit("::").next().unwrap_or("registry").to_owned();
    let schema = Arc::new(
        TestSchema::create(&label)
            .expect("REVITPY_TEST_BACKEND=postgres needs REVITPY_TEST_POSTGRES_URL (the test database)"),
    );
    schemas.insert(data_dir.to_owned(), schema.clone());
    Some(schema)
}

/// The environment that points the binary at `data_dir`'s registry:
/// `DATA_DIR`, and on PostgreSQL the `DATABASE_URL` of its schema. For
/// admin commands run beside (or after) a server on that folder.
pub fn storage_env(data_dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![("DATA_DIR".to_owned(), data_dir.to_string_lossy().into_owned())];
    if let Some(schema) = test_schema(data_dir) {
        env.push(("DATABASE_URL".to_owned(), schema.url.clone()));
    }
    env
}

/// The binary, ready for an admin subcommand on `data_dir`'s registry
/// ([`storage_env`]; a `DATABASE_URL` of the caller's own is not passed on).
pub fn admin_command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"));
    cmd.env_remove("DATABASE_URL").envs(storage_env(data_dir));
    cmd
}

pub struct TestServer {
    pub child: Child,
    pub base: String,
    pub data_dir: PathBuf,
    _dir: Option<tempfile::TempDir>,
    pub client: reqwest::Client,
}

pub struct ServerOptions {
    pub env: Vec<(String, String)>,
    pub data_dir: Option<PathBuf>,
    /// Extra flags after `serve`.
    pub args: Vec<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self { env: default_env(), data_dir: None, args: Vec::new() }
    }
}

/// The admin token, and rate limits off: tests publish and search faster
/// than any person, from one address. `tests/ratelimit.rs` tests the limits,
/// with `serve`'s own defaults.
pub fn default_env() -> Vec<(String, String)> {
    let mut env = vec![("ADMIN_TOKEN".to_owned(), ADMIN_TOKEN.to_owned())];
    for limit in ["RATE_LIMIT_UPLOADS", "RATE_LIMIT_SEARCHES", "RATE_LIMIT_TOKENS"] {
        env.push((limit.to_owned(), "off".to_owned()));
    }
    env
}

impl TestServer {
    pub fn start() -> Self {
        Self::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> Self {
        init_tls();
        let (dir, data_dir) = match options.data_dir {
            Some(d) => (None, d),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let data = dir.path().join("data");
                (Some(dir), data)
            }
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"));
        cmd.arg("serve")
            .args(&options.args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", "0")
            .env("LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // The backend's database, unless the test chose one itself.
        if options.env.iter().any(|(k, _)| k == "DATABASE_URL") {
            cmd.env("DATA_DIR", &data_dir);
        } else {
            cmd.envs(storage_env(&data_dir));
        }
        for (k, v) in &options.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the server starts");
        let base = wait_for_address(&mut child);
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        Self { child, base, data_dir, _dir: dir, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        assert_json(&r);
        (status, r.json().await.unwrap())
    }

    pub async fn upload(&self, file: &Path, token: Option<&str>) -> (u16, serde_json::Value) {
        self.upload_bytes(std::fs::read(file).unwrap(), token, None).await
    }

    pub async fn upload_bytes(
        &self,
        bytes: Vec<u8>,
        token: Option<&str>,
        metadata: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("package.rpyx");
        let form = reqwest::multipart::Form::new().part("file", part);
        let mut req = self.client.post(self.url("/api/packages/upload")).multipart(form);
        if let Some(m) = metadata {
            req = req.query(&[("metadata", m)]);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        assert_json(&r);
        (status, r.json().await.unwrap())
    }

    /// Sends SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Keeps the data folder alive after the server stops (for a restart).
    pub fn take_dir(&mut self) -> Option<tempfile::TempDir> {
        self._dir.take()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The workspace's reqwest uses rustls without a built-in crypto provider
/// (the client installs ring); tests that build their own clients do too.
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn wait_for_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(addr) = line.strip_prefix("revitpy-registry listening on ") {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("the server printed its address within 20 s")
}

pub fn assert_json(r: &reqwest::Response) {
    if r.status() == reqwest::StatusCode::NOT_MODIFIED {
        return;
    }
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(ct.starts_with("application/json"), "{} {}: content-type {ct:?}", r.status(), r.url());
}

/// Builds an example (optionally changed by `edit`) into `out`.
pub fn build_example(name: &str, out: &Path) -> PathBuf {
    let file = out.join(format!("{name}.rpyx"));
    build(&examples_dir().join(name), &file, &BuildOptions::default()).unwrap();
    file
}

/// Copies an example to a temporary folder, lets `edit` change it, builds it.
pub fn build_variant(name: &str, out: &Path, tag: &str, edit: impl FnOnce(&Path)) -> PathBuf {
    let src = out.join(format!("src-{name}-{tag}"));
    copy_tree(&examples_dir().join(name), &src);
    edit(&src);
    let file = out.join(format!("{name}-{tag}.rpyx"));
    build(&src, &file, &BuildOptions::default()).unwrap();
    file
}

/// Builds a package from scratch: a manifest.json for `name` 1.0.0 and the
/// given files (relative path, contents).
pub fn build_source(out: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let src = out.join(format!("src-{name}"));
    std::fs::create_dir_all(&src).unwrap();
    let manifest = serde_json::json!({
        "name": name,
        "version": "1.0.0",
        "description": "a test package",
        "author": "tests",
        "revit_compatibility": {"min_version": "2022"},
    });
    std::fs::write(src.join("manifest.json"), manifest.to_string()).unwrap();
    for (path, text) in files {
        let file = src.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let file = out.join(format!("{name}.rpyx"));
    build(&src, &file, &BuildOptions::default()).unwrap();
    file
}

/// Copies a built package into `out` with one more file, recorded in
/// rpyx-build.json like the builder's own (so the package stays valid): how
/// a file the builder leaves out (a `.pyc`) gets into a package.
pub fn with_extra_file(rpyx: &Path, out: &Path, path: &str, bytes: &[u8]) -> PathBuf {
    use sha2::Digest;
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::fs::File::open(rpyx).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == revitpy_rpyx::BUILD_ENTRY {
            let mut info: serde_json::Value = serde_json::from_slice(&data).unwrap();
            let record = serde_json::json!({
                "path": path,
                "size": bytes.len(),
                "sha256": hex::encode(sha2::Sha256::digest(bytes)),
            });
            info["files"].as_array_mut().unwrap().push(record);
            data = serde_json::to_vec_pretty(&info).unwrap();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&data).unwrap();
    }
    writer.start_file(path, options).unwrap();
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap();
    out.to_owned()
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Rewrites `key = "value"` (TOML) or `"key": "value"` (JSON) lines.
pub fn set_version(src: &Path, version: &str) {
    for file in ["revitpy.toml", "manifest.json", "package.json"] {
        let path = src.join(file);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let mut out = String::new();
            let mut done = false;
            for line in text.lines() {
                let t = line.trim_start();
                if !done && t.starts_with("version = ") {
                    out.push_str(&format!("version = \"{version}\"\n"));
                    done = true;
                } else if !done && t.starts_with("\"version\":") {
                    out.push_str(&format!("  \"version\": \"{version}\",\n"));
                    done = true;
                } else {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            std::fs::write(&path, out).unwrap();
            return;
        }
    }
    panic!("no manifest to edit in {}", src.display());
}

/// Polls `f` until it returns Some, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < limit, "condition not met within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
