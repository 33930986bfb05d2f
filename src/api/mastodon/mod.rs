//! Mastodon REST endpoints, one module per URL group.

mod accounts;
mod admin;
mod admin_domains;
mod admin_reports;
mod apps;
pub(crate) mod conversations;
mod defaults;
mod domain_blocks;
mod featured_tags;
mod files;
mod filters;
mod instance;
mod lists;
mod markers;
mod media;
pub(crate) mod notifications;
mod polls;
mod registrations;
pub(crate) mod render;
mod reports;
mod scheduled_statuses;
mod search;
mod statuses;
mod tags;
mod timelines;
pub(crate) mod webhook_events;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(accounts::routes())
        .merge(admin::routes())
        .merge(admin_domains::routes())
        .merge(admin_reports::routes())
        .merge(apps::routes())
        .merge(conversations::routes())
        .merge(defaults::routes())
        .merge(domain_blocks::routes())
        .merge(featured_tags::routes())
        .merge(files::routes())
        .merge(filters::routes())
        .merge(instance::routes())
        .merge(lists::routes())
        .merge(markers::routes())
        .merge(media::routes())
        .merge(notifications::routes())
        .merge(polls::routes())
        .merge(registrations::routes())
        .merge(reports::routes())
        .merge(scheduled_statuses::routes())
        .merge(search::routes())
        .merge(statuses::routes())
        .merge(tags::routes())
        .merge(timelines::routes())
}
