//! `/api/v2/filters` (filters with keywords and statuses) and the older
//! `/api/v1/filters` (one keyword each).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::render;
use crate::api::entities::filter as entity;
use crate::api::extract::User;
use crate::api::extract::auth::{ReadFilters, WriteFilters};
use crate::api::extract::fields::Fields;
use crate::api::extract::fields::nested_attributes;
use crate::error::{ApiResult, Error};
use crate::model::{AccountId, StatusId};
use crate::service::filters::{expiry, parse_contexts};
use crate::state::AppState;
use crate::store::Filter;

/// Keywords per filter, at most.
const MAX_KEYWORDS: usize = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/filters", get(list_v2).post(create_v2))
        .route(
            "/api/v2/filters/{id}",
            get(get_v2).put(update_v2).delete(delete_v2),
        )
        .route(
            "/api/v2/filters/{id}/keywords",
            get(list_keywords).post(add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(get_keyword).put(update_keyword).delete(delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(list_statuses).post(add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(get_status_entry).delete(delete_status_entry),
        )
        .route("/api/v1/filters", get(list_v1).post(create_v1))
        .route(
            "/api/v1/filters/{id}",
            get(get_v1).put(update_v1).delete(delete_v1),
        )
}

fn contexts_of(fields: &Fields) -> Vec<String> {
    fields
        .pairs
        .iter()
        .filter(|(k, v)| (k == "context[]" || k == "context") && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

fn action_of(fields: &Fields) -> ApiResult<Option<String>> {
    match fields.get("filter_action").filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a @ ("warn" | "hide")) => Ok(Some(a.to_owned())),
        Some(a) => Err(Error::Validation(format!(
            "filter_action {a:?} is not one of warn, hide"
        ))),
    }
}

/// Tells the owner's streams that their filters changed (Mastodon's
/// `filters_changed`), so that apps re-read them.
async fn filters_changed(state: &AppState, me: &User<WriteFilters>) {
    let event = crate::events::Event::FiltersChanged {
        account: me.user.account.id,
    };
    if let Err(e) = state.store.publish(event).await {
        tracing::warn!(error = %e, "cannot announce a filter change");
    }
}

async fn owned(state: &AppState, owner: AccountId, id: &str) -> ApiResult<Filter> {
    state
        .store
        .filters()
        .get(owner, render::id(id)?)
        .await?
        .ok_or(Error::NotFound)
}

async fn full(state: &AppState, f: &Filter) -> ApiResult<Value> {
    let keywords = state.store.filters().keywords(f.id).await?;
    let statuses: Vec<Value> = state
        .store
        .filters()
        .statuses(f.id)
        .await?
        .iter()
        .map(entity::status_entry)
        .collect();
    Ok(entity::filter(f, &keywords, &statuses))
}

fn check_keyword(keyword: &str) -> ApiResult<()> {
    if keyword.trim().is_empty() {
        return Err(Error::Validation("Keyword can't be blank".into()));
    }
    if keyword.chars().count() > 100 {
        return Err(Error::Validation(
            "Keyword is too long (maximum is 100 characters)".into(),
        ));
    }
    Ok(())
}

fn bool_of(value: Option<&String>, default: bool) -> bool {
    value.map_or(default, |v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "1" | "on" | "yes" | "t"
        )
    })
}

/// GET /api/v2/filters
async fn list_v2(
    State(state): State<AppState>,
    me: User<ReadFilters>,
) -> ApiResult<Json<Vec<Value>>> {
    let mut out = Vec::new();
    for f in state.store.filters().all(me.user.account.id).await? {
        out.push(full(&state, &f).await?);
    }
    Ok(Json(out))
}

/// GET /api/v2/filters/{id}
async fn get_v2(
    State(state): State<AppState>,
    me: User<ReadFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let f = owned(&state, me.user.account.id, &id).await?;
    Ok(Json(full(&state, &f).await?))
}

/// POST /api/v2/filters (`title`, `context[]`, `filter_action`,
/// `expires_in`, `keywords_attributes[][keyword|whole_word]`)
async fn create_v2(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let title = fields
        .get("title")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::Validation("Title can't be blank".into()))?;
    let context = parse_contexts(&contexts_of(&fields))?;
    let action = action_of(&fields)?.unwrap_or_else(|| "warn".into());
    let expires = expiry(fields.get("expires_in"))?.flatten();
    let keywords = nested_attributes(&fields.pairs, "keywords_attributes");
    if keywords.len() > MAX_KEYWORDS {
        return Err(Error::Validation(format!(
            "A filter can have at most {MAX_KEYWORDS} keywords"
        )));
    }
    for k in &keywords {
        check_keyword(k.get("keyword").map(String::as_str).unwrap_or_default())?;
    }
    let mut tx = state.store.begin().await?;
    let f = tx
        .filters()
        .create(me.user.account.id, title, &context, &action, expires)
        .await?;
    for k in &keywords {
        tx.filters()
            .add_keyword(f.id, &k["keyword"], bool_of(k.get("whole_word"), true))
            .await?;
    }
    tx.commit().await?;
    filters_changed(&state, &me).await;
    Ok(Json(full(&state, &f).await?))
}

