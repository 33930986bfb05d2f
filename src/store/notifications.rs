//! Notifications of local accounts.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, VISIBLE, run, sub_store};
use crate::events::Event;
use crate::model::{AccountId, Page, StatusId, Timestamp};

sub_store!(Notifications);

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub account_id: AccountId,
    pub from_account_id: AccountId,
    pub notification_type: String,
    pub status_id: Option<StatusId>,
    /// The report an `admin.report` notification is about.
    pub report_id: Option<i64>,
    pub created_at: Timestamp,
}

/// Which types to list; empty lists mean no restriction.
#[derive(Debug, Clone, Default)]
pub struct TypeFilter {
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
}

impl Notifications<'_> {
    /// Notifies `account` even of its own doing (a poll of theirs ended).
    pub async fn notify_always(
        mut self,
        account: AccountId,
        from: AccountId,
        kind: &str,
        status: Option<StatusId>,
    ) -> StoreResult<()> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO notifications (id, account_id, from_account_id, notification_type, status_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(account)
        .bind(from)
        .bind(kind)
        .bind(status)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        self.0.emit(Event::Notification { id, account }).await
    }

    /// Tells a moderator of a report (`admin.report`), whoever filed it:
    /// mutes and blocks do not hide reports from staff.
    pub async fn notify_report(
        mut self,
        account: AccountId,
        from: AccountId,
        report: i64,
    ) -> StoreResult<()> {
        if account == from {
            return Ok(());
        }
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO notifications (id, account_id, from_account_id, notification_type, report_id, created_at)
             VALUES ($1, $2, $3, 'admin.report', $4, $5)",
        )
        .bind(id)
        .bind(account)
        .bind(from)
        .bind(report)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        self.0.emit(Event::Notification { id, account }).await
    }

    /// Notifies `account` unless it mutes or blocks `from` (with
    /// notifications hidden). Returns the new notification's id, if any.
    pub async fn notify(
        mut self,
        account: AccountId,
        from: AccountId,
        kind: &str,
        status: Option<StatusId>,
    ) -> StoreResult<Option<i64>> {
        if account == from {
            return Ok(None);
        }
        let id = self.0.next_id();
        let now = Timestamp::now();
        let done = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO notifications (id, account_id, from_account_id, notification_type, status_id, created_at)
             SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (
                 SELECT 1 FROM blocks WHERE account_id = $2 AND target_account_id = $3)
             AND NOT EXISTS (SELECT 1 FROM mutes WHERE account_id = $2 AND target_account_id = $3
                 AND hide_notifications AND (expires_at IS NULL OR expires_at > $6))
             AND NOT EXISTS (SELECT 1 FROM user_domain_blocks d JOIN accounts a ON a.domain = d.domain
                 WHERE d.account_id = $2 AND a.id = $3)",
        )
        .bind(id)
        .bind(account)
        .bind(from)
        .bind(kind)
        .bind(status)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Ok(None);
        }
        self.0.emit(Event::Notification { id, account }).await?;
        Ok(Some(id))
    }

    pub async fn list(
        mut self,
        account: AccountId,
        filter: &TypeFilter,
        page: &Page,
    ) -> StoreResult<Vec<Notification>> {
        let quote = |types: &[String]| {
            types
                .iter()
                .filter(|t| {
                    t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                })
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut base = "SELECT * FROM notifications WHERE account_id = $1".to_owned();
        if !filter.types.is_empty() {
            let types = quote(&filter.types);
            if types.is_empty() {
                // Only unknown types asked for: nothing matches.
                return Ok(Vec::new());
            }
            base.push_str(&format!(" AND notification_type IN ({types})"));
        }
        let excluded = quote(&filter.exclude_types);
        if !excluded.is_empty() {
            base.push_str(&format!(" AND notification_type NOT IN ({excluded})"));
        }
        let sql = keyset(&base, "id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Notification>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    pub async fn by_id(mut self, account: AccountId, id: i64) -> StoreResult<Option<Notification>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Notification>(
            "SELECT * FROM notifications WHERE account_id = $1 AND id = $2",
        )
        .bind(account)
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    pub async fn dismiss(mut self, account: AccountId, id: i64) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn clear(mut self, account: AccountId) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query("DELETE FROM notifications WHERE account_id = $1")
            .bind(account)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Removes the notifications a status caused (it was deleted or undone).
    pub async fn remove_for(
        mut self,
        from: AccountId,
        kind: &str,
        status: Option<StatusId>,
        account: AccountId,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "DELETE FROM notifications WHERE from_account_id = $1 AND notification_type = $2
             AND account_id = $4 AND (status_id = $3 OR ($3 IS NULL AND status_id IS NULL))",
        )
        .bind(from)
        .bind(kind)
        .bind(status)
        .bind(account)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Notifications newer than `since`, for `unread_count`: only those
    /// the list would show, so a mention in a post held for review (or
    /// otherwise hidden from the account) is not counted before it can be
    /// read. Notifications belong to local accounts (`$2`: local viewer).
    pub async fn count_after(
        mut self,
        account: AccountId,
        since: i64,
        limit: i64,
    ) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM notifications n
                 WHERE n.account_id = $1 AND n.id > $3 AND (n.status_id IS NULL OR EXISTS (
                     SELECT 1 FROM statuses s WHERE s.id = n.status_id AND {VISIBLE}))
                 LIMIT +$4) x"
        );
        let n = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(true)
            .bind(since)
            .bind(limit)
            .fetch_one(e)
            .await)?;
        Ok(n)
    }
}
