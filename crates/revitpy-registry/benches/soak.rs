//! Soak test of the registry server (issue 20 §9): one million mixed
//! requests (search, metadata, download, upload) over 64 keep-alive
//! connections to one server, bounded in time; reports errors (goal zero),
//! latency percentiles per class, and the server's memory, threads and open
//! files at start and end (goal flat). Ends with a cross-check against the
//! server's own counts (`/metrics`, `/api/stats`), a SIGTERM that must exit
//! 0, and `revitpy-registry fsck` on the data folder.
//!
//! Run: `cargo bench -p revitpy-registry --bench soak`
//!
//! Environment (numbers may be written `1_000_000` or `1,000,000`):
//! - `SOAK_REQUESTS=N`: requests to send (default 1,000,000).
//! - `SOAK_CONNECTIONS=C`: connections, one task each (default 64).
//! - `SOAK_SECONDS=S`: hard bound on the load phase (default 900): no request
//!   starts after it; the report says how many were sent.
//! - `SOAK_PACKAGES=P`: packages seeded before the server starts (default 2,000).
//! - `SOAK_MIX=search=60,metadata=30,download=9.9,upload=0.1`: percentages
//!   (the default; weights are normalised, a class left out gets 0).
//! - `SOAK_TIMEOUT=S`: per-request timeout (default 30).
//! - `SOAK_SEED=N`: the plan's seed (default 1).
//! - `SOAK_SAMPLE_SECONDS=S`: how often the server's memory, threads and
//!   files are sampled (default 2).
//! - `SOAK_IDLE_SECONDS=S`: idle time before the start figures and again
//!   after the load, before the end figures (default 12: longer than the
//!   10 s an idle tokio blocking thread lives, so both see a settled pool).
//!
//! Steps:
//! 1. Build the packages with `revitpy_rpyx::build` from tiny source folders,
//!    before any clock: one seed file, 4 download packages (about 9 KB each),
//!    and one upload package for every upload in the plan (a unique
//!    `soak-up-NN` name and version each; about 1,000 for a million).
//! 2. Seed `SOAK_PACKAGES` versions through the `Store` trait in batches, as
//!    `load.rs` does (`revitpy_search::testdata::generated_docs`); every
//!    seeded version references the one real seed file, put in the blob store
//!    first, so `fsck` at the end checks a consistent registry. Then
//!    `revitpy-registry reindex`.
//! 3. Start the real server binary (`PORT=0`, a temporary `DATA_DIR`,
//!    `ADMIN_TOKEN`, `LOG_LEVEL=error`, every rate limit off: one address
//!    sends everything, `MAX_CONNECTIONS` 256 or C + 64); upload the 4 download
//!    packages over HTTP; idle `SOAK_IDLE_SECONDS`; take the start figures
//!    (VmRSS, VmHWM, threads by name, `/proc/PID/fd`).
//! 4. Open C connections, start the clock. Request `i` (taken from one
//!    shared counter) has a class and a target that are a pure function of
//!    (seed, i) (splitmix64), so the mix, and the number of uploads to
//!    pre-build, are fixed before the clock whichever connection sends it.
//!    Each task sends one request at a time on its keep-alive connection
//!    and reconnects when the server closes it (counted) or after an error.
//!    Expected: 200 for every class (and the exact size for downloads);
//!    anything else is an error: another status, an I/O error or a closed
//!    connection, a timeout, a malformed answer, a wrong size.
//! 5. Latencies (write of the request to the last byte of the answer, of
//!    answers as expected) go into per-class histograms with fixed log-linear
//!    buckets in microseconds (128 per power of two, so any percentile is
//!    within 0.8% of the true value; exact below 256 µs; max exact): memory
//!    bounded whatever the run length, merged across tasks at the end. The
//!    same histograms per tenth of the plan show whether latency drifts.
//!    A thread samples the server every `SOAK_SAMPLE_SECONDS`; all samples
//!    are kept (at most `SOAK_SECONDS / SOAK_SAMPLE_SECONDS`).
//! 6. After the load: close the connections, idle, take the end figures;
//!    fetch `/api/stats` and `/metrics` once and compare their counts with
//!    the client's (and read RSS once more after those two requests:
//!    mimalloc hands freed pages back lazily, on later allocations);
//!    SIGTERM the server (exit 0 within `SHUTDOWN_TIMEOUT`); run
//!    `revitpy-registry fsck --json` on the data folder.
//!
//! Prints Markdown tables for docs/PERFORMANCE.md; exits 1 when any request
//! failed, a count disagreed, the server did not stop cleanly or fsck is not
//! clean (after printing everything).

#[path = "support/seed.rs"]
mod seed;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use revitpy_blobs::{BlobKey, BlobStore, FileStore};
use revitpy_search::testdata::{generated_docs, generated_queries};
use revitpy_store::{Actor, Release, Scope, SqliteStore, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const ADMIN_TOKEN: &str = "soak-admin-token";
const DOWNLOAD_PACKAGES: usize = 4;
/// Upload packages share this many names (a new version of each in turn).
const UPLOAD_NAMES: usize = 100;
const BOUNDARY: &str = "soak-boundary-7MA4YWxkTrZu0gW";
const SLICES: usize = 10;
const SHUTDOWN_TIMEOUT_S: u64 = 10;

// ---------------------------------------------------------------------------
// Configuration

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().replace(['_', ','], "").parse().unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        _ => default,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Class {
    Search = 0,
    Metadata = 1,
    Download = 2,
    Upload = 3,
}

const CLASSES: [Class; 4] = [Class::Search, Class::Metadata, Class::Download, Class::Upload];

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Search => "search",
            Class::Metadata => "metadata",
            Class::Download => "download",
            Class::Upload => "upload",
        }
    }
    fn what(self) -> &'static str {
        match self {
            Class::Search => "`GET /api/packages/search?q=`",
            Class::Metadata => "`GET /api/packages/{name}`",
            Class::Download => "`GET /api/packages/{name}/{version}/download`",
            Class::Upload => "`POST /api/packages/upload` (multipart, admin token)",
        }
    }
}

struct Config {
    requests: u64,
    connections: usize,
    seconds: u64,
    packages: usize,
    /// Per-million shares, in `CLASSES` order; sums to 1,000,000.
    mix: [u64; 4],
    timeout: Duration,
    seed: u64,
    sample_seconds: f64,
    idle_seconds: f64,
}

fn parse_mix(spec: &str) -> [u64; 4] {
    let mut weights = [0f64; 4];
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or_else(|| panic!("SOAK_MIX: `{part}` is not class=percent"));
        let i = CLASSES
            .iter()
            .position(|c| c.name() == k.trim())
            .unwrap_or_else(|| panic!("SOAK_MIX: unknown class `{k}` (search, metadata, download, upload)"));
        weights[i] = v.trim().parse().unwrap_or_else(|_| panic!("SOAK_MIX: `{v}` is not a number"));
        assert!(weights[i] >= 0.0, "SOAK_MIX: negative share");
    }
    let total: f64 = weights.iter().sum();
    assert!(total > 0.0, "SOAK_MIX: every share is 0");
    let mut mix = weights.map(|w| (w / total * 1e6).round() as u64);
    // Rounding: the largest class takes the remainder.
    let largest = (0..4).max_by(|&a, &b| weights[a].total_cmp(&weights[b])).unwrap();
    let rest: u64 = (0..4).filter(|&i| i != largest).map(|i| mix[i]).sum();
    mix[largest] = 1_000_000 - rest;
    mix
}

