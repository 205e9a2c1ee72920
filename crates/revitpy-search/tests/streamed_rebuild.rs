//! A rebuild fed document by document ends as `rebuild` does: a key added
//! again replaces the first, a removed one is gone, and a rebuild dropped
//! before its commit leaves the index as it was.

use revitpy_search::testdata::generated_docs;
use revitpy_search::{SearchIndex, SearchQuery};

fn names(index: &SearchIndex) -> Vec<String> {
    let q = SearchQuery { text: "*", revit_year: None, package_type: None, limit: 100, offset: 0 };
    let mut n: Vec<String> = index.search(&q).unwrap().hits.into_iter().map(|h| h.normalized_name).collect();
    n.sort();
    n
}

#[test]
fn a_streamed_rebuild_replaces_removes_and_discards_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    let docs = generated_docs(30, 1);
    index.rebuild(docs.clone(), 1).unwrap();
    let before = names(&index);
    assert_eq!(before.len(), 30);

    // Dropped before its commit: nothing changes.
    let mut r = index.begin_rebuild().unwrap();
    r.add(&docs[0]).unwrap();
    drop(r);
    assert_eq!(names(&index), before);
    assert_eq!(index.indexed_serial(), Some(1));

    // Ten docs, one added twice (with a new summary), one removed.
    let mut r = index.begin_rebuild().unwrap();
    for d in &docs[..10] {
        r.add(d).unwrap();
    }
    let mut again = docs[3].clone();
    again.summary = "replaced".into();
    r.add(&again).unwrap();
    r.remove(&docs[5].normalized_name);
    r.commit(2).unwrap();
    let mut expected: Vec<String> =
        docs[..10].iter().map(|d| d.normalized_name.clone()).filter(|n| n != &docs[5].normalized_name).collect();
    expected.sort();
    assert_eq!(names(&index), expected);
    assert_eq!(index.indexed_serial(), Some(2));
    let q = SearchQuery { text: "replaced", revit_year: None, package_type: None, limit: 10, offset: 0 };
    assert_eq!(index.search(&q).unwrap().hits.len(), 1, "the second add replaced the first");
}
