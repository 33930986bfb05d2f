//! What changed, for streaming: small events carrying ids, published by the
//! store when the change is committed and received by every node.
//!
//! - SQLite (one node): a transaction keeps its events and hands them to the
//!   in-process broadcast after `COMMIT`; nothing is published for a
//!   transaction that rolls back.
//! - PostgreSQL (any number of nodes): the store calls `pg_notify` inside
//!   the transaction, so PostgreSQL delivers the event at `COMMIT` (never for
//!   a rollback) to every node listening; each node's listener feeds its own
//!   broadcast, the originating node's included. The listener starts with
//!   the first subscriber and reconnects by itself.
//!
//! Events are facts, not renderings: whoever streams them loads what it
//! needs and applies the viewer's visibility rules then.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore, broadcast, watch};

use crate::model::{AccountId, StatusId};

/// The PostgreSQL channel events travel on.
pub const CHANNEL: &str = "loggia_events";

/// Events kept for subscribers that are momentarily busy. A subscriber that
/// falls further behind loses its place (`Lagged`) instead of growing memory.
const CAPACITY: usize = 1024;

/// PostgreSQL refuses notification payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Event {
    /// A status was stored, or became published (approved after review).
    StatusCreated { id: StatusId, reach: Reach },
    /// A status was edited.
    StatusUpdated { id: StatusId, reach: Reach },
    /// A status is gone; what streams need to decide who hears of it.
    StatusDeleted(Deleted),
    /// A notification for a local account.
    Notification { id: i64, account: AccountId },
    /// An account's filters changed.
    FiltersChanged { account: AccountId },
    /// A direct conversation of a local account got a new status.
    Conversation { id: i64, account: AccountId },
}

/// What lets streams pass over a status without asking the database: only
/// a public original can be on public and hashtag timelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// Public visibility and not a boost.
    pub public: bool,
    /// Written here.
    pub local: bool,
}

impl Reach {
    pub fn of(status: &crate::model::Status) -> Self {
        Self {
            public: status.visibility == "public" && status.reblog_of_id.is_none(),
            local: status.local,
        }
    }
}

/// A deleted status, described by what was known just before it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deleted {
    pub id: StatusId,
    pub account: AccountId,
    pub visibility: String,
    pub local_only: bool,
    pub local: bool,
    pub reblog: bool,
    pub mentions: Vec<AccountId>,
    pub tags: Vec<String>,
    /// Not deleted but withdrawn from others' sight (held for review,
    /// rejected): its author still sees it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
}

impl Deleted {
    /// Keeps the payload within PostgreSQL's limit: mentions and tags are
    /// dropped from the end until it fits (whole tags, so that a long one
    /// still matches its hashtag stream).
    pub fn bounded(mut self) -> Self {
        while Event::StatusDeleted(self.clone()).to_payload().len() > MAX_PAYLOAD {
            if self.tags.len() >= self.mentions.len() {
                self.tags.pop();
            } else {
                self.mentions.pop();
            }
        }
        self
    }
}

impl Event {
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_payload(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }
}

/// The node's event bus, cheap to clone.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Arc<Event>>,
    /// Bounds the database connections streaming uses at once.
    work: Arc<Semaphore>,
    /// PostgreSQL: the pool the listener connects with, and whether it runs.
    listener: Option<Arc<Listener>>,
    /// Signalled when a commit on this node queued deliveries to other
    /// servers: the delivery worker waits on it between polls.
    deliveries: Arc<Notify>,
}

struct Listener {
    pool: sqlx::PgPool,
    started: Mutex<bool>,
    /// Whether `LISTEN` is in effect right now.
    listening: watch::Sender<bool>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("subscribers", &self.sender.receiver_count())
            .field("postgres", &self.listener.is_some())
            .finish()
    }
}

