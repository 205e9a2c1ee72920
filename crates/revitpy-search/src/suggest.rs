//! "Did you mean": package names near a misspelt one, for a search that
//! found nothing. The index's own key terms are searched with a Levenshtein
//! automaton (tantivy's fuzzy term query), so a suggestion costs one walk of
//! the name dictionary, not a comparison with every name.

use tantivy::collector::TopDocs;
use tantivy::query::FuzzyTermQuery;
use tantivy::{Searcher, Term};

use crate::schema::{DOWNLOADS, Fields, KEY};

/// Candidates read before ranking: names within the distance of a short
/// query can be many, and a suggestion list is short anyway.
const CANDIDATES: usize = 64;

/// Names longer than this are not looked for (no package name is, and the
/// automaton's size grows with the text).
pub(crate) const MAX_NAME_CHARS: usize = 64;

/// The text as a package name is normalized (lowercase, `_` and `.` as
/// `-`, runs of them as one); `None` when it cannot be a name.
pub(crate) fn as_name(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_NAME_CHARS || text.contains(char::is_whitespace) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '-' | '_' | '.' => {
                if !out.ends_with('-') {
                    out.push('-');
                }
            }
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ => return None,
        }
    }
    let out = out.trim_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

/// Edit distance with adjacent transpositions (optimal string alignment),
/// to rank what the automaton found.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Up to `limit` names within one edit (names up to 4 characters) or two
/// of `text`, nearest first, then the most downloaded.
pub(crate) fn suggest(searcher: &Searcher, fields: &Fields, text: &str, limit: usize) -> tantivy::Result<Vec<String>> {
    let Some(name) = as_name(text) else { return Ok(Vec::new()) };
    let max = if name.chars().count() <= 4 { 1 } else { 2 };
    let query = FuzzyTermQuery::new(Term::from_field_text(fields.key, &name), max, true);
    let found = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
    let mut ranked: Vec<(usize, std::cmp::Reverse<u64>, String)> = Vec::new();
    for (_, address) in found {
        let segment = searcher.segment_reader(address.segment_ord);
        let Some(keys) = segment.fast_fields().str(KEY)? else { continue };
        let downloads = segment.fast_fields().u64(DOWNLOADS)?.first(address.doc_id).unwrap_or(0);
        let mut key = String::new();
        for ord in keys.term_ords(address.doc_id) {
            keys.ord_to_str(ord, &mut key)?;
        }
        if key.is_empty() || key == name {
            continue;
        }
        ranked.push((distance(&name, &key), std::cmp::Reverse(downloads), key));
    }
    ranked.sort();
    ranked.dedup_by(|a, b| a.2 == b.2);
    Ok(ranked.into_iter().take(limit).map(|(_, _, key)| key).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized_and_other_text_is_not_a_name() {
        assert_eq!(as_name(" Wall_Tools ").as_deref(), Some("wall-tools"));
        assert_eq!(as_name("wall..tools").as_deref(), Some("wall-tools"));
        assert_eq!(as_name("wall tools"), None);
        assert_eq!(as_name("wäll"), None);
        assert_eq!(as_name(&"a".repeat(MAX_NAME_CHARS + 1)), None);
        assert_eq!(as_name("--"), None);
    }

    #[test]
    fn distance_counts_a_swap_as_one() {
        assert_eq!(distance("wall-tools", "wall-tools"), 0);
        assert_eq!(distance("wall-tolos", "wall-tools"), 1);
        assert_eq!(distance("wal-tools", "wall-tools"), 1);
        assert_eq!(distance("wall-toolz", "wall-tools"), 1);
        assert_eq!(distance("room", "wall"), 4);
    }
}
