//! `revitpy-install`: the RevitPy Registry client.
//!
//! Flow, as in uv: clap types ([`cli`]) describe the command line only; each
//! command is one function that returns an [`ExitStatus`]; all output goes
//! through the [`printer::Printer`], so `--json`, `--quiet` and `--verbose`
//! are handled in one place.

/// mimalloc: the pre-install scan parses every file into a syntax tree, and
/// glibc's malloc spends a third of the scan's time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;
mod credentials;
mod defaults;
mod escape;
mod hooks;
mod installer;
mod local_index;
mod os;
mod printer;
mod resolver;
mod settings;
mod trust;

use std::process::ExitCode;

use clap::Parser;

/// Exit statuses, as DESIGN.md fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// A failure the user can fix: bad input, not found, incompatible.
    Failure,
    /// The command line itself is wrong.
    Usage,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Usage => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    // clap exits with 2 on usage errors, as DESIGN.md asks.
    let cli = cli::Cli::parse();
    let printer = printer::Printer::new(&cli.global);
    use cli::RegistryCommand as R;
    let status = match cli.command {
        cli::Command::Completions { shell } => {
            let mut command = <cli::Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "revitpy-install", &mut script);
            printer.document(&script);
            ExitStatus::Success
        }
        // Settings (config file, registry URL, folders) are read only by the
        // commands that use them: `build` and `validate` work offline even
        // with a broken config file.
        cli::Command::Registry(registry) => match registry.command {
            R::Build(args) => commands::build::run(args, &printer),
            R::Validate(args) => commands::validate::run(args, &printer),
            R::Keygen(args) => commands::keys::keygen(args, &printer),
            R::Sign(args) => commands::keys::sign(args, &printer),
            R::Verify(args) => commands::keys::verify(args, &printer),
            command => match settings::Settings::resolve(&cli.global) {
                Err(e) => {
                    printer.error(e);
                    ExitStatus::Failure
                }
                Ok(settings) => match command {
                    R::Search(args) => commands::search::run(args, &settings, &printer),
                    R::Sync(args) => commands::sync::run(args, &settings, &printer),
                    R::Install(args) => commands::install::run(args, &settings, &printer),
                    R::Uninstall(args) => commands::uninstall::run(args, &settings, &printer),
                    R::List(args) => commands::list::run(args, &settings, &printer),
                    R::Publish(args) => commands::publish::publish(args, &settings, &printer),
                    R::Login(args) => commands::login::run(args, &settings, &printer),
                    R::Cache(args) => commands::cache::run(args, &settings, &printer),
                    R::Keys(args) => commands::keys::registered(args, &settings, &printer),
                    R::Build(_) | R::Validate(_) | R::Keygen(_) | R::Sign(_) | R::Verify(_) => {
                        unreachable!("answered above without settings")
                    }
                },
            },
        },
    };
    status.into()
}

/// Runs a future on the process's one small runtime: commands are
/// sequential at heart. One runtime for every call, so connections pooled
/// by one call are still alive for the next.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts")
        })
        .block_on(f)
}
