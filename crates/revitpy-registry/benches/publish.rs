//! Publish throughput (issue 18 §6): generated packages of about 50 KB,
//! uploaded by 4 concurrent clients to this registry and, in the same run
//! and from the same files, to the original Python registry.
//!
//! Run: `cargo bench -p revitpy-registry --bench publish`
//! With the original beside it:
//! `ORIGINAL_REGISTRY=/path/to/original/checkout cargo bench -p revitpy-registry --bench publish`
//!
//! Environment:
//! - `PUBLISH_BENCH_PACKAGES=N`: how many packages (default 20,000, the
//!   issue's data).
//! - `PUBLISH_BENCH_SOURCE_BYTES=B`: size of each package's one Python file
//!   (default 50,000; the built `.rpyx` is about a fifth of it).
//! - `PUBLISH_BENCH_CLIENTS=C`: concurrent clients (default 4).
//! - `PUBLISH_BENCH_CHECK_EVERY=K`: every K-th package is searched for by
//!   name right after its upload returned 200 (default 100).
//! - `PUBLISH_BENCH_AS_ADMIN=1`: publish with `ADMIN_TOKEN` itself instead
//!   of one publish-scope token per client.
//! - `ORIGINAL_REGISTRY`: a checkout of the original project (started with
//!   `scripts/original-registry` on a fresh folder), or the `http://` URL
//!   of an original registry already running on an empty database (then
//!   the restart check is skipped). Unset: the original is not measured.
//! - `PUBLISH_BENCH_ROUNDS=R`: with the original, the packages go to both
//!   registries in R rounds (default 10), alternating which goes first, so
//!   that both meet the same machine (load, disk) over the run.
//! - `PUBLISH_BENCH_KEEP=1`: keep the work folder (packages, both data
//!   folders) and print its path.
//! - `TMPDIR`: where the work folder (and so both data folders) lives; its
//!   file system is printed, since both registries wait on fsyncs.
//! - Our server's own settings (`SCAN_BLOCK_SEVERITY`, `SCAN_CONCURRENCY`,
//!   `SCAN_THREADS`, ...) pass through from the environment and are printed.
//!
//! Steps: generate N distinct packages (a `revitpy.toml` and one Python
//! file of varied, benign add-in code each, built with `revitpy_rpyx::build`;
//! timed apart, not counted); start `revitpy-registry serve` (the binary
//! cargo builds for this bench, bench profile) on a fresh data folder, and
//! the original if asked; upload every package with C clients, each one
//! request at a time on its own keep-alive connection (multipart field
//! `file`, the original's metadata JSON as `?metadata=`, a bearer token),
//! searching for a sample right after each one's 200; then check that every
//! acknowledged version is there (`/api/stats`), kill each server with
//! SIGKILL, start it again on the same folder and check again (count,
//! search, downloads byte for byte on the sample). Any non-200 answer or
//! failed check fails the run, after the report is printed.

#[path = "support/seed.rs"]
mod seed;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

const ADMIN_TOKEN: &str = "publish-bench-admin";

// ---------------------------------------------------------------------------
// Configuration

struct Config {
    packages: usize,
    source_bytes: usize,
    clients: usize,
    check_every: usize,
    as_admin: bool,
    original: Option<String>,
    rounds: usize,
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().replace(['_', ','], "").parse().unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        _ => default,
    }
}

impl Config {
    fn from_env() -> Config {
        let original = std::env::var("ORIGINAL_REGISTRY").ok().filter(|v| !v.trim().is_empty());
        let packages = env_usize("PUBLISH_BENCH_PACKAGES", 20_000);
        let config = Config {
            packages,
            source_bytes: env_usize("PUBLISH_BENCH_SOURCE_BYTES", 50_000),
            clients: env_usize("PUBLISH_BENCH_CLIENTS", 4),
            check_every: env_usize("PUBLISH_BENCH_CHECK_EVERY", 100),
            as_admin: std::env::var("PUBLISH_BENCH_AS_ADMIN").is_ok_and(|v| v == "1"),
            rounds: env_usize("PUBLISH_BENCH_ROUNDS", if original.is_some() { 10 } else { 1 })
                .clamp(1, packages.max(1)),
            original,
        };
        assert!(config.packages > 0 && config.clients > 0 && config.check_every > 0, "counts must be positive");
        config
    }
}

// ---------------------------------------------------------------------------
// Generated packages

/// splitmix64: deterministic, so every run publishes the same data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const NOUNS: &[&str] = &[
    "wall",
    "door",
    "window",
    "room",
    "sheet",
    "view",
    "level",
    "grid",
    "family",
    "parameter",
    "schedule",
    "tag",
    "floor",
    "ceiling",
    "roof",
    "beam",
    "column",
    "duct",
    "pipe",
    "fixture",
    "dimension",
    "element",
    "link",
    "workset",
    "phase",
    "material",
    "stair",
    "railing",
    "furniture",
    "area",
    "space",
    "zone",
    "opening",
    "revision",
    "legend",
    "section",
    "elevation",
    "callout",
    "viewport",
    "titleblock",
    "keynote",
    "assembly",
    "part",
    "rebar",
    "conduit",
    "panel",
    "circuit",
    "sprinkler",
    "truss",
    "brace",
    "foundation",
    "slab",
    "curtain",
    "mullion",
];
const VERBS: &[&str] = &[
    "collect",
    "count",
    "tag",
    "select",
    "renumber",
    "align",
    "export",
    "sync",
    "validate",
    "update",
    "check",
    "group",
    "rename",
    "isolate",
    "measure",
    "copy",
    "report",
    "load",
    "compare",
    "summarise",
    "match",
    "sort",
    "hide",
    "highlight",
    "split",
    "join",
    "place",
    "move",
    "audit",
    "clean",
];
const TOOL_WORDS: &[&str] = &[
    "tools", "sync", "kit", "helper", "tagger", "exporter", "checker", "manager", "studio", "utils", "planner",
    "counter", "linker", "audit", "batch", "assist",
];
const CATEGORIES: &[&str] = &[
    "OST_Walls",
    "OST_Doors",
    "OST_Windows",
    "OST_Rooms",
    "OST_Sheets",
    "OST_Levels",
    "OST_Grids",
    "OST_Floors",
    "OST_Ceilings",
    "OST_Roofs",
    "OST_StructuralFraming",
    "OST_StructuralColumns",
    "OST_DuctCurves",
    "OST_PipeCurves",
    "OST_PlumbingFixtures",
    "OST_Furniture",
    "OST_Stairs",
    "OST_Railings",
    "OST_Areas",
    "OST_MEPSpaces",
    "OST_GenericModel",
    "OST_LightingFixtures",
    "OST_ElectricalEquipment",
    "OST_MechanicalEquipment",
    "OST_Casework",
];
const PARAMETERS: &[&str] = &[
    "ALL_MODEL_MARK",
    "ALL_MODEL_INSTANCE_COMMENTS",
    "ROOM_NAME",
    "ROOM_NUMBER",
    "ROOM_AREA",
    "SHEET_NUMBER",
    "SHEET_NAME",
    "WALL_BASE_OFFSET",
    "WALL_USER_HEIGHT_PARAM",
    "DOOR_NUMBER",
    "LEVEL_ELEV",
    "PHASE_CREATED",
    "ELEM_FAMILY_AND_TYPE_PARAM",
    "CURVE_ELEM_LENGTH",
    "HOST_AREA_COMPUTED",
    "HOST_VOLUME_COMPUTED",
];
const SUFFIXES: &[&str] =
    &["Planner", "Report", "Index", "Cache", "Checker", "Builder", "Exporter", "Collector", "Summary", "Matcher"];
