//! Ranking rules: exact name, prefix, field weights, tolerance, AND, ties.

mod common;

use common::{doc, find, index_of, names, query};
use revitpy_search::SearchDoc;

fn with(mut d: SearchDoc, f: impl FnOnce(&mut SearchDoc)) -> SearchDoc {
    f(&mut d);
    d
}

/// A small registry where "wall" is everywhere.
fn walls() -> Vec<SearchDoc> {
    vec![
        // The exact name, with nothing else going for it.
        with(doc("wall"), |d| {
            d.name = "Wall".into();
            d.summary = "misc".into();
        }),
        with(doc("wall-tools"), |d| {
            d.name = "Wall_Tools".into();
            // As long as wall-tags' text, so that the two tie on "wall".
            d.summary = "utility".into();
            d.downloads = 50;
        }),
        with(doc("wall-tags"), |d| {
            d.summary = "tags".into();
            d.downloads = 900;
        }),
        // Prefix of the key only: its single word "walltools" is not "wall".
        with(doc("walltools"), |d| d.downloads = 1),
        // The best BM25 by far, but not a name match.
        with(doc("smart-wall"), |d| {
            d.keywords = vec!["wall".into(), "walls".into()];
            d.summary = "wall wall wall".into();
            d.description = "wall wall wall wall".into();
            d.downloads = 1_000_000;
        }),
        with(doc("door-helper"), |d| {
            d.description = "works on a wall and a door".into();
            d.downloads = 10;
        }),
        with(doc("sheet-manager"), |d| d.downloads = 5_000),
    ]
}

#[test]
fn exact_name_first_then_prefix_then_relevance() {
    let index = index_of(walls());
    assert_eq!(
        find(&index, "wall"),
        [
            "wall",
            // prefix tier, in BM25 order then downloads: "wall-tags" (900)
            // and "wall-tools" (50) score the same on "wall"; "walltools"
            // matched only by prefix, BM25 0.
            "wall-tags",
            "wall-tools",
            "walltools",
            "smart-wall",
            "door-helper",
        ]
    );
}

#[test]
fn exact_name_first_even_with_fewer_words_matching_elsewhere() {
    let index = index_of(walls());
    assert_eq!(find(&index, "wall-tools")[0], "wall-tools");
    assert_eq!(find(&index, "Wall_Tools")[0], "wall-tools");
}

#[test]
fn trailing_separator_is_a_prefix_on_the_normalized_name() {
    let index = index_of(walls());
    let hits = find(&index, "wall_");
    // "wall-" is a prefix of wall-tags and wall-tools, not of walltools or
    // wall; the word "wall" still finds the rest.
    assert_eq!(&hits[..2], ["wall-tags", "wall-tools"]);
    assert!(hits.contains(&"wall".to_owned()));
    assert!(!hits.contains(&"walltools".to_owned()));
}

#[test]
fn case_and_separators_do_not_matter() {
    let index = index_of(walls());
    for text in ["wall tools", "WALL_TOOLS", "wall.tools", "Wall  Tools", "wall--__tools", "  wall-tools "] {
        let hits = find(&index, text);
        assert_eq!(hits.first().map(String::as_str), Some("wall-tools"), "{text:?}");
    }
}

#[test]
fn word_order_does_not_matter() {
    let index = index_of(vec![
        with(doc("x-one"), |d| d.summary = "export sheet schedules".into()),
        with(doc("x-two"), |d| d.description = "sheet export".into()),
        with(doc("x-three"), |d| d.description = "sheet only".into()),
    ]);
    let mut a = find(&index, "sheet export");
    let mut b = find(&index, "export sheet");
    assert_eq!(a, b);
    a.sort();
    b.sort();
    assert_eq!(a, ["x-one", "x-two"]);
}

#[test]
fn every_word_must_match_in_some_field() {
    let index = index_of(walls());
    // door-helper has "wall" and "door" in its description; "door" is also
    // in its name. No other doc has "door".
    assert_eq!(find(&index, "wall door"), ["door-helper"]);
    assert_eq!(find(&index, "door wall"), ["door-helper"]);
    // A word that is nowhere empties the result, whatever else matches.
    assert!(find(&index, "wall nonexistentword").is_empty());
}

