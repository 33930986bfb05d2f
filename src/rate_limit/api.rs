//! The client API's limits, as Mastodon applies them: per token for
//! authenticated use, per client address for anonymous use (and tokens that
//! do not authenticate), and tighter ones for posting and uploading. Every limited answer carries
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
//! (an ISO 8601 time), which Mastodon.py and other clients pace themselves by.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};

use super::{Decision, Limiter, address_key};
use crate::api::extract::ClientIp;
use crate::api::extract::auth::bearer_token_in;
use crate::crypto::sha256_hex;
use crate::error::Error;
use crate::state::AppState;

/// Counts an API request against the limits that apply to it.
pub async fn limit_api(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let limits = &state.limits;
    let now = Instant::now();
    let mut token = bearer_token_in(request.headers(), request.uri());
    if token.is_none() && path.starts_with("/api/v1/streaming") {
        // Browsers can only send it as the WebSocket subprotocol.
        token = request
            .headers()
            .get(SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|t| t.trim().to_owned());
    }
    let key = token.filter(|t| !t.is_empty()).map(|t| sha256_hex(&t));
    // A token that does not authenticate is anonymous traffic of its address:
    // inventing tokens neither escapes that limit nor locks out the real
    // tokens of colleagues behind the same address.
    let valid = match &key {
        Some(key) => limits.tokens.known(key) || confirm(&state, key).await,
        None => false,
    };
    let mut checks: Vec<(&Limiter, String)> = Vec::new();
    match (&key, valid) {
        (Some(key), true) => {
            checks.extend(limits.api_per_token.as_ref().map(|l| (l, key.clone())));
            if request.method() == Method::POST {
                if path == "/api/v1/statuses" {
                    checks.extend(limits.posts.as_ref().map(|l| (l, key.clone())));
                } else if path == "/api/v1/media" || path == "/api/v2/media" {
                    checks.extend(limits.media_uploads.as_ref().map(|l| (l, key.clone())));
                }
            }
        }
        _ => checks.extend(limits.api_per_ip.as_ref().map(|l| (l, address_key(&ip)))),
    }
    let mut shown: Option<Decision> = None;
    for (limiter, key) in checks {
        let decision = limiter.check(&key, now);
        if !decision.allowed {
            return refuse(decision);
        }
        // The headers tell of the limit closest to being reached.
        if shown.is_none_or(|s| decision.remaining < s.remaining) {
            shown = Some(decision);
        }
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED
        && let Some(key) = &key
    {
        // Revoked since it was seen (perhaps on another node).
        limits.tokens.forget(key);
    }
    // A handler's own 429 (sign-in throttle) carries its own Retry-After;
    // the general allowance would contradict it.
    if let Some(decision) = shown
        && response.status() != StatusCode::TOO_MANY_REQUESTS
    {
        describe(response.headers_mut(), decision);
    }
    response
}

/// Whether a token not seen yet is a live one (one query per token and node).
async fn confirm(state: &AppState, key: &str) -> bool {
    match state.store.oauth().live_token_by_hash(key).await {
        Ok(Some(_)) => {
            state.limits.tokens.remember(key);
            true
        }
        Ok(None) => false,
        // The handler will meet the same failure and answer for it.
        Err(_) => false,
    }
}

fn refuse(decision: Decision) -> Response {
    let mut response = Error::TooManyRequests {
        retry_after_secs: decision.retry_after_secs(),
    }
    .into_response();
    describe(response.headers_mut(), decision);
    response
}

fn describe(headers: &mut HeaderMap, decision: Decision) {
    let reset = Utc::now()
        + chrono::Duration::from_std(decision.reset_after).unwrap_or(chrono::Duration::zero());
    let values = [
        ("x-ratelimit-limit", decision.limit.to_string()),
        ("x-ratelimit-remaining", decision.remaining.to_string()),
        (
            "x-ratelimit-reset",
            reset.to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}