const LICENSES: &[&str] = &["MIT", "Apache-2.0", "BSD-3-Clause", "MPL-2.0"];
const PACKAGE_TYPES: &[&str] = &["addon", "addon", "library", "tool", "template"];
const PACKAGE_CATEGORIES: &[&str] =
    &["modeling", "documentation", "utilities", "analysis", "mep", "structure", "coordination", "annotation"];

fn camel(word: &str) -> String {
    word.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Writes one Python module of varied, plausible Revit add-in code.
struct PyGen {
    rng: Rng,
    names: std::collections::HashSet<String>,
}

impl PyGen {
    fn noun(&mut self) -> &'static str {
        self.rng.pick(NOUNS)
    }
    fn verb(&mut self) -> &'static str {
        self.rng.pick(VERBS)
    }
    fn unique(&mut self, base: String) -> String {
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }
    fn func(&mut self) -> String {
        let (v, a, b) = (self.verb(), self.noun(), self.noun());
        let base = match self.rng.below(3) {
            0 => format!("{v}_{a}s"),
            1 => format!("{v}_{a}_{b}s"),
            _ => format!("{v}_{a}s_by_{b}"),
        };
        self.unique(base)
    }
    fn class(&mut self) -> String {
        let (a, b, s) = (self.noun(), self.noun(), self.rng.pick(SUFFIXES));
        let base = format!("{}{}{s}", camel(a), camel(b));
        self.unique(base)
    }
    fn sentence(&mut self) -> String {
        let (v, a, b) = (camel(self.verb()), self.noun(), self.noun());
        let p = self.rng.pick(PARAMETERS).to_lowercase().replace('_', " ");
        match self.rng.below(7) {
            0 => format!("{v} every {a} on the active view and keep its {b} values."),
            1 => format!("Return the {a}s whose {p} is missing or out of range."),
            2 => format!("Group {a}s by {b} and count them per level."),
            3 => format!("{v} {a} marks in a stable order so that {b} schedules stay readable."),
            4 => format!("Read the {a} settings from a JSON file next to the model."),
            5 => format!("{v} the {a}s hosted by each {b}, skipping linked models."),
            _ => format!("Compare the {p} of each {a} with its {b} and report differences."),
        }
    }
    fn docstring(&mut self, args: &[&str]) -> String {
        let mut s = self.sentence();
        if self.rng.chance(40) {
            let extra = match self.rng.below(4) {
                0 => "Elements without a value are skipped.".to_owned(),
                1 => "Runs inside one transaction; nothing changes if it fails.".to_owned(),
                2 => "The result is sorted by name.".to_owned(),
                _ => format!("Added in {}.{}.", self.rng.range(1, 3), self.rng.range(0, 9)),
            };
            s = format!("{s}\n\n    {extra}");
        }
        if !args.is_empty() && self.rng.chance(35) {
            s.push_str("\n\n    Args:\n");
            for a in args {
                let n = self.noun();
                s.push_str(&format!("        {a}: the {n} input.\n"));
            }
            s.push_str("    ");
        }
        s
    }

    fn header(&mut self, title: &str, description: &str) -> String {
        let extra = ["ElementId", "Wall", "FamilyInstance", "ViewSheet", "Level", "ElementCategoryFilter"];
        let mut revit: Vec<&str> =
            vec!["BuiltInCategory", "BuiltInParameter", "FilteredElementCollector", "Transaction", "XYZ"];
        for e in extra {
            if self.rng.chance(50) {
                revit.push(e);
            }
        }
        revit.sort_unstable();
        let imports: String = revit.iter().map(|r| format!("    {r},\n")).collect();
        let mut consts = String::new();
        for _ in 0..self.rng.range(3, 7) {
            let (a, b) = (self.noun().to_uppercase(), self.noun().to_uppercase());
            match self.rng.below(3) {
                0 => consts.push_str(&format!("{a}_{b}_LIMIT = {}\n", self.rng.range(5, 5000))),
                1 => consts.push_str(&format!("DEFAULT_{a}_PREFIX = \"{}-\"\n", &a[..a.len().min(3)])),
                _ => consts.push_str(&format!("{a}_TOLERANCE = {}.{}\n", self.rng.range(0, 2), self.rng.range(1, 999))),
            }
        }
        let more = self.sentence();
        format!(
            r#"# -*- coding: utf-8 -*-
"""{title}: {description}

{more}
"""
import csv
import json
import logging
import math
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import clr

clr.AddReference("RevitAPI")
clr.AddReference("RevitAPIUI")

from Autodesk.Revit.DB import (
{imports})
from Autodesk.Revit.UI import TaskDialog

LOG = logging.getLogger(__name__)
FEET_TO_MM = 304.8
{consts}"#
        )
    }

    fn collector(&mut self) -> (String, String) {
        let f = self.func();
        let doc = self.docstring(&["doc", "view"]);
        let cat = self.rng.pick(CATEGORIES);
        let code = format!(
            r#"def {f}(doc, view=None):
    """{doc}"""
    collector = FilteredElementCollector(doc, view.Id) if view else FilteredElementCollector(doc)
    return list(
        collector.OfCategory(BuiltInCategory.{cat})
        .WhereElementIsNotElementType()
        .ToElements()
    )
"#
        );
        (f, code)
    }

    fn snippet(&mut self) -> String {
        let kind = self.rng.below(12);
        let f = self.func();
        let noun = self.noun();
        let title = format!("{} {}s", camel(self.verb()), self.noun());
        let param = self.rng.pick(PARAMETERS);
        match kind {
            0 => self.collector().1,
            1 => {
                let doc = self.docstring(&["doc", "elements"]);
                let default = camel(self.noun());
                format!(
                    r#"def {f}(doc, elements):
    """{doc}"""
    {noun}_groups = defaultdict(list)
    for element in elements:
        param = element.get_Parameter(BuiltInParameter.{param})
        key = param.AsString() if param and param.HasValue else "{default}"
        {noun}_groups[key].append(element.Id)
    return {{key: len(ids) for key, ids in sorted({noun}_groups.items())}}
"#
                )
            }
            2 => {
                let doc = self.docstring(&["doc", "element_ids", "value"]);
                let value = format!("{}-{}", self.noun(), self.rng.range(1, 99));
                let pname = camel(self.noun()) + " " + &camel(self.noun());
                format!(
                    r#"def {f}(doc, element_ids, value="{value}"):
    """{doc}"""
    changed = 0
    t = Transaction(doc, "{title}")
    t.Start()
    try:
        for element_id in element_ids:
            element = doc.GetElement(element_id)
            if element is None:
                continue
            param = element.LookupParameter("{pname}")
            if param is not None and not param.IsReadOnly:
                param.Set(value)
                changed += 1
        t.Commit()
    except Exception as exc:
        t.RollBack()
        LOG.warning("{title} failed: %s", exc)
        raise
    return changed
"#
                )
            }
            3 => {
                let doc = self.docstring(&[]);
                let (p, threshold, div) = (self.rng.range(0, 4), self.rng.range(1, 50), self.rng.range(1, 1000));
                format!(
                    r#"def {f}({noun}_feet, precision={p}):
    """{doc}"""
    millimetres = {noun}_feet * FEET_TO_MM
    if millimetres < {threshold}:
        return 0.0
    return round(millimetres / {div}.0, precision)
"#
                )
            }
            4 => {
                let c = self.class();
                let doc = self.docstring(&[]);
                let b = self.noun();
                let (n, x, p, m) =
                    (self.rng.range(0, 20), self.rng.range(0, 100), self.rng.range(1, 4), self.rng.range(1, 50));
                let adj = self.rng.pick(&["complete", "valid", "large", "stale", "tagged", "placed"]);
                format!(
                    r#"@dataclass
class {c}:
    """{doc}"""

    {noun}_name: str
    {noun}_count: int = {n}
    {b}_ratio: float = {x}.5
    tags: list = field(default_factory=list)

    def to_row(self):
        return [self.{noun}_name, str(self.{noun}_count), "{{:.{p}f}}".format(self.{b}_ratio), ";".join(self.tags)]

    def is_{adj}(self):
        return self.{noun}_count > {m} and self.{b}_ratio >= {x}.0
"#
                )
            }
            5 => {
                let c = self.class();
                let doc = self.docstring(&[]);
                let (m1, m2) = (format!("{}_name", self.verb()), format!("{}_{}s", self.verb(), self.noun()));
                let n = self.rng.range(5, 200);
                format!(
                    r#"class {c}(object):
    """{doc}"""

    def __init__(self, doc, max_{noun}s={n}):
        self.doc = doc
        self.max_{noun}s = max_{noun}s
        self._cache = {{}}

    def {m1}(self, element_id):
        if element_id in self._cache:
            return self._cache[element_id]
        element = self.doc.GetElement(element_id)
        name = element.Name if element is not None else "<{noun}>"
        self._cache[element_id] = name
        return name

    def {m2}(self, element_ids):
        names = [self.{m1}(i) for i in element_ids]
        return sorted(set(names), key=lambda s: (len(s), s.lower()))[: self.max_{noun}s]
"#
                )
            }
            6 => {
                let doc = self.docstring(&["rows", "path"]);
                let cols: Vec<String> =
                    (0..self.rng.range(3, 7)).map(|_| format!("\"{}\"", camel(self.noun()))).collect();
                let cols = cols.join(", ");
                format!(
                    r#"def {f}(rows, path):
    """{doc}"""
    header = [{cols}]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return len(rows)
"#
                )
            }
            7 => {
                let doc = self.docstring(&["elements", "origin"]);
                let tol = self.rng.range(0, 9);
                format!(
                    r#"def {f}(elements, origin=None):
    """{doc}"""
    origin = origin or XYZ(0, 0, 0)
    best, best_distance = None, float("inf")
    for element in elements:
        box = element.get_BoundingBox(None)
        if box is None:
            continue
        centre = (box.Min + box.Max) / 2.0
        distance = centre.DistanceTo(origin)
        if {tol}.0 < distance < best_distance:
            best, best_distance = element, distance
    return best, best_distance
"#
                )
            }
            8 => {
                let doc = self.docstring(&["values"]);
                let pat = self.unique(format!("{}_PATTERN", noun.to_uppercase()));
                let prefix = noun[..noun.len().min(2)].to_uppercase();
                let k = self.rng.range(2, 5);
                format!(
                    r#"{pat} = re.compile(r"^{prefix}-(\d{{{k}}})(?:-([A-Z]{{2}}))?$")


def {f}(values):
    """{doc}"""
    good, bad = [], []
    for value in values:
        match = {pat}.match(value.strip())
        (good if match else bad).append(value)
    if bad:
        LOG.info("%d {noun} values do not match %s", len(bad), {pat}.pattern)
    return good, bad
"#
                )
            }
            9 => {
                let doc = self.docstring(&["doc", "elements"]);
                format!(
                    r#"def {f}(doc, elements):
    """{doc}"""
    values = []
    for element in elements:
        param = element.get_Parameter(BuiltInParameter.{param})
        if param is not None and param.HasValue:
            values.append(param.AsDouble())
    if not values:
        return {{"count": 0}}
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((x - mean) ** 2 for x in values) / len(values))
    return {{"count": len(values), "mean": mean, "spread": spread, "max": max(values)}}
"#
                )
            }
            10 => {
                let doc = self.docstring(&["counts", "title"]);
                let k = self.rng.range(5, 40);
                let instr = self.sentence();
                format!(
                    r#"def {f}(counts, title="{title}"):
    """{doc}"""
    lines = ["{{}}: {{}}".format(name, count) for name, count in sorted(counts.items())]
    if len(lines) > {k}:
        lines = lines[:{k}] + ["... and {{}} more".format(len(lines) - {k})]
    dialog = TaskDialog(title)
    dialog.MainInstruction = "{instr}"
    dialog.MainContent = "\n".join(lines) or "Nothing found."
    return dialog.Show()
"#
                )
            }
            _ => {
                let doc = self.docstring(&["doc", "elements", "start", "step"]);
                let (n, s, w) = (self.rng.range(1, 100), self.rng.range(1, 10), self.rng.range(2, 4));
                let prefix = noun[..noun.len().min(3)].to_uppercase();
                if self.rng.chance(50) {
                    format!(
                        r#"def {f}(doc, elements, start={n}, step={s}):
    """{doc}"""
    number = start
    ordered = sorted(elements, key=lambda e: (e.LevelId.IntegerValue, e.Id.IntegerValue))
    t = Transaction(doc, "{title}")
    t.Start()
    for element in ordered:
        mark = element.get_Parameter(BuiltInParameter.ALL_MODEL_MARK)
        if mark is None or mark.IsReadOnly:
            continue
        mark.Set("{prefix}{{:0{w}d}}".format(number))
        number += step
    t.Commit()
    return (number - start) // step
"#
                    )
                } else {
                    let (k1, k2, s2) = (self.noun(), self.noun(), self.verb());
                    let n1 = self.rng.range(1, 500);
                    format!(
                        r#"def {f}(path, defaults=None):
    """{doc}"""
    settings = dict(defaults or {{"{k1}_limit": {n1}, "{k2}_mode": "{s2}"}})
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            try:
                settings.update(json.load(handle))
            except ValueError:
                LOG.warning("ignoring unreadable settings in %s", path)
    return settings
"#
                    )
                }
            }
        }
    }

    fn module(&mut self, name: &str, description: &str, target: usize) -> String {
        let mut out = self.header(name, description);
        let (entry, first) = self.collector();
        out.push_str("\n\n");
        out.push_str(&first);
        while out.len() < target.saturating_sub(400) {
            out.push_str("\n\n");
            out.push_str(&self.snippet());
        }
        out.push_str(&format!(
            r#"

def main(doc):
    """Entry point of the ribbon button."""
    elements = {entry}(doc)
    LOG.info("%s: %d elements", "{name}", len(elements))
    return len(elements)


if __name__ == "__main__":
    main(__revit__.ActiveUIDocument.Document)
"#
        ));
        out
    }
}

