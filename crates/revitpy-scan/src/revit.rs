//! Revit API members removed or deprecated per Revit version, from the
//! sourced table in `data/revit_api_changes.tsv` (a copy of the project's
//! reference data), matched against identifiers and attribute chains, never
//! substrings (`GetTaggedLocalElementIds` is not `TaggedLocalElementId`).
//!
//! Python is untyped, so a receiver's class is rarely known. Distinctive
//! member names (`IntegerValue`, `TaggedLocalElementId`) match on any
//! receiver; generic ones (`Create`, `Symbol`, `Insert`...) only behind their
//! class name (`TopographySurface.Create`). Overloads are flagged only when
//! the arguments show them (a `BuiltInParameterGroup` argument, an integer
//! passed to `ElementId`); other signature rows are not matched yet.

use rustc_hash::FxHashMap as HashMap;

use crate::facts::Facts;
use crate::report::{CompatIssue, CompatLevel};

const TABLE: &str = include_str!("../data/revit_api_changes.tsv");

/// Member names too common to match without their class in the chain.
const GENERIC: &[&str] = &[
    "Create",
    "Insert",
    "Symbol",
    "ElementId",
    "Voltage",
    "Viscosity",
    "Encoding",
    "DistributionType",
    "SlabShapeEditor",
    "WireType",
    "Intersect",
    "ParameterType",
    "ParameterGroup",
    "Python",
    "VBNet",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `None` for a type (enum or class).
    pub class: Option<String>,
    pub member: String,
    /// Parameter types when the row names one overload.
    pub params: Option<Vec<String>>,
    pub year: u16,
    pub removed: bool,
    pub replacement: String,
}

fn clean(form: &str) -> String {
    let mut s = form.trim().to_owned();
    if let Some(i) = s.find(" [C#") {
        s.truncate(i);
    }
    for suffix in [" (all overloads)", " (enum)", " (class)", " constructor", " (BuiltInParameterGroup overload)"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.to_owned();
        }
    }
    // A leading return type: `SetComparisonResult Curve.Intersect(...)`.
    if let Some((first, rest)) = s.split_once(' ')
        && !first.contains('(')
        && rest.contains('.')
    {
        s = rest.to_owned();
    }
    for prefix in ["Autodesk.Revit.DB.", "Autodesk.Revit.Creation.", "Autodesk.Revit.UI."] {
        if let Some(stripped) = s.strip_prefix(prefix) {
            s = stripped.to_owned();
        }
    }
    s
}

/// Parses the table: one entry per member form, `A / B` and `;` split, a
/// second part without a class inheriting the first one's.
pub fn table() -> Vec<Entry> {
    let mut out = Vec::new();
    for line in TABLE.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [member, change, year, replacement, ..] = cols.as_slice() else { continue };
        let Ok(year) = year.trim().parse::<u16>() else { continue };
        let removed = change.trim() == "removed";
        let mut class_of_first: Option<String> = None;
        for part in member.split(" / ").flat_map(|p| p.split("; ")) {
            let cleaned = clean(part);
            let (path, params) = match cleaned.split_once('(') {
                Some((p, rest)) => {
                    let inside = rest.trim_end_matches(')').split(')').next().unwrap_or("");
                    let params: Vec<String> = inside
                        .split(',')
                        .map(|t| t.trim().split(' ').next().unwrap_or("").to_owned())
                        .filter(|t| !t.is_empty())
                        .collect();
                    (p.to_owned(), Some(params))
                }
                None => (cleaned.clone(), None),
            };
            let mut parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
            let Some(member) = parts.pop() else { continue };
            let member = member.trim_end_matches('*').to_owned();
            let class =
                parts.last().map(|c| c.to_string()).or_else(|| class_of_first.clone().filter(|_| !path.contains('.')));
            if class_of_first.is_none() {
                class_of_first = class.clone();
            }
            // A bare name with no class and no parameters is a type; `X(...)` is a constructor.
            let class = match (&class, &params) {
                (None, Some(_)) => Some(member.clone()),
                _ => class,
            };
            out.push(Entry { class, member, params, year, removed, replacement: replacement.trim().to_owned() });
        }
    }
    out
}

/// The table, parsed once, by member name.
/// Whether a name is a member (or type) of the table.
pub fn is_member(name: &str) -> bool {
    // Every attribute of every file is asked: most are turned away unhashed.
    MEMBER_FILTER.may_contain(name) && BY_MEMBER.contains_key(name)
}

static MEMBER_FILTER: std::sync::LazyLock<crate::dotted::NameFilter> = std::sync::LazyLock::new(|| {
    let mut f = crate::dotted::NameFilter::default();
    BY_MEMBER.keys().for_each(|k| f.insert(k));
    f
});

