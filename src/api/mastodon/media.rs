//! `/api/v1/media` and `/api/v2/media`.

use std::path::PathBuf;

use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::io::AsyncWriteExt;

use super::render;
use crate::api::entities::media::MediaAttachment;
use crate::api::extract::User;
use crate::api::extract::auth::WriteMedia;
use crate::api::extract::fields::Fields;
use crate::error::{ApiResult, Error};
use crate::media::process::MAX_UPLOAD_BYTES;
use crate::media::video::MAX_VIDEO_BYTES;
use crate::media::{SNIFF_BYTES, Sniffed};
use crate::model::media::{Media, Processing};
use crate::service::media::{self as service, Details, Uploaded};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/media", post(upload_v1))
        .route("/api/v2/media", post(upload_v2))
        // Room for the largest video plus the multipart envelope; the file
        // is written to disk as it arrives, and no longer once its first
        // bytes or its size refuse it.
        .layer(DefaultBodyLimit::max(MAX_VIDEO_BYTES + 1024 * 1024))
        .merge(
            Router::new()
                .route("/api/v1/media/{id}", get(get_media).put(update_media))
                // A new thumbnail at most.
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
}

/// How long v1 waits for a video before answering like v2 (202): longer
/// would outlast the timeouts of proxies in front of Loggia, and hold up a
/// graceful shutdown.
const V1_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Text fields of the upload form are small; this bounds what is buffered.
const MAX_TEXT_FIELD: usize = 64 * 1024;

/// An upload form, read as it arrives.
#[derive(Default)]
struct UploadForm {
    file: Option<Spooled>,
    thumbnail: Option<Vec<u8>>,
    description: Option<String>,
    focus: Option<String>,
}

/// The uploaded file in a temporary directory (removed when dropped), and
/// what its first bytes say it is.
struct Spooled {
    _dir: tempfile::TempDir,
    path: PathBuf,
    kind: Sniffed,
}

fn multipart_error(e: MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge("The request body is too large".into())
    } else {
        Error::BadRequest(format!("invalid multipart body: {e}"))
    }
}

fn unsupported() -> Error {
    Error::Validation(
        "File type is not supported (use JPEG, PNG, WebP, GIF, MP4, WebM or QuickTime)".into(),
    )
}

fn size_limit(kind: Sniffed) -> (usize, Error) {
    match kind {
        Sniffed::Image => (
            MAX_UPLOAD_BYTES,
            Error::TooLarge("File is too large (the limit is 16 MB for images)".into()),
        ),
        Sniffed::Video(_) => (
            MAX_VIDEO_BYTES,
            Error::TooLarge("File is too large (the limit is 99 MB for videos)".into()),
        ),
    }
}

/// Reads the multipart form; only the fields Mastodon defines are kept.
async fn read_form(multipart: Result<Multipart, MultipartRejection>) -> ApiResult<UploadForm> {
    let mut multipart = multipart.map_err(|_| {
        Error::Validation("file is missing (send a multipart/form-data body)".into())
    })?;
    let mut form = UploadForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(form),
            Err(e) => return Err(multipart_error(e)),
        };
        if let Err(refused) = read_field(field, &mut form).await {
            // The rest of the body is read (and dropped) before answering:
            // a client still sending would otherwise see the connection
            // close instead of the reason. The body limit bounds this.
            while let Ok(Some(_)) = multipart.next_field().await {}
            return Err(refused);
        }
    }
}

async fn read_field(mut field: Field<'_>, form: &mut UploadForm) -> ApiResult<()> {
    let name = field.name().unwrap_or_default().to_owned();
    match name.as_str() {
        "file" if form.file.is_none() => form.file = Some(spool(&mut field).await?),
        "thumbnail" => {
            let bytes = read_capped(&mut field, MAX_UPLOAD_BYTES)
                .await?
                .ok_or_else(|| {
                    Error::TooLarge("Thumbnail is too large (the limit is 16 MB)".into())
                })?;
            form.thumbnail = Some(bytes.to_vec()).filter(|b| !b.is_empty());
        }
        "description" | "focus" => {
            let bytes = read_capped(&mut field, MAX_TEXT_FIELD)
                .await?
                .ok_or_else(|| Error::Validation(format!("{name} is too long")))?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| Error::Validation(format!("{name} is not UTF-8 text")))?;
            if name == "description" {
                form.description = Some(text);
            } else {
                form.focus = Some(text);
            }
        }
        // Anything else is skipped (reading the next field drains it).
        _ => {}
    }
    Ok(())
}

/// A field's content, or `None` past `limit` bytes.
async fn read_capped(field: &mut Field<'_>, limit: usize) -> ApiResult<Option<Bytes>> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if out.len() + chunk.len() > limit {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out.into()))
}

