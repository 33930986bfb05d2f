//! The client door: the Mastodon REST API and OAuth 2. Handlers parse input,
//! call `service`, and render Mastodon JSON; no rules and no SQL live here.

pub mod entities;
pub mod extract;
pub mod mastodon;
pub mod oauth;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(mastodon::routes())
        .merge(oauth::routes())
}
