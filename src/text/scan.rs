//! Finding links, mentions and hashtags in plain text.
//!
//! The scan goes left to right and, at each position, tries a link, then
//! a mention, then a hashtag; whatever matches is taken whole and the scan
//! continues after it, so entities never overlap (an `@` or `#` inside a
//! link stays part of the link).

use url::Url;

/// Hashtags longer than this are left as text.
const MAX_HASHTAG_CHARS: usize = 100;

/// Punctuation that ends a sentence rather than a link.
const URL_TRAILING_PUNCTUATION: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '"'];

/// What an entity is, with its parts borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind<'a> {
    Url,
    Mention {
        username: &'a str,
        domain: Option<&'a str>,
    },
    /// The tag without `#`.
    Hashtag(&'a str),
}

/// An entity at the byte range `start..end` of the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entity<'a> {
    pub start: usize,
    pub end: usize,
    pub kind: Kind<'a>,
}

impl Entity<'_> {
    /// The entity as written, `@` or `#` included.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// All entities of `text`, in order.
pub(super) fn entities(text: &str) -> Vec<Entity<'_>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        match entity_at(text, at) {
            Some(entity) => {
                at = entity.end;
                found.push(entity);
            }
            None => at += c.len_utf8(),
        }
    }
    found
}

fn entity_at(text: &str, at: usize) -> Option<Entity<'_>> {
    let prev = text[..at].chars().next_back();
    let rest = &text[at..];
    let (len, kind) = url_at(rest, prev)
        .or_else(|| mention_at(rest, prev))
        .or_else(|| hashtag_at(rest, prev))?;
    Some(Entity {
        start: at,
        end: at + len,
        kind,
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// Combining marks that Ruby's `[[:word:]]` counts as word characters but
/// Rust's `is_alphanumeric` does not: accents, Vedic stress marks, the
/// nukta and virama of the Indic scripts, and the zero-width non-joiner.
fn is_combining_mark(c: char) -> bool {
    let indic_sign =
        matches!(c, '\u{0900}'..='\u{0D7F}') && matches!(u32::from(c) & 0x7F, 0x3C | 0x4D);
    indic_sign
        || matches!(c, '\u{0300}'..='\u{036F}' | '\u{0951}'..='\u{0954}' | '\u{0DCA}' | '\u{200C}')
}

/// The longest start of `s` whose characters all satisfy `keep`.
fn prefix_while(s: &str, keep: impl Fn(char) -> bool) -> &str {
    &s[..s.find(|c| !keep(c)).unwrap_or(s.len())]
}

// ---- links ----

fn url_at<'a>(rest: &'a str, prev: Option<char>) -> Option<(usize, Kind<'a>)> {
    if !starts_with_scheme(rest) || prev.is_some_and(blocks_url) {
        return None;
    }
    let candidate = trim_url_end(prefix_while(rest, is_url_char));
    let host_ok = Url::parse(candidate)
        .ok()?
        .host_str()
        .is_some_and(|host| host.chars().any(char::is_alphanumeric));
    host_ok.then_some((candidate.len(), Kind::Url))
}

fn starts_with_scheme(s: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        s.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    })
}

/// A link may not be glued to a preceding letter, digit, `@`, `$` or `#`.
fn blocks_url(prev: char) -> bool {
    prev.is_ascii_alphanumeric() || matches!(prev, '@' | '$' | '#')
}

fn is_url_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>' | '"')
}

/// Drops trailing punctuation, and a trailing `)` that closes nothing
/// opened inside the link.
fn trim_url_end(mut url: &str) -> &str {
    while let Some(last) = url.chars().next_back() {
        let unbalanced = last == ')' && url.matches(')').count() > url.matches('(').count();
        if !URL_TRAILING_PUNCTUATION.contains(&last) && !unbalanced {
            break;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
    url
}

// ---- mentions ----

fn mention_at<'a>(rest: &'a str, prev: Option<char>) -> Option<(usize, Kind<'a>)> {
    let after_at = rest.strip_prefix('@')?;
    if prev.is_some_and(blocks_mention) {
        return None;
    }
    let username = username_prefix(after_at)?;
    let mut len = 1 + username.len();
    let domain = rest[len..].strip_prefix('@').and_then(domain_prefix);
    if let Some(domain) = domain {
        len += 1 + domain.len();
    }
    if ends_mention_badly(&rest[len..]) {
        return None;
    }
    Some((len, Kind::Mention { username, domain }))
}

fn blocks_mention(prev: char) -> bool {
    is_word(prev) || matches!(prev, '/' | '@' | '.' | '=')
}

/// `[a-zA-Z0-9_]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?`
fn username_prefix(s: &str) -> Option<&str> {
    let run = prefix_while(s, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
    });
    let name = run.trim_end_matches(['.', '-']);
    name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        .then_some(name)
}

/// Letters, digits, dots and dashes, not ending in a dot or dash, with an
/// optional `:port`.
fn domain_prefix(s: &str) -> Option<&str> {
    let run = prefix_while(s, |c| c.is_alphanumeric() || matches!(c, '.' | '-'));
    let host = run.trim_end_matches(['.', '-']);
    if !host.starts_with(char::is_alphanumeric) {
        return None;
    }
    let port = match s[host.len()..].strip_prefix(':') {
        Some(after) if host.len() == run.len() => prefix_while(after, |c| c.is_ascii_digit()),
        _ => "",
    };
    let len = if port.is_empty() {
        host.len()
    } else {
        host.len() + 1 + port.len()
    };
    Some(&s[..len])
}

/// Like Mastodon, a mention directly followed by another `@`, an accented
/// Latin letter or `://` is not a mention at all.
fn ends_mention_badly(after: &str) -> bool {
    after.starts_with("://")
        || after
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '@' | '＠') || is_latin_accent(c))
}

fn is_latin_accent(c: char) -> bool {
    matches!(c,
        '\u{00C0}'..='\u{00D6}'
        | '\u{00D8}'..='\u{00F6}'
        | '\u{00F8}'..='\u{024F}'
        | '\u{0253}' | '\u{0254}' | '\u{0256}' | '\u{0257}' | '\u{0259}' | '\u{025B}'
        | '\u{0263}' | '\u{0268}' | '\u{026F}' | '\u{0272}' | '\u{0289}' | '\u{028B}'
        | '\u{02BB}'
        | '\u{0300}'..='\u{036F}'
        | '\u{1E00}'..='\u{1EFF}')
}

// ---- hashtags ----

fn hashtag_at<'a>(rest: &'a str, prev: Option<char>) -> Option<(usize, Kind<'a>)> {
    let after_hash = rest.strip_prefix('#')?;
    if prev.is_some_and(blocks_hashtag) {
        return None;
    }
    let tag = prefix_while(after_hash, is_word);
    let valid = tag.chars().any(char::is_alphabetic) && tag.chars().count() <= MAX_HASHTAG_CHARS;
    valid.then_some((1 + tag.len(), Kind::Hashtag(tag)))
}

/// Whether `name` (what follows the `#`) is a whole hashtag.
pub(super) fn is_hashtag_name(name: &str) -> bool {
    let text = format!("#{name}");
    matches!(hashtag_at(&text, None), Some((len, _)) if len == text.len())
}

fn blocks_hashtag(prev: char) -> bool {
    is_word(prev) || matches!(prev, '/' | '&' | '#' | '=' | ')')
}
