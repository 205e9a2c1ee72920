//! The registry on PostgreSQL beside the registry on SQLite, in the same
//! run on the same machine: store writes, the server's reads under load,
//! two replicas beside one, and `migrate` between the two databases.
//!
//! Run: `REVITPY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
//! cargo bench -p revitpy-registry --bench backends` (`BACKENDS_PACKAGES=N`,
//! default 10,000; `BACKENDS_SECONDS=S` per load phase, default 5). The
//! PostgreSQL side lives in a schema of its own, dropped at the end.
//!
//! Steps, for each backend in turn (one server at a time, so neither
//! shares the 2 cores with the other): seed N packages through the `Store`
//! trait in batches of 1,000 (the publish checks of uploads), publish 400
//! more one per transaction from 8 tasks at once, rebuild the search index
//! with `reindex`, start the real server and measure package metadata
//! (latency over one connection, throughput over 32) and search throughput.
//! Then, on PostgreSQL, metadata throughput with two replicas (each its own
//! search index, one package folder) beside one, the same 32 connections
//! split between them. Last, `migrate --from --to` of the whole database
//! SQLite -> PostgreSQL and back, with `pg_dump` of the same schema as the
//! baseline for reading it all.

#[path = "support/http.rs"]
mod http;
#[path = "support/seed.rs"]
mod seed;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{CONNECTIONS, LoadResult, latencies, load, load_over, pct, spawn_and_wait};
use revitpy_search::testdata::{generated_docs, generated_queries};
use revitpy_store::test_postgres::TestSchema;
use revitpy_store::{Actor, PostgresStore, Release, Scope, SqliteStore, Store};

const BATCH: usize = 1_000;
const SINGLE_PUBLISHES: usize = 400;
const PUBLISH_TASKS: usize = 8;

struct Figures {
    seed: Duration,
    publishes_per_second: f64,
    reindex: Duration,
    meta_p50: f64,
    meta_p99: f64,
    meta: LoadResult,
    search: LoadResult,
}

fn releases(docs: &[revitpy_search::SearchDoc], from: usize) -> Vec<Release> {
    docs.iter()
        .enumerate()
        .map(|(j, d)| seed::seeded_release(d, from + j, &format!("{:064x}", from + j + 1), 1000))
        .collect()
}

