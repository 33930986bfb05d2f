//! Posting and reading statuses: audiences, replies, reblogs, favourites,
//! bookmarks, pins and threads. Every write happens in one transaction with
//! its counters, home-feed fan-out and notifications.

use super::error::{ServiceError, ServiceResult};
use super::review;
use crate::config::Config;
use crate::model::{Account, AccountId, AppId, Status, StatusId, Visibility};
use crate::moderation::pipeline;
use crate::state::AppState;
use crate::store::{Counter, NewStatus, Store, UserWithAccount, Viewer};
use crate::text;

/// Longest thread walked up or down for `context`.
const CONTEXT_DEPTH: i64 = 64;
const CONTEXT_LIMIT: i64 = 1000;
pub const MAX_PINS: i64 = 5;

/// What a user asks to post (kept as JSON while scheduled).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct NewPost {
    pub text: String,
    pub in_reply_to_id: Option<StatusId>,
    pub visibility: Option<Visibility>,
    /// Company-only: visible to this instance's users, never federated.
    pub local_only: Option<bool>,
    pub spoiler_text: String,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
    pub media_ids: Vec<String>,
    pub idempotency_key: Option<String>,
    pub app_id: Option<AppId>,
    pub poll: Option<super::polls::PollInput>,
}

/// The viewer a local user is.
pub fn viewer_of(user: &UserWithAccount) -> Viewer {
    Viewer {
        account_id: Some(user.account.id),
        local: true,
    }
}

