//! Favourites, bookmarks and pins: one row per (account, status).

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::model::{Account, AccountId, Page, Status, StatusId, Timestamp};

sub_store!(Interactions);

/// The three kinds of marks an account puts on a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Favourite,
    Bookmark,
    Pin,
}

impl Mark {
    pub(super) fn table(self) -> &'static str {
        match self {
            Mark::Favourite => "favourites",
            Mark::Bookmark => "bookmarks",
            Mark::Pin => "status_pins",
        }
    }
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    #[sqlx(flatten)]
    status: Status,
    mark_id: i64,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    #[sqlx(flatten)]
    account: Account,
    mark_id: i64,
}

impl Interactions<'_> {
    /// Adds a mark; returns whether it is new.
    pub async fn add(
        mut self,
        mark: Mark,
        account: AccountId,
        status: StatusId,
    ) -> StoreResult<bool> {
        let id = self.0.next_id();
        let sql = format!(
            "INSERT INTO {} (id, account_id, status_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, status_id) DO NOTHING",
            mark.table()
        );
        let done = run!(self.0.exec, e => sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(id)
            .bind(account)
            .bind(status)
            .bind(Timestamp::now())
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Removes a mark; returns whether there was one.
    pub async fn remove(
        mut self,
        mark: Mark,
        account: AccountId,
        status: StatusId,
    ) -> StoreResult<bool> {
        let sql = format!(
            "DELETE FROM {} WHERE account_id = $1 AND status_id = $2",
            mark.table()
        );
        let done = run!(self.0.exec, e => sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(status)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn has(
        mut self,
        mark: Mark,
        account: AccountId,
        status: StatusId,
    ) -> StoreResult<bool> {
        let sql = format!(
            "SELECT 1 FROM {} WHERE account_id = $1 AND status_id = $2",
            mark.table()
        );
        let found: Option<i32> = run!(self.0.exec, e => sqlx::query_scalar(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(status)
            .fetch_optional(e)
            .await)?;
        Ok(found.is_some())
    }

    pub async fn count(mut self, mark: Mark, account: AccountId) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE account_id = $1",
            mark.table()
        );
        let n = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .fetch_one(e)
            .await)?;
        Ok(n)
    }

    /// The statuses an account marked, newest mark first, keyed by mark id.
    /// Callers re-check visibility.
    pub async fn statuses(
        mut self,
        mark: Mark,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Status)>> {
        let base = format!(
            "SELECT s.*, m.id AS mark_id FROM {} m JOIN statuses s ON s.id = m.status_id WHERE m.account_id = $1",
            mark.table()
        );
        let sql = keyset(&base, "m.id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, StatusRow>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page)
            .into_iter()
            .map(|r| (r.mark_id, r.status))
            .collect())
    }

    /// Who favourited a status, newest first.
    pub async fn favourited_by(
        mut self,
        status: StatusId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        let base = "SELECT a.*, m.id AS mark_id FROM favourites m JOIN accounts a ON a.id = m.account_id WHERE m.status_id = $1";
        let sql = keyset(base, "m.id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, AccountRow>(AssertSqlSafe(sql.clone()))
            .bind(status)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page)
            .into_iter()
            .map(|r| (r.mark_id, r.account))
            .collect())
    }

    /// Who reblogged a status, newest first, keyed by the reblog's id.
    pub async fn reblogged_by(
        mut self,
        status: StatusId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, Account)>> {
        let base = "SELECT a.*, r.id AS mark_id FROM statuses r JOIN accounts a ON a.id = r.account_id WHERE r.reblog_of_id = $1";
        let sql = keyset(base, "r.id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, AccountRow>(AssertSqlSafe(sql.clone()))
            .bind(status)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page)
            .into_iter()
            .map(|r| (r.mark_id, r.account))
            .collect())
    }
}
