//! Sign and verify throughput of package signatures and of the signed
//! index's parts (an index document, one package's digest, one bin of 400
//! packages, the index digest), beside hashing the package they cover
//! (what an install does anyway), in the same run.
//!
//! Run: `cargo bench -p revitpy-sign --bench sign` (`SIGN_ROUNDS=N`, default 2,000).

use std::time::Instant;

use revitpy_sign::Statement;
use sha2::Digest;

fn main() {
    let rounds: usize = std::env::var("SIGN_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let key = revitpy_sign::generate("bench").unwrap();
    // A typical add-in package: 1 MiB.
    let package = vec![0x5au8; 1024 * 1024];
    let started = Instant::now();
    let mut sha = String::new();
    for _ in 0..rounds / 10 {
        sha = hex::encode(sha2::Sha256::digest(&package));
    }
    let hash_us = started.elapsed().as_secs_f64() * 1e6 / (rounds / 10) as f64;
    let statement = Statement { name: "wall-tools".into(), version: "1.2.0".into(), sha256: sha };

    let started = Instant::now();
    let mut signature = String::new();
    for _ in 0..rounds {
        signature = revitpy_sign::sign(&key, &statement).unwrap();
    }
    let sign_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let started = Instant::now();
    for _ in 0..rounds {
        revitpy_sign::verify(&signature, &statement, Some(key.public_key())).unwrap();
    }
    let verify_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;

    // The signed index: what the server signs per serial, and what a
    // client recomputes per package it installs (one entry, its bin of
    // about 400 at 100,000 packages, the index over 256 bins).
    use revitpy_sign::index::{BINS, IndexMeta, Root, VersionFacts, bin_digest, index_digest, package_digest, seal};
    let root = Root::new(1, key.public_key(), 0);
    let meta = IndexMeta {
        kind: "index".into(),
        root_version: 1,
        serial: 123_456,
        packages: 100_000,
        digest: "ab".repeat(32),
        issued: 1,
        expires: 2,
    };
    let started = Instant::now();
    let mut env = seal(&meta, &[&key]).unwrap();
    for _ in 1..rounds {
        env = seal(&meta, &[&key]).unwrap();
    }
    let seal_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let started = Instant::now();
    for _ in 0..rounds {
        root.open_index(&env).unwrap();
    }
    let open_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let facts = [VersionFacts {
        version: "1.2.0",
        sha256: &statement.sha256,
        size: 1 << 20,
        yanked: false,
        signature_key_id: None,
    }];
    let started = Instant::now();
    let mut d = [0u8; 32];
    for _ in 0..rounds * 10 {
        d = package_digest(std::hint::black_box("wall-tools"), false, &facts);
    }
    let package_us = started.elapsed().as_secs_f64() * 1e6 / (rounds * 10) as f64;
    let names: Vec<String> = (0..400).map(|i| format!("package-{i:05}")).collect();
    let started = Instant::now();
    for _ in 0..rounds {
        d = bin_digest(names.iter().map(|n| (n.as_str(), &d)));
    }
    let bin_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let bins = vec![d; BINS];
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(index_digest(&bins));
    }
    let index_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;

    println!("rounds: {rounds}");
    println!("| figure | per package | per second | baseline: sha256 of a 1 MiB package, same run |");
    println!("| --- | --- | --- | --- |");
    println!("| sign (SSHSIG, Ed25519, armored) | {sign_us:.1} µs | {:.0} | {hash_us:.0} µs |", 1e6 / sign_us);
    println!(
        "| verify (parse, namespace, key, signature) | {verify_us:.1} µs | {:.0} | {hash_us:.0} µs (verify is {:.2} of it) |",
        1e6 / verify_us,
        verify_us / hash_us
    );
    println!("| sign an index document (server, once per serial) | {seal_us:.1} µs | {:.0} | |", 1e6 / seal_us);
    println!("| check an index document's signature (client) | {open_us:.1} µs | {:.0} | |", 1e6 / open_us);
    println!(
        "| digests for one installed package: its own, its bin (400), the index (256 bins) | {:.1} µs ({package_us:.2} + {bin_us:.1} + {index_us:.1}) | {:.0} | |",
        package_us + bin_us + index_us,
        1e6 / (package_us + bin_us + index_us)
    );
}
