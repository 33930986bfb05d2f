//! Featured hashtags: up to ten tags a person shows on their profile.

use super::error::{ServiceError, ServiceResult};
use crate::model::AccountId;
use crate::store::{FeaturedTag, Store, StoreError, Viewer};
use crate::text;

/// Mastodon's limit (`max_featured_tags` in the instance configuration).
pub const MAX_FEATURED_TAGS: i64 = 10;

/// Features `name` (a leading `#` is ignored) on the owner's profile, with
/// Mastodon's validation messages.
pub async fn feature(store: &Store, owner: Viewer, name: &str) -> ServiceResult<FeaturedTag> {
    let Some(account) = owner.account_id else {
        return Err(ServiceError::NotFound);
    };
    let name = name.trim();
    let name = name.strip_prefix('#').unwrap_or(name);
    if !text::is_hashtag(name) {
        return Err(ServiceError::Invalid("Name is invalid".into()));
    }
    let mut tx = store.begin().await?;
    let (tag, _) = tx.tags().find_or_create(name).await?;
    if tx.featured_tags().has(account, tag).await? {
        return Err(taken());
    }
    if tx.featured_tags().count(account).await? >= MAX_FEATURED_TAGS {
        return Err(ServiceError::Invalid(
            "You have already featured the maximum number of hashtags".into(),
        ));
    }
    let id = match tx.featured_tags().add(account, tag, name).await {
        Err(StoreError::Conflict) => return Err(taken()),
        other => other?,
    };
    tx.commit().await?;
    featured(store, account, owner)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(ServiceError::NotFound)
}

fn taken() -> ServiceError {
    ServiceError::Invalid("Name has already been taken".into())
}

/// Unfeatures one of the owner's featured tags.
pub async fn unfeature(store: &Store, owner: AccountId, id: i64) -> ServiceResult<()> {
    if store.featured_tags().remove(owner, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// An account's featured tags, counted from the posts `viewer` may see.
pub async fn featured(
    store: &Store,
    account: AccountId,
    viewer: Viewer,
) -> ServiceResult<Vec<FeaturedTag>> {
    Ok(store.featured_tags().of_account(account, viewer).await?)
}
