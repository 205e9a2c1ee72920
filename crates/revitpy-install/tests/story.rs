//! The client's whole story, as a user lives it: build, publish, sync,
//! search, install (dependencies pulled in), list, uninstall; then the
//! registry goes away and the client keeps working from its index and cache.
//! The registry is the real server on a free port (started in-process from
//! its library); the client is the real binary as a subprocess.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::registry::{ADMIN, Registry};
use support::{examples, text};

struct Client {
    home: tempfile::TempDir,
    registry: String,
}

impl Client {
    fn new(registry: &str) -> Client {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join("addins/2024")).unwrap();
        Client { home, registry: registry.to_owned() }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
            .args(args)
            .env("REVITPY_REGISTRY_URL", &self.registry)
            .env("REVITPY_CACHE_DIR", self.home.path().join("cache"))
            .env("REVITPY_ADDINS_DIR", self.home.path().join("addins"))
            .env("REVITPY_CONFIG", self.home.path().join("config.toml"))
            .env("REVITPY_TOKEN", ADMIN)
            .env_remove("SOURCE_DATE_EPOCH")
            .current_dir(self.home.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}\nstdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
        text(&o.stdout)
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut with = args.to_vec();
        with.push("--json");
        serde_json::from_str(&self.ok(&with)).unwrap()
    }

    fn addins(&self) -> PathBuf {
        self.home.path().join("addins")
    }
}

