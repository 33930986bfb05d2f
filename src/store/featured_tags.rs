//! Hashtags featured on profiles. Their counts are computed when read,
//! from the posts the viewer may see, so they never drift and never tell
//! an outsider about company-only posts.

use sqlx::AssertSqlSafe;

use super::{StoreResult, VISIBLE, Viewer, run, sub_store};
use crate::model::{AccountId, Timestamp};

sub_store!(FeaturedTags);

/// A featured tag with what its owner's posts say about it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FeaturedTag {
    pub id: i64,
    pub account_id: AccountId,
    pub tag_id: i64,
    /// As the owner typed it.
    pub name: String,
    /// The owner's public and unlisted posts with the tag that the viewer
    /// may see (Mastodon counts public and unlisted ones).
    pub statuses_count: i64,
    pub last_status_at: Option<Timestamp>,
}

/// The owner's posts with the tag, for the viewer in `$1`/`$2`.
fn tagged_posts(select: &str) -> String {
    format!(
        "(SELECT {select} FROM statuses s JOIN status_tags st ON st.status_id = s.id
          WHERE st.tag_id = f.tag_id AND s.account_id = f.account_id
          AND s.visibility IN ('public', 'unlisted') AND {VISIBLE})"
    )
}

impl FeaturedTags<'_> {
    /// Features a tag; `Conflict` when the account already features it.
    pub async fn add(mut self, account: AccountId, tag: i64, name: &str) -> StoreResult<i64> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO featured_tags (id, account_id, tag_id, name, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(account)
        .bind(tag)
        .bind(name)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Whether the account features the tag already.
    pub async fn has(mut self, account: AccountId, tag: i64) -> StoreResult<bool> {
        let found: Option<i64> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT id FROM featured_tags WHERE account_id = $1 AND tag_id = $2",
        )
        .bind(account)
        .bind(tag)
        .fetch_optional(e)
        .await)?;
        Ok(found.is_some())
    }

    pub async fn count(mut self, account: AccountId) -> StoreResult<i64> {
        let n: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT COUNT(*) FROM featured_tags WHERE account_id = $1",
        )
        .bind(account)
        .fetch_one(e)
        .await)?;
        Ok(n)
    }

    /// Unfeatures one of the account's tags; false when it has no such one.
    pub async fn remove(mut self, account: AccountId, id: i64) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM featured_tags WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// An account's featured tags, most used first, counted for `viewer`.
    pub async fn of_account(
        mut self,
        account: AccountId,
        viewer: Viewer,
    ) -> StoreResult<Vec<FeaturedTag>> {
        let sql = format!(
            "SELECT f.id, f.account_id, f.tag_id, f.name,
                {} AS statuses_count, {} AS last_status_at
             FROM featured_tags f WHERE f.account_id = $3
             ORDER BY statuses_count DESC, f.id",
            tagged_posts("COUNT(*)"),
            tagged_posts("MAX(s.created_at)"),
        );
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, FeaturedTag>(AssertSqlSafe(sql.clone()))
            .bind(viewer.account_id.map_or(-1, |a| a.0))
            .bind(viewer.local)
            .bind(account)
            .fetch_all(e)
            .await)?;
        Ok(rows)
    }

    /// Tags of the account's own recent posts that it does not feature yet,
    /// most recently used first: (tag id, name).
    pub async fn suggestions(
        mut self,
        account: AccountId,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (i64, String)>(
            "SELECT t.id, t.name FROM tags t
             JOIN status_tags st ON st.tag_id = t.id JOIN statuses s ON s.id = st.status_id
             WHERE s.account_id = $1
             AND NOT EXISTS (SELECT 1 FROM featured_tags f WHERE f.account_id = $1 AND f.tag_id = t.id)
             GROUP BY t.id, t.name, t.name_lower ORDER BY MAX(s.id) DESC, t.name_lower LIMIT +$2",
        )
        .bind(account)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }
}
