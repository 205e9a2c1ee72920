//! `backup DEST` while the server runs and publishes, `restore SRC` into
//! another data folder, as an operator runs them; and the refusals: a
//! damaged backup, a manifest that points outside the backup, a target that
//! already holds a registry, a backup that never finished.

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use serde_json::Value;

fn admin(data_dir: &Path, args: &[&str]) -> Output {
    admin_command(data_dir).args(args).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Files under `dir`, relative, sorted (the data folder as an operator sees it).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// A registry with three packages, a user token and some downloads.
async fn seeded(dir: &Path) -> (TestServer, String) {
    let server = TestServer::start();
    let token = ok(&admin(&server.data_dir, &["token", "create", "--name", "dana"])).trim().to_owned();
    for name in ["wall-tools", "room-exporter"] {
        let (status, body) = server.upload(&build_example(name, dir), Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = server.upload(&build_example("sheet-publisher", dir), Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    for _ in 0..3 {
        let r = server.get("/api/packages/wall-tools/1.2.0/download").await;
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    }
    eventually(Duration::from_secs(10), || async {
        (server.get_json("/api/stats").await.1["total_downloads"] == 3).then_some(())
    })
    .await;
    (server, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_publishing_restores_elsewhere() {
    if sqlite_only("backup and restore copy a SQLite database (PostgreSQL's are pg_dump and pg_restore)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (server, token) = seeded(dir.path()).await;
    let server = Arc::new(server);

    // Publishes keep landing while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let publisher = {
        let (server, stop, work) = (server.clone(), stop.clone(), dir.path().join("more"));
        tokio::spawn(async move {
            std::fs::create_dir_all(&work).unwrap();
            let mut published = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 40 {
                n += 1;
                let version = format!("2.0.{n}");
                let file = build_variant("revitpy-utils", &work, &version, |src| set_version(src, &version));
                let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
                assert_eq!(status, 200, "{body}");
                published.push(version);
            }
            published
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dest = dir.path().join("backup-1");
    let data = server.data_dir.clone();
    let out = tokio::task::spawn_blocking({
        let dest = dest.clone();
        move || admin(&data, &["backup", dest.to_str().unwrap(), "--json"])
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    let during = publisher.await.unwrap();
    let summary: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert!(!dest.with_file_name("backup-1.partial").exists());
    assert_eq!(summary["fsck"]["missing"], serde_json::json!([]));

    // The manifest names every file with its hash and size.
    let manifest: Value = serde_json::from_slice(&std::fs::read(dest.join("MANIFEST.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len() as u64, manifest["versions"].as_u64().unwrap(), "one file per version here");
    assert!(files.len() >= 4, "the three seeded versions and at least one published during the backup");
    for f in files {
        let bytes = std::fs::read(dest.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(bytes.len() as u64, f["size"].as_u64().unwrap());
    }
    let serial = manifest["serial"].as_i64().unwrap();

    // Restore on "another machine": an empty data folder.
    let elsewhere = dir.path().join("elsewhere");
    let out = admin(&elsewhere, &["restore", dest.to_str().unwrap()]);
    let text = ok(&out);
    assert!(text.contains("fsck: checked"), "{text}");
    assert!(ok(&admin(&elsewhere, &["fsck"])).contains("ok"));

    let restored =
        TestServer::start_with(ServerOptions { env: vec![], data_dir: Some(elsewhere.clone()), args: vec![] });
    let (_, stats) = restored.get_json("/api/stats").await;
    assert_eq!(stats["serial"], serial, "the restored registry is the backup's moment");
    assert_eq!(stats["total_downloads"], 3);
    // Everything published before the backup began is there, byte for byte.
    for name in ["wall-tools", "room-exporter", "sheet-publisher"] {
        let (status, a) = server.get_json(&format!("/api/packages/{name}")).await;
        assert_eq!(status, 200);
        let (status, b) = restored.get_json(&format!("/api/packages/{name}")).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(a["versions"][0]["file_hash_sha256"], b["versions"][0]["file_hash_sha256"]);
        assert_eq!(a["package"]["owners"], b["package"]["owners"]);
        let version = b["versions"][0]["version"].as_str().unwrap();
        let r = restored.get(&format!("/api/packages/{name}/{version}/download")).await;
        assert_eq!(r.status(), 200);
        let sha = sha256_hex(&r.bytes().await.unwrap());
        assert_eq!(b["versions"][0]["file_hash_sha256"], sha.as_str());
    }
    // Versions published during the backup are there up to its serial, and
    // search (rebuilt by restore) finds what the database holds.
    let (_, utils) = restored.get_json("/api/packages/revitpy-utils").await;
    let kept = utils["versions"].as_array().map_or(0, Vec::len);
    assert!(kept <= during.len());
    let (_, found) = restored.get_json("/api/packages/search?q=wall").await;
    assert_eq!(found["results"][0]["name"], "wall-tools");
    // Accounts come along: dana's token still publishes, now on the restored registry.
    let next = build_variant("sheet-publisher", dir.path(), "next", |src| set_version(src, "9.0.0"));
    let (status, body) = restored.upload(&next, Some(&token)).await;
    assert_eq!(status, 200, "{body}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn damaged_backups_and_occupied_targets_are_refused_and_nothing_is_written() {
    if backend() == Backend::Postgres {
        // What an operator on PostgreSQL is told instead, before anything is written.
        let dir = tempfile::tempdir().unwrap();
        let (data, dest) = (dir.path().join("data"), dir.path().join("backup"));
        for (command, folder) in [("backup", &dest), ("restore", &dir.path().to_owned())] {
            let err = failed(&admin(&data, &[command, folder.to_str().unwrap()]));
            assert!(err.contains("pg_dump and pg_restore"), "{command}: {err}");
        }
        assert!(!dest.exists());
        eprintln!("skipped on postgres: backup and restore copy a SQLite database");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = seeded(dir.path()).await;
    let dest = dir.path().join("backup");
    ok(&admin(&server.data_dir, &["backup", dest.to_str().unwrap()]));
    // A backup never lands on something that exists.
    let err = failed(&admin(&server.data_dir, &["backup", dest.to_str().unwrap()]));
    assert!(err.contains("already exists"), "{err}");

    // Into the live registry's own folder: refused, nothing changes.
    let before = tree(&server.data_dir);
    let err = failed(&admin(&server.data_dir, &["restore", dest.to_str().unwrap()]));
    assert!(err.contains("already holds a registry"), "{err}");
    assert_eq!(tree(&server.data_dir).len(), before.len());

    // A target with nothing but an account and its token is not empty either.
    let occupied = dir.path().join("occupied");
    ok(&admin(&occupied, &["token", "create", "--name", "zoe"]));
    let before = tree(&occupied);
    let err = failed(&admin(&occupied, &["restore", dest.to_str().unwrap()]));
    assert!(err.contains("already holds a registry"), "{err}");
    assert_eq!(tree(&occupied), before, "nothing written");

    // One flipped byte in one package file.
    let manifest: Value = serde_json::from_slice(&std::fs::read(dest.join("MANIFEST.json")).unwrap()).unwrap();
    let victim = dest.join(manifest["files"][1]["path"].as_str().unwrap());
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&victim, &bytes).unwrap();
    let target = dir.path().join("target");
    let err = failed(&admin(&target, &["restore", dest.to_str().unwrap()]));
    assert!(err.contains("damaged") && err.contains(manifest["files"][1]["path"].as_str().unwrap()), "{err}");
    assert!(tree(&target).is_empty(), "nothing written: {:?}", tree(&target));
    bytes[100] ^= 0x01;
    std::fs::write(&victim, &bytes).unwrap();

    // A manifest that points outside the backup.
    let mut evil = manifest.clone();
    evil["files"][0]["path"] = Value::from("../../etc/passwd");
    std::fs::write(dest.join("MANIFEST.json"), serde_json::to_vec(&evil).unwrap()).unwrap();
    let err = failed(&admin(&target, &["restore", dest.to_str().unwrap()]));
    assert!(err.contains("is not where a backup puts"), "{err}");
    assert!(tree(&target).is_empty());
    std::fs::write(dest.join("MANIFEST.json"), serde_json::to_vec(&manifest).unwrap()).unwrap();

    // Without a manifest it is not a backup (or one that did not finish).
    let half = dir.path().join("half");
    std::fs::create_dir_all(&half).unwrap();
    let err = failed(&admin(&target, &["restore", half.to_str().unwrap()]));
    assert!(err.contains("not a backup, or one that did not finish"), "{err}");

    // Restored intact once the damage is undone.
    ok(&admin(&target, &["restore", dest.to_str().unwrap()]));
}

#[tokio::test]
async fn an_unfinished_backup_is_never_taken_for_a_finished_one() {
    if sqlite_only("backup and restore copy a SQLite database (PostgreSQL's are pg_dump and pg_restore)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = seeded(dir.path()).await;
    let dest = dir.path().join("nightly");
    // What a killed backup leaves: the folder under its working name.
    let partial = dir.path().join("nightly.partial");
    std::fs::create_dir_all(partial.join("packages")).unwrap();
    std::fs::write(partial.join("registry.db"), b"half a database").unwrap();
    let err = failed(&admin(&server.data_dir, &["restore", partial.to_str().unwrap()]));
    assert!(err.contains("not a backup"), "{err}");
    // The next backup starts over and finishes.
    ok(&admin(&server.data_dir, &["backup", dest.to_str().unwrap()]));
    assert!(!partial.exists());
    assert!(dest.join("MANIFEST.json").exists());
}
