//! A profile page: header, avatar, name, bio, fields, counts and the
//! latest public posts (not replies to others, not boosts), newest first.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::card::{avatar_url, display_name, full_acct, is_ours};
use super::meta::{Image, Meta};
use super::{
    Listing, Older, encode_tag, local_account, open_in_app, presentable, respond, to_activity,
};
use crate::api::entities::account::default_avatar;
use crate::error::{ApiResult, Error};
use crate::federation::wants_activity_json;
use crate::model::Account;
use crate::state::AppState;
use crate::store::{AccountFilter, Viewer};
use crate::text::{is_hashtag, strip_html};
use crate::web::html::{Page, escape};

/// GET /@{name} — the profile; `?max_id=` for older posts.
pub async fn profile(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    show(&state, &handle, None, &Older::of(&uri), &headers).await
}

/// GET /@{name}/tagged/{tag} — the profile with its posts with a hashtag
/// (the `url` of a featured tag).
pub async fn tagged(
    State(state): State<AppState>,
    Path((handle, tag)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let tag = tag.trim_start_matches('#');
    if !is_hashtag(tag) {
        return Err(Error::NotFound);
    }
    show(&state, &handle, Some(tag), &Older::of(&uri), &headers).await
}

async fn show(
    state: &AppState,
    handle: &str,
    tag: Option<&str>,
    older: &Older,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let account = local_account(state, handle).await?;
    if wants_activity_json(headers) {
        return Ok(to_activity(&account.uri));
    }
    if !presentable(&account) {
        return Err(Error::NotFound);
    }
    let filter = AccountFilter {
        tagged: tag,
        exclude_replies: true,
        exclude_reblogs: true,
        only_public: true,
        ..Default::default()
    };
    let statuses = state
        .store
        .statuses()
        .by_account(account.id, Viewer::ANONYMOUS, filter, &older.window())
        .await?;
    let listing = Listing::of(state, statuses).await?;
    let posts = state.store.stats().public_statuses_of(account.id).await?;

    let name = display_name(&account);
    let acct = full_acct(&account, &state.config);
    let path = match tag {
        None => format!("/@{}", account.username),
        Some(tag) => format!("/@{}/tagged/{}", account.username, encode_tag(tag)),
    };
    let mut body = open_in_app(state, &format!("/web/@{}", account.username));
    body.push_str(&header_html(state, &account, posts));
    if let Some(tag) = tag {
        body.push_str(&format!("<h2>#{}</h2>", escape(tag)));
    }
    body.push_str(&listing.html(state, &path, older.is_first(), "No public posts yet."));

    let bio = strip_html(&account.note);
    let meta = Meta {
        kind: "profile",
        title: match tag {
            None => format!("{name} ({acct})"),
            Some(tag) => format!("#{tag} · {name} ({acct})"),
        },
        description: if bio.trim().is_empty() {
            format!("Public posts by {name} on {}", state.config.instance_title)
        } else {
            bio
        },
        canonical: older.canonical(&state.config.base_url(), &path),
        image: Some(Image {
            url: account
                .avatar_url
                .clone()
                .unwrap_or_else(|| default_avatar(&state.config)),
            alt: format!("Avatar of {name}"),
            size: None,
            large: false,
        }),
        published: None,
        username: Some(acct.trim_start_matches('@').to_owned()),
        activity: Some(account.uri.clone()),
        noindex: !account.indexable,
    };
    let page = Page::new(format!("{name} ({acct})"), body)
        .reading(meta.head(&state.config.instance_title))
        .with_media_from(super::card::media_origin(&state.config));
    Ok(respond(page, Some(&account.uri)))
}

/// The top of the page: pictures, names, bio, fields and counts.
fn header_html(state: &AppState, account: &Account, posts: i64) -> String {
    let config = &state.config;
    let name = display_name(account);
    let banner = account
        .header_url
        .as_deref()
        .filter(|url| is_ours(config, url))
        .map(|url| format!("<img class=\"banner\" src=\"{}\" alt=\"\">", escape(url)))
        .unwrap_or_default();
    let avatar = avatar_url(account, config)
        .map(|url| {
            format!(
                "<img class=\"avatar\" src=\"{}\" alt=\"Avatar of {}\" width=\"80\" height=\"80\">",
                escape(&url),
                escape(name)
            )
        })
        .unwrap_or_default();
    // Local fields hold the text their owner typed.
    let fields: String = account
        .profile_fields()
        .iter()
        .map(|f| format!("<dt>{}</dt><dd>{}</dd>", escape(&f.name), escape(&f.value)))
        .collect();
    let fields = if fields.is_empty() {
        fields
    } else {
        format!("<dl class=\"fields\">{fields}</dl>")
    };
    let bot = if account.bot {
        " <small>(automated)</small>"
    } else {
        ""
    };
    format!(
        "<section class=\"profile\">{banner}{avatar}<h1>{}{bot}</h1><p class=\"acct\">{}</p>\
         <div class=\"note\">{}</div>{fields}<p class=\"counts\"><span><strong>{posts}</strong> posts</span>\
         <span><strong>{}</strong> following</span><span><strong>{}</strong> followers</span></p></section>",
        escape(name),
        escape(&full_acct(account, config)),
        account.note,
        account.following_count,
        account.followers_count,
    )
}
