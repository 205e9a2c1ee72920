//! Publisher keys and package signatures.
//!
//! Keys are Ed25519 in OpenSSH's own file formats: the private key as
//! `ssh-keygen` writes it (optionally encrypted with a passphrase, through
//! bcrypt-pbkdf and AES, as `ssh-keygen -N` does), the public key as one
//! `ssh-ed25519 AAAA... comment` line. A publisher may use a key they
//! already have. A signature is a detached SSHSIG (the format of
//! `ssh-keygen -Y sign` and of git's SSH commit signing) in the namespace
//! [`NAMESPACE`], over the [`Statement`] of one package file: its
//! normalized name, its version and its sha256. So a signature cannot be
//! moved to another package, another version or other bytes, and it can be
//! checked without this program:
//!
//! ```text
//! ssh-keygen -Y check-novalidate -n revitpy-package -s FILE.rpyx.sig < statement.txt
//! ```
//!
//! A key is named by its SHA256 fingerprint (`SHA256:...`), as OpenSSH
//! prints it. Every input here is bounded: key and signature files past
//! [`MAX_FILE_BYTES`] are refused before they are parsed.

use std::path::Path;

pub mod index;

use ssh_key::{Algorithm, HashAlg, LineEnding, SshSig};
pub use ssh_key::{PrivateKey, PublicKey};

/// The SSHSIG namespace of package signatures: a signature made for
/// anything else (a git commit, a file signed with another namespace) is
/// not a package signature.
pub const NAMESPACE: &str = "revitpy-package";

/// The SSHSIG namespace of a key registration's proof: a signature that
/// the holder of the private key asks to register it for one account.
pub const REGISTRATION_NAMESPACE: &str = "revitpy-key-registration";

/// What a registration proof signs: the account and the key.
fn registration_statement(user: &str, key: &PublicKey) -> Vec<u8> {
    format!("revitpy-key-registration v1\nuser: {}\nkey: {}\n", user.to_ascii_lowercase(), key_id(key)).into_bytes()
}

/// Proof that the holder of `key` asks to register it for `user`.
pub fn sign_registration(key: &PrivateKey, user: &str) -> Result<String> {
    let sig = key
        .sign(REGISTRATION_NAMESPACE, HashAlg::Sha512, &registration_statement(user, key.public_key()))
        .map_err(|e| SignError::Crypto(e.to_string()))?;
    sig.to_pem(LineEnding::LF).map_err(|e| SignError::Crypto(e.to_string()))
}

/// Checks a registration proof: made by `key` itself, for `user`.
pub fn verify_registration(proof: &str, user: &str, key: &PublicKey) -> Result<()> {
    if proof.len() as u64 > MAX_FILE_BYTES {
        return Err(SignError::TooLarge("the proof".to_owned()));
    }
    let sig = SshSig::from_pem(proof.trim()).map_err(|e| SignError::BadSignature(e.to_string()))?;
    if sig.namespace() != REGISTRATION_NAMESPACE {
        return Err(SignError::WrongNamespace(sig.namespace().to_owned()));
    }
    if sig.public_key() != key.key_data() {
        return Err(SignError::OtherKey {
            signed_by: key_id(&PublicKey::from(sig.public_key().clone())),
            expected: key_id(key),
        });
    }
    key.verify(REGISTRATION_NAMESPACE, &registration_statement(user, key), &sig).map_err(|_| SignError::Mismatch)
}

/// Key and signature files are a few hundred bytes; anything larger is not one.
pub const MAX_FILE_BYTES: u64 = 16 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0} is larger than {MAX_FILE_BYTES} bytes: not a key or signature file")]
    TooLarge(String),
    #[error("not an OpenSSH key: {0}")]
    BadKey(String),
    #[error("only Ed25519 keys are used for packages; this is a {0} key")]
    NotEd25519(String),
    #[error("the key is protected by a passphrase; give it (REVITPY_KEY_PASSPHRASE or the prompt)")]
    PassphraseNeeded,
    #[error("the passphrase does not open this key")]
    WrongPassphrase,
    #[error("not a signature: {0}")]
    BadSignature(String),
    #[error("the signature is for `{0}`, not a package (namespace `{NAMESPACE}`)")]
    WrongNamespace(String),
    #[error(
        "the signature does not match this package's name, version and sha256 (a changed file, or a signature of another package)"
    )]
    Mismatch,
    #[error("signed by {signed_by}, not by the key given ({expected})")]
    OtherKey { signed_by: String, expected: String },
    #[error("{0}")]
    Crypto(String),
}

