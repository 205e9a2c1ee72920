//! The store's contract, written once against the `Store` trait and run on
//! both backends: SQLite in a temporary folder, and PostgreSQL in a schema
//! of its own on the machine's server (`REVITPY_TEST_POSTGRES_URL`).

use revitpy_names::{
    PackageName, PackageType, PerformanceImpact, RevitRange, RevitYear, ScanStatus, Sha256, Version, canonical_version,
};
use revitpy_store::test_postgres::TestSchema;
use revitpy_store::{Actor, NewToken, PostgresStore, Release, Scope, SqliteStore, Store, StoreError};

fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("registry.db")).unwrap();
    (dir, store)
}

/// A PostgreSQL store in a fresh schema; `None` skips (see `test_postgres`).
async fn postgres(label: &str) -> Option<(TestSchema, PostgresStore)> {
    let schema = TestSchema::create(label)?;
    let store = PostgresStore::open(&schema.url, 4).await.unwrap();
    Some((schema, store))
}

fn admin() -> Actor {
    Actor { user_id: None, user_name: "admin".into(), scope: Scope::Admin, package: None }
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn version(name: &str, v: &str) -> Release {
    let parsed: Version = v.parse().unwrap();
    Release {
        name: PackageName::new(name).unwrap(),
        version: parsed,
        summary: format!("{name} {v}"),
        description: String::new(),
        author: String::new(),
        author_email: String::new(),
        license: String::new(),
        homepage_url: None,
        repository_url: None,
        documentation_url: None,
        keywords: Vec::new(),
        categories: Vec::new(),
        package_type: PackageType::Addon,
        performance_impact: PerformanceImpact::Low,
        requires_admin: false,
        revit_range: RevitRange::new(Some(RevitYear::new(2022).unwrap()), None).unwrap(),
        tested_revit: Vec::new(),
        known_issues: serde_json::json!([]),
        dependencies: serde_json::json!([]),
        manifest: serde_json::value::RawValue::from_string("{}".into()).unwrap(),
        filename: format!("{name}-{v}.rpyx"),
        file_size: 10,
        // A stand-in hash, one per name and version: their bytes in hex.
        file_sha256: Sha256::new(&format!("{:0<64}", hex_of(&format!("{name} {v}")))).unwrap(),
        security_scan_status: ScanStatus::Pending,
        security_scan: None,
        digital_signature: None,
        signature_key_id: None,
    }
}

async fn user(store: &dyn Store, name: &str, scope: Scope) -> Actor {
    let t = store
        .create_token(NewToken {
            user_name: name.into(),
            label: name.into(),
            token_hash: format!("hash-of-{name}-{scope:?}"),
            token_prefix: "rpy_x".into(),
            scope,
            package: None,
        })
        .await
        .unwrap();
    Actor { user_id: Some(t.user_id), user_name: name.into(), scope, package: None }
}

async fn latest(store: &dyn Store, name: &str) -> Option<String> {
    let p = store.package(name).await.unwrap().unwrap();
    let versions = store.versions(p.id).await.unwrap();
    p.latest_version_id.map(|id| versions.iter().find(|v| v.id == id).unwrap().release.version.to_string())
}

async fn publish_rules(store: &dyn Store) {
    let alice = user(store, "alice", Scope::Publish).await;
    let bob = user(store, "bob", Scope::Publish).await;
    let first = store.publish(&alice, version("tools", "1.0.0")).await.unwrap();
    assert!(first.new_package);
    assert_eq!(first.serial, 1);
    assert_eq!(store.owners(first.package_id).await.unwrap(), ["alice"]);
    // 1.0 is 1.0.0.
    let err = store.publish(&alice, version("tools", "1.0")).await.unwrap_err();
    assert!(matches!(err, StoreError::VersionExists { .. }), "{err}");
    // Not an owner.
    let err = store.publish(&bob, version("tools", "1.1.0")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotOwner { .. }), "{err}");
    // The pre-check asks the same questions, and changes nothing.
    let check = |actor: &Actor, v: &str| {
        let canonical = canonical_version(&v.parse::<Version>().unwrap());
        let (actor, v) = (actor.clone(), v.to_owned());
        async move { store.check_publish(&actor, "tools", &v, &canonical).await }
    };
    assert!(matches!(check(&alice, "1.0").await, Err(StoreError::VersionExists { .. })));
    assert!(matches!(check(&bob, "1.1.0").await, Err(StoreError::NotOwner { .. })));
    check(&alice, "1.1.0").await.unwrap();
    store.check_publish(&bob, "not-yet", "1.0.0", "1").await.unwrap();
    // Refusals spend no serial.
    assert_eq!(store.serial().await.unwrap(), 1);
    let serial = store.add_owners(&alice, first.package_id, &["bob".into()]).await.unwrap();
    assert_eq!(serial, 2);
    assert_eq!(store.add_owners(&alice, first.package_id, &["bob".into()]).await.unwrap(), 2, "no change, no serial");
    store.publish(&bob, version("tools", "1.10.0")).await.unwrap();
    store.publish(&bob, version("tools", "1.9.0")).await.unwrap();
    store.publish(&bob, version("tools", "2.0.0b1")).await.unwrap();
    assert_eq!(latest(store, "tools").await.as_deref(), Some("1.10.0"));
    let err = store.remove_owners(&alice, first.package_id, &["alice".into(), "bob".into()]).await.unwrap_err();
    assert!(matches!(err, StoreError::LastOwner { .. }), "{err}");
    assert_eq!(store.owners(first.package_id).await.unwrap(), ["alice", "bob"], "a refused change changes nothing");
}