/// A status the viewer may see, or `NotFound`.
pub async fn visible(store: &Store, id: StatusId, viewer: Viewer) -> ServiceResult<Status> {
    store
        .statuses()
        .visible_by_id(id, viewer)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The rules a post must meet whenever it is published (now or later).
pub fn check(config: &Config, post: &NewPost, media_count: usize) -> ServiceResult<()> {
    let text = post.text.trim_end();
    if post.poll.is_some() && media_count > 0 {
        return Err(ServiceError::Invalid(
            "A post cannot have both a poll and media".into(),
        ));
    }
    if let Some(poll) = &post.poll {
        super::polls::check(poll)?;
    }
    if text.trim().is_empty() && media_count == 0 {
        return Err(ServiceError::Invalid("Text can't be blank".into()));
    }
    let length = text::count_chars(text) + post.spoiler_text.chars().count();
    if length > config.max_status_chars as usize {
        return Err(ServiceError::Invalid(format!(
            "Text character limit of {} exceeded",
            config.max_status_chars
        )));
    }
    if let Some(language) = &post.language {
        super::check_language(language)?;
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    author: &UserWithAccount,
    post: NewPost,
) -> ServiceResult<Status> {
    let (store, config) = (&state.store, &state.config);
    let me = author.account.id;
    if let Some(key) = &post.idempotency_key
        && let Some(id) = store.statuses().idempotent_status(me, key).await?
        && let Some(status) = store.statuses().by_id(id).await?
    {
        return Ok(status);
    }
    let mut media_ids = super::media::check_ids(store, me, &post.media_ids, None).await?;
    check(config, &post, media_ids.len())?;
    let poll = match &post.poll {
        Some(input) => Some((input, super::polls::check(input)?)),
        None => None,
    };
    let mut text = post.text.trim_end().to_owned();
    let viewer = viewer_of(author);
    let parent = match post.in_reply_to_id {
        Some(id) => Some(visible(store, id, viewer).await?),
        None => None,
    };
    let mut visibility = post.visibility.unwrap_or_else(|| {
        Visibility::parse(&author.user.default_visibility).unwrap_or(Visibility::Public)
    });
    let mut local_only = post
        .local_only
        .or(author.user.default_local_only)
        .unwrap_or(config.company_only_by_default);
    if let Some(parent) = &parent {
        // A reply to a company-only post stays inside the company.
        local_only |= parent.local_only;
        if parent.visibility() == Visibility::Direct
            && visibility.rank() < Visibility::Direct.rank()
        {
            visibility = Visibility::Direct;
        }
    }

    let formatted = format(store, config, &text).await?;
    let language = post
        .language
        .clone()
        .or_else(|| author.user.default_language.clone());
    let mut spoiler_text = post.spoiler_text.clone();
    let mut sensitive =
        post.sensitive.unwrap_or(author.user.default_sensitive) || !spoiler_text.is_empty();
    let subject = review::outbound_subject(
        state,
        author,
        &review::OutboundPost {
            status_id: None,
            text: &text,
            spoiler_text: &spoiler_text,
            sensitive,
            visibility,
            local_only,
            hashtags: &formatted.hashtags,
            links: formatted.links.clone(),
            mentioned: &formatted.mentioned,
            in_reply_to_account: parent.as_ref().map(|p| p.account_id),
            media_ids: &media_ids,
            language: language.clone(),
        },
    )
    .await?;
    let decision = review::judge_outbound(state, &subject).await?;
    let typed = text.clone();
    pipeline::rewrite(
        &decision,
        pipeline::Draft {
            text: &mut text,
            spoiler_text: &mut spoiler_text,
            sensitive: &mut sensitive,
            media: &mut media_ids,
        },
    );
    let mentioned = formatted.mentioned;
    let content = if text == typed {
        formatted.content
    } else {
        format(store, config, &text).await?.content
    };

    let mut tx = store.begin().await?;
    let mut status = tx
        .statuses()
        .insert(&NewStatus {
            uri: format!("{}/statuses/{{id}}", author.account.uri),
            url: Some(format!(
                "{}/@{}/{{id}}",
                config.base_url(),
                author.account.username
            )),
            account_id: me,
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            text: text.clone(),
            content,
            spoiler_text,
            sensitive,
            visibility: visibility.as_str().to_owned(),
            local_only,
            language,
            local: true,
            review_state: "published".into(),
            app_id: post.app_id,
            conversation_id: parent.as_ref().map(|p| p.conversation_id.unwrap_or(p.id.0)),
            in_reply_to_uri: None,
            created_at: None,
        })
        .await?;
    let mention_ids: Vec<AccountId> = mentioned.iter().map(|a| a.id).collect();
    super::media::attach(&mut tx, me, status.id, &media_ids).await?;
    if let Some((input, (options, expires_at))) = poll {
        super::polls::attach(&mut tx, &status, input, options, expires_at).await?;
    }
    tx.statuses()
        .add_tags(status.id, &formatted.hashtags)
        .await?;
    if let Some(key) = &post.idempotency_key {
        tx.statuses()
            .remember_idempotency_key(me, key, status.id)
            .await?;
    }
    review::apply(&mut tx, &mut status, &decision, &subject).await?;
    distribute(&mut tx, &status, parent.as_ref(), &mention_ids).await?;
    review::federate(&mut tx, &status).await?;
    tx.commit().await?;
    Ok(status)
}

/// What every new status, local or remote, sets off once inserted with its
/// tags: mentions, counters, home feeds, notifications and conversations.
pub(crate) async fn distribute(
    tx: &mut crate::store::Tx,
    status: &Status,
    parent: Option<&Status>,
    mention_ids: &[AccountId],
) -> ServiceResult<()> {
    let me = status.account_id;
    let visibility = status.visibility();
    tx.statuses().add_mentions(status.id, mention_ids).await?;
    if visibility == Visibility::Public {
        tx.tags().fan_out(status).await?;
    }
    if status.review_state == "published" {
        count(tx, status, parent, 1).await?;
    }
    if visibility != Visibility::Direct {
        let limit = tx.home_fan_out_limit();
        tx.statuses().fan_out_to_followers(status, limit).await?;
    } else if status.local {
        tx.statuses().add_to_home(me, status.id).await?;
    }
    for &account in mention_ids {
        // Only local users have feeds and notifications here.
        if account == me || !tx.accounts().is_local_user(account).await? {
            continue;
        }
        // As in Mastodon, a mention reaches the home feed only of followers
        // (a direct post reaches no feed through fan-out); everyone
        // mentioned is notified.
        if visibility == Visibility::Direct
            && tx.follows().relationship(account, me).await?.following
        {
            tx.statuses().add_to_home(account, status.id).await?;
        }
        tx.notifications()
            .notify(account, me, "mention", Some(status.id))
            .await?;
    }
    if visibility == Visibility::Direct {
        record_conversation(tx, status, me, mention_ids).await?;
    }
    // Followers who asked to be told (`notify`) of new posts, not of replies
    // to others.
    let own_thread = parent.is_none_or(|p| p.account_id == me);
    if visibility != Visibility::Direct && own_thread {
        for subscriber in tx.follows().subscribers(me).await? {
            if !mention_ids.contains(&subscriber) {
                tx.notifications()
                    .notify(subscriber, me, "status", Some(status.id))
                    .await?;
            }
        }
    }
    Ok(())
}

/// Adds a status to (`delta` 1) or takes it from (-1) its author's
/// `statuses_count` and its parent's `replies_count`. Only published
/// statuses count: a held one does not exist for others yet, so it counts
/// once approved and stops counting when an edit sends it back to review.
async fn count(
    tx: &mut crate::store::Tx,
    status: &Status,
    parent: Option<&Status>,
    delta: i64,
) -> ServiceResult<()> {
    if counts_for_author(status) {
        tx.accounts()
            .add_to_counts(status.account_id, 0, 0, delta)
            .await?;
    }
    if let Some(parent) = parent
        && counts_as_reply(status, parent)
    {
        tx.statuses()
            .add_to_counter(parent.id, Counter::Replies, delta)
            .await?;
    }
    Ok(())
}

/// Counts or uncounts a status whose review state changed from `was`
/// (see [`count`]).
pub(crate) async fn recount(
    tx: &mut crate::store::Tx,
    status: &Status,
    was: &str,
) -> ServiceResult<()> {
    let (counted, counts) = (was == "published", status.review_state == "published");
    if counted == counts {
        return Ok(());
    }
    let parent = match status.in_reply_to_id {
        Some(id) => tx.statuses().by_id(id).await?,
        None => None,
    };
    count(tx, status, parent.as_ref(), if counts { 1 } else { -1 }).await
}

/// Whether a status counts in its author's `statuses_count` (direct
/// messages do not, as in Mastodon).
fn counts_for_author(status: &Status) -> bool {
    status.visibility() != Visibility::Direct
}

/// Whether a reply counts in its parent's `replies_count`, which everyone
/// who sees the parent sees: only replies visible to all of them do —
/// public or unlisted, and company-only only under a company-only parent.
fn counts_as_reply(reply: &Status, parent: &Status) -> bool {
    matches!(
        reply.visibility(),
        Visibility::Public | Visibility::Unlisted
    ) && (!reply.local_only || parent.local_only)
}

/// A status text rendered to HTML, with the local accounts it mentions
/// and its hashtags.
struct Formatted {
    content: String,
    mentioned: Vec<Account>,
    hashtags: Vec<String>,
    links: Vec<String>,
}

async fn format(store: &Store, config: &Config, text: &str) -> ServiceResult<Formatted> {
    let parsed = text::parse(text);
    let own = config.domain();
    let local_names: Vec<String> = parsed
        .mentions
        .iter()
        .filter(|m| {
            m.domain
                .as_deref()
                .is_none_or(|d| d.eq_ignore_ascii_case(&own))
        })
        .map(|m| m.username.clone())
        .collect();
    let mut mentioned = store.accounts().local_by_usernames(&local_names).await?;
    // Remote accounts are linked when known here (the API looks unknown
    // handles up before posting).
    for m in &parsed.mentions {
        if let Some(domain) = m
            .domain
            .as_deref()
            .filter(|d| !d.eq_ignore_ascii_case(&own))
            && let Some(account) = store
                .accounts()
                .remote_by_handle(&m.username, domain)
                .await?
            && !mentioned.iter().any(|a| a.id == account.id)
        {
            mentioned.push(account);
        }
    }
    let resolved: Vec<text::ResolvedMention> = mentioned
        .iter()
        .map(|a| text::ResolvedMention {
            username: a.username.clone(),
            domain: a.domain.clone(),
            url: a.url.clone().unwrap_or_else(|| a.uri.clone()),
            display_username: a.username.clone(),
        })
        .collect();
    let content = text::render(text, &resolved, &config.base_url());
    Ok(Formatted {
        content,
        mentioned,
        hashtags: parsed.hashtags,
        links: parsed.links,
    })
}

/// New alt text and/or focus for one attachment, given with an edit.
#[derive(Debug, Clone, Default)]
pub struct MediaChange {
    pub id: i64,
    pub description: Option<String>,
    pub focus: Option<(f64, f64)>,
}

/// What an edit may change (`PUT /api/v1/statuses/:id`).
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub text: String,
    /// New alt text or focus for media of the edited status.
    pub media_attributes: Vec<MediaChange>,
    pub spoiler_text: Option<String>,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
    /// `None` keeps the current media.
    pub media_ids: Option<Vec<String>>,
}

/// Edits one's own status, keeping every version in its history, and tells
/// those who boosted it.
pub async fn edit(
    state: &AppState,
    author: &UserWithAccount,
    id: StatusId,
    change: Edit,
) -> ServiceResult<Status> {
    let (store, config) = (&state.store, &state.config);
    let before = visible(store, id, viewer_of(author)).await?;
    // Someone else's post is "not found" for editing, as in Mastodon.
    if before.account_id != author.account.id || before.reblog_of_id.is_some() {
        return Err(ServiceError::NotFound);
    }
    let media_before: Vec<i64> = store
        .media()
        .for_status(before.id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let mut media_ids = match &change.media_ids {
        Some(ids) => super::media::check_ids(store, author.account.id, ids, Some(id)).await?,
        None => media_before.clone(),
    };
    let mut text = change.text.trim_end().to_owned();
    if text.trim().is_empty() && media_ids.is_empty() {
        return Err(ServiceError::Invalid("Text can't be blank".into()));
    }
    let mut spoiler_text = change
        .spoiler_text
        .unwrap_or_else(|| before.spoiler_text.clone());
    if text::count_chars(&text) + spoiler_text.chars().count() > config.max_status_chars as usize {
        return Err(ServiceError::Invalid(format!(
            "Text character limit of {} exceeded",
            config.max_status_chars
        )));
    }
    if let Some(language) = &change.language {
        super::check_language(language)?;
    }
    for m in &change.media_attributes {
        super::media::describe(
            store,
            author.account.id,
            m.id,
            m.description.clone(),
            m.focus,
        )
        .await?;
    }
    let mut formatted = format(store, config, &text).await?;
    let mut sensitive = change.sensitive.unwrap_or(before.sensitive) || !spoiler_text.is_empty();
    let language = change.language.or(before.language.clone());
    // Edits are judged again, with who would receive them now.
    let mut mentioned = formatted.mentioned.clone();
    for (_, account_id) in store.statuses().mentions(&[before.id]).await? {
        if !mentioned.iter().any(|a| a.id == account_id)
            && let Some(account) = store.accounts().by_id(account_id).await?
        {
            mentioned.push(account);
        }
    }
    let subject = review::outbound_subject(
        state,
        author,
        &review::OutboundPost {
            status_id: Some(before.id),
            text: &text,
            spoiler_text: &spoiler_text,
            sensitive,
            visibility: before.visibility(),
            local_only: before.local_only,
            hashtags: &formatted.hashtags,
            links: formatted.links.clone(),
            mentioned: &mentioned,
            in_reply_to_account: before.in_reply_to_account_id,
            media_ids: &media_ids,
            language: language.clone(),
        },
    )
    .await?;
    let decision = review::judge_outbound(state, &subject).await?;
    let typed = text.clone();
    pipeline::rewrite(
        &decision,
        pipeline::Draft {
            text: &mut text,
            spoiler_text: &mut spoiler_text,
            sensitive: &mut sensitive,
            media: &mut media_ids,
        },
    );
    if text != typed {
        formatted = format(store, config, &text).await?;
    }
    let now = crate::model::Timestamp::now();
    let mut after = before.clone();
    after.text = text;
    after.content = formatted.content;
    after.sensitive = sensitive;
    after.spoiler_text = spoiler_text;
    after.language = language;
    after.edited_at = Some(now);

    let mut tx = store.begin().await?;
    if before.edited_at.is_none() {
        tx.statuses()
            .add_version(&before, &media_before, before.created_at)
            .await?;
    }
    tx.statuses().add_version(&after, &media_ids, now).await?;
    tx.statuses().save_edit(&after).await?;
    tx.media().detach_all(after.id).await?;
    super::media::attach(&mut tx, author.account.id, after.id, &media_ids).await?;
    tx.statuses().remove_tags(after.id).await?;
    tx.statuses()
        .add_tags(after.id, &formatted.hashtags)
        .await?;
    let newly_mentioned: Vec<AccountId> = formatted.mentioned.iter().map(|a| a.id).collect();
    tx.statuses()
        .add_mentions(after.id, &newly_mentioned)
        .await?;
    for booster in tx.statuses().rebloggers(after.id).await? {
        tx.notifications()
            .notify(booster, author.account.id, "update", Some(after.id))
            .await?;
    }
    review::apply(&mut tx, &mut after, &decision, &subject).await?;
    recount(&mut tx, &after, &before.review_state).await?;
    review::federate(&mut tx, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Updates every participant's view of a direct conversation: the author's
/// is read, everyone else's unread. Only local participants have views.
async fn record_conversation(
    tx: &mut crate::store::Tx,
    status: &Status,
    author: AccountId,
    mentioned: &[AccountId],
) -> ServiceResult<()> {
    let conversation = status.conversation_id.unwrap_or(status.id.0);
    let mut everyone: Vec<AccountId> = mentioned.to_vec();
    everyone.push(author);
    for account in &everyone {
        if !tx.accounts().is_local_user(*account).await? {
            continue;
        }
        let others: Vec<AccountId> = everyone.iter().copied().filter(|a| a != account).collect();
        tx.conversations()
            .touch(
                *account,
                conversation,
                &others,
                status.id,
                *account != author,
            )
            .await?;
    }
    Ok(())
}

/// Deletes one's own status; returns it as it was (for delete-and-redraft).
pub async fn delete(
    store: &Store,
    author: &UserWithAccount,
    id: StatusId,
) -> ServiceResult<Status> {
    let status = visible(store, id, viewer_of(author)).await?;
    // Mastodon answers 404, not 403, for someone else's post.
    if status.account_id != author.account.id {
        return Err(ServiceError::NotFound);
    }
    let mut tx = store.begin().await?;
    // Queued first: the Delete names whom the status mentioned.
    super::publish::deleted(&mut tx, &status, &author.account).await?;
    erase(&mut tx, &status).await?;
    tx.commit().await?;
    Ok(status)
}

/// Deletes a status with its counters; false if a concurrent delete won.
/// `status` may be stale (read before the transaction): what is counted
/// back is decided by the row the delete met. Public for the tests that
/// play such a race.
pub async fn erase(tx: &mut crate::store::Tx, status: &Status) -> ServiceResult<bool> {
    let parent = match status.in_reply_to_id {
        Some(id) => tx.statuses().by_id(id).await?,
        None => None,
    };
    // The state the delete met, not the one read before: an approval that
    // committed meanwhile was counted, and is uncounted here.
    let Some(state) = tx.statuses().delete(status.id).await? else {
        return Ok(false);
    };
    if state == "published" {
        count(tx, status, parent.as_ref(), -1).await?;
    }
    if let Some(original) = status.reblog_of_id {
        tx.statuses()
            .add_to_counter(original, Counter::Reblogs, -1)
            .await?;
    }
    if status.visibility() == Visibility::Direct {
        tx.conversations()
            .refresh(status.conversation_id.unwrap_or(status.id.0))
            .await?;
    }
    Ok(true)
}

/// The visible ancestors (oldest first) and descendants of a status.
pub async fn context(
    store: &Store,
    id: StatusId,
    viewer: Viewer,
) -> ServiceResult<(Vec<Status>, Vec<Status>)> {
    let status = visible(store, id, viewer).await?;
    let mut ancestors = Vec::new();
    let mut next = status.in_reply_to_id;
    while let Some(parent_id) = next {
        if ancestors.len() as i64 >= CONTEXT_DEPTH {
            break;
        }
        let Some(parent) = store.statuses().visible_by_id(parent_id, viewer).await? else {
            break;
        };
        next = parent.in_reply_to_id;
        ancestors.push(parent);
    }
    ancestors.reverse();
    let descendants = store
        .statuses()
        .descendants(status.id, viewer, CONTEXT_DEPTH, CONTEXT_LIMIT)
        .await?;
    Ok((ancestors, descendants))
}

pub use super::interactions::{favourite, reblog, set_bookmark, set_pin, unfavourite, unreblog};
