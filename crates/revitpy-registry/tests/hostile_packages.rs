//! Packages that once took the registry down or fooled its users, uploaded
//! to the real binary: each was reproduced against the server before the fix
//! (see docs/RELIABILITY.md). After every case the server still answers.

mod common;

use std::io::Write;

use common::{ADMIN_TOKEN, TestServer, build_source};
use serde_json::{Value, json};

/// A package written directly with the `zip` crate, as an attacker would,
/// in the original builder's layout (a manifest and files, no build record).
fn raw_package(manifest: &Value, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("rpyx-manifest.json", opts).unwrap();
        zip.write_all(manifest.to_string().as_bytes()).unwrap();
        for (path, bytes) in files {
            zip.start_file(*path, opts).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn manifest(name: &str) -> Value {
    json!({
        "name": name,
        "version": "1.0.0",
        "description": "a test package",
        "author": "tests",
        "revit_compatibility": {"min_version": "2022"},
    })
}

async fn still_up(server: &TestServer) {
    let (status, _) = server.get_json("/health").await;
    assert_eq!(status, 200, "the server stopped answering");
}

#[tokio::test]
async fn file_names_in_any_script_are_published_and_downloaded() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    // Before the fix: 500 (a panic splitting `ö` at a byte index).
    let file = build_source(
        dir.path(),
        "international-walls",
        &[("Größe.py", "print('größe')\n"), ("Стены.py", "print('стены')\n"), ("壁/作成.py", "print(1)\n")],
    );
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let r = server.get("/api/packages/international-walls/1.0.0/download").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), std::fs::read(&file).unwrap().as_slice());
    // The same names in an archive written by another tool.
    let bytes = raw_package(&manifest("international-raw"), &[("Größe.py", b"x = 1\n"), ("Стены.py", b"y = 2\n")]);
    let (status, body) = server.upload_bytes(bytes, Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_thousand_megabytes_of_zeros_in_one_megabyte_is_refused() {
    let server = TestServer::start();
    // 1,000 entries of 1 MiB zeros: about 1 MB compressed, each entry under
    // the per-entry ratio check. Before the fix: accepted, and scanned with
    // all of it in memory at once (1 GB per upload).
    // Deflate the megabyte once and copy its compressed bytes 1,000 times
    // (a debug build deflating a gigabyte takes minutes).
    let one = raw_package(&manifest("zero-bomb"), &[("data/z0.bin", &vec![0u8; 1024 * 1024])]);
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(one)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.raw_copy_file(source.by_name("rpyx-manifest.json").unwrap()).unwrap();
        for i in 0..1000 {
            zip.raw_copy_file_rename(source.by_name("data/z0.bin").unwrap(), format!("data/z{i}.bin")).unwrap();
        }
        zip.finish().unwrap();
    }
    let bytes = out.into_inner();
    assert!(bytes.len() < 2 * 1024 * 1024, "{}", bytes.len());
    let (status, body) = server.upload_bytes(bytes, Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("100:1"), "{body}");
    still_up(&server).await;
}

#[tokio::test]
async fn control_characters_in_a_manifest_are_refused() {
    let server = TestServer::start();
    for (field, value) in [
        ("description", "\u{1b}[2J\u{1b}[Hall clear"),
        ("author", "mallory\u{1b}]0;pwned\u{7}"),
        ("description", "looks \u{202e}txt.exe"),
    ] {
        let mut m = manifest("escape-artist");
        m[field] = json!(value);
        let bytes = raw_package(&m, &[("main.py", b"print(1)\n")]);
        let (status, body) = server.upload_bytes(bytes, Some(ADMIN_TOKEN), None).await;
        assert_eq!(status, 400, "{field}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(field), "{detail}");
        // The refusal itself carries no raw escape back to a terminal.
        assert!(!detail.contains('\u{1b}') && !detail.contains('\u{202e}'), "{detail:?}");
    }
    still_up(&server).await;
}

#[tokio::test]
async fn nested_constant_joins_are_a_finding_not_a_crash() {
    let server = TestServer::start();
    // The review's 1.5 KB source: `"sep".join([...])` five deep, each level
    // joining 60 short strings with the level below as the separator: folded
    // naively, 59^5 copies of the innermost string, gigabytes. Before the
    // fix the server aborted on the allocation.
    let items = vec!["'b'"; 60].join(",");
    let mut expr = "'AAAA'".to_owned();
    for _ in 0..5 {
        expr = format!("({expr}).join([{items}])");
    }
    assert!(expr.len() < 2_000, "{}", expr.len());
    let source = format!("x = {expr}\n");
    let dir = tempfile::tempdir().unwrap();
    let file = build_source(dir.path(), "join-bomb", &[("bomb.py", &source)]);
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert!(status == 200 || status == 422, "{status}: {body}");
    still_up(&server).await;
    if status == 200 {
        let (_, detail) = server.get_json("/api/packages/join-bomb").await;
        let scan = detail.to_string();
        assert!(scan.contains("fold-budget"), "the scan should say that folding stopped at its budget: {scan}");
    }
}
