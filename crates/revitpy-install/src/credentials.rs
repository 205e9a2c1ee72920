//! The user config file (`config.toml` in the OS config folder + `revitpy`,
//! or the file `REVITPY_CONFIG` names): the default registry, and a token
//! per registry.
//!
//! ```toml
//! registry_url = "https://registry.example.com"   # the default registry
//!
//! [registries."https://registry.example.com"]
//! token = "rpy_..."
//! ```
//!
//! Tokens are keyed by the registry's normalized URL ([`RegistryUrl::key`]),
//! as cargo and uv keep credentials, and a stored token is sent only to the
//! registry it was stored for. The file is private to its owner
//! ([`crate::os::write_private`]).
//!
//! Earlier versions stored one `token` beside `registry_url`: the registry
//! `login` had checked it against (and made the default). Such a token is
//! read as that registry's (the built-in default registry's, when the file
//! names none), is never sent anywhere else, and moves into the table at the
//! next `login`.

use std::collections::BTreeMap;
use std::path::Path;

use revitpy_client::RegistryUrl;
use serde::{Deserialize, Serialize};

use crate::defaults::DEFAULT_REGISTRY;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct UserConfig {
    /// The registry used when neither `--registry-url` nor `REVITPY_REGISTRY_URL` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_url: Option<String>,
    /// Earlier versions' single token, for `registry_url` (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    registries: BTreeMap<String, StoredRegistry>,
    /// Refuse to install any package version that is not signed by a
    /// publisher key (`REVITPY_REQUIRE_SIGNATURES`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_signatures: bool,
    /// Keys this version does not know, written back as they were.
    #[serde(flatten)]
    other: toml::Table,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct StoredRegistry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// The registry's index key (`SHA256:...`) this client trusts from the
    /// start, instead of the first key it is shown (`REVITPY_REGISTRY_KEY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_key: Option<String>,
    #[serde(flatten)]
    other: toml::Table,
}

