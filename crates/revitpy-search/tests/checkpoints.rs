//! `Durability::Checkpoints`: commits without fsync, a marker until the
//! next checkpoint, and an index that proves itself intact on open or comes
//! back empty (for the store to rebuild).

mod common;

use std::path::Path;

use common::{doc, find};
use revitpy_search::{DIRTY_MARKER, Durability, SearchDoc, SearchIndex};

fn summarised(name: &str, summary: &str) -> SearchDoc {
    SearchDoc { summary: summary.into(), ..doc(name) }
}

fn open(path: &Path) -> SearchIndex {
    SearchIndex::open_or_create_with(path, Durability::Checkpoints).unwrap()
}

/// The segment files the index's current commit uses (32 hex digits).
fn segment_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split_once('.'))
                .is_some_and(|(stem, _)| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_write_leaves_the_marker_until_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    let index = open(&path);
    index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 1).unwrap();
    assert!(path.join(DIRTY_MARKER).exists());
    assert!(index.has_unsynced_writes());

    index.checkpoint().unwrap();
    assert!(!path.join(DIRTY_MARKER).exists());
    assert!(!index.has_unsynced_writes());
    // A second checkpoint with nothing written is a no-op.
    index.checkpoint().unwrap();

    // The next write marks the folder again.
    index.apply(&[summarised("door-gizmo", "gizmo")], &[], 2).unwrap();
    assert!(path.join(DIRTY_MARKER).exists());
    index.checkpoint().unwrap();
    drop(index);

    let index = open(&path);
    assert_eq!(index.indexed_serial(), Some(2));
    assert_eq!(find(&index, "gizmo"), ["door-gizmo", "wall-gizmo"]);
}

#[test]
fn an_intact_index_left_unsynced_is_kept_with_its_serial() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = open(&path);
        index.rebuild(revitpy_search::testdata::generated_docs(300, 3), 10).unwrap();
        index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 11).unwrap();
        // Dropped without a checkpoint: a crash, as far as the folder knows.
    }
    assert!(path.join(DIRTY_MARKER).exists());
    let index = open(&path);
    assert_eq!(index.indexed_serial(), Some(11));
    assert_eq!(index.len(), 301);
    assert_eq!(find(&index, "gizmo"), ["wall-gizmo"]);
    // Still unsynced: the marker stays until a checkpoint.
    assert!(index.has_unsynced_writes());
}

#[test]
fn a_damaged_file_left_unsynced_empties_the_index_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = open(&path);
        index.rebuild(revitpy_search::testdata::generated_docs(300, 3), 10).unwrap();
    }
    // What a power cut can leave of a file that was never synced: the
    // right length, but zeros where the data should be.
    let files = segment_files(&path);
    assert!(!files.is_empty());
    let victim = files.iter().max_by_key(|p| std::fs::metadata(p).unwrap().len()).unwrap();
    let len = std::fs::metadata(victim).unwrap().len() as usize;
    std::fs::write(victim, vec![0u8; len]).unwrap();

    let index = open(&path);
    assert_eq!(index.indexed_serial(), None, "a damaged index must not claim a serial");
    assert!(index.is_empty());
    // And it works again at once.
    index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 12).unwrap();
    assert_eq!(find(&index, "gizmo"), ["wall-gizmo"]);
}

#[test]
fn a_missing_file_left_unsynced_empties_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = open(&path);
        index.rebuild(revitpy_search::testdata::generated_docs(50, 3), 4).unwrap();
    }
    for f in segment_files(&path) {
        std::fs::remove_file(f).unwrap();
    }
    let index = open(&path);
    assert_eq!(index.indexed_serial(), None);
    assert!(index.is_empty());
}

#[test]
fn after_a_checkpoint_the_folder_opens_clean() {
    // The marker is what costs the checksum pass: after a checkpoint the
    // files are durable and the folder opens as with
    // `Durability::EveryCommit`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = open(&path);
        index.rebuild(revitpy_search::testdata::generated_docs(50, 3), 4).unwrap();
        index.checkpoint().unwrap();
    }
    let index = open(&path);
    assert_eq!(index.indexed_serial(), Some(4));
    assert!(!index.has_unsynced_writes());
}

#[test]
fn every_commit_durability_never_leaves_a_marker() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    index.apply(&[summarised("wall-gizmo", "gizmo")], &[], 1).unwrap();
    assert!(!dir.path().join(DIRTY_MARKER).exists());
    assert!(!index.has_unsynced_writes());
    index.checkpoint().unwrap();
}
