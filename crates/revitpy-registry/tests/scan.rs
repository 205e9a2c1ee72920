//! Uploads are scanned (DESIGN.md "Scan results"): the result is stored with
//! the version and shown with it; at or above the server's policy
//! (`SCAN_BLOCK_SEVERITY`, default critical) the upload is a 422 and nothing
//! is stored.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use revitpy_scan::report::Severity;
use serde_json::{Value, json};

/// Runs code it decodes first: critical (rule exec-decoded).
const DECODED_EXEC: &str = "import base64\nexec(base64.b64decode(\"cHJpbnQoMSk=\"))\n";

fn fsck(data_dir: &Path) -> (bool, Value) {
    let out = admin_command(data_dir).args(["fsck", "--json"]).output().unwrap();
    (out.status.success(), serde_json::from_slice(&out.stdout).expect("fsck prints JSON"))
}

/// What the scanner says of a package file, so a test states its premise
/// (the rules may change; these packages must stay what the tests need).
fn worst(file: &Path) -> Severity {
    let options = revitpy_check::CheckOptions { scan: true, ..revitpy_check::CheckOptions::default() };
    revitpy_check::check_file(file, &options).unwrap().scan.unwrap().unwrap().worst()
}

fn critical_package(dir: &Path) -> std::path::PathBuf {
    let file = build_source(dir, "sneaky-tools", &[("sneaky_tools/__init__.py", DECODED_EXEC)]);
    assert_eq!(worst(&file), Severity::Critical, "the premise: decoded exec is critical");
    file
}

/// A package shipping a compiled `.pyc` (high, rule compiled-python) and
/// nothing worse.
fn high_package(dir: &Path) -> std::path::PathBuf {
    let built = build_source(dir, "compiled-tools", &[("compiled_tools/__init__.py", "VALUE = 1\n")]);
    let mut pyc = vec![0x55, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];
    pyc.extend_from_slice(&[0xe3; 64]);
    let file = with_extra_file(&built, &dir.join("compiled-tools-pyc.rpyx"), "compiled_tools/helper.pyc", &pyc);
    assert_eq!(worst(&file), Severity::High, "the premise: a .pyc is high, not critical");
    file
}

#[tokio::test]
async fn an_example_is_scanned_and_its_report_stored() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("wall-tools", dir.path());
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let scan_status = body["security_scan_status"].as_str().unwrap().to_owned();
    assert!(["passed", "warning"].contains(&scan_status.as_str()), "{body}");

    let (_, d) = server.get_json("/api/packages/wall-tools").await;
    let v = &d["versions"][0];
    assert_eq!(v["security_scan_status"], scan_status.as_str());
    let scan = &v["security_scan"];
    assert!(["low", "medium"].contains(&scan["risk_level"].as_str().unwrap()), "{scan}");
    assert!(scan["findings"].is_array(), "{scan}");
    assert!(scan["compatibility"].is_array(), "{scan}");
    for key in ["network", "paths_written", "processes", "registry_keys"] {
        assert!(scan["capabilities"][key].is_array(), "{key}: {scan}");
    }
    assert_eq!(scan["impact"]["declared"], "low");
    assert!(scan["impact"]["computed"].is_string());
    let at = scan["scanned_at"].as_str().unwrap();
    assert!(at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T', "RFC 3339 UTC: {at}");

    // The index feed carries the status too.
    let (_, batch) = server.get_json("/api/index/packages?names=wall-tools").await;
    assert_eq!(batch["packages"][0]["versions"][0]["security_scan_status"], scan_status.as_str());
}

#[tokio::test]
async fn a_critical_upload_is_refused_and_nothing_is_stored() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = critical_package(dir.path());
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 422, "{body}");
    let detail = body["detail"].as_str().unwrap();
    for part in [
        "sneaky-tools 1.0.0",
        "risk level critical",
        "exec-decoded",
        "sneaky_tools/__init__.py:2",
        "SCAN_BLOCK_SEVERITY",
    ] {
        assert!(detail.contains(part), "{part:?} missing from {detail}");
    }

    let (status, _) = server.get_json("/api/packages/sneaky-tools").await;
    assert_eq!(status, 404);
    let (status, _) = server.get_json("/api/packages/sneaky-tools/1.0.0/download").await;
    assert_eq!(status, 404);
    let (_, stats) = server.get_json("/api/stats").await;
    assert_eq!(stats["total_versions"], 0);
    let (_, changes) = server.get_json("/api/changes?since=0").await;
    assert_eq!(changes["changes"], json!([]));
    let (clean, report) = fsck(&server.data_dir);
    assert!(clean, "{report}");
    assert_eq!(report["orphans"], json!([]), "the refused file was not kept: {report}");
    assert_eq!(report["blobs_checked"], 0, "{report}");
}

#[tokio::test]
async fn high_is_stored_as_failed_by_default_and_refused_at_policy_high() {
    let dir = tempfile::tempdir().unwrap();
    let file = high_package(dir.path());

    // Default policy (critical): accepted, stored as failed.
    let server = TestServer::start();
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["security_scan_status"], "failed");
    let (_, d) = server.get_json("/api/packages/compiled-tools").await;
    let v = &d["versions"][0];
    assert_eq!(v["security_scan_status"], "failed");
    assert_eq!(v["security_scan"]["risk_level"], "high");
    let findings = v["security_scan"]["findings"].as_array().unwrap();
    let pyc = findings.iter().find(|f| f["rule"] == "compiled-python").expect("the .pyc is reported");
    assert_eq!(pyc["file"], "compiled_tools/helper.pyc");
    assert_eq!(pyc["severity"], "high");
    drop(server);

    // --scan-block-severity high: refused, naming the finding.
    let server = TestServer::start_with(ServerOptions {
        args: vec!["--scan-block-severity".into(), "high".into()],
        ..ServerOptions::default()
    });
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 422, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("risk level high"), "{detail}");
    assert!(detail.contains("compiled-python at compiled_tools/helper.pyc:1"), "{detail}");
    let (status, _) = server.get_json("/api/packages/compiled-tools").await;
    assert_eq!(status, 404);
    // A clean package still goes through.
    let (status, body) = server.upload(&build_example("revitpy-utils", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let (clean, report) = fsck(&server.data_dir);
    assert!(clean && report["orphans"] == json!([]), "{report}");
}

#[tokio::test]
async fn policy_none_stores_even_critical_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let file = critical_package(dir.path());
    let server = TestServer::start_with(ServerOptions {
        env: vec![("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()), ("SCAN_BLOCK_SEVERITY".into(), "none".into())],
        ..ServerOptions::default()
    });
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["security_scan_status"], "failed");
    let (_, d) = server.get_json("/api/packages/sneaky-tools").await;
    let scan = &d["versions"][0]["security_scan"];
    assert_eq!(scan["risk_level"], "critical");
    let finding = &scan["findings"][0];
    assert_eq!(finding["rule"], "exec-decoded");
    assert_eq!(finding["line"], 2);
}

#[test]
fn a_bad_policy_value_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"))
        .args(["serve", "--scan-block-severity", "severe"])
        .env_clear()
        .env("PORT", "0")
        .env("DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("severe") && stderr.contains("none"), "{stderr}");
    assert!(!dir.path().join("registry.db").exists());
}
