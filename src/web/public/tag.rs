//! A hashtag's page (`/tags/rust`, where hashtags in posts link to): the
//! public posts written here with the tag, newest first. Other servers'
//! posts are left out: these pages speak for the company.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;

use super::meta::Meta;
use super::{Listing, Older, encode_tag, open_in_app, respond};
use crate::error::{ApiResult, Error};
use crate::state::AppState;
use crate::store::{TagQuery, Viewer};
use crate::text::is_hashtag;
use crate::web::html::{Page, escape};

/// GET /tags/{tag} — `?max_id=` for older posts.
pub async fn tag(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    let tag = tag.trim_start_matches('#');
    if !is_hashtag(tag) {
        return Err(Error::NotFound);
    }
    let (_, name) = state
        .store
        .statuses()
        .tag_by_name(tag)
        .await?
        .ok_or(Error::NotFound)?;
    let older = Older::of(&uri);
    let query = TagQuery {
        any: vec![name.clone()],
        local: true,
        ..Default::default()
    };
    let statuses = state
        .store
        .tags()
        .timeline(&query, Viewer::ANONYMOUS, &older.window())
        .await?;
    let listing = Listing::of(&state, statuses).await?;

    let path = format!("/tags/{}", encode_tag(&name));
    let site = &state.config.instance_title;
    let mut body = open_in_app(&state, &format!("/web{path}"));
    body.push_str(&format!(
        "<h1>#{}</h1><p class=\"meta\">Public posts from {}</p>",
        escape(&name),
        escape(site)
    ));
    body.push_str(&listing.html(&state, &path, older.is_first(), "No public posts yet."));
    let meta = Meta {
        kind: "website",
        title: format!("#{name}"),
        description: format!("Public posts tagged #{name} on {site}"),
        canonical: older.canonical(&state.config.base_url(), &path),
        image: None,
        published: None,
        username: None,
        activity: None,
        noindex: false,
    };
    let page = Page::new(format!("#{name}"), body)
        .reading(meta.head(site))
        .with_media_from(super::card::media_origin(&state.config));
    Ok(respond(page, None))
}
