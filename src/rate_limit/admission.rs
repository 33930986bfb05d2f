//! Admission control: at most `request_concurrency` requests are worked on
//! at once by this node. `request_queue` more may wait up to a second for a turn;
//! the rest, and those whose second ran out, are answered 503 with
//! `Retry-After`. Past what the node can serve, every waiting request only
//! adds latency and memory: an open-loop load at ten times the node's
//! capacity held ~20,000 requests and a gigabyte, and answered none of them
//! within ten seconds; with a second's wait but no bound on how many wait,
//! an inbox flood still held 275 MB.
//!
//! Not counted: the streaming API (connections that stay open), health
//! and metrics probes (a busy node must still look alive), and the inboxes,
//! which have their own turns (`inbox_concurrency`, answered 429, as
//! ActivityPub senders expect).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::state::AppState;

/// How long a request waits for a turn.
const WAIT: Duration = Duration::from_secs(1);

/// Turns to work: `concurrency` at once, and a waiting line, each waiting
/// at most a given time. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Turns {
    turns: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    line: usize,
}

impl Turns {
    /// `concurrency` at once, and a waiting line of `line`.
    pub fn new(concurrency: u32, line: u32) -> Self {
        Self {
            turns: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            waiting: Arc::default(),
            line: line as usize,
        }
    }

    /// A turn, at once or after waiting at most `wait` in the line; none
    /// if the line is full or the wait ran out.
    pub async fn take(&self, wait: Duration) -> Option<OwnedSemaphorePermit> {
        if let Ok(turn) = self.turns.clone().try_acquire_owned() {
            return Some(turn);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.line {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let _in_line = InLine(&self.waiting);
        tokio::time::timeout(wait, self.turns.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// A place in the line, given back however the wait ends (the request may
/// also be dropped while it waits).
struct InLine<'a>(&'a AtomicUsize);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The turns of this node.
#[derive(Debug, Clone)]
pub struct Admission(Turns);

impl Admission {
    pub fn new(concurrency: u32, line: u32) -> Self {
        Self(Turns::new(concurrency, line))
    }
}

/// Whether a request is worked on outside the turns.
fn exempt(method: &Method, path: &str) -> bool {
    path.starts_with("/api/v1/streaming")
        || matches!(path, "/health" | "/ready" | "/metrics")
        || (method == Method::POST && path.ends_with("/inbox"))
}

pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if exempt(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    match state.admission.0.take(WAIT).await {
        Some(_turn) => next.run(request).await,
        None => {
            tracing::info!("busy: a request is asked to come back in a moment");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "error": "The server is busy; try again in a moment"
                })),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_line_holds_as_many_as_asked_and_no_more() {
        let turns = Turns::new(2, 3);
        let working = [
            turns.take(WAIT).await.expect("a free turn"),
            turns.take(WAIT).await.expect("a free turn"),
        ];
        // Three wait (a long while), a fourth is refused at once.
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let turns = turns.clone();
                tokio::spawn(async move { turns.take(Duration::from_secs(30)).await.is_some() })
            })
            .collect();
        while turns.waiting.load(Ordering::Acquire) < 3 {
            tokio::task::yield_now().await;
        }
        let refused = std::time::Instant::now();
        assert!(turns.take(Duration::from_secs(30)).await.is_none());
        assert!(
            refused.elapsed() < Duration::from_secs(5),
            "refused without waiting"
        );
        // Turns given back go to those waiting, and the line empties.
        drop(working);
        for waiter in waiters {
            assert!(waiter.await.unwrap());
        }
        assert_eq!(turns.waiting.load(Ordering::Acquire), 0);
        // A wait that runs out gives its place back too.
        let held: Vec<_> = [turns.take(WAIT).await, turns.take(WAIT).await]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(held.len(), 2);
        assert!(turns.take(Duration::from_millis(10)).await.is_none());
        assert_eq!(turns.waiting.load(Ordering::Acquire), 0);
    }

    #[tokio::test]
    async fn without_a_line_a_busy_turn_refuses_at_once() {
        let turns = Turns::new(1, 0);
        let _working = turns.take(WAIT).await.expect("a free turn");
        let refused = std::time::Instant::now();
        assert!(turns.take(Duration::from_secs(30)).await.is_none());
        assert!(refused.elapsed() < Duration::from_secs(5));
        assert_eq!(turns.waiting.load(Ordering::Acquire), 0);
    }

    #[test]
    fn long_lived_and_probes_and_inboxes_are_exempt() {
        assert!(exempt(&Method::GET, "/api/v1/streaming/user"));
        assert!(exempt(&Method::GET, "/health"));
        assert!(exempt(&Method::POST, "/inbox"));
        assert!(exempt(&Method::POST, "/users/alice/inbox"));
        assert!(!exempt(&Method::GET, "/users/alice/inbox"));
        assert!(!exempt(&Method::GET, "/api/v1/timelines/home"));
        assert!(!exempt(&Method::POST, "/api/v1/statuses"));
    }
}
