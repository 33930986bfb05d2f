//! Inbound bookkeeping: activity ids already processed, and reports
//! (`Flag`) received from other servers.

use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Timestamp};

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

    /// Records a report; false if this report (by uri) exists already.
    pub async fn report(
        mut self,
        reporter: AccountId,
        target: AccountId,
        status_uris: &[String],
        comment: &str,
        uri: Option<&str>,
    ) -> StoreResult<bool> {
        let id = self.0.next_id();
        let n = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO reports (id, account_id, target_account_id, status_uris, comment, uri, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (uri) DO NOTHING",
        )
        .bind(id)
        .bind(reporter)
        .bind(target)
        .bind(serde_json::to_string(status_uris).unwrap_or_else(|_| "[]".into()))
        .bind(comment)
        .bind(uri)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Reports about an account (for moderation and tests).
    pub async fn reports_about(
        mut self,
        target: AccountId,
    ) -> StoreResult<Vec<(AccountId, String)>> {
        let rows = run!(self.0.exec, e => sqlx::query_as(
            "SELECT account_id, comment FROM reports WHERE target_account_id = $1 ORDER BY id",
        )
        .bind(target)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }
}