impl Events {
    /// A bus for one process (SQLite); streaming may use up to
    /// `connections` database connections at once.
    pub fn in_process(connections: u32) -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            work: Arc::new(Semaphore::new(connections.max(1) as usize)),
            listener: None,
            deliveries: Arc::default(),
        }
    }

    /// A bus fed by PostgreSQL notifications.
    pub fn postgres(pool: sqlx::PgPool, connections: u32) -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            work: Arc::new(Semaphore::new(connections.max(1) as usize)),
            listener: Some(Arc::new(Listener {
                pool,
                started: Mutex::new(false),
                listening: watch::channel(false).0,
            })),
            deliveries: Arc::default(),
        }
    }

    /// What wakes the delivery worker: see [`Events::deliveries_queued`].
    pub fn delivery_wake(&self) -> Arc<Notify> {
        self.deliveries.clone()
    }

    /// Deliveries were queued (and committed) on this node. Only this
    /// node's worker is woken; other nodes' find them at their next poll.
    pub fn deliveries_queued(&self) {
        self.deliveries.notify_one();
    }

    /// Hands an event to this node's subscribers (after its commit).
    pub fn publish_here(&self, event: Event) {
        // No subscriber is not an error: nobody is streaming.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Receives every event committed from now on (on PostgreSQL, from
    /// every node).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        let receiver = self.sender.subscribe();
        if let Some(listener) = &self.listener {
            let mut started = listener.started.lock().unwrap_or_else(|e| e.into_inner());
            if !*started {
                *started = true;
                tokio::spawn(listen(listener.clone(), self.sender.clone()));
            }
        }
        receiver
    }

    /// Waits (a few seconds at most) until events from other nodes arrive:
    /// on PostgreSQL, until the listener's `LISTEN` is in effect, so that a
    /// subscriber answered "connected" misses nothing committed after.
    pub async fn ready(&self) -> bool {
        let Some(listener) = &self.listener else {
            return true;
        };
        let mut listening = listener.listening.subscribe();
        tokio::time::timeout(Duration::from_secs(5), listening.wait_for(|on| *on))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits for a turn to do streaming's database work.
    pub async fn work_permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.work.acquire().await.ok()
    }

    /// How many receivers exist on this node (for metrics and tests).
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

/// Feeds PostgreSQL notifications into the node's broadcast until the pool
/// closes. A lost connection is re-established; what was sent meanwhile is
/// lost, as with any publish/subscribe (clients re-read timelines when they
/// reconnect).
async fn listen(state: Arc<Listener>, sender: broadcast::Sender<Arc<Event>>) {
    loop {
        state.listening.send_replace(false);
        let mut listener = match sqlx::postgres::PgListener::connect_with(&state.pool).await {
            Ok(l) => l,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "events: cannot connect to listen; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "events: LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        tracing::debug!("events: listening on PostgreSQL");
        state.listening.send_replace(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match Event::from_payload(notification.payload()) {
                    Some(event) => {
                        let _ = sender.send(Arc::new(event));
                    }
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "events: unreadable notification"
                    ),
                },
                // The connection dropped: connect and listen again (and
                // say when that is done).
                Ok(None) => {
                    tracing::warn!("events: connection to PostgreSQL lost; reconnecting");
                    break;
                }
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "events: listening failed; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_as_small_json() {
        let event = Event::StatusDeleted(
            Deleted {
                id: StatusId(7),
                account: AccountId(3),
                visibility: "public".into(),
                local_only: false,
                local: true,
                reblog: false,
                mentions: (0..500).map(AccountId).collect(),
                tags: vec!["x".repeat(300); 500],
                withdrawn: false,
            }
            .bounded(),
        );
        let payload = event.to_payload();
        assert!(payload.len() < 8000, "{} bytes", payload.len());
        assert_eq!(Event::from_payload(&payload), Some(event.clone()));
        let Event::StatusDeleted(kept) = event else {
            unreachable!()
        };
        assert!(
            kept.tags.iter().all(|t| t.len() == 300),
            "tags are kept whole"
        );
        assert!(!kept.mentions.is_empty() && !kept.tags.is_empty());
        assert_eq!(
            Event::Notification {
                id: 1,
                account: AccountId(2)
            }
            .to_payload(),
            r#"{"t":"notification","id":1,"account":2}"#
        );
    }

    #[tokio::test]
    async fn a_lagging_subscriber_loses_its_place_instead_of_growing() {
        let events = Events::in_process(1);
        let mut slow = events.subscribe();
        for i in 0..(CAPACITY as i64 + 10) {
            events.publish_here(Event::StatusCreated {
                id: StatusId(i),
                reach: Reach {
                    public: true,
                    local: true,
                },
            });
        }
        assert!(matches!(
            slow.recv().await,
            Err(broadcast::error::RecvError::Lagged(10))
        ));
    }
}
