//! `registry search QUERY [--revit-version Y] [--package-type T] [--offline]`

use revitpy_api::SearchResult;
use revitpy_client::RegistryClient;
use revitpy_search::SearchQuery;
use serde_json::json;

use crate::ExitStatus;
use crate::cli::SearchArgs;
use crate::escape;
use crate::local_index::{LocalIndex, latest};
use crate::printer::Printer;
use crate::settings::Settings;

/// Results, their total, suggested names (when nothing matched), the index's age.
type Offline = (Vec<SearchResult>, usize, Vec<String>, Option<u64>);

fn offline_results(settings: &Settings, args: &SearchArgs) -> Result<Offline, String> {
    let index = LocalIndex::open(&settings.index_dir())?;
    let age = index.age_secs();
    if age.is_none() {
        return Err(
            "there is no local index yet; run `revitpy-install registry sync` while the registry is reachable".into()
        );
    }
    let q = SearchQuery {
        text: &args.query,
        revit_year: args.revit_version.map(|y| y.get()),
        package_type: args.package_type.as_deref(),
        limit: args.limit as usize,
        offset: 0,
    };
    let (found, total) = index.search(&q)?;
    let results = found
        .iter()
        .filter_map(|p| {
            let v = latest(p)?;
            Some(SearchResult {
                name: p.name.clone(),
                normalized_name: p.normalized_name.clone(),
                summary: v.summary.clone(),
                description: v.description.clone(),
                latest_version: v.version.clone(),
                package_type: v.package_type.clone(),
                performance_impact: v.performance_impact.clone(),
                min_revit_version: v.min_revit_version.clone(),
                max_revit_version: v.max_revit_version.clone(),
                download_count: p.download_count,
                author: v.author.clone(),
                keywords: v.keywords.clone(),
                categories: v.categories.clone(),
                updated_at: v.created_at.clone(),
            })
        })
        .collect();
    let suggestions = if total == 0 { index.suggest(&args.query)? } else { Vec::new() };
    Ok((results, total, suggestions, age))
}

pub fn human_age(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} seconds"),
        s if s < 2 * 3600 => format!("{} minutes", s / 60),
        s if s < 2 * 86_400 => format!("{} hours", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

pub fn run(args: SearchArgs, settings: &Settings, printer: &Printer) -> ExitStatus {
    let mut source = "registry";
    let mut age = None;
    let online = if args.offline {
        None
    } else {
        let client = match RegistryClient::new(&settings.registry_url) {
            Ok(c) => c,
            Err(e) => {
                printer.error(e.to_string());
                return ExitStatus::Failure;
            }
        };
        match crate::block_on(client.search(
            &args.query,
            args.revit_version.map(|y| y.get()),
            args.package_type.as_deref(),
            args.limit,
        )) {
            Ok(r) => Some(r),
            Err(e) if e.is_unreachable() => {
                printer.warning(format!("{e}; answering from the local index"));
                None
            }
            Err(e) => {
                printer.error(e.to_string());
                return ExitStatus::Failure;
            }
        }
    };
    let (results, total, suggestions) = match online {
        Some(r) => {
            crate::local_index::refresh_in_background_if_stale(settings);
            (r.results, r.total as usize, r.suggestions)
        }
        None => match offline_results(settings, &args) {
            Ok((results, total, suggestions, a)) => {
                source = "local index";
                age = a;
                if let Some(a) = a {
                    printer.warning(format!("results from the local index, last synced {} ago", human_age(a)));
                }
                (results, total, suggestions)
            }
            Err(e) => {
                printer.error(e);
                return ExitStatus::Failure;
            }
        },
    };
    if printer.json_mode() {
        printer.json(&json!({
            "query": args.query,
            "source": source,
            "index_age_seconds": age,
            "total": total,
            "results": results,
            "suggestions": suggestions,
        }));
        return ExitStatus::Success;
    }
    if results.is_empty() {
        printer.line(format!("No packages found for '{}'.", escape::line(&args.query)));
        if !suggestions.is_empty() {
            // Names from a registry (or its index): one safe line.
            let names: Vec<_> = suggestions.iter().map(|n| escape::line(n)).collect();
            printer.line(format!("Did you mean: {}?", names.join(", ")));
        }
        return ExitStatus::Success;
    }
    for r in &results {
        let revit = match (&r.min_revit_version, &r.max_revit_version) {
            (Some(a), Some(b)) => format!("Revit {a}-{b}"),
            (Some(a), None) => format!("Revit {a}+"),
            (None, Some(b)) => format!("Revit up to {b}"),
            (None, None) => "any Revit".to_owned(),
        };
        // Every field came from a registry (or its index): one safe line each.
        printer.line(format!(
            "{} {} ({}, {}): {}",
            escape::line(&r.name),
            escape::line(&r.latest_version),
            escape::line(&r.package_type),
            escape::line(&revit),
            escape::line(&r.summary)
        ));
    }
    if total > results.len() {
        printer.line(format!("... {} more; narrow the query or raise --limit", total - results.len()));
    }
    ExitStatus::Success
}
