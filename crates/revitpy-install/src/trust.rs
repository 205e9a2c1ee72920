//! What this client trusts of a registry: the key its index is signed with
//! (configured, or pinned the first time the registry is used), followed
//! through key rotations, and the newest signed index seen, so that an older
//! one is refused (rollback). One small file per registry in
//! `<cache>/trust/`, outside the index folder: `sync --rebuild-index`
//! forgets neither.

use std::path::PathBuf;

use revitpy_client::RegistryClient;
use revitpy_sign::index::{Envelope, IndexMeta, Root, TrustError, claimed_root_version, unix_now};
use serde::{Deserialize, Serialize};

use crate::settings::Settings;

/// The file's contents.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TrustFile {
    registry_url: String,
    /// The newest root followed to, as the registry sent it.
    root: Envelope,
    /// The highest serial of a signed index this client accepted.
    highest_serial: i64,
}

pub struct Trust {
    path: PathBuf,
    registry_url: String,
    configured: Option<String>,
    root: Option<(Root, Envelope)>,
    highest_serial: i64,
    /// The key was pinned by this run (first use): said once, by the caller.
    pub first_use: bool,
}

/// "2026-12-04 21:07 UTC" for messages.
pub fn when(unix: i64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64))
}

impl Trust {
    /// Reads what this client trusts of the registry in use. A file that
    /// cannot be read is an error, never a reason to trust a new key.
    pub fn load(settings: &Settings) -> Result<Trust, String> {
        let path = settings.trust_path();
        let damaged = |why: String| {
            format!(
                "{} (what this client trusts of {}) cannot be read: {why}; if you know the registry's index key, \
                 delete the file and set REVITPY_REGISTRY_KEY to it",
                path.display(),
                settings.registry_url
            )
        };
        let mut trust = Trust {
            path: path.clone(),
            registry_url: settings.registry_url.clone(),
            configured: settings.index_key.clone(),
            root: None,
            highest_serial: 0,
            first_use: false,
        };
        let text = match fs_err::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(trust),
            Err(e) => return Err(damaged(e.to_string())),
        };
        if text.len() > revitpy_sign::index::MAX_ENVELOPE_BYTES {
            return Err(damaged("it is too large".to_owned()));
        }
        let file: TrustFile = serde_json::from_slice(&text).map_err(|e| damaged(e.to_string()))?;
        let root = Root::open_self_signed(&file.root).map_err(|e| damaged(e.to_string()))?;
        if let Some(k) = &trust.configured
            && !configured_matches(k, &root)
        {
            return Err(format!(
                "the registry's index key this client follows is {} (root version {}), not {k} as configured \
                 (REVITPY_REGISTRY_KEY or index_key); if the configured key is right, delete {} to start again from it",
                root.key_id,
                root.version,
                path.display()
            ));
        }
        trust.root = Some((root, file.root));
        trust.highest_serial = file.highest_serial;
        Ok(trust)
    }

    /// The pinned root, if any, without asking the registry.
    pub fn pinned(&self) -> Option<&Root> {
        self.root.as_ref().map(|(r, _)| r)
    }

    /// The trusted root, pinning one on first use: the configured key's
    /// root, else version 1 followed to the newest.
    pub async fn root(&mut self, client: &RegistryClient) -> Result<Root, String> {
        if let Some((r, _)) = &self.root {
            return Ok(r.clone());
        }
        let chain = client.index_roots().await.map_err(|e| match e.status() {
            Some(404) => format!(
                "the registry at {} does not sign its index (it has no /api/index/roots); \
                 this client installs only what a registry signs",
                self.registry_url
            ),
            _ => e.to_string(),
        })?;
        let chain = chain.value.roots;
        let refuse = |e: TrustError| format!("the registry's chain of index keys (/api/index/roots) is refused: {e}");
        let (start, rest) = match &self.configured {
            Some(k) => {
                let at = chain
                    .iter()
                    .position(|env| Root::open_self_signed(env).is_ok_and(|r| configured_matches(k, &r)))
                    .ok_or_else(|| {
                        format!(
                            "the registry at {} does not sign its index with the configured key {k} \
                             (REVITPY_REGISTRY_KEY or index_key), nor did it ever; nothing was trusted",
                            self.registry_url
                        )
                    })?;
                (Root::open_self_signed(&chain[at]).map_err(refuse)?, &chain[at + 1..])
            }
            None => {
                let first = chain.first().ok_or_else(|| {
                    format!("the registry at {} has no index key (its /api/index/roots is empty)", self.registry_url)
                })?;
                let root = Root::open_self_signed(first).map_err(refuse)?;
                if root.version != 1 {
                    return Err(refuse(TrustError::RootGap { previous: 0, found: root.version }));
                }
                self.first_use = true;
                (root, &chain[1..])
            }
        };
        let newest = start.follow(rest).map_err(refuse)?;
        let env = envelope_of(&chain, &newest)
            .ok_or_else(|| refuse(TrustError::Malformed("the newest root went missing".to_owned())))?;
        self.root = Some((newest.clone(), env));
        Ok(newest)
    }

    /// Opens a signed index the registry sent: signed by the trusted key
    /// (following a rotation the registry announces), not older than one
    /// already accepted, and, `online`, not expired.
    pub async fn open_index(&mut self, client: &RegistryClient, env: &Envelope) -> Result<IndexMeta, String> {
        let mut root = self.root(client).await?;
        if claimed_root_version(env).is_some_and(|v| v > root.version) {
            let chain = client.index_roots().await.map_err(|e| e.to_string())?.value.roots;
            let newest = root.follow(&chain).map_err(|e| format!("the registry's new index key is refused: {e}"))?;
            if newest.version > root.version {
                if let Some(found) = envelope_of(&chain, &newest) {
                    self.root = Some((newest.clone(), found));
                }
                root = newest;
            }
        }
        let meta = root.open_index(env).map_err(|e| {
            format!("the registry's signed index is refused: {e} (the index key this client trusts is {})", root.key_id)
        })?;
        if meta.root_version != root.version {
            return Err(format!(
                "the registry's signed index names root version {}, but its key is that of version {}",
                meta.root_version, root.version
            ));
        }
        if meta.serial < self.highest_serial {
            return Err(format!(
                "the registry's signed index is at serial {}, older than serial {} this client has already seen: \
                 an old index replayed (by a mirror, a proxy or a cache) or a registry rolled back",
                meta.serial, self.highest_serial
            ));
        }
        if meta.expires <= unix_now() {
            return Err(format!(
                "the registry's signed index expired on {} (issued {}): a frozen copy, served by a mirror or a cache, \
                 or a registry that stopped signing",
                when(meta.expires),
                when(meta.issued)
            ));
        }
        Ok(meta)
    }

    /// Checks an index document kept in the local index, with no network:
    /// signed by the pinned key. Expiry is the caller's to judge (offline,
    /// a warning).
    pub fn open_stored(&self, env: &Envelope) -> Result<IndexMeta, String> {
        let Some((root, _)) = &self.root else {
            return Err(format!(
                "this client has no index key pinned for {}; run `revitpy-install registry sync` while connected",
                self.registry_url
            ));
        };
        root.open_index(env).map_err(|e| {
            format!(
                "the local index's signed metadata is refused: {e}; `revitpy-install registry sync --rebuild-index` rebuilds it"
            )
        })
    }

    /// Records an accepted index (its serial only grows) and the root it
    /// was signed under.
    pub fn record(&mut self, meta: &IndexMeta) -> Result<(), String> {
        self.highest_serial = self.highest_serial.max(meta.serial);
        let Some((_, root)) = &self.root else { return Ok(()) };
        let file = TrustFile {
            registry_url: self.registry_url.clone(),
            root: root.clone(),
            highest_serial: self.highest_serial,
        };
        let text = serde_json::to_vec_pretty(&file).expect("serializes");
        crate::os::write_private(&self.path, &text).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// The envelope in `chain` that holds `root`.
fn envelope_of(chain: &[Envelope], root: &Root) -> Option<Envelope> {
    chain.iter().find(|e| Root::open_self_signed(e).is_ok_and(|r| &r == root)).cloned()
}

/// A configured key matches a root by its id (`SHA256:...`, with or
/// without the prefix) or by its OpenSSH public key line.
fn configured_matches(configured: &str, root: &Root) -> bool {
    let c = configured.trim();
    c == root.key_id
        || format!("SHA256:{c}") == root.key_id
        || revitpy_sign::parse_public_key(c).is_ok_and(|k| revitpy_sign::key_id(&k) == root.key_id)
}
