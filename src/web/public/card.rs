//! One post as HTML that works without JavaScript: a content warning is a
//! `<details>` element, sensitive media sit behind another, times are
//! `<time datetime>`, pictures carry their descriptions as `alt`.
//!
//! The pages' CSP allows images from this server only, so other servers'
//! pictures (avatars, attachments of remote replies) become links.

use crate::api::entities::media::MediaAttachment;
use crate::config::Config;
use crate::media::MediaStore;
use crate::model::Account;
use crate::model::media::Media;
use crate::service::polls::PollView;
use crate::service::views::StatusView;
use crate::web::html::escape;

/// A name to show: the display name, or the user name without one.
pub fn display_name(account: &Account) -> &str {
    if account.display_name.trim().is_empty() {
        &account.username
    } else {
        &account.display_name
    }
}

/// `@alice@social.example`, for local accounts too.
pub fn full_acct(account: &Account, config: &Config) -> String {
    let domain = account.domain.clone().unwrap_or_else(|| config.domain());
    format!("@{}@{domain}", account.username)
}

/// Where an account's profile lives.
pub fn profile_url(account: &Account) -> &str {
    account.url.as_deref().unwrap_or(&account.uri)
}

/// Whether `url` is served by this server or its media store (the
/// origins the pages' CSP lets images come from).
pub fn is_ours(config: &Config, url: &str) -> bool {
    let under = |base: &str| {
        url.strip_prefix(base.trim_end_matches('/'))
            .is_some_and(|rest| rest.starts_with('/'))
    };
    under(&config.base_url())
        || (!config.media_base_url.is_empty() && under(&config.media_base_url))
}

/// The origin of `media_base_url`, when media are served from elsewhere.
pub fn media_origin(config: &Config) -> Option<String> {
    let url = url::Url::parse(&config.media_base_url).ok()?;
    Some(url.origin().ascii_serialization()).filter(|o| o != "null")
}

/// The avatar's absolute URL, when this server serves it.
pub fn avatar_url(account: &Account, config: &Config) -> Option<String> {
    let url = account
        .avatar_url
        .clone()
        .unwrap_or_else(|| crate::api::entities::account::default_avatar(config));
    is_ours(config, &url).then_some(url)
}

/// A human-readable time in UTC, inside a machine-readable `<time>`.
pub fn time(at: crate::model::Timestamp) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        at.to_rfc3339(),
        at.to_datetime().format("%-d %b %Y, %H:%M UTC")
    )
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A post's permalink: its page here, or where its server shows it.
pub fn permalink(view: &StatusView) -> &str {
    view.status.url.as_deref().unwrap_or(&view.status.uri)
}

/// The post as an `<article>`.
pub fn card(view: &StatusView, config: &Config, files: &MediaStore) -> String {
    let status = &view.status;
    let author = &view.account;
    let avatar = avatar_url(author, config)
        .map(|url| {
            format!(
                "<img class=\"avatar\" src=\"{}\" alt=\"\" width=\"40\" height=\"40\" loading=\"lazy\">",
                escape(&url)
            )
        })
        .unwrap_or_default();
    let byline = format!(
        "<header class=\"byline\">{avatar}<a href=\"{}\"><strong>{}</strong> <span class=\"acct\">{}</span></a></header>",
        escape(profile_url(author)),
        escape(display_name(author)),
        escape(&full_acct(author, config)),
    );
    let lang = status
        .language
        .as_deref()
        .map(|l| format!(" lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    let content = format!("<div class=\"content\"{lang}>{}</div>", status.content);
    let mut media = media_html(&view.media, config, files);
    if status.sensitive && !media.is_empty() && status.spoiler_text.is_empty() {
        media = format!("<details><summary>Sensitive media</summary>{media}</details>");
    }
    let poll = view.poll.as_ref().map(poll_html).unwrap_or_default();
    let body = if status.spoiler_text.is_empty() {
        format!("{content}{media}{poll}")
    } else {
        format!(
            "<details class=\"cw\"><summary><strong>{}</strong> · Show more</summary>{content}{media}{poll}</details>",
            escape(&status.spoiler_text)
        )
    };
    let counts = [
        plural(status.replies_count, "reply", "replies"),
        plural(status.reblogs_count, "boost", "boosts"),
        plural(status.favourites_count, "favourite", "favourites"),
    ]
    .join(" · ");
    let edited = if status.edited_at.is_some() {
        " · edited"
    } else {
        ""
    };
    format!(
        "<article class=\"post\">{byline}{body}<footer class=\"meta\"><a href=\"{}\">{}</a>{edited} · {counts}</footer></article>",
        escape(permalink(view)),
        time(status.created_at),
    )
}

fn media_html(media: &[Media], config: &Config, files: &MediaStore) -> String {
    let items: String = media
        .iter()
        .filter_map(|m| attachment_html(m, config, files))
        .collect();
    if items.is_empty() {
        items
    } else {
        format!("<div class=\"media\">{items}</div>")
    }
}

fn attachment_html(media: &Media, config: &Config, files: &MediaStore) -> Option<String> {
    let entity = MediaAttachment::from_model(media, files);
    let url = entity.url?;
    let label = match media.kind.as_str() {
        "image" => "Image",
        "video" | "gifv" => "Video",
        "audio" => "Audio",
        _ => "Attachment",
    };
    let alt = escape(&media.description);
    let picture = match media.kind.as_str() {
        "image" | "gifv" => Some(entity.preview_url.unwrap_or_else(|| url.clone())),
        _ => entity.preview_url,
    }
    .filter(|p| is_ours(config, p));
    Some(match picture {
        Some(picture) => {
            let alt = if media.kind == "image" || alt.is_empty() {
                alt
            } else {
                format!("{label}: {alt}")
            };
            format!(
                "<a href=\"{}\"><img src=\"{}\" alt=\"{alt}\" loading=\"lazy\"></a>",
                escape(&url),
                escape(&picture),
            )
        }
        None if alt.is_empty() => format!("<a href=\"{}\">{label}</a>", escape(&url)),
        None => format!("<a href=\"{}\">{label}: {alt}</a>", escape(&url)),
    })
}

fn poll_html(poll: &PollView) -> String {
    let items: String = poll
        .titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let votes = poll
                .tallies
                .as_ref()
                .and_then(|t| t.get(i))
                .map(|n| format!(" — {}", plural(*n, "vote", "votes")))
                .unwrap_or_default();
            format!("<li>{}{votes}</li>", escape(title))
        })
        .collect();
    let state = if poll.expired { "Closed poll" } else { "Poll" };
    format!(
        "<div class=\"poll\"><p>{state} · {}</p><ul>{items}</ul></div>",
        plural(poll.votes_count, "vote", "votes")
    )
}
