//! `/api/v1/accounts`, `/api/v1/follow_requests`, `/api/v1/blocks`,
//! `/api/v1/mutes`.

use crate::api::extract::Query;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::render;
use super::statuses::accounts_page;
use crate::api::entities::account::{Account, CredentialAccount};
use crate::api::entities::relationship::Relationship;
use crate::api::extract::auth::{
    Profile, ReadAccounts, ReadBlocks, ReadFollows, ReadMutes, ReadStatuses, WriteAccounts,
    WriteBlocks, WriteFollows, WriteMutes,
};
use crate::api::extract::body::{lenient_bool, one_or_many};
use crate::api::extract::fields::Fields;
use crate::api::extract::{FormOrJson, MaybeUser, PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::model::AccountId;
use crate::model::Visibility;
use crate::service::follows;
use crate::service::profile::{self, ProfileUpdate};
use crate::state::AppState;
use crate::store::{AccountFilter, FollowOptions, Store};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(update_credentials)
                .put(update_credentials)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::media::process::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/search", get(search_accounts))
        .route("/api/v1/accounts/relationships", get(relationships))
        .route(
            "/api/v1/accounts/familiar_followers",
            get(familiar_followers),
        )
        .route("/api/v1/accounts/{id}", get(get_account))
        .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
        .route("/api/v1/accounts/{id}/followers", get(followers))
        .route("/api/v1/accounts/{id}/following", get(following))
        .route("/api/v1/accounts/{id}/follow", post(follow))
        .route("/api/v1/accounts/{id}/unfollow", post(unfollow))
        .route("/api/v1/accounts/{id}/block", post(block))
        .route("/api/v1/accounts/{id}/unblock", post(unblock))
        .route("/api/v1/accounts/{id}/mute", post(mute))
        .route("/api/v1/accounts/{id}/unmute", post(unmute))
        .route("/api/v1/follow_requests", get(follow_requests))
        .route("/api/v1/follow_requests/{id}/authorize", post(authorize))
        .route("/api/v1/follow_requests/{id}/reject", post(reject))
        .route("/api/v1/blocks", get(blocks))
        .route("/api/v1/mutes", get(mutes))
}

/// GET /api/v1/accounts/verify_credentials — the signed-in user's account.
async fn verify_credentials(
    State(state): State<AppState>,
    me: User<Profile>,
) -> ApiResult<Json<CredentialAccount>> {
    let pending = state
        .store
        .follows()
        .request_count(me.user.account.id)
        .await?;
    Ok(Json(CredentialAccount::from_model(
        &me.user,
        &state.config,
        pending,
    )))
}

