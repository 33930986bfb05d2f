//! Brand safety on the way out, and the review queue.
//!
//! Before a local post is stored, the moderation pipeline judges it with
//! what it would be delivered to (`outbound_subject`). A rejected post is
//! refused with the reason; a held one is stored `pending` and nothing is
//! queued for other servers until a reviewer approves it (`approve`), when
//! its `Create` (or, for an edit of a post that already went out, its
//! `Update`) is queued exactly once. A reviewer's rejection notifies the
//! author with the reason.

use super::error::{ServiceError, ServiceResult};
use crate::federation::fetch::authority_of;
use crate::model::{Account, AccountId, Status, StatusId, Timestamp, Visibility};
use crate::moderation::audit::{self, Actor, Entry};
use crate::moderation::{Attachment, Author, Decision, Direction, Outcome, Subject, pipeline};
use crate::state::AppState;
use crate::store::{Tx, UserWithAccount};

/// A decision with what it was about, carried to where the status is
/// stored (inbound posts are judged before their transaction opens).
#[derive(Debug, Clone)]
pub struct Judgement {
    pub decision: Decision,
    pub subject: Subject,
}

/// What a local post says, as the pipeline needs it.
pub struct OutboundPost<'a> {
    pub status_id: Option<StatusId>,
    pub text: &'a str,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub local_only: bool,
    pub hashtags: &'a [String],
    pub links: Vec<String>,
    pub mentioned: &'a [Account],
    /// The author of the post it answers (delivered to unless direct).
    pub in_reply_to_account: Option<AccountId>,
    pub media_ids: &'a [i64],
    pub language: Option<String>,
}

/// The author as policies see them.
pub fn local_author(author: &UserWithAccount) -> Author {
    Author {
        account_id: author.account.id.0,
        acct: author.account.username.clone(),
        domain: None,
        role: Some(author.role.name.clone()),
        team: author.user.team.clone(),
        sensitized: author.account.sensitized_at.is_some(),
    }
}

/// Whether the organisation mode sends `author`'s posts that leave the
/// company to a reviewer first (what the composer warns about).
pub async fn external_posts_reviewed(
    state: &AppState,
    author: &UserWithAccount,
) -> ServiceResult<bool> {
    let policy = state.moderation.policy(&state.store).await?;
    Ok(policy.organisation.reviews_external(&local_author(author)))
}

/// Builds the subject of a local post: its destinations are the servers
/// the delivery worker would send it to (`federation::delivery`): remote
/// followers and the author of the post it answers (unless direct), and
/// remote accounts mentioned — among those we federate with. A post is external when it is not
/// company-only and either public (any server and the open web can read
/// it) or addressed to someone remote.
pub async fn outbound_subject(
    state: &AppState,
    author: &UserWithAccount,
    post: &OutboundPost<'_>,
) -> ServiceResult<Subject> {
    let policy = state.moderation.policy(&state.store).await?;
    let mut destinations: Vec<String> = Vec::new();
    if !post.local_only {
        if post.visibility != Visibility::Direct {
            for inbox in state
                .store
                .accounts()
                .follower_inboxes(author.account.id)
                .await?
            {
                destinations.extend(authority_of(&inbox));
            }
        }
        destinations.extend(post.mentioned.iter().filter_map(|a| a.domain.clone()));
        if post.visibility != Visibility::Direct
            && let Some(id) = post.in_reply_to_account
            && let Some(account) = state.store.accounts().by_id(id).await?
        {
            destinations.extend(account.domain);
        }
    }
    destinations.retain(|host| policy.domains.decide(host).federates);
    destinations.sort();
    destinations.dedup();
    let external = !post.local_only
        && (matches!(post.visibility, Visibility::Public | Visibility::Unlisted)
            || !destinations.is_empty());
    let mut attachments = Vec::new();
    for id in post.media_ids {
        if let Some(media) = state.store.media().by_id(*id).await? {
            attachments.push(Attachment {
                kind: media.kind.clone(),
                description: Some(media.description.clone()).filter(|d| !d.is_empty()),
                url: None,
            });
        }
    }
    Ok(Subject {
        direction: Direction::Outbound,
        status_id: post.status_id.map(|id| id.to_string()),
        edit: post.status_id.is_some(),
        author: local_author(author),
        visibility: post.visibility,
        company_only: post.local_only,
        destinations,
        origin: None,
        external,
        text: post.text.to_owned(),
        spoiler_text: post.spoiler_text.to_owned(),
        sensitive: post.sensitive,
        hashtags: post.hashtags.to_vec(),
        links: post.links.clone(),
        mentions: post.mentioned.len(),
        attachments,
        language: post.language.clone(),
    })
}

