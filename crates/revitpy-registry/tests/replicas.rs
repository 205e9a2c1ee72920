//! Two `serve` processes on one store and one package storage behave as one
//! registry: an upload on one is downloadable on the other at once and
//! searchable within a poll (half a second), downloads on both add up, a
//! version cannot be claimed twice, and both sign the index with the same
//! key. Here the store is SQLite, which several processes on one machine
//! share (WAL); each replica keeps its own derived search index.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sha2::Digest;

fn replica(data: &std::path::Path, name: &str) -> TestServer {
    let mut options = ServerOptions { data_dir: Some(data.to_owned()), ..ServerOptions::default() };
    let index = data.join(format!("search-index-{name}"));
    options.env.push(("SEARCH_INDEX_PATH".to_owned(), index.to_string_lossy().into_owned()));
    TestServer::start_with(options)
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}: not within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

#[tokio::test]
async fn two_replicas_on_one_store_are_one_registry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let a = replica(&data, "a");
    let b = replica(&data, "b");
    let packages = tempfile::tempdir().unwrap();

    // Published on a: downloadable on b at once, the same bytes.
    let file = build_example("revitpy-utils", packages.path());
    let (status, body) = a.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_str().unwrap().to_owned();
    let path = format!("/api/packages/revitpy-utils/{version}/download");
    let r = b.get(&path).await;
    assert_eq!(r.status(), 200);
    let sha = hex::encode(sha2::Sha256::digest(std::fs::read(&file).unwrap()));
    assert_eq!(hex::encode(sha2::Sha256::digest(r.bytes().await.unwrap())), sha);

    // Searchable on b after b's next poll of the change feed.
    let searchable = wait_for("searchable on the other replica", async || {
        let (_, found) = b.get_json("/api/packages/search?q=revitpy-utils").await;
        found["total"] == 1
    })
    .await;
    eprintln!("searchable on the other replica after {searchable:?}");

    // The same version again, on b: refused, as on one server.
    let (status, body) = b.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 409, "{body}");

    // A new package uploaded to both at once: one wins, one is told.
    let wall = build_example("wall-tools", packages.path());
    let (ra, rb) = tokio::join!(a.upload(&wall, Some(ADMIN_TOKEN)), b.upload(&wall, Some(ADMIN_TOKEN)));
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{ra:?} {rb:?}");
    let (_, detail) = a.get_json("/api/packages/wall-tools").await;
    assert_eq!(detail["versions"].as_array().unwrap().len(), 1, "{detail}");

    // Downloads on both add up in the store.
    for server in [&a, &a, &b] {
        assert_eq!(server.get(&path).await.status(), 200);
    }
    wait_for("downloads counted across replicas", async || {
        let (_, detail) = a.get_json("/api/packages/revitpy-utils").await;
        detail["package"]["download_count"] == 4
    })
    .await;

    // One index key: both sign what clients verify with the same root.
    let (_, roots_a) = a.get_json("/api/index/roots").await;
    let (_, roots_b) = b.get_json("/api/index/roots").await;
    assert_eq!(roots_a, roots_b);
    let root: revitpy_sign::index::Envelope = serde_json::from_value(roots_a["roots"][0].clone()).unwrap();
    let root = revitpy_sign::index::Root::open_self_signed(&root).unwrap();
    for server in [&a, &b] {
        let (_, signed) = server.get_json("/api/index/signed").await;
        let meta = root.open_index(&serde_json::from_value(signed).unwrap()).unwrap();
        assert_eq!(meta.packages, 2);
    }
}
