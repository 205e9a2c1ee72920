//! Publisher keys and signatures as a publisher uses them: `registry keygen`,
//! `sign`, `verify`, and `publish` sending FILE.rpyx.sig, against the real
//! registry, which checks the signature and shows who signed; and each way a
//! signature can be wrong, refused with its reason.

mod support;

use std::path::Path;

use serde_json::Value;
use support::registry::{ADMIN, Registry};
use support::{Home, examples, text};

/// GET `url`: its status and body.
fn get(url: &str) -> (u16, Vec<u8>) {
    // reqwest here is built without a TLS provider of its own choosing.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let r = reqwest::get(url).await.unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    })
}

fn build(home: &Home, example: &str, out: &str) -> std::path::PathBuf {
    let file = home.path().join(out);
    home.ok(
        "http://127.0.0.1:9",
        &["registry", "build", examples().join(example).to_str().unwrap(), "--output", file.to_str().unwrap()],
    );
    file
}

fn publish(home: &Home, registry: &Registry, file: &Path) -> std::process::Output {
    let mut cmd = home.cmd(&registry.base, &["registry", "publish", file.to_str().unwrap()]);
    cmd.env("REVITPY_TOKEN", ADMIN);
    support::run_bounded(cmd, std::time::Duration::from_secs(60))
}

#[test]
fn a_signed_package_is_published_with_its_key_id_and_verifies_offline() {
    let home = Home::new();
    let data = home.path().join("registry");
    let registry = Registry::start(&data);
    let key = home.path().join("keys/ann");
    let out = home.ok("http://127.0.0.1:9", &["registry", "keygen", "--output", key.to_str().unwrap(), "--json"]);
    let made: Value = serde_json::from_str(&out).unwrap();
    let key_id = made["key_id"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("SHA256:"));
    #[cfg(unix)]
    {
        #[allow(clippy::disallowed_methods)]
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "the private key is the owner's alone");
    }
    // A second keygen never overwrites a key.
    let again = home.run("http://127.0.0.1:9", &["registry", "keygen", "--output", key.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("never overwritten"));

    let file = build(&home, "wall-tools", "wall-tools-1.2.0.rpyx");
    home.ok("http://127.0.0.1:9", &["registry", "sign", file.to_str().unwrap(), "--key", key.to_str().unwrap()]);
    let pubkey = format!("{}.pub", key.display());
    let out = home.ok("http://127.0.0.1:9", &["registry", "verify", file.to_str().unwrap(), "--key", &pubkey]);
    assert!(out.contains(&key_id), "{out}");

    let o = publish(&home, &registry, &file);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("(signed)"), "{}", text(&o.stdout));
    let detail: Value = serde_json::from_slice(&get(&format!("{}/api/packages/wall-tools", registry.base)).1).unwrap();
    let version = &detail["versions"][0];
    assert_eq!(version["signature_key_id"], key_id.as_str());
    let stored = version["digital_signature"].as_str().unwrap();
    assert!(stored.starts_with("-----BEGIN SSH SIGNATURE-----"));
    // The stored signature verifies the downloaded file, offline.
    std::fs::write(home.path().join("downloaded.sig"), stored).unwrap();
    let downloaded = home.path().join("downloaded.rpyx");
    let bytes = get(&format!("{}/api/packages/wall-tools/1.2.0/download", registry.base)).1;
    std::fs::write(&downloaded, bytes).unwrap();
    home.ok(
        "http://127.0.0.1:9",
        &[
            "registry",
            "verify",
            downloaded.to_str().unwrap(),
            "--signature",
            home.path().join("downloaded.sig").to_str().unwrap(),
            "--key",
            &pubkey,
        ],
    );
}

#[test]
fn wrong_signatures_are_refused_with_their_reason_and_nothing_is_published() {
    let home = Home::new();
    let registry = Registry::start(&home.path().join("registry"));
    let key = home.path().join("k");
    std::fs::create_dir_all(home.path().join("other")).unwrap();
    home.ok("http://127.0.0.1:9", &["registry", "keygen", "--output", key.to_str().unwrap()]);
    let utils = build(&home, "revitpy-utils", "revitpy-utils.rpyx");
    let wall = build(&home, "wall-tools", "wall-tools-1.2.0.rpyx");
    let wall_sig = home.path().join("wall-tools-1.2.0.rpyx.sig");

    // Another package's signature, renamed to go with this one.
    home.ok("http://127.0.0.1:9", &["registry", "sign", utils.to_str().unwrap(), "--key", key.to_str().unwrap()]);
    std::fs::copy(home.path().join("revitpy-utils.rpyx.sig"), &wall_sig).unwrap();
    let v = home.run("http://127.0.0.1:9", &["registry", "verify", wall.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    assert!(text(&v.stderr).contains("does not match this package"), "{}", text(&v.stderr));
    let o = publish(&home, &registry, &wall);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("the signature does not verify") && text(&o.stderr).contains("does not match"),
        "{}",
        text(&o.stderr)
    );

    // Not a signature at all.
    std::fs::write(&wall_sig, "-----BEGIN SSH SIGNATURE-----\nbm9wZQ==\n-----END SSH SIGNATURE-----\n").unwrap();
    let o = publish(&home, &registry, &wall);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("not a signature"), "{}", text(&o.stderr));

    // A key that is not the one the user trusts.
    home.ok("http://127.0.0.1:9", &["registry", "sign", wall.to_str().unwrap(), "--key", key.to_str().unwrap()]);
    home.ok("http://127.0.0.1:9", &["registry", "keygen", "--output", home.path().join("other/key").to_str().unwrap()]);
    let v = home.run(
        "http://127.0.0.1:9",
        &["registry", "verify", wall.to_str().unwrap(), "--key", home.path().join("other/key.pub").to_str().unwrap()],
    );
    assert_eq!(v.status.code(), Some(1));
    assert!(text(&v.stderr).contains("not by the key given"), "{}", text(&v.stderr));

    // A passphrase-protected key needs its passphrase.
    let locked = home.path().join("locked");
    let mut cmd =
        home.cmd("http://127.0.0.1:9", &["registry", "keygen", "--output", locked.to_str().unwrap(), "--passphrase"]);
    cmd.env("REVITPY_KEY_PASSPHRASE", "correct horse");
    assert_eq!(support::run_bounded(cmd, std::time::Duration::from_secs(60)).status.code(), Some(0));
    let o = home
        .run("http://127.0.0.1:9", &["registry", "sign", wall.to_str().unwrap(), "--key", locked.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("passphrase"), "{}", text(&o.stderr));

    assert_eq!(get(&format!("{}/api/packages/wall-tools", registry.base)).0, 404, "nothing was published");
}
