//! Failed sign-in attempts, counted per key within a time window. Kept in
//! the database so every node of a deployment sees the same counts.

use super::{StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(Throttle);

impl Throttle<'_> {
    /// Records an attempt; returns its id so that it can be forgotten.
    pub async fn record_failure(mut self, key: &str) -> StoreResult<i64> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO sign_in_failures (id, throttle_key, created_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(key)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Forgets one recorded attempt.
    pub async fn forget(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Failures for `key` since `since`, and the time of the oldest of them.
    pub async fn failures_since(
        mut self,
        key: &str,
        since: Timestamp,
    ) -> StoreResult<(i64, Option<Timestamp>)> {
        let row: (i64, Option<Timestamp>) = run!(self.0.exec, e => sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM sign_in_failures
             WHERE throttle_key = $1 AND created_at >= $2",
        )
        .bind(key)
        .bind(since)
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn clear(mut self, key: &str) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM sign_in_failures WHERE throttle_key = $1")
            .bind(key)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets failures older than `before`.
    pub async fn prune(mut self, before: Timestamp) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query("DELETE FROM sign_in_failures WHERE created_at < $1")
            .bind(before)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