struct Pkg {
    name: String,
    version: String,
    file: PathBuf,
    file_name: String,
    rpyx_bytes: u64,
    source_bytes: usize,
    /// The original's upload metadata (JSON), sent to both servers.
    metadata: String,
}

fn make_package(i: usize, n: usize, source_bytes: usize, gen_dir: &Path, out_dir: &Path) -> Pkg {
    let mut rng = Rng::new(i as u64 + 1);
    let width = n.saturating_sub(1).to_string().len().max(5);
    let noun = rng.pick(NOUNS).replace('_', "-");
    let tool = rng.pick(TOOL_WORDS);
    let name = format!("{noun}-{tool}-{i:0width$}");
    let module = name.replace('-', "_");
    let version = format!("{}.{}.{}", rng.range(0, 3), rng.range(0, 12), rng.range(0, 20));
    let mut py = PyGen { rng: Rng::new(0xABCD_0000 + i as u64), names: Default::default() };
    let summary = format!("{} {}s for {} projects", camel(py.verb()), py.noun(), camel(&noun));
    let description = format!("{} {} {}", py.sentence(), py.sentence(), py.sentence());
    let author = format!("{} Studio", camel(py.noun()));
    let author_email = format!("dev@{}-studio.test", py.noun());
    let license = rng.pick(LICENSES);
    let package_type = rng.pick(PACKAGE_TYPES);
    let impact = rng.pick(&["low", "low", "medium", "high"]);
    let min = 2019 + rng.range(0, 5);
    let max = min + rng.range(1, 4);
    let tested: Vec<String> = (min..=max).map(|y| y.to_string()).collect();
    let keywords = [py.noun(), py.verb(), rng.pick(NOUNS)];
    let categories = [rng.pick(PACKAGE_CATEGORIES)];
    let source = py.module(&name, &description, source_bytes);

    let dir = gen_dir.join(i.to_string());
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let list = |xs: &[&str]| xs.iter().map(|x| seed::toml_str(x)).collect::<Vec<_>>().join(", ");
    let tested_list = tested.iter().map(|y| seed::toml_str(y)).collect::<Vec<_>>().join(", ");
    let manifest = format!(
        "[package]\nname = {}\nversion = {}\ndescription = {}\nsummary = {}\nauthor = {}\nauthor_email = {}\n\
         license = {}\nhomepage_url = {}\nkeywords = [{}]\ncategories = [{}]\n\n\
         [package.revit_compatibility]\nmin_version = \"{min}\"\nmax_version = \"{max}\"\ntested_versions = [{tested_list}]\n\n\
         [package.desktop]\npackage_type = \"{package_type}\"\nperformance_impact = \"{impact}\"\nrequires_admin = false\n\n\
         [package.entry_points]\nmain_command = \"src/{module}.py\"\n",
        seed::toml_str(&name),
        seed::toml_str(&version),
        seed::toml_str(&description),
        seed::toml_str(&summary),
        seed::toml_str(&author),
        seed::toml_str(&author_email),
        seed::toml_str(license),
        seed::toml_str(&format!("https://{}.example.test/{name}", author.to_lowercase().replace(' ', "-"))),
        list(&keywords),
        list(&categories),
    );
    std::fs::write(dir.join("revitpy.toml"), manifest).unwrap();
    std::fs::write(dir.join("src").join(format!("{module}.py")), &source).unwrap();
    let file_name = format!("{name}-{version}.rpyx");
    let file = out_dir.join(&file_name);
    let report = revitpy_rpyx::build(&dir, &file, &revitpy_rpyx::BuildOptions::default())
        .unwrap_or_else(|e| panic!("building {name}: {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    let metadata = serde_json::json!({
        "name": name,
        "version": version,
        "summary": summary,
        "description": description,
        "author": author,
        "author_email": author_email,
        "license": license,
        "package_type": package_type,
        "performance_impact": impact,
        "requires_admin": false,
        "revit_compatibility": {
            "min_version": min.to_string(),
            "max_version": max.to_string(),
            "tested_versions": tested,
        },
    })
    .to_string();
    Pkg { name, version, file, file_name, rpyx_bytes: report.size, source_bytes: source.len(), metadata }
}

