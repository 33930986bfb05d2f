//! Per-participant views of direct-message conversations.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::events::Event;
use crate::model::{AccountId, Page, StatusId};

sub_store!(Conversations);

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AccountConversation {
    pub id: i64,
    pub account_id: AccountId,
    pub conversation_id: i64,
    pub participants: String,
    pub last_status_id: Option<StatusId>,
    pub unread: bool,
}

impl AccountConversation {
    pub fn participant_ids(&self) -> Vec<AccountId> {
        self.participants
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect()
    }
}

impl Conversations<'_> {
    /// Records a new status in `account`'s view of a conversation.
    pub async fn touch(
        mut self,
        account: AccountId,
        conversation: i64,
        others: &[AccountId],
        last: StatusId,
        unread: bool,
    ) -> StoreResult<()> {
        let mut ids: Vec<i64> = others.iter().map(|a| a.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let participants = ids
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let id = self.0.next_id();
        let row: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "INSERT INTO account_conversations (id, account_id, conversation_id, participants, last_status_id, unread)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (account_id, conversation_id) DO UPDATE SET
                participants = excluded.participants, last_status_id = excluded.last_status_id,
                unread = excluded.unread
             RETURNING id",
        )
        .bind(id)
        .bind(account)
        .bind(conversation)
        .bind(participants)
        .bind(last)
        .bind(unread)
        .fetch_one(e)
        .await)?;
        self.0.emit(Event::Conversation { id: row, account }).await
    }

    /// Conversations with the most recent first, keyed by their last status.
    pub async fn list(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<AccountConversation>> {
        let base = "SELECT * FROM account_conversations WHERE account_id = $1";
        let sql = keyset(base, "last_status_id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, AccountConversation>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    pub async fn get(
        mut self,
        account: AccountId,
        id: i64,
    ) -> StoreResult<Option<AccountConversation>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, AccountConversation>(
            "SELECT * FROM account_conversations WHERE account_id = $1 AND id = $2",
        )
        .bind(account)
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn mark_read(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE account_conversations SET unread = FALSE WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// After a status of the conversation was deleted: point every view
    /// at the newest direct status left, and drop views with none.
    pub async fn refresh(mut self, conversation: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE account_conversations SET last_status_id = (
                 SELECT MAX(id) FROM statuses WHERE conversation_id = $1 AND visibility = 'direct')
             WHERE conversation_id = $1",
        )
        .bind(conversation)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        run!(self.0.exec, e => sqlx::query(
            "DELETE FROM account_conversations WHERE conversation_id = $1 AND last_status_id IS NULL",
        )
        .bind(conversation)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn remove(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM account_conversations WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
