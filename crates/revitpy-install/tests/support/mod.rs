//! What the client's integration tests share: the real registry on a free
//! port, fake registries that misbehave on purpose, and the client binary
//! run in a private home with a time limit.

#![allow(dead_code)]

pub mod fake;
pub mod mirror;
pub mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A user's machine: cache, add-ins folder and config file in a temporary folder.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("addins/2024")).unwrap();
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.path().join("config.toml")
    }

    /// The client against `registry`, no token unless the test gives one,
    /// and no background refresh unless the test asks for it.
    pub fn cmd(&self, registry: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_revitpy-install"));
        cmd.args(args)
            .env("REVITPY_REGISTRY_URL", registry)
            .env("REVITPY_CACHE_DIR", self.path().join("cache"))
            .env("REVITPY_ADDINS_DIR", self.path().join("addins"))
            .env("REVITPY_CONFIG", self.config())
            .env("REVITPY_INDEX_MAX_AGE", "999999999")
            .env("NO_COLOR", "1")
            .env_remove("REVITPY_TOKEN")
            .env_remove("REVITPY_SYNC_TIMEOUT")
            .env_remove("REVITPY_REGISTRY_KEY")
            .env_remove("REVITPY_REQUIRE_SIGNATURES")
            .env_remove("REVITPY_SNAPSHOT_FORMAT")
            .env_remove("SOURCE_DATE_EPOCH")
            .current_dir(self.path());
        cmd
    }

    pub fn run(&self, registry: &str, args: &[&str]) -> Output {
        run_bounded(self.cmd(registry, args), Duration::from_secs(60))
    }

    pub fn ok(&self, registry: &str, args: &[&str]) -> String {
        let o = self.run(registry, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}\nstdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
        text(&o.stdout)
    }
}

/// Runs `cmd` to its end, killing it (and failing the test) past `limit`:
/// a client that hangs on a misbehaving registry must not hang the tests.
pub fn run_bounded(cmd: Command, limit: Duration) -> Output {
    run_watched(cmd, limit, |_| {}).0
}

/// As [`run_bounded`], calling `watch` with the child's process id every
/// 10 ms while it runs; also returns how long it ran.
pub fn run_watched(mut cmd: Command, limit: Duration, mut watch: impl FnMut(u32)) -> (Output, Duration) {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut b);
        b
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let (o, e) = (out.join().unwrap(), err.join().unwrap());
            panic!("the client did not finish within {limit:?}\nstdout: {}\nstderr: {}", text(&o), text(&e));
        }
        watch(child.id());
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    (Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }, took)
}
