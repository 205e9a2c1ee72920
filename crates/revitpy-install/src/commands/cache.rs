//! `registry cache`: statistics, cleanup (least recently used first) and
//! verification of the package cache. The offline index is never touched.

use revitpy_cache::Cache;
use serde_json::json;

use super::human_bytes;
use super::publish::fail;
use crate::ExitStatus;
use crate::cli::CacheArgs;
use crate::escape;
use crate::local_index::LocalIndex;
use crate::printer::Printer;
use crate::settings::Settings;

/// `cache --cleanup` with neither limit: the original client's defaults.
const DEFAULT_CLEANUP_MB: u64 = 500;
const DEFAULT_CLEANUP_DAYS: u64 = 30;

pub fn run(args: CacheArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
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
