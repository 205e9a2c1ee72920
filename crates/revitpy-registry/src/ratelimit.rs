//! Rate limits on uploads, searches and token creation, per client address
//! and per token, answered 429 with `Retry-After`.
//!
//! Each (class, key) has a token bucket: it holds up to `burst` requests and
//! refills at `per_period / period`. A request takes one; an empty bucket is
//! a 429 that says when the next one will be there. Keys are the client's
//! address (from the connection, or from `X-Forwarded-For` when the
//! connection comes from a `TRUSTED_PROXIES` address) and, when the request
//! carries a bearer token, the token's sha256: a client must pass both.
//!
//! Written here rather than with `governor`: the number of buckets must stay
//! bounded when a client rotates addresses (an IPv6 prefix holds 2^64), and
//! governor's keyed store grows until it is pruned and has no ceiling. Here
//! each class keeps at most [`MAX_KEYS`] buckets: full ones are dropped first
//! (a full bucket is the same as none), then the least recently used.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Buckets kept per class, whatever clients do.
pub const MAX_KEYS: usize = 100_000;

/// `N/second`, `N/minute`, `N/hour`, or `off`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: u32,
    pub period: Duration,
}

impl Rate {
    pub fn per_minute(count: u32) -> Self {
        Self { count, period: Duration::from_secs(60) }
    }
}

