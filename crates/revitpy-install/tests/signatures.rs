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

/// A request with the admin token and a JSON body: its status and answer.
fn send(method: &str, url: &str, body: Value) -> (u16, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let r = client.request(method.parse().unwrap(), url).bearer_auth(ADMIN).json(&body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    })
}

/// Registers the key whose private half is at `private` for `user` (as the
/// registry's admin, with the proof its holder signs).
fn register(registry: &Registry, private: &Path, user: &str) -> i64 {
    let key = revitpy_sign::read_private_key(private, None).unwrap();
    let body = serde_json::json!({
        "public_key": key.public_key().to_openssh().unwrap(),
        "proof": revitpy_sign::sign_registration(&key, user).unwrap(),
        "user": user,
    });
    let (status, body) = send("POST", &format!("{}/api/keys", registry.base), body);
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
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

    // Published with the admin token: the first owner is `admin`, whose key it must be.
    let o = publish(&home, &registry, &file);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("not a registered key"), "{}", text(&o.stderr));
    // Registered from the command line, with the publishing token.
    let mut cmd =
        home.cmd(&registry.base, &["registry", "keys", "add", "--key", key.to_str().unwrap(), "--user", "admin"]);
    cmd.env("REVITPY_TOKEN", ADMIN);
    let o = support::run_bounded(cmd, std::time::Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains(&key_id), "{}", text(&o.stdout));
    let listed: Value =
        serde_json::from_str(&home.ok(&registry.base, &["registry", "keys", "list", "--user", "admin", "--json"]))
            .unwrap();
    assert_eq!(listed[0]["key_id"], key_id.as_str());
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

#[test]
fn owners_keys_and_the_signing_policy_decide_what_is_published() {
    let home = Home::new();
    let registry = Registry::start(&home.path().join("registry"));
    let (admin_key, carol_key) = (home.path().join("admin"), home.path().join("carol"));
    for key in [&admin_key, &carol_key] {
        home.ok("http://127.0.0.1:9", &["registry", "keygen", "--output", key.to_str().unwrap()]);
    }
    let admin_id = register(&registry, &admin_key, "admin");
    register(&registry, &carol_key, "carol");

    // An unsigned first version; then the owners require signatures.
    let first = build(&home, "wall-tools", "wall-tools-1.2.0.rpyx");
    assert_eq!(publish(&home, &registry, &first).status.code(), Some(0));
    let (status, body) = send(
        "PUT",
        &format!("{}/api/packages/wall-tools/signing", registry.base),
        serde_json::json!({"require_signature": true}),
    );
    assert_eq!((status, body["require_signature"].as_bool()), (200, Some(true)), "{body}");

    let next_src = home.path().join("wall-next");
    copy_dir(&examples().join("wall-tools"), &next_src);
    let toml = std::fs::read_to_string(next_src.join("revitpy.toml")).unwrap().replace("1.2.0", "1.3.0");
    std::fs::write(next_src.join("revitpy.toml"), toml).unwrap();
    let next = home.path().join("wall-tools-1.3.0.rpyx");
    home.ok(
        "http://127.0.0.1:9",
        &["registry", "build", next_src.to_str().unwrap(), "--output", next.to_str().unwrap()],
    );

    // Unsigned: refused now.
    let o = publish(&home, &registry, &next);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("requires every version to be signed"), "{}", text(&o.stderr));
    // Signed by carol, who is not an owner: refused, naming her.
    home.ok("http://127.0.0.1:9", &["registry", "sign", next.to_str().unwrap(), "--key", carol_key.to_str().unwrap()]);
    let o = publish(&home, &registry, &next);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("`carol`, who is not an owner"), "{}", text(&o.stderr));
    // Signed by an owner's key that was revoked: refused.
    home.ok("http://127.0.0.1:9", &["registry", "sign", next.to_str().unwrap(), "--key", admin_key.to_str().unwrap()]);
    let (status, _) = send("DELETE", &format!("{}/api/keys/{admin_id}", registry.base), Value::Null);
    assert_eq!(status, 200);
    let o = publish(&home, &registry, &next);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("or was revoked"), "{}", text(&o.stderr));
    // A new key for the owner: published.
    let fresh = home.path().join("admin2");
    home.ok("http://127.0.0.1:9", &["registry", "keygen", "--output", fresh.to_str().unwrap()]);
    register(&registry, &fresh, "admin");
    home.ok("http://127.0.0.1:9", &["registry", "sign", next.to_str().unwrap(), "--key", fresh.to_str().unwrap()]);
    let o = publish(&home, &registry, &next);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let detail: Value = serde_json::from_slice(&get(&format!("{}/api/packages/wall-tools", registry.base)).1).unwrap();
    let signed: Vec<&Value> = detail["versions"].as_array().unwrap().iter().map(|v| &v["signature_key_id"]).collect();
    assert!(signed[0].is_string() && signed[1].is_null(), "1.3.0 signed, 1.2.0 not: {signed:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn list_verify_names_files_changed_since_install() {
    let home = Home::new();
    let registry = Registry::start(&home.path().join("registry"));
    let file = build(&home, "revitpy-utils", "revitpy-utils.rpyx");
    assert_eq!(publish(&home, &registry, &file).status.code(), Some(0));
    home.ok(&registry.base, &["registry", "install", "revitpy-utils", "--revit-version", "2024"]);
    let out = home.ok(&registry.base, &["registry", "list", "--verify"]);
    assert!(out.contains("revitpy-utils 1.4.1  ok ("), "{out}");

    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("addins/2024/RevitPy/installed_packages.json")).unwrap(),
    )
    .unwrap();
    let entry = &record["revitpy-utils"];
    let root = std::path::PathBuf::from(entry["install_dir"].as_str().unwrap());
    let files: Vec<String> = entry["files_sha256"].as_object().unwrap().keys().cloned().collect();
    assert!(files.len() >= 2, "{files:?}");
    std::fs::write(root.join(&files[0]), "import os\nos.system('calc')\n").unwrap();
    std::fs::remove_file(root.join(&files[1])).unwrap();
    let o = home.run(&registry.base, &["registry", "list", "--verify"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.contains("CHANGED")
            && out.contains(&format!("changed: {}", files[0]))
            && out.contains(&format!("missing: {}", files[1])),
        "{out}"
    );
    assert!(text(&o.stderr).contains("changed on disk since install"), "{}", text(&o.stderr));
    let json: Value =
        serde_json::from_str(&text(&home.run(&registry.base, &["registry", "list", "--verify", "--json"]).stdout))
            .unwrap();
    assert_eq!(json["packages"][0]["verify"]["changed"], serde_json::json!([files[0]]));
}