fn records(client: &Client) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(client.addins().join("2024/RevitPy/installed_packages.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn build_publish_sync_search_install_uninstall_then_offline() {
    let data = tempfile::tempdir().unwrap();
    let mut registry = Registry::start(data.path());
    let client = Client::new(&registry.base);

    for name in ["revitpy-utils", "wall-tools", "room-exporter", "sheet-publisher"] {
        let src = examples().join(name);
        let out = format!("{name}.rpyx");
        client.ok(&["registry", "build", src.to_str().unwrap(), "--output", &out]);
        let published = client.json(&["registry", "publish", &out]);
        assert_eq!(published["package_name"], name);
    }

    let synced = client.json(&["registry", "sync"]);
    assert_eq!(synced["full"], true);
    assert_eq!(synced["packages"], 4);
    let again = client.json(&["registry", "sync"]);
    assert_eq!(again["up_to_date"], true);

    let found = client.json(&["registry", "search", "wall", "--revit-version", "2024"]);
    assert_eq!(found["source"], "registry");
    assert_eq!(found["results"][0]["name"], "wall-tools");
    assert_eq!(found["suggestions"], serde_json::json!([]));
    // A misspelt name: nothing found, the nearest names offered, online
    // (the registry's answer) and offline (the local index) alike.
    for extra in [None, Some("--offline")] {
        let mut args = vec!["registry", "search", "Wall_Tolos"];
        args.extend(extra);
        let out = client.ok(&args);
        assert!(
            out.contains("No packages found for 'Wall_Tolos'.") && out.contains("Did you mean: wall-tools?"),
            "{out}"
        );
    }

    // Installing wall-tools pulls revitpy-utils in, dependencies first.
    let installed = client.json(&["registry", "install", "wall-tools", "--revit-version", "2024"]);
    let names: Vec<&str> =
        installed["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["revitpy-utils", "wall-tools"]);
    let rec = records(&client);
    assert_eq!(rec["wall-tools"]["version"], "1.2.0");
    assert_eq!(rec["revitpy-utils"]["version"], "1.4.1");
    let files: Vec<&str> =
        rec["wall-tools"]["installed_files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(files.contains(&"src/main.py"), "{files:?}");
    let main = client.addins().join("2024/RevitPy/Packages/wall-tools/src/main.py");
    assert_eq!(std::fs::read(&main).unwrap(), std::fs::read(examples().join("wall-tools/src/main.py")).unwrap());
    assert!(rec["wall-tools"]["manifest"]["name"] == "wall-tools");

    // Again: nothing to do. The only year folder is used without asking.
    let out = client.ok(&["registry", "install", "wall-tools"]);
    assert!(out.contains("already installed"), "{out}");

    let listed = client.json(&["registry", "list"]);
    assert_eq!(listed["packages"].as_array().unwrap().len(), 2);

    // A dependency of an installed package is not removed (exit 1, a refusal).
    let o = client.run(&["registry", "uninstall", "revitpy-utils"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("needed by wall-tools"), "{}", text(&o.stderr));

    let stats = client.json(&["registry", "cache", "--stats"]);
    for key in ["entries", "bytes", "hits", "misses", "hit_rate"] {
        assert!(stats.get(key).is_some(), "{key}");
    }
    assert_eq!(stats["entries"], 2);

    // The registry goes away.
    registry.stop();
    let found = client.json(&["registry", "search", "wall"]);
    assert_eq!(found["source"], "local index");
    assert_eq!(found["results"][0]["name"], "wall-tools");
    client.ok(&["registry", "uninstall", "wall-tools"]);
    client.ok(&["registry", "uninstall", "revitpy-utils"]);
    // Reinstall from the cache, offline, with its dependency.
    let installed = client.json(&["registry", "install", "wall-tools", "--offline"]);
    assert_eq!(installed["packages"].as_array().unwrap().len(), 2);
    // Without --offline the unreachable registry is noticed and the cache used.
    client.ok(&["registry", "uninstall", "wall-tools"]);
    client.ok(&["registry", "install", "wall-tools"]);
    // Never downloaded: a clear failure naming it.
    let o = client.run(&["registry", "install", "room-exporter", "--offline"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("room-exporter 0.9.3 is not in the cache"), "{}", text(&o.stderr));
    client.ok(&["registry", "validate", "wall-tools.rpyx"]);
}

#[test]
fn a_corrupted_cache_file_is_replaced_and_a_lying_registry_installs_nothing() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    let src = examples().join("revitpy-utils");
    client.ok(&["registry", "build", src.to_str().unwrap(), "--output", "u.rpyx"]);
    client.ok(&["registry", "publish", "u.rpyx"]);
    client.ok(&["registry", "install", "revitpy-utils", "--revit-version", "2024"]);

    // Flip a byte in the cached file: the next install notices, says so, fetches again.
    let cache = client.home.path().join("cache/packages");
    let cached: Vec<PathBuf> = walk(&cache);
    assert_eq!(cached.len(), 1, "{cached:?}");
    let mut bytes = std::fs::read(&cached[0]).unwrap();
    bytes[40] ^= 0x01;
    std::fs::write(&cached[0], bytes).unwrap();
    let o = client.run(&["registry", "install", "revitpy-utils", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("was corrupt"), "{}", text(&o.stderr));

    // The registry's stored file no longer matches its metadata: nothing is installed.
    let blobs = walk(&data.path().join("packages"));
    let blob = blobs.iter().find(|p| p.file_name().is_some_and(|n| n.len() == 64)).unwrap();
    let mut bytes = std::fs::read(blob).unwrap();
    bytes[40] ^= 0x01;
    std::fs::write(blob, bytes).unwrap();
    client.ok(&["registry", "uninstall", "revitpy-utils"]);
    // Neither limit: the original client's defaults (500 MB, 30 days) keep a
    // small, fresh cache whole (this was exit 1).
    let v: Value = serde_json::from_str(&client.ok(&["registry", "cache", "--cleanup", "--json"])).unwrap();
    assert_eq!(v["removed"], 0, "{v}");
    assert!(v["remaining_entries"].as_u64().unwrap() >= 1, "{v}");
    client.ok(&["registry", "cache", "--cleanup", "--max-age", "0"]);
    let o = client.run(&["registry", "install", "revitpy-utils"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("nothing was installed"), "{}", text(&o.stderr));
    assert!(!client.addins().join("2024/RevitPy/Packages/revitpy-utils").exists());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("tmp") {
                    out.extend(walk(&p));
                }
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn publish_variant(client: &Client, name: &str, version: &str) -> String {
    let src = client.home.path().join(format!("src-{name}-{version}"));
    copy_tree(&examples().join(name), &src);
    let manifest = src.join("revitpy.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("version = \"1.2.0\"", &format!("version = \"{version}\""), 1)).unwrap();
    std::fs::write(src.join("src/added.py"), format!("VERSION = '{version}'\n")).unwrap();
    let out = format!("{name}-{version}.rpyx");
    client.ok(&["registry", "build", src.to_str().unwrap(), "--output", &out]);
    client.ok(&["registry", "publish", &out]);
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_failed_update_leaves_the_previous_version_intact() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    for name in ["revitpy-utils", "wall-tools"] {
        let out = format!("{name}.rpyx");
        client.ok(&["registry", "build", examples().join(name).to_str().unwrap(), "--output", &out]);
        client.ok(&["registry", "publish", &out]);
    }
    client.ok(&["registry", "install", "wall-tools"]);
    let before = records(&client);
    let main = client.addins().join("2024/RevitPy/Packages/wall-tools/src/main.py");
    let main_before = std::fs::read(&main).unwrap();
    publish_variant(&client, "wall-tools", "1.3.0");

    // The record cannot be written after the new files are in place: all is put back.
    let o = Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
        .args(["registry", "install", "wall-tools"])
        .env("REVITPY_REGISTRY_URL", &client.registry)
        .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
        .env("REVITPY_ADDINS_DIR", client.addins())
        .env("REVITPY_CONFIG", client.home.path().join("config.toml"))
        .env("REVITPY_TEST_FAIL_RECORD_WRITE", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("the previous state was restored"), "{}", text(&o.stderr));
    assert_eq!(records(&client), before);
    assert_eq!(std::fs::read(&main).unwrap(), main_before);
    assert!(!client.addins().join("2024/RevitPy/Packages/wall-tools/src/added.py").exists());
    let leftovers: Vec<_> = std::fs::read_dir(client.addins().join("2024/RevitPy/Packages"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers.len(), 2, "no staging or backup folders left: {leftovers:?}");

    // A file standing where the packages folder must go: a clear failure, nothing changed.
    let other = client.addins().join("2023");
    std::fs::create_dir_all(other.join("RevitPy")).unwrap();
    std::fs::write(other.join("RevitPy/Packages"), "not a folder").unwrap();
    let o = client.run(&["registry", "install", "revitpy-utils", "--revit-version", "2023"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!other.join("RevitPy/installed_packages.json").exists());

    // Without the fault the update goes through.
    let out = client.ok(&["registry", "install", "wall-tools", "--revit-version", "2024"]);
    assert!(out.contains("updated from 1.2.0"), "{out}");
}

#[test]
fn two_installs_at_once_both_land() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    for name in ["revitpy-utils", "wall-tools", "room-exporter"] {
        let out = format!("{name}.rpyx");
        client.ok(&["registry", "build", examples().join(name).to_str().unwrap(), "--output", &out]);
        client.ok(&["registry", "publish", &out]);
    }
    let spawn = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
            .args(["registry", "install", name])
            .env("REVITPY_REGISTRY_URL", &client.registry)
            .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
            .env("REVITPY_ADDINS_DIR", client.addins())
            .env("REVITPY_CONFIG", client.home.path().join("config.toml"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn("wall-tools");
    let b = spawn("room-exporter");
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert!(b.status.success(), "{}", text(&b.stderr));
    let rec = records(&client);
    for name in ["wall-tools", "room-exporter", "revitpy-utils"] {
        assert!(rec.get(name).is_some(), "{name} missing from {rec}");
        let dir = client.addins().join("2024/RevitPy/Packages").join(name);
        assert!(dir.is_dir(), "{name}");
    }
    let stats = client.json(&["registry", "cache", "--verify"]);
    assert_eq!(stats["corrupt"], 0);
}

#[test]
fn login_stores_a_checked_token_privately_and_publish_uses_it() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    let run = |args: &[&str], stdin: &str, token: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-install"));
        cmd.args(args)
            .env("REVITPY_REGISTRY_URL", &client.registry)
            .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
            .env("REVITPY_CONFIG", client.home.path().join("conf/config.toml"))
            .env_remove("REVITPY_TOKEN")
            .current_dir(client.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(t) = token {
            cmd.env("REVITPY_TOKEN", t);
        }
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    // A wrong token is refused and not stored.
    let o = run(&["registry", "login"], "rpy_not_a_token\n", None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(!client.home.path().join("conf/config.toml").exists());
    // The right one, from standard input.
    let o = run(&["registry", "login"], &format!("{ADMIN}\n"), None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let config = client.home.path().join("conf/config.toml");
    assert!(std::fs::read_to_string(&config).unwrap().contains(ADMIN));
    #[cfg(unix)]
    {
        #[allow(clippy::disallowed_methods)]
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&config).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
    }
    // publish finds the stored token without REVITPY_TOKEN.
    let src = examples().join("revitpy-utils");
    client.ok(&["registry", "build", src.to_str().unwrap(), "--output", "u.rpyx"]);
    let o = run(&["registry", "publish", "u.rpyx"], "", None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Without any token: a message naming what to do.
    std::fs::remove_file(&config).unwrap();
    let o = run(&["registry", "publish", "u.rpyx"], "", None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("registry login"), "{}", text(&o.stderr));
}

#[test]
fn a_stale_index_is_refreshed_in_the_background() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    let src = examples().join("revitpy-utils");
    client.ok(&["registry", "build", src.to_str().unwrap(), "--output", "u.rpyx"]);
    client.ok(&["registry", "publish", "u.rpyx"]);
    // Never synced: an online search answers at once and starts a sync behind it.
    let o = Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
        .args(["registry", "search", "utils"])
        .env("REVITPY_REGISTRY_URL", &client.registry)
        .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
        .env("REVITPY_INDEX_MAX_AGE", "0")
        .output()
        .unwrap();
    assert!(o.status.success());
    let db = client.home.path().join("cache/index/index.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let synced = rusqlite::Connection::open(&db)
            .ok()
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get::<_, i64>(0)).ok())
            .unwrap_or(0);
        if synced == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the background sync did not fill the index");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A package that runs code it decodes first: risk level critical.
fn build_evil(client: &Client) -> String {
    let src = client.home.path().join("evil-src");
    std::fs::create_dir_all(src.join("evil_tools")).unwrap();
    std::fs::write(
        src.join("manifest.json"),
        r#"{"name": "evil-tools", "version": "1.0.0", "description": "x", "author": "x", "revit_compatibility": {"min_version": "2022"}}"#,
    )
    .unwrap();
    std::fs::write(src.join("evil_tools/__init__.py"), "import base64\nexec(base64.b64decode(\"cHJpbnQoMSk=\"))\n")
        .unwrap();
    client.ok(&["registry", "build", src.to_str().unwrap(), "--output", "evil.rpyx"]);
    "evil.rpyx".to_owned()
}

#[test]
fn a_risky_package_is_refused_unless_forced_and_confirmed() {
    let data = tempfile::tempdir().unwrap();
    // A registry that stores everything (SCAN_BLOCK_SEVERITY=none): the client still refuses.
    let registry = Registry::start_with(data.path(), None);
    let client = Client::new(&registry.base);
    for name in ["revitpy-utils", "wall-tools"] {
        let out = format!("{name}.rpyx");
        client.ok(&["registry", "build", examples().join(name).to_str().unwrap(), "--output", &out]);
        let published = client.json(&["registry", "publish", &out]);
        assert_eq!(published["security_scan_status"], "passed", "{published}");
    }
    let evil = build_evil(&client);
    let published = client.json(&["registry", "publish", &evil]);
    assert_eq!(published["security_scan_status"], "failed", "{published}");

    // A benign package (and its dependency) installs without a question, stdin not a terminal.
    let installed = client.json(&["registry", "install", "wall-tools"]);
    for p in installed["packages"].as_array().unwrap() {
        assert_eq!(p["action"], "installed", "{installed}");
        assert_eq!(p["risk_level"], "low", "{installed}");
        assert_eq!(p["security_scan_status"], "passed", "{installed}");
    }

    let evil_dir = client.addins().join("2024/RevitPy/Packages/evil-tools");
    let o = client.run(&["registry", "install", "evil-tools"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for part in ["evil-tools 1.0.0", "risk level critical", "exec-decoded", "evil_tools/__init__.py:2", "--force"] {
        assert!(err.contains(part), "{part:?} missing from {err}");
    }
    assert!(text(&o.stdout).is_empty(), "{}", text(&o.stdout));
    assert!(!evil_dir.exists());

    // --force asks; without a terminal it cannot, and says to add --yes.
    let o = client.run(&["registry", "install", "evil-tools", "--force"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--yes") && err.contains("risk level critical"), "{err}");
    assert!(!evil_dir.exists());
    assert!(records(&client).get("evil-tools").is_none());

    // --force --yes installs it, and says what it is.
    let installed = client.json(&["registry", "install", "evil-tools", "--force", "--yes"]);
    let p = &installed["packages"][0];
    assert_eq!(p["name"], "evil-tools");
    assert_eq!(p["action"], "installed");
    assert_eq!(p["risk_level"], "critical");
    assert_eq!(p["security_scan_status"], "failed");
    assert!(evil_dir.join("evil_tools/__init__.py").is_file());

    // From the cache, offline, the scan runs too.
    client.json(&["registry", "sync"]);
    client.ok(&["registry", "uninstall", "evil-tools"]);
    let o = client.run(&["registry", "install", "evil-tools", "--offline"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("risk level critical") && err.contains("--force"), "{err}");
    assert!(!evil_dir.exists());
}

#[test]
fn the_default_registry_policy_refuses_a_critical_upload() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    let evil = build_evil(&client);
    let o = client.run(&["registry", "publish", &evil]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("422") && err.contains("risk level critical") && err.contains("exec-decoded"), "{err}");
}

/// `--force` on a terminal asks; only "y" installs. The terminal is a
/// pseudo-terminal from util-linux `script` (skipped where it is missing).
#[test]
fn forced_install_on_a_terminal_asks_first() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to provide a terminal");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start_with(data.path(), None);
    let client = Client::new(&registry.base);
    let evil = build_evil(&client);
    client.ok(&["registry", "publish", &evil]);
    let on_terminal = |answer: &str| {
        let command = format!("{} registry install evil-tools --force", env!("CARGO_BIN_EXE_revitpy-install"));
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("REVITPY_REGISTRY_URL", &client.registry)
            .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
            .env("REVITPY_ADDINS_DIR", client.addins())
            .env("REVITPY_CONFIG", client.home.path().join("config.toml"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Keep standard input open until the command is done: its end would end the terminal.
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, answer.as_bytes()).unwrap();
        let status = child.wait().unwrap();
        drop(stdin);
        let mut out = String::new();
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
        (status.code(), out)
    };
    let evil_dir = client.addins().join("2024/RevitPy/Packages/evil-tools");
    let (code, out) = on_terminal("n\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("Install evil-tools 1.0.0 anyway? [y/N]") && out.contains("not confirmed"), "{out}");
    assert!(!evil_dir.exists());
    let (code, out) = on_terminal("y\n");
    assert_eq!(code, Some(0), "{out}");
    assert!(evil_dir.join("evil_tools/__init__.py").is_file(), "{out}");
}

#[test]
fn with_several_year_folders_a_terminal_is_asked_which() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to provide a terminal");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    client.ok(&["registry", "build", examples().join("revitpy-utils").to_str().unwrap(), "--output", "u.rpyx"]);
    client.ok(&["registry", "publish", "u.rpyx"]);
    std::fs::create_dir_all(client.addins().join("2023")).unwrap();
    let command = format!("{} registry install revitpy-utils", env!("CARGO_BIN_EXE_revitpy-install"));
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("REVITPY_REGISTRY_URL", &client.registry)
        .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
        .env("REVITPY_ADDINS_DIR", client.addins())
        .env("REVITPY_CONFIG", client.home.path().join("config.toml"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep standard input open until the command is done: its end would end the terminal.
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"2023\n").unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(out.contains("Several Revit versions are present (2023, 2024). Which one? "), "{out}");
    assert!(client.addins().join("2023/RevitPy/Packages/revitpy-utils").is_dir(), "{out}");
    assert!(!client.addins().join("2024/RevitPy").exists(), "{out}");
}

/// A hook's output reaches the user through the printer, on standard error:
/// with `--json`, standard output holds the JSON answer and nothing else.
#[cfg(unix)]
#[test]
fn a_hooks_output_goes_to_standard_error_and_json_stays_parsable() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let client = Client::new(&registry.base);
    let src = client.home.path().join("hooked-src");
    std::fs::create_dir_all(src.join("hooked/hooks")).unwrap();
    std::fs::write(
        src.join("manifest.json"),
        r#"{"name": "hooked", "version": "1.0.0", "description": "x", "author": "x",
            "revit_compatibility": {"min_version": "2022"},
            "install_hooks": {"post_install": "hooked/hooks/post.py"}}"#,
    )
    .unwrap();
    std::fs::write(src.join("hooked/__init__.py"), "").unwrap();
    // Python and sh at once (the test runs it with sh): sh reads `"""":` as
    // the no-op `:`, Python reads a string up to the closing `"""`.
    std::fs::write(
        src.join("hooked/hooks/post.py"),
        "\"\"\"\":\necho hook says hi\necho hook warns >&2\nexit 0\n\"\"\"\nprint(\"hook says hi\")\n",
    )
    .unwrap();
    client.ok(&["registry", "build", src.to_str().unwrap(), "--output", "hooked.rpyx"]);
    client.ok(&["registry", "publish", "hooked.rpyx"]);
    let o = Command::new(env!("CARGO_BIN_EXE_revitpy-install"))
        .args(["registry", "install", "hooked", "--allow-hooks", "--json"])
        .env("REVITPY_REGISTRY_URL", &client.registry)
        .env("REVITPY_CACHE_DIR", client.home.path().join("cache"))
        .env("REVITPY_ADDINS_DIR", client.addins())
        .env("REVITPY_CONFIG", client.home.path().join("config.toml"))
        .env("REVITPY_PYTHON", "sh")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    let answer: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stdout)));
    assert_eq!(answer["packages"][0]["name"], "hooked", "{answer}");
    let err = text(&o.stderr);
    assert!(err.contains("hook says hi\n") && err.contains("hook warns\n"), "{err}");
}
