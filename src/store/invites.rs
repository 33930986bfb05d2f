//! Invite links: who may sign up when registrations need an invite.

use super::{StoreResult, run, sub_store};
use crate::model::{Timestamp, UserId};

sub_store!(Invites);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invite {
    pub id: i64,
    pub code: String,
    pub user_id: UserId,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl Invite {
    /// Whether the link may still be used at `now`.
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none()
            && self.expires_at.is_none_or(|at| at > now)
            && self.max_uses.is_none_or(|max| self.uses < max)
    }
}

impl Invites<'_> {
    pub async fn insert(
        mut self,
        user_id: UserId,
        code: &str,
        max_uses: Option<i64>,
        expires_at: Option<Timestamp>,
    ) -> StoreResult<Invite> {
        let id = self.0.next_id();
        let invite = run!(self.0.exec, e => sqlx::query_as::<_, Invite>(
            "INSERT INTO invites (id, code, user_id, max_uses, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        )
        .bind(id)
        .bind(code)
        .bind(user_id)
        .bind(max_uses)
        .bind(expires_at)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(invite)
    }

    pub async fn by_code(mut self, code: &str) -> StoreResult<Option<Invite>> {
        let invite = run!(self.0.exec, e => sqlx::query_as::<_, Invite>(
            "SELECT * FROM invites WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(e)
        .await)?;
        Ok(invite)
    }

    /// Invites created by one user (or by everyone), newest first.
    pub async fn list(mut self, user_id: Option<UserId>) -> StoreResult<Vec<Invite>> {
        let invites = run!(self.0.exec, e => sqlx::query_as::<_, Invite>(
            "SELECT * FROM invites WHERE $1 IS NULL OR user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(e)
        .await)?;
        Ok(invites)
    }

    /// Counts one use if the invite is still usable; false when it is not
    /// (expired, revoked, used up, or its creator disabled or suspended:
    /// an invite vouches only while its author is in good standing),
    /// decided atomically so that two sign-ups
    /// racing for the last use cannot both win.
    pub async fn use_once(mut self, id: i64) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE invites SET uses = uses + 1
             WHERE id = $1 AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > $2)
               AND (max_uses IS NULL OR uses < max_uses)
               AND EXISTS (SELECT 1 FROM users u JOIN accounts a ON a.id = u.account_id
                   WHERE u.id = invites.user_id AND NOT u.disabled AND u.approved
                     AND a.suspended_at IS NULL)",
        )
        .bind(id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Revokes an invite; `owner` restricts it to that user's invites.
    pub async fn revoke(mut self, id: i64, owner: Option<UserId>) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE invites SET revoked_at = $3
             WHERE id = $1 AND ($2 IS NULL OR user_id = $2) AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(owner)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