async fn yank_rules(store: &dyn Store) {
    let admin = admin();
    let a = store.publish(&admin, version("lib", "1.0.0")).await.unwrap();
    let b = store.publish(&admin, version("lib", "1.1.0")).await.unwrap();
    let c = store.publish(&admin, version("lib", "2.0.0rc1")).await.unwrap();
    assert_eq!(latest(store, "lib").await.as_deref(), Some("1.1.0"));
    let s1 = store.set_yanked(&admin, "lib", b.version_id, true, Some("bad".into())).await.unwrap();
    assert_eq!(s1, c.serial + 1);
    assert_eq!(latest(store, "lib").await.as_deref(), Some("1.0.0"));
    assert_eq!(
        store.set_yanked(&admin, "lib", b.version_id, true, None).await.unwrap(),
        s1,
        "already yanked: no serial"
    );
    store.set_yanked(&admin, "lib", a.version_id, true, None).await.unwrap();
    assert_eq!(latest(store, "lib").await.as_deref(), Some("2.0.0rc1"), "only a pre-release left");
    store.set_yanked(&admin, "lib", c.version_id, true, None).await.unwrap();
    assert_eq!(latest(store, "lib").await, None);
    assert!(store.packages_with_latest(&["lib".into()]).await.unwrap().is_empty());
    store.set_yanked(&admin, "lib", b.version_id, false, None).await.unwrap();
    assert_eq!(latest(store, "lib").await.as_deref(), Some("1.1.0"));
    let changes = store.changes_since(c.serial, 100).await.unwrap();
    let kinds: Vec<&str> = changes.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["yank", "yank", "yank", "unyank"]);
    assert!(changes.windows(2).all(|w| w[0].serial + 1 == w[1].serial));
}

