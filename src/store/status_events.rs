//! What streams are told when a status appears to or disappears from
//! viewers without being inserted or deleted: a held post approved, a post
//! put under review or rejected. More methods of `Statuses`.

use super::statuses::Statuses;
use super::{StoreResult, run};
use crate::events::{Deleted, Event, Reach};
use crate::model::{AccountId, StatusId};

impl Statuses<'_> {
    pub(super) async fn mentions_of(&mut self, id: StatusId) -> StoreResult<Vec<AccountId>> {
        let rows = run!(self.0.exec, e => sqlx::query_scalar::<_, AccountId>(
            "SELECT account_id FROM status_mentions WHERE status_id = $1",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub(super) async fn tags_of(&mut self, id: StatusId) -> StoreResult<Vec<String>> {
        let rows = run!(self.0.exec, e => sqlx::query_scalar::<_, String>(
            "SELECT t.name FROM tags t JOIN status_tags st ON st.tag_id = t.id
             WHERE st.status_id = $1 ORDER BY t.name_lower",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// What a deletion event says of a status, read while it still exists.
    pub(super) async fn departure(&mut self, id: StatusId) -> StoreResult<Option<Deleted>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, (AccountId, String, bool, bool, Option<StatusId>)>(
            "SELECT account_id, visibility, local_only, local, reblog_of_id FROM statuses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        let Some((account, visibility, local_only, local, reblog_of)) = row else {
            return Ok(None);
        };
        let deleted = Deleted {
            id,
            account,
            visibility,
            local_only,
            local,
            reblog: reblog_of.is_some(),
            mentions: self.mentions_of(id).await?,
            tags: self.tags_of(id).await?,
            withdrawn: false,
        };
        Ok(Some(deleted.bounded()))
    }

    /// Whether colleagues (other than the author) can see the status now:
    /// published, or waiting for review with a preview for the company.
    pub(super) async fn seen_by_others(&mut self, id: StatusId) -> StoreResult<bool> {
        let seen = run!(self.0.exec, e => sqlx::query_scalar::<_, bool>(
            "SELECT review_state = 'published' OR (review_state = 'pending' AND review_company_preview)
             FROM statuses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(seen.unwrap_or(false))
    }

    /// Whether the status was edited (a new one put under review in the
    /// transaction that posts it was never seen by anyone).
    pub(super) async fn was_edited(&mut self, id: StatusId) -> StoreResult<bool> {
        let edited = run!(self.0.exec, e => sqlx::query_scalar::<_, bool>(
            "SELECT edited_at IS NOT NULL FROM statuses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(edited.unwrap_or(false))
    }

    /// Streams drop a status that others can no longer see (held without a
    /// preview, rejected) as if it were deleted; approval brings it back.
    pub(super) async fn announce_withdrawn(&mut self, id: StatusId) -> StoreResult<()> {
        if let Some(gone) = self.departure(id).await? {
            let withdrawn = Deleted {
                withdrawn: true,
                ..gone
            };
            self.0.emit(Event::StatusDeleted(withdrawn)).await?;
        }
        Ok(())
    }

    /// A held status is published: it is new to those who could not see it,
    /// and so are the notifications and direct-conversation entries made
    /// while it was held (they could not be shown then).
    pub(super) async fn announce_published(&mut self, id: StatusId) -> StoreResult<()> {
        let Some(status) = self.departure(id).await? else {
            return Ok(());
        };
        let reach = Reach {
            public: status.visibility == "public" && !status.reblog,
            local: status.local,
        };
        self.0.emit(Event::StatusCreated { id, reach }).await?;
        let notifications = run!(self.0.exec, e => sqlx::query_as::<_, (i64, AccountId)>(
            "SELECT id, account_id FROM notifications WHERE status_id = $1",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        for (id, account) in notifications {
            self.0.emit(Event::Notification { id, account }).await?;
        }
        let conversations = run!(self.0.exec, e => sqlx::query_as::<_, (i64, AccountId)>(
            "SELECT id, account_id FROM account_conversations WHERE last_status_id = $1",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        for (id, account) in conversations {
            self.0.emit(Event::Conversation { id, account }).await?;
        }
        Ok(())
    }
}
