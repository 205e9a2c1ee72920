//! A registry's URL: checked once, with the normalized form stored tokens are
//! keyed by, and the rule for when a token may cross the network.
//!
//! Tokens are kept per registry, as cargo and uv keep credentials: the key is
//! the URL with scheme and host in lowercase, the scheme's default port
//! dropped and no trailing slash, so `HTTP://Example.com:80/` and
//! `http://example.com` share a token and `http://example.com:8080` does not.

use std::net::IpAddr;

use reqwest::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryUrl {
    url: Url,
}

/// Whether a token may be sent to a registry, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTransport {
    /// https: encrypted on the way.
    Encrypted,
    /// Plain http to this machine (127.0.0.0/8, ::1, localhost): it never
    /// leaves it.
    Loopback,
    /// Plain http to another machine: readable by anyone on the path. Sent
    /// only when the user allows it explicitly.
    Clear,
}

impl RegistryUrl {
    pub fn parse(text: &str) -> Result<RegistryUrl, String> {
        let url = Url::parse(text.trim()).map_err(|e| format!("the registry URL `{text}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("the registry URL `{text}` must start with http:// or https://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("the registry URL `{text}` has no host name"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("the registry URL `{text}` must not have a query (?...) or fragment (#...)"));
        }
        Ok(RegistryUrl { url })
    }

    /// The normalized form that stored tokens are keyed by (no user name or
    /// password, which are not part of which registry it is).
    pub fn key(&self) -> String {
        let host = self.host();
        let port = self.url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let path = self.url.path().trim_end_matches('/');
        format!("{}://{host}{port}{path}", self.url.scheme())
    }

    /// The host as written in a URL (IPv6 in brackets), in lowercase.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    pub fn token_transport(&self) -> TokenTransport {
        if self.url.scheme() == "https" {
            TokenTransport::Encrypted
        } else if is_loopback(&self.url) {
            TokenTransport::Loopback
        } else {
            TokenTransport::Clear
        }
    }
}

impl std::fmt::Display for RegistryUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.url.as_str().trim_end_matches('/'))
    }
}

/// Literal loopback addresses and the name `localhost` only: any other name
/// could resolve elsewhere tomorrow, or on another network.
fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    // The URL parser writes IPv6 addresses in brackets and IPv4 ones in
    // dotted form, whatever form they were given in.
    let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    match literal.parse::<IpAddr>() {
        Ok(ip) => ip.to_canonical().is_loopback(),
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        RegistryUrl::parse(s).unwrap().key()
    }

    fn transport(s: &str) -> TokenTransport {
        RegistryUrl::parse(s).unwrap().token_transport()
    }

    #[test]
    fn keys_are_normalized() {
        assert_eq!(key("HTTP://Example.COM:80/"), "http://example.com");
        assert_eq!(key("http://example.com"), "http://example.com");
        assert_eq!(key("https://example.com:443/registry/"), "https://example.com/registry");
        assert_eq!(key("https://user:pw@example.com"), "https://example.com");
        assert_ne!(key("http://example.com:8080"), key("http://example.com"));
        assert_ne!(key("https://example.com"), key("http://example.com"));
        assert_eq!(key("http://[::1]:8000/"), "http://[::1]:8000");
        assert_eq!(key("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        assert!(RegistryUrl::parse("ftp://example.com").unwrap_err().contains("http://"));
        assert!(RegistryUrl::parse("example.com").unwrap_err().contains("not a URL"));
        assert!(RegistryUrl::parse("http://example.com/?x=1").unwrap_err().contains("query"));
    }

    #[test]
    fn tokens_travel_in_clear_only_to_this_machine() {
        assert_eq!(transport("https://registry.example.com"), TokenTransport::Encrypted);
        assert_eq!(transport("https://10.0.0.1"), TokenTransport::Encrypted);
        for local in [
            "http://127.0.0.1:8000",
            "http://127.255.0.9",
            "http://[::1]:9",
            "http://localhost:8000",
            "http://LOCALHOST.",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert_eq!(transport(local), TokenTransport::Loopback, "{local}");
        }
        for remote in [
            "http://10.255.255.1:9",
            "http://192.168.1.10",
            "http://[::2]",
            "http://registry.example.com",
            "http://localhost.example.com",
            "http://128.0.0.1",
            "http://0.0.0.0",
        ] {
            assert_eq!(transport(remote), TokenTransport::Clear, "{remote}");
        }
    }
}
