//! `serve` refusing to start (issue 20, start-up errors): a port in use, an
//! address not on this machine, a folder that cannot be created for the
//! database, the packages or the search index. Each stops the server with
//! one line naming the setting and what to do: no panic, no trace, exit 1.

mod common;

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `serve` with these settings, on the run's backend (see
/// `common::storage_env`) unless they say otherwise; it must stop by itself
/// (a server that started is killed after 20 s and fails the test).
fn serve(dir: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = common::admin_command(&dir.join("data"));
    cmd.arg("serve")
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env_remove("STORAGE_PATH")
        .env_remove("SEARCH_INDEX_PATH")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("serve did not stop with {env:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The error lines: what `serve` printed on standard error apart from its log.
fn error_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.contains(" INFO ") && !l.contains(" WARN "))
        .map(str::to_owned)
        .collect()
}

fn assert_one_clear_line(o: &Output, names: &[&str]) {
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let lines = error_lines(o);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = &lines[0];
    assert!(line.starts_with("error: "), "{line}");
    for name in names {
        assert!(line.contains(name), "`{name}` missing from: {line}");
    }
    assert!(!line.contains("panicked") && !line.contains("backtrace"), "{line}");
}

#[test]
fn a_port_in_use_names_port() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = serve(dir.path(), &[("PORT", &port)]);
    assert_one_clear_line(&o, &[&format!("127.0.0.1:{port}"), "PORT", "in use"]);
}

#[test]
fn an_address_not_on_this_machine_names_host() {
    let dir = tempfile::tempdir().unwrap();
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    let o = serve(dir.path(), &[("HOST", "192.0.2.1")]);
    assert_one_clear_line(&o, &["192.0.2.1", "HOST"]);
}

#[test]
fn folders_that_cannot_be_created_name_their_setting() {
    let dir = tempfile::tempdir().unwrap();
    // Below a regular file nothing can be created, whoever runs the test.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let below = |name: &str| file.join(name).to_string_lossy().into_owned();
    let db = format!("sqlite:///{}", below("registry.db"));
    for (setting, value) in
        [("DATABASE_URL", db), ("STORAGE_PATH", below("packages")), ("SEARCH_INDEX_PATH", below("index"))]
    {
        let o = serve(dir.path(), &[(setting, &value)]);
        assert_one_clear_line(&o, &[setting, "a-file", "cannot be opened"]);
    }
    // DATA_DIR itself, holding all three.
    let o = serve(dir.path(), &[("DATA_DIR", &below("data"))]);
    assert_one_clear_line(&o, &["DATA_DIR", "a-file"]);
}

#[test]
fn a_database_url_it_cannot_use_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let o = serve(dir.path(), &[("DATABASE_URL", "mysql://root@localhost/registry")]);
    assert_one_clear_line(&o, &["DATABASE_URL", "mysql://root@localhost/registry", "sqlite:///"]);
    // A PostgreSQL that does not answer: said so, naming the setting.
    let o = serve(dir.path(), &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]);
    assert_one_clear_line(&o, &["PostgreSQL", "DATABASE_URL"]);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing created");
}
