//! Per-segment columns held in plain vectors, built when a segment first
//! becomes searchable.
//!
//! Why: tantivy's fast fields are compact but each read is a dynamic call
//! into a codec, and turning a key ordinal back into a name decodes an
//! sstable block (microseconds). Profiling showed name lookups and the
//! name-prefix scan costing about a third of a query. A segment never
//! changes once written (deletes only hide docs), so its columns can be
//! copied into vectors once: about 20 bytes a doc, 2 MB at 100,000 docs.
//! The keys are copied too when the index serves many queries
//! ([`Keys::Copied`], the server): a key read from tantivy's dictionary
//! costs a block decode, and 20 of them per query cut throughput by a
//! third. A process that opens the index for one query ([`Keys::OnDemand`],
//! the client) reads them from the dictionary instead: copying all keys
//! cost 2.4 ms of every open at 100,000 docs.
//!
//! The copy is made by a tantivy [`Warmer`], which runs on every reload
//! before the new searcher is published, so no query ever pays for it; a
//! segment the warmer has not seen (which should not happen) is loaded on
//! first use. Segments that no live searcher uses are dropped.

use std::collections::HashMap;
use std::collections::HashSet;
use std::io;
use std::sync::{Arc, PoisonError, RwLock};

use tantivy::columnar::{Column, Dictionary, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, TantivyError, Warmer};

use crate::schema::{DOWNLOADS, KEY, MAX_REVIT, MIN_REVIT, OPEN_ABOVE, PACKAGE_TYPE};

/// One segment's columns, indexed by doc id unless said otherwise.
pub(crate) struct SegmentData {
    /// The keys in sorted order (ordinal = rank).
    keys: Arc<Dictionary>,
    /// With [`Keys::Copied`]: all keys concatenated; `ends[o]` ends key `o`.
    copied: Option<(String, Vec<u32>)>,
    num_keys: u32,
    /// The key ordinal (rank in sorted key order) of each doc.
    pub key_ord: Vec<u32>,
    /// Every doc, sorted by (key ordinal, doc): the docs of a key range
    /// form one slice.
    by_key: Vec<DocId>,
    pub min_revit: Vec<u16>,
    pub max_revit: Vec<u16>,
    pub downloads: Vec<u64>,
    /// Package types, distinct, and each doc's index into them.
    package_types: Vec<String>,
    pub package_type: Vec<u32>,
}

impl SegmentData {
    fn load(segment: &SegmentReader, mode: Keys) -> tantivy::Result<Self> {
        let ff = segment.fast_fields();
        let max_doc = segment.max_doc();
        let (keys, ords) =
            ff.str(KEY)?.ok_or_else(|| TantivyError::SchemaError(format!("no fast column {KEY}")))?.into_parts();
        let num_keys = u32::try_from(keys.num_terms())
            .map_err(|_| TantivyError::InvalidArgument("more than 4 billion keys".to_owned()))?;
        let key_ord: Vec<u32> =
            first_values(&ords, max_doc, u64::from(u32::MAX)).into_iter().map(|o| o as u32).collect();
        let by_key = docs_by_key(&key_ord, num_keys as usize);
        let copied = match mode {
            Keys::Copied => Some(copy_keys(&keys)?),
            Keys::OnDemand => None,
        };

        let (types, type_ends, package_type) = strings(
            ff.str(PACKAGE_TYPE)?.ok_or_else(|| TantivyError::SchemaError(format!("no fast column {PACKAGE_TYPE}")))?,
            max_doc,
        )?;
        let mut package_types = Vec::with_capacity(type_ends.len());
        let mut start = 0;
        for end in type_ends {
            package_types.push(types[start..end as usize].to_owned());
            start = end as usize;
        }

        let year = |col: Column<u64>, absent: u64| -> Vec<u16> {
            first_values(&col, max_doc, absent).into_iter().map(|y| y.min(OPEN_ABOVE) as u16).collect()
        };
        Ok(SegmentData {
            keys,
            copied,
            num_keys,
            key_ord,
            by_key,
            min_revit: year(ff.u64(MIN_REVIT)?, 0),
            max_revit: year(ff.u64(MAX_REVIT)?, OPEN_ABOVE),
            downloads: first_values(&ff.u64(DOWNLOADS)?, max_doc, 0),
            package_types,
            package_type,
        })
    }

