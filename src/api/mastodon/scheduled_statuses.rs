//! `/api/v1/scheduled_statuses`: posts waiting for their time.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::render;
use crate::api::entities::media::MediaAttachment;
use crate::api::extract::auth::{ReadStatuses, WriteStatuses};
use crate::api::extract::{FormOrJson, PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::service::scheduled;
use crate::state::AppState;
use crate::store::{ScheduledStatus, UserWithAccount};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scheduled_statuses", get(list))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(show).put(update).delete(remove),
        )
}

/// Mastodon's `ScheduledStatus`.
#[derive(Serialize)]
pub struct ScheduledEntity {
    id: String,
    scheduled_at: String,
    params: Value,
    media_attachments: Vec<MediaAttachment>,
}

pub async fn entity(
    state: &AppState,
    owner: &UserWithAccount,
    row: &ScheduledStatus,
) -> ApiResult<ScheduledEntity> {
    let post = scheduled::params(row);
    let mut media = Vec::new();
    for raw in &post.media_ids {
        if let Ok(id) = raw.parse::<i64>()
            && let Some(m) = state.store.media().by_id(id).await?
            && m.account_id == owner.account.id
        {
            media.push(MediaAttachment::from_model(&m, &state.media));
        }
    }
    let visibility = post
        .visibility
        .map(|v| v.as_str().to_owned())
        .unwrap_or_else(|| owner.user.default_visibility.clone());
    Ok(ScheduledEntity {
        id: row.id.to_string(),
        scheduled_at: row.scheduled_at.to_rfc3339(),
        params: json!({
            "text": post.text,
            "visibility": visibility,
            "spoiler_text": post.spoiler_text,
            "sensitive": post.sensitive,
            "language": post.language,
            "in_reply_to_id": post.in_reply_to_id.map(|id| id.0),
            "media_ids": (!post.media_ids.is_empty()).then_some(&post.media_ids),
            "poll": post.poll.as_ref().map(|p| json!({
                "options": p.options,
                "expires_in": p.expires_in.unwrap_or(crate::service::polls::DEFAULT_EXPIRATION_SECS),
                "multiple": p.multiple,
                "hide_totals": p.hide_totals,
            })),
            "scheduled_at": null,
            "idempotency": null,
            "application_id": post.app_id.map_or(0, |id| id.0),
            "with_rate_limit": false,
            "local_only": post.local_only.unwrap_or(false),
            "last_error": row.last_error,
        }),
        media_attachments: media,
    })
}

/// GET /api/v1/scheduled_statuses
async fn list(
    State(state): State<AppState>,
    me: User<ReadStatuses>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .scheduled()
        .page(me.user.account.id, &page.page(20, 40))
        .await?;
    let keys: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(entity(&state, &me.user, row).await?);
    }
    Ok(page.respond(items, &keys))
}

async fn owned(state: &AppState, me: &UserWithAccount, id: &str) -> ApiResult<ScheduledStatus> {
    state
        .store
        .scheduled()
        .of(me.account.id, render::id(id)?)
        .await?
        .ok_or(Error::NotFound)
}

/// GET /api/v1/scheduled_statuses/:id
async fn show(
    State(state): State<AppState>,
    me: User<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<ScheduledEntity>> {
    let row = owned(&state, &me.user, &id).await?;
    Ok(Json(entity(&state, &me.user, &row).await?))
}

#[derive(Deserialize, Default)]
struct Reschedule {
    scheduled_at: Option<String>,
}

/// PUT /api/v1/scheduled_statuses/:id — a new time.
async fn update(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<Reschedule>,
) -> ApiResult<Json<ScheduledEntity>> {
    let row = owned(&state, &me.user, &id).await?;
    if let Some(raw) = form.scheduled_at.filter(|s| !s.is_empty()) {
        let at = scheduled::parse_time(&raw)
            .ok_or_else(|| Error::Unprocessable("Record invalid".into()))?;
        scheduled::reschedule(&state.store, &me.user, row.id, at).await?;
    }
    let row = owned(&state, &me.user, &id).await?;
    Ok(Json(entity(&state, &me.user, &row).await?))
}

/// DELETE /api/v1/scheduled_statuses/:id
async fn remove(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = owned(&state, &me.user, &id).await?;
    state
        .store
        .scheduled()
        .delete(me.user.account.id, row.id)
        .await?;
    Ok(Json(json!({})))
}
