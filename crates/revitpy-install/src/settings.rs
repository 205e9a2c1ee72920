//! Resolved settings: flags over environment over the user config file over
//! defaults, as plain values the commands use.

use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;

pub const DEFAULT_REGISTRY: &str = "http://localhost:8000";
/// After this long the local index is refreshed in the background.
pub const DEFAULT_INDEX_MAX_AGE_SECS: u64 = 24 * 3600;

#[derive(Debug, Clone)]
pub struct Settings {
    pub registry_url: String,
    pub cache_dir: PathBuf,
    pub addins_dir: PathBuf,
    pub token: Option<String>,
    pub config_path: PathBuf,
    pub index_max_age_secs: u64,
}

/// The user config file (`config.toml` in the OS config folder + `revitpy`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct UserConfig {
    #[serde(default)]
    pub registry_url: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
}

pub fn default_config_path() -> PathBuf {
    dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("revitpy").join("config.toml")
}

pub fn read_config(path: &Path) -> Result<UserConfig, String> {
    match fs_err::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UserConfig::default()),
        Err(e) => Err(e.to_string()),
    }
}

fn default_addins_dir() -> PathBuf {
    if cfg!(windows) {
        // %APPDATA%\Autodesk\Revit\Addins, where Revit reads per-user add-ins.
        dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("Autodesk").join("Revit").join("Addins")
    } else {
        dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("revitpy").join("addins")
    }
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings, String> {
        let config_path = std::env::var_os("REVITPY_CONFIG").map(PathBuf::from).unwrap_or_else(default_config_path);
        let config = read_config(&config_path)?;
        let registry_url = args
            .registry_url
            .clone()
            .or(config.registry_url)
            .unwrap_or_else(|| DEFAULT_REGISTRY.to_owned())
            .trim_end_matches('/')
            .to_owned();
        if !(registry_url.starts_with("http://") || registry_url.starts_with("https://")) {
            return Err(format!("the registry URL `{registry_url}` must start with http:// or https://"));
        }
        let cache_dir = args
            .cache_dir
            .clone()
            .unwrap_or_else(|| dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("revitpy"));
        let addins_dir = args.addins_dir.clone().unwrap_or_else(default_addins_dir);
        let token = args.token.clone().or(config.token).filter(|t| !t.trim().is_empty());
        let index_max_age_secs = std::env::var("REVITPY_INDEX_MAX_AGE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_INDEX_MAX_AGE_SECS);
        Ok(Settings { registry_url, cache_dir, addins_dir, token, config_path, index_max_age_secs })
    }

    pub fn index_dir(&self) -> PathBuf {
        self.cache_dir.join("index")
    }
}
