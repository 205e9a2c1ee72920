//! ZIP64: no package needs it (packages are far below 4 GiB and 65,535
//! entries), and its 64-bit sizes and counts are one more place for a
//! hostile archive to lie, so the reader refuses it wherever it appears.

mod support;

use std::io::{Cursor, Write};

use revitpy_rpyx::{Limits, Package, ReadError};
use support::{manifest_json, zip_of};
use zip::write::SimpleFileOptions;

fn open(bytes: Vec<u8>) -> Result<Package, ReadError> {
    Package::from_bytes(bytes, Limits::default())
}

#[test]
fn an_end_record_that_points_to_zip64_is_refused() {
    let mut bytes = zip_of(&[("rpyx-manifest.json", &manifest_json(serde_json::json!({}))), ("main.py", b"x = 1\n")]);
    // The classic end record with its count set to 0xFFFF: "see the ZIP64 record".
    let eocd = bytes.windows(4).rposition(|w| w == [0x50, 0x4b, 0x05, 0x06]).unwrap();
    bytes[eocd + 10..eocd + 12].copy_from_slice(&[0xff, 0xff]);
    let err = open(bytes).err().expect("refused");
    assert!(err.to_string().contains("ZIP64"), "{err}");
}

#[test]
fn entries_written_as_zip64_are_refused() {
    // The `zip` crate writes an entry as ZIP64 when asked for a large file.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let small = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("rpyx-manifest.json", small).unwrap();
    w.write_all(&manifest_json(serde_json::json!({}))).unwrap();
    w.start_file("main.py", small.large_file(true)).unwrap();
    w.write_all(b"x = 1\n").unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let err = open(bytes).err().expect("refused");
    assert!(err.to_string().contains("ZIP64") && err.to_string().contains("main.py"), "{err}");
}
