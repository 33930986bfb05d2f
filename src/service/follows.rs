//! Following, follow requests (locked accounts), blocking and muting
//! between local accounts. Remote targets arrive with federation.

use super::error::{ServiceError, ServiceResult};
use crate::model::{Account, AccountId, Timestamp};
use crate::store::{FollowOptions, Relationship, Store, UserWithAccount};

/// How many recent posts of a newly followed account enter the home feed.
const MERGE_ON_FOLLOW: i64 = 40;

/// The account with this id, if it exists and is not suspended.
pub async fn target(store: &Store, id: AccountId) -> ServiceResult<Account> {
    store
        .accounts()
        .by_id(id)
        .await?
        .filter(|a| a.suspended_at.is_none() && a.actor_type != "Application")
        .ok_or(ServiceError::NotFound)
}

/// Follows (or asks to follow a locked account). Following again updates
/// the options. Returns the relationship afterwards.
pub async fn follow(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
    options: FollowOptions,
) -> ServiceResult<Relationship> {
    let target = target(store, target_id).await?;
    let my = me.account.id;
    if target.id == my {
        return Err(ServiceError::Forbidden);
    }
    let relationship = store.follows().relationship(my, target.id).await?;
    if relationship.blocking || relationship.blocked_by {
        return Err(ServiceError::Forbidden);
    }
    let mut tx = store.begin().await?;
    if !target.is_local() && !relationship.following {
        // A remote follow is a request until the other server accepts it.
        let mut options = options;
        let id = super::publish::new_follow_id(&me.account);
        options.uri = Some(id.clone());
        if tx.follows().request(my, target.id, options).await? {
            let follow = super::publish::follow(&me.account, &target, id);
            super::publish::to_inboxes(
                &mut tx,
                &me.account,
                &follow,
                super::publish::inbox(&target),
            )
            .await?;
        }
    } else if relationship.following || !target.locked {
        if tx.follows().follow(my, target.id, options).await? {
            tx.accounts().add_to_counts(my, 0, 1, 0).await?;
            tx.accounts().add_to_counts(target.id, 1, 0, 0).await?;
            tx.notifications()
                .notify(target.id, my, "follow", None)
                .await?;
            tx.statuses()
                .merge_into_home(my, target.id, MERGE_ON_FOLLOW)
                .await?;
        }
    } else if tx.follows().request(my, target.id, options).await? {
        tx.notifications()
            .notify(target.id, my, "follow_request", None)
            .await?;
    }
    tx.commit().await?;
    Ok(store.follows().relationship(my, target.id).await?)
}

/// Stops following, or withdraws a pending request.
pub async fn unfollow(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
) -> ServiceResult<Relationship> {
    let target = target(store, target_id).await?;
    let my = me.account.id;
    let mut tx = store.begin().await?;
    if !target.is_local() {
        let relationship = tx.follows().relationship(my, target.id).await?;
        if relationship.following || relationship.requested {
            let id = tx.follows().follow_uri(my, target.id).await?;
            let id = id.unwrap_or_else(|| format!("{}#follows/{}", me.account.uri, target.id.0));
            let undo = crate::federation::render::undo(
                &me.account,
                super::publish::follow(&me.account, &target, id),
            );
            super::publish::to_inboxes(&mut tx, &me.account, &undo, super::publish::inbox(&target))
                .await?;
        }
    }
    end_follow(&mut tx, my, target.id).await?;
    if tx.follows().take_request(my, target.id).await?.is_some() {
        tx.notifications()
            .remove_for(my, "follow_request", None, target.id)
            .await?;
    }
    tx.commit().await?;
    Ok(store.follows().relationship(my, target.id).await?)
}

pub(super) async fn end_follow(
    tx: &mut crate::store::Tx,
    follower: AccountId,
    followed: AccountId,
) -> ServiceResult<()> {
    if tx.follows().unfollow(follower, followed).await? {
        tx.statuses().unmerge_from_home(follower, followed).await?;
        tx.accounts().add_to_counts(follower, 0, -1, 0).await?;
        tx.accounts().add_to_counts(followed, -1, 0, 0).await?;
    }
    Ok(())
}

/// Accepts a follow request made to me.
pub async fn authorize(
    store: &Store,
    me: &UserWithAccount,
    requester: AccountId,
) -> ServiceResult<Relationship> {
    let my = me.account.id;
    let mut tx = store.begin().await?;
    let options = tx
        .follows()
        .take_request(requester, my)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let follow_uri = options.uri.clone();
    // Answered: the request's notification goes, as in Mastodon.
    tx.notifications()
        .remove_for(requester, "follow_request", None, my)
        .await?;
    if tx.follows().follow(requester, my, options).await? {
        tx.accounts().add_to_counts(requester, 0, 1, 0).await?;
        tx.accounts().add_to_counts(my, 1, 0, 0).await?;
        tx.statuses()
            .merge_into_home(requester, my, MERGE_ON_FOLLOW)
            .await?;
    }
    let requester = super::publish::account(&mut tx, requester).await?;
    super::publish::answer_follow(&mut tx, &me.account, &requester, follow_uri, true).await?;
    tx.commit().await?;
    let requester = requester.id;
    Ok(store.follows().relationship(my, requester).await?)
}

