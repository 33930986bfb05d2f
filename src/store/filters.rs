//! Filters, their keywords and filtered statuses.

use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, StatusId, Timestamp};

sub_store!(Filters);

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Filter {
    pub id: i64,
    pub account_id: AccountId,
    pub title: String,
    pub context: String,
    pub filter_action: String,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl Filter {
    pub fn contexts(&self) -> Vec<String> {
        self.context
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn is_active(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|t| t > now)
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FilterKeyword {
    pub id: i64,
    pub filter_id: i64,
    pub keyword: String,
    pub whole_word: bool,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FilterStatus {
    pub id: i64,
    pub filter_id: i64,
    pub status_id: StatusId,
    pub created_at: Timestamp,
}

impl Filters<'_> {
    pub async fn create(
        mut self,
        owner: AccountId,
        title: &str,
        context: &str,
        action: &str,
        expires_at: Option<Timestamp>,
    ) -> StoreResult<Filter> {
        let id = self.0.next_id();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, Filter>(
            "INSERT INTO filters (id, account_id, title, context, filter_action, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
        )
        .bind(id)
        .bind(owner)
        .bind(title)
        .bind(context)
        .bind(action)
        .bind(expires_at)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn save(mut self, filter: &Filter) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE filters SET title = $2, context = $3, filter_action = $4, expires_at = $5 WHERE id = $1",
        )
        .bind(filter.id)
        .bind(&filter.title)
        .bind(&filter.context)
        .bind(&filter.filter_action)
        .bind(filter.expires_at)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn get(mut self, owner: AccountId, id: i64) -> StoreResult<Option<Filter>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, Filter>(
            "SELECT * FROM filters WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn all(mut self, owner: AccountId) -> StoreResult<Vec<Filter>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Filter>(
            "SELECT * FROM filters WHERE account_id = $1 ORDER BY id",
        )
        .bind(owner)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub async fn delete(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM filters WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn add_keyword(
        mut self,
        filter: i64,
        keyword: &str,
        whole_word: bool,
    ) -> StoreResult<FilterKeyword> {
        let id = self.0.next_id();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, FilterKeyword>(
            "INSERT INTO filter_keywords (id, filter_id, keyword, whole_word, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING *",
        )
        .bind(id)
        .bind(filter)
        .bind(keyword)
        .bind(whole_word)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn save_keyword(mut self, keyword: &FilterKeyword) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE filter_keywords SET keyword = $2, whole_word = $3 WHERE id = $1")
            .bind(keyword.id)
            .bind(&keyword.keyword)
            .bind(keyword.whole_word)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn keywords(mut self, filter: i64) -> StoreResult<Vec<FilterKeyword>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, FilterKeyword>(
            "SELECT * FROM filter_keywords WHERE filter_id = $1 ORDER BY id",
        )
        .bind(filter)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// A keyword of one of the owner's filters.
    pub async fn keyword(
        mut self,
        owner: AccountId,
        id: i64,
    ) -> StoreResult<Option<FilterKeyword>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, FilterKeyword>(
            "SELECT k.* FROM filter_keywords k JOIN filters f ON f.id = k.filter_id
             WHERE k.id = $1 AND f.account_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn delete_keyword(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM filter_keywords WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn add_status(mut self, filter: i64, status: StatusId) -> StoreResult<FilterStatus> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO filter_statuses (id, filter_id, status_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (filter_id, status_id) DO NOTHING",
        )
        .bind(id)
        .bind(filter)
        .bind(status)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        let row = run!(self.0.exec, e => sqlx::query_as::<_, FilterStatus>(
            "SELECT * FROM filter_statuses WHERE filter_id = $1 AND status_id = $2",
        )
        .bind(filter)
        .bind(status)
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn statuses(mut self, filter: i64) -> StoreResult<Vec<FilterStatus>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, FilterStatus>(
            "SELECT * FROM filter_statuses WHERE filter_id = $1 ORDER BY id",
        )
        .bind(filter)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub async fn status_entry(
        mut self,
        owner: AccountId,
        id: i64,
    ) -> StoreResult<Option<FilterStatus>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, FilterStatus>(
            "SELECT s.* FROM filter_statuses s JOIN filters f ON f.id = s.filter_id
             WHERE s.id = $1 AND f.account_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn delete_status_entry(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM filter_statuses WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
