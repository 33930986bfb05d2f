//! Cleaning HTML that other servers send, down to what Mastodon keeps:
//! paragraphs, line breaks, links, simple emphasis, code, quotes and lists.
//! Everything else (scripts, styles, images, event handlers, `javascript:`
//! links) is removed; links open without a referrer.

use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
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
    ])
    .add_tag_attributes("a", ["href", "translate"])
    .add_tag_attributes("span", ["translate"])
    .add_tag_attributes("ol", ["start", "reversed"])
    .add_allowed_classes(
        "a",
        ["mention", "hashtag", "u-url", "h-card", "status-link"],
    )
    .add_allowed_classes("span", ["h-card", "invisible", "ellipsis", "mention"])
    .url_schemes(HashSet::from(["http", "https", "mailto", "xmpp", "matrix"]))
    .link_rel(Some("nofollow noopener noreferrer"))
    .set_tag_attribute_value("a", "target", "_blank")
    .strip_comments(true);
    b
});

/// Sanitized HTML, safe to store and show.
pub fn sanitize_html(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    #[test]
    fn keeps_mastodon_markup_and_drops_the_rest() {
        let html = r#"<p>Hi <span class="h-card"><a href="https://a.test/@x" class="u-url mention">@<span>x</span></a></span> <a href="https://a.test/tags/t" class="mention hashtag" rel="tag">#<span>t</span></a></p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">j</a><p style="color:red" onclick="x()">b</p>"#;
        let clean = sanitize_html(html);
        assert!(clean.contains(r#"class="u-url mention""#), "{clean}");
        assert!(clean.contains(r#"class="mention hashtag""#), "{clean}");
        assert!(
            clean.contains("rel=\"nofollow noopener noreferrer\""),
            "{clean}"
        );
        for bad in [
            "script",
            "img",
            "onerror",
            "javascript:",
            "style",
            "onclick",
        ] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
    }
}
