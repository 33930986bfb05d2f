//! What remote actors do here, once federation has verified and parsed
//! their activities: the same rules as for local users (counters, feeds,
//! notifications), without the checks that only apply to local authors.

use super::error::{ServiceError, ServiceResult};
use super::publish;
use super::statuses::{distribute, erase};
use crate::federation::protocol::Attachment;
use crate::model::media::{Media, Processing};
use crate::model::{Account, AccountId, Status, Timestamp, Visibility};
use crate::store::{Counter, FollowOptions, Mark, NewPoll, NewStatus, Store, StoreError};
use crate::text::strip_html;

/// Most attachments kept per remote status.
const MAX_ATTACHMENTS: usize = 8;
/// How many recent posts of a newly followed remote account enter the feed.
const MERGE_ON_FOLLOW: i64 = 40;

/// A remote status, parsed and sanitized by federation.
#[derive(Debug, Clone)]
pub struct RemoteStatus {
    pub uri: String,
    pub url: Option<String>,
    /// Sanitized HTML.
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<String>,
    pub parent: Option<Status>,
    /// The parent's id when it is not known here.
    pub in_reply_to_uri: Option<String>,
    pub mentions: Vec<AccountId>,
    pub hashtags: Vec<String>,
    pub attachments: Vec<Attachment>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    /// A `Question`'s poll as its server describes it.
    pub poll: Option<RemotePoll>,
    /// What the moderation pipeline decided (a hold is applied when the
    /// status is stored).
    pub judgement: Option<super::review::Judgement>,
}

/// Another server's poll: options, tallies as reported, end.
#[derive(Debug, Clone, Default)]
pub struct RemotePoll {
    pub titles: Vec<String>,
    pub counts: Vec<i64>,
    pub multiple: bool,
    pub expires_at: Option<Timestamp>,
    pub voters: Option<i64>,
}

impl RemotePoll {
    fn row(&self, status: &Status) -> NewPoll {
        NewPoll {
            status_id: status.id,
            account_id: status.account_id,
            titles: self.titles.clone(),
            multiple: self.multiple,
            hide_totals: false,
            expires_at: self.expires_at,
            remote_tallies: Some(self.counts.clone()),
            remote_voters: self.voters,
        }
    }
}

/// Records (or refreshes) the poll of a remote status. Local votes stay
/// unless the options changed.
pub async fn save_poll(
    tx: &mut crate::store::Tx,
    status: &Status,
    poll: Option<&RemotePoll>,
) -> ServiceResult<()> {
    let Some(poll) = poll else {
        return Ok(());
    };
    match tx.polls().by_status(status.id).await? {
        None => {
            tx.polls().insert(&poll.row(status)).await?;
        }
        Some(existing) => {
            if existing.titles() != poll.titles {
                tx.polls().clear_votes(existing.id).await?;
            }
            tx.polls()
                .update_remote(existing.id, &poll.row(status))
                .await?;
        }
    }
    Ok(())
}

/// What became of a remote follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    Accepted,
    Pending,
    Refused,
}

/// Silenced accounts (alone or with their domain) must ask to follow.
fn is_limited(account: &Account) -> bool {
    account.silenced_at.is_some() || account.domain_limit >= 1
}

