//! Network calls: what is sent (credentials, the environment, who runs
//! the code, files found by walking folders), where it goes, and when;
//! data hidden in DNS names and scripts dropped to disk.

use super::lists::{CONTENT_WRITERS, DNS_LOOKUPS, HTTP_REQUESTS, NETWORK, is_sender};
use super::processes::{dns_tool, http_tool};
use super::{FileSense, Out, all_args_lower, first_arg};
use crate::facts::{Call, Facts};
use crate::flow::{self, FETCHERS, Labels, matches, names};
use crate::hosts::{SUSPICIOUS_HOSTS, has_raw_ip_url, names_author_host};
use crate::report::{Capabilities, Severity};
use crate::timing::When;

/// Where a call's data may go, as the caller worked it out.
pub(super) struct Route {
    /// The request's secret rides only in its `headers=` or `auth=`.
    pub presented: bool,
    /// Those `headers=` or `auth=` hold something decoded first.
    pub secret_decoded: bool,
    /// The request's address names a raw IP, a paste site, a webhook or a
    /// tunnel, written in the call or kept in a variable.
    pub author_dest: bool,
    /// The file connects a socket to an address written in it.
    pub connects_to_literal: bool,
    /// The call is a DNS lookup.
    pub dns: bool,
    /// The request's address is this machine's own ([`super::destination_labels`]).
    pub local: bool,
    /// The request's address was decoded at run time: the code hides where it sends.
    pub hidden: bool,
}

