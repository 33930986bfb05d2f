//! Public profile and post pages (`/@alice`, `/@alice/ID`): what a partner
//! sees when following a link from another server. Plain HTML, public posts
//! only; the same URLs send federation requests to the ActivityStreams
//! documents.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::html::{Page, escape};
use crate::error::{ApiResult, Error};
use crate::federation::{render, wants_activity_json};
use crate::model::{Account, Page as Window, Status, StatusId, Visibility};
use crate::state::AppState;
use crate::store::{AccountFilter, Viewer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{handle}", get(profile))
        .route("/{handle}/{id}", get(post))
}

async fn account(state: &AppState, handle: &str) -> ApiResult<Account> {
    let name = handle.strip_prefix('@').ok_or(Error::NotFound)?;
    state
        .store
        .accounts()
        .local_by_username(name)
        .await?
        .filter(|a| a.suspended_at.is_none() && a.actor_type != "Application")
        .ok_or(Error::NotFound)
}

fn shown(status: &Status) -> bool {
    render::is_public(status)
        && status.visibility() == Visibility::Public
        && status.reblog_of_id.is_none()
}

fn with_alternate(page: Page, uri: &str) -> Response {
    let mut response = page.into_response();
    if let Ok(link) = HeaderValue::from_str(&format!(
        "<{uri}>; rel=\"alternate\"; type=\"application/activity+json\""
    )) {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

fn post_html(account: &Account, status: &Status) -> String {
    let cw = if status.spoiler_text.is_empty() {
        String::new()
    } else {
        format!("<p><strong>{}</strong></p>", escape(&status.spoiler_text))
    };
    format!(
        "<article>{cw}{}<p><a href=\"{}\">{}</a></p></article>",
        status.content,
        escape(status.url.as_deref().unwrap_or(&status.uri)),
        escape(&format!(
            "{} · {}",
            account.username,
            status.created_at.to_rfc3339()
        )),
    )
}

/// GET /@{name}
async fn profile(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let account = account(&state, &handle).await?;
    if wants_activity_json(&headers) {
        return Ok(Redirect::to(&account.uri).into_response());
    }
    let window = Window {
        limit: 20,
        ..Default::default()
    };
    let posts = state
        .store
        .statuses()
        .by_account(
            account.id,
            Viewer::ANONYMOUS,
            AccountFilter::default(),
            &window,
        )
        .await?;
    let name = if account.display_name.is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    };
    let mut body = format!(
        "<h1>{}</h1><p>@{}@{}</p>{}",
        escape(&name),
        escape(&account.username),
        escape(&state.config.domain()),
        account.note
    );
    for status in posts.iter().filter(|s| shown(s)) {
        body.push_str(&post_html(&account, status));
    }
    Ok(with_alternate(Page::new(name, body), &account.uri))
}

/// GET /@{name}/{id}
async fn post(
    State(state): State<AppState>,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let account = account(&state, &handle).await?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let status = state
        .store
        .statuses()
        .by_id(StatusId(id))
        .await?
        .filter(|s| s.account_id == account.id && shown(s))
        .ok_or(Error::NotFound)?;
    if wants_activity_json(&headers) {
        return Ok(Redirect::to(&status.uri).into_response());
    }
    let body = post_html(&account, &status);
    Ok(with_alternate(
        Page::new(account.username.clone(), body),
        &status.uri,
    ))
}
