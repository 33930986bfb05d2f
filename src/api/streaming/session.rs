//! One streaming connection's subscriptions, and the messages each event
//! becomes for its viewer.
//!
//! Whether a new or edited status belongs on a stream is answered by the
//! same store query that lists that timeline, bounded to the one status —
//! so visibility, blocks, mutes, hidden domains, silenced authors and list
//! rules are exactly those of the REST timelines, and the viewer's filters
//! are applied as when the timeline is read.
//!
//! Memory stays bounded: events come from the node's bounded broadcast and
//! leave through a bounded channel to the transport. A subscriber that
//! cannot keep up (its socket stops draining) falls behind the broadcast and
//! is disconnected; clients reconnect and re-read what they missed.

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use super::streams::{self, Refusal, Stream};
use crate::api::mastodon::{conversations, notifications, render};
use crate::events::{Deleted, Event, Reach};
use crate::model::{Page, Status, StatusId};
use crate::service::oauth::{self, Authenticated};
use crate::state::AppState;
use crate::store::{Locality, StoreResult, TagQuery, UserWithAccount, Viewer};

/// Messages waiting for the transport, per connection.
pub const OUTBOX: usize = 64;
/// How often the token is checked again (revoked, account suspended).
const RECHECK: Duration = Duration::from_secs(30);
/// Streams one connection may hold: each costs a query per event.
pub const MAX_STREAMS: usize = 50;
/// A transport that takes no message for this long has lost its client.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// What a client asks for on a WebSocket.
#[derive(Debug)]
pub enum Command {
    Subscribe(Stream),
    Unsubscribe(Stream),
}

/// A message for the client: Mastodon's `{"stream", "event", "payload"}`,
/// with the payload a JSON document in a string.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub stream: Vec<String>,
    pub event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

#[derive(Debug)]
pub enum Outgoing {
    Message(Message),
    Refused(Refusal),
}

/// Why a session ended (for the transport's closing words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    ClientGone,
    TooSlow,
    TokenRevoked,
    ShuttingDown,
}

pub struct Session {
    state: AppState,
    auth: Authenticated,
    user: UserWithAccount,
    token: String,
    streams: Vec<Stream>,
}

impl Session {
    pub fn new(state: AppState, auth: Authenticated, user: UserWithAccount, token: String) -> Self {
        Self {
            state,
            auth,
            user,
            token,
            streams: Vec::new(),
        }
    }

    fn viewer(&self) -> Viewer {
        crate::service::statuses::viewer_of(&self.user)
    }

    /// Adds a stream after checking the token's scopes and, for a list,
    /// that the viewer owns it.
    pub async fn subscribe(&mut self, stream: Stream) -> Result<(), Refusal> {
        if !stream.allowed(&self.auth) {
            return Err(Refusal {
                status: 401,
                error: "Access token does not have the required scopes".into(),
            });
        }
        if let Stream::List(id) = stream {
            let owned = self
                .state
                .store
                .lists()
                .get(self.user.account.id, id)
                .await
                .map_err(|_| Refusal {
                    status: 500,
                    error: "Could not check the list".into(),
                })?;
            if owned.is_none() {
                return Err(Refusal {
                    status: 401,
                    error: "Not authorized to stream this list".into(),
                });
            }
        }
        if !self.streams.contains(&stream) {
            if self.streams.len() >= MAX_STREAMS {
                return Err(Refusal {
                    status: 400,
                    error: format!("Too many streams on one connection (at most {MAX_STREAMS})"),
                });
            }
            self.streams.push(stream);
        }
        Ok(())
    }

