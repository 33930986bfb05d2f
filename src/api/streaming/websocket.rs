//! The WebSocket transport: client messages become subscription commands,
//! session messages become text frames; pings keep proxies from closing an
//! idle connection.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as Frame, WebSocket, close_code};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};

use super::session::{Command, End, OUTBOX, Outgoing, Session};
use super::streams::{Refusal, Stream};
use crate::events::Event;

const PING: Duration = Duration::from_secs(30);
/// A client that has answered no ping (nor sent anything) for this long is
/// gone, even if its TCP connection has not noticed yet.
const SILENCE: Duration = Duration::from_secs(75);
/// A client that takes longer than this to accept one frame is gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Client messages are small JSON objects; anything longer is refused.
const MAX_CLIENT_MESSAGE: usize = 4096;

/// `{"type": "subscribe", "stream": "hashtag", "tag": "rust"}`.
#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    stream: String,
    tag: Option<String>,
    list: Option<String>,
    #[serde(default)]
    only_media: bool,
}

fn command(text: &str) -> Result<Option<Command>, Refusal> {
    let bad = |error: &str| Refusal {
        status: 400,
        error: error.to_owned(),
    };
    if text.len() > MAX_CLIENT_MESSAGE {
        return Err(bad("Message too long"));
    }
    let message: ClientMessage =
        serde_json::from_str(text).map_err(|_| bad("Could not parse the message"))?;
    let stream = || {
        Stream::parse(
            &message.stream,
            message.tag.as_deref(),
            message.list.as_deref(),
            message.only_media,
        )
    };
    match message.kind.as_str() {
        "subscribe" => Ok(Some(Command::Subscribe(stream()?))),
        "unsubscribe" => Ok(Some(Command::Unsubscribe(stream()?))),
        // Mastodon ignores other message types; so do we.
        _ => Ok(None),
    }
}

fn refusal_frame(refusal: &Refusal) -> Frame {
    let body = serde_json::json!({ "error": refusal.error, "status": refusal.status });
    Frame::Text(body.to_string().into())
}

pub async fn serve(
    mut socket: WebSocket,
    session: Session,
    events: broadcast::Receiver<Arc<Event>>,
) {
    let (commands, command_rx) = mpsc::channel(16);
    let (outbox, mut outgoing) = mpsc::channel(OUTBOX);
    let mut engine = tokio::spawn(session.run(events, Some(command_rx), outbox));
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING, PING);
    let mut last_heard = tokio::time::Instant::now();
    let end = loop {
        let frame = tokio::select! {
            received = socket.recv() => {
                last_heard = tokio::time::Instant::now();
                match received {
                Some(Ok(Frame::Text(text))) => match command(text.as_str()) {
                    Ok(Some(c)) => {
                        if commands.send(c).await.is_err() {
                            break None;
                        }
                        continue;
                    }
                    Ok(None) => continue,
                    Err(refusal) => refusal_frame(&refusal),
                },
                Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => break Some(End::ClientGone),
                // Pongs (and pings, answered by the library) only show the
                // client is there; binary frames mean nothing here.
                Some(Ok(_)) => continue,
            }},
            next = outgoing.recv() => match next {
                Some(Outgoing::Message(message)) => match serde_json::to_string(&message) {
                    Ok(json) => Frame::Text(json.into()),
                    Err(_) => continue,
                },
                Some(Outgoing::Refused(refusal)) => refusal_frame(&refusal),
                // The session ended; its reason decides the closing words.
                None => break (&mut engine).await.ok(),
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE {
                    break Some(End::ClientGone);
                }
                Frame::Ping(Vec::new().into())
            }
        };
        match tokio::time::timeout(SEND_TIMEOUT, socket.send(frame)).await {
            Ok(Ok(())) => {}
            _ => break Some(End::ClientGone),
        }
    };
    engine.abort();
    let close = match end {
        Some(End::TooSlow) => Some((
            close_code::AGAIN,
            "too slow to follow the stream; reconnect",
        )),
        Some(End::TokenRevoked) => {
            Some((close_code::POLICY, "the access token is no longer valid"))
        }
        Some(End::ShuttingDown) => Some((close_code::AWAY, "the server is shutting down")),
        Some(End::ClientGone) | None => None,
    };
    if let Some((code, reason)) = close {
        let frame = Frame::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        let _ = tokio::time::timeout(Duration::from_secs(5), socket.send(frame)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_become_commands() {
        assert!(matches!(
            command(r#"{"type":"subscribe","stream":"hashtag","tag":"rust"}"#),
            Ok(Some(Command::Subscribe(Stream::Hashtag { .. })))
        ));
        assert!(matches!(
            command(r#"{"type":"unsubscribe","stream":"user"}"#),
            Ok(Some(Command::Unsubscribe(Stream::User)))
        ));
        assert!(matches!(command(r#"{"type":"ping"}"#), Ok(None)));
        assert_eq!(command("not json").err().map(|r| r.status), Some(400));
        assert_eq!(
            command(r#"{"type":"subscribe","stream":"nope"}"#)
                .err()
                .map(|r| r.error),
            Some("Unknown stream type".to_owned())
        );
        let long = format!(r#"{{"type":"subscribe","stream":"{}"}}"#, "x".repeat(5000));
        assert!(command(&long).is_err());
    }
}
