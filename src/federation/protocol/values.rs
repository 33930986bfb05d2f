//! Small value shapes that ActivityStreams allows in several forms.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The public collection, in the spellings seen in the wild.
pub fn is_public(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}

/// One value or a list of them. `Many` comes first: untagged variants are
/// tried in order, and a `Value` would otherwise swallow a whole list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Many(v) if v.is_empty())
    }

    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            Self::One(one) => std::slice::from_ref(one).iter(),
            Self::Many(many) => many.iter(),
        }
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(v: Vec<T>) -> Self {
        Self::Many(v)
    }
}

/// A reference to an object: its id, or the object itself embedded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reference {
    Id(String),
    Object(Value),
}

impl Reference {
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Id(id) => Some(id),
            Self::Object(value) => single_id(value),
        }
    }
}

/// The id of a value that is an id string, an object with an `id` (or
/// `href`, for links), or a one-element list of those.
pub fn single_id(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        Value::Object(map) => map
            .get("id")
            .or_else(|| map.get("href"))
            .and_then(Value::as_str),
        Value::Array(items) if items.len() == 1 => single_id(&items[0]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_of_values_stay_lists() {
        let many: OneOrMany<Value> = serde_json::from_value(json!([{"a": 1}, {"b": 2}])).unwrap();
        assert_eq!(many.iter().count(), 2);
        let one: OneOrMany<Value> = serde_json::from_value(json!({"a": 1})).unwrap();
        assert_eq!(one.iter().count(), 1);
        let one: OneOrMany<String> = serde_json::from_value(json!("x")).unwrap();
        assert_eq!(one.into_vec(), vec!["x".to_owned()]);
    }
}
