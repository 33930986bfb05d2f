//! The HTML sanitizer that every remote post, bio and profile field goes
//! through before it is stored (`text::sanitize_html`), and `strip_html`,
//! which reads remote names, content warnings, poll options and reports.
//!
//! Properties: the output holds only the allowed tags, attributes and
//! classes — no `<script>`, no `style`, no `on…` event handlers, no link
//! to anything but `http(s)`, `mailto`, `xmpp` and `matrix` (in particular
//! no `javascript:`, however it is spelled); sanitizing the output again
//! keeps it so.
//!
//! Sanitizing is *not* idempotent, and this target found why (every pass's
//! output is safe, and Loggia sanitizes remote HTML once, when it
//! arrives): a pass can leave a tree that the HTML parser never builds,
//! which the next pass reads differently. Removing `<dt>` from
//! `<li><dt><li>` leaves an `<li>` inside an `<li>`; the adoption agency's
//! loop limits leave an `<a>` inside an `<a>` in
//! `<a><ul><li><ul><li><ul><li><ul><p><a>`, and deeper nesting changes
//! again on every pass; a parser drops the line break right after `<pre>`,
//! which the serializer does not write twice. Those inputs are seeds in
//! fuzz/corpus/sanitize_html/.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loggia::text::{sanitize_html, strip_html};

const TAGS: &[&str] = &[
    "p",
    "br",
    "a",
    "span",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
];
const SCHEMES: &[&str] = &["http", "https", "mailto", "xmpp", "matrix"];

fuzz_target!(|input: &str| {
    let once = sanitize_html(input);
    check_safe(&once);
    check_safe(&sanitize_html(&once));
    let _ = strip_html(input);
    let _ = strip_html(&once);
});

fn check_safe(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{html}");
    assert!(!lower.contains("<style"), "{html}");
    for tag in tags(html) {
        assert!(
            TAGS.contains(&tag.name.as_str()),
            "<{}> kept: {html}",
            tag.name
        );
        for (name, value) in &tag.attributes {
            let allowed = matches!(
                (tag.name.as_str(), name.as_str()),
                ("a", "href" | "rel" | "target" | "class" | "translate")
                    | ("span", "class" | "translate")
                    | ("ol", "start" | "reversed")
            );
            assert!(allowed, "{name}= kept on <{}>: {html}", tag.name);
            if name == "href" {
                check_link(value, html);
            }
            if name == "class" {
                let classes: &[&str] = match tag.name.as_str() {
                    "a" => &["mention", "hashtag", "u-url", "h-card", "status-link"],
                    _ => &["h-card", "invisible", "ellipsis", "mention"],
                };
                for class in value.split_ascii_whitespace() {
                    assert!(classes.contains(&class), "class {class:?} kept: {html}");
                }
            }
        }
    }
}

/// A link's scheme as a browser reads it (entities decoded, tabs and
/// newlines dropped, leading controls and spaces trimmed) is allowed.
fn check_link(href: &str, html: &str) {
    let decoded = decode_entities(href);
    let url: String = decoded
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let Some(colon) = url.find(':') else { return };
    let scheme = &url[..colon];
    // Anything else before the colon makes it a relative URL (the URL
    // Standard's scheme state), which stays on this server.
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return;
    }
    let scheme = scheme.to_ascii_lowercase();
    assert!(
        SCHEMES.contains(&scheme.as_str()),
        "link to {url:?} kept: {html}"
    );
}

/// `&amp;`, `&quot;`, `&lt;`, `&gt;`, `&nbsp;` and numeric references:
/// what the serializer writes into attribute values.
fn decode_entities(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let reference = &rest[amp..];
        let end = reference.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let c = match &reference[1..e] {
                "amp" => '&',
                "quot" => '"',
                "lt" => '<',
                "gt" => '>',
                "nbsp" => '\u{a0}',
                n => {
                    let n = n.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &reference[len..];
            }
            None => {
                out.push('&');
                rest = &reference[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// The start tags of serialized HTML. Text never holds a raw `<` (the
/// serializer escapes it), so every `<` opens a tag, comment or end tag;
/// attribute values are double-quoted and may hold `>`.
fn tags(html: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        at += offset + 1;
        let closing = html[at..].starts_with('/');
        if closing {
            at += 1;
        }
        let name_len = html[at..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(html.len() - at);
        let name = html[at..at + name_len].to_ascii_lowercase();
        assert!(!name.is_empty(), "a raw < in text: {html}");
        at += name_len;
        let mut attributes = Vec::new();
        loop {
            while at < bytes.len() && (bytes[at] as char).is_ascii_whitespace() {
                at += 1;
            }
            match bytes.get(at) {
                None => panic!("unterminated tag: {html}"),
                Some(b'>') => {
                    at += 1;
                    break;
                }
                Some(b'/') => at += 1,
                Some(_) => {
                    let len = html[at..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>')
                        .unwrap_or(html.len() - at);
                    let attribute = html[at..at + len].to_ascii_lowercase();
                    at += len;
                    let mut value = String::new();
                    if html[at..].starts_with("=\"") {
                        at += 2;
                        let end = html[at..].find('"').expect("a closing quote") + at;
                        value = html[at..end].to_owned();
                        at = end + 1;
                    } else {
                        assert!(!html[at..].starts_with('='), "unquoted value: {html}");
                    }
                    attributes.push((attribute, value));
                }
            }
        }
        if !closing {
            found.push(Tag { name, attributes });
        }
    }
    found
}
