//! Public pages rendered by the server, for visitors without an account
//! and without JavaScript — what a partner or a search engine sees when
//! following a link: profiles (`/@alice`, `/@alice/tagged/rust`), posts
//! (`/@alice/ID`) and hashtags (`/tags/rust`), with OpenGraph and Twitter
//! card tags for link previews (`meta`) and posts drawn by `card`.
//!
//! What anonymous visitors may see is decided once: the store's `VISIBLE`
//! rule for `Viewer::ANONYMOUS`, then `render::is_public` (not company-only,
//! published, public or unlisted). Lists show `public` posts only, never
//! boosts; a post page also shows an unlisted post (reachable by link, as
//! on Mastodon). Anything else is a 404, the same as a missing post.
//! Federation requests for profiles and posts
//! (`Accept: application/activity+json`) are redirected to the
//! ActivityStreams documents. These pages must not show anything a
//! signed-in user would see only because they are signed in.

mod card;
mod meta;
mod post;
mod profile;
mod tag;

use axum::Router;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::error::{ApiResult, Error};
use crate::federation::render;
use crate::model::{Account, Page as Window, Status, StatusId, Visibility};
use crate::service::views::{self, StatusView};
use crate::state::AppState;
use crate::store::Viewer;
use crate::web::html::{Page, escape};

/// Posts per page of a list.
const PAGE_SIZE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{handle}", get(profile::profile))
        .route("/{handle}/tagged/{tag}", get(profile::tagged))
        .route("/{handle}/{id}", get(post::post))
        .route("/tags/{tag}", get(tag::tag))
}

/// A local account by `@name`, as federation serves it (not suspended, not
/// the instance actor). Its pages also need it not to be limited.
async fn local_account(state: &AppState, handle: &str) -> ApiResult<Account> {
    let name = handle.strip_prefix('@').ok_or(Error::NotFound)?;
    state
        .store
        .accounts()
        .local_by_username(name)
        .await?
        .filter(|a| a.suspended_at.is_none() && a.actor_type != "Application")
        .ok_or(Error::NotFound)
}

/// Whether an author's posts may be shown to anonymous visitors: not
/// suspended or limited, alone or with their whole server.
fn presentable(account: &Account) -> bool {
    account.suspended_at.is_none() && account.silenced_at.is_none() && account.domain_limit == 0
}

/// Whether a status belongs in a public list.
fn listed(status: &Status) -> bool {
    render::is_public(status)
        && status.visibility() == Visibility::Public
        && status.reblog_of_id.is_none()
}

/// The `max_id` of an "Older posts" link; anything else is the first page.
struct Older {
    max_id: Option<i64>,
}

impl Older {
    fn of(uri: &Uri) -> Older {
        let max_id = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "max_id")
            .and_then(|(_, v)| v.parse().ok());
        Older { max_id }
    }

    fn window(&self) -> Window {
        Window {
            max_id: self.max_id,
            limit: PAGE_SIZE,
            ..Default::default()
        }
    }

    fn is_first(&self) -> bool {
        self.max_id.is_none()
    }

    /// The absolute URL of this page of the list at `path`.
    fn canonical(&self, base_url: &str, path: &str) -> String {
        match self.max_id {
            None => format!("{base_url}{path}"),
            Some(id) => format!("{base_url}{path}?max_id={id}"),
        }
    }
}

/// A hashtag in a path, as `service::urls` spells it (lower case,
/// percent-encoded).
fn encode_tag(tag: &str) -> String {
    url::form_urlencoded::byte_serialize(tag.to_lowercase().as_bytes()).collect()
}

/// A page of a list: the posts to show, and where older ones start.
struct Listing {
    posts: Vec<StatusView>,
    older: Option<StatusId>,
}

impl Listing {
    /// Keeps what may be listed; the page's last key is kept for paging,
    /// so that paging goes on past posts left out.
    async fn of(state: &AppState, statuses: Vec<Status>) -> ApiResult<Listing> {
        let older = (statuses.len() as i64 == PAGE_SIZE)
            .then(|| statuses.last().map(|s| s.id))
            .flatten();
        let shown: Vec<Status> = statuses.into_iter().filter(listed).collect();
        let mut posts = views::hydrate(&state.store, Viewer::ANONYMOUS, shown).await?;
        posts.retain(|v| presentable(&v.account));
        Ok(Listing { posts, older })
    }

    /// The posts and the paging links under a page at `path`.
    fn html(&self, state: &AppState, path: &str, first: bool, empty: &str) -> String {
        let mut out = String::new();
        for view in &self.posts {
            out.push_str(&card::card(view, &state.config, &state.media));
        }
        if self.posts.is_empty() {
            out.push_str(&format!("<p class=\"meta\">{empty}</p>"));
        }
        let newest = if first {
            String::new()
        } else {
            format!("<a href=\"{}\">Newest posts</a>", escape(path))
        };
        let older = self
            .older
            .map(|id| {
                format!(
                    "<a href=\"{}?max_id={id}\" rel=\"next\">Older posts</a>",
                    escape(path)
                )
            })
            .unwrap_or_default();
        if !(newest.is_empty() && older.is_empty()) {
            out.push_str(&format!("<nav class=\"pager\">{newest}{older}</nav>"));
        }
        out
    }
}

/// The site's name, and the link to the same thing in the web app (where
/// one signs in).
fn open_in_app(state: &AppState, path: &str) -> String {
    format!(
        "<nav class=\"open\"><strong>{}</strong><a href=\"{}\">Open in the app / Sign in</a></nav>",
        escape(&state.config.instance_title),
        escape(path)
    )
}

/// The page, saying that the same URL serves ActivityStreams too.
fn respond(page: Page, activity: Option<&str>) -> Response {
    let mut response = page.into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Some(uri) = activity
        && let Ok(link) = HeaderValue::from_str(&format!(
            "<{uri}>; rel=\"alternate\"; type=\"application/activity+json\""
        ))
    {
        headers.insert(header::LINK, link);
    }
    response
}

/// Where federation software finds the ActivityStreams document.
fn to_activity(uri: &str) -> Response {
    let mut response = Redirect::to(uri).into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}
