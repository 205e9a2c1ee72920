//! `revitpy-registry rescan` beside a running server: versions whose report
//! another scanner wrote are scanned again, their reports and statuses
//! replaced, a changed status appended to the change feed; reads go on.

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;
use serde_json::Value;

/// Runs code it decodes first: critical.
const DECODED_EXEC: &str = "import base64\nexec(base64.b64decode(\"cHJpbnQoMSk=\"))\n";

fn admin(data_dir: &Path, args: &[&str]) -> Output {
    admin_command(data_dir).args(args).output().unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// What an older scanner left: a report it wrote, with its own verdict.
fn as_if_an_older_scanner_passed(data_dir: &Path, package: &str) {
    const OLDER: &str = "revitpy-scan 0.0.1+0000000000000000";
    if let Some(schema) = test_schema(data_dir) {
        assert!(package.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{package}");
        let sql = format!(
            "DO $$ DECLARE n bigint; BEGIN \
               UPDATE versions SET security_scan_status = 'passed', \
                 security_scan = jsonb_set(jsonb_set(security_scan::jsonb, '{{scanner}}', to_jsonb('{OLDER}'::text)), \
                                           '{{risk_level}}', to_jsonb('low'::text))::text \
               WHERE package_id = (SELECT id FROM packages WHERE normalized_name = '{package}'); \
               GET DIAGNOSTICS n = ROW_COUNT; \
               IF n <> 1 THEN RAISE EXCEPTION '% versions updated, not 1', n; END IF; \
             END $$"
        );
        schema.execute(&sql).unwrap();
        return;
    }
    let db = rusqlite::Connection::open(data_dir.join("registry.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let n = db
        .execute(
            "UPDATE versions SET security_scan_status = 'passed', \
             security_scan = json_set(security_scan, '$.scanner', ?2, '$.risk_level', 'low') \
             WHERE package_id = (SELECT id FROM packages WHERE normalized_name = ?1)",
            [package, OLDER],
        )
        .unwrap();
    assert_eq!(n, 1);
}

async fn status(server: &TestServer, name: &str) -> (String, Value) {
    let (code, d) = server.get_json(&format!("/api/packages/{name}")).await;
    assert_eq!(code, 200);
    (d["versions"][0]["security_scan_status"].as_str().unwrap().to_owned(), d["versions"][0]["security_scan"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescan_updates_what_an_older_scanner_judged_while_reads_go_on() {
    let mut options = ServerOptions::default();
    options.env.push(("SCAN_BLOCK_SEVERITY".into(), "none".into()));
    let server = Arc::new(TestServer::start_with(options));
    let dir = tempfile::tempdir().unwrap();
    let bad = build_source(dir.path(), "sneaky-tools", &[("sneaky_tools/__init__.py", DECODED_EXEC)]);
    for file in [build_example("wall-tools", dir.path()), bad] {
        let (code, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
        assert_eq!(code, 200, "{body}");
    }
    let (now, report) = status(&server, "sneaky-tools").await;
    assert_eq!(now, "failed");
    assert_eq!(report["scanner"], revitpy_scan::SCANNER_ID, "stored reports name their scanner");
    as_if_an_older_scanner_passed(&server.data_dir, "sneaky-tools");
    assert_eq!(status(&server, "sneaky-tools").await.0, "passed");
    let serial_before = server.get_json("/api/stats").await.1["serial"].as_i64().unwrap();

    // A dry run says what would change and writes nothing.
    let out = admin(&server.data_dir, &["rescan", "--all", "--dry-run", "--json"]);
    assert!(out.status.success());
    let dry = json_of(&out);
    assert_eq!((dry["scanned"].as_u64(), dry["current"].as_u64()), (Some(1), Some(1)), "{dry}");
    assert_eq!(dry["changed"][0]["status_after"], "failed");
    assert_eq!(dry["changed"][0]["serial"], Value::Null);
    assert_eq!(status(&server, "sneaky-tools").await.0, "passed");

    // The real run, with a reader hammering the server meanwhile.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (server, stop) = (server.clone(), stop.clone());
        tokio::spawn(async move {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) || reads == 0 {
                assert_eq!(server.get("/api/packages/wall-tools").await.status(), 200);
                assert_eq!(server.get("/api/packages/search?q=sneaky").await.status(), 200);
                reads += 2;
            }
            reads
        })
    };
    let data = server.data_dir.clone();
    let out = tokio::task::spawn_blocking(move || admin(&data, &["rescan", "--all"])).await.unwrap();
    stop.store(true, Ordering::Relaxed);
    assert!(reader.await.unwrap() > 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("sneaky-tools 1.0.0: passed -> failed (risk low -> critical)"), "{text}");
    assert!(text.contains("1 changed status, 0 unchanged, 1 already current, 0 failed"), "{text}");

    let (now, report) = status(&server, "sneaky-tools").await;
    assert_eq!(now, "failed");
    assert_eq!(report["scanner"], revitpy_scan::SCANNER_ID);
    assert_eq!(report["risk_level"], "critical");
    // Clients that sync see the change.
    let (_, feed) = server.get_json(&format!("/api/changes?since={serial_before}")).await;
    assert_eq!(feed["changes"][0]["kind"], "rescan", "{feed}");
    assert_eq!(feed["changes"][0]["name"], "sneaky-tools");
    let (_, index) = server.get_json("/api/index/packages?names=sneaky-tools").await;
    assert_eq!(index["packages"][0]["versions"][0]["security_scan_status"], "failed", "{index}");

    // Everything is current now; --force scans it all again and changes nothing.
    let again = json_of(&admin(&server.data_dir, &["rescan", "--all", "--json"]));
    assert_eq!((again["scanned"].as_u64(), again["current"].as_u64()), (Some(0), Some(2)), "{again}");
    let forced = json_of(&admin(&server.data_dir, &["rescan", "wall-tools", "Sneaky_Tools", "--force", "--json"]));
    assert_eq!((forced["scanned"].as_u64(), forced["unchanged"].as_u64()), (Some(2), Some(2)), "{forced}");
    let (_, feed) = server.get_json(&format!("/api/changes?since={}", serial_before + 1)).await;
    assert_eq!(feed["changes"], serde_json::json!([]), "an unchanged status spends no serial");
}

#[tokio::test]
async fn rescan_says_what_it_could_not_do() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (code, body) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(code, 200, "{body}");
    let out = admin(&server.data_dir, &["rescan", "no-such-package"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no such package: no-such-package"));
    let out = admin(&server.data_dir, &["rescan"]);
    assert_eq!(out.status.code(), Some(2), "a name or --all is needed");

    // The file is gone from storage: not scanned, its report kept, exit 1.
    as_if_an_older_scanner_passed(&server.data_dir, "wall-tools");
    let sha = body["file_hash"].as_str().unwrap();
    std::fs::remove_file(server.data_dir.join("packages").join(&sha[..2]).join(&sha[2..4]).join(sha)).unwrap();
    let out = admin(&server.data_dir, &["rescan", "wall-tools"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not scanned: wall-tools 1.2.0") && text.contains("fsck"), "{text}");
    assert_eq!(status(&server, "wall-tools").await.1["scanner"], "revitpy-scan 0.0.1+0000000000000000");
}
