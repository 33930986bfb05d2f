//! Event webhooks (Mastodon's admin webhooks) and their delivery queue:
//! one row per event and webhook, claimed by workers with a lease, so
//! several nodes can share the queue and a crashed worker's claim expires.

use super::{Exec, StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(Webhooks);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// Signs the bodies; kept as is (HMAC needs it).
    pub secret: String,
    /// A JSON list of event names; see [`Webhook::event_names`].
    pub events: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Webhook {
    pub fn event_names(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    pub fn wants(&self, event: &str) -> bool {
        self.enabled && self.event_names().iter().any(|e| e == event)
    }
}

/// A webhook's settings, for creating one or replacing its settings.
#[derive(Debug, Clone, Default)]
pub struct WebhookSettings {
    pub url: String,
    pub secret: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// One event for one webhook.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    /// `None` once delivered or given up.
    pub next_attempt_at: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

impl Webhooks<'_> {
    pub async fn insert(mut self, settings: &WebhookSettings) -> StoreResult<Webhook> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let webhook = run!(self.0.exec, e => sqlx::query_as::<_, Webhook>(
            "INSERT INTO webhooks (id, url, secret, events, enabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             RETURNING *",
        )
        .bind(id)
        .bind(&settings.url)
        .bind(&settings.secret)
        .bind(events_json(&settings.events))
        .bind(settings.enabled)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(webhook)
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<Webhook>> {
        let webhook = run!(self.0.exec, e => sqlx::query_as::<_, Webhook>(
            "SELECT * FROM webhooks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(webhook)
    }

    /// Every webhook, oldest first.
    pub async fn list(mut self) -> StoreResult<Vec<Webhook>> {
        let webhooks = run!(self.0.exec, e => sqlx::query_as::<_, Webhook>(
            "SELECT * FROM webhooks ORDER BY id",
        )
        .fetch_all(e)
        .await)?;
        Ok(webhooks)
    }

    /// Replaces a webhook's settings; `None` when there is no such webhook.
    pub async fn update(
        mut self,
        id: i64,
        settings: &WebhookSettings,
    ) -> StoreResult<Option<Webhook>> {
        let webhook = run!(self.0.exec, e => sqlx::query_as::<_, Webhook>(
            "UPDATE webhooks SET url = $2, secret = $3, events = $4, enabled = $5, updated_at = $6
             WHERE id = $1
             RETURNING *",
        )
        .bind(id)
        .bind(&settings.url)
        .bind(&settings.secret)
        .bind(events_json(&settings.events))
        .bind(settings.enabled)
        .bind(Timestamp::now())
        .fetch_optional(e)
        .await)?;
        Ok(webhook)
    }

    /// Deletes a webhook and what it still had to deliver; false when there
    /// was no such webhook.
    pub async fn delete(mut self, id: i64) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Queues one event for one webhook, due at once.
    pub async fn enqueue(
        mut self,
        webhook_id: i64,
        event: &str,
        payload: &str,
    ) -> StoreResult<i64> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(webhook_id)
        .bind(event)
        .bind(payload)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Claims up to `limit` deliveries due at `now` until `now + lease_ms`.
    /// The lease is checked again by the UPDATE itself, so two nodes
    /// racing for a row cannot both win (PostgreSQL also skips rows
    /// another node is claiming instead of waiting for them).
    pub async fn claim(
        mut self,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        const DUE: &str = "next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2)";
        let lock = match self.0.exec {
            Exec::SqlitePool(_) | Exec::Sqlite(_) => "",
            Exec::PgPool(_) | Exec::Pg(_) => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET locked_until = $1
             WHERE id IN (SELECT id FROM webhook_deliveries WHERE {DUE}
                          ORDER BY next_attempt_at, id LIMIT +$3 {lock})
               AND {DUE}
             RETURNING *"
        );
        let mut claimed = run!(self.0.exec, e => sqlx::query_as::<_, WebhookDelivery>(
            sqlx::AssertSqlSafe(sql.as_str()),
        )
        .bind(Timestamp(now.0.saturating_add(lease_ms)))
        .bind(now)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }

    /// Records a delivery that arrived.
    pub async fn delivered(mut self, id: i64, attempts: i64, at: Timestamp) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE webhook_deliveries SET attempts = $2, delivered_at = $3,
                 next_attempt_at = NULL, locked_until = NULL
             WHERE id = $1",
        )
        .bind(id)
        .bind(attempts)
        .bind(at)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or given up
    /// when that is `None`.
    pub async fn failed(
        mut self,
        id: i64,
        attempts: i64,
        retry_at: Option<Timestamp>,
        error: &str,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE webhook_deliveries SET attempts = $2, next_attempt_at = $3,
                 locked_until = NULL, last_error = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(attempts)
        .bind(retry_at)
        .bind(error.chars().take(500).collect::<String>())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A webhook's deliveries, newest first.
    pub async fn deliveries(
        mut self,
        webhook_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, WebhookDelivery>(
            "SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT +$2",
        )
        .bind(webhook_id)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Forgets finished deliveries (delivered or given up) created before
    /// `before`.
    pub async fn prune(mut self, before: Timestamp) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM webhook_deliveries WHERE next_attempt_at IS NULL AND created_at < $1",
        )
        .bind(before)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}

fn events_json(events: &[String]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned())
}
