//! The federation HTTP surface: WebFinger, actors, notes, collections and
//! inboxes. The same URLs answer ActivityStreams JSON to federation
//! requests and send browsers to the web pages.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::MAX_DOCUMENT_BYTES;
use super::fetch::{FederationError, authority_of};
use super::protocol::{self, Activity, Collection, Webfinger, WebfingerLink};
use super::signatures::SignatureHeader;
use super::{ingest, render, verify};
use crate::error::{ApiResult, Error};
use crate::model::{Account, Page, StatusId, Timestamp};
use crate::service::error::ServiceError;
use crate::state::AppState;
use crate::store::{AccountFilter, Viewer};

const OUTBOX_PAGE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/actor", get(instance_actor))
        .route("/actor/inbox", post(shared_inbox))
        .route("/inbox", post(shared_inbox))
        .route("/users/{name}", get(actor))
        .route("/users/{name}/inbox", post(user_inbox))
        .route("/users/{name}/outbox", get(outbox))
        .route("/users/{name}/followers", get(followers))
        .route("/users/{name}/following", get(following))
        .route("/users/{name}/collections/featured", get(featured))
        .route("/users/{name}/statuses/{id}", get(note))
        .route("/users/{name}/statuses/{id}/activity", get(note_activity))
        .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES))
}

/// Whether the request asks for ActivityStreams rather than HTML: any
/// `application/activity+json` or `application/ld+json` range with q > 0.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        !refused && (media == "application/activity+json" || media == "application/ld+json")
    })
}

/// An ActivityStreams response.
fn activity_json(value: impl serde::Serialize) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/activity+json; charset=utf-8",
        )],
        Json(value),
    )
        .into_response()
}

/// The server a request says it comes from: the host of its signature's
/// key, known before anything is fetched to verify it.
fn signing_host(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("signature")?.to_str().ok()?;
    let sig = super::signatures::SignatureHeader::parse(value).ok()?;
    authority_of(&sig.key_id)
}

/// Refuses requests from servers we do not federate with, by the hosts
/// they name (the signing key's, the activity's actor's).
async fn refuse_unfederated(
    state: &AppState,
    hosts: impl IntoIterator<Item = Option<String>>,
) -> ApiResult<()> {
    let policy = state.moderation.policy(&state.store).await?;
    for host in hosts.into_iter().flatten() {
        if !policy.domains.decide(&host).federates {
            return Err(Error::Forbidden(format!(
                "Federation with {host} is not allowed here"
            )));
        }
    }
    Ok(())
}

/// A GET must carry a valid signature in secure mode and in allowlist
/// mode (so that only partners read); a signer we do not federate with is
/// refused in every mode.
async fn check_fetch(state: &AppState, headers: &HeaderMap, uri: &OriginalUri) -> ApiResult<()> {
    refuse_unfederated(state, [signing_host(headers)]).await?;
    let allowlist = state.moderation.policy(&state.store).await?.domains.mode
        == crate::moderation::domains::FederationMode::Allowlist;
    if !state.config.authorized_fetch && !allowlist {
        return Ok(());
    }
    let path = uri.0.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let signer = verify::signer(state, "get", path, headers, None)
        .await
        .map_err(|e| Error::NotSigned(e.to_string()))?;
    refuse_unfederated(state, [authority_of(&signer.uri)]).await
}

async fn local_account(state: &AppState, name: &str) -> ApiResult<Account> {
    state
        .store
        .accounts()
        .local_by_username(name)
        .await?
        .filter(|a| a.suspended_at.is_none() && a.actor_type != "Application")
        .ok_or(Error::NotFound)
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

/// GET /.well-known/webfinger?resource=acct:alice@domain (or an actor URL)
async fn webfinger(
    State(state): State<AppState>,
    Query(q): Query<WebfingerQuery>,
) -> ApiResult<Response> {
    let resource = q
        .resource
        .ok_or_else(|| Error::BadRequest("resource is required".into()))?;
    let domain = state.config.domain();
    let base = state.config.base_url();
    let username = if let Some(acct) = resource.strip_prefix("acct:") {
        let (user, host) = acct
            .trim_start_matches('@')
            .rsplit_once('@')
            .ok_or_else(|| Error::BadRequest("resource must be acct:user@domain".into()))?;
        if !host.eq_ignore_ascii_case(&domain) {
            return Err(Error::NotFound);
        }
        user.to_owned()
    } else if let Some(rest) = resource
        .strip_prefix(&format!("{base}/users/"))
        .or_else(|| resource.strip_prefix(&format!("{base}/@")))
    {
        rest.to_owned()
    } else if resource == format!("{base}/actor") {
        domain.clone()
    } else {
        return Err(Error::NotFound);
    };
    let account = if username.eq_ignore_ascii_case(&domain) {
        state.instance_actor.clone()
    } else {
        local_account(&state, &username).await?
    };
    let mut links = vec![WebfingerLink {
        rel: "self".into(),
        kind: Some("application/activity+json".into()),
        href: Some(account.uri.clone()),
        template: None,
    }];
    if let Some(url) = &account.url {
        links.insert(
            0,
            WebfingerLink {
                rel: "http://webfinger.net/rel/profile-page".into(),
                kind: Some("text/html".into()),
                href: Some(url.clone()),
                template: None,
            },
        );
    }
    let body = Webfinger {
        subject: format!("acct:{}@{domain}", account.username),
        aliases: [Some(account.uri.clone()), account.url.clone()]
            .into_iter()
            .flatten()
            .collect(),
        links,
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/jrd+json; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(body),
    )
        .into_response())
}

