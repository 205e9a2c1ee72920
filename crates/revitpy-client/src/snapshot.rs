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

/// Which form a snapshot came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One JSON document (`/api/index/snapshot`).
    Json,
    /// zstd-compressed JSON lines (`?format=compact`).
    Compact,
}

/// Reads a snapshot in either form. `each` gets every package, and the
/// JSON text it was parsed from when the form has one per package (the
/// compact form's lines), so that a caller who keeps the text need not
/// write it again.
pub fn read_form(
    form: Form,
    reader: impl Read,
    mut each: impl FnMut(IndexPackage, Option<&str>) -> Result<(), String>,
) -> Result<SnapshotSummary, String> {
    match form {
        Form::Json => read_snapshot(reader, |p| each(p, None)),
        Form::Compact => read_compact(reader, |p, text| each(p, Some(text))),
    }
}

#[derive(serde::Deserialize)]
struct CompactHead {
    format: String,
    version: u32,
    serial: i64,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CompactEnd {
    end: bool,
    packages: u64,
}

/// Parses a compact snapshot: zstd-compressed JSON lines, a head line, one
/// package per line, an end line with the count. Decompressed bytes and
/// each line are capped ([`crate::limits`]); a stream cut anywhere, a
/// count that does not match, or bytes after the end are errors. `each`
/// gets each package with the line it was parsed from (without its newline).
pub fn read_compact(
    reader: impl Read,
    each: impl FnMut(IndexPackage, &str) -> Result<(), String>,
) -> Result<SnapshotSummary, String> {
    use crate::limits::{MAX_SNAPSHOT_DECODED_BYTES, MAX_SNAPSHOT_LINE_BYTES};
    read_compact_capped(reader, each, MAX_SNAPSHOT_DECODED_BYTES, MAX_SNAPSHOT_LINE_BYTES)
}

/// [`read_compact`] with its caps given (tests use small ones).
fn read_compact_capped(
    reader: impl Read,
    mut each: impl FnMut(IndexPackage, &str) -> Result<(), String>,
    max_decoded: u64,
    max_line: u64,
) -> Result<SnapshotSummary, String> {
    use std::io::BufRead;
    let bad = |why: String| format!("the compact index snapshot is not what this client understands: {why}");
    let decoder = zstd::stream::read::Decoder::new(reader).map_err(|e| bad(e.to_string()))?;
    let mut input = std::io::BufReader::with_capacity(256 * 1024, decoder.take(max_decoded + 1));
    let mut line = Vec::with_capacity(4096);
    let mut read_line = |line: &mut Vec<u8>| -> Result<bool, String> {
        line.clear();
        let n = (&mut input).take(max_line + 1).read_until(b'\n', line).map_err(|e| bad(e.to_string()))?;
        // The decoder is read through `take(max_decoded + 1)`: nothing left
        // of it means more came out than the cap allows.
        if input.get_ref().limit() == 0 {
            return Err(bad(format!("it decompresses to more than {max_decoded} bytes")));
        }
        if n as u64 > max_line {
            return Err(bad(format!("a line is longer than {} bytes", max_line)));
        }
        Ok(n > 0)
    };
    if !read_line(&mut line)? {
        return Err(bad("it is empty".to_owned()));
    }
    let head: CompactHead = serde_json::from_slice(&line).map_err(|e| bad(format!("its first line: {e}")))?;
    if head.format != "revitpy-index-lines" || head.version != 1 {
        return Err(bad(format!("format `{}` version {}", head.format, head.version)));
    }
    let mut packages = 0u64;
    loop {
        if !read_line(&mut line)? {
            return Err(bad(format!("it ends after {packages} packages without its end line (cut short)")));
        }
        if line.starts_with(b"{\"end\"") {
            let end: CompactEnd = serde_json::from_slice(&line).map_err(|e| bad(format!("its end line: {e}")))?;
            if !end.end || end.packages != packages {
                return Err(bad(format!("its end line counts {} packages; it held {packages}", end.packages)));
            }
            break;
        }
        let p: IndexPackage =
            serde_json::from_slice(&line).map_err(|e| bad(format!("package line {}: {e}", packages + 1)))?;
        // It parsed as JSON, so it is UTF-8; checked again all the same,
        // it is cheap beside the parse.
        let text = std::str::from_utf8(line.trim_ascii_end())
            .map_err(|e| bad(format!("package line {}: {e}", packages + 1)))?;
        each(p, text)?;
        packages += 1;
    }
    if read_line(&mut line)? {
        return Err(bad("there is more after its end line".to_owned()));
    }
    Ok(SnapshotSummary { serial: head.serial, packages })
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

    fn compact(lines: &[&str]) -> Vec<u8> {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        zstd::encode_all(text.as_bytes(), 3).unwrap()
    }

    const HEAD: &str = r#"{"format":"revitpy-index-lines","version":1,"serial":9}"#;

    #[test]
    fn compact_snapshots_read_line_by_line_and_cut_ones_are_refused() {
        let good = compact(&[HEAD, ENTRY, ENTRY, r#"{"end":true,"packages":2}"#]);
        let mut seen = 0;
        let s = read_compact(good.as_slice(), |p, text| {
            // The text handed over is the line the package came from.
            assert_eq!(text, ENTRY);
            assert_eq!(serde_json::from_str::<IndexPackage>(text).unwrap().normalized_name, p.normalized_name);
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((s, seen), (SnapshotSummary { serial: 9, packages: 2 }, 2));
        for (bad, why) in [
            (compact(&[HEAD, ENTRY]), "cut short"),
            (compact(&[HEAD, ENTRY, r#"{"end":true,"packages":3}"#]), "counts 3"),
            (compact(&[HEAD, r#"{"end":true,"packages":0}"#, ENTRY]), "more after"),
            (compact(&[r#"{"format":"other","version":1,"serial":1}"#]), "format `other`"),
            (compact(&[HEAD, r#"{"name":1}"#]), "package line 1"),
            (good[..good.len() - 3].to_vec(), "not what this client understands"),
            (b"not zstd".to_vec(), "not what this client understands"),
        ] {
            let e = read_compact(bad.as_slice(), |_, _| Ok(())).unwrap_err();
            assert!(e.contains(why), "{why}: {e}");
        }
    }

    #[test]
    fn a_compact_snapshot_past_its_caps_stops_there() {
        let long =
            format!(r#"{{"name":"{}","normalized_name":"a","download_count":0,"versions":[]}}"#, "a".repeat(5_000));
        let text = compact(&[HEAD, &long, r#"{"end":true,"packages":1}"#]);
        let e = read_compact_capped(text.as_slice(), |_, _| Ok(()), 1 << 20, 4_096).unwrap_err();
        assert!(e.contains("a line is longer than 4096 bytes"), "{e}");
        assert!(read_compact_capped(text.as_slice(), |_, _| Ok(()), 1 << 20, 8_192).is_ok());
        // A bomb: a megabyte of spaces in a few hundred bytes, past a 64 KiB
        // cap on what is decompressed (and under the line cap).
        let mut bombed = compact(&[HEAD]);
        bombed.extend(zstd::encode_all(vec![b' '; 1 << 20].as_slice(), 3).unwrap());
        assert!(bombed.len() < 1_000);
        let e = read_compact_capped(bombed.as_slice(), |_, _| Ok(()), 64 * 1024, 1 << 30).unwrap_err();
        assert!(e.contains("decompresses to more than 65536 bytes"), "{e}");
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