async fn tokens_and_counters(store: &dyn Store) {
    let alice = user(store, "alice", Scope::Yank).await;
    let found = store.authenticate("hash-of-alice-Yank").await.unwrap().unwrap();
    assert_eq!(found.user, "alice");
    assert_eq!(found.scope, Scope::Yank);
    assert!(store.authenticate("nope").await.unwrap().is_none());
    assert!(store.revoke_token(found.id).await.unwrap());
    assert!(!store.revoke_token(found.id).await.unwrap(), "twice is a no-op");
    assert!(store.authenticate("hash-of-alice-Yank").await.unwrap().is_none());
    assert_eq!(store.list_tokens(Some("alice")).await.unwrap().len(), 1);

    let admin = Actor { user_id: None, user_name: "admin".into(), scope: Scope::Admin, package: None };
    let p = store.publish(&admin, version("counted", "1.0.0")).await.unwrap();
    let before = store.serial().await.unwrap();
    store.add_downloads(&[(p.version_id, 3), (p.version_id, 2)]).await.unwrap();
    assert_eq!(store.serial().await.unwrap(), before, "downloads spend no serial");
    let detail = store.package_detail("counted").await.unwrap().unwrap();
    assert_eq!(detail.package.download_count, 5);
    assert_eq!(detail.versions[0].download_count, 5);
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.total_downloads, 5);
    assert!(store.blob_referenced(detail.versions[0].release.file_sha256.as_str()).await.unwrap());
    assert!(!store.blob_referenced(&"f".repeat(64)).await.unwrap());
    // Orphan removal asks the store, under its lock: a referenced file's
    // removal never runs; an unreferenced one's does, and its answer counts.
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran.clone();
    let referenced = detail.versions[0].release.file_sha256.to_string();
    let removed = store
        .remove_if_unreferenced(
            &referenced,
            Box::new(move || {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(true)
            }),
        )
        .await
        .unwrap();
    assert!(!removed && !ran.load(std::sync::atomic::Ordering::SeqCst));
    assert!(store.remove_if_unreferenced(&"f".repeat(64), Box::new(|| Ok(true))).await.unwrap());
    assert!(!store.remove_if_unreferenced(&"f".repeat(64), Box::new(|| Ok(false))).await.unwrap());
    let _ = alice;
}

