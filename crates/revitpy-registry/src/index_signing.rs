//! The registry's signed index (see `revitpy_sign::index`): its key, its
//! chain of roots, and the index document clients verify what they sync
//! against.
//!
//! The key is a file (`INDEX_KEY_PATH`, default `DATA_DIR/index-signing-key`,
//! created owner-only on first start); every replica is given the same file.
//! The roots live in the database, so replicas and backups share the chain.
//! The index document is computed from the store's change feed and kept in
//! memory: one digest per package, grouped in bins; a change re-hashes its
//! bin. It is re-signed when the serial moves or half its lifetime is gone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use revitpy_sign::PrivateKey;
use revitpy_sign::index::{
    BINS, Envelope, Hash, IndexMeta, Root, bin_digest, bin_of, entry_digest, index_digest, seal, unix_now,
};
use revitpy_store::{Store, StoreError, StoreResult};

use crate::views;

/// Packages per store read while building or catching up.
const PAGE: usize = 2_000;
const BATCH: usize = 500;
/// Rounds of "read the changes, fetch those packages" before giving up on a
/// registry that never stops changing long enough to be signed.
const MAX_ROUNDS: usize = 50;

/// Writes `bytes` to `path` readable by its owner alone, synced, in one
/// rename: tempfile creates its files owner-only (0600 on Unix), so a key
/// is never readable by others, not even for a moment. With `replace`
/// false an existing file is kept and `Ok(false)` returned (another process
/// wrote it first).
pub fn write_owner_only(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<bool> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
        return Ok(true);
    }
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

/// Reads the index key at `path`, creating it when `create` and it does not exist.
pub fn load_key(path: &Path, create: bool) -> anyhow::Result<PrivateKey> {
    if !path.exists() && create {
        let key = revitpy_sign::generate("revitpy-registry index")?;
        let text = revitpy_sign::private_key_text(&key, None)?;
        // Never replaces a key another process wrote meanwhile.
        if write_owner_only(path, text.as_bytes(), false)? {
            tracing::info!(path = %path.display(), key = %revitpy_sign::key_id(key.public_key()), "created the index signing key");
        }
    }
    revitpy_sign::read_private_key(path, None).with_context(|| format!("the index signing key at {}", path.display()))
}

