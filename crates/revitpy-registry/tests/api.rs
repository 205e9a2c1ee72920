//! The HTTP API against the real server: publishing the examples, reading
//! them back in the original's shapes, search, downloads, auth and errors.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

async fn publish_all(server: &TestServer, dir: &std::path::Path) {
    for name in EXAMPLES {
        let file = build_example(name, dir);
        let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 200, "{name}: {body}");
    }
}

#[tokio::test]
async fn publish_examples_and_read_them_in_the_original_shapes() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("wall-tools", dir.path());
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    let sha = body["file_hash"].as_str().unwrap().to_owned();
    assert_eq!(body["package_name"], "wall-tools");
    assert_eq!(body["version"], "1.2.0");
    assert_eq!(body["file_size"], std::fs::metadata(&file).unwrap().len());
    assert_eq!(sha.len(), 64);
    publish_all_but(&server, dir.path(), "wall-tools").await;

    let (status, d) = server.get_json("/api/packages/Wall_Tools").await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["package"]["name"], "wall-tools");
    assert_eq!(d["package"]["latest_version"], "1.2.0");
    let v = &d["versions"][0];
    assert_eq!(v["version"], "1.2.0");
    assert_eq!(v["min_revit_version"], "2022");
    assert_eq!(v["max_revit_version"], "2025");
    assert_eq!(v["tested_revit_versions"], json!(["2022", "2023", "2024"]));
    assert_eq!(v["file_hash_sha256"], sha.as_str());
    // Scanned at upload (tests/scan.rs has the details).
    assert!(["passed", "warning"].contains(&v["security_scan_status"].as_str().unwrap()), "{v}");
    assert_eq!(body["security_scan_status"], v["security_scan_status"]);
    assert_eq!(v["dependencies"], json!([{"name": "revitpy-utils", "version": ">=1.0, <2"}]));
    assert!(v["summary"].is_string() && v["description"].is_string());
    // A package first published with ADMIN_TOKEN is owned by the `admin` account.
    assert_eq!(d["package"]["owners"], json!(["admin"]));

    // Open-ended range: null, not a number, not a string "None".
    let (_, d) = server.get_json("/api/packages/revitpy-utils").await;
    assert_eq!(d["versions"][0]["max_revit_version"], Value::Null);
    // pyproject has no summary: the description's first line, a string.
    let (_, d) = server.get_json("/api/packages/room-exporter").await;
    assert!(d["package"]["summary"].as_str().unwrap().starts_with("Export rooms"));

    let (status, c) = server.get_json("/api/packages/sheet-publisher/compatibility").await;
    assert_eq!(status, 200);
    assert_eq!(c["package"], "sheet-publisher");
    let m = &c["compatibility_matrix"]["2.0.0b1"];
    assert_eq!(m["min_revit"], "2022");
    assert_eq!(m["max_revit"], "2024");
    assert_eq!(m["tested_versions"], json!(["2022", "2024"]));
    assert_eq!(m["known_issues"][0]["affected_versions"], json!(["2022"]));

    let (status, s) = server.get_json("/api/stats").await;
    assert_eq!(status, 200);
    assert_eq!(s["total_packages"], 6);
    assert_eq!(s["total_versions"], 6);
    // The original's shape: the number of distinct types; per type beside it.
    assert_eq!(s["package_type_counts"]["addon"], 3);
    assert_eq!(s["package_type_counts"]["template"], 1);
    let distinct = s["package_type_counts"].as_object().unwrap().len();
    assert!(distinct >= 2);
    assert_eq!(s["package_types"], distinct);

    let (status, h) = server.get_json("/health").await;
    assert_eq!(status, 200);
    assert_eq!(h["database"], "ok");
    assert_eq!(h["storage"], "ok");
}

async fn publish_all_but(server: &TestServer, dir: &std::path::Path, skip: &str) {
    for name in EXAMPLES.iter().filter(|n| **n != skip) {
        let file = build_example(name, dir);
        let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 200, "{name}: {body}");
    }
}

