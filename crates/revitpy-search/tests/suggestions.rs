//! "Did you mean": names near a misspelt one, nearest first, then the most
//! downloaded; nothing for text that cannot be a name; removed packages
//! never suggested.

mod common;

use common::{doc, index_of};
use revitpy_search::SearchDoc;

fn popular(name: &str, downloads: u64) -> SearchDoc {
    let mut d = doc(name);
    d.downloads = downloads;
    d
}

#[test]
fn misspelt_names_get_the_nearest_names() {
    let index = index_of(vec![
        popular("wall-tools", 10),
        popular("wall-tool", 500),
        popular("walls-tools", 1),
        popular("room-exporter", 1_000),
        popular("revitpy-utils", 3),
    ]);
    // One swap away from wall-tools, two from wall-tool and walls-tools.
    assert_eq!(index.suggest("wall-tolos", 5).unwrap(), ["wall-tools", "wall-tool", "walls-tools"]);
    // Spelt as users do: capitals, underscores.
    assert_eq!(index.suggest("Room_Exproter", 5).unwrap(), ["room-exporter"]);
    assert_eq!(index.suggest("revitpy-utils", 5).unwrap(), Vec::<String>::new(), "the name itself is no suggestion");
    assert_eq!(index.suggest("wall-tolos", 1).unwrap(), ["wall-tools"]);
    // Not a name, or too far from every name.
    for text in ["", "walls and tools", "zzzzzzzzzz", "wall*"] {
        assert!(index.suggest(text, 5).unwrap().is_empty(), "{text}");
    }
    // Short names: one edit at most (tags is two from tga).
    let short = index_of(vec![doc("tag"), doc("tags"), doc("ta")]);
    assert_eq!(short.suggest("tga", 5).unwrap(), ["ta", "tag"]);
}

#[test]
fn a_removed_package_is_not_suggested() {
    let index = index_of(vec![doc("wall-tools"), doc("wall-tool")]);
    index.apply(&[], &["wall-tools".to_owned()], 2).unwrap();
    assert_eq!(index.suggest("wall-tolos", 5).unwrap(), ["wall-tool"]);
}
