//! Telling other servers what happened here: every local action that a
//! remote server must learn about queues its activity inside the same
//! transaction as the action, so a crash can lose neither.
//!
//! Activities that only carry ids are rendered here; a status's `Create`
//! or `Update` and a profile `Update` are queued for rendering by the
//! delivery worker once the transaction committed.

use std::collections::BTreeSet;

use serde_json::json;

use super::error::{ServiceError, ServiceResult};
use crate::federation::fetch::authority_of;
use crate::federation::protocol::Activity;
use crate::federation::render::{self, is_federated};
use crate::model::{Account, AccountId, Status, Timestamp, Visibility};
use crate::store::Tx;

/// Queues `activity` by `actor` for these inboxes (deduplicated here).
pub async fn to_inboxes(
    tx: &mut Tx,
    actor: &Account,
    activity: &Activity,
    inboxes: impl IntoIterator<Item = String>,
) -> ServiceResult<()> {
    let targets: Vec<(String, String)> = inboxes
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|inbox| authority_of(&inbox).map(|host| (inbox, host)))
        .collect();
    if targets.is_empty() || !actor.is_local() {
        return Ok(());
    }
    let payload =
        serde_json::to_string(activity).map_err(|e| ServiceError::Internal(e.to_string()))?;
    tx.deliveries()
        .enqueue(actor.id, &payload, &targets, Timestamp::now())
        .await?;
    Ok(())
}

/// The inbox to reach one remote account personally.
pub fn inbox(account: &Account) -> Option<String> {
    if account.is_local() {
        return None;
    }
    account.inbox_url.clone()
}

/// The inbox to reach an account's server (shared where offered).
pub fn server_inbox(account: &Account) -> Option<String> {
    if account.is_local() {
        return None;
    }
    account
        .shared_inbox_url
        .clone()
        .or_else(|| account.inbox_url.clone())
}

/// Queues `activity` for `actor`'s remote followers and extra inboxes.
pub async fn to_followers(
    tx: &mut Tx,
    actor: &Account,
    activity: &Activity,
    extra: Vec<String>,
) -> ServiceResult<()> {
    let mut inboxes = tx.accounts().follower_inboxes(actor.id).await?;
    inboxes.extend(extra);
    to_inboxes(tx, actor, activity, inboxes).await
}

/// Queues the `Create` or `Update` of a local status (rendered later).
pub async fn status(tx: &mut Tx, status: &Status, update: bool) -> ServiceResult<()> {
    if !status.local || !is_federated(status) {
        return Ok(());
    }
    tx.deliveries()
        .enqueue_render(
            status.account_id,
            Some(status.id),
            if update { "Update" } else { "Create" },
        )
        .await?;
    Ok(())
}

/// Queues the `Update` of a local actor's profile (rendered later).
pub async fn profile(tx: &mut Tx, account: &Account) -> ServiceResult<()> {
    if account.is_local() {
        tx.deliveries()
            .enqueue_render(account.id, None, "UpdatePerson")
            .await?;
    }
    Ok(())
}

/// Remote accounts a status mentions, with the personal or server inbox
/// each should be reached at.
pub async fn mentioned_inboxes(tx: &mut Tx, status: &Status) -> ServiceResult<Vec<String>> {
    let direct = status.visibility() == Visibility::Direct;
    let mut out = Vec::new();
    for (_, id) in tx.statuses().mentions(&[status.id]).await? {
        if let Some(account) = tx.accounts().by_id(id).await? {
            out.extend(if direct {
                inbox(&account)
            } else {
                server_inbox(&account)
            });
        }
    }
    Ok(out)
}

/// Queues the `Delete` of a local status that was federated. Call before
/// the status row is deleted (mentions are read from it).
pub async fn deleted(tx: &mut Tx, status: &Status, author: &Account) -> ServiceResult<()> {
    // A post whose edit waits for review went out before: other servers
    // must hear of its deletion too.
    let went_out = is_federated(status) || (status.federated_at.is_some() && !status.local_only);
    if !status.local || !went_out {
        return Ok(());
    }
    let mentioned = tx.statuses().mentions(&[status.id]).await?;
    let mut mentioned_uris = Vec::new();
    let mut extra = Vec::new();
    for (_, id) in mentioned {
        if let Some(account) = tx.accounts().by_id(id).await? {
            mentioned_uris.push(account.uri.clone());
            extra.extend(server_inbox(&account));
        }
    }
    if let Some(original) = status.reblog_of_id {
        // An Undo of the Announce, not a Delete.
        if let Some(original) = tx.statuses().by_id(original).await?
            && let Some(owner) = tx.accounts().by_id(original.account_id).await?
        {
            let announce = announce(author, status, &original, &owner);
            extra.extend(server_inbox(&owner));
            let undo = render::undo(author, announce);
            return to_followers(tx, author, &undo, extra).await;
        }
        return Ok(());
    }
    let (to, cc) = render::addressing(status, author, &mentioned_uris);
    let tombstone = json!({ "id": status.uri, "type": "Tombstone" });
    let activity = render::activity(
        "Delete",
        format!("{}#delete", status.uri),
        author,
        tombstone,
        to,
        cc,
    );
    if status.visibility() == Visibility::Direct {
        to_inboxes(tx, author, &activity, extra).await
    } else {
        to_followers(tx, author, &activity, extra).await
    }
}

