//! Turning model statuses into Mastodon entities for one viewer, with the
//! viewer's filters applied for the context they are read in.

use crate::api::entities::filter;
use crate::api::entities::status::Status;
use crate::error::ApiResult;
use crate::model;
use crate::service::filters::ActiveFilters;
use crate::service::views;
use crate::state::AppState;
use crate::store::{Store, Viewer};

/// Renders statuses without filtering (a status asked for by id).
pub async fn statuses(
    state: &AppState,
    viewer: Viewer,
    list: Vec<model::Status>,
) -> ApiResult<Vec<Status>> {
    statuses_from(state, &state.store, viewer, list).await
}

/// `statuses`, reading from `store` (the replica, for `Store::read_as`).
pub async fn statuses_from(
    state: &AppState,
    store: &Store,
    viewer: Viewer,
    list: Vec<model::Status>,
) -> ApiResult<Vec<Status>> {
    let views = views::hydrate(store, viewer, list).await?;
    Ok(views
        .iter()
        .map(|v| Status::from_view(v, &state.config, &state.media))
        .collect())
}

pub async fn status(state: &AppState, viewer: Viewer, status: model::Status) -> ApiResult<Status> {
    statuses(state, viewer, vec![status])
        .await?
        .pop()
        .ok_or(crate::error::Error::NotFound)
}

/// Renders statuses read in `context` (`home`, `public`, `thread`,
/// `account`, `notifications`): `hide` filters drop them, `warn` filters
/// fill `filtered` (on the boosted status, for a boost).
pub async fn statuses_in(
    state: &AppState,
    viewer: Viewer,
    list: Vec<model::Status>,
    context: &str,
) -> ApiResult<Vec<Status>> {
    statuses_in_from(state, &state.store, viewer, list, context).await
}

/// `statuses_in`, reading from `store` (the replica, for `Store::read_as`).
pub async fn statuses_in_from(
    state: &AppState,
    store: &Store,
    viewer: Viewer,
    list: Vec<model::Status>,
    context: &str,
) -> ApiResult<Vec<Status>> {
    let filters = ActiveFilters::load(store, viewer.account_id, context).await?;
    let views = views::hydrate(store, viewer, list).await?;
    let mut out = Vec::with_capacity(views.len());
    for view in &views {
        let target = view.reblog.as_deref().unwrap_or(view);
        let matches = filters.check(&target.status);
        if matches.iter().any(|m| m.filter.filter_action == "hide") {
            continue;
        }
        let mut entity = Status::from_view(view, &state.config, &state.media);
        let filtered = matches.iter().map(filter::result).collect();
        match entity.reblog.as_mut() {
            Some(inner) => inner.filtered = filtered,
            None => entity.filtered = filtered,
        }
        out.push(entity);
    }
    Ok(out)
}

/// Parses a path id; anything that is not an id is simply not found.
pub fn id<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| crate::error::Error::NotFound)
}
