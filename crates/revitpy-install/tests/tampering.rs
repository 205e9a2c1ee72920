//! Tampering at each place a package or its metadata passes, against the
//! real registry and, in front of it, a hostile mirror that changes answers
//! on the way: a flipped byte in the server's storage, in the cache, in the
//! local index; a rewritten hash; a replayed older index; an expired one; a
//! signature removed or made by another key; a forged key rotation. Each is
//! refused with a message saying what was wrong, and nothing is installed.

mod support;

use std::path::{Path, PathBuf};

use revitpy_sign::index::{Envelope, IndexMeta, Root, seal};
use serde_json::Value;
use sha2::Digest as _;
use support::mirror::{Mirror, replace};
use support::registry::{ADMIN, Registry};
use support::{Home, examples, text};

fn http(method: &str, url: &str, body: Option<Value>) -> (u16, Vec<u8>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let mut req = client.request(method.parse().unwrap(), url).bearer_auth(ADMIN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    })
}

fn json_of(url: &str) -> Value {
    let (status, body) = http("GET", url, None);
    assert_eq!(status, 200, "{url}: {}", text(&body));
    serde_json::from_slice(&body).unwrap()
}

/// A registry with wall-tools (which needs revitpy-utils) published, an
/// honest mirror in front of it, and a user's home.
struct World {
    home: Home,
    data: PathBuf,
    registry: Registry,
    mirror: Mirror,
}

fn build(home: &Home, example: &str) -> PathBuf {
    let file = home.path().join(format!("{example}.rpyx"));
    home.ok(
        "http://127.0.0.1:9",
        &["registry", "build", examples().join(example).to_str().unwrap(), "-o", file.to_str().unwrap()],
    );
    file
}

fn publish(home: &Home, registry: &Registry, file: &Path) {
    let mut cmd = home.cmd(&registry.base, &["registry", "publish", file.to_str().unwrap()]);
    cmd.env("REVITPY_TOKEN", ADMIN);
    let o = support::run_bounded(cmd, std::time::Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

fn world() -> World {
    let home = Home::new();
    let data = home.path().join("registry");
    let registry = Registry::start(&data);
    for example in ["revitpy-utils", "wall-tools"] {
        let file = build(&home, example);
        publish(&home, &registry, &file);
    }
    let mirror = Mirror::start(&registry.base);
    World { home, data, registry, mirror }
}

impl World {
    fn sha256_of(&self, name: &str) -> String {
        let detail = json_of(&format!("{}/api/packages/{name}", self.registry.base));
        detail["versions"][0]["file_hash_sha256"].as_str().unwrap().to_owned()
    }

    fn installed(&self, name: &str) -> bool {
        self.home.path().join("addins/2024/RevitPy/Packages").join(name).exists()
    }

    /// Runs the client through the mirror; expects exit 1 with `needle` on
    /// standard error, and returns standard error.
    fn refused(&self, args: &[&str], needle: &str) -> String {
        let o = self.home.run(&self.mirror.base, args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?} was not refused\nstdout: {}\nstderr: {err}", text(&o.stdout));
        assert!(err.contains(needle), "{args:?}: expected `{needle}` in\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    fn install_args(&self) -> [&'static str; 5] {
        ["registry", "install", "wall-tools", "--revit-version", "2024"]
    }
}

/// The file under `dir` whose contents hash to `sha256`.
fn file_with_hash(dir: &Path, sha256: &str) -> PathBuf {
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if hex::encode(sha2::Sha256::digest(std::fs::read(&p).unwrap())) == sha256 {
                return p;
            }
        }
    }
    panic!("no file with sha256 {sha256} under {}", dir.display());
}

fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}

fn signed_meta(env: &Envelope) -> IndexMeta {
    serde_json::from_str(&env.signed).unwrap()
}

