//! Uploading and describing media, and attaching it to statuses.
//!
//! Images are processed before the upload is answered. Videos are checked
//! (ffprobe) before it is answered, then transcoded by a task of the node
//! that took the upload; the row says `pending` meanwhile, and the node
//! holds it with a lease it renews while working. If that node stops, the
//! lease lapses and any node's timer (`resume_stalled`) takes the video
//! over, from the upload kept in the media store until processing ends.

use std::path::Path;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::error::{ServiceError, ServiceResult};
use crate::media::process::{self, ProcessError, Thumbnail};
use crate::media::video::{self, Container, VideoError};
use crate::media::{MediaStore, Sniffed};
use crate::model::media::{Media, Processing};
use crate::model::{AccountId, StatusId, Timestamp};
use crate::state::AppState;
use crate::store::{Store, Tx, UserWithAccount};

pub const MAX_ATTACHMENTS: usize = 4;
pub const MAX_DESCRIPTION: usize = 1500;

/// How long a node holds a video it processes, and how often it renews
/// the hold while working: a crashed node's videos resume within a minute.
const HOLD_SECS: i64 = 60;
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// A video whose processing was interrupted this often (e.g. it takes a
/// node down) counts as failed.
pub const MAX_ATTEMPTS: i64 = 3;

/// What the client sent besides the file.
#[derive(Debug, Default)]
pub struct Details {
    pub description: Option<String>,
    pub focus: Option<(f64, f64)>,
    /// A custom preview image (Mastodon's `thumbnail`).
    pub thumbnail: Option<Vec<u8>>,
}

/// An accepted upload: finished, or a video being processed by `task`.
pub enum Uploaded {
    Done(Media),
    Processing { media: Media, task: JoinHandle<()> },
}

/// Takes an upload spooled to `file`, of the sniffed `kind`.
pub async fn upload(
    state: &AppState,
    owner: &UserWithAccount,
    file: &Path,
    kind: Sniffed,
    details: Details,
) -> ServiceResult<Uploaded> {
    check_description(details.description.as_deref().unwrap_or_default())?;
    match kind {
        Sniffed::Image => {
            let bytes = tokio::fs::read(file)
                .await
                .map_err(|e| ServiceError::Internal(format!("cannot read the upload: {e}")))?;
            upload_image(&state.store, &state.media, owner, bytes, details)
                .await
                .map(Uploaded::Done)
        }
        Sniffed::Video(container) => upload_video(state, owner, file, container, details).await,
    }
}

/// Processes and stores an image; the row is written only once its files
/// are stored, and the files are removed again if the row cannot be.
async fn upload_image(
    store: &Store,
    files: &MediaStore,
    owner: &UserWithAccount,
    bytes: Vec<u8>,
    mut details: Details,
) -> ServiceResult<Media> {
    let processed = blocking(move || process::process_image(&bytes)).await?;
    let custom = match details.thumbnail.take() {
        Some(bytes) => Some(blocking(move || process::process_thumbnail(&bytes)).await?),
        None => None,
    };
    let file_key = MediaStore::new_key(processed.extension);
    files
        .put(&file_key, &processed.bytes)
        .await
        .map_err(storage_failed)?;
    let generated = Thumbnail {
        extension: processed.extension,
        bytes: processed.thumbnail,
        width: processed.thumb_width,
        height: processed.thumb_height,
        blurhash: processed.blurhash,
    };
    let (thumbnail_key, thumb_size, blurhash) =
        match put_thumbnail(files, custom.as_ref().unwrap_or(&generated)).await {
            Ok(stored) => stored,
            Err(e) => {
                let _ = files.delete(&file_key).await;
                return Err(storage_failed(e));
            }
        };
    let row = Media {
        content_type: processed.content_type.into(),
        file_key: file_key.clone(),
        file_size: processed.bytes.len() as i64,
        width: processed.width.into(),
        height: processed.height.into(),
        thumbnail_key: thumbnail_key.clone(),
        thumb_width: thumb_size.0.into(),
        thumb_height: thumb_size.1.into(),
        blurhash,
        ..new_row(owner, "image", details)
    };
    insert_or_clean_up(store, files, &row, &[&file_key, &thumbnail_key]).await
}

