//! CSRF protection for cookie-authenticated forms: a random, HttpOnly
//! `loggia_csrf` cookie, and a form token that is the HMAC of it under the
//! instance's secret. A cross-site page can neither read the cookie nor
//! compute the token.

use axum::http::HeaderMap;

use super::session::{cookie_value, set_cookie};
use crate::crypto::{constant_time_eq, hmac_sha256, random_token};
use crate::state::AppState;

pub const COOKIE: &str = "loggia_csrf";

/// The token to embed in a form, and the `Set-Cookie` header to send when
/// the browser has no CSRF cookie yet.
pub fn token_for(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    match cookie_value(state, headers, COOKIE) {
        Some(seed) if seed.len() >= 32 => (sign(state, &seed), None),
        _ => {
            let seed = random_token(32);
            let cookie = set_cookie(state, COOKIE, &seed, None);
            (sign(state, &seed), Some(cookie))
        }
    }
}

/// Whether a submitted form token matches the browser's cookie.
pub fn verify(state: &AppState, headers: &HeaderMap, submitted: &str) -> bool {
    cookie_value(state, headers, COOKIE)
        .is_some_and(|seed| constant_time_eq(&sign(state, &seed), submitted))
}

fn sign(state: &AppState, seed: &str) -> String {
    hmac_sha256(&state.secrets.session_key, &format!("csrf:{seed}"))
}
