//! Trusted index metadata, after The Update Framework's ideas.
//!
//! The registry signs what clients sync with its own Ed25519 key, in two
//! roles:
//! - **root**: the registry's index key, numbered from 1. Version 1 signs
//!   itself (a client trusts it on first use, or by a configured key id);
//!   every later version is signed by the key before it *and* its own, so a
//!   client follows a key rotation without being reinstalled, and a key
//!   nobody held before cannot take over.
//! - **index**: the registry serial, when the document was issued and when
//!   it expires, and one digest over every package's security facts (name,
//!   whether signatures are required, and each version's number, sha256,
//!   size, yanked flag and signing key). A client refuses a document that is
//!   not signed by its pinned key, older than one it has seen (rollback), or
//!   expired.
//!
//! The digest is a two-level tree so that both a full snapshot and one
//! changed package are cheap to check: each package has a digest, packages
//! fall into [`BINS`] bins by the hash of their name, a bin's digest covers
//! its packages in name order, and the index digest covers the bins. One
//! change costs re-hashing one bin (a few hundred packages at 100,000), not
//! the registry. Everything is length-prefixed, so no two different inputs
//! hash the same bytes however names are spelled.
//!
//! Signed documents travel as an [`Envelope`]: the payload is the exact JSON
//! text that was signed, carried as a string, so no canonical JSON is needed
//! on either side.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use crate::{SignError, key_id, parse_public_key};

/// The SSHSIG namespace of index metadata: a package signature or any other
/// SSH signature is never index metadata.
pub const INDEX_NAMESPACE: &str = "revitpy-index";

/// How many bins packages are spread over (by the first byte of the sha256
/// of their normalized name).
pub const BINS: usize = 256;

/// Unix seconds now: what `issued`, `expires` and `created` are counted in
/// (0 on a clock before 1970).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A signed document is a few kilobytes; a root chain holds at most this many.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024;
pub const MAX_ROOTS: usize = 1_000;

pub type Hash = [u8; 32];

/// What the signed index covers of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFacts<'a> {
    pub version: &'a str,
    pub sha256: &'a str,
    pub size: u64,
    pub yanked: bool,
    pub signature_key_id: Option<&'a str>,
}

fn put(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// One package's digest over its security facts. Versions are hashed in
/// byte order of their text, whatever order they were listed in.
pub fn package_digest(normalized_name: &str, require_signature: bool, versions: &[VersionFacts<'_>]) -> Hash {
    let mut sorted: Vec<&VersionFacts<'_>> = versions.iter().collect();
    sorted.sort_by(|a, b| a.version.cmp(b.version));
    let mut h = Sha256::new();
    put(&mut h, b"revitpy-index-package v1");
    put(&mut h, normalized_name.as_bytes());
    h.update([u8::from(require_signature)]);
    h.update((sorted.len() as u64).to_le_bytes());
    for v in sorted {
        put(&mut h, v.version.as_bytes());
        put(&mut h, v.sha256.as_bytes());
        h.update(v.size.to_le_bytes());
        h.update([u8::from(v.yanked)]);
        put(&mut h, v.signature_key_id.unwrap_or("").as_bytes());
    }
    h.finalize().into()
}

/// The digest of an index entry as the registry sends it: what the server
/// signs and what a client checks, from the same wire type on both sides.
pub fn entry_digest(p: &revitpy_api::IndexPackage) -> Hash {
    let facts: Vec<VersionFacts<'_>> = p
        .versions
        .iter()
        .map(|v| VersionFacts {
            version: &v.version,
            sha256: &v.file_hash_sha256,
            size: v.file_size,
            yanked: v.yanked,
            signature_key_id: v.signature_key_id.as_deref(),
        })
        .collect();
    package_digest(&p.normalized_name, p.require_signature, &facts)
}

/// The bin a package falls in.
pub fn bin_of(normalized_name: &str) -> usize {
    Sha256::digest(normalized_name.as_bytes())[0] as usize
}

/// A bin's digest over `(name, package digest)` pairs; the caller passes
/// them in byte order of the name (SQLite's and `BTreeMap`'s order).
pub fn bin_digest<'a>(packages: impl IntoIterator<Item = (&'a str, &'a Hash)>) -> Hash {
    let mut h = Sha256::new();
    put(&mut h, b"revitpy-index-bin v1");
    for (name, digest) in packages {
        put(&mut h, name.as_bytes());
        h.update(digest);
    }
    h.finalize().into()
}

/// The index digest over all bins' digests, in bin order.
pub fn index_digest(bins: &[Hash]) -> Hash {
    let mut h = Sha256::new();
    put(&mut h, b"revitpy-index v1");
    h.update((bins.len() as u64).to_le_bytes());
    for b in bins {
        h.update(b);
    }
    h.finalize().into()
}

/// A signed document: `signed` is the JSON text the signatures cover (the
/// wire type, shared with the API's description).
pub use revitpy_api::{EnvelopeSignature, SignedEnvelope as Envelope};

/// A root document: which key signs the registry's index from this version on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Root {
    #[serde(rename = "type")]
    pub kind: String,
    pub version: u64,
    /// The public key, one OpenSSH line.
    pub key: String,
    pub key_id: String,
    /// Unix seconds.
    pub created: i64,
}

