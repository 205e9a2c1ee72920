#![allow(dead_code)] // each test binary uses a different part

use revitpy_search::{SearchDoc, SearchIndex, SearchQuery};

/// A doc with only a name; the rest filled in by the test.
pub fn doc(normalized_name: &str) -> SearchDoc {
    SearchDoc {
        normalized_name: normalized_name.to_owned(),
        name: normalized_name.to_owned(),
        package_type: "addon".to_owned(),
        ..SearchDoc::default()
    }
}

pub fn index_of(docs: Vec<SearchDoc>) -> SearchIndex {
    let index = SearchIndex::in_memory().expect("in-memory index");
    index.rebuild(docs, 1).expect("rebuild");
    index
}

pub fn query(text: &str) -> SearchQuery<'_> {
    SearchQuery { text, revit_year: None, package_type: None, limit: 10_000, offset: 0 }
}

/// The names of all hits, in order.
pub fn names(index: &SearchIndex, q: &SearchQuery<'_>) -> Vec<String> {
    index
        .search(q)
        .unwrap_or_else(|e| panic!("search {q:?}: {e}"))
        .hits
        .into_iter()
        .map(|h| h.normalized_name)
        .collect()
}

pub fn find(index: &SearchIndex, text: &str) -> Vec<String> {
    names(index, &query(text))
}