/// PATCH /api/v1/accounts/update_credentials — edit one's profile and
/// posting defaults (form, multipart or JSON).
async fn update_credentials(
    State(state): State<AppState>,
    me: User<WriteAccounts>,
    fields: Fields,
) -> ApiResult<Json<CredentialAccount>> {
    let avatar = match fields.file("avatar") {
        Some(file) => Some(profile::store_image(&state.media, file.bytes.to_vec()).await?),
        None => None,
    };
    let header = match fields.file("header") {
        Some(file) => Some(profile::store_image(&state.media, file.bytes.to_vec()).await?),
        None => None,
    };
    let mut profile_fields = Vec::new();
    for i in 0..16 {
        let name = fields.get(&format!("fields_attributes[{i}][name]"));
        let value = fields.get(&format!("fields_attributes[{i}][value]"));
        if name.is_none() && value.is_none() {
            continue;
        }
        let (name, value) = (
            name.unwrap_or_default().trim(),
            value.unwrap_or_default().trim(),
        );
        if !name.is_empty() || !value.is_empty() {
            profile_fields.push(crate::model::ProfileField {
                name: name.to_owned(),
                value: value.to_owned(),
                verified_at: None,
            });
        }
    }
    let touched_fields = fields
        .pairs
        .iter()
        .any(|(k, _)| k.starts_with("fields_attributes"));
    let privacy = match fields.get("source[privacy]") {
        None => None,
        Some(p) => Some(Visibility::parse(p).ok_or_else(|| {
            Error::Validation(format!(
                "source[privacy] {p:?} is not one of public, unlisted, private, direct"
            ))
        })?),
    };
    let change = ProfileUpdate {
        display_name: fields.get("display_name").map(str::to_owned),
        note: fields.get("note").map(str::to_owned),
        locked: fields.bool("locked")?,
        bot: fields.bool("bot")?,
        discoverable: fields.bool("discoverable")?,
        indexable: fields.bool("indexable")?,
        fields: touched_fields.then_some(profile_fields),
        privacy,
        sensitive: fields.bool("source[sensitive]")?,
        language: fields
            .get("source[language]")
            .map(|l| Some(l.to_owned()).filter(|l| !l.is_empty())),
        local_only: fields.bool("source[local_only]")?,
        avatar_url: avatar,
        header_url: header,
    };
    let updated = profile::update(&state.store, &state.config, &me.user, change).await?;
    let pending = state
        .store
        .follows()
        .request_count(updated.account.id)
        .await?;
    Ok(Json(CredentialAccount::from_model(
        &updated,
        &state.config,
        pending,
    )))
}

/// GET /api/v1/accounts/{id}
async fn get_account(
    State(state): State<AppState>,
    _viewer: MaybeUser<ReadAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    let account = follows::target(&state.store, render::id(&id)?).await?;
    Ok(Json(Account::from_model(&account, &state.config)))
}

#[derive(Deserialize)]
struct LookupQuery {
    acct: Option<String>,
}

/// GET /api/v1/accounts/lookup?acct=alice (or alice@this.domain)
async fn lookup(
    State(state): State<AppState>,
    _viewer: MaybeUser<ReadAccounts>,
    Query(q): Query<LookupQuery>,
) -> ApiResult<Json<Account>> {
    let acct = q.acct.unwrap_or_default();
    let acct = acct.trim_start_matches('@');
    let (username, domain) = match acct.split_once('@') {
        Some((u, d)) => (u, Some(d.to_ascii_lowercase())),
        None => (acct, None),
    };
    // Other servers' accounts are found when this server knows them already,
    // as in Mastodon (no WebFinger here: search with `resolve` does that).
    let found = match domain.as_deref() {
        Some(d) if d != state.config.domain() => state
            .store
            .accounts()
            .remote_by_handle(username, d)
            .await?
            .filter(|a| a.domain_limit < 2),
        _ => state.store.accounts().local_by_username(username).await?,
    };
    let account = found.ok_or(Error::NotFound)?;
    let account = follows::target(&state.store, account.id).await?;
    Ok(Json(Account::from_model(&account, &state.config)))
}

#[derive(Deserialize)]
struct AccountSearchQuery {
    q: Option<String>,
    limit: Option<i64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    following: Option<bool>,
}

/// GET /api/v1/accounts/search?q=… — for mention autocompletion.
async fn search_accounts(
    State(state): State<AppState>,
    me: User<ReadAccounts>,
    Query(q): Query<AccountSearchQuery>,
) -> ApiResult<Json<Vec<Account>>> {
    let text = q.q.unwrap_or_default();
    let text = text.trim().trim_start_matches('@');
    if text.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let name = match text.split_once('@') {
        Some((user, domain)) if domain.eq_ignore_ascii_case(&state.config.domain()) => user,
        _ => text,
    };
    let following_of = q.following.unwrap_or(false).then_some(me.user.account.id);
    let found = state
        .store
        .search()
        .accounts(name, following_of, q.limit.unwrap_or(40).clamp(1, 80))
        .await?;
    Ok(Json(
        found
            .iter()
            .map(|a| Account::from_model(a, &state.config))
            .collect(),
    ))
}

