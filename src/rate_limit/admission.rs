//! Admission control: at most `request_concurrency` requests are worked on
//! at once by this node. More wait up to a second for a turn, then are
//! answered 503 with `Retry-After`. Past what the node can serve, every
//! waiting request only adds latency and memory: an open-loop load at ten
//! times the node's capacity held ~20,000 requests and a gigabyte, and
//! answered none of them within ten seconds.
//!
//! Not counted: the streaming API (connections that stay open), health
//! and metrics probes (a busy node must still look alive), and the inboxes,
//! which have their own turns (`inbox_concurrency`, answered 429, as
//! ActivityPub senders expect).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::state::AppState;

/// How long a request waits for a turn.
const WAIT: Duration = Duration::from_secs(1);

/// The turns of this node.
#[derive(Debug, Clone)]
pub struct Admission(Arc<Semaphore>);

impl Admission {
    pub fn new(concurrency: u32) -> Self {
        Self(Arc::new(Semaphore::new(concurrency.max(1) as usize)))
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
    let turns = state.admission.0.clone();
    match tokio::time::timeout(WAIT, turns.acquire_owned()).await {
        Ok(Ok(_turn)) => next.run(request).await,
        _ => {
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
