//! Hosts of the kind an author reads from (raw IP addresses, paste sites,
//! webhooks, tunnels, out-of-band testing domains): what the network rules
//! call suspicious, and what the data flow marks a string naming one with
//! (`Labels::AUTHOR_HOST`), so that an address kept in a variable counts as
//! much as one written in the call.

/// Hosts whose mention in a request marks it (`network-suspicious-host`).
pub(crate) const SUSPICIOUS_HOSTS: &[&str] = &[
    "discord.com/api/webhooks",
    "discordapp.com/api/webhooks",
    "pastebin.com",
    "paste.ee",
    "hastebin",
    "ngrok",
    "transfer.sh",
    "webhook.site",
    "requestbin",
    "pipedream.net",
    "api.telegram.org/bot",
    ".onion",
    "anonfiles",
    "raw.githubusercontent.com/",
    "interact.sh",
    "oast.",
    "oastify.com",
    "burpcollaborator",
    "dnslog.cn",
    "ceye.io",
    "canarytokens.com",
    // Other public DNS-log and request-capture services (out-of-band
    // testing: a request there says "installed here") and quick tunnels.
    "eyes.sh",
    "dnslog.link",
    "dnslog.pw",
    "requestrepo.com",
    "beeceptor.com",
    "hookbin.com",
    "bxss.me",
    "xss.ht",
    "loca.lt",
    "serveo.net",
    "trycloudflare.com",
];

/// Public DNS resolvers (Cloudflare, Google, Quad9, OpenDNS).
const PUBLIC_RESOLVERS: &[&str] =
    &["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "149.112.112.112", "208.67.222.222", "208.67.220.220"];

/// A URL whose host is a public IPv4 address (not loopback or a private range).
pub(crate) fn has_raw_ip_url(s: &str) -> bool {
    for scheme in ["http://", "https://", "tcp://", "ftp://"] {
        let mut rest = s;
        while let Some(i) = rest.find(scheme) {
            let host: String =
                rest[i + scheme.len()..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let parts: Vec<&str> = host.split('.').collect();
            if parts.len() >= 4 && parts[..4].iter().all(|p| !p.is_empty() && p.len() <= 3) {
                let first: u16 = parts[0].parse().unwrap_or(0);
                // Loopback and private ranges are a company's own servers.
                let private = first == 10 || first == 127 || host.starts_with("192.168.") || host.starts_with("172.");
                // The public DNS resolvers' addresses are where programs
                // check that the internet answers (reflex's IPv4 probe of
                // 1.1.1.1): no author reads what reaches them.
                let dotted = parts[..4].join(".");
                let resolver = PUBLIC_RESOLVERS.contains(&dotted.as_str()) && parts.get(4).is_none_or(|p| p.is_empty());
                if !private && !resolver {
                    return true;
                }
            }
            rest = &rest[i + scheme.len()..];
        }
    }
    false
}

/// A string naming a host of the author's kind, as a destination: a raw IP
/// URL or a suspicious host, except GitHub's raw files (teams publish their
/// own scripts and version files there) and the Telegram bot API (its
/// address carries the bot's own token; a bot's token in the file is judged
/// on its own).
pub(crate) fn names_author_host(s: &str) -> bool {
    // Most strings name no host: one cheap test first.
    if !s.contains("://") && !s.contains('.') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    // Link-local 169.254.x.x is the cloud's metadata service, on the machine's own network.
    !lower.contains("://169.254.") && has_raw_ip_url(&lower)
        || SUSPICIOUS_HOSTS
            .iter()
            .any(|&h| h != "raw.githubusercontent.com/" && h != "api.telegram.org/bot" && lower.contains(h))
}
