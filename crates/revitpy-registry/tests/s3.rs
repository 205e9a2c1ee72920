//! The registry with its package files in an S3-compatible bucket (moto's
//! server on loopback): uploads land in the bucket, downloads redirect to
//! presigned URLs and are counted, rescans and fsck read the bucket, a CDN
//! still wins, and a bucket that is not there stops the start with a clear
//! error.

mod common;

use common::*;
use revitpy_blobs::moto::Moto;
use sha2::Digest;

fn s3_server(moto: &Moto, bucket: &str, extra: &[(&str, &str)]) -> TestServer {
    moto.create_bucket(bucket);
    let mut options = ServerOptions::default();
    options.env.extend(moto.env(bucket));
    options.env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    TestServer::start_with(options)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn packages_live_in_the_bucket_and_downloads_are_presigned_redirects() {
    let Some(moto) = Moto::start() else { return };
    let server = s3_server(&moto, "packages", &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("wall-tools", dir.path());
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let sha = hex::encode(sha2::Sha256::digest(std::fs::read(&file).unwrap()));
    // Nothing in a local package folder: the bytes are in the bucket.
    assert!(!server.data_dir.join("packages").join(&sha[..2]).exists());
    let (status, health) = server.get_json("/health").await;
    assert_eq!(status, 200, "{health}");

    let version = body["version"].as_str().unwrap().to_owned();
    let path = format!("/api/packages/wall-tools/{version}/download");
    let r = no_redirects().get(server.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&moto.endpoint), "{location}");
    assert!(location.contains("X-Amz-Signature="), "{location}");
    // The presigned URL works without credentials, and holds the package.
    let bytes = reqwest::get(&location).await.unwrap().bytes().await.unwrap();
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), sha);
    // HEAD is answered by the registry (a presigned URL is for GET only).
    let head = no_redirects().head(server.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], bytes.len().to_string().as_str());
    // Followed like any redirect by a client, and counted.
    let followed = server.client.get(server.url(&path)).send().await.unwrap();
    assert_eq!(followed.status(), 200);
    assert_eq!(followed.bytes().await.unwrap(), bytes);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, detail) = server.get_json("/api/packages/wall-tools").await;
        if detail["package"]["download_count"] == 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "downloads not counted: {detail}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // The admin commands read the bucket too: fsck hashes every object,
    // and names one the bucket lost.
    let fsck = |args: &[&str]| admin_command(&server.data_dir).args(args).envs(moto.env("packages")).output().unwrap();
    let out = fsck(&["fsck", "--json"]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["blobs_checked"].as_u64(), report["versions_checked"].as_u64()), (Some(1), Some(1)), "{report}");
    let store = revitpy_blobs::S3Store::open(&revitpy_blobs::S3Config {
        bucket: "packages".to_owned(),
        endpoint: Some(moto.endpoint.clone()),
        region: None,
        spool: dir.path().join("spool"),
        credentials: Some((revitpy_blobs::moto::ACCESS_KEY.to_owned(), revitpy_blobs::moto::SECRET_KEY.to_owned())),
    })
    .unwrap();
    revitpy_blobs::BlobStore::delete(&store, &revitpy_blobs::BlobKey::parse(&sha).unwrap()).await.unwrap();
    let out = fsck(&["fsck", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["missing"].as_array().unwrap().len(), 1, "{report}");
    assert!(report["missing"][0].as_str().unwrap().contains(&sha), "{report}");
}

#[tokio::test]
async fn a_cdn_still_wins_over_presigned_urls() {
    let Some(moto) = Moto::start() else { return };
    let server = s3_server(&moto, "cdn", &[("CDN_BASE_URL", "https://cdn.example.com/pkgs")]);
    let dir = tempfile::tempdir().unwrap();
    let (status, body) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_str().unwrap().to_owned();
    let r =
        no_redirects().get(server.url(&format!("/api/packages/wall-tools/{version}/download"))).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("https://cdn.example.com/pkgs/"));
}
