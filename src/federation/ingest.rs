//! Giving meaning to verified activities: each kind is translated into a
//! call to the same services the client API uses. Unknown kinds are
//! accepted and ignored, so that senders stop retrying them.

use serde_json::Value;

use super::fetch::{self, FederationError, FederationResult, Refresh, authority_of, is_local_uri};
use super::protocol::{self, Activity, Note, Tag, is_public, single_id};
use crate::model::{Account, Status, Timestamp, Visibility};
use crate::moderation::{self, Author, Direction, Outcome, Subject, pipeline};
use crate::service::error::ServiceError;
use crate::service::polls;
use crate::service::remote::{self, RemotePoll, RemoteStatus};
use crate::service::review::Judgement;
use crate::state::AppState;
use crate::text::{sanitize_html, strip_html};

/// How far up a reply thread we fetch missing parents.
pub const MAX_THREAD_DEPTH: u32 = 5;
const MAX_MENTION_FETCHES: usize = 10;
const MAX_CONTENT_BYTES: usize = 100_000;
/// More options than any server allows are cut (hostile input).
const MAX_POLL_OPTIONS: usize = 20;
pub const NOTE_KINDS: &[&str] = &["Note", "Article", "Question", "Page"];

/// Link targets in sanitized HTML (the sanitizer writes `href="…"`).
static HREF: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"href="(https?://[^"]+)""#).expect("a valid pattern")
});

fn invalid(message: impl Into<String>) -> FederationError {
    FederationError::Invalid(message.into())
}

/// The kind of an embedded object, if embedded.
fn kind_of(value: &Value) -> Option<&str> {
    value.get("type").and_then(Value::as_str)
}

