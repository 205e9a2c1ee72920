//! A SIGKILL in the middle of uploads loses nothing that was acknowledged
//! and leaves nothing half-written: `fsck` finds no missing or corrupt file,
//! at most orphans (files whose version never committed), which `--repair`
//! removes; after a restart every acknowledged version downloads intact.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use serde_json::Value;
use sha2::Digest;

fn fsck(data_dir: &std::path::Path, extra: &[&str]) -> (bool, Value) {
    let mut cmd = admin_command(data_dir);
    cmd.args(["fsck", "--json"]).args(extra);
    let out = cmd.output().unwrap();
    (out.status.success(), serde_json::from_slice(&out.stdout).expect("fsck prints JSON"))
}

#[tokio::test]
async fn sigkill_during_uploads_loses_nothing_acknowledged() {
    let keep = tempfile::tempdir().unwrap();
    let data_dir = keep.path().join("data");
    let mut server =
        TestServer::start_with(ServerOptions { data_dir: Some(data_dir.clone()), ..ServerOptions::default() });
    let work = tempfile::tempdir().unwrap();
    // Twenty versions with some weight, so uploads overlap the kill.
    let filler: Vec<u8> = (0..400_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let files: Vec<_> = (0..20)
        .map(|i| {
            build_variant("revitpy-utils", work.path(), &format!("v{i}"), |src| {
                set_version(src, &format!("1.5.{i}"));
                std::fs::write(src.join("data.bin"), &filler).unwrap();
            })
        })
        .collect();

    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let client = server.client.clone();
    let base = server.base.clone();
    let mut tasks = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let bytes = std::fs::read(file).unwrap();
        let client = client.clone();
        let url = format!("{base}/api/packages/upload");
        let acknowledged = acknowledged.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("p.rpyx");
            let form = reqwest::multipart::Form::new().part("file", part);
            let result = client.post(url).bearer_auth(ADMIN_TOKEN).multipart(form).send().await;
            if let Ok(r) = result
                && r.status() == 200
            {
                acknowledged.lock().unwrap().push((format!("1.5.{i}"), hex::encode(sha2::Sha256::digest(&bytes))));
            }
            done.fetch_add(1, Ordering::SeqCst);
        }));
    }
    // Kill once a few uploads are through and the rest are in flight.
    eventually(std::time::Duration::from_secs(30), || {
        let n = acknowledged.lock().unwrap().len();
        async move { (n >= 3).then_some(()) }
    })
    .await;
    server.kill();
    for t in tasks {
        let _ = t.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 3);

    let (ok, report) = fsck(&data_dir, &[]);
    assert_eq!(report["missing"], Value::Array(vec![]), "{report}");
    assert_eq!(report["corrupt"], Value::Array(vec![]), "{report}");
    assert!(report["versions_checked"].as_u64().unwrap() >= acknowledged.len() as u64);
    let orphans = report["orphans"].as_array().unwrap().len();
    assert_eq!(ok, orphans == 0, "fsck fails only for orphans here: {report}");
    // Young orphans may be uploads in flight: plain --repair keeps them.
    let (ok, kept) = fsck(&data_dir, &["--repair"]);
    assert_eq!(ok, orphans == 0, "{kept}");
    assert_eq!(kept["removed_orphans"].as_array().unwrap().len(), 0);
    // The server is stopped: --force removes them.
    let (ok, _) = fsck(&data_dir, &["--repair", "--force"]);
    assert!(ok);
    let (ok, report) = fsck(&data_dir, &[]);
    assert!(ok, "{report}");
    // Uploads cut off by the kill left only their temporary files (kept for an
    // hour in case they belong to a live upload, never visible as versions).
    let restarted =
        TestServer::start_with(ServerOptions { data_dir: Some(data_dir.clone()), ..ServerOptions::default() });
    for entry in std::fs::read_dir(data_dir.join("packages/tmp")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.starts_with("upload-"), "{name}");
    }

    for (version, sha) in &acknowledged {
        let r = restarted
            .client
            .get(restarted.url(&format!("/api/packages/revitpy-utils/{version}/download")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{version}");
        let body = r.bytes().await.unwrap();
        assert_eq!(&hex::encode(sha2::Sha256::digest(&body)), sha, "{version}");
    }
    let (_, d) = restarted.get_json("/api/packages/revitpy-utils").await;
    let listed = d["versions"].as_array().unwrap().len();
    assert_eq!(listed as u64, report["versions_checked"].as_u64().unwrap());
    // The index caught up with whatever committed.
    let (_, r) = restarted.get_json("/api/packages/search?q=revitpy-utils").await;
    assert_eq!(r["total"], 1);
}

#[tokio::test]
async fn zero_configuration_creates_registry_data_in_the_working_folder() {
    if sqlite_only("with no configuration at all the database is SQLite in the working folder") {
        return;
    }
    init_tls();
    let cwd = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"))
        .arg("serve")
        .env_clear()
        .env("PORT", "0")
        .current_dir(cwd.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    assert!(line.starts_with("revitpy-registry listening on http://127.0.0.1:"), "{line}");
    let base = line.trim().trim_start_matches("revitpy-registry listening on ").to_owned();
    let r = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(cwd.path().join("registry_data/registry.db").is_file());
    assert!(cwd.path().join("registry_data/packages").is_dir());
    // Read-only without a token: uploads are refused, reads work.
    let r = reqwest::Client::new().post(format!("{base}/api/packages/upload")).body("x").send().await.unwrap();
    assert_eq!(r.status(), 401);
    // SIGTERM: a graceful stop with exit status 0.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// Publishes `n` distinct packages (`crash-index-0` ...) built from scratch.
async fn publish_distinct(server: &TestServer, work: &std::path::Path, n: usize) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("crash-index-{i}");
        std::fs::create_dir_all(work).unwrap();
        let file = build_source(work, &name, &[("src/tool.py", "print('hello from a wall tool')\n")]);
        let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 200, "{body}");
        names.push(name);
    }
    names
}

