//! `/api/v1/conversations`: direct-message threads.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::render;
use crate::api::entities::account::Account;
use crate::api::entities::status::Status;
use crate::api::extract::auth::{ReadStatuses, WriteConversations};
use crate::api::extract::{PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::state::AppState;
use crate::store::{AccountConversation, Viewer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", delete(remove))
        .route("/api/v1/conversations/{id}/read", post(read))
}

#[derive(Serialize)]
pub struct Conversation {
    id: String,
    unread: bool,
    accounts: Vec<Account>,
    last_status: Option<Status>,
}

pub(crate) async fn render_one(
    state: &AppState,
    viewer: Viewer,
    c: &AccountConversation,
) -> ApiResult<Option<Conversation>> {
    // The last status may have become invisible (deleted, a block).
    let Some(last_id) = c.last_status_id else {
        return Ok(None);
    };
    let Some(last) = state
        .store
        .statuses()
        .visible_by_id(last_id, viewer)
        .await?
    else {
        return Ok(None);
    };
    let mut accounts = Vec::new();
    for id in c.participant_ids() {
        if let Some(a) = state.store.accounts().by_id(id).await? {
            accounts.push(Account::from_model(&a, &state.config));
        }
    }
    Ok(Some(Conversation {
        id: c.id.to_string(),
        unread: c.unread,
        accounts,
        last_status: Some(render::status(state, viewer, last).await?),
    }))
}

/// GET /api/v1/conversations
async fn list(
    State(state): State<AppState>,
    me: User<ReadStatuses>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .conversations()
        .list(me.user.account.id, &page.page(20, 40))
        .await?;
    let keys: Vec<i64> = rows
        .iter()
        .filter_map(|c| c.last_status_id.map(|s| s.0))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        out.extend(render_one(&state, me.viewer(), c).await?);
    }
    Ok(page.respond(out, &keys))
}

/// POST /api/v1/conversations/{id}/read
async fn read(
    State(state): State<AppState>,
    me: User<WriteConversations>,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    let c = state
        .store
        .conversations()
        .get(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    state.store.conversations().mark_read(c.id).await?;
    let c = AccountConversation { unread: false, ..c };
    render_one(&state, me.viewer(), &c)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

/// DELETE /api/v1/conversations/{id} — removes it from one's own list only.
async fn remove(
    State(state): State<AppState>,
    me: User<WriteConversations>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let c = state
        .store
        .conversations()
        .get(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    state.store.conversations().remove(c.id).await?;
    Ok(Json(serde_json::json!({})))
}
