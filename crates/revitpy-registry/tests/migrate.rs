//! `revitpy-registry migrate`: a registry's files from a folder into an
//! S3-compatible bucket (moto's server) and back, killed half-way and
//! resumed, run twice copying nothing twice, checked file by file; a
//! damaged source file is named and not copied. And a whole registry,
//! SQLite and files -> PostgreSQL and a bucket -> SQLite and files, killed
//! half-way and resumed, served at each stop with the same answers.

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use revitpy_blobs::moto::Moto;
use revitpy_blobs::{BlobKey, BlobStore, FileStore};
use revitpy_store::{Actor, Scope, SqliteStore, Store};
use sha2::Digest;

const FILES: usize = 40;

/// A registry of `FILES` versions whose files (1 MiB each, distinct) are in
/// `DATA_DIR/packages`: made through the store and the blob store, as the
/// server's publish makes them.
async fn seeded(data: &Path) -> Vec<String> {
    let store = SqliteStore::open(&data.join("registry.db")).unwrap();
    let blobs = FileStore::open(&data.join("packages")).unwrap();
    let actor = Actor { user_id: None, user_name: "admin".into(), scope: Scope::Admin, package: None };
    let mut shas = Vec::new();
    let mut batch = Vec::new();
    for i in 0..FILES {
        let bytes: Vec<u8> = (0..1024 * 1024).map(|j| ((j * 31 + i * 7) % 251) as u8).collect();
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        let temp = blobs.temp_dir().join(format!("seed-{i}"));
        std::fs::write(&temp, &bytes).unwrap();
        blobs.put_file(&BlobKey::parse(&sha).unwrap(), &temp).await.unwrap();
        let source = serde_json::json!({"name": format!("pkg-{i}"), "version": "1.0.0", "summary": "s", "author": "a",
            "description": "A package made for the migration test."});
        let (manifest, problems) = revitpy_rpyx::Manifest::from_json(&source, "test", &|f| f.to_owned());
        let manifest = manifest.unwrap_or_else(|| panic!("{problems:?}"));
        batch.push(revitpy_registry::service::publish::release(
            &manifest,
            revitpy_names::Sha256::new(&sha).unwrap(),
            bytes.len() as u64,
            revitpy_names::ScanStatus::Passed,
            None,
        ));
        shas.push(sha);
    }
    store.publish_batch(&actor, batch).await.unwrap();
    shas.sort();
    shas
}

fn migrate(data: &Path, moto: &Moto, from: &str, to: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"));
    cmd.args(["migrate", "--blobs-from", from, "--blobs-to", to])
        .args(extra)
        .env("DATA_DIR", data)
        .envs(moto.env("unused").into_iter().filter(|(k, _)| k.starts_with("AWS_") || k == "S3_ENDPOINT"));
    cmd
}

/// The answer's `files` part (`--json`).
fn summary(out: &Output) -> serde_json::Value {
    migrated(out)["files"].clone()
}