fn non_empty(t: &Option<String>) -> Option<&str> {
    t.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl UserConfig {
    /// The file's settings; an absent file is an empty one.
    pub fn read(path: &Path) -> Result<UserConfig, String> {
        match fs_err::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UserConfig::default()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Writes the file, readable by its owner only.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = toml::to_string(self).map_err(|e| format!("{}: {e}", path.display()))?;
        crate::os::write_private(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The registry an earlier version's single token belongs to.
    fn legacy_owner(&self) -> Option<String> {
        RegistryUrl::parse(self.registry_url.as_deref().unwrap_or(DEFAULT_REGISTRY)).ok().map(|u| u.key())
    }

    /// The index key configured for `registry`.
    pub fn index_key_for(&self, registry: &RegistryUrl) -> Option<&str> {
        self.registries.get(&registry.key()).and_then(|r| non_empty(&r.index_key))
    }

    /// The token stored for `registry`, and only for it.
    pub fn token_for(&self, registry: &RegistryUrl) -> Option<&str> {
        let key = registry.key();
        if let Some(t) = self.registries.get(&key).and_then(|r| non_empty(&r.token)) {
            return Some(t);
        }
        non_empty(&self.token).filter(|_| self.legacy_owner().as_deref() == Some(key.as_str()))
    }

    /// Stores `token` for `registry`; an earlier version's token moves into
    /// the table first, under the registry it belonged to.
    pub fn set_token(&mut self, registry: &RegistryUrl, token: String) {
        if let Some(old) = self.token.take().filter(|t| !t.trim().is_empty())
            && let Some(owner) = self.legacy_owner()
        {
            let entry = self.registries.entry(owner).or_default();
            if non_empty(&entry.token).is_none() {
                entry.token = Some(old);
            }
        }
        self.registries.entry(registry.key()).or_default().token = Some(token);
    }

    /// The registries a token is stored for (to say so when the one in use has none).
    pub fn registries_with_tokens(&self) -> Vec<String> {
        let mut keys: Vec<String> =
            self.registries.iter().filter(|(_, r)| non_empty(&r.token).is_some()).map(|(k, _)| k.clone()).collect();
        if non_empty(&self.token).is_some()
            && let Some(owner) = self.legacy_owner()
            && !keys.contains(&owner)
        {
            keys.push(owner);
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> RegistryUrl {
        RegistryUrl::parse(s).unwrap()
    }

    fn parse(text: &str) -> UserConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn a_token_is_found_only_for_its_registry() {
        let mut c = UserConfig::default();
        c.set_token(&url("http://127.0.0.1:8001/"), "a-token".into());
        assert_eq!(c.token_for(&url("http://127.0.0.1:8001")), Some("a-token"));
        assert_eq!(c.token_for(&url("HTTP://127.0.0.1:8001/")), Some("a-token"));
        assert_eq!(c.token_for(&url("http://127.0.0.1:8002")), None);
        assert_eq!(c.token_for(&url("https://127.0.0.1:8001")), None);
        c.set_token(&url("https://b.example.com"), "b-token".into());
        assert_eq!(c.token_for(&url("https://b.example.com:443")), Some("b-token"));
        assert_eq!(c.token_for(&url("http://127.0.0.1:8001")), Some("a-token"));
    }

    #[test]
    fn the_file_round_trips_and_keeps_unknown_keys() {
        let mut c = parse("registry_url = \"https://a.example.com\"\ncolor = \"never\"\n");
        c.set_token(&url("https://a.example.com"), "t".into());
        let text = toml::to_string(&c).unwrap();
        assert!(text.contains("[registries.\"https://a.example.com\"]"), "{text}");
        let back = parse(&text);
        assert_eq!(back.token_for(&url("https://a.example.com")), Some("t"));
        assert_eq!(back.registry_url.as_deref(), Some("https://a.example.com"));
        assert_eq!(back.other.get("color").and_then(|v| v.as_str()), Some("never"));
    }

    #[test]
    fn an_earlier_versions_token_belongs_to_the_registry_of_its_file() {
        let c = parse("registry_url = \"http://127.0.0.1:8001\"\ntoken = \"old\"\n");
        assert_eq!(c.token_for(&url("http://127.0.0.1:8001/")), Some("old"));
        assert_eq!(c.token_for(&url("http://127.0.0.1:8002")), None);
        assert_eq!(c.registries_with_tokens(), ["http://127.0.0.1:8001"]);
        // No registry named: the built-in default's.
        let c = parse("token = \"old\"\n");
        assert_eq!(c.token_for(&url(DEFAULT_REGISTRY)), Some("old"));
        assert_eq!(c.token_for(&url("http://127.0.0.1:8000")), None);
        // A registry URL that does not parse: the token is nobody's.
        let c = parse("registry_url = \"not a url\"\ntoken = \"old\"\n");
        assert!(c.registries_with_tokens().is_empty());
    }

    #[test]
    fn login_moves_an_earlier_versions_token_into_the_table() {
        let mut c = parse("registry_url = \"http://127.0.0.1:8001\"\ntoken = \"old\"\n");
        c.set_token(&url("http://127.0.0.1:8002"), "new".into());
        let text = toml::to_string(&c).unwrap();
        let top_level = text.split("\n[").next().unwrap();
        assert!(!top_level.contains("token"), "no top-level token left: {text}");
        let back = parse(&text);
        assert_eq!(back.token_for(&url("http://127.0.0.1:8001")), Some("old"));
        assert_eq!(back.token_for(&url("http://127.0.0.1:8002")), Some("new"));
        // Logging in again to the old registry replaces its token.
        let mut c = parse("registry_url = \"http://127.0.0.1:8001\"\ntoken = \"old\"\n");
        c.set_token(&url("http://127.0.0.1:8001"), "newer".into());
        assert_eq!(c.token_for(&url("http://127.0.0.1:8001")), Some("newer"));
    }
}
