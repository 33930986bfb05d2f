//! `/api/v1/statuses`: posting, reading, deleting and acting on statuses.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::render;
use crate::api::entities::account::Account;
use crate::api::entities::media::MediaAttachment;
use crate::api::entities::status::{Context, Status};
use crate::api::extract::auth::{
    ReadAccounts, ReadStatuses, WriteBookmarks, WriteFavourites, WriteStatuses,
};
use crate::api::extract::body::{lenient_bool, one_or_many};
use crate::api::extract::fields::Fields;
use crate::api::extract::fields::nested_attributes;
use crate::api::extract::{FormOrJson, MaybeUser, PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::model::{StatusId, Visibility};
use crate::service::polls::PollInput;
use crate::service::scheduled;
use crate::service::statuses::{self as service, NewPost};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/statuses", post(create_status))
        .route(
            "/api/v1/statuses/{id}",
            get(get_status).delete(delete_status).put(edit_status),
        )
        .route("/api/v1/statuses/{id}/source", get(get_source))
        .route("/api/v1/statuses/{id}/history", get(get_history))
        .route("/api/v1/statuses/{id}/context", get(get_context))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
        .route("/api/v1/statuses/{id}/pin", post(pin))
        .route("/api/v1/statuses/{id}/unpin", post(unpin))
        .route("/api/v1/statuses/{id}/favourited_by", get(favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(reblogged_by))
}

#[derive(Deserialize, Default)]
struct NewStatusForm {
    status: Option<String>,
    in_reply_to_id: Option<String>,
    visibility: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    local_only: Option<bool>,
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    sensitive: Option<bool>,
    language: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    media_ids: Vec<String>,
    /// JSON bodies: `{"options": [...], "expires_in": …, …}`.
    poll: Option<serde_json::Value>,
    /// Form bodies: `poll[options][]=…&poll[expires_in]=…` (the trailing
    /// `[]` is dropped by the form parser).
    #[serde(rename = "poll[options]", default, deserialize_with = "one_or_many")]
    poll_options: Vec<String>,
    #[serde(rename = "poll[expires_in]")]
    poll_expires_in: Option<String>,
    #[serde(rename = "poll[multiple]", default, deserialize_with = "lenient_bool")]
    poll_multiple: Option<bool>,
    #[serde(
        rename = "poll[hide_totals]",
        default,
        deserialize_with = "lenient_bool"
    )]
    poll_hide_totals: Option<bool>,
    scheduled_at: Option<String>,
}

impl NewStatusForm {
    /// The poll, from whichever body shape carried it.
    fn poll(&self) -> ApiResult<Option<PollInput>> {
        let number = |v: &serde_json::Value| -> ApiResult<Option<i64>> {
            match v {
                serde_json::Value::Null => Ok(None),
                serde_json::Value::Number(n) => Ok(n.as_i64()),
                serde_json::Value::String(s) if s.is_empty() => Ok(None),
                serde_json::Value::String(s) => s.parse().map(Some).map_err(|_| {
                    Error::Validation(format!("poll expires_in {s:?} is not a number of seconds"))
                }),
                _ => Err(Error::Validation("poll expires_in must be a number".into())),
            }
        };
        let flag = |v: &serde_json::Value| match v {
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::String(s) => matches!(s.as_str(), "true" | "1" | "on"),
            serde_json::Value::Number(n) => n.as_i64() == Some(1),
            _ => false,
        };
        if let Some(poll) = self.poll.as_ref().filter(|p| !p.is_null()) {
            let options = match &poll["options"] {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|o| {
                        o.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| o.to_string())
                    })
                    .collect(),
                serde_json::Value::Null => Vec::new(),
                other => vec![other.as_str().unwrap_or_default().to_owned()],
            };
            return Ok(Some(PollInput {
                options,
                expires_in: number(&poll["expires_in"])?,
                multiple: flag(&poll["multiple"]),
                hide_totals: flag(&poll["hide_totals"]),
            }));
        }
        if self.poll_options.is_empty() {
            return Ok(None);
        }
        Ok(Some(PollInput {
            options: self.poll_options.clone(),
            expires_in: number(&serde_json::json!(self.poll_expires_in))?,
            multiple: self.poll_multiple.unwrap_or(false),
            hide_totals: self.poll_hide_totals.unwrap_or(false),
        }))
    }
}

