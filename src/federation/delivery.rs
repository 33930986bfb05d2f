//! The delivery worker: renders queued statuses, then claims due
//! deliveries and sends each, signed by its actor, with a per-host
//! concurrency limit, exponential backoff with jitter for about a week, and
//! a circuit breaker that marks long-failing hosts unreachable (retried
//! rarely, revived as soon as they contact us).
//!
//! Every node may run one: a delivery is claimed with a lease, which the
//! worker renews while it holds the delivery, so a claim lapses only when
//! its node died (then another node sends it; the receiver may see it
//! twice if the dead node had sent it already, which is ActivityPub's
//! at-least-once delivery).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;
use url::Url;

use super::fetch::authority_of;
use super::protocol::PUBLIC;
use super::render;
use super::signatures::Signer;
use crate::config::Config;
use crate::model::{Account, AccountId, Status, Timestamp, Visibility};
use crate::service::publish;
use crate::state::AppState;
use crate::store::{Claimed, StoreError};

/// Activities rendered per round.
const RENDER_BATCH: i64 = 64;
const POLL: Duration = Duration::from_secs(2);
const FIRST_RETRY_SECS: f64 = 30.0;
const MAX_RETRY_SECS: f64 = 12.0 * 3600.0;
/// After this long failing, a host is unreachable and retried rarely.
const UNREACHABLE_AFTER_MS: i64 = 2 * 24 * 3600 * 1000;
const UNREACHABLE_RETRY_SECS: f64 = 6.0 * 3600.0;
/// Deliveries older than this are given up.
const GIVE_UP_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// How much one node's worker takes on (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deliveries held (claimed) at once.
    pub concurrency: usize,
    /// Of those, in flight to one host at once.
    pub per_host: usize,
    pub lease_ms: i64,
}

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            concurrency: config.delivery_concurrency.max(1) as usize,
            per_host: config.delivery_per_host.max(1) as usize,
            lease_ms: (config.delivery_lease_secs.max(2) * 1000) as i64,
        }
    }

    /// Claims are renewed three times per lease: one late renewal does not
    /// let a claim lapse.
    fn renew_every(&self) -> Duration {
        Duration::from_millis((self.lease_ms / 3) as u64)
    }
}

/// A running worker; `stop` lets in-flight sends finish.
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl Worker {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(35), self.handle).await;
    }
}

pub fn spawn(state: AppState) -> Worker {
    let (stop, stopped) = watch::channel(false);
    let limits = Limits::from_config(&state.config);
    let handle = tokio::spawn(Sender::new(state, limits).run(stopped));
    Worker { stop, handle }
}

/// The worker's own state: the deliveries it holds and their sends.
struct Sender {
    state: AppState,
    limits: Limits,
    signers: HashMap<AccountId, Arc<Signer>>,
    hosts: HashMap<String, Arc<Semaphore>>,
    /// Claimed deliveries being worked on, with the expiry of the claim
    /// (`None` once it lapsed and another node took it over).
    held: HashMap<i64, Option<Timestamp>>,
    /// The host of each held delivery: claims stop at `per_host` a host.
    held_hosts: HashMap<i64, String>,
    sends: JoinSet<()>,
    /// Which delivery each send is for.
    sending: HashMap<tokio::task::Id, i64>,
    renewed_at: Instant,
}

impl Sender {
    fn new(state: AppState, limits: Limits) -> Self {
        Self {
            state,
            limits,
            signers: HashMap::new(),
            hosts: HashMap::new(),
            held: HashMap::new(),
            held_hosts: HashMap::new(),
            sends: JoinSet::new(),
            sending: HashMap::new(),
            renewed_at: Instant::now(),
        }
    }

