//! `Note` (and the kinds read as one: `Article`, `Question`, `Page`), with
//! Mastodon's extensions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::values::{OneOrMany, single_id};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none", default)]
    pub context: Option<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<Value>,
    /// Content warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Per-language content (`{"en": "…"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_map: Option<serde_json::Map<String, Value>>,
    /// Misskey's plain source (`_misskey_content`) is ignored; `source` is
    /// kept only for completeness.
    #[serde(default, skip_serializing)]
    pub source: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Value>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub to: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub cc: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub tag: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub attachment: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// `Question` options, read into the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Value>,
    /// `Question`: when voting ends, or (`closed`) ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters_count: Option<i64>,
    /// A poll vote is a `Note` with the option's title as `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A `Hashtag`, `Mention` or `Emoji` in a note's `tag` list.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    Hashtag { name: String },
    Mention { href: String },
    Emoji { name: String, url: String },
}

impl Tag {
    pub fn read(value: &Value) -> Option<Self> {
        let kind = value.get("type")?.as_str()?;
        let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
        match kind {
            "Hashtag" => Some(Self::Hashtag {
                name: text("name")?.trim_start_matches('#').to_owned(),
            }),
            "Mention" => Some(Self::Mention {
                href: text("href")?,
            }),
            "Emoji" => Some(Self::Emoji {
                name: text("name")?.trim_matches(':').to_owned(),
                url: value.get("icon").and_then(super::actor::image_url)?,
            }),
            _ => None,
        }
    }
}

/// A `Document`/`Image`/`Video`/`Audio` attachment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attachment {
    pub url: String,
    pub media_type: Option<String>,
    pub name: Option<String>,
    pub blurhash: Option<String>,
    pub focal_point: Option<(f64, f64)>,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

impl Attachment {
    pub fn read(value: &Value) -> Option<Self> {
        let url = match value.get("url") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => single_id(other)
                .map(str::to_owned)
                .or_else(|| super::actor::image_url(other))?,
            None => value.get("href").and_then(Value::as_str)?.to_owned(),
        };
        if !super::is_web_url(&url) {
            return None;
        }
        let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
        let focal_point = value
            .get("focalPoint")
            .and_then(Value::as_array)
            .and_then(|p| Some((p.first()?.as_f64()?, p.get(1)?.as_f64()?)));
        Some(Self {
            url,
            media_type: text("mediaType"),
            name: text("name").filter(|n| !n.is_empty()),
            blurhash: text("blurhash"),
            focal_point,
            width: value.get("width").and_then(Value::as_i64),
            height: value.get("height").and_then(Value::as_i64),
        })
    }
}

impl Note {
    /// The HTML content: `content`, else the first `contentMap` entry.
    pub fn html(&self) -> String {
        if let Some(content) = &self.content {
            return content.clone();
        }
        self.content_map
            .as_ref()
            .and_then(|m| m.values().find_map(Value::as_str))
            .unwrap_or_default()
            .to_owned()
    }

    /// The language, when given by `contentMap`.
    pub fn language(&self) -> Option<String> {
        self.content_map
            .as_ref()
            .and_then(|m| m.keys().next().cloned())
            .filter(|l| l.len() <= 16)
    }

    pub fn author(&self) -> Option<&str> {
        let value = self.attributed_to.as_ref()?;
        if let Value::Array(items) = value {
            // Several attributions (PeerTube): the Person one.
            return items
                .iter()
                .find(|i| i.get("type").and_then(Value::as_str) == Some("Person"))
                .and_then(single_id)
                .or_else(|| items.first().and_then(single_id));
        }
        single_id(value)
    }

    pub fn in_reply_to_id(&self) -> Option<&str> {
        self.in_reply_to.as_ref().and_then(single_id)
    }

    pub fn addresses(&self) -> Vec<String> {
        self.to
            .iter()
            .chain(self.cc.iter())
            .filter_map(single_id)
            .map(str::to_owned)
            .collect()
    }

    pub fn tags(&self) -> Vec<Tag> {
        self.tag.iter().filter_map(Tag::read).collect()
    }

    pub fn attachments(&self) -> Vec<Attachment> {
        self.attachment
            .iter()
            .filter_map(Attachment::read)
            .collect()
    }

    /// Question options, as names.
    pub fn poll_options(&self) -> Vec<String> {
        self.poll_choices().into_iter().map(|(t, _)| t).collect()
    }

    /// A `Question`'s options with their vote counts (`replies.totalItems`).
    pub fn poll_choices(&self) -> Vec<(String, i64)> {
        self.one_of
            .iter()
            .chain(self.any_of.iter())
            .flatten()
            .filter_map(|o| {
                let title = o.get("name").and_then(Value::as_str)?.to_owned();
                let votes = o
                    .pointer("/replies/totalItems")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                    .max(0);
                Some((title, votes))
            })
            .collect()
    }
}

#[cfg(test)]
mod attachment_tests {
    use serde_json::json;

    use super::Attachment;

    #[test]
    fn only_web_urls_are_taken_from_attachments() {
        let read = |url: &str| Attachment::read(&json!({"type": "Document", "url": url}));
        assert!(read("https://files.example/a.png").is_some());
        assert!(read("http://files.example/a.png").is_some());
        for hostile in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "httpx://files.example/a.png",
            "/relative/a.png",
        ] {
            assert!(read(hostile).is_none(), "{hostile}");
        }
    }
}
