//! `/api/v2/search`: accounts, hashtags and statuses (full text).
//! The search proper reads from the replica when there is one
//! (`Store::read_as`); resolving links reads and writes the primary.

use crate::api::extract::Query;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::render;
use crate::api::entities::account::Account;
use crate::api::entities::status::Status;
use crate::api::extract::MaybeUser;
use crate::api::extract::auth::ReadSearch;
use crate::api::extract::body::lenient_bool;
use crate::error::{ApiResult, Error};
use crate::model::{AccountId, StatusId};
use crate::state::AppState;
use crate::store::{Store, Viewer};

/// Results past this offset are not served (search is for finding, not
/// for paging through the archive).
const MAX_OFFSET: i64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v2/search", get(search))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    following: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    #[allow(dead_code, reason = "accepted; remote lookups arrive with federation")]
    resolve: Option<bool>,
    account_id: Option<String>,
    max_id: Option<String>,
    min_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize)]
struct Results {
    accounts: Vec<Account>,
    statuses: Vec<Status>,
    hashtags: Vec<Value>,
}

/// GET /api/v2/search?q=…&type=accounts|hashtags|statuses
async fn search(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadSearch>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Results>> {
    let text = q.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if text.is_empty() {
        return Err(Error::BadRequest("q is required".into()));
    }
    let kind = q.kind.as_deref().filter(|k| !k.is_empty());
    if let Some(k) = kind
        && !matches!(k, "accounts" | "hashtags" | "statuses")
    {
        return Err(Error::BadRequest(format!(
            "type {k:?} is not one of accounts, hashtags, statuses"
        )));
    }
    let limit = q.limit.unwrap_or(20).clamp(1, 40);
    let offset = q.offset.unwrap_or(0).clamp(0, MAX_OFFSET);
    let wants = |k: &str| kind.is_none_or(|asked| asked == k);

    let mut results = Results {
        accounts: Vec::new(),
        statuses: Vec::new(),
        hashtags: Vec::new(),
    };
    let me = viewer.user.as_ref().map(|u| u.account.id);

    // A link to one of our own posts or profiles opens it, as in Mastodon.
    if let Some(found) = resolve_local_url(&state, &text, viewer.viewer()).await? {
        match found {
            Resolved::Account(a) if wants("accounts") => results
                .accounts
                .push(Account::from_model(&a, &state.config)),
            Resolved::Status(s) if wants("statuses") => {
                results.statuses = render::statuses(&state, viewer.viewer(), vec![*s]).await?
            }
            _ => {}
        }
        return Ok(Json(results));
    }
    // Other servers' handles and links are looked up there when asked to
    // (and only for signed-in users: resolving makes us fetch).
    if q.resolve.unwrap_or(false)
        && viewer.user.is_some()
        && let Some(found) = resolve_remote(&state, &text, viewer.viewer()).await?
    {
        match found {
            Resolved::Account(a) if wants("accounts") => results
                .accounts
                .push(Account::from_model(&a, &state.config)),
            Resolved::Status(s) if wants("statuses") => {
                results.statuses = render::statuses(&state, viewer.viewer(), vec![*s]).await?
            }
            _ => {}
        }
        return Ok(Json(results));
    }
    let ask = Ask {
        text: &text,
        kinds: [wants("accounts"), wants("hashtags"), wants("statuses")],
        following_of: q.following.unwrap_or(false).then_some(me).flatten(),
        query: &q,
        limit,
        offset,
        viewer: viewer.viewer(),
    };
    let (state, ask) = (&state, &ask);
    let read = move |store: Store| async move { find(state, &store, ask).await };
    Ok(Json(state.store.read_as(me, read).await?))
}

/// What to look for, once the query is parsed.
struct Ask<'a> {
    text: &'a str,
    /// Accounts, hashtags, statuses.
    kinds: [bool; 3],
    following_of: Option<AccountId>,
    /// For the status search's `account_id`, `max_id` and `min_id`.
    query: &'a SearchQuery,
    limit: i64,
    offset: i64,
    viewer: Viewer,
}

/// Runs the search on `store` (the replica, when `Store::read_as` allows).
async fn find(state: &AppState, store: &Store, ask: &Ask<'_>) -> ApiResult<Results> {
    let mut results = Results {
        accounts: Vec::new(),
        statuses: Vec::new(),
        hashtags: Vec::new(),
    };
    let [accounts, hashtags, statuses] = ask.kinds;
    let (text, limit, offset) = (ask.text, ask.limit, ask.offset);
    if accounts {
        let found = store
            .search()
            .accounts(
                strip_domain(text, &state.config.domain()),
                ask.following_of,
                limit + offset,
            )
            .await?;
        results.accounts = found
            .iter()
            .skip(offset as usize)
            .map(|a| Account::from_model(a, &state.config))
            .collect();
    }
    if hashtags {
        let found = store
            .search()
            .hashtags(text, ask.viewer, limit + offset)
            .await?;
        results.hashtags = found
            .into_iter()
            .skip(offset as usize)
            .map(|(id, name)| {
                let lower = name.to_lowercase();
                json!({
                    "id": id.to_string(),
                    "name": lower,
                    "url": crate::service::urls::tag_url(&state.config, &lower),
                    "history": [],
                    "following": false,
                })
            })
            .collect();
    }
    // Searching posts needs an account: what one may see depends on who one is.
    if statuses && ask.viewer.account_id.is_some() && full_text_searchable(text) {
        let q = ask.query;
        let by = match q.account_id.as_deref().filter(|s| !s.is_empty()) {
            Some(raw) => Some(render::id::<AccountId>(raw)?),
            None => None,
        };
        let max_id = parse_id(q.max_id.as_deref(), "max_id")?;
        let min_id = parse_id(q.min_id.as_deref(), "min_id")?;
        let found = store
            .search()
            .statuses(text, ask.viewer, by, max_id, min_id, limit + offset)
            .await?;
        let page: Vec<_> = found.into_iter().skip(offset as usize).collect();
        results.statuses = render::statuses_from(state, store, ask.viewer, page).await?;
    }
    Ok(results)
}