// ---------------------------------------------------------------------------
// Processes

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process, killed if the bench panics.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Copies a child's stdout to our stderr, line by line, so its pipe never fills.
fn drain(child: &mut Child, prefix: &'static str, first_line: Option<std::sync::mpsc::Sender<String>>) {
    let out = child.stdout.take().expect("stdout piped");
    std::thread::spawn(move || {
        let mut first_line = first_line;
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if let Some(tx) = first_line.take() {
                let _ = tx.send(line.clone());
            }
            eprintln!("[{prefix}] {line}");
        }
    });
}

/// Our server on `data` (port 0); returns it and its base URL.
fn start_ours(data: &Path) -> (Server, String) {
    let exe = env!("CARGO_BIN_EXE_revitpy-registry");
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("DATA_DIR", data)
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("LOG_LEVEL", std::env::var("PUBLISH_BENCH_LOG_LEVEL").unwrap_or_else(|_| "error".into()))
        // One address publishes hundreds of packages a minute here.
        .env("RATE_LIMIT_UPLOADS", "off");
    for var in
        ["DATABASE_URL", "STORAGE_TYPE", "STORAGE_PATH", "SEARCH_INDEX_PATH", "S3_BUCKET", "CDN_BASE_URL", "REDIS_URL"]
    {
        cmd.env_remove(var);
    }
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("spawn");
    let (tx, rx) = std::sync::mpsc::channel();
    drain(&mut child, "registry", Some(tx));
    let child = Server(child);
    let line = rx.recv_timeout(Duration::from_secs(60)).expect("the server prints its address");
    let addr = line.trim().rsplit("http://").next().unwrap().trim_end_matches('/').to_owned();
    (child, format!("http://{addr}"))
}

fn original_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/original-registry")
}

/// The original on `data` (its `registry_data` inside), through the script.
fn start_original(checkout: &str, data: &Path, reuse: bool) -> (Server, String) {
    let port = free_port();
    let mut cmd = Command::new(original_script());
    cmd.args(["--checkout", checkout, "--port", &port.to_string(), "--data"]).arg(data);
    if reuse {
        cmd.arg("--reuse");
    }
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("spawn");
    drain(&mut child, "original", None);
    (Server(child), format!("http://127.0.0.1:{port}"))
}

/// Polls `path` until it answers 200; fails if the child exits first.
async fn wait_ready(http: &reqwest::Client, base: &str, path: &str, server: &mut Server, timeout: Duration) {
    let child = &mut server.0;
    let start = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}{path}")).send().await
            && r.status() == 200
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server exited before answering {path}: {status}");
        }
        assert!(start.elapsed() < timeout, "no answer from {base}{path} within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn stop(server: &mut Server) {
    let child = &mut server.0;
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn kill_hard(server: &mut Server) {
    let _ = server.0.kill(); // SIGKILL
    let _ = server.0.wait();
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU seconds of a process (`self` for this one).
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else { return 0.0 };
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    if f.len() < 13 {
        return 0.0;
    }
    (f[11] + f[12]) / clock_ticks()
}

fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()
}

// ---------------------------------------------------------------------------
// The measured run

#[derive(Default)]
struct RunResult {
    ok: usize,
    /// Seconds from the start at which each acknowledged upload returned.
    done_at: Vec<f64>,
    /// The disk probe's fdatasync times during the run, ms, sorted.
    sync_ms: Vec<f64>,
    /// Publishes/s of each round.
    round_rates: Vec<f64>,
    errors: usize,
    error_samples: Vec<String>,
    seconds: f64,
    latencies_ms: Vec<f64>,
    server_cpu_s: Option<f64>,
    client_cpu_s: f64,
    peak_rss_kb: Option<u64>,
    searched: usize,
    search_found: usize,
    search_misses: Vec<String>,
    search_seconds: f64,
    scan_status: BTreeMap<String, usize>,
    stats_versions: Option<u64>,
    restart: Option<Checked>,
    failures: Vec<String>,
}

impl RunResult {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.seconds
    }
}

struct Checked {
    versions: u64,
    searched: usize,
    found: usize,
    downloads: usize,
    downloads_same: usize,
}

