//! Mastodon's streaming API: one WebSocket at `/api/v1/streaming` carrying
//! any number of streams (`subscribe` / `unsubscribe` messages), and the
//! server-sent-events variants, one stream per request
//! (`/api/v1/streaming/user`, `/public/local`, …).
//!
//! The token may come as `Authorization: Bearer`, `?access_token=`, or —
//! the way browsers and masto.js send it on a WebSocket — as the
//! `Sec-WebSocket-Protocol`, which is then echoed back.

mod session;
mod sse;
pub mod streams;
mod websocket;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use self::session::Session;
use self::streams::Stream;
use std::sync::Arc;

use tokio::sync::broadcast;

use crate::error::{Error, TOKEN_INVALID};
use crate::events::Event;
use crate::service::oauth;
use crate::state::AppState;

pub use session::{End, Message};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/streaming", get(streaming))
        .route("/api/v1/streaming/health", get(health))
        .route("/api/v1/streaming/{*stream}", get(server_sent))
}

/// GET /api/v1/streaming/health — for load balancers, as on Mastodon.
async fn health() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "OK").into_response()
}

/// The query parameters streams take.
#[derive(Default)]
struct Params {
    stream: Option<String>,
    tag: Option<String>,
    list: Option<String>,
    only_media: bool,
    access_token: Option<String>,
}

impl Params {
    fn from(uri: &Uri) -> Self {
        let mut p = Params::default();
        for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "stream" => p.stream = Some(v),
                "tag" => p.tag = Some(v),
                "list" => p.list = Some(v),
                "only_media" => p.only_media = matches!(v.as_str(), "true" | "1" | "on"),
                "access_token" => p.access_token = Some(v),
                _ => {}
            }
        }
        p
    }

    fn stream(&self, name: &str) -> Result<Stream, Error> {
        Stream::parse(
            name,
            self.tag.as_deref(),
            self.list.as_deref(),
            self.only_media,
        )
        .map_err(refusal_error)
    }
}

fn refusal_error(r: streams::Refusal) -> Error {
    match r.status {
        400 => Error::BadRequest(r.error),
        401 => Error::Forbidden(r.error),
        _ => Error::internal(r.error),
    }
}

/// The token of a streaming request, wherever the client put it.
fn token(headers: &HeaderMap, params: &Params) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|t| t.trim().to_owned());
    bearer
        .or_else(|| params.access_token.clone())
        .or(protocol)
        .filter(|t| !t.is_empty())
}

/// Checks the token and opens a session for its user.
async fn open(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(Session, String), Error> {
    let token = token(headers, params).ok_or(Error::Unauthorized(TOKEN_INVALID))?;
    let auth = oauth::authenticate_token(&state.store, &token, false)
        .await
        .map_err(crate::api::extract::auth::token_error)?;
    let user = auth
        .user
        .clone()
        .ok_or_else(|| Error::Validation("This method requires an authenticated user".into()))?;
    Ok((
        Session::new(state.clone(), auth, user, token.clone()),
        token,
    ))
}

/// Subscribes to the node's events before the client is answered, so that
/// nothing committed after its request is missed (on PostgreSQL, once the
/// node's `LISTEN` is in effect).
async fn events(state: &AppState) -> broadcast::Receiver<Arc<Event>> {
    let events = state.store.events().subscribe();
    if !state.store.events().ready().await {
        tracing::warn!(
            "streaming: not listening to PostgreSQL yet; events from other nodes may be missed"
        );
    }
    events
}

/// GET /api/v1/streaming — a WebSocket (with `?stream=` for a first
/// stream), or server-sent events for `?stream=` without an upgrade.
async fn streaming(
    State(state): State<AppState>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Error> {
    let params = Params::from(&uri);
    let (mut session, token) = open(&state, &headers, &params).await?;
    let first = match params.stream.as_deref() {
        Some(name) => Some(params.stream(name)?),
        None => None,
    };
    match upgrade {
        Ok(upgrade) => {
            if let Some(stream) = first {
                session.subscribe(stream).await.map_err(refusal_error)?;
            }
            let events = events(&state).await;
            Ok(upgrade
                .protocols([token])
                .on_upgrade(move |socket| websocket::serve(socket, session, events))
                .into_response())
        }
        Err(_) => {
            let stream = first.ok_or_else(|| {
                Error::BadRequest("No stream provided: use a WebSocket, or ?stream=".into())
            })?;
            session.subscribe(stream).await.map_err(refusal_error)?;
            let events = events(&state).await;
            Ok(sse::serve(session, events).into_response())
        }
    }
}

/// GET /api/v1/streaming/{stream} — server-sent events for one stream
/// (`user`, `user/notification`, `public/local`, `hashtag?tag=`, …).
async fn server_sent(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    axum::extract::Path(path): axum::extract::Path<String>,
) -> Result<Response, Error> {
    let params = Params::from(&uri);
    let name = streams::from_path(&path);
    // Refuse an unknown stream before looking at the token.
    let stream = params.stream(&name)?;
    let (mut session, _) = open(&state, &headers, &params).await?;
    session.subscribe(stream).await.map_err(refusal_error)?;
    let events = events(&state).await;
    Ok(sse::serve(session, events).into_response())
}