pub(super) fn network(
    out: &mut Out<'_>,
    facts: &Facts<'_>,
    c: &Call,
    labels: Labels,
    route: Route,
    caps: &mut Capabilities,
) {
    let Route { presented, secret_decoded, author_dest, connects_to_literal, dns, local, hidden } = route;
    let name = c.name.as_str();
    // curl and wget started as processes send as surely as `requests.post`,
    // and what their command line substitutes (`$(env | base64)`) with them.
    // A DNS lookup of a computed name (`gethostbyname(user + ".x.example")`,
    // `nslookup $(whoami).x.example`) sends that name to the server of the
    // domain written in the code.
    // Only a name built onto a domain written in the code: looking up the
    // machine's own name (`gethostbyname(gethostname())`, `ping $(hostname)`)
    // asks the local resolver about this machine.
    let onto_domain = |s: &str| s.contains('.') && s.bytes().any(|b| b.is_ascii_alphabetic());
    // A name substituted by the shell (`$(whoami).x.example`), or an
    // argument list whose name is built onto a domain (`["nslookup", user +
    // ".x.example"]`).
    let dns_command = dns_tool(c) && {
        let cmd = all_args_lower(c);
        [").", "`.", "%."].iter().any(|p| cmd.contains(p))
            || c.args.iter().take(2).any(|a| {
                !(a.names.is_empty() && a.inner_calls.is_empty())
                    && a.strings.iter().any(|s| s.starts_with('.') && onto_domain(s))
            })
    };
    let dns_name = dns_command
        || dns && c.args.first().is_some_and(|a| a.literal.is_none() && a.strings.iter().any(|s| onto_domain(s)));
    let tool = http_tool(c) || dns_command;
    let mut labels = if tool { labels | substituted(c) } else { labels };
    // A request to this machine's own address (a local model or language
    // server) sends nothing off the computer, whatever it carries.
    let sends = (is_sender(c) || tool || http_get(c) || dns_name) && !local;
    out.hidden_send |= sends && hidden;
    let is_network = matches(name, names!(NETWORK))
        || matches(name, names!(HTTP_REQUESTS))
        || matches(name, names!(FETCHERS)) && !name.starts_with("?.");
    // A client object's send (`client.post(URL, ...)` on an `httpx`
    // client) to a host of the author's kind is such a request too.
    if is_network || tool || sends && author_dest {
        let target = first_arg(c);
        let shown = if target.is_empty() { name.to_owned() } else { target.chars().take(200).collect() };
        // Repeats are removed once the file is done (a search per call would be quadratic).
        caps.network.push(shown);
        out.push("network", Severity::Info, "network", c, format!("uses the network ({name})"));
        let all = all_args_lower(c);
        if author_dest || has_raw_ip_url(&all) || SUSPICIOUS_HOSTS.iter().any(|h| all.contains(h)) {
            // Of those, a host of the author's kind ([`names_author_host`]:
            // not GitHub's raw files, where teams publish their own scripts,
            // nor the Telegram bot API, whose address carries the bot's own
            // token, nor the cloud's metadata address), written in the call
            // or kept in a variable.
            let author_host = author_dest || names_author_host(&all);
            out.author_host |= author_host;
            // A variable named for a secret (`token`, `password`), sent by
            // this very call to such a host: the secret goes where the
            // author reads it (a "database" client posting the token it was
            // given to a Discord webhook). No service a user chose is
            // reached that way, so the name is enough here and nowhere else.
            // A value read under a key naming a secret (`settings['TOKEN']`)
            // counts as its name would.
            if sends
                && author_host
                && c.args
                    .iter()
                    .flat_map(|a| &a.names)
                    .any(|n| flow::names_a_secret(n) && !n.contains('(') || out.secret_keyed(facts, n))
            {
                labels |= Labels::SECRET;
            }
            out.push(
                "network-suspicious-host",
                Severity::Medium,
                "network",
                c,
                "talks to a raw IP address, a paste site, a webhook or a tunnel".into(),
            );
            // A file uploaded there (`files=`) goes where the author reads
            // it: no service a user chose is reached that way.
            if sends && author_host && c.args.iter().any(|a| a.keyword.as_deref() == Some("files")) {
                out.push(
                    "exfiltration",
                    Severity::High,
                    "credentials",
                    c,
                    "uploads a file to a raw IP address, a paste site, a webhook or a tunnel".into(),
                );
            }
            // Before anyone asked for anything, the request itself is the
            // beacon: its arrival tells the author where and when the
            // package landed (dependency-confusion probes send nothing else).
            let when = match out.timing(facts).at(facts, c.line) {
                When::Install => Some("while the package installs"),
                When::Import => Some("as soon as the module is imported"),
                _ => None,
            };
            if let Some(when) = when {
                out.push(
                    "suspicious-callback",
                    Severity::High,
                    "network",
                    c,
                    format!(
                        "contacts a raw IP address, a webhook, a paste site, a tunnel or a testing domain {when}: \
                         a beacon"
                    ),
                );
            }
        }
    }
    // A chat bot whose token the file writes out, beside the bot API's
    // address: what is sent goes to whoever holds the bot, the package's
    // author, not to a chat its user chose (a library whose function posts
    // what its caller hands it to the author's bot). A bot library takes
    // its user's token; a script sending its own reports names the bot too
    // (for a reviewer). Secrets, credentials or the machine's identity sent
    // this way are judged below, as anywhere.
    if sends && out.own_bot && is_sender(c) && c.args.len() > 1 {
        out.push(
            "exfiltration",
            Severity::High,
            "credentials",
            c,
            "sends data to a chat bot whose token is written in the code: whoever holds the bot (the package's \
             author) receives it"
                .into(),
        );
    }
    // Files found by walking folders, sent out: bulk upload of the user's or
    // the project's files. Medium alone (a backup tool may do it); high to a
    // raw IP, a paste site, a webhook or a tunnel, or to an address the code
    // decodes at run time (a backup goes where its user said, in the open).
    if sends
        && labels.has(Labels::BULK)
        && !labels.has(Labels::CREDENTIAL | Labels::SECRET)
        && !labels.has(Labels::ENVIRONMENT)
    {
        let suspicious = out.suspicious_destination();
        out.push(
            "bulk-upload",
            if suspicious || hidden { Severity::High } else { Severity::Medium },
            "network",
            c,
            format!(
                "sends files found by walking folders{}",
                if suspicious {
                    " to a raw IP address, paste site, webhook or tunnel"
                } else if hidden {
                    " to an address hidden in the code (decoded at run time)"
                } else {
                    ""
                }
            ),
        );
    } else if sends && hidden && uploads_a_file(c) && (out.decodes_a_literal(facts) || super::decodes_a_constant(facts))
    {
        // A file uploaded to an address the code decodes at run time from a
        // string it carries (written in the call or kept in a constant:
        // `UploadFile(URL[::-1], ...)`): the author hid where the user's
        // file goes (a "cloud backup" of the open model to a reversed URL).
        // No service its user chose hides its name. (An address decoded
        // from what a caller hands over is the caller's: an exchange
        // client's `fetch`.)
        out.push(
            "exfiltration",
            Severity::High,
            "credentials",
            c,
            "uploads a file to an address hidden in the code (decoded at run time)".into(),
        );
    }
    if sends && labels.has(Labels::CREDENTIAL | Labels::SECRET | Labels::ENVIRONMENT) {
        let what = if labels.has(Labels::CREDENTIAL | Labels::SECRET) {
            "credentials or secrets"
        } else {
            "the whole environment"
        };
        // Where it goes decides: to an address the code spells out, hides
        // (decoded) or a suspicious host, or while installing, the author
        // chose the destination; to an address only configuration names, it
        // is how a cloud SDK authenticates to its own service.
        let chosen = labels.has(Labels::ADDRESS)
            || labels.has(Labels::DECODED)
            || connects_to_literal && name.contains(".send")
            || out.suspicious_destination()
            || out.install_time;
        // One secret variable (the service's own key, from the environment;
        // not a wallet's recovery phrase) sent to the address the code
        // names, on request (a caller's call, a program its user runs, a
        // button its user clicks): how a client authenticates to the service
        // it wraps (a document API, a block explorer, a module registry, an
        // AI model's API called from a Revit command). Hidden or suspicious
        // destinations, raw sockets, and sends while the package installs or
        // loads stay the author's act.
        // Decoded data counts against it where it rides with the secret: a
        // presented token beside a decoded upload (an image an API edits)
        // is still the client's key.
        let decoded = if presented { secret_decoded } else { labels.has(Labels::DECODED) };
        let authenticates = chosen
            && labels.has(Labels::SECRET)
            && !labels.has(Labels::CREDENTIAL | Labels::ENVIRONMENT | Labels::WALLET)
            && !decoded
            && (!connects_to_literal || !name.contains(".send"))
            && !out.suspicious_destination()
            && !out.install_time
            // A token in a request's `headers=` or `auth=` authenticates it
            // whenever it is sent: a script's module level calling its
            // service's API (an inventory script) as much as a function.
            // (A thief wanting a token could put it in a header too; it would
            // still have to send it to a named, unsuspicious host, unhidden,
            // after installation.)
            && (presented && !hidden || matches!(out.timing(facts).at(facts, c.line), When::Call(..) | When::Program));
        if authenticates {
            out.push(
                "exfiltration",
                Severity::Medium,
                "credentials",
                c,
                "sends a secret (a token or key) to the address the code names, on request: how a client \
                 authenticates to its service"
                    .into(),
            );
        } else if chosen {
            out.push(
                "exfiltration",
                Severity::Critical,
                "credentials",
                c,
                format!("sends {what} to an address written in or hidden in the code"),
            );
        } else {
            // To an address configuration names, one secret variable is how
            // an SDK authenticates to its service (a token in a header); a
            // credential store's contents or the whole environment is more
            // than any service needs.
            let severity =
                if labels.has(Labels::CREDENTIAL | Labels::ENVIRONMENT) { Severity::High } else { Severity::Medium };
            out.push(
                "exfiltration",
                severity,
                "credentials",
                c,
                format!("sends {what} over the network, to an address the code takes from elsewhere"),
            );
        }
    } else if sends && labels.has(Labels::HOST_IDENTITY) {
        // The same act means different things by when it runs: telemetry a
        // user calls is a fact; the user and host name sent while a package
        // installs, before anyone chose to run it, is a beacon.
        let chosen = labels.has(Labels::ADDRESS | Labels::DECODED)
            || connects_to_literal && name.contains(".send")
            || dns_name
            || out.suspicious_destination();
        if out.install_time {
            out.push(
                "install-beacon",
                Severity::Critical,
                "credentials",
                c,
                "sends who and where it is installed (user, host, folder) over the network while the package \
                 installs (setup.py, a .pth file or an install hook): a beacon"
                    .into(),
            );
        } else if chosen && out.timing(facts).at(facts, c.line) == When::Import {
            // As soon as the module is imported, to an address the author
            // wrote or hid: the dependency-confusion beacon in `__init__`.
            // Telemetry a library offers waits for a call and is sent where
            // its user configured.
            out.push(
                "import-beacon",
                Severity::High,
                "credentials",
                c,
                "sends who and where it runs (user, host, folder) as soon as the module is imported, to an address \
                 written in or hidden in the code: a beacon"
                    .into(),
            );
        } else {
            // In a function (called later, or from the file's program
            // entry): another file may call it while installing or loading.
            out.defer(facts, "host-identity-sent", c, chosen);
            // To an address decoded at run time, the author hid where who
            // runs it is reported: no service a user chose hides its name.
            if hidden {
                out.push(
                    "host-identity-sent",
                    Severity::High,
                    "network",
                    c,
                    "sends the user or host name over the network to an address hidden in the code (decoded at run \
                     time)"
                        .into(),
                );
            } else {
                out.push(
                    "host-identity-sent",
                    Severity::Medium,
                    "network",
                    c,
                    "sends the user or host name over the network".into(),
                );
            }
        }
    }
}