    /// The key of ordinal `ord` (empty if the dictionary cannot give it).
    pub fn key(&self, ord: u32) -> String {
        if let Some(k) = self.copied_key(ord) {
            return k.to_owned();
        }
        let mut bytes = Vec::new();
        match self.keys.ord_to_term(u64::from(ord), &mut bytes) {
            Ok(true) => String::from_utf8(bytes).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn num_keys(&self) -> u32 {
        self.num_keys
    }

    fn copied_key(&self, ord: u32) -> Option<&str> {
        let (keys, ends) = self.copied.as_ref()?;
        let end = *ends.get(ord as usize)? as usize;
        let start = match ord {
            0 => 0,
            _ => ends[ord as usize - 1] as usize,
        };
        keys.get(start..end)
    }

    /// The first key ordinal whose key is not below `bound`.
    fn lower_bound(&self, bound: &str) -> u32 {
        if self.copied.is_some() {
            let (mut lo, mut hi) = (0, self.num_keys);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.copied_key(mid).unwrap_or("") < bound {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
        let first = self.keys.range().ge(bound.as_bytes()).into_stream().ok().and_then(|mut s| {
            // term_ord counts from the dictionary's start, not the range's.
            s.advance().then(|| s.term_ord())
        });
        first.map_or(self.num_keys, |o| o.min(u64::from(self.num_keys)) as u32)
    }

    /// Docs whose key starts with `prefix` (deleted ones included), with
    /// whether the key equals it.
    pub fn prefix_docs(&self, prefix: &str) -> impl Iterator<Item = (DocId, bool)> + '_ {
        let lo = self.lower_bound(prefix);
        let hi = match crate::query::prefix_end(prefix) {
            Some(end) => self.lower_bound(&end),
            None => self.num_keys(),
        };
        let exact = (lo < hi && self.key(lo) == prefix).then_some(lo);
        let first = self.by_key.partition_point(|&d| self.key_ord[d as usize] < lo);
        let last = self.by_key.partition_point(|&d| self.key_ord[d as usize] < hi);
        self.by_key[first..last].iter().map(move |&d| (d, Some(self.key_ord[d as usize]) == exact))
    }

    /// The index of a package type in this segment, if any doc has it.
    pub fn package_type_index(&self, wanted: &str) -> Option<u32> {
        self.package_types.iter().position(|t| t == wanted).map(|i| i as u32)
    }
}

/// A `str` column as (sorted distinct values concatenated, their ends,
/// each doc's ordinal).
fn strings(col: StrColumn, max_doc: u32) -> io::Result<(String, Vec<u32>, Vec<u32>)> {
    let (dict, ords) = col.into_parts();
    let (all, ends) = copy_keys(&dict)?;
    let per_doc = first_values(&ords, max_doc, u64::from(u32::MAX)).into_iter().map(|o| o as u32).collect();
    Ok((all, ends, per_doc))
}

/// All keys of a dictionary, concatenated, with where each ends.
fn copy_keys(dict: &Dictionary) -> io::Result<(String, Vec<u32>)> {
    let mut all = String::new();
    let mut ends = Vec::with_capacity(dict.num_terms());
    let mut stream = dict.stream()?;
    while stream.advance() {
        let s = std::str::from_utf8(stream.key()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        all.push_str(s);
        ends.push(u32::try_from(all.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "keys over 4 GiB"))?);
    }
    Ok((all, ends))
}

/// Each doc's first value (`absent` for a doc without one). A column with
/// exactly one value per doc (every key, every year of a full segment) is
/// read in one bulk call: a call per doc through the codec cost about a
/// millisecond per column at 100,000 docs, on every open.
fn first_values(col: &Column<u64>, max_doc: u32, absent: u64) -> Vec<u64> {
    match col.index {
        tantivy::columnar::ColumnIndex::Full => {
            let mut out = vec![absent; max_doc as usize];
            col.values.get_range(0, &mut out);
            out
        }
        _ => (0..max_doc).map(|doc| col.first(doc).unwrap_or(absent)).collect(),
    }
}

/// Every doc, ordered by (key ordinal, doc): a counting sort over the
/// ordinals (linear; a comparison sort of 100,000 docs cost 2.7 ms on each
/// open). Docs without a key (ordinal past the last) come last.
fn docs_by_key(key_ord: &[u32], num_keys: usize) -> Vec<DocId> {
    let bucket = |ord: u32| (ord as usize).min(num_keys);
    let mut starts = vec![0u32; num_keys + 2];
    for &ord in key_ord {
        starts[bucket(ord) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut out = vec![0; key_ord.len()];
    for (doc, &ord) in key_ord.iter().enumerate() {
        let slot = &mut starts[bucket(ord)];
        out[*slot as usize] = doc as DocId;
        *slot += 1;
    }
    out
}

/// Whether a segment's keys are copied into memory when it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keys {
    /// Copied: dearer to open, cheaper per query (a server).
    #[default]
    Copied,
    /// Read from the dictionary per query: cheap to open (a one-shot CLI).
    OnDemand,
}

/// The segments' data, shared by the warmer and the collectors.
#[derive(Default)]
pub(crate) struct SegmentCache {
    segments: RwLock<HashMap<SegmentId, Arc<SegmentData>>>,
    keys: Keys,
}

impl SegmentCache {
    pub fn new(keys: Keys) -> Self {
        SegmentCache { segments: RwLock::default(), keys }
    }

    pub fn get(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentData>> {
        let id = segment.segment_id();
        if let Some(data) = self.segments.read().unwrap_or_else(PoisonError::into_inner).get(&id) {
            return Ok(Arc::clone(data));
        }
        let data = Arc::new(SegmentData::load(segment, self.keys)?);
        self.segments.write().unwrap_or_else(PoisonError::into_inner).insert(id, Arc::clone(&data));
        Ok(data)
    }
}

impl Warmer for SegmentCache {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.get(segment)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations.iter().flat_map(|g| g.segments().keys().copied()).collect();
        self.segments.write().unwrap_or_else(PoisonError::into_inner).retain(|id, _| live.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counting_sort_orders_as_the_comparison_sort_did() {
        // Repeated keys (deleted duplicates), docs without a key (u32::MAX).
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        for num_keys in [0usize, 1, 5, 300] {
            let key_ord: Vec<u32> = (0..1_000)
                .map(|_| match next() % 10 {
                    0 => u32::MAX,
                    _ if num_keys == 0 => u32::MAX,
                    _ => next() % num_keys as u32,
                })
                .collect();
            let mut expected: Vec<DocId> = (0..key_ord.len() as u32).collect();
            expected.sort_unstable_by_key(|&doc| (key_ord[doc as usize], doc));
            assert_eq!(docs_by_key(&key_ord, num_keys), expected, "{num_keys} keys");
        }
    }
}
