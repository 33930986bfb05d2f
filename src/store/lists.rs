//! Lists of accounts and their membership.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, VISIBLE, Viewer, run, sub_store};
use crate::model::{Account, AccountId, Page, Status, Timestamp};

sub_store!(Lists);

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct List {
    pub id: i64,
    pub account_id: AccountId,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    account: Account,
    member_key: i64,
}

impl Lists<'_> {
    pub async fn create(
        mut self,
        owner: AccountId,
        title: &str,
        replies_policy: &str,
        exclusive: bool,
    ) -> StoreResult<List> {
        let id = self.0.next_id();
        let list = run!(self.0.exec, e => sqlx::query_as::<_, List>(
            "INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        )
        .bind(id)
        .bind(owner)
        .bind(title)
        .bind(replies_policy)
        .bind(exclusive)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(list)
    }

    /// One of the owner's lists.
    pub async fn get(mut self, owner: AccountId, id: i64) -> StoreResult<Option<List>> {
        let list = run!(self.0.exec, e => sqlx::query_as::<_, List>(
            "SELECT * FROM lists WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(e)
        .await)?;
        Ok(list)
    }

    pub async fn all(mut self, owner: AccountId) -> StoreResult<Vec<List>> {
        let lists = run!(self.0.exec, e => sqlx::query_as::<_, List>(
            "SELECT * FROM lists WHERE account_id = $1 ORDER BY id",
        )
        .bind(owner)
        .fetch_all(e)
        .await)?;
        Ok(lists)
    }

    /// The owner's lists that contain `member`.
    pub async fn containing(
        mut self,
        owner: AccountId,
        member: AccountId,
    ) -> StoreResult<Vec<List>> {
        let lists = run!(self.0.exec, e => sqlx::query_as::<_, List>(
            "SELECT l.* FROM lists l JOIN list_accounts la ON la.list_id = l.id
             WHERE l.account_id = $1 AND la.account_id = $2 ORDER BY l.id",
        )
        .bind(owner)
        .bind(member)
        .fetch_all(e)
        .await)?;
        Ok(lists)
    }

    pub async fn save(mut self, list: &List) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE lists SET title = $2, replies_policy = $3, exclusive = $4 WHERE id = $1",
        )
        .bind(list.id)
        .bind(&list.title)
        .bind(&list.replies_policy)
        .bind(list.exclusive)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn delete(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM lists WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn add_member(mut self, list: i64, member: AccountId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO list_accounts (list_id, account_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(list)
        .bind(member)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn remove_member(mut self, list: i64, member: AccountId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM list_accounts WHERE list_id = $1 AND account_id = $2")
            .bind(list)
            .bind(member)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Members, keyed by account id for paging.
    pub async fn members(mut self, list: i64, page: &Page) -> StoreResult<Vec<(i64, Account)>> {
        let base = "SELECT a.*, a.id AS member_key FROM list_accounts la JOIN accounts a ON a.id = la.account_id WHERE la.list_id = $1";
        let sql = keyset(base, "a.id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, MemberRow>(AssertSqlSafe(sql.clone()))
            .bind(list)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page)
            .into_iter()
            .map(|r| (r.member_key, r.account))
            .collect())
    }

    /// The list's timeline: its members' statuses the viewer may see.
    pub async fn timeline(
        mut self,
        list: &List,
        viewer: Viewer,
        page: &Page,
    ) -> StoreResult<Vec<Status>> {
        let replies = match list.replies_policy.as_str() {
            // Replies only to oneself.
            "none" => " AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)",
            // Replies to other members of the list (or oneself).
            "list" => " AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id
                 OR s.in_reply_to_account_id IN (SELECT account_id FROM list_accounts WHERE list_id = $3))",
            // Replies to anyone the owner follows.
            _ => " AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id
                 OR s.in_reply_to_account_id = $1
                 OR EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 AND f.target_account_id = s.in_reply_to_account_id))",
        };
        let base = format!(
            "SELECT s.* FROM statuses s
             WHERE s.account_id IN (SELECT account_id FROM list_accounts WHERE list_id = $3)
             AND s.visibility <> 'direct'{replies} AND {VISIBLE}"
        );
        let sql = keyset(&base, "s.id", 4, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.account_id.map_or(-1, |a| a.0))
            .bind(viewer.local)
            .bind(list.id)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }
}
