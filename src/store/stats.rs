//! Counts for instance discovery (NodeInfo, `/api/v1/instance`).

use super::{StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(Stats);

#[derive(Debug, Clone, Copy, Default)]
pub struct InstanceStats {
    pub users: i64,
    pub active_month: i64,
    pub active_half_year: i64,
    pub local_statuses: i64,
    pub domains: i64,
}

impl Stats<'_> {
    /// Posts of an account that anyone may see (its outbox).
    pub async fn public_statuses_of(
        mut self,
        account: crate::model::AccountId,
    ) -> StoreResult<i64> {
        let n: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT COUNT(*) FROM statuses WHERE account_id = $1 AND NOT local_only
                AND review_state = 'published' AND visibility IN ('public', 'unlisted')",
        )
        .bind(account)
        .fetch_one(e)
        .await)?;
        Ok(n)
    }

    pub async fn instance(mut self) -> StoreResult<InstanceStats> {
        let now = Timestamp::now();
        let month_ago = now.plus_seconds(-30 * 24 * 3600);
        let half_year_ago = now.plus_seconds(-182 * 24 * 3600);
        let (users, active_month, active_half_year): (i64, i64, i64) = run!(self.0.exec, e => sqlx::query_as(
            "SELECT COUNT(*),
                    COUNT(*) FILTER (WHERE last_sign_in_at >= $1),
                    COUNT(*) FILTER (WHERE last_sign_in_at >= $2)
             FROM users WHERE NOT disabled",
        )
        .bind(month_ago)
        .bind(half_year_ago)
        .fetch_one(e)
        .await)?;
        // As Mastodon counts them: the local accounts' own counters, not a
        // scan of every status (a million of them took ~100 ms).
        let local_statuses: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(statuses_count), 0) AS BIGINT) FROM accounts WHERE domain IS NULL",
        )
        .fetch_one(e)
        .await)?;
        let domains: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT COUNT(DISTINCT domain) FROM accounts WHERE domain IS NOT NULL",
        )
        .fetch_one(e)
        .await)?;
        Ok(InstanceStats {
            users,
            active_month,
            active_half_year,
            local_statuses,
            domains,
        })
    }
}
