//! Status text as people type it: what `text::parse` finds, how
//! `text::count_chars` counts and what `text::render` writes.
//!
//! Properties: every link, hashtag and mention found is in the text and
//! well formed, none twice; rendering then stripping the HTML gives the
//! text back (so escaping and the link, hashtag and mention markup lose and
//! inject nothing); rendered HTML holds only Mastodon's tags, balanced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loggia::text::{self, ResolvedMention};

const BASE: &str = "https://loggia.example";

fuzz_target!(|input: &str| {
    let parsed = text::parse(input);
    check_parsed(input, &parsed);
    check_count(input, &parsed);

    let html = text::render(input, &[], BASE);
    check_markup(&html);
    assert_eq!(text::strip_html(&html), plain_as_rendered(input), "{html}");

    // Every mention resolved, with addresses that need escaping.
    let resolved: Vec<ResolvedMention> = parsed
        .mentions
        .iter()
        .map(|m| ResolvedMention {
            username: m.username.clone(),
            domain: m.domain.clone(),
            url: format!("https://x.test/@{}?a=1&b=\"<'>", m.username),
            display_username: m.username.clone(),
        })
        .collect();
    check_markup(&text::render(input, &resolved, BASE));

    let field = text::render_field(input, BASE);
    check_markup(&field);
    assert_eq!(
        text::strip_html(&field),
        input.replace(['\r', '\n'], " ").trim(),
        "{field}"
    );
});

fn check_parsed(input: &str, parsed: &text::Parsed) {
    for (i, link) in parsed.links.iter().enumerate() {
        assert!(
            input.contains(link.as_str()),
            "link {link:?} is not in the text"
        );
        let url = url::Url::parse(link).expect("links parse as URLs");
        assert!(matches!(url.scheme(), "http" | "https"), "{link:?}");
        assert!(!parsed.links[..i].contains(link), "{link:?} twice");
    }
    for (i, tag) in parsed.hashtags.iter().enumerate() {
        assert!(text::is_hashtag(tag), "#{tag:?} is not a hashtag");
        assert!(
            input.contains(&format!("#{tag}")),
            "#{tag:?} is not in the text"
        );
        let folded = tag.to_lowercase();
        assert!(
            !parsed.hashtags[..i]
                .iter()
                .any(|t| t.to_lowercase() == folded),
            "#{tag:?} twice"
        );
    }
    for (i, mention) in parsed.mentions.iter().enumerate() {
        let username = &mention.username;
        assert!(!username.is_empty() && username.is_ascii(), "{mention:?}");
        assert!(
            input.contains(&format!("@{username}")),
            "{mention:?} is not in the text"
        );
        assert!(
            mention.domain.as_ref().is_none_or(|d| !d.is_empty()),
            "{mention:?}"
        );
        assert!(!parsed.mentions[..i].contains(mention), "{mention:?} twice");
    }
}

/// Without links or remote mentions (the entities Mastodon counts
/// differently), the length is the stripped text's number of characters.
fn check_count(input: &str, parsed: &text::Parsed) {
    if parsed.links.is_empty() && parsed.mentions.iter().all(|m| m.domain.is_none()) {
        assert_eq!(text::count_chars(input), ruby_strip(input).chars().count());
    }
}

/// Ruby's `String#strip`, which Mastodon (and `text::render`) applies first.
fn ruby_strip(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, '\0' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' '))
}

/// The text `render` shows: line endings normalised, surrounding blanks
/// removed, paragraphs separated by exactly one blank line.
fn plain_as_rendered(input: &str) -> String {
    let text = input.replace("\r\n", "\n").replace('\r', "\n");
    let text = ruby_strip(&text);
    if text.trim().is_empty() {
        return String::new();
    }
    text.split("\n\n")
        .map(|paragraph| paragraph.trim_matches('\n'))
        .filter(|paragraph| !paragraph.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Only `p`, `br`, `a` and `span`, opened and closed in order, with
/// double-quoted attribute values free of `<`, `>` and `"`: text never
/// becomes markup.
fn check_markup(html: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        assert!(!rest[..start].contains('>'), "raw > in text: {html}");
        let end = rest[start..].find('>').expect("a tag ends") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "< inside a tag: {html}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {html}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "misnested </{name}>: {html}");
        } else {
            let name = tag.split([' ', '/']).next().unwrap_or_default();
            assert!(
                matches!(name, "p" | "br" | "a" | "span"),
                "<{name}>: {html}"
            );
            if name != "br" {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(!rest.contains('>'), "raw > in text: {html}");
    assert!(open.is_empty(), "unclosed {open:?}: {html}");
}
