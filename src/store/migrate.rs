//! Embedded migrations, one set per dialect (see `migrations/README.md`),
//! and applying them once when several processes start at the same time.

use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::Migrator;

use super::{Db, Store, StoreError, StoreResult};

pub static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a process waits for another one migrating a SQLite database
/// (in rounds of the connection's 10-second busy timeout).
const SQLITE_LOCK_ROUNDS: u32 = 60;

impl Store {
    /// Applies pending migrations exactly once however many nodes start
    /// at the same moment; the others wait, then find nothing to do.
    ///
    /// - PostgreSQL: sqlx's migrator holds a session advisory lock
    ///   (`pg_advisory_lock`, keyed by the database name) from before it
    ///   reads the applied versions until after the last migration.
    /// - SQLite: sqlx takes no lock, so two processes on one file would both
    ///   apply the first migration and one would fail. The whole run is one
    ///   `BEGIN EXCLUSIVE` transaction instead (each migration a savepoint
    ///   in it): a second process waits for the first to commit.
    pub async fn migrate_exclusively(&self) -> StoreResult<()> {
        let writer = match (&self.db, &self.writer) {
            (Db::Sqlite(_), Some(writer)) => writer,
            _ => return self.migrate().await,
        };
        // The pool's connections only read (see `Store::connect`).
        let mut turn = writer.exclusive(Duration::from_secs(10)).await?;
        let conn = turn.conn();
        let mut rounds = 0;
        let mut tx = loop {
            match conn.begin_with("BEGIN EXCLUSIVE").await {
                Ok(tx) => break tx,
                Err(e) if is_busy(&e) && rounds < SQLITE_LOCK_ROUNDS => {
                    rounds += 1;
                    tracing::info!("another process is migrating the database; waiting");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        SQLITE.run(&mut *tx).await?;
        tx.commit().await.map_err(StoreError::from)
    }
}

impl Store {
    /// Takes a number for this node start and puts it in the ids this store
    /// makes (see `model::id`). Call it once the schema is migrated, before
    /// the node writes anything.
    pub async fn claim_id_node(&self) -> StoreResult<()> {
        let now = crate::model::Timestamp::now();
        let mut tx = self.begin().await?;
        let (mut exec, _) = tx.parts();
        let number: i64 = super::run!(exec, e => sqlx::query_scalar(
            "INSERT INTO node_starts (started_at) VALUES ($1) RETURNING id",
        )
        .bind(now)
        .fetch_one(e)
        .await)?;
        // Only the latest starts matter; the table stays small.
        super::run!(exec, e => sqlx::query("DELETE FROM node_starts WHERE id < $1")
            .bind(number - 1000)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.ids.set_node(number as u64);
        Ok(())
    }
}

/// SQLITE_BUSY, with or without an extended code.
/// SQLITE_BUSY, with its extended codes.
pub(super) fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(m: &Migrator) -> Vec<(i64, String)> {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    #[test]
    fn both_dialects_hold_the_same_migrations() {
        assert_eq!(versions(&SQLITE), versions(&POSTGRES));
        assert!(!versions(&SQLITE).is_empty());
    }

    #[test]
    fn versions_are_numbered_without_gaps() {
        for (i, (version, _)) in versions(&SQLITE).iter().enumerate() {
            assert_eq!(
                *version,
                i as i64 + 1,
                "migration numbers must be 1, 2, 3, …"
            );
        }
    }
}
