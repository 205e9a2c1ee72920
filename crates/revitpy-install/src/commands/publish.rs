//! `registry publish FILE.rpyx`, `registry login`, `registry cache`.

use std::io::{IsTerminal, Read};

use revitpy_cache::Cache;
use revitpy_client::RegistryClient;
use revitpy_rpyx::{Limits, inspect};
use serde_json::json;

use super::human_bytes;
use crate::ExitStatus;
use crate::cli::{CacheArgs, LoginArgs, PublishArgs};
use crate::local_index::LocalIndex;
use crate::printer::Printer;
use crate::settings::{Settings, UserConfig, read_config};

fn fail(printer: &Printer, e: impl AsRef<str>) -> ExitStatus {
    printer.error(e);
    ExitStatus::Failure
}

pub fn publish(args: PublishArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let Some(token) = settings.token.clone() else {
        return fail(printer, "no token: run `revitpy-install registry login`, or set REVITPY_TOKEN / --token");
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
    let client = match RegistryClient::new(&settings.registry_url, Some(token)) {
        Ok(c) => c,
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
                    r.package_name,
                    r.version,
                    settings.registry_url,
                    human_bytes(r.file_size),
                    r.file_hash,
                    if r.security_scan_status.is_empty() {
                        String::new()
                    } else {
                        format!(", security scan {}", r.security_scan_status)
                    }
                ));
            }
            ExitStatus::Success
        }
        Err(e) if e.status() == Some(401) => fail(
            printer,
            format!("{e}; the token was refused: run `revitpy-install registry login` with a valid token"),
        ),
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
        let client = match RegistryClient::new(&settings.registry_url, None) {
            Ok(c) => c,
            Err(e) => return fail(printer, e.to_string()),
        };
        if let Err(e) = crate::block_on(client.check_token(&token)) {
            return fail(printer, format!("{e}; the token was not stored (use --no-verify to store it anyway)"));
        }
    }
    let mut config: UserConfig = match read_config(&settings.config_path) {
        Ok(c) => c,
        Err(e) => return fail(printer, e),
    };
    config.token = Some(token);
    config.registry_url = Some(settings.registry_url.clone());
    let text = toml::to_string(&config).expect("the config serializes");
    if let Err(e) = crate::os::write_private(&settings.config_path, text.as_bytes()) {
        return fail(printer, format!("{}: {e}", settings.config_path.display()));
    }
    printer.line(format!("Token stored in {} for {}.", settings.config_path.display(), settings.registry_url));
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
                printer.line(format!("oldest:   {} {} (last used {})", o.name, o.version, o.last_used_at));
            }
            if let Some(n) = &stats.newest {
                printer.line(format!("newest:   {} {} (added {})", n.name, n.version, n.added_at));
            }
            printer.line(match index_age {
                Some(a) => format!("index:    synced {} ago", super::search::human_age(a)),
                None => "index:    never synced (run `revitpy-install registry sync`)".to_owned(),
            });
        }
        return ExitStatus::Success;
    }
    if args.cleanup {
        if args.max_size.is_none() && args.max_age.is_none() {
            return fail(printer, "--cleanup needs --max-size MB and/or --max-age DAYS");
        }
        let max_bytes = args.max_size.map(|mb| mb.saturating_mul(1024 * 1024));
        return match cache.cleanup(max_bytes, args.max_age) {
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
                    c.name, c.version
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
