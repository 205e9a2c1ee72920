//! English stemming with a memory of the words it has stemmed.
//!
//! Why not tantivy's `Stemmer` filter as it is: rebuilding a client's
//! index at 100,000 packages spent a quarter of its CPU in the Snowball
//! algorithm, for a vocabulary of a few thousand words seen again and again
//! (a package's name is indexed six times, see `schema::WEIGHTS`). Looking a
//! word up is several times cheaper than stemming it again. The stems are
//! the same words the Snowball algorithm gives (a test compares them), so
//! indexes written before and after are the same.
//!
//! The memory is bounded: past [`MAX_WORDS`] words (or a word longer than
//! the analyzer lets through) it is emptied and starts again, so a
//! hostile text of distinct words costs the plain stemmer's time, never
//! unbounded memory.

use std::borrow::Cow;
use std::collections::HashMap;

use foldhash::fast::RandomState;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered by one analyzer (each index writer thread and each
/// query parser has its own): about 2 MB at most.
pub(crate) const MAX_WORDS: usize = 50_000;

/// The filter: lowercase tokens in, their English stems out.
#[derive(Clone, Default)]
pub(crate) struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer, stems: HashMap::default() }
    }
}

#[derive(Clone)]
pub(crate) struct CachedStemmerFilter<T> {
    inner: T,
    /// Word -> stem, for words whose stem differs; a word that is its own
    /// stem maps to an empty string (no second copy kept). Seeded at
    /// random per process, so a text cannot be made of colliding words.
    stems: HashMap<String, String, RandomState>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream { tail: self.inner.token_stream(text), stems: &mut self.stems }
    }
}

pub(crate) struct CachedStemmerStream<'a, T> {
    tail: T,
    stems: &'a mut HashMap<String, String, RandomState>,
}

fn stemmer() -> Stemmer {
    Stemmer::new(Algorithm::English)
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(token.text.as_str()) {
            if !stem.is_empty() {
                token.text.clear();
                token.text.push_str(stem);
            }
            return true;
        }
        let stem = match stemmer().stem(&token.text) {
            Cow::Borrowed(s) if s == token.text => String::new(),
            other => other.into_owned(),
        };
        if self.stems.len() >= MAX_WORDS {
            self.stems.clear();
        }
        let word = std::mem::take(&mut token.text);
        if stem.is_empty() {
            token.text.push_str(&word);
        } else {
            token.text.push_str(&stem);
        }
        self.stems.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, Stemmer as TantivyStemmer, TextAnalyzer};

    use super::*;

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        a.token_stream(text).process(&mut |t| out.push(t.text.clone()));
        out
    }

    #[test]
    fn stems_as_the_snowball_filter_does_seen_or_not() {
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(TantivyStemmer::default())
            .build();
        let mut cached =
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(CachedStemmer).build();
        let text = "Walls walls running RUNS runner generously generous fly flies flying sky skies \
                    dying lying news innings cañón Größe ünïcödé 2024 a an the wall_tools exports";
        // Twice: the second time every word comes from the memory.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut plain, text));
        }
        let generated: String = crate::testdata::generated_docs(300, 7)
            .iter()
            .map(|d| format!("{} {} ", d.summary, d.description))
            .collect();
        assert_eq!(tokens(&mut cached, &generated), tokens(&mut plain, &generated));
    }

    #[test]
    fn memory_is_bounded_by_distinct_words() {
        let mut filter = CachedStemmer.transform(SimpleTokenizer::default());
        let text: String = (0..MAX_WORDS + 10).map(|i| format!("word{i}s ")).collect();
        let mut last = String::new();
        {
            let mut stream = filter.token_stream(&text);
            while stream.advance() {
                last = stream.token().text.clone();
            }
        }
        assert_eq!(last, format!("word{}", MAX_WORDS + 9));
        assert!(filter.stems.len() <= MAX_WORDS, "{}", filter.stems.len());
    }
}