/// The whole `--json` answer of a run that succeeded.
fn migrated(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("tmp") {
                    stack.push(path);
                }
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let sha = hex::encode(sha2::Sha256::digest(&bytes));
                assert_eq!(path.file_name().unwrap().to_str().unwrap(), sha, "a file's name is its sha256");
                found.push(sha);
            }
        }
    }
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_move_to_a_bucket_and_back_resuming_after_a_kill() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("migrated");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let shas = seeded(&data).await;
    let folder = format!("file:{}", data.join("packages").display());
    let bucket = "s3://migrated";

    // One file at a time, killed after the third: resumable from there.
    let mut first = migrate(&data, &moto, &folder, bucket, &["--jobs", "1"]).stdout(Stdio::piped()).spawn().unwrap();
    let lines = std::io::BufReader::new(first.stdout.take().unwrap());
    let mut copied_before_kill = 0;
    for line in lines.lines() {
        if line.unwrap().starts_with("copied ") {
            copied_before_kill += 1;
            if copied_before_kill == 3 {
                first.kill().unwrap();
                break;
            }
        }
    }
    let status = first.wait().unwrap();
    assert!(!status.success(), "the first run was stopped half-way");
    let resumed = summary(&migrate(&data, &moto, &folder, bucket, &["--json"]).output().unwrap());
    assert_eq!(resumed["files"], FILES);
    let already = resumed["already_there"].as_u64().unwrap();
    assert!((3..FILES as u64).contains(&already), "{resumed}");
    assert_eq!(resumed["copied"].as_u64().unwrap() + already, FILES as u64);
    assert_eq!(resumed["verified"], FILES);

    // Run again: nothing copied twice.
    let again = summary(&migrate(&data, &moto, &folder, bucket, &["--json"]).output().unwrap());
    assert_eq!((again["copied"].as_u64(), again["already_there"].as_u64()), (Some(0), Some(FILES as u64)), "{again}");

    // And back into a new folder: the same files, byte for byte.
    let back = dir.path().join("back");
    let to_folder = format!("file:{}", back.display());
    let returned = summary(&migrate(&data, &moto, bucket, &to_folder, &["--json"]).output().unwrap());
    assert_eq!(returned["copied"], FILES);
    assert_eq!(files_in(&back), shas);
    assert_eq!(files_in(&data.join("packages")), shas, "the source is unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_source_file_is_named_and_not_copied() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let shas = seeded(&data).await;
    let damaged = data.join("packages").join(BlobKey::parse(&shas[5]).unwrap().relative_path());
    let mut bytes = std::fs::read(&damaged).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&damaged, &bytes).unwrap();
    let folder = format!("file:{}", data.join("packages").display());
    let out =
        migrate(&data, &moto, &folder, &format!("file:{}", dir.path().join("to").display()), &[]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&shas[5]) && err.contains("damaged there"), "{err}");
    assert!(!dir.path().join("to").join(BlobKey::parse(&shas[5]).unwrap().relative_path()).exists());
    // A damaged file at the destination is found at the end, removed, and
    // copied by the next run.
    bytes = std::fs::read(&damaged).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&damaged, &bytes).unwrap();
    let to = dir.path().join("to");
    let to_spec = format!("file:{}", to.display());
    summary(&migrate(&data, &moto, &folder, &to_spec, &["--json"]).output().unwrap());
    let at_destination = to.join(BlobKey::parse(&shas[9]).unwrap().relative_path());
    let mut cut = std::fs::read(&at_destination).unwrap();
    cut.truncate(1000);
    std::fs::write(&at_destination, cut).unwrap();
    let out = migrate(&data, &moto, &folder, &to_spec, &[]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 damaged and now removed") && err.contains(&shas[9]), "{err}");
    let fixed = summary(&migrate(&data, &moto, &folder, &to_spec, &["--json"]).output().unwrap());
    assert_eq!((fixed["copied"].as_u64(), fixed["verified"].as_u64()), (Some(1), Some(FILES as u64)), "{fixed}");
    // A storage that is neither is refused before anything is read.
    let out = migrate(&data, &moto, "ftp://x", &folder, &[]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("write file:/path/to/folder or s3://bucket"));
}

