//! The registry's tables as rows of plain values, for copying a registry
//! between databases (`revitpy-registry migrate --from --to`): both
//! backends read any table in key order, a page at a time, and load pages
//! keeping every key, so a copy is row for row, serials and ids included
//! (clients following the change feed, tokens' ids in logs, the packages'
//! latest version all stay true).
//!
//! Not part of [`crate::Store`]: handlers never copy tables, and the row
//! form is deliberately untyped.

use async_trait::async_trait;

use crate::StoreResult;

/// What a column holds. SQLite stores booleans as integers; the kind says
/// which integers are booleans, so both sides read and write the same values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bool,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// The primary key's columns, which are also the first columns.
    pub key: &'static [&'static str],
    /// Every column, in the order rows hold them.
    pub columns: &'static [(&'static str, Kind)],
    /// The column that says when the row was made: with the key, how a copy
    /// recognises rows it made itself from the same registry.
    pub stamp: &'static str,
    /// Its key is a generated id (a PostgreSQL identity to move past the
    /// copied ids).
    pub generated_id: bool,
}

impl Table {
    pub fn column_names(&self) -> String {
        self.columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    }

    pub fn position(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|(name, _)| *name == column)
    }
}

use Kind::{Bool, Int, Text};

/// Every table, in an order that loads each after those it refers to. A
/// package's `latest_version_id` refers to a version loaded after it: it is
/// loaded empty and set by [`TableRows::set_latest_versions`] at the end.
pub static TABLES: &[Table] = &[
    Table {
        name: "users",
        key: &["id"],
        columns: &[("id", Int), ("name", Text), ("created_at", Text)],
        stamp: "created_at",
        generated_id: true,
    },
    Table {
        name: "tokens",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("label", Text),
            ("token_hash", Text),
            ("token_prefix", Text),
            ("scope", Text),
            ("package", Text),
            ("created_at", Text),
            ("last_used_at", Text),
            ("revoked_at", Text),
        ],
        stamp: "created_at",
        generated_id: true,
    },
    Table {
        name: "publisher_keys",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("key_id", Text),
            ("public_key", Text),
            ("created_at", Text),
            ("revoked_at", Text),
        ],
        stamp: "created_at",
        generated_id: true,
    },
    Table {
        name: "packages",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("name", Text),
            ("normalized_name", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("download_count", Int),
            ("latest_version_id", Int),
            ("require_signature", Bool),
        ],
        stamp: "created_at",
        generated_id: true,
    },
    Table {
        name: "package_owners",
        key: &["package_id", "user_id"],
        columns: &[("package_id", Int), ("user_id", Int), ("added_at", Text)],
        stamp: "added_at",
        generated_id: false,
    },
    Table {
        name: "versions",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("package_id", Int),
            ("version", Text),
            ("canonical_version", Text),
            ("is_prerelease", Bool),
            ("summary", Text),
            ("description", Text),
            ("author", Text),
            ("author_email", Text),
            ("license", Text),
            ("homepage_url", Text),
            ("repository_url", Text),
            ("documentation_url", Text),
            ("keywords", Text),
            ("categories", Text),
            ("package_type", Text),
            ("performance_impact", Text),
            ("requires_admin", Bool),
            ("min_revit", Int),
            ("max_revit", Int),
            ("tested_revit", Text),
            ("known_issues", Text),
            ("dependencies", Text),
            ("manifest", Text),
            ("filename", Text),
            ("file_size", Int),
            ("file_sha256", Text),
            ("security_scan_status", Text),
            ("security_scan", Text),
            ("digital_signature", Text),
            ("yanked", Bool),
            ("yanked_reason", Text),
            ("download_count", Int),
            ("published_by", Int),
            ("created_at", Text),
            ("signature_key_id", Text),
        ],
        stamp: "created_at",
        generated_id: true,
    },
    Table {
        name: "changes",
        key: &["serial"],
        columns: &[
            ("serial", Int),
            ("package_id", Int),
            ("normalized_name", Text),
            ("kind", Text),
            ("version", Text),
            ("at", Text),
        ],
        stamp: "at",
        generated_id: false,
    },
    Table {
        name: "index_roots",
        key: &["version"],
        columns: &[("version", Int), ("envelope", Text), ("created_at", Text)],
        stamp: "created_at",
        generated_id: false,
    },
];

