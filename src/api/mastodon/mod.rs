//! Mastodon REST endpoints, one module per URL group.

mod accounts;
mod apps;
mod instance;
mod notifications;
mod render;
mod statuses;
mod timelines;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(accounts::routes())
        .merge(apps::routes())
        .merge(instance::routes())
        .merge(notifications::routes())
        .merge(statuses::routes())
        .merge(timelines::routes())
}