#[derive(Default)]
struct ClientResult {
    latencies_ms: Vec<f64>,
    done_at: Vec<f64>,
    ok: usize,
    errors: usize,
    error_samples: Vec<String>,
    searched: usize,
    search_found: usize,
    search_misses: Vec<String>,
    search_seconds: f64,
    scan_status: BTreeMap<String, usize>,
}

fn found_in(body: &serde_json::Value, name: &str) -> bool {
    body["results"].as_array().is_some_and(|rs| {
        rs.iter().any(|r| r["name"].as_str() == Some(name) || r["normalized_name"].as_str() == Some(name))
    })
}

async fn search_for(http: &reqwest::Client, base: &str, name: &str) -> Result<bool, String> {
    let r = http
        .get(format!("{base}/api/packages/search"))
        .query(&[("q", name)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let text = r.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("search {name}: {status} {}", truncate(&text)));
    }
    let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(found_in(&body, name))
}

fn truncate(s: &str) -> String {
    let s = s.trim();
    if s.len() > 300 { format!("{}...", &s[..s.floor_char_boundary(300)]) } else { s.to_owned() }
}

/// Uploads `pkgs[range]` to `target` with one task per token, each one
/// request at a time; returns what this block measured.
async fn upload_range(
    target: &Target,
    pkgs: &Arc<Vec<Pkg>>,
    range: std::ops::Range<usize>,
    check_every: usize,
    probe_dir: &Path,
) -> RunResult {
    let (base, tokens) = (target.base.as_str(), &target.tokens);
    let server_pid = target.server.as_ref().map(|s| s.0.id());
    let probe = SyncProbe::start(probe_dir);
    let end = range.end;
    let next = Arc::new(AtomicUsize::new(range.start));
    let cpu_before = server_pid.map(|p| cpu_seconds(&p.to_string()));
    let client_before = cpu_seconds("self");
    let progress = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for token in tokens {
        let (base, token, pkgs, next, progress) =
            (base.to_owned(), token.clone(), pkgs.clone(), next.clone(), progress.clone());
        tasks.push(tokio::spawn(async move {
            // One client, one connection, one request at a time.
            let http =
                reqwest::Client::builder().pool_max_idle_per_host(1).timeout(Duration::from_secs(300)).build().unwrap();
            let mut res = ClientResult::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let pkg = &pkgs[i];
                let bytes = tokio::fs::read(&pkg.file).await.unwrap();
                let part = reqwest::multipart::Part::bytes(bytes)
                    .file_name(pkg.file_name.clone())
                    .mime_str("application/octet-stream")
                    .unwrap();
                let form = reqwest::multipart::Form::new().part("file", part);
                let t = Instant::now();
                let answer = async {
                    let r = http
                        .post(format!("{base}/api/packages/upload"))
                        .query(&[("metadata", pkg.metadata.as_str())])
                        .bearer_auth(&token)
                        .multipart(form)
                        .send()
                        .await?;
                    let status = r.status();
                    Ok::<_, reqwest::Error>((status, r.text().await?))
                }
                .await;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                match answer {
                    Ok((status, text)) if status == 200 => {
                        res.ok += 1;
                        res.latencies_ms.push(ms);
                        res.done_at.push(start.elapsed().as_secs_f64());
                        let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                        let scan = body["security_scan_status"].as_str().unwrap_or("(not reported)").to_owned();
                        *res.scan_status.entry(scan).or_default() += 1;
                        if i.is_multiple_of(check_every) {
                            let t = Instant::now();
                            res.searched += 1;
                            match search_for(&http, &base, &pkg.name).await {
                                Ok(true) => res.search_found += 1,
                                Ok(false) => {
                                    res.search_misses.push(format!("{} not found right after its 200", pkg.name))
                                }
                                Err(e) => res.search_misses.push(e),
                            }
                            res.search_seconds += t.elapsed().as_secs_f64();
                        }
                    }
                    Ok((status, text)) => {
                        res.errors += 1;
                        if res.error_samples.len() < 10 {
                            res.error_samples.push(format!("{}: {status} {}", pkg.file_name, truncate(&text)));
                        }
                    }
                    Err(e) => {
                        res.errors += 1;
                        if res.error_samples.len() < 10 {
                            res.error_samples.push(format!("{}: {e}", pkg.file_name));
                        }
                    }
                }
                progress.fetch_add(1, Ordering::Relaxed);
            }
            res
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.push(t.await.unwrap());
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut r = RunResult {
        seconds,
        server_cpu_s: server_pid.zip(cpu_before).map(|(p, b)| cpu_seconds(&p.to_string()) - b),
        client_cpu_s: cpu_seconds("self") - client_before,
        peak_rss_kb: server_pid.and_then(|p| status_kb(p, "VmHWM:")),
        ..RunResult::default()
    };
    for c in all {
        r.ok += c.ok;
        r.errors += c.errors;
        r.error_samples.extend(c.error_samples);
        r.latencies_ms.extend(c.latencies_ms);
        r.done_at.extend(c.done_at);
        r.searched += c.searched;
        r.search_found += c.search_found;
        r.search_misses.extend(c.search_misses);
        r.search_seconds += c.search_seconds;
        for (k, v) in c.scan_status {
            *r.scan_status.entry(k).or_default() += v;
        }
    }
    r.done_at.sort_by(|a, b| a.partial_cmp(b).unwrap());
    r.sync_ms = probe.finish();
    r
}

impl RunResult {
    /// Adds a block's figures; its times continue after this one's.
    fn add(&mut self, b: RunResult) {
        let offset = self.seconds;
        self.round_rates.push(b.per_second());
        self.ok += b.ok;
        self.errors += b.errors;
        let room = 10usize.saturating_sub(self.error_samples.len());
        self.error_samples.extend(b.error_samples.into_iter().take(room));
        self.seconds += b.seconds;
        self.latencies_ms.extend(b.latencies_ms);
        self.done_at.extend(b.done_at.iter().map(|t| t + offset));
        self.sync_ms.extend(b.sync_ms);
        self.server_cpu_s = match (self.server_cpu_s, b.server_cpu_s) {
            (Some(a), Some(c)) => Some(a + c),
            (a, c) => a.or(c),
        };
        self.client_cpu_s += b.client_cpu_s;
        self.peak_rss_kb = self.peak_rss_kb.max(b.peak_rss_kb);
        self.searched += b.searched;
        self.search_found += b.search_found;
        self.search_misses.extend(b.search_misses);
        self.search_seconds += b.search_seconds;
        for (k, v) in b.scan_status {
            *self.scan_status.entry(k).or_default() += v;
        }
    }

    /// Sorts the samples and records what failed during the uploads.
    fn close(&mut self) {
        self.latencies_ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        self.sync_ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        if self.errors > 0 {
            self.failures.push(format!("{} uploads were not answered 200", self.errors));
        }
        if self.search_found < self.searched {
            self.failures.push(format!(
                "{} of {} sampled packages were not found by search right after their 200",
                self.searched - self.search_found,
                self.searched
            ));
        }
    }
}

async fn total_versions(http: &reqwest::Client, base: &str) -> Result<u64, String> {
    let r = http.get(format!("{base}/api/stats")).send().await.map_err(|e| e.to_string())?;
    let status = r.status();
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("/api/stats: {status} {body}"));
    }
    body["total_versions"].as_u64().ok_or_else(|| format!("/api/stats has no total_versions: {body}"))
}

/// After a restart: the count, then search and download of the sample.
async fn check_after_restart(
    http: &reqwest::Client,
    base: &str,
    pkgs: &[Pkg],
    check_every: usize,
    failures: &mut Vec<String>,
) -> Checked {
    let versions = total_versions(http, base).await.unwrap_or_else(|e| {
        failures.push(format!("after restart: {e}"));
        0
    });
    let mut c = Checked { versions, searched: 0, found: 0, downloads: 0, downloads_same: 0 };
    for pkg in pkgs.iter().step_by(check_every) {
        c.searched += 1;
        match search_for(http, base, &pkg.name).await {
            Ok(true) => c.found += 1,
            Ok(false) => failures.push(format!("after restart: {} not found by search", pkg.name)),
            Err(e) => failures.push(format!("after restart: {e}")),
        }
        c.downloads += 1;
        let url = format!("{base}/api/packages/{}/{}/download", pkg.name, pkg.version);
        let got = match http.get(&url).send().await {
            Ok(r) if r.status() == 200 => r.bytes().await.ok(),
            Ok(r) => {
                failures.push(format!("after restart: {url}: {}", r.status()));
                None
            }
            Err(e) => {
                failures.push(format!("after restart: {url}: {e}"));
                None
            }
        };
        if let Some(got) = got {
            let want = std::fs::read(&pkg.file).unwrap();
            if Sha256::digest(&got) == Sha256::digest(&want) {
                c.downloads_same += 1;
            } else {
                failures.push(format!("after restart: {url} differs from the uploaded file"));
            }
        }
    }
    c
}

async fn make_tokens(http: &reqwest::Client, base: &str, clients: usize, as_admin: bool) -> Vec<String> {
    if as_admin {
        return vec![ADMIN_TOKEN.to_owned(); clients];
    }
    let mut tokens = Vec::new();
    for c in 1..=clients {
        let r = http
            .post(format!("{base}/api/tokens"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&serde_json::json!({"user": format!("bench-publisher-{c}"), "scope": "publish", "label": "publish bench"}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(status, 201, "token creation: {body}");
        tokens.push(body["token"].as_str().expect("token in the answer").to_owned());
    }
    tokens
}

enum Kind {
    Ours,
    /// A checkout, started with scripts/original-registry.
    Original(String),
    /// An original already running at `base`.
    External,
}

/// A registry under test: its process (if the bench started it), where it
/// answers, the tokens its clients send, and what was measured so far.
struct Target {
    label: &'static str,
    kind: Kind,
    server: Option<Server>,
    base: String,
    data: PathBuf,
    tokens: Vec<String>,
    result: RunResult,
}

fn start_target_ours(cfg: &Config, work: &Path, http: &reqwest::Client, rt: &tokio::runtime::Runtime) -> Target {
    let data = work.join("ours");
    let (mut server, base) = start_ours(&data);
    eprintln!("== this registry at {base}, data in {}", data.display());
    rt.block_on(wait_ready(http, &base, "/health", &mut server, Duration::from_secs(60)));
    let tokens = rt.block_on(make_tokens(http, &base, cfg.clients, cfg.as_admin));
    Target {
        label: "this registry",
        kind: Kind::Ours,
        server: Some(server),
        base,
        data,
        tokens,
        result: RunResult::default(),
    }
}

fn start_target_original(
    spec: &str,
    cfg: &Config,
    work: &Path,
    http: &reqwest::Client,
    rt: &tokio::runtime::Runtime,
) -> Target {
    // The original has no authentication; the header is sent anyway, as to ours.
    let tokens = vec!["unused-by-the-original".to_owned(); cfg.clients];
    if spec.starts_with("http://") || spec.starts_with("https://") {
        let base = spec.trim_end_matches('/').to_owned();
        eprintln!("== original registry at {base} (already running)");
        let before = rt.block_on(total_versions(http, &base)).expect("the original answers /api/stats");
        assert_eq!(before, 0, "the original at {base} is not empty; start it on a fresh database");
        return Target {
            label: "original",
            kind: Kind::External,
            server: None,
            base,
            data: PathBuf::new(),
            tokens,
            result: RunResult::default(),
        };
    }
    let setup = Command::new(original_script())
        .args(["--checkout", spec, "--setup-only"])
        .stdout(Stdio::null())
        .status()
        .expect("run scripts/original-registry");
    assert!(setup.success(), "scripts/original-registry --setup-only failed");
    let data = work.join("original");
    let (mut server, base) = start_original(spec, &data, false);
    eprintln!("== original registry at {base}, data in {}", data.display());
    rt.block_on(wait_ready(http, &base, "/api/stats", &mut server, Duration::from_secs(120)));
    Target {
        label: "original",
        kind: Kind::Original(spec.to_owned()),
        server: Some(server),
        base,
        data,
        tokens,
        result: RunResult::default(),
    }
}

/// After the uploads: the count; then SIGKILL, a restart on the same data,
/// and the count, searches and downloads again.
fn verify(t: &mut Target, pkgs: &[Pkg], cfg: &Config, http: &reqwest::Client, rt: &tokio::runtime::Runtime) {
    let n = pkgs.len();
    let r = &mut t.result;
    match rt.block_on(total_versions(http, &t.base)) {
        Ok(v) => {
            r.stats_versions = Some(v);
            if v != r.ok as u64 || v != n as u64 {
                r.failures.push(format!("/api/stats counts {v} versions after {} acknowledged uploads of {n}", r.ok));
            }
        }
        Err(e) => r.failures.push(e),
    }
    let Some(mut server) = t.server.take() else { return };
    kill_hard(&mut server);
    let (mut again, base, ready) = match &t.kind {
        Kind::Ours => {
            let (s, b) = start_ours(&t.data);
            (s, b, "/health")
        }
        Kind::Original(spec) => {
            let (s, b) = start_original(spec, &t.data, true);
            (s, b, "/api/stats")
        }
        Kind::External => unreachable!("the bench did not start it"),
    };
    rt.block_on(wait_ready(http, &base, ready, &mut again, Duration::from_secs(120)));
    let c = rt.block_on(check_after_restart(http, &base, pkgs, cfg.check_every, &mut r.failures));
    if c.versions != r.ok as u64 || c.versions != n as u64 {
        r.failures.push(format!(
            "after SIGKILL and restart, /api/stats counts {} versions of {} acknowledged",
            c.versions, r.ok
        ));
    }
    r.restart = Some(c);
    stop(&mut again);
}

// ---------------------------------------------------------------------------
// Report

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn command_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn filesystem_of(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut best: Option<(usize, String)> = None;
    for line in mounts.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            continue;
        }
        if path.starts_with(f[1]) && best.as_ref().is_none_or(|(len, _)| f[1].len() > *len) {
            best = Some((f[1].len(), format!("{} ({} on {})", f[2], f[0], f[1])));
        }
    }
    best.map(|(_, s)| s).unwrap_or_else(|| "unknown".into())
}

/// How the original ran: the script's virtualenv and what is in it.
fn original_description(spec: &str) -> String {
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return format!("already running at {spec} (not started by the bench)");
    }
    let venv = std::env::var("ORIGINAL_VENV").map(PathBuf::from).unwrap_or_else(|_| {
        Path::new(&std::env::var("HOME").unwrap_or_default()).join(".cache/revitpy-registry/original-venv")
    });
    let installed = std::fs::read_to_string(venv.join("installed.txt")).unwrap_or_default();
    let version = |name: &str| {
        installed
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix("==")))
            .unwrap_or("?")
            .to_owned()
    };
    format!(
        "`revitpy_package_manager.registry.desktop_registry:app` (SQLite, no authentication) started by \
         scripts/original-registry: {}, uvicorn {} ({} worker, uvloop {}, httptools {}, no access log unless \
         ORIGINAL_ACCESS_LOG=1), fastapi {}, starlette {}, python-multipart {}",
        command_line(&venv.join("bin/python").to_string_lossy(), &["--version"]),
        version("uvicorn"),
        std::env::var("ORIGINAL_WORKERS").unwrap_or_else(|_| "1".into()),
        version("uvloop"),
        version("httptools"),
        version("fastapi"),
        version("starlette"),
        version("python-multipart"),
    )
}

