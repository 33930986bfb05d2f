//! `/api/v1/tags` (a hashtag, following it) and `/api/v1/followed_tags`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::api::extract::auth::{AnyScope, ReadFollows, WriteFollows};
use crate::api::extract::{MaybeUser, PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tags/{name}", get(get_tag))
        .route("/api/v1/tags/{name}/follow", post(follow))
        .route("/api/v1/tags/{name}/unfollow", post(unfollow))
        .route("/api/v1/followed_tags", get(followed))
}

pub(super) fn tag_json(state: &AppState, id: i64, name: &str, following: bool) -> Value {
    let lower = name.to_lowercase();
    json!({
        "id": id.to_string(),
        "name": lower,
        "url": crate::service::urls::tag_url(&state.config, &lower),
        "history": [],
        "following": following,
    })
}

/// A hashtag name as Mastodon accepts it: letters, digits, underscores.
fn check_name(name: &str) -> ApiResult<&str> {
    let name = name.trim_start_matches('#');
    let ok = !name.is_empty()
        && name.chars().count() <= 100
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ok { Ok(name) } else { Err(Error::NotFound) }
}

/// GET /api/v1/tags/{name} — a hashtag that has been used or followed.
async fn get_tag(
    State(state): State<AppState>,
    viewer: MaybeUser<AnyScope>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (id, _) = state
        .store
        .search()
        .visible_tag(check_name(&name)?, viewer.viewer())
        .await?
        .ok_or(Error::NotFound)?;
    let following = match &viewer.user {
        Some(me) => state.store.tags().is_followed(me.account.id, id).await?,
        None => false,
    };
    Ok(Json(tag_json(&state, id, &name, following)))
}

/// POST /api/v1/tags/{name}/follow — public posts with it join the home feed.
async fn follow(
    State(state): State<AppState>,
    me: User<WriteFollows>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (id, stored) = state
        .store
        .tags()
        .find_or_create(check_name(&name)?)
        .await?;
    state.store.tags().follow(me.user.account.id, id).await?;
    Ok(Json(tag_json(&state, id, &stored, true)))
}

/// POST /api/v1/tags/{name}/unfollow
async fn unfollow(
    State(state): State<AppState>,
    me: User<WriteFollows>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (id, stored) = state
        .store
        .statuses()
        .tag_by_name(check_name(&name)?)
        .await?
        .ok_or(Error::NotFound)?;
    state.store.tags().unfollow(me.user.account.id, id).await?;
    Ok(Json(tag_json(&state, id, &stored, false)))
}

/// GET /api/v1/followed_tags
async fn followed(
    State(state): State<AppState>,
    me: User<ReadFollows>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .tags()
        .followed(me.user.account.id, &page.page(100, 200))
        .await?;
    let keys: Vec<i64> = rows.iter().map(|(k, _, _)| *k).collect();
    let tags: Vec<Value> = rows
        .iter()
        .map(|(_, id, name)| tag_json(&state, *id, name, true))
        .collect();
    Ok(page.respond(tags, &keys))
}