pub type Result<T> = std::result::Result<T, SignError>;

/// What a package signature signs: one line each, in this order, so the
/// same package always gives the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The normalized package name.
    pub name: String,
    /// The version as the manifest spells it.
    pub version: String,
    /// The sha256 of the `.rpyx` file, lowercase hex.
    pub sha256: String,
}

impl Statement {
    pub fn bytes(&self) -> Vec<u8> {
        format!(
            "revitpy-package-signature v1\nname: {}\nversion: {}\nsha256: {}\n",
            self.name, self.version, self.sha256
        )
        .into_bytes()
    }
}

/// A new Ed25519 key from the operating system's random source.
pub fn generate(comment: &str) -> Result<PrivateKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| SignError::Crypto(format!("no random source: {e}")))?;
    let pair = ssh_key::private::Ed25519Keypair::from_seed(&seed);
    let mut key = PrivateKey::from(pair);
    key.set_comment(comment);
    Ok(key)
}

/// The key's name: its SHA256 fingerprint, `SHA256:...`.
pub fn key_id(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The private key in OpenSSH's format, encrypted when a passphrase is given.
pub fn private_key_text(key: &PrivateKey, passphrase: Option<&str>) -> Result<String> {
    let key = match passphrase.filter(|p| !p.is_empty()) {
        Some(p) => key.encrypt(&mut ssh_key::rand_core::OsRng, p).map_err(|e| SignError::Crypto(e.to_string()))?,
        None => key.clone(),
    };
    key.to_openssh(LineEnding::LF).map(|t| t.to_string()).map_err(|e| SignError::Crypto(e.to_string()))
}

fn read_bounded(path: &Path) -> Result<String> {
    use std::io::Read;
    let io = |source| SignError::Io { path: path.display().to_string(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(io)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(SignError::TooLarge(path.display().to_string()));
    }
    Ok(text)
}

/// Whether the private key file at `path` needs a passphrase.
pub fn is_encrypted(path: &Path) -> Result<bool> {
    let key = PrivateKey::from_openssh(read_bounded(path)?).map_err(|e| SignError::BadKey(e.to_string()))?;
    Ok(key.is_encrypted())
}

/// Reads an Ed25519 private key, decrypting it with `passphrase` if it is encrypted.
pub fn read_private_key(path: &Path, passphrase: Option<&str>) -> Result<PrivateKey> {
    let key = PrivateKey::from_openssh(read_bounded(path)?).map_err(|e| SignError::BadKey(e.to_string()))?;
    let key = if key.is_encrypted() {
        let p = passphrase.filter(|p| !p.is_empty()).ok_or(SignError::PassphraseNeeded)?;
        key.decrypt(p).map_err(|_| SignError::WrongPassphrase)?
    } else {
        key
    };
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(SignError::NotEd25519(key.algorithm().to_string()));
    }
    Ok(key)
}

/// Parses one public key line (`ssh-ed25519 AAAA... comment`).
pub fn parse_public_key(text: &str) -> Result<PublicKey> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(SignError::TooLarge("the public key".to_owned()));
    }
    let key = PublicKey::from_openssh(text.trim()).map_err(|e| SignError::BadKey(e.to_string()))?;
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(SignError::NotEd25519(key.algorithm().to_string()));
    }
    Ok(key)
}

pub fn read_public_key(path: &Path) -> Result<PublicKey> {
    parse_public_key(&read_bounded(path)?)
}

/// Signs a package's statement: the armored signature text (`FILE.rpyx.sig`).
pub fn sign(key: &PrivateKey, statement: &Statement) -> Result<String> {
    let sig = key.sign(NAMESPACE, HashAlg::Sha512, &statement.bytes()).map_err(|e| SignError::Crypto(e.to_string()))?;
    sig.to_pem(LineEnding::LF).map_err(|e| SignError::Crypto(e.to_string()))
}

/// A signature that verified: which key made it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub key: PublicKey,
    pub key_id: String,
}