/// Declines a follow request made to me.
pub async fn reject(
    store: &Store,
    me: &UserWithAccount,
    requester: AccountId,
) -> ServiceResult<Relationship> {
    let my = me.account.id;
    let mut tx = store.begin().await?;
    let options = tx
        .follows()
        .take_request(requester, my)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.notifications()
        .remove_for(requester, "follow_request", None, my)
        .await?;
    let requester_account = super::publish::account(&mut tx, requester).await?;
    super::publish::answer_follow(&mut tx, &me.account, &requester_account, options.uri, false)
        .await?;
    tx.commit().await?;
    Ok(store.follows().relationship(my, requester).await?)
}

/// Blocks: ends follows and requests both ways.
pub async fn block(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
) -> ServiceResult<Relationship> {
    let target = target(store, target_id).await?;
    let my = me.account.id;
    if target.id == my {
        return Err(ServiceError::Forbidden);
    }
    let mut tx = store.begin().await?;
    end_follow(&mut tx, my, target.id).await?;
    end_follow(&mut tx, target.id, my).await?;
    tx.follows().take_request(my, target.id).await?;
    tx.follows().take_request(target.id, my).await?;
    tx.follows().block(my, target.id).await?;
    super::publish::blocked(&mut tx, &me.account, &target, false).await?;
    tx.commit().await?;
    Ok(store.follows().relationship(my, target.id).await?)
}

pub async fn unblock(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
) -> ServiceResult<Relationship> {
    let target = target(store, target_id).await?;
    let mut tx = store.begin().await?;
    if tx
        .follows()
        .relationship(me.account.id, target.id)
        .await?
        .blocking
    {
        tx.follows().unblock(me.account.id, target.id).await?;
        super::publish::blocked(&mut tx, &me.account, &target, true).await?;
    }
    tx.commit().await?;
    Ok(store
        .follows()
        .relationship(me.account.id, target.id)
        .await?)
}

/// Mutes, optionally for `duration_secs` (0 = indefinitely).
pub async fn mute(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
    notifications: bool,
    duration_secs: i64,
) -> ServiceResult<Relationship> {
    let target = target(store, target_id).await?;
    if target.id == me.account.id {
        return Err(ServiceError::Forbidden);
    }
    if !(0..=super::MAX_DURATION_SECS).contains(&duration_secs) {
        return Err(ServiceError::Invalid(
            "duration must be between 0 and ten years, in seconds".into(),
        ));
    }
    let expires = (duration_secs > 0).then(|| Timestamp::now().plus_seconds(duration_secs));
    store
        .follows()
        .mute(me.account.id, target.id, notifications, expires)
        .await?;
    Ok(store
        .follows()
        .relationship(me.account.id, target.id)
        .await?)
}

pub async fn unmute(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
) -> ServiceResult<Relationship> {
    let target = target(store, target_id).await?;
    store.follows().unmute(me.account.id, target.id).await?;
    Ok(store
        .follows()
        .relationship(me.account.id, target.id)
        .await?)
}

/// Normalises a domain a user wants to hide; our own cannot be hidden.
pub fn check_domain(domain: &str, own: &str) -> ServiceResult<String> {
    let domain = domain
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && domain.contains('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !valid {
        return Err(ServiceError::Invalid(format!("{domain:?} is not a domain")));
    }
    if domain == own {
        return Err(ServiceError::Invalid(
            "You cannot hide your own server".into(),
        ));
    }
    Ok(domain)
}

/// Hides a domain: its posts leave one's timelines and notifications, and
/// follows both ways with its accounts end, as in Mastodon.
pub async fn block_domain(
    store: &Store,
    me: &UserWithAccount,
    domain: &str,
    own: &str,
) -> ServiceResult<()> {
    let domain = check_domain(domain, own)?;
    let mut tx = store.begin().await?;
    tx.follows().block_domain(me.account.id, &domain).await?;
    for (follower, followed) in tx.follows().sever_domain(me.account.id, &domain).await? {
        end_follow(&mut tx, follower, followed).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn unblock_domain(
    store: &Store,
    me: &UserWithAccount,
    domain: &str,
    own: &str,
) -> ServiceResult<()> {
    let domain = check_domain(domain, own)?;
    store
        .follows()
        .unblock_domain(me.account.id, &domain)
        .await?;
    Ok(())
}
