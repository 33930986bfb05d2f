//! `/api/v1/lists`: lists of followed accounts and their timelines.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::render;
use super::statuses::accounts_page;
use crate::api::extract::auth::{ReadLists, ReadStatuses, WriteLists};
use crate::api::extract::fields::Fields;
use crate::api::extract::{PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::model::AccountId;
use crate::state::AppState;
use crate::store::{List as Model, Store, UserWithAccount};

const POLICIES: [&str; 3] = ["followed", "list", "none"];
const MAX_TITLE: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lists", get(all).post(create))
        .route("/api/v1/lists/{id}", get(one).put(update).delete(delete))
        .route(
            "/api/v1/lists/{id}/accounts",
            get(members).post(add_members).delete(remove_members),
        )
        .route("/api/v1/accounts/{id}/lists", get(lists_of_account))
        .route("/api/v1/timelines/list/{id}", get(timeline))
}

#[derive(Serialize)]
pub struct List {
    id: String,
    title: String,
    replies_policy: String,
    exclusive: bool,
}

impl List {
    fn from_model(list: &Model) -> Self {
        Self {
            id: list.id.to_string(),
            title: list.title.clone(),
            replies_policy: list.replies_policy.clone(),
            exclusive: list.exclusive,
        }
    }
}

async fn owned(state: &AppState, me: &UserWithAccount, id: &str) -> ApiResult<Model> {
    state
        .store
        .lists()
        .get(me.account.id, render::id(id)?)
        .await?
        .ok_or(Error::NotFound)
}

fn title_of(fields: &Fields, required: bool) -> ApiResult<Option<String>> {
    match fields.get("title").map(str::trim) {
        None | Some("") if required => Err(Error::Validation("Title can't be blank".into())),
        Some("") => Err(Error::Validation("Title can't be blank".into())),
        Some(t) if t.chars().count() > MAX_TITLE => Err(Error::Validation(format!(
            "Title is too long (maximum is {MAX_TITLE} characters)"
        ))),
        other => Ok(other.map(str::to_owned)),
    }
}

fn policy_of(fields: &Fields) -> ApiResult<Option<String>> {
    match fields.get("replies_policy").filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) if POLICIES.contains(&p) => Ok(Some(p.to_owned())),
        Some(p) => Err(Error::Validation(format!(
            "replies_policy {p:?} is not one of followed, list, none"
        ))),
    }
}

/// GET /api/v1/lists
async fn all(State(state): State<AppState>, me: User<ReadLists>) -> ApiResult<Json<Vec<List>>> {
    let lists = state.store.lists().all(me.user.account.id).await?;
    Ok(Json(lists.iter().map(List::from_model).collect()))
}

/// GET /api/v1/lists/{id}
async fn one(
    State(state): State<AppState>,
    me: User<ReadLists>,
    Path(id): Path<String>,
) -> ApiResult<Json<List>> {
    Ok(Json(List::from_model(&owned(&state, &me.user, &id).await?)))
}

/// POST /api/v1/lists (`title`, `replies_policy`, `exclusive`)
async fn create(
    State(state): State<AppState>,
    me: User<WriteLists>,
    fields: Fields,
) -> ApiResult<Json<List>> {
    let title = title_of(&fields, true)?.unwrap_or_default();
    let policy = policy_of(&fields)?.unwrap_or_else(|| "list".into());
    let exclusive = fields.bool("exclusive")?.unwrap_or(false);
    let list = state
        .store
        .lists()
        .create(me.user.account.id, &title, &policy, exclusive)
        .await?;
    Ok(Json(List::from_model(&list)))
}