impl Config {
    fn from_env() -> Config {
        let mix = std::env::var("SOAK_MIX").unwrap_or_default();
        let mix = if mix.trim().is_empty() { "search=60,metadata=30,download=9.9,upload=0.1".to_owned() } else { mix };
        let c = Config {
            requests: env_num("SOAK_REQUESTS", 1_000_000),
            connections: env_num("SOAK_CONNECTIONS", 64),
            seconds: env_num("SOAK_SECONDS", 900),
            packages: env_num("SOAK_PACKAGES", 2_000),
            mix: parse_mix(&mix),
            timeout: Duration::from_secs_f64(env_num("SOAK_TIMEOUT", 30.0)),
            seed: env_num("SOAK_SEED", 1),
            sample_seconds: env_num("SOAK_SAMPLE_SECONDS", 2.0),
            idle_seconds: env_num("SOAK_IDLE_SECONDS", 12.0),
        };
        assert!(c.connections >= 1 && c.packages >= 1 && c.requests >= 1);
        c
    }
}

// ---------------------------------------------------------------------------
// The plan: request i's class and target, from (seed, i) alone

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Clone, Copy)]
struct Plan {
    seed: u64,
    mix: [u64; 4],
}

impl Plan {
    /// (class, a number to pick the target with).
    fn at(&self, i: u64) -> (Class, u64) {
        let h = splitmix64(self.seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ i);
        let mut r = (h >> 32) % 1_000_000;
        for (c, share) in CLASSES.iter().zip(self.mix) {
            if r < share {
                return (*c, h & 0xFFFF_FFFF);
            }
            r -= share;
        }
        unreachable!("the shares sum to 1,000,000")
    }
}

// ---------------------------------------------------------------------------
// Latency histogram: fixed log-linear buckets in microseconds

const SUB_BITS: u32 = 7;
const SUB: usize = 1 << SUB_BITS;
/// Values are clamped below 2^36 µs (19 hours).
const MAX_EXP: u32 = 36;
const BUCKETS: usize = (MAX_EXP - SUB_BITS) as usize * SUB + SUB;

#[derive(Clone)]
struct Hist {
    counts: Vec<u64>,
    n: u64,
    max: u64,
    sum: u64,
}

impl Hist {
    fn new() -> Hist {
        Hist { counts: vec![0; BUCKETS], n: 0, max: 0, sum: 0 }
    }

    fn index(v: u64) -> usize {
        let v = v.min((1u64 << MAX_EXP) - 1);
        if v < 2 * SUB as u64 {
            return v as usize;
        }
        let e = 63 - v.leading_zeros();
        let shift = e - SUB_BITS;
        shift as usize * SUB + (v >> shift) as usize
    }

    /// The largest value bucket `idx` holds.
    fn upper(idx: usize) -> u64 {
        if idx < 2 * SUB {
            return idx as u64;
        }
        let shift = (idx / SUB - 1) as u32;
        let m = (idx - shift as usize * SUB) as u64;
        ((m + 1) << shift) - 1
    }

    fn record(&mut self, us: u64) {
        self.counts[Self::index(us)] += 1;
        self.n += 1;
        self.max = self.max.max(us);
        self.sum += us;
    }

    fn merge(&mut self, o: &Hist) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.n += o.n;
        self.max = self.max.max(o.max);
        self.sum += o.sum;
    }

    /// The value at quantile `q`, µs (the bucket's upper edge, never above max).
    fn quantile(&self, q: f64) -> u64 {
        if self.n == 0 {
            return 0;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::upper(i).min(self.max);
            }
        }
        self.max
    }

    fn mean(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.sum as f64 / self.n as f64 }
    }
}

fn ms(us: u64) -> String {
    let m = us as f64 / 1000.0;
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

fn signed_mb(kb: i64) -> String {
    format!("{}{:.1} MB", if kb >= 0 { "+" } else { "-" }, kb.unsigned_abs() as f64 / 1024.0)
}

// ---------------------------------------------------------------------------
// A keep-alive HTTP/1.1 client connection

struct Conn {
    stream: BufReader<TcpStream>,
    scratch: Vec<u8>,
}

struct Answer {
    status: u16,
    /// Body bytes read (after de-chunking).
    len: u64,
    /// The body, when asked for or when the status is not 2xx (first 64 KiB).
    body: Vec<u8>,
    /// The server said `Connection: close` (or delimited the body by closing).
    close: bool,
}

#[derive(Debug)]
enum Failure {
    Io(String),
    /// The connection closed before (or while) the answer came.
    Closed(String),
    Protocol(String),
}

const KEEP_LIMIT: usize = 64 * 1024;

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn { stream: BufReader::with_capacity(64 * 1024, s), scratch: vec![0; 64 * 1024] })
    }

    async fn line(&mut self, buf: &mut String, what: &str) -> Result<(), Failure> {
        buf.clear();
        match self.stream.read_line(buf).await {
            Ok(0) => Err(Failure::Closed(format!("connection closed before the {what}"))),
            Ok(_) if !buf.ends_with('\n') => Err(Failure::Closed(format!("connection closed inside the {what}"))),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Err(Failure::Protocol(format!("the {what} is not UTF-8")))
            }
            Err(e) => Err(Failure::Io(format!("reading the {what}: {e}"))),
        }
    }

    /// Reads `n` body bytes, keeping them when `keep` (up to `KEEP_LIMIT`).
    async fn body_bytes(&mut self, mut n: u64, keep: bool, body: &mut Vec<u8>) -> Result<(), Failure> {
        while n > 0 {
            let want = n.min(self.scratch.len() as u64) as usize;
            let got = match self.stream.read(&mut self.scratch[..want]).await {
                Ok(0) => return Err(Failure::Closed("connection closed inside the body".into())),
                Ok(k) => k,
                Err(e) => return Err(Failure::Io(format!("reading the body: {e}"))),
            };
            if keep && body.len() < KEEP_LIMIT {
                let room = KEEP_LIMIT - body.len();
                body.extend_from_slice(&self.scratch[..got.min(room)]);
            }
            n -= got as u64;
        }
        Ok(())
    }

    /// Sends a whole request (head and body) and reads the whole answer.
    async fn send(&mut self, request: &[u8], keep_body: bool) -> Result<Answer, Failure> {
        self.stream.get_mut().write_all(request).await.map_err(|e| Failure::Io(format!("writing the request: {e}")))?;
        let mut line = String::new();
        self.line(&mut line, "status line").await?;
        let status: u16 = match line.split_whitespace().collect::<Vec<_>>()[..] {
            [v, s, ..] if v.starts_with("HTTP/1.") => {
                s.parse().map_err(|_| Failure::Protocol(format!("status line {line:?}")))?
            }
            _ => return Err(Failure::Protocol(format!("status line {line:?}"))),
        };
        let mut length: Option<u64> = None;
        let mut chunked = false;
        let mut close = line.starts_with("HTTP/1.0");
        loop {
            self.line(&mut line, "headers").await?;
            if line == "\r\n" || line == "\n" {
                break;
            }
            let Some((k, v)) = line.split_once(':') else {
                return Err(Failure::Protocol(format!("header {line:?}")));
            };
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("content-length") {
                length = Some(v.parse().map_err(|_| Failure::Protocol(format!("content-length {v:?}")))?);
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.to_ascii_lowercase().split(',').any(|t| t.trim() == "close");
            }
        }
        let keep = keep_body || !(200..300).contains(&status);
        let mut body = Vec::new();
        let mut len = 0u64;
        if status == 204 || status == 304 || (100..200).contains(&status) {
            // No body.
        } else if chunked {
            loop {
                self.line(&mut line, "chunk size").await?;
                let size = line.trim().split(';').next().unwrap_or("");
                let size = u64::from_str_radix(size.trim(), 16)
                    .map_err(|_| Failure::Protocol(format!("chunk size {line:?}")))?;
                if size == 0 {
                    // Trailers, then the blank line.
                    loop {
                        self.line(&mut line, "trailers").await?;
                        if line == "\r\n" || line == "\n" {
                            break;
                        }
                    }
                    break;
                }
                self.body_bytes(size, keep, &mut body).await?;
                len += size;
                self.line(&mut line, "chunk end").await?;
                if line != "\r\n" {
                    return Err(Failure::Protocol(format!("chunk end {line:?}")));
                }
            }
        } else if let Some(n) = length {
            self.body_bytes(n, keep, &mut body).await?;
            len = n;
        } else {
            // Delimited by the end of the connection.
            close = true;
            loop {
                match self.stream.read(&mut self.scratch).await {
                    Ok(0) => break,
                    Ok(k) => {
                        if keep && body.len() < KEEP_LIMIT {
                            body.extend_from_slice(&self.scratch[..k.min(KEEP_LIMIT - body.len())]);
                        }
                        len += k as u64;
                    }
                    Err(e) => return Err(Failure::Io(format!("reading the body: {e}"))),
                }
            }
        }
        Ok(Answer { status, len, body, close })
    }
}

