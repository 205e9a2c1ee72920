//! The one rule for a package's "latest" version, shared by the registry's
//! store, the client's local index and its search results, so they can never
//! disagree about which version a package shows.

use crate::Version;

/// The newest final release that is not yanked, else the newest pre-release
/// that is not yanked (a package published only as pre-releases still has a
/// latest version). `None` when nothing qualifies.
///
/// Generic over what holds a version (an index entry, a database row, a
/// reference to either): `version` reads it, `None` when it does not parse
/// (such an item is never chosen, as no order can place it), and `yanked`
/// says whether it was withdrawn. Of two equal versions (`1.0` and `1.0.0`
/// under PEP 440) the first one given wins, so the answer depends only on
/// the items' order, never on how the comparison happens to break ties.
pub fn latest<I: IntoIterator>(
    items: I,
    mut version: impl FnMut(&I::Item) -> Option<Version>,
    mut yanked: impl FnMut(&I::Item) -> bool,
) -> Option<I::Item> {
    let mut newest_final: Option<(Version, I::Item)> = None;
    let mut newest_pre: Option<(Version, I::Item)> = None;
    for item in items {
        if yanked(&item) {
            continue;
        }
        let Some(v) = version(&item) else { continue };
        let slot = if v.any_prerelease() { &mut newest_pre } else { &mut newest_final };
        if slot.as_ref().is_none_or(|(best, _)| v > *best) {
            *slot = Some((v, item));
        }
    }
    newest_final.or(newest_pre).map(|(_, item)| item)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// (version text, yanked)
    type Row = (&'static str, bool);

    fn pick(rows: &[Row]) -> Option<&'static str> {
        latest(rows, |r| Version::from_str(r.0).ok(), |r| r.1).map(|r| r.0)
    }

    #[test]
    fn a_final_release_beats_any_newer_pre_release() {
        assert_eq!(pick(&[("1.0", false), ("2.0rc1", false), ("1.1", false), ("2.0.dev3", false)]), Some("1.1"));
        // PEP 440 order, not string order.
        assert_eq!(pick(&[("1.9", false), ("1.10", false), ("1.2", false)]), Some("1.10"));
        // A post-release is a final release.
        assert_eq!(pick(&[("1.0", false), ("1.0.post1", false)]), Some("1.0.post1"));
    }

    #[test]
    fn only_pre_releases_give_the_newest_pre_release() {
        assert_eq!(pick(&[("1.0a1", false), ("1.0b2", false), ("1.0.dev5", false)]), Some("1.0b2"));
    }

    #[test]
    fn yanked_versions_never_count() {
        assert_eq!(pick(&[("1.0", false), ("2.0", true)]), Some("1.0"));
        // Every final release yanked: the newest pre-release left.
        assert_eq!(pick(&[("1.0", true), ("2.0b1", false), ("2.0rc1", true)]), Some("2.0b1"));
        assert_eq!(pick(&[("1.0", true), ("2.0b1", true)]), None);
    }

    #[test]
    fn unparsable_versions_are_skipped() {
        assert_eq!(pick(&[("banana", false), ("1.0", false), ("9-not-pep440", false)]), Some("1.0"));
        assert_eq!(pick(&[("banana", false)]), None);
    }

    #[test]
    fn of_equal_versions_the_first_wins() {
        let rows = [(1, "1.0"), (2, "1.0.0"), (3, "0.9")];
        let id = |rows: &[(i32, &str)]| latest(rows, |r| Version::from_str(r.1).ok(), |_| false).map(|r| r.0);
        assert_eq!(id(&rows), Some(1));
        assert_eq!(id(&[(2, "1.0.0"), (1, "1.0")]), Some(2));
        let pre = [(1, "2.0b1"), (2, "2.0.0b1")];
        assert_eq!(id(&pre), Some(1));
    }

    #[test]
    fn nothing_given_nothing_chosen() {
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn owned_items_come_back_whole() {
        // A caller with rows of its own (the store's id, version, yanked)
        // gets the row back, not a reference into a temporary.
        let rows = vec![(7_i64, "1.0".to_owned(), false), (8, "1.1".to_owned(), false), (9, "1.2".to_owned(), true)];
        let row = latest(rows, |r| Version::from_str(&r.1).ok(), |r| r.2);
        assert_eq!(row, Some((8, "1.1".to_owned(), false)));
    }
}