#[test]
fn a_hash_rewritten_by_the_mirror_is_refused_and_the_index_is_left_as_it_was() {
    let w = world();
    let real = w.sha256_of("wall-tools");
    let fake = "0".repeat(64);
    let (from, to) = (real.clone(), fake.clone());
    w.mirror.rewrite(move |uri, body| uri.starts_with("/api/index/").then(|| replace(body, &from, &to)));
    // A first sync (the compact snapshot) and an install: refused, nothing kept.
    w.refused(&["registry", "sync"], "do not match its signed index");
    assert!(!w.home.path().join("cache/index").exists(), "a refused first sync leaves no index");
    w.refused(&w.install_args(), "do not match its signed index");
    assert!(!w.installed("wall-tools") && !w.installed("revitpy-utils"));

    // Honest: the sync and the install go through.
    w.mirror.honest();
    w.home.ok(&w.mirror.base, &["registry", "sync"]);
    // A new version, whose entry the mirror rewrites in the incremental sync.
    let room = build(&w.home, "room-exporter");
    publish(&w.home, &w.registry, &room);
    let room_sha = w.sha256_of("room-exporter");
    let to = fake.clone();
    w.mirror.rewrite(move |uri, body| uri.starts_with("/api/index/packages").then(|| replace(body, &room_sha, &to)));
    // What the offline index answers, but its age (which a second changes).
    let offline_room = || {
        let mut answer: Value =
            serde_json::from_str(&w.home.ok(&w.mirror.base, &["--json", "registry", "search", "room", "--offline"]))
                .unwrap();
        answer.as_object_mut().unwrap().remove("index_age_seconds").expect("the answer has its index's age");
        answer
    };
    let before = offline_room();
    w.refused(&["registry", "sync"], "do not match its signed index");
    assert_eq!(before, offline_room(), "a refused incremental sync changes nothing");
    w.mirror.honest();
    let synced: Value = serde_json::from_str(&w.home.ok(&w.mirror.base, &["--json", "registry", "sync"])).unwrap();
    assert_eq!(synced["changed_packages"], 1, "{synced}");
    w.home.ok(&w.mirror.base, &w.install_args());
    assert!(w.installed("wall-tools") && w.installed("revitpy-utils"));
}

#[test]
fn a_replayed_older_index_is_refused_even_after_a_rebuild() {
    let w = world();
    w.home.ok(&w.mirror.base, &["registry", "sync"]);
    let old = http("GET", &format!("{}/api/index/signed", w.registry.base), None).1;
    let old_feed = http("GET", &format!("{}/api/changes?since=0", w.registry.base), None).1;
    let room = build(&w.home, "room-exporter");
    publish(&w.home, &w.registry, &room);
    w.home.ok(&w.mirror.base, &["registry", "sync"]);

    // The mirror answers with what the registry said before the publish.
    let (signed, feed) = (old.clone(), old_feed.clone());
    w.mirror.rewrite(move |uri, _| {
        if uri.starts_with("/api/index/signed") {
            Some(signed.clone())
        } else if uri.starts_with("/api/changes") {
            Some(feed.clone())
        } else {
            None
        }
    });
    w.refused(&["registry", "sync"], "older than serial");
    // Forgetting the index does not forget what was seen.
    w.refused(&["registry", "sync", "--rebuild-index"], "older than serial");
    assert!(w.home.path().join("cache/index/index.db").exists(), "the refused rebuild kept the old index");
    w.refused(&w.install_args(), "older than serial");
    assert!(!w.installed("wall-tools"));
}

