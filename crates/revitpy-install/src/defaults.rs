//! What the client uses when neither a flag, the environment nor the user
//! config file says otherwise. Its own module because both the settings and
//! the config file ([`crate::credentials`]) need the default registry: the
//! settings to fall back to it, the config file to know whose token an
//! earlier version stored.

use std::path::PathBuf;

pub const DEFAULT_REGISTRY: &str = "http://localhost:8000";
/// After this long the local index is refreshed in the background.
pub const DEFAULT_INDEX_MAX_AGE_SECS: u64 = 24 * 3600;
/// The longest a whole `sync` may take (`REVITPY_SYNC_TIMEOUT`, seconds):
/// longer than one request's own 300 s limit plus the index writes, short
/// enough that a registry that drips its answers cannot keep a background
/// sync (and the lock it holds) for hours.
pub const DEFAULT_SYNC_TIMEOUT_SECS: u64 = 600;

pub fn default_config_path() -> PathBuf {
    dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("revitpy").join("config.toml")
}

pub fn default_addins_dir() -> PathBuf {
    if cfg!(windows) {
        // %APPDATA%\Autodesk\Revit\Addins, where Revit reads per-user add-ins.
        dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("Autodesk").join("Revit").join("Addins")
    } else {
        dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("revitpy").join("addins")
    }
}

pub fn default_cache_dir() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("revitpy")
}
