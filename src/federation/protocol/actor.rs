//! `Person`, `Service`, `Application`, `Group` and `Organization` actors.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::values::OneOrMany;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none", default)]
    pub context: Option<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A string, a `Link` or a list of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Value>,
    pub inbox: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<OneOrMany<PublicKey>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    /// Profile fields as `PropertyValue`s.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub attachment: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub tag: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub also_known_as: OneOrMany<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    #[serde(default)]
    pub owner: Option<String>,
    pub public_key_pem: String,
}

impl Actor {
    /// The key with this id, or the only key.
    pub fn key(&self, key_id: Option<&str>) -> Option<&PublicKey> {
        let keys = self.public_key.as_ref()?;
        match key_id {
            Some(id) => keys
                .iter()
                .find(|k| k.id == id)
                .or_else(|| keys.iter().next().filter(|_| keys.iter().count() == 1)),
            None => keys.iter().next(),
        }
    }

    /// The profile page: the first `url` that is a string or an HTML link.
    pub fn profile_url(&self) -> Option<String> {
        fn pick(v: &Value) -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(m) => m.get("href").and_then(Value::as_str).map(str::to_owned),
                Value::Array(items) => items.iter().find_map(pick),
                _ => None,
            }
        }
        self.url.as_ref().and_then(pick)
    }
}

/// The URL of an `icon`/`image`: an `Image` object, a URL, or a list.
pub fn image_url(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => match m.get("url") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => image_url(other),
            None => m.get("href").and_then(Value::as_str).map(str::to_owned),
        },
        Value::Array(items) => items.iter().find_map(image_url),
        _ => None,
    }
}
