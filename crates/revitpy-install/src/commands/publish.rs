//! `registry publish FILE.rpyx`, `registry login`, `registry cache`.

use std::io::{IsTerminal, Read};

use revitpy_cache::Cache;
use revitpy_client::{ClientError, RegistryClient, TokenTransport};
use revitpy_rpyx::{Limits, inspect};
use serde_json::json;

use super::human_bytes;
use crate::ExitStatus;
use crate::cli::{CacheArgs, LoginArgs, PublishArgs};
use crate::credentials::UserConfig;
use crate::escape;
use crate::local_index::LocalIndex;
use crate::printer::Printer;
use crate::settings::{Settings, TokenOrigin};

/// `cache --cleanup` with neither limit: the original client's defaults.
const DEFAULT_CLEANUP_MB: u64 = 500;
const DEFAULT_CLEANUP_DAYS: u64 = 30;

fn fail(printer: &Printer, e: impl AsRef<str>) -> ExitStatus {
    printer.error(e);
    ExitStatus::Failure
}

/// A client that sends `token` to the registry in use. Over plain http to
/// another machine the token would travel in clear text: refused, before
/// any connection, unless `--allow-insecure-token` (then with a warning).
fn client_with_token(settings: &Settings, token: &str, printer: &Printer) -> Result<RegistryClient, String> {
    let client = RegistryClient::new(&settings.registry_url).map_err(|e| e.to_string())?;
    let client = client.with_token(token.to_owned(), settings.allow_insecure_token).map_err(|e| match e {
        ClientError::InsecureToken { .. } => {
            format!("{e}, or pass --allow-insecure-token to send it anyway if you trust every network in between")
        }
        e => e.to_string(),
    })?;
    if settings.registry.token_transport() == TokenTransport::Clear {
        printer.warning(format!(
            "sending the token to {} over plain http (--allow-insecure-token): anyone on the network in between can read it",
            settings.registry_url
        ));
    }
    Ok(client)
}

/// "No token for this registry", naming the registries that have one: a
/// token stored for another registry is never sent here.
fn no_token_message(settings: &Settings) -> String {
    let stored = UserConfig::read(&settings.config_path).map(|c| c.registries_with_tokens()).unwrap_or_default();
    let elsewhere = if stored.is_empty() {
        String::new()
    } else {
        format!(" (tokens are stored for {}, and are sent only there)", stored.join(", "))
    };
    format!(
        "no token for {}{elsewhere}: run `revitpy-install registry login` with this registry, or give one with --token / REVITPY_TOKEN",
        settings.registry_url
    )
}

pub fn publish(args: PublishArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let Some(token) = &settings.token else {
        return fail(printer, no_token_message(settings));
    };
    // Before anything else, so a refusal comes before any work or connection.
    let client = match client_with_token(settings, &token.value, printer) {
        Ok(c) => c,
        Err(e) => return fail(printer, e),
    };
    // Check locally first: a broken package never leaves the machine.
    let inspection = match inspect::inspect_file(&args.file, Limits::default(), None) {
        Ok(i) => i,
        Err(e) => return fail(printer, format!("cannot read {}: {e}", args.file.display())),
    };
    if !inspection.valid() {
        for p in inspection.problems.iter().filter(|p| p.is_error()) {
            printer.error(p.to_string());
        }
        return fail(printer, format!("{} is not valid; fix it and build again", args.file.display()));
    }
    let bytes = match fs_err::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(printer, e.to_string()),
    };
    let name = args.file.file_name().and_then(|n| n.to_str()).unwrap_or("package.rpyx").to_owned();
    match crate::block_on(client.upload(bytes, &name)) {
        Ok(r) => {
            if printer.json_mode() {
                printer.json(&serde_json::to_value(&r).unwrap_or_default());
            } else {
                printer.line(format!(
                    "Published {} {} to {} ({}, sha256 {}{}).",
                    escape::line(&r.package_name),
                    escape::line(&r.version),
                    settings.registry_url,
                    human_bytes(r.file_size),
                    escape::line(&r.file_hash),
                    if r.security_scan_status.is_empty() {
                        String::new()
                    } else {
                        format!(", security scan {}", escape::line(&r.security_scan_status))
                    }
                ));
            }
            ExitStatus::Success
        }
        Err(e) if e.status() == Some(401) => {
            let what = match token.origin {
                TokenOrigin::Given => "the token given with --token / REVITPY_TOKEN was refused",
                TokenOrigin::Stored => "the token stored for this registry was refused",
            };
            fail(printer, format!("{e}; {what}: run `revitpy-install registry login` with a valid token"))
        }
        Err(e) => fail(printer, e.to_string()),
    }
}