/// Judges a local post; a rejection is recorded and returned as the
/// error the author sees.
pub async fn judge_outbound(state: &AppState, subject: &Subject) -> ServiceResult<Decision> {
    let decision = pipeline::judge(state, subject).await?;
    if let Some(message) = pipeline::rejection_message(&decision) {
        pipeline::record_now(state, &decision, subject, "").await?;
        return Err(ServiceError::Invalid(message));
    }
    Ok(decision)
}

/// Inside the posting transaction, after the status row exists: puts a
/// held post under review, and records the decision.
pub async fn apply(
    tx: &mut Tx,
    status: &mut Status,
    decision: &Decision,
    subject: &Subject,
) -> ServiceResult<()> {
    let hold = match &decision.outcome {
        Outcome::Hold {
            reason,
            company_preview,
        } => Some((
            reason.clone(),
            // Nobody here previews what another server sent: it is held
            // precisely because nobody should read it yet.
            *company_preview && subject.direction == Direction::Outbound,
        )),
        // An edit of a post under review waits for a reviewer like the
        // original, and a rejected post goes back to one: never straight
        // out.
        _ if status.review_state == "pending" => Some((
            status
                .review_reason
                .clone()
                .unwrap_or_else(|| "Edited while waiting for review".to_owned()),
            status.review_company_preview && subject.direction == Direction::Outbound,
        )),
        _ if status.review_state == "rejected" => {
            Some(("Edited after a reviewer rejected it".to_owned(), false))
        }
        _ => None,
    };
    if let Some((reason, company_preview)) = hold {
        // Reviewers hear of a post when it starts waiting, not at each edit.
        if status.review_state != "pending" {
            notify_reviewers(tx, status).await?;
        }
        tx.statuses()
            .set_review(
                status.id,
                "pending",
                Some(&reason),
                company_preview,
                Some(subject.direction.as_str()),
            )
            .await?;
        status.review_state = "pending".into();
        status.review_reason = Some(reason);
        status.review_company_preview = company_preview;
    }
    pipeline::record(tx, decision, subject, &status.id.to_string()).await?;
    Ok(())
}

/// Queues what other servers must receive for a status that just became
/// publishable: its `Create` the first time, an `Update` afterwards.
/// (`federated_at` is set by the delivery worker when it renders the
/// `Create`.)
pub async fn federate(tx: &mut Tx, status: &Status) -> ServiceResult<()> {
    super::publish::status(tx, status, status.federated_at.is_some()).await?;
    Ok(())
}

fn changed() -> ServiceError {
    ServiceError::Invalid(
        "This post is no longer the version waiting for review; look at it again".into(),
    )
}

/// A status waiting for review, as the reviewer saw it (`seen`: the
/// `requested_at` of the queue entry, when the client sends it back).
/// Reviewers do not decide on their own posts (administrators may).
async fn pending(
    state: &AppState,
    reviewer: &UserWithAccount,
    id: StatusId,
    seen: Option<Timestamp>,
) -> ServiceResult<Status> {
    let status = state
        .store
        .statuses()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !status.is_pending_review() {
        return Err(ServiceError::Invalid(
            "This post is not waiting for review".into(),
        ));
    }
    if seen.is_some_and(|seen| Some(seen) != status.review_requested_at) {
        return Err(changed());
    }
    if status.account_id == reviewer.account.id
        && !reviewer
            .role
            .permissions()
            .has(crate::model::Permissions::ADMINISTRATOR)
    {
        return Err(ServiceError::Invalid(
            "You cannot review your own post".into(),
        ));
    }
    Ok(status)
}

