//! Inbound bookkeeping: activity ids already processed. (Reports received
//! as `Flag` live in `reports`.)

use super::{StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(Received);

impl Received<'_> {
    /// Remembers an activity id; false if it was already processed.
    pub async fn first_time(mut self, uri: &str) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO received_activities (uri, received_at) VALUES ($1, $2)
             ON CONFLICT (uri) DO NOTHING",
        )
        .bind(uri)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Forgets an activity id (its processing failed and may be retried).
    pub async fn forget(mut self, uri: &str) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM received_activities WHERE uri = $1")
            .bind(uri).execute(e).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Drops ids older than `before` (redeliveries stop after days).
    pub async fn prune(mut self, before: Timestamp) -> StoreResult<u64> {
        let n = run!(self.0.exec, e => sqlx::query("DELETE FROM received_activities WHERE received_at < $1")
            .bind(before).execute(e).await.map(|r| r.rows_affected()))?;
        Ok(n)
    }
}
