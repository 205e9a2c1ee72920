//! Deterministic, realistic-looking packages and queries for benchmarks and
//! load tests (this crate's bench, the server's load benchmark).
//!
//! Each package has a topic (the words of its name); its summary,
//! description and keywords mostly repeat the topic, with a few unrelated
//! words. Topic words are drawn with a skew toward the front of the list, so
//! a few ("wall", "door", "sheet") are common, as in a real registry: at
//! 100,000 packages a typical one-word query matches a few thousand docs and
//! "wall" over ten thousand. Downloads
//! are heavy-tailed (Pareto), years span 2019..=2027 with open ends. The
//! same `(n, seed)` always gives the same docs, on every platform.

use std::collections::HashSet;

use crate::SearchDoc;

/// SplitMix64: tiny, fast, good enough for test data, no crate needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi].
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// An index into `len` items, skewed toward 0: `u^power` with `u`
    /// uniform, so power 1 is uniform and power 2 gives the first tenth of
    /// the list about a third of the draws.
    pub fn skewed(&mut self, len: usize, power: f64) -> usize {
        ((self.unit().powf(power) * len as f64) as usize).min(len - 1)
    }

    /// A popular-first pick (power 1.5): common words stay common.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.skewed(items.len(), 1.5)]
    }

    pub fn pick_uniform<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.skewed(items.len(), 1.0)]
    }
}

/// Revit-ish subject words, most common first.
pub const SUBJECT_WORDS: &[&str] = &[
    "wall",
    "door",
    "sheet",
    "room",
    "family",
    "parameter",
    "view",
    "level",
    "tag",
    "schedule",
    "window",
    "export",
    "grid",
    "floor",
    "element",
    "model",
    "link",
    "annotation",
    "dimension",
    "material",
    "roof",
    "ceiling",
    "stair",
    "railing",
    "beam",
    "column",
    "pipe",
    "duct",
    "conduit",
    "cable",
    "tray",
    "fitting",
    "fixture",
    "furniture",
    "text",
    "legend",
    "filter",
    "template",
    "phase",
    "workset",
    "cad",
    "ifc",
    "pdf",
    "dwg",
    "excel",
    "csv",
    "json",
    "area",
    "space",
    "zone",
    "revision",
    "title",
    "block",
    "print",
    "dynamo",
    "python",
    "script",
    "macro",
    "geometry",
    "solid",
    "mesh",
    "point",
    "cloud",
    "coordinates",
    "project",
    "browser",
    "selection",
    "color",
    "graphics",
    "override",
    "visibility",
    "section",
    "elevation",
    "callout",
    "detail",
    "component",
    "group",
    "assembly",
    "part",
    "curtain",
    "panel",
    "mullion",
    "opening",
    "void",
    "host",
    "keynote",
    "spec",
    "cost",
    "quantity",
    "takeoff",
    "clash",
    "structural",
    "electrical",
    "plumbing",
    "hvac",
    "energy",
    "lighting",
    "site",
    "topography",
    "survey",
    "rebar",
    "foundation",
    "truss",
    "brace",
    "slab",
    "sketch",
    "boundary",
    "label",
    "symbol",
    "pattern",
    "hatch",
    "lineweight",
    "linestyle",
    "unit",
    "worksharing",
    "warning",
    "purge",
    "transmittal",
    "issue",
    "markup",
    "cloudline",
    "tile",
    "facade",
    "parking",
];

/// Words that name what a package does.
pub const ACTION_WORDS: &[&str] = &[
    "tools",
    "manager",
    "export",
    "import",
    "renamer",
    "checker",
    "helper",
    "builder",
    "sync",
    "audit",
    "numbering",
    "placer",
    "aligner",
    "cleaner",
    "creator",
    "editor",
    "viewer",
    "converter",
    "generator",
    "organizer",
    "finder",
    "counter",
    "batch",
    "bulk",
    "quick",
    "smart",
    "auto",
    "pro",
    "lite",
    "kit",
    "suite",
    "toolbox",
    "utils",
    "assistant",
    "wizard",
];

const FILLER: &[&str] = &[
    "for",
    "and",
    "with",
    "the",
    "in",
    "a",
    "of",
    "to",
    "revit",
    "from",
    "all",
    "your",
    "quickly",
    "selected",
    "multiple",
    "project",
    "models",
    "teams",
    "easily",
    "automatically",
];

const VERBS: &[&str] = &[
    "create", "rename", "export", "import", "check", "place", "align", "tag", "number", "update", "sync", "clean",
    "audit", "compare", "filter", "select", "color", "schedule", "organize", "convert", "count", "find", "batch",
    "manage", "generate", "join", "split",
];

/// Categories, most common first.
pub const CATEGORIES: &[&str] = &[
    "Productivity",
    "Documentation",
    "Architecture",
    "MEP",
    "Structure",
    "Interoperability",
    "Analysis",
    "Modeling",
    "Coordination",
    "Utilities",
];

fn title_case(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Text about `topic`: mostly filler and the topic's words, a few verbs
/// and action words, and now and then an unrelated subject, as real
/// descriptions mention their subject and little else.
fn sentence(rng: &mut Rng, topic: &[&str], words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        let w = match rng.range(0, 19) {
            0..=4 => topic[rng.range(0, topic.len() as u64 - 1) as usize],
            5..=6 => rng.pick_uniform(ACTION_WORDS),
            7..=8 => rng.pick_uniform(VERBS),
            9 => rng.pick_uniform(SUBJECT_WORDS),
            _ => rng.pick_uniform(FILLER),
        };
        out.push_str(w);
    }
    out
}