/// A server on a data folder that outlives it, with `n` distinct packages
/// published: (the folder's owner, the data folder, the server, the names).
async fn published_then_killable(n: usize) -> (tempfile::TempDir, std::path::PathBuf, TestServer, Vec<String>) {
    let keep = tempfile::tempdir().unwrap();
    let data_dir = keep.path().join("data");
    let server = TestServer::start_with(ServerOptions { data_dir: Some(data_dir.clone()), ..ServerOptions::default() });
    let names = publish_distinct(&server, &keep.path().join("work"), n).await;
    (keep, data_dir, server, names)
}

async fn assert_all_found(server: &TestServer, names: &[String]) {
    let (status, r) = server.get_json("/api/packages/search?q=crash-index&limit=100").await;
    assert_eq!(status, 200, "{r}");
    let found: Vec<&str> = r["results"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    for name in names {
        assert!(found.contains(&name.as_str()), "{name} missing from {found:?}");
    }
    assert_eq!(r["total"], names.len());
}

#[tokio::test]
async fn sigkill_with_index_changes_staged_but_not_committed_loses_no_search_result() {
    // Publishes return once the index has staged their change; a SIGKILL
    // right after them (no search, no idle commit in between) must still
    // leave every one searchable after a restart: the store is replayed
    // from the serial the index committed.
    let (_keep, data_dir, mut server, names) = published_then_killable(6).await;
    server.kill();

    let restarted =
        TestServer::start_with(ServerOptions { data_dir: Some(data_dir.clone()), ..ServerOptions::default() });
    assert_all_found(&restarted, &names).await;
}

#[tokio::test]
async fn a_damaged_index_left_unsynced_is_rebuilt_at_start() {
    // What a power cut can leave of index files that were never synced:
    // the right names and lengths, zeros inside. With the unsynced-writes
    // marker present the server checks every file, finds the damage and
    // rebuilds the index from the database.
    let (_keep, data_dir, mut server, names) = published_then_killable(4).await;
    assert_all_found(&server, &names).await;
    server.kill();

    let index = data_dir.join("search-index");
    let mut zeroed = 0;
    for entry in std::fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let is_segment_file = name
            .split_once('.')
            .is_some_and(|(stem, _)| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()));
        if is_segment_file {
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            std::fs::write(&path, vec![0u8; len]).unwrap();
            zeroed += 1;
        }
    }
    assert!(zeroed > 0, "no segment files in {}", index.display());
    std::fs::write(index.join(revitpy_search::DIRTY_MARKER), b"").unwrap();

    let restarted =
        TestServer::start_with(ServerOptions { data_dir: Some(data_dir.clone()), ..ServerOptions::default() });
    // The rebuild runs as the server starts; a search waits for it.
    assert_all_found(&restarted, &names).await;
}
