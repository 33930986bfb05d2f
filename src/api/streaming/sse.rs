//! The server-sent-events transport: one stream per request, a comment
//! line every 15 seconds to keep proxies from closing it.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream as FutureStream;
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc};

use super::session::{OUTBOX, Outgoing, Session};
use crate::events::Event;

pub fn serve(
    session: Session,
    events: broadcast::Receiver<Arc<Event>>,
) -> Sse<impl FutureStream<Item = Result<SseEvent, Infallible>>> {
    let (outbox, outgoing) = mpsc::channel(OUTBOX);
    // The session ends when the response body is dropped (the client left).
    tokio::spawn(session.run(events, None, outbox));
    let body = futures_util::stream::unfold(outgoing, |mut outgoing| async move {
        loop {
            match outgoing.recv().await? {
                Outgoing::Message(m) => {
                    let event = SseEvent::default()
                        .event(m.event)
                        .data(m.payload.unwrap_or_default());
                    return Some((Ok(event), outgoing));
                }
                // Only WebSocket clients send commands that can be refused.
                Outgoing::Refused(_) => continue,
            }
        }
    });
    Sse::new(body).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("thump"),
    )
}
