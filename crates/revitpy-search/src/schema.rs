//! The tantivy schema, the text analyzer and the commit payload format.
//!
//! Everything that decides what is on disk lives here, so that a change that
//! makes old folders unreadable (or readable but wrong) is one place to look:
//! a schema change is detected by comparing schemas; an analyzer change keeps
//! the schema identical, so it must bump [`FORMAT_VERSION`].

use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::{Index, TantivyDocument};

use crate::SearchDoc;

/// Bump when the analyzer, [`WEIGHTS`] or the payload format change
/// without the schema changing: folders with another version are
/// wiped and rebuilt from the store.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Name under which [`analyzer`] is registered on every `Index` we open.
/// Tokenizers are not persisted by tantivy, only their names.
pub(crate) const ANALYZER: &str = "revitpy_en";

/// Open-above sentinel for `max_revit`: the fast field stays 16 bits wide
/// (a `u64::MAX` would make every value of the column take 64 bits).
pub(crate) const OPEN_ABOVE: u64 = u16::MAX as u64;

/// Field names, also the fast-field column names.
pub(crate) const KEY: &str = "normalized_name";
pub(crate) const PACKAGE_TYPE: &str = "package_type";
pub(crate) const DOWNLOADS: &str = "downloads";
pub(crate) const MIN_REVIT: &str = "min_revit";
pub(crate) const MAX_REVIT: &str = "max_revit";

/// Handles on the schema's fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// The raw normalized name: indexed as one term (delete by key) and a
    /// fast `str` column (sorted keys for the exact/prefix tiers and the name
    /// tie-break, see [`crate::segment_data`]).
    pub key: Field,
    /// All the searchable text in one field, each part repeated by its
    /// weight ([`WEIGHTS`]): one posting list per word.
    pub text: Field,
    /// Filter and tie-break columns; none of them is indexed or stored.
    pub package_type: Field,
    pub downloads: Field,
    pub min_revit: Field,
    pub max_revit: Field,
}

/// How many times each part of a package goes into the text field. BM25
/// then weighs a word by where it occurs (BM25F with integer weights): a
/// word in the name counts as six mentions in the description.
///
/// Why one field and not one per part with query-time boosts: a query word
/// would then be an OR of four posting lists, and tantivy scores such a
/// union for every doc it holds even when another word rules the doc out.
/// At 100,000 packages that made common two-word queries cost over 1 ms;
/// with one list per word an AND is an intersection of plain posting lists.
/// The price is BM25's saturation of term frequency (k1 = 1.2), which
/// compresses the weights: one mention in the name scores about 1.8 times
/// one in the description, not 6 times, and a description that repeats a
/// word can catch up with a keyword.
pub(crate) struct Weights {
    pub name: usize,
    pub keywords: usize,
    pub summary: usize,
    pub description: usize,
}

pub(crate) const WEIGHTS: Weights = Weights { name: 6, keywords: 3, summary: 2, description: 1 };

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Frequencies but no positions: we never run phrase queries, and
    // positions would double the postings' size.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs),
    );
    let key = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        )
        .set_fast("raw");
    let fields = Fields {
        key: b.add_text_field(KEY, key),
        text: b.add_text_field("text", text),
        package_type: b.add_text_field(PACKAGE_TYPE, TextOptions::default().set_fast("raw")),
        downloads: b.add_u64_field(DOWNLOADS, FAST),
        min_revit: b.add_u64_field(MIN_REVIT, FAST),
        max_revit: b.add_u64_field(MAX_REVIT, FAST),
    };
    (b.build(), fields)
}

/// Lowercase, split on anything not alphanumeric (so `-`, `_` and `.`
/// separate words), drop absurdly long tokens, English Snowball stemming
/// ("walls" finds "wall"). Used for documents and queries alike.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(crate::stem_cache::CachedStemmer)
        .build()
}

pub(crate) fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

pub(crate) fn to_document(f: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.key, &doc.normalized_name);
    let parts = [
        (WEIGHTS.name, std::slice::from_ref(&doc.name)),
        (WEIGHTS.keywords, doc.keywords.as_slice()),
        (WEIGHTS.keywords, doc.categories.as_slice()),
        (WEIGHTS.summary, std::slice::from_ref(&doc.summary)),
        (WEIGHTS.description, std::slice::from_ref(&doc.description)),
    ];
    for (weight, texts) in parts {
        for text in texts {
            for _ in 0..weight {
                d.add_text(f.text, text);
            }
        }
    }
    d.add_text(f.package_type, &doc.package_type);
    d.add_u64(f.downloads, doc.downloads);
    d.add_u64(f.min_revit, doc.min_revit.map_or(0, u64::from));
    d.add_u64(f.max_revit, doc.max_revit.map_or(OPEN_ABOVE, u64::from));
    d
}

/// The commit payload: the format version and the registry serial.
pub(crate) fn payload(serial: i64) -> String {
    format!("revitpy-search/{FORMAT_VERSION} serial={serial}")
}

/// What a folder's commit payload says about it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Payload {
    /// Created but never committed by us: empty and usable.
    None,
    Ours {
        serial: i64,
    },
    /// Another format version, or not written by this crate.
    Foreign,
}

pub(crate) fn parse_payload(payload: Option<&str>) -> Payload {
    let Some(p) = payload else {
        return Payload::None;
    };
    let prefix = format!("revitpy-search/{FORMAT_VERSION} serial=");
    match p.strip_prefix(&prefix).map(str::parse::<i64>) {
        Some(Ok(serial)) => Payload::Ours { serial },
        _ => Payload::Foreign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_rejects_other_formats() {
        assert_eq!(parse_payload(Some(&payload(-3))), Payload::Ours { serial: -3 });
        assert_eq!(parse_payload(None), Payload::None);
        assert_eq!(parse_payload(Some("revitpy-search/0 serial=5")), Payload::Foreign);
        assert_eq!(parse_payload(Some("whatever")), Payload::Foreign);
    }

    #[test]
    fn analyzer_splits_lowercases_and_stems() {
        let mut a = analyzer();
        let mut out = Vec::new();
        a.token_stream("Wall_Tools walls.EXPORT-2024").process(&mut |t| out.push(t.text.clone()));
        assert_eq!(out, ["wall", "tool", "wall", "export", "2024"]);
    }
}