/// Typical lengths: an 8-word summary, a 30-word description, 3 keywords.
fn filler(name: &str) -> SearchDoc {
    let words = |n: usize, w: &str| vec![w; n].join(" ");
    SearchDoc {
        name: format!("{name} kit"),
        summary: words(8, "summary"),
        description: words(30, "description"),
        keywords: vec!["keyword".into(); 3],
        categories: vec!["Category".into()],
        ..doc(name)
    }
}

/// Puts "gizmo" in place of the first word of a text.
fn plant(text: &mut String) {
    let rest = text.split_once(' ').map_or("", |(_, r)| r).to_owned();
    *text = format!("gizmo {rest}");
}

#[test]
fn field_weights_name_keywords_summary_description() {
    // One mention each, in one field each, all else equal.
    let index = index_of(vec![
        with(filler("zz-description"), |d| plant(&mut d.description)),
        with(filler("zz-summary"), |d| plant(&mut d.summary)),
        with(filler("zz-keywords"), |d| d.keywords[0] = "gizmo".into()),
        with(filler("zz-name"), |d| d.name = "gizmo kit".into()),
        // Categories weigh like keywords.
        with(filler("zz-category"), |d| d.categories = vec!["Gizmo".into()]),
        filler("zz-nothing"),
    ]);
    let hits = find(&index, "gizmo");
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0], "zz-name");
    let pos = |n: &str| hits.iter().position(|h| h == n).unwrap();
    assert!(pos("zz-keywords") < pos("zz-summary"), "{hits:?}");
    assert!(pos("zz-category") < pos("zz-summary"), "{hits:?}");
    assert_eq!(&hits[3..], ["zz-summary", "zz-description"]);
}

#[test]
fn a_name_hit_beats_a_popular_description_hit() {
    let index = index_of(vec![
        with(doc("smart-wall-tools"), |d| d.downloads = 1),
        with(doc("door-helper"), |d| {
            d.description = "wall wall wall".into();
            d.downloads = 1_000_000;
        }),
    ]);
    assert_eq!(find(&index, "wall"), ["smart-wall-tools", "door-helper"]);
}

#[test]
fn stemming_finds_plurals_both_ways() {
    let index = index_of(walls());
    assert!(find(&index, "walls").contains(&"wall-tools".to_owned()));
    let index = index_of(vec![with(doc("sheet-sets"), |d| d.summary = "Manage sheets".into())]);
    assert_eq!(find(&index, "sheet"), ["sheet-sets"]);
    assert_eq!(find(&index, "managing sheets"), ["sheet-sets"]);
}

#[test]
fn equal_scores_tie_break_on_downloads_then_name() {
    let index = index_of(vec![
        with(doc("bravo-gizmo"), |d| d.downloads = 10),
        with(doc("alpha-gizmo"), |d| d.downloads = 10),
        with(doc("delta-gizmo"), |d| d.downloads = 99),
        with(doc("charlie-gizmo"), |d| d.downloads = 0),
    ]);
    let page = index.search(&query("gizmo")).unwrap();
    let scores: Vec<f32> = page.hits.iter().map(|h| h.score).collect();
    assert!(scores.iter().all(|s| *s == scores[0] && *s > 0.0), "{scores:?}");
    assert_eq!(names(&index, &query("gizmo")), ["delta-gizmo", "alpha-gizmo", "bravo-gizmo", "charlie-gizmo"]);
}

#[test]
fn ranking_is_the_same_across_segments() {
    // One doc per commit: each lands in its own segment, so ties and tiers
    // are merged across segments.
    let docs = walls();
    let single = index_of(docs.clone());
    let spread = revitpy_search::SearchIndex::in_memory().unwrap();
    for (i, d) in docs.into_iter().enumerate() {
        spread.apply(&[d], &[], i as i64).unwrap();
    }
    for text in ["wall", "wall door", "*", "wall_", "tags", "w"] {
        assert_eq!(find(&single, text), find(&spread, text), "{text:?}");
    }
}
