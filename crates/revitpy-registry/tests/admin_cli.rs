//! The admin commands as an operator runs them: `token create|list|revoke`,
//! `reindex`, `fsck`, against the same data folder the server uses.

mod common;

use std::process::{Command, Output};

use common::*;
use serde_json::Value;

fn admin(data_dir: &std::path::Path, args: &[&str]) -> Output {
    admin_command(data_dir).args(args).output().unwrap()
}

/// Whether `text` is anywhere in the database of `data_dir`'s registry: in
/// the SQLite file's bytes, or in any row of any table of its PostgreSQL
/// schema.
fn database_holds(data_dir: &std::path::Path, text: &str) -> bool {
    match test_schema(data_dir) {
        None => {
            let db = std::fs::read(data_dir.join("registry.db")).unwrap();
            db.windows(text.len()).any(|w| w == text.as_bytes())
        }
        Some(schema) => {
            assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'), "{text}");
            let sql = format!(
                "DO $$ DECLARE t text; found boolean; BEGIN \
                   FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP \
                     EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I r WHERE strpos(r::text, %L) > 0)', t, '{text}') INTO found; \
                     IF found THEN RAISE EXCEPTION 'held in table %', t; END IF; \
                   END LOOP; \
                 END $$"
            );
            match schema.execute(&sql) {
                Ok(()) => false,
                Err(e) if e.contains("held in table") => true,
                Err(e) => panic!("{e}"),
            }
        }
    }
}

#[tokio::test]
async fn tokens_from_the_command_line_publish_and_revoke() {
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let out = admin(&data, &["token", "create", "--name", "Carol", "--scope", "publish"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("rpy_") && token.len() > 60, "{token}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("shown only once"));
    // The token is stored hashed: it appears nowhere in the database.
    assert!(!database_holds(&data, &token));
    assert!(database_holds(&data, "carol"), "the search itself works");

    let server = TestServer::start_with(ServerOptions { env: vec![], data_dir: Some(data.clone()), args: Vec::new() });
    let dir = tempfile::tempdir().unwrap();
    let file = build_example("wall-tools", dir.path());
    let (status, body) = server.upload(&file, Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let (_, d) = server.get_json("/api/packages/wall-tools").await;
    assert_eq!(d["package"]["owners"], serde_json::json!(["carol"]), "user names are case-insensitive");

    let out = admin(&data, &["token", "list", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["user"], "carol");
    assert!(list[0]["last_used_at"].is_string(), "use is recorded");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));
    // One JSON shape for a token, on the command line and over HTTP.
    let over_http: Value =
        server.client.get(server.url("/api/tokens")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&list[0]), keys(&over_http[0]), "{list} / {over_http}");
    let id = list[0]["id"].as_i64().unwrap().to_string();
    assert!(admin(&data, &["token", "revoke", &id]).status.success());
    let again = admin(&data, &["token", "revoke", &id]);
    assert_eq!(again.status.code(), Some(1));
    let next = build_variant("wall-tools", dir.path(), "next", |src| set_version(src, "1.3.0"));
    let (status, _) = server.upload(&next, Some(&token)).await;
    assert_eq!(status, 401);

    // Bad input: clear errors, exit 1 or 2, nothing created.
    let out = admin(&data, &["token", "create", "--name", "../evil"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a user name"));
    let out = admin(&data, &["token", "create", "--name", "x", "--scope", "root"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn reindex_and_fsck_report_on_the_data_folder() {
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let mut server = TestServer::start_with(ServerOptions { data_dir: Some(data.clone()), ..ServerOptions::default() });
    let dir = tempfile::tempdir().unwrap();
    for name in ["revitpy-utils", "room-exporter"] {
        let (status, _) = server.upload(&build_example(name, dir.path()), Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 200);
    }
    server.kill();
    // A deleted index is rebuilt from the database.
    std::fs::remove_dir_all(data.join("search-index")).unwrap();
    let out = admin(&data, &["reindex"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("indexed 2 packages"));

    // fsck: clean, then a corrupted file and a missing one are named.
    let out = admin(&data, &["fsck"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let mut blobs = Vec::new();
    for a in std::fs::read_dir(data.join("packages")).unwrap() {
        let a = a.unwrap().path();
        if a.ends_with("tmp") {
            continue;
        }
        for b in std::fs::read_dir(&a).unwrap() {
            for f in std::fs::read_dir(b.unwrap().path()).unwrap() {
                blobs.push(f.unwrap().path());
            }
        }
    }
    assert_eq!(blobs.len(), 2);
    let mut bytes = std::fs::read(&blobs[0]).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&blobs[0], bytes).unwrap();
    std::fs::remove_file(&blobs[1]).unwrap();
    let out = admin(&data, &["fsck", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["corrupt"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["missing"].as_array().unwrap().len(), 1, "{report}");

    let restarted = TestServer::start_with(ServerOptions { data_dir: Some(data.clone()), ..ServerOptions::default() });
    let (_, r) = restarted.get_json("/api/packages/search?q=*").await;
    assert_eq!(r["total"], 2);
}

#[test]
fn shell_completions_come_from_the_command_line_itself() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = Command::new(env!("CARGO_BIN_EXE_revitpy-registry")).args(["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        for word in ["revitpy-registry", "serve", "fsck", "max-upload-mb"] {
            assert!(script.contains(word), "{shell} completions lack `{word}`");
        }
    }
    let o = Command::new(env!("CARGO_BIN_EXE_revitpy-registry")).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn healthcheck_says_whether_the_server_is_ready() {
    let server = TestServer::start();
    let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let run = |env: &[(&str, String)], args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-registry"));
        cmd.arg("healthcheck").args(args).env_remove("HOST").env_remove("PORT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // As a container runs it: HOST and PORT as the server has them, a wildcard host.
    let out = run(&[("HOST", "0.0.0.0".into()), ("PORT", addr.port().to_string())], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&[], &["--url", &server.url("/health")]);
    assert!(out.status.success());

    // Not ready: the storage's scratch folder is gone, /health is 503.
    std::fs::remove_dir_all(server.data_dir.join("packages/tmp")).unwrap();
    let out = run(&[], &["--url", &server.url("/health")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("answered 503"), "{}", String::from_utf8_lossy(&out.stderr));

    // Nothing listening, and something that is not a URL: exit 1 with a reason.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = run(&[], &["--url", &format!("http://{closed}/health"), "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing answers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[], &["--url", "https://example.invalid/health"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only http://"));
}
