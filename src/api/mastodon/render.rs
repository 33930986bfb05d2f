//! Turning model statuses into Mastodon entities for one viewer.

use crate::api::entities::status::Status;
use crate::error::ApiResult;
use crate::model;
use crate::service::views;
use crate::state::AppState;
use crate::store::Viewer;

pub async fn statuses(
    state: &AppState,
    viewer: Viewer,
    list: Vec<model::Status>,
) -> ApiResult<Vec<Status>> {
    let views = views::hydrate(&state.store, viewer, list).await?;
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

/// Parses a path id; anything that is not an id is simply not found.
pub fn id<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| crate::error::Error::NotFound)
}
