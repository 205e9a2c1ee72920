//! The command line, as clap types. Nothing here does any work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use revitpy_names::RevitYear;

#[derive(Parser, Debug)]
#[command(name = "revitpy-install", version, about = "Build, validate, publish and install RevitPy add-ins")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Print results as JSON on standard output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The registry to talk to.
    #[arg(long, global = true, env = "REVITPY_REGISTRY_URL")]
    pub registry_url: Option<String>,
    /// The package cache and offline index [default: the OS cache folder + revitpy].
    #[arg(long, global = true, env = "REVITPY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Revit's add-in folder [default: %APPDATA%\\Autodesk\\Revit\\Addins on Windows].
    #[arg(long, global = true, env = "REVITPY_ADDINS_DIR")]
    pub addins_dir: Option<PathBuf>,
    /// API token for publishing [default: the one stored by `registry login`].
    #[arg(long, global = true, env = "REVITPY_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Send a token over plain http to a registry on another machine, where
    /// anyone on the network in between can read it (https needs no flag, nor
    /// does a registry on this machine).
    #[arg(long, global = true)]
    pub allow_insecure_token: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Work with packages and the registry.
    Registry(RegistryArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish),
    /// e.g. `revitpy-install completions bash > /etc/bash_completion.d/revitpy-install`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug)]
pub struct RegistryArgs {
    #[command(subcommand)]
    pub command: RegistryCommand,
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Build a .rpyx package from a source folder.
    Build(BuildArgs),
    /// Check a .rpyx package: manifest, files, hashes and Revit compatibility.
    Validate(ValidateArgs),
    /// Search the registry (or, offline, the local index).
    Search(SearchArgs),
    /// Bring the local index up to date with the registry.
    Sync(SyncArgs),
    /// Install packages (and their dependencies) into Revit's add-in folder.
    Install(InstallArgs),
    /// Remove an installed package.
    Uninstall(UninstallArgs),
    /// List installed packages.
    List(ListArgs),
    /// Upload a .rpyx to the registry (needs a token: see `registry login`).
    Publish(PublishArgs),
    /// Store a registry token in the user config file (private to you).
    Login(LoginArgs),
    /// Show, clean or verify the package cache.
    Cache(CacheArgs),
    /// Make an Ed25519 publisher key: PATH (private, owner-only) and PATH.pub.
    Keygen(KeygenArgs),
    /// Sign a .rpyx (its name, version and sha256): writes FILE.rpyx.sig.
    Sign(SignArgs),
    /// Check a .rpyx's signature: exit 0 when valid, 1 when not.
    Verify(VerifyArgs),
    /// Register, list or revoke your publisher keys on the registry.
    Keys(KeysArgs),
}

#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Register your key for your account (needs a token): signs a proof
    /// with the private key, so nobody registers a key they do not hold.
    Add {
        /// The private key [default: the one `keygen` writes].
        #[arg(long)]
        key: Option<PathBuf>,
        /// Your account [default: the account of your token's tokens].
        #[arg(long)]
        user: Option<String>,
    },
    /// List registered keys (of one account with --user).
    List {
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke one of your keys by id (needs a token).
    Revoke { id: i64 },
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Where the private key goes (the public key beside it, with `.pub`)
    /// [default: keys/publisher_ed25519 in the user config folder].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Protect the private key with a passphrase (REVITPY_KEY_PASSPHRASE, or asked).
    #[arg(long)]
    pub passphrase: bool,
    /// A note stored with the key [default: "revitpy publisher key"].
    #[arg(long)]
    pub comment: Option<String>,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    pub file: PathBuf,
    /// The private key [default: the one `keygen` writes].
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where the signature goes [default: FILE.sig].
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    pub file: PathBuf,
    /// The signature [default: FILE.sig].
    #[arg(long)]
    pub signature: Option<PathBuf>,
    /// The public key (PATH.pub) it must be from; without it, any valid
    /// signature passes, with a warning.
    #[arg(long)]
    pub key: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The token; without it, it is read from standard input.
    #[arg(long = "with-token", value_name = "TOKEN")]
    pub with_token: Option<String>,
    /// Store the token without checking it with the registry.
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["stats", "cleanup", "verify"])))]
pub struct CacheArgs {
    /// Entries, bytes, hits, misses, hit rate, oldest and newest entry, index age.
    #[arg(long)]
    pub stats: bool,
    /// Evict least recently used packages (never the offline index).
    #[arg(long)]
    pub cleanup: bool,
    /// Re-check every cached file and remove corrupt ones.
    #[arg(long)]
    pub verify: bool,
    /// With --cleanup: keep at most this many megabytes (with neither limit
    /// given: 500 MB and 30 days, as the original client).
    #[arg(long, value_name = "MB", requires = "cleanup")]
    pub max_size: Option<u64>,
    /// With --cleanup: remove entries unused for this many days (0 empties the cache).
    #[arg(long, value_name = "DAYS", requires = "cleanup")]
    pub max_age: Option<u64>,
}

