//! What goes into a public page's `<head>` for link previews and search
//! engines: OpenGraph and Twitter card tags, the canonical URL, the
//! ActivityStreams alternate, and `noindex` for accounts that opted out.
//! Every value is user input somewhere (display names, bios, posts), so
//! each one is escaped as an attribute.

use crate::model::Timestamp;
use crate::web::html::escape;

/// How long `og:description` may be, in characters.
const DESCRIPTION_CHARS: usize = 200;

/// The picture of a link preview.
pub struct Image {
    pub url: String,
    pub alt: String,
    /// Pixels, when known.
    pub size: Option<(i64, i64)>,
    /// A post's own picture (Twitter's large card) rather than an avatar.
    pub large: bool,
}

/// The head of a public page.
pub struct Meta {
    /// `og:type`: `profile`, `article` or `website`.
    pub kind: &'static str,
    pub title: String,
    /// Plain text; shortened here.
    pub description: String,
    /// The page's canonical absolute URL.
    pub canonical: String,
    pub image: Option<Image>,
    /// `article:published_time` (posts).
    pub published: Option<Timestamp>,
    /// `profile:username` (profiles).
    pub username: Option<String>,
    /// The ActivityStreams document of the same thing.
    pub activity: Option<String>,
    /// The author asked search engines to stay away.
    pub noindex: bool,
}

impl Meta {
    /// The `<head>` elements, for a site called `site`.
    pub fn head(&self, site: &str) -> String {
        let description = shorten(&self.description);
        let mut out = String::new();
        let mut property = |attribute: &str, name: &str, value: &str| {
            out.push_str(&format!(
                "<meta {attribute}=\"{name}\" content=\"{}\">",
                escape(value)
            ));
        };
        property("name", "description", &description);
        property("property", "og:site_name", site);
        property("property", "og:type", self.kind);
        property("property", "og:title", &self.title);
        property("property", "og:description", &description);
        property("property", "og:url", &self.canonical);
        if let Some(image) = &self.image {
            property("property", "og:image", &image.url);
            property("property", "og:image:alt", &image.alt);
            if let Some((width, height)) = image.size.filter(|(w, h)| *w > 0 && *h > 0) {
                property("property", "og:image:width", &width.to_string());
                property("property", "og:image:height", &height.to_string());
            }
        }
        if let Some(published) = self.published {
            property(
                "property",
                "article:published_time",
                &published.to_rfc3339(),
            );
        }
        if let Some(username) = &self.username {
            property("property", "profile:username", username);
        }
        let large = self.image.as_ref().is_some_and(|i| i.large);
        property(
            "name",
            "twitter:card",
            if large {
                "summary_large_image"
            } else {
                "summary"
            },
        );
        if self.noindex {
            property("name", "robots", "noindex, noarchive");
        }
        out.push_str(&format!(
            "<link rel=\"canonical\" href=\"{}\">",
            escape(&self.canonical)
        ));
        if let Some(activity) = &self.activity {
            out.push_str(&format!(
                "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">",
                escape(activity)
            ));
        }
        out
    }
}

/// Plain text on one line, at most `DESCRIPTION_CHARS` characters.
pub fn shorten(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    if line.chars().count() <= DESCRIPTION_CHARS {
        return line;
    }
    let cut: String = line.chars().take(DESCRIPTION_CHARS - 1).collect();
    // Prefer to end at a word.
    let cut = match cut.rfind(' ') {
        Some(space) if space > DESCRIPTION_CHARS / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_one_short_line() {
        assert_eq!(shorten("  Hello\n\nworld  "), "Hello world");
        let long = "word ".repeat(100);
        let short = shorten(&long);
        assert!(short.chars().count() <= DESCRIPTION_CHARS, "{short}");
        assert!(short.ends_with("word…"), "{short}");
        let unbroken = "é".repeat(300);
        assert_eq!(shorten(&unbroken).chars().count(), DESCRIPTION_CHARS);
    }

    #[test]
    fn values_cannot_leave_their_attribute() {
        let meta = Meta {
            kind: "profile",
            title: "\"><script>alert(1)</script>".into(),
            description: String::new(),
            canonical: "https://x.example/@a".into(),
            image: None,
            published: None,
            username: None,
            activity: None,
            noindex: false,
        };
        let head = meta.head("Site");
        assert!(!head.contains("<script>"), "{head}");
        assert!(
            head.contains("content=\"&quot;&gt;&lt;script&gt;"),
            "{head}"
        );
    }
}