/// Applies one activity, already checked to be signed by `actor`.
pub async fn activity(
    state: &AppState,
    actor: &Account,
    activity: Activity,
) -> FederationResult<()> {
    let object = activity.object.clone().unwrap_or(Value::Null);
    let object_id = single_id(&object).map(str::to_owned);
    match activity.kind.as_str() {
        "Follow" => {
            let target = local_account(state, object_id.as_deref()).await?;
            let uri = activity
                .id
                .clone()
                .unwrap_or_else(|| format!("{}#follow", actor.uri));
            remote::follow(&state.store, actor, &target, &uri).await?;
        }
        "Accept" | "Reject" => {
            let Some((follower, target)) = follow_pair(state, actor, &object).await? else {
                return Ok(());
            };
            if target != actor.id {
                return Err(invalid("only the followed account can answer a follow"));
            }
            if activity.kind == "Accept" {
                remote::follow_accepted(&state.store, follower, actor).await?;
            } else {
                remote::follow_ended(&state.store, follower, target).await?;
            }
        }
        "Undo" => undo(state, actor, &object).await?,
        "Create" => {
            let note = embedded_or_fetched(state, &object).await?;
            if !NOTE_KINDS.contains(&kind_of(&note).unwrap_or_default()) {
                return Ok(());
            }
            let note: Note =
                serde_json::from_value(note).map_err(|e| invalid(format!("bad note: {e}")))?;
            if note.author() != Some(actor.uri.as_str()) || authority_of(&note.id) != actor.domain {
                return Err(invalid(
                    "a note must be created by its author, on its server",
                ));
            }
            if poll_vote(state, actor, &note).await? {
                return Ok(());
            }
            // Unsolicited posts (nobody here follows, is addressed or is
            // answered) are not stored: a stranger cannot fill our database.
            if !concerns_us(state, actor, &note).await? {
                tracing::debug!(note = %note.id, "ignoring a post that concerns nobody here");
                return Ok(());
            }
            ingest_note(state, note, 0, Some(actor)).await?;
        }
        "Update" => match kind_of(&object) {
            Some(kind) if NOTE_KINDS.contains(&kind) => {
                let note: Note = serde_json::from_value(object)
                    .map_err(|e| invalid(format!("bad note: {e}")))?;
                if note.author() != Some(actor.uri.as_str()) {
                    return Err(invalid("only the author can update a note"));
                }
                match state.store.statuses().by_uri(&note.id).await? {
                    Some(existing) if existing.account_id == actor.id => {
                        let mut r = remote_status(state, &note, actor, 0).await?;
                        // Judged first, so that the comparison sees the
                        // same rewrites as the stored version.
                        judge(state, actor, &mut r, Some(existing.id)).await?;
                        if remote::changes_text(&existing, &r) {
                            remote::update_status(&state.store, &existing, r).await?;
                        } else {
                            remote::update_poll(&state.store, &existing, &r).await?;
                        }
                    }
                    Some(_) => return Err(invalid("only the author can update a note")),
                    // An update of a post we never saw: treat it as new.
                    None if concerns_us(state, actor, &note).await? => {
                        ingest_note(state, note, 0, Some(actor)).await?;
                    }
                    None => {}
                }
            }
            Some(_) if object_id.as_deref() == Some(actor.uri.as_str()) => {
                if object.get("inbox").is_some() {
                    fetch::store_actor(state, object).await?;
                } else {
                    fetch::actor(state, &actor.uri, Refresh::Always).await?;
                }
            }
            _ => {}
        },
        "Delete" => {
            let Some(id) = object_id else {
                return Err(invalid("Delete without an object"));
            };
            if id == actor.uri {
                state.store.accounts().delete_remote(actor.id).await?;
            } else if let Some(status) = state.store.statuses().by_uri(&id).await? {
                if status.account_id != actor.id {
                    return Err(invalid("only the author can delete a note"));
                }
                remote::delete_status(&state.store, &status).await?;
            }
        }
        "Like" | "EmojiReact" => {
            let Some(status) = known_status(state, actor, object_id.as_deref()).await? else {
                return Ok(());
            };
            remote::favourite(&state.store, actor, &status, true).await?;
        }
        "Announce" => {
            let id = activity
                .id
                .clone()
                .ok_or_else(|| invalid("Announce without id"))?;
            if authority_of(&id) != actor.domain {
                return Err(invalid("Announce id on another server"));
            }
            let Some(uri) = object_id.as_deref() else {
                return Err(invalid("Announce without an object"));
            };
            // A boost matters here when it boosts one of our posts or when
            // someone here follows the booster.
            if !is_local_uri(state, uri)
                && !state.store.follows().has_local_followers(actor.id).await?
            {
                return Ok(());
            }
            // A local post only as this booster may see it: a guessed id of
            // a held, company-only or followers-only post finds nothing.
            let original = if is_local_uri(state, uri) {
                known_status(state, actor, Some(uri))
                    .await?
                    .ok_or(FederationError::Service(ServiceError::NotFound))?
            } else {
                status_by_uri(state, uri, 0).await?
            };
            let published = timestamp(activity.published.as_deref());
            remote::reblog(&state.store, actor, &original, &id, published).await?;
        }
        "Block" => {
            let target = local_account(state, object_id.as_deref()).await?;
            remote::block(&state.store, actor, &target, true).await?;
        }
        "Flag" => flag(state, actor, &activity).await?,
        "Move" => {
            let target = activity
                .target
                .as_ref()
                .and_then(single_id)
                .ok_or_else(|| invalid("Move without target"))?;
            if object_id.as_deref() != Some(actor.uri.as_str()) {
                return Err(invalid("an actor can only move itself"));
            }
            let new = fetch::actor(state, target, Refresh::Always).await?;
            let document = fetch::get_object(state, &new.uri).await?;
            let aliases = document.get("alsoKnownAs").cloned().unwrap_or(Value::Null);
            let listed = match &aliases {
                Value::String(s) => s == &actor.uri,
                Value::Array(items) => items.iter().any(|v| v.as_str() == Some(&actor.uri)),
                _ => false,
            };
            if !listed {
                return Err(invalid(
                    "the new account does not list the old one in alsoKnownAs",
                ));
            }
            state
                .store
                .accounts()
                .set_moved_to(actor.id, new.id)
                .await?;
        }
        other => tracing::debug!(kind = other, "ignoring activity"),
    }
    Ok(())
}

