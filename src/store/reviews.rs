//! The review state of statuses (held for review, decided by a
//! reviewer) and the review queue: more methods of `Statuses`.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::statuses::Statuses;
use super::{StoreResult, run};
use crate::model::{AccountId, Page, Status, StatusId, Timestamp};

/// Which statuses the review queue lists.
#[derive(Debug, Clone)]
pub struct ReviewQueueFilter {
    /// `pending` or `rejected` (or `published` for decided ones).
    pub state: String,
    /// `inbound` or `outbound`; `None` for both.
    pub direction: Option<String>,
    pub account_id: Option<AccountId>,
}

impl Statuses<'_> {
    /// Puts a status under review (`pending`) or takes a decision on it.
    pub async fn set_review(
        mut self,
        id: StatusId,
        state: &str,
        reason: Option<&str>,
        company_preview: bool,
        direction: Option<&str>,
    ) -> StoreResult<()> {
        // Only an edit sends a post others saw back to review.
        let was_seen = self.was_edited(id).await? && self.seen_by_others(id).await?;
        run!(self.0.exec, e => sqlx::query(
            "UPDATE statuses SET review_state = $2, review_reason = $3, review_company_preview = $4,
                 review_direction = COALESCE($5, review_direction),
                 review_requested_at = CASE WHEN $2 = 'pending' THEN $6 ELSE review_requested_at END,
                 reviewed_by_account_id = NULL, reviewed_at = NULL
             WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(reason)
        .bind(company_preview)
        .bind(direction)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        if was_seen && !self.seen_by_others(id).await? {
            self.announce_withdrawn(id).await?;
        }
        Ok(())
    }

    /// A reviewer's decision on a pending status; false when it is no
    /// longer pending (another reviewer decided first) or was put under
    /// review again since `requested_at` (an edit).
    pub async fn decide_review(
        mut self,
        id: StatusId,
        state: &str,
        reviewer: AccountId,
        reason: Option<&str>,
        requested_at: Option<Timestamp>,
    ) -> StoreResult<bool> {
        let was_seen = self.seen_by_others(id).await?;
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE statuses SET review_state = $2, reviewed_by_account_id = $3, reviewed_at = $4,
                 review_reason = COALESCE($5, review_reason)
             WHERE id = $1 AND review_state = 'pending' AND COALESCE(review_requested_at, 0) = $6",
        )
        .bind(id)
        .bind(state)
        .bind(reviewer)
        .bind(Timestamp::now())
        .bind(reason)
        .bind(requested_at.unwrap_or(Timestamp(0)))
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 1 && state == "published" {
            self.announce_published(id).await?;
        } else if n == 1 && was_seen {
            // Rejected after colleagues saw its preview.
            self.announce_withdrawn(id).await?;
        }
        Ok(n == 1)
    }

    /// Whether a status was held on its way in or out.
    pub async fn review_direction(mut self, id: StatusId) -> StoreResult<Option<String>> {
        let value = run!(self.0.exec, e => sqlx::query_scalar::<_, Option<String>>(
            "SELECT review_direction FROM statuses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(value.flatten())
    }

    /// Remembers that the status's `Create` went out (first time only).
    pub async fn mark_federated(mut self, id: StatusId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE statuses SET federated_at = $2 WHERE id = $1 AND federated_at IS NULL",
        )
        .bind(id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The review queue: statuses in `state`, oldest request first within
    /// the page's keyset on the id (newest first, as every list).
    pub async fn review_queue(
        mut self,
        filter: &ReviewQueueFilter,
        page: &Page,
    ) -> StoreResult<Vec<Status>> {
        let sql = keyset(
            "SELECT s.* FROM statuses s WHERE s.review_state = $1
               AND ($2 IS NULL OR s.review_direction = $2)
               AND ($3 IS NULL OR s.account_id = $3)",
            "s.id",
            4,
            page,
        );
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(&filter.state)
            .bind(&filter.direction)
            .bind(filter.account_id)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }
}
