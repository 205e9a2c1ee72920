//! Choosing versions: for every package needed, the newest version that is
//! not yanked, supports the Revit year, and satisfies every specifier that
//! asks for it. A later issue brings a full resolver (pubgrub) with lock
//! files; this one is greedy with re-checks: when a new specifier rules out
//! a version already chosen, that package is chosen again, and the loop runs
//! until nothing changes (or fails, naming who asked for what).

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::str::FromStr;

use revitpy_api::{IndexPackage, IndexVersion};
use revitpy_names::package_name::normalize;
use revitpy_names::{Version, VersionSpecifiers, VersionSpecifiersError};

/// Who asked for a package named on the command line.
pub const REQUESTED: &str = "requested";

/// What was asked for a package, and by whom.
#[derive(Debug, Clone)]
pub struct Demand {
    /// [`REQUESTED`] (the command line), or the package and version that depends on it.
    pub by: String,
    pub spec: VersionSpecifiers,
    /// An exact version pinned on the command line (may be yanked or a pre-release).
    pub pinned: Option<Version>,
}

impl fmt::Display for Demand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pinned {
            Some(v) => write!(f, "=={v} ({})", self.by),
            None if self.spec.is_empty() => write!(f, "any version ({})", self.by),
            None => write!(f, "{} ({})", self.spec, self.by),
        }
    }
}

/// Why no set of versions could be chosen. `E` is the fetch's own error,
/// kept whole so a caller can tell a registry that cannot be reached (and
/// fall back to the local index) from a package that does not exist.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError<E> {
    /// No index entry for the package, wherever the entries come from.
    #[error("package {name} was not found{}", needed_by_text(.needed_by))]
    NotFound {
        name: String,
        /// The packages (name and version) whose dependency it is; empty for
        /// a package named on the command line.
        needed_by: Vec<String>,
    },
    /// No version satisfies every demand and the Revit year. Conflicting
    /// specifiers end here too: the demands say who asked for what.
    #[error(
        "no version of {package} fits Revit {year} and {}; available: {}",
        joined(.demands),
        available_text(.available)
    )]
    NoVersionFits { package: String, year: u16, demands: Vec<Demand>, available: Vec<IndexVersion> },
    /// A chosen version declares a dependency whose specifier is not PEP 440.
    #[error("{package} {version} has a bad dependency specifier `{spec}`: {problem}")]
    BadSpecifier { package: String, version: String, spec: String, problem: VersionSpecifiersError },
    /// Choices keep undoing each other (a cycle of conflicting specifiers).
    #[error("the dependencies do not settle (a cycle of conflicting specifiers?)")]
    DoesNotSettle,
    /// The index entries could not be fetched.
    #[error(transparent)]
    Fetch(E),
}

fn needed_by_text(needed_by: &[String]) -> String {
    if needed_by.is_empty() {
        "; check the name with `revitpy-install registry search`".to_owned()
    } else {
        format!(" (needed by {})", needed_by.join(", "))
    }
}

