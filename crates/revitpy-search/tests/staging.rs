//! `stage` and `refresh`: operations left on the writer, committed by the
//! next search (or refresh, or commit), so that many publishes share one
//! commit and a search after a stage still sees it.

mod common;

use std::sync::Arc;

use common::{doc, find};
use revitpy_search::{SearchDoc, SearchIndex};

fn summarised(name: &str, summary: &str) -> SearchDoc {
    SearchDoc { summary: summary.into(), ..doc(name) }
}

#[test]
fn a_search_after_a_stage_sees_it_and_commits_it() {
    let index = SearchIndex::in_memory().unwrap();
    index.apply(&[summarised("old-gizmo", "gizmo")], &[], 1).unwrap();

    index.stage(&[summarised("wall-gizmo", "gizmo")], &[], 2).unwrap();
    index.stage(&[summarised("door-gizmo", "gizmo")], &["old-gizmo".into()], 3).unwrap();
    assert_eq!(index.indexed_serial(), Some(3), "searches reflect what was staged");
    assert_eq!(index.committed_serial(), Some(1), "nothing committed yet");

    assert_eq!(find(&index, "gizmo"), ["door-gizmo", "wall-gizmo"]);
    assert_eq!(index.committed_serial(), Some(3), "the search committed both stages at once");
    assert_eq!(index.indexed_serial(), Some(3));
    assert_eq!(index.len(), 2);
}

#[test]
fn refresh_commits_and_is_a_no_op_when_nothing_waits() {
    let index = SearchIndex::in_memory().unwrap();
    index.refresh().unwrap();
    assert_eq!(index.committed_serial(), None);
    index.stage(&[summarised("wall-gizmo", "gizmo")], &[], 7).unwrap();
    index.refresh().unwrap();
    assert_eq!(index.committed_serial(), Some(7));
    index.refresh().unwrap();
    assert_eq!(index.committed_serial(), Some(7));
    // `apply` commits what was staged before it, under its own serial.
    index.stage(&[summarised("door-gizmo", "gizmo")], &[], 8).unwrap();
    index.apply(&[summarised("roof-gizmo", "gizmo")], &[], 9).unwrap();
    assert_eq!(index.committed_serial(), Some(9));
    assert_eq!(find(&index, "gizmo"), ["door-gizmo", "roof-gizmo", "wall-gizmo"]);
}

#[test]
fn staged_operations_are_not_on_disk_until_committed() {
    // What a crash before the commit leaves: the last committed serial, from
    // which the registry replays the store's changes.
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 4).unwrap();
        index.stage(&[summarised("door-gizmo", "gizmo")], &[], 5).unwrap();
    }
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(index.indexed_serial(), Some(4));
    assert_eq!(find(&index, "gizmo"), ["wall-gizmo"]);
}

#[test]
fn a_failed_stage_falls_back_to_the_committed_serial() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SearchIndex::open_or_create(dir.path()).unwrap();
    writer.apply(&[summarised("wall-gizmo", "gizmo")], &[], 1).unwrap();
    let other = SearchIndex::open_or_create(dir.path()).unwrap();
    // `writer` holds tantivy's writer lock, so `other` cannot stage.
    let err = other.stage(&[summarised("door-gizmo", "gizmo")], &[], 2).unwrap_err();
    assert!(err.to_string().contains("another process"), "unexpected error: {err}");
    assert_eq!(other.indexed_serial(), Some(1));
    assert_eq!(find(&other, "gizmo"), ["wall-gizmo"]);
}

#[test]
fn each_stage_is_seen_by_the_next_search_while_others_search() {
    let index = Arc::new(SearchIndex::in_memory().unwrap());
    index.rebuild(revitpy_search::testdata::generated_docs(1_000, 5), 0).unwrap();
    let before = index.search(&common::query("wall")).unwrap().total;
    std::thread::scope(|s| {
        for _ in 0..2 {
            let index = Arc::clone(&index);
            s.spawn(move || {
                for _ in 0..100 {
                    let total = index.search(&common::query("wall")).unwrap().total;
                    assert!(total >= before);
                }
            });
        }
        let index = Arc::clone(&index);
        s.spawn(move || {
            for i in 1..=40 {
                let name = format!("staged-wall-{i}");
                index.stage(&[summarised(&name, "wall")], &[], i).unwrap();
                assert!(find(&index, &name).contains(&name), "stage {i} not visible to the next search");
            }
        });
    });
    assert_eq!(index.search(&common::query("wall")).unwrap().total, before + 40);
    assert_eq!(index.committed_serial(), Some(40));
}
