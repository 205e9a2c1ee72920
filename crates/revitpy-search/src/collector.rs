//! The ranking collector: filters, tiers, tie-breaks, top-k and total in one
//! pass over the matching docs.
//!
//! Why a collector and not boosts: the rules are lexicographic (exact name,
//! then prefix, then BM25, then downloads, then name), which additive boosts
//! only approximate (a large boost eats the BM25 digits of an `f32`), and
//! `total` needs every match counted anyway, so the block-max pruning that a
//! plain top-k-by-score would get is out of reach whatever we do. Filters
//! are checked here too, so they only ever remove docs.
//!
//! The exact/prefix tiers are not a clause of the query: OR-ing a key range
//! into the words query put a union over every match and doubled the cost.
//! Instead each segment lists the live docs whose key starts with the
//! normalized query (a binary search in its sorted keys, see
//! [`crate::segment_data`]) before the words query runs, and the collector
//! walks that sorted list alongside the matches, which tantivy delivers in
//! doc order. A listed doc the words also match gets its BM25 score; one
//! they skip is a name-only match, scored 0.
//!
//! Per match the collector reads the filter values and compares (tier,
//! score) with the worst kept doc; only a doc that may enter the top k pays
//! for reading its downloads and key. Names are materialised for the
//! per-segment top k only; within a segment key ordinals sort like keys.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use crate::segment_data::{SegmentCache, SegmentData};

/// Rank tiers, best first when compared descending.
const TIER_TEXT: u8 = 0;
const TIER_PREFIX: u8 = 1;
const TIER_EXACT: u8 = 2;

pub(crate) struct RankCollector<'a> {
    pub cache: &'a SegmentCache,
    /// The normalized query for the exact/prefix tiers; `None` for listings.
    pub normalized: Option<&'a str>,
    pub revit_year: Option<u16>,
    pub package_type: Option<&'a str>,
    /// offset + limit: how many ranked docs each segment must keep.
    pub keep: usize,
    pub scoring: bool,
}

/// One ranked doc. `Ord` is the result order: `Less` ranks first.
#[derive(Debug, Clone)]
pub(crate) struct Ranked<K> {
    tier: u8,
    score: Score,
    downloads: u64,
    /// Within a segment the key's ordinal, across segments the key itself:
    /// both sort the same way.
    key: K,
}

impl<K: Ord> Ord for Ranked<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .tier
            .cmp(&self.tier)
            .then_with(|| other.score.total_cmp(&self.score))
            .then_with(|| other.downloads.cmp(&self.downloads))
            .then_with(|| self.key.cmp(&other.key))
    }
}
impl<K: Ord> PartialOrd for Ranked<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord> PartialEq for Ranked<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<K: Ord> Eq for Ranked<K> {}

impl<K> Ranked<K> {
    pub fn into_parts(self) -> (K, Score) {
        (self.key, self.score)
    }
}

/// The k best so far: a max-heap whose top is the worst kept doc.
struct TopK<K> {
    keep: usize,
    heap: BinaryHeap<Ranked<K>>,
}

impl<K: Ord> TopK<K> {
    fn new(keep: usize) -> Self {
        // Capacity grows with real matches, never with a hostile offset.
        TopK { keep, heap: BinaryHeap::with_capacity(keep.min(64)) }
    }

