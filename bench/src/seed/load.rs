//! Writing rows fast on either backend: SQLite through one connection with
//! multi-row `INSERT`s in large transactions, PostgreSQL through `COPY`.
//! Bypasses Loggia's store on purpose (one statement per row would take
//! an hour); the rows are built to be exactly what the store would write.

use std::fmt::Write as _;
use std::str::FromStr;

use anyhow::{Context, Result};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, SqliteConnection};

use crate::backend::{Database, Kind};

#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Bool(bool),
    Null,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::Null, Value::Int)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

pub type Row = Vec<Value>;

pub enum Loader {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// SQLite's limit on parameters per statement is 32,766.
const SQLITE_PARAMS: usize = 30_000;

impl Loader {
    /// One connection set up for loading. SQLite: no journal and no syncs
    /// (a crash mid-load leaves a broken file, but this file is new and
    /// disposable), foreign keys unchecked on this connection only (the
    /// rows are consistent by construction; the smoke run checks them),
    /// a 1 GB page cache. `finish` puts the WAL back.
    pub async fn connect(db: &Database) -> Result<Self> {
        match db.kind {
            Kind::Sqlite => {
                let options = SqliteConnectOptions::from_str(&db.url)?.foreign_keys(false);
                let mut conn = SqliteConnection::connect_with(&options)
                    .await
                    .with_context(|| format!("opening {}", db.url))?;
                for pragma in [
                    "PRAGMA journal_mode = OFF",
                    "PRAGMA synchronous = OFF",
                    "PRAGMA cache_size = -1048576",
                    "PRAGMA temp_store = MEMORY",
                ] {
                    conn.execute(pragma).await?;
                }
                Ok(Loader::Sqlite(conn))
            }
            Kind::Postgres => {
                let mut conn = PgConnection::connect(&db.url)
                    .await
                    .with_context(|| format!("connecting to {}", db.url))?;
                // Durability of each load transaction buys nothing here.
                conn.execute("SET synchronous_commit = off").await?;
                // For the indexes built after the load.
                conn.execute("SET maintenance_work_mem = '256MB'").await?;
                // Foreign key checks are one query per row and take four
                // fifths of the load; a superuser may skip them (the rows
                // are consistent by construction, as the SQLite smoke run's
                // check shows). Others load with the checks.
                if let Err(e) = conn.execute("SET session_replication_role = replica").await {
                    eprintln!("seed: loading with foreign key checks (slower): {e}");
                }
                Ok(Loader::Postgres(conn))
            }
        }
    }

    pub async fn insert(&mut self, table: &str, columns: &[&str], rows: &[Row]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        match self {
            Loader::Sqlite(conn) => sqlite_insert(conn, table, columns, rows).await,
            Loader::Postgres(conn) => {
                let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
                copy(conn, &sql, rows).await
            }
        }
        .with_context(|| format!("loading {} rows into {table}", rows.len()))
    }

    /// Statuses, each row ending with its text folded for search (one value
    /// more than `columns`). SQLite's FTS5 triggers index them as they go
    /// in; PostgreSQL's `search_vector` is filled as Loggia's store fills
    /// it, from the folded text, through a staging table (`COPY` cannot
    /// call `to_tsvector`).
    pub async fn insert_statuses(&mut self, columns: &[&str], rows: &[Row]) -> Result<()> {
        match self {
            Loader::Sqlite(conn) => {
                let trimmed: Vec<Row> = rows.iter().map(|r| r[..columns.len()].to_vec()).collect();
                sqlite_insert(conn, "statuses", columns, &trimmed).await
            }
            Loader::Postgres(conn) => {
                let list = columns.join(", ");
                conn.execute(AssertSqlSafe(format!(
                    "CREATE TEMP TABLE IF NOT EXISTS statuses_load AS
                     SELECT {list}, ''::text AS folded FROM statuses WITH NO DATA"
                )))
                .await?;
                copy(
                    conn,
                    &format!("COPY statuses_load ({list}, folded) FROM STDIN"),
                    rows,
                )
                .await?;
                conn.execute(AssertSqlSafe(format!(
                    "INSERT INTO statuses ({list}, search_vector)
                     SELECT {list}, to_tsvector('simple', folded) FROM statuses_load;
                     TRUNCATE statuses_load"
                )))
                .await?;
                Ok(())
            }
        }
        .with_context(|| format!("loading {} statuses", rows.len()))
    }

    /// Runs one statement (index changes around a bulk load).
    pub async fn execute(&mut self, sql: &'static str) -> Result<()> {
        match self {
            Loader::Sqlite(conn) => {
                conn.execute(sql).await?;
            }
            Loader::Postgres(conn) => {
                conn.execute(sql).await?;
            }
        }
        Ok(())
    }

    /// Fresh statistics for the planners; SQLite gets its WAL back. On
    /// SQLite they are gathered as Loggia's housekeeping gathers them
    /// (`Store::refresh_statistics`): sampled, without STAT4, so that the
    /// planner sees what it would in production.
    pub async fn finish(self) -> Result<()> {
        match self {
            Loader::Sqlite(mut conn) => {
                conn.execute("PRAGMA analysis_limit = 1000").await?;
                conn.execute("ANALYZE").await?;
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.close().await?;
            }
            Loader::Postgres(mut conn) => {
                conn.execute("DROP TABLE IF EXISTS statuses_load").await?;
                conn.execute("ANALYZE").await?;
                conn.close().await?;
            }
        }
        Ok(())
    }

    /// Foreign keys that point nowhere (SQLite; loading did not check them).
    pub async fn foreign_key_violations(&mut self) -> Result<usize> {
        match self {
            Loader::Sqlite(conn) => {
                let rows = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await?;
                Ok(rows.len())
            }
            Loader::Postgres(_) => Ok(0),
        }
    }
}

/// Multi-row `INSERT`s (as many rows per statement as the parameter limit
/// allows), in one transaction.
async fn sqlite_insert(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    rows: &[Row],
) -> Result<()> {
    let per_statement = (SQLITE_PARAMS / columns.len()).max(1);
    let mut tx = conn.begin().await?;
    for chunk in rows.chunks(per_statement) {
        let tuple = format!("({})", vec!["?"; columns.len()].join(", "));
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&tuple);
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(row.len(), columns.len());
            for value in row {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.as_str()),
                    Value::Bool(v) => query.bind(*v),
                    Value::Null => query.bind(None::<i64>),
                };
            }
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `COPY … FROM STDIN` in text format, sent in pieces of about 1 MB.
async fn copy(conn: &mut PgConnection, sql: &str, rows: &[Row]) -> Result<()> {
    let mut copy = conn.copy_in_raw(sql).await?;
    let mut buffer = String::with_capacity(1 << 20);
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                buffer.push('\t');
            }
            match value {
                Value::Int(v) => {
                    let _ = write!(buffer, "{v}");
                }
                Value::Bool(v) => buffer.push(if *v { 't' } else { 'f' }),
                Value::Null => buffer.push_str("\\N"),
                Value::Text(v) => escape_copy_text(&mut buffer, v),
            }
        }
        buffer.push('\n');
        if buffer.len() >= 1 << 20 {
            copy.send(buffer.as_bytes()).await?;
            buffer.clear();
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// COPY's text format gives backslash, tab, newline and carriage return a
/// meaning; everything else goes as it is.
fn escape_copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_is_escaped() {
        let mut out = String::new();
        super::escape_copy_text(&mut out, "a\tb\\c\nd\re");
        assert_eq!(out, "a\\tb\\\\c\\nd\\re");
    }
}