/// An index document: the registry's state at `serial`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexMeta {
    #[serde(rename = "type")]
    pub kind: String,
    /// The root version whose key signs this document.
    pub root_version: u64,
    pub serial: i64,
    pub packages: u64,
    /// Lowercase hex of [`index_digest`].
    pub digest: String,
    /// Unix seconds.
    pub issued: i64,
    /// Unix seconds; past this the document is stale.
    pub expires: i64,
}

/// Why signed metadata was refused.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("the signed document is larger than {MAX_ENVELOPE_BYTES} bytes")]
    TooLarge,
    #[error("the signed document cannot be read: {0}")]
    Malformed(String),
    #[error("it is a `{found}` document where a `{expected}` document belongs")]
    WrongType { expected: &'static str, found: String },
    #[error("it is not signed by {expected} (the key it must be signed by)")]
    NotSigned { expected: String },
    #[error("its signature by {key_id} does not verify: {problem}")]
    BadSignature { key_id: String, problem: String },
    #[error("root version {found} follows root version {previous}; the next one must be {}", previous + 1)]
    RootGap { previous: u64, found: u64 },
    #[error("the root chain is longer than {MAX_ROOTS} versions")]
    TooManyRoots,
    #[error(transparent)]
    Key(#[from] SignError),
}

fn sign_bytes(key: &PrivateKey, payload: &[u8]) -> Result<EnvelopeSignature, SignError> {
    let sig = key.sign(INDEX_NAMESPACE, HashAlg::Sha512, payload).map_err(|e| SignError::Crypto(e.to_string()))?;
    Ok(EnvelopeSignature {
        key_id: key_id(key.public_key()),
        sig: sig.to_pem(LineEnding::LF).map_err(|e| SignError::Crypto(e.to_string()))?,
    })
}

/// Signs `doc` with every key in `keys` (a rotated root: the old key and the new).
pub fn seal<T: Serialize>(doc: &T, keys: &[&PrivateKey]) -> Result<Envelope, SignError> {
    let signed = serde_json::to_string(doc).expect("documents serialize");
    let signatures = keys.iter().map(|k| sign_bytes(k, signed.as_bytes())).collect::<Result<_, _>>()?;
    Ok(Envelope { signed, signatures })
}

/// Parses an envelope from bytes, bounded.
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope, TrustError> {
    if bytes.len() > MAX_ENVELOPE_BYTES {
        return Err(TrustError::TooLarge);
    }
    serde_json::from_slice(bytes).map_err(|e| TrustError::Malformed(e.to_string()))
}

/// Checks that `key` signed `env`.
pub fn check_signed_by(env: &Envelope, key: &PublicKey) -> Result<(), TrustError> {
    if env.signed.len() > MAX_ENVELOPE_BYTES {
        return Err(TrustError::TooLarge);
    }
    let id = key_id(key);
    // Several entries may name the key (a hostile sender may add others);
    // one that verifies is enough, and at most a few are tried.
    let mut problem = None;
    for s in env.signatures.iter().filter(|s| s.key_id == id).take(4) {
        match check_one(&s.sig, key, env.signed.as_bytes()) {
            Ok(()) => return Ok(()),
            Err(e) => problem = Some(e),
        }
    }
    match problem {
        Some(problem) => Err(TrustError::BadSignature { key_id: id, problem }),
        None => Err(TrustError::NotSigned { expected: id }),
    }
}

fn payload<'a, T: Deserialize<'a>>(env: &'a Envelope) -> Result<T, TrustError> {
    serde_json::from_str(&env.signed).map_err(|e| TrustError::Malformed(e.to_string()))
}

fn check_one(armored: &str, key: &PublicKey, payload: &[u8]) -> Result<(), String> {
    if armored.len() as u64 > crate::MAX_FILE_BYTES {
        return Err("the signature is too large".to_owned());
    }
    let sig = SshSig::from_pem(armored.trim()).map_err(|e| e.to_string())?;
    if sig.namespace() != INDEX_NAMESPACE {
        return Err(format!("it is a `{}` signature, not index metadata", sig.namespace()));
    }
    if sig.public_key() != key.key_data() {
        return Err("it carries another key".to_owned());
    }
    key.verify(INDEX_NAMESPACE, payload, &sig).map_err(|_| "the signed bytes were changed".to_owned())
}

impl Root {
    pub fn new(version: u64, key: &PublicKey, created: i64) -> Root {
        Root {
            kind: "root".to_owned(),
            version,
            key: key.to_openssh().expect("an Ed25519 key encodes"),
            key_id: key_id(key),
            created,
        }
    }

    pub fn public_key(&self) -> Result<PublicKey, TrustError> {
        let key = parse_public_key(&self.key)?;
        if key_id(&key) != self.key_id {
            return Err(TrustError::Malformed(format!(
                "the root names key {} but holds {}",
                self.key_id,
                key_id(&key)
            )));
        }
        Ok(key)
    }

    /// Reads a root and checks it signs itself (any root must; version 1
    /// is trusted on first use on that strength alone, or by a key id the
    /// user configured).
    pub fn open_self_signed(env: &Envelope) -> Result<Root, TrustError> {
        let root: Root = payload(env)?;
        if root.kind != "root" {
            return Err(TrustError::WrongType { expected: "root", found: root.kind });
        }
        check_signed_by(env, &root.public_key()?)?;
        Ok(root)
    }

    /// The next root in a chain: version + 1, signed by this root's key and
    /// by its own.
    pub fn open_next(&self, env: &Envelope) -> Result<Root, TrustError> {
        let next = Root::open_self_signed(env)?;
        if next.version != self.version + 1 {
            return Err(TrustError::RootGap { previous: self.version, found: next.version });
        }
        check_signed_by(env, &self.public_key()?)?;
        Ok(next)
    }

    /// Follows `chain` (roots in version order, any that are not newer than
    /// this one are skipped) to the newest root it validly leads to.
    pub fn follow(&self, chain: &[Envelope]) -> Result<Root, TrustError> {
        if chain.len() > MAX_ROOTS {
            return Err(TrustError::TooManyRoots);
        }
        let mut current = self.clone();
        for env in chain {
            let version = payload::<Root>(env).map(|r| r.version).unwrap_or(u64::MAX);
            if version <= current.version {
                continue;
            }
            current = current.open_next(env)?;
        }
        Ok(current)
    }

    /// Opens an index document signed by this root's key.
    pub fn open_index(&self, env: &Envelope) -> Result<IndexMeta, TrustError> {
        check_signed_by(env, &self.public_key()?)?;
        let meta: IndexMeta = payload(env)?;
        if meta.kind != "index" {
            return Err(TrustError::WrongType { expected: "index", found: meta.kind });
        }
        Ok(meta)
    }
}

/// The root version an index envelope says it is signed under, read
/// without trusting it (to know whether the client must follow a rotation).
pub fn claimed_root_version(env: &Envelope) -> Option<u64> {
    payload::<IndexMeta>(env).ok().map(|m| m.root_version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;

    fn facts(version: &str, yanked: bool) -> VersionFacts<'_> {
        VersionFacts { version, sha256: "ab", size: 10, yanked, signature_key_id: None }
    }

    #[test]
    fn package_digests_cover_every_fact_and_not_the_order() {
        let base = package_digest("wall-tools", false, &[facts("1.0.0", false), facts("1.1.0", false)]);
        assert_eq!(base, package_digest("wall-tools", false, &[facts("1.1.0", false), facts("1.0.0", false)]));
        let changed = [
            package_digest("wall-tool", false, &[facts("1.0.0", false), facts("1.1.0", false)]),
            package_digest("wall-tools", true, &[facts("1.0.0", false), facts("1.1.0", false)]),
            package_digest("wall-tools", false, &[facts("1.0.0", false), facts("1.1.0", true)]),
            package_digest("wall-tools", false, &[facts("1.0.0", false)]),
            package_digest(
                "wall-tools",
                false,
                &[facts("1.0.0", false), VersionFacts { size: 11, ..facts("1.1.0", false) }],
            ),
            package_digest(
                "wall-tools",
                false,
                &[facts("1.0.0", false), VersionFacts { signature_key_id: Some("SHA256:x"), ..facts("1.1.0", false) }],
            ),
        ];
        for (i, c) in changed.iter().enumerate() {
            assert_ne!(&base, c, "change {i} went unnoticed");
        }
        // Length prefixes: moving bytes between fields changes the digest.
        let a = bin_digest([("ab", &[0u8; 32])]);
        let b = bin_digest([("a", &[0u8; 32])]);
        assert_ne!(a, b);
    }

    #[test]
    fn a_rotated_root_needs_both_keys_and_no_gap() {
        let (k1, k2, k3, eve) =
            (generate("1").unwrap(), generate("2").unwrap(), generate("3").unwrap(), generate("eve").unwrap());
        let r1 = Root::new(1, k1.public_key(), 0);
        let e1 = seal(&r1, &[&k1]).unwrap();
        assert_eq!(Root::open_self_signed(&e1).unwrap(), r1);
        let r2 = Root::new(2, k2.public_key(), 0);
        let e2 = seal(&r2, &[&k1, &k2]).unwrap();
        let r3 = Root::new(3, k3.public_key(), 0);
        let e3 = seal(&r3, &[&k2, &k3]).unwrap();
        assert_eq!(r1.follow(&[e1.clone(), e2.clone(), e3.clone()]).unwrap(), r3);
        // A key the chain did not hand over to cannot take over.
        let forged = seal(&Root::new(2, eve.public_key(), 0), &[&eve]).unwrap();
        assert!(matches!(r1.follow(&[forged]), Err(TrustError::NotSigned { .. })));
        // Skipping a version is refused.
        assert!(matches!(r1.follow(std::slice::from_ref(&e3)), Err(TrustError::RootGap { previous: 1, found: 3 })));
        // Signed by the old key only: the new key never agreed.
        let half = seal(&r2, &[&k1]).unwrap();
        assert!(matches!(r1.follow(&[half]), Err(TrustError::NotSigned { .. })));
    }

    #[test]
    fn index_documents_are_checked_against_the_root_key() {
        let (k1, eve) = (generate("1").unwrap(), generate("eve").unwrap());
        let root = Root::new(1, k1.public_key(), 0);
        let meta = IndexMeta {
            kind: "index".into(),
            root_version: 1,
            serial: 7,
            packages: 2,
            digest: "00".repeat(32),
            issued: 1,
            expires: 2,
        };
        let env = seal(&meta, &[&k1]).unwrap();
        assert_eq!(root.open_index(&env).unwrap(), meta);
        let mut tampered = env.clone();
        tampered.signed = tampered.signed.replace("\"serial\":7", "\"serial\":8");
        assert!(matches!(root.open_index(&tampered), Err(TrustError::BadSignature { .. })));
        assert!(matches!(root.open_index(&seal(&meta, &[&eve]).unwrap()), Err(TrustError::NotSigned { .. })));
        // A root document signed by the right key is still not an index.
        let as_root = seal(&root, &[&k1]).unwrap();
        assert!(matches!(root.open_index(&as_root), Err(TrustError::WrongType { .. }) | Err(TrustError::Malformed(_))));
        // A package signature's namespace is not index metadata.
        let pkg =
            crate::sign(&k1, &crate::Statement { name: "a".into(), version: "1".into(), sha256: "x".into() }).unwrap();
        let mut other = env.clone();
        other.signatures[0].sig = pkg;
        assert!(matches!(root.open_index(&other), Err(TrustError::BadSignature { .. })));
        assert!(matches!(parse_envelope(&vec![b' '; MAX_ENVELOPE_BYTES + 1]), Err(TrustError::TooLarge)));
    }
}
