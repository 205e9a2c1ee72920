//! The blob store's promises, checked on every backend: a folder, and an
//! S3-compatible bucket (moto's server, a real HTTP server on loopback).

use std::path::Path;

use revitpy_blobs::moto::Moto;
use revitpy_blobs::{BlobError, BlobKey, BlobLocation, BlobStore, FileStore, OrphanRule, S3Config, S3Store};
use sha2::{Digest, Sha256};

fn key_of(bytes: &[u8]) -> BlobKey {
    BlobKey::parse(&hex::encode(Sha256::digest(bytes))).unwrap()
}

/// Writes `bytes` to a new file in the store's spool, as an upload does.
fn spooled(store: &dyn BlobStore, bytes: &[u8]) -> tempfile::TempPath {
    let temp = tempfile::Builder::new().prefix("upload-").tempfile_in(store.temp_dir()).unwrap().into_temp_path();
    std::fs::write(&temp, bytes).unwrap();
    temp
}

/// The bytes a location holds: a file read, or a URL fetched (a presigned
/// URL must work without credentials).
async fn read_location(location: BlobLocation) -> Vec<u8> {
    match location {
        BlobLocation::File { path, .. } => std::fs::read(path).unwrap(),
        BlobLocation::Url { url, .. } => {
            let r = reqwest::get(&url).await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            r.bytes().await.unwrap().to_vec()
        }
    }
}

/// `precise_ages`: the store can tell whether a blob was stored again
/// since a moment (a folder's modification times); a bucket cannot, and
/// keeps such blobs for fsck's age rule instead.
async fn contract(store: &dyn BlobStore, scratch: &Path, precise_ages: bool) {
    store.check().await.unwrap();
    let small = b"a small package".to_vec();
    // Past the multipart threshold, in parts of different bytes.
    let large: Vec<u8> = (0..(revitpy_blobs::s3_store::MULTIPART_FROM * 2 + 12_345)).map(|i| (i % 251) as u8).collect();
    for bytes in [&small, &large] {
        let key = key_of(bytes);
        assert!(!store.exists(&key).await.unwrap());
        assert!(matches!(store.locate(&key).await, Err(BlobError::NotFound(_))));
        assert_eq!(store.stored_at(&key).await.unwrap(), None);
        let temp = spooled(store, bytes);
        assert!(store.put_file(&key, &temp).await.unwrap(), "the first put stores");
        assert!(!temp.exists(), "the spooled file is taken");
        let _ = temp.keep();
        assert!(store.exists(&key).await.unwrap());
        let located = store.locate(&key).await.unwrap();
        let size = match &located {
            BlobLocation::File { size, .. } | BlobLocation::Url { size, .. } => *size,
        };
        assert_eq!(size, bytes.len() as u64);
        assert_eq!(&read_location(located).await, bytes);
        let dest = scratch.join(key.as_str());
        assert_eq!(store.fetch_to(&key, &dest).await.unwrap(), bytes.len() as u64);
        assert_eq!(&std::fs::read(&dest).unwrap(), bytes);
        assert!(store.stored_at(&key).await.unwrap().is_some());
        // The same bytes again: kept once, reported as not new.
        let again = spooled(store, bytes);
        assert!(!store.put_file(&key, &again).await.unwrap());
        let _ = again.keep();
    }
    let listed = store.list(true).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|b| b.intact && !b.old));
    let mut sizes: Vec<u64> = listed.iter().map(|b| b.size).collect();
    sizes.sort();
    assert_eq!(sizes, [small.len() as u64, large.len() as u64]);
    // Orphan rules: stored after `at`, kept; not stored since, removed.
    let key = key_of(&small);
    let at = store.stored_at(&key).await.unwrap().unwrap() - std::time::Duration::from_secs(5);
    let remove = |rule| tokio::task::block_in_place(|| store.remove_orphan_blocking(&key, rule));
    assert!(!remove(OrphanRule::NotStoredSince(at)).unwrap());
    assert!(!remove(OrphanRule::OlderThan(std::time::Duration::from_secs(3600))).unwrap());
    assert!(store.exists(&key).await.unwrap());
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    assert_eq!(remove(OrphanRule::NotStoredSince(later)).unwrap(), precise_ages);
    assert_eq!(store.exists(&key).await.unwrap(), !precise_ages);
    assert_eq!(remove(OrphanRule::Any).unwrap(), !precise_ages);
    assert!(!store.exists(&key).await.unwrap());
    assert!(!remove(OrphanRule::Any).unwrap(), "a missing blob is not an error");
    // Delete, twice.
    let large_key = key_of(&large);
    store.delete(&large_key).await.unwrap();
    store.delete(&large_key).await.unwrap();
    assert!(matches!(store.fetch_to(&large_key, &scratch.join("gone")).await, Err(BlobError::NotFound(_))));
    assert!(store.list(false).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(&dir.path().join("blobs")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    contract(&store, scratch.path(), true).await;
}

fn s3_store(moto: &Moto, bucket: &str, spool: &Path) -> S3Store {
    moto.create_bucket(bucket);
    S3Store::open(&S3Config {
        bucket: bucket.to_owned(),
        endpoint: Some(moto.endpoint.clone()),
        region: Some("us-east-1".to_owned()),
        spool: spool.to_owned(),
        credentials: Some((revitpy_blobs::moto::ACCESS_KEY.to_owned(), revitpy_blobs::moto::SECRET_KEY.to_owned())),
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_keeps_the_contract() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = s3_store(&moto, "contract", &dir.path().join("spool"));
    let scratch = tempfile::tempdir().unwrap();
    contract(&store, scratch.path(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_that_does_not_answer_is_a_storage_error_not_a_hang() {
    // A port nothing listens on: every call fails, and soon.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let store = S3Store::open(&S3Config {
        bucket: "nowhere".to_owned(),
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: None,
        spool: dir.path().join("spool"),
        credentials: Some(("id".to_owned(), "secret".to_owned())),
    })
    .unwrap();
    let started = std::time::Instant::now();
    let e = store.check().await.unwrap_err();
    assert!(matches!(e, BlobError::Storage(_)), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
}
