//! Sign and verify throughput of package signatures, beside hashing the
//! package they cover (what an install does anyway), in the same run.
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

    println!("rounds: {rounds}");
    println!("| figure | per package | per second | baseline: sha256 of a 1 MiB package, same run |");
    println!("| --- | --- | --- | --- |");
    println!("| sign (SSHSIG, Ed25519, armored) | {sign_us:.1} µs | {:.0} | {hash_us:.0} µs |", 1e6 / sign_us);
    println!(
        "| verify (parse, namespace, key, signature) | {verify_us:.1} µs | {:.0} | {hash_us:.0} µs (verify is {:.2} of it) |",
        1e6 / verify_us,
        verify_us / hash_us
    );
}