#[test]
fn an_expired_index_is_refused_online_and_a_warning_offline() {
    let w = world();
    // A genuine document, signed with the registry's own key, but stale:
    // what a mirror that froze long ago would still serve.
    let env: Envelope = serde_json::from_value(json_of(&format!("{}/api/index/signed", w.registry.base))).unwrap();
    let mut meta = signed_meta(&env);
    meta.issued -= 30 * 86_400;
    meta.expires = meta.issued + 86_400;
    let key = revitpy_sign::read_private_key(&w.data.join("index-signing-key"), None).unwrap();
    let stale = serde_json::to_vec(&seal(&meta, &[&key]).unwrap()).unwrap();
    let served = stale.clone();
    w.mirror.rewrite(move |uri, _| uri.starts_with("/api/index/signed").then(|| served.clone()));
    w.refused(&["registry", "sync"], "expired on");
    w.refused(&w.install_args(), "expired on");
    assert!(!w.installed("wall-tools"));

    // Offline, an index whose signature expired is a warning, not a refusal.
    w.mirror.honest();
    w.home.ok(&w.mirror.base, &w.install_args());
    w.home.ok(&w.mirror.base, &["registry", "uninstall", "wall-tools", "--revit-version", "2024"]);
    let db = rusqlite::Connection::open(w.home.path().join("cache/index/index.db")).unwrap();
    db.execute("UPDATE meta SET value = ?1 WHERE key = 'signed_index'", [String::from_utf8(stale).unwrap()]).unwrap();
    drop(db);
    let o = w.home.run(&w.mirror.base, &["registry", "install", "wall-tools", "--revit-version", "2024", "--offline"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("expired on"), "{err}");
    assert!(w.installed("wall-tools"));
}

#[test]
fn a_flipped_byte_in_the_servers_storage_is_refused() {
    let w = world();
    let sha = w.sha256_of("wall-tools");
    flip_a_byte(&file_with_hash(&w.data.join("packages"), &sha));
    w.refused(&w.install_args(), "sha256");
    assert!(!w.installed("wall-tools") && !w.installed("revitpy-utils"), "nothing is installed");
}

#[test]
fn a_flipped_byte_in_the_cache_is_refused_and_fetched_again_when_online() {
    let w = world();
    w.home.ok(&w.mirror.base, &w.install_args());
    w.home.ok(&w.mirror.base, &["registry", "uninstall", "wall-tools", "--revit-version", "2024"]);
    let sha = w.sha256_of("wall-tools");
    flip_a_byte(&file_with_hash(&w.home.path().join("cache/packages"), &sha));
    let mut offline = w.install_args().to_vec();
    offline.push("--offline");
    let err = w.refused(&offline, "was corrupt");
    assert!(err.contains("offline"), "{err}");
    assert!(!w.installed("wall-tools"));
    let o = w.home.run(&w.mirror.base, &w.install_args());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(w.installed("wall-tools"));
}

#[test]
fn an_entry_changed_in_the_local_index_is_refused() {
    let w = world();
    w.home.ok(&w.mirror.base, &["registry", "sync"]);
    let sha = w.sha256_of("wall-tools");
    // Someone with access to the cache points the entry at other bytes.
    let db = rusqlite::Connection::open(w.home.path().join("cache/index/index.db")).unwrap();
    let entry: String =
        db.query_row("SELECT entry FROM packages WHERE normalized_name = 'wall-tools'", [], |r| r.get(0)).unwrap();
    db.execute(
        "UPDATE packages SET entry = ?1 WHERE normalized_name = 'wall-tools'",
        [entry.replace(&sha, &"1".repeat(64))],
    )
    .unwrap();
    drop(db);
    let mut offline = w.install_args().to_vec();
    offline.push("--offline");
    w.refused(&offline, "changed on disk since the last sync");
    // Online too: the sync finds nothing new, and the entry still does not match.
    w.refused(&w.install_args(), "changed on disk since the last sync");
    assert!(!w.installed("wall-tools"));
    w.home.ok(&w.mirror.base, &["registry", "sync", "--rebuild-index"]);
    w.home.ok(&w.mirror.base, &w.install_args());
}

#[test]
fn an_entry_added_to_the_local_index_is_refused() {
    let w = world();
    w.home.ok(&w.mirror.base, &["registry", "sync"]);
    // Someone with access to the cache adds a package the registry never
    // had (a copy of a real entry under another name): no digest lists it.
    let db = rusqlite::Connection::open(w.home.path().join("cache/index/index.db")).unwrap();
    let entry: String =
        db.query_row("SELECT entry FROM packages WHERE normalized_name = 'wall-tools'", [], |r| r.get(0)).unwrap();
    let forged = entry.replace("\"normalized_name\":\"wall-tools\"", "\"normalized_name\":\"evil-tools\"");
    assert_ne!(forged, entry);
    db.execute("INSERT INTO packages (normalized_name, entry) VALUES ('evil-tools', ?1)", [forged]).unwrap();
    drop(db);
    let args = ["registry", "install", "evil-tools", "--revit-version", "2024"];
    let mut offline = args.to_vec();
    offline.push("--offline");
    w.refused(&offline, "changed on disk since the last sync");
    w.refused(&args, "changed on disk since the last sync");
    assert!(!w.installed("evil-tools") && !w.installed("wall-tools"));
}

/// Registers the key at `private` for the registry's admin account.
fn register(w: &World, private: &Path) {
    let key = revitpy_sign::read_private_key(private, None).unwrap();
    let body = serde_json::json!({
        "public_key": key.public_key().to_openssh().unwrap(),
        "proof": revitpy_sign::sign_registration(&key, "admin").unwrap(),
        "user": "admin",
    });
    let (status, body) = http("POST", &format!("{}/api/keys", w.registry.base), Some(body));
    assert_eq!(status, 201, "{}", text(&body));
}

#[test]
fn publisher_signatures_removed_or_made_by_another_key_are_refused() {
    let home = Home::new();
    let data = home.path().join("registry");
    let registry = Registry::start(&data);
    let mirror = Mirror::start(&registry.base);
    let w = World { home, data, registry, mirror };
    let (ann, eve) = (w.home.path().join("ann"), w.home.path().join("eve"));
    for key in [&ann, &eve] {
        w.home.ok("http://127.0.0.1:9", &["registry", "keygen", "--output", key.to_str().unwrap()]);
    }
    register(&w, &ann);
    for example in ["revitpy-utils", "wall-tools"] {
        let file = build(&w.home, example);
        w.home.ok("http://127.0.0.1:9", &["registry", "sign", file.to_str().unwrap(), "--key", ann.to_str().unwrap()]);
        publish(&w.home, &w.registry, &file);
    }
    let (status, body) = http(
        "PUT",
        &format!("{}/api/packages/wall-tools/signing", w.registry.base),
        Some(serde_json::json!({"require_signature": true})),
    );
    assert_eq!(status, 200, "{}", text(&body));
    let ann_id = revitpy_sign::key_id(revitpy_sign::read_private_key(&ann, None).unwrap().public_key());

    // The mirror drops the signing key from the index entries: the signed
    // index covers it.
    let needle = format!("\"signature_key_id\":\"{ann_id}\"");
    w.mirror.rewrite(move |uri, body| {
        uri.starts_with("/api/index/").then(|| replace(body, &needle, "\"signature_key_id\":null"))
    });
    w.refused(&w.install_args(), "do not match its signed index");

    // The mirror drops the signature itself from the version's details.
    w.mirror.rewrite(|uri, body| {
        let mut v: Value = serde_json::from_slice(body).ok()?;
        if !uri.starts_with("/api/packages/wall-tools") {
            return None;
        }
        for version in v["versions"].as_array_mut()? {
            version["digital_signature"] = Value::Null;
        }
        Some(serde_json::to_vec(&v).unwrap())
    });
    w.refused(&w.install_args(), "no signature came with it");
    assert!(!w.installed("wall-tools"));

    // The mirror swaps in a signature of the same package by another key.
    let sha = w.sha256_of("wall-tools");
    let eve_key = revitpy_sign::read_private_key(&eve, None).unwrap();
    let statement = revitpy_sign::Statement { name: "wall-tools".into(), version: "1.2.0".into(), sha256: sha };
    let forged = revitpy_sign::sign(&eve_key, &statement).unwrap();
    w.mirror.rewrite(move |uri, body| {
        let mut v: Value = serde_json::from_slice(body).ok()?;
        if !uri.starts_with("/api/packages/wall-tools") {
            return None;
        }
        for version in v["versions"].as_array_mut()? {
            version["digital_signature"] = Value::String(forged.clone());
        }
        Some(serde_json::to_vec(&v).unwrap())
    });
    let err = w.refused(&w.install_args(), "the registry's signed index says its publisher signed it with");
    assert!(err.contains(&ann_id), "{err}");
    assert!(!w.installed("wall-tools"));

    // Honest: installed, the signatures checked.
    w.mirror.honest();
    let o = w.home.run(&w.mirror.base, &["--verbose", "registry", "install", "wall-tools", "--revit-version", "2024"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains(&format!("signed by {ann_id}")), "{}", text(&o.stderr));

    // A client that requires signatures refuses an unsigned package.
    let room = build(&w.home, "room-exporter");
    publish(&w.home, &w.registry, &room);
    let mut cmd = w.home.cmd(&w.mirror.base, &["registry", "install", "room-exporter", "--revit-version", "2024"]);
    cmd.env("REVITPY_REQUIRE_SIGNATURES", "1");
    let o = support::run_bounded(cmd, std::time::Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("is not signed by its publisher"), "{}", text(&o.stderr));
    assert!(!w.installed("room-exporter"));
}

#[test]
fn a_key_rotation_is_followed_and_a_forged_one_refused() {
    let mut w = world();
    let first: Value = serde_json::from_str(&w.home.ok(&w.mirror.base, &["--json", "registry", "sync"])).unwrap();
    let old_id = first["index_key"].as_str().unwrap().to_owned();

    // The operator rotates the key (the registry stopped), then restarts it.
    w.registry.stop();
    let storage = revitpy_registry::settings::StorageArgs::in_dir(&w.data);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (old_root, new_root) = rt.block_on(async {
        let store = revitpy_registry::app::open_store(&storage).await.unwrap();
        revitpy_registry::index_signing::rotate(store.as_ref(), &storage.index_key_path()).await.unwrap()
    });
    assert_eq!((old_root.key_id.as_str(), new_root.version), (old_id.as_str(), 2));
    w.registry = Registry::start(&w.data);
    let mirror = Mirror::start(&w.registry.base);
    // The client was pinned to the old key; the new root is signed by it.
    let again: Value = serde_json::from_str(&w.home.ok(&mirror.base, &["--json", "registry", "sync"])).unwrap();
    assert_eq!(again["index_key"], new_root.key_id.as_str(), "{again}");

    // A mirror that announces a key of its own: refused.
    let mallory = revitpy_sign::generate("mallory").unwrap();
    let roots = json_of(&format!("{}/api/index/roots", w.registry.base));
    let mut chain: Vec<Envelope> = serde_json::from_value(roots["roots"].clone()).unwrap();
    chain.push(seal(&Root::new(3, mallory.public_key(), 0), &[&mallory]).unwrap());
    let env: Envelope = serde_json::from_value(json_of(&format!("{}/api/index/signed", w.registry.base))).unwrap();
    let mut meta = signed_meta(&env);
    meta.root_version = 3;
    let forged_index = serde_json::to_vec(&seal(&meta, &[&mallory]).unwrap()).unwrap();
    let forged_roots = serde_json::to_vec(&serde_json::json!({ "roots": chain })).unwrap();
    mirror.rewrite(move |uri, _| {
        if uri.starts_with("/api/index/roots") {
            Some(forged_roots.clone())
        } else if uri.starts_with("/api/index/signed") {
            Some(forged_index.clone())
        } else {
            None
        }
    });
    let o = w.home.run(&mirror.base, &["registry", "sync"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("new index key is refused"), "{err}");

    // A new client that is told the old key follows the rotation too; one
    // told a key the registry never had trusts nothing.
    let other = Home::new();
    let mut cmd = other.cmd(&w.registry.base, &["--json", "registry", "sync"]);
    cmd.env("REVITPY_REGISTRY_KEY", &old_id);
    let o = support::run_bounded(cmd, std::time::Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stranger = Home::new();
    let mut cmd = stranger.cmd(&w.registry.base, &["registry", "sync"]);
    cmd.env("REVITPY_REGISTRY_KEY", revitpy_sign::key_id(mallory.public_key()));
    let o = support::run_bounded(cmd, std::time::Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("does not sign its index with the configured key"), "{}", text(&o.stderr));
    assert!(!stranger.path().join("cache/index").exists());
}
