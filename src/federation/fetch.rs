//! Finding remote actors and objects: database first, then a signed GET.
//! Every document is checked to come from the server that owns its id.

use serde_json::Value;
use url::Url;

use super::client::{AP_ACCEPT, FetchError};
use super::protocol::{self, Actor, Webfinger};
use crate::model::{Account, Timestamp};
use crate::service::error::ServiceError;
use crate::state::AppState;
use crate::store::RemoteAccount;
use crate::text::{sanitize_html, strip_html};

/// Remote actors are refetched when older than this.
const ACTOR_STALE_MS: i64 = 24 * 3600 * 1000;
const MAX_NAME_CHARS: usize = 100;
const MAX_NOTE_CHARS: usize = 10_000;
const MAX_FIELDS: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("invalid remote document: {0}")]
    Invalid(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for FederationError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Service(e.into())
    }
}

pub type FederationResult<T> = Result<T, FederationError>;

/// `host[:port]` of a URL, lower-cased: how domains are stored.
pub fn authority(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

pub fn authority_of(uri: &str) -> Option<String> {
    Url::parse(uri).ok().as_ref().and_then(authority)
}

/// Whether a URI belongs to this instance.
pub fn is_local_uri(state: &AppState, uri: &str) -> bool {
    authority_of(uri).is_some_and(|a| a == state.config.domain())
}

/// What the domain policy says about a host.
pub async fn host_policy(
    state: &AppState,
    host: &str,
) -> FederationResult<crate::moderation::domains::HostPolicy> {
    Ok(state
        .moderation
        .policy(&state.store)
        .await?
        .domains
        .decide(host))
}

/// Refuses to talk to a server we do not federate with (suspended, or
/// not on the allowlist).
pub async fn check_host(state: &AppState, host: &str) -> FederationResult<()> {
    if host_policy(state, host).await?.federates {
        Ok(())
    } else {
        Err(FederationError::Invalid(format!(
            "federation with {host} is not allowed here"
        )))
    }
}

/// GETs an ActivityStreams document, signed as the instance actor.
pub async fn get_object(state: &AppState, url: &str) -> FederationResult<Value> {
    let parsed = Url::parse(url).map_err(|_| FederationError::Invalid(format!("bad URL {url}")))?;
    if let Some(host) = authority(&parsed) {
        check_host(state, &host).await?;
    }
    let value = state
        .federation
        .client
        .get_json(&parsed, AP_ACCEPT, Some(&state.federation.instance_signer))
        .await?;
    // The document must come from the server that owns its id.
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| FederationError::Invalid("document without id".into()))?;
    if authority_of(id) != authority(&parsed) {
        return Err(FederationError::Invalid(format!(
            "{url} served an object of another server ({id})"
        )));
    }
    Ok(value)
}

/// How much to trust the stored copy of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Use the stored copy if there is one.
    Never,
    /// Refetch when older than a day.
    IfStale,
    /// Refetch now (key rotation, `Update`).
    Always,
}

/// An actor by its id: local, stored, or fetched.
pub async fn actor(state: &AppState, uri: &str, refresh: Refresh) -> FederationResult<Account> {
    if is_local_uri(state, uri) {
        return state
            .store
            .accounts()
            .by_uri(uri)
            .await?
            .ok_or(FederationError::Service(ServiceError::NotFound));
    }
    let stored = state.store.accounts().by_uri(uri).await?;
    if let Some(account) = &stored
        && (refresh == Refresh::Never || (refresh == Refresh::IfStale && is_fresh(account)))
    {
        return Ok(account.clone());
    }
    match (get_object(state, uri).await, stored) {
        (Ok(document), _) => store_actor(state, document).await,
        // A stale copy is better than nothing when the server is down.
        (Err(FederationError::Fetch(e)), Some(stored)) if e.is_temporary() => Ok(stored),
        (Err(e), _) => Err(e),
    }
}

/// Whether a stored remote actor was fetched recently enough to be used
/// as it is (`Refresh::IfStale`).
pub fn is_fresh(account: &Account) -> bool {
    account
        .fetched_at
        .is_some_and(|t| Timestamp::now().0 - t.0 < ACTOR_STALE_MS)
}