/// GET /actor — always public: peers fetch it to check our signatures.
async fn instance_actor(State(state): State<AppState>) -> ApiResult<Response> {
    let actor = render::actor(&state.store, &state.config, &state.instance_actor).await?;
    Ok(activity_json(actor))
}

/// GET /users/{name}
async fn actor(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    if !wants_activity_json(&headers) {
        let url = account.url.clone().unwrap_or_else(|| account.uri.clone());
        return Ok(Redirect::to(&url).into_response());
    }
    check_fetch(&state, &headers, &uri).await?;
    let actor = render::actor(&state.store, &state.config, &account).await?;
    Ok(activity_json(actor))
}

/// A local status that may be served to anyone: federated, public or
/// unlisted, not a boost. Everything else is "not found" — company-only
/// posts in particular.
async fn public_status(
    state: &AppState,
    name: &str,
    id: &str,
) -> ApiResult<(Account, crate::model::Status)> {
    let account = local_account(state, name).await?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let status = state
        .store
        .statuses()
        .by_id(StatusId(id))
        .await?
        .filter(|s| s.account_id == account.id && s.local && render::is_public(s))
        .ok_or(Error::NotFound)?;
    Ok((account, status))
}

/// GET /users/{name}/statuses/{id}
async fn note(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    let (_, status) = public_status(&state, &name, &id).await?;
    if status.reblog_of_id.is_some() {
        return Err(Error::NotFound);
    }
    if !wants_activity_json(&headers) {
        let url = status.url.clone().unwrap_or_else(|| status.uri.clone());
        return Ok(Redirect::to(&url).into_response());
    }
    check_fetch(&state, &headers, &uri).await?;
    let mut note = render::note(&state.store, &state.config, &state.media, &status).await?;
    note.context = Some(protocol::context());
    Ok(activity_json(note))
}

/// GET /users/{name}/statuses/{id}/activity — the Create, or a boost's Announce.
async fn note_activity(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    check_fetch(&state, &headers, &uri).await?;
    let (account, status) = public_status(&state, &name, &id).await?;
    let activity = outbox_item(&state, &account, &status).await?;
    Ok(activity_json(activity))
}