/// PUT /api/v2/filters/{id} — also edits keywords by `id`, removes them
/// with `_destroy`, and adds those without an id.
async fn update_v2(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let owner = me.user.account.id;
    let mut f = owned(&state, owner, &id).await?;
    if let Some(title) = fields.get("title") {
        if title.trim().is_empty() {
            return Err(Error::Validation("Title can't be blank".into()));
        }
        f.title = title.trim().to_owned();
    }
    let contexts = contexts_of(&fields);
    if !contexts.is_empty() {
        f.context = parse_contexts(&contexts)?;
    }
    if let Some(action) = action_of(&fields)? {
        f.filter_action = action;
    }
    if let Some(expires) = expiry(fields.get("expires_in"))? {
        f.expires_at = expires;
    }
    let keywords = nested_attributes(&fields.pairs, "keywords_attributes");
    let mut tx = state.store.begin().await?;
    tx.filters().save(&f).await?;
    for k in &keywords {
        match k.get("id") {
            Some(kid) => {
                let kid: i64 = render::id(kid)?;
                let mut existing = tx
                    .filters()
                    .keyword(owner, kid)
                    .await?
                    .filter(|e| e.filter_id == f.id)
                    .ok_or(Error::NotFound)?;
                if bool_of(k.get("_destroy"), false) {
                    tx.filters().delete_keyword(kid).await?;
                    continue;
                }
                if let Some(word) = k.get("keyword") {
                    check_keyword(word)?;
                    existing.keyword = word.clone();
                }
                existing.whole_word = bool_of(k.get("whole_word"), existing.whole_word);
                tx.filters().save_keyword(&existing).await?;
            }
            None => {
                let word = k.get("keyword").map(String::as_str).unwrap_or_default();
                check_keyword(word)?;
                tx.filters()
                    .add_keyword(f.id, word, bool_of(k.get("whole_word"), true))
                    .await?;
            }
        }
    }
    tx.commit().await?;
    filters_changed(&state, &me).await;
    Ok(Json(full(&state, &f).await?))
}

/// DELETE /api/v2/filters/{id}
async fn delete_v2(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let f = owned(&state, me.user.account.id, &id).await?;
    state.store.filters().delete(f.id).await?;
    filters_changed(&state, &me).await;
    Ok(Json(json!({})))
}

/// GET /api/v2/filters/{id}/keywords
async fn list_keywords(
    State(state): State<AppState>,
    me: User<ReadFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let f = owned(&state, me.user.account.id, &id).await?;
    Ok(Json(
        state
            .store
            .filters()
            .keywords(f.id)
            .await?
            .iter()
            .map(entity::keyword)
            .collect(),
    ))
}

/// POST /api/v2/filters/{id}/keywords (`keyword`, `whole_word`)
async fn add_keyword(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let f = owned(&state, me.user.account.id, &id).await?;
    let word = fields.get("keyword").unwrap_or_default();
    check_keyword(word)?;
    let k = state
        .store
        .filters()
        .add_keyword(f.id, word, fields.bool("whole_word")?.unwrap_or(true))
        .await?;
    filters_changed(&state, &me).await;
    Ok(Json(entity::keyword(&k)))
}

/// GET /api/v2/filters/keywords/{id}
async fn get_keyword(
    State(state): State<AppState>,
    me: User<ReadFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let k = state
        .store
        .filters()
        .keyword(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(entity::keyword(&k)))
}

