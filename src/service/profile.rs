//! Editing one's own profile and posting defaults.

use super::error::{ServiceError, ServiceResult};
use crate::config::Config;
use crate::media::MediaStore;
use crate::media::process;
use crate::model::{ProfileField, Visibility};
use crate::store::{Store, StoreError, UserWithAccount};
use crate::text;

pub const MAX_DISPLAY_NAME: usize = 30;
pub const MAX_NOTE: usize = 500;
pub const MAX_FIELDS: usize = 4;
pub const MAX_FIELD_LEN: usize = 255;

/// What `update_credentials` may change; `None` leaves a value alone.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    pub fields: Option<Vec<ProfileField>>,
    pub privacy: Option<Visibility>,
    pub sensitive: Option<bool>,
    /// `Some(None)` clears the default language.
    pub language: Option<Option<String>>,
    pub local_only: Option<bool>,
    /// URLs of newly stored profile images.
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
}

/// Processes and stores a profile image (same rules as media uploads);
/// returns its URL.
pub async fn store_image(files: &MediaStore, bytes: Vec<u8>) -> ServiceResult<String> {
    let processed = tokio::task::spawn_blocking(move || process::process_image(&bytes))
        .await
        .map_err(|e| ServiceError::Invalid(format!("processing failed: {e}")))?
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let key = MediaStore::new_key(processed.extension);
    files.put(&key, &processed.bytes).await.map_err(|e| {
        tracing::error!(error = %e, "cannot store a profile image");
        ServiceError::Invalid("The image could not be stored; nothing was changed".into())
    })?;
    Ok(files.url(&key))
}

fn check_len(what: &str, value: &str, max: usize) -> ServiceResult<()> {
    if value.chars().count() > max {
        return Err(ServiceError::Invalid(format!(
            "{what} is too long (maximum is {max} characters)"
        )));
    }
    Ok(())
}

pub async fn update(
    store: &Store,
    config: &Config,
    me: &UserWithAccount,
    change: ProfileUpdate,
) -> ServiceResult<UserWithAccount> {
    let mut account = me.account.clone();
    let mut user = me.user.clone();
    if let Some(name) = change.display_name {
        check_len("Display name", &name, MAX_DISPLAY_NAME)?;
        account.display_name = name;
    }
    if let Some(note) = change.note {
        check_len("Bio", &note, MAX_NOTE)?;
        account.note = text::render(&note, &[], &config.base_url());
        account.note_source = note;
    }
    if let Some(fields) = change.fields {
        if fields.len() > MAX_FIELDS {
            return Err(ServiceError::Invalid(format!(
                "Profile can have at most {MAX_FIELDS} fields"
            )));
        }
        for f in &fields {
            check_len("Field name", &f.name, MAX_FIELD_LEN)?;
            check_len("Field value", &f.value, MAX_FIELD_LEN)?;
        }
        account.fields =
            serde_json::to_string(&fields).map_err(|e| ServiceError::Invalid(e.to_string()))?;
    }
    if let Some(url) = change.avatar_url {
        account.avatar_url = Some(url);
    }
    if let Some(url) = change.header_url {
        account.header_url = Some(url);
    }
    account.locked = change.locked.unwrap_or(account.locked);
    account.bot = change.bot.unwrap_or(account.bot);
    account.discoverable = change.discoverable.unwrap_or(account.discoverable);
    account.indexable = change.indexable.unwrap_or(account.indexable);
    if let Some(privacy) = change.privacy {
        user.default_visibility = privacy.as_str().to_owned();
    }
    user.default_sensitive = change.sensitive.unwrap_or(user.default_sensitive);
    if let Some(language) = change.language {
        if let Some(l) = &language {
            super::check_language(l)?;
        }
        user.default_language = language;
    }
    if change.local_only.is_some() {
        user.default_local_only = change.local_only;
    }
    let mut tx = store.begin().await?;
    tx.accounts().save_profile(&account).await?;
    tx.users().save_defaults(&user).await?;
    if account != me.account {
        super::publish::profile(&mut tx, &account).await?;
    }
    tx.commit().await?;
    let updated = store
        .users()
        .with_account(user.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if me.account.locked && !updated.account.locked {
        // Unlocking lets everyone waiting in, as Mastodon does.
        let everyone = crate::model::Page {
            limit: 100_000,
            ..Default::default()
        };
        for (_, requester) in store
            .follows()
            .requesters(updated.account.id, &everyone)
            .await?
        {
            super::follows::authorize(store, &updated, requester.id).await?;
        }
        return Ok(store
            .users()
            .with_account(user.id)
            .await?
            .ok_or(StoreError::NotFound)?);
    }
    Ok(updated)
}
