//! The index snapshot (`GET /api/index/snapshot`) read entry by entry.
//!
//! A snapshot holds every package of the registry (94 MB for 100,000
//! packages), so it is never parsed whole: [`crate::RegistryClient::snapshot_to`]
//! streams it to a file through a cap, and [`read_snapshot`] hands each
//! package to the caller as soon as it is parsed. Memory stays at one
//! package at a time, whatever the registry sends.

use std::fmt;
use std::io::Read;

use revitpy_api::IndexPackage;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// The registry serial the snapshot is at least as new as.
    pub serial: i64,
    pub packages: u64,
}

/// Parses a snapshot from `reader`, calling `each` for every package in the
/// order sent. An error from `each` stops the parse and is returned as is;
/// anything that is not a snapshot is an error naming where it went wrong.
pub fn read_snapshot(
    reader: impl Read,
    mut each: impl FnMut(IndexPackage) -> Result<(), String>,
) -> Result<SnapshotSummary, String> {
    let mut refused = None;
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(256 * 1024, reader));
    let parsed = Snapshot { each: &mut each, refused: &mut refused }.deserialize(&mut de).and_then(|s| {
        de.end()?;
        Ok(s)
    });
    match (parsed, refused) {
        (_, Some(e)) => Err(e),
        (Ok(s), None) => Ok(s),
        (Err(e), None) => Err(format!("the index snapshot is not what this client understands: {e}")),
    }
}

struct Snapshot<'a, F> {
    each: &'a mut F,
    /// The caller's own error, kept apart from JSON errors so it is shown unchanged.
    refused: &'a mut Option<String>,
}

impl<'de, F: FnMut(IndexPackage) -> Result<(), String>> DeserializeSeed<'de> for Snapshot<'_, F> {
    type Value = SnapshotSummary;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(IndexPackage) -> Result<(), String>> Visitor<'de> for Snapshot<'_, F> {
    type Value = SnapshotSummary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an index snapshot, {"serial": N, "packages": [...]}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut serial = None;
        let mut packages = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "serial" if serial.is_none() => serial = Some(map.next_value::<i64>()?),
                "packages" if packages.is_none() => {
                    packages =
                        Some(map.next_value_seed(Packages { each: &mut *self.each, refused: &mut *self.refused })?)
                }
                "serial" | "packages" => return Err(de::Error::custom(format!("`{key}` appears twice"))),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(SnapshotSummary {
            serial: serial.ok_or_else(|| de::Error::missing_field("serial"))?,
            packages: packages.ok_or_else(|| de::Error::missing_field("packages"))?,
        })
    }
}

struct Packages<'a, F> {
    each: &'a mut F,
    refused: &'a mut Option<String>,
}

impl<'de, F: FnMut(IndexPackage) -> Result<(), String>> DeserializeSeed<'de> for Packages<'_, F> {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(IndexPackage) -> Result<(), String>> Visitor<'de> for Packages<'_, F> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of index entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut n = 0;
        while let Some(package) = seq.next_element::<IndexPackage>()? {
            if let Err(e) = (self.each)(package) {
                *self.refused = Some(e);
                return Err(de::Error::custom("stopped by the caller"));
            }
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = r#"{"name":"Wall-Tools","normalized_name":"wall-tools","download_count":3,"versions":[]}"#;

    fn names(text: &str) -> Result<(SnapshotSummary, Vec<String>), String> {
        let mut seen = Vec::new();
        let s = read_snapshot(text.as_bytes(), |p| {
            seen.push(p.normalized_name);
            Ok(())
        })?;
        Ok((s, seen))
    }

    #[test]
    fn packages_arrive_one_by_one_in_any_key_order() {
        let (s, seen) = names(&format!(r#"{{"packages":[{ENTRY},{ENTRY}],"missing":[],"serial":7}}"#)).unwrap();
        assert_eq!(s, SnapshotSummary { serial: 7, packages: 2 });
        assert_eq!(seen, ["wall-tools", "wall-tools"]);
    }

    #[test]
    fn what_is_not_a_snapshot_is_an_error() {
        for bad in [
            r#"{"packages":[]}"#,
            r#"{"serial":1}"#,
            r#"{"serial":1,"packages":[],"serial":2}"#,
            r#"{"serial":1,"packages":[{"name":1}]}"#,
            r#"{"serial":1,"packages":[]} trailing"#,
            r#"{"serial":1,"packages":["#,
            "[]",
        ] {
            let e = names(bad).unwrap_err();
            assert!(e.contains("not what this client understands"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_callers_error_stops_the_parse_unchanged() {
        let text = format!(r#"{{"serial":1,"packages":[{ENTRY},{ENTRY}]}}"#);
        let mut calls = 0;
        let e = read_snapshot(text.as_bytes(), |_| {
            calls += 1;
            Err("disk full".to_owned())
        })
        .unwrap_err();
        assert_eq!(e, "disk full");
        assert_eq!(calls, 1);
    }
}