/// PUT /api/v2/filters/keywords/{id}
async fn update_keyword(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let mut k = state
        .store
        .filters()
        .keyword(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    if let Some(word) = fields.get("keyword") {
        check_keyword(word)?;
        k.keyword = word.to_owned();
    }
    k.whole_word = fields.bool("whole_word")?.unwrap_or(k.whole_word);
    state.store.filters().save_keyword(&k).await?;
    filters_changed(&state, &me).await;
    Ok(Json(entity::keyword(&k)))
}

/// DELETE /api/v2/filters/keywords/{id}
async fn delete_keyword(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let k = state
        .store
        .filters()
        .keyword(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    state.store.filters().delete_keyword(k.id).await?;
    filters_changed(&state, &me).await;
    Ok(Json(json!({})))
}

/// GET /api/v2/filters/{id}/statuses
async fn list_statuses(
    State(state): State<AppState>,
    me: User<ReadFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let f = owned(&state, me.user.account.id, &id).await?;
    Ok(Json(
        state
            .store
            .filters()
            .statuses(f.id)
            .await?
            .iter()
            .map(entity::status_entry)
            .collect(),
    ))
}

/// POST /api/v2/filters/{id}/statuses (`status_id`)
async fn add_status(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let f = owned(&state, me.user.account.id, &id).await?;
    let status: StatusId = render::id(fields.get("status_id").unwrap_or_default())?;
    crate::service::statuses::visible(&state.store, status, me.viewer()).await?;
    let entry = state.store.filters().add_status(f.id, status).await?;
    filters_changed(&state, &me).await;
    Ok(Json(entity::status_entry(&entry)))
}

/// GET /api/v2/filters/statuses/{id}
async fn get_status_entry(
    State(state): State<AppState>,
    me: User<ReadFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entry = state
        .store
        .filters()
        .status_entry(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(entity::status_entry(&entry)))
}

/// DELETE /api/v2/filters/statuses/{id}
async fn delete_status_entry(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entry = state
        .store
        .filters()
        .status_entry(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    state.store.filters().delete_status_entry(entry.id).await?;
    filters_changed(&state, &me).await;
    Ok(Json(json!({})))
}

/// GET /api/v1/filters — every keyword as a v1 filter.
async fn list_v1(
    State(state): State<AppState>,
    me: User<ReadFilters>,
) -> ApiResult<Json<Vec<Value>>> {
    let mut out = Vec::new();
    for f in state.store.filters().all(me.user.account.id).await? {
        for k in state.store.filters().keywords(f.id).await? {
            out.push(entity::v1(&f, &k));
        }
    }
    Ok(Json(out))
}

async fn v1_parts(
    state: &AppState,
    owner: AccountId,
    id: &str,
) -> ApiResult<(Filter, crate::store::FilterKeyword)> {
    let k = state
        .store
        .filters()
        .keyword(owner, render::id(id)?)
        .await?
        .ok_or(Error::NotFound)?;
    let f = state
        .store
        .filters()
        .get(owner, k.filter_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((f, k))
}

/// GET /api/v1/filters/{id}
async fn get_v1(
    State(state): State<AppState>,
    me: User<ReadFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (f, k) = v1_parts(&state, me.user.account.id, &id).await?;
    Ok(Json(entity::v1(&f, &k)))
}

/// POST /api/v1/filters (`phrase`, `context[]`, `irreversible`,
/// `whole_word`, `expires_in`): a filter with one keyword.
async fn create_v1(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let phrase = fields.get("phrase").unwrap_or_default();
    check_keyword(phrase)?;
    let context = parse_contexts(&contexts_of(&fields))?;
    let action = if fields.bool("irreversible")?.unwrap_or(false) {
        "hide"
    } else {
        "warn"
    };
    let expires = expiry(fields.get("expires_in"))?.flatten();
    let mut tx = state.store.begin().await?;
    let f = tx
        .filters()
        .create(me.user.account.id, phrase, &context, action, expires)
        .await?;
    let k = tx
        .filters()
        .add_keyword(f.id, phrase, fields.bool("whole_word")?.unwrap_or(true))
        .await?;
    tx.commit().await?;
    filters_changed(&state, &me).await;
    Ok(Json(entity::v1(&f, &k)))
}

/// PUT /api/v1/filters/{id}
async fn update_v1(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
    fields: Fields,
) -> ApiResult<Json<Value>> {
    let (mut f, mut k) = v1_parts(&state, me.user.account.id, &id).await?;
    if let Some(phrase) = fields.get("phrase") {
        check_keyword(phrase)?;
        k.keyword = phrase.to_owned();
    }
    let contexts = contexts_of(&fields);
    if !contexts.is_empty() {
        f.context = parse_contexts(&contexts)?;
    }
    if let Some(irreversible) = fields.bool("irreversible")? {
        f.filter_action = if irreversible { "hide" } else { "warn" }.into();
    }
    k.whole_word = fields.bool("whole_word")?.unwrap_or(k.whole_word);
    if let Some(expires) = expiry(fields.get("expires_in"))? {
        f.expires_at = expires;
    }
    let mut tx = state.store.begin().await?;
    tx.filters().save(&f).await?;
    tx.filters().save_keyword(&k).await?;
    tx.commit().await?;
    filters_changed(&state, &me).await;
    Ok(Json(entity::v1(&f, &k)))
}

/// DELETE /api/v1/filters/{id} — the keyword, and its filter if it was the last.
async fn delete_v1(
    State(state): State<AppState>,
    me: User<WriteFilters>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (f, k) = v1_parts(&state, me.user.account.id, &id).await?;
    state.store.filters().delete_keyword(k.id).await?;
    if state.store.filters().keywords(f.id).await?.is_empty()
        && state.store.filters().statuses(f.id).await?.is_empty()
    {
        state.store.filters().delete(f.id).await?;
    }
    filters_changed(&state, &me).await;
    Ok(Json(json!({})))
}
