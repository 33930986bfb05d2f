//! ActivityStreams wire shapes: what we send and what we accept. Only
//! (de)serialization lives here; `ingest` and `render` give them meaning.
//!
//! Incoming documents are read tolerantly: fields that Mastodon, GoToSocial,
//! Akkoma, Misskey or Pixelfed send as a string, an object or a list are
//! all accepted, and anything unknown is ignored.

mod actor;
mod note;
mod values;

pub use actor::{Actor, Endpoints, PublicKey, image_url};
pub use note::{Attachment, Note, Tag};
pub use values::{OneOrMany, PUBLIC, Reference, is_public, single_id};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The `@context` of everything we send: ActivityStreams, security keys and
/// the extension terms Mastodon uses.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "Emoji": "toot:Emoji",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "blurhash": "toot:blurhash",
            "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "conversation": "ostatus:conversation",
            "ostatus": "http://ostatus.org#",
            "loggia": "https://loggia.social/ns#",
        }
    ])
}

/// Any activity, sent or received. `object` stays raw: it may be an id, an
/// embedded object or an embedded activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none", default)]
    pub context: Option<Value>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: Reference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Value>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub to: OneOrMany<String>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub cc: OneOrMany<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The comment of a `Flag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// An `OrderedCollection` (outbox, followers, following, featured) or one
/// of its pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none", default)]
    pub context: Option<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_items: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<Value>>,
}

impl Collection {
    /// An `OrderedCollection` with its total and, optionally, its items.
    pub fn ordered(id: String, total: i64, items: Option<Vec<Value>>) -> Self {
        Self {
            context: Some(context()),
            id,
            kind: "OrderedCollection".into(),
            total_items: Some(total),
            first: None,
            next: None,
            prev: None,
            part_of: None,
            ordered_items: items,
        }
    }
}

/// A WebFinger (RFC 7033) document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Webfinger {
    pub subject: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub links: Vec<WebfingerLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebfingerLink {
    pub rel: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Webfinger {
    /// The ActivityPub actor the document points to.
    pub fn actor_link(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|l| {
                l.rel == "self"
                    && l.kind.as_deref().is_some_and(|t| {
                        t.starts_with("application/activity+json")
                            || t.starts_with("application/ld+json")
                    })
            })
            .and_then(|l| l.href.as_deref())
    }
}

/// Whether `url` is an absolute `http`/`https` URL: the only kind of link or
/// media address taken from other servers (a `javascript:` or `data:` URL
/// would reach clients as a clickable link).
pub fn is_web_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}