fn joined(demands: &[Demand]) -> String {
    demands.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// Each version with the Revit years it supports, and whether it was yanked.
fn available_text(versions: &[IndexVersion]) -> String {
    versions
        .iter()
        .map(|v| {
            let range = match (&v.min_revit_version, &v.max_revit_version) {
                (Some(a), Some(b)) => format!("Revit {a}-{b}"),
                (Some(a), None) => format!("Revit {a}+"),
                (None, Some(b)) => format!("up to Revit {b}"),
                (None, None) => "any Revit".into(),
            };
            format!("{} ({range}{})", v.version, if v.yanked { ", yanked" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone)]
pub struct Pick {
    pub name: String,
    pub display_name: String,
    pub version: IndexVersion,
    pub requested: bool,
    /// The package requires every version to carry its publisher's signature.
    pub require_signature: bool,
}

fn year_ok(v: &IndexVersion, year: u16) -> bool {
    let y = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<u16>().ok());
    y(&v.min_revit_version).is_none_or(|m| year >= m) && y(&v.max_revit_version).is_none_or(|m| year <= m)
}

fn choose<'a, E>(p: &'a IndexPackage, demands: &[Demand], year: u16) -> Result<&'a IndexVersion, ResolveError<E>> {
    let pinned = demands.iter().find_map(|d| d.pinned.clone());
    let wants_pre = pinned.as_ref().is_some_and(Version::any_prerelease)
        || demands.iter().any(|d| d.spec.iter().any(|s| s.version().any_prerelease()));
    let fits = |v: &&IndexVersion, allow_pre: bool| {
        let Ok(parsed) = Version::from_str(&v.version) else { return false };
        if let Some(pin) = &pinned {
            return parsed == *pin && year_ok(v, year);
        }
        !v.yanked
            && (allow_pre || !parsed.any_prerelease())
            && year_ok(v, year)
            && demands.iter().all(|d| d.spec.contains(&parsed))
    };
    let newest = |allow_pre: bool| {
        p.versions
            .iter()
            .filter(|v| fits(v, allow_pre))
            .filter_map(|v| Version::from_str(&v.version).ok().map(|x| (x, v)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, v)| v)
    };
    // Pre-releases only when asked for, or when nothing else fits (a package
    // with only pre-releases still installs, as the registry's "latest" rule says).
    newest(wants_pre).or_else(|| newest(true)).ok_or_else(|| ResolveError::NoVersionFits {
        package: p.name.clone(),
        year,
        demands: demands.to_vec(),
        available: p.versions.clone(),
    })
}

/// Returns the index entries of the named packages (online or offline).
pub type Fetch<'a, E> = dyn FnMut(&[String]) -> Result<Vec<IndexPackage>, E> + 'a;

/// Resolves `roots` (name, optional exact version) for `year`. `fetch`
/// returns the index entries of the named packages (online or offline); its
/// error comes back as [`ResolveError::Fetch`].
pub fn resolve<E>(
    roots: &[(String, Option<Version>)],
    year: u16,
    fetch: &mut Fetch<'_, E>,
) -> Result<Vec<Pick>, ResolveError<E>> {
    let mut known: BTreeMap<String, IndexPackage> = BTreeMap::new();
    let mut demands: BTreeMap<String, Vec<Demand>> = BTreeMap::new();
    let mut picks: BTreeMap<String, IndexVersion> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for (name, pin) in roots {
        let n = normalize(name);
        demands.entry(n.clone()).or_default().push(Demand {
            by: REQUESTED.into(),
            spec: VersionSpecifiers::empty(),
            pinned: pin.clone(),
        });
        queue.push_back(n);
    }
    let mut rounds = 0;
    while let Some(name) = queue.pop_front() {
        rounds += 1;
        if rounds > 10_000 {
            return Err(ResolveError::DoesNotSettle);
        }
        if !known.contains_key(&name) {
            let mut wanted = vec![name.clone()];
            wanted.extend(queue.iter().filter(|n| !known.contains_key(*n)).cloned());
            for p in fetch(&wanted).map_err(ResolveError::Fetch)? {
                known.insert(p.normalized_name.clone(), p);
            }
            if !known.contains_key(&name) {
                let needed_by: Vec<String> = demands
                    .get(&name)
                    .map(|d| d.iter().filter(|d| d.by != REQUESTED).map(|d| d.by.clone()).collect())
                    .unwrap_or_default();
                return Err(ResolveError::NotFound { name, needed_by });
            }
        }
        let package = &known[&name];
        let chosen = choose(package, &demands[&name], year)?.clone();
        if picks.get(&name).is_some_and(|v| v.version == chosen.version) {
            continue;
        }
        let deps = chosen.dependencies.as_array().cloned().unwrap_or_default();
        picks.insert(name.clone(), chosen.clone());
        // What an earlier choice of this package asked for no longer counts.
        let prefix = format!("{} ", package.name);
        for list in demands.values_mut() {
            list.retain(|d| !d.by.starts_with(&prefix));
        }
        for dep in deps {
            let Some(dep_name) = dep["name"].as_str() else { continue };
            let spec_text = dep["version"].as_str().unwrap_or("");
            let spec = if spec_text.trim().is_empty() || spec_text.trim() == "*" {
                VersionSpecifiers::empty()
            } else {
                VersionSpecifiers::from_str(spec_text).map_err(|problem| ResolveError::BadSpecifier {
                    package: name.clone(),
                    version: chosen.version.clone(),
                    spec: spec_text.to_owned(),
                    problem,
                })?
            };
            let dn = normalize(dep_name);
            let by = format!("{} {}", package.name, chosen.version);
            let still_fits = picks
                .get(&dn)
                .is_some_and(|p| Version::from_str(&p.version).is_ok_and(|v| spec.contains(&v)) && year_ok(p, year));
            demands.entry(dn.clone()).or_default().push(Demand { by, spec, pinned: None });
            // Re-choose a package already chosen only when the new specifier
            // rules its version out (so cycles settle at once).
            if !still_fits {
                picks.remove(&dn);
                queue.push_back(dn);
            }
        }
    }
    // Dependencies first, so a package never lands before what it needs.
    let mut order = Vec::new();
    let mut visiting = std::collections::BTreeSet::new();
    fn visit(
        n: &str,
        picks: &BTreeMap<String, IndexVersion>,
        order: &mut Vec<String>,
        visiting: &mut std::collections::BTreeSet<String>,
    ) {
        if order.iter().any(|o| o == n) || !visiting.insert(n.to_owned()) {
            return;
        }
        if let Some(v) = picks.get(n) {
            for dep in v.dependencies.as_array().into_iter().flatten() {
                if let Some(d) = dep["name"].as_str() {
                    visit(&normalize(d), picks, order, visiting);
                }
            }
        }
        order.push(n.to_owned());
    }
    for name in picks.keys() {
        visit(name, &picks, &mut order, &mut visiting);
    }
    let requested: Vec<String> = roots.iter().map(|(n, _)| normalize(n)).collect();
    Ok(order
        .into_iter()
        .map(|n| Pick {
            // For messages only, and the name came from a registry: one safe line.
            display_name: crate::escape::line(&known[&n].name).into_owned(),
            version: picks[&n].clone(),
            requested: requested.contains(&n),
            require_signature: known[&n].require_signature,
            name: n,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    fn version(v: &str, deps: serde_json::Value, min: Option<&str>, max: Option<&str>) -> IndexVersion {
        IndexVersion {
            version: v.into(),
            summary: String::new(),
            description: String::new(),
            author: String::new(),
            license: String::new(),
            keywords: vec![],
            categories: vec![],
            package_type: "library".into(),
            performance_impact: "low".into(),
            requires_admin: false,
            min_revit_version: min.map(str::to_owned),
            max_revit_version: max.map(str::to_owned),
            tested_revit_versions: vec![],
            known_issues: serde_json::json!([]),
            dependencies: deps,
            file_hash_sha256: "0".repeat(64),
            file_size: 1,
            yanked: false,
            signature_key_id: None,
            is_prerelease: Version::from_str(v).unwrap().any_prerelease(),
            security_scan_status: "pending".into(),
            created_at: String::new(),
        }
    }

    fn package(name: &str, versions: Vec<IndexVersion>) -> IndexPackage {
        IndexPackage {
            name: name.into(),
            normalized_name: name.into(),
            download_count: 0,
            require_signature: false,
            versions,
        }
    }

    fn run(
        registry: &[IndexPackage],
        roots: &[(&str, Option<&str>)],
        year: u16,
    ) -> Result<Vec<(String, String)>, ResolveError<Infallible>> {
        let roots: Vec<(String, Option<Version>)> =
            roots.iter().map(|(n, v)| (n.to_string(), v.map(|v| Version::from_str(v).unwrap()))).collect();
        let mut fetch = |names: &[String]| -> Result<_, Infallible> {
            Ok(registry.iter().filter(|p| names.contains(&p.normalized_name)).cloned().collect())
        };
        resolve(&roots, year, &mut fetch).map(|picks| picks.into_iter().map(|p| (p.name, p.version.version)).collect())
    }

    #[test]
    fn newest_compatible_versions_dependencies_first() {
        let reg = vec![
            package(
                "app",
                vec![version("2.0", serde_json::json!([{"name": "lib", "version": ">=1.0,<2"}]), Some("2024"), None)],
            ),
            package(
                "lib",
                vec![
                    version("1.9", serde_json::json!([]), None, Some("2023")),
                    version("1.5", serde_json::json!([]), None, None),
                    version("2.1", serde_json::json!([]), None, None),
                    version("1.10rc1", serde_json::json!([]), None, None),
                ],
            ),
        ];
        // 1.9 stops at Revit 2023, 2.1 is outside the specifier, 1.10rc1 is a pre-release.
        assert_eq!(
            run(&reg, &[("app", None)], 2024).unwrap(),
            [("lib".into(), "1.5".into()), ("app".into(), "2.0".into())]
        );
        let err = run(&reg, &[("app", None)], 2023).unwrap_err();
        assert!(
            matches!(&err, ResolveError::NoVersionFits { package, year: 2023, demands, .. }
                if package == "app" && demands.len() == 1 && demands[0].by == REQUESTED),
            "{err:?}"
        );
        assert!(err.to_string().contains("no version of app fits Revit 2023"), "{err}");
        assert_eq!(
            err.to_string(),
            "no version of app fits Revit 2023 and any version (requested); available: 2.0 (Revit 2024+)"
        );
        let err = run(&reg, &[("nope", None)], 2024).unwrap_err();
        assert!(matches!(&err, ResolveError::NotFound { name, needed_by } if name == "nope" && needed_by.is_empty()));
        assert!(err.to_string().contains("nope was not found"), "{err}");
    }

    #[test]
    fn errors_say_who_asked_for_what() {
        let reg = vec![
            package(
                "app",
                vec![version(
                    "2.0",
                    serde_json::json!([{"name": "lib", "version": ">=3"}, {"name": "gone", "version": ""}]),
                    None,
                    None,
                )],
            ),
            package("lib", vec![version("1.0", serde_json::json!([]), None, Some("2023"))]),
        ];
        let err = run(&reg, &[("app", None)], 2024).unwrap_err();
        assert!(matches!(&err, ResolveError::NoVersionFits { package, .. } if package == "lib"), "{err:?}");
        assert_eq!(
            err.to_string(),
            "no version of lib fits Revit 2024 and >=3 (app 2.0); available: 1.0 (up to Revit 2023)"
        );
        let reg = vec![package(
            "app",
            vec![version("2.0", serde_json::json!([{"name": "gone", "version": ""}]), None, None)],
        )];
        let err = run(&reg, &[("app", None)], 2024).unwrap_err();
        assert!(
            matches!(&err, ResolveError::NotFound { name, needed_by } if name == "gone" && needed_by == &["app 2.0"]),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "package gone was not found (needed by app 2.0)");
        let reg = vec![package(
            "app",
            vec![version("2.0", serde_json::json!([{"name": "x", "version": ">=<1"}]), None, None)],
        )];
        let err = run(&reg, &[("app", None)], 2024).unwrap_err();
        assert!(matches!(&err, ResolveError::BadSpecifier { spec, .. } if spec == ">=<1"), "{err:?}");
        assert!(err.to_string().starts_with("app 2.0 has a bad dependency specifier `>=<1`: "), "{err}");
    }

    #[test]
    fn choices_that_undo_each_other_end_in_an_error() {
        // a 1.0 wants b>=2, whose 2.0 wants a<1; a 0.5 wants b<2, whose 1.0 wants a>=1.
        let reg = vec![
            package(
                "a",
                vec![
                    version("1.0", serde_json::json!([{"name": "b", "version": ">=2"}]), None, None),
                    version("0.5", serde_json::json!([{"name": "b", "version": "<2"}]), None, None),
                ],
            ),
            package(
                "b",
                vec![
                    version("2.0", serde_json::json!([{"name": "a", "version": "<1"}]), None, None),
                    version("1.0", serde_json::json!([{"name": "a", "version": ">=1"}]), None, None),
                ],
            ),
        ];
        let err = run(&reg, &[("a", None)], 2024).unwrap_err();
        assert!(matches!(err, ResolveError::DoesNotSettle), "{err:?}");
        assert_eq!(err.to_string(), "the dependencies do not settle (a cycle of conflicting specifiers?)");
    }

    #[test]
    fn a_fetch_failure_comes_back_as_it_was() {
        #[derive(Debug, PartialEq)]
        struct Offline;
        impl fmt::Display for Offline {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("offline")
            }
        }
        let roots = [("app".to_owned(), None)];
        let err = resolve(&roots, 2024, &mut |_: &[String]| Err(Offline)).unwrap_err();
        assert!(matches!(err, ResolveError::Fetch(Offline)), "{err:?}");
        assert_eq!(err.to_string(), "offline");
    }

    #[test]
    fn a_tightening_specifier_rechooses_and_cycles_settle() {
        let reg = vec![
            package(
                "a",
                vec![version(
                    "1.0",
                    serde_json::json!([{"name": "b", "version": ""}, {"name": "c", "version": ""}]),
                    None,
                    None,
                )],
            ),
            package("b", vec![version("1.0", serde_json::json!([{"name": "a", "version": ">=1"}]), None, None)]),
            package("c", vec![version("1.0", serde_json::json!([{"name": "d", "version": "<2"}]), None, None)]),
            package(
                "d",
                vec![
                    version("2.0", serde_json::json!([]), None, None),
                    version("1.4", serde_json::json!([]), None, None),
                ],
            ),
        ];
        let picks = run(&reg, &[("a", None), ("d", None)], 2024).unwrap();
        assert!(picks.contains(&("d".into(), "1.4".into())), "{picks:?}");
        assert_eq!(picks.len(), 4);
    }
}
