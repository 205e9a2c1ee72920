//! Per-segment columns held in plain vectors, built when a segment first
//! becomes searchable.
//!
//! Why: tantivy's fast fields are compact but each read is a dynamic call
//! into a codec, and turning a key ordinal back into a name decodes an
//! sstable block (microseconds). Profiling showed name lookups and the
//! name-prefix scan costing about a third of a query. A segment never
//! changes once written (deletes only hide docs), so its columns can be
//! copied into vectors once: about 40 bytes a doc, 4 MB at 100,000 docs.
//!
//! The copy is made by a tantivy [`Warmer`], which runs on every reload
//! before the new searcher is published, so no query ever pays for it; a
//! segment the warmer has not seen (which should not happen) is loaded on
//! first use. Segments that no live searcher uses are dropped.

use std::collections::HashMap;
use std::collections::HashSet;
use std::io;
use std::sync::{Arc, PoisonError, RwLock};

use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, TantivyError, Warmer};

use crate::schema::{DOWNLOADS, KEY, MAX_REVIT, MIN_REVIT, OPEN_ABOVE, PACKAGE_TYPE};

/// One segment's columns, indexed by doc id unless said otherwise.
#[derive(Debug)]
pub(crate) struct SegmentData {
    /// All keys in sorted order, concatenated; `key_ends[o]` ends key `o`.
    keys: String,
    key_ends: Vec<u32>,
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
    fn load(segment: &SegmentReader) -> tantivy::Result<Self> {
        let ff = segment.fast_fields();
        let max_doc = segment.max_doc();
        let (keys, key_ends, key_ord) =
            strings(ff.str(KEY)?.ok_or_else(|| TantivyError::SchemaError(format!("no fast column {KEY}")))?, max_doc)?;
        let mut by_key: Vec<DocId> = (0..max_doc).collect();
        by_key.sort_unstable_by_key(|&doc| (key_ord[doc as usize], doc));

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
            (0..max_doc).map(|doc| col.first(doc).unwrap_or(absent).min(OPEN_ABOVE) as u16).collect()
        };
        let downloads = ff.u64(DOWNLOADS)?;
        Ok(SegmentData {
            keys,
            key_ends,
            key_ord,
            by_key,
            min_revit: year(ff.u64(MIN_REVIT)?, 0),
            max_revit: year(ff.u64(MAX_REVIT)?, OPEN_ABOVE),
            downloads: (0..max_doc).map(|doc| downloads.first(doc).unwrap_or(0)).collect(),
            package_types,
            package_type,
        })
    }

    /// The key of ordinal `ord`.
    pub fn key(&self, ord: u32) -> &str {
        let end = self.key_ends[ord as usize] as usize;
        let start = match ord {
            0 => 0,
            _ => self.key_ends[ord as usize - 1] as usize,
        };
        &self.keys[start..end]
    }

    fn num_keys(&self) -> u32 {
        self.key_ends.len() as u32
    }

    /// The first key ordinal whose key is not below `bound`.
    fn lower_bound(&self, bound: &str) -> u32 {
        let (mut lo, mut hi) = (0, self.num_keys());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid) < bound {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
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
    let mut all = String::new();
    let mut ends = Vec::with_capacity(dict.num_terms());
    let mut stream = dict.stream()?;
    while stream.advance() {
        let s = std::str::from_utf8(stream.key()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        all.push_str(s);
        let end =
            u32::try_from(all.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "column over 4 GiB"))?;
        ends.push(end);
    }
    let per_doc = (0..max_doc).map(|doc| ords.first(doc).map_or(u32::MAX, |o| o as u32)).collect();
    Ok((all, ends, per_doc))
}

/// The segments' data, shared by the warmer and the collectors.
#[derive(Default)]
pub(crate) struct SegmentCache {
    segments: RwLock<HashMap<SegmentId, Arc<SegmentData>>>,
}

impl SegmentCache {
    pub fn get(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentData>> {
        let id = segment.segment_id();
        if let Some(data) = self.segments.read().unwrap_or_else(PoisonError::into_inner).get(&id) {
            return Ok(Arc::clone(data));
        }
        let data = Arc::new(SegmentData::load(segment)?);
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