/// Checks a video (ffprobe), keeps the upload and a custom thumbnail, and
/// starts processing it.
async fn upload_video(
    state: &AppState,
    owner: &UserWithAccount,
    file: &Path,
    container: Container,
    mut details: Details,
) -> ServiceResult<Uploaded> {
    let info = state
        .transcoder
        .probe(file, container)
        .await
        .map_err(video_invalid)?;
    info.check_limits().map_err(video_invalid)?;
    let size = tokio::fs::metadata(file)
        .await
        .map_err(|e| ServiceError::Internal(format!("cannot read the upload: {e}")))?
        .len();
    let thumbnail = match details.thumbnail.take() {
        Some(bytes) => Some(blocking(move || process::process_thumbnail(&bytes)).await?),
        None => None,
    };
    // Not a servable extension: the upload as received is never served.
    let upload_key = MediaStore::new_key("upload");
    state
        .media
        .put_file(&upload_key, file)
        .await
        .map_err(storage_failed)?;
    let (thumbnail_key, thumb_size, blurhash) = match &thumbnail {
        Some(custom) => match put_thumbnail(&state.media, custom).await {
            Ok(stored) => stored,
            Err(e) => {
                let _ = state.media.delete(&upload_key).await;
                return Err(storage_failed(e));
            }
        },
        None => (String::new(), (0, 0), String::new()),
    };
    let (width, height) = video::output_size(info.width, info.height);
    let now = Timestamp::now();
    let row = Media {
        content_type: "video/mp4".into(),
        file_key: upload_key.clone(),
        file_size: size as i64,
        width: width.into(),
        height: height.into(),
        thumbnail_key: thumbnail_key.clone(),
        thumb_width: thumb_size.0.into(),
        thumb_height: thumb_size.1.into(),
        blurhash,
        duration: Some(info.duration),
        frame_rate: Some(info.frame_rate).filter(|r| !r.is_empty()),
        bitrate: info.bitrate,
        processing: Processing::Pending.as_str().into(),
        claimed_until: Some(now.plus_seconds(HOLD_SECS)),
        attempts: 1,
        ..new_row(owner, "video", details)
    };
    let media = insert_or_clean_up(
        &state.store,
        &state.media,
        &row,
        &[&upload_key, &thumbnail_key],
    )
    .await?;
    let task = tokio::spawn(process_held(state.clone(), media.id));
    Ok(Uploaded::Processing { media, task })
}

fn new_row(owner: &UserWithAccount, kind: &str, details: Details) -> Media {
    let (focus_x, focus_y) = details.focus.unwrap_or((0.0, 0.0));
    Media {
        id: 0,
        account_id: owner.account.id,
        status_id: None,
        kind: kind.into(),
        content_type: String::new(),
        file_key: String::new(),
        file_size: 0,
        width: 0,
        height: 0,
        thumbnail_key: String::new(),
        thumb_width: 0,
        thumb_height: 0,
        blurhash: String::new(),
        description: details.description.unwrap_or_default(),
        focus_x,
        focus_y,
        created_at: Timestamp::now(),
        remote_url: None,
        duration: None,
        frame_rate: None,
        bitrate: None,
        processing: Processing::Done.as_str().into(),
        claimed_until: None,
        attempts: 0,
    }
}

async fn insert_or_clean_up(
    store: &Store,
    files: &MediaStore,
    row: &Media,
    keys: &[&str],
) -> ServiceResult<Media> {
    match store.media().insert(row).await {
        Ok(saved) => Ok(saved),
        Err(e) => {
            for key in keys.iter().filter(|k| !k.is_empty()) {
                let _ = files.delete(key).await;
            }
            Err(e.into())
        }
    }
}

/// Runs CPU-heavy image work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ProcessError> + Send + 'static,
) -> ServiceResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::Internal(format!("image processing failed: {e}")))?
        .map_err(|e| ServiceError::Invalid(e.to_string()))
}