/// Samples the disk while a run goes: every 500 ms, a 4 KB write and
/// fdatasync in the work folder (the data folders' file system), timed.
/// What one durable step costs there at that moment, since other work on
/// the machine moves it.
struct SyncProbe {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<f64>>,
}

impl SyncProbe {
    fn start(dir: &Path) -> SyncProbe {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let path = dir.join("sync-probe");
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut file = std::fs::File::create(&path).unwrap();
            let block = [7u8; 4096];
            let mut times = Vec::new();
            while !stopping.load(Ordering::Relaxed) {
                let t = Instant::now();
                file.write_all(&block).unwrap();
                file.sync_data().unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                std::thread::sleep(Duration::from_millis(500));
            }
            drop(file);
            let _ = std::fs::remove_file(&path);
            times
        });
        SyncProbe { stop, thread }
    }

    /// The times, sorted.
    fn finish(self) -> Vec<f64> {
        self.stop.store(true, Ordering::Relaxed);
        let mut times = self.thread.join().unwrap();
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        times
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().next().unwrap_or("?").to_owned()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    format!(
        "{} cores (`nproc`), {} ({}), {:.1} GiB",
        command_line("nproc", &[]),
        command_line("uname", &["-srm"]),
        cpu,
        mem_kb as f64 / 1024.0 / 1024.0
    )
}