/// POST /api/v1/statuses — publish a status.
async fn create_status(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    headers: HeaderMap,
    FormOrJson(form): FormOrJson<NewStatusForm>,
) -> ApiResult<Response> {
    let poll = form.poll()?;
    let scheduled_at = match form.scheduled_at.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Some(
            scheduled::parse_time(raw)
                .ok_or_else(|| Error::Unprocessable("Record invalid".into()))?,
        ),
        _ => None,
    };
    // `visibility=local` is the company-only audience, as in GoToSocial.
    let (visibility, local_only) = match form.visibility.as_deref().filter(|v| !v.is_empty()) {
        None => (None, form.local_only),
        Some("local") => (Some(Visibility::Public), Some(true)),
        Some(v) => (
            Some(Visibility::parse(v).ok_or_else(|| {
                Error::Validation(format!(
                    "Visibility {v:?} is not one of public, unlisted, private, direct, local"
                ))
            })?),
            form.local_only,
        ),
    };
    let in_reply_to_id = match form.in_reply_to_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(render::id::<StatusId>(raw)?),
        None => None,
    };
    let post = NewPost {
        text: form.status.unwrap_or_default(),
        in_reply_to_id,
        visibility,
        local_only,
        spoiler_text: form.spoiler_text.unwrap_or_default(),
        sensitive: form.sensitive,
        language: form.language.filter(|l| !l.is_empty()),
        media_ids: form.media_ids,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        app_id: Some(me.auth.token.app_id),
        poll,
    };
    // Remote people mentioned are looked up now, so that a post scheduled
    // for later reaches them too.
    crate::federation::fetch::resolve_mentions(&state, &post.text).await;
    if let Some(at) = scheduled_at {
        let row = scheduled::schedule(&state.store, &state.config, &me.user, post, at).await?;
        let entity = super::scheduled_statuses::entity(&state, &me.user, &row).await?;
        return Ok(Json(entity).into_response());
    }
    let status = service::create(&state, &me.user, post).await?;
    super::webhook_events::status(&state, "status.created", &status).await;
    Ok(Json(render::status(&state, me.viewer(), status).await?).into_response())
}

/// GET /api/v1/statuses/{id}
async fn get_status(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let viewer = viewer.viewer();
    let status = service::visible(&state.store, render::id(&id)?, viewer).await?;
    Ok(Json(render::status(&state, viewer, status).await?))
}

/// DELETE /api/v1/statuses/{id} — answers the deleted status with its `text`.
async fn delete_status(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let id: StatusId = render::id(&id)?;
    let status = service::visible(&state.store, id, me.viewer()).await?;
    let mut rendered = render::status(&state, me.viewer(), status).await?;
    let deleted = service::delete(&state.store, &me.user, id).await?;
    rendered.text = Some(deleted.text);
    Ok(Json(rendered))
}