async fn put_thumbnail(
    files: &MediaStore,
    thumbnail: &Thumbnail,
) -> Result<(String, (u32, u32), String), crate::media::StorageError> {
    let key = MediaStore::new_key(thumbnail.extension);
    files.put(&key, &thumbnail.bytes).await?;
    Ok((
        key,
        (thumbnail.width, thumbnail.height),
        thumbnail.blurhash.clone(),
    ))
}

fn video_invalid(e: VideoError) -> ServiceError {
    if let VideoError::Failed(cause) = &e {
        tracing::warn!(error = %cause, "ffprobe failed");
    }
    ServiceError::Invalid(e.to_string())
}

/// Why processing stopped: for good (the video fails), or for now (the
/// hold lapses and it is tried again, up to `MAX_ATTEMPTS`).
enum Failure {
    Permanent(String),
    Transient(String),
}

/// Processes a video this node holds, renewing the hold while it works.
async fn process_held(state: AppState, id: i64) {
    let work = process_video(&state, id);
    tokio::pin!(work);
    let mut renew = tokio::time::interval(RENEW_EVERY);
    renew.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut work => break result,
            _ = renew.tick() => {
                let until = Timestamp::now().plus_seconds(HOLD_SECS);
                if let Err(e) = state.store.media().renew(id, until).await {
                    tracing::warn!(media = id, error = %e, "cannot renew the hold on a video");
                }
            }
        }
    };
    match result {
        Ok(()) => tracing::debug!(media = id, "video processed"),
        Err(Failure::Transient(cause)) => {
            tracing::warn!(media = id, error = %cause, "video processing interrupted; it will be retried");
        }
        Err(Failure::Permanent(cause)) => {
            tracing::warn!(media = id, error = %cause, "video processing failed");
            give_up(&state, id).await;
        }
    }
}

async fn give_up(state: &AppState, id: i64) {
    let upload = match state.store.media().by_id(id).await {
        Ok(Some(media)) if media.processing() == Processing::Pending => media.file_key,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(media = id, error = %e, "cannot mark a video as failed");
            return;
        }
    };
    if let Err(e) = state.store.media().fail(id).await {
        tracing::warn!(media = id, error = %e, "cannot mark a video as failed");
        return;
    }
    if !upload.is_empty() {
        let _ = state.media.delete(&upload).await;
    }
}

/// Transcodes the upload, takes a frame for the preview unless a custom
/// one was given, stores both and records the result.
async fn process_video(state: &AppState, id: i64) -> Result<(), Failure> {
    let transient = |e: &dyn std::fmt::Display| Failure::Transient(e.to_string());
    let media = match state.store.media().by_id(id).await {
        Ok(Some(media)) if media.processing() == Processing::Pending => media,
        Ok(_) => return Ok(()),
        Err(e) => return Err(transient(&e)),
    };
    let work = tempfile::Builder::new()
        .prefix("loggia-video-")
        .tempdir()
        .map_err(|e| transient(&e))?;
    let input = work.path().join("upload");
    match state.media.fetch_to(&media.file_key, &input).await {
        Ok(true) => {}
        Ok(false) => return Err(Failure::Permanent("the upload is gone".into())),
        Err(e) => return Err(transient(&e)),
    }
    let mut head = vec![0; crate::media::SNIFF_BYTES];
    let read = read_head(&input, &mut head)
        .await
        .map_err(|e| transient(&e))?;
    let Some(container) = Container::sniff(&head[..read]) else {
        return Err(Failure::Permanent("the upload is not a video".into()));
    };
    let output = work.path().join("video.mp4");
    let info = state
        .transcoder
        .transcode(&input, container, &output)
        .await
        .map_err(|e| match e {
            // Another node may have ffmpeg.
            VideoError::NotInstalled => transient(&e),
            VideoError::Failed(cause) => Failure::Permanent(cause),
            other => Failure::Permanent(other.to_string()),
        })?;
    let mut new_keys = Vec::new();
    let result = store_processed(state, &media, &info, work.path(), &output, &mut new_keys).await;
    let generated_thumbnail = result
        .as_ref()
        .ok()
        .filter(|_| media.thumbnail_key.is_empty())
        .map(|done| done.thumbnail_key.clone());
    let finished = match result {
        Ok(done) => state
            .store
            .media()
            .finish(&done)
            .await
            .map_err(|e| transient(&e)),
        Err(e) => Err(e),
    };
    match finished {
        Ok(true) => {
            let _ = state.media.delete(&media.file_key).await;
            // A thumbnail set meanwhile was kept: the generated one is unused.
            if let Some(generated) = generated_thumbnail
                && let Ok(Some(row)) = state.store.media().by_id(media.id).await
                && row.thumbnail_key != generated
            {
                let _ = state.media.delete(&generated).await;
            }
            Ok(())
        }
        other => {
            for key in new_keys {
                let _ = state.media.delete(&key).await;
            }
            other.map(|_| ())
        }
    }
}