    async fn run(mut self, mut stopped: watch::Receiver<bool>) {
        let renew_every = self.limits.renew_every();
        while !*stopped.borrow() {
            while let Some(done) = self.sends.try_join_next_with_id() {
                self.finished(done);
            }
            if self.renewed_at.elapsed() >= renew_every {
                self.renew().await;
            }
            let more = match self.fill().await {
                Ok(more) => more,
                Err(e) => {
                    tracing::warn!(error = %e, "delivery worker");
                    false
                }
            };
            if more {
                continue;
            }
            let room = self.held.len() < self.limits.concurrency;
            let renewal = renew_every.saturating_sub(self.renewed_at.elapsed());
            tokio::select! {
                Some(done) = self.sends.join_next_with_id() => self.finished(done),
                _ = self.state.federation.wake.notified(), if room => {}
                _ = tokio::time::sleep(POLL), if room => {}
                _ = tokio::time::sleep(renewal) => {}
                _ = stopped.changed() => {}
            }
        }
        // Let the sends under way finish, still holding their claims.
        while !self.sends.is_empty() {
            let renewal = renew_every.saturating_sub(self.renewed_at.elapsed());
            tokio::select! {
                Some(done) = self.sends.join_next_with_id() => self.finished(done),
                _ = tokio::time::sleep(renewal) => self.renew().await,
            }
        }
    }

    /// Renders what is pending and claims as many due deliveries as there
    /// is room for. Returns whether more may be waiting right now.
    async fn fill(&mut self) -> Result<bool, StoreError> {
        let room = self.limits.concurrency.saturating_sub(self.held.len());
        if room == 0 {
            return Ok(false);
        }
        let rendered = render_pending(&self.state).await?;
        let now = Timestamp::now();
        let until = Timestamp(now.0 + self.limits.lease_ms);
        let mut per_host: HashMap<String, usize> = HashMap::new();
        for host in self.held_hosts.values() {
            *per_host.entry(host.clone()).or_default() += 1;
        }
        let claimed = self
            .state
            .store
            .deliveries()
            .claim_per_host(
                now,
                self.limits.lease_ms,
                room as i64,
                self.limits.per_host as i64,
                &per_host,
            )
            .await?;
        let full = claimed.len() == room;
        for delivery in claimed {
            self.start(delivery, until).await?;
        }
        Ok(rendered > 0 || full)
    }

    /// Sends a claimed delivery in its own task, or drops it when it can no
    /// longer be sent.
    async fn start(&mut self, delivery: Claimed, until: Timestamp) -> Result<(), StoreError> {
        let state = self.state.clone();
        if let Some(held) = self.held.get_mut(&delivery.id) {
            // Our own claim lapsed (renewals were late) and we took it
            // again: it is already being sent.
            *held = Some(until);
            return Ok(());
        }
        let policy = state.moderation.policy(&state.store).await?;
        if !policy.domains.decide(&delivery.host).federates {
            // Blocked since it was queued (or not on the allowlist).
            tracing::info!(host = %delivery.host, "dropping a delivery to a server we do not federate with");
            return state
                .store
                .deliveries()
                .finish(delivery.id, delivery.activity_id)
                .await;
        }
        let signer = match self.signers.get(&delivery.actor_id) {
            Some(s) => s.clone(),
            None => match signer_for(&state, delivery.actor_id).await {
                Some(s) => {
                    let s = Arc::new(s);
                    self.signers.insert(delivery.actor_id, s.clone());
                    s
                }
                None => {
                    // The actor is gone: nobody can sign this any more.
                    return state
                        .store
                        .deliveries()
                        .finish(delivery.id, delivery.activity_id)
                        .await;
                }
            },
        };
        let limit = self
            .hosts
            .entry(delivery.host.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_host)))
            .clone();
        let id = delivery.id;
        let host = delivery.host.clone();
        let task = self.sends.spawn(async move {
            let _permit = limit.acquire_owned().await;
            if let Err(e) = send(&state, &delivery, &signer).await {
                tracing::warn!(error = %e, inbox = %delivery.inbox_url, "cannot record a delivery");
            }
        });
        self.held.insert(id, Some(until));
        self.held_hosts.insert(id, host);
        self.sending.insert(task.id(), id);
        Ok(())
    }

    fn finished(&mut self, done: Result<(tokio::task::Id, ()), JoinError>) {
        let task = match done {
            Ok((task, ())) => task,
            Err(e) => {
                tracing::warn!(error = %e, "a delivery task failed");
                e.id()
            }
        };
        if let Some(id) = self.sending.remove(&task) {
            self.held.remove(&id);
            self.held_hosts.remove(&id);
        }
    }

    /// Extends the claims on every delivery still held.
    async fn renew(&mut self) {
        self.renewed_at = Instant::now();
        let until = Timestamp(Timestamp::now().0 + self.limits.lease_ms);
        for (id, held) in &mut self.held {
            let Some(current) = *held else { continue };
            match self
                .state
                .store
                .deliveries()
                .renew(*id, current, until)
                .await
            {
                Ok(true) => *held = Some(until),
                // Sent meanwhile, or taken over by another node.
                Ok(false) => *held = None,
                Err(e) => {
                    tracing::warn!(error = %e, delivery = id, "cannot renew a delivery claim")
                }
            }
        }
    }
}