fn cell_rate(r: &RunResult) -> String {
    format!("{:.1}", r.per_second())
}

fn cell_fifths(r: &RunResult) -> String {
    let t = &r.done_at;
    if t.len() < 5 {
        return String::new();
    }
    let mut out = Vec::new();
    let mut prev = (0usize, 0.0f64);
    for k in 1..=5 {
        let end = t.len() * k / 5;
        let at = t[end - 1];
        out.push(format!("{:.0}", (end - prev.0) as f64 / (at - prev.1).max(1e-9)));
        prev = (end, at);
    }
    out.join(", ")
}

fn cell_sync(r: &RunResult) -> String {
    if r.sync_ms.is_empty() {
        return String::new();
    }
    format!("{:.2} / {:.2} ms", pct(&r.sync_ms, 0.5), pct(&r.sync_ms, 0.9))
}

fn cell_latency(r: &RunResult) -> String {
    let l = &r.latencies_ms;
    format!("{:.1} / {:.1} / {:.1} ms", pct(l, 0.5), pct(l, 0.99), l.last().copied().unwrap_or(f64::NAN))
}

fn cell_cpu(r: &RunResult) -> String {
    match r.server_cpu_s {
        Some(s) if r.ok > 0 => {
            format!("{:.1} ms ({:.0}% of one core)", s * 1000.0 / r.ok as f64, s / r.seconds * 100.0)
        }
        _ => "not measured".into(),
    }
}

fn cell_restart(r: &RunResult) -> String {
    match &r.restart {
        Some(c) => format!(
            "{} versions; {}/{} found; {}/{} downloads identical",
            seed::thousands(c.versions),
            c.found,
            c.searched,
            c.downloads_same,
            c.downloads
        ),
        None => "not checked (not started by the bench)".into(),
    }
}