async fn undo(state: &AppState, actor: &Account, object: &Value) -> FederationResult<()> {
    let id = single_id(object).map(str::to_owned);
    let inner_object = object.get("object").and_then(single_id).map(str::to_owned);
    match kind_of(object) {
        Some("Follow") => {
            let target = local_account(state, inner_object.as_deref()).await?;
            remote::follow_ended(&state.store, actor.id, target.id).await?;
        }
        Some("Like" | "EmojiReact") => {
            if let Some(status) = known_status(state, actor, inner_object.as_deref()).await? {
                remote::favourite(&state.store, actor, &status, false).await?;
            }
        }
        Some("Block") => {
            let target = local_account(state, inner_object.as_deref()).await?;
            remote::block(&state.store, actor, &target, false).await?;
        }
        // An Announce, or an id only: find what it names.
        _ => {
            let Some(id) = id else { return Ok(()) };
            if let Some(status) = state.store.statuses().by_uri(&id).await?
                && status.account_id == actor.id
                && status.reblog_of_id.is_some()
            {
                remote::unreblog(&state.store, &status).await?;
            } else if let Some((follower, target)) = state.store.follows().by_uri(&id).await?
                && follower == actor.id
            {
                remote::follow_ended(&state.store, follower, target).await?;
            }
        }
    }
    Ok(())
}

/// The (follower, target) of the Follow an Accept or Reject answers.
async fn follow_pair(
    state: &AppState,
    actor: &Account,
    object: &Value,
) -> FederationResult<Option<(crate::model::AccountId, crate::model::AccountId)>> {
    if let Some(id) = single_id(object)
        && let Some(pair) = state.store.follows().by_uri(id).await?
    {
        return Ok(Some(pair));
    }
    // Some servers answer with their own copy of the Follow: match on the
    // follower it names.
    let follower = object.get("actor").and_then(single_id);
    if let Some(follower) = follower
        && is_local_uri(state, follower)
        && let Some(account) = state.store.accounts().by_uri(follower).await?
    {
        return Ok(Some((account.id, actor.id)));
    }
    Ok(None)
}

async fn local_account(state: &AppState, uri: Option<&str>) -> FederationResult<Account> {
    let uri = uri.ok_or_else(|| invalid("missing object"))?;
    if !is_local_uri(state, uri) {
        return Err(invalid("the object is not an account of this server"));
    }
    state
        .store
        .accounts()
        .by_uri(uri)
        .await?
        .filter(|a| a.suspended_at.is_none())
        .ok_or(FederationError::Service(ServiceError::NotFound))
}

/// A status known here that `actor` may see (no fetch: likes of unknown
/// posts are dropped, and a guessed id of a private or company-only post
/// finds nothing).
async fn known_status(
    state: &AppState,
    actor: &Account,
    uri: Option<&str>,
) -> FederationResult<Option<Status>> {
    let Some(uri) = uri else { return Ok(None) };
    let Some(status) = state.store.statuses().by_uri(uri).await? else {
        return Ok(None);
    };
    Ok(state
        .store
        .statuses()
        .visible_by_id(status.id, remote_viewer(actor))
        .await?)
}

/// How a remote actor sees our statuses: never company-only ones.
fn remote_viewer(actor: &Account) -> crate::store::Viewer {
    crate::store::Viewer {
        account_id: Some(actor.id),
        local: false,
    }
}

async fn embedded_or_fetched(state: &AppState, object: &Value) -> FederationResult<Value> {
    match object {
        Value::Object(_) if kind_of(object).is_some() => Ok(object.clone()),
        _ => {
            let id = single_id(object).ok_or_else(|| invalid("missing object"))?;
            fetch::get_object(state, id).await
        }
    }
}

/// Whether a pushed note concerns this instance: its author has local
/// followers, it addresses or mentions a local account, or it answers a
/// post we know.
async fn concerns_us(state: &AppState, author: &Account, note: &Note) -> FederationResult<bool> {
    if state.store.follows().has_local_followers(author.id).await? {
        return Ok(true);
    }
    let mentioned = note.tags().into_iter().any(|t| match t {
        Tag::Mention { href } => is_local_uri(state, &href),
        _ => false,
    });
    if mentioned || note.addresses().iter().any(|a| is_local_uri(state, a)) {
        return Ok(true);
    }
    match note.in_reply_to_id() {
        Some(parent) => Ok(state.store.statuses().by_uri(parent).await?.is_some()),
        None => Ok(false),
    }
}

