//! The client API's limits, as Mastodon applies them: per token for
//! authenticated use, per client address for anonymous use, and tighter
//! ones for posting and uploading. Every limited answer carries
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
//! (an ISO 8601 time), which Mastodon.py and other clients pace themselves by.

use std::time::Instant;

use axum::extract::{Request, State};
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
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let limits = &state.limits;
    let now = Instant::now();
    let token = bearer_token_in(request.headers(), request.uri()).filter(|t| !t.is_empty());
    let address = address_key(&ip);
    // Tokens that fail to authenticate count against their address, so that
    // guessing with ever new tokens is limited too.
    let failures = format!("failed-token {address}");
    let mut checks: Vec<(&Limiter, String)> = Vec::new();
    match &token {
        Some(token) => {
            if let Some(limiter) = &limits.api_per_ip {
                let seen = limiter.peek(&failures, now);
                if !seen.allowed {
                    return refuse(seen);
                }
            }
            let key = sha256_hex(token);
            checks.extend(limits.api_per_token.as_ref().map(|l| (l, key.clone())));
            let method = request.method();
            let path = request.uri().path();
            if method == Method::POST {
                if path == "/api/v1/statuses" {
                    checks.extend(limits.posts.as_ref().map(|l| (l, key.clone())));
                } else if path == "/api/v1/media" || path == "/api/v2/media" {
                    checks.extend(limits.media_uploads.as_ref().map(|l| (l, key.clone())));
                }
            }
        }
        None => checks.extend(limits.api_per_ip.as_ref().map(|l| (l, address.clone()))),
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
    if token.is_some()
        && response.status() == StatusCode::UNAUTHORIZED
        && let Some(limiter) = &limits.api_per_ip
    {
        limiter.check(&failures, now);
    }
    if let Some(decision) = shown {
        describe(response.headers_mut(), decision);
    }
    response
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
