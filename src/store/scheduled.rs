//! Scheduled statuses: posts waiting for their time.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Page, Timestamp};

sub_store!(Scheduled);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduledStatus {
    pub id: i64,
    pub account_id: AccountId,
    pub scheduled_at: Timestamp,
    /// JSON of `service::scheduled::Params`.
    pub params: String,
    pub claimed_until: Option<Timestamp>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

impl Scheduled<'_> {
    pub async fn insert(
        mut self,
        account: AccountId,
        at: Timestamp,
        params: &str,
    ) -> StoreResult<ScheduledStatus> {
        let id = self.0.next_id();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, ScheduledStatus>(
            "INSERT INTO scheduled_statuses (id, account_id, scheduled_at, params, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING *",
        )
        .bind(id)
        .bind(account)
        .bind(at)
        .bind(params)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn of(mut self, account: AccountId, id: i64) -> StoreResult<Option<ScheduledStatus>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, ScheduledStatus>(
            "SELECT * FROM scheduled_statuses WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn page(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<ScheduledStatus>> {
        let sql = keyset(
            "SELECT * FROM scheduled_statuses WHERE account_id = $1",
            "id",
            2,
            page,
        );
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, ScheduledStatus>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    pub async fn reschedule(
        mut self,
        account: AccountId,
        id: i64,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE scheduled_statuses SET scheduled_at = $3, attempts = 0, last_error = NULL
             WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account)
        .bind(at)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn delete(mut self, account: AccountId, id: i64) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM scheduled_statuses WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Due posts no node holds, oldest first.
    pub async fn due(
        mut self,
        now: Timestamp,
        max_attempts: i64,
        limit: i64,
    ) -> StoreResult<Vec<ScheduledStatus>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, ScheduledStatus>(
            "SELECT * FROM scheduled_statuses
             WHERE scheduled_at <= $1 AND attempts < $2
               AND (claimed_until IS NULL OR claimed_until < $1)
             ORDER BY scheduled_at LIMIT +$3",
        )
        .bind(now)
        .bind(max_attempts)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Holds a due post for `until`; false if another node holds it.
    pub async fn claim(mut self, id: i64, now: Timestamp, until: Timestamp) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE scheduled_statuses SET claimed_until = $3
             WHERE id = $1 AND (claimed_until IS NULL OR claimed_until < $2)",
        )
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Publishing failed: the error is kept for the author to see.
    pub async fn failed(mut self, id: i64, error: &str) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE scheduled_statuses SET attempts = attempts + 1, last_error = $2, claimed_until = NULL
             WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Published: the schedule is done.
    pub async fn done(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