/// A status by id: stored, local, or fetched (with its thread, bounded).
pub async fn status_by_uri(state: &AppState, uri: &str, depth: u32) -> FederationResult<Status> {
    if let Some(status) = state.store.statuses().by_uri(uri).await? {
        return Ok(status);
    }
    if is_local_uri(state, uri) {
        return Err(FederationError::Service(ServiceError::NotFound));
    }
    let document = fetch::get_object(state, uri).await?;
    if !NOTE_KINDS.contains(&kind_of(&document).unwrap_or_default()) {
        return Err(invalid("not a note"));
    }
    let note: Note =
        serde_json::from_value(document).map_err(|e| invalid(format!("bad note: {e}")))?;
    ingest_note(state, note, depth, None).await
}

/// Stores a remote note (fetching its author, mentions and parents).
/// `signer`: the account that delivered the note, if known; used as its
/// author when it is (and is fresh), instead of being read again.
pub async fn ingest_note(
    state: &AppState,
    note: Note,
    depth: u32,
    signer: Option<&Account>,
) -> FederationResult<Status> {
    if let Some(existing) = state.store.statuses().by_uri(&note.id).await? {
        return Ok(existing);
    }
    let author_uri = note
        .author()
        .ok_or_else(|| invalid("note without author"))?
        .to_owned();
    if authority_of(&author_uri) != authority_of(&note.id) {
        return Err(invalid("note and author on different servers"));
    }
    let author = match signer {
        Some(signer) if signer.uri == author_uri && fetch::is_fresh(signer) => signer.clone(),
        _ => fetch::actor(state, &author_uri, Refresh::IfStale).await?,
    };
    if author.suspended_at.is_some() || author.domain_limit >= 2 {
        return Err(FederationError::Service(ServiceError::Forbidden));
    }
    let mut r = remote_status(state, &note, &author, depth).await?;
    judge(state, &author, &mut r, None).await?;
    Ok(remote::create_status(&state.store, &author, r).await?)
}

fn timestamp(value: Option<&str>) -> Timestamp {
    let now = Timestamp::now();
    value
        .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
        .map(|d| Timestamp(d.timestamp_millis().min(now.0)))
        .unwrap_or(now)
}

/// A vote in a local poll: a `Note` with the option as `name`, answering
/// the poll's status, that the voter may see. Returns whether it was one.
async fn poll_vote(state: &AppState, voter: &Account, note: &Note) -> FederationResult<bool> {
    let (Some(title), Some(parent)) = (note.name.as_deref(), note.in_reply_to_id()) else {
        return Ok(false);
    };
    if note
        .content
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
        || !is_local_uri(state, parent)
    {
        return Ok(false);
    }
    let Some(status) = known_status(state, voter, Some(parent)).await? else {
        return Ok(false);
    };
    Ok(polls::remote_vote(&state.store, voter, &status, title, &note.id).await?)
}