/// PUT /api/v1/statuses/{id} — edit; earlier versions stay in the history.
/// `media_attributes[][id|description|focus]` fixes alt text on the way.
async fn edit_status(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<Status>> {
    if fields.pairs.iter().any(|(k, _)| k.starts_with("poll")) {
        return Err(Error::Validation("Polls are not supported yet".into()));
    }
    let mut media_attributes = Vec::new();
    for attrs in nested_attributes(&fields.pairs, "media_attributes") {
        let media_id: i64 = render::id(attrs.get("id").map(String::as_str).unwrap_or_default())?;
        let focus = match attrs.get("focus").filter(|f| !f.is_empty()) {
            Some(raw) => Some(crate::service::media::parse_focus(raw)?),
            None => None,
        };
        media_attributes.push(service::MediaChange {
            id: media_id,
            description: attrs.get("description").cloned(),
            focus,
        });
    }
    let change = service::Edit {
        text: fields.get("status").unwrap_or_default().to_owned(),
        media_attributes,
        spoiler_text: fields.get("spoiler_text").map(str::to_owned),
        sensitive: fields.bool("sensitive")?,
        language: fields
            .get("language")
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        // Media change only when the client sends `media_ids` (an empty list
        // removes them); a text-only edit keeps them.
        media_ids: fields
            .pairs
            .iter()
            .any(|(k, _)| k == "media_ids[]" || k == "media_ids")
            .then(|| {
                fields
                    .pairs
                    .iter()
                    .filter(|(k, v)| (k == "media_ids[]" || k == "media_ids") && !v.is_empty())
                    .map(|(_, v)| v.clone())
                    .collect()
            }),
    };
    crate::federation::fetch::resolve_mentions(&state, &change.text).await;
    let edited = service::edit(&state, &me.user, render::id(&id)?, change).await?;
    super::webhook_events::status(&state, "status.updated", &edited).await;
    Ok(Json(render::status(&state, me.viewer(), edited).await?))
}

/// GET /api/v1/statuses/{id}/source — the plain text, for editing.
async fn get_source(
    State(state): State<AppState>,
    me: User<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let status = service::visible(&state.store, render::id(&id)?, me.viewer()).await?;
    if status.account_id != me.user.account.id {
        return Err(Error::NotFound);
    }
    Ok(Json(
        serde_json::json!({ "id": status.id.to_string(), "text": status.text, "spoiler_text": status.spoiler_text }),
    ))
}

/// GET /api/v1/statuses/{id}/history — every version, oldest first (just
/// the current one for a status never edited).
async fn get_history(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    let status = service::visible(&state.store, render::id(&id)?, viewer.viewer()).await?;
    let author = state
        .store
        .accounts()
        .by_id(status.account_id)
        .await?
        .ok_or(Error::NotFound)?;
    let account = Account::from_model(&author, &state.config);
    let mut versions = state.store.statuses().versions(status.id).await?;
    if versions.is_empty() {
        let media: Vec<String> = state
            .store
            .media()
            .for_status(status.id)
            .await?
            .iter()
            .map(|m| m.id.to_string())
            .collect();
        versions.push(crate::store::StatusVersion {
            media_ids: media.join(","),
            text: status.text.clone(),
            content: status.content.clone(),
            spoiler_text: status.spoiler_text.clone(),
            sensitive: status.sensitive,
            created_at: status.created_at,
        });
    }
    let mut rendered = Vec::with_capacity(versions.len());
    for v in versions {
        let mut media = Vec::new();
        for id in v.media_ids.split(',').filter_map(|s| s.parse::<i64>().ok()) {
            if let Some(m) = state.store.media().by_id(id).await? {
                media.push(MediaAttachment::from_model(&m, &state.media));
            }
        }
        rendered.push(serde_json::json!({
            "content": v.content,
            "spoiler_text": v.spoiler_text,
            "sensitive": v.sensitive,
            "created_at": v.created_at.to_rfc3339(),
            "account": account,
            "poll": null,
            "media_attachments": media,
            "emojis": [],
        }));
    }
    Ok(Json(rendered))
}

/// GET /api/v1/statuses/{id}/context
async fn get_context(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Context>> {
    let viewer = viewer.viewer();
    let (ancestors, descendants) = service::context(&state.store, render::id(&id)?, viewer).await?;
    Ok(Json(Context {
        ancestors: render::statuses_in(&state, viewer, ancestors, "thread").await?,
        descendants: render::statuses_in(&state, viewer, descendants, "thread").await?,
    }))
}

/// Renders a status after an action, as the acting user now sees it.
async fn after(
    state: &AppState,
    me: &crate::store::UserWithAccount,
    id: StatusId,
) -> ApiResult<Json<Status>> {
    let viewer = service::viewer_of(me);
    let status = service::visible(&state.store, id, viewer).await?;
    Ok(Json(render::status(state, viewer, status).await?))
}

/// POST /api/v1/statuses/{id}/favourite
async fn favourite(
    State(state): State<AppState>,
    me: User<WriteFavourites>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let status = service::favourite(&state.store, &me.user, render::id(&id)?).await?;
    after(&state, &me.user, status.id).await
}

/// POST /api/v1/statuses/{id}/unfavourite
async fn unfavourite(
    State(state): State<AppState>,
    me: User<WriteFavourites>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let status = service::unfavourite(&state.store, &me.user, render::id(&id)?).await?;
    after(&state, &me.user, status.id).await
}

/// POST /api/v1/statuses/{id}/reblog — answers the reblog, wrapping the original.
async fn reblog(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let reblog = service::reblog(&state.store, &state.config, &me.user, render::id(&id)?).await?;
    Ok(Json(render::status(&state, me.viewer(), reblog).await?))
}

/// POST /api/v1/statuses/{id}/unreblog
async fn unreblog(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let original = service::unreblog(&state.store, &me.user, render::id(&id)?).await?;
    after(&state, &me.user, original.id).await
}

/// POST /api/v1/statuses/{id}/bookmark
async fn bookmark(
    State(state): State<AppState>,
    me: User<WriteBookmarks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let status = service::set_bookmark(&state.store, &me.user, render::id(&id)?, true).await?;
    after(&state, &me.user, status.id).await
}

/// POST /api/v1/statuses/{id}/unbookmark
async fn unbookmark(
    State(state): State<AppState>,
    me: User<WriteBookmarks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let status = service::set_bookmark(&state.store, &me.user, render::id(&id)?, false).await?;
    after(&state, &me.user, status.id).await
}

/// POST /api/v1/statuses/{id}/pin
async fn pin(
    State(state): State<AppState>,
    me: User<WriteAccountsScope>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let status = service::set_pin(&state.store, &me.user, render::id(&id)?, true).await?;
    after(&state, &me.user, status.id).await
}

/// POST /api/v1/statuses/{id}/unpin
async fn unpin(
    State(state): State<AppState>,
    me: User<WriteAccountsScope>,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let status = service::set_pin(&state.store, &me.user, render::id(&id)?, false).await?;
    after(&state, &me.user, status.id).await
}

type WriteAccountsScope = crate::api::extract::auth::WriteAccounts;

/// GET /api/v1/statuses/{id}/favourited_by
async fn favourited_by(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadAccounts>,
    Path(id): Path<String>,
    page: PageQuery,
) -> ApiResult<Response> {
    let status = service::visible(&state.store, render::id(&id)?, viewer.viewer()).await?;
    let rows = state
        .store
        .interactions()
        .favourited_by(status.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}

/// GET /api/v1/statuses/{id}/reblogged_by
async fn reblogged_by(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadAccounts>,
    Path(id): Path<String>,
    page: PageQuery,
) -> ApiResult<Response> {
    let status = service::visible(&state.store, render::id(&id)?, viewer.viewer()).await?;
    let rows = state
        .store
        .interactions()
        .reblogged_by(status.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}

/// A page of accounts keyed by link ids.
pub fn accounts_page(
    state: &AppState,
    page: &PageQuery,
    rows: Vec<(i64, crate::model::Account)>,
) -> Response {
    let keys: Vec<i64> = rows.iter().map(|(k, _)| *k).collect();
    let accounts: Vec<Account> = rows
        .iter()
        .map(|(_, a)| Account::from_model(a, &state.config))
        .collect();
    page.respond(accounts, &keys)
}