async fn read_head(path: &Path, head: &mut [u8]) -> std::io::Result<usize> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await?;
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]).await? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Stores the MP4 (and a preview frame when needed); the keys written go
/// to `new_keys` so that the caller can remove them if recording fails.
async fn store_processed(
    state: &AppState,
    media: &Media,
    info: &video::VideoInfo,
    work: &Path,
    mp4: &Path,
    new_keys: &mut Vec<String>,
) -> Result<Media, Failure> {
    let transient = |e: &dyn std::fmt::Display| Failure::Transient(e.to_string());
    let mut done = media.clone();
    if media.thumbnail_key.is_empty() {
        let frame = work.join("frame.jpg");
        state
            .transcoder
            .frame(mp4, info.duration, &frame)
            .await
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        let jpeg = tokio::fs::read(&frame).await.map_err(|e| transient(&e))?;
        let thumbnail = blocking(move || process::process_thumbnail(&jpeg))
            .await
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        let (key, (w, h), blurhash) = put_thumbnail(&state.media, &thumbnail)
            .await
            .map_err(|e| transient(&e))?;
        new_keys.push(key.clone());
        done.thumbnail_key = key;
        done.thumb_width = w.into();
        done.thumb_height = h.into();
        done.blurhash = blurhash;
    }
    let key = MediaStore::new_key("mp4");
    state
        .media
        .put_file(&key, mp4)
        .await
        .map_err(|e| transient(&e))?;
    new_keys.push(key.clone());
    done.file_key = key;
    done.file_size = tokio::fs::metadata(mp4)
        .await
        .map_err(|e| transient(&e))?
        .len() as i64;
    done.content_type = "video/mp4".into();
    done.width = info.width.into();
    done.height = info.height.into();
    done.duration = Some(info.duration);
    done.frame_rate = Some(info.frame_rate.clone()).filter(|r| !r.is_empty());
    done.bitrate = info.bitrate;
    Ok(done)
}

/// Resumes videos whose node stopped holding them (crash, restart). Run
/// by every node's timer; each video is claimed by one. Returns the tasks
/// started.
pub async fn resume_stalled(
    state: &AppState,
    now: Timestamp,
) -> Result<Vec<JoinHandle<()>>, crate::store::StoreError> {
    let mut started = Vec::new();
    for media in state.store.media().stalled(now, 10).await? {
        if !state
            .store
            .media()
            .claim(media.id, now, now.plus_seconds(HOLD_SECS))
            .await?
        {
            continue;
        }
        if media.attempts >= MAX_ATTEMPTS {
            tracing::warn!(
                media = media.id,
                "video processing was interrupted too often"
            );
            give_up(state, media.id).await;
            continue;
        }
        started.push(tokio::spawn(process_held(state.clone(), media.id)));
    }
    Ok(started)
}

fn storage_failed(e: crate::media::StorageError) -> ServiceError {
    tracing::error!(error = %e, "cannot store media");
    ServiceError::Invalid(
        "The file could not be stored (the media storage is full or unreachable); nothing was \
         saved. Try again later"
            .into(),
    )
}

fn check_description(description: &str) -> ServiceResult<()> {
    // PostgreSQL cannot store NUL.
    if description.contains('\0') {
        return Err(ServiceError::Invalid(
            "Description may not contain NUL characters".into(),
        ));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ServiceError::Invalid(format!(
            "Description is too long (maximum is {MAX_DESCRIPTION} characters)"
        )));
    }
    Ok(())
}