    fn push(&mut self, r: Ranked<K>) {
        if self.heap.len() < self.keep {
            self.heap.push(r);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && r < *worst
        {
            *worst = r;
        }
    }
}

/// What one segment hands back: its count and its top k, names resolved.
pub(crate) struct SegmentFruit {
    count: usize,
    top: Vec<Ranked<String>>,
}

pub(crate) struct Fruit {
    pub total: usize,
    /// All kept docs of all segments, in result order.
    pub ranked: Vec<Ranked<String>>,
}

impl Collector for RankCollector<'_> {
    type Fruit = Fruit;
    type Child = RankSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<RankSegmentCollector> {
        let data = self.cache.get(segment)?;
        // A package type absent from this segment matches nothing here.
        let (package_type, dead) = match self.package_type {
            Some(wanted) => match data.package_type_index(wanted) {
                Some(i) => (Some(i), false),
                None => (None, true),
            },
            None => (None, false),
        };
        let mut name_matches = Vec::new();
        if let Some(prefix) = self.normalized.filter(|q| !q.is_empty() && !dead) {
            name_matches.extend(
                data.prefix_docs(prefix)
                    .filter(|&(doc, _)| !segment.is_deleted(doc))
                    .map(|(doc, exact)| (doc, if exact { TIER_EXACT } else { TIER_PREFIX })),
            );
            name_matches.sort_unstable();
        }
        Ok(RankSegmentCollector {
            dead,
            revit_year: self.revit_year,
            package_type,
            data,
            name_matches,
            next_name_match: 0,
            count: 0,
            top: TopK::new(self.keep),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Fruit> {
        let mut total = 0;
        let mut ranked = Vec::new();
        for fruit in fruits {
            total += fruit.count;
            ranked.extend(fruit.top);
        }
        ranked.sort_unstable();
        ranked.truncate(self.keep);
        Ok(Fruit { total, ranked })
    }
}

pub(crate) struct RankSegmentCollector {
    /// Nothing in this segment can pass the filters.
    dead: bool,
    revit_year: Option<u16>,
    /// The wanted package type's index in this segment.
    package_type: Option<u32>,
    data: Arc<SegmentData>,
    /// Live docs matching by name, by doc id, and the first not yet seen.
    name_matches: Vec<(DocId, u8)>,
    next_name_match: usize,
    count: usize,
    top: TopK<u32>,
}

impl RankSegmentCollector {
    #[inline]
    fn passes_filters(&self, doc: DocId) -> bool {
        let d = doc as usize;
        if let Some(year) = self.revit_year
            && (self.data.min_revit[d] > year || self.data.max_revit[d] < year)
        {
            return false;
        }
        match self.package_type {
            Some(wanted) => self.data.package_type[d] == wanted,
            None => true,
        }
    }

    /// Counts a doc that passed the filters and offers it to the top k.
    #[inline]
    fn accept(&mut self, doc: DocId, tier: u8, score: Score) {
        self.count += 1;
        if self.top.keep == 0 {
            return;
        }
        let downloads = self.data.downloads[doc as usize];
        // Most docs lose to the worst kept one on (tier, score), and in a
        // listing (all scores 0) on downloads: decide without the key.
        if self.top.heap.len() >= self.top.keep
            && let Some(worst) = self.top.heap.peek()
        {
            let cheap = (tier, score, downloads).partial_cmp(&(worst.tier, worst.score, worst.downloads));
            if cheap == Some(Ordering::Less) {
                return;
            }
        }
        self.top.push(Ranked { tier, score, downloads, key: self.data.key_ord[doc as usize] });
    }

    /// Name matches before `doc` that the words query did not match.
    #[inline]
    fn name_only_matches_before(&mut self, doc: DocId) {
        while let Some(&(name_doc, tier)) = self.name_matches.get(self.next_name_match) {
            if name_doc >= doc {
                break;
            }
            self.next_name_match += 1;
            if self.passes_filters(name_doc) {
                self.accept(name_doc, tier, 0.0);
            }
        }
    }
}

impl SegmentCollector for RankSegmentCollector {
    type Fruit = SegmentFruit;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if self.dead {
            return;
        }
        let mut tier = TIER_TEXT;
        if !self.name_matches.is_empty() {
            self.name_only_matches_before(doc);
            if let Some(&(name_doc, name_tier)) = self.name_matches.get(self.next_name_match)
                && name_doc == doc
            {
                self.next_name_match += 1;
                tier = name_tier;
            }
        }
        if self.passes_filters(doc) {
            self.accept(doc, tier, score);
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        if !self.dead {
            self.name_only_matches_before(TERMINATED);
        }
        let top = self
            .top
            .heap
            .into_vec()
            .into_iter()
            .map(|r| Ranked { tier: r.tier, score: r.score, downloads: r.downloads, key: self.data.key(r.key) })
            .collect();
        SegmentFruit { count: self.count, top }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(tier: u8, score: f32, downloads: u64, key: &str) -> Ranked<String> {
        Ranked { tier, score, downloads, key: key.to_owned() }
    }

    #[test]
    fn order_is_tier_score_downloads_name() {
        let mut v = [
            r(TIER_TEXT, 9.0, 5, "a"),
            r(TIER_PREFIX, 1.0, 0, "z"),
            r(TIER_EXACT, 0.0, 0, "q"),
            r(TIER_TEXT, 9.0, 7, "c"),
            r(TIER_TEXT, 9.0, 7, "b"),
            r(TIER_TEXT, 10.0, 0, "y"),
        ];
        v.sort();
        let keys: Vec<&str> = v.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["q", "z", "y", "b", "c", "a"]);
    }

    #[test]
    fn top_k_keeps_the_best() {
        let mut top = TopK::new(2);
        for (i, d) in [3u64, 9, 1, 7, 8].into_iter().enumerate() {
            top.push(Ranked { tier: TIER_TEXT, score: 0.0, downloads: d, key: i as u64 });
        }
        let mut kept: Vec<u64> = top.heap.into_vec().iter().map(|r| r.downloads).collect();
        kept.sort();
        assert_eq!(kept, [8, 9]);
    }
}
