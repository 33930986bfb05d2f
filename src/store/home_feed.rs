//! The materialised home feeds (`home_feed`): fan-out when a status is
//! posted, merging and unmerging when follows change, and housekeeping.
//! More methods of `Statuses`; reading a home feed is `Statuses::home`.

use sqlx::AssertSqlSafe;

use super::statuses::{Statuses, VISIBLE};
use super::{StoreResult, run};
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

    /// Accounts whose home feed holds more than `keep` entries, among those
    /// that got entries newer than `since`: a feed only grows by getting
    /// entries, so housekeeping reads what arrived since its last pass
    /// (index `home_feed_status`) instead of counting every feed. A feed is
    /// overfull when its entry number `keep + 1` exists: that stops at
    /// `keep` entries where a count read all of them (half the time on a
    /// database of 10,000 feeds of ~800).
    pub async fn overfull_home_feeds(
        mut self,
        keep: i64,
        since: StatusId,
    ) -> StoreResult<Vec<AccountId>> {
        let rows = run!(self.0.exec, e => sqlx::query_scalar::<_, AccountId>(
            "SELECT fed.account_id
             FROM (SELECT DISTINCT account_id FROM home_feed WHERE status_id > $2) fed
             WHERE EXISTS (SELECT 1 FROM home_feed h WHERE h.account_id = fed.account_id
                 ORDER BY h.status_id DESC LIMIT 1 OFFSET $1)",
        )
        .bind(keep)
        .bind(since)
        .fetch_all(e)
        .await)?;
        Ok(rows)
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