/// A trusted proxy: an address (`127.0.0.1`) or a network (`172.16.0.0/12`).
pub fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    let t = text.trim();
    t.parse::<ipnet::IpNet>()
        .or_else(|_| t.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{text}` is not an address or network (127.0.0.1, 10.0.0.0/8, ::1)"))
}

/// `N/PERIOD` (second, minute, hour; `s`, `min`, `h`) or `off`.
pub fn parse_rate(text: &str) -> Result<Option<Rate>, String> {
    let t = text.trim().to_ascii_lowercase();
    if matches!(t.as_str(), "off" | "none" | "0") {
        return Ok(None);
    }
    let bad = || format!("`{text}` is not a rate; write N/second, N/minute, N/hour, or off");
    let (n, unit) = t.split_once('/').ok_or_else(bad)?;
    let count: u32 = n.trim().parse().ok().filter(|c| *c > 0).ok_or_else(bad)?;
    let period = match unit.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        _ => return Err(bad()),
    };
    Ok(Some(Rate { count, period }))
}

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Upload,
    Search,
    TokenCreation,
}

impl Class {
    fn of(method: &Method, route: &str) -> Option<Class> {
        match (method, route) {
            (&Method::POST, "/api/packages/upload") => Some(Class::Upload),
            // axum answers HEAD with the GET handler: the search runs all the same.
            (&Method::GET | &Method::HEAD, "/api/packages/search") => Some(Class::Search),
            (&Method::POST, "/api/tokens") => Some(Class::TokenCreation),
            _ => None,
        }
    }

    fn words(self) -> (&'static str, &'static str) {
        match self {
            Class::Upload => ("uploads", "RATE_LIMIT_UPLOADS"),
            Class::Search => ("searches", "RATE_LIMIT_SEARCHES"),
            Class::TokenCreation => ("token creations", "RATE_LIMIT_TOKENS"),
        }
    }
}

/// The configured limits; `None` turns a class off.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    pub uploads: Option<Rate>,
    pub searches: Option<Rate>,
    pub token_creation: Option<Rate>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl RateLimits {
    /// What `serve` applies when nothing is configured.
    pub fn documented_defaults() -> Self {
        Self {
            uploads: Some(Rate::per_minute(30)),
            searches: Some(Rate::per_minute(600)),
            token_creation: Some(Rate::per_minute(10)),
            trusted_proxies: Vec::new(),
        }
    }

    fn rate(&self, class: Class) -> Option<Rate> {
        match class {
            Class::Upload => self.uploads,
            Class::Search => self.searches,
            Class::TokenCreation => self.token_creation,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    /// sha256 of the bearer token, hex.
    Token(String),
}

impl Key {
    /// The key's name in shared storage.
    fn name(&self) -> String {
        match self {
            Key::Address(a) => format!("a:{a}"),
            Key::Token(hash) => format!("t:{hash}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One map per class: a flood of searches from rotating addresses can
/// evict only search buckets, never anyone's upload or token buckets.
pub struct RateLimiter {
    limits: RateLimits,
    buckets: [Mutex<HashMap<Key, Bucket>>; 3],
    /// Buckets shared by replicas (`REDIS_URL`); the local ones stand in
    /// when Redis does not answer.
    shared: Option<std::sync::Arc<crate::shared_limits::SharedLimits>>,
}

impl Class {
    fn index(self) -> usize {
        match self {
            Class::Upload => 0,
            Class::Search => 1,
            Class::TokenCreation => 2,
        }
    }
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self { limits, buckets: Default::default(), shared: None }
    }

    /// Limits in Redis, shared with the other replicas.
    pub fn with_shared(mut self, shared: Option<std::sync::Arc<crate::shared_limits::SharedLimits>>) -> Self {
        self.shared = shared;
        self
    }

    /// [`RateLimiter::take`] in the shared buckets when there are some,
    /// else (or when Redis fails) in this replica's.
    async fn take_anywhere(&self, class: Class, keys: &[Key]) -> Result<(), Duration> {
        if let (Some(shared), Some(rate)) = (&self.shared, self.limits.rate(class)) {
            let names: Vec<String> = keys.iter().map(Key::name).collect();
            match shared.take(class.words().0, &names, rate.count, rate.period).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait),
                Err(e) => shared.warn(&e),
            }
        }
        self.take(class, keys, Instant::now())
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Takes one request from each key's bucket, or says how long until
    /// all of them have one (nothing is taken then).
    fn take(&self, class: Class, keys: &[Key], now: Instant) -> Result<(), Duration> {
        let Some(rate) = self.limits.rate(class) else { return Ok(()) };
        let capacity = f64::from(rate.count);
        let per_second = capacity / rate.period.as_secs_f64();
        let mut buckets = self.buckets[class.index()].lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        let mut current = Vec::with_capacity(keys.len());
        for key in keys {
            let b = buckets.get(key).copied().unwrap_or(Bucket { tokens: capacity, at: now });
            let tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second).min(capacity);
            if tokens < 1.0 {
                wait = wait.max(Duration::from_secs_f64((1.0 - tokens) / per_second));
            }
            current.push(tokens);
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if buckets.len() + keys.len() > MAX_KEYS {
            prune(&mut buckets, rate, now);
        }
        for (key, tokens) in keys.iter().zip(current) {
            buckets.insert(key.clone(), Bucket { tokens: tokens - 1.0, at: now });
        }
        Ok(())
    }

    /// Buckets held, over every class (for tests of the bound).
    pub fn len(&self) -> usize {
        self.buckets.iter().map(|b| b.lock().unwrap_or_else(|p| p.into_inner()).len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Drops the buckets that have refilled (as good as absent), then, if that
/// is not enough, the least recently used half.
fn prune(buckets: &mut HashMap<Key, Bucket>, rate: Rate, now: Instant) {
    buckets.retain(|_, b| {
        let capacity = f64::from(rate.count);
        let refilled =
            b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * capacity / rate.period.as_secs_f64();
        refilled < capacity
    });
    if buckets.len() > MAX_KEYS / 2 {
        let mut ages: Vec<Instant> = buckets.values().map(|b| b.at).collect();
        ages.sort_unstable();
        let cutoff = ages[ages.len() / 2];
        buckets.retain(|_, b| b.at > cutoff);
    }
}

/// The client's address: the connection's, or, from a trusted proxy, the
/// last address in `X-Forwarded-For` that is not itself a trusted proxy.
/// The header is read from the right (the hops the trusted proxies wrote)
/// and the walk stops at an entry that does not parse, falling back to the
/// last trusted hop: everything left of it is the client's own claim.
/// IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |a: &IpAddr| trusted.iter().any(|net| net.contains(a));
    let peer = peer.to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut last_trusted = peer;
    for entry in entries.iter().rev() {
        let Ok(addr) = entry.parse::<IpAddr>().map(|a| a.to_canonical()) else {
            return last_trusted;
        };
        if !is_trusted(&addr) {
            return addr;
        }
        last_trusted = addr;
    }
    last_trusted
}

/// The bucket key of an address: IPv6 clients by their /64 (one
/// subscriber's network), or rotating addresses inside it would each get a
/// fresh bucket.
fn address_key(addr: IpAddr) -> Key {
    match addr {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            Key::Address(IpAddr::V6(std::net::Ipv6Addr::from(prefix)))
        }
        v4 => Key::Address(v4),
    }
}

/// The bucket key of a bearer token: its sha256 (never the token itself),
/// computed here rather than by `auth`, which needs the state this layer
/// must not depend on; a key need not match the stored hash, only be stable.
fn bearer_hash(headers: &HeaderMap) -> Option<String> {
    use sha2::Digest;
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| hex::encode(sha2::Sha256::digest(token.trim().as_bytes())))
}

/// Route layer: limits the classes above; everything else passes.
pub async fn limit(
    State(limiter): State<std::sync::Arc<RateLimiter>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let Some(class) = matched.as_ref().and_then(|m| Class::of(request.method(), m.as_str())) else {
        return next.run(request).await;
    };
    let Some(rate) = limiter.limits().rate(class) else {
        return next.run(request).await;
    };
    let mut keys = Vec::with_capacity(2);
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        keys.push(address_key(client_address(peer.ip(), request.headers(), &limiter.limits().trusted_proxies)));
    }
    if let Some(hash) = bearer_hash(request.headers()) {
        keys.push(Key::Token(hash));
    }
    match limiter.take_anywhere(class, &keys).await {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            // A body refused here has not been read: read and drop up to
            // 1 MiB of it (a typical add-in) so the client gets this answer,
            // not a reset connection; past that the connection is closed
            // (a refused flood must stay cheap).
            let drained = crate::drain::drain(request.into_body().into_data_stream(), 1024 * 1024).await;
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let (what, setting) = class.words();
            let detail = format!(
                "too many {what}: this registry allows {} per {} s from one address or token ({setting}); retry in {seconds} s",
                rate.count,
                rate.period.as_secs()
            );
            let mut answer = ApiError::new(StatusCode::TOO_MANY_REQUESTS, detail).into_response();
            answer.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
            if !drained {
                answer
                    .headers_mut()
                    .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
            }
            answer
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(rate: Rate) -> RateLimiter {
        RateLimiter::new(RateLimits { uploads: Some(rate), ..RateLimits::default() })
    }

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("30/minute"), Ok(Some(Rate::per_minute(30))));
        assert_eq!(parse_rate(" 5 / s "), Ok(Some(Rate { count: 5, period: Duration::from_secs(1) })));
        assert_eq!(parse_rate("off"), Ok(None));
        assert!(parse_rate("5 per minute").is_err());
        assert!(parse_rate("-1/minute").is_err());
        assert!(parse_rate("5/fortnight").is_err());
    }

    #[test]
    fn a_bucket_empties_and_refills() {
        let l = limiter(Rate { count: 3, period: Duration::from_secs(3) });
        let key = [Key::Address("10.0.0.1".parse().unwrap())];
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.take(Class::Upload, &key, t0), Ok(()));
        }
        let wait = l.take(Class::Upload, &key, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01, "{wait:?}");
        // Another client is not affected; other classes are not limited here.
        assert_eq!(l.take(Class::Upload, &[Key::Address("10.0.0.2".parse().unwrap())], t0), Ok(()));
        assert_eq!(l.take(Class::Search, &key, t0), Ok(()));
        assert_eq!(l.take(Class::Upload, &key, t0 + Duration::from_millis(1000)), Ok(()));
    }

    #[test]
    fn both_keys_must_pass_and_a_refusal_takes_nothing() {
        let l = limiter(Rate { count: 1, period: Duration::from_secs(60) });
        let (a, b, token) = (
            Key::Address("10.0.0.1".parse().unwrap()),
            Key::Address("10.0.0.2".parse().unwrap()),
            Key::Token("t".into()),
        );
        let t0 = Instant::now();
        assert_eq!(l.take(Class::Upload, &[a.clone(), token.clone()], t0), Ok(()));
        // The token is spent, from any address; b's own bucket is untouched.
        assert!(l.take(Class::Upload, &[b.clone(), token], t0).is_err());
        assert_eq!(l.take(Class::Upload, &[b], t0), Ok(()));
    }

    #[test]
    fn rotating_addresses_cannot_grow_the_buckets_without_bound() {
        let l = limiter(Rate { count: 5, period: Duration::from_secs(3600) });
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS as u32 + 50_000) {
            let addr = IpAddr::from(std::net::Ipv6Addr::from(u128::from(i) << 64));
            let _ = l.take(Class::Upload, &[address_key(addr)], t0 + Duration::from_micros(u64::from(i)));
        }
        assert!(l.len() <= MAX_KEYS, "{}", l.len());
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let trusted = [parse_proxy("127.0.0.1").unwrap(), parse_proxy("10.0.0.0/8").unwrap()];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7".parse().unwrap());
        // Not trusted: the connection's own address.
        assert_eq!(client_address("192.0.2.1".parse().unwrap(), &h, &trusted), "192.0.2.1".parse::<IpAddr>().unwrap());
        // Trusted: the last address the proxy saw (the first is the client's claim).
        assert_eq!(client_address(proxy, &h, &trusted), "198.51.100.7".parse::<IpAddr>().unwrap());
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
        // A chain of trusted proxies (nginx, then an inner one on 10/8) is skipped.
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.1.2.3".parse().unwrap());
        assert_eq!(
            client_address("10.9.9.9".parse().unwrap(), &h, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert!(parse_proxy("nginx").is_err());
        // An entry that does not parse ends the walk: left of it is the client's claim.
        h.insert("x-forwarded-for", "203.0.113.9, unknown, 198.51.100.7".parse().unwrap());
        assert_eq!(client_address(proxy, &h, &trusted), "198.51.100.7".parse::<IpAddr>().unwrap());
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7:4711".parse().unwrap());
        assert_eq!(client_address(proxy, &h, &trusted), proxy);
        // A dual-stack listener sees the proxy as an IPv4-mapped address.
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        h.insert("x-forwarded-for", "198.51.100.7".parse().unwrap());
        assert_eq!(client_address(mapped, &h, &trusted), "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn one_ipv6_network_is_one_client() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(address_key("10.0.0.1".parse().unwrap()), Key::Address("10.0.0.1".parse().unwrap()));
    }
}
