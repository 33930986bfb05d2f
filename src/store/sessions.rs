//! Web sessions (the sign-in cookie), looked up by the hash of the cookie.

use super::{StoreResult, run, sub_store};
use crate::model::oauth::WebSession;
use crate::model::{Timestamp, UserId};

sub_store!(Sessions);

impl Sessions<'_> {
    pub async fn insert(
        mut self,
        session_hash: &str,
        user_id: UserId,
        user_agent: &str,
        ip: &str,
    ) -> StoreResult<WebSession> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let session = run!(self.0.exec, e => sqlx::query_as::<_, WebSession>(
            "INSERT INTO web_sessions (id, session_hash, user_id, user_agent, ip, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *",
        )
        .bind(id)
        .bind(session_hash)
        .bind(user_id)
        .bind(user_agent)
        .bind(ip)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(session)
    }

    pub async fn by_hash(mut self, session_hash: &str) -> StoreResult<Option<WebSession>> {
        let session = run!(self.0.exec, e => sqlx::query_as::<_, WebSession>(
            "SELECT * FROM web_sessions WHERE session_hash = $1",
        )
        .bind(session_hash)
        .fetch_optional(e)
        .await)?;
        Ok(session)
    }

    pub async fn delete_by_hash(mut self, session_hash: &str) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM web_sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn delete_for_user(mut self, user_id: UserId) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    pub async fn touch(mut self, id: i64) -> StoreResult<()> {
        let now = Timestamp::now();
        run!(self.0.exec, e => sqlx::query(
            "UPDATE web_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $3",
        )
        .bind(id)
        .bind(now)
        .bind(now.plus_seconds(-300))
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