fn main() {
    let cfg = Config::from_env();
    let n = cfg.packages;
    println!();
    println!("################################################################");
    println!(
        "#  publish bench: N = {} packages (PUBLISH_BENCH_PACKAGES), {} clients",
        seed::thousands(n as u64),
        cfg.clients
    );
    match &cfg.original {
        Some(o) => println!("#  original registry: {o}"),
        None => println!("#  original registry: NOT MEASURED (set ORIGINAL_REGISTRY to a checkout)"),
    }
    println!("################################################################");
    std::io::stdout().flush().unwrap();

    let work = tempfile::Builder::new().prefix("publish-bench").tempdir().unwrap();
    let gen_dir = work.path().join("gen");
    let out_dir = work.path().join("packages");
    std::fs::create_dir_all(&gen_dir).unwrap();
    std::fs::create_dir_all(&out_dir).unwrap();

    // 1. Generate (not counted).
    let generated = Instant::now();
    let made = AtomicUsize::new(0);
    let pkgs: Vec<Pkg> = (0..n)
        .into_par_iter()
        .map(|i| {
            let p = make_package(i, n, cfg.source_bytes, &gen_dir, &out_dir);
            let done = made.fetch_add(1, Ordering::Relaxed) + 1;
            if done.is_multiple_of(2000) {
                eprintln!("  {done} packages generated");
            }
            p
        })
        .collect();
    let gen_seconds = generated.elapsed().as_secs_f64();
    let pkgs = Arc::new(pkgs);
    let rpyx: Vec<u64> = pkgs.iter().map(|p| p.rpyx_bytes).collect();
    let src: Vec<usize> = pkgs.iter().map(|p| p.source_bytes).collect();
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let rpyx_f: Vec<f64> = rpyx.iter().map(|&x| x as f64).collect();
    let src_f: Vec<f64> = src.iter().map(|&x| x as f64).collect();
    let data_line = format!(
        "{} generated packages, each a revitpy.toml and one Python file of {:.1} KB (mean; {:.1} to {:.1}); \
         .rpyx {:.1} KB mean ({:.1} to {:.1}); generated in {:.1} s on {} threads (not counted)",
        seed::thousands(n as u64),
        mean(&src_f) / 1000.0,
        *src.iter().min().unwrap() as f64 / 1000.0,
        *src.iter().max().unwrap() as f64 / 1000.0,
        mean(&rpyx_f) / 1000.0,
        *rpyx.iter().min().unwrap() as f64 / 1000.0,
        *rpyx.iter().max().unwrap() as f64 / 1000.0,
        gen_seconds,
        rayon::current_num_threads(),
    );
    eprintln!("{data_line}");

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    // 2. Start the registries on fresh folders.
    let http = reqwest::Client::new();
    let mut targets = vec![start_target_ours(&cfg, work.path(), &http, &rt)];
    if let Some(spec) = &cfg.original {
        targets.push(start_target_original(spec, &cfg, work.path(), &http, &rt));
    }

    // 3. Upload: the same packages in the same order to each, in rounds that
    // alternate which registry goes first, so both meet the same machine.
    let rounds = cfg.rounds;
    let mut loads = vec![loadavg()];
    for round in 0..rounds {
        let range = n * round / rounds..n * (round + 1) / rounds;
        let mut order: Vec<usize> = (0..targets.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for k in order {
            let block = rt.block_on(upload_range(&targets[k], &pkgs, range.clone(), cfg.check_every, work.path()));
            eprintln!(
                "round {}/{rounds}: {} published {} in {:.1} s = {:.1}/s",
                round + 1,
                targets[k].label,
                block.ok,
                block.seconds,
                block.per_second()
            );
            targets[k].result.add(block);
        }
        loads.push(loadavg());
    }

    // 4. Every acknowledged version is there, also after SIGKILL and restart.
    for t in &mut targets {
        t.result.close();
        verify(t, &pkgs, &cfg, &http, &rt);
    }
    let mut results = targets.into_iter().map(|t| t.result);
    let ours = results.next().unwrap();
    let original = results.next();

    // 5. Report.
    let settings: Vec<String> = [
        "PUBLISH_BENCH_SOURCE_BYTES",
        "PUBLISH_BENCH_CLIENTS",
        "PUBLISH_BENCH_CHECK_EVERY",
        "PUBLISH_BENCH_AS_ADMIN",
        "PUBLISH_BENCH_ROUNDS",
        "TMPDIR",
        "SCAN_BLOCK_SEVERITY",
        "SCAN_CONCURRENCY",
        "SCAN_THREADS",
        "SCAN_QUEUE_TIMEOUT",
        "MAX_UPLOAD_MB",
        "ORIGINAL_WORKERS",
        "ORIGINAL_ACCESS_LOG",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}")))
    .collect();
    let commit = command_line("git", &["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short", "HEAD"]);
    let dirty =
        !command_line("git", &["-C", env!("CARGO_MANIFEST_DIR"), "status", "--porcelain", "--untracked-files=no"])
            .is_empty();
    println!();
    println!("### Publish throughput, {} clients (issue 18)", cfg.clients);
    println!();
    println!(
        "Command: `PUBLISH_BENCH_PACKAGES={n}{}{} cargo bench -p revitpy-registry --bench publish`",
        if cfg.original.is_some() { " ORIGINAL_REGISTRY=<checkout of the original>" } else { "" },
        settings.iter().map(|s| format!(" {s}")).collect::<String>()
    );
    println!(
        "Date: {}. Machine: {}. Tree: {commit}{}. Data folders on {}.",
        command_line("date", &["-u", "+%Y-%m-%d"]),
        machine(),
        if dirty { " with local changes" } else { "" },
        filesystem_of(work.path())
    );
    println!("Data: {data_line}.");
    if let Some(spec) = &cfg.original {
        println!("Original: {}.", original_description(spec));
    }
    println!(
        "1-minute load average at the start and after each round: {} (other work on the machine skews the figures).",
        loads.join(", ")
    );
    println!(
        "Clients: {} tasks in the bench process, each one upload at a time on its own keep-alive connection \
         (multipart field `file`, the original's metadata JSON as `?metadata=`); {}. \
         Every {}th package is searched for by name right after its 200 (inside the timed phase). {}",
        cfg.clients,
        if cfg.as_admin {
            "our registry with ADMIN_TOKEN"
        } else {
            "our registry with one publish-scope token per client"
        },
        cfg.check_every,
        if original.is_some() {
            format!(
                "Both registries run throughout; the packages go to each in {} rounds of about {}, \
                 alternating which registry goes first (PUBLISH_BENCH_ROUNDS); times are each registry's own.",
                cfg.rounds,
                seed::thousands((n / cfg.rounds) as u64)
            )
        } else {
            String::new()
        }
    );
    let orig_label = match &original {
        Some(_) => "original Python registry, same run",
        None => "original (not measured: ORIGINAL_REGISTRY unset)",
    };
    let o = |f: &dyn Fn(&RunResult) -> String| original.as_ref().map(f).unwrap_or_else(|| "".into());
    println!();
    println!("| figure | goal | this registry | {orig_label} | ratio |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| publishes/s, {} clients | ≥ 200 | {} | {} | {} |",
        cfg.clients,
        cell_rate(&ours),
        o(&cell_rate),
        original.as_ref().map(|x| format!("{:.2}", ours.per_second() / x.per_second())).unwrap_or_default()
    );
    println!("| upload time (wall) | | {:.1} s | {} | |", ours.seconds, o(&|r| format!("{:.1} s", r.seconds)));
    if cfg.rounds > 1 {
        let rates = |r: &RunResult| r.round_rates.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", ");
        let ratios: Vec<f64> = original
            .as_ref()
            .map(|o| ours.round_rates.iter().zip(&o.round_rates).map(|(a, b)| a / b).collect())
            .unwrap_or_default();
        println!(
            "| publishes/s in each round ({} rounds of about {}) | | {} | {} | {} |",
            cfg.rounds,
            seed::thousands((n / cfg.rounds) as u64),
            rates(&ours),
            o(&rates),
            if ratios.is_empty() {
                String::new()
            } else {
                format!(
                    "{:.2} to {:.2} by round",
                    ratios.iter().copied().fold(f64::INFINITY, f64::min),
                    ratios.iter().copied().fold(0.0, f64::max)
                )
            }
        );
    } else {
        println!("| publishes/s by fifth of the run | | {} | {} | |", cell_fifths(&ours), o(&cell_fifths));
    }
    println!("| latency p50 / p99 / max | | {} | {} | |", cell_latency(&ours), o(&cell_latency));
    println!("| server CPU per publish | | {} | {} | |", cell_cpu(&ours), o(&cell_cpu));
    println!(
        "| bench process CPU per publish (clients) | | {:.2} ms | {} | |",
        ours.client_cpu_s * 1000.0 / ours.ok.max(1) as f64,
        o(&|r| format!("{:.2} ms", r.client_cpu_s * 1000.0 / r.ok.max(1) as f64))
    );
    println!("| errors (non-200) | 0 | {} | {} | |", ours.errors, o(&|r| r.errors.to_string()));
    println!(
        "| `/api/stats` total_versions after the run | {} | {} | {} | |",
        seed::thousands(n as u64),
        ours.stats_versions.map(seed::thousands).unwrap_or_else(|| "?".into()),
        o(&|r| r.stats_versions.map(seed::thousands).unwrap_or_else(|| "?".into()))
    );
    println!(
        "| every {}th found by search right after its 200 | all | {}/{} ({:.0} ms total) | {} | |",
        cfg.check_every,
        ours.search_found,
        ours.searched,
        ours.search_seconds * 1000.0,
        o(&|r| format!("{}/{} ({:.0} ms total)", r.search_found, r.searched, r.search_seconds * 1000.0))
    );
    println!("| after SIGKILL and restart | all | {} | {} | |", cell_restart(&ours), o(&cell_restart));
    println!(
        "| server peak RSS | | {} | {} | |",
        ours.peak_rss_kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0)).unwrap_or_default(),
        o(&|r| r.peak_rss_kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0)).unwrap_or_default())
    );
    println!(
        "| disk probe beside the server (4 KB write + fdatasync every 0.5 s; includes the server's own I/O), p50 / p90 | | {} | {} | |",
        cell_sync(&ours),
        o(&cell_sync)
    );
    let scans = |r: &RunResult| {
        r.scan_status.iter().map(|(k, v)| format!("{k} {}", seed::thousands(*v as u64))).collect::<Vec<_>>().join(", ")
    };
    println!("| security scan status of the uploads | | {} | {} | |", scans(&ours), o(&|_| "none (no scan)".into()));
    if original.is_none() {
        println!();
        println!(
            "The original was not measured (set ORIGINAL_REGISTRY to a checkout of it; see scripts/original-registry)."
        );
    }

    let mut failed = false;
    for (label, r) in std::iter::once(("this registry", &ours)).chain(original.iter().map(|r| ("original", r))) {
        for e in &r.error_samples {
            eprintln!("{label}: upload error: {e}");
        }
        for m in r.search_misses.iter().take(10) {
            eprintln!("{label}: {m}");
        }
        for f in &r.failures {
            eprintln!("{label}: FAILED: {f}");
            failed = true;
        }
    }
    if std::env::var("PUBLISH_BENCH_KEEP").is_ok_and(|v| v == "1") {
        eprintln!("kept the work folder {}", work.keep().display());
    } else {
        drop(work);
    }
    if failed {
        std::process::exit(1);
    }
}
