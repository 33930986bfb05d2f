//! Web sessions: an HttpOnly `loggia_session` cookie holding a random id,
//! stored hashed. Sessions idle for longer than `SESSION_IDLE_SECS` end.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use crate::config::Protocol;
use crate::crypto::{random_token, sha256_hex};
use crate::model::Timestamp;
use crate::state::AppState;
use crate::store::{StoreError, UserWithAccount};

pub const SESSION_COOKIE: &str = "loggia_session";
pub const SESSION_IDLE_SECS: i64 = 30 * 24 * 3600;

/// The name a cookie really has: under https, `__Host-` makes browsers
/// refuse the cookie unless this host set it with `Secure` and `Path=/`,
/// so a sibling subdomain cannot plant a session or CSRF cookie.
fn full_name(state: &AppState, name: &str) -> String {
    match state.config.protocol {
        Protocol::Https => format!("__Host-{name}"),
        Protocol::Http => name.to_owned(),
    }
}

/// Reads one of Loggia's cookies from the request.
pub fn cookie_value(state: &AppState, headers: &HeaderMap, name: &str) -> Option<String> {
    let name = full_name(state, name);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name.as_str())
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value with Loggia's flags; `max_age` `None` makes a
/// browser-session cookie, `Some(0)` deletes it.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let name = full_name(state, name);
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if state.config.protocol == Protocol::Https {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    cookie
}

/// Starts a session; returns the `Set-Cookie` value.
pub async fn start(
    state: &AppState,
    found: &UserWithAccount,
    user_agent: &str,
    ip: &str,
) -> Result<String, StoreError> {
    let id = random_token(32);
    let agent: String = user_agent.chars().take(300).collect();
    state
        .store
        .sessions()
        .insert(&sha256_hex(&id), found.user.id, &agent, ip)
        .await?;
    Ok(set_cookie(
        state,
        SESSION_COOKIE,
        &id,
        Some(SESSION_IDLE_SECS),
    ))
}

/// The signed-in user, if the cookie names a live session of an active user.
pub async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<UserWithAccount>, StoreError> {
    let Some(id) = cookie_value(state, headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state.store.sessions().by_hash(&sha256_hex(&id)).await? else {
        return Ok(None);
    };
    if session.last_seen_at < Timestamp::now().plus_seconds(-SESSION_IDLE_SECS) {
        state
            .store
            .sessions()
            .delete_by_hash(&session.session_hash)
            .await?;
        return Ok(None);
    }
    let Some(found) = state.store.users().with_account(session.user_id).await? else {
        return Ok(None);
    };
    if !found.user.is_active() || found.account.suspended_at.is_some() {
        return Ok(None);
    }
    state.store.sessions().touch(session.id).await?;
    Ok(Some(found))
}

/// Ends the session named by the cookie; returns the deleting `Set-Cookie`.
pub async fn end(state: &AppState, headers: &HeaderMap) -> Result<String, StoreError> {
    if let Some(id) = cookie_value(state, headers, SESSION_COOKIE) {
        state
            .store
            .sessions()
            .delete_by_hash(&sha256_hex(&id))
            .await?;
    }
    Ok(set_cookie(state, SESSION_COOKIE, "", Some(0)))
}
