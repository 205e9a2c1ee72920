//! `revitpy-registry healthcheck`: asks a running server's `/health` and
//! exits 0 when it answers 200, 1 otherwise. For container `HEALTHCHECK`s
//! and service managers on images without curl.
//!
//! One HTTP/1.0 request over a plain socket, written by hand: the server
//! carries no HTTP client (reqwest is a test dependency here), and the check
//! needs a status line, not a client. Every wait has a deadline.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, bail};

/// The address `serve` would listen on, as a client reaches it: a wildcard
/// (`0.0.0.0`, `::`) becomes loopback.
pub fn local_url(host: IpAddr, port: u16) -> String {
    let host = match host {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    };
    format!("http://{}/health", SocketAddr::new(host, port))
}

/// GETs `url` (`http://HOST:PORT/PATH`); the status code and the body's first bytes.
pub fn check(url: &str, timeout: Duration) -> anyhow::Result<(u16, String)> {
    let rest = url.strip_prefix("http://").with_context(|| format!("{url}: only http:// URLs are checked"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || path.contains(['\r', '\n', ' ']) {
        bail!("{url} is not a URL this check can send");
    }
    let addr = authority
        .to_socket_addrs()
        .with_context(|| format!("{authority}: not a host:port"))?
        .next()
        .with_context(|| format!("{authority} resolves to no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).with_context(|| format!("nothing answers at {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n")?;
    // /health answers a few hundred bytes; more is not read, and the whole
    // answer must arrive within `timeout` (a server that drips one byte at a
    // time does not keep the check waiting).
    let deadline = std::time::Instant::now() + timeout;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while answer.len() < 64 * 1024 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            bail!("{addr} did not answer within {} s", timeout.as_secs());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => return Err(e).with_context(|| format!("{addr} did not answer in time")),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("{addr} did not answer HTTP"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.chars().take(400).collect()).unwrap_or_default();
    Ok((status, body))
}