async fn signer_for(state: &AppState, actor: AccountId) -> Option<Signer> {
    let account = state.store.accounts().by_id(actor).await.ok()??;
    super::keys::signer(&state.store, &account).await.ok()
}

async fn send(state: &AppState, delivery: &Claimed, signer: &Signer) -> Result<(), StoreError> {
    let store = &state.store;
    let now = Timestamp::now();
    let result = match Url::parse(&delivery.inbox_url) {
        Ok(inbox) => {
            state
                .federation
                .client
                .post_activity(&inbox, delivery.payload.as_bytes(), signer)
                .await
        }
        Err(_) => Err(super::client::FetchError::Refused(
            delivery.inbox_url.clone(),
        )),
    };
    let error = match result {
        Ok(()) => {
            // One commit for both: the bookkeeping of a delivery is most of
            // what a fan-out writes.
            let mut tx = store.begin().await?;
            tx.deliveries()
                .finish(delivery.id, delivery.activity_id)
                .await?;
            tx.deliveries()
                .peer_alive(&delivery.host, now, true)
                .await?;
            tx.commit().await?;
            state.metrics.deliveries_sent.inc();
            return Ok(());
        }
        Err(e) => e,
    };
    state.federation.healthy_peers.failed(&delivery.host);
    let too_old = now.0 - delivery.created_at.0 > GIVE_UP_AFTER_MS;
    if !error.is_temporary() || too_old {
        tracing::info!(inbox = %delivery.inbox_url, error = %error, attempts = delivery.attempts + 1, "giving up a delivery");
        store
            .deliveries()
            .finish(delivery.id, delivery.activity_id)
            .await?;
        if too_old {
            store
                .deliveries()
                .peer_unreachable(&delivery.host, now)
                .await?;
        }
        state.metrics.deliveries_failed.inc();
        return Ok(());
    }
    let failing_since = store.deliveries().peer_failed(&delivery.host, now).await?;
    let attempts = delivery.attempts + 1;
    let mut delay = (FIRST_RETRY_SECS * 2f64.powi(attempts - 1)).min(MAX_RETRY_SECS);
    if now.0 - failing_since.0 > UNREACHABLE_AFTER_MS {
        store
            .deliveries()
            .peer_unreachable(&delivery.host, now)
            .await?;
        delay = delay.max(UNREACHABLE_RETRY_SECS);
    }
    // Jitter spreads retries of many deliveries to one host.
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    let at = now.plus_seconds((delay * jitter) as i64);
    tracing::debug!(inbox = %delivery.inbox_url, error = %error, attempts, "delivery failed; will retry");
    store
        .deliveries()
        .retry_at(delivery.id, attempts, at, &error.to_string())
        .await?;
    state.metrics.deliveries_retried.inc();
    Ok(())
}