/// `PATH` + `suffix`, whatever extension PATH has.
fn beside(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// The chain of roots in the store, verified from version 1.
pub async fn read_roots(store: &dyn Store) -> anyhow::Result<(Vec<Envelope>, Option<Root>)> {
    let texts = store.index_roots().await?;
    let mut envelopes = Vec::with_capacity(texts.len());
    for t in &texts {
        envelopes.push(revitpy_sign::index::parse_envelope(t.as_bytes()).context("a stored index root")?);
    }
    let Some(first) = envelopes.first() else { return Ok((envelopes, None)) };
    let root = Root::open_self_signed(first).context("the stored index root version 1")?;
    if root.version != 1 {
        bail!("the stored index roots start at version {}, not 1", root.version);
    }
    let newest = root.follow(&envelopes[1..]).context("the stored chain of index roots")?;
    Ok((envelopes, Some(newest)))
}

/// The registry's index signer, shared by every request.
pub struct IndexSigning {
    key: PrivateKey,
    root: Root,
    roots_json: String,
    expiry: Duration,
    state: tokio::sync::Mutex<Digests>,
}

struct Digests {
    /// The serial the digests are exact at; `None` before the first build.
    serial: Option<i64>,
    bins: Vec<BTreeMap<String, Hash>>,
    bin_digests: Vec<Hash>,
    signed: Option<Signed>,
}

struct Signed {
    serial: i64,
    issued: i64,
    expires: i64,
    json: Arc<String>,
}

impl IndexSigning {
    /// Checks the key against the newest root, creating root version 1 for
    /// a registry that has none.
    pub async fn start(store: &dyn Store, key: PrivateKey, expiry: Duration) -> anyhow::Result<IndexSigning> {
        let (mut envelopes, mut newest) = read_roots(store).await?;
        if newest.is_none() {
            let root = Root::new(1, key.public_key(), unix_now());
            let env = seal(&root, &[&key])?;
            let text = serde_json::to_string(&env).expect("envelopes serialize");
            // Another replica may have created version 1 first: theirs stands.
            store.add_index_root(1, &text).await?;
            (envelopes, newest) = read_roots(store).await?;
        }
        let root = newest.expect("a root exists now");
        let id = revitpy_sign::key_id(key.public_key());
        if root.key_id != id {
            bail!(
                "the index signing key ({id}) is not the key of the registry's newest index root (version {}, {}); \
                 give this server the key of that root (INDEX_KEY_PATH), or rotate with `revitpy-registry index-key rotate` \
                 holding the current key",
                root.version,
                root.key_id
            );
        }
        let roots_json = serde_json::json!({ "roots": envelopes }).to_string();
        Ok(IndexSigning {
            key,
            root,
            roots_json,
            expiry,
            state: tokio::sync::Mutex::new(Digests {
                serial: None,
                bins: vec![BTreeMap::new(); BINS],
                bin_digests: vec![bin_digest([]); BINS],
                signed: None,
            }),
        })
    }

    pub fn key_id(&self) -> &str {
        &self.root.key_id
    }

    /// `{"roots": [envelope, ...]}`, oldest first.
    pub fn roots_json(&self) -> &str {
        &self.roots_json
    }

    /// The signed index document at the registry's current serial.
    pub async fn current(&self, store: &dyn Store) -> StoreResult<Arc<String>> {
        let mut state = self.state.lock().await;
        state.catch_up(store).await?;
        let serial = state.serial.expect("caught up");
        let now = unix_now();
        let fresh = state
            .signed
            .as_ref()
            .filter(|s| s.serial == serial && now < s.expires && (now - s.issued) < self.expiry.as_secs() as i64 / 2);
        if let Some(s) = fresh {
            return Ok(s.json.clone());
        }
        let packages = state.bins.iter().map(|b| b.len() as u64).sum();
        let meta = IndexMeta {
            kind: "index".to_owned(),
            root_version: self.root.version,
            serial,
            packages,
            digest: hex::encode(index_digest(&state.bin_digests)),
            issued: now,
            expires: now + self.expiry.as_secs() as i64,
        };
        let env = seal(&meta, &[&self.key]).map_err(|e| StoreError::Database(format!("signing the index: {e}")))?;
        let json = Arc::new(serde_json::to_string(&env).expect("envelopes serialize"));
        state.signed = Some(Signed { serial, issued: meta.issued, expires: meta.expires, json: json.clone() });
        Ok(json)
    }

    /// Builds the digests ahead of the first request (at start).
    pub async fn warm(&self, store: &dyn Store) -> StoreResult<()> {
        self.state.lock().await.catch_up(store).await
    }
}

impl Digests {
    fn set(&mut self, record: revitpy_store::PackageDetailRecord, dirty: &mut BTreeSet<usize>) {
        let entry = views::index_package(record);
        let bin = bin_of(&entry.normalized_name);
        self.bins[bin].insert(entry.normalized_name.clone(), entry_digest(&entry));
        dirty.insert(bin);
    }

    /// Brings the digests to the store's serial. Packages fetched after a
    /// change was read may be newer than the serial recorded; the loop ends
    /// only when no change follows the recorded serial, and then every
    /// package read is exactly as it was at that serial.
    async fn catch_up(&mut self, store: &dyn Store) -> StoreResult<()> {
        let mut dirty = BTreeSet::new();
        if self.serial.is_none() {
            let serial = store.serial().await?;
            let mut after = 0;
            loop {
                let page = store.index_page(after, PAGE).await?;
                let Some(last) = page.last() else { break };
                after = last.package.id;
                for record in page {
                    self.set(record, &mut dirty);
                }
            }
            self.serial = Some(serial);
        }
        for _ in 0..MAX_ROUNDS {
            let since = self.serial.expect("built");
            let mut names = BTreeSet::new();
            let mut until = since;
            loop {
                let changes = store.changes_since(until, 10_000).await?;
                let full = changes.len() == 10_000;
                for c in changes {
                    until = until.max(c.serial);
                    names.insert(c.name);
                }
                if !full {
                    break;
                }
            }
            if names.is_empty() {
                for bin in dirty {
                    self.bin_digests[bin] = bin_digest(self.bins[bin].iter().map(|(n, d)| (n.as_str(), d)));
                }
                return Ok(());
            }
            let names: Vec<String> = names.into_iter().collect();
            for chunk in names.chunks(BATCH) {
                let records = store.index_packages(chunk).await?;
                for name in chunk {
                    if !records.iter().any(|r| &r.package.normalized_name == name) {
                        let bin = bin_of(name);
                        self.bins[bin].remove(name);
                        dirty.insert(bin);
                    }
                }
                for record in records {
                    self.set(record, &mut dirty);
                }
            }
            self.serial = Some(until);
        }
        // Recompute what was read so far; the next request tries again.
        for bin in dirty {
            self.bin_digests[bin] = bin_digest(self.bins[bin].iter().map(|(n, d)| (n.as_str(), d)));
        }
        Err(StoreError::Unavailable(format!(
            "the registry changed on each of {MAX_ROUNDS} attempts to sign its index; try again in a moment"
        )))
    }
}

/// `revitpy-registry index-key rotate`: a new key, root version N+1 signed
/// by the current key and the new one. The old key file is kept beside the
/// new as `PATH.retired-N` (move it offline); servers restarted with the new
/// key sign with it, and clients follow the chain.
pub async fn rotate(store: &dyn Store, path: &Path) -> anyhow::Result<(Root, Root)> {
    let old_key = load_key(path, false)?;
    let (_, newest) = read_roots(store).await?;
    let Some(old_root) = newest else {
        bail!("the registry has no index root yet; start it once (`serve`) before rotating its key");
    };
    if old_root.key_id != revitpy_sign::key_id(old_key.public_key()) {
        bail!(
            "the key at {} ({}) is not the newest root's key (version {}, {}); rotation needs the current key",
            path.display(),
            revitpy_sign::key_id(old_key.public_key()),
            old_root.version,
            old_root.key_id
        );
    }
    let new_key = revitpy_sign::generate("revitpy-registry index")?;
    let new_root = Root::new(old_root.version + 1, new_key.public_key(), unix_now());
    let env = seal(&new_root, &[&old_key, &new_key])?;
    let retired = beside(path, &format!(".retired-{}", old_root.version));
    let staged = beside(path, ".new");
    let text = revitpy_sign::private_key_text(&new_key, None)?;
    write_owner_only(&staged, text.as_bytes(), true)?;
    // The root is recorded before the key moves: if this stops half way,
    // the new key waits at PATH.new and the old key still opens the chain
    // up to the root before; running again refuses (the roots moved on),
    // and the operator puts PATH.new in place.
    if !store.add_index_root(new_root.version as i64, &serde_json::to_string(&env).expect("serializes")).await? {
        let _ = std::fs::remove_file(&staged);
        bail!("another process rotated the index key at the same time (root version {} exists)", new_root.version);
    }
    std::fs::rename(path, &retired)?;
    std::fs::rename(&staged, path)?;
    Ok((old_root, new_root))
}
