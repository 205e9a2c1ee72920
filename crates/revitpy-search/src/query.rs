//! From the user's text to a tantivy query, built programmatically.
//!
//! Never through tantivy's `QueryParser`: its syntax (`"`, `:`, `(`, `*`,
//! `~`, `^`, `AND`...) would make ordinary input an error or change its
//! meaning. Here the text only ever becomes terms, so every input is valid.

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

use crate::schema::Fields;

/// At most this many characters of the query text are looked at.
pub const MAX_QUERY_CHARS: usize = 256;
/// At most this many distinct words of the query take part.
pub const MAX_QUERY_WORDS: usize = 16;

/// Normalises a name or a query the way the exact-name and prefix rules
/// compare them: lowercase, each run of `-`, `_`, `.` and whitespace folded
/// to one `-` (PEP 503, plus whitespace so "wall tools" finds "wall-tools").
pub fn normalize_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for c in text.chars() {
        if matches!(c, '-' | '_' | '.') || c.is_whitespace() {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The query text, cut to its first [`MAX_QUERY_CHARS`] characters and
/// trimmed.
pub(crate) fn capped(text: &str) -> &str {
    let end = text.char_indices().nth(MAX_QUERY_CHARS).map_or(text.len(), |(i, _)| i);
    text[..end].trim()
}

/// What a query text means once analysed.
#[derive(Debug)]
pub(crate) enum Plan {
    /// "" or "*": every doc, ordered by downloads.
    ListAll,
    Text {
        /// The normalized query, for the exact and prefix tiers ("" when the
        /// text normalizes to nothing useful).
        normalized: String,
        /// Distinct analysed words, in the order typed, at most
        /// [`MAX_QUERY_WORDS`].
        words: Vec<String>,
    },
}

pub(crate) fn plan(text: &str, analyzer: &mut TextAnalyzer) -> Plan {
    let text = capped(text);
    if text.is_empty() || text == "*" {
        return Plan::ListAll;
    }
    let mut words: Vec<String> = Vec::new();
    analyzer.token_stream(text).process(&mut |t| {
        // Duplicates would only count the same word twice: AND of a word
        // with itself is the word.
        if words.len() < MAX_QUERY_WORDS && !words.contains(&t.text) {
            words.push(t.text.clone());
        }
    });
    Plan::Text { normalized: normalize_name(text), words }
}

/// The smallest string greater than every string starting with `prefix`:
/// the exclusive end of the prefix range. `None` when there is none (a
/// prefix of only `char::MAX`, which no name has).
pub(crate) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // Next scalar value, skipping the surrogate gap; UTF-8 byte order is
        // code point order, so this bounds the range in term order too.
        let next = match last as u32 + 1 {
            0xD800 => Some('\u{E000}'),
            n => char::from_u32(n),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The words part of a text query: every word (MUST) in the weighted text
/// field; tantivy runs it as an intersection of posting lists and sums the
/// words' BM25. Docs that match by name only come from the collector
/// ([`crate::collector`]), not from this query.
pub(crate) fn build(fields: &Fields, words: &[String]) -> Box<dyn Query> {
    let term = |word: &String| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(fields.text, word), IndexRecordOption::WithFreqs))
    };
    match words {
        [] => Box::new(EmptyQuery),
        [word] => term(word),
        _ => Box::new(BooleanQuery::new(words.iter().map(|w| (Occur::Must, term(w))).collect())),
    }
}

pub(crate) fn all() -> Box<dyn Query> {
    Box::new(AllQuery)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pep503_plus_whitespace() {
        assert_eq!(normalize_name("Wall_Tools"), "wall-tools");
        assert_eq!(normalize_name("wall__-.tools"), "wall-tools");
        assert_eq!(normalize_name("Wall  Tools"), "wall-tools");
        assert_eq!(normalize_name("wall_"), "wall-");
        assert_eq!(normalize_name("ÄB"), "äb");
    }

    #[test]
    fn caps_characters_on_a_char_boundary() {
        let long = "é".repeat(1000);
        assert_eq!(capped(&long).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(capped("  wall  "), "wall");
    }

    #[test]
    fn prefix_end_bounds_the_range() {
        assert_eq!(prefix_end("wall").as_deref(), Some("walm"));
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
    }

    #[test]
    fn plan_dedupes_and_caps_words() {
        let mut a = crate::schema::analyzer();
        match plan("Walls wall WALL door", &mut a) {
            Plan::Text { normalized, words } => {
                assert_eq!(normalized, "walls-wall-wall-door");
                assert_eq!(words, ["wall", "door"]);
            }
            Plan::ListAll => panic!("not a listing"),
        }
        let many: String = (0..100).map(|i| format!("w{i} ")).collect();
        match plan(&many, &mut a) {
            Plan::Text { words, .. } => assert_eq!(words.len(), MAX_QUERY_WORDS),
            Plan::ListAll => panic!("not a listing"),
        }
        assert!(matches!(plan("  *  ", &mut a), Plan::ListAll));
        assert!(matches!(plan("", &mut a), Plan::ListAll));
    }
}
