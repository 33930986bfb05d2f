//! A post's page: the post, a link to what it answers, and its public
//! replies below.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::card::{card, display_name, full_acct, is_ours, permalink};
use super::meta::{Image, Meta};
use super::{local_account, open_in_app, presentable, respond, to_activity};
use crate::api::entities::account::default_avatar;
use crate::api::entities::media::MediaAttachment;
use crate::error::{ApiResult, Error};
use crate::federation::{render, wants_activity_json};
use crate::model::{Status, StatusId};
use crate::service::views::{self, StatusView};
use crate::state::AppState;
use crate::store::Viewer;
use crate::text::strip_html;
use crate::web::html::{Page, escape};

/// Replies shown under a post, and how deep they are followed.
const REPLIES: i64 = 40;
const REPLY_DEPTH: i64 = 5;

/// GET /@{name}/{id}
pub async fn post(
    State(state): State<AppState>,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let account = local_account(&state, &handle).await?;
    let id: StatusId = id.parse().map_err(|_| Error::NotFound)?;
    let status = readable(&state, id)
        .await?
        .filter(|s| s.account_id == account.id && s.reblog_of_id.is_none())
        .ok_or(Error::NotFound)?;
    if wants_activity_json(&headers) {
        return Ok(to_activity(&status.uri));
    }
    let view = views::hydrate_one(&state.store, Viewer::ANONYMOUS, status)
        .await?
        .filter(|v| presentable(&v.account))
        .ok_or(Error::NotFound)?;

    let mut body = open_in_app(&state, &format!("/web/statuses/{}", view.status.id));
    if let Some(parent) = parent(&state, &view.status).await? {
        body.push_str(&format!(
            "<p class=\"meta\">In reply to <a href=\"{}\">{}</a></p>",
            escape(permalink(&parent)),
            escape(&full_acct(&parent.account, &state.config)),
        ));
    }
    body.push_str(&card(&view, &state.config, &state.media));
    let replies = replies(&state, view.status.id).await?;
    if !replies.is_empty() {
        body.push_str("<h2>Replies</h2>");
        for reply in &replies {
            body.push_str(&card(reply, &state.config, &state.media));
        }
    }

    let meta = meta(&state, &view);
    let title = format!(
        "{} ({})",
        display_name(&view.account),
        full_acct(&view.account, &state.config)
    );
    let page = Page::new(title, body)
        .reading(meta.head(&state.config.instance_title))
        .with_media_from(super::card::media_origin(&state.config));
    Ok(respond(page, Some(&view.status.uri)))
}

/// A status anonymous visitors may read: visible to nobody in particular,
/// and public or unlisted, published, not company-only.
async fn readable(state: &AppState, id: StatusId) -> ApiResult<Option<Status>> {
    Ok(state
        .store
        .statuses()
        .visible_by_id(id, Viewer::ANONYMOUS)
        .await?
        .filter(render::is_public))
}

/// The post this one answers, when visitors may read it.
async fn parent(state: &AppState, status: &Status) -> ApiResult<Option<StatusView>> {
    let Some(id) = status.in_reply_to_id else {
        return Ok(None);
    };
    let Some(parent) = readable(state, id).await? else {
        return Ok(None);
    };
    Ok(views::hydrate_one(&state.store, Viewer::ANONYMOUS, parent)
        .await?
        .filter(|v| presentable(&v.account)))
}

/// The replies visitors may read, in thread order.
async fn replies(state: &AppState, id: StatusId) -> ApiResult<Vec<StatusView>> {
    let replies: Vec<Status> = state
        .store
        .statuses()
        .descendants(id, Viewer::ANONYMOUS, REPLY_DEPTH, REPLIES)
        .await?
        .into_iter()
        .filter(render::is_public)
        .collect();
    let mut views = views::hydrate(&state.store, Viewer::ANONYMOUS, replies).await?;
    views.retain(|v| presentable(&v.account));
    Ok(views)
}

/// The link preview: the text (or the content warning instead), and the
/// first picture unless the post is sensitive, else the avatar.
fn meta(state: &AppState, view: &StatusView) -> Meta {
    let status = &view.status;
    let name = display_name(&view.account);
    let description = if status.spoiler_text.is_empty() {
        let text = strip_html(&status.content);
        if text.trim().is_empty() && !view.media.is_empty() {
            format!("Attached: {} media", view.media.len())
        } else {
            text
        }
    } else {
        status.spoiler_text.clone()
    };
    let hidden = status.sensitive || !status.spoiler_text.is_empty();
    let picture = view
        .media
        .iter()
        .filter(|_| !hidden)
        .find(|m| m.kind == "image")
        .and_then(|m| {
            let url = MediaAttachment::from_model(m, &state.media).url?;
            is_ours(&state.config, &url).then(|| Image {
                url,
                alt: m.description.clone(),
                size: Some((m.width, m.height)),
                large: true,
            })
        });
    let image = picture.unwrap_or_else(|| Image {
        url: view
            .account
            .avatar_url
            .clone()
            .unwrap_or_else(|| default_avatar(&state.config)),
        alt: format!("Avatar of {name}"),
        size: None,
        large: false,
    });
    Meta {
        kind: "article",
        title: format!("{name} ({})", full_acct(&view.account, &state.config)),
        description,
        canonical: permalink(view).to_owned(),
        image: Some(image),
        published: Some(status.created_at),
        username: None,
        activity: Some(status.uri.clone()),
        noindex: !view.account.indexable,
    }
}