/// The `Announce` of `original` (by `owner`) that `reblog` stands for.
pub fn announce(actor: &Account, reblog: &Status, original: &Status, owner: &Account) -> Activity {
    let (mut to, mut cc) = (
        vec![crate::federation::protocol::PUBLIC.to_owned()],
        vec![render::followers_url(actor)],
    );
    if original.visibility() == Visibility::Unlisted {
        std::mem::swap(&mut to, &mut cc);
    }
    cc.push(owner.uri.clone());
    let mut activity = render::activity(
        "Announce",
        reblog.uri.clone(),
        actor,
        json!(original.uri),
        to,
        cc,
    );
    activity.published = Some(reblog.created_at.to_rfc3339());
    activity
}

/// Queues the `Announce` of a boost.
pub async fn reblogged(
    tx: &mut Tx,
    actor: &Account,
    reblog: &Status,
    original: &Status,
    owner: &Account,
) -> ServiceResult<()> {
    if !is_federated(original) || !is_federated(reblog) {
        return Ok(());
    }
    let activity = announce(actor, reblog, original, owner);
    to_followers(
        tx,
        actor,
        &activity,
        server_inbox(owner).into_iter().collect(),
    )
    .await
}

/// The `Like` of a status by a local account.
pub fn like(actor: &Account, status: &Status, owner: &Account) -> Activity {
    render::activity(
        "Like",
        format!("{}#likes/{}", actor.uri, status.id.0),
        actor,
        json!(status.uri),
        vec![owner.uri.clone()],
        Vec::new(),
    )
}

/// Queues a `Like` (or its `Undo`) for the author of a remote status.
pub async fn liked(
    tx: &mut Tx,
    actor: &Account,
    status: &Status,
    owner: &Account,
    undo: bool,
) -> ServiceResult<()> {
    if owner.is_local() {
        return Ok(());
    }
    let like = like(actor, status, owner);
    let activity = if undo {
        render::undo(actor, like)
    } else {
        like
    };
    to_inboxes(tx, actor, &activity, inbox(owner)).await
}

/// A `Follow` of `target` by `follower`, with its id.
pub fn follow(follower: &Account, target: &Account, id: String) -> Activity {
    render::activity(
        "Follow",
        id,
        follower,
        json!(target.uri),
        vec![target.uri.clone()],
        Vec::new(),
    )
}

/// A fresh id for a `Follow` we send.
pub fn new_follow_id(follower: &Account) -> String {
    format!(
        "{}#follows/{}",
        follower.uri,
        crate::crypto::random_token(12)
    )
}

/// Queues `Accept` or `Reject` of a remote account's follow.
pub async fn answer_follow(
    tx: &mut Tx,
    me: &Account,
    requester: &Account,
    follow_uri: Option<String>,
    accept: bool,
) -> ServiceResult<()> {
    if requester.is_local() {
        return Ok(());
    }
    let follow_id = follow_uri.unwrap_or_else(|| format!("{}#follows/{}", requester.uri, me.id.0));
    let mut inner = follow(requester, me, follow_id.clone());
    inner.context = None;
    let kind = if accept { "Accept" } else { "Reject" };
    let activity = render::activity(
        kind,
        format!(
            "{}#{}/{}",
            me.uri,
            kind.to_lowercase(),
            crate::crypto::random_token(9)
        ),
        me,
        serde_json::to_value(inner).unwrap_or_default(),
        vec![requester.uri.clone()],
        Vec::new(),
    );
    to_inboxes(tx, me, &activity, inbox(requester)).await
}

/// Queues a `Block` (or its `Undo`) for a remote account.
pub async fn blocked(tx: &mut Tx, me: &Account, target: &Account, undo: bool) -> ServiceResult<()> {
    if target.is_local() {
        return Ok(());
    }
    let block = render::activity(
        "Block",
        format!("{}#blocks/{}", me.uri, target.id.0),
        me,
        json!(target.uri),
        vec![target.uri.clone()],
        Vec::new(),
    );
    let activity = if undo { render::undo(me, block) } else { block };
    to_inboxes(tx, me, &activity, inbox(target)).await
}

/// The account behind an id, inside a transaction.
pub async fn account(tx: &mut Tx, id: AccountId) -> ServiceResult<Account> {
    tx.accounts().by_id(id).await?.ok_or(ServiceError::NotFound)
}
