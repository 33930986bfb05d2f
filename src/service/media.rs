//! Uploading and describing media, and attaching it to statuses.

use super::error::{ServiceError, ServiceResult};
use crate::media::MediaStore;
use crate::media::process::{self, ProcessError};
use crate::model::media::Media;
use crate::model::{AccountId, StatusId, Timestamp};
use crate::store::{Store, Tx, UserWithAccount};

pub const MAX_ATTACHMENTS: usize = 4;
pub const MAX_DESCRIPTION: usize = 1500;

/// Processes and stores an upload; the row is written only once both files
/// are stored, and the files are removed again if the row cannot be.
pub async fn upload(
    store: &Store,
    files: &MediaStore,
    owner: &UserWithAccount,
    bytes: Vec<u8>,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> ServiceResult<Media> {
    let description = description.unwrap_or_default();
    check_description(&description)?;
    let processed = tokio::task::spawn_blocking(move || process::process_image(&bytes))
        .await
        .map_err(|e| ServiceError::Invalid(format!("processing failed: {e}")))?
        .map_err(|e: ProcessError| ServiceError::Invalid(e.to_string()))?;
    let file_key = MediaStore::new_key(processed.extension);
    let thumbnail_key = MediaStore::new_key(processed.extension);
    files
        .put(&file_key, &processed.bytes)
        .await
        .map_err(storage_failed)?;
    if let Err(e) = files.put(&thumbnail_key, &processed.thumbnail).await {
        let _ = files.delete(&file_key).await;
        return Err(storage_failed(e));
    }
    let (focus_x, focus_y) = focus.unwrap_or((0.0, 0.0));
    let row = Media {
        id: 0,
        account_id: owner.account.id,
        status_id: None,
        kind: "image".into(),
        content_type: processed.content_type.into(),
        file_key: file_key.clone(),
        file_size: processed.bytes.len() as i64,
        width: processed.width.into(),
        height: processed.height.into(),
        thumbnail_key: thumbnail_key.clone(),
        thumb_width: processed.thumb_width.into(),
        thumb_height: processed.thumb_height.into(),
        blurhash: processed.blurhash,
        description,
        focus_x,
        focus_y,
        created_at: Timestamp::now(),
        remote_url: None,
    };
    match store.media().insert(&row).await {
        Ok(saved) => Ok(saved),
        Err(e) => {
            let _ = files.delete(&file_key).await;
            let _ = files.delete(&thumbnail_key).await;
            Err(e.into())
        }
    }
}

fn storage_failed(e: crate::media::StorageError) -> ServiceError {
    tracing::error!(error = %e, "cannot store media");
    ServiceError::Invalid(
        "The file could not be stored (the server may be out of disk space); nothing was saved"
            .into(),
    )
}

fn check_description(description: &str) -> ServiceResult<()> {
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
/// own, none used by another status.
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