/// What a registry answers about its packages, statistics and change feed,
/// with the server's own address taken out.
async fn answers(server: &common::TestServer, names: &[&str]) -> Vec<serde_json::Value> {
    let mut seen = Vec::new();
    for path in names.iter().map(|n| format!("/api/packages/{n}")).chain([
        "/api/stats".to_owned(),
        "/api/changes?since=0".to_owned(),
        "/api/index/roots".to_owned(),
    ]) {
        let (status, body) = server.get_json(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let text = body.to_string().replace(&server.base, "BASE");
        let mut body: serde_json::Value = serde_json::from_str(&text).unwrap();
        // What this process has seen since it started, not what is stored.
        if let Some(stats) = body.as_object_mut().filter(|_| path == "/api/stats") {
            for counter in ["downloads_since_start", "search_performance", "error_rate"] {
                stats.remove(counter);
            }
            stats["scan_results"].as_object_mut().unwrap().remove("refused_since_start");
        }
        seen.push(body);
    }
    seen
}

fn registry(args: &[&str], env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"));
    cmd.args(args).env_remove("DATABASE_URL").env_remove("DATA_DIR").envs(env.iter().cloned());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_moves_to_postgres_and_a_bucket_and_back() {
    if std::env::var("REVITPY_TEST_BACKEND").is_ok_and(|b| b == "postgres") {
        eprintln!("skipped on postgres: this test sets up both backends itself");
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let Some(schema) = revitpy_store::test_postgres::TestSchema::create("migrate") else { return };
    moto.create_bucket("moved");
    let dir = tempfile::tempdir().unwrap();
    let (first, last) = (dir.path().join("first"), dir.path().join("last"));
    let s3 = moto.env("moved");

    // A registry with accounts, tokens, owners, downloads and a yank.
    let out = registry(
        &["token", "create", "--name", "carol", "--scope", "publish"],
        &[("DATA_DIR".into(), first.to_string_lossy().into())],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let carol = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let server =
        common::TestServer::start_with(common::ServerOptions { data_dir: Some(first.clone()), ..Default::default() });
    let built = tempfile::tempdir().unwrap();
    let names = ["revitpy-utils", "wall-tools", "room-exporter"];
    for (name, token) in names.iter().zip([common::ADMIN_TOKEN, &carol, common::ADMIN_TOKEN]) {
        let (status, body) = server.upload(&common::build_example(name, built.path()), Some(token)).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, wall) = server.get_json("/api/packages/wall-tools").await;
    let version = wall["versions"][0]["version"].as_str().unwrap().to_owned();
    let download = format!("/api/packages/wall-tools/{version}/download");
    let bytes = server.get(&download).await.bytes().await.unwrap();
    server.get(&download).await.bytes().await.unwrap();
    let (_, utils) = server.get_json("/api/packages/revitpy-utils").await;
    let utils_version = utils["versions"][0]["version"].as_str().unwrap().to_owned();
    let r = server
        .client
        .put(server.url(&format!("/api/packages/revitpy-utils/{utils_version}/yank")))
        .bearer_auth(common::ADMIN_TOKEN)
        .json(&serde_json::json!({"reason": "moved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    common::eventually(std::time::Duration::from_secs(10), || async {
        let (_, wall) = server.get_json("/api/packages/wall-tools").await;
        (wall["package"]["download_count"] == 2).then_some(())
    })
    .await;
    let before = answers(&server, &names).await;
    drop(server);

    // Into PostgreSQL and the bucket, one row a transaction, killed after the first table.
    let sqlite_first = format!("sqlite:///{}", first.join("registry.db").display());
    let files_first = format!("file:{}", first.join("packages").display());
    let args = [
        "migrate",
        "--from",
        &sqlite_first,
        "--to",
        &schema.url,
        "--blobs-from",
        &files_first,
        "--blobs-to",
        "s3://moved",
    ];
    let mut killed = registry(&args, &s3).args(["--rows", "1"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufReader::new(killed.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    assert!(line.starts_with("users: "), "{line}");
    killed.kill().unwrap();
    assert!(!killed.wait().unwrap().success(), "stopped half-way");
    let resumed = migrated(&registry(&args, &s3).arg("--json").output().unwrap());
    let tables = resumed["database"]["tables"].as_array().unwrap();
    let rows: u64 = tables.iter().map(|t| t["rows"].as_u64().unwrap()).sum();
    let copied: u64 = tables.iter().map(|t| t["copied"].as_u64().unwrap()).sum();
    assert!(copied > 0 && copied < rows, "the run resumed where the first stopped: {resumed}");
    assert_eq!(tables[0]["copied"], 0, "users were all copied by the first run: {resumed}");
    assert_eq!(resumed["files"]["verified"], 3);
    // Run again: nothing copied twice.
    let again = migrated(&registry(&args, &s3).arg("--json").output().unwrap());
    let copied: u64 =
        again["database"]["tables"].as_array().unwrap().iter().map(|t| t["copied"].as_u64().unwrap()).sum();
    assert_eq!((copied, again["files"]["copied"].as_u64()), (0, Some(0)), "{again}");
    // A row changed at the destination (or at the source meanwhile) is found
    // by the comparison at the end, named with its column.
    schema.execute("UPDATE versions SET download_count = 99 WHERE id = 1").unwrap();
    let out = registry(&args, &s3).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("versions [Int(1)]") && err.contains("column download_count"), "{err}");
    schema.execute("UPDATE versions SET download_count = 0 WHERE id = 1").unwrap();

    // Served from PostgreSQL and the bucket: the same answers, carol's token
    // works. The index signing key is a file, not a row: the operator keeps
    // giving the registry the same one (the server refuses another).
    let index_key = ("INDEX_KEY_PATH".to_owned(), first.join("index-signing-key").to_string_lossy().into_owned());
    let mut env = common::default_env();
    env.push(index_key.clone());
    env.push(("DATABASE_URL".into(), schema.url.clone()));
    env.extend(s3.iter().cloned());
    let on_postgres = common::TestServer::start_with(common::ServerOptions { env, ..Default::default() });
    assert_eq!(answers(&on_postgres, &names).await, before);
    let r = on_postgres.client.get(on_postgres.url("/api/tokens")).bearer_auth(&carol).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(on_postgres.get(&download).await.bytes().await.unwrap(), bytes, "through the bucket's presigned URL");
    drop(on_postgres);

    // And back into SQLite and a folder.
    let sqlite_last = format!("sqlite:///{}", last.join("registry.db").display());
    let files_last = format!("file:{}", last.join("packages").display());
    let back = migrated(
        &registry(
            &[
                "migrate",
                "--from",
                &schema.url,
                "--to",
                &sqlite_last,
                "--blobs-from",
                "s3://moved",
                "--blobs-to",
                &files_last,
                "--json",
            ],
            &s3,
        )
        .output()
        .unwrap(),
    );
    assert_eq!(back["files"]["copied"], 3, "{back}");
    let mut env = common::default_env();
    env.push(index_key);
    let server = common::TestServer::start_with(common::ServerOptions {
        data_dir: Some(last.clone()),
        env,
        ..Default::default()
    });
    assert_eq!(answers(&server, &names).await, before, "the same packages, hashes, owners, counts and feed");
    assert_eq!(server.get(&download).await.bytes().await.unwrap(), bytes);
    let r = server.client.get(server.url("/api/tokens")).bearer_auth(&carol).send().await.unwrap();
    assert_eq!(r.status(), 200, "tokens keep working: they are stored hashed and copied as they are");
    // The copy goes on: the next publish is the next serial.
    let (status, body) = server.upload(&common::build_example("sheet-publisher", built.path()), Some(&carol)).await;
    assert_eq!(status, 200, "{body}");
    let (_, changes) = server.get_json("/api/changes?since=0").await;
    let earlier = before[before.len() - 2]["changes"].as_array().unwrap().len();
    assert_eq!(changes["changes"].as_array().unwrap().len(), earlier + 1, "{changes}");

    // Into a database holding another registry: refused, nothing changed.
    let out = registry(&["migrate", "--from", &sqlite_first, "--to", &sqlite_last], &[]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not an earlier copy of this registry") && err.contains("packages [Int(4)]"), "{err}");
    let (_, after) = server.get_json("/api/packages/sheet-publisher").await;
    assert_eq!(after["versions"].as_array().unwrap().len(), 1, "the refused destination is unchanged");
}