/// A remote account follows a local one (or asks to).
pub async fn follow(
    store: &Store,
    follower: &Account,
    target: &Account,
    uri: &str,
) -> ServiceResult<FollowOutcome> {
    let mut tx = store.begin().await?;
    let relationship = tx.follows().relationship(target.id, follower.id).await?;
    let options = FollowOptions {
        show_reblogs: true,
        notify: false,
        uri: Some(uri.to_owned()),
    };
    let outcome = if relationship.blocking || target.suspended_at.is_some() {
        publish::answer_follow(&mut tx, target, follower, Some(uri.into()), false).await?;
        FollowOutcome::Refused
    } else if relationship.followed_by || (!target.locked && !is_limited(follower)) {
        if tx.follows().follow(follower.id, target.id, options).await? {
            tx.accounts().add_to_counts(follower.id, 0, 1, 0).await?;
            tx.accounts().add_to_counts(target.id, 1, 0, 0).await?;
            tx.notifications()
                .notify(target.id, follower.id, "follow", None)
                .await?;
        }
        // Accepted again when already following: the other side may have
        // lost our first Accept.
        publish::answer_follow(&mut tx, target, follower, Some(uri.into()), true).await?;
        FollowOutcome::Accepted
    } else {
        if tx
            .follows()
            .request(follower.id, target.id, options)
            .await?
        {
            tx.notifications()
                .notify(target.id, follower.id, "follow_request", None)
                .await?;
        }
        FollowOutcome::Pending
    };
    tx.commit().await?;
    Ok(outcome)
}

