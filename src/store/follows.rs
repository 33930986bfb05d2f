//! Follows, follow requests, blocks and mutes between accounts.

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::model::{Account, AccountId, Page, Timestamp};
use sqlx::AssertSqlSafe;

sub_store!(Follows);

/// Options of a follow (`reblogs`, `notify`).
#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub show_reblogs: bool,
    pub notify: bool,
    /// The `Follow` activity's id, for follows that crossed servers.
    pub uri: Option<String>,
}

/// What one account is to another, as `GET /api/v1/accounts/relationships` needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relationship {
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    #[sqlx(flatten)]
    account: Account,
    link_id: i64,
}

impl Follows<'_> {
    /// Creates a follow, or updates its options; returns whether it is new.
    /// Decided by the insert itself, so two concurrent follows cannot both
    /// count as new.
    pub async fn follow(
        mut self,
        account: AccountId,
        target: AccountId,
        options: FollowOptions,
    ) -> StoreResult<bool> {
        let id = self.0.next_id();
        let inserted = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO follows (id, account_id, target_account_id, show_reblogs, notify, created_at, uri)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (account_id, target_account_id) DO NOTHING",
        )
        .bind(id)
        .bind(account)
        .bind(target)
        .bind(options.show_reblogs)
        .bind(options.notify)
        .bind(Timestamp::now())
        .bind(&options.uri)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        if inserted == 0 {
            run!(self.0.exec, e => sqlx::query(
                "UPDATE follows SET show_reblogs = $3, notify = $4 WHERE account_id = $1 AND target_account_id = $2",
            )
            .bind(account)
            .bind(target)
            .bind(options.show_reblogs)
            .bind(options.notify)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(inserted == 1)
    }

    /// Whether any local user follows `account`.
    pub async fn has_local_followers(mut self, account: AccountId) -> StoreResult<bool> {
        let found: Option<i64> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT f.id FROM follows f JOIN users u ON u.account_id = f.account_id
             WHERE f.target_account_id = $1 LIMIT 1",
        )
        .bind(account)
        .fetch_optional(e)
        .await)?;
        Ok(found.is_some())
    }

    /// Whether an account of another server follows `account` (not one
    /// suspended, alone or with its server).
    pub async fn has_remote_followers(mut self, account: AccountId) -> StoreResult<bool> {
        let found: Option<i64> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT f.id FROM follows f JOIN accounts a ON a.id = f.account_id
             WHERE f.target_account_id = $1 AND a.domain IS NOT NULL
                AND a.suspended_at IS NULL AND a.domain_limit < 2 LIMIT 1",
        )
        .bind(account)
        .fetch_optional(e)
        .await)?;
        Ok(found.is_some())
    }

    /// Local followers of `account` who asked to be notified of its posts.
    pub async fn subscribers(mut self, account: AccountId) -> StoreResult<Vec<AccountId>> {
        let rows = run!(self.0.exec, e => sqlx::query_scalar::<_, AccountId>(
            "SELECT f.account_id FROM follows f JOIN users u ON u.account_id = f.account_id
             WHERE f.target_account_id = $1 AND f.notify",
        )
        .bind(account)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Ends a follow; returns whether there was one.
    pub async fn unfollow(mut self, account: AccountId, target: AccountId) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2",
        )
        .bind(account)
        .bind(target)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records a follow request; returns whether it is new.
    pub async fn request(
        mut self,
        account: AccountId,
        target: AccountId,
        options: FollowOptions,
    ) -> StoreResult<bool> {
        let id = self.0.next_id();
        let done = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO follow_requests (id, account_id, target_account_id, show_reblogs, notify, created_at, uri)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, target_account_id) DO NOTHING",
        )
        .bind(id)
        .bind(account)
        .bind(target)
        .bind(options.show_reblogs)
        .bind(options.notify)
        .bind(Timestamp::now())
        .bind(&options.uri)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Removes a follow request; returns its options if there was one (only
    /// one of two concurrent calls gets them).
    pub async fn take_request(
        mut self,
        account: AccountId,
        target: AccountId,
    ) -> StoreResult<Option<FollowOptions>> {
        let found: Option<(bool, bool, Option<String>)> = run!(self.0.exec, e => sqlx::query_as(
            "DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2
             RETURNING show_reblogs, notify, uri",
        )
        .bind(account)
        .bind(target)
        .fetch_optional(e)
        .await)?;
        Ok(found.map(|(show_reblogs, notify, uri)| FollowOptions {
            show_reblogs,
            notify,
            uri,
        }))
    }

    /// Follower and target of the follow or request with this activity id.
    pub async fn by_uri(mut self, uri: &str) -> StoreResult<Option<(AccountId, AccountId)>> {
        let found = run!(self.0.exec, e => sqlx::query_as(
            "SELECT account_id, target_account_id FROM follow_requests WHERE uri = $1
             UNION ALL
             SELECT account_id, target_account_id FROM follows WHERE uri = $1",
        )
        .bind(uri)
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// The `Follow` activity id of a follow or pending request.
    pub async fn follow_uri(
        mut self,
        account: AccountId,
        target: AccountId,
    ) -> StoreResult<Option<String>> {
        let uri: Option<Option<String>> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT uri FROM follows WHERE account_id = $1 AND target_account_id = $2
             UNION ALL
             SELECT uri FROM follow_requests WHERE account_id = $1 AND target_account_id = $2",
        )
        .bind(account)
        .bind(target)
        .fetch_optional(e)
        .await)?;
        Ok(uri.flatten())
    }

    pub async fn relationship(
        mut self,
        account: AccountId,
        target: AccountId,
    ) -> StoreResult<Relationship> {
        let row: (bool, bool, bool, bool, bool, bool, bool, bool, bool, bool) = run!(self.0.exec, e => sqlx::query_as(
            "SELECT
                EXISTS (SELECT 1 FROM follows WHERE account_id = $1 AND target_account_id = $2),
                EXISTS (SELECT 1 FROM follows WHERE account_id = $1 AND target_account_id = $2 AND show_reblogs),
                EXISTS (SELECT 1 FROM follows WHERE account_id = $1 AND target_account_id = $2 AND notify),
                EXISTS (SELECT 1 FROM follows WHERE account_id = $2 AND target_account_id = $1),
                EXISTS (SELECT 1 FROM follow_requests WHERE account_id = $1 AND target_account_id = $2),
                EXISTS (SELECT 1 FROM follow_requests WHERE account_id = $2 AND target_account_id = $1),
                EXISTS (SELECT 1 FROM blocks WHERE account_id = $1 AND target_account_id = $2),
                EXISTS (SELECT 1 FROM blocks WHERE account_id = $2 AND target_account_id = $1),
                EXISTS (SELECT 1 FROM mutes WHERE account_id = $1 AND target_account_id = $2
                        AND (expires_at IS NULL OR expires_at > $3)),
                EXISTS (SELECT 1 FROM mutes WHERE account_id = $1 AND target_account_id = $2
                        AND hide_notifications AND (expires_at IS NULL OR expires_at > $3))",
        )
        .bind(account)
        .bind(target)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(Relationship {
            following: row.0,
            showing_reblogs: row.1,
            notifying: row.2,
            followed_by: row.3,
            requested: row.4,
            requested_by: row.5,
            blocking: row.6,
            blocked_by: row.7,
            muting: row.8,
            muting_notifications: row.9,
        })
    }

    /// Accounts following `target`, newest follow first, with the follow id
    /// as the page key.
    pub async fn followers(
        mut self,
        target: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        self.linked("follows", "account_id", "target_account_id", target, page)
            .await
    }

    /// Accounts `account` follows.
    pub async fn following(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        self.linked("follows", "target_account_id", "account_id", account, page)
            .await
    }

    /// How many accounts ask to follow `target`.
    pub async fn request_count(mut self, target: AccountId) -> StoreResult<i64> {
        let n = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM follow_requests WHERE target_account_id = $1",
        )
        .bind(target)
        .fetch_one(e)
        .await)?;
        Ok(n)
    }

    /// Accounts asking to follow `target`.
    pub async fn requesters(
        mut self,
        target: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        self.linked(
            "follow_requests",
            "account_id",
            "target_account_id",
            target,
            page,
        )
        .await
    }

    /// Accounts `account` blocks.
    pub async fn blocked(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        self.linked("blocks", "target_account_id", "account_id", account, page)
            .await
    }

    /// Accounts `account` mutes.
    pub async fn muted(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        self.linked("mutes", "target_account_id", "account_id", account, page)
            .await
    }

    async fn linked(
        &mut self,
        table: &str,
        show: &str,
        by: &str,
        id: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        let base = format!(
            "SELECT a.*, l.id AS link_id FROM {table} l JOIN accounts a ON a.id = l.{show} WHERE l.{by} = $1"
        );
        let sql = keyset(&base, "l.id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, AccountRow>(AssertSqlSafe(sql.clone()))
            .bind(id)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page)
            .into_iter()
            .map(|r| (r.link_id, r.account))
            .collect())
    }

    /// Hides a whole domain from one user; returns whether it is new.
    pub async fn block_domain(mut self, account: AccountId, domain: &str) -> StoreResult<bool> {
        let id = self.0.next_id();
        let done = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO user_domain_blocks (id, account_id, domain, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, domain) DO NOTHING",
        )
        .bind(id)
        .bind(account)
        .bind(domain)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn unblock_domain(mut self, account: AccountId, domain: &str) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM user_domain_blocks WHERE account_id = $1 AND domain = $2")
            .bind(account)
            .bind(domain)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Hidden domains, newest first: (block id, domain).
    pub async fn blocked_domains(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, String)>> {
        let sql = keyset(
            "SELECT id, domain FROM user_domain_blocks WHERE account_id = $1",
            "id",
            2,
            page,
        );
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// Removes follows both ways between `account` and accounts on `domain`;
    /// returns the pairs (follower, followed) that ended.
    pub async fn sever_domain(
        mut self,
        account: AccountId,
        domain: &str,
    ) -> StoreResult<Vec<(AccountId, AccountId)>> {
        let pairs: Vec<(AccountId, AccountId)> = run!(self.0.exec, e => sqlx::query_as(
            "SELECT f.account_id, f.target_account_id FROM follows f
             JOIN accounts a ON a.id = f.account_id JOIN accounts t ON t.id = f.target_account_id
             WHERE (f.account_id = $1 AND t.domain = $2) OR (f.target_account_id = $1 AND a.domain = $2)",
        )
        .bind(account)
        .bind(domain)
        .fetch_all(e)
        .await)?;
        Ok(pairs)
    }

    /// Every follow from or to `account`, as (follower, followed) pairs.
    pub async fn all_of(mut self, account: AccountId) -> StoreResult<Vec<(AccountId, AccountId)>> {
        let pairs: Vec<(AccountId, AccountId)> = run!(self.0.exec, e => sqlx::query_as(
            "SELECT account_id, target_account_id FROM follows
             WHERE account_id = $1 OR target_account_id = $1",
        )
        .bind(account)
        .fetch_all(e)
        .await)?;
        Ok(pairs)
    }

    /// Drops every follow request from or to `account`; returns how many.
    pub async fn drop_requests_of(mut self, account: AccountId) -> StoreResult<u64> {
        let n = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM follow_requests WHERE account_id = $1 OR target_account_id = $1",
        )
        .bind(account)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }

    pub async fn block(mut self, account: AccountId, target: AccountId) -> StoreResult<()> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO blocks (id, account_id, target_account_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, target_account_id) DO NOTHING",
        )
        .bind(id)
        .bind(account)
        .bind(target)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn unblock(mut self, account: AccountId, target: AccountId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM blocks WHERE account_id = $1 AND target_account_id = $2")
            .bind(account)
            .bind(target)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn mute(
        mut self,
        account: AccountId,
        target: AccountId,
        hide_notifications: bool,
        expires_at: Option<Timestamp>,
    ) -> StoreResult<()> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (account_id, target_account_id)
             DO UPDATE SET hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(account)
        .bind(target)
        .bind(hide_notifications)
        .bind(expires_at)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn unmute(mut self, account: AccountId, target: AccountId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2")
            .bind(account)
            .bind(target)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