/// Checks an armored signature against a package's statement. With
/// `expected`, the signature must also be that key's; without, the key the
/// signature carries is returned for the caller to judge (a valid signature
/// by an unknown key proves the bytes, not the publisher).
pub fn verify(signature: &str, statement: &Statement, expected: Option<&PublicKey>) -> Result<Verified> {
    if signature.len() as u64 > MAX_FILE_BYTES {
        return Err(SignError::TooLarge("the signature".to_owned()));
    }
    let sig = SshSig::from_pem(signature.trim()).map_err(|e| SignError::BadSignature(e.to_string()))?;
    if sig.namespace() != NAMESPACE {
        return Err(SignError::WrongNamespace(sig.namespace().to_owned()));
    }
    let key = PublicKey::from(sig.public_key().clone());
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(SignError::NotEd25519(key.algorithm().to_string()));
    }
    if let Some(expected) = expected
        && expected.key_data() != key.key_data()
    {
        return Err(SignError::OtherKey { signed_by: key_id(&key), expected: key_id(expected) });
    }
    key.verify(NAMESPACE, &statement.bytes(), &sig).map_err(|_| SignError::Mismatch)?;
    Ok(Verified { key_id: key_id(&key), key })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> Statement {
        Statement { name: "wall-tools".into(), version: "1.2.0".into(), sha256: "ab".repeat(32) }
    }

    #[test]
    fn a_signature_holds_for_its_package_only() {
        let key = generate("ann@studio").unwrap();
        let sig = sign(&key, &statement()).unwrap();
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----"));
        let ok = verify(&sig, &statement(), Some(key.public_key())).unwrap();
        assert_eq!(ok.key_id, key_id(key.public_key()));
        assert!(ok.key_id.starts_with("SHA256:"));
        for other in [
            Statement { version: "1.2.1".into(), ..statement() },
            Statement { name: "wall-tool".into(), ..statement() },
            Statement { sha256: "cd".repeat(32), ..statement() },
        ] {
            assert!(matches!(verify(&sig, &other, None), Err(SignError::Mismatch)), "{other:?}");
        }
        let stranger = generate("eve").unwrap();
        assert!(matches!(verify(&sig, &statement(), Some(stranger.public_key())), Err(SignError::OtherKey { .. })));
    }

    #[test]
    fn a_registration_proof_binds_the_key_and_the_account() {
        let (ann, eve) = (generate("ann").unwrap(), generate("eve").unwrap());
        let proof = sign_registration(&ann, "Ann").unwrap();
        assert!(verify_registration(&proof, "ann", ann.public_key()).is_ok());
        // Replayed for another account, or for another key: refused.
        assert!(matches!(verify_registration(&proof, "eve", ann.public_key()), Err(SignError::Mismatch)));
        assert!(matches!(verify_registration(&proof, "ann", eve.public_key()), Err(SignError::OtherKey { .. })));
        // A package signature is not a registration.
        let package_sig = sign(&ann, &statement()).unwrap();
        assert!(matches!(
            verify_registration(&package_sig, "ann", ann.public_key()),
            Err(SignError::WrongNamespace(_))
        ));
    }

    #[test]
    fn another_namespace_is_not_a_package_signature() {
        let key = generate("ann").unwrap();
        let git = key.sign("git", HashAlg::Sha512, &statement().bytes()).unwrap().to_pem(LineEnding::LF).unwrap();
        assert!(matches!(verify(&git, &statement(), None), Err(SignError::WrongNamespace(ns)) if ns == "git"));
        assert!(matches!(
            verify("-----BEGIN SSH SIGNATURE-----\nAAAA\n", &statement(), None),
            Err(SignError::BadSignature(_))
        ));
        assert!(matches!(verify(&"x".repeat(20_000), &statement(), None), Err(SignError::TooLarge(_))));
    }

    #[test]
    fn keys_round_trip_with_and_without_a_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let key = generate("ann").unwrap();
        for passphrase in [None, Some("correct horse")] {
            let path = dir.path().join(format!("key-{}", passphrase.is_some()));
            std::fs::write(&path, private_key_text(&key, passphrase).unwrap()).unwrap();
            assert_eq!(is_encrypted(&path).unwrap(), passphrase.is_some());
            let read = read_private_key(&path, passphrase).unwrap();
            assert_eq!(read.public_key().key_data(), key.public_key().key_data());
            if passphrase.is_some() {
                assert!(matches!(read_private_key(&path, None), Err(SignError::PassphraseNeeded)));
                assert!(matches!(read_private_key(&path, Some("wrong")), Err(SignError::WrongPassphrase)));
            }
        }
        let public = key.public_key().to_openssh().unwrap();
        assert_eq!(key_id(&parse_public_key(&public).unwrap()), key_id(key.public_key()));
        assert!(matches!(parse_public_key("ssh-rsa AAAA"), Err(SignError::BadKey(_))));
    }
}
