//! `/api/v1/timelines`, `/api/v1/favourites`, `/api/v1/bookmarks`.
//! The home, public and hashtag timelines read from the replica when there is
//! one (`Store::read_as`); favourites and bookmarks read the primary.

use crate::api::extract::Query;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::render;
use crate::api::extract::auth::{ReadBookmarks, ReadFavourites, ReadStatuses};
use crate::api::extract::body::lenient_bool;
use crate::api::extract::{MaybeUser, PageQuery, User};
use crate::error::ApiResult;
use crate::model::Status;
use crate::state::AppState;
use crate::store::{Locality, Mark, Store, TagQuery, Viewer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/timelines/public", get(public))
        .route("/api/v1/timelines/tag/{tag}", get(tag))
        .route("/api/v1/favourites", get(favourites))
        .route("/api/v1/bookmarks", get(bookmarks))
}

/// Renders a page read from `store` (the replica or the primary, as
/// `Store::read_as` decided).
async fn page_of(
    state: &AppState,
    store: &Store,
    viewer: Viewer,
    page: &PageQuery,
    statuses: Vec<Status>,
    context: &str,
) -> ApiResult<Response> {
    // Keys of the whole page, so that paging goes on past filtered posts.
    let keys: Vec<i64> = statuses.iter().map(|s| s.id.0).collect();
    let rendered = render::statuses_in_from(state, store, viewer, statuses, context).await?;
    Ok(page.respond(rendered, &keys))
}

/// GET /api/v1/timelines/home
async fn home(
    State(state): State<AppState>,
    me: User<ReadStatuses>,
    page: PageQuery,
) -> ApiResult<Response> {
    let (state, viewer, page) = (&state, me.viewer(), &page);
    let read = move |store: Store| async move {
        let statuses = store.statuses().home(viewer, &page.page(20, 40)).await?;
        page_of(state, &store, viewer, page, statuses, "home").await
    };
    state.store.read_as(viewer.account_id, read).await
}

#[derive(Deserialize, Default)]
struct PublicQuery {
    #[serde(default, deserialize_with = "lenient_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    only_media: Option<bool>,
}

/// GET /api/v1/timelines/public — `local=true` is the company timeline.
async fn public(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Query(q): Query<PublicQuery>,
    page: PageQuery,
) -> ApiResult<Response> {
    let viewer = viewer.viewer();
    let locality = match (q.local.unwrap_or(false), q.remote.unwrap_or(false)) {
        (true, _) => Locality::Local,
        (false, true) => Locality::Remote,
        _ => Locality::All,
    };
    let only_media = q.only_media.unwrap_or(false);
    let (state, page) = (&state, &page);
    let read = move |store: Store| async move {
        let statuses = store
            .statuses()
            .public(viewer, locality, only_media, &page.page(20, 40))
            .await?;
        page_of(state, &store, viewer, page, statuses, "public").await
    };
    state.store.read_as(viewer.account_id, read).await
}

/// Tags per `any[]`, `all[]` and `none[]`; more are ignored, as in Mastodon.
const TAGS_PER_MODE: usize = 4;

/// The timeline's tag and the `any[]`, `all[]`, `none[]` of the query.
fn tag_query(tag: &str, uri: &Uri, local: bool) -> TagQuery {
    let name = |t: &str| t.trim().trim_start_matches('#').to_owned();
    let (mut any, mut all, mut none) = (Vec::new(), Vec::new(), Vec::new());
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        let list = match k.as_ref() {
            "any[]" | "any" => &mut any,
            "all[]" | "all" => &mut all,
            "none[]" | "none" => &mut none,
            _ => continue,
        };
        let v = name(&v);
        if !v.is_empty() && list.len() < TAGS_PER_MODE {
            list.push(v);
        }
    }
    any.insert(0, name(tag));
    TagQuery {
        any,
        all,
        none,
        local,
    }
}

/// GET /api/v1/timelines/tag/{tag} — `local`, `any[]`, `all[]`, `none[]`.
async fn tag(
    State(state): State<AppState>,
    viewer: MaybeUser<ReadStatuses>,
    Path(tag): Path<String>,
    Query(q): Query<PublicQuery>,
    uri: Uri,
    page: PageQuery,
) -> ApiResult<Response> {
    let viewer = viewer.viewer();
    let query = tag_query(&tag, &uri, q.local.unwrap_or(false));
    let (state, page, query) = (&state, &page, &query);
    let read = move |store: Store| async move {
        let statuses = store
            .tags()
            .timeline(query, viewer, &page.page(20, 40))
            .await?;
        page_of(state, &store, viewer, page, statuses, "public").await
    };
    state.store.read_as(viewer.account_id, read).await
}

async fn marked(
    state: &AppState,
    viewer: Viewer,
    me: crate::model::AccountId,
    mark: Mark,
    page: &PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .interactions()
        .statuses(mark, me, &page.page(20, 40))
        .await?;
    let keys: Vec<i64> = rows.iter().map(|(k, _)| *k).collect();
    // Something marked may have become invisible since (a block, a follow
    // that ended): re-check, and keep the keys of the full page for paging.
    let mut visible = Vec::new();
    for (_, status) in rows {
        if let Some(s) = state
            .store
            .statuses()
            .visible_by_id(status.id, viewer)
            .await?
        {
            visible.push(s);
        }
    }
    let rendered = render::statuses(state, viewer, visible).await?;
    Ok(page.respond(rendered, &keys))
}

/// GET /api/v1/favourites
async fn favourites(
    State(state): State<AppState>,
    me: User<ReadFavourites>,
    page: PageQuery,
) -> ApiResult<Response> {
    marked(
        &state,
        me.viewer(),
        me.user.account.id,
        Mark::Favourite,
        &page,
    )
    .await
}

/// GET /api/v1/bookmarks
async fn bookmarks(
    State(state): State<AppState>,
    me: User<ReadBookmarks>,
    page: PageQuery,
) -> ApiResult<Response> {
    marked(
        &state,
        me.viewer(),
        me.user.account.id,
        Mark::Bookmark,
        &page,
    )
    .await
}