/// One's own media (others' is not found).
pub async fn own(store: &Store, owner: AccountId, id: i64) -> ServiceResult<Media> {
    store
        .media()
        .by_id(id)
        .await?
        .filter(|m| m.account_id == owner)
        .ok_or(ServiceError::NotFound)
}

pub async fn describe(
    store: &Store,
    owner: AccountId,
    id: i64,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> ServiceResult<Media> {
    let media = own(store, owner, id).await?;
    let description = description.unwrap_or(media.description.clone());
    check_description(&description)?;
    let focus = focus.unwrap_or((media.focus_x, media.focus_y));
    store.media().describe(id, &description, focus).await?;
    own(store, owner, id).await
}

/// Replaces the preview image with one of the owner's choosing.
pub async fn set_thumbnail(
    store: &Store,
    files: &MediaStore,
    owner: AccountId,
    id: i64,
    bytes: Vec<u8>,
) -> ServiceResult<Media> {
    let media = own(store, owner, id).await?;
    let thumbnail = blocking(move || process::process_thumbnail(&bytes)).await?;
    let (key, (w, h), blurhash) = put_thumbnail(files, &thumbnail)
        .await
        .map_err(storage_failed)?;
    if let Err(e) = store
        .media()
        .set_thumbnail(id, &key, (w.into(), h.into()), &blurhash)
        .await
    {
        let _ = files.delete(&key).await;
        return Err(e.into());
    }
    if !media.thumbnail_key.is_empty() {
        let _ = files.delete(&media.thumbnail_key).await;
    }
    own(store, owner, id).await
}

/// Parses Mastodon's `focus` parameter: `"x,y"` with both in -1..=1.
pub fn parse_focus(raw: &str) -> ServiceResult<(f64, f64)> {
    let bad = || {
        ServiceError::Invalid("focus must be two numbers between -1 and 1, like 0.5,-0.2".into())
    };
    let (x, y) = raw.split_once(',').ok_or_else(bad)?;
    let (x, y): (f64, f64) = (
        x.trim().parse().map_err(|_| bad())?,
        y.trim().parse().map_err(|_| bad())?,
    );
    if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
        return Err(bad());
    }
    Ok((x, y))
}

/// Checks `media_ids` for a new or edited status: at most four, all one's
/// own and processed, none used by another status.
pub async fn check_ids(
    store: &Store,
    owner: AccountId,
    ids: &[String],
    editing: Option<StatusId>,
) -> ServiceResult<Vec<i64>> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(ServiceError::Invalid(format!(
            "Too many attachments (at most {MAX_ATTACHMENTS})"
        )));
    }
    let mut out = Vec::with_capacity(ids.len());
    for raw in ids {
        let not_found = || ServiceError::Invalid(format!("media attachment {raw} not found"));
        let id: i64 = raw.parse().map_err(|_| not_found())?;
        let media = store
            .media()
            .by_id(id)
            .await?
            .filter(|m| m.account_id == owner)
            .ok_or_else(not_found)?;
        match media.processing() {
            Processing::Done => {}
            Processing::Pending => {
                return Err(ServiceError::Invalid(
                    "Cannot attach files that have not finished processing. Try again in a moment!"
                        .into(),
                ));
            }
            Processing::Failed => {
                return Err(ServiceError::Invalid(format!(
                    "media attachment {raw} could not be processed"
                )));
            }
        }
        if media.status_id.is_some() && media.status_id != editing {
            return Err(ServiceError::Invalid(format!(
                "media attachment {raw} is already used by another post"
            )));
        }
        out.push(id);
    }
    Ok(out)
}

/// Attaches checked media inside the status's transaction.
pub async fn attach(
    tx: &mut Tx,
    owner: AccountId,
    status: StatusId,
    ids: &[i64],
) -> ServiceResult<()> {
    if tx.media().attach(owner, status, ids).await? != ids.len() as u64 {
        return Err(ServiceError::Invalid(
            "a media attachment was used by another post meanwhile".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_focus;

    #[test]
    fn focus_is_checked() {
        assert_eq!(parse_focus("0.5,-0.25").ok(), Some((0.5, -0.25)));
        assert!(parse_focus("2,0").is_err());
        assert!(parse_focus("x").is_err());
    }
}
