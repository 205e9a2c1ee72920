//! The registry's benches' HTTP load client (each bench includes this file
//! with `#[path]`): keep-alive HTTP/1.1 connections cheap enough that the
//! server, not the client, is measured, throughput over `CONNECTIONS`
//! connections, latencies over one, and a server process started and
//! waited for.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub const CONNECTIONS: usize = 32;

/// A keep-alive HTTP/1.1 connection that reads whole responses and
/// discards bodies: cheap enough that the server, not the client, is measured.
pub struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).await.expect("connect");
        s.set_nodelay(true).unwrap();
        Conn { stream: BufReader::with_capacity(64 * 1024, s), host: addr.to_string() }
    }

    /// Returns (status, body bytes).
    pub async fn get(&mut self, path: &str) -> (u16, u64) {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host);
        self.stream.get_mut().write_all(req.as_bytes()).await.expect("write");
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("status line");
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
        let mut len: u64 = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().expect("content-length");
            }
        }
        let mut left = len;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let n = self.stream.read(&mut buf[..left.min(64 * 1024) as usize]).await.expect("body");
            assert!(n > 0, "connection closed mid-body");
            left -= n as u64;
        }
        (status, len)
    }
}

pub struct LoadResult {
    pub requests: u64,
    pub bytes: u64,
    pub seconds: f64,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    pub fn mb_per_second(&self) -> f64 {
        self.bytes as f64 / self.seconds / 1e6
    }
}

/// `CONNECTIONS` connections, each cycling through `paths` from its own offset.
pub async fn load(addr: SocketAddr, paths: Arc<Vec<String>>, seconds: f64) -> LoadResult {
    load_over(addr, paths, seconds, CONNECTIONS).await
}

/// [`load`] over `connections` connections.
pub async fn load_over(addr: SocketAddr, paths: Arc<Vec<String>>, seconds: f64, connections: usize) -> LoadResult {
    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (paths, stop, requests, bytes) = (paths.clone(), stop.clone(), requests.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await;
            let mut i = c * 7919;
            while !stop.load(Ordering::Relaxed) {
                let (status, n) = conn.get(&paths[i % paths.len()]).await;
                assert!(status == 200, "status {status} for {}", paths[i % paths.len()]);
                requests.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(n, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    LoadResult {
        requests: requests.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// One connection, each path once (after one warm-up pass): latencies in ms.
pub async fn latencies(addr: SocketAddr, paths: &[String]) -> Vec<f64> {
    let mut conn = Conn::open(addr).await;
    for p in paths.iter().take(50) {
        conn.get(p).await;
    }
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let t = Instant::now();
        let (status, _) = conn.get(p).await;
        assert_eq!(status, 200, "{p}");
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

pub fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn spawn_and_wait(mut cmd: Command) -> (Child, SocketAddr, Duration) {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).stdin(Stdio::null()).spawn().expect("spawn");
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
    let addr: SocketAddr = line.trim().rsplit("http://").next().unwrap().parse().expect("address line");
    // First answered request: a plain TCP health check.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = Conn::open(addr).await;
        let (status, _) = c.get("/health").await;
        assert_eq!(status, 200);
    });
    (child, addr, started.elapsed())
}
