//! A real S3-compatible server for tests: moto's server (PyPI
//! `moto[server]`), started on a free loopback port and stopped on drop.
//! Compiled with the `test-support` feature only.
//!
//! Where moto is not installed, [`Moto::start`] says so and returns `None`
//! (the caller skips), except under CI (`CI` set), where it panics: CI
//! installs it (`.ci/run`), so its absence there is a failure.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    port: u16,
}

/// Credentials moto accepts (any); set for the process under test.
pub const ACCESS_KEY: &str = "revitpy-test";
pub const SECRET_KEY: &str = "revitpy-test-secret";

impl Moto {
    pub fn start() -> Option<Moto> {
        let importable = Command::new("python3")
            .args(["-c", "import moto.server, flask, werkzeug"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !importable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but moto's server is not installed (pip install 'moto[server]')"
            );
            eprintln!("skipped: moto's server is not installed (pip install 'moto[server]')");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server");
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}"), port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto's server did not listen on port {port} within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(moto)
    }

    /// Creates a bucket (moto takes an unsigned request).
    pub fn create_bucket(&self, bucket: &str) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"), "{answer}");
    }

    /// The environment a process needs to use this server's `bucket`.
    pub fn env(&self, bucket: &str) -> Vec<(String, String)> {
        [
            ("STORAGE_TYPE", "s3"),
            ("S3_BUCKET", bucket),
            ("S3_ENDPOINT", self.endpoint.as_str()),
            ("S3_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