/// Renders queued `Create`/`Update`s and profile updates into deliveries.
async fn render_pending(state: &AppState) -> Result<usize, StoreError> {
    let pending = state
        .store
        .deliveries()
        .pending_renders(RENDER_BATCH)
        .await?;
    let count = pending.len();
    for (id, actor_id, status_id, kind) in pending {
        let (payload, inboxes) = match render_one(state, actor_id, status_id, &kind).await {
            Ok(Some(rendered)) => rendered,
            Ok(None) => (String::new(), Vec::new()),
            Err(e) => {
                tracing::warn!(error = %e, activity = id, "cannot render an activity; dropping it");
                (String::new(), Vec::new())
            }
        };
        let mut tx = state.store.begin().await?;
        tx.deliveries().rendered(id, &payload, &inboxes).await?;
        tx.commit().await?;
    }
    Ok(count)
}

type Rendered = (String, Vec<(String, String)>);

async fn render_one(
    state: &AppState,
    actor_id: AccountId,
    status_id: Option<crate::model::StatusId>,
    kind: &str,
) -> crate::service::error::ServiceResult<Option<Rendered>> {
    let Some(actor) = state.store.accounts().by_id(actor_id).await? else {
        return Ok(None);
    };
    let (activity, inboxes) = match (kind, status_id) {
        ("Create" | "Update", Some(id)) => {
            let Some(status) = state.store.statuses().by_id(id).await? else {
                return Ok(None);
            };
            if !render::is_federated(&status) {
                return Ok(None);
            }
            if kind == "Create" {
                // Marked when it really goes out (not when queued): a post
                // held again before this render never went out, and its
                // approval must send a Create, not an Update.
                state.store.statuses().mark_federated(id).await?;
            }
            let activity = render::create_or_update(
                &state.store,
                &state.config,
                &state.media,
                &status,
                &actor,
                kind == "Update",
            )
            .await?;
            (activity, status_inboxes(state, &status, &actor).await?)
        }
        ("UpdatePerson", _) => {
            let document = render::actor(&state.store, &state.config, &actor).await?;
            let mut document = serde_json::to_value(document).unwrap_or_default();
            if let Some(map) = document.as_object_mut() {
                map.remove("@context");
            }
            let activity = render::activity(
                "Update",
                format!("{}#updates/{}", actor.uri, Timestamp::now().millis()),
                &actor,
                document,
                vec![PUBLIC.into()],
                vec![render::followers_url(&actor)],
            );
            let inboxes = state.store.accounts().follower_inboxes(actor.id).await?;
            (activity, inboxes)
        }
        _ => return Ok(None),
    };
    let payload = serde_json::to_string(&activity)
        .map_err(|e| crate::service::error::ServiceError::Internal(e.to_string()))?;
    let inboxes = inboxes
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|inbox| authority_of(&inbox).map(|host| (inbox, host)))
        .filter(|(_, host)| *host != state.config.domain())
        .collect();
    Ok(Some((payload, inboxes)))
}

/// Who must receive a status: remote followers (unless direct), remote
/// accounts it mentions, and the author of the post it answers.
async fn status_inboxes(
    state: &AppState,
    status: &Status,
    author: &Account,
) -> crate::service::error::ServiceResult<Vec<String>> {
    let direct = status.visibility() == Visibility::Direct;
    let mut inboxes = Vec::new();
    if !direct {
        inboxes.extend(state.store.accounts().follower_inboxes(author.id).await?);
    }
    let pick = |a: &Account| {
        if direct {
            publish::inbox(a)
        } else {
            publish::server_inbox(a)
        }
    };
    for (_, id) in state.store.statuses().mentions(&[status.id]).await? {
        if let Some(account) = state.store.accounts().by_id(id).await? {
            inboxes.extend(pick(&account));
        }
    }
    if !direct
        && let Some(parent) = status.in_reply_to_account_id
        && let Some(account) = state.store.accounts().by_id(parent).await?
    {
        inboxes.extend(pick(&account));
    }
    Ok(inboxes)
}