/// Seeds `store`, publishes one version per transaction, then times the
/// server on `env`'s database.
fn measure(
    rt: &tokio::runtime::Runtime,
    store: Arc<dyn Store>,
    docs: &[revitpy_search::SearchDoc],
    extra: &[revitpy_search::SearchDoc],
    env: &[(String, String)],
    seconds: f64,
) -> Figures {
    let exe = env!("CARGO_BIN_EXE_revitpy-registry");
    let batches: Vec<Vec<Release>> =
        docs.chunks(BATCH).enumerate().map(|(n, chunk)| releases(chunk, n * BATCH)).collect();
    let actor = Actor { user_id: None, user_name: "bench".into(), scope: Scope::Admin, package: None };
    let started = Instant::now();
    rt.block_on(async {
        for batch in batches {
            store.publish_batch(&actor, batch).await.unwrap();
        }
    });
    let seed = started.elapsed();
    // One version per transaction, several writers at once: how uploads reach the store.
    let singles = releases(extra, docs.len());
    let started = Instant::now();
    rt.block_on(async {
        let queue = Arc::new(std::sync::Mutex::new(singles));
        let mut tasks = Vec::new();
        for _ in 0..PUBLISH_TASKS {
            let (queue, store, actor) = (queue.clone(), store.clone(), actor.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let Some(release) = queue.lock().unwrap().pop() else { return };
                    store.publish(&actor, release).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    let publishes_per_second = extra.len() as f64 / started.elapsed().as_secs_f64();
    drop(store);

    let started = Instant::now();
    let out = Command::new(exe).arg("reindex").envs(env.iter().cloned()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reindex = started.elapsed();
    let mut server = Command::new(exe);
    server.arg("serve").env("PORT", "0").env("LOG_LEVEL", "error").env("RATE_LIMIT_SEARCHES", "off");
    server.envs(env.iter().cloned());
    let (mut server, addr, _) = spawn_and_wait(server);
    let meta_paths = metadata_paths(docs);
    let search_paths = search_paths();
    let (lat, meta, search) = rt.block_on(async {
        let lat = latencies(addr, &meta_paths[..300]).await;
        let meta = load(addr, Arc::new(meta_paths.clone()), seconds).await;
        let search = load(addr, Arc::new(search_paths), seconds).await;
        (lat, meta, search)
    });
    let _ = server.kill();
    let _ = server.wait();
    Figures { seed, publishes_per_second, reindex, meta_p50: pct(&lat, 0.5), meta_p99: pct(&lat, 0.99), meta, search }
}

fn metadata_paths(docs: &[revitpy_search::SearchDoc]) -> Vec<String> {
    docs.iter().step_by(7).map(|d| format!("/api/packages/{}", d.normalized_name)).collect()
}

fn search_paths() -> Vec<String> {
    generated_queries(300, 7)
        .iter()
        .map(|(q, y)| match y {
            Some(y) => format!("/api/packages/search?q={}&revit_version={y}", seed::url_encode(q)),
            None => format!("/api/packages/search?q={}", seed::url_encode(q)),
        })
        .collect()
}

fn timed(mut cmd: Command) -> Duration {
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    started.elapsed()
}

fn main() {
    let packages: usize = std::env::var("BACKENDS_PACKAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seconds: f64 = std::env::var("BACKENDS_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5.0);
    let Some(schema) = TestSchema::create("bench_backends") else {
        eprintln!("set REVITPY_TEST_POSTGRES_URL to a PostgreSQL database this bench may create schemas in");
        return;
    };
    let exe = env!("CARGO_BIN_EXE_revitpy-registry");
    let work = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let all = generated_docs(packages + SINGLE_PUBLISHES, 42);
    let (docs, extra) = all.split_at(packages);

    let sqlite_data = work.path().join("sqlite");
    let sqlite: Arc<dyn Store> = Arc::new(SqliteStore::open(&sqlite_data.join("registry.db")).unwrap());
    let sqlite_env = vec![("DATA_DIR".to_owned(), sqlite_data.to_string_lossy().into_owned())];
    let on_sqlite = measure(&rt, sqlite, docs, extra, &sqlite_env, seconds);

    let pg_data = work.path().join("postgres");
    let postgres: Arc<dyn Store> = Arc::new(rt.block_on(PostgresStore::open(&schema.url, 16)).unwrap());
    let pg_env = vec![
        ("DATA_DIR".to_owned(), pg_data.to_string_lossy().into_owned()),
        ("DATABASE_URL".to_owned(), schema.url.clone()),
    ];
    let on_pg = measure(&rt, postgres, docs, extra, &pg_env, seconds);

    // Two replicas on PostgreSQL beside one, the same 32 connections in all.
    let replica = |name: &str| {
        let mut cmd = Command::new(exe);
        cmd.arg("serve").env("PORT", "0").env("LOG_LEVEL", "error").envs(pg_env.iter().cloned());
        cmd.env("SEARCH_INDEX_PATH", pg_data.join(format!("search-index-{name}")));
        spawn_and_wait(cmd)
    };
    let meta_paths = Arc::new(metadata_paths(docs));
    let (mut a, addr_a, _) = replica("a");
    let one = rt.block_on(load(addr_a, meta_paths.clone(), seconds));
    let (mut b, addr_b, _) = replica("b");
    let two = rt.block_on(async {
        let half = CONNECTIONS / 2;
        let (x, y) = tokio::join!(
            load_over(addr_a, meta_paths.clone(), seconds, half),
            load_over(addr_b, meta_paths.clone(), seconds, half)
        );
        LoadResult { requests: x.requests + y.requests, bytes: x.bytes + y.bytes, seconds: x.seconds.max(y.seconds) }
    });
    for server in [&mut a, &mut b] {
        let _ = server.kill();
        let _ = server.wait();
    }

    // migrate: SQLite -> a new PostgreSQL schema, and back into a new SQLite file.
    let target = TestSchema::create("bench_migrated").expect("the same database as above");
    let sqlite_url = format!("sqlite:///{}", sqlite_data.join("registry.db").display());
    let into_pg = timed({
        let mut cmd = Command::new(exe);
        cmd.args(["migrate", "--from", &sqlite_url, "--to", &target.url, "--json"]);
        cmd
    });
    let back_url = format!("sqlite:///{}", work.path().join("back.db").display());
    let back = timed({
        let mut cmd = Command::new(exe);
        cmd.args(["migrate", "--from", &target.url, "--to", &back_url, "--json"]);
        cmd
    });
    let base = std::env::var("REVITPY_TEST_POSTGRES_URL").unwrap();
    let dump = timed({
        let mut cmd = Command::new("pg_dump");
        cmd.args(["--dbname", &base, "--schema", &target.schema, "--file"]).arg(work.path().join("dump.sql"));
        cmd
    });
    let rows: i64 = {
        let conn = rusqlite::Connection::open(sqlite_data.join("registry.db")).unwrap();
        conn.query_row(
            "SELECT (SELECT COUNT(*) FROM packages) + (SELECT COUNT(*) FROM versions) + (SELECT COUNT(*) FROM changes) \
             + (SELECT COUNT(*) FROM package_owners) + (SELECT COUNT(*) FROM users)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };

    let total = packages + SINGLE_PUBLISHES;
    println!("packages: {total}; 2 cores shared by the bench, the server(s) and PostgreSQL");
    println!("| figure | PostgreSQL | SQLite (same run) | PostgreSQL / SQLite |");
    println!("| --- | --- | --- | --- |");
    let row = |what: &str, pg: f64, lite: f64, unit: &str| {
        println!("| {what} | {pg:.2}{unit} | {lite:.2}{unit} | {:.2} |", pg / lite);
    };
    row(
        &format!("seed {packages} packages, {BATCH} a transaction (s)"),
        on_pg.seed.as_secs_f64(),
        on_sqlite.seed.as_secs_f64(),
        "",
    );
    row(
        &format!("publishes/s, one a transaction, {PUBLISH_TASKS} writers"),
        on_pg.publishes_per_second,
        on_sqlite.publishes_per_second,
        "",
    );
    row("reindex (s)", on_pg.reindex.as_secs_f64(), on_sqlite.reindex.as_secs_f64(), "");
    row("package metadata latency p50, one connection (ms)", on_pg.meta_p50, on_sqlite.meta_p50, "");
    row("package metadata latency p99, one connection (ms)", on_pg.meta_p99, on_sqlite.meta_p99, "");
    row("package metadata requests/s, 32 connections", on_pg.meta.per_second(), on_sqlite.meta.per_second(), "");
    row("searches/s, 32 connections", on_pg.search.per_second(), on_sqlite.search.per_second(), "");
    println!();
    println!("| figure | two replicas | one replica (same run) | two / one |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| package metadata requests/s on PostgreSQL, 32 connections in all | {:.0} | {:.0} | {:.2} |",
        two.per_second(),
        one.per_second(),
        two.per_second() / one.per_second()
    );
    println!();
    println!("| figure | time | rows/s | baseline: pg_dump of the same schema |");
    println!("| --- | --- | --- | --- |");
    for (what, took) in [("migrate SQLite -> PostgreSQL", into_pg), ("migrate PostgreSQL -> SQLite", back)] {
        println!(
            "| {what}, {total} packages ({rows} rows in the main tables), compared row by row at the end | {:.2} s | {:.0} | {:.2} s |",
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64(),
            dump.as_secs_f64()
        );
    }
}
