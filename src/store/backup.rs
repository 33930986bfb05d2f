//! The SQL behind `loggia backup` and `loggia restore` (the files, the
//! media and `pg_dump` are `ops::backup`'s business). Each function opens a
//! connection of its own: a backup must not create a missing database, and
//! a restore must see whether anyone else holds the file.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Connection, PgConnection, SqliteConnection};

use super::StoreResult;

fn sqlite_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
}

/// Writes a consistent copy of the SQLite database at `url` to `dest` (which
/// must not exist) with `VACUUM INTO`: one read transaction, so concurrent
/// writers go on and the copy holds exactly the commits before it began,
/// including those still in the WAL file.
pub async fn sqlite_snapshot(url: &str, dest: &str) -> StoreResult<()> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// What `sqlite_verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum SqliteCheck {
    /// SQLite's own check passes; this many migrations are applied.
    Intact { migrations: i64 },
    /// SQLite's check failed with this message.
    Damaged(String),
    /// A sound SQLite file without Loggia's migration table.
    NotLoggia,
}

/// Checks that `path` is an intact Loggia database.
pub async fn sqlite_verify(path: &Path) -> StoreResult<SqliteCheck> {
    let mut conn = SqliteConnection::connect_with(&sqlite_options(path).read_only(true)).await?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await?;
    let found = if check != "ok" {
        SqliteCheck::Damaged(check)
    } else {
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_or(SqliteCheck::NotLoggia, |migrations| SqliteCheck::Intact {
                migrations,
            })
    };
    conn.close().await?;
    Ok(found)
}

/// Whether another process has the SQLite database at `path` open (a
/// running `loggia serve`). In WAL mode every open connection holds a lock
/// that an exclusive-mode transaction cannot get past, so this fails fast
/// instead of waiting.
pub async fn sqlite_in_use(path: &Path) -> StoreResult<bool> {
    let options = sqlite_options(path)
        .journal_mode(SqliteJournalMode::Wal)
        .locking_mode(sqlx::sqlite::SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::ZERO);
    let mut conn = match SqliteConnection::connect_with(&options).await {
        Ok(conn) => conn,
        Err(e) if is_busy(&e) => return Ok(true),
        Err(e) => return Err(e.into()),
    };
    let locked = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
    let in_use = match locked {
        Ok(_) => {
            sqlx::query("ROLLBACK").execute(&mut conn).await?;
            false
        }
        Err(e) if is_busy(&e) => true,
        Err(e) => return Err(e.into()),
    };
    conn.close().await?;
    Ok(in_use)
}

fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5 || code & 0xff == 6)
}

/// Whether the PostgreSQL database at `url` holds no tables of its own (a
/// `pg_restore` target must be empty, or it would mix two instances).
pub async fn postgres_is_empty(url: &str) -> StoreResult<bool> {
    let mut conn = PgConnection::connect(url).await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_catalog.pg_tables \
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    Ok(tables == 0)
}