/// Writes the file to a temporary file as it arrives. Its type is sniffed
/// from the first bytes, so a file of another type is refused before the
/// rest is read, and so is one over its type's limit.
async fn spool(field: &mut Field<'_>) -> ApiResult<Spooled> {
    let dir = tempfile::Builder::new()
        .prefix("loggia-upload-")
        .tempdir()
        .map_err(Error::internal)?;
    let path = dir.path().join("upload");
    let mut out = tokio::fs::File::create(&path)
        .await
        .map_err(Error::internal)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut kind = None;
    let mut written = 0;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if kind.is_none() {
            let wanted = (SNIFF_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..wanted]);
            if head.len() == SNIFF_BYTES {
                kind = Some(crate::media::sniff(&head).ok_or_else(unsupported)?);
            }
        }
        written += chunk.len();
        if let Some(kind) = kind {
            let (limit, too_large) = size_limit(kind);
            if written > limit {
                return Err(too_large);
            }
        }
        out.write_all(&chunk).await.map_err(Error::internal)?;
    }
    out.flush().await.map_err(Error::internal)?;
    // Files shorter than the sniffing window.
    let kind = match kind {
        Some(kind) => kind,
        None => crate::media::sniff(&head).ok_or_else(unsupported)?,
    };
    Ok(Spooled {
        _dir: dir,
        path,
        kind,
    })
}

fn focus_of(raw: Option<&str>) -> ApiResult<Option<(f64, f64)>> {
    match raw.filter(|f| !f.is_empty()) {
        None => Ok(None),
        Some(raw) => Ok(Some(service::parse_focus(raw)?)),
    }
}

/// The answer about one's media: 200 when processed, 206 while a video is
/// being processed, 422 if that failed (Mastodon's codes).
fn respond(state: &AppState, media: &Media) -> ApiResult<Response> {
    let entity = Json(MediaAttachment::from_model(media, &state.media));
    match media.processing() {
        Processing::Done => Ok(entity.into_response()),
        Processing::Pending => Ok((StatusCode::PARTIAL_CONTENT, entity).into_response()),
        Processing::Failed => Err(Error::Unprocessable(
            "Error processing uploaded media: the video could not be processed".into(),
        )),
    }
}

async fn upload(
    state: &AppState,
    me: &User<WriteMedia>,
    multipart: Result<Multipart, MultipartRejection>,
    wait: bool,
) -> ApiResult<Response> {
    let form = read_form(multipart).await?;
    let file = form
        .file
        .ok_or_else(|| Error::Validation("file is missing".into()))?;
    let details = Details {
        focus: focus_of(form.focus.as_deref())?,
        description: form.description,
        thumbnail: form.thumbnail,
    };
    match service::upload(state, &me.user, &file.path, file.kind, details).await? {
        Uploaded::Done(media) => respond(state, &media),
        Uploaded::Processing { media, task } => {
            // The task goes on if this request is abandoned or times out.
            if wait && tokio::time::timeout(V1_WAIT, task).await.is_ok() {
                let media = service::own(&state.store, me.user.account.id, media.id).await?;
                return respond(state, &media);
            }
            let entity = Json(MediaAttachment::from_model(&media, &state.media));
            Ok((StatusCode::ACCEPTED, entity).into_response())
        }
    }
}

/// POST /api/v1/media — upload an image or a video (`file`), with an
/// optional `description` (alt text), `focus` and `thumbnail` (a preview
/// image). Answers when the media is processed, videos included (for up to
/// `V1_WAIT`, then as v2 does).
async fn upload_v1(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    upload(&state, &me, multipart, true).await
}

/// POST /api/v2/media — the same; images are processed before answering
/// (200), videos after (202 with `url: null`; poll GET /api/v1/media/{id}).
async fn upload_v2(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    upload(&state, &me, multipart, false).await
}

/// GET /api/v1/media/{id}
async fn get_media(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let media = service::own(&state.store, me.user.account.id, render::id(&id)?).await?;
    respond(&state, &media)
}

/// PUT /api/v1/media/{id} — change the alt text, focus or preview image
/// (`thumbnail`).
async fn update_media(
    State(state): State<AppState>,
    me: User<WriteMedia>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Response> {
    let id = render::id(&id)?;
    let owner = me.user.account.id;
    let focus = focus_of(fields.get("focus"))?;
    if let Some(thumbnail) = fields.file("thumbnail").filter(|f| !f.bytes.is_empty()) {
        service::set_thumbnail(
            &state.store,
            &state.media,
            owner,
            id,
            thumbnail.bytes.to_vec(),
        )
        .await?;
    }
    let media = service::describe(
        &state.store,
        owner,
        id,
        fields.get("description").map(str::to_owned),
        focus,
    )
    .await?;
    respond(&state, &media)
}
