//! `backup` and `restore` of a registry of 10,000 packages, and `migrate` of
//! its files into another folder and into an S3-compatible bucket (moto's
//! server on loopback, when installed) and back, with a plain `cp -a` of
//! the same data folder measured in the same run as baseline.
//!
//! Run: `cargo bench -p revitpy-registry --bench backup`
//! (`BACKUP_PACKAGES=N`, `BACKUP_FILE_KB=K` per package file, default 16).
//!
//! Seeds through the `Store` trait (the same checks as uploads) and the
//! blob store (a real file per version, random bytes, so nothing is shared
//! or compressible), then runs the real binary's `backup DEST` and
//! `restore SRC` (each ends with fsck over every file) and `cp -a` of the
//! data folder; reports time and size of each.

#[path = "support/seed.rs"]
mod seed;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use revitpy_blobs::{BlobKey, BlobStore, FileStore};
use revitpy_search::testdata::generated_docs;
use revitpy_store::{Actor, Scope, SqliteStore, Store};
use sha2::Digest;

fn du(path: &Path) -> u64 {
    let out = Command::new("du").args(["-sb"]).arg(path).output().expect("du");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().parse().unwrap()
}

fn timed(what: &str, cmd: &mut Command) -> f64 {
    let started = Instant::now();
    let out = cmd.output().expect(what);
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed().as_secs_f64()
}

fn main() {
    let packages: usize = std::env::var("BACKUP_PACKAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let file_kb: usize = std::env::var("BACKUP_FILE_KB").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    let exe = env!("CARGO_BIN_EXE_revitpy-registry");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    let seeded = Instant::now();
    rt.block_on(async {
        let store = SqliteStore::open(&data.join("registry.db")).unwrap();
        let blobs = FileStore::open(&data.join("packages")).unwrap();
        let actor = Actor { user_id: None, user_name: "bench".into(), scope: Scope::Admin, package: None };
        let docs = generated_docs(packages, 42);
        for (chunk_no, chunk) in docs.chunks(1_000).enumerate() {
            let mut batch = Vec::new();
            for (j, doc) in chunk.iter().enumerate() {
                let i = chunk_no * 1_000 + j;
                let bytes = seed::noise(file_kb * 1024, 0x9E37_79B9_7F4A_7C15 ^ i as u64);
                let sha = hex::encode(sha2::Sha256::digest(&bytes));
                let temp = tempfile::NamedTempFile::new_in(blobs.temp_dir()).unwrap();
                std::fs::write(temp.path(), &bytes).unwrap();
                let path = temp.into_temp_path();
                blobs.put_file(&BlobKey::parse(&sha).unwrap(), &path).await.unwrap();
                let _ = path.keep();
                batch.push(seed::seeded_release(doc, i, &sha, bytes.len() as u64));
            }
            store.publish_batch(&actor, batch).await.unwrap();
        }
    });
    let seed_time = seeded.elapsed().as_secs_f64();
    let data_size = du(&data);

    // Baseline: the same folder copied as files, nothing checked.
    let baseline = timed("cp -a", Command::new("cp").arg("-a").arg(&data).arg(work.path().join("copy")));
    let dest = work.path().join("backup");
    let backup = timed("backup", Command::new(exe).arg("backup").arg(&dest).env("DATA_DIR", &data));
    let backup_size = du(&dest);
    let restore_dir = work.path().join("restored");
    let restore = timed("restore", Command::new(exe).arg("restore").arg(&dest).env("DATA_DIR", &restore_dir));
    let restored_size = du(&restore_dir);
    // Migrations of the files: into a folder, then into a bucket and back.
    let migrate = |from: &str, to: &str, env: &[(String, String)]| {
        timed(
            "migrate",
            Command::new(exe)
                .args(["migrate", "--blobs-from", from, "--blobs-to", to, "--json"])
                .env("DATA_DIR", &data)
                .envs(env.iter().cloned()),
        )
    };
    let folder = format!("file:{}", data.join("packages").display());
    let to_folder = migrate(&folder, &format!("file:{}", work.path().join("migrated").display()), &[]);
    let moto = revitpy_blobs::moto::Moto::start();
    let bucket_times = moto.as_ref().map(|moto| {
        moto.create_bucket("bench");
        let env: Vec<(String, String)> =
            moto.env("bench").into_iter().filter(|(k, _)| k.starts_with("AWS_") || k == "S3_ENDPOINT").collect();
        let into = migrate(&folder, "s3://bench", &env);
        let again = migrate(&folder, "s3://bench", &env);
        let back = migrate("s3://bench", &format!("file:{}", work.path().join("from-bucket").display()), &env);
        (into, again, back)
    });

    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "packages: {packages}, one {file_kb} KiB file each; seeded in {seed_time:.1} s; data folder {:.1} MB",
        mb(data_size)
    );
    println!("| figure | backup / restore | baseline: `cp -a` of the data folder, same run | ratio |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| `backup DEST` (online copy, every file hashed, fsck of the copy) | {backup:.2} s, {:.1} MB | {baseline:.2} s | {:.1} |",
        mb(backup_size),
        backup / baseline
    );
    println!(
        "| `restore SRC` (every file verified first, stored, reindexed, fsck) | {restore:.2} s, {:.1} MB restored (with its search index) | {baseline:.2} s | {:.1} |",
        mb(restored_size),
        restore / baseline
    );
    println!(
        "| `migrate` files into another folder (each hashed, all hashed again at the end) | {to_folder:.2} s ({:.0} files/s) | {baseline:.2} s | {:.1} |",
        packages as f64 / to_folder,
        to_folder / baseline
    );
    match bucket_times {
        Some((into, again, back)) => {
            println!(
                "| `migrate` files into an S3 bucket (moto's server on loopback) | {into:.2} s ({:.0} files/s) | {baseline:.2} s | {:.1} |",
                packages as f64 / into,
                into / baseline
            );
            println!(
                "| the same again (nothing to copy; every object listed and hashed) | {again:.2} s | {baseline:.2} s | {:.1} |",
                again / baseline
            );
            println!(
                "| `migrate` back from the bucket into a folder | {back:.2} s ({:.0} files/s) | {baseline:.2} s | {:.1} |",
                packages as f64 / back,
                back / baseline
            );
        }
        None => println!("| `migrate` into an S3 bucket | skipped: moto's server is not installed | | |"),
    }
}