pub fn login(args: LoginArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let token = match args.with_token {
        Some(t) => t,
        None => {
            if std::io::stdin().is_terminal() {
                return fail(
                    printer,
                    "pass the token with --with-token TOKEN, or pipe it: `echo $TOKEN | revitpy-install registry login`",
                );
            }
            let mut s = String::new();
            if let Err(e) = std::io::stdin().take(4096).read_to_string(&mut s) {
                return fail(printer, format!("cannot read the token from standard input: {e}"));
            }
            s
        }
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return fail(printer, "the token is empty");
    }
    if !args.no_verify {
        let client = match client_with_token(settings, &token, printer) {
            Ok(c) => c,
            Err(e) => return fail(printer, format!("{e}; the token was not stored")),
        };
        if let Err(e) = crate::block_on(client.check_token()) {
            return fail(printer, format!("{e}; the token was not stored (use --no-verify to store it anyway)"));
        }
    } else if settings.registry.token_transport() == TokenTransport::Clear {
        printer.warning(format!(
            "{} is plain http to another machine: publishing with this token will need --allow-insecure-token",
            settings.registry_url
        ));
    }
    let mut config = match UserConfig::read(&settings.config_path) {
        Ok(c) => c,
        Err(e) => return fail(printer, e),
    };
    config.set_token(&settings.registry, token);
    // As before: the registry logged in to becomes the default one.
    config.registry_url = Some(settings.registry_url.clone());
    if let Err(e) = config.write(&settings.config_path) {
        return fail(printer, e);
    }
    printer.line(format!(
        "Token stored in {} for {} (sent only to that registry).",
        settings.config_path.display(),
        settings.registry_url
    ));
    ExitStatus::Success
}

pub fn cache(args: CacheArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let cache = match Cache::open(&settings.cache_dir) {
        Ok(c) => c,
        Err(e) => return fail(printer, e.to_string()),
    };
    if args.stats {
        let stats = match cache.stats() {
            Ok(s) => s,
            Err(e) => return fail(printer, e.to_string()),
        };
        let index_age = LocalIndex::age_of(&settings.index_dir());
        if printer.json_mode() {
            printer.json(&json!({
                "cache_dir": settings.cache_dir,
                "entries": stats.entries,
                "bytes": stats.bytes,
                "hits": stats.hits,
                "misses": stats.misses,
                "hit_rate": stats.hit_rate,
                "oldest": stats.oldest.as_ref().map(|e| json!({"name": e.name, "version": e.version, "last_used_at": e.last_used_at})),
                "newest": stats.newest.as_ref().map(|e| json!({"name": e.name, "version": e.version, "added_at": e.added_at})),
                "index_age_seconds": index_age,
            }));
        } else {
            printer.line(format!("cache:    {}", settings.cache_dir.display()));
            printer.line(format!("entries:  {} ({})", stats.entries, human_bytes(stats.bytes)));
            printer.line(format!(
                "hits:     {}, misses: {}, hit rate {:.1}%",
                stats.hits,
                stats.misses,
                stats.hit_rate * 100.0
            ));
            if let Some(o) = &stats.oldest {
                printer.line(format!(
                    "oldest:   {} {} (last used {})",
                    escape::line(&o.name),
                    escape::line(&o.version),
                    o.last_used_at
                ));
            }
            if let Some(n) = &stats.newest {
                printer.line(format!(
                    "newest:   {} {} (added {})",
                    escape::line(&n.name),
                    escape::line(&n.version),
                    n.added_at
                ));
            }
            printer.line(match index_age {
                Some(a) => format!("index:    synced {} ago", super::search::human_age(a)),
                None => "index:    never synced (run `revitpy-install registry sync`)".to_owned(),
            });
        }
        return ExitStatus::Success;
    }
    if args.cleanup {
        // Neither limit given: the original client's defaults.
        let (max_size, max_age) = match (args.max_size, args.max_age) {
            (None, None) => (Some(DEFAULT_CLEANUP_MB), Some(DEFAULT_CLEANUP_DAYS)),
            given => given,
        };
        let max_bytes = max_size.map(|mb| mb.saturating_mul(1024 * 1024));
        return match cache.cleanup(max_bytes, max_age) {
            Ok(r) => {
                if printer.json_mode() {
                    printer.json(&json!({
                        "removed": r.removed.len(),
                        "freed_bytes": r.freed_bytes,
                        "remaining_entries": r.remaining_entries,
                        "remaining_bytes": r.remaining_bytes,
                    }));
                } else {
                    printer.line(format!(
                        "Removed {} packages ({}); {} remain ({}).",
                        r.removed.len(),
                        human_bytes(r.freed_bytes),
                        r.remaining_entries,
                        human_bytes(r.remaining_bytes)
                    ));
                }
                ExitStatus::Success
            }
            Err(e) => fail(printer, e.to_string()),
        };
    }
    match cache.verify() {
        Ok(r) => {
            for c in &r.corrupt {
                printer.warning(format!(
                    "{} {}: corrupt file removed (it is fetched again when needed)",
                    escape::line(&c.name),
                    escape::line(&c.version)
                ));
            }
            if printer.json_mode() {
                printer.json(&json!({"checked": r.checked, "corrupt": r.corrupt.len(), "missing": r.missing.len(), "untracked_removed": r.untracked_removed}));
            } else {
                printer.line(format!(
                    "Checked {} files: {} corrupt, {} missing, {} untracked removed.",
                    r.checked,
                    r.corrupt.len(),
                    r.missing.len(),
                    r.untracked_removed
                ));
            }
            ExitStatus::Success
        }
        Err(e) => fail(printer, e.to_string()),
    }
}
