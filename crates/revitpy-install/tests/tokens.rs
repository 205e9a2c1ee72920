//! Tokens go only where they belong: a token stored by `login` is sent only
//! to the registry it was stored for (a file from an earlier version too),
//! and no token crosses the network in clear text to another machine
//! without the user's explicit flag. The registry logged in to is the real
//! one; the other is a fake that records every request it sees.

mod support;

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use serde_json::json;
use support::fake::FakeRegistry;
use support::registry::{ADMIN, Registry};
use support::{Home, examples, run_bounded, text};

/// A registry that accepts any token and any upload, and remembers who sent what.
fn recording_registry() -> FakeRegistry {
    FakeRegistry::start(
        Router::new()
            .route("/api/tokens", get(|| async { support::fake::json(json!([])) }))
            .route(
                "/api/packages/upload",
                post(|| async {
                    support::fake::json(json!({"package_name": "revitpy-utils", "version": "1.4.1",
                        "file_hash": "0".repeat(64), "file_size": 1}))
                }),
            )
            .route(
                "/api/packages/search",
                get(|| async {
                    support::fake::json(json!({"query": "x", "results": [], "total": 0,
                        "filters": {"revit_version": null, "package_type": null}}))
                }),
            ),
    )
}

fn authorizations(fake: &FakeRegistry) -> Vec<String> {
    fake.seen().into_iter().filter_map(|s| s.authorization).collect()
}

fn build_package(home: &Home, registry: &str) -> &'static str {
    let src = examples().join("revitpy-utils");
    home.ok(registry, &["registry", "build", src.to_str().unwrap(), "--output", "u.rpyx"]);
    "u.rpyx"
}

#[test]
fn a_token_stored_for_one_registry_is_never_sent_to_another() {
    let data = tempfile::tempdir().unwrap();
    let a = Registry::start(data.path());
    let b = recording_registry();
    let home = Home::new();
    let file = build_package(&home, &a.base);
    home.ok(&a.base, &["registry", "login", "--with-token", ADMIN]);
    home.ok(&a.base, &["registry", "publish", file]);

    // Registry B, chosen by the environment: A's token stays home.
    let o = home.run(&b.base, &["registry", "publish", file]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("no token for {}", b.base)), "{err}");
    assert!(err.contains(&format!("tokens are stored for {}", a.base)), "{err}");
    home.ok(&b.base, &["registry", "search", "x"]);
    home.ok(&b.base, &["--registry-url", &b.base, "registry", "search", "x"]);
    assert_eq!(authorizations(&b), Vec::<String>::new(), "{:?}", b.seen());

    // A token given explicitly goes to the registry in use: the user chose.
    let mut cmd = home.cmd(&b.base, &["registry", "publish", file]);
    cmd.env("REVITPY_TOKEN", "chosen-for-b");
    let o = run_bounded(cmd, Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(authorizations(&b), ["Bearer chosen-for-b"]);
}

#[test]
fn an_earlier_versions_token_stays_with_its_registry() {
    let data = tempfile::tempdir().unwrap();
    let a = Registry::start(data.path());
    let b = recording_registry();
    let home = Home::new();
    let file = build_package(&home, &a.base);
    // The previous version's file: one token, for the registry it names.
    std::fs::write(home.config(), format!("registry_url = \"{}\"\ntoken = \"{ADMIN}\"\n", a.base)).unwrap();
    home.ok(&a.base, &["registry", "publish", file]);
    let o = home.run(&b.base, &["registry", "publish", file]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(authorizations(&b), Vec::<String>::new(), "{:?}", b.seen());

    // Logging in to B keeps A's token, now in the table, and sends B's only to B.
    home.ok(&b.base, &["registry", "login", "--with-token", "token-for-b"]);
    assert_eq!(authorizations(&b), ["Bearer token-for-b"]);
    let config = std::fs::read_to_string(home.config()).unwrap();
    assert!(!config.split("\n[").next().unwrap().contains("token"), "no top-level token left: {config}");
    assert!(config.contains(&format!("[registries.\"{}\"]", a.base)), "{config}");
    // A's token still opens A: the version is there already (409), not "no token" (401).
    let o = home.run(&a.base, &["registry", "publish", file]);
    assert!(text(&o.stderr).contains("answered 409"), "{}", text(&o.stderr));
    let o = run_bounded(home.cmd(&b.base, &["registry", "publish", file]), Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(authorizations(&b), ["Bearer token-for-b", "Bearer token-for-b"]);

    // A file with a token and no registry: the built-in default's, not this one's.
    std::fs::write(home.config(), format!("token = \"{ADMIN}\"\n")).unwrap();
    let o = home.run(&a.base, &["registry", "publish", file]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("tokens are stored for http://localhost:8000"), "{}", text(&o.stderr));
}

/// Not this machine, and nothing listens there: a connection attempt would
/// take the client's 5 s connect timeout (or fail with "unreachable").
const REMOTE_HTTP: &str = "http://10.255.255.1:9";

#[test]
fn a_token_is_not_sent_in_clear_text_to_another_machine() {
    let home = Home::new();
    for args in [vec!["registry", "publish", "not-even-read.rpyx"], vec!["registry", "login", "--with-token", "secret"]]
    {
        let mut cmd = home.cmd(REMOTE_HTTP, &args);
        cmd.env("REVITPY_TOKEN", "secret");
        let started = Instant::now();
        let o = run_bounded(cmd, Duration::from_secs(30));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(&format!("refusing to send a token to {REMOTE_HTTP} over plain http")), "{err}");
        assert!(err.contains("--allow-insecure-token"), "{err}");
        assert!(!err.contains("secret") && !err.contains("cannot reach"), "{err}");
        // Refused before any connection was tried.
        assert!(started.elapsed() < Duration::from_secs(3), "{args:?} took {:?}", started.elapsed());
    }
    assert!(!home.config().exists(), "login stored nothing");

    // With the flag it is sent, with a warning (here it then finds nobody).
    let mut cmd = home.cmd(REMOTE_HTTP, &["--allow-insecure-token", "registry", "login", "--with-token", "secret"]);
    cmd.env("REVITPY_TOKEN", "secret");
    let o = run_bounded(cmd, Duration::from_secs(30));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("warning: sending the token to {REMOTE_HTTP} over plain http")), "{err}");
}
