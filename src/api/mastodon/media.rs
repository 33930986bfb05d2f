//! `/api/v1/media`, `/api/v2/media`, and serving stored files at `/media/`.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::render;
use crate::api::entities::media::MediaAttachment;
use crate::api::extract::User;
use crate::api::extract::auth::WriteMedia;
use crate::api::extract::fields::Fields;
use crate::error::{ApiResult, Error};
use crate::media::process::MAX_UPLOAD_BYTES;
use crate::service::media as service;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/media", post(upload))
        .route("/api/v2/media", post(upload))
        .route("/api/v1/media/{id}", get(get_media).put(update_media))
        // Room for the largest upload plus the multipart envelope.
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
        .route("/media/{*key}", get(serve_file))
}

fn focus_of(fields: &Fields) -> ApiResult<Option<(f64, f64)>> {
    match fields.get("focus").filter(|f| !f.is_empty()) {
        None => Ok(None),
        Some(raw) => Ok(Some(service::parse_focus(raw)?)),
    }
}

/// POST /api/v1/media and /api/v2/media — upload an image (`file`), with
/// an optional `description` (alt text) and `focus`. Images are processed
/// before answering, so both answer 200 with the finished attachment.
async fn upload(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    fields: Fields,
) -> ApiResult<Json<MediaAttachment>> {
    let file = fields
        .file("file")
        .ok_or_else(|| Error::Validation("file is missing".into()))?;
    let focus = focus_of(&fields)?;
    let media = service::upload(
        &state.store,
        &state.media,
        &me.user,
        file.bytes.to_vec(),
        fields.get("description").map(str::to_owned),
        focus,
    )
    .await?;
    Ok(Json(MediaAttachment::from_model(&media, &state.media)))
}

/// GET /api/v1/media/{id}
async fn get_media(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    Path(id): Path<String>,
) -> ApiResult<Json<MediaAttachment>> {
    let media = service::own(&state.store, me.user.account.id, render::id(&id)?).await?;
    Ok(Json(MediaAttachment::from_model(&media, &state.media)))
}

/// PUT /api/v1/media/{id} — change the alt text or focus.
async fn update_media(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<MediaAttachment>> {
    let focus = focus_of(&fields)?;
    let media = service::describe(
        &state.store,
        me.user.account.id,
        render::id(&id)?,
        fields.get("description").map(str::to_owned),
        focus,
    )
    .await?;
    Ok(Json(MediaAttachment::from_model(&media, &state.media)))
}

/// GET /media/{key} — a stored file (local media directory).
async fn serve_file(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let content_type = match key.rsplit('.').next() {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        _ => return Error::NotFound.into_response(),
    };
    match state.media.get(&key).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) | Err(crate::media::StorageError::BadKey) => Error::NotFound.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read media");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