static BY_MEMBER: std::sync::LazyLock<HashMap<&'static str, Vec<&'static Entry>>> = std::sync::LazyLock::new(|| {
    let entries: &'static [Entry] = Box::leak(table().into_boxed_slice());
    let mut by: HashMap<&'static str, Vec<&'static Entry>> = HashMap::default();
    for e in entries {
        by.entry(e.member.as_str()).or_default().push(e);
    }
    by
});

/// The first year each (class, member) was deprecated and removed.
struct Change {
    name: String,
    deprecated: Option<u16>,
    removed: Option<u16>,
    replacement: String,
}

fn merge(entries: &[&Entry]) -> Change {
    let e = entries[0];
    let name = match &e.class {
        Some(c) if *c != e.member => format!("{c}.{}", e.member),
        _ => e.member.clone(),
    };
    let deprecated = entries.iter().filter(|x| !x.removed).map(|x| x.year).min();
    let removed = entries.iter().filter(|x| x.removed).map(|x| x.year).min();
    let replacement = entries.iter().rev().map(|x| x.replacement.clone()).find(|r| !r.is_empty()).unwrap_or_default();
    Change { name, deprecated, removed, replacement }
}

/// Compatibility issues of one file for a declared Revit range (`max`
/// None = open-ended: every later version counts).
pub fn check(file: &str, facts: &Facts, min: Option<u16>, max: Option<u16>) -> Vec<CompatIssue> {
    let _ = min;
    let hi = max.unwrap_or(u16::MAX);
    let by_member = &*BY_MEMBER;
    let mut hits: Vec<(Change, usize)> = Vec::new();
    let revit_file = facts.imports.iter().any(|(m, _)| m.starts_with("Autodesk") || m == "clr");

    // Attribute chains and names (properties, types, parameterless methods).
    for r in &facts.references {
        if r.store {
            continue;
        }
        let Some(last) = r.chain.last() else { continue };
        let Some(candidates) = by_member.get(last.as_str()) else { continue };
        if facts.defines.contains(last) {
            continue;
        }
        let receiver = r.chain.len().checked_sub(2).map(|i| r.chain[i].as_str());
        let rows: Vec<&Entry> = candidates
            .iter()
            .copied()
            .filter(|e| e.params.as_ref().is_none_or(Vec::is_empty))
            .filter(|e| match &e.class {
                // Types are matched anywhere in a chain, below.
                None => false,
                Some(class) if *class == e.member => false,
                Some(class) => {
                    receiver == Some(class.as_str()) || (!GENERIC.contains(&last.as_str()) && r.chain.len() > 1)
                }
            })
            .collect();
        if !rows.is_empty() {
            hits.push((merge(&rows), r.line));
        }
    }
    // Types (enums, classes) anywhere in a chain: `DisplayUnitType.DUT_METERS`.
    if revit_file {
        for r in &facts.references {
            for part in &r.chain {
                if facts.defines.contains(part) {
                    continue;
                }
                let Some(candidates) = by_member.get(part.as_str()) else { continue };
                let rows: Vec<&Entry> = candidates.iter().copied().filter(|e| e.class.is_none()).collect();
                if !rows.is_empty() {
                    hits.push((merge(&rows), r.line));
                }
            }
        }
    }
    // Calls whose arguments show a changed overload.
    for c in &facts.calls {
        let last = crate::dotted::last_segment(&c.name);
        let Some(candidates) = by_member.get(last) else { continue };
        for e in candidates.iter().filter(|e| e.params.as_ref().is_some_and(|p| !p.is_empty())) {
            let params = e.params.as_ref().expect("filtered");
            // The overload is told apart by its parameter count and a telling argument.
            let arity = c.args.len() == params.len();
            let shows = if params.iter().any(|p| p == "BuiltInParameterGroup") {
                arity && c.args.iter().any(|a| a.text.contains("BuiltInParameterGroup") || a.text.contains(".PG_"))
            } else if params.iter().any(|p| p == "ParameterType") {
                arity && c.args.iter().any(|a| a.text.contains("ParameterType."))
            } else if e.member == "ElementId" && params.len() == 1 && matches!(params[0].as_str(), "Int32" | "int") {
                c.args.len() == 1 && c.args[0].text.trim().chars().all(|ch| ch.is_ascii_digit() || ch == '-')
            } else {
                false
            };
            if shows {
                hits.push((merge(&[e]), c.line));
            }
        }
    }

    let mut out: Vec<CompatIssue> = Vec::new();
    // Where each member's issue is in `out` (a file may reference one member thousands of times).
    let mut index: HashMap<String, usize> = HashMap::default();
    for (change, line) in hits {
        let (level, year) = match (change.removed, change.deprecated) {
            (Some(r), _) if r <= hi => (CompatLevel::Error, r),
            (_, Some(d)) if d <= hi => (CompatLevel::Warning, d),
            _ => continue,
        };
        // One issue per member and file, the most severe one.
        if let Some(&i) = index.get(&change.name) {
            let existing = &mut out[i];
            if existing.level == CompatLevel::Warning && level == CompatLevel::Error {
                existing.level = level;
                existing.revit_version = year.to_string();
                existing.line = line;
            }
            continue;
        }
        index.insert(change.name.clone(), out.len());
        out.push(CompatIssue {
            member: change.name,
            level,
            revit_version: year.to_string(),
            replacement: change.replacement,
            file: file.to_owned(),
            line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    #[test]
    fn every_row_gives_entries_with_years() {
        let t = table();
        let rows = TABLE.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert!(t.len() >= rows, "{} entries for {rows} rows", t.len());
        assert!(t.iter().all(|e| (2022..=2027).contains(&e.year) && !e.member.is_empty()));
        let iv: Vec<&Entry> = t.iter().filter(|e| e.member == "IntegerValue").collect();
        assert_eq!(iv.len(), 2);
        assert!(iv.iter().all(|e| e.class.as_deref() == Some("ElementId")));
        assert!(t.iter().any(|e| e.member == "HookOrient1" && e.class.as_deref() == Some("RebarBendData")));
        assert!(
            t.iter().any(|e| e.member == "ExportEnergyModelType" && e.class.as_deref() == Some("GBXMLExportOptions"))
        );
    }

    fn issues(src: &str, min: u16, max: Option<u16>) -> Vec<(String, CompatLevel, String)> {
        check("f.py", &parse(src), Some(min), max).into_iter().map(|i| (i.member, i.level, i.revit_version)).collect()
    }

    #[test]
    fn identifiers_not_substrings_and_range_decides_the_level() {
        let src = "from Autodesk.Revit.DB import ElementId\ndef f(tag, eid):\n    tag.GetTaggedLocalElementIds()\n    return eid.IntegerValue\n";
        assert_eq!(issues(src, 2022, Some(2023)), []);
        assert_eq!(
            issues(src, 2022, Some(2025)),
            [("ElementId.IntegerValue".into(), CompatLevel::Warning, "2024".into())]
        );
        assert_eq!(issues(src, 2022, None), [("ElementId.IntegerValue".into(), CompatLevel::Error, "2026".into())]);
        let removed = "from Autodesk.Revit.DB import *\nx = tag.TaggedLocalElementId\nu = DisplayUnitType.DUT_METERS\n";
        let got = issues(removed, 2022, Some(2024));
        assert!(
            got.contains(&("IndependentTag.TaggedLocalElementId".into(), CompatLevel::Error, "2023".into())),
            "{got:?}"
        );
        assert!(got.contains(&("DisplayUnitType".into(), CompatLevel::Error, "2022".into())), "{got:?}");
    }

    #[test]
    fn overloads_only_when_the_arguments_show_them() {
        let new_style = "from Autodesk.Revit.DB import GroupTypeId, SpecTypeId\nm.AddParameter('W', GroupTypeId.Geometry, SpecTypeId.Length, False)\n";
        assert_eq!(issues(new_style, 2022, Some(2026)), []);
        let old_style = "from Autodesk.Revit.DB import BuiltInParameterGroup\nm.AddParameter('W', BuiltInParameterGroup.PG_GEOMETRY, pt, False)\n";
        assert_eq!(
            issues(old_style, 2022, Some(2026)),
            [("FamilyManager.AddParameter".into(), CompatLevel::Warning, "2022".into())]
        );
        let removed = "m.AddParameter(definition, BuiltInParameterGroup.PG_DATA, True)\n";
        assert_eq!(
            issues(removed, 2022, Some(2026)),
            [("FamilyManager.AddParameter".into(), CompatLevel::Error, "2025".into())]
        );
        assert_eq!(issues(removed, 2022, Some(2024)), []);
        // Generic names need their class.
        assert_eq!(
            issues("from Autodesk.Revit.DB import IndependentTag\nIndependentTag.Create(doc, v)\n", 2022, Some(2026)),
            []
        );
        let got = issues(
            "from Autodesk.Revit.DB.Architecture import TopographySurface\nTopographySurface.Create(doc, pts)\n",
            2022,
            Some(2025),
        );
        assert_eq!(got, [("TopographySurface.Create".into(), CompatLevel::Warning, "2024".into())]);
    }
}
