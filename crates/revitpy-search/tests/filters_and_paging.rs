//! Revit-year and package-type filters, listings, paging and totals.

mod common;

use common::{doc, find, index_of, names, query};
use revitpy_search::{SearchDoc, SearchQuery};

fn ranged(name: &str, min: Option<u16>, max: Option<u16>, downloads: u64) -> SearchDoc {
    SearchDoc { summary: "gizmo".into(), min_revit: min, max_revit: max, downloads, ..doc(name) }
}

fn years() -> Vec<SearchDoc> {
    vec![
        ranged("open-both", None, None, 1),
        ranged("from-2025", Some(2025), None, 2),
        ranged("until-2024", None, Some(2024), 3),
        ranged("r2020-2024", Some(2020), Some(2024), 4),
        ranged("only-2024", Some(2024), Some(2024), 5),
        ranged("from-2100", Some(2100), None, 6),
        ranged("until-2099", None, Some(2099), 7),
        ranged("from-2019", Some(2019), None, 8),
    ]
}

fn with_year(text: &str, year: u16) -> SearchQuery<'_> {
    SearchQuery { revit_year: Some(year), ..query(text) }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn revit_year_keeps_docs_whose_range_contains_it_with_open_ends() {
    let index = index_of(years());
    assert_eq!(
        sorted(names(&index, &with_year("gizmo", 2024))),
        ["from-2019", "only-2024", "open-both", "r2020-2024", "until-2024", "until-2099"]
    );
    assert_eq!(sorted(names(&index, &with_year("gizmo", 2025))), ["from-2019", "from-2025", "open-both", "until-2099"]);
    // Numeric, not lexical: "999" > "2019" as text, but 999 < 2019.
    assert_eq!(sorted(names(&index, &with_year("gizmo", 999))), ["open-both", "until-2024", "until-2099"]);
    assert_eq!(sorted(names(&index, &with_year("gizmo", 2100))), ["from-2019", "from-2025", "from-2100", "open-both"]);
    assert_eq!(sorted(names(&index, &with_year("*", 2099))), ["from-2019", "from-2025", "open-both", "until-2099"]);
}

#[test]
fn filters_never_change_the_order() {
    let mut docs = revitpy_search::testdata::generated_docs(3_000, 11);
    // An exact match for "wall" (the generated one replaced), many
    // prefix matches among the rest.
    docs.retain(|d| d.normalized_name != "wall");
    docs.push(SearchDoc { min_revit: Some(2024), ..doc("wall") });
    let index = index_of(docs.clone());
    let by_name: std::collections::HashMap<&str, &SearchDoc> =
        docs.iter().map(|d| (d.normalized_name.as_str(), d)).collect();
    for text in ["wall", "sheet export", "*", "door tag", "w"] {
        let all = index.search(&SearchQuery { limit: usize::MAX, ..query(text) }).unwrap();
        assert_eq!(all.total, all.hits.len());
        for (year, kind) in [(Some(2024), None), (None, Some("library")), (Some(2021), Some("addon"))] {
            let q = SearchQuery { revit_year: year, package_type: kind, limit: usize::MAX, ..query(text) };
            let filtered = names(&index, &q);
            let expected: Vec<String> = all
                .hits
                .iter()
                .map(|h| h.normalized_name.clone())
                .filter(|n| {
                    let d = by_name[n.as_str()];
                    year.is_none_or(|y| d.min_revit.is_none_or(|m| m <= y) && d.max_revit.is_none_or(|m| m >= y))
                        && kind.is_none_or(|k| d.package_type == k)
                })
                .collect();
            assert!(!expected.is_empty(), "{text:?} {year:?} {kind:?}");
            if let Some(i) = (0..filtered.len().max(expected.len())).find(|&i| filtered.get(i) != expected.get(i)) {
                panic!(
                    "{text:?} {year:?} {kind:?}: first difference at {i}: got {:?}, expected {:?} ({} vs {} hits)",
                    &filtered[i.saturating_sub(2)..(i + 3).min(filtered.len())],
                    &expected[i.saturating_sub(2)..(i + 3).min(expected.len())],
                    filtered.len(),
                    expected.len()
                );
            }
            assert_eq!(index.search(&q).unwrap().total, expected.len());
        }
    }
}

#[test]
fn package_type_filter() {
    let index = index_of(vec![
        SearchDoc { package_type: "library".into(), downloads: 5, ..doc("gizmo-lib") },
        SearchDoc { package_type: "addon".into(), downloads: 9, ..doc("gizmo-addon") },
        SearchDoc { package_type: "library".into(), downloads: 7, ..doc("gizmo-core") },
    ]);
    let q = |kind| SearchQuery { package_type: Some(kind), ..query("gizmo") };
    assert_eq!(names(&index, &q("library")), ["gizmo-core", "gizmo-lib"]);
    assert_eq!(names(&index, &q("addon")), ["gizmo-addon"]);
    assert!(names(&index, &q("template")).is_empty());
    // Exact match of the stored value, not a text match.
    assert!(names(&index, &q("Library")).is_empty());
    assert_eq!(index.search(&q("library")).unwrap().total, 2);
}

#[test]
fn listing_orders_by_downloads_then_name_and_pages_with_total() {
    let docs: Vec<SearchDoc> = (0..25)
        .map(|i| SearchDoc {
            // Downloads repeat so names break ties.
            downloads: (i % 7) * 10,
            ..doc(&format!("pkg-{i:02}"))
        })
        .collect();
    let index = index_of(docs.clone());
    let mut expected = docs.clone();
    expected.sort_by(|a, b| b.downloads.cmp(&a.downloads).then_with(|| a.normalized_name.cmp(&b.normalized_name)));
    let expected: Vec<String> = expected.into_iter().map(|d| d.normalized_name).collect();

    for text in ["*", "", "   ", " * "] {
        assert_eq!(find(&index, text), expected, "{text:?}");
    }
    let mut paged = Vec::new();
    for offset in (0..30).step_by(10) {
        let page = index.search(&SearchQuery { limit: 10, offset, ..query("*") }).unwrap();
        assert_eq!(page.total, 25);
        assert!(page.hits.iter().all(|h| h.score == 0.0));
        paged.extend(page.hits.into_iter().map(|h| h.normalized_name));
    }
    assert_eq!(paged, expected);

    let zero = index.search(&SearchQuery { limit: 0, ..query("*") }).unwrap();
    assert!(zero.hits.is_empty());
    assert_eq!(zero.total, 25);

    let beyond = index.search(&SearchQuery { offset: 100, ..query("*") }).unwrap();
    assert!(beyond.hits.is_empty());
    assert_eq!(beyond.total, 25);

    let huge = index.search(&SearchQuery { limit: usize::MAX, offset: usize::MAX, ..query("*") }).unwrap();
    assert!(huge.hits.is_empty());
    assert_eq!(huge.total, 25);
}

#[test]
fn text_query_pages_and_total() {
    let docs: Vec<SearchDoc> = (0..40)
        .map(|i| SearchDoc {
            summary: if i % 2 == 0 { "gizmo" } else { "other" }.into(),
            downloads: i,
            ..doc(&format!("pkg-{i:02}"))
        })
        .collect();
    let index = index_of(docs);
    let all = find(&index, "gizmo");
    assert_eq!(all.len(), 20);
    let page = index.search(&SearchQuery { limit: 5, offset: 5, ..query("gizmo") }).unwrap();
    assert_eq!(page.total, 20);
    let page: Vec<String> = page.hits.into_iter().map(|h| h.normalized_name).collect();
    assert_eq!(page, all[5..10]);
}
