//! apply/rebuild, serials, persistence in a folder, outdated folders,
//! concurrency.

mod common;

use std::sync::Arc;

use common::{doc, find};
use revitpy_search::{SearchDoc, SearchIndex};

fn summarised(name: &str, summary: &str) -> SearchDoc {
    SearchDoc { summary: summary.into(), ..doc(name) }
}

#[test]
fn apply_replaces_and_removes_and_records_the_serial() {
    let index = SearchIndex::in_memory().unwrap();
    assert_eq!(index.indexed_serial(), None);
    assert!(index.is_empty());

    index.apply(&[summarised("wall-tools", "gizmo"), summarised("door-tools", "gizmo")], &[], 5).unwrap();
    assert_eq!(index.indexed_serial(), Some(5));
    assert_eq!(index.len(), 2);
    assert_eq!(find(&index, "gizmo"), ["door-tools", "wall-tools"]);

    // Replacing a doc: the old text is gone at once, the count unchanged.
    index.apply(&[summarised("wall-tools", "widget")], &[], 6).unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(find(&index, "gizmo"), ["door-tools"]);
    assert_eq!(find(&index, "widget"), ["wall-tools"]);
    assert_eq!(index.indexed_serial(), Some(6));

    // Removing; an unknown name is not an error.
    index.apply(&[], &["door-tools".into(), "never-was".into()], 7).unwrap();
    assert_eq!(index.len(), 1);
    assert!(find(&index, "gizmo").is_empty());
    assert_eq!(find(&index, "*"), ["wall-tools"]);

    // In one call the last upsert of a name wins, and remove beats upsert.
    index
        .apply(
            &[summarised("a-pkg", "first"), summarised("a-pkg", "second"), summarised("b-pkg", "kept")],
            &["b-pkg".into()],
            8,
        )
        .unwrap();
    assert!(find(&index, "first").is_empty());
    assert_eq!(find(&index, "second"), ["a-pkg"]);
    assert!(find(&index, "kept").is_empty());
    assert_eq!(index.len(), 2);
}

#[test]
fn rebuild_replaces_everything() {
    let index = SearchIndex::in_memory().unwrap();
    index.apply(&[summarised("old-one", "gizmo")], &[], 3).unwrap();
    index.rebuild(vec![summarised("new-one", "gizmo"), summarised("new-two", "other")], 9).unwrap();
    assert_eq!(index.indexed_serial(), Some(9));
    assert_eq!(index.len(), 2);
    assert_eq!(find(&index, "gizmo"), ["new-one"]);
    // Duplicate names in a rebuild: one doc, the last.
    index
        .rebuild(
            vec![summarised("dup-pkg", "first"), summarised("other-pkg", "other"), summarised("dup-pkg", "second")],
            10,
        )
        .unwrap();
    assert_eq!(index.len(), 2);
    assert!(find(&index, "first").is_empty());
    assert_eq!(find(&index, "second"), ["dup-pkg"]);
    // A rebuild with nothing empties the index but still records the serial.
    index.rebuild(Vec::new(), 11).unwrap();
    assert!(index.is_empty());
    assert_eq!(index.indexed_serial(), Some(11));
}

#[test]
fn a_folder_keeps_docs_and_serial_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = SearchIndex::open_or_create(&path).unwrap();
        assert_eq!(index.indexed_serial(), None);
        index.rebuild(revitpy_search::testdata::generated_docs(500, 3), 42).unwrap();
        index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 43).unwrap();
    }
    let expected_wall;
    {
        let index = SearchIndex::open_or_create(&path).unwrap();
        assert_eq!(index.indexed_serial(), Some(43));
        assert_eq!(index.len(), 501);
        assert_eq!(find(&index, "gizmo"), ["wall-gizmo"]);
        assert!(find(&index, "wall").contains(&"wall-gizmo".to_owned()));
        // The reopened index takes writes too.
        index.apply(&[], &["wall-gizmo".into()], 44).unwrap();
        expected_wall = find(&index, "wall");
        assert!(expected_wall.len() > 10);
        assert!(!expected_wall.contains(&"wall-gizmo".to_owned()));
    }
    let index = SearchIndex::open_or_create(&path).unwrap();
    assert_eq!(index.indexed_serial(), Some(44));
    assert_eq!(index.len(), 500);
    assert_eq!(find(&index, "wall"), expected_wall);
}