/// An optional id parameter; an empty one is absent.
fn parse_id(raw: Option<&str>, name: &str) -> ApiResult<Option<StatusId>> {
    match raw.filter(|s| !s.is_empty()) {
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| Error::BadRequest(format!("{name} must be an id"))),
        None => Ok(None),
    }
}

/// One word that starts with `#` or contains `@` names a hashtag or an
/// account: Mastodon does not look for it in posts (`#rust` finds the tag,
/// not every post that uses it).
fn full_text_searchable(q: &str) -> bool {
    !((q.starts_with('#') || q.contains('@')) && !q.contains(' '))
}

/// `@alice@this.domain` and `alice@this.domain` search as `alice`.
fn strip_domain<'a>(q: &'a str, domain: &str) -> &'a str {
    let q = q.trim_start_matches('@');
    match q.split_once('@') {
        Some((user, d)) if d.eq_ignore_ascii_case(domain) => user,
        _ => q,
    }
}

enum Resolved {
    Account(Box<crate::model::Account>),
    Status(Box<crate::model::Status>),
}

/// Resolves a URL of this instance: `/@user`, `/users/user`,
/// `/@user/ID`, `/users/user/statuses/ID` — if the viewer may see it.
async fn resolve_local_url(
    state: &AppState,
    q: &str,
    viewer: crate::store::Viewer,
) -> ApiResult<Option<Resolved>> {
    let Ok(url) = url::Url::parse(q) else {
        return Ok(None);
    };
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    if !host.eq_ignore_ascii_case(&state.config.domain()) {
        return Ok(None);
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let (username, status) = match segments.as_slice() {
        [user] if user.starts_with('@') => (&user[1..], None),
        ["users", user] => (*user, None),
        [user, id] if user.starts_with('@') => (&user[1..], Some(*id)),
        ["users", user, "statuses", id] => (*user, Some(*id)),
        _ => return Ok(None),
    };
    let Some(account) = state.store.accounts().local_by_username(username).await? else {
        return Ok(None);
    };
    match status {
        None => Ok(account_ok(&account).then(|| Resolved::Account(Box::new(account)))),
        Some(id) => {
            let Ok(id) = id.parse::<StatusId>() else {
                return Ok(None);
            };
            Ok(state
                .store
                .statuses()
                .visible_by_id(id, viewer)
                .await?
                .filter(|s| s.account_id == account.id)
                .map(|s| Resolved::Status(Box::new(s))))
        }
    }
}

/// Resolves `@user@host` through WebFinger, or another server's URL by
/// fetching it. Returns `None` when there is nothing (or nothing visible).
async fn resolve_remote(
    state: &AppState,
    q: &str,
    viewer: crate::store::Viewer,
) -> ApiResult<Option<Resolved>> {
    use crate::federation::{fetch, ingest};
    let handle = q.trim_start_matches('@');
    if !q.starts_with("http")
        && let Some((user, host)) = handle.split_once('@')
        && !user.is_empty()
        && !host.is_empty()
        && !host.eq_ignore_ascii_case(&state.config.domain())
    {
        return match fetch::actor_by_handle(state, user, host).await {
            Ok(account) if account_ok(&account) => Ok(Some(Resolved::Account(Box::new(account)))),
            Ok(_) => Ok(None),
            Err(e) => {
                tracing::info!(handle = %q, error = %e, "cannot resolve a handle");
                Ok(None)
            }
        };
    }
    let Ok(url) = url::Url::parse(q) else {
        return Ok(None);
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Ok(None);
    }
    if let Some(account) = state.store.accounts().by_uri(q).await? {
        return Ok(account_ok(&account).then(|| Resolved::Account(Box::new(account))));
    }
    let document = match fetch::get_object(state, q).await {
        Ok(document) => document,
        Err(e) => {
            tracing::info!(url = %q, error = %e, "cannot resolve a URL");
            return Ok(None);
        }
    };
    if document.get("inbox").is_some() {
        return match fetch::store_actor(state, document).await {
            Ok(account) if account_ok(&account) => Ok(Some(Resolved::Account(Box::new(account)))),
            _ => Ok(None),
        };
    }
    let note = match serde_json::from_value::<crate::federation::protocol::Note>(document) {
        Ok(note) if ingest::NOTE_KINDS.contains(&note.kind.as_str()) => note,
        _ => return Ok(None),
    };
    let status = match ingest::ingest_note(state, note, 0, None).await {
        Ok(status) => status,
        Err(e) => {
            tracing::info!(url = %q, error = %e, "cannot resolve a post");
            return Ok(None);
        }
    };
    Ok(state
        .store
        .statuses()
        .visible_by_id(status.id, viewer)
        .await?
        .map(|s| Resolved::Status(Box::new(s))))
}

fn account_ok(account: &crate::model::Account) -> bool {
    account.suspended_at.is_none()
        && account.domain_limit < 2
        && account.actor_type != "Application"
}
