//! Loggia's additive endpoints under `/api/v1/loggia/` that have no
//! Mastodon counterpart (admin settings for moderation and integrations,
//! the user's own password).
//! Same conventions as `mastodon/`: one module per URL group, thin
//! handlers, Mastodon-style errors.

mod hooks;
mod moderation;
mod password;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(hooks::routes())
        .merge(moderation::routes())
        .merge(password::routes())
}
