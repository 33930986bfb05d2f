//! Mastodon REST endpoints, one module per URL group.

mod accounts;
mod apps;
mod instance;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(accounts::routes())
        .merge(apps::routes())
        .merge(instance::routes())
}
