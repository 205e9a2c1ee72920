//! Query strings that would break a query parser: they must neither error
//! nor panic, and should mean their words.

mod common;

use common::{find, index_of, query};
use revitpy_search::{MAX_QUERY_WORDS, SearchDoc, SearchQuery};

fn registry() -> revitpy_search::SearchIndex {
    let mut docs = revitpy_search::testdata::generated_docs(300, 9);
    docs.push(SearchDoc { description: "a wall and a door".into(), ..common::doc("plain-pkg") });
    index_of(docs)
}

#[test]
fn syntax_characters_and_junk_never_error() {
    let index = registry();
    let long_word = "w".repeat(100_000);
    let many_words = "wall ".repeat(10_000);
    let many_distinct: String = (0..5_000).map(|i| format!("word{i} ")).collect();
    let hostile = [
        "\"",
        ":",
        "(",
        ")",
        "*",
        "**",
        "~",
        "^",
        "\\",
        "[",
        "]",
        "{",
        "}",
        "-",
        "_",
        ".",
        "+",
        "!",
        "?",
        "&&",
        "||",
        "/",
        "'",
        "`",
        "\"wall",
        "wall\"",
        "wall:door",
        "name:wall",
        "wall~2",
        "wall^10",
        "(wall OR door)",
        "wall AND",
        "NOT wall",
        "-wall",
        "+wall",
        "*wall*",
        "wall*",
        "[2019 TO 2024]",
        "{a TO b}",
        "wall\\",
        "a\0b",
        "\u{FFFF}",
        "\u{10FFFF}",
        "\u{10FFFF}\u{10FFFF}",
        "🧱 wall 🚪",
        "Ωμέγα",
        "日本語",
        "\t\n\r",
        "---",
        "...",
        "_-_",
        "%",
        "%%",
        "$where",
        "'; DROP TABLE packages; --",
        &long_word,
        &many_words,
        &many_distinct,
    ];
    for text in hostile {
        for year in [None, Some(2024), Some(0), Some(u16::MAX)] {
            for kind in [None, Some("addon"), Some(""), Some("\"")] {
                let q = SearchQuery { text, revit_year: year, package_type: kind, limit: 10, offset: 3 };
                let page = index.search(&q).unwrap_or_else(|e| panic!("{:?}: {e}", &text[..text.len().min(40)]));
                assert!(page.hits.len() <= 10);
                assert!(page.total >= page.hits.len());
            }
        }
    }
}

#[test]
fn syntax_characters_are_just_separators() {
    let index = registry();
    let plain = find(&index, "wall door");
    assert!(plain.contains(&"plain-pkg".to_owned()));
    for text in ["wall:door", "\"wall door\"", "(wall door)", "wall^ ~door", "wall* door*"] {
        assert_eq!(find(&index, text), plain, "{text:?}");
    }
}

#[test]
fn punctuation_only_finds_nothing() {
    let index = registry();
    for text in ["\"", ":", "(", "~", "^", "!!!", "---", "_", "..."] {
        assert_eq!(index.search(&query(text)).unwrap().total, 0, "{text:?}");
    }
}

#[test]
fn long_queries_only_use_their_first_words_and_characters() {
    let mut docs = revitpy_search::testdata::generated_docs(100, 9);
    docs.push(SearchDoc { description: (0..20).map(|i| format!("alpha{i} ")).collect(), ..common::doc("capped-pkg") });
    let index = index_of(docs);
    let first = |n: usize| -> String { (0..n).map(|i| format!("alpha{i} ")).collect() };
    // The 17th distinct word is past the cap: it cannot empty the result.
    let text = format!("{}zzzabsent", first(MAX_QUERY_WORDS));
    assert_eq!(find(&index, &text), ["capped-pkg"]);
    // As the 16th it counts.
    let text = format!("{}zzzabsent", first(MAX_QUERY_WORDS - 1));
    assert!(find(&index, &text).is_empty());
    // Repeated words count once toward the cap.
    let text = format!("{}zzzabsent", "alpha0 ".repeat(40));
    assert!(find(&index, &text).is_empty());
    // Characters past the cap are not read at all.
    let text = format!("alpha0{}zzzabsent", " ".repeat(revitpy_search::MAX_QUERY_CHARS));
    assert_eq!(find(&index, &text), ["capped-pkg"]);
}