#[test]
fn a_folder_can_be_searched_while_another_handle_holds_the_writer() {
    // The client's offline search opens the folder while `sync` may be
    // writing: opening and searching must not need the writer lock.
    let dir = tempfile::tempdir().unwrap();
    let writer = SearchIndex::open_or_create(dir.path()).unwrap();
    writer.apply(&[summarised("wall-gizmo", "gizmo")], &[], 1).unwrap();
    let reader = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(find(&reader, "gizmo"), ["wall-gizmo"]);
    assert_eq!(reader.indexed_serial(), Some(1));
    // A second writer is refused with an error, not a panic or a wipe.
    let err = reader.apply(&[], &[], 2).unwrap_err();
    assert!(err.to_string().contains("another process"), "unexpected error: {err}");
    assert_eq!(find(&reader, "gizmo"), ["wall-gizmo"]);
}

#[test]
fn a_folder_with_another_schema_is_wiped_and_recreated_empty() {
    use tantivy::schema::{Schema, TEXT};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    std::fs::write(path.join("notes.txt"), "not tantivy's").unwrap();
    {
        let mut b = Schema::builder();
        let title = b.add_text_field("title", TEXT);
        let index = tantivy::Index::create_in_dir(path, b.build()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let mut d = tantivy::TantivyDocument::default();
        d.add_text(title, "old");
        w.add_document(d).unwrap();
        let mut c = w.prepare_commit().unwrap();
        c.set_payload("revitpy-search/1 serial=77");
        c.commit().unwrap();
    }
    let index = SearchIndex::open_or_create(path).unwrap();
    assert_eq!(index.indexed_serial(), None);
    assert!(index.is_empty());
    assert_eq!(std::fs::read_to_string(path.join("notes.txt")).unwrap(), "not tantivy's");
    index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 1).unwrap();
    assert_eq!(find(&index, "gizmo"), ["wall-gizmo"]);
}

#[test]
fn a_folder_of_another_format_version_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 5).unwrap();
    }
    {
        // Same schema, but a payload this version did not write.
        let index = tantivy::Index::open_in_dir(dir.path()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let mut c = w.prepare_commit().unwrap();
        c.set_payload("revitpy-search/0 serial=5");
        c.commit().unwrap();
    }
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(index.indexed_serial(), None);
    assert!(index.is_empty());
}

#[test]
fn a_corrupt_folder_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 5).unwrap();
    }
    std::fs::write(dir.path().join("meta.json"), "{ not json").unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(index.indexed_serial(), None);
    assert!(index.is_empty());
}

#[test]
fn searches_run_while_another_thread_writes() {
    let index = Arc::new(SearchIndex::in_memory().unwrap());
    index.rebuild(revitpy_search::testdata::generated_docs(2_000, 5), 0).unwrap();
    let total_before = index.search(&common::query("wall")).unwrap().total;
    std::thread::scope(|s| {
        for _ in 0..2 {
            let index = Arc::clone(&index);
            s.spawn(move || {
                for _ in 0..50 {
                    let page = index.search(&common::query("wall")).unwrap();
                    // Each write adds one "wall" doc: the count only grows.
                    assert!(page.total >= total_before);
                }
            });
        }
        let index = Arc::clone(&index);
        s.spawn(move || {
            for i in 1..=20 {
                let d = summarised(&format!("zz-wall-{i}"), "wall");
                index.apply(&[d], &[], i).unwrap();
            }
        });
    });
    assert_eq!(index.search(&common::query("wall")).unwrap().total, total_before + 20);
    assert_eq!(index.indexed_serial(), Some(20));
}