#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Package names.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Install this exact version (one package only).
    #[arg(long)]
    pub version: Option<String>,
    #[arg(long, value_name = "YEAR", value_parser = parse_year)]
    pub revit_version: Option<RevitYear>,
    /// Reinstall even if that version is installed; install a package whose
    /// security scan is high or critical (after a confirmation, or --yes).
    #[arg(long)]
    pub force: bool,
    /// Use only the local index and the cache.
    #[arg(long)]
    pub offline: bool,
    /// Run the packages' install hooks (shown first). Off by default.
    #[arg(long)]
    pub allow_hooks: bool,
    /// Answer yes to every question (required when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Args, Debug)]
pub struct UninstallArgs {
    pub name: String,
    #[arg(long, value_name = "YEAR", value_parser = parse_year)]
    pub revit_version: Option<RevitYear>,
    /// Remove even when other installed packages depend on it.
    #[arg(long)]
    pub force: bool,
    /// Run the package's uninstall hooks (shown first). Off by default.
    #[arg(long)]
    pub allow_hooks: bool,
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long, value_name = "YEAR", value_parser = parse_year)]
    pub revit_version: Option<RevitYear>,
    /// Re-check every installed file against the sha256 recorded at install,
    /// and name each one changed or missing since (exit 1 when any is).
    #[arg(long)]
    pub verify: bool,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words to look for; `*` lists everything.
    pub query: String,
    #[arg(long, value_name = "YEAR", value_parser = parse_year)]
    pub revit_version: Option<RevitYear>,
    #[arg(long, value_parser = ["addon", "library", "template", "tool"])]
    pub package_type: Option<String>,
    /// Answer from the local index without asking the registry.
    #[arg(long)]
    pub offline: bool,
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Drop the local index and fetch a full snapshot.
    #[arg(long)]
    pub rebuild_index: bool,
    /// The background refresh search and install start: stop at once when
    /// another sync holds the index, instead of waiting for it.
    #[arg(long, hide = true)]
    pub background: bool,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The package's source folder (with revitpy.toml, pyproject.toml, package.json,
    /// manifest.json or manifest.yaml).
    pub source: PathBuf,
    /// Where to write the package [default: <name>-<version>.rpyx in the current folder].
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Package files that look like secrets (*.key, *.pem, *.p12, *.pfx, .env).
    #[arg(long)]
    pub allow_secrets: bool,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// The .rpyx file to check.
    pub file: PathBuf,
    /// Also say whether the package supports this Revit version (a year, e.g. 2024).
    #[arg(long, value_name = "YEAR", value_parser = parse_year)]
    pub revit_version: Option<RevitYear>,
    /// Scan the package's code for security risks and Revit API problems.
    #[arg(long)]
    pub security_scan: bool,
    /// How to print the result: text, json (as --json), or sarif (the scan
    /// as a SARIF 2.1.0 log for code-scanning tools; needs --security-scan).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<OutputFormat>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
}

fn parse_year(s: &str) -> Result<RevitYear, String> {
    s.parse().map_err(|e: revitpy_names::RevitYearError| e.to_string())
}