/// Whether a send uploads a file: a file-upload method (.NET's
/// `UploadFile`, FTP's `storbinary`, a chat bot's `send_document`) or a
/// request's `files=`.
fn uploads_a_file(c: &Call) -> bool {
    let method = c.name.rsplit('.').next().unwrap_or("");
    matches!(method, "UploadFile" | "UploadFileAsync" | "storbinary" | "send_document" | "sendDocument")
        || c.args.iter().any(|a| a.keyword.as_deref() == Some("files"))
}

/// What an HTTP tool's command line substitutes from the shell and sends:
/// `$(env)`, `$(whoami)`, `$USER`, `%COMPUTERNAME%`, a credential file
/// read with `cat`.
fn substituted(c: &Call) -> Labels {
    let cmd = all_args_lower(c);
    let mut l = Labels::NONE;
    let runs = |word: &str| ["$(", "`", "$( "].iter().any(|open| cmd.contains(&format!("{open}{word}")));
    if runs("env") || runs("printenv") || runs("set)") {
        l |= Labels::ENVIRONMENT;
    }
    if ["whoami", "hostname", "id", "uname", "pwd"].iter().any(|w| runs(w))
        || ["$user", "${user}", "$hostname", "${hostname}", "$home", "%username%", "%computername%", "%userprofile%"]
            .iter()
            .any(|v| cmd.contains(v))
    {
        l |= Labels::HOST_IDENTITY;
    }
    if (cmd.contains("$(") || cmd.contains('`')) && flow::mentions_credentials(&cmd) {
        l |= Labels::CREDENTIAL;
    }
    l
}