/// Stores (or refreshes) an actor from its document, already checked to
/// come from its own server.
pub async fn store_actor(state: &AppState, document: Value) -> FederationResult<Account> {
    let actor: Actor = serde_json::from_value(document)
        .map_err(|e| FederationError::Invalid(format!("not an actor: {e}")))?;
    let mut remote = remote_account(&actor)?;
    if remote.domain == state.config.domain() {
        return Err(FederationError::Invalid(
            "a remote actor with our domain".into(),
        ));
    }
    let policy = host_policy(state, &remote.domain).await?;
    if policy.reject_media {
        remote.avatar_url = None;
        remote.header_url = None;
    }
    let mut account = state.store.accounts().upsert_remote(&remote).await?;
    if account.domain_limit != policy.limit {
        state
            .store
            .accounts()
            .set_domain_limit(account.id, policy.limit)
            .await?;
        account.domain_limit = policy.limit;
    }
    Ok(account)
}

/// What an actor document says, checked (same-host links, a usable
/// username, web URLs only); `pub` for the fuzz targets (fuzz/).
pub fn remote_account(actor: &Actor) -> FederationResult<RemoteAccount> {
    let id = Url::parse(&actor.id).map_err(|_| FederationError::Invalid("actor id".into()))?;
    let domain = authority(&id).ok_or_else(|| FederationError::Invalid("actor host".into()))?;
    let same_host = |u: &Option<String>| {
        u.clone()
            .filter(|u| authority_of(u).as_deref() == Some(domain.as_str()))
    };
    let username = actor
        .preferred_username
        .clone()
        .filter(|u| !u.is_empty() && u.len() <= 100 && !u.contains(['@', ' ', '/']))
        .ok_or_else(|| {
            FederationError::Invalid("actor without a usable preferredUsername".into())
        })?;
    if authority_of(&actor.inbox).as_deref() != Some(domain.as_str()) {
        return Err(FederationError::Invalid("inbox on another server".into()));
    }
    let key = actor.key(None);
    let fields: Vec<crate::model::ProfileField> = actor
        .attachment
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("PropertyValue"))
        .filter_map(|a| {
            Some(crate::model::ProfileField {
                name: truncate(&strip_html(a.get("name")?.as_str()?), 255),
                value: sanitize_html(&truncate(a.get("value")?.as_str()?, 2048)),
                verified_at: None,
            })
        })
        .take(MAX_FIELDS)
        .collect();
    let shared_inbox_url = same_host(
        &actor
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.clone()),
    );
    let outbox_url = same_host(&actor.outbox);
    let followers_url = same_host(&actor.followers);
    let following_url = same_host(&actor.following);
    let featured_url = same_host(&actor.featured);
    Ok(RemoteAccount {
        username,
        domain,
        actor_type: match actor.kind.as_str() {
            "Person" | "Service" | "Application" | "Group" | "Organization" => actor.kind.clone(),
            _ => "Person".into(),
        },
        display_name: truncate(
            &strip_html(actor.name.as_deref().unwrap_or_default()),
            MAX_NAME_CHARS,
        ),
        note: sanitize_html(&truncate(
            actor.summary.as_deref().unwrap_or_default(),
            MAX_NOTE_CHARS,
        )),
        fields: serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into()),
        uri: actor.id.clone(),
        url: actor.profile_url().filter(|u| protocol::is_web_url(u)),
        inbox_url: actor.inbox.clone(),
        shared_inbox_url,
        outbox_url,
        followers_url,
        following_url,
        featured_url,
        public_key_pem: key.map(|k| k.public_key_pem.clone()),
        public_key_id: key.map(|k| k.id.clone()),
        avatar_url: actor
            .icon
            .as_ref()
            .and_then(protocol::image_url)
            .filter(|u| protocol::is_web_url(u)),
        header_url: actor
            .image
            .as_ref()
            .and_then(protocol::image_url)
            .filter(|u| protocol::is_web_url(u)),
        locked: actor.manually_approves_followers.unwrap_or(false),
        bot: matches!(actor.kind.as_str(), "Service" | "Application"),
        discoverable: actor.discoverable.unwrap_or(false),
        indexable: actor.indexable.unwrap_or(false),
        created_at: actor
            .published
            .as_deref()
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            .map(|d| Timestamp(d.timestamp_millis())),
    })
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// `user@host` through WebFinger, then the actor document.
pub async fn actor_by_handle(
    state: &AppState,
    username: &str,
    host: &str,
) -> FederationResult<Account> {
    // The same spelling as stored hosts and domain blocks (IDNs in ASCII).
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            let name = url::Host::parse(name)
                .map_err(|_| FederationError::Invalid(format!("bad host {host}")))?;
            format!("{name}:{port}")
        }
        _ => url::Host::parse(host)
            .map_err(|_| FederationError::Invalid(format!("bad host {host}")))?
            .to_string(),
    }
    .to_ascii_lowercase();
    if host == state.config.domain() {
        return state
            .store
            .accounts()
            .local_by_username(username)
            .await?
            .ok_or(FederationError::Service(ServiceError::NotFound));
    }
    check_host(state, &host).await?;
    if let Some(account) = state
        .store
        .accounts()
        .remote_by_handle(username, &host)
        .await?
    {
        return actor(state, &account.uri, Refresh::IfStale).await;
    }
    let scheme = state.config.protocol.as_str();
    let url = Url::parse_with_params(
        &format!("{scheme}://{host}/.well-known/webfinger"),
        &[("resource", format!("acct:{username}@{host}"))],
    )
    .map_err(|_| FederationError::Invalid(format!("bad host {host}")))?;
    let document = state
        .federation
        .client
        .get_json(&url, "application/jrd+json, application/json", None)
        .await?;
    let finger: Webfinger = serde_json::from_value(document)
        .map_err(|e| FederationError::Invalid(format!("bad WebFinger document: {e}")))?;
    let uri = finger
        .actor_link()
        .ok_or_else(|| FederationError::Invalid("WebFinger without an ActivityPub link".into()))?
        .to_owned();
    actor(state, &uri, Refresh::IfStale).await
}