fn get_request(host: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes()
}

fn upload_request(host: &str, file_name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut req = format!(
        "POST /api/packages/upload HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    req
}

/// Setup and final requests: one connection, panics on I/O errors; counts
/// what the server answered, for the cross-check.
struct SetupClient {
    conn: Conn,
    addr: SocketAddr,
    answered: u64,
}

impl SetupClient {
    async fn new(addr: SocketAddr) -> SetupClient {
        SetupClient { conn: Conn::open(addr).await.expect("connect"), addr, answered: 0 }
    }

    async fn send(&mut self, request: &[u8]) -> Answer {
        let a = tokio::time::timeout(Duration::from_secs(60), self.conn.send(request, true))
            .await
            .expect("setup request timed out")
            .unwrap_or_else(|e| panic!("setup request failed: {e:?}"));
        self.answered += 1;
        if a.close {
            self.conn = Conn::open(self.addr).await.expect("reconnect");
        }
        a
    }

    async fn get(&mut self, path: &str) -> Answer {
        let req = get_request(&self.addr.to_string(), path);
        self.send(&req).await
    }
}

// ---------------------------------------------------------------------------
// Packages

struct Built {
    name: String,
    version: String,
    file_name: String,
    bytes: Vec<u8>,
    sha256: String,
}

/// A tiny real package: a `revitpy.toml`, a module, and `data_bytes` of
/// pseudo-random CSV (so the size does not compress away).
fn build_package(work: &Path, name: &str, version: &str, data_bytes: usize, salt: u64) -> Built {
    let dir = work.join(format!("src-{name}-{version}"));
    let module = name.replace('-', "_");
    std::fs::create_dir_all(dir.join(&module)).unwrap();
    let manifest = format!(
        "[package]\nname = {}\nversion = {}\ndescription = {}\nsummary = {}\nauthor = \"Soak Studio\"\n\
         author_email = \"soak@example.test\"\nlicense = \"MIT\"\nkeywords = [\"soak\", \"wall\"]\n\n\
         [package.revit_compatibility]\nmin_version = \"2022\"\nmax_version = \"2026\"\n",
        seed::toml_str(name),
        seed::toml_str(version),
        seed::toml_str(&format!("Soak test package {name} {version}: wall and door schedules.")),
        seed::toml_str("Soak test package"),
    );
    std::fs::write(dir.join("revitpy.toml"), manifest).unwrap();
    std::fs::write(
        dir.join(&module).join("__init__.py"),
        format!(
            "\"\"\"{name} {version}.\"\"\"\n\n\ndef schedule_rows(rows):\n    \"\"\"Sums the widths of the rows.\"\"\"\n    \
             total = 0\n    for row in rows:\n        total += row.get(\"width\", 0)\n    return total\n"
        ),
    )
    .unwrap();
    if data_bytes > 0 {
        let mut x = splitmix64(salt);
        let mut csv = String::from("id,width,height\n");
        let mut id = 0;
        while csv.len() < data_bytes {
            x = splitmix64(x);
            csv.push_str(&format!("{id},{},{}\n", x % 100_000, (x >> 20) % 100_000));
            id += 1;
        }
        std::fs::write(dir.join(&module).join("widths.csv"), csv).unwrap();
    }
    let file_name = format!("{name}-{version}.rpyx");
    let out = work.join(&file_name);
    let report = revitpy_rpyx::build(&dir, &out, &revitpy_rpyx::BuildOptions::default())
        .unwrap_or_else(|e| panic!("building {name} {version}: {e}"));
    let bytes = std::fs::read(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&out).unwrap();
    Built { name: name.to_owned(), version: version.to_owned(), file_name, bytes, sha256: report.sha256 }
}

// ---------------------------------------------------------------------------
// The server process

fn status_field(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn fd_count(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as u64).unwrap_or(0)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU seconds of a process (`self` for this one).
fn cpu_seconds(pid: &str, ticks: f64) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some((_, after)) = stat.rsplit_once(')') else { return 0.0 };
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    if f.len() < 13 {
        return 0.0;
    }
    (f[11] + f[12]) / ticks
}

#[derive(Clone, Copy, Default)]
struct Figures {
    rss_kb: u64,
    hwm_kb: u64,
    anon_kb: u64,
    file_kb: u64,
    threads: u64,
    fds: u64,
}

/// The server's open files by kind (`/proc/PID/fd/*` targets; files in the
/// data folder by name, the search index's and package files together).
fn fd_kinds(pid: u32, data: &Path) -> BTreeMap<String, usize> {
    let mut kinds = BTreeMap::<String, usize>::new();
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).into_iter().flatten().flatten() {
        let Ok(target) = std::fs::read_link(fd.path()) else { continue };
        let kind = if let Ok(rel) = target.strip_prefix(data) {
            let rel = rel.to_string_lossy().into_owned();
            match rel.split_once('/') {
                Some((dir, _)) => format!("{dir}/*"),
                None => rel,
            }
        } else {
            let t = target.to_string_lossy().into_owned();
            match t.split_once(":[") {
                Some((k, _)) => k.to_owned(),
                None => t,
            }
        };
        *kinds.entry(kind).or_default() += 1;
    }
    kinds
}

/// The server's threads by name (`/proc/PID/task/*/comm`): `name×count, ...`.
fn thread_names(pid: u32) -> String {
    let mut names = BTreeMap::<String, usize>::new();
    for t in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        *names.entry(comm.trim().to_owned()).or_default() += 1;
    }
    names.iter().map(|(n, c)| format!("{n}×{c}")).collect::<Vec<_>>().join(", ")
}

fn figures(pid: u32) -> Figures {
    Figures {
        rss_kb: status_field(pid, "VmRSS:"),
        hwm_kb: status_field(pid, "VmHWM:"),
        anon_kb: status_field(pid, "RssAnon:"),
        file_kb: status_field(pid, "RssFile:"),
        threads: status_field(pid, "Threads:"),
        fds: fd_count(pid),
    }
}