/// GET /api/v1/accounts/relationships?id[]=…
async fn relationships(
    State(state): State<AppState>,
    me: User<ReadFollows>,
    uri: axum::http::Uri,
) -> ApiResult<Json<Vec<Relationship>>> {
    let ids: Vec<AccountId> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k == "id[]" || k == "id")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if state.store.accounts().by_id(id).await?.is_some() {
            let r = state
                .store
                .follows()
                .relationship(me.user.account.id, id)
                .await?;
            out.push(Relationship::from_model(id, &r));
        }
    }
    Ok(Json(out))
}

/// GET /api/v1/accounts/familiar_followers — not computed yet: an entry
/// with no accounts for each id asked.
async fn familiar_followers(
    _me: User<ReadFollows>,
    uri: axum::http::Uri,
) -> Json<Vec<serde_json::Value>> {
    let ids: Vec<serde_json::Value> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k == "id[]" || k == "id")
            .map(|(_, v)| serde_json::json!({ "id": v, "accounts": [] }))
            .collect();
    Json(ids)
}

#[derive(Deserialize, Default)]
struct AccountStatusesQuery {
    #[serde(default, deserialize_with = "lenient_bool")]
    pinned: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    only_media: Option<bool>,
    tagged: Option<String>,
}

/// GET /api/v1/accounts/{id}/statuses
async fn account_statuses(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Path(id): Path<String>,
    Query(q): Query<AccountStatusesQuery>,
    page: PageQuery,
) -> ApiResult<Response> {
    let viewer = viewer.viewer();
    let account = follows::target(&state.store, render::id(&id)?).await?;
    let tagged = q
        .tagged
        .as_deref()
        .map(|t| t.trim_start_matches('#'))
        .filter(|t| !t.is_empty());
    let filter = AccountFilter {
        only_media: q.only_media.unwrap_or(false),
        tagged,
        exclude_replies: q.exclude_replies.unwrap_or(false),
        exclude_reblogs: q.exclude_reblogs.unwrap_or(false),
        only_pinned: q.pinned.unwrap_or(false),
        only_public: false,
    };
    // The account was found on the primary; its posts may come from the
    // replica.
    let (state, page, account_id) = (&state, &page, account.id);
    let read = move |store: Store| async move {
        let statuses = store
            .statuses()
            .by_account(account_id, viewer, filter, &page.page(20, 40))
            .await?;
        let keys: Vec<i64> = statuses.iter().map(|s| s.id.0).collect();
        let rendered = render::statuses_in_from(state, &store, viewer, statuses, "account").await?;
        Ok(page.respond(rendered, &keys))
    };
    state.store.read_as(viewer.account_id, read).await
}