async fn outbox_item(
    state: &AppState,
    account: &Account,
    status: &crate::model::Status,
) -> ApiResult<Activity> {
    if let Some(original) = status.reblog_of_id {
        let original = state
            .store
            .statuses()
            .by_id(original)
            .await?
            .ok_or(Error::NotFound)?;
        let owner = state
            .store
            .accounts()
            .by_id(original.account_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok(crate::service::publish::announce(
            account, status, &original, &owner,
        ));
    }
    Ok(render::create_or_update(
        &state.store,
        &state.config,
        &state.media,
        status,
        account,
        false,
    )
    .await?)
}

#[derive(Deserialize)]
struct OutboxQuery {
    page: Option<String>,
    max_id: Option<i64>,
}

/// GET /users/{name}/outbox — public posts, newest first, in pages.
async fn outbox(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<OutboxQuery>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    check_fetch(&state, &headers, &uri).await?;
    let account = local_account(&state, &name).await?;
    let id = format!("{}/outbox", account.uri);
    if q.page.is_none() {
        let total = state.store.stats().public_statuses_of(account.id).await?;
        return Ok(activity_json(Collection {
            context: Some(protocol::context()),
            id: id.clone(),
            kind: "OrderedCollection".into(),
            total_items: Some(total),
            first: Some(json!(format!("{id}?page=true"))),
            next: None,
            prev: None,
            part_of: None,
            ordered_items: None,
        }));
    }
    let page = Page {
        max_id: q.max_id,
        limit: OUTBOX_PAGE,
        ..Default::default()
    };
    let statuses = state
        .store
        .statuses()
        .by_account(
            account.id,
            Viewer::ANONYMOUS,
            AccountFilter::default(),
            &page,
        )
        .await?;
    let mut items = Vec::with_capacity(statuses.len());
    for status in statuses.iter().filter(|s| render::is_public(s)) {
        let mut item = outbox_item(&state, &account, status).await?;
        item.context = None;
        items.push(serde_json::to_value(item).unwrap_or(Value::Null));
    }
    let next = (statuses.len() as i64 == OUTBOX_PAGE)
        .then(|| {
            statuses
                .last()
                .map(|s| format!("{id}?page=true&max_id={}", s.id.0))
        })
        .flatten();
    Ok(activity_json(Collection {
        context: Some(protocol::context()),
        id: match q.max_id {
            Some(max) => format!("{id}?page=true&max_id={max}"),
            None => format!("{id}?page=true"),
        },
        kind: "OrderedCollectionPage".into(),
        total_items: None,
        first: None,
        next,
        prev: None,
        part_of: Some(id),
        ordered_items: Some(items),
    }))
}

/// GET /users/{name}/followers and /following: counts only — who follows an
/// employee is the employee's business, not the internet's.
async fn followers(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    relation_count(&state, &name, &headers, &uri, "followers").await
}

async fn following(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    relation_count(&state, &name, &headers, &uri, "following").await
}

async fn relation_count(
    state: &AppState,
    name: &str,
    headers: &HeaderMap,
    uri: &OriginalUri,
    which: &str,
) -> ApiResult<Response> {
    check_fetch(state, headers, uri).await?;
    let account = local_account(state, name).await?;
    let total = match which {
        "followers" => account.followers_count,
        _ => account.following_count,
    };
    Ok(activity_json(Collection::ordered(
        format!("{}/{which}", account.uri),
        total,
        None,
    )))
}

/// GET /users/{name}/collections/featured — pinned public posts.
async fn featured(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> ApiResult<Response> {
    check_fetch(&state, &headers, &uri).await?;
    let account = local_account(&state, &name).await?;
    let filter = AccountFilter {
        only_pinned: true,
        ..Default::default()
    };
    let page = Page {
        limit: 20,
        ..Default::default()
    };
    let pinned = state
        .store
        .statuses()
        .by_account(account.id, Viewer::ANONYMOUS, filter, &page)
        .await?;
    let mut items = Vec::new();
    for status in pinned.iter().filter(|s| render::is_public(s)) {
        let note = render::note(&state.store, &state.config, &state.media, status).await?;
        items.push(serde_json::to_value(note).unwrap_or(Value::Null));
    }
    Ok(activity_json(Collection::ordered(
        format!("{}/collections/featured", account.uri),
        items.len() as i64,
        Some(items),
    )))
}

/// POST /users/{name}/inbox
async fn user_inbox(
    State(state): State<AppState>,
    Path(name): Path<String>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    local_account(&state, &name).await?;
    receive(&state, method, uri, headers, body).await
}

/// POST /inbox (shared) and /actor/inbox
async fn shared_inbox(
    State(state): State<AppState>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    receive(&state, method, uri, headers, body).await
}

/// How long a delivery waits for a turn before it is told to come back.
const INBOX_WAIT: std::time::Duration = std::time::Duration::from_secs(1);
/// What it is told: ActivityPub servers retry a 429 after this long.
const INBOX_RETRY_AFTER_SECS: u64 = 10;

/// Verifies, de-duplicates and applies one delivered activity.
async fn receive(
    state: &AppState,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    // At most `inbox_concurrency` at once, as many waiting for a second at
    // most: past what the node can apply, more work in flight only adds
    // latency and memory (a 2,000/s flood held 1.4 GB and timed every
    // sender out; with no bound on how many wait, 275 MB). The turn is
    // held until the activity is applied, even if the sender hangs up.
    let Some(turn) = state.federation.inbox_slots.take(INBOX_WAIT).await else {
        tracing::info!("inbox busy: a delivery is asked to come back later");
        return Err(Error::TooManyRequests {
            retry_after_secs: INBOX_RETRY_AFTER_SECS,
        });
    };
    let activity: Activity = serde_json::from_slice(&body)
        .map_err(|e| Error::BadRequest(format!("not an activity: {e}")))?;
    // Before any key is fetched: a blocked server gets nothing from us.
    refuse_unfederated(
        state,
        [
            signing_host(&headers),
            activity.actor.id().and_then(authority_of),
        ],
    )
    .await?;
    let path = uri.0.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let signer = match verify::signer(state, method.as_str(), path, &headers, Some(&body)).await {
        Ok(signer) => signer,
        // The actor is gone and unknown here: nothing to delete.
        Err(verify::VerifyError::Key(FederationError::Fetch(
            super::client::FetchError::Status(404 | 410),
        ))) if activity.kind == "Delete" => {
            return Ok(StatusCode::ACCEPTED.into_response());
        }
        Err(e) => {
            tracing::info!(error = %e, "refused an unsigned or badly signed activity");
            return Err(Error::NotSigned(e.to_string()));
        }
    };
    if activity.actor.id() != Some(signer.uri.as_str()) {
        return Err(Error::NotSigned(
            "the activity's actor is not the signer".into(),
        ));
    }
    if signer.suspended_at.is_some() {
        return Err(Error::Forbidden("this account is suspended".into()));
    }
    // The signature itself, however its header is spelled: the same key
    // and signature bytes twice are the same signed request.
    let signature = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| SignatureHeader::parse(v).ok())
        .map(|sig| [sig.key_id.as_bytes(), b"\n", &sig.signature].concat())
        .unwrap_or_default();
    if !state
        .replays
        .first_time(&signature, std::time::Instant::now())
    {
        // Acknowledged, and nothing done: the same bytes twice are a replay
        // or a sender's over-eager retry, and neither may apply twice (nor
        // spend the sender's allowance below).
        tracing::info!(actor = %signer.uri, "ignored a replayed delivery");
        return Ok(StatusCode::ACCEPTED.into_response());
    }
    if let Some(host) = authority_of(&signer.uri)
        && let Err(e) = state.limits.inbox(&host)
    {
        // Refused, so it may come again unchanged.
        state.replays.forget(&signature);
        return Err(e);
    }
    // Applied apart from this request: a sender that hangs up (its timeout
    // is shorter than a slow classifier hook) must not cut the work off
    // half-way, with its id already recorded as received — its retry would
    // then be acknowledged and the activity lost.
    let state = state.clone();
    let work = tokio::spawn(async move {
        let _turn = turn;
        let applied = apply(&state, &signer, activity).await;
        if applied.is_err() {
            // The sender may try the very same request again.
            state.replays.forget(&signature);
        }
        applied
    });
    work.await.map_err(Error::internal)?
}

/// Records an activity's id; false if it was received before. In a
/// transaction of its own so that, on SQLite, it queues for its turn to
/// write with the others (see `Store::begin`).
async fn first_time(state: &AppState, id: &str) -> ApiResult<bool> {
    let mut tx = state.store.begin().await?;
    let first = tx.received().first_time(id).await?;
    tx.commit().await?;
    Ok(first)
}

/// Applies a verified activity once.
async fn apply(state: &AppState, signer: &Account, activity: Activity) -> ApiResult<Response> {
    // A host that was failing is back: its waiting deliveries are due now.
    // Only then is the delivery worker woken, or every activity received
    // would cost a claim (a write) for nothing.
    if let Some(host) = authority_of(&signer.uri)
        && !state.federation.healthy_peers.recently(&host)
    {
        if state
            .store
            .deliveries()
            .peer_alive(&host, Timestamp::now(), false)
            .await?
        {
            state.federation.wake.notify_one();
        }
        state.federation.healthy_peers.found(&host);
    }
    if let Some(id) = &activity.id
        && !first_time(state, id).await?
    {
        return Ok(StatusCode::ACCEPTED.into_response());
    }
    let id = activity.id.clone();
    match ingest::activity(state, signer, activity).await {
        Ok(()) => Ok(StatusCode::ACCEPTED.into_response()),
        Err(e) => {
            // Let a retry run it again.
            if let Some(id) = &id {
                let mut tx = state.store.begin().await?;
                tx.received().forget(id).await?;
                tx.commit().await?;
            }
            Err(match e {
                FederationError::Invalid(m) => Error::BadRequest(m),
                FederationError::Service(ServiceError::NotFound) => Error::NotFound,
                FederationError::Service(ServiceError::Forbidden) => {
                    Error::Forbidden("not allowed".into())
                }
                FederationError::Service(e) => e.into(),
                FederationError::Fetch(e) => {
                    Error::BadRequest(format!("cannot fetch a referenced object: {e}"))
                }
            })
        }
    }
}
