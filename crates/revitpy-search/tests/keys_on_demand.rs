//! The client opens the index with keys read on demand; every answer must
//! be the one the server's open (keys copied) gives, on the same folder.

use revitpy_search::testdata::{generated_docs, generated_queries};
use revitpy_search::{SearchIndex, SearchQuery};

#[test]
fn keys_on_demand_answer_as_copied_keys_do() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    index.rebuild(generated_docs(3_000, 5), 1).unwrap();
    // A second segment, with a name that sorts before and after the rest.
    index.apply(&generated_docs(40, 99), &["nope".to_owned()], 2).unwrap();
    drop(index);
    let copied = SearchIndex::open_or_create(dir.path()).unwrap();
    let on_demand = SearchIndex::open_or_create_for_few_queries(dir.path()).unwrap();
    let mut texts: Vec<(String, Option<u16>)> = generated_queries(150, 3);
    for prefix in ["a", "w", "z", "", "*", "wall-", "zzzz", "\u{10ffff}"] {
        texts.push((prefix.to_owned(), None));
    }
    for (text, year) in &texts {
        for offset in [0, 15] {
            let q = SearchQuery { text, revit_year: *year, package_type: None, limit: 20, offset };
            let (a, b) = (copied.search(&q).unwrap(), on_demand.search(&q).unwrap());
            assert_eq!(a.total, b.total, "{text:?}");
            let names =
                |p: &revitpy_search::SearchPage| p.hits.iter().map(|h| h.normalized_name.clone()).collect::<Vec<_>>();
            assert_eq!(names(&a), names(&b), "{text:?} {year:?} offset {offset}");
        }
    }
}
