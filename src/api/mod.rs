//! The client door: the Mastodon REST API, Loggia's additive endpoints
//! (`loggia/`) and OAuth 2. Handlers parse input, call `service`, and
//! render Mastodon JSON; no rules and no SQL live here.

pub mod entities;
pub mod extract;
pub mod loggia;
pub mod mastodon;
pub mod oauth;
pub mod read_your_writes;
pub mod streaming;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(mastodon::routes())
        .merge(loggia::routes())
        .merge(oauth::routes())
        .merge(streaming::routes())
}
