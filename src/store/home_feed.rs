//! The materialised home feeds (`home_feed`): fan-out when a status is
//! posted, merging and unmerging when follows change, and housekeeping.
//! More methods of `Statuses`; reading a home feed is `Statuses::home`.

use sqlx::AssertSqlSafe;

use super::statuses::{Statuses, VISIBLE};
use super::{Exec, StoreResult, run};
use crate::model::{AccountId, Status, StatusId};

impl Statuses<'_> {
    /// Puts a status into the home feeds of every local follower (with
    /// reblogs shown, for a reblog) and of its local author, in one
    /// statement — unless its author has more than `limit` local followers.
    /// Such an author is marked as having a wide audience (for good), and
    /// home timelines read its statuses when they are read (`home`): one
    /// write per post instead of one per follower, each on a different
    /// page of the feed's B-tree. Returns the rows written.
    pub async fn fan_out_to_followers(mut self, status: &Status, limit: u32) -> StoreResult<u64> {
        // The count stops at `limit + 1`, and is not taken once marked.
        let (marked, followers): (bool, i64) = run!(self.0.exec, e => sqlx::query_as(
            "SELECT a.wide_audience, CASE WHEN a.wide_audience THEN 0 ELSE (
                 SELECT COUNT(*) FROM (SELECT 1 FROM follows f
                     JOIN users u ON u.account_id = f.account_id
                     WHERE f.target_account_id = $1 LIMIT +$2) c) END
             FROM accounts a WHERE a.id = $1",
        )
        .bind(status.account_id)
        .bind(i64::from(limit) + 1)
        .fetch_one(e)
        .await)?;
        let wide = marked || followers > i64::from(limit);
        if wide && !marked {
            run!(self.0.exec, e => sqlx::query(
                "UPDATE accounts SET wide_audience = TRUE WHERE id = $1",
            )
            .bind(status.account_id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        let reblog = status.reblog_of_id.is_some();
        let done = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO home_feed (account_id, status_id)
             SELECT f.account_id, $1 FROM follows f JOIN users u ON u.account_id = f.account_id
             WHERE f.target_account_id = $2 AND NOT $5 AND (NOT $3 OR f.show_reblogs)
             UNION SELECT $2, $1 WHERE $4
             ON CONFLICT DO NOTHING",
        )
        .bind(status.id)
        .bind(status.account_id)
        .bind(reblog)
        .bind(status.local)
        .bind(wide)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Puts the latest `limit` statuses of `author` that `follower` may see
    /// into the follower's home feed (on follow, as Mastodon merges them).
    pub async fn merge_into_home(
        mut self,
        follower: AccountId,
        author: AccountId,
        limit: i64,
    ) -> StoreResult<u64> {
        let sql = format!(
            "INSERT INTO home_feed (account_id, status_id)
             SELECT $1, s.id FROM statuses s
             WHERE s.account_id = $3 AND s.visibility <> 'direct' AND {VISIBLE}
             ORDER BY s.id DESC LIMIT +$4
             ON CONFLICT DO NOTHING"
        );
        let done = run!(self.0.exec, e => sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(follower)
            .bind(true)
            .bind(author)
            .bind(limit)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        // Older than housekeeping's next look (`home_feed_growth`), so
        // counted here.
        if done > 0 {
            run!(self.0.exec, e => sqlx::query(
                "UPDATE home_feed_sizes SET entries = entries + $2 WHERE account_id = $1",
            )
            .bind(follower)
            .bind(i64::try_from(done).unwrap_or(i64::MAX))
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(done)
    }

    /// Takes an account's statuses out of a home feed (on unfollow).
    pub async fn unmerge_from_home(
        mut self,
        follower: AccountId,
        author: AccountId,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "DELETE FROM home_feed WHERE account_id = $1
             AND status_id IN (SELECT id FROM statuses WHERE account_id = $2)",
        )
        .bind(follower)
        .bind(author)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The home feeds that got entries newer than `since`: how many each
    /// got, and the size recorded for it (`record_home_feed_sizes`), if any.
    /// Reads only what is new: a range of status ids (`home_feed_status`,
    /// or a skip-scan of the primary key where SQLite prefers it).
    pub async fn home_feed_growth(
        mut self,
        since: StatusId,
    ) -> StoreResult<Vec<(AccountId, i64, Option<i64>)>> {
        let rows = run!(self.0.exec, e => sqlx::query_as(
            "SELECT n.account_id, n.added, z.entries
             FROM (SELECT account_id, COUNT(*) AS added FROM home_feed
                 WHERE status_id > $1 GROUP BY account_id) n
             LEFT JOIN home_feed_sizes z ON z.account_id = n.account_id",
        )
        .bind(since)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// The entries of a home feed, counted up to `cap`.
    pub async fn home_feed_len(mut self, account: AccountId, cap: i64) -> StoreResult<i64> {
        let n = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM home_feed WHERE account_id = $1 LIMIT +$2) f",
        )
        .bind(account)
        .bind(cap)
        .fetch_one(e)
        .await)?;
        Ok(n)
    }

    /// Records home feeds' sizes (as housekeeping counted or estimated
    /// them), in one statement.
    pub async fn record_home_feed_sizes(mut self, sizes: &[(AccountId, i64)]) -> StoreResult<()> {
        if sizes.is_empty() {
            return Ok(());
        }
        let pairs = serde_json::Value::from(
            sizes
                .iter()
                .map(|(a, n)| serde_json::Value::from(vec![a.0, *n]))
                .collect::<Vec<_>>(),
        )
        .to_string();
        // `WHERE TRUE`: SQLite reads `ON` after a bare `SELECT … FROM` as
        // a join's.
        let sql = match &self.0.exec {
            Exec::SqlitePool(_) | Exec::Sqlite(_) => {
                "INSERT INTO home_feed_sizes (account_id, entries)
                 SELECT value ->> 0, value ->> 1 FROM json_each($1) WHERE TRUE
                 ON CONFLICT (account_id) DO UPDATE SET entries = excluded.entries"
            }
            Exec::PgPool(_) | Exec::Pg(_) => {
                "INSERT INTO home_feed_sizes (account_id, entries)
                 SELECT (p ->> 0)::bigint, (p ->> 1)::bigint FROM jsonb_array_elements($1::jsonb) p
                 ON CONFLICT (account_id) DO UPDATE SET entries = excluded.entries"
            }
        };
        run!(self.0.exec, e => sqlx::query(sql)
            .bind(&pairs)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Keeps only the newest `keep` entries of a home feed (older posts are
    /// still reachable through profiles and search).
    pub async fn trim_home(mut self, account: AccountId, keep: i64) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM home_feed WHERE account_id = $1 AND status_id < (
                 SELECT status_id FROM home_feed WHERE account_id = $1
                 ORDER BY status_id DESC LIMIT 1 OFFSET $2)",
        )
        .bind(account)
        .bind(keep - 1)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Puts a status into the home feed of one account.
    pub async fn add_to_home(mut self, account: AccountId, status: StatusId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO home_feed (account_id, status_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(account)
        .bind(status)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
