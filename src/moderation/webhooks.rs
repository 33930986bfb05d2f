//! Event webhooks, as Mastodon's admin webhooks: when something happens
//! (`status.created`, `account.created`, …) every enabled webhook
//! subscribed to the event gets `POST url` with `{"event": …,
//! "created_at": …, "object": …}`, signed as Mastodon signs it
//! (`X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>`).
//!
//! Events are queued as rows (`webhook_deliveries`), in the caller's
//! transaction where it has one, and sent by a worker that claims due
//! rows with a lease, so several nodes can share the queue. A failed
//! delivery is tried again with exponential backoff, [`MAX_ATTEMPTS`]
//! times in all (about an hour), then given up with its last error kept.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::crypto::hmac_sha256_hex;
use crate::model::Timestamp;
use crate::state::AppState;
use crate::store::{StoreResult, Tx, Webhook, WebhookDelivery};

/// The events a webhook may subscribe to (Mastodon's names).
pub const EVENTS: &[&str] = &[
    "account.approved",
    "account.created",
    "report.created",
    "report.updated",
    "status.created",
    "status.updated",
];

pub const MAX_ATTEMPTS: i64 = 8;
const TIMEOUT: Duration = Duration::from_secs(10);
/// A claim outlives an attempt, so it only lapses when a worker died.
const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 16;
const POLL: Duration = Duration::from_secs(2);
const FIRST_RETRY_SECS: i64 = 30;
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Finished deliveries are kept this long, for admins to look at.
const KEEP_FINISHED_SECS: i64 = 7 * 24 * 3600;

/// The body Mastodon sends.
fn payload(event: &str, object: Value) -> String {
    json!({
        "event": event,
        "created_at": Timestamp::now().to_rfc3339(),
        "object": object,
    })
    .to_string()
}

/// Queues `event` for every enabled webhook subscribed to it, inside the
/// transaction of the change, so the event exists exactly when the change
/// does. Returns how many deliveries were queued.
pub async fn enqueue(tx: &mut Tx, event: &str, object: Value) -> StoreResult<usize> {
    let webhooks: Vec<Webhook> = tx
        .webhooks()
        .list()
        .await?
        .into_iter()
        .filter(|w| w.wants(event))
        .collect();
    if webhooks.is_empty() {
        return Ok(0);
    }
    let body = payload(event, object);
    for webhook in &webhooks {
        tx.webhooks().enqueue(webhook.id, event, &body).await?;
    }
    Ok(webhooks.len())
}

/// Queues `event` for every enabled webhook subscribed to it, after the
/// change committed. Never fails the caller: a failure is logged.
pub async fn emit(state: &AppState, event: &str, object: Value) {
    if let Err(e) = try_emit(state, event, object).await {
        tracing::warn!(error = %e, event, "cannot queue a webhook event");
    }
}

async fn try_emit(state: &AppState, event: &str, object: Value) -> StoreResult<()> {
    // Most instances have no webhook: look before taking the write lock.
    let list = state.store.webhooks().list().await?;
    if !list.iter().any(|w| w.wants(event)) {
        return Ok(());
    }
    let mut tx = state.store.begin().await?;
    enqueue(&mut tx, event, object).await?;
    tx.commit().await
}

/// A running worker; `stop` lets in-flight sends finish.
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl Worker {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(TIMEOUT + Duration::from_secs(5), self.handle).await;
    }
}

/// Sends due deliveries every few seconds, and forgets old finished ones.
pub fn spawn(state: AppState) -> Worker {
    let (stop, mut stopped) = watch::channel(false);
    let handle = tokio::spawn(async move {
        let mut last_prune: Option<tokio::time::Instant> = None;
        while !*stopped.borrow() {
            if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                last_prune = Some(tokio::time::Instant::now());
                let before = Timestamp::now().plus_seconds(-KEEP_FINISHED_SECS);
                if let Err(e) = state.store.webhooks().prune(before).await {
                    tracing::warn!(error = %e, "cannot prune webhook deliveries");
                }
            }
            let worked = match run_once(&state).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook worker");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stopped.changed() => {}
                }
            }
        }
    });
    Worker { stop, handle }
}

/// Sends one batch of the deliveries due now. Returns how many it tried.
pub async fn run_once(state: &AppState) -> StoreResult<usize> {
    run_once_at(state, Timestamp::now()).await
}

/// Sends one batch of the deliveries due at `now` (tests pass a later
/// time to reach retries), scheduling retries from `now`.
pub async fn run_once_at(state: &AppState, now: Timestamp) -> StoreResult<usize> {
    let claimed = state.store.webhooks().claim(now, LEASE_MS, BATCH).await?;
    let mut webhooks: HashMap<i64, Option<Webhook>> = HashMap::new();
    let mut sends = JoinSet::new();
    for delivery in &claimed {
        let webhook = match webhooks.get(&delivery.webhook_id) {
            Some(found) => found.clone(),
            None => {
                let found = state.store.webhooks().by_id(delivery.webhook_id).await?;
                webhooks.insert(delivery.webhook_id, found.clone());
                found
            }
        };
        let state = state.clone();
        let delivery = delivery.clone();
        sends.spawn(async move {
            let result = match webhook {
                Some(webhook) if webhook.enabled => send(&state, &webhook, &delivery).await,
                // Deleted webhooks take their deliveries with them.
                _ => Err(Failure::Final("the webhook is disabled".into())),
            };
            if let Err(e) = record(&state, &delivery, result, now).await {
                tracing::warn!(error = %e, delivery = delivery.id, "cannot record a webhook delivery");
            }
        });
    }
    while sends.join_next().await.is_some() {}
    Ok(claimed.len())
}

enum Failure {
    /// Worth trying again later.
    Temporary(String),
    /// Not worth trying again.
    Final(String),
}

async fn send(
    state: &AppState,
    webhook: &Webhook,
    delivery: &WebhookDelivery,
) -> Result<(), Failure> {
    let signature = format!(
        "sha256={}",
        hmac_sha256_hex(webhook.secret.as_bytes(), delivery.payload.as_bytes())
    );
    let response = state
        .hook_client
        .http()
        .post(&webhook.url)
        .timeout(TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Hub-Signature", signature)
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|e| Failure::Temporary(super::hooks::describe(&e)))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(Failure::Temporary(format!(
            "the receiver answered HTTP {}",
            status.as_u16()
        )))
    }
}

async fn record(
    state: &AppState,
    delivery: &WebhookDelivery,
    result: Result<(), Failure>,
    now: Timestamp,
) -> StoreResult<()> {
    let attempts = delivery.attempts + 1;
    let store = state.store.webhooks();
    match result {
        Ok(()) => {
            store
                .delivered(delivery.id, attempts, Timestamp::now())
                .await
        }
        Err(Failure::Temporary(error)) if attempts < MAX_ATTEMPTS => {
            let delay = FIRST_RETRY_SECS << (attempts - 1).clamp(0, 20);
            tracing::debug!(delivery = delivery.id, error = %error, attempts, "webhook delivery failed; will retry");
            store
                .failed(delivery.id, attempts, Some(now.plus_seconds(delay)), &error)
                .await
        }
        Err(Failure::Temporary(error) | Failure::Final(error)) => {
            tracing::info!(delivery = delivery.id, event = %delivery.event, error = %error, attempts, "giving up a webhook delivery");
            store.failed(delivery.id, attempts, None, &error).await
        }
    }
}