/// `n` distinct, deterministic packages.
pub fn generated_docs(n: usize, seed: u64) -> Vec<SearchDoc> {
    let mut rng = Rng::new(seed);
    let mut taken: HashSet<String> = HashSet::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    while docs.len() < n {
        // 1 to 3 words: subject(s) then usually an action word.
        let mut parts: Vec<&str> = vec![rng.pick(SUBJECT_WORDS)];
        if rng.range(0, 2) == 0 {
            parts.push(rng.pick(SUBJECT_WORDS));
        }
        if rng.range(0, 4) != 0 {
            parts.push(rng.pick(ACTION_WORDS));
        }
        let mut base = parts.join("-");
        if !taken.insert(base.clone()) {
            // Common combinations get a numbered or prefixed variant, as
            // forks and vendor variants do.
            let mut k = 2;
            loop {
                let candidate = if rng.range(0, 1) == 0 {
                    format!("{base}-{k}")
                } else {
                    format!("{}-{base}", ["revit", "py", "bim", "rvt", "open"][rng.range(0, 4) as usize])
                };
                if taken.insert(candidate.clone()) {
                    base = candidate;
                    break;
                }
                k += 1;
            }
        }
        let normalized_name = base;
        // Display names in the styles people use.
        let name = match rng.range(0, 3) {
            0 => normalized_name.clone(),
            1 => normalized_name.replace('-', "_"),
            2 => normalized_name.split('-').map(title_case).collect::<Vec<_>>().join("-"),
            _ => normalized_name.split('-').map(title_case).collect::<Vec<_>>().join("_"),
        };
        let summary_len = rng.range(3, 9) as usize;
        let description_len = rng.range(15, 60) as usize;
        let verb = rng.pick_uniform(VERBS);
        let summary = format!("{} {} {}", title_case(verb), parts.join(" "), sentence(&mut rng, &parts, summary_len));
        let description = sentence(&mut rng, &parts, description_len);
        // The topic's subject words, and sometimes a related one.
        let mut keywords: Vec<String> =
            parts.iter().filter(|p| SUBJECT_WORDS.contains(p)).map(|p| (*p).to_owned()).collect();
        for _ in 0..rng.range(0, 2) {
            keywords.push(rng.pick(SUBJECT_WORDS).to_owned());
        }
        let categories = (0..rng.range(1, 2)).map(|_| rng.pick_uniform(CATEGORIES).to_owned()).collect();
        let package_type = match rng.range(0, 19) {
            0..=11 => "addon",
            12..=15 => "library",
            16..=18 => "tool",
            _ => "template",
        }
        .to_owned();
        let min_revit = (rng.range(0, 9) < 7).then(|| rng.range(2019, 2025) as u16);
        let max_revit = (rng.range(0, 1) == 0).then(|| rng.range(u64::from(min_revit.unwrap_or(2019)), 2027) as u16);
        // Pareto tail: most packages have a few hundred, a few have millions.
        let downloads = (20.0 / (1.0 - rng.unit()).powf(1.1)).min(5_000_000.0) as u64;
        docs.push(SearchDoc {
            normalized_name,
            name,
            summary,
            description,
            keywords,
            categories,
            package_type,
            min_revit,
            max_revit,
            downloads,
        });
    }
    docs
}

/// `n` distinct queries of one or two words (a subject word, sometimes an
/// action word or a second subject), half of them with a Revit year.
pub fn generated_queries(n: usize, seed: u64) -> Vec<(String, Option<u16>)> {
    let mut rng = Rng::new(seed);
    let mut seen = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    let possible = SUBJECT_WORDS.len() * (1 + SUBJECT_WORDS.len() + ACTION_WORDS.len()) * 10;
    assert!(n <= possible / 2, "ask for fewer queries");
    while out.len() < n {
        let text = match rng.range(0, 2) {
            0 => rng.pick(SUBJECT_WORDS).to_owned(),
            1 => format!("{} {}", rng.pick(SUBJECT_WORDS), rng.pick(ACTION_WORDS)),
            _ => format!("{} {}", rng.pick(SUBJECT_WORDS), rng.pick(SUBJECT_WORDS)),
        };
        let year = (rng.range(0, 1) == 0).then(|| rng.range(2019, 2027) as u16);
        if seen.insert((text.clone(), year)) {
            out.push((text, year));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_deterministic_and_unique() {
        let a = generated_docs(2000, 7);
        assert_eq!(a, generated_docs(2000, 7));
        assert_ne!(a, generated_docs(2000, 8));
        let names: HashSet<&str> = a.iter().map(|d| d.normalized_name.as_str()).collect();
        assert_eq!(names.len(), a.len());
        for d in &a {
            assert_eq!(crate::normalize_name(&d.name), d.normalized_name);
            if let (Some(lo), Some(hi)) = (d.min_revit, d.max_revit) {
                assert!(lo <= hi);
            }
        }
    }

    #[test]
    fn queries_are_distinct() {
        let q = generated_queries(300, 1);
        let set: HashSet<_> = q.iter().collect();
        assert_eq!(set.len(), 300);
    }
}