/// Every field set, none to its default, reads back as published: a
/// column mixed up with another shows.
async fn a_release_reads_back_whole(store: &dyn Store) {
    let mut release = version("Wall_Tools", "2.0.0b1");
    release.description = "Draws walls.\nAnd doors.".into();
    release.author = "Ada".into();
    release.author_email = "ada@example.test".into();
    release.license = "MIT".into();
    release.homepage_url = Some("https://example.test".into());
    release.repository_url = Some("https://example.test/repo".into());
    release.documentation_url = Some("https://example.test/docs".into());
    release.keywords = vec!["walls".into(), "doors".into()];
    release.categories = vec!["Modeling".into()];
    release.package_type = PackageType::Library;
    release.performance_impact = PerformanceImpact::Medium;
    release.requires_admin = true;
    release.revit_range =
        RevitRange::new(Some(RevitYear::new(2022).unwrap()), Some(RevitYear::new(2025).unwrap())).unwrap();
    release.tested_revit = vec![RevitYear::new(2022).unwrap(), RevitYear::new(2024).unwrap()];
    release.known_issues = serde_json::json!([{"description": "slow", "affected_versions": ["2022"]}]);
    release.dependencies = serde_json::json!([{"name": "revitpy-utils", "version": ">=1.0"}]);
    // Kept byte for byte: spacing and key order as published.
    release.manifest =
        serde_json::value::RawValue::from_string("{\"version\": \"2.0.0b1\",  \"name\":\"Wall_Tools\"}".into())
            .unwrap();
    release.file_size = 12_345;
    release.security_scan_status = ScanStatus::Warning;
    release.security_scan = Some(serde_json::json!({"risk_level": "medium", "findings": []}));
    release.digital_signature = Some("sig".into());
    let published = store.publish(&admin(), release.clone()).await.unwrap();
    let read = store.versions(published.package_id).await.unwrap();
    assert_eq!(read.len(), 1);
    // Debug shows the spellings (name as given, version as written).
    assert_eq!(format!("{:?}", read[0].release), format!("{release:?}"));
    assert_eq!(read[0].published_by, None, "ADMIN_TOKEN has no account of its own");
    assert!(!read[0].yanked);
    let detail = store.package_detail("wall-tools").await.unwrap().unwrap();
    assert_eq!(detail.package.name, "Wall_Tools");
    assert_eq!(detail.owners, ["admin"]);
    assert_eq!(format!("{:?}", detail.versions[0].release), format!("{release:?}"));
    // Times in the one form both backends write.
    let at = &detail.package.created_at;
    assert!(at.len() == 24 && at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
    let refs = store.referenced_blobs().await.unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!((refs[0].package.as_str(), refs[0].size), ("wall-tools", 12_345));
    assert_eq!(refs[0].sha256, release.file_sha256);
}

/// The reads the index and search are built from.
async fn index_reads(store: &dyn Store) {
    for (name, v) in [("a", "1.0.0"), ("b", "1.0.0"), ("a", "1.1.0"), ("c", "0.1.0"), ("b", "2.0.0a1")] {
        store.publish(&admin(), version(name, v)).await.unwrap();
    }
    let page = store.index_page(0, 2).await.unwrap();
    let names: Vec<(&str, usize)> =
        page.iter().map(|p| (p.package.normalized_name.as_str(), p.versions.len())).collect();
    assert_eq!(names, [("a", 2), ("b", 2)]);
    let rest = store.index_page(page[1].package.id, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].package.normalized_name, "c");
    let named = store.index_packages(&["c".into(), "nope".into(), "a".into()]).await.unwrap();
    let names: Vec<&str> = named.iter().map(|p| p.package.normalized_name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    let latest = store.packages_with_latest(&["a".into(), "b".into()]).await.unwrap();
    let mut pairs: Vec<(String, String)> =
        latest.iter().map(|p| (p.package.normalized_name.clone(), p.latest.release.version.to_string())).collect();
    pairs.sort();
    assert_eq!(pairs, [("a".to_owned(), "1.1.0".to_owned()), ("b".to_owned(), "1.0.0".to_owned())]);
    let all = store.all_packages_with_latest(0, 2).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(store.all_packages_with_latest(all[1].package.id, 10).await.unwrap().len(), 1);
    let changes = store.changes_since(2, 2).await.unwrap();
    let seen: Vec<(i64, &str, Option<&str>)> =
        changes.iter().map(|c| (c.serial, c.name.as_str(), c.version.as_deref())).collect();
    assert_eq!(seen, [(3, "a", Some("1.1.0")), (4, "c", Some("0.1.0"))]);
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.total_packages, stats.total_versions, stats.serial), (3, 5, 5));
    assert_eq!(stats.package_types.get("addon"), Some(&3));
    assert_eq!(stats.scan_statuses.get("pending"), Some(&5));
    // A rescan that changes the status is a change; the same status is not.
    let v = &store.package_detail("c").await.unwrap().unwrap().versions[0];
    let serial = store.set_scan(v.id, ScanStatus::Failed, serde_json::json!({"risk_level": "critical"})).await.unwrap();
    assert_eq!(serial, Some(6));
    assert_eq!(store.set_scan(v.id, ScanStatus::Failed, serde_json::json!({})).await.unwrap(), None);
    let v = &store.package_detail("c").await.unwrap().unwrap().versions[0];
    assert_eq!(v.release.security_scan_status, ScanStatus::Failed);
    assert!(matches!(
        store.set_scan(999_999, ScanStatus::Passed, serde_json::json!({})).await,
        Err(StoreError::NoSuchVersion { .. })
    ));
}