/// GET /api/v1/accounts/{id}/followers
async fn followers(
    State(state): State<AppState>,
    _viewer: MaybeUser<ReadAccounts>,
    Path(id): Path<String>,
    page: PageQuery,
) -> ApiResult<Response> {
    let account = follows::target(&state.store, render::id(&id)?).await?;
    let rows = state
        .store
        .follows()
        .followers(account.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}

/// GET /api/v1/accounts/{id}/following
async fn following(
    State(state): State<AppState>,
    _viewer: MaybeUser<ReadAccounts>,
    Path(id): Path<String>,
    page: PageQuery,
) -> ApiResult<Response> {
    let account = follows::target(&state.store, render::id(&id)?).await?;
    let rows = state
        .store
        .follows()
        .following(account.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}

#[derive(Deserialize, Default)]
struct FollowForm {
    #[serde(default, deserialize_with = "lenient_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    notify: Option<bool>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[allow(dead_code)]
    languages: Vec<String>,
}

/// POST /api/v1/accounts/{id}/follow
async fn follow(
    State(state): State<AppState>,
    me: User<WriteFollows>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<FollowForm>,
) -> ApiResult<Json<Relationship>> {
    let target: AccountId = render::id(&id)?;
    let options = FollowOptions {
        show_reblogs: form.reblogs.unwrap_or(true),
        notify: form.notify.unwrap_or(false),
        uri: None,
    };
    let r = follows::follow(&state.store, &me.user, target, options).await?;
    Ok(Json(Relationship::from_model(target, &r)))
}

/// POST /api/v1/accounts/{id}/unfollow
async fn unfollow(
    State(state): State<AppState>,
    me: User<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let target: AccountId = render::id(&id)?;
    let r = follows::unfollow(&state.store, &me.user, target).await?;
    Ok(Json(Relationship::from_model(target, &r)))
}

/// POST /api/v1/accounts/{id}/block
async fn block(
    State(state): State<AppState>,
    me: User<WriteBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let target: AccountId = render::id(&id)?;
    let r = follows::block(&state.store, &me.user, target).await?;
    Ok(Json(Relationship::from_model(target, &r)))
}

/// POST /api/v1/accounts/{id}/unblock
async fn unblock(
    State(state): State<AppState>,
    me: User<WriteBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let target: AccountId = render::id(&id)?;
    let r = follows::unblock(&state.store, &me.user, target).await?;
    Ok(Json(Relationship::from_model(target, &r)))
}

#[derive(Deserialize, Default)]
struct MuteForm {
    #[serde(default, deserialize_with = "lenient_bool")]
    notifications: Option<bool>,
    duration: Option<serde_json::Value>,
}

/// POST /api/v1/accounts/{id}/mute — `duration` in seconds, 0 = forever.
async fn mute(
    State(state): State<AppState>,
    me: User<WriteMutes>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<MuteForm>,
) -> ApiResult<Json<Relationship>> {
    let duration = match form.duration {
        None => 0,
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| Error::Validation("duration must be whole seconds".into()))?,
        Some(serde_json::Value::String(s)) if s.is_empty() => 0,
        Some(serde_json::Value::String(s)) => s
            .parse()
            .map_err(|_| Error::Validation("duration must be whole seconds".into()))?,
        Some(_) => return Err(Error::Validation("duration must be whole seconds".into())),
    };
    let target: AccountId = render::id(&id)?;
    let r = follows::mute(
        &state.store,
        &me.user,
        target,
        form.notifications.unwrap_or(true),
        duration,
    )
    .await?;
    Ok(Json(Relationship::from_model(target, &r)))
}

/// POST /api/v1/accounts/{id}/unmute
async fn unmute(
    State(state): State<AppState>,
    me: User<WriteMutes>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let target: AccountId = render::id(&id)?;
    let r = follows::unmute(&state.store, &me.user, target).await?;
    Ok(Json(Relationship::from_model(target, &r)))
}

/// GET /api/v1/follow_requests
async fn follow_requests(
    State(state): State<AppState>,
    me: User<ReadFollows>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .follows()
        .requesters(me.user.account.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}

/// POST /api/v1/follow_requests/{id}/authorize
async fn authorize(
    State(state): State<AppState>,
    me: User<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let requester: AccountId = render::id(&id)?;
    let r = follows::authorize(&state.store, &me.user, requester).await?;
    Ok(Json(Relationship::from_model(requester, &r)))
}

/// POST /api/v1/follow_requests/{id}/reject
async fn reject(
    State(state): State<AppState>,
    me: User<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    let requester: AccountId = render::id(&id)?;
    let r = follows::reject(&state.store, &me.user, requester).await?;
    Ok(Json(Relationship::from_model(requester, &r)))
}

/// GET /api/v1/blocks
async fn blocks(
    State(state): State<AppState>,
    me: User<ReadBlocks>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .follows()
        .blocked(me.user.account.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}

/// GET /api/v1/mutes
async fn mutes(
    State(state): State<AppState>,
    me: User<ReadMutes>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .follows()
        .muted(me.user.account.id, &page.page(40, 80))
        .await?;
    Ok(accounts_page(&state, &page, rows))
}
