//! `/api/v1/polls`: read a poll, vote in it.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::render;
use crate::api::entities::poll::Poll;
use crate::api::extract::auth::{ReadStatuses, WriteStatuses};
use crate::api::extract::{FormOrJson, MaybeUser, User};
use crate::error::{ApiResult, Error};
use crate::service::{polls, statuses};
use crate::state::AppState;
use crate::store::Viewer;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/polls/{id}", get(show))
        .route("/api/v1/polls/{id}/votes", post(vote))
}

/// The poll and its status, if the viewer may see the status.
async fn visible_poll(
    state: &AppState,
    raw_id: &str,
    viewer: Viewer,
) -> ApiResult<(crate::model::Poll, crate::model::Status)> {
    let poll = state
        .store
        .polls()
        .by_id(render::id(raw_id)?)
        .await?
        .ok_or(Error::NotFound)?;
    let status = statuses::visible(&state.store, poll.status_id, viewer).await?;
    Ok((poll, status))
}

async fn rendered(state: &AppState, poll: crate::model::Poll, viewer: Viewer) -> ApiResult<Poll> {
    Ok(Poll::from_view(
        &polls::view(&state.store, poll, viewer).await?,
    ))
}

/// GET /api/v1/polls/:id
async fn show(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Poll>> {
    let viewer = viewer.viewer();
    let (poll, _) = visible_poll(&state, &id, viewer).await?;
    Ok(Json(rendered(&state, poll, viewer).await?))
}

/// An option index, as a JSON number or a form string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Choice {
    Number(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Choices {
    One(Choice),
    Many(Vec<Choice>),
}

#[derive(Deserialize, Default)]
struct VoteForm {
    /// `choices[]` in forms arrives as `choices`.
    choices: Option<Choices>,
}

/// POST /api/v1/polls/:id/votes — `choices[]` are option indexes.
async fn vote(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<VoteForm>,
) -> ApiResult<Json<Poll>> {
    let viewer = me.viewer();
    let (poll, status) = visible_poll(&state, &id, viewer).await?;
    let choices = match form.choices {
        None => Vec::new(),
        Some(Choices::One(c)) => vec![c],
        Some(Choices::Many(cs)) => cs,
    };
    let choices = choices
        .into_iter()
        .map(|c| match c {
            Choice::Number(n) => Some(n),
            Choice::Text(s) => s.trim().parse().ok(),
        })
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| Error::Validation("The chosen vote option does not exist".into()))?;
    polls::vote(&state.store, &me.user.account, &poll, &status, &choices).await?;
    let poll = state
        .store
        .polls()
        .by_id(poll.id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(rendered(&state, poll, viewer).await?))
}