/// A DNS lookup: the resolver functions, or `resolve`/`query` called on an
/// object in a file that imports a DNS library (its resolver; elsewhere
/// `resolve` is mostly `Path.resolve` or a template's).
pub(super) fn dns_lookup(c: &Call, sense: &FileSense<'_>) -> bool {
    matches(&c.name, names!(DNS_LOOKUPS))
        || sense.imports_dns && c.name.contains('.') && matches!(c.name.rsplit('.').next(), Some("resolve" | "query"))
}

/// A request that sends what its URL and query carry, beyond `SENDERS`:
/// an HTTP client's module functions (`httpx.get(url, params=...)`), and
/// a `.get` or `.head` handed an address written in the code (a session's
/// or client's, `s.get("https://...", params={"h": host})`; a mapping's
/// `.get` is handed keys). A beacon sends who runs it as well with a GET as
/// with a POST.
pub(super) fn http_get(c: &Call) -> bool {
    matches(&c.name, names!(HTTP_REQUESTS))
        || (c.name.ends_with(".get") || c.name.ends_with(".head"))
            && c.args.iter().any(|a| a.literal.iter().chain(&a.strings).any(|s| flow::is_address(s)))
}

/// Data hidden in DNS names, hostile scripts written to disk, files written
/// where the path had to be decoded.
pub(super) fn smuggling(out: &mut Out<'_>, c: &Call, labels: Labels, sense: &FileSense<'_>) {
    let name = c.name.as_str();
    if dns_lookup(c, sense)
        && c.args.first().is_some_and(|a| a.literal.is_none())
        && (labels.has(Labels::ENCODED | Labels::CREDENTIAL | Labels::SECRET | Labels::ENVIRONMENT))
    {
        out.push(
            "dns-exfiltration",
            Severity::High,
            "credentials",
            c,
            "looks up host names built from encoded data: data leaving through DNS".into(),
        );
    }
    if matches(name, names!(CONTENT_WRITERS)) && labels.has(Labels::HOSTILE) {
        out.push(
            "script-dropper",
            Severity::High,
            "process",
            c,
            "writes a script of the kind malware drops (downloader, hidden shell, scheduled task)".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ip_urls() {
        assert!(has_raw_ip_url("x = 'http://45.61.139.2/p'"));
        assert!(!has_raw_ip_url("'http://10.0.0.5/api'"));
        assert!(!has_raw_ip_url("'https://api.github.com/'"));
    }
}