/// Publisher keys, the signing rules, and the index's roots.
async fn keys_and_roots(store: &dyn Store) {
    let alice = user(store, "alice", Scope::Publish).await;
    let bob = user(store, "bob", Scope::Publish).await;
    let key = store.add_key("alice", "SHA256:alice", "ssh-ed25519 AAAA alice").await.unwrap();
    assert_eq!((key.user.as_str(), key.key_id.as_str()), ("alice", "SHA256:alice"));
    let err = store.add_key("bob", "SHA256:alice", "ssh-ed25519 AAAA alice").await.unwrap_err();
    assert!(matches!(&err, StoreError::KeyExists { user, .. } if user == "alice"), "{err}");
    store.add_key("bob", "SHA256:bob", "ssh-ed25519 BBBB bob").await.unwrap();
    assert_eq!(store.list_keys(Some("alice")).await.unwrap().len(), 1);
    assert_eq!(store.list_keys(None).await.unwrap().len(), 2);
    assert_eq!(store.live_key("SHA256:bob").await.unwrap().unwrap().user, "bob");

    let mut signed = version("signed", "1.0.0");
    signed.signature_key_id = Some("SHA256:alice".into());
    store.check_signer(&alice, "signed", Some("SHA256:alice")).await.unwrap();
    let err = store.check_signer(&alice, "signed", Some("SHA256:bob")).await.unwrap_err();
    assert!(matches!(err, StoreError::SignatureRefused(_)), "{err}");
    let p = store.publish(&alice, signed).await.unwrap();
    store.set_require_signature(&alice, p.package_id, true).await.unwrap();
    let err = store.set_require_signature(&bob, p.package_id, false).await.unwrap_err();
    assert!(matches!(err, StoreError::NotOwner { .. }), "{err}");
    let kinds: Vec<String> = store.changes_since(p.serial, 10).await.unwrap().into_iter().map(|c| c.kind).collect();
    assert_eq!(kinds, ["signing"]);
    let err = store.publish(&alice, version("signed", "1.1.0")).await.unwrap_err();
    assert!(err.to_string().contains("requires every version to be signed"), "{err}");
    assert!(store.revoke_key(key.id).await.unwrap());
    assert!(!store.revoke_key(key.id).await.unwrap());
    assert!(store.live_key("SHA256:alice").await.unwrap().is_none());
    assert!(store.key(key.id).await.unwrap().unwrap().revoked_at.is_some());
    let mut again = version("signed", "1.2.0");
    again.signature_key_id = Some("SHA256:alice".into());
    let err = store.publish(&alice, again).await.unwrap_err();
    assert!(err.to_string().contains("not a registered key"), "{err}");

    assert!(store.index_roots().await.unwrap().is_empty());
    assert!(store.add_index_root(1, "{\"root\": 1}").await.unwrap());
    assert!(!store.add_index_root(1, "{\"other\": 1}").await.unwrap(), "a version is added once");
    assert!(store.add_index_root(2, "{\"root\": 2}").await.unwrap());
    assert_eq!(store.index_roots().await.unwrap(), ["{\"root\": 1}", "{\"root\": 2}"]);
    let token = store.list_tokens(Some("bob")).await.unwrap().remove(0);
    assert_eq!(store.token(token.id).await.unwrap().unwrap().user, "bob");
}

/// Two stores on one database (two replicas, or a server and a command):
/// writes from both are serialized into one gap-free feed, and the same
/// version cannot be claimed twice.
async fn two_writers(first: std::sync::Arc<dyn Store>, second: std::sync::Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..20 {
        for (side, store) in [("x", first.clone()), ("y", second.clone())] {
            tasks.push(tokio::spawn(async move {
                store.publish(&admin(), version(&format!("{side}{}", i % 5), &format!("1.{i}.0"))).await
            }));
        }
        // Both claim the same version of one package.
        for store in [first.clone(), second.clone()] {
            tasks.push(tokio::spawn(async move { store.publish(&admin(), version("raced", &format!("1.{i}"))).await }));
        }
    }
    let (mut won, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::VersionExists { .. }) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((won, refused), (60, 20));
    let changes = first.changes_since(0, 1000).await.unwrap();
    let serials: Vec<i64> = changes.iter().map(|c| c.serial).collect();
    assert_eq!(serials, (1..=60).collect::<Vec<i64>>(), "one gap-free feed");
    assert_eq!(second.serial().await.unwrap(), 60);
    assert_eq!(first.versions(first.package("raced").await.unwrap().unwrap().id).await.unwrap().len(), 20);
    // Counts from both add up.
    let id = second.package_detail("raced").await.unwrap().unwrap().versions[0].id;
    first.add_downloads(&[(id, 2)]).await.unwrap();
    second.add_downloads(&[(id, 3)]).await.unwrap();
    assert_eq!(first.package("raced").await.unwrap().unwrap().download_count, 5);
}

#[tokio::test]
async fn sqlite_publish_rules() {
    let (_dir, store) = sqlite();
    publish_rules(&store).await;
}

#[tokio::test]
async fn sqlite_yank_rules() {
    let (_dir, store) = sqlite();
    yank_rules(&store).await;
}

#[tokio::test]
async fn sqlite_tokens_and_counters() {
    let (_dir, store) = sqlite();
    tokens_and_counters(&store).await;
}