fn names(v: &Value) -> Vec<String> {
    v["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_misspelt_name_finds_nothing_and_gets_the_nearest_names() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    publish_all_but(&server, dir.path(), "").await;
    let (status, found) = server.get_json("/api/packages/search?q=wall-tolos").await;
    assert_eq!(status, 200);
    assert_eq!((found["total"].clone(), found["suggestions"].clone()), (json!(0), json!(["wall-tools"])), "{found}");
    let (_, found) = server.get_json("/api/packages/search?q=walls").await;
    assert_eq!(found["suggestions"], json!([]), "something found: no suggestions");
    let (_, found) = server.get_json("/api/packages/search?q=no%20such%20thing").await;
    assert_eq!((found["total"].clone(), found["suggestions"].clone()), (json!(0), json!([])), "not a name: none");
}

#[tokio::test]
async fn search_ranks_and_filters() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    publish_all(&server, dir.path()).await;

    let (status, r) = server.get_json("/api/packages/search?q=*").await;
    assert_eq!(status, 200);
    assert_eq!(r["total"], 6);
    assert_eq!(r["query"], "*");
    assert_eq!(r["filters"], json!({"revit_version": null, "package_type": null}));
    for key in [
        "name",
        "normalized_name",
        "summary",
        "description",
        "latest_version",
        "package_type",
        "performance_impact",
        "min_revit_version",
        "max_revit_version",
        "download_count",
    ] {
        assert!(r["results"][0].get(key).is_some(), "missing {key}");
    }

    // Exact name first, whatever the spelling.
    let (_, r) = server.get_json("/api/packages/search?q=REVITPY_utils").await;
    assert_eq!(names(&r)[0], "revitpy-utils");
    // Name prefix before text matches.
    let (_, r) = server.get_json("/api/packages/search?q=wall").await;
    assert_eq!(names(&r)[0], "wall-tools");
    // Word order and case do not matter.
    let (_, a) = server.get_json("/api/packages/search?q=sheets%20pdf").await;
    let (_, b) = server.get_json("/api/packages/search?q=PDF%20Sheets").await;
    assert_eq!(names(&a), names(&b));
    assert_eq!(names(&a)[0], "sheet-publisher");

    // Revit years compare as numbers; open ranges are open.
    let (_, r) = server.get_json("/api/packages/search?q=*&revit_version=2026").await;
    let mut got = names(&r);
    got.sort();
    assert_eq!(got, ["family-template-kit", "revitpy-utils", "room-exporter"]);
    assert_eq!(r["filters"]["revit_version"], "2026");
    let (_, r) = server.get_json("/api/packages/search?q=*&revit_version=2021").await;
    assert_eq!(names(&r), ["revitpy-utils"]);
    let (_, r) = server.get_json("/api/packages/search?q=*&package_type=template").await;
    assert_eq!(names(&r), ["family-template-kit"]);
    let (_, r) = server.get_json("/api/packages/search?q=*&package_type=library&revit_version=2024").await;
    assert_eq!(names(&r), ["revitpy-utils"]);

    // Paging: capped limit, offset, total over all pages.
    let (_, r) = server.get_json("/api/packages/search?q=*&limit=1000").await;
    assert_eq!(r["limit"], 100);
    let (_, p1) = server.get_json("/api/packages/search?q=*&limit=4").await;
    let (_, p2) = server.get_json("/api/packages/search?q=*&limit=4&offset=4").await;
    assert_eq!(names(&p1).len(), 4);
    assert_eq!(names(&p2).len(), 2);
    assert_eq!(p2["total"], 6);

    for bad in [
        "limit=ten",
        "offset=-1",
        "revit_version=next",
        "revit_version=1999",
        "package_type=plugin",
        "offset=999999999",
    ] {
        let (status, body) = server.get_json(&format!("/api/packages/search?q=x&{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["detail"].is_string(), "{bad}");
    }
    // Query syntax characters are words, not syntax.
    for q in ["%22", "a:b", "(", "*~^", "%00", "wall%20AND%20OR"] {
        let (status, _) = server.get_json(&format!("/api/packages/search?q={q}")).await;
        assert_eq!(status, 200, "{q}");
    }
}

#[tokio::test]
async fn downloads_with_etag_range_head_and_counts() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("sheet-publisher", dir.path());
    let bytes = std::fs::read(&file).unwrap();
    let (_, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    let sha = body["file_hash"].as_str().unwrap().to_owned();
    let url = server.url("/api/packages/sheet-publisher/2.0.0b1/download");

    let r = server.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{sha}\""));
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let r = server.client.get(&url).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    let r = server.client.get(&url).header("Range", "bytes=10-19").send().await.unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], format!("bytes 10-19/{}", bytes.len()).as_str());
    assert_eq!(r.bytes().await.unwrap().as_ref(), &bytes[10..20]);
    let r = server.client.get(&url).header("Range", "bytes=-5").send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), &bytes[bytes.len() - 5..]);
    // A one-byte probe from the start is not a download either.
    let r = server.client.get(&url).header("Range", "bytes=0-0").send().await.unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &bytes[..1]);
    let r = server.client.get(&url).header("Range", format!("bytes={}-", bytes.len() + 5)).send().await.unwrap();
    assert_eq!(r.status(), 416);
    let r = server.client.head(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-length"], bytes.len().to_string().as_str());
    // PEP 440 equality finds the version however it is spelled.
    let r = server.client.get(server.url("/api/packages/Sheet_Publisher/2.0.0-beta.1/download")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // Counted: two full GETs (not the 304, the HEAD, nor any range).
    let count = eventually(Duration::from_secs(5), || async {
        let (_, d) = server.get_json("/api/packages/sheet-publisher").await;
        let n = d["versions"][0]["download_count"].as_u64().unwrap();
        (n >= 2).then_some(n)
    })
    .await;
    assert_eq!(count, 2);

    for missing in [
        "/api/packages/sheet-publisher/9.9.9/download",
        "/api/packages/nope/1.0/download",
        "/api/packages/sheet-publisher/not-a-version/download",
    ] {
        let (status, body) = server.get_json(missing).await;
        assert_eq!(status, 404, "{missing}: {body}");
    }
}

#[tokio::test]
async fn uploads_need_a_token_with_rights() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("revitpy-utils", dir.path());
    let (status, body) = server.upload(&file, None).await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = server.upload(&file, Some("rpy_wrong")).await;
    assert_eq!(status, 401);

    // Tokens from the API: alice publishes, bob is no owner.
    let token = |user: &str, scope: &str, package: Option<&str>| {
        let body = json!({"user": user, "scope": scope, "package": package});
        let req = server.client.post(server.url("/api/tokens")).bearer_auth(ADMIN_TOKEN).json(&body);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 201);
            let v: Value = r.json().await.unwrap();
            v["token"].as_str().unwrap().to_owned()
        }
    };
    let alice = token("alice", "publish", None).await;
    let bob = token("bob", "publish", None).await;
    let yanker = token("alice", "yank", None).await;
    let other_package = token("alice", "publish", Some("wall-tools")).await;

    let (status, body) = server.upload(&file, Some(&yanker)).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = server.upload(&file, Some(&other_package)).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = server.upload(&file, Some(&alice)).await;
    assert_eq!(status, 200, "{body}");
    let (_, d) = server.get_json("/api/packages/revitpy-utils").await;
    assert_eq!(d["package"]["owners"], json!(["alice"]));
    assert_eq!(d["versions"][0]["published_by"], "alice");

    let next = build_variant("revitpy-utils", dir.path(), "next", |src| set_version(src, "1.5.0"));
    let (status, body) = server.upload(&next, Some(&bob)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("not an owner"));

    // A package-limited token is never an admin, and none can be made.
    let r = server
        .client
        .post(server.url("/api/tokens"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"user": "mallory", "scope": "admin", "package": "revitpy-utils"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // alice adds bob (user names are case-insensitive); now he may publish.
    let r = server
        .client
        .put(server.url("/api/packages/revitpy-utils/owners"))
        .bearer_auth(&alice)
        .json(&json!({"users": ["Bob"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = server.upload(&next, Some(&bob)).await;
    assert_eq!(status, 200, "{body}");
    // The last owner cannot be removed.
    let r = server
        .client
        .delete(server.url("/api/packages/revitpy-utils/owners"))
        .bearer_auth(&alice)
        .json(&json!({"users": ["alice", "bob"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Revoked tokens stop working; listing never shows tokens.
    let r = server.client.get(server.url("/api/tokens")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let list: Value = r.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert!(!list.to_string().contains(&bob));
    let bob_id = list.as_array().unwrap().iter().find(|t| t["user"] == "bob").unwrap()["id"].as_i64().unwrap();
    // A non-admin cannot revoke someone else's token, nor widen its own rights.
    let r =
        server.client.delete(server.url(&format!("/api/tokens/{bob_id}"))).bearer_auth(&alice).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = server
        .client
        .post(server.url("/api/tokens"))
        .bearer_auth(&yanker)
        .json(&json!({"user": "alice", "scope": "publish"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = server
        .client
        .delete(server.url(&format!("/api/tokens/{bob_id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let third = build_variant("revitpy-utils", dir.path(), "third", |src| set_version(src, "1.6.0"));
    let (status, _) = server.upload(&third, Some(&bob)).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn duplicates_bad_packages_and_metadata_are_refused() {
    let server = TestServer::start_with(ServerOptions {
        env: vec![("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()), ("MAX_UPLOAD_MB".into(), "1".into())],
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("wall-tools", dir.path());
    let (status, _) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200);
    let (status, body) = server.upload(&file, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 409, "{body}");
    // 1.2 is 1.2.0 under PEP 440.
    let same = build_variant("wall-tools", dir.path(), "short", |src| set_version(src, "1.2"));
    let (status, body) = server.upload(&same, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 409, "{body}");

    let other = build_example("revitpy-utils", dir.path());
    let (status, body) = server
        .upload_bytes(std::fs::read(&other).unwrap(), Some(ADMIN_TOKEN), Some(r#"{"name": "something-else"}"#))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("the manifest is the truth"));
    let (status, _) =
        server.upload_bytes(std::fs::read(&other).unwrap(), Some(ADMIN_TOKEN), Some(r#"{"version": "9.9"}"#)).await;
    assert_eq!(status, 400);
    let (status, _) = server.upload_bytes(std::fs::read(&other).unwrap(), Some(ADMIN_TOKEN), Some("{not json")).await;
    assert_eq!(status, 400);
    let (status, body) = server
        .upload_bytes(
            std::fs::read(&other).unwrap(),
            Some(ADMIN_TOKEN),
            Some(r#"{"name": "Revitpy_Utils", "version": "1.4.1"}"#),
        )
        .await;
    assert_eq!(status, 200, "agreeing metadata is fine: {body}");

    let (status, body) = server.upload_bytes(b"not a zip at all".to_vec(), Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, 400, "{body}");
    // A hostile archive: the message names the entry.
    let evil = build_variant("room-exporter", dir.path(), "evil", |_| {});
    let mut bytes = std::fs::read(&evil).unwrap();
    let needle = b"room_exporter/export.py";
    let positions: Vec<usize> =
        bytes.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect();
    assert_eq!(positions.len(), 2, "local header and central directory");
    for p in positions {
        bytes[p..p + needle.len()].copy_from_slice(b"../../../../../evil.py!");
    }
    let (status, body) = server.upload_bytes(bytes, Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("evil.py"), "{body}");

    // Larger than MAX_UPLOAD_MB=1: refused from Content-Length, and mid-stream.
    let (status, body) = server.upload_bytes(vec![b'x'; 1024 * 1024 + 512 * 1024], Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, 413, "{body}");
    let (status, body) = server.upload_bytes(vec![b'x'; 2 * 1024 * 1024 + 10], Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, 413, "{body}");

    // Not multipart, no file field.
    let r = server
        .client
        .post(server.url("/api/packages/upload"))
        .bearer_auth(ADMIN_TOKEN)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_json(&r);
    let form = reqwest::multipart::Form::new().text("other", "x");
    let r = server
        .client
        .post(server.url("/api/packages/upload"))
        .bearer_auth(ADMIN_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Nothing of the refused uploads was kept.
    let (_, s) = server.get_json("/api/stats").await;
    assert_eq!(s["total_versions"], 2);
}

#[tokio::test]
async fn yanked_versions_leave_latest_and_search_but_stay_downloadable() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let v1 = build_example("revitpy-utils", dir.path());
    let v2 = build_variant("revitpy-utils", dir.path(), "v2", |src| set_version(src, "1.10.0"));
    let pre = build_variant("revitpy-utils", dir.path(), "pre", |src| set_version(src, "2.0.0rc1"));
    for f in [&v2, &v1, &pre] {
        let (status, body) = server.upload(f, Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 200, "{body}");
    }
    let versions = |d: &Value| {
        d["versions"].as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let (_, d) = server.get_json("/api/packages/revitpy-utils").await;
    // PEP 440 order, not upload order and not string order; the pre-release is not latest.
    assert_eq!(versions(&d), ["2.0.0rc1", "1.10.0", "1.4.1"]);
    assert_eq!(d["package"]["latest_version"], "1.10.0");

    let yank = |v: &str, body: Value| {
        server
            .client
            .put(server.url(&format!("/api/packages/revitpy-utils/{v}/yank")))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
    };
    let r = yank("1.10.0", json!({"reason": "broken on 2024"})).await.unwrap();
    assert_eq!(r.status(), 200);
    let (_, d) = server.get_json("/api/packages/revitpy-utils").await;
    assert_eq!(versions(&d), ["2.0.0rc1", "1.4.1", "1.10.0"]);
    assert_eq!(d["versions"][2]["yanked"], true);
    assert_eq!(d["versions"][2]["yanked_reason"], "broken on 2024");
    assert_eq!(d["package"]["latest_version"], "1.4.1");
    let (_, r) = server.get_json("/api/packages/search?q=revitpy-utils").await;
    assert_eq!(r["results"][0]["latest_version"], "1.4.1");
    let r = server.client.get(server.url("/api/packages/revitpy-utils/1.10.0/download")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // Yank every final release: the pre-release becomes latest; yank it too: gone from search.
    assert_eq!(yank("1.4.1", json!({})).await.unwrap().status(), 200);
    let (_, d) = server.get_json("/api/packages/revitpy-utils").await;
    assert_eq!(d["package"]["latest_version"], "2.0.0rc1");
    assert_eq!(yank("2.0.0rc1", json!({})).await.unwrap().status(), 200);
    let (_, r) = server.get_json("/api/packages/search?q=revitpy").await;
    assert_eq!(r["total"], 0);
    let (status, d) = server.get_json("/api/packages/revitpy-utils").await;
    assert_eq!(status, 200);
    assert_eq!(d["package"]["latest_version"], Value::Null);

    let r = server
        .client
        .put(server.url("/api/packages/revitpy-utils/1.10.0/unyank"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, r) = server.get_json("/api/packages/search?q=revitpy").await;
    assert_eq!(r["results"][0]["latest_version"], "1.10.0");
    let r = server.client.put(server.url("/api/packages/revitpy-utils/1.10.0/yank")).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // Every change moved the serial; the feed lists them and answers 304 when nothing is new.
    let r = server.client.get(server.url("/api/changes?since=0")).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let feed: Value = r.json().await.unwrap();
    let kinds: Vec<&str> = feed["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["publish", "publish", "publish", "yank", "yank", "yank", "unyank"]);
    assert_eq!(feed["serial"], 7);
    let r = server.client.get(server.url("/api/changes?since=0")).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    let (_, feed) = server.get_json("/api/changes?since=6").await;
    assert_eq!(feed["changes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_uploads_of_one_version_one_wins() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = build_example("parameter-sync", dir.path());
    // Same version, different bytes.
    let b = build_variant("parameter-sync", dir.path(), "b", |src| std::fs::write(src.join("extra.txt"), "b").unwrap());
    let (ra, rb) = tokio::join!(server.upload(&a, Some(ADMIN_TOKEN)), server.upload(&b, Some(ADMIN_TOKEN)));
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{ra:?} {rb:?}");
    let winner = if ra.0 == 200 { &ra.1 } else { &rb.1 };
    let r = server.client.get(server.url("/api/packages/parameter-sync/3.1.0/download")).send().await.unwrap();
    let body = r.bytes().await.unwrap();
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&body)), winner["file_hash"].as_str().unwrap());
    // The loser's file was not kept: it is removed after its 409 is sent
    // (never in the request path), so fsck may look a moment later.
    let fsck = || {
        let out = admin_command(&server.data_dir).args(["fsck", "--json"]).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out, report)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (out, report) = loop {
        let (out, report) = fsck();
        if report["orphans"] == json!([]) || std::time::Instant::now() > deadline {
            break (out, report);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(report["orphans"], json!([]), "{report}");
    assert_eq!(report["missing"], json!([]));
    assert!(out.status.success());
}

#[tokio::test]
async fn client_mistakes_are_json_4xx_never_5xx() {
    let server = TestServer::start();
    let cases = [
        ("GET", "/api/packages/nope", 404),
        ("GET", "/api/packages/..%2F..%2Fetc%2Fpasswd", 404),
        ("GET", "/api/packages/%FF%FE", 400),
        ("GET", "/api/packages/nope/compatibility", 404),
        ("GET", "/api/packages/a/b/c/d/e", 404),
        ("GET", "/no/such/endpoint", 404),
        ("DELETE", "/api/packages/search", 405),
        ("GET", "/api/changes?since=-5", 400),
        ("GET", "/api/changes?limit=x", 400),
        ("POST", "/api/tokens", 401),
        ("GET", "/api/tokens", 401),
        ("PUT", "/api/packages/nope/1.0/yank", 401),
    ];
    for (method, path, want) in cases {
        let r = server.client.request(method.parse().unwrap(), server.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), want, "{method} {path}");
        assert_json(&r);
        let body: Value = r.json().await.unwrap();
        assert!(body.get("detail").is_some(), "{method} {path}: {body}");
    }
    // Malformed JSON bodies get the same shape.
    let r = server
        .client
        .post(server.url("/api/tokens"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_json(&r);
    let r = server
        .client
        .post(server.url("/api/tokens"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"user": "x", "scope": "god"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = server
        .client
        .post(server.url("/api/tokens"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"user": "../x", "scope": "publish"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn every_documented_route_exists() {
    let server = TestServer::start();
    let (status, doc) = server.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    let mut seen = Vec::new();
    for (path, methods) in paths {
        for method in methods.as_object().unwrap().keys() {
            let concrete = path.replace("{name}", "nope").replace("{version}", "1.0").replace("{id}", "999");
            let r = server
                .client
                .request(method.to_uppercase().parse().unwrap(), server.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!(!body.contains("no such endpoint") && status != 405, "{method} {path}: {status} {body}");
            seen.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    seen.sort();
    assert_eq!(seen.len(), 27, "{seen:#?}");
}

#[tokio::test]
async fn snapshot_and_batch_feed_the_offline_index() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    publish_all(&server, dir.path()).await;
    let r = server.client.get(server.url("/api/index/snapshot")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_json(&r);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let snap: Value = r.json().await.unwrap();
    assert_eq!(snap["serial"], 6);
    let packages = snap["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 6);
    let utils = packages.iter().find(|p| p["normalized_name"] == "revitpy-utils").unwrap();
    let v = &utils["versions"][0];
    assert_eq!(v["version"], "1.4.1");
    assert_eq!(v["min_revit_version"], "2021");
    assert_eq!(v["file_hash_sha256"].as_str().unwrap().len(), 64);
    let r = server.client.get(server.url("/api/index/snapshot")).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);

    let (status, batch) = server.get_json("/api/index/packages?names=Wall_Tools,nope,wall-tools").await;
    assert_eq!(status, 200);
    assert_eq!(batch["packages"].as_array().unwrap().len(), 1);
    assert_eq!(batch["missing"], json!(["nope"]));
    let (status, _) = server.get_json("/api/index/packages").await;
    assert_eq!(status, 400);
    let many = vec!["a"; 501].join(",");
    let (status, _) = server.get_json(&format!("/api/index/packages?names={many}")).await;
    assert_eq!(status, 400);
}

/// With `DATABASE_URL`, `STORAGE_PATH` (and on PostgreSQL, which has no
/// folder to put them beside, `SEARCH_INDEX_PATH` and `INDEX_KEY_PATH`)
/// set, nothing goes to `DATA_DIR`.
#[tokio::test]
async fn every_part_goes_where_its_variable_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db/registry.db");
    let mut env = vec![
        ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
        ("DATA_DIR".into(), dir.path().join("unused").display().to_string()),
        ("STORAGE_PATH".into(), dir.path().join("blobs").display().to_string()),
    ];
    let schema = test_schema(&dir.path().join("unused"));
    match &schema {
        None => env.push(("DATABASE_URL".into(), format!("sqlite:///{}", db.display()))),
        Some(schema) => env.extend([
            ("DATABASE_URL".into(), schema.url.clone()),
            ("SEARCH_INDEX_PATH".into(), dir.path().join("db/search-index").display().to_string()),
            ("INDEX_KEY_PATH".into(), dir.path().join("db/index-signing-key").display().to_string()),
        ]),
    }
    let server = TestServer::start_with(ServerOptions { env, ..ServerOptions::default() });
    let file = build_example("revitpy-utils", dir.path());
    assert_eq!(server.upload(&file, Some(ADMIN_TOKEN)).await.0, 200);
    // The index and the index key sit beside their database (or where
    // their variables say); nothing went to DATA_DIR.
    assert!(dir.path().join("db/search-index").is_dir());
    assert!(dir.path().join("db/index-signing-key").is_file());
    #[cfg(unix)]
    {
        #[allow(clippy::disallowed_methods)]
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(dir.path().join("db/index-signing-key")).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "the index key is the server user's alone");
    }
    assert_eq!(db.is_file(), schema.is_none());
    assert!(dir.path().join("blobs").is_dir());
    assert!(!dir.path().join("unused").exists());
    let (_, found) = server.get_json("/api/packages/search?q=revitpy-utils").await;
    assert_eq!(found["total"], 1, "{found}");
}

/// A server with `SNAPSHOT_MAX_LAG=max_lag` holding every example but wall-tools.
async fn with_snapshot_lag(max_lag: u64) -> (TestServer, tempfile::TempDir) {
    let mut options = ServerOptions::default();
    options.env.push(("SNAPSHOT_MAX_LAG".to_owned(), max_lag.to_string()));
    let server = TestServer::start_with(options);
    let dir = tempfile::tempdir().unwrap();
    publish_all_but(&server, dir.path(), "wall-tools").await;
    (server, dir)
}

/// The compact snapshot is kept and sent again from memory: the same
/// serial gives the same bytes; `max_lag` changes later it is still sent
/// (its first line names its own serial, and the change feed from there
/// has what it lacks); past that, a new one is made.
async fn kept_compact_snapshots(max_lag: u64) {
    let (server, dir) = with_snapshot_lag(max_lag).await;
    let compact = || async {
        let r = server.client.get(server.url("/api/index/snapshot?format=compact")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let text = String::from_utf8(zstd::decode_all(&r.bytes().await.unwrap()[..]).unwrap()).unwrap();
        (etag, text)
    };
    let head_serial = |text: &str| -> i64 {
        let head: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        head["serial"].as_i64().unwrap()
    };
    let (etag, first) = compact().await;
    let (again_etag, again) = compact().await;
    assert_eq!((&etag, &first), (&again_etag, &again));
    assert!(!first.contains("\"normalized_name\":\"wall-tools\""));
    let (status, _) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200);
    let since = head_serial(&first);
    let (_, feed) = server.get_json(&format!("/api/changes?since={since}")).await;
    let changes = feed["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["name"] == "wall-tools"), "{feed}");
    let lag = changes.iter().map(|c| c["serial"].as_i64().unwrap()).max().unwrap() - since;
    let (next_etag, next) = compact().await;
    if lag as u64 <= max_lag {
        assert_eq!((&next_etag, &next), (&etag, &first), "{lag} changes behind, within {max_lag}: the kept one");
    } else {
        assert_ne!(next_etag, etag);
        assert!(next.contains("\"normalized_name\":\"wall-tools\""), "a kept snapshot was sent {lag} changes behind");
        assert_eq!(next.lines().count(), first.lines().count() + 1);
        assert!(head_serial(&next) >= since + lag);
    }
}

#[tokio::test]
async fn a_kept_compact_snapshot_is_sent_while_within_its_lag() {
    kept_compact_snapshots(1000).await;
}

#[tokio::test]
async fn a_kept_compact_snapshot_past_its_lag_is_made_again() {
    kept_compact_snapshots(0).await;
}

/// Past half its allowed lag, the kept snapshot is still sent, and a new
/// one is made in the background: soon a full sync gets the current state
/// without anyone having waited for it.
#[tokio::test]
async fn a_kept_compact_snapshot_half_its_lag_behind_is_made_again_in_the_background() {
    let (server, dir) = with_snapshot_lag(2).await;
    let compact = || async {
        let r = server.client.get(server.url("/api/index/snapshot?format=compact")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let text = String::from_utf8(zstd::decode_all(&r.bytes().await.unwrap()[..]).unwrap()).unwrap();
        let head: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        (head["serial"].as_i64().unwrap(), text)
    };
    let (before, first) = compact().await;
    assert!(!first.contains("\"normalized_name\":\"wall-tools\""));
    let (status, _) = server.upload(&build_example("wall-tools", dir.path()), Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200);
    let (_, feed) = server.get_json(&format!("/api/changes?since={before}")).await;
    let now = feed["changes"].as_array().unwrap().iter().map(|c| c["serial"].as_i64().unwrap()).max().unwrap();
    assert!(now - before <= 2, "one publish is at most two changes: {feed}");
    // Within the lag: the kept one, which starts a new one.
    let (serial, text) = compact().await;
    assert_eq!((serial, &text), (before, &first));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (serial, text) = compact().await;
        if serial == now {
            assert!(text.contains("\"normalized_name\":\"wall-tools\""));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no new snapshot was made in the background");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
