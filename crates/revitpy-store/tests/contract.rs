//! The store's contract, written once against the `Store` trait. Today it
//! runs on SQLite; the PostgreSQL store will run the same functions.

use revitpy_names::{
    PackageName, PackageType, PerformanceImpact, RevitRange, RevitYear, ScanStatus, Sha256, Version, canonical_version,
};
use revitpy_store::{Actor, NewToken, Release, Scope, SqliteStore, Store, StoreError};

fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("registry.db")).unwrap();
    (dir, store)
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
    let admin = Actor { user_id: None, user_name: "admin".into(), scope: Scope::Admin, package: None };
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