/// The one column a load leaves empty (see [`TABLES`]).
pub const LOADED_EMPTY: (&str, &str) = ("packages", "latest_version_id");

/// Reading and loading tables as rows; both stores implement it.
#[async_trait]
pub trait TableRows: Send + Sync {
    /// At most `limit` rows of `table` with a key above `after` (every row
    /// when `after` is empty), in key order.
    async fn rows_after(&self, table: &'static Table, after: &[Cell], limit: usize) -> StoreResult<Vec<Vec<Cell>>>;
    /// The row with the largest key, if any.
    async fn last_row(&self, table: &'static Table) -> StoreResult<Option<Vec<Cell>>>;
    /// The row with this key, if any.
    async fn row_with_key(&self, table: &'static Table, key: &[Cell]) -> StoreResult<Option<Vec<Cell>>>;
    /// Inserts rows as they are (keys included), in one transaction;
    /// rows whose key exists are skipped. Returns how many were inserted.
    async fn load_rows(&self, table: &'static Table, rows: Vec<Vec<Cell>>) -> StoreResult<usize>;
    /// Points packages at their latest versions: `(package id, version id)`.
    async fn set_latest_versions(&self, latest: Vec<(i64, Option<i64>)>) -> StoreResult<()>;
}

/// `WHERE (k1, k2) > (p1, p2)` (or another comparison) with the backend's
/// placeholder for number `i`.
fn key_clause(table: &Table, op: &str, key: &[Cell], placeholder: impl Fn(usize) -> String) -> String {
    if key.is_empty() {
        return String::new();
    }
    let params: Vec<String> = (1..=key.len()).map(&placeholder).collect();
    format!("WHERE ({}) {op} ({})", table.key.join(", "), params.join(", "))
}

/// `SELECT` for [`TableRows::row_with_key`].
pub(crate) fn select_key(table: &Table, key: &[Cell], placeholder: impl Fn(usize) -> String) -> String {
    format!("SELECT {} FROM {} {}", table.column_names(), table.name, key_clause(table, "=", key, placeholder))
}

/// `SELECT` for [`TableRows::rows_after`]; the limit is the last placeholder.
pub(crate) fn select_after(table: &Table, after: &[Cell], placeholder: impl Fn(usize) -> String) -> String {
    let limit = placeholder(after.len() + 1);
    format!(
        "SELECT {} FROM {} {} ORDER BY {} LIMIT {limit}",
        table.column_names(),
        table.name,
        key_clause(table, ">", after, &placeholder),
        table.key.join(", ")
    )
}

/// `INSERT` of one row for [`TableRows::load_rows`].
pub(crate) fn insert_row(table: &Table, placeholder: impl Fn(usize) -> String) -> String {
    let params: Vec<String> = (1..=table.columns.len()).map(placeholder).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING",
        table.name,
        table.column_names(),
        params.join(", "),
        table.key.join(", ")
    )
}

/// A row's cells, each read by its column's kind through the backend's
/// getters (`int`, `text`, `boolean` take the column's index).
pub(crate) fn read_row<E>(
    table: &Table,
    int: impl Fn(usize) -> Result<Option<i64>, E>,
    text: impl Fn(usize) -> Result<Option<String>, E>,
    boolean: impl Fn(usize) -> Result<Option<bool>, E>,
) -> Result<Vec<Cell>, E> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Int => int(i)?.map_or(Cell::Null, Cell::Int),
                Kind::Text => text(i)?.map_or(Cell::Null, Cell::Text),
                Kind::Bool => boolean(i)?.map_or(Cell::Null, Cell::Bool),
            })
        })
        .collect()
}

/// The row as loaded: [`LOADED_EMPTY`]'s column emptied.
pub(crate) fn as_loaded(table: &Table, mut row: Vec<Cell>) -> Vec<Cell> {
    if table.name == LOADED_EMPTY.0
        && let Some(i) = table.position(LOADED_EMPTY.1)
        && let Some(cell) = row.get_mut(i)
    {
        *cell = Cell::Null;
    }
    row
}