struct Server {
    child: Child,
    addr: SocketAddr,
    /// Lines the server wrote to stderr (its log, at LOG_LEVEL=error): count, first ones.
    log_lines: Arc<AtomicU64>,
    log_sample: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn server_command(exe: &str, data: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env("DATA_DIR", data);
    for var in [
        "RUST_LOG",
        "DATABASE_URL",
        "STORAGE_TYPE",
        "STORAGE_PATH",
        "SEARCH_INDEX_PATH",
        "CDN_BASE_URL",
        "METRICS",
        "TRUSTED_PROXIES",
        "HOST",
        "PORT",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn start_server(exe: &str, data: &Path, connections: usize) -> Server {
    let mut cmd = server_command(exe, data);
    cmd.arg("serve")
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("LOG_LEVEL", "error")
        // One address sends everything here.
        .env("RATE_LIMIT_UPLOADS", "off")
        .env("RATE_LIMIT_SEARCHES", "off")
        .env("RATE_LIMIT_TOKENS", "off")
        .env("MAX_CONNECTIONS", (connections + 64).max(256).to_string())
        .env("SHUTDOWN_TIMEOUT", SHUTDOWN_TIMEOUT_S.to_string());
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let (tx, rx) = std::sync::mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if let Some(tx) = tx.take() {
                let _ = tx.send(line);
            }
        }
    });
    let log_lines = Arc::new(AtomicU64::new(0));
    let log_sample = Arc::new(Mutex::new(Vec::new()));
    let err = child.stderr.take().unwrap();
    let (lines, sample) = (log_lines.clone(), log_sample.clone());
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            let n = lines.fetch_add(1, Ordering::Relaxed);
            if n < 20 {
                eprintln!("[server] {line}");
                sample.lock().unwrap().push(line);
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(120)).expect("the server prints its address");
    let addr: SocketAddr = line.trim().rsplit("http://").next().unwrap().parse().expect("address line");
    Server { child, addr, log_lines, log_sample }
}

// ---------------------------------------------------------------------------
// The load

#[derive(Default, Clone)]
struct Errors {
    /// (class, status) -> count.
    status: BTreeMap<(Class, u16), u64>,
    io: u64,
    closed: u64,
    timeout: u64,
    protocol: u64,
    wrong_size: u64,
}

impl Errors {
    fn total(&self) -> u64 {
        self.status.values().sum::<u64>() + self.io + self.closed + self.timeout + self.protocol + self.wrong_size
    }
    fn merge(&mut self, o: &Errors) {
        for (k, v) in &o.status {
            *self.status.entry(*k).or_default() += v;
        }
        self.io += o.io;
        self.closed += o.closed;
        self.timeout += o.timeout;
        self.protocol += o.protocol;
        self.wrong_size += o.wrong_size;
    }
}

#[derive(Clone, Copy)]
struct Slow {
    us: u64,
    at_s: f64,
}

struct TaskResult {
    class_hist: Vec<Hist>,
    slice_hist: Vec<Hist>,
    /// Per slice: first request's start and last answer's end, seconds from the clock's start.
    slice_span: Vec<(f64, f64)>,
    /// Per class: answers as expected (latency recorded), and every answer the server gave.
    ok: [u64; 4],
    answered: [u64; 4],
    sent: [u64; 4],
    errors: Errors,
    reconnects: u64,
    /// The 5 slowest answers of each class.
    slowest: Vec<Vec<Slow>>,
}

struct Targets {
    search: Vec<Vec<u8>>,
    metadata: Vec<Vec<u8>>,
    /// (request, expected size).
    download: Vec<(Vec<u8>, u64)>,
    upload: Vec<Vec<u8>>,
}

struct Shared {
    plan: Plan,
    targets: Targets,
    requests: u64,
    next: AtomicU64,
    uploads_taken: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
    start: Instant,
    deadline: Instant,
    timeout: Duration,
    error_samples: Mutex<Vec<String>>,
}

impl Shared {
    fn note_error(&self, at: f64, class: Class, what: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let mut s = self.error_samples.lock().unwrap();
        if s.len() < 20 {
            s.push(format!("{at:.1} s, {}: {what}", class.name()));
        }
    }
}

async fn run_task(shared: Arc<Shared>, addr: SocketAddr, first: Conn) -> TaskResult {
    let mut r = TaskResult {
        class_hist: vec![Hist::new(); 4],
        slice_hist: vec![Hist::new(); SLICES],
        slice_span: vec![(f64::MAX, 0.0); SLICES],
        ok: [0; 4],
        answered: [0; 4],
        sent: [0; 4],
        errors: Errors::default(),
        reconnects: 0,
        slowest: vec![Vec::new(); 4],
    };
    let mut conn = Some(first);
    let n = shared.requests;
    loop {
        if Instant::now() >= shared.deadline {
            break;
        }
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        let (class, pick) = shared.plan.at(i);
        let t = &shared.targets;
        let (request, expect_len): (&[u8], Option<u64>) = match class {
            Class::Search => (&t.search[pick as usize % t.search.len()], None),
            Class::Metadata => (&t.metadata[pick as usize % t.metadata.len()], None),
            Class::Download => {
                let (req, size) = &t.download[pick as usize % t.download.len()];
                (req, Some(*size))
            }
            Class::Upload => {
                let k = shared.uploads_taken.fetch_add(1, Ordering::Relaxed) as usize;
                (&t.upload[k], None)
            }
        };
        let slice = (i * SLICES as u64 / n) as usize;
        let started = Instant::now();
        let at = started.duration_since(shared.start).as_secs_f64();
        r.sent[class as usize] += 1;
        let outcome = tokio::time::timeout(shared.timeout, async {
            if conn.is_none() {
                r.reconnects += 1;
                conn = Some(Conn::open(addr).await.map_err(|e| Failure::Io(format!("connecting: {e}")))?);
            }
            conn.as_mut().unwrap().send(request, false).await
        })
        .await;
        let us = started.elapsed().as_micros() as u64;
        let end = started.duration_since(shared.start).as_secs_f64() + us as f64 / 1e6;
        match outcome {
            Ok(Ok(answer)) => {
                r.answered[class as usize] += 1;
                if answer.close {
                    conn = None;
                }
                if answer.status != 200 {
                    *r.errors.status.entry((class, answer.status)).or_default() += 1;
                    let detail = String::from_utf8_lossy(&answer.body[..answer.body.len().min(300)]).into_owned();
                    shared.note_error(at, class, format!("status {}: {detail}", answer.status));
                } else if expect_len.is_some_and(|want| want != answer.len) {
                    r.errors.wrong_size += 1;
                    shared.note_error(at, class, format!("{} bytes, expected {}", answer.len, expect_len.unwrap()));
                } else {
                    r.ok[class as usize] += 1;
                    r.class_hist[class as usize].record(us);
                    r.slice_hist[slice].record(us);
                    let span = &mut r.slice_span[slice];
                    span.0 = span.0.min(at);
                    span.1 = span.1.max(end);
                    let slow = &mut r.slowest[class as usize];
                    if slow.len() < 5 || us > slow.last().unwrap().us {
                        slow.push(Slow { us, at_s: at });
                        slow.sort_by_key(|s| std::cmp::Reverse(s.us));
                        slow.truncate(5);
                    }
                }
            }
            Ok(Err(failure)) => {
                conn = None;
                let what = match failure {
                    Failure::Io(m) => {
                        r.errors.io += 1;
                        m
                    }
                    Failure::Closed(m) => {
                        r.errors.closed += 1;
                        m
                    }
                    Failure::Protocol(m) => {
                        r.errors.protocol += 1;
                        m
                    }
                };
                shared.note_error(at, class, what);
            }
            Err(_) => {
                conn = None;
                r.errors.timeout += 1;
                shared.note_error(at, class, format!("no answer within {:?}", shared.timeout));
            }
        }
        shared.done.fetch_add(1, Ordering::Relaxed);
    }
    r
}

