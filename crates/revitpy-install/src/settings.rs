//! Resolved settings: flags over environment over the user config file over
//! defaults ([`crate::defaults`]), as plain values the commands use.

use std::path::PathBuf;

use sha2::Digest as _;
use std::time::Duration;

use revitpy_client::RegistryUrl;

use crate::cli::GlobalArgs;
use crate::credentials::UserConfig;
use crate::defaults::{
    DEFAULT_INDEX_MAX_AGE_SECS, DEFAULT_REGISTRY, DEFAULT_SYNC_TIMEOUT_SECS, default_addins_dir, default_cache_dir,
    default_config_path,
};

#[derive(Debug, Clone)]
pub struct Settings {
    pub registry_url: String,
    pub registry: RegistryUrl,
    pub cache_dir: PathBuf,
    pub addins_dir: PathBuf,
    /// The token for the registry in use: the one given (`--token`,
    /// `REVITPY_TOKEN`), else the one stored for this registry.
    pub token: Option<Token>,
    /// `--allow-insecure-token`: a token may go over plain http to another machine.
    pub allow_insecure_token: bool,
    pub config_path: PathBuf,
    pub index_max_age_secs: u64,
    pub sync_timeout: Duration,
    /// The registry's index key to trust from the start (`SHA256:...`):
    /// `REVITPY_REGISTRY_KEY`, else `index_key` in the config's table for
    /// this registry; without one, the first key seen is pinned.
    pub index_key: Option<String>,
    /// Every version installed must carry a valid publisher signature
    /// (`REVITPY_REQUIRE_SIGNATURES=1`, or `require_signatures = true`).
    pub require_signatures: bool,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub value: String,
    pub origin: TokenOrigin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOrigin {
    /// `--token` or `REVITPY_TOKEN`: sent to the registry in use, as the user chose.
    Given,
    /// Stored by `login` for this very registry.
    Stored,
}

fn env_secs(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings, String> {
        let config_path = std::env::var_os("REVITPY_CONFIG").map(PathBuf::from).unwrap_or_else(default_config_path);
        let config = UserConfig::read(&config_path)?;
        let registry_url = args
            .registry_url
            .clone()
            .or_else(|| config.registry_url.clone())
            .unwrap_or_else(|| DEFAULT_REGISTRY.to_owned())
            .trim()
            .trim_end_matches('/')
            .to_owned();
        let registry = RegistryUrl::parse(&registry_url)?;
        let cache_dir = args.cache_dir.clone().unwrap_or_else(default_cache_dir);
        let addins_dir = args.addins_dir.clone().unwrap_or_else(default_addins_dir);
        let given = args.token.clone().filter(|t| !t.trim().is_empty());
        let token = match given {
            Some(value) => Some(Token { value, origin: TokenOrigin::Given }),
            None => {
                config.token_for(&registry).map(|value| Token { value: value.to_owned(), origin: TokenOrigin::Stored })
            }
        };
        let index_key = std::env::var("REVITPY_REGISTRY_KEY")
            .ok()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .or_else(|| config.index_key_for(&registry).map(str::to_owned));
        Ok(Settings {
            registry_url,
            registry,
            cache_dir,
            addins_dir,
            token,
            allow_insecure_token: args.allow_insecure_token,
            config_path,
            index_max_age_secs: env_secs("REVITPY_INDEX_MAX_AGE", DEFAULT_INDEX_MAX_AGE_SECS),
            sync_timeout: Duration::from_secs(env_secs("REVITPY_SYNC_TIMEOUT", DEFAULT_SYNC_TIMEOUT_SECS)),
            index_key,
            require_signatures: match std::env::var("REVITPY_REQUIRE_SIGNATURES").ok().as_deref().map(str::trim) {
                Some("1" | "true" | "yes") => true,
                Some("0" | "false" | "no") => false,
                _ => config.require_signatures,
            },
        })
    }

    pub fn index_dir(&self) -> PathBuf {
        self.cache_dir.join("index")
    }

    /// Held by the one sync of the local index that may run; outside the
    /// index folder, which `sync --rebuild-index` deletes.
    pub fn sync_lock_path(&self) -> PathBuf {
        self.cache_dir.join(".index-sync.lock")
    }

    /// What this client trusts of the registry in use (its index key, the
    /// newest serial seen): outside the index folder, so that
    /// `sync --rebuild-index` forgets neither.
    pub fn trust_path(&self) -> PathBuf {
        let key = self.registry.key();
        let digest = sha2::Sha256::digest(key.as_bytes());
        self.cache_dir.join("trust").join(format!("{}.json", &hex::encode(digest)[..16]))
    }
}