/// A note read into what the services store.
async fn remote_status(
    state: &AppState,
    note: &Note,
    author: &Account,
    depth: u32,
) -> FederationResult<RemoteStatus> {
    let addresses = note.addresses();
    let to_public = note.to.iter().filter_map(single_id).any(is_public);
    let cc_public = note.cc.iter().filter_map(single_id).any(is_public);
    let followers = author.followers_url.clone();
    let to_followers = addresses
        .iter()
        .any(|a| Some(a) == followers.as_ref() || a.ends_with("/followers"));
    let visibility = if to_public {
        Visibility::Public
    } else if cc_public {
        Visibility::Unlisted
    } else if to_followers {
        Visibility::Private
    } else {
        Visibility::Direct
    };

    let mut parent = None;
    let in_reply_to_uri = note.in_reply_to_id().map(str::to_owned);
    if let Some(uri) = &in_reply_to_uri {
        parent = match state.store.statuses().by_uri(uri).await? {
            // A local parent the author may not see (a guessed
            // company-only or followers-only id) is not linked.
            Some(p) if p.local => {
                state
                    .store
                    .statuses()
                    .visible_by_id(p.id, remote_viewer(author))
                    .await?
            }
            Some(p) => Some(p),
            None if depth < MAX_THREAD_DEPTH && !is_local_uri(state, uri) => {
                match Box::pin(status_by_uri(state, uri, depth + 1)).await {
                    Ok(p) => Some(p),
                    Err(e) => {
                        tracing::debug!(parent = %uri, error = %e, "cannot fetch the parent");
                        None
                    }
                }
            }
            None => None,
        };
    }

    let mut mention_uris: Vec<String> = note
        .tags()
        .into_iter()
        .filter_map(|t| match t {
            Tag::Mention { href } => Some(href),
            _ => None,
        })
        .collect();
    // Local recipients addressed directly count as mentioned (DMs).
    mention_uris.extend(addresses.iter().filter(|a| is_local_uri(state, a)).cloned());
    mention_uris.sort();
    mention_uris.dedup();
    let mut mentions = Vec::new();
    let mut fetched = 0;
    for uri in mention_uris {
        let known = state.store.accounts().by_uri(&uri).await?;
        let account = match known {
            Some(a) => Some(a),
            None if !is_local_uri(state, &uri) && fetched < MAX_MENTION_FETCHES => {
                fetched += 1;
                fetch::actor(state, &uri, Refresh::Never).await.ok()
            }
            None => None,
        };
        mentions.extend(account.map(|a| a.id));
    }
    let hashtags = note
        .tags()
        .into_iter()
        .filter_map(|t| match t {
            Tag::Hashtag { name } => Some(name),
            _ => None,
        })
        .filter(|n| {
            !n.is_empty() && n.len() <= 100 && n.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
        .collect();

    let mut html = note.html();
    if html.len() > MAX_CONTENT_BYTES {
        let mut cut = MAX_CONTENT_BYTES;
        while !html.is_char_boundary(cut) {
            cut -= 1;
        }
        html.truncate(cut);
    }
    let content = sanitize_html(&html);
    let choices = note.poll_choices();
    let poll = (!choices.is_empty()).then(|| RemotePoll {
        titles: choices
            .iter()
            .take(MAX_POLL_OPTIONS)
            .map(|(t, _)| strip_html(t).chars().take(200).collect())
            .collect(),
        counts: choices
            .iter()
            .take(MAX_POLL_OPTIONS)
            .map(|(_, n)| *n)
            .collect(),
        // Akkoma sends an empty `anyOf` next to `oneOf`.
        multiple: note.any_of.as_ref().is_some_and(|a| !a.is_empty()),
        expires_at: note
            .end_time
            .as_deref()
            .or(note.closed.as_ref().and_then(Value::as_str))
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|d| Timestamp(d.timestamp_millis())),
        voters: note.voters_count.filter(|n| *n >= 0),
    });
    Ok(RemoteStatus {
        uri: note.id.clone(),
        url: match &note.url {
            Some(v) => single_id(v).map(str::to_owned),
            None => None,
        }
        .filter(|u| protocol::is_web_url(u)),
        content,
        spoiler_text: strip_html(note.summary.as_deref().unwrap_or_default())
            .chars()
            .take(1000)
            .collect(),
        sensitive: note.sensitive.unwrap_or(false),
        visibility,
        language: note.language(),
        parent,
        in_reply_to_uri,
        mentions,
        hashtags,
        attachments: note.attachments(),
        created_at: timestamp(note.published.as_deref()),
        edited_at: note.updated.as_deref().map(|u| timestamp(Some(u))),
        poll,
        judgement: None,
    })
}

/// Runs the inbound moderation pipeline over a remote post before it is
/// stored: refused posts are recorded and answered 403 (never stored),
/// rewrites are applied here, a hold travels with the status to its
/// transaction. The server's domain block may strip media.
async fn judge(
    state: &AppState,
    author: &Account,
    r: &mut RemoteStatus,
    existing: Option<crate::model::StatusId>,
) -> FederationResult<()> {
    let origin = author.domain.clone();
    if let Some(host) = &origin
        && fetch::host_policy(state, host).await?.reject_media
    {
        r.attachments.clear();
    }
    let text = strip_html(&r.content);
    let mut links = crate::text::parse(&text).links;
    // Link texts can hide where they point: the targets count.
    for href in HREF.captures_iter(&r.content) {
        let href = href[1].replace("&amp;", "&");
        if !links.contains(&href) {
            links.push(href);
        }
    }
    let subject = Subject {
        direction: Direction::Inbound,
        status_id: existing.map(|id| id.to_string()),
        edit: existing.is_some(),
        author: Author {
            account_id: author.id.0,
            acct: author.acct(),
            domain: origin.clone(),
            role: None,
            team: None,
            sensitized: author.sensitized_at.is_some(),
        },
        visibility: r.visibility,
        company_only: false,
        destinations: Vec::new(),
        origin,
        external: false,
        text,
        spoiler_text: r.spoiler_text.clone(),
        sensitive: r.sensitive,
        hashtags: r.hashtags.clone(),
        links,
        mentions: r.mentions.len(),
        attachments: r
            .attachments
            .iter()
            .map(|a| moderation::Attachment {
                kind: a
                    .media_type
                    .as_deref()
                    .and_then(|t| t.split('/').next())
                    .unwrap_or("unknown")
                    .to_owned(),
                description: a.name.clone(),
                url: Some(a.url.clone()),
            })
            .collect(),
        language: r.language.clone(),
    };
    let decision = pipeline::judge(state, &subject).await?;
    if matches!(decision.outcome, Outcome::Reject { .. }) {
        pipeline::record_now(state, &decision, &subject, &r.uri).await?;
        tracing::info!(note = %r.uri, "refused an inbound post by moderation policy");
        return Err(FederationError::Service(ServiceError::Forbidden));
    }
    let (mut text, mut media) = (String::new(), Vec::new());
    pipeline::rewrite(
        &decision,
        pipeline::Draft {
            text: &mut text,
            spoiler_text: &mut r.spoiler_text,
            sensitive: &mut r.sensitive,
            media: &mut media,
        },
    );
    if decision.rewrites.contains(&moderation::Rewrite::StripMedia) {
        r.attachments.clear();
    }
    let disclaimer = text.trim();
    if !disclaimer.is_empty() {
        r.content
            .push_str(&format!("<p>{}</p>", crate::web::html::escape(disclaimer)));
    }
    r.judgement = Some(Judgement { decision, subject });
    Ok(())
}

/// A report from another server about local accounts (and their posts).
async fn flag(state: &AppState, actor: &Account, activity: &Activity) -> FederationResult<()> {
    // A server whose reports we refuse gets an acknowledgement, nothing more.
    if let Some(host) = &actor.domain
        && fetch::host_policy(state, host).await?.reject_reports
    {
        tracing::info!(%host, "ignoring a report from a server whose reports are rejected");
        return Ok(());
    }
    let objects: Vec<String> = match &activity.object {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(single_id)
            .map(str::to_owned)
            .collect(),
        Some(other) => single_id(other).map(str::to_owned).into_iter().collect(),
        None => Vec::new(),
    };
    let mut target = None;
    let mut statuses: Vec<Status> = Vec::new();
    for uri in objects {
        if !is_local_uri(state, &uri) {
            continue;
        }
        if let Some(account) = state.store.accounts().by_uri(&uri).await? {
            target = Some(account);
        } else if let Some(status) = state.store.statuses().by_uri(&uri).await? {
            statuses.push(status);
        }
    }
    if target.is_none()
        && let Some(first) = statuses.first()
    {
        target = state.store.accounts().by_id(first.account_id).await?;
    }
    let Some(target) = target else {
        return Err(invalid("the report names no account of this server"));
    };
    // Only the reported account's own posts belong to its report.
    statuses.retain(|s| s.account_id == target.id);
    let comment: String = strip_html(activity.content.as_deref().unwrap_or_default())
        .chars()
        .take(5000)
        .collect();
    if let Some(report) = crate::service::reports::receive(
        &state.store,
        actor,
        &target,
        &statuses,
        &comment,
        activity.id.as_deref(),
    )
    .await?
    {
        crate::api::mastodon::webhook_events::report(state, "report.created", &report).await;
    }
    Ok(())
}