/// A remote account accepted a local account's follow request.
pub async fn follow_accepted(
    store: &Store,
    follower: AccountId,
    target: &Account,
) -> ServiceResult<bool> {
    let mut tx = store.begin().await?;
    let Some(options) = tx.follows().take_request(follower, target.id).await? else {
        return Ok(false);
    };
    if tx.follows().follow(follower, target.id, options).await? {
        tx.accounts().add_to_counts(follower, 0, 1, 0).await?;
        tx.accounts().add_to_counts(target.id, 1, 0, 0).await?;
        tx.statuses()
            .merge_into_home(follower, target.id, MERGE_ON_FOLLOW)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// A follow ends: refused or withdrawn by either side.
pub async fn follow_ended(
    store: &Store,
    follower: AccountId,
    target: AccountId,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    if tx.follows().unfollow(follower, target).await? {
        tx.statuses().unmerge_from_home(follower, target).await?;
        tx.accounts().add_to_counts(follower, 0, -1, 0).await?;
        tx.accounts().add_to_counts(target, -1, 0, 0).await?;
    }
    if tx.follows().take_request(follower, target).await?.is_some() {
        tx.notifications()
            .remove_for(follower, "follow_request", None, target)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Stores a new remote status and tells whoever it concerns here. The
/// caller looked for it by its URI; one that arrived meanwhile (by another
/// delivery, or fetched as a reply's parent) collides on insert and is
/// answered as found.
pub async fn create_status(
    store: &Store,
    author: &Account,
    r: RemoteStatus,
) -> ServiceResult<Status> {
    let mut tx = store.begin().await?;
    let inserted = tx
        .statuses()
        .insert(&NewStatus {
            uri: r.uri.clone(),
            url: r.url.clone(),
            account_id: author.id,
            in_reply_to_id: r.parent.as_ref().map(|p| p.id),
            in_reply_to_account_id: r.parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            text: strip_html(&r.content),
            content: r.content.clone(),
            spoiler_text: r.spoiler_text.clone(),
            sensitive: r.sensitive || !r.spoiler_text.is_empty(),
            visibility: r.visibility.as_str().to_owned(),
            local_only: false,
            language: r.language.clone(),
            local: false,
            review_state: "published".into(),
            app_id: None,
            conversation_id: r
                .parent
                .as_ref()
                .map(|p| p.conversation_id.unwrap_or(p.id.0)),
            in_reply_to_uri: if r.parent.is_some() {
                None
            } else {
                r.in_reply_to_uri.clone()
            },
            created_at: Some(r.created_at),
        })
        .await;
    let mut status = match inserted {
        Ok(status) => status,
        // The same status arrived twice at once (inbox and fetch).
        Err(StoreError::Conflict) => {
            drop(tx);
            store.committed().await?;
            return store
                .statuses()
                .by_uri(&r.uri)
                .await?
                .ok_or(ServiceError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(j) = &r.judgement {
        super::review::apply(&mut tx, &mut status, &j.decision, &j.subject).await?;
    }
    add_attachments(&mut tx, author.id, &status, &r.attachments).await?;
    save_poll(&mut tx, &status, r.poll.as_ref()).await?;
    tx.statuses().add_tags(status.id, &r.hashtags).await?;
    distribute(&mut tx, &status, r.parent.as_ref(), &r.mentions).await?;
    tx.statuses().adopt_replies(&status).await?;
    tx.commit().await?;
    Ok(status)
}

async fn add_attachments(
    tx: &mut crate::store::Tx,
    owner: AccountId,
    status: &Status,
    attachments: &[Attachment],
) -> ServiceResult<()> {
    let mut ids = Vec::new();
    for a in attachments.iter().take(MAX_ATTACHMENTS) {
        let media_type = a.media_type.clone().unwrap_or_default();
        let kind = match media_type.split('/').next().unwrap_or_default() {
            "image" if media_type == "image/gif" => "gifv",
            "image" => "image",
            "video" => "video",
            "audio" => "audio",
            _ => "unknown",
        };
        let (focus_x, focus_y) = a.focal_point.unwrap_or((0.0, 0.0));
        let row = tx
            .media()
            .insert(&Media {
                id: 0,
                account_id: owner,
                status_id: None,
                kind: kind.into(),
                content_type: media_type,
                file_key: String::new(),
                file_size: 0,
                width: a.width.unwrap_or(0),
                height: a.height.unwrap_or(0),
                thumbnail_key: String::new(),
                thumb_width: a.width.unwrap_or(0),
                thumb_height: a.height.unwrap_or(0),
                blurhash: a.blurhash.clone().unwrap_or_default(),
                description: a
                    .name
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(1500)
                    .collect(),
                focus_x: focus_x.clamp(-1.0, 1.0),
                focus_y: focus_y.clamp(-1.0, 1.0),
                created_at: Timestamp::now(),
                remote_url: Some(a.url.clone()),
                duration: None,
                frame_rate: None,
                bitrate: None,
                processing: Processing::Done.as_str().into(),
                claimed_until: None,
                attempts: 0,
            })
            .await?;
        ids.push(row.id);
    }
    super::media::attach(tx, owner, status.id, &ids).await
}

/// Whether an `Update` changes what people read (else, for a Question,
/// it only brings new tallies and is no edit).
pub fn changes_text(before: &Status, r: &RemoteStatus) -> bool {
    before.content != r.content
        || before.spoiler_text != r.spoiler_text
        || (r.edited_at.is_some() && r.edited_at != before.edited_at)
}

/// New tallies of a remote poll (an `Update` of the Question alone).
pub async fn update_poll(store: &Store, status: &Status, r: &RemoteStatus) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    save_poll(&mut tx, status, r.poll.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies an edit of a remote status, keeping its history.
pub async fn update_status(
    store: &Store,
    before: &Status,
    r: RemoteStatus,
) -> ServiceResult<Status> {
    let media_before: Vec<i64> = store
        .media()
        .for_status(before.id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let now = r.edited_at.unwrap_or_else(Timestamp::now);
    let mut after = before.clone();
    after.text = strip_html(&r.content);
    after.content = r.content;
    after.spoiler_text = r.spoiler_text;
    after.sensitive = r.sensitive || !after.spoiler_text.is_empty();
    after.language = r.language.or(before.language.clone());
    after.edited_at = Some(now);
    let mut tx = store.begin().await?;
    if before.edited_at.is_none() {
        tx.statuses()
            .add_version(before, &media_before, before.created_at)
            .await?;
    }
    tx.statuses().save_edit(&after).await?;
    if let Some(j) = &r.judgement {
        super::review::apply(&mut tx, &mut after, &j.decision, &j.subject).await?;
        super::statuses::recount(&mut tx, &after, &before.review_state).await?;
    }
    tx.media().detach_all(after.id).await?;
    add_attachments(&mut tx, after.account_id, &after, &r.attachments).await?;
    let media_after: Vec<i64> = tx
        .media()
        .for_status(after.id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    tx.statuses().add_version(&after, &media_after, now).await?;
    save_poll(&mut tx, &after, r.poll.as_ref()).await?;
    tx.statuses().remove_tags(after.id).await?;
    tx.statuses().add_tags(after.id, &r.hashtags).await?;
    tx.statuses().add_mentions(after.id, &r.mentions).await?;
    for booster in tx.statuses().rebloggers(after.id).await? {
        if tx.accounts().is_local_user(booster).await? {
            tx.notifications()
                .notify(booster, after.account_id, "update", Some(after.id))
                .await?;
        }
    }
    tx.commit().await?;
    Ok(after)
}

/// Deletes a remote status (its author deleted it).
pub async fn delete_status(store: &Store, status: &Status) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    erase(&mut tx, status).await?;
    tx.commit().await?;
    Ok(())
}

/// A remote account favourites a status; returns whether it is new.
pub async fn favourite(
    store: &Store,
    actor: &Account,
    status: &Status,
    on: bool,
) -> ServiceResult<bool> {
    let mut tx = store.begin().await?;
    let changed = if on {
        tx.interactions()
            .add(Mark::Favourite, actor.id, status.id)
            .await?
    } else {
        tx.interactions()
            .remove(Mark::Favourite, actor.id, status.id)
            .await?
    };
    if changed {
        tx.statuses()
            .add_to_counter(status.id, Counter::Favourites, if on { 1 } else { -1 })
            .await?;
        if on {
            tx.notifications()
                .notify(status.account_id, actor.id, "favourite", Some(status.id))
                .await?;
        } else {
            tx.notifications()
                .remove_for(actor.id, "favourite", Some(status.id), status.account_id)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// A remote account boosts a status (`Announce` with id `uri`).
pub async fn reblog(
    store: &Store,
    actor: &Account,
    original: &Status,
    uri: &str,
    published: Timestamp,
) -> ServiceResult<Status> {
    if let Some(existing) = store.statuses().by_uri(uri).await? {
        return Ok(existing);
    }
    if !matches!(
        original.visibility(),
        Visibility::Public | Visibility::Unlisted
    ) || original.local_only
    {
        return Err(ServiceError::Forbidden);
    }
    let mut tx = store.begin().await?;
    let inserted = tx
        .statuses()
        .insert(&NewStatus::reblog(
            actor.id,
            original,
            uri.to_owned(),
            None,
            false,
            Some(published),
        ))
        .await;
    let reblog = match inserted {
        Ok(reblog) => reblog,
        Err(StoreError::Conflict) => {
            drop(tx);
            store.committed().await?;
            return store
                .statuses()
                .reblog_by(actor.id, original.id)
                .await?
                .ok_or(ServiceError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    tx.statuses()
        .add_to_counter(original.id, Counter::Reblogs, 1)
        .await?;
    let limit = tx.home_fan_out_limit();
    tx.statuses().fan_out_to_followers(&reblog, limit).await?;
    tx.notifications()
        .notify(original.account_id, actor.id, "reblog", Some(original.id))
        .await?;
    tx.commit().await?;
    Ok(reblog)
}

/// Undoes a remote boost.
pub async fn unreblog(store: &Store, reblog: &Status) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    if erase(&mut tx, reblog).await?
        && let Some(original) = reblog.reblog_of_id
        && let Some(original) = tx.statuses().by_id(original).await?
    {
        tx.notifications()
            .remove_for(
                reblog.account_id,
                "reblog",
                Some(original.id),
                original.account_id,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A remote account blocks a local one: follows end both ways.
pub async fn block(
    store: &Store,
    actor: &Account,
    target: &Account,
    on: bool,
) -> ServiceResult<()> {
    if on {
        follow_ended(store, actor.id, target.id).await?;
        follow_ended(store, target.id, actor.id).await?;
        store.follows().block(actor.id, target.id).await?;
    } else {
        store.follows().unblock(actor.id, target.id).await?;
    }
    Ok(())
}
