//! What people do to statuses besides writing them: favourites,
//! bookmarks, pins and boosts. Each is one transaction with its counter,
//! notification and federation.

use super::error::{ServiceError, ServiceResult};
use super::statuses::{MAX_PINS, viewer_of, visible};
use crate::config::Config;
use crate::model::{Status, StatusId, Visibility};
use crate::store::{Counter, Mark, NewStatus, Store, UserWithAccount, Viewer};

/// The boosted status behind a boost (actions on a boost act on it, as in
/// Mastodon), or the status itself.
async fn original_of(store: &Store, status: Status, viewer: Viewer) -> ServiceResult<Status> {
    match status.reblog_of_id {
        Some(inner) => visible(store, inner, viewer).await,
        None => Ok(status),
    }
}

pub async fn favourite(
    store: &Store,
    user: &UserWithAccount,
    id: StatusId,
) -> ServiceResult<Status> {
    let status = original_of(
        store,
        visible(store, id, viewer_of(user)).await?,
        viewer_of(user),
    )
    .await?;
    let me = user.account.id;
    let mut tx = store.begin().await?;
    if tx
        .interactions()
        .add(Mark::Favourite, me, status.id)
        .await?
    {
        tx.statuses()
            .add_to_counter(status.id, Counter::Favourites, 1)
            .await?;
        tx.notifications()
            .notify(status.account_id, me, "favourite", Some(status.id))
            .await?;
        let owner = super::publish::account(&mut tx, status.account_id).await?;
        super::publish::liked(&mut tx, &user.account, &status, &owner, false).await?;
    }
    tx.commit().await?;
    Ok(status)
}

pub async fn unfavourite(
    store: &Store,
    user: &UserWithAccount,
    id: StatusId,
) -> ServiceResult<Status> {
    let status = original_of(
        store,
        visible(store, id, viewer_of(user)).await?,
        viewer_of(user),
    )
    .await?;
    let me = user.account.id;
    let mut tx = store.begin().await?;
    if tx
        .interactions()
        .remove(Mark::Favourite, me, status.id)
        .await?
    {
        tx.statuses()
            .add_to_counter(status.id, Counter::Favourites, -1)
            .await?;
        tx.notifications()
            .remove_for(me, "favourite", Some(status.id), status.account_id)
            .await?;
        let owner = super::publish::account(&mut tx, status.account_id).await?;
        super::publish::liked(&mut tx, &user.account, &status, &owner, true).await?;
    }
    tx.commit().await?;
    Ok(status)
}

/// Bookmarks are private: no counter, no notification.
pub async fn set_bookmark(
    store: &Store,
    user: &UserWithAccount,
    id: StatusId,
    on: bool,
) -> ServiceResult<Status> {
    let status = original_of(
        store,
        visible(store, id, viewer_of(user)).await?,
        viewer_of(user),
    )
    .await?;
    if on {
        store
            .interactions()
            .add(Mark::Bookmark, user.account.id, status.id)
            .await?;
    } else {
        store
            .interactions()
            .remove(Mark::Bookmark, user.account.id, status.id)
            .await?;
    }
    Ok(status)
}

pub async fn set_pin(
    store: &Store,
    user: &UserWithAccount,
    id: StatusId,
    on: bool,
) -> ServiceResult<Status> {
    let status = visible(store, id, viewer_of(user)).await?;
    // Unpinning what is not pinned (anyone's post) is a no-op, as on
    // Mastodon; only pinning is restricted to one's own posts.
    if on && (status.account_id != user.account.id || status.reblog_of_id.is_some()) {
        return Err(ServiceError::Invalid(
            "You can only pin your own posts".into(),
        ));
    }
    if on {
        if status.visibility() == Visibility::Direct {
            return Err(ServiceError::Invalid(
                "Direct posts cannot be pinned".into(),
            ));
        }
        if store
            .interactions()
            .has(Mark::Pin, user.account.id, status.id)
            .await?
        {
            return Err(ServiceError::Invalid("This post is already pinned".into()));
        }
        if store
            .interactions()
            .count(Mark::Pin, user.account.id)
            .await?
            >= MAX_PINS
        {
            return Err(ServiceError::Invalid(
                "You have already pinned the maximum number of posts".into(),
            ));
        }
        store
            .interactions()
            .add(Mark::Pin, user.account.id, status.id)
            .await?;
    } else {
        store
            .interactions()
            .remove(Mark::Pin, user.account.id, status.id)
            .await?;
    }
    Ok(status)
}

/// Boosts a status; returns the reblog (an existing one if already boosted).
pub async fn reblog(
    store: &Store,
    config: &Config,
    user: &UserWithAccount,
    id: StatusId,
) -> ServiceResult<Status> {
    let original = visible(store, id, viewer_of(user)).await?;
    let original = match original.reblog_of_id {
        Some(inner) => visible(store, inner, viewer_of(user)).await?,
        None => original,
    };
    let me = user.account.id;
    let own = original.account_id == me;
    // A boost would carry a post past its review (or its rejection).
    if original.review_state != "published" {
        return Err(ServiceError::Invalid(
            "This post is waiting for review and cannot be boosted yet".into(),
        ));
    }
    match original.visibility() {
        Visibility::Direct => return Err(ServiceError::Forbidden),
        Visibility::Private if !own => return Err(ServiceError::Forbidden),
        _ => {}
    }
    if let Some(existing) = store.statuses().reblog_by(me, original.id).await? {
        return Ok(existing);
    }
    let mut tx = store.begin().await?;
    let inserted = tx
        .statuses()
        .insert(&NewStatus::reblog(
            me,
            &original,
            format!("{}/statuses/{{id}}/activity", user.account.uri),
            Some(format!(
                "{}/@{}/{{id}}",
                config.base_url(),
                user.account.username
            )),
            true,
            None,
        ))
        .await;
    let reblog = match inserted {
        Ok(reblog) => reblog,
        // A double tap: the other request boosted it first.
        Err(crate::store::StoreError::Conflict) => {
            drop(tx);
            store.committed().await?;
            return store
                .statuses()
                .reblog_by(me, original.id)
                .await?
                .ok_or(ServiceError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    tx.statuses()
        .add_to_counter(original.id, Counter::Reblogs, 1)
        .await?;
    tx.accounts().add_to_counts(me, 0, 0, 1).await?;
    let limit = tx.home_fan_out_limit();
    tx.statuses().fan_out_to_followers(&reblog, limit).await?;
    tx.notifications()
        .notify(original.account_id, me, "reblog", Some(original.id))
        .await?;
    let owner = super::publish::account(&mut tx, original.account_id).await?;
    super::publish::reblogged(&mut tx, &user.account, &reblog, &original, &owner).await?;
    tx.commit().await?;
    Ok(reblog)
}

/// Undoes a boost; returns the original status.
pub async fn unreblog(
    store: &Store,
    user: &UserWithAccount,
    id: StatusId,
) -> ServiceResult<Status> {
    let original = visible(store, id, viewer_of(user)).await?;
    let me = user.account.id;
    if let Some(reblog) = store.statuses().reblog_by(me, original.id).await? {
        let mut tx = store.begin().await?;
        super::publish::deleted(&mut tx, &reblog, &user.account).await?;
        if tx.statuses().delete(reblog.id).await?.is_some() {
            tx.statuses()
                .add_to_counter(original.id, Counter::Reblogs, -1)
                .await?;
            tx.accounts().add_to_counts(me, 0, 0, -1).await?;
            tx.notifications()
                .remove_for(me, "reblog", Some(original.id), original.account_id)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(original)
}