    /// Sends what happens to `out` until the client leaves, falls behind,
    /// loses its token, or the node stops.
    pub async fn run(
        mut self,
        mut events: broadcast::Receiver<std::sync::Arc<Event>>,
        mut commands: Option<mpsc::Receiver<Command>>,
        out: mpsc::Sender<Outgoing>,
    ) -> End {
        let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK);
        loop {
            tokio::select! {
                command = async {
                    match commands.as_mut() {
                        Some(c) => c.recv().await,
                        None => std::future::pending().await,
                    }
                } => match command {
                    None => return End::ClientGone,
                    Some(Command::Subscribe(stream)) => {
                        if let Err(refusal) = self.subscribe(stream).await
                            && out.send(Outgoing::Refused(refusal)).await.is_err()
                        {
                            return End::ClientGone;
                        }
                    }
                    Some(Command::Unsubscribe(stream)) => self.streams.retain(|s| *s != stream),
                },
                event = events.recv() => match event {
                    Ok(event) => {
                        // Streaming never takes more than its share of the
                        // node's database connections.
                        let permit = self.state.store.events().work_permit().await;
                        let messages = match self.messages_for(&event).await {
                            Ok(messages) => messages,
                            Err(e) => {
                                tracing::warn!(error = %e, "streaming: cannot prepare an event");
                                Vec::new()
                            }
                        };
                        drop(permit);
                        for message in messages {
                            match tokio::time::timeout(SEND_TIMEOUT, out.send(Outgoing::Message(message))).await {
                                Ok(Ok(())) => {}
                                Ok(Err(_)) => return End::ClientGone,
                                Err(_) => return End::TooSlow,
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::info!(missed, account = %self.user.account.id, "streaming: subscriber too slow, disconnected");
                        return End::TooSlow;
                    }
                    Err(broadcast::error::RecvError::Closed) => return End::ShuttingDown,
                },
                _ = recheck.tick() => {
                    if oauth::authenticate_token(&self.state.store, &self.token, false).await.is_err() {
                        return End::TokenRevoked;
                    }
                }
                _ = out.closed() => return End::ClientGone,
            }
        }
    }

    /// The messages one event becomes for this viewer, one per stream it
    /// belongs on.
    pub async fn messages_for(&self, event: &Event) -> StoreResult<Vec<Message>> {
        let me = self.user.account.id;
        let mut out = Vec::new();
        match event {
            Event::StatusCreated { id, reach } | Event::StatusUpdated { id, reach } => {
                let name = match event {
                    Event::StatusCreated { .. } => "update",
                    _ => "status.update",
                };
                // One rendering per filter context, shared by the streams.
                let mut rendered: HashMap<&'static str, Option<String>> = HashMap::new();
                for stream in self.streams.iter().filter(|s| may_show(s, reach)) {
                    let Some(status) = self.on_timeline(stream, *id).await? else {
                        continue;
                    };
                    let context = stream.context();
                    if !rendered.contains_key(context) {
                        rendered.insert(context, self.render_status(status, context).await);
                    }
                    if let Some(Some(payload)) = rendered.get(context) {
                        out.push(message(stream, name, Some(payload.clone())));
                    }
                }
            }
            Event::StatusDeleted(deleted) => {
                for stream in &self.streams {
                    if self.heard_of(stream, deleted).await? {
                        out.push(message(stream, "delete", Some(deleted.id.to_string())));
                    }
                }
            }
            Event::Notification { id, account } if *account == me => {
                let wanted: Vec<&Stream> = self
                    .streams
                    .iter()
                    .filter(|s| match s {
                        Stream::User => streams::may_read_notifications(&self.auth),
                        Stream::UserNotification => true,
                        _ => false,
                    })
                    .collect();
                if wanted.is_empty() {
                    return Ok(out);
                }
                let Some(found) = self.state.store.notifications().by_id(me, *id).await? else {
                    return Ok(out);
                };
                let payload = match notifications::render_all(
                    &self.state,
                    self.viewer(),
                    vec![found],
                )
                .await
                {
                    Ok(mut list) => list.pop().and_then(|n| serde_json::to_string(&n).ok()),
                    Err(e) => {
                        tracing::warn!(error = %e, "streaming: cannot render a notification");
                        None
                    }
                };
                if let Some(payload) = payload {
                    for stream in wanted {
                        out.push(message(stream, "notification", Some(payload.clone())));
                    }
                }
            }
            Event::FiltersChanged { account } if *account == me => {
                for stream in self.streams.iter().filter(|s| **s == Stream::User) {
                    out.push(message(stream, "filters_changed", None));
                }
            }
            Event::Conversation { id, account } if *account == me => {
                if !self.streams.contains(&Stream::Direct) {
                    return Ok(out);
                }
                let Some(row) = self.state.store.conversations().get(me, *id).await? else {
                    return Ok(out);
                };
                let payload =
                    match conversations::render_one(&self.state, self.viewer(), &row).await {
                        Ok(c) => c.and_then(|c| serde_json::to_string(&c).ok()),
                        Err(e) => {
                            tracing::warn!(error = %e, "streaming: cannot render a conversation");
                            None
                        }
                    };
                if let Some(payload) = payload {
                    out.push(message(&Stream::Direct, "conversation", Some(payload)));
                }
            }
            Event::Notification { .. }
            | Event::FiltersChanged { .. }
            | Event::Conversation { .. } => {}
        }
        Ok(out)
    }

    /// The status, if reading `stream`'s timeline now would show it.
    async fn on_timeline(&self, stream: &Stream, id: StatusId) -> StoreResult<Option<Status>> {
        let store = &self.state.store;
        let viewer = self.viewer();
        let page = Page {
            max_id: Some(id.0 + 1),
            since_id: Some(id.0 - 1),
            min_id: None,
            limit: 1,
        };
        let found = match stream {
            Stream::User => store.statuses().home(viewer, &page).await?,
            Stream::Public {
                locality,
                only_media,
            } => {
                store
                    .statuses()
                    .public(viewer, *locality, *only_media, &page)
                    .await?
            }
            Stream::Hashtag { tag, local } => {
                let query = TagQuery {
                    any: vec![tag.clone()],
                    all: Vec::new(),
                    none: Vec::new(),
                    local: *local,
                };
                store.tags().timeline(&query, viewer, &page).await?
            }
            Stream::List(list) => match store.lists().get(self.user.account.id, *list).await? {
                Some(list) => store.lists().timeline(&list, viewer, &page).await?,
                None => Vec::new(),
            },
            Stream::UserNotification | Stream::Direct => Vec::new(),
        };
        Ok(found.into_iter().find(|s| s.id == id))
    }

    /// Renders a status as read in `context`; `None` when a filter hides it.
    async fn render_status(&self, status: Status, context: &str) -> Option<String> {
        match render::statuses_in(&self.state, self.viewer(), vec![status], context).await {
            Ok(mut list) => list.pop().and_then(|s| serde_json::to_string(&s).ok()),
            Err(e) => {
                tracing::warn!(error = %e, "streaming: cannot render a status");
                None
            }
        }
    }

    /// Whether a deleted status may have reached this stream: the status
    /// itself is gone, so this is decided from what the event carries.
    async fn heard_of(&self, stream: &Stream, deleted: &Deleted) -> StoreResult<bool> {
        let me = self.user.account.id;
        if deleted.withdrawn && deleted.account == me {
            // Held or rejected, the author still sees it.
            return Ok(false);
        }
        let public = deleted.visibility == "public" && !deleted.reblog;
        let local_ok = |local_only: bool| !local_only || self.viewer().local;
        Ok(match stream {
            Stream::User => {
                deleted.account == me
                    || deleted.mentions.contains(&me)
                    || self
                        .state
                        .store
                        .follows()
                        .relationship(me, deleted.account)
                        .await?
                        .following
            }
            Stream::Public { locality, .. } => {
                public
                    && local_ok(deleted.local_only)
                    && match locality {
                        Locality::All => true,
                        Locality::Local => deleted.local,
                        Locality::Remote => !deleted.local,
                    }
            }
            Stream::Hashtag { tag, local } => {
                public
                    && local_ok(deleted.local_only)
                    && (!local || deleted.local)
                    && deleted
                        .tags
                        .iter()
                        .any(|t| t.to_lowercase() == tag.to_lowercase())
            }
            Stream::List(list) => self
                .state
                .store
                .lists()
                .containing(me, deleted.account)
                .await?
                .iter()
                .any(|l| l.id == *list),
            Stream::Direct => {
                deleted.visibility == "direct"
                    && (deleted.account == me || deleted.mentions.contains(&me))
            }
            Stream::UserNotification => false,
        })
    }
}

/// Whether a stream could show a status of this reach at all (what is
/// known without a query).
fn may_show(stream: &Stream, reach: &Reach) -> bool {
    match stream {
        Stream::Public { locality, .. } => {
            reach.public
                && match locality {
                    Locality::All => true,
                    Locality::Local => reach.local,
                    Locality::Remote => !reach.local,
                }
        }
        Stream::Hashtag { local, .. } => reach.public && (!local || reach.local),
        Stream::User | Stream::List(_) => true,
        Stream::UserNotification | Stream::Direct => false,
    }
}

fn message(stream: &Stream, event: &'static str, payload: Option<String>) -> Message {
    Message {
        stream: stream.names(),
        event,
        payload,
    }
}
