//! `revitpy-registry migrate --blobs-from --blobs-to`: a registry's files
//! from a folder into an S3-compatible bucket (moto's server) and back,
//! killed half-way and resumed, run twice copying nothing twice, checked
//! file by file; a damaged source file is named and not copied.

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

fn summary(out: &Output) -> serde_json::Value {
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