#[derive(Clone, Copy)]
struct Sample {
    t: f64,
    done: u64,
    failed: u64,
    f: Figures,
}

// ---------------------------------------------------------------------------
// /metrics parsing

fn label<'a>(labels: &'a str, key: &str) -> Option<&'a str> {
    let start = labels.find(&format!("{key}=\""))? + key.len() + 2;
    let rest = &labels[start..];
    Some(&rest[..rest.find('"')?])
}

/// Sum of the samples of `metric` whose labels satisfy `keep`.
fn metric_sum(text: &str, metric: &str, keep: impl Fn(&str) -> bool) -> f64 {
    let mut total = 0.0;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(metric) else { continue };
        let (labels, value) = if let Some(rest) = rest.strip_prefix('{') {
            let Some((labels, value)) = rest.split_once("} ") else { continue };
            (labels, value)
        } else if let Some(value) = rest.strip_prefix(' ') {
            ("", value)
        } else {
            continue;
        };
        if keep(labels) {
            total += value.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        }
    }
    total
}

// ---------------------------------------------------------------------------

fn main() {
    let cfg = Config::from_env();
    let exe = env!("CARGO_BIN_EXE_revitpy-registry");
    let ticks = clock_ticks();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let plan = Plan { seed: cfg.seed, mix: cfg.mix };
    let mut failures: Vec<String> = Vec::new();

    eprintln!(
        "soak: {} requests, {} connections, at most {} s, {} seeded packages, mix {}",
        seed::thousands(cfg.requests),
        cfg.connections,
        cfg.seconds,
        seed::thousands(cfg.packages as u64),
        mix_text(&cfg.mix)
    );

    // 1. Packages, before any clock.
    let built_at = Instant::now();
    let planned: [u64; 4] = (0..cfg.requests).fold([0; 4], |mut acc, i| {
        acc[plan.at(i).0 as usize] += 1;
        acc
    });
    let pkg_dir = work.path().join("build");
    std::fs::create_dir_all(&pkg_dir).unwrap();
    let seed_pkg = build_package(&pkg_dir, "soak-seed-file", "1.0.0", 4_000, 1);
    let downloads: Vec<Built> = (0..DOWNLOAD_PACKAGES)
        .map(|k| build_package(&pkg_dir, &format!("soak-download-{k}"), "1.0.0", 16_000, 100 + k as u64))
        .collect();
    let uploads: Vec<Built> = (0..planned[Class::Upload as usize] as usize)
        .into_par_iter()
        .map(|k| {
            let name = format!("soak-up-{:02}", k % UPLOAD_NAMES);
            let version = format!("1.{}.0", k / UPLOAD_NAMES);
            build_package(&pkg_dir, &name, &version, 0, 0)
        })
        .collect();
    let upload_bytes = uploads.iter().map(|u| u.bytes.len()).sum::<usize>() / uploads.len().max(1);
    eprintln!(
        "built {} upload packages (about {} bytes each) and {} download packages ({} bytes) in {:.1} s",
        uploads.len(),
        upload_bytes,
        downloads.len(),
        downloads[0].bytes.len(),
        built_at.elapsed().as_secs_f64()
    );

    // 2. Seed through the Store trait; the seed file into the blob store.
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let seeded_at = Instant::now();
    let docs = generated_docs(cfg.packages, 42);
    let seed_size = seed_pkg.bytes.len() as u64;
    rt.block_on(async {
        let blobs = FileStore::open(&data.join("packages")).unwrap();
        let tmp = blobs.temp_dir().join("soak-seed.rpyx");
        std::fs::write(&tmp, &seed_pkg.bytes).unwrap();
        blobs.put_file(&BlobKey::parse(&seed_pkg.sha256).unwrap(), &tmp).await.unwrap();
        let store = SqliteStore::open(&data.join("registry.db")).unwrap();
        let actor = Actor { user_id: None, user_name: "soak".into(), scope: Scope::Admin, package: None };
        for (chunk_no, chunk) in docs.chunks(5_000).enumerate() {
            let batch: Vec<Release> = chunk
                .iter()
                .enumerate()
                .map(|(j, d)| seed::seeded_release(d, chunk_no * 5_000 + j, &seed_pkg.sha256, seed_size))
                .collect();
            store.publish_batch(&actor, batch).await.unwrap();
        }
    });
    let out = server_command(exe, &data).arg("reindex").output().unwrap();
    assert!(out.status.success(), "reindex: {}", String::from_utf8_lossy(&out.stderr));
    eprintln!("seeded {} packages and reindexed in {:.1} s", cfg.packages, seeded_at.elapsed().as_secs_f64());

    // 3. The server; the download packages over HTTP; the start figures.
    let mut server = start_server(exe, &data, cfg.connections);
    let addr = server.addr;
    let pid = server.child.id();
    let host = addr.to_string();
    let mut setup = rt.block_on(SetupClient::new(addr));
    rt.block_on(async {
        let a = setup.get("/health").await;
        assert_eq!(a.status, 200, "/health: {}", String::from_utf8_lossy(&a.body));
    });
    let after_start = figures(pid);
    rt.block_on(async {
        for d in &downloads {
            let a = setup.send(&upload_request(&host, &d.file_name, &d.bytes)).await;
            assert_eq!(a.status, 200, "uploading {}: {}", d.name, String::from_utf8_lossy(&a.body));
        }
    });
    let setup_answered = setup.answered;
    drop(setup);
    std::thread::sleep(Duration::from_secs_f64(cfg.idle_seconds));
    let start_threads = thread_names(pid);
    let start_fds = fd_kinds(pid, &data);
    let start_fig = figures(pid);
    let server_cpu_start = cpu_seconds(&pid.to_string(), ticks);
    let client_cpu_start = cpu_seconds("self", ticks);
    let load_before = loadavg();

    let queries = generated_queries(300, 7);
    let targets = Targets {
        search: queries
            .iter()
            .map(|(q, y)| match y {
                Some(y) => {
                    get_request(&host, &format!("/api/packages/search?q={}&revit_version={y}", seed::url_encode(q)))
                }
                None => get_request(&host, &format!("/api/packages/search?q={}", seed::url_encode(q))),
            })
            .collect(),
        metadata: docs.iter().map(|d| get_request(&host, &format!("/api/packages/{}", d.normalized_name))).collect(),
        download: downloads
            .iter()
            .map(|d| {
                (get_request(&host, &format!("/api/packages/{}/{}/download", d.name, d.version)), d.bytes.len() as u64)
            })
            .collect(),
        upload: uploads.iter().map(|u| upload_request(&host, &u.file_name, &u.bytes)).collect(),
    };
    drop(uploads);

    // 4. The load.
    let conns: Vec<Conn> = rt.block_on(async {
        let mut v = Vec::with_capacity(cfg.connections);
        for _ in 0..cfg.connections {
            v.push(Conn::open(addr).await.expect("connect"));
        }
        v
    });
    let start = Instant::now();
    let shared = Arc::new(Shared {
        plan,
        targets,
        requests: cfg.requests,
        next: AtomicU64::new(0),
        uploads_taken: AtomicU64::new(0),
        done: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        start,
        deadline: start + Duration::from_secs(cfg.seconds),
        timeout: cfg.timeout,
        error_samples: Mutex::new(Vec::new()),
    });
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (shared, stop) = (shared.clone(), stop_sampling.clone());
        let every = Duration::from_secs_f64(cfg.sample_seconds);
        let total = cfg.requests;
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut next = shared.start + every;
            let mut last_done = 0;
            let mut last_t = 0.0;
            while !stop.load(Ordering::Relaxed) {
                if Instant::now() < next {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                next += every;
                let t = shared.start.elapsed().as_secs_f64();
                let done = shared.done.load(Ordering::Relaxed);
                let s = Sample { t, done, failed: shared.failed.load(Ordering::Relaxed), f: figures(pid) };
                eprintln!(
                    "{t:6.0} s  {:>9} / {} requests  {:>6.0}/s  errors {}  RSS {}  threads {}  fds {}",
                    seed::thousands(done),
                    seed::thousands(total),
                    (done - last_done) as f64 / (t - last_t),
                    s.failed,
                    mb(s.f.rss_kb),
                    s.f.threads,
                    s.f.fds
                );
                (last_done, last_t) = (done, t);
                samples.push(s);
            }
            samples
        })
    };
    let results: Vec<TaskResult> = rt.block_on(async {
        let tasks: Vec<_> = conns.into_iter().map(|c| tokio::spawn(run_task(shared.clone(), addr, c))).collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task panicked"));
        }
        out
    });
    let duration = start.elapsed().as_secs_f64();
    let server_cpu = cpu_seconds(&pid.to_string(), ticks) - server_cpu_start;
    let client_cpu = cpu_seconds("self", ticks) - client_cpu_start;
    let load_after = loadavg();
    let end_of_load = figures(pid);
    stop_sampling.store(true, Ordering::Relaxed);
    let samples = sampler.join().unwrap();

    // Merge.
    let mut class_hist = vec![Hist::new(); 4];
    let mut slice_hist = vec![Hist::new(); SLICES];
    let mut slice_span = [(f64::MAX, 0.0f64); SLICES];
    let (mut ok, mut answered, mut sent) = ([0u64; 4], [0u64; 4], [0u64; 4]);
    let mut errors = Errors::default();
    let mut reconnects = 0;
    let mut slowest: Vec<Vec<Slow>> = vec![Vec::new(); 4];
    for r in &results {
        for c in 0..4 {
            class_hist[c].merge(&r.class_hist[c]);
            ok[c] += r.ok[c];
            answered[c] += r.answered[c];
            sent[c] += r.sent[c];
        }
        for s in 0..SLICES {
            slice_hist[s].merge(&r.slice_hist[s]);
            slice_span[s].0 = slice_span[s].0.min(r.slice_span[s].0);
            slice_span[s].1 = slice_span[s].1.max(r.slice_span[s].1);
        }
        errors.merge(&r.errors);
        reconnects += r.reconnects;
        for (all, mine) in slowest.iter_mut().zip(&r.slowest) {
            all.extend(mine);
        }
    }
    drop(results);
    for s in &mut slowest {
        s.sort_by_key(|s| std::cmp::Reverse(s.us));
        s.truncate(5);
    }
    let mut all = Hist::new();
    for h in &class_hist {
        all.merge(h);
    }
    let total_sent: u64 = sent.iter().sum();
    let trend = rss_trend(&samples, total_sent / 10);
    let total_answered: u64 = answered.iter().sum();
    let stopped_by_time = total_sent < cfg.requests;

    // 6. Idle, then the end figures.
    std::thread::sleep(Duration::from_secs_f64(cfg.idle_seconds));
    let end_fig = figures(pid);
    let end_threads = thread_names(pid);
    let end_fds = fd_kinds(pid, &data);

    // Cross-check with the server's own counts.
    let (stats, metrics) = rt.block_on(async {
        let mut c = SetupClient::new(addr).await;
        let stats = c.get("/api/stats").await;
        let metrics = c.get("/metrics").await;
        (stats, metrics)
    });
    let after_scrape = figures(pid);
    assert_eq!(stats.status, 200, "/api/stats");
    assert_eq!(metrics.status, 200, "/metrics");
    let stats: serde_json::Value = serde_json::from_slice(&stats.body).expect("/api/stats is JSON");
    let metrics = String::from_utf8_lossy(&metrics.body).into_owned();
    let requests_total = "revitpy_http_requests_total";
    let route_count = |route: &str, method: &str| {
        metric_sum(&metrics, requests_total, |l| label(l, "route") == Some(route) && label(l, "method") == Some(method))
    };
    let soak_uploads_ok = ok[Class::Upload as usize];
    let mut checks: Vec<(String, u64, f64)> = vec![
        (
            "requests answered (`revitpy_http_requests_total`, all series; client: setup + soak + the `/api/stats` call)"
                .into(),
            setup_answered + total_answered + 1,
            metric_sum(&metrics, requests_total, |_| true),
        ),
        (
            "searches (`route=\"/api/packages/search\"`)".into(),
            answered[Class::Search as usize],
            route_count("/api/packages/search", "GET"),
        ),
        (
            "metadata (`route=\"/api/packages/{name}\"`)".into(),
            answered[Class::Metadata as usize],
            route_count("/api/packages/{name}", "GET"),
        ),
        (
            "downloads (`route=\"/api/packages/{name}/{version}/download\"`)".into(),
            answered[Class::Download as usize],
            route_count("/api/packages/{name}/{version}/download", "GET"),
        ),
        (
            "uploads (`route=\"/api/packages/upload\"`; client: soak + 4 setup)".into(),
            answered[Class::Upload as usize] + DOWNLOAD_PACKAGES as u64,
            route_count("/api/packages/upload", "POST"),
        ),
        (
            "uploads published (`revitpy_uploads_total{outcome=\"published\"}`)".into(),
            soak_uploads_ok + DOWNLOAD_PACKAGES as u64,
            metric_sum(&metrics, "revitpy_uploads_total", |l| label(l, "outcome") == Some("published")),
        ),
        (
            "downloads counted (`revitpy_downloads_total`)".into(),
            ok[Class::Download as usize],
            metric_sum(&metrics, "revitpy_downloads_total", |_| true),
        ),
        (
            "downloads counted (`/api/stats` `downloads_since_start`)".into(),
            ok[Class::Download as usize],
            stats["downloads_since_start"].as_f64().unwrap_or(-1.0),
        ),
        (
            "versions (`/api/stats` `total_versions`; client: seeded + 4 + uploads)".into(),
            cfg.packages as u64 + DOWNLOAD_PACKAGES as u64 + soak_uploads_ok,
            stats["total_versions"].as_f64().unwrap_or(-1.0),
        ),
        (
            "5xx answers (`revitpy_http_errors_total{class=\"server\"}`)".into(),
            0,
            metric_sum(&metrics, "revitpy_http_errors_total", |l| label(l, "class") == Some("server")),
        ),
        (
            "5xx answers, last 5 minutes (`/api/stats` `error_rate.server_errors`)".into(),
            0,
            stats["error_rate"]["server_errors"].as_f64().unwrap_or(-1.0),
        ),
    ];
    if errors.total() > 0 {
        // With failed requests, the server may have answered some the
        // client gave up on: only the 5xx checks stay exact.
        checks.retain(|c| c.0.contains("5xx"));
    }
    let server_rss_metric = metric_sum(&metrics, "revitpy_process_resident_memory_bytes", |_| true);
    let search_perf = stats["search_performance"].clone();

    // SIGTERM: exit 0 within SHUTDOWN_TIMEOUT.
    let term_at = Instant::now();
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let mut exit = None;
    while term_at.elapsed() < Duration::from_secs(SHUTDOWN_TIMEOUT_S + 5) {
        if let Some(status) = server.child.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let stop_seconds = term_at.elapsed().as_secs_f64();
    let shutdown = match exit {
        Some(s) if s.success() && stop_seconds <= SHUTDOWN_TIMEOUT_S as f64 => {
            format!("exit 0 after {:.2} s", stop_seconds)
        }
        Some(s) => {
            failures.push(format!("the server stopped with {s} after {stop_seconds:.2} s"));
            format!("**{s} after {stop_seconds:.2} s**")
        }
        None => {
            let _ = server.child.kill();
            let _ = server.child.wait();
            failures.push(format!("the server still ran {stop_seconds:.0} s after SIGTERM; killed"));
            format!("**still running after {stop_seconds:.0} s; killed**")
        }
    };
    std::thread::sleep(Duration::from_millis(200));
    let log_lines = server.log_lines.load(Ordering::Relaxed);
    let log_sample = server.log_sample.lock().unwrap().clone();

    // fsck.
    let fsck = server_command(exe, &data).args(["fsck", "--json"]).output().unwrap();
    let fsck_report: serde_json::Value = serde_json::from_slice(&fsck.stdout).unwrap_or(serde_json::Value::Null);
    let count = |k: &str| fsck_report[k].as_array().map_or(0, Vec::len);
    let fsck_clean = fsck.status.success()
        && fsck_report.is_object()
        && count("missing") == 0
        && count("corrupt") == 0
        && count("orphans") == 0;
    let fsck_text = if fsck_clean {
        format!(
            "clean: {} versions, {} files",
            seed::thousands(fsck_report["versions_checked"].as_u64().unwrap_or(0)),
            seed::thousands(fsck_report["blobs_checked"].as_u64().unwrap_or(0))
        )
    } else {
        failures.push("fsck is not clean".into());
        format!(
            "**not clean** (exit {}): {} missing, {} corrupt, {} orphans; {}",
            fsck.status,
            count("missing"),
            count("corrupt"),
            count("orphans"),
            String::from_utf8_lossy(&fsck.stderr).trim()
        )
    };

    if errors.total() > 0 {
        failures.push(format!("{} requests failed", seed::thousands(errors.total())));
    }
    for (what, client, server) in &checks {
        if (*client as f64 - server).abs() > 0.5 {
            failures.push(format!("{what}: client {client}, server {server}"));
        }
    }

    // ---------------------------------------------------------------------
    // Report.
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!("### Soak: {} mixed requests, {} connections, one server", seed::thousands(cfg.requests), cfg.connections);
    println!();
    println!(
        "`cargo bench -p revitpy-registry --bench soak` (SOAK_REQUESTS={}, SOAK_CONNECTIONS={}, SOAK_SECONDS={}, \
         SOAK_PACKAGES={}, SOAK_SEED={}); {} CPUs ({machine}), client and server on the same machine. \
         {} seeded packages (one version each) plus 4 download packages of {} bytes; mix {}; \
         uploads are new versions of {} `soak-up-NN` packages, about {} bytes each, as `ADMIN_TOKEN`. \
         Server: `LOG_LEVEL=error`, rate limits off, `MAX_CONNECTIONS={}`, defaults otherwise. \
         Latency: request written to last byte read; histogram buckets within 0.8%.",
        cfg.requests,
        cfg.connections,
        cfg.seconds,
        cfg.packages,
        cfg.seed,
        cpus,
        seed::thousands(cfg.packages as u64),
        downloads[0].bytes.len(),
        mix_text(&cfg.mix),
        UPLOAD_NAMES,
        upload_bytes,
        (cfg.connections + 64).max(256)
    );
    println!();
    println!("| figure | goal | result |");
    println!("| --- | --- | --- |");
    println!(
        "| requests sent | {} | {}{} |",
        seed::thousands(cfg.requests),
        seed::thousands(total_sent),
        if stopped_by_time { format!(" (**stopped by SOAK_SECONDS={}**)", cfg.seconds) } else { String::new() }
    );
    println!("| duration | ≤ {} s | {:.1} s |", cfg.seconds, duration);
    println!("| requests/s | | {} |", seed::thousands((total_sent as f64 / duration) as u64));
    println!("| errors, all kinds | 0 | {} |", errors.total());
    let status_errors: u64 = errors.status.values().sum();
    let by_status: Vec<String> =
        errors.status.iter().map(|((c, s), n)| format!("{} {s}: {}", c.name(), seed::thousands(*n))).collect();
    println!(
        "| errors: unexpected status | 0 | {}{} |",
        status_errors,
        if by_status.is_empty() { String::new() } else { format!(" ({})", by_status.join(", ")) }
    );
    println!("| errors: I/O (connect, write, read) | 0 | {} |", errors.io);
    println!("| errors: connection closed before the whole answer | 0 | {} |", errors.closed);
    println!("| errors: no answer within {} s | 0 | {} |", cfg.timeout.as_secs_f64(), errors.timeout);
    println!("| errors: malformed answer | 0 | {} |", errors.protocol);
    println!("| errors: download of the wrong size | 0 | {} |", errors.wrong_size);
    println!("| reconnects (server closed a connection, or after an error) | | {reconnects} |");
    println!(
        "| server RSS: start / end ({} s idle after the load) / difference | flat | {} / {} / **{}** |",
        cfg.idle_seconds,
        mb(start_fig.rss_kb),
        mb(end_fig.rss_kb),
        signed_mb(end_fig.rss_kb as i64 - start_fig.rss_kb as i64)
    );
    let (rss_min, rss_max) = samples
        .iter()
        .map(|s| s.f.rss_kb)
        .chain([end_of_load.rss_kb])
        .fold((u64::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
    println!(
        "| server RSS during the load: min / max of {} samples; peak (VmHWM) | | {} / {}; {} |",
        samples.len() + 1,
        mb(rss_min),
        mb(rss_max),
        mb(end_fig.hwm_kb)
    );
    println!(
        "| server RSS anonymous / file-backed: start / end | | {} / {} → {} / {} |",
        mb(start_fig.anon_kb),
        mb(start_fig.file_kb),
        mb(end_fig.anon_kb),
        mb(end_fig.file_kb)
    );
    println!(
        "| server RSS after the two cross-check requests below (freed pages returned on allocation) | | {} ({} from start) |",
        mb(after_scrape.rss_kb),
        signed_mb(after_scrape.rss_kb as i64 - start_fig.rss_kb as i64)
    );
    println!("| server RSS right after start (before the setup uploads) | | {} |", mb(after_start.rss_kb));
    println!("| open file descriptors: start / end | equal | {} / {} |", start_fig.fds, end_fig.fds);
    println!(
        "| threads: start / end | equal | {} ({start_threads}) / {} ({end_threads}) |",
        start_fig.threads, end_fig.threads
    );
    println!(
        "| CPU during the load: server / client | | {:.0} s ({:.2} cores) / {:.0} s ({:.2} cores) |",
        server_cpu,
        server_cpu / duration,
        client_cpu,
        client_cpu / duration
    );
    println!(
        "| machine load average (1 min) before / after the load (other work shares the CPUs) | | {load_before} / {load_after} |"
    );
    println!("| server log lines at `LOG_LEVEL=error` | 0 | {log_lines} |");
    println!("| SIGTERM after the load | exit 0 within {SHUTDOWN_TIMEOUT_S} s | {shutdown} |");
    println!("| `revitpy-registry fsck` after the stop | clean | {fsck_text} |");
    println!();
    println!("| class | share | sent | as expected | p50 | p90 | p99 | p99.9 | max | mean |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for c in CLASSES {
        let h = &class_hist[c as usize];
        println!(
            "| {} {} | {}% | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.name(),
            c.what(),
            cfg.mix[c as usize] as f64 / 1e4,
            seed::thousands(sent[c as usize]),
            seed::thousands(ok[c as usize]),
            ms(h.quantile(0.5)),
            ms(h.quantile(0.9)),
            ms(h.quantile(0.99)),
            ms(h.quantile(0.999)),
            ms(h.max),
            ms(h.mean() as u64)
        );
    }
    println!(
        "| all | 100% | {} | {} | {} | {} | {} | {} | {} | {} |",
        seed::thousands(total_sent),
        seed::thousands(all.n),
        ms(all.quantile(0.5)),
        ms(all.quantile(0.9)),
        ms(all.quantile(0.99)),
        ms(all.quantile(0.999)),
        ms(all.max),
        ms(all.mean() as u64)
    );
    println!();
    println!("Drift: each tenth of the plan (requests i·N/10 to (i+1)·N/10), every class together:");
    println!();
    println!("| tenth | from (s) | requests/s | p50 | p99 | p99.9 | max |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for s in 0..SLICES {
        let h = &slice_hist[s];
        if h.n == 0 {
            continue;
        }
        let (from, to) = slice_span[s];
        println!(
            "| {} | {:.1} | {} | {} | {} | {} | {} |",
            s + 1,
            from,
            seed::thousands((h.n as f64 / (to - from).max(1e-9)) as u64),
            ms(h.quantile(0.5)),
            ms(h.quantile(0.99)),
            ms(h.quantile(0.999)),
            ms(h.max)
        );
    }
    println!();
    println!("Server memory, threads and open files over the run (every {} s; a few points):", cfg.sample_seconds);
    println!();
    println!("| time (s) | requests done | RSS | threads | fds |");
    println!("| --- | --- | --- | --- | --- |");
    println!("| start | 0 | {} | {} | {} |", mb(start_fig.rss_kb), start_fig.threads, start_fig.fds);
    let points = 10usize;
    let picked: Vec<&Sample> = if samples.len() <= points {
        samples.iter().collect()
    } else {
        (1..=points).map(|k| &samples[k * samples.len() / points - 1]).collect()
    };
    for s in picked {
        println!("| {:.0} | {} | {} | {} | {} |", s.t, seed::thousands(s.done), mb(s.f.rss_kb), s.f.threads, s.f.fds);
    }
    println!(
        "| {:.0} (load over) | {} | {} | {} | {} |",
        duration,
        seed::thousands(total_sent),
        mb(end_of_load.rss_kb),
        end_of_load.threads,
        end_of_load.fds
    );
    println!(
        "| +{} idle (end) | {} | {} | {} | {} |",
        cfg.idle_seconds,
        seed::thousands(total_sent),
        mb(end_fig.rss_kb),
        end_fig.threads,
        end_fig.fds
    );
    println!();
    println!(
        "RSS trend over the load after its first tenth: {} per 100,000 requests (least squares over {} samples; \
         mean of the first third of those samples {}, of the last third {}).",
        trend.0, trend.1, trend.2, trend.3
    );
    println!();
    println!("Open files by kind (the data folder's files by name):");
    println!();
    println!("| kind | start | end |");
    println!("| --- | --- | --- |");
    let kinds: std::collections::BTreeSet<&String> = start_fds.keys().chain(end_fds.keys()).collect();
    for k in kinds {
        let (a, b) = (start_fds.get(k).copied().unwrap_or(0), end_fds.get(k).copied().unwrap_or(0));
        println!("| `{k}` | {a} | {b}{} |", if a == b { "" } else { " *" });
    }
    println!();
    println!("Cross-check with the server's own counts (fetched once after the load):");
    println!();
    println!("| count | client | server | |");
    println!("| --- | --- | --- | --- |");
    for (what, client, server) in &checks {
        let same = (*client as f64 - server).abs() <= 0.5;
        println!(
            "| {what} | {} | {} | {} |",
            seed::thousands(*client),
            seed::thousands(server.max(0.0) as u64),
            if same { "=" } else { "**differs**" }
        );
    }
    println!(
        "| `revitpy_process_resident_memory_bytes` at the scrape | | {} | |",
        mb((server_rss_metric / 1024.0) as u64)
    );
    println!(
        "| `/api/stats` `search_performance` (last 5 minutes) | | {} | |",
        serde_json::to_string(&search_perf).unwrap_or_default()
    );
    println!();
    println!("The 5 slowest answers of each class (as expected; `at` = when the request was written):");
    println!();
    println!("| class | latency (at, s) |");
    println!("| --- | --- |");
    for (c, list) in CLASSES.iter().zip(&slowest) {
        let cells: Vec<String> = list.iter().map(|s| format!("{} ({:.1})", ms(s.us), s.at_s)).collect();
        println!("| {} | {} |", c.name(), cells.join(", "));
    }
    let samples_err = shared.error_samples.lock().unwrap().clone();
    if !samples_err.is_empty() {
        println!();
        println!("First errors:");
        for e in samples_err {
            println!("- {e}");
        }
    }
    if !log_sample.is_empty() {
        println!();
        println!("First server log lines:");
        for l in log_sample {
            println!("- `{l}`");
        }
    }
    println!();
    if failures.is_empty() {
        println!("result: PASS");
    } else {
        println!("result: FAIL");
        for f in &failures {
            println!("- {f}");
        }
    }
    std::io::stdout().flush().unwrap();
    drop(server);
    drop(work);
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

/// (slope in MB per 100,000 requests, samples used, mean RSS of the first
/// and last third), over the samples taken after `skip` requests.
fn rss_trend(samples: &[Sample], skip: u64) -> (String, usize, String, String) {
    let pts: Vec<(f64, f64)> =
        samples.iter().filter(|s| s.done > skip).map(|s| (s.done as f64, s.f.rss_kb as f64 / 1024.0)).collect();
    if pts.len() < 3 {
        return ("n/a".into(), pts.len(), "n/a".into(), "n/a".into());
    }
    let n = pts.len() as f64;
    let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let slope = if sxx > 0.0 { sxy / sxx * 100_000.0 } else { 0.0 };
    let third = pts.len() / 3;
    let mean = |xs: &[(f64, f64)]| xs.iter().map(|p| p.1).sum::<f64>() / xs.len() as f64;
    (
        format!("{}{:.2} MB", if slope >= 0.0 { "+" } else { "-" }, slope.abs()),
        pts.len(),
        format!("{:.1} MB", mean(&pts[..third])),
        format!("{:.1} MB", mean(&pts[pts.len() - third..])),
    )
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().next().unwrap_or("?").to_owned()
}

fn mix_text(mix: &[u64; 4]) -> String {
    CLASSES
        .iter()
        .filter(|c| mix[**c as usize] > 0)
        .map(|c| format!("{} {}%", c.name(), mix[*c as usize] as f64 / 1e4))
        .collect::<Vec<_>>()
        .join(", ")
}
