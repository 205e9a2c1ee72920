//! Faults a registry meets in a year of running, caused for real: a backup
//! killed half-way, a full disk during an upload, the database locked by
//! another process, the package folder gone from under a running server.
//! After each: the server answers (or refuses with a 503 that says why and
//! when to retry), it restarts, `fsck` is clean, and nothing that was
//! acknowledged is lost. (A SIGKILL during uploads: tests/crash.rs.)

mod common;
#[path = "../benches/support/seed.rs"]
mod seed;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn admin(data_dir: &Path, args: &[&str]) -> Output {
    admin_command(data_dir).args(args).output().unwrap()
}

fn fsck_clean(data_dir: &Path) {
    let out = admin(data_dir, &["fsck", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "fsck: {report:#}");
}

/// A package of `mb` megabytes of incompressible bytes (no Python to scan).
fn big_package(dir: &Path, name: &str, mb: usize) -> PathBuf {
    let src = dir.join(format!("{name}-src"));
    let module = name.replace('-', "_");
    std::fs::create_dir_all(src.join(&module)).unwrap();
    std::fs::write(
        src.join("revitpy.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"big\"\nauthor = \"t\"\n[package.revit_compatibility]\nmin_version = \"2024\"\n"),
    )
    .unwrap();
    std::fs::write(src.join(&module).join("__init__.py"), "").unwrap();
    let noise = seed::noise(mb * 1024 * 1024, 0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
    std::fs::write(src.join(&module).join("blob.bin"), noise).unwrap();
    let out = dir.join(format!("{name}.rpyx"));
    revitpy_rpyx::build(&src, &out, &revitpy_rpyx::BuildOptions::default()).unwrap();
    out
}

async fn download_sha(server: &TestServer, name: &str, version: &str) -> (u16, String) {
    let r = server.get(&format!("/api/packages/{name}/{version}/download")).await;
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    use sha2::Digest;
    (status, hex::encode(sha2::Sha256::digest(&bytes)))
}

/// SIGKILL and start again on the same data; the data's temporary folder
/// (if the first server owned it) is handed to the caller to keep.
fn restart(server: &mut TestServer) -> (TestServer, Option<tempfile::TempDir>) {
    let dir = server.take_dir();
    let data = server.data_dir.clone();
    server.kill();
    (TestServer::start_with(ServerOptions { data_dir: Some(data), ..ServerOptions::default() }), dir)
}

#[tokio::test]
async fn a_backup_killed_half_way_leaves_no_backup_and_a_clean_registry() {
    if sqlite_only("backup copies a SQLite database (PostgreSQL is backed up with pg_dump)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let big = big_package(dir.path(), "big-assets", 40);
    let (status, body) = server.upload(&big, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await.0, 200);

    let dest = dir.path().join("nightly");
    let partial = dir.path().join("nightly.partial");
    let mut child = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"))
        .args(["backup", dest.to_str().unwrap()])
        .env("DATA_DIR", &server.data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once the database is copied and the files are on their way.
    let started = Instant::now();
    while !partial.join("registry.db").exists() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before it finished (the premise)");
    assert!(!dest.exists(), "a killed backup never looks finished");
    let err = String::from_utf8_lossy(&admin(dir.path(), &["restore", partial.to_str().unwrap()]).stderr).into_owned();
    assert!(err.contains("not a backup, or one that did not finish"), "{err}");

    // The live registry did not notice.
    assert_eq!(server.get("/health").await.status(), 200);
    fsck_clean(&server.data_dir);
    // The next backup starts over, finishes, and restores.
    let out = admin(&server.data_dir, &["backup", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!partial.exists());
    let out = admin(&dir.path().join("restored"), &["restore", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A tmpfs of `mb` megabytes at `at`, unmounted when dropped. Mounting needs
/// root (CI runs as root); elsewhere the test says so and stops.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, mb: usize) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m,mode=0700"), "tmpfs"])
            .arg(at)
            .output()
            .ok()?;
        if out.status.success() {
            return Some(SmallDisk(at.to_owned()));
        }
        let why = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(std::env::var_os("CI").is_none(), "CI must be able to mount a tmpfs (run as root): {why}");
        eprintln!("skipped: cannot mount a tmpfs here ({why})");
        None
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_full_disk_refuses_the_upload_clearly_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&dir.path().join("disk"), 12) else { return };
    let data = disk.0.join("data");
    let mut server = TestServer::start_with(ServerOptions { data_dir: Some(data.clone()), ..ServerOptions::default() });
    let (status, first) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{first}");

    // 20 MB into what is left of 12 MB.
    let big = big_package(dir.path(), "too-big-for-the-disk", 20);
    let (status, body) = server.upload(&big, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 503, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("disk is full") && detail.contains("STORAGE_PATH"), "{detail}");

    // Its partial file is gone: the space is back, and uploads that fit work.
    let (status, body) = server.upload(&build_example("room-exporter", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.get("/health").await.status(), 200);
    let (status, sha) = download_sha(&server, "wall-tools", "1.2.0").await;
    assert_eq!((status, sha.as_str()), (200, first["file_hash"].as_str().unwrap()));
    fsck_clean(&data);

    let (restarted, _keep) = restart(&mut server);
    assert_eq!(restarted.get_json("/api/stats").await.1["total_packages"], 2);
    assert_eq!(download_sha(&restarted, "wall-tools", "1.2.0").await.0, 200);
    drop(restarted);
    fsck_clean(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_by_another_process_delays_writes_not_reads() {
    if sqlite_only("the lock is a sqlite3 session's exclusive lock on registry.db") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let (status, first) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{first}");

    // Another process (a careless `sqlite3` session) takes the write lock and keeps it.
    let db = server.data_dir.join("registry.db");
    let mut locker = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             c.execute('BEGIN EXCLUSIVE')\n\
             print('locked', flush=True)\n\
             sys.stdin.read()\n\
             c.execute('COMMIT')\n",
        ])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(locker.stdout.as_mut().unwrap()), &mut line).unwrap();
    assert_eq!(line.trim(), "locked");

    // Reads go on (WAL: readers never wait for the writer's lock).
    assert_eq!(server.get("/api/packages/wall-tools").await.status(), 200);
    assert_eq!(server.get("/api/packages/search?q=wall").await.status(), 200);
    assert_eq!(server.get("/health").await.status(), 200);
    // A download is served now and counted once the lock is gone.
    assert_eq!(download_sha(&server, "wall-tools", "1.2.0").await.0, 200);
    // A write waits for the busy timeout, then says what is wrong.
    let (status, body) = server.upload(&build_example("room-exporter", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 503, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("locked by another process"), "{body}");

    drop(locker.stdin.take());
    assert!(locker.wait().unwrap().success());
    let (status, body) = server.upload(&build_example("room-exporter", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(10), || async {
        (server.get_json("/api/stats").await.1["total_downloads"] == 1).then_some(())
    })
    .await;
    // The refused upload's file was removed once the lock was gone (or is a
    // young orphan fsck leaves alone): nothing missing, nothing corrupt.
    eventually(Duration::from_secs(10), || async { admin(&server.data_dir, &["fsck"]).status.success().then_some(()) })
        .await;
}

#[tokio::test]
async fn the_package_folder_gone_under_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start();
    let (status, first) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{first}");
    let packages = server.data_dir.join("packages");
    let away = server.data_dir.join("packages.unmounted");
    std::fs::rename(&packages, &away).unwrap();

    let (status, health) = server.get_json("/health").await;
    assert_eq!((status, health["status"].as_str()), (503, Some("unavailable")));
    assert_eq!(server.get("/api/packages/wall-tools").await.status(), 200, "metadata does not need the files");
    let r = server.get("/api/packages/wall-tools/1.2.0/download").await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("folder is gone"), "{body}");
    let (status, body) = server.upload(&build_example("room-exporter", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 503, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("STORAGE_PATH"), "{body}");

    // The share comes back: everything works again, without a restart.
    std::fs::rename(&away, &packages).unwrap();
    assert_eq!(server.get("/health").await.status(), 200);
    let (status, sha) = download_sha(&server, "wall-tools", "1.2.0").await;
    assert_eq!((status, sha.as_str()), (200, first["file_hash"].as_str().unwrap()));
    let (status, body) = server.upload(&build_example("room-exporter", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    fsck_clean(&server.data_dir);
    let (restarted, _keep) = restart(&mut server);
    assert_eq!(restarted.get_json("/api/stats").await.1["total_packages"], 2);
}