/// Approves a held status, optionally adding a content warning first,
/// and queues its delivery exactly once (a second reviewer's approval
/// finds it no longer pending).
pub async fn approve(
    state: &AppState,
    reviewer: &UserWithAccount,
    id: StatusId,
    content_warning: Option<String>,
    seen: Option<Timestamp>,
) -> ServiceResult<Status> {
    let mut status = pending(state, reviewer, id, seen).await?;
    let cw = content_warning
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if cw.as_ref().is_some_and(|c| c.chars().count() > 1000) {
        return Err(ServiceError::Invalid(
            "The content warning is too long".into(),
        ));
    }
    let mut tx = state.store.begin().await?;
    // Decided only if still the version read above: an edit meanwhile puts
    // it back in the queue with a new request time.
    if !tx
        .statuses()
        .decide_review(
            id,
            "published",
            reviewer.account.id,
            None,
            status.review_requested_at,
        )
        .await?
    {
        return Err(changed());
    }
    if let Some(cw) = cw {
        status.spoiler_text = cw;
        status.sensitive = true;
        tx.statuses().save_edit(&status).await?;
    }
    status.review_state = "published".into();
    super::statuses::recount(&mut tx, &status, "pending").await?;
    if status.local {
        federate(&mut tx, &status).await?;
        notify_author(
            &mut tx,
            &status,
            reviewer.account.id,
            "loggia.review_approved",
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &Actor::person(&reviewer.account),
        Entry::new("status.approved", "status", id).details(serde_json::json!({
            "content_warning": status.spoiler_text,
            "held_because": status.review_reason,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(status)
}

/// Rejects a held status: it stays visible to its author only, with the
/// reason, and the author is notified.
pub async fn reject(
    state: &AppState,
    reviewer: &UserWithAccount,
    id: StatusId,
    reason: &str,
    seen: Option<Timestamp>,
) -> ServiceResult<Status> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ServiceError::Invalid(
            "A reason (up to 1000 characters) is required to reject a post".into(),
        ));
    }
    let mut status = pending(state, reviewer, id, seen).await?;
    let mut tx = state.store.begin().await?;
    if !tx
        .statuses()
        .decide_review(
            id,
            "rejected",
            reviewer.account.id,
            Some(reason),
            status.review_requested_at,
        )
        .await?
    {
        return Err(changed());
    }
    status.review_state = "rejected".into();
    status.review_reason = Some(reason.to_owned());
    if status.local {
        notify_author(
            &mut tx,
            &status,
            reviewer.account.id,
            "loggia.review_rejected",
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &Actor::person(&reviewer.account),
        Entry::new("status.rejected", "status", id).reason(reason),
    )
    .await?;
    tx.commit().await?;
    Ok(status)
}

/// Tells everyone who may review posts (but not the author) that one waits:
/// `loggia.review_requested`, from the author, without the status (which
/// the reviewers see in the queue, not through the notification).
async fn notify_reviewers(tx: &mut Tx, status: &Status) -> ServiceResult<()> {
    for reviewer in tx
        .users()
        .staff_accounts(crate::model::Permissions::REVIEW_POSTS)
        .await?
    {
        if reviewer != status.account_id {
            tx.notifications()
                .notify_always(reviewer, status.account_id, "loggia.review_requested", None)
                .await?;
        }
    }
    Ok(())
}

async fn notify_author(
    tx: &mut Tx,
    status: &Status,
    reviewer: AccountId,
    kind: &str,
) -> ServiceResult<()> {
    tx.notifications()
        .notify_always(status.account_id, reviewer, kind, Some(status.id))
        .await?;
    Ok(())
}