/// The owner of a key id: stored, or fetched (the key id, without its
/// fragment, usually is the actor; GoToSocial serves a key document that
/// names its owner).
pub async fn key_owner(state: &AppState, key_id: &str, refresh: bool) -> FederationResult<Account> {
    if !refresh && let Some(account) = state.store.accounts().by_key_id(key_id).await? {
        return Ok(account);
    }
    let document_url = key_id.split('#').next().unwrap_or(key_id);
    if !refresh && let Some(account) = state.store.accounts().by_uri(document_url).await? {
        return Ok(account);
    }
    let document = get_object(state, document_url).await?;
    let is_actor = document.get("inbox").is_some();
    let account = if is_actor {
        store_actor(state, document).await?
    } else {
        let owner = document
            .get("owner")
            .and_then(Value::as_str)
            .ok_or_else(|| FederationError::Invalid("key document without owner".into()))?;
        if authority_of(owner) != authority_of(document_url) {
            return Err(FederationError::Invalid(
                "key owned by another server".into(),
            ));
        }
        actor(state, owner, Refresh::Always).await?
    };
    if account.public_key_id.as_deref() != Some(key_id) && account.uri != document_url {
        return Err(FederationError::Invalid(format!(
            "{key_id} is not a key of {}",
            account.uri
        )));
    }
    Ok(account)
}

/// Most handles looked up for one post.
const MAX_MENTION_LOOKUPS: usize = 10;

/// Looks up the remote accounts a text mentions that are not known yet, so
/// that the post can link and address them. Failures leave the mention as
/// plain text, as Mastodon does.
pub async fn resolve_mentions(state: &AppState, text: &str) {
    let own = state.config.domain();
    let remote = crate::text::parse(text)
        .mentions
        .into_iter()
        .filter_map(|m| Some((m.username, m.domain?)))
        .filter(|(_, domain)| !domain.eq_ignore_ascii_case(&own))
        .take(MAX_MENTION_LOOKUPS);
    for (username, domain) in remote {
        if let Err(e) = actor_by_handle(state, &username, &domain).await {
            tracing::info!(handle = %format!("{username}@{domain}"), error = %e, "cannot resolve a mention");
        }
    }
}
