//! `revitpy-registry`: the server and its admin commands.

/// mimalloc: scanning an upload parses every file into a syntax tree, and
/// glibc's malloc spends a third of the scan's time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use revitpy_registry::settings::{ServeArgs, StorageArgs};
use revitpy_registry::{app, backup, fsck, indexer, rescan, serve, service, views};

#[derive(Parser)]
#[command(name = "revitpy-registry", version, about = "The RevitPy package registry server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the registry (SQLite and files in ./registry_data by default).
    // Boxed: every setting of serve makes it ten times the other commands.
    Serve(Box<ServeArgs>),
    /// Create, list and revoke API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check that every version's file is present and intact, and find orphan files.
    Fsck {
        #[command(flatten)]
        storage: StorageArgs,
        /// Delete orphan files older than an hour (younger ones may be uploads in flight).
        #[arg(long)]
        repair: bool,
        /// With --repair: delete young orphans too (only with the server stopped).
        #[arg(long, requires = "repair")]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Copy the database and every package file it references into DEST (a
    /// new folder), with a manifest of sha256s; safe while the server runs.
    Backup {
        dest: std::path::PathBuf,
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// Copy the registry's package files from one storage to another (a
    /// folder and an S3-compatible bucket, either way): resumable, copies
    /// nothing twice, and checks every file's sha256 at the destination.
    Migrate {
        /// The database to copy: `sqlite:////absolute/path.db` (or
        /// `sqlite:///relative.db`) or `postgres://user@host/db`.
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// The database to copy into (empty, or an earlier copy to finish).
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Rows copied in one transaction.
        #[arg(long, default_value_t = revitpy_registry::migrate::ROWS_AT_ONCE as u64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        rows: u64,
        /// `file:/path/to/folder` or `s3://bucket[?endpoint=URL&region=R]`.
        #[arg(long, requires = "blobs_to", required_unless_present = "from")]
        blobs_from: Option<String>,
        /// As --blobs-from.
        #[arg(long, requires = "blobs_from")]
        blobs_to: Option<String>,
        /// Files copied at once.
        #[arg(long, default_value_t = revitpy_registry::migrate::COPIES_AT_ONCE as u64, value_parser = clap::value_parser!(u64).range(1..=256))]
        jobs: u64,
        /// The registry whose database says which files to copy (when
        /// `--from` is not given).
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild a registry from a backup folder into the configured (empty)
    /// database and storage; every file is verified first, fsck runs last.
    Restore {
        src: std::path::PathBuf,
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// Scan stored versions again with this build's scanner: those whose
    /// report another scanner wrote (all of them with --force). Updates
    /// reports and statuses and says what changed; safe beside a running server.
    Rescan {
        /// Packages to rescan.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        names: Vec<String>,
        /// Every package.
        #[arg(long)]
        all: bool,
        /// Also versions whose report this scanner already wrote.
        #[arg(long)]
        force: bool,
        /// Say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The largest package to read, as the server's MAX_UPLOAD_MB.
        #[arg(long, env = "MAX_UPLOAD_MB", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=4096))]
        max_upload_mb: u64,
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// The key the registry signs its index with: show it, or rotate it.
    IndexKey {
        #[command(subcommand)]
        command: IndexKeyCommand,
    },
    /// Rebuild the search index from the database.
    Reindex {
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Ask a running server's /health: exit 0 when it answers 200 (for
    /// container and service-manager health checks).
    Healthcheck {
        /// [default: http://HOST:PORT/health, a wildcard HOST as loopback]
        #[arg(long)]
        url: Option<String>,
        #[arg(long, env = "HOST", default_value = "127.0.0.1", hide = true)]
        host: std::net::IpAddr,
        #[arg(long, env = "PORT", default_value_t = 8000, hide = true)]
        port: u16,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum IndexKeyCommand {
    /// Print the key id clients pin (REVITPY_REGISTRY_KEY) and the chain of roots.
    Show {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// A new index key, announced by a root signed with the current key and
    /// the new one: clients follow without reinstalling. The old key is
    /// kept as INDEX_KEY_PATH.retired-N; restart the servers afterwards.
    Rotate {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user (created if new). The token is shown once.
    Create {
        /// The user (account) the token acts for.
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "publish", value_parser = ["yank", "publish", "admin"])]
        scope: String,
        /// Limit the token to one package.
        #[arg(long)]
        package: Option<String>,
        /// A note to recognise the token by [default: the user name].
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never the tokens themselves).
    List {
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id.
    Revoke {
        id: i64,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

fn init_logging(level: &str) {
    let filter = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        match level.to_ascii_lowercase().as_str() {
            "critical" | "fatal" => "error".to_owned(),
            "warning" => "warn".to_owned(),
            other => other.to_owned(),
        }
    });
    let filter =
        tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    // Blocking work (SQLite, the index, file metadata) is short: a small pool
    // keeps memory flat under load: each extra thread grows its own malloc
    // arena (16 threads held 100 MB after the load benchmark, 4 hold 54 MB,
    // with more requests per second, not fewer).
    Ok(tokio::runtime::Builder::new_multi_thread().max_blocking_threads(4).enable_all().build()?)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "revitpy-registry", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            init_logging(&args.log_level);
            let runtime = runtime()?;
            let served = runtime.block_on(serve_command(*args));
            // Connections are closed by now; a blocking task still running
            // (a file being hashed) must not hold the exit.
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command } => {
            init_logging("warn");
            runtime()?.block_on(token_command(command))
        }
        Command::Fsck { storage, repair, force, json } => {
            init_logging("warn");
            runtime()?.block_on(async {
                let parts = app::open(&storage).await?;
                let report = fsck::fsck(parts.store.as_ref(), parts.blobs.clone(), repair, force).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    println!("checked {} versions and {} files", report.versions_checked, report.blobs_checked);
                    for m in &report.missing {
                        println!("missing: {m}");
                    }
                    for c in &report.corrupt {
                        println!("corrupt: {c}");
                    }
                    for o in &report.orphans {
                        let removed = report.removed_orphans.contains(o);
                        println!(
                            "orphan: {o}{}",
                            if removed {
                                " (removed)"
                            } else {
                                " (remove with --repair; --force for files under an hour old)"
                            }
                        );
                    }
                    if report.clean() {
                        println!("ok");
                    }
                }
                Ok(if report.clean() { ExitCode::SUCCESS } else { ExitCode::from(1) })
            })
        }
        Command::Healthcheck { url, host, port, timeout } => {
            let url = url.unwrap_or_else(|| revitpy_registry::healthcheck::local_url(host, port));
            match revitpy_registry::healthcheck::check(&url, std::time::Duration::from_secs(timeout.max(1))) {
                Ok((200, _)) => {
                    println!("healthy: {url}");
                    Ok(ExitCode::SUCCESS)
                }
                Ok((status, body)) => {
                    eprintln!("unhealthy: {url} answered {status}: {}", body.trim());
                    Ok(ExitCode::from(1))
                }
                Err(e) => {
                    eprintln!("unhealthy: {e:#}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Backup { dest, storage, json } => {
            init_logging("warn");
            runtime()?.block_on(async {
                let summary = backup::backup(&storage, &dest).await?;
                print_summary("backed up", &summary, json)?;
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Migrate { from, to, rows, blobs_from, blobs_to, jobs, storage, json } => {
            init_logging("warn");
            runtime()?.block_on(async {
                use revitpy_registry::migrate;
                let quiet = json;
                let say = |line: String| {
                    if !quiet {
                        println!("{line}");
                    }
                };
                let mut answer = serde_json::Map::new();
                // The source database, when one is copied, also says which files to copy.
                let mut source_store = None;
                if let (Some(from), Some(to)) = (&from, &to) {
                    let source = migrate::open_database(from, storage.database_pool_size).await?;
                    let destination = migrate::open_database(to, storage.database_pool_size).await?;
                    let summary = migrate::migrate_database(
                        source.tables.as_ref(),
                        destination.tables.as_ref(),
                        rows as usize,
                        &say,
                    )
                    .await?;
                    let total: usize = summary.tables.iter().map(|t| t.rows).sum();
                    let copied: usize = summary.tables.iter().map(|t| t.copied).sum();
                    say(format!(
                        "migrated the database: {total} rows in {} tables, {copied} copied, {} already there; \
                         every row compared with the source: ok ({:.1} s)",
                        summary.tables.len(),
                        total - copied.min(total),
                        summary.elapsed.as_secs_f64()
                    ));
                    answer.insert("database".into(), serde_json::to_value(&summary)?);
                    source_store = Some(source.store);
                }
                if let (Some(blobs_from), Some(blobs_to)) = (&blobs_from, &blobs_to) {
                    let store = match source_store {
                        Some(store) => store,
                        None => app::open_store(&storage).await?,
                    };
                    let spool = storage.data_dir.join("upload-spool");
                    let source = migrate::open_spec(blobs_from, &spool)?;
                    let destination = migrate::open_spec(blobs_to, &spool)?;
                    let summary = migrate::migrate_blobs(
                        store.as_ref(),
                        source.as_ref(),
                        destination.as_ref(),
                        jobs as usize,
                        &say,
                    )
                    .await?;
                    say(format!(
                        "migrated {} files from {blobs_from} to {blobs_to}: {} copied ({} bytes), {} already there; \
                         every file's sha256 checked at the destination: ok ({:.1} s)",
                        summary.files,
                        summary.copied,
                        summary.bytes_copied,
                        summary.already_there,
                        summary.elapsed.as_secs_f64()
                    ));
                    answer.insert("files".into(), serde_json::to_value(&summary)?);
                }
                if json {
                    println!("{}", serde_json::to_string_pretty(&answer)?);
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Restore { src, storage, json } => {
            init_logging("warn");
            runtime()?.block_on(async {
                let summary = backup::restore(&storage, &src).await?;
                print_summary("restored", &summary, json)?;
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::IndexKey { command: IndexKeyCommand::Show { storage, json } } => {
            init_logging("warn");
            runtime()?.block_on(async {
                let store = app::open_store(&storage).await?;
                let (_, newest) = revitpy_registry::index_signing::read_roots(store.as_ref()).await?;
                let Some(root) = newest else {
                    anyhow::bail!("the registry has no index root yet; it is created when `serve` first starts");
                };
                if json {
                    println!("{}", serde_json::json!({ "key_id": root.key_id, "root_version": root.version, "public_key": root.key }));
                } else {
                    println!("index key {} (root version {})", root.key_id, root.version);
                    println!("clients pin it with REVITPY_REGISTRY_KEY={}", root.key_id);
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::IndexKey { command: IndexKeyCommand::Rotate { storage, json } } => {
            init_logging("warn");
            runtime()?.block_on(async {
                let store = app::open_store(&storage).await?;
                let path = storage.index_key_path();
                let (old, new) = revitpy_registry::index_signing::rotate(store.as_ref(), &path).await?;
                if json {
                    println!(
                        "{}",
                        serde_json::json!({ "old_key_id": old.key_id, "key_id": new.key_id, "root_version": new.version })
                    );
                } else {
                    println!(
                        "index key rotated: root version {} names {} (signed by {} and itself); the old key is at {}.retired-{}; restart the servers",
                        new.version,
                        new.key_id,
                        old.key_id,
                        path.display(),
                        old.version
                    );
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Rescan { names, all, force, dry_run, max_upload_mb, storage, json } => {
            init_logging("warn");
            runtime()?.block_on(async {
                // Not the search index: it holds no scan status, and the
                // server's indexer follows the change feed the writes append to.
                let store = app::open_store(&storage).await?;
                let blobs = app::open_blobs(&storage)?;
                let selection = rescan::Selection { names, all, force, dry_run };
                let outcome =
                    rescan::rescan(store.as_ref(), blobs.as_ref(), max_upload_mb * 1024 * 1024, &selection).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&outcome)?);
                } else {
                    for c in &outcome.changed {
                        println!(
                            "{} {}: {} -> {} (risk {} -> {}){}",
                            c.package,
                            c.version,
                            c.status_before,
                            c.status_after,
                            c.risk_level_before.as_deref().unwrap_or("unknown"),
                            c.risk_level_after,
                            if dry_run { " [dry run: not written]" } else { "" }
                        );
                    }
                    for f in &outcome.failed {
                        println!("not scanned: {f}");
                    }
                    for u in &outcome.unknown {
                        println!("no such package: {u}");
                    }
                    println!(
                        "{}scanned {} versions with {} in {:.1} s: {} changed status, {} unchanged, {} already current, {} failed",
                        if dry_run { "dry run: " } else { "" },
                        outcome.scanned,
                        outcome.scanner,
                        outcome.seconds,
                        outcome.changed.len(),
                        outcome.unchanged,
                        outcome.current,
                        outcome.failed.len()
                    );
                }
                let clean = outcome.failed.is_empty() && outcome.unknown.is_empty();
                Ok(if clean { ExitCode::SUCCESS } else { ExitCode::from(1) })
            })
        }
        Command::Reindex { storage } => {
            init_logging("warn");
            runtime()?.block_on(async {
                let parts = app::open(&storage).await?;
                let started = std::time::Instant::now();
                let n = indexer::rebuild(parts.store.as_ref(), &parts.search).await?;
                parts.search.checkpoint()?;
                println!("indexed {n} packages in {:.0?}", started.elapsed());
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}

fn print_summary(what: &str, s: &backup::Summary, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!(
            "{what} {} packages, {} versions, {} files ({:.1} MB) at serial {} in {:.1} s: {}",
            s.packages,
            s.versions,
            s.files,
            s.bytes as f64 / 1e6,
            s.serial,
            s.seconds,
            s.folder.display()
        );
        println!("fsck: checked {} versions and {} files: ok", s.fsck.versions_checked, s.fsck.blobs_checked);
    }
    Ok(())
}

async fn serve_command(args: ServeArgs) -> anyhow::Result<()> {
    let parts = app::open(&args.storage).await?;
    let shared_limits = match args.redis_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => {
            let shared =
                revitpy_registry::shared_limits::SharedLimits::connect(url, &args.redis_prefix).await.map_err(|e| {
                    anyhow::anyhow!(
                        "REDIS_URL: {e}; start Redis, fix REDIS_URL, or unset it (each replica then limits alone)"
                    )
                })?;
            tracing::info!("rate limits are shared through Redis");
            Some(std::sync::Arc::new(shared))
        }
        None => None,
    };
    let addr = SocketAddr::new(args.host, args.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let fix = match e.kind() {
            std::io::ErrorKind::AddrInUse => "stop what listens there or set PORT to a free port",
            std::io::ErrorKind::AddrNotAvailable => "set HOST to an address of this machine (127.0.0.1, 0.0.0.0)",
            std::io::ErrorKind::PermissionDenied => "ports below 1024 need privileges: set PORT to 1024 or above",
            _ => "check HOST and PORT",
        };
        anyhow::anyhow!("cannot listen on {addr}: {e}; {fix}")
    })?;
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, data_dir = %args.storage.data_dir.display(), "revitpy-registry listening");
    // A line on standard output that scripts and tests can wait for.
    println!("revitpy-registry listening on http://{bound}");
    let _ = std::io::stdout().flush();
    if args.admin_token.as_deref().is_none_or(str::is_empty) {
        tracing::info!("no ADMIN_TOKEN: uploads need a token from `revitpy-registry token create`");
    }
    let options = serve::Options {
        admin_token: args.admin_token,
        max_upload_bytes: args.max_upload_mb * 1024 * 1024,
        cdn_base_url: args.cdn_base_url,
        scan_block: args.scan_block_severity.0,
        metrics: args.metrics,
        snapshot_max_lag: args.snapshot_max_lag,
    };
    let limits = serve::Limits {
        connections: (&args.connections).into(),
        scan_threads: match args.scans.scan_threads {
            Some(n) => usize::try_from(n).unwrap_or(1),
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        },
        scan_concurrency: usize::try_from(args.scans.scan_concurrency).unwrap_or(1),
        scan_queue_timeout: std::time::Duration::from_secs(args.scans.scan_queue_timeout),
        rate_limits: (&args.rate_limits).into(),
        shared_limits,
    };
    serve::serve_with(listener, parts, options, limits, serve::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn token_command(command: TokenCommand) -> anyhow::Result<ExitCode> {
    // The admin commands act as the registry's administrator, through the
    // same rules `/api/tokens` applies.
    let admin = service::access::local_admin();
    match command {
        TokenCommand::Create { name, scope, package, label, storage, json } => {
            // A bad name is refused before any database is opened (or created).
            service::tokens::user_name(&name)?;
            let store = app::open_store(&storage).await?;
            let request = revitpy_api::NewTokenRequest { user: name, label, scope, package };
            let created = service::tokens::create(store.as_ref(), &admin, request).await?;
            let record = created.record;
            if json {
                // The same shape as `POST /api/tokens` answers.
                let created = revitpy_api::NewTokenResponse { token: created.token, info: views::token_info(&record) };
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                println!("{}", created.token);
                eprintln!(
                    "created token {} for `{}` (scope {}{}); it is shown only once",
                    record.id,
                    record.user,
                    record.scope.as_str(),
                    record.package.as_deref().map(|p| format!(", package {p}")).unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { user, storage, json } => {
            let store = app::open_store(&storage).await?;
            let tokens = service::tokens::list(store.as_ref(), &admin, user.as_deref()).await?;
            if json {
                // The same shape as `GET /api/tokens` answers.
                let infos: Vec<revitpy_api::TokenInfo> = tokens.iter().map(views::token_info).collect();
                println!("{}", serde_json::to_string_pretty(&infos)?);
            } else {
                for t in tokens {
                    println!(
                        "{:>4}  {:<16} {:<8} {:<20} {}  {}{}",
                        t.id,
                        t.user,
                        t.scope.as_str(),
                        t.package.as_deref().unwrap_or("*"),
                        t.token_prefix,
                        t.created_at,
                        if t.revoked_at.is_some() { "  revoked" } else { "" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id, storage } => {
            let store = app::open_store(&storage).await?;
            match service::tokens::revoke(store.as_ref(), &admin, id).await {
                Ok(revoked) if revoked.now => {
                    println!("revoked token {id}");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(_) | Err(service::ServiceError::NotFound(_)) => {
                    eprintln!("error: no live token {id} (see `revitpy-registry token list`)");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}
