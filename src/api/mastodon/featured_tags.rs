//! `/api/v1/featured_tags` and `/api/v1/accounts/{id}/featured_tags`.

use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::render;
use super::tags::tag_json;
use crate::api::entities::featured_tag::featured_tag;
use crate::api::extract::auth::{ReadAccounts, WriteAccounts};
use crate::api::extract::{FormOrJson, MaybeUser, User};
use crate::error::ApiResult;
use crate::service::{featured_tags, follows};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/featured_tags", get(list).post(feature))
        .route("/api/v1/featured_tags/{id}", delete(unfeature))
        .route("/api/v1/featured_tags/suggestions", get(suggestions))
        .route("/api/v1/accounts/{id}/featured_tags", get(of_account))
}

/// GET /api/v1/featured_tags
async fn list(
    State(state): State<AppState>,
    me: User<ReadAccounts>,
) -> ApiResult<Json<Vec<Value>>> {
    let account = &me.user.account;
    let tags = featured_tags::featured(&state.store, account.id, me.viewer()).await?;
    Ok(Json(
        tags.iter()
            .map(|f| featured_tag(f, &account.username, &state.config))
            .collect(),
    ))
}

#[derive(Deserialize)]
struct FeatureForm {
    #[serde(default)]
    name: String,
}

/// POST /api/v1/featured_tags — 422 for an invalid name, a tag already
/// featured, or past the limit.
async fn feature(
    State(state): State<AppState>,
    me: User<WriteAccounts>,
    FormOrJson(form): FormOrJson<FeatureForm>,
) -> ApiResult<Json<Value>> {
    let tag = featured_tags::feature(&state.store, me.viewer(), &form.name).await?;
    Ok(Json(featured_tag(
        &tag,
        &me.user.account.username,
        &state.config,
    )))
}

/// DELETE /api/v1/featured_tags/{id} — answers `{}`.
async fn unfeature(
    State(state): State<AppState>,
    me: User<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    featured_tags::unfeature(&state.store, me.user.account.id, render::id(&id)?).await?;
    Ok(Json(json!({})))
}

/// GET /api/v1/featured_tags/suggestions — tags of one's recent posts not
/// featured yet.
async fn suggestions(
    State(state): State<AppState>,
    me: User<ReadAccounts>,
) -> ApiResult<Json<Vec<Value>>> {
    let account = me.user.account.id;
    let mut tags = Vec::new();
    for (id, name) in state.store.featured_tags().suggestions(account, 10).await? {
        let following = state.store.tags().is_followed(account, id).await?;
        tags.push(tag_json(&state, id, &name, following));
    }
    Ok(Json(tags))
}

/// GET /api/v1/accounts/{id}/featured_tags — public.
async fn of_account(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let account = follows::target(&state.store, render::id(&id)?).await?;
    let tags = featured_tags::featured(&state.store, account.id, viewer.viewer()).await?;
    Ok(Json(
        tags.iter()
            .map(|f| featured_tag(f, &account.username, &state.config))
            .collect(),
    ))
}