/// PUT /api/v1/lists/{id}
async fn update(
    State(state): State<AppState>,
    me: User<WriteLists>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<List>> {
    let mut list = owned(&state, &me.user, &id).await?;
    if let Some(title) = title_of(&fields, false)? {
        list.title = title;
    }
    if let Some(policy) = policy_of(&fields)? {
        list.replies_policy = policy;
    }
    list.exclusive = fields.bool("exclusive")?.unwrap_or(list.exclusive);
    state.store.lists().save(&list).await?;
    Ok(Json(List::from_model(&list)))
}

/// DELETE /api/v1/lists/{id}
async fn delete(
    State(state): State<AppState>,
    me: User<WriteLists>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let list = owned(&state, &me.user, &id).await?;
    state.store.lists().delete(list.id).await?;
    Ok(Json(serde_json::json!({})))
}

/// GET /api/v1/lists/{id}/accounts (`limit=0` lists everyone)
async fn members(
    State(state): State<AppState>,
    me: User<ReadLists>,
    Path(id): Path<String>,
    page: PageQuery,
    uri: Uri,
) -> ApiResult<Response> {
    let list = owned(&state, &me.user, &id).await?;
    let everyone = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .any(|(k, v)| k == "limit" && v == "0");
    let mut p = page.page(40, 80);
    if everyone {
        p.limit = 10_000;
    }
    let rows = state.store.lists().members(list.id, &p).await?;
    Ok(accounts_page(&state, &page, rows))
}

fn account_ids(fields: &Fields) -> ApiResult<Vec<AccountId>> {
    let ids: Vec<AccountId> = fields
        .pairs
        .iter()
        .filter(|(k, v)| (k == "account_ids[]" || k == "account_ids") && !v.is_empty())
        .map(|(_, v)| v.parse().map_err(|_| Error::NotFound))
        .collect::<ApiResult<_>>()?;
    // No ids is nothing to do, as on Mastodon.
    Ok(ids)
}

/// POST /api/v1/lists/{id}/accounts — only followed accounts may join.
async fn add_members(
    State(state): State<AppState>,
    me: User<WriteLists>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<serde_json::Value>> {
    let list = owned(&state, &me.user, &id).await?;
    let ids = account_ids(&fields)?;
    for account in &ids {
        if !state
            .store
            .follows()
            .relationship(me.user.account.id, *account)
            .await?
            .following
        {
            return Err(Error::NotFound);
        }
    }
    for account in ids {
        state.store.lists().add_member(list.id, account).await?;
    }
    Ok(Json(serde_json::json!({})))
}

/// DELETE /api/v1/lists/{id}/accounts
async fn remove_members(
    State(state): State<AppState>,
    me: User<WriteLists>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<serde_json::Value>> {
    let list = owned(&state, &me.user, &id).await?;
    for account in account_ids(&fields)? {
        state.store.lists().remove_member(list.id, account).await?;
    }
    Ok(Json(serde_json::json!({})))
}

/// GET /api/v1/accounts/{id}/lists — my lists that contain this account.
async fn lists_of_account(
    State(state): State<AppState>,
    me: User<ReadLists>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<List>>> {
    let lists = state
        .store
        .lists()
        .containing(me.user.account.id, render::id(&id)?)
        .await?;
    Ok(Json(lists.iter().map(List::from_model).collect()))
}

/// GET /api/v1/timelines/list/{id}
async fn timeline(
    State(state): State<AppState>,
    me: User<ReadStatuses>,
    Path(id): Path<String>,
    page: PageQuery,
) -> ApiResult<Response> {
    let list = owned(&state, &me.user, &id).await?;
    let (state, viewer, page, list) = (&state, me.viewer(), &page, &list);
    // The list and its owner were checked on the primary; its posts may
    // come from the replica.
    let read = move |store: Store| async move {
        let statuses = store
            .lists()
            .timeline(list, viewer, &page.page(20, 40))
            .await?;
        let keys: Vec<i64> = statuses.iter().map(|s| s.id.0).collect();
        let rendered = render::statuses_in_from(state, &store, viewer, statuses, "home").await?;
        Ok(page.respond(rendered, &keys))
    };
    state.store.read_as(viewer.account_id, read).await
}
