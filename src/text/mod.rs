//! Post text: the plain text people type, turned into Mastodon's HTML.
//!
//! This module owns everything about reading a local status's text:
//!
//! - [`parse`] finds the mentions, hashtags and links in it, so a service
//!   can resolve accounts and record tags before rendering;
//! - [`render`] turns it into the HTML Mastodon 4.x stores for local
//!   statuses (paragraphs, `<br />`, shortened links, h-card mentions,
//!   hashtag links), given the mentions the caller could resolve;
//! - [`count_chars`] measures it the way Mastodon's length limit does;
//! - [`strip_html`] turns such HTML back into plain text.
//!
//! It is pure: no I/O, no configuration, no database. The rules for where
//! an entity may start follow Mastodon's: a mention's `@` may not follow a
//! word character, `/`, `@`, `.` or `=` (so `alice@example.com` is an
//! address, not a mention); a hashtag's `#` may not follow a word
//! character, `/`, `&`, `#`, `=` or `)` (so URL fragments and `&#39;` are
//! not tags), and a tag needs at least one letter; a link is an `http(s)`
//! URL without its trailing punctuation.

mod html;
mod sanitize;
mod scan;
mod strip;

#[cfg(test)]
mod tests;

pub use html::{render, render_field};
pub use sanitize::sanitize_html;
pub use strip::strip_html;

use scan::Kind;

/// How much a link counts towards a status's length, whatever its length.
const URL_LENGTH: usize = 23;

/// What [`parse`] found in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Mentions in order of first appearance, without duplicates.
    pub mentions: Vec<MentionRef>,
    /// Hashtags without `#`, deduplicated case-insensitively, spelled as
    /// first written.
    pub hashtags: Vec<String>,
    /// `http`/`https` links in order, without duplicates.
    pub links: Vec<String>,
}

/// A mention as written: `@alice` or `@bob@partner.example`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionRef {
    pub username: String,
    /// Lower-cased; `None` when the mention names no domain.
    pub domain: Option<String>,
}

/// A mention the caller resolved to an account, for [`render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedMention {
    pub username: String,
    /// `None` for a local account.
    pub domain: Option<String>,
    /// The account's profile page.
    pub url: String,
    /// The name shown after `@` (normally the bare username).
    pub display_username: String,
}

/// Whether `name` (without `#`) is a hashtag as posts spell them: word
/// characters only, at least one letter, at most 100 characters.
pub fn is_hashtag(name: &str) -> bool {
    scan::is_hashtag_name(name)
}

/// Finds the mentions, hashtags and links in a post's text.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for entity in scan::entities(text) {
        match entity.kind {
            Kind::Url => parsed.add_link(entity.text(text)),
            Kind::Mention { username, domain } => parsed.add_mention(username, domain),
            Kind::Hashtag(tag) => parsed.add_hashtag(tag),
        }
    }
    parsed
}

impl Parsed {
    fn add_link(&mut self, link: &str) {
        if !self.links.iter().any(|known| known == link) {
            self.links.push(link.to_owned());
        }
    }

    fn add_mention(&mut self, username: &str, domain: Option<&str>) {
        let domain = domain.map(str::to_lowercase);
        let known = self
            .mentions
            .iter()
            .any(|m| m.username.eq_ignore_ascii_case(username) && m.domain == domain);
        if !known {
            let username = username.to_owned();
            self.mentions.push(MentionRef { username, domain });
        }
    }

    fn add_hashtag(&mut self, tag: &str) {
        let folded = tag.to_lowercase();
        if !self
            .hashtags
            .iter()
            .any(|known| known.to_lowercase() == folded)
        {
            self.hashtags.push(tag.to_owned());
        }
    }
}

/// A status's length as Mastodon counts it: Unicode scalar values of the
/// stripped text, where every link counts as 23 and `@user@domain` counts
/// as `@user`.
pub fn count_chars(text: &str) -> usize {
    let text = strip_whitespace(text);
    let mut count = 0;
    let mut done = 0;
    for entity in scan::entities(text) {
        count += text[done..entity.start].chars().count();
        count += match entity.kind {
            Kind::Url => URL_LENGTH,
            Kind::Mention { username, .. } => 1 + username.chars().count(),
            Kind::Hashtag(_) => entity.text(text).chars().count(),
        };
        done = entity.end;
    }
    count + text[done..].chars().count()
}

/// Removes leading and trailing whitespace as Ruby's `String#strip` does,
/// which Mastodon applies to a local status's text before anything else.
fn strip_whitespace(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, '\0' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' '))
}

/// Text as search sees it: lower-cased, accents removed (`Café` → `cafe`).
pub fn fold_for_search(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}