#[tokio::test]
async fn sqlite_reopens_with_data_and_migrations_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        let admin = Actor { user_id: None, user_name: "admin".into(), scope: Scope::Admin, package: None };
        store.publish(&admin, version("kept", "1.0.0")).await.unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert!(store.package("kept").await.unwrap().is_some());
    assert_eq!(store.serial().await.unwrap(), 1);
}

#[tokio::test]
async fn sqlite_a_release_reads_back_whole() {
    let (_dir, store) = sqlite();
    a_release_reads_back_whole(&store).await;
}

#[tokio::test]
async fn sqlite_index_reads() {
    let (_dir, store) = sqlite();
    index_reads(&store).await;
}

#[tokio::test]
async fn sqlite_keys_and_roots() {
    let (_dir, store) = sqlite();
    keys_and_roots(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_writers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    let first = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
    let second = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
    two_writers(first, second).await;
}

#[tokio::test]
async fn postgres_publish_rules() {
    let Some((_schema, store)) = postgres("publish_rules").await else { return };
    publish_rules(&store).await;
}

#[tokio::test]
async fn postgres_yank_rules() {
    let Some((_schema, store)) = postgres("yank_rules").await else { return };
    yank_rules(&store).await;
}

#[tokio::test]
async fn postgres_tokens_and_counters() {
    let Some((_schema, store)) = postgres("tokens").await else { return };
    tokens_and_counters(&store).await;
}

#[tokio::test]
async fn postgres_a_release_reads_back_whole() {
    let Some((_schema, store)) = postgres("release").await else { return };
    a_release_reads_back_whole(&store).await;
}

#[tokio::test]
async fn postgres_index_reads() {
    let Some((_schema, store)) = postgres("index_reads").await else { return };
    index_reads(&store).await;
}

#[tokio::test]
async fn postgres_keys_and_roots() {
    let Some((_schema, store)) = postgres("keys").await else { return };
    keys_and_roots(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_writers() {
    let Some((schema, first)) = postgres("two_writers").await else { return };
    let second = PostgresStore::open(&schema.url, 4).await.unwrap();
    two_writers(std::sync::Arc::new(first), std::sync::Arc::new(second)).await;
}

#[tokio::test]
async fn postgres_reopens_with_data_and_migrations_applied_once() {
    let Some((schema, store)) = postgres("reopens").await else { return };
    store.publish(&admin(), version("kept", "1.0.0")).await.unwrap();
    drop(store);
    let store = PostgresStore::open(&schema.url, 2).await.unwrap();
    assert!(store.package("kept").await.unwrap().is_some());
    assert_eq!(store.serial().await.unwrap(), 1);
}

/// A row that does not parse is an error naming it, as on SQLite (whose
/// unit tests try every column).
#[tokio::test]
async fn postgres_a_bad_row_is_a_database_error_naming_it() {
    let Some((schema, store)) = postgres("bad_row").await else { return };
    let published = store.publish(&admin(), version("tools", "1.0.0")).await.unwrap();
    schema.execute("UPDATE versions SET version = 'banana'").unwrap();
    let err = store.versions(published.package_id).await.unwrap_err().to_string();
    assert!(err.contains(&format!("version row {}", published.version_id)) && err.contains("not a PEP 440"), "{err}");
    assert!(matches!(store.index_page(0, 10).await, Err(StoreError::Database(_))));
}

/// TLS is not built in: asking for it is refused before connecting, saying so.
#[tokio::test]
async fn postgres_tls_required_is_refused_clearly() {
    let err = PostgresStore::open("postgres://postgres@127.0.0.1:1/test?sslmode=require", 1).await.err().unwrap();
    assert!(err.to_string().contains("sslmode=require") && err.to_string().contains("without TLS"), "{err}");
}

/// A server that does not answer is "unavailable" (a 503 with Retry-After
/// for the API), within the connect timeout, not a hang.
#[tokio::test]
async fn postgres_unreachable_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let started = std::time::Instant::now();
    let err = PostgresStore::open(&format!("postgres://postgres@127.0.0.1:{port}/test"), 2).await.err().unwrap();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
