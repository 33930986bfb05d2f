//! External classifier hooks: the HTTP endpoints the moderation pipeline
//! asks about statuses (`moderation::hooks`).

use super::{StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(PolicyHooks);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PolicyHook {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// Signs the requests; kept as is (HMAC needs it), never shown again
    /// after creation.
    pub secret: String,
    /// `inbound`, `outbound` or `both`.
    pub direction: String,
    pub timeout_ms: i64,
    /// Extra attempts after a failed one.
    pub retries: i64,
    /// `open` (accept) or `closed` (hold) when the hook cannot answer.
    pub fail_mode: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A hook's settings, for creating one or replacing its settings.
#[derive(Debug, Clone, Default)]
pub struct HookSettings {
    pub name: String,
    pub url: String,
    pub secret: String,
    pub direction: String,
    pub timeout_ms: i64,
    pub retries: i64,
    pub fail_mode: String,
    pub enabled: bool,
}

impl PolicyHooks<'_> {
    pub async fn insert(mut self, settings: &HookSettings) -> StoreResult<PolicyHook> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let hook = run!(self.0.exec, e => sqlx::query_as::<_, PolicyHook>(
            "INSERT INTO policy_hooks (id, name, url, secret, direction, timeout_ms, retries,
                 fail_mode, enabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             RETURNING *",
        )
        .bind(id)
        .bind(&settings.name)
        .bind(&settings.url)
        .bind(&settings.secret)
        .bind(&settings.direction)
        .bind(settings.timeout_ms)
        .bind(settings.retries)
        .bind(&settings.fail_mode)
        .bind(settings.enabled)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(hook)
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<PolicyHook>> {
        let hook = run!(self.0.exec, e => sqlx::query_as::<_, PolicyHook>(
            "SELECT * FROM policy_hooks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(hook)
    }

    /// Every hook, oldest first.
    pub async fn list(mut self) -> StoreResult<Vec<PolicyHook>> {
        let hooks = run!(self.0.exec, e => sqlx::query_as::<_, PolicyHook>(
            "SELECT * FROM policy_hooks ORDER BY id",
        )
        .fetch_all(e)
        .await)?;
        Ok(hooks)
    }

    /// The enabled hooks asked about statuses going in `direction`
    /// (`inbound` or `outbound`; hooks for `both` included), oldest first.
    pub async fn enabled_for(mut self, direction: &str) -> StoreResult<Vec<PolicyHook>> {
        let hooks = run!(self.0.exec, e => sqlx::query_as::<_, PolicyHook>(
            "SELECT * FROM policy_hooks
             WHERE enabled AND (direction = $1 OR direction = 'both')
             ORDER BY id",
        )
        .bind(direction)
        .fetch_all(e)
        .await)?;
        Ok(hooks)
    }

    /// Replaces a hook's settings; `None` when there is no such hook.
    pub async fn update(
        mut self,
        id: i64,
        settings: &HookSettings,
    ) -> StoreResult<Option<PolicyHook>> {
        let hook = run!(self.0.exec, e => sqlx::query_as::<_, PolicyHook>(
            "UPDATE policy_hooks SET name = $2, url = $3, secret = $4, direction = $5,
                 timeout_ms = $6, retries = $7, fail_mode = $8, enabled = $9, updated_at = $10
             WHERE id = $1
             RETURNING *",
        )
        .bind(id)
        .bind(&settings.name)
        .bind(&settings.url)
        .bind(&settings.secret)
        .bind(&settings.direction)
        .bind(settings.timeout_ms)
        .bind(settings.retries)
        .bind(&settings.fail_mode)
        .bind(settings.enabled)
        .bind(Timestamp::now())
        .fetch_optional(e)
        .await)?;
        Ok(hook)
    }

    /// False when there was no such hook.
    pub async fn delete(mut self, id: i64) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query("DELETE FROM policy_hooks WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }
}
