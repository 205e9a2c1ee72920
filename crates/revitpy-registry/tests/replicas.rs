//! Two `serve` processes on one store and one package storage behave as one
//! registry: an upload on one is downloadable on the other at once and
//! searchable within a poll (half a second), downloads on both add up, a
//! version cannot be claimed twice, and both sign the index with the same
//! key. Each replica keeps its own derived search index.
//!
//! The same story runs twice: on the backend of the run (SQLite, which
//! several processes on one machine share through WAL, or PostgreSQL) with
//! one data folder, and on PostgreSQL with the packages in an S3 bucket
//! (moto's server), where the replicas share nothing on disk but the index
//! key, as on two machines.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use revitpy_blobs::moto::Moto;
use revitpy_store::test_postgres::TestSchema;
use sha2::Digest;

/// A replica on `data` with a search index of its own, and `env` besides.
fn replica(data: &Path, name: &str, env: &[(String, String)]) -> TestServer {
    let mut options = ServerOptions { data_dir: Some(data.to_owned()), ..ServerOptions::default() };
    let index = data.join(format!("search-index-{name}"));
    options.env.push(("SEARCH_INDEX_PATH".to_owned(), index.to_string_lossy().into_owned()));
    options.env.extend(env.iter().cloned());
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

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The story both tests tell of replicas `a` and `b`, empty at the start;
/// returns the download path of the package it published first.
async fn one_registry(a: &TestServer, b: &TestServer) -> String {
    let packages = tempfile::tempdir().unwrap();

    // Published on a: downloadable on b at once, the same bytes (a redirect
    // to the bucket, followed, when the packages are in one).
    let file = build_example("revitpy-utils", packages.path());
    let (status, body) = a.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_str().unwrap().to_owned();
    let path = format!("/api/packages/revitpy-utils/{version}/download");
    let r = b.get(&path).await;
    assert_eq!(r.status(), 200);
    let sha = sha256_hex(&std::fs::read(&file).unwrap());
    assert_eq!(sha256_hex(&r.bytes().await.unwrap()), sha);

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
    for server in [a, a, b] {
        let r = server.get(&path).await;
        assert_eq!(r.status(), 200);
        assert_eq!(sha256_hex(&r.bytes().await.unwrap()), sha);
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
    for server in [a, b] {
        let (_, signed) = server.get_json("/api/index/signed").await;
        let meta = root.open_index(&serde_json::from_value(signed).unwrap()).unwrap();
        assert_eq!(meta.packages, 2);
    }
    path
}

#[tokio::test]
async fn two_replicas_on_one_store_are_one_registry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let a = replica(&data, "a", &[]);
    let b = replica(&data, "b", &[]);
    one_registry(&a, &b).await;
}

#[tokio::test]
async fn two_replicas_on_postgres_and_a_bucket_are_one_registry() {
    let Some(schema) = TestSchema::create("replicas") else { return };
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("replicated");
    // Two machines: a data folder each (the upload spool, the search
    // index), the same database, bucket and index key.
    let dir = tempfile::tempdir().unwrap();
    let mut env = moto.env("replicated");
    env.push(("DATABASE_URL".to_owned(), schema.url.clone()));
    let key = dir.path().join("shared/index-signing-key");
    env.push(("INDEX_KEY_PATH".to_owned(), key.to_string_lossy().into_owned()));
    let a = replica(&dir.path().join("a"), "a", &env);
    let b = replica(&dir.path().join("b"), "b", &env);

    let path = one_registry(&a, &b).await;

    // The downloads were redirects to the bucket, from either replica.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for server in [&a, &b] {
        let r = no_redirects.get(server.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 302);
        let location = r.headers()["location"].to_str().unwrap();
        assert!(location.starts_with(&moto.endpoint), "{location}");
    }
    // Nothing of the packages or the database on either machine's disk.
    for data in [&a.data_dir, &b.data_dir] {
        assert!(!data.join("packages").exists(), "{}", data.display());
        assert!(!data.join("registry.db").exists(), "{}", data.display());
    }
}
