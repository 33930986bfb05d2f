//! Rendering post text as Mastodon's HTML.

use std::fmt::Write as _;

use url::Url;

use super::ResolvedMention;
use super::scan::{self, Kind};

/// How many characters of a link (after its scheme and `www.`) are shown.
const LINK_DISPLAY_CHARS: usize = 30;

/// Renders a post's plain text as the HTML Mastodon 4.x stores for a local
/// status: `<p>` paragraphs split on blank lines, `<br />` for single line
/// breaks, escaped text, shortened links, h-card mentions for the
/// `mentions` the caller resolved (others stay text) and hashtag links
/// under `base_url`. Blank text renders as `""`.
pub fn render(text: &str, mentions: &[ResolvedMention], base_url: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = super::strip_whitespace(&text);
    if text.trim().is_empty() {
        return String::new();
    }
    let renderer = Renderer::new(mentions, base_url);
    let mut html = String::with_capacity(text.len() * 2);
    for paragraph in paragraphs(text) {
        html.push_str("<p>");
        for (index, line) in paragraph.split('\n').enumerate() {
            if index > 0 {
                html.push_str("<br />");
            }
            renderer.line(&mut html, line);
        }
        html.push_str("</p>");
    }
    html
}

/// Renders a profile field's value as the HTML Mastodon sends for it:
/// escaped text with links (and hashtags) made clickable, on one line, no
/// paragraph. Clients display field values as HTML, so the raw text a local
/// user typed must never be sent as it is.
pub fn render_field(text: &str, base_url: &str) -> String {
    let line = text.replace(['\r', '\n'], " ");
    let mut html = String::with_capacity(line.len() * 2);
    Renderer::new(&[], base_url).line(&mut html, line.trim());
    html
}

/// Paragraphs are separated by two or more line breaks; line breaks at a
/// paragraph's edges are dropped.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
        .map(|paragraph| paragraph.trim_matches('\n'))
        .filter(|paragraph| !paragraph.is_empty())
}

struct Renderer<'a> {
    mentions: &'a [ResolvedMention],
    base_url: &'a str,
    /// This server's `host[:port]`, so `@alice@this.host` is local.
    local_domain: Option<String>,
}

impl<'a> Renderer<'a> {
    fn new(mentions: &'a [ResolvedMention], base_url: &'a str) -> Self {
        let local_domain = Url::parse(base_url).ok().and_then(|url| {
            let host = url.host_str()?.to_lowercase();
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        });
        let base_url = base_url.trim_end_matches('/');
        Self {
            mentions,
            base_url,
            local_domain,
        }
    }

    /// Renders one line (no line breaks inside) into `out`.
    fn line(&self, out: &mut String, line: &str) {
        let mut done = 0;
        for entity in scan::entities(line) {
            escape_into(out, &line[done..entity.start]);
            match entity.kind {
                Kind::Url => push_link(out, entity.text(line)),
                Kind::Mention { username, domain } => match self.resolve(username, domain) {
                    Some(account) => push_mention(out, account),
                    None => escape_into(out, entity.text(line)),
                },
                Kind::Hashtag(tag) => self.push_hashtag(out, tag),
            }
            done = entity.end;
        }
        escape_into(out, &line[done..]);
    }

    /// The resolved account a mention refers to: same username (ignoring
    /// case) and same domain, where no domain and this server's domain
    /// both mean a local account.
    fn resolve(&self, username: &str, domain: Option<&str>) -> Option<&'a ResolvedMention> {
        let domain = domain.map(str::to_lowercase);
        let local = domain.is_none() || domain == self.local_domain;
        self.mentions.iter().find(|account| {
            let same_domain = match (&account.domain, &domain) {
                (None, _) => local,
                (Some(theirs), Some(ours)) => theirs.eq_ignore_ascii_case(ours),
                (Some(_), None) => false,
            };
            same_domain && account.username.eq_ignore_ascii_case(username)
        })
    }

    fn push_hashtag(&self, out: &mut String, tag: &str) {
        out.push_str("<a href=\"");
        escape_into(out, self.base_url);
        out.push_str("/tags/");
        percent_encode_into(out, &tag.to_lowercase());
        out.push_str("\" class=\"mention hashtag\" rel=\"tag\">#<span>");
        escape_into(out, tag);
        out.push_str("</span></a>");
    }
}

/// A link showing at most 30 characters after its scheme and `www.`,
/// the rest hidden behind an ellipsis.
fn push_link(out: &mut String, url: &str) {
    let (prefix, rest) = url.split_at(display_prefix_len(url));
    let (shown, hidden) = rest.split_at(display_cut(rest));
    let class = if hidden.is_empty() { "" } else { "ellipsis" };

    out.push_str("<a href=\"");
    escape_into(out, url);
    out.push_str("\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\">");
    push_span(out, "invisible", prefix);
    push_span(out, class, shown);
    push_span(out, "invisible", hidden);
    out.push_str("</a>");
}

/// Where the shown part of a link ends. Like Mastodon 4.4+, a link only
/// one character too long is shown whole, since the ellipsis would take
/// the place of that one character anyway.
fn display_cut(rest: &str) -> usize {
    let mut ends = rest
        .char_indices()
        .map(|(index, _)| index)
        .skip(LINK_DISPLAY_CHARS);
    match (ends.next(), ends.next()) {
        (Some(cut), Some(_)) => cut,
        _ => rest.len(),
    }
}

/// The length of `http://` or `https://` plus an optional `www.`
/// (case-sensitive, as in Mastodon).
fn display_prefix_len(url: &str) -> usize {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| url.starts_with(scheme))
        .map_or(0, str::len);
    let www = if url[scheme..].starts_with("www.") {
        4
    } else {
        0
    };
    scheme + www
}

fn push_span(out: &mut String, class: &str, content: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    escape_into(out, content);
    out.push_str("</span>");
}

fn push_mention(out: &mut String, account: &ResolvedMention) {
    out.push_str("<span class=\"h-card\" translate=\"no\"><a href=\"");
    escape_into(out, &account.url);
    out.push_str("\" class=\"u-url mention\">@<span>");
    escape_into(out, &account.display_username);
    out.push_str("</span></a></span>");
}

/// Escapes text for HTML content and double-quoted attributes.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Percent-encodes everything but ASCII letters, digits and `_` (all a
/// tag can hold besides non-ASCII letters), as UTF-8 with upper-case hex.
fn percent_encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}
